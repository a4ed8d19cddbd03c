/* stage.c - turn cached raw files into typed rows of stage.sqlite (src_<table>). */
#include "extract/stage.h"
#include "common/error.h"
#include "common/util.h"
#include "extract/csvread.h"
#include "extract/header.h"
#include "extract/xlsx.h"
#include "extract/zipfile.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How far down a sheet the header may sit (banner rows above it). */
#define HEADER_SEARCH_ROWS 30

static const char *SCHEMA =
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "CREATE TABLE stage_file(source TEXT NOT NULL, url TEXT NOT NULL, cache_path TEXT,"
    " fetched_url TEXT, final_url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
    " retrieved_at TEXT, bytes INTEGER, sha256 TEXT, from_ TEXT, stale INTEGER,"
    " ok INTEGER NOT NULL, error TEXT, PRIMARY KEY(source, url)) STRICT;"
    "CREATE TABLE stage_table(table_id TEXT PRIMARY KEY, source TEXT NOT NULL,"
    " url TEXT NOT NULL, file TEXT NOT NULL, status TEXT NOT NULL, header_row INTEGER,"
    " rows INTEGER NOT NULL, years TEXT, note TEXT) STRICT;";

int stage_create(const char *path, sqlite3 **out)
{
    unlink(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "cannot create %s: %s", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    char *err = NULL;
    if (sqlite3_exec(db, SCHEMA, NULL, NULL, &err) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "cannot set up %s: %s", path, err);
        sqlite3_free(err);
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return OS_OK;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int stage_record_file(sqlite3 *db, const char *source, const char *cache_path,
                      const fetch_receipt *r)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT OR REPLACE INTO stage_file VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    bind_text_or_null(st, 1, source);
    bind_text_or_null(st, 2, r->url);
    bind_text_or_null(st, 3, cache_path);
    bind_text_or_null(st, 4, r->fetched_url);
    bind_text_or_null(st, 5, r->final_url);
    sqlite3_bind_int64(st, 6, r->status);
    bind_text_or_null(st, 7, r->etag);
    bind_text_or_null(st, 8, r->last_modified);
    bind_text_or_null(st, 9, r->retrieved_at);
    sqlite3_bind_int64(st, 10, r->bytes);
    bind_text_or_null(st, 11, r->sha256);
    bind_text_or_null(st, 12, r->from);
    sqlite3_bind_int(st, 13, r->stale);
    sqlite3_bind_int(st, 14, r->ok);
    bind_text_or_null(st, 15, r->error);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OS_OK
                                             : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

static int record_table(sqlite3 *db, const cfg_table *t, const char *file, const char *status,
                        long header_row, long rows, const char *years, const char *note)
{
    sqlite3_stmt *st;
    const char *sql = "INSERT OR REPLACE INTO stage_table VALUES(?,?,?,?,?,?,?,?,?)";
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
    bind_text_or_null(st, 9, note);
    int rc = sqlite3_step(st) == SQLITE_DONE ? OS_OK
                                             : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

int stage_record_missing(sqlite3 *db, const cfg_table *t, const char *why)
{
    return record_table(db, t, t->cache_name, "missing", 0, 0, NULL, why);
}

/* Reading state for one table: header search, then typed inserts. */
typedef struct {
    sqlite3 *db;
    const cfg_table *t;
    const char *label;     /* "oesm24nat.zip/oesm24nat/national_M2024_dl.xlsx" */
    sqlite3_stmt *insert;
    const char **want;
    int *idx, *years;
    int *best_idx;         /* header-search diagnostics */
    size_t best_found;
    long best_line;
    long header_line;      /* 0 while still searching */
    long rows_seen, rows;
    int *param;            /* first bound parameter of each column */
} reader;

static const char *OEWS_MARKS[] = {"*", "**", "#", "~"};

/* 1 if v is a mark the column's type allows in place of a number. */
static int is_mark(enum cfg_type type, const char *v)
{
    if (type == CFG_OEWS) {
        for (size_t k = 0; k < sizeof OEWS_MARKS / sizeof *OEWS_MARKS; k++)
            if (!strcmp(v, OEWS_MARKS[k]))
                return 1;
        return 0;
    }
    if (type == CFG_EP)
        return !strcmp(v, "\xE2\x80\x94") || !strncmp(v, ">=", 2) || !strncmp(v, "<=", 2);
    return 0;
}

static int bind_typed(reader *r, size_t i, const char *raw, long line)
{
    const cfg_column *col = &r->t->col[i];
    int p = r->param[i];
    char *v = xstrdup(raw);
    str_trim(v);
    int rc = OS_OK;
    if (!*v) {
        sqlite3_bind_null(r->insert, p);
        if (col->type == CFG_OEWS || col->type == CFG_EP)
            sqlite3_bind_null(r->insert, p + 1);
    } else if (col->type == CFG_TEXT) {
        sqlite3_bind_text(r->insert, p, v, -1, SQLITE_TRANSIENT);
    } else if (col->type == CFG_INT) {
        long x;
        if (parse_long(v, &x) == 0)
            sqlite3_bind_int64(r->insert, p, x);
        else
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s = '%s' is not a whole number",
                          r->t->id, r->label, line, col->header, v);
    } else {
        double x;
        if (parse_double(v, &x) == 0) {
            sqlite3_bind_double(r->insert, p, x);
            if (col->type == CFG_OEWS || col->type == CFG_EP)
                sqlite3_bind_null(r->insert, p + 1);
        } else if (is_mark(col->type, v)) {
            /* A footnote mark is not a number: NULL plus the mark, never 0. */
            sqlite3_bind_null(r->insert, p);
            sqlite3_bind_text(r->insert, p + 1, v, -1, SQLITE_TRANSIENT);
        } else if (col->type == CFG_OEWS || col->type == CFG_EP) {
            rc = os_error(OS_EDATA,
                          "%s: %s row %ld: %s = '%s' is neither a number nor a footnote mark (%s)",
                          r->t->id, r->label, line, col->header, v,
                          col->type == CFG_OEWS ? "*, **, #, ~" : "\xE2\x80\x94, >=, <=");
        } else
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s = '%s' is not a number", r->t->id,
                          r->label, line, col->header, v);
    }
    free(v);
    return rc;
}

static int on_row(void *ctx, const rows_row *row)
{
    reader *r = ctx;
    size_t n = r->t->ncol;
    if (!r->header_line) {
        r->rows_seen++;
        size_t found = header_map_row(r->want, n, row, r->idx, r->years);
        if (found == n) {
            r->header_line = row->line;
            return OS_OK;
        }
        if (found > r->best_found || !r->best_line) {
            r->best_found = found;
            r->best_line = row->line;
            memcpy(r->best_idx, r->idx, n * sizeof *r->idx);
        }
        if (r->rows_seen >= HEADER_SEARCH_ROWS)
            return -1; /* give up: reported by the caller */
        return OS_OK;
    }
    int any = 0;
    for (size_t i = 0; i < n && !any; i++) {
        int j = r->idx[i];
        if (j >= 0 && (size_t)j < row->ncell) {
            const char *s = row->cell[j];
            while (*s == ' ' || *s == '\t')
                s++;
            any = *s != '\0';
        }
    }
    if (!any)
        return OS_OK; /* a blank row between data rows */
    sqlite3_reset(r->insert);
    sqlite3_bind_int64(r->insert, 1, row->line);
    for (size_t i = 0; i < n; i++) {
        int j = r->idx[i];
        const char *s = (size_t)j < row->ncell ? row->cell[j] : "";
        int rc = bind_typed(r, i, s, row->line);
        if (rc)
            return rc;
    }
    if (sqlite3_step(r->insert) != SQLITE_DONE)
        return os_error(OS_EIO, "stage %s: %s", r->t->id, sqlite3_errmsg(r->db));
    r->rows++;
    return OS_OK;
}

/* Builds CREATE TABLE and INSERT for src_<id>; identifiers come from the
 * config, which allows only [a-z0-9_] in them. */
static int prepare_table(reader *r)
{
    const cfg_table *t = r->t;
    size_t cap = 256 + t->ncol * 64;
    char *create = xmalloc(cap), *insert = xmalloc(cap);
    int cn = snprintf(create, cap, "DROP TABLE IF EXISTS src_%s; CREATE TABLE src_%s(_row INTEGER NOT NULL",
                      t->id, t->id);
    int in = snprintf(insert, cap, "INSERT INTO src_%s VALUES(?", t->id);
    int p = 2;
    for (size_t i = 0; i < t->ncol; i++) {
        const cfg_column *c = &t->col[i];
        const char *ty = c->type == CFG_TEXT ? "TEXT" : c->type == CFG_INT ? "INTEGER" : "REAL";
        cn += snprintf(create + cn, cap - (size_t)cn, ", %s %s", c->name, ty);
        in += snprintf(insert + in, cap - (size_t)in, ",?");
        r->param[i] = p++;
        if (c->type == CFG_OEWS || c->type == CFG_EP) {
            cn += snprintf(create + cn, cap - (size_t)cn, ", %s_flag TEXT", c->name);
            in += snprintf(insert + in, cap - (size_t)in, ",?");
            p++;
        }
    }
    snprintf(create + cn, cap - (size_t)cn, ") STRICT;");
    snprintf(insert + in, cap - (size_t)in, ")");
    char *err = NULL;
    int rc = OS_OK;
    if (sqlite3_exec(r->db, create, NULL, NULL, &err) != SQLITE_OK) {
        rc = os_error(OS_EIO, "stage %s: %s", t->id, err);
        sqlite3_free(err);
    } else if (sqlite3_prepare_v2(r->db, insert, -1, &r->insert, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "stage %s: %s", t->id, sqlite3_errmsg(r->db));
    free(create);
    free(insert);
    return rc;
}

/* Explains a header that was not found: which wanted columns the closest row
 * lacked, so a renamed column is named in the message. */
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
        rc = os_error(OS_EPARSE, "%s: %s has no rows", r->t->id, r->label);
    else
        rc = os_error(OS_EPARSE,
                      "%s: %s: no header row with all expected columns in its first %d rows; "
                      "the closest (row %ld) lacks %s (renamed or removed upstream?)",
                      r->t->id, r->label, HEADER_SEARCH_ROWS, r->best_line, missing);
    free(missing);
    return rc;
}

static int read_rows(reader *r, const char *raw_path, int *missing_member)
{
    const cfg_table *t = r->t;
    csvread_opts copt = {t->format == CFG_CSV ? ',' : '\t', t->format == CFG_CSV, 0};
    size_t cap = 0;
    *missing_member = 0;
    if (!t->member) {
        if (t->format == CFG_XLSX)
            return xlsx_read_sheet_file(raw_path, t->sheet, (size_t)1 << 30, on_row, r);
        return csvread_file(raw_path, &copt, on_row, r);
    }
    zipfile *z;
    int rc = zipfile_open(raw_path, &z);
    if (rc)
        return rc;
    if (!zipfile_has(z, t->member)) {
        zipfile_close(z);
        *missing_member = 1;
        return OS_OK;
    }
    cap = (size_t)1 << 30;
    if (t->format == CFG_XLSX) {
        char *buf;
        size_t len;
        rc = zipfile_read_all(z, t->member, cap, &buf, &len);
        if (!rc) {
            zipfile *inner;
            rc = zipfile_open_buffer(buf, len, r->label, &inner);
            if (!rc) {
                rc = xlsx_read_sheet(inner, r->label, t->sheet, cap, on_row, r);
                zipfile_close(inner);
            }
            free(buf);
        }
    } else {
        zipfile_member *m;
        rc = zipfile_member_open(z, t->member, cap, &m);
        if (!rc) {
            rc = csvread_stream(r->label, zipfile_member_read, m, &copt, on_row, r);
            zipfile_member_close(m);
        }
    }
    zipfile_close(z);
    return rc;
}

int stage_table(sqlite3 *db, const config *c, const cfg_table *t, const char *raw_path)
{
    size_t n = t->ncol;
    char *label = xasprintf("%s%s%s%s%s%s", t->cache_name, t->member ? "/" : "",
                            t->member ? t->member : "", t->sheet ? " [sheet " : "",
                            t->sheet ? t->sheet : "", t->sheet ? "]" : "");
    reader r = {.db = db, .t = t, .label = label};
    r.want = xcalloc(n, sizeof *r.want);
    r.idx = xcalloc(n, sizeof *r.idx);
    r.years = xcalloc(n, sizeof *r.years);
    r.best_idx = xcalloc(n, sizeof *r.best_idx);
    r.param = xcalloc(n, sizeof *r.param);
    for (size_t i = 0; i < n; i++) {
        r.want[i] = t->col[i].header;
        r.best_idx[i] = -1;
    }
    (void)c;
    int missing = 0;
    int rc = prepare_table(&r);
    if (!rc)
        rc = read_rows(&r, raw_path, &missing);
    if (missing) {
        if (t->optional) {
            os_warning("%s: %s has no member '%s' (optional: staged as missing)", t->id,
                       t->cache_name, t->member);
            rc = record_table(db, t, label, "missing", 0, 0, NULL, "member not in archive");
        } else
            rc = os_error(OS_EPARSE, "%s: %s has no member '%s'", t->id, t->cache_name,
                          t->member);
    } else if (rc == -1 || (!rc && !r.header_line)) {
        rc = report_no_header(&r);
    } else if (!rc) {
        /* Keep the {year} values read from the header, e.g. "ep_emp_base=2024". */
        char years[1024] = "";
        size_t len = 0;
        for (size_t i = 0; i < n; i++)
            if (r.years[i] && len < sizeof years - 64)
                len += (size_t)snprintf(years + len, sizeof years - len, "%s%s=%d",
                                        len ? "," : "", t->col[i].name, r.years[i]);
        rc = record_table(db, t, label, "ok", r.header_line, r.rows, len ? years : NULL, NULL);
    }
    sqlite3_finalize(r.insert);
    free(r.want), free(r.idx), free(r.years), free(r.best_idx), free(r.param);
    free(label);
    return rc;
}
