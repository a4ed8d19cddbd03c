/* onet_details.c - the O*NET release's details: titles, technology, job zones, elements. */
#include "common/error.h"
#include "common/schema.h"
#include "common/strmap.h"
#include "common/util.h"
#include "common/batch.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/worker.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOT_IN_RELEASE "not an occupation of the O*NET release"

/* The last code occupation_of() matched, so that a run of rows of one
 * occupation (O*NET lists them together) is parsed and looked up once. */
typedef struct {
    char code[32];
    long i;
} occ_cache;

/* Counts a staged row in c and finds its occupation (remembered in *last,
 * which the caller owns and starts as {.i = -1}): returns its index, or -1 when the
 * row was listed as unmatched or *rc was set (OS_EDATA for a value that is
 * not an O*NET-SOC code, OS_EIO if the listing failed). On a reader ahead
 * (t->out NULL, transform/worker.c) an unmatched row cannot be listed: it
 * sets *rc to OS_EDATA unreported, and the main thread reads the table. */
static long occupation_of(tf *t, tf_coverage *c, occ_cache *last, const char *file, long row,
                          const char *code, int *rc)
{
    occode oc;
    c->rows_in++;
    if (last->code[0] && !strcmp(code, last->code))
        return last->i;
    if (occode_parse(code, &oc) != 0 || !oc.suffix) {
        *rc = os_error(OS_EDATA, "%s: %s row %ld: '%s' is not an O*NET-SOC code", c->table_id,
                       file, row, code);
        return -1;
    }
    long i = universe_find(&t->u, oc.onet);
    if (i < 0 && !t->out) {
        *rc = OS_EDATA; /* a reader ahead cannot list it: the main thread reads again */
        return i;
    }
    if (i < 0) {
        *rc = tf_cov_unmatched(t, c, row, oc.onet, NOT_IN_RELEASE);
        return i;
    }
    size_t n = strlen(code);
    if (n < sizeof last->code) {
        memcpy(last->code, code, n + 1);
        last->i = i;
    }
    return i;
}

/* "Y" -> 1, "N" -> 0, anything else -> -1; cannot fail (callers report -1). */
static int yes_no(const char *s)
{
    return !strcmp(s, "Y") ? 1 : !strcmp(s, "N") ? 0 : -1;
}

/* Loads onet_alt_titles (reported = 0) or onet_reported_titles (reported = 1)
 * into occupation_title; returns an os_result naming table, file, row and
 * value (OS_EDATA for a bad flag, an empty or a repeated title). */
static int load_titles(tf *t, const char *table_id, int reported)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, table_id,
                            reported ? "onet_code, title, shown_in_my_next_move"
                                     : "onet_code, title, short_title, sources",
                            &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, table_id, "onet");
    occ_cache last = {.i = -1};
    const char *kind = reported ? "reported" : "alternate";
    db_batch ins;
    rc = db_batch_open(&ins, t->out,
                    "occupation_title(onet_code, title, kind, short_title, sources,"
                    " shown_in_my_next_move)",
                    6);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        long i = occupation_of(t, c, &last, file, row, db_text(q, 1), &rc);
        if (i < 0)
            continue;
        const char *title = db_text(q, 2);
        if (!*title) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: a title of %s is empty", table_id, file, row,
                          t->u.onet[i]);
            break;
        }
        int p = db_batch_at(&ins);
        sqlite3_bind_text(ins.st, p, t->u.onet[i], -1, SQLITE_STATIC);
        db_batch_text(&ins, p + 1, title);
        sqlite3_bind_text(ins.st, p + 2, kind, -1, SQLITE_STATIC);
        if (reported) {
            int shown = yes_no(db_text(q, 3));
            if (shown < 0) {
                rc = os_error(OS_EDATA,
                              "%s: %s row %ld: shown_in_my_next_move is '%s', not Y or N",
                              table_id, file, row, db_text(q, 3));
                break;
            }
            sqlite3_bind_null(ins.st, p + 3);
            sqlite3_bind_null(ins.st, p + 4);
            sqlite3_bind_int(ins.st, p + 5, shown);
        } else {
            /* "n/a": the title has no short form. */
            const char *short_title = db_text(q, 3);
            db_batch_text(&ins, p + 3, strcmp(short_title, "n/a") ? short_title : NULL);
            db_batch_text(&ins, p + 4, db_text(q, 4));
            sqlite3_bind_null(ins.st, p + 5);
        }
        rc = db_batch_add(&ins);
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    rc = tf_report_duplicate(t, rc, table_id, "title");
    db_batch_close(&ins);
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* Loads onet_technology into technology; returns an os_result naming file,
 * row, column and value (OS_EDATA for a flag other than Y/N, an empty or a
 * repeated example). */
