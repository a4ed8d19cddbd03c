/* stage.c - turn cached raw files into typed rows of stage.sqlite (src_<table>). */
#include "extract/stage.h"
#include "common/batch.h"
#include "common/db.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "extract/csvread.h"
#include "extract/header.h"
#include "extract/aei_discover.h"
#include "extract/xlsx.h"
#include "extract/zipfile.h"
#include "common/schema.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <dirent.h>
#include <sys/stat.h>
#include <errno.h>

/* The columns of stage_table (common/schema.c), for copying its rows. */
#define STAGE_TABLE_COLS \
    "table_id, source, url, file, status, header_row, rows, years, note, spec_sha256," \
    " rows_file, rows_table"

/* How far down a sheet the header may sit (banner rows above it). */
#define HEADER_SEARCH_ROWS 30
/* Cap on one zip member or xlsx part when the config gives none. */
#define STAGE_MEMBER_MAX ((size_t)256 << 20)

/* One typed value of a parsed row; text lives in the table's arena. */
enum { V_NULL = 0, V_INT, V_REAL, V_TEXT };
typedef struct {
    uint8_t kind;
    uint32_t len;
    union {
        long long i;
        double d;
        size_t off;
    } u;
} value;

/* A table parsed into memory: what stage_parse makes and stage_insert
 * writes. Rows are nparam values each (_row, then each column and, for
 * marked-number columns, its flag). */
struct staged {
    const cfg_table *t;
    char *label;
    int missing;            /* optional member absent from the archive */
    long header_line;
    char years[512];        /* "emp_base=2024,emp_proj=2034" */
    long filtered;          /* rows left out by the table's filters */
    size_t nparam, nrow, caprow;
    value *v;
    char *text;
    size_t ntext, captext;
};

int stage_create(const char *path, sqlite3 **out)
{
    unlink(path);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "cannot create %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    int rc = schema_create_stage(db);
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return OS_OK;
}

/* The table's config fingerprint and the tool version: a staged table is
 * reused only when both are unchanged (a fix to parsing must take effect). */
