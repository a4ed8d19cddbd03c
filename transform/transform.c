/* transform.c - stage.sqlite to the snapshot database: one key, measures, percentiles. */
#include "transform/transform.h"
#include "common/error.h"
#include "common/util.h"
#include "load/schema.h"
#include "transform/mapping.h"
#include "transform/occode.h"
#include "transform/percentile.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What every source table contributes to the coverage table. */
typedef struct {
    const char *table_id, *source;
    long rows_in, rows_mapped, rows_unmatched;
    unsigned char *covered; /* per occupation */
} coverage;

/* One measure being built: a value per occupation (NaN = none). */
typedef struct {
    const char *name, *source;
    double *value;
    unsigned char *match;
} measure;

typedef struct {
    const config *cfg;
    sqlite3 *stage, *out;
    universe u;
    double *emp_weight;   /* per occupation, NaN when it takes no OEWS row */
    sqlite3_stmt *unmatched;
    coverage cov[16];
    size_t ncov;
    measure meas[16];
    size_t nmeas;
} tf;

static int sql_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "sqlite: %s (in: %.80s)", err, sql);
        sqlite3_free(err);
        return rc;
    }
    return OS_OK;
}

static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "sqlite: %s (in: %.80s)", sqlite3_errmsg(db), sql);
    return OS_OK;
}

static int step_done(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return os_error(OS_EIO, "sqlite: %s", sqlite3_errmsg(db));
    return OS_OK;
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

/* Opens "SELECT _row, <cols> FROM src_<table>" after checking that the table
 * was staged; *file gets the staged file label (caller frees). */
static int open_staged(tf *t, const char *table_id, const char *cols, sqlite3_stmt **st,
                       char **file)
{
    sqlite3_stmt *q;
    int rc = prepare(t->stage, "SELECT file, status FROM stage_table WHERE table_id = ?", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return os_error(OS_EDATA, "%s: not in the stage database (run `occsnap extract` first)",
                        table_id);
    }
    *file = xstrdup(col_text(q, 0));
    int missing = strcmp(col_text(q, 1), "ok") != 0;
    sqlite3_finalize(q);
    if (missing) {
        free(*file);
        return os_error(OS_EDATA, "%s: its file was not staged (optional and missing)", table_id);
    }
    char *sql = xasprintf("SELECT _row, %s FROM src_%s ORDER BY _row", cols, table_id);
    rc = prepare(t->stage, sql, st);
    free(sql);
    if (rc)
        free(*file);
    return rc;
}

static coverage *cov_start(tf *t, const char *table_id, const char *source)
{
    coverage *c = &t->cov[t->ncov++];
    memset(c, 0, sizeof *c);
    c->table_id = table_id;
    c->source = source;
    c->covered = xcalloc(t->u.n ? t->u.n : 1, 1);
    return c;
}

/* Lists a source row that reached no occupation, with the reason. */
static int cov_unmatched(tf *t, coverage *c, long row, const char *code, const char *reason)
{
    c->rows_unmatched++;
    sqlite3_bind_text(t->unmatched, 1, c->table_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(t->unmatched, 2, row);
    if (code && *code)
        sqlite3_bind_text(t->unmatched, 3, code, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(t->unmatched, 3);
    sqlite3_bind_text(t->unmatched, 4, reason, -1, SQLITE_TRANSIENT);
    return step_done(t->out, t->unmatched);
}

static measure *measure_new(tf *t, const char *name, const char *source)
{
    measure *m = &t->meas[t->nmeas++];
    m->name = name;
    m->source = source;
    m->value = xmalloc(t->u.n * sizeof *m->value);
    m->match = xcalloc(t->u.n ? t->u.n : 1, 1);
    for (size_t i = 0; i < t->u.n; i++)
        m->value[i] = NAN;
    return m;
}

/* ------------------------------------------------------------ O*NET */

static int load_occupations(tf *t)
{
    sqlite3_stmt *q, *ins;
    char *file;
    int rc = open_staged(t, "onet_occupation", "onet_code, title, description", &q, &file);
    if (rc)
        return rc;
    rc = prepare(t->out, "INSERT INTO occupation VALUES(?,?,?,?,NULL)", &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = col_text(q, 1), *title = col_text(q, 2);
        occode oc;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: '%s' is not an O*NET-SOC code",
                          file, row, code);
            break;
        }
        if (!*title) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: occupation %s has no title",
                          file, row, oc.onet);
            break;
        }
        if (universe_add(&t->u, oc.onet, oc.soc) < 0) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: occupation %s appears twice",
                          file, row, oc.onet);
            break;
        }
        sqlite3_bind_text(ins, 1, oc.onet, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, oc.soc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, col_text(q, 3), -1, SQLITE_TRANSIENT);
        rc = step_done(t->out, ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    free(file);
    if (!rc && t->u.n == 0)
        rc = os_error(OS_EDATA, "onet_occupation: no occupations staged");
    if (rc)
        return rc;
    t->emp_weight = xmalloc(t->u.n * sizeof *t->emp_weight);
    for (size_t i = 0; i < t->u.n; i++)
        t->emp_weight[i] = NAN;
    coverage *c = cov_start(t, "onet_occupation", "onet");
    c->rows_in = c->rows_mapped = (long)t->u.n;
    memset(c->covered, 1, t->u.n);
    return OS_OK;
}