static int load_technology(tf *t)
{
    static const char *const ID = "onet_technology";
    static const char *const FLAG_COL[2] = {"hot_technology", "in_demand"};
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, ID,
                            "onet_code, example, commodity_code, commodity_title, "
                            "hot_technology, in_demand",
                            &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, ID, "onet");
    occ_cache last = {.i = -1};
    db_batch ins;
    rc = db_batch_open(&ins, t->out,
                    "technology(onet_code, example, commodity_code, commodity_title,"
                    " hot_technology, in_demand)",
                    6);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        long i = occupation_of(t, c, &last, file, row, db_text(q, 1), &rc);
        if (i < 0)
            continue;
        const char *example = db_text(q, 2);
        if (!*example) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: a technology of %s has no example", ID,
                          file, row, t->u.onet[i]);
            break;
        }
        int flag[2];
        for (int k = 0; k < 2 && !rc; k++)
            if ((flag[k] = yes_no(db_text(q, 5 + k))) < 0)
                rc = os_error(OS_EDATA, "%s: %s row %ld: %s is '%s', not Y or N", ID, file, row,
                              FLAG_COL[k], db_text(q, 5 + k));
        if (rc)
            break;
        int p = db_batch_at(&ins);
        sqlite3_bind_text(ins.st, p, t->u.onet[i], -1, SQLITE_STATIC);
        db_batch_text(&ins, p + 1, example);
        sqlite3_bind_value(ins.st, p + 2, sqlite3_column_value(q, 3));
        db_batch_text(&ins, p + 3, db_text(q, 4));
        sqlite3_bind_int(ins.st, p + 4, flag[0]);
        sqlite3_bind_int(ins.st, p + 5, flag[1]);
        rc = db_batch_add(&ins);
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    rc = tf_report_duplicate(t, rc, ID, "example");
    db_batch_close(&ins);
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* Sets occupation.job_zone from onet_job_zones; returns an os_result naming
 * file, row and value (OS_EDATA for a zone outside 1..5 or a second zone). */
static int load_job_zones(tf *t)
{
    static const char *const ID = "onet_job_zones";
    sqlite3_stmt *q, *upd;
    char *file;
    int rc = tf_open_staged(t, ID, "onet_code, job_zone", &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, ID, "onet");
    occ_cache last = {.i = -1};
    rc = db_prepare(t->out, "UPDATE occupation SET job_zone = ? WHERE onet_code = ?", &upd);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        long i = occupation_of(t, c, &last, file, row, db_text(q, 1), &rc);
        if (i < 0)
            continue;
        long zone = sqlite3_column_int64(q, 2);
        if (sqlite3_column_type(q, 2) != SQLITE_INTEGER || zone < 1 || zone > 5) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: job zone '%s' of %s is not 1 to 5", ID,
                          file, row, db_text(q, 2), t->u.onet[i]);
            break;
        }
        if (c->covered[i]) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: a second job zone for %s", ID, file, row,
                          t->u.onet[i]);
            break;
        }
        sqlite3_bind_int64(upd, 1, zone);
        sqlite3_bind_text(upd, 2, t->u.onet[i], -1, SQLITE_STATIC);
        rc = db_step(t->out, upd);
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(upd);
    free(file);
    return rc;
}

enum { IM, LV }; /* the two scales of an element, as indexes of pivot_cell arrays */