static void stage_fingerprint(const cfg_table *t, char hex[65])
{
    sha256_ctx *h = sha256_new();
    sha256_update(h, t->spec_sha256, strlen(t->spec_sha256) + 1);
    sha256_update(h, OCCSNAP_VERSION, strlen(OCCSNAP_VERSION) + 1);
    sha256_final(h, hex);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

/* A message for the snapshot: bound with the machine's paths replaced
 * (os_redact); NULL when empty or when memory runs out. */
static void bind_redacted(sqlite3_stmt *st, int i, const char *s)
{
    char *r = s && *s ? os_redact(s) : NULL;
    if (r)
        sqlite3_bind_text(st, i, r, -1, free);
    else
        sqlite3_bind_null(st, i);
}

int stage_record_file(sqlite3 *db, const char *source, const char *cache_path,
                      const fetch_receipt *r)
{
    sqlite3_stmt *st;
    const char *sql =
        "INSERT OR REPLACE INTO main.stage_file(source, url, cache_path, fetched_url, final_url, "
        "status, etag, last_modified, retrieved_at, bytes, sha256, from_, stale, ok, error) "
        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    bind_text_or_null(st, 1, source);
    bind_text_or_null(st, 2, r->url);
    bind_text_or_null(st, 3, cache_path);
    bind_redacted(st, 4, r->fetched_url);
    bind_redacted(st, 5, r->final_url);
    sqlite3_bind_int64(st, 6, r->status);
    bind_text_or_null(st, 7, r->etag);
    bind_text_or_null(st, 8, r->last_modified);
    bind_text_or_null(st, 9, r->retrieved_at);
    sqlite3_bind_int64(st, 10, r->bytes);
    bind_text_or_null(st, 11, r->sha256);
    bind_text_or_null(st, 12, r->from);
    sqlite3_bind_int(st, 13, r->stale);
    sqlite3_bind_int(st, 14, r->ok);
    bind_redacted(st, 15, r->error);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OS_OK
                                             : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int record_table(sqlite3 *db, const cfg_table *t, const char *file, const char *status,
                        long header_row, long rows, const char *years, const char *note)
{
    sqlite3_stmt *st;
    const char *sql =
        "INSERT OR REPLACE INTO main.stage_table(table_id, source, url, file, status, header_row,"
        " rows, years, note, spec_sha256) VALUES(?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    bind_text_or_null(st, 1, t->id);
    bind_text_or_null(st, 2, t->source);
    bind_text_or_null(st, 3, t->url);
    bind_text_or_null(st, 4, file);
    bind_text_or_null(st, 5, status);
    if (header_row > 0)
        sqlite3_bind_int64(st, 6, header_row);
    sqlite3_bind_int64(st, 7, rows);
    bind_text_or_null(st, 8, years);
    bind_redacted(st, 9, note);
    char spec[65];
    stage_fingerprint(t, spec);
    bind_text_or_null(st, 10, spec);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OS_OK
                                             : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int stage_record_missing(sqlite3 *db, const cfg_table *t, const char *why)
{
    return record_table(db, t, t->cache_name, "missing", 0, 0, NULL, why);
}

int stage_record_absent(sqlite3 *db, const cfg_table *t, const char *why)
{
    return record_table(db, t, t->cache_name, "not_in_release", 0, 0, NULL, why);
}

/* ------------------------------------------------------------ parsing */

/* Reading state for one table: header search, then typed values. */
typedef struct {
    staged *s;
    const cfg_table *t;
    const char **want;
    int *idx, *years;
    int *best_idx;         /* header-search diagnostics */
    size_t best_found;
    long best_line;
    long rows_seen;
    size_t width;          /* csv/tsv: cell count of the header row */
    size_t max_member;     /* cap on one zip member or xlsx part, bytes */
} reader;

static const char *OEWS_MARKS[] = {"*", "**", "#", "~"};

/* 1 if v (length n) is a mark the column's type allows in place of a number. */
static int is_mark(enum cfg_type type, const char *v, size_t n)
{
    if (type == CFG_OEWS) {
        for (size_t k = 0; k < sizeof OEWS_MARKS / sizeof *OEWS_MARKS; k++)
            if (n == strlen(OEWS_MARKS[k]) && !memcmp(v, OEWS_MARKS[k], n))
                return 1;
        return 0;
    }
    if (type == CFG_EP)
        return (n == 3 && !memcmp(v, "\xE2\x80\x94", 3)) ||
               (n > 2 && (!memcmp(v, ">=", 2) || !memcmp(v, "<=", 2)));
    return 0;
}

static value *new_row(staged *s)
{
    if (s->nrow == s->caprow) {
        s->caprow = s->caprow ? 2 * s->caprow : 1024;
        s->v = xrealloc(s->v, s->caprow * s->nparam * sizeof *s->v);
    }
    value *row = &s->v[s->nrow++ * s->nparam];
    memset(row, 0, s->nparam * sizeof *row);
    return row;
}

static void put_text(staged *s, value *v, const char *p, size_t n)
{
    if (s->ntext + n > s->captext) {
        while (s->ntext + n > s->captext)
            s->captext = s->captext ? 2 * s->captext : 1 << 16;
        s->text = xrealloc(s->text, s->captext);
    }
    memcpy(s->text + s->ntext, p, n);
    v->kind = V_TEXT;
    v->u.off = s->ntext;
    v->len = (uint32_t)n;
    s->ntext += n;
}

/* OS_OK when d is within col's configured range (| min= max=), else
 * OS_EDATA naming table, file, row, header, the value as written (n bytes at
 * p) and the range. */
static int in_range(reader *r, const cfg_column *col, long line, double d, const char *p,
                    size_t n)
{
    if ((!col->has_min || d >= col->min) && (!col->has_max || d <= col->max))
        return OS_OK;
    char lo[32] = "", hi[32] = "";
    if (col->has_min)
        snprintf(lo, sizeof lo, "min=%g", col->min);
    if (col->has_max)
        snprintf(hi, sizeof hi, "max=%g", col->max);
    return os_error(OS_EDATA, "%s: %s row %ld: %s = '%.*s' is outside its valid range (%s%s%s "
                    "for col.%s in the config)", r->t->id, r->s->label, line, col->header, (int)n,
                    p, lo, *lo && *hi ? " " : "", hi, col->name);
}

/* Types one cell into v (and its flag into flag for marked columns); the
 * message names table, file, row, header and value when it is not valid
 * UTF-8, not of the column's type, or outside its range. */
static int type_cell(reader *r, const cfg_column *col, const char *raw, long line, value *v,
                     value *flag)
{
    const char *p = raw;
    size_t n;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    n = strlen(p);
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r' || p[n - 1] == '\n'))
        n--;
    if (n == 0)
        return OS_OK; /* NULL (and a NULL flag) */
    size_t bad;
    if (!utf8_valid(p, n, &bad))
        return os_error(OS_EDATA, "%s: %s row %ld: %s holds a byte that is not UTF-8 (0x%02X at "
                        "byte %zu of '%.*s')", r->t->id, r->s->label, line, col->header,
                        (unsigned char)p[bad], bad + 1, (int)(bad < 40 ? bad : 40), p);
    if (col->type == CFG_TEXT) {
        put_text(r->s, v, p, n);
        return OS_OK;
    }
    char buf[64];
    int fits = n < sizeof buf;
    if (fits) {
        memcpy(buf, p, n);
        buf[n] = '\0';
    }
    if (col->type == CFG_INT) {
        long x;
        if (fits && parse_long(buf, &x) == 0) {
            v->kind = V_INT;
            v->u.i = x;
            return in_range(r, col, line, (double)x, p, n);
        }
        return os_error(OS_EDATA, "%s: %s row %ld: %s = '%.*s' is not a whole number", r->t->id,
                        r->s->label, line, col->header, (int)n, p);
    }
    double d;
    if (fits && parse_double(buf, &d) == 0) {
        v->kind = V_REAL;
        v->u.d = d;
        return in_range(r, col, line, d, p, n);
    }
    if (is_mark(col->type, p, n)) {
        /* A footnote mark is not a number: NULL plus the mark, never 0. */
        put_text(r->s, flag, p, n);
        return OS_OK;
    }
    if (col->type == CFG_OEWS || col->type == CFG_EP)
        return os_error(OS_EDATA,
                        "%s: %s row %ld: %s = '%.*s' is neither a number nor a footnote mark (%s)",
                        r->t->id, r->s->label, line, col->header, (int)n, p,
                        col->type == CFG_OEWS ? "*, **, #, ~" : "\xE2\x80\x94, >=, <=");
    return os_error(OS_EDATA, "%s: %s row %ld: %s = '%.*s' is not a number", r->t->id,
                    r->s->label, line, col->header, (int)n, p);
}

/* 1 if the row's cell of every filtered column is one of its values
 * (trimmed, case-insensitive; a value ending in '*' matches what starts
 * with the rest, e.g. onet_task::*). */
static int passes_filters(reader *r, const rows_row *row)
{
    for (size_t k = 0; k < r->t->nfilter; k++) {
        const cfg_filter *f = &r->t->filter[k];
        int j = r->idx[config_column(r->t, f->column)];
        const char *cell = rows_cell(row, j);
        while (*cell == ' ' || *cell == '\t')
            cell++;
        size_t n = strlen(cell);
        while (n && (cell[n - 1] == ' ' || cell[n - 1] == '\t' || cell[n - 1] == '\r'))
            n--;
        int hit = 0;
        for (size_t v = 0; v < f->nvalue && !hit; v++)
        {
            size_t len = strlen(f->value[v]);
            hit = len && f->value[v][len - 1] == '*'
                      ? n >= len - 1 && !strncasecmp(f->value[v], cell, len - 1)
                      : len == n && !strncasecmp(f->value[v], cell, n);
        }
        if (!hit)
            return 0;
    }
    return 1;
}

static int report_no_header(reader *r);

/* OS_OK unless a column the table reads has its header twice in the header
 * row (which one is meant cannot be told): then OS_EPARSE naming table,
 * file, row, the header and both columns. */
static int unique_headers(reader *r, const rows_row *row)
{
    for (size_t i = 0; i < r->t->ncol; i++) {
        long j = r->idx[i];
        const char *h = rows_cell(row, j);
        for (size_t k = 0; k < row->ncell; k++) {
            long col = rows_col(row, k);
            if (col != j && *h && header_matches(h, row->cell[k], NULL))
                return os_error(OS_EPARSE, "%s: %s row %ld: the header '%s' is there twice "
                                "(columns %ld and %ld), so which one col.%s means is not clear",
                                r->t->id, r->s->label, row->line, h, (j < col ? j : col) + 1,
                                (j < col ? col : j) + 1, r->t->col[i].name);
        }
    }
    return OS_OK;
}

/* The rows_fn of staging: finds the header, then types each data row into
 * r->s; returns an os_result naming table, file and row (OS_EPARSE when no
 * header turned up in the first HEADER_SEARCH_ROWS rows, OS_EDATA for a bad value). */
static int on_row(void *ctx, const rows_row *row)
{
    reader *r = ctx;
    size_t n = r->t->ncol;
    if (!r->s->header_line) {
        r->rows_seen++;
        size_t found = header_map_row(r->want, n, row, r->idx, r->years);
        if (found == n) {
            r->s->header_line = row->line;
            r->width = rows_width(row);
            return unique_headers(r, row);
        }
        if (found > r->best_found || !r->best_line) {
            r->best_found = found;
            r->best_line = row->line;
            memcpy(r->best_idx, r->idx, n * sizeof *r->idx);
        }
        if (r->rows_seen >= HEADER_SEARCH_ROWS)
            return report_no_header(r); /* give up */
        return OS_OK;
    }
    int any = 0;
    for (size_t i = 0; i < n && !any; i++) {
        const char *s = rows_cell(row, r->idx[i]);
        while (*s == ' ' || *s == '\t')
            s++;
        any = *s != '\0';
    }
    if (!any)
        return OS_OK; /* a blank row between data rows */
    if (!passes_filters(r, row)) {
        r->s->filtered++;
        return OS_OK;
    }
    /* xlsx rows leave out trailing empty cells; text rows must be whole. */
    if (r->t->format != CFG_XLSX && rows_width(row) != r->width)
        return os_error(OS_EPARSE, "%s: %s line %ld has %zu fields, the header (line %ld) has %zu",
                        r->t->id, r->s->label, row->line, row->ncell, r->s->header_line,
                        r->width);
    value *v = new_row(r->s);
    v[0].kind = V_INT;
    v[0].u.i = row->line;
    size_t p = 1;
    for (size_t i = 0; i < n; i++) {
        const cfg_column *col = &r->t->col[i];
        int marked = col->type == CFG_OEWS || col->type == CFG_EP;
        const char *cell = rows_cell(row, r->idx[i]);
        int rc = type_cell(r, col, cell, row->line, &v[p], marked ? &v[p + 1] : NULL);
        if (rc)
            return rc;
        p += marked ? 2 : 1;
    }
    return OS_OK;
}

/* Explains a header that was not found: which wanted columns the closest row
 * lacked, so a renamed column is named in the message; always returns OS_EPARSE. */
static int report_no_header(reader *r)
{
    size_t n = r->t->ncol, len = 0, cap = 1024;
    char *missing = xmalloc(cap);
    missing[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (r->best_idx[i] >= 0)
            continue;
        const char *h = r->t->col[i].header;
        if (len + strlen(h) + 8 >= cap)
            missing = xrealloc(missing, cap = 2 * cap + strlen(h));
        len += (size_t)sprintf(missing + len, "%s'%s'", len ? ", " : "", h);
    }
    int rc;
    if (!r->best_line)
        rc = os_error(OS_EPARSE, "%s: %s has no rows", r->t->id, r->s->label);
    else
        rc = os_error(OS_EPARSE,
                      "%s: %s: no header row with all expected columns in its first %d rows; "
                      "the closest (row %ld) lacks %s (renamed or removed upstream?)",
                      r->t->id, r->s->label, HEADER_SEARCH_ROWS, r->best_line, missing);
    free(missing);
    return rc;
}

/* The first of the member names in spec ("a.txt | b.txt": a release's name,
 * then the names of older or newer releases) that z holds, malloc'd (the
 * caller frees), or NULL when it holds none. Cannot fail (dies on OOM). */
static char *pick_member(zipfile *z, const char *spec)
{
    char *list = xstrdup(spec), *found = NULL, *save = NULL;
    for (char *tok = strtok_r(list, "|", &save); tok && !found; tok = strtok_r(NULL, "|", &save)) {
        char *name = str_trim(tok);
        if (*name && zipfile_has(z, name))
            found = xstrdup(name);
    }
    free(list);
    return found;
}

static int read_rows(reader *r, const char *raw_path)
{
    const cfg_table *t = r->t;
    /* Ragged rows are allowed while looking for the header (a one-cell
     * banner above it); on_row checks the width of every data row. */
    csvread_opts copt = {t->format == CFG_CSV ? ',' : '\t', t->format == CFG_CSV, 1};
    if (!t->member) {
        if (t->format == CFG_XLSX)
            return xlsx_read_sheet_file(raw_path, t->sheet, r->max_member, on_row, r);
        return csvread_file(raw_path, &copt, on_row, r);
    }
    zipfile *z;
    int rc = zipfile_open(raw_path, &z);
    if (rc)
        return rc;
    char *member = pick_member(z, t->member);
    if (!member) {
        zipfile_close(z);
        r->s->missing = 1;
        return OS_OK;
    }
    if (strcmp(member, t->member)) { /* an alternative name: the label says which */
        free(r->s->label);
        r->s->label = xasprintf("%s/%s%s%s%s", t->cache_name, member, t->sheet ? " [sheet " : "",
                                t->sheet ? t->sheet : "", t->sheet ? "]" : "");
    }
    if (t->format == CFG_XLSX) {
        char *buf;
        size_t len;
        rc = zipfile_read_all(z, member, r->max_member, &buf, &len);
        if (!rc) {
            zipfile *inner;
            rc = zipfile_open_buffer(buf, len, r->s->label, &inner);
            if (!rc) {
                rc = xlsx_read_sheet(inner, r->s->label, t->sheet, r->max_member, on_row, r);
                zipfile_close(inner);
            }
            free(buf);
        }
    } else {
        zipfile_member *m;
        rc = zipfile_member_open(z, member, r->max_member, &m);
        if (!rc) {
            rc = csvread_stream(r->s->label, zipfile_member_read, m, &copt, on_row, r);
            zipfile_member_close(m);
        }
    }
    zipfile_close(z);
    free(member);
    return rc;
}

void staged_free(staged *s)
{
    if (!s)
        return;
    free(s->label);
    free(s->v);
    free(s->text);
    free(s);
}

/* The file a table's rows come from as its record names it ("f.zip/m.txt",
 * "f.xlsx [sheet S]"), malloc'd; dies on OOM. */
static char *table_label(const cfg_table *t)
{
    return xasprintf("%s%s%s%s%s%s", t->cache_name, t->member ? "/" : "",
                     t->member ? t->member : "", t->sheet ? " [sheet " : "",
                     t->sheet ? t->sheet : "", t->sheet ? "]" : "");
}

int stage_parse(const cfg_table *t, const char *raw_path, size_t max_member, staged **out)
{
    size_t n = t->ncol;
    staged *s = xcalloc(1, sizeof *s);
    s->t = t;
    s->label = table_label(t);
    s->nparam = 1;
    for (size_t i = 0; i < n; i++)
        s->nparam += t->col[i].type == CFG_OEWS || t->col[i].type == CFG_EP ? 2 : 1;
    reader r = {.s = s, .t = t, .max_member = max_member ? max_member : STAGE_MEMBER_MAX};
    /* a reader's message (a truncated zip, a NUL byte) names the table too */
    os_error_context(t->id);
    r.want = xcalloc(n, sizeof *r.want);
    r.idx = xcalloc(n, sizeof *r.idx);
    r.years = xcalloc(n, sizeof *r.years);
    r.best_idx = xcalloc(n, sizeof *r.best_idx);
    for (size_t i = 0; i < n; i++) {
        r.want[i] = t->col[i].header;
        r.best_idx[i] = -1;
    }
    int rc = read_rows(&r, raw_path);
    if (!rc && s->missing && !t->optional)
        rc = os_error(OS_EPARSE, "%s: %s has no member '%s'", t->id, t->cache_name, t->member);
    else if (!s->missing && !rc && !s->header_line)
        rc = report_no_header(&r);
    if (!rc && !s->missing) {
        /* Keep the {year} values read from the header, e.g. "emp_base=2024". */
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
            if (r.years[i] && len < sizeof s->years - 64)
                len += (size_t)snprintf(s->years + len, sizeof s->years - len, "%s%s=%d",
                                        len ? "," : "", t->col[i].name, r.years[i]);
    }
    free(r.want), free(r.idx), free(r.years), free(r.best_idx);
    os_error_context(NULL);
    if (rc) {
        staged_free(s);
        return rc;
    }
    *out = s;
    return OS_OK;
}

/* ------------------------------------------------------------ inserting */

/* The columns of src_<id> in order ("_row, a, b, b_flag"), malloc'd (the
 * caller frees); cannot fail (dies on OOM). */
static char *src_columns(const cfg_table *t)
{
    char *cols = xstrdup("_row");
    for (size_t i = 0; i < t->ncol; i++) {
        const cfg_column *c = &t->col[i];
        int flag = c->type == CFG_OEWS || c->type == CFG_EP;
        char *more = flag ? xasprintf("%s, %s, %s_flag", cols, c->name, c->name)
                          : xasprintf("%s, %s", cols, c->name);
        free(cols);
        cols = more;
    }
    return cols;
}

/* Creates src_<id>; identifiers come from the config, which allows only
 * [a-z0-9_] in them. Returns an os_result (reported). */
static int create_table(sqlite3 *db, const cfg_table *t)
{
    size_t cap = 256 + 2 * strlen(t->id);
    for (size_t i = 0; i < t->ncol; i++)
        cap += 2 * strlen(t->col[i].name) + 48;
    char *create = xmalloc(cap);
    int cn = snprintf(create, cap,
                      /* main.: a previous stage may be attached as "prev" */
                      "DROP TABLE IF EXISTS main.src_%s; CREATE TABLE main.src_%s(_row INTEGER NOT NULL",
                      t->id, t->id);
    for (size_t i = 0; i < t->ncol; i++) {
        const cfg_column *c = &t->col[i];
        const char *ty = c->type == CFG_TEXT ? "TEXT" : c->type == CFG_INT ? "INTEGER" : "REAL";
        cn += snprintf(create + cn, cap - (size_t)cn, ", %s %s", c->name, ty);
        if (c->type == CFG_OEWS || c->type == CFG_EP)
            cn += snprintf(create + cn, cap - (size_t)cn, ", %s_flag TEXT", c->name);
    }
    snprintf(create + cn, cap - (size_t)cn, ") STRICT;");
    char *err = NULL;
    int rc = OS_OK;
    if (sqlite3_exec(db, create, NULL, NULL, &err) != SQLITE_OK) {
        rc = os_error(OS_EIO, "stage %s: %s", t->id, err);
        sqlite3_free(err);
    }
    free(create);
    return rc;
}

/* Opens the multi-row INSERT of src_<id>'s rows (many a step: about half
 * the cost a row of one statement per row) into b; returns an os_result
 * (reported). b may be closed whatever it returns. */
static int open_insert(sqlite3 *db, const staged *s, const cfg_table *t, db_batch *b)
{
    char *cols = src_columns(t);
    char *into = xasprintf("main.src_%s(%s)", t->id, cols);
    /* every row of s goes in: a batch of exactly that many */
    int rc = db_batch_open_rows(b, db, into, (int)s->nparam, (long)s->nrow);
    free(into);
    free(cols);
    return rc;
}

/* Writes s's rows into src_<t> and t's record naming label: stage_insert
 * under s's own table, or a twin's (stage_twin_record). An os_result. */
static int insert_as(sqlite3 *db, staged *s, const cfg_table *t, const char *label)
{
    db_batch ins = {0};
    /* SQLite's messages (db_batch reports them) name the table */
    os_error_context(t->id);
    /* A missing optional table is staged empty, so queries still work. */
    int rc = create_table(db, t);
    if (!rc && s->missing) {
        os_error_context(NULL);
        os_warning("%s: %s has no member '%s' (optional: staged as missing)", t->id,
                   t->cache_name, t->member);
        return record_table(db, t, label, "missing", 0, 0, NULL, "member not in archive");
    }
    if (!rc)
        rc = open_insert(db, s, t, &ins);
    /* the texts stay in s->text until the statement has stepped: bound as
       they are (SQLITE_STATIC), not copied */
    for (size_t r = 0; !rc && r < s->nrow; r++) {
        const value *v = &s->v[r * s->nparam];
        int p0 = db_batch_at(&ins);
        for (size_t k = 0; k < s->nparam; k++) {
            int p = p0 + (int)k;
            switch (v[k].kind) {
            case V_INT:
                sqlite3_bind_int64(ins.st, p, v[k].u.i);
                break;
            case V_REAL:
                sqlite3_bind_double(ins.st, p, v[k].u.d);
                break;
            case V_TEXT:
                sqlite3_bind_text(ins.st, p, s->text + v[k].u.off, (int)v[k].len, SQLITE_STATIC);
                break;
            default:
                sqlite3_bind_null(ins.st, p);
            }
        }
        rc = db_batch_add(&ins);
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    db_batch_close(&ins);
    os_error_context(NULL);
    char note[96] = "";
    if (s->filtered)
        snprintf(note, sizeof note, "%ld rows left out by the table's filters", s->filtered);
    if (!rc)
        rc = record_table(db, t, label, "ok", s->header_line, (long)s->nrow,
                          s->years[0] ? s->years : NULL, note[0] ? note : NULL);
    return rc;
}

int stage_insert(sqlite3 *db, staged *s)
{
    return insert_as(db, s, s->t, s->label);
}

#define STAGE_TABLE_NCOLS 12 /* the columns of STAGE_TABLE_COLS */
#define RECORD_ROWS_FILE 10 /* record[]: rows_file, then rows_table */

struct stage_image {
    const cfg_table *t;
    unsigned char *data; /* sqlite3_serialize'd database, sqlite3_free'd; NULL once written */
    sqlite3_int64 size;
    /* its stage_table row (sqlite3_value_dup'd), rows_file and rows_table
       set by stage_image_write */
    sqlite3_value *record[STAGE_TABLE_NCOLS];
    char *rows_file;  /* "stage/<id>-<16 hex>.sqlite", relative to the cache */
    char *rows_table; /* "src_<id>" */
};

/* Copies the one stage_table row of db (the image's own database) into
 * img->record; OS_EIO (reported) when it is not there or cannot be kept. */
static int take_record(sqlite3 *db, stage_image *img)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db, "SELECT " STAGE_TABLE_COLS " FROM main.stage_table", &st);
    if (rc)
        return rc;
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = os_error(OS_EIO, "stage %s: its database has no stage_table row", img->t->id);
    for (int k = 0; !rc && k < STAGE_TABLE_NCOLS; k++)
        if (!(img->record[k] = sqlite3_value_dup(sqlite3_column_value(st, k))))
            rc = os_error(OS_ENOMEM, "stage %s: cannot keep its stage_table row", img->t->id);
    sqlite3_finalize(st);
    return rc;
}

int stage_image_build(staged *s, stage_image **out)
{
    *out = NULL;
    if (s->missing)
        return OS_OK; /* the writer warns, in config order */
    sqlite3 *db;
    if (sqlite3_open_v2(":memory:", &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        sqlite3_close(db);
        return os_error(OS_ENOMEM, "stage %s: cannot open a database in memory", s->t->id);
    }
    stage_image *img = xcalloc(1, sizeof *img);
    img->t = s->t;
    int rc = schema_create_stage(db);
    if (!rc)
        rc = db_exec(db, "BEGIN");
    if (!rc)
        rc = stage_insert(db, s);
    if (!rc)
        rc = db_exec(db, "COMMIT");
    if (!rc)
        rc = take_record(db, img);
    if (!rc && !(img->data = sqlite3_serialize(db, "main", &img->size, 0)))
        rc = os_error(OS_ENOMEM, "stage %s: cannot serialise its rows", s->t->id);
    sqlite3_close(db);
    if (rc) {
        stage_image_free(img);
        img = NULL;
    }
    *out = img;
    return rc;
}

void stage_image_free(stage_image *img)
{
    if (!img)
        return;
    sqlite3_free(img->data);
    for (int k = 0; k < STAGE_TABLE_NCOLS; k++)
        sqlite3_value_free(img->record[k]);
    free(img->rows_file);
    free(img->rows_table);
    free(img);
}

/* The name of table t's rows file from a file of this sha256, relative to
 * the cache ("stage/<id>-<16 hex>.sqlite"), malloc'd; its hex names the
 * file's bytes and the table's fingerprint, so one name always holds the
 * same rows. Cannot fail (dies on OOM). */
static char *rows_file_name(const cfg_table *t, const char *file_sha256)
{
    char spec[65], hex[65];
    stage_fingerprint(t, spec);
    sha256_ctx *h = sha256_new();
    sha256_update(h, file_sha256, strlen(file_sha256) + 1);
    sha256_update(h, spec, strlen(spec) + 1);
    sha256_final(h, hex);
    return xasprintf("%s/%s-%.16s.sqlite", STAGE_ROWS_DIR, t->id, hex);
}

int stage_image_write(stage_image *img, const char *cache_dir, const char *file_sha256)
{
    const cfg_table *t = img->t;
    char *name = rows_file_name(t, file_sha256);
    char *dir = xasprintf("%s/%s", cache_dir, STAGE_ROWS_DIR);
    char *path = xasprintf("%s/%s", cache_dir, name);
    /* a temporary file renamed into place: a name never holds part of its rows */
    int rc = mkdir_p(dir);
    if (!rc)
        rc = write_file_replace(path, img->data, (size_t)img->size);
    if (!rc) {
        sqlite3_free(img->data);
        img->data = NULL;
        img->rows_file = name;
        img->rows_table = xasprintf("src_%s", t->id);
    } else
        free(name);
    free(dir);
    free(path);
    return rc;
}

/* Writes img's record into db under table t's names (t is img's table, or
 * a twin's: table_id, source, url, file and spec_sha256 are then the
 * twin's, the rest the original's) with its rows file. An os_result. */
static int write_image_record(sqlite3 *db, const cfg_table *t, const stage_image *img)
{
    if (!img->rows_file)
        return os_error(OS_EIO, "stage %s: the rows of %s were not written", t->id, img->t->id);
    sqlite3_stmt *st;
    int rc = db_prepare(db, "INSERT OR REPLACE INTO main.stage_table(" STAGE_TABLE_COLS ")"
                            " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)", &st);
    char *label = table_label(t), spec[65];
    stage_fingerprint(t, spec);
    for (int k = 0; !rc && k < RECORD_ROWS_FILE; k++)
        sqlite3_bind_value(st, k + 1, img->record[k]);
    if (!rc) {
        if (t != img->t) {
            sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, t->source, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3, t->url, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 4, label, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 10, spec, -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, RECORD_ROWS_FILE + 1, img->rows_file, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, RECORD_ROWS_FILE + 2, img->rows_table, -1, SQLITE_STATIC);
        rc = db_step(db, st);
    }
    sqlite3_finalize(st);
    free(label);
    return rc;
}

int stage_image_record(sqlite3 *db, const stage_image *img)
{
    return write_image_record(db, img->t, img);
}

int stage_twin_record(sqlite3 *db, const cfg_table *t, const stage_image *img, staged *s)
{
    if (!img) {
        /* no rows of its own (an optional member missing from the archive):
           recorded, and warned of, under t's name */
        char *label = table_label(t);
        int rc = insert_as(db, s, t, label);
        free(label);
        return rc;
    }
    /* the original's record (status, header row, rows, years, note) and
       rows file under t's own names */
    return write_image_record(db, t, img);
}

/* 1 when the rows file at path is whole: a SQLite file exactly as long as
 * its header says (page size times pages), which a file cut short by a
 * crash before the disk had it, emptied or overwritten is not; 0 otherwise,
 * a file that cannot be read included (then the table is parsed again).
 * Reads the header only, so an unchanged run stays cheap; a file whole but
 * holding something else fails the transform, which names it. */
static int rows_file_intact(const char *path)
{
    unsigned char h[100];
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    int ok = fread(h, 1, sizeof h, f) == sizeof h && fstat(fileno(f), &st) == 0;
    fclose(f);
    if (!ok || memcmp(h, "SQLite format 3", 16) != 0)
        return 0;
    unsigned page = (unsigned)h[16] << 8 | h[17];
    unsigned long long pages = (unsigned long long)h[28] << 24 | (unsigned)h[29] << 16 |
                               (unsigned)h[30] << 8 | h[31];
    if (page == 1)
        page = 65536;
    /* the size in the header counts only when written by the same change
       as the header's change counter (offsets 24 and 92), as SQLite says */
    return memcmp(h + 24, h + 92, 4) == 0 && pages > 0 &&
           (unsigned long long)st.st_size == pages * page;
}

int stage_reusable(sqlite3 *db, const char *schema, const cfg_table *t, const char *sha256,
                   const char *cache_dir)
{
    sqlite3_stmt *st;
    /* schema is "prev" or "main", never from input */
    char *sql = xasprintf(
        "SELECT s.rows_file FROM %s.stage_table s JOIN %s.stage_file f"
        " ON f.source = s.source AND f.url = s.url"
        /* an optional member missing from the same archive is missing again;
           a required one is parsed, to fail with its message */
        " WHERE s.table_id = ?1 AND (s.status = 'ok' OR (s.status = 'missing' AND ?4))"
        " AND s.spec_sha256 = ?2 AND f.sha256 = ?3"
        /* rows kept in a file of their own (a stage of before has them in
           itself: parsed again), or none (missing) */
        " AND (s.rows_file IS NOT NULL) = (s.status = 'ok')",
        schema, schema);
    int ok = sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK;
    free(sql);
    if (!ok)
        return 0; /* an older stage without fingerprints: parse again */
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    char spec[65];
    stage_fingerprint(t, spec);
    sqlite3_bind_text(st, 2, spec, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, t->optional != 0);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    if (yes && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        /* its rows file still there and whole (someone may have emptied the
           folder; a crash may have left a file cut short) */
        char *path = xasprintf("%s/%s", cache_dir, (const char *)sqlite3_column_text(st, 0));
        yes = rows_file_intact(path);
        free(path);
    }
    sqlite3_finalize(st);
    return yes;
}

int stage_had_status(sqlite3 *db, const cfg_table *t, const char *status)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM main.stage_table WHERE table_id = ? AND "
                           "status = ?", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    int yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

int stage_clear_records(sqlite3 *db)
{
    return db_exec(db, "DELETE FROM main.stage_file; DELETE FROM main.stage_release;"
                       " DELETE FROM main.stage_aei;");
}

int stage_reuse_rows(sqlite3 *db, const cfg_table *t)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db, "SELECT status FROM prev.stage_table WHERE table_id = ?", &st);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
    int missing = sqlite3_step(st) == SQLITE_ROW && !strcmp(db_text(st, 0), "missing");
    sqlite3_finalize(st);
    /* a missing optional member is staged empty, so queries still work;
       rows kept are in their file, which the record names */
    return missing ? create_table(db, t) : OS_OK;
}

int stage_copy_previous_record(sqlite3 *db, const cfg_table *t)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db, "INSERT INTO main.stage_table(" STAGE_TABLE_COLS ")"
                            " SELECT " STAGE_TABLE_COLS " FROM prev.stage_table"
                            " WHERE table_id = ?", &st);
    if (!rc) {
        sqlite3_bind_text(st, 1, t->id, -1, SQLITE_STATIC);
        rc = db_step(db, st);
    }
    sqlite3_finalize(st);
    if (!rc && sqlite3_changes(db) != 1)
        rc = os_error(OS_EIO, "stage %s: the previous stage has no record of it", t->id);
    return rc;
}