static int load_tasks(tf *t)
{
    sqlite3_stmt *q, *ins;
    char *file;
    int rc = open_staged(t, "onet_task",
                         "onet_code, task_id, task, task_type, incumbents_responding, date, "
                         "domain_source",
                         &q, &file);
    if (rc)
        return rc;
    coverage *c = cov_start(t, "onet_task", "onet");
    rc = prepare(t->out, "INSERT INTO task VALUES(?,?,?,?,?,?,?)", &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = col_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA, "onet_task: %s row %ld: '%s' is not an O*NET-SOC code", file,
                          row, code);
            break;
        }
        long i = universe_find(&t->u, oc.onet);
        if (i < 0) {
            rc = cov_unmatched(t, c, row, oc.onet, "not an occupation of the O*NET release");
            continue;
        }
        if (sqlite3_column_type(q, 2) == SQLITE_NULL || !*col_text(q, 3)) {
            rc = os_error(OS_EDATA, "onet_task: %s row %ld: task of %s has no id or text", file,
                          row, oc.onet);
            break;
        }
        long inc;
        sqlite3_bind_text(ins, 1, oc.onet, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(ins, 2, sqlite3_column_int64(q, 2));
        sqlite3_bind_text(ins, 3, col_text(q, 3), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, col_text(q, 4), -1, SQLITE_TRANSIENT);
        /* "n/a" (no survey) stays NULL rather than becoming a number. */
        if (parse_long(col_text(q, 5), &inc) == 0)
            sqlite3_bind_int64(ins, 5, inc);
        else
            sqlite3_bind_null(ins, 5);
        sqlite3_bind_text(ins, 6, col_text(q, 6), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 7, col_text(q, 7), -1, SQLITE_TRANSIENT);
        rc = step_done(t->out, ins);
        if (rc == OS_EIO && sqlite3_extended_errcode(t->out) == SQLITE_CONSTRAINT_PRIMARYKEY)
            rc = os_error(OS_EDATA, "onet_task: %s row %ld: task %lld of %s appears twice", file,
                          row, (long long)sqlite3_column_int64(q, 2), oc.onet);
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    free(file);
    return rc;
}

/* ------------------------------------------------------------ OEWS */

/* The OEWS numeric columns copied as published, each with its footnote flag. */
static const char *const OEWS_NUM[] = {"tot_emp", "emp_prse", "h_mean",  "a_mean",  "h_median",
                                       "a_median", "h_pct10", "h_pct25", "h_pct75", "h_pct90",
                                       "a_pct10",  "a_pct25", "a_pct75", "a_pct90"};
#define OEWS_NNUM (sizeof OEWS_NUM / sizeof *OEWS_NUM)

typedef struct {
    long row;
    char code[8];
    char *title, *group, *annual, *hourly;
    double num[OEWS_NNUM];
    char *flag[OEWS_NNUM];
    long takers; /* occupations that take this row */
} oews_row;