/* One (occupation, element) of a pivoted table: its IM and LV rows. */
typedef struct {
    long occ, elem;           /* universe index; index into pivot.elem_id */
    long row[2];              /* staged row of the IM / LV row; 0 = not seen */
    double value[2];          /* their data_value */
    signed char suppress[2];  /* their recommend_suppress: 1, 0, or -1 (empty) */
    signed char not_relevant; /* of the LV row: 1, 0, or -1 (empty) */
} pivot_cell;

/* The cells of one element table, and its distinct elements (id and name).
 * A cell is found by (element, occupation) index, not by a hashed string key:
 * cell_at[e][i] is 1 + the index of the cell of element e and occupation i,
 * or 0 when there is none yet. */
typedef struct {
    strmap *elem_of; /* element_id -> index into elem_id / elem_name / cell_at */
    pivot_cell *cell;
    size_t ncell, cellcap;
    char **elem_id, **elem_name;
    long **cell_at;  /* per element: nocc entries */
    size_t nelem, elemcap, nocc;
    long last_elem;  /* the element of the previous row, or -1 */
} pivot;

/* Frees everything p owns; cannot fail. */
static void pivot_free(pivot *p)
{
    strmap_free(p->elem_of);
    free(p->cell);
    for (size_t k = 0; k < p->nelem; k++)
        free(p->elem_id[k]), free(p->elem_name[k]), free(p->cell_at[k]);
    free(p->elem_id);
    free(p->elem_name);
    free(p->cell_at);
}

/* The index of element id in p, added with name when new (the caller checks
 * that a known id has the same name). Rows list an element's IM and LV rows
 * together and the elements in the same order for every occupation, so the
 * previous row's element and the one after it are tried before the map.
 * Dies on OOM. */
static long pivot_element(pivot *p, const char *id, const char *name)
{
    long e = p->last_elem;
    if (e >= 0 && !strcmp(p->elem_id[e], id))
        return e;
    if (e >= 0 && (size_t)e + 1 < p->nelem && !strcmp(p->elem_id[e + 1], id))
        return p->last_elem = e + 1;
    if (strmap_get(p->elem_of, id, &e))
        return p->last_elem = e;
    if (p->nelem == p->elemcap) {
        p->elemcap = p->elemcap ? 2 * p->elemcap : 64;
        p->elem_id = xrealloc(p->elem_id, p->elemcap * sizeof *p->elem_id);
        p->elem_name = xrealloc(p->elem_name, p->elemcap * sizeof *p->elem_name);
        p->cell_at = xrealloc(p->cell_at, p->elemcap * sizeof *p->cell_at);
    }
    p->elem_id[p->nelem] = xstrdup(id);
    p->elem_name[p->nelem] = xstrdup(name);
    p->cell_at[p->nelem] = xcalloc(p->nocc ? p->nocc : 1, sizeof **p->cell_at);
    strmap_put(p->elem_of, id, (long)p->nelem);
    return p->last_elem = (long)p->nelem++;
}

/* The cell of (occupation occ, element elem) in p, created empty when new;
 * the pointer is valid until the next call. Dies on OOM. */
static pivot_cell *pivot_cell_of(pivot *p, long occ, long elem)
{
    long *at = &p->cell_at[elem][occ];
    if (*at)
        return &p->cell[*at - 1];
    if (p->ncell == p->cellcap) {
        p->cellcap = p->cellcap ? 2 * p->cellcap : 4096;
        p->cell = xrealloc(p->cell, p->cellcap * sizeof *p->cell);
    }
    pivot_cell *cell = &p->cell[p->ncell];
    *cell = (pivot_cell){.occ = occ,
                         .elem = elem,
                         .value = {NAN, NAN},
                         .suppress = {-1, -1},
                         .not_relevant = -1};
    *at = (long)++p->ncell;
    return cell;
}

/* Binds a flag that may be empty (-1) as NULL; cannot fail. */
static void bind_flag(sqlite3_stmt *st, int i, int v)
{
    if (v < 0)
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_int(st, i, v);
}

/* Reads one element table (an IM and an LV row per occupation and element)
 * into p, counting its rows in the coverage record c, or in a new one of t
 * when c is NULL; returns an os_result naming table, file, row and value
 * (OS_EDATA for a bad code, scale, value or flag, or a scale given twice). */