int stage_table(sqlite3 *db, const config *c, const cfg_table *t, const char *raw_path)
{
    staged *s;
    int rc = stage_parse(t, raw_path, c ? c->max_member_bytes : 0, &s);
    if (rc)
        return rc;
    rc = stage_insert(db, s);
    staged_free(s);
    return rc;
}

int stage_record_releases(sqlite3 *db, const config *c)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db,
                        "INSERT INTO main.stage_release(source, release, note) VALUES(?,?,?)",
                        &st);
    for (size_t i = 0; !rc && i < c->nsrc; i++) {
        const cfg_source *s = &c->src[i];
        if (!*s->release)
            continue;
        db_bind_text(st, 1, s->id);
        db_bind_text(st, 2, s->release);
        db_bind_text(st, 3, s->release_note);
        rc = db_step(db, st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Splits years ("emp_base=2024,emp_proj=2034") into name/value pairs in kv
 * (at most max pairs), pointing into buf (a copy the caller frees); returns
 * how many. Cannot fail. */
static size_t year_pairs(const char *years, char **buf, const char **kv, size_t max)
{
    *buf = xstrdup(years);
    size_t n = 0;
    for (char *tok = strtok(*buf, ","); tok && n < max; tok = strtok(NULL, ",")) {
        char *eq = strchr(tok, '=');
        if (!eq)
            continue;
        *eq = '\0';
        kv[2 * n] = tok;
        kv[2 * n + 1] = eq + 1;
        n++;
    }
    return n;
}

/* Fills {releases} in the Economic Index source's words with the releases
 * the stage holds (their labels, in config order: only those staged with
 * their file); returns an os_result. */
static int aei_vintage(sqlite3 *db, config *c)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db, "SELECT status FROM stage_table WHERE table_id = ?", &st);
    char *list = xstrdup("");
    const char *source = NULL;
    for (size_t i = 0; !rc && i < c->naei; i++) {
        const cfg_aei *a = &c->aei[i];
        const char *id = a->layout == AEI_WIDE ? a->tasks : a->raw;
        const cfg_table *t = config_table(c, id);
        sqlite3_reset(st);
        db_bind_text(st, 1, id);
        if (t && sqlite3_step(st) == SQLITE_ROW && !strcmp(db_text(st, 0), "ok")) {
            char *next = xasprintf("%s%s%s", list, *list ? ", " : "", a->label);
            free(list);
            list = next;
            source = t->source;
        }
    }
    sqlite3_finalize(st);
    if (!rc && source) {
        const char *kv[2] = {"releases", list};
        config_fill_words(c, source, kv, 1);
    }
    free(list);
    return rc;
}