/* Loads the BLS O*NET-SOC -> NEM crosswalk: onet code -> NEM code. */
static int load_nem(tf *t, strmap *nem_of, char ***nem_codes, size_t *nnem)
{
    sqlite3_stmt *q;
    char *file;
    int rc = open_staged(t, "bls_nem_xwalk", "onet_code, nem_code", &q, &file);
    if (rc)
        return rc;
    size_t cap = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        occode a, b;
        if (occode_parse(col_text(q, 1), &a) != 0 || !a.suffix ||
            occode_parse(col_text(q, 2), &b) != 0 || b.suffix) {
            rc = os_error(OS_EDATA, "bls_nem_xwalk: %s row %ld: bad code pair '%s' -> '%s'", file,
                          row, col_text(q, 1), col_text(q, 2));
            break;
        }
        if (*nnem == cap) {
            cap = cap ? 2 * cap : 1024;
            *nem_codes = xrealloc(*nem_codes, cap * sizeof **nem_codes);
        }
        (*nem_codes)[*nnem] = xstrdup(b.soc);
        strmap_put(nem_of, a.onet, (long)(*nnem)++);
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

static int load_oews(tf *t)
{
    sqlite3_stmt *q, *ins;
    char *file;
    char cols[512] = "occ_code, occ_title, o_group, annual, hourly";
    for (size_t k = 0; k < OEWS_NNUM; k++) {
        size_t len = strlen(cols);
        snprintf(cols + len, sizeof cols - len, ", %s, %s_flag", OEWS_NUM[k], OEWS_NUM[k]);
    }
    int rc = open_staged(t, "oews_national", cols, &q, &file);
    if (rc)
        return rc;
    coverage *c = cov_start(t, "oews_national", "oews");
    oews_row *rows = NULL;
    size_t n = 0, cap = 0;
    strmap *by_code = strmap_new();
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = col_text(q, 1), *group = col_text(q, 3);
        c->rows_in++;
        occode oc;
        if (!strcmp(group, "total") || !strcmp(code, "00-0000")) {
            rc = cov_unmatched(t, c, row, code, "summary row (all occupations)");
            continue;
        }
        if (occode_parse(code, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA, "oews_national: %s row %ld: OCC_CODE '%s' is not a SOC code",
                          file, row, code);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 2048;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        oews_row *r = memset(&rows[n], 0, sizeof *r);
        r->row = row;
        memcpy(r->code, oc.soc, 8);
        r->title = xstrdup(col_text(q, 2));
        r->group = xstrdup(group);
        r->annual = xstrdup(col_text(q, 4));
        r->hourly = xstrdup(col_text(q, 5));
        for (size_t k = 0; k < OEWS_NNUM; k++) {
            int ci = 6 + 2 * (int)k;
            r->num[k] = sqlite3_column_type(q, ci) == SQLITE_NULL ? NAN
                                                                  : sqlite3_column_double(q, ci);
            r->flag[k] = sqlite3_column_type(q, ci + 1) == SQLITE_NULL
                             ? NULL
                             : xstrdup(col_text(q, ci + 1));
        }
        /* One code can be both a broad and a detailed row (13-1020): the
         * detailed one is the occupation's own estimate. */
        long prev;
        if (!strmap_get(by_code, r->code, &prev) ||
            (strcmp(rows[prev].group, "detailed") && !strcmp(group, "detailed")))
            strmap_put(by_code, r->code, (long)n);
        n++;
    }
    sqlite3_finalize(q);

    strmap *nem_of = strmap_new();
    char **nem_codes = NULL;
    size_t nnem = 0;
    if (!rc)
        rc = load_nem(t, nem_of, &nem_codes, &nnem);

    /* Each occupation takes its own SOC row, else the row the NEM crosswalk
     * names, else its broad group's row (DESIGN section 3). */
    long *take = xmalloc(t->u.n * sizeof *take);
    unsigned char *how = xcalloc(t->u.n, 1);
    for (size_t i = 0; !rc && i < t->u.n; i++) {
        long r = -1, k;
        take[i] = -1;
        if (strmap_get(by_code, t->u.soc[i], &r)) {
            how[i] = MATCH_SOC;
        } else if (strmap_get(nem_of, t->u.onet[i], &k) && strmap_get(by_code, nem_codes[k], &r)) {
            how[i] = MATCH_AGGREGATE;
        } else {
            char broad[8];
            occode_broad(t->u.soc[i], broad);
            if (strmap_get(by_code, broad, &r))
                how[i] = MATCH_AGGREGATE;
        }
        if (r >= 0) {
            take[i] = r;
            rows[r].takers++;
        }
    }
    if (!rc)
        rc = prepare(t->out,
                     /* 7 key columns, a value and a flag per OEWS_NUM, 3 more */
                     "INSERT INTO employment_wage VALUES(?,?,?,?,?,?,?,"
                     "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                     &ins);
    else
        ins = NULL;
    for (size_t i = 0; !rc && i < t->u.n; i++) {
        if (take[i] < 0)
            continue;
        oews_row *r = &rows[take[i]];
        /* Split the row's employment among all who take it: counted once. */
        double w = isnan(r->num[0]) ? NAN : r->num[0] / (double)r->takers;
        t->emp_weight[i] = w;
        int p = 1;
        sqlite3_bind_text(ins, p++, t->u.onet[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->group, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, match_names[how[i]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, p++, r->takers);
        bind_real_or_null(ins, p++, w);
        for (size_t k = 0; k < OEWS_NNUM; k++) {
            bind_real_or_null(ins, p++, r->num[k]);
            if (r->flag[k])
                sqlite3_bind_text(ins, p++, r->flag[k], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(ins, p++);
        }
        sqlite3_bind_text(ins, p++, r->annual, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->hourly, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, "oews", -1, SQLITE_STATIC);
        rc = step_done(t->out, ins);
        c->covered[i] = 1;
    }
    for (size_t j = 0; !rc && j < n; j++) {
        if (rows[j].takers > 0) {
            c->rows_mapped++;
            continue;
        }
        char *why = strcmp(rows[j].group, "detailed")
                        ? xasprintf("summary row (o_group %s) that no occupation takes",
                                    rows[j].group)
                        : xstrdup("no occupation of the O*NET release has this SOC code");
        rc = cov_unmatched(t, c, rows[j].row, rows[j].code, why);
        free(why);
    }
    sqlite3_finalize(ins);
    for (size_t j = 0; j < n; j++) {
        free(rows[j].title), free(rows[j].group), free(rows[j].annual), free(rows[j].hourly);
        for (size_t k = 0; k < OEWS_NNUM; k++)
            free(rows[j].flag[k]);
    }
    for (size_t k = 0; k < nnem; k++)
        free(nem_codes[k]);
    free(nem_codes);
    free(rows);
    free(take);
    free(how);
    free(file);
    strmap_free(by_code);
    strmap_free(nem_of);
    return rc;
}

/* ------------------------------------------------------------ measures */

/* Eloundou et al.: O*NET-SOC 2019 codes, so every value is an exact match. */
static int load_eloundou(tf *t)
{
    static const char *const cols[] = {"dv_rating_gamma", "dv_rating_alpha", "dv_rating_beta",
                                       "human_rating_alpha", "human_rating_beta",
                                       "human_rating_gamma"};
    static const char *const names[] = {"eloundou_gamma", "eloundou_alpha", "eloundou_beta",
                                        "eloundou_human_alpha", "eloundou_human_beta",
                                        "eloundou_human_gamma"};
    sqlite3_stmt *q;
    char *file;
    int rc = open_staged(t, "eloundou_occ",
                         "onet_code, dv_rating_gamma, dv_rating_alpha, dv_rating_beta, "
                         "human_rating_alpha, human_rating_beta, human_rating_gamma",
                         &q, &file);
    if (rc)
        return rc;
    coverage *c = cov_start(t, "eloundou_occ", "eloundou");
    measure *m[6];
    for (int k = 0; k < 6; k++)
        m[k] = measure_new(t, names[k], "eloundou");
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = col_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0) {
            rc = os_error(OS_EDATA, "eloundou_occ: %s row %ld: '%s' is not an O*NET-SOC code",
                          file, row, code);
            break;
        }
        long i = universe_find(&t->u, oc.onet);
        if (i < 0) {
            rc = cov_unmatched(t, c, row, oc.onet, "not an occupation of the O*NET release");
            continue;
        }
        if (!isnan(m[0]->value[i])) {
            rc = os_error(OS_EDATA, "eloundou_occ: %s row %ld: %s appears twice", file, row,
                          oc.onet);
            break;
        }
        int any = 0;
        for (int k = 0; k < 6; k++)
            if (sqlite3_column_type(q, 2 + k) != SQLITE_NULL) {
                m[k]->value[i] = sqlite3_column_double(q, 2 + k);
                m[k]->match[i] = MATCH_EXACT;
                any = 1;
            }
        if (!any) {
            rc = cov_unmatched(t, c, row, oc.onet, "no values in the row");
            continue;
        }
        c->rows_mapped++;
        c->covered[i] = 1;
        (void)cols;
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* O*NET-SOC 2010 -> 2019 crosswalk, from the O*NET crosswalk workbook. */
static int load_onet_xwalk(tf *t, codemap *xw)
{
    sqlite3_stmt *q;
    char *file;
    int rc = open_staged(t, "onet_xwalk_2010_2019", "onet2010, onet2019", &q, &file);
    if (rc)
        return rc;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        occode a, b;
        if (occode_parse(col_text(q, 1), &a) != 0 || !a.suffix ||
            occode_parse(col_text(q, 2), &b) != 0 || !b.suffix) {
            rc = os_error(OS_EDATA, "onet_xwalk_2010_2019: %s row %ld: bad code pair '%s' -> '%s'",
                          file, row, col_text(q, 1), col_text(q, 2));
            break;
        }
        codemap_add(xw, a.onet, b.onet);
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* Dingel & Neiman: O*NET-SOC 2010 codes taken through the O*NET crosswalk;
 * a 2019 occupation with several 2010 origins gets their unweighted mean. */
static int load_dingel_neiman(tf *t)
{
    codemap xw;
    codemap_init(&xw);
    int rc = load_onet_xwalk(t, &xw);
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    if (!rc)
        rc = open_staged(t, "dingel_neiman_onet", "onet2010, teleworkable", &q, &file);
    if (rc) {
        codemap_free(&xw);
        return rc;
    }
    coverage *c = cov_start(t, "dingel_neiman_onet", "dingel_neiman");
    measure *m = measure_new(t, "dingel_neiman_teleworkable", "dingel_neiman");
    double *sum = xcalloc(t->u.n, sizeof *sum);
    int *cnt = xcalloc(t->u.n, sizeof *cnt);
    strmap *seen = strmap_new();
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = col_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA,
                          "dingel_neiman_onet: %s row %ld: '%s' is not an O*NET-SOC 2010 code",
                          file, row, code);
            break;
        }
        if (strmap_get(seen, oc.onet, NULL)) {
            rc = os_error(OS_EDATA, "dingel_neiman_onet: %s row %ld: %s appears twice", file, row,
                          oc.onet);
            break;
        }
        strmap_put(seen, oc.onet, row);
        if (sqlite3_column_type(q, 2) == SQLITE_NULL) {
            rc = cov_unmatched(t, c, row, oc.onet, "no teleworkable value");
            continue;
        }
        double v = sqlite3_column_double(q, 2);
        int hit = 0;
        for (long k = codemap_first(&xw, oc.onet); k >= 0; k = xw.next[k]) {
            long i = universe_find(&t->u, xw.target[k]);
            if (i < 0)
                continue;
            sum[i] += v;
            cnt[i]++;
            hit = 1;
        }
        if (!hit) {
            rc = cov_unmatched(t, c, row, oc.onet,
                               codemap_first(&xw, oc.onet) < 0
                                   ? "not an origin in the O*NET-SOC 2010 to 2019 crosswalk"
                                   : "its 2019 targets are not occupations of the O*NET release");
            continue;
        }
        c->rows_mapped++;
    }
    for (size_t i = 0; i < t->u.n; i++)
        if (cnt[i]) {
            m->value[i] = sum[i] / cnt[i];
            m->match[i] = MATCH_CROSSWALK;
            c->covered[i] = 1;
        }
    sqlite3_finalize(q);
    free(file);
    free(sum);
    free(cnt);
    strmap_free(seen);
    codemap_free(&xw);
    return rc;
}

/* ------------------------------------------------------------ output */

static int write_measures(tf *t)
{
    sqlite3_stmt *ins;
    int rc = prepare(t->out, "INSERT INTO measure VALUES(?,?,?,?,?,?,?,?)", &ins);
    double *pct = xmalloc(t->u.n * sizeof *pct), *pct_emp = xmalloc(t->u.n * sizeof *pct_emp);
    for (size_t k = 0; !rc && k < t->nmeas; k++) {
        measure *m = &t->meas[k];
        size_t n = pct_midrank(m->value, t->u.n, pct);
        pct_midrank_weighted(m->value, t->emp_weight, t->u.n, pct_emp);
        for (size_t i = 0; !rc && i < t->u.n; i++) {
            if (isnan(m->value[i]))
                continue;
            sqlite3_bind_text(ins, 1, t->u.onet[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 2, m->name, -1, SQLITE_STATIC);
            sqlite3_bind_double(ins, 3, m->value[i]);
            bind_real_or_null(ins, 4, pct[i]);
            bind_real_or_null(ins, 5, pct_emp[i]);
            sqlite3_bind_int64(ins, 6, (long long)n);
            sqlite3_bind_text(ins, 7, match_names[m->match[i]], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, 8, m->source, -1, SQLITE_STATIC);
            rc = step_done(t->out, ins);
        }
    }
    free(pct);
    free(pct_emp);
    sqlite3_finalize(ins);
    return rc;
}

static int write_coverage(tf *t)
{
    sqlite3_stmt *ins;
    int rc = prepare(t->out, "INSERT INTO coverage VALUES(?,?,?,?,?,?,?,?,?)", &ins);
    double total = 0;
    for (size_t i = 0; i < t->u.n; i++)
        if (!isnan(t->emp_weight[i]))
            total += t->emp_weight[i];
    for (size_t k = 0; !rc && k < t->ncov; k++) {
        coverage *c = &t->cov[k];
        long occ = 0;
        double emp = 0;
        for (size_t i = 0; i < t->u.n; i++)
            if (c->covered[i]) {
                occ++;
                if (!isnan(t->emp_weight[i]))
                    emp += t->emp_weight[i];
            }
        sqlite3_bind_text(ins, 1, c->table_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, c->source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, c->rows_in);
        sqlite3_bind_int64(ins, 4, c->rows_mapped);
        sqlite3_bind_int64(ins, 5, c->rows_unmatched);
        sqlite3_bind_int64(ins, 6, occ);
        sqlite3_bind_int64(ins, 7, (long long)t->u.n);
        bind_real_or_null(ins, 8, total > 0 ? emp : NAN);
        bind_real_or_null(ins, 9, total > 0 ? emp / total : NAN);
        rc = step_done(t->out, ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

/* Copies the staged receipts into `source`, with each dataset's citation. */
static int write_sources(tf *t)
{
    sqlite3_stmt *q, *ins;
    int rc = prepare(t->stage,
                     "SELECT source, url, fetched_url, final_url, status, etag, last_modified,"
                     " retrieved_at, bytes, sha256, from_, stale, ok, error FROM stage_file"
                     " ORDER BY source, url",
                     &q);
    if (rc)
        return rc;
    rc = prepare(t->out, "INSERT INTO source VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const cfg_source *s = config_source(t->cfg, col_text(q, 0));
        int p = 1;
        sqlite3_bind_text(ins, p++, col_text(q, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, p++, col_text(q, 1), -1, SQLITE_TRANSIENT);
        const char *meta[] = {s ? s->title : NULL, s ? s->vintage : NULL, s ? s->licence : NULL,
                              s ? s->citation : NULL, s ? s->homepage : NULL};
        for (int k = 0; k < 5; k++) {
            if (meta[k])
                sqlite3_bind_text(ins, p++, meta[k], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(ins, p++);
        }
        for (int k = 2; k <= 13; k++)
            sqlite3_bind_value(ins, p++, sqlite3_column_value(q, k));
        rc = step_done(t->out, ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    return rc;
}

static const char *METHODOLOGY =
    "Key: O*NET-SOC 2019 codes of the O*NET release (occupation table). Match kinds: exact "
    "(file uses O*NET-SOC 2019), soc (6-digit SOC 2018 to every occupation with that soc_code), "
    "aggregate (OEWS/EP/Microsoft row named by the BLS O*NET-SOC to NEM crosswalk, else the "
    "broad group NN-NNN0), crosswalk (SOC 2010->2018 or O*NET-SOC 2010->2019; several origins: "
    "unweighted mean; a split copies the value). pct = 100*(below + 0.5*equal)/N over the "
    "occupations with a value (midrank, exact ties); pct_emp weights each occupation by the "
    "OEWS employment of the row it takes, split evenly among the occupations sharing that row. "
    "OEWS footnote marks (*, **, #, ~) are NULL with the mark in the _flag column.";

static int write_snapshot_row(tf *t, const char *created_at)
{
    sqlite3_stmt *ins;
    int rc = prepare(t->out, "INSERT INTO snapshot VALUES(?,?,?,?,?)", &ins);
    if (rc)
        return rc;
    sqlite3_bind_int(ins, 1, OCCSNAP_SCHEMA_VERSION);
    sqlite3_bind_text(ins, 2, created_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, OCCSNAP_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, t->cfg->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, METHODOLOGY, -1, SQLITE_STATIC);
    rc = step_done(t->out, ins);
    sqlite3_finalize(ins);
    return rc;
}

static int run(tf *t, const char *created_at)
{
    int rc = sql_exec(t->out, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    if (!rc)
        rc = schema_create(t->out);
    if (!rc)
        rc = sql_exec(t->out, "BEGIN");
    if (!rc)
        rc = prepare(t->out, "INSERT INTO coverage_unmatched VALUES(?,?,?,?)", &t->unmatched);
    if (!rc)
        rc = load_occupations(t);
    if (!rc)
        rc = load_tasks(t);
    if (!rc)
        rc = load_oews(t);
    if (!rc)
        rc = load_eloundou(t);
    if (!rc)
        rc = load_dingel_neiman(t);
    if (!rc)
        rc = write_measures(t);
    if (!rc)
        rc = write_coverage(t);
    if (!rc)
        rc = write_sources(t);
    if (!rc)
        rc = write_snapshot_row(t, created_at);
    if (!rc)
        rc = sql_exec(t->out, "COMMIT");
    return rc;
}

int transform_run(const config *c, const char *stage_path, const char *out_path,
                  const char *created_at)
{
    tf t = {.cfg = c};
    universe_init(&t.u);
    char *tmp = xasprintf("%s.tmp.%ld", out_path, (long)getpid());
    unlink(tmp);
    int rc = OS_OK;
    if (sqlite3_open_v2(stage_path, &t.stage, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "cannot open the stage database %s: %s (run `occsnap extract`)",
                      stage_path, sqlite3_errmsg(t.stage));
    else if (sqlite3_open(tmp, &t.out) != SQLITE_OK)
        rc = os_error(OS_EIO, "cannot create %s: %s", tmp, sqlite3_errmsg(t.out));
    if (!rc)
        rc = run(&t, created_at);
    sqlite3_finalize(t.unmatched);
    if (t.out && sqlite3_close(t.out) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", tmp);
    sqlite3_close(t.stage);
    if (!rc && rename(tmp, out_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s", tmp, out_path);
    if (rc)
        unlink(tmp);
    for (size_t k = 0; k < t.ncov; k++)
        free(t.cov[k].covered);
    for (size_t k = 0; k < t.nmeas; k++)
        free(t.meas[k].value), free(t.meas[k].match);
    free(t.emp_weight);
    universe_free(&t.u);
    free(tmp);
    return rc;
}