static int pivot_read(tf *t, pivot *p, const char *table_id, tf_coverage *c)
{
    static const char *const SCALE[2] = {"IM", "LV"};
    static const char *const FLAG_COL[2] = {"recommend_suppress", "not_relevant"};
    static const double LO[2] = {1, 0}, HI[2] = {5, 7}; /* importance 1-5, level 0-7 */
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, table_id,
                            "onet_code, element_id, element_name, scale_id, data_value, "
                            "recommend_suppress, not_relevant",
                            &q, &file);
    if (rc)
        return rc;
    if (!c)
        c = tf_cov_start(t, table_id, "onet");
    occ_cache last = {.i = -1};
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        long i = occupation_of(t, c, &last, file, row, db_text(q, 1), &rc);
        if (i < 0)
            continue;
        const char *id = db_text(q, 2), *name = db_text(q, 3), *scale = db_text(q, 4);
        if (!*id || !*name) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: an element of %s has no id or name",
                          table_id, file, row, t->u.onet[i]);
            break;
        }
        int s = !strcmp(scale, "IM") ? IM : !strcmp(scale, "LV") ? LV : -1;
        if (s < 0) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: scale '%s' of %s %s is neither IM nor LV",
                          table_id, file, row, scale, t->u.onet[i], id);
            break;
        }
        double v = db_real(q, 5);
        if (isnan(v)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s of %s %s has no data value", table_id,
                          file, row, SCALE[s], t->u.onet[i], id);
            break;
        }
        if (v < LO[s] || v > HI[s]) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s value '%s' of %s %s is not %g to %g",
                          table_id, file, row, SCALE[s], db_text(q, 5), t->u.onet[i], id, LO[s],
                          HI[s]);
            break;
        }
        int flag[2];
        for (int k = 0; k < 2 && !rc; k++) {
            /* the text files write "n/a" where the workbooks leave the cell
               empty (Not Relevant of an IM row) */
            const char *f = db_text(q, 6 + k);
            int none = !*f || !strcmp(f, "n/a");
            flag[k] = none ? -1 : yes_no(f);
            if (!none && flag[k] < 0)
                rc = os_error(OS_EDATA, "%s: %s row %ld: %s is '%s', not Y, N, n/a or empty",
                              table_id, file, row, FLAG_COL[k], f);
        }
        if (rc)
            break;
        long e = pivot_element(p, id, name);
        if (strcmp(p->elem_name[e], name)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: element %s is named both '%s' and '%s'",
                          table_id, file, row, id, p->elem_name[e], name);
            break;
        }
        pivot_cell *cell = pivot_cell_of(p, i, e);
        if (cell->row[s]) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s of %s %s appears twice (also row %ld)",
                          table_id, file, row, SCALE[s], t->u.onet[i], id, cell->row[s]);
            break;
        }
        cell->row[s] = row;
        cell->value[s] = v;
        cell->suppress[s] = (signed char)flag[0];
        if (s == LV)
            cell->not_relevant = (signed char)flag[1];
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* One kind of element rows: the staged table it comes from and its cells. */
typedef struct {
    const char *kind, *id; /* id is NULL when the kind was not staged */
    pivot p;
} element_kind;

/* What the reader ahead (tf_onet_elements_read) made of one kind. */
typedef struct {
    const char *id; /* the table it read, or NULL */
    int ok;         /* read without a failure or a warning: p and c hold it */
    int taken;      /* read_elements took p */
    pivot p;
    tf_coverage c;  /* its counts and covered occupations (not in t->cov) */
} pre_kind;

/* An empty pivot for t's occupations; dies on OOM. */
static pivot pivot_empty(const tf *t)
{
    return (pivot){.elem_of = strmap_new(), .nocc = t->u.n, .last_elem = -1};
}

/* Which of text_id and xlsx_id was staged into *id (text first, NULL when
 * neither); returns an os_result (OS_EIO, reported, on a database error). */
static int staged_of(tf *t, const char *text_id, const char *xlsx_id, const char **id)
{
    int text_staged = 0, xlsx_staged = 0;
    int rc = tf_staged(t, text_id, &text_staged);
    if (!rc && !text_staged)
        rc = tf_staged(t, xlsx_id, &xlsx_staged);
    *id = rc ? NULL : text_staged ? text_id : xlsx_staged ? xlsx_id : NULL;
    return rc;
}