int stage_use_releases(const char *path, config *c)
{
    if (!path_exists(path))
        return OS_OK;
    char *uri = xasprintf("file:%s?mode=ro", path);
    sqlite3 *db = NULL, *opened;
    int rc = sqlite3_open_v2(uri, &opened, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK
                 ? OS_OK
                 : os_error(OS_EIO, "cannot open %s: %s", path, sqlite3_errmsg(opened));
    db = opened;
    free(uri);
    sqlite3_stmt *st = NULL;
    /* a stage from before releases were recorded has no stage_release */
    if (!rc && sqlite3_prepare_v2(db, "SELECT source, release, note FROM stage_release", -1, &st,
                                  NULL) == SQLITE_OK) {
        while (!rc && sqlite3_step(st) == SQLITE_ROW) {
            const cfg_source *s = config_source(c, db_text(st, 0));
            relver r;
            if (s && s->scheme && release_parse(s->scheme, db_text(st, 1), &r) == 0)
                rc = config_use_release(c, s->id, &r, db_text(st, 2));
            else if (s && s->listing) {
                cfg_source *w = (cfg_source *)s;
                snprintf(w->release, sizeof w->release, "%s", db_text(st, 1));
                free(w->release_note);
                w->release_note = *db_text(st, 2) ? xstrdup(db_text(st, 2)) : NULL;
            }
        }
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!rc)
        rc = aei_stage_restore(db, c); /* the releases found in the listing */
    if (!rc)
        rc = aei_vintage(db, c);
    if (!rc)
        rc = db_prepare(db, "SELECT source, group_concat(years, ',') FROM stage_table"
                            " WHERE years IS NOT NULL GROUP BY source", &st);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *kv[32];
        char *buf;
        size_t n = year_pairs(db_text(st, 1), &buf, kv, 16);
        config_fill_words(c, db_text(st, 0), kv, n);
        free(buf);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

int stage_sweep_rows(const char *stage_path)
{
    char *cache = xstrdup(stage_path);
    char *slash = strrchr(cache, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(cache, ".");
    char *dir = xasprintf("%s/%s", cache, STAGE_ROWS_DIR);
    int rc = OS_OK;
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        free(cache);
        return OS_OK; /* no rows folder yet */
    }
    /* the names the stage in place keeps: none when there is none, or it is
       from before rows files (its stage_table has no rows_file: its rows
       are in itself). A stage that is there but cannot be read (locked,
       damaged, out of memory) names what it names all the same: nothing is
       removed, so a failed read never takes the rows of a good stage. */
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int readable = 1; /* no stage: nothing named, every file goes */
    if (path_exists(stage_path)) {
        char *uri = xasprintf("file:%s?mode=ro", stage_path);
        sqlite3_stmt *has = NULL;
        readable =
            sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db,
                               "SELECT count(*) FROM pragma_table_info('stage_table')"
                               " WHERE name = 'rows_file'",
                               -1, &has, NULL) == SQLITE_OK &&
            sqlite3_step(has) == SQLITE_ROW;
        if (readable && sqlite3_column_int(has, 0) == 1)
            readable = sqlite3_prepare_v2(db, "SELECT 1 FROM stage_table WHERE rows_file = ?", -1,
                                          &st, NULL) == SQLITE_OK;
        sqlite3_finalize(has);
        free(uri);
    }
    struct dirent *e;
    while (!rc && readable && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *rel = xasprintf("%s/%s", STAGE_ROWS_DIR, e->d_name);
        int named = 0;
        if (st) {
            sqlite3_bind_text(st, 1, rel, -1, SQLITE_STATIC);
            int step = sqlite3_step(st);
            named = step == SQLITE_ROW;
            readable = step == SQLITE_ROW || step == SQLITE_DONE; /* else keep the rest */
            sqlite3_reset(st);
        }
        if (!named && readable) {
            char *path = xasprintf("%s/%s", cache, rel);
            if (unlink(path) != 0 && errno != ENOENT)
                rc = os_error(OS_EIO, "cannot remove the staged rows %s: %s", path,
                              strerror(errno));
            free(path);
        }
        free(rel);
    }
    closedir(d);
    sqlite3_finalize(st);
    sqlite3_close(db);
    free(dir);
    free(cache);
    return rc;
}