/* Reads the element rows of one kind into ek from the first staged of
 * text_id and xlsx_id; when neither was staged that is OS_EDATA if required,
 * else ek->id stays NULL. Takes what the reader ahead read of that table
 * from pre when it read it whole (pre->ok; pre is emptied), else reads it.
 * Warns of cells with only one scale. ek owns what it reads (free with
 * pivot_free, also on failure). Returns an os_result naming table, file,
 * row, value. */
static int read_elements(tf *t, element_kind *ek, const char *kind, const char *text_id,
                         const char *xlsx_id, int required, pre_kind *pre)
{
    *ek = (element_kind){.kind = kind, .p = pivot_empty(t)};
    const char *id;
    int rc = staged_of(t, text_id, xlsx_id, &id);
    if (rc)
        return rc;
    if (!id && required) {
        char *a = tf_staged_note(t, text_id), *b = tf_staged_note(t, xlsx_id);
        rc = os_error(OS_EDATA, "%s: neither %s (%s) nor %s (%s) was staged", kind, text_id, a,
                      xlsx_id, b);
        free(a), free(b);
        return rc;
    }
    if (!id)
        return OS_OK;
    ek->id = id;
    if (pre && pre->ok && pre->id == id) {
        /* the same rows, counted the same way: only the record joins t->cov
           here, in the order the tables are read */
        pivot_free(&ek->p);
        ek->p = pre->p;
        tf_coverage *c = tf_cov_start(t, id, "onet");
        c->rows_in = pre->c.rows_in;
        c->rows_mapped = pre->c.rows_mapped;
        c->rows_unmatched = pre->c.rows_unmatched;
        memcpy(c->covered, pre->c.covered, t->u.n);
        pre->ok = 0;
        pre->taken = 1;
        pre->p = (pivot){0};
    } else
        rc = pivot_read(t, &ek->p, id, NULL);
    long half = 0;
    for (size_t k = 0; !rc && k < ek->p.ncell; k++)
        half += !ek->p.cell[k].row[IM] || !ek->p.cell[k].row[LV];
    if (!rc && half)
        os_warning("%s: elements with an IM or an LV row but not both (the other is NULL): %ld",
                   id, half);
    return rc;
}

/* Inserts the cells of the n kinds into element, occupation by occupation
 * and within one in kind order, so that rows arrive near the table's key
 * order (appending instead of splitting pages); returns OS_OK or OS_EIO
 * (reported). The kinds stay owned by the caller. */
static int insert_elements(tf *t, element_kind *ek, int n)
{
    size_t nocc = t->u.n, total = 0;
    for (int k = 0; k < n; k++)
        total += ek[k].p.ncell;
    /* by_occ lists cell indexes grouped by occupation then kind, each group in
       file order; start[i] is where occupation i's group begins. */
    size_t *start = xcalloc(nocc + 1, sizeof *start), *fill = xmalloc((nocc + 1) * sizeof *fill);
    size_t *by_occ = xmalloc((total ? total : 1) * sizeof *by_occ);
    unsigned char *kind_of = xmalloc(total ? total : 1);
    for (int k = 0; k < n; k++)
        for (size_t c = 0; c < ek[k].p.ncell; c++)
            start[ek[k].p.cell[c].occ + 1]++;
    for (size_t i = 0; i < nocc; i++)
        start[i + 1] += start[i];
    memcpy(fill, start, (nocc + 1) * sizeof *fill);
    for (int k = 0; k < n; k++)
        for (size_t c = 0; c < ek[k].p.ncell; c++) {
            size_t at = fill[ek[k].p.cell[c].occ]++;
            by_occ[at] = c;
            kind_of[at] = (unsigned char)k;
        }
    db_batch ins;
    int rc = db_batch_open_rows(&ins, t->out,
                                "element(onet_code, kind, element_id, element_name, importance,"
                                " level, importance_suppress, level_suppress,"
                                " level_not_relevant, source_table)",
                                10, (long)total);
    for (size_t at = 0; !rc && at < total; at++) {
        const element_kind *e = &ek[kind_of[at]];
        const pivot_cell *cell = &e->p.cell[by_occ[at]];
        int p = db_batch_at(&ins);
        sqlite3_bind_text(ins.st, p, t->u.onet[cell->occ], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins.st, p + 1, e->kind, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins.st, p + 2, e->p.elem_id[cell->elem], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins.st, p + 3, e->p.elem_name[cell->elem], -1, SQLITE_STATIC);
        db_bind_real(ins.st, p + 4, cell->value[IM]);
        db_bind_real(ins.st, p + 5, cell->value[LV]);
        bind_flag(ins.st, p + 6, cell->suppress[IM]);
        bind_flag(ins.st, p + 7, cell->suppress[LV]);
        bind_flag(ins.st, p + 8, cell->not_relevant);
        sqlite3_bind_text(ins.st, p + 9, e->id, -1, SQLITE_STATIC);
        rc = db_batch_add(&ins);
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    db_batch_close(&ins);
    free(start);
    free(fill);
    free(by_occ);
    free(kind_of);
    return rc;
}

/* The kinds of element rows, in the order of element's key (kind sorts as
 * text), each from the first staged of its text and xlsx tables. O*NET 30.3
 * split Skills into Essential Skills and Transferable Skills: a release has
 * either "skill" or the two new kinds, and element.kind uses its own words.
 * The kinds are the words of element.kind's CHECK in common/schema.c, which
 * insert_elements does not evaluate (tf_checks): change both together. */
static const struct {
    const char *kind, *text_id, *xlsx_id;
    int need; /* 1: required; 2: required unless a kind of the same need 2 is there */
} KINDS[] = {
    {"ability", "onet_abilities", "onet_abilities_xlsx", 0},
    {"essential_skill", "onet_essential_skills", "onet_essential_skills_xlsx", 2},
    {"knowledge", "onet_knowledge", "onet_knowledge_xlsx", 1},
    {"skill", "onet_skills", "onet_skills_xlsx", 2},
    {"transferable_skill", "onet_transferable_skills", "onet_transferable_skills_xlsx", 2},
};
#define NKINDS (sizeof KINDS / sizeof *KINDS)

struct tf_pre_elements {
    pre_kind kind[NKINDS];
    /* when every staged kind was read whole: a database (sqlite3_serialize,
       sqlite3_free'd) whose element table holds exactly what
       insert_elements would insert from these kinds */
    unsigned char *db;
    sqlite3_int64 size;
};

/* Inserts the element rows of pe's kinds into a new in-memory database
 * with the snapshot's schema and keeps its bytes in pe->db, on the reader's
 * thread, so that the main thread only copies them (copy_elements). Leaves
 * pe->db NULL on any failure (the main thread inserts then); cannot fail. */
static void build_elements(tf *w, tf_pre_elements *pe)
{
    element_kind ek[NKINDS];
    for (size_t k = 0; k < NKINDS; k++) {
        if (pe->kind[k].id && !pe->kind[k].ok)
            return; /* the main thread reads that kind, and inserts all */
        ek[k] = (element_kind){.kind = KINDS[k].kind, .id = pe->kind[k].id, .p = pe->kind[k].p};
    }
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
        SQLITE_OK) {
        tf mem = *w;
        mem.out = db;
        if (schema_create(db) == OS_OK && db_exec(db, "BEGIN") == OS_OK &&
            tf_checks(&mem, 0) == OS_OK && insert_elements(&mem, ek, (int)NKINDS) == OS_OK &&
            db_exec(db, "COMMIT") == OS_OK)
            pe->db = sqlite3_serialize(db, "main", &pe->size, 0);
    }
    sqlite3_close(db);
}

/* Copies the element table the reader built (pe->db, whose ownership passes
 * to t->out) into t->out's: one INSERT ... SELECT * between tables of one
 * schema, which SQLite runs as a copy of the stored rows in key order
 * (its transfer optimisation), not as rows to encode and place. Returns
 * OS_OK or OS_EIO (reported). */
static int copy_elements(tf *t, tf_pre_elements *pe)
{
    unsigned char *data = pe->db;
    pe->db = NULL;
    int rc = tf_attach_image(t, "reader", data, pe->size);
    return rc ? rc : db_exec(t->out, "INSERT INTO main.element SELECT * FROM reader.element");
}

tf_pre_elements *tf_onet_elements_read(tf *w)
{
    tf_pre_elements *pe = xcalloc(1, sizeof *pe);
    for (size_t k = 0; k < NKINDS; k++) {
        pre_kind *pk = &pe->kind[k];
        if (staged_of(w, KINDS[k].text_id, KINDS[k].xlsx_id, &pk->id) || !pk->id)
            continue; /* the main thread says why, in its place */
        size_t warned = os_quiet_warnings;
        pk->p = pivot_empty(w);
        pk->c = (tf_coverage){.table_id = pk->id, .source = "onet",
                              .covered = xcalloc(w->u.n ? w->u.n : 1, 1)};
        pk->ok = pivot_read(w, &pk->p, pk->id, &pk->c) == OS_OK && os_quiet_warnings == warned;
        if (!pk->ok) {
            pivot_free(&pk->p);
            pk->p = (pivot){0};
        }
    }
    build_elements(w, pe);
    return pe;
}

void tf_pre_elements_free(tf_pre_elements *pe)
{
    if (!pe)
        return;
    for (size_t k = 0; k < NKINDS; k++) {
        pivot_free(&pe->kind[k].p); /* zero once taken or failed */
        free(pe->kind[k].c.covered);
    }
    sqlite3_free(pe->db);
    free(pe);
}

/* Runs the loaders in turn (each owns what it opens; the element kinds are
 * all read, then inserted together; the reader ahead, when there is one,
 * reads the element tables meanwhile); returns the first failure's
 * os_result: OS_EDATA when no table of a required kind (knowledge; skills
 * in one of their two layouts) was staged. */
int tf_onet_details(tf *t)
{
    element_kind ek[NKINDS] = {0};
    /* occupation_title.kind's CHECK sees only the two words load_titles
       binds from its constants: off while it inserts (tf_checks) */
    int rc = tf_checks(t, 0);
    if (!rc)
        rc = load_titles(t, "onet_alt_titles", 0);
    if (!rc)
        rc = load_titles(t, "onet_reported_titles", 1);
    int crc = tf_checks(t, 1);
    if (!rc)
        rc = crc;
    trace_mark("transform: titles");
    if (!rc)
        rc = load_technology(t);
    trace_mark("transform: technology");
    if (!rc)
        rc = load_job_zones(t);
    int skills = 0;
    size_t nread = 0;
    tf_pre_elements *pre = rc ? NULL : tf_worker_elements(t);
    trace_mark("transform: elements read ahead (waited)");
    for (size_t k = 0; !rc && k < NKINDS; k++, nread++) {
        rc = read_elements(t, &ek[k], KINDS[k].kind, KINDS[k].text_id, KINDS[k].xlsx_id,
                           KINDS[k].need == 1, pre ? &pre->kind[k] : NULL);
        if (!rc && ek[k].id && KINDS[k].need == 2)
            skills++;
    }
    if (!rc && !skills)
        rc = os_error(OS_EDATA, "skills: none of onet_skills(_xlsx), onet_essential_skills(_xlsx) "
                      "and onet_transferable_skills(_xlsx) was staged");
    /* element.kind's CHECK lists exactly the words of KINDS, the only
       values insert_elements binds to it: off while it inserts (tf_checks) */
    if (!rc)
        rc = tf_checks(t, 0);
    /* the reader's rows when it read every kind the main thread now holds */
    int taken = pre && pre->db;
    for (size_t k = 0; taken && k < NKINDS; k++)
        taken = ek[k].id == pre->kind[k].id && (!ek[k].id || pre->kind[k].taken);
    if (!rc)
        rc = taken ? copy_elements(t, pre) : insert_elements(t, ek, (int)NKINDS);
    if (!rc)
        rc = tf_checks(t, 1);
    for (size_t k = 0; k < nread; k++)
        pivot_free(&ek[k].p);
    tf_pre_elements_free(pre);
    return rc;
}
