/* export.c - occupations.csv/.jsonl, a CSV of every table and datapackage.json from a snapshot. */
#include "load/export.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "common/schema.h"
#include "load/fields.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void export_number(double v, char out[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

/* A measure's columns in the profile view, as measure_info describes them. */
typedef struct {
    char *column, *label, *description;
} measure_words;

typedef struct {
    measure_words *m;
    size_t n;
} profile_words;

/* Reads the profile columns of measure_info into *w (the caller's, freed
 * with words_free); returns OS_EIO with SQLite's message. */
static int words_load(sqlite3 *db, profile_words *w)
{
    memset(w, 0, sizeof *w);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT profile_column, label, description FROM measure_info"
                           " WHERE profile_column IS NOT NULL ORDER BY position",
                           -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "export: %s", sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) {
        w->m = xrealloc(w->m, (w->n + 1) * sizeof *w->m);
        measure_words *m = &w->m[w->n++];
        m->column = xstrdup((const char *)sqlite3_column_text(st, 0));
        m->label = xstrdup((const char *)sqlite3_column_text(st, 1));
        m->description = xstrdup((const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return OS_OK;
}

static void words_free(profile_words *w)
{
    for (size_t k = 0; k < w->n; k++)
        free(w->m[k].column), free(w->m[k].label), free(w->m[k].description);
    free(w->m);
}

/* The description of column name of table ("occupations" for the view):
 * a fixed column's from load/fields.c, a footnote mark's from its figure,
 * a measure's (<column>, _pct, _pct_emp, _label) from measure_info; a
 * malloc'd string the caller frees, or NULL; *boolean as fields_describe. */
static char *describe(const profile_words *w, const config *c, const char *table,
                      const char *name, int *boolean)
{
    const char *fixed = fields_describe(table, name, boolean);
    if (fixed)
        return xstrdup(fixed);
    size_t nlen = strlen(name);
    if (nlen > 5 && !strcmp(name + nlen - 5, "_flag")) {
        char *base = xstrndup(name, nlen - 5);
        char *d = xasprintf("footnote mark OEWS publishes in place of %s (# top-coded: wage above "
                            "the highest published; * wage not available; ** employment not "
                            "available; ~ under 0.5 %%); %s is empty when this is set, empty "
                            "when %s is a number",
                            base, base, base);
        free(base);
        return d;
    }
    if (strcmp(table, "occupations"))
        return NULL;
    static const char *const SUFFIX[] = {"", "_pct", "_pct_emp", "_label"};
    for (size_t k = 0; k < w->n; k++) {
        const measure_words *m = &w->m[k];
        size_t len = strlen(m->column);
        if (strncmp(name, m->column, len))
            continue;
        for (int s = 0; s < 4; s++) {
            if (strcmp(name + len, SUFFIX[s]))
                continue;
            switch (s) {
            case 0: return xasprintf("%s: %s", m->label, m->description);
            case 1: return xasprintf("%s: midrank percentile among the occupations with a value "
                                     "(0-100; not a percent of anything)", m->label);
            case 2: return xasprintf("%s: midrank percentile with each occupation weighted by "
                                     "its share of OEWS employment (emp_weight), 0-100", m->label);
            default: return xasprintf("%s: Low below the %gth percentile, High from the %gth, "
                                      "else Moderate", m->label, c->label_low_below,
                                      c->label_high_from);
            }
        }
    }
    return NULL;
}

/* Table Schema type of a column: from its declared type, else from the
 * values seen (text wins over real over integer). */
static const char *field_type(const char *decl, int boolean, const int seen[3])
{
    if (boolean)
        return "boolean";
    if (decl) {
        if (strstr(decl, "INT"))
            return "integer";
        if (strstr(decl, "REAL"))
            return "number";
        if (strstr(decl, "TEXT"))
            return "string";
    }
    return seen[0] ? "string" : seen[1] ? "number" : seen[2] ? "integer" : "string";
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void json_text(FILE *f, const char *s)
{
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(out ? out : "null", f);
    free(out);
    json_decref(j);
}

/* One exported table: where its rows come from and what it is called. */
typedef struct {
    const char *table;     /* words of load/fields.c: a snapshot table or "occupations" */
    const char *sql;       /* SELECT of the rows, in key order */
    const char *csv, *jsonl; /* file names in the snapshot; jsonl may be NULL */
} export_spec;

/* Streams sql's rows into dir/csv (and dir/jsonl), 0/1 booleans as
 * true/false, and appends one Table Schema field per column to fields;
 * returns OS_EIO with SQLite's message or the file that cannot be written;
 * the caller owns fields. */
static int write_rows(sqlite3 *db, const config *c, const profile_words *words,
                      const export_spec *x, const char *dir, json_t *fields)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, x->sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "export %s: %s", x->table, sqlite3_errmsg(db));
    int ncol = sqlite3_column_count(st);
    char *csv_path = xasprintf("%s/%s", dir, x->csv);
    char *jsonl_path = x->jsonl ? xasprintf("%s/%s", dir, x->jsonl) : NULL;
    FILE *csv = fopen(csv_path, "wb"), *jsonl = jsonl_path ? fopen(jsonl_path, "wb") : NULL;
    int rc = OS_OK;
    if (!csv || (jsonl_path && !jsonl))
        rc = os_error(OS_EIO, "cannot write %s: %s", !csv ? csv_path : jsonl_path,
                      strerror(errno));
    int *seen = xcalloc((size_t)ncol * 3, sizeof *seen), *boolean = xcalloc((size_t)ncol, sizeof *boolean);
    char **desc = xcalloc((size_t)ncol, sizeof *desc);
    for (int i = 0; i < ncol; i++)
        desc[i] = describe(words, c, x->table, sqlite3_column_name(st, i), &boolean[i]);
    for (int i = 0; !rc && i < ncol; i++) {
        if (i)
            fputc(',', csv);
        csv_field(csv, sqlite3_column_name(st, i));
    }
    if (!rc)
        fputs("\r\n", csv);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (jsonl)
            fputc('{', jsonl);
        for (int i = 0; i < ncol; i++) {
            char num[32];
            const char *text = NULL, *json = NULL;
            int type = sqlite3_column_type(st, i);
            if (type == SQLITE_INTEGER && boolean[i]) {
                text = json = sqlite3_column_int64(st, i) ? "true" : "false";
                seen[i * 3 + 2] = 1;
            } else if (type == SQLITE_INTEGER) {
                snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
                text = json = num;
                seen[i * 3 + 2] = 1;
            } else if (type == SQLITE_FLOAT) {
                export_number(sqlite3_column_double(st, i), num);
                text = json = num;
                seen[i * 3 + 1] = 1;
            } else if (type != SQLITE_NULL) {
                text = (const char *)sqlite3_column_text(st, i);
                seen[i * 3] = 1;
            } else {
                json = "null";
            }
            if (i)
                fputc(',', csv);
            if (text && type == SQLITE_TEXT)
                csv_field(csv, text);
            else if (text)
                fputs(text, csv);
            if (!jsonl)
                continue;
            json_text(jsonl, sqlite3_column_name(st, i));
            fputc(':', jsonl);
            if (json)
                fputs(json, jsonl);
            else
                json_text(jsonl, text);
            if (i + 1 < ncol)
                fputc(',', jsonl);
        }
        fputs("\r\n", csv);
        if (jsonl)
            fputs("}\n", jsonl);
    }
    for (int i = 0; !rc && i < ncol; i++) {
        json_t *fld = json_object();
        const char *name = sqlite3_column_name(st, i);
        json_object_set_new(fld, "name", json_string(name));
        json_object_set_new(fld, "type", json_string(field_type(sqlite3_column_decltype(st, i),
                                                                boolean[i], &seen[i * 3])));
        if (boolean[i]) {
            json_t *t = json_array(), *f = json_array();
            json_array_append_new(t, json_string("true"));
            json_array_append_new(f, json_string("false"));
            json_object_set_new(fld, "trueValues", t);
            json_object_set_new(fld, "falseValues", f);
        }
        /* a column no row fills says so, typed by its declaration */
        int filled = seen[i * 3] || seen[i * 3 + 1] || seen[i * 3 + 2];
        char *d = !desc[i] ? xstrdup("(no description)")
                  : filled ? xstrdup(desc[i])
                           : xasprintf("%s. Never filled in this snapshot: the release in use "
                                       "does not publish it, so the column is empty in every row",
                                       desc[i]);
        json_object_set_new(fld, "description", json_string(d));
        free(d);
        if (!strcmp(name, "onet_code")) {
            json_t *cons = json_object();
            json_object_set_new(cons, "required", json_true());
            if (!strcmp(x->table, "occupations"))
                json_object_set_new(cons, "unique", json_true());
            json_object_set_new(cons, "pattern", json_string("[1-5][0-9]-[0-9]{4}\\.[0-9]{2}"));
            json_object_set_new(fld, "constraints", cons);
        }
        json_array_append_new(fields, fld);
    }
    for (int i = 0; i < ncol; i++)
        free(desc[i]);
    free(desc);
    free(seen);
    free(boolean);
    sqlite3_finalize(st);
    if (csv && (fflush(csv) != 0 || ferror(csv)) && !rc)
        rc = os_error(OS_EIO, "cannot write %s", csv_path);
    if (jsonl && (fflush(jsonl) != 0 || ferror(jsonl)) && !rc)
        rc = os_error(OS_EIO, "cannot write %s", jsonl_path);
    if (csv)
        fclose(csv);
    if (jsonl)
        fclose(jsonl);
    free(csv_path);
    free(jsonl_path);
    return rc;
}

/* {path, bytes, hash} of a file in dir, for a resource, also kept in h;
 * returns an os_result. */
static int describe_file(json_t *res, const char *dir, const char *name, export_hashes *h)
{
    if (h->n == EXPORT_MAX_FILES)
        return os_error(OS_EIO, "export: more than %d files", EXPORT_MAX_FILES);
    char *path = xasprintf("%s/%s", dir, name);
    char *hex = h->sha256[h->n];
    long long bytes;
    int rc = sha256_file(path, hex, &bytes);
    free(path);
    if (rc)
        return rc;
    h->path[h->n] = xstrdup(name);
    h->bytes[h->n++] = bytes;
    char *hash = xasprintf("sha256:%s", hex);
    json_object_set_new(res, "path", json_string(name));
    json_object_set_new(res, "bytes", json_integer(bytes));
    json_object_set_new(res, "hash", json_string(hash));
    free(hash);
    return OS_OK;
}

void export_hashes_free(export_hashes *h)
{
    for (int k = 0; k < h->n; k++)
        free(h->path[k]);
    h->n = 0;
}

/* The Table Schema of fields with primary key pk (an array of names, or
 * NULL) and foreign keys fks (or NULL); takes pk and fks, shares fields;
 * cannot fail. */
static json_t *schema_of(json_t *fields, json_t *pk, json_t *fks)
{
    json_t *schema = json_object();
    json_object_set(schema, "fields", fields);
    if (pk && json_array_size(pk))
        json_object_set_new(schema, "primaryKey", pk);
    else
        json_decref(pk);
    if (fks && json_array_size(fks))
        json_object_set_new(schema, "foreignKeys", fks);
    else
        json_decref(fks);
    json_t *missing = json_array();
    json_array_append_new(missing, json_string(""));
    json_object_set_new(schema, "missingValues", missing);
    return schema;
}

/* A CSV resource of a tabular-data-resource profile named name; takes
 * schema; cannot fail. */
static json_t *csv_resource(const char *name, const char *description, json_t *schema)
{
    json_t *res = json_object();
    json_object_set_new(res, "name", json_string(name));
    json_object_set_new(res, "profile", json_string("tabular-data-resource"));
    json_object_set_new(res, "format", json_string("csv"));
    json_object_set_new(res, "mediatype", json_string("text/csv"));
    json_object_set_new(res, "encoding", json_string("utf-8"));
    if (description)
        json_object_set_new(res, "description", json_string(description));
    json_t *dialect = json_object();
    json_object_set_new(dialect, "delimiter", json_string(","));
    json_object_set_new(dialect, "lineTerminator", json_string("\r\n"));
    json_object_set_new(dialect, "quoteChar", json_string("\""));
    json_object_set_new(dialect, "doubleQuote", json_true());
    json_object_set_new(dialect, "header", json_true());
    json_object_set_new(res, "dialect", dialect);
    json_object_set_new(res, "schema", schema);
    return res;
}

/* Table table's key columns in order (PRAGMA table_info) as a new array,
 * and its ORDER BY list in *order (malloc'd, "rowid" when it has none);
 * table is a name of schema_tables, checked by the caller. */
static json_t *primary_key(sqlite3 *db, const char *table, char **order)
{
    char *sql = xasprintf("SELECT name, pk FROM pragma_table_info('%s') WHERE pk > 0 ORDER BY pk",
                          table);
    json_t *pk = json_array();
    sqlite3_stmt *st;
    *order = xstrdup("");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(st, 0);
            json_array_append_new(pk, json_string(col));
            char *o = xasprintf("%s%s%s", *order, **order ? ", " : "", col);
            free(*order);
            *order = o;
        }
        sqlite3_finalize(st);
    }
    free(sql);
    if (!**order) {
        free(*order);
        *order = xstrdup("rowid");
    }
    return pk;
}

/* Table table's foreign keys (PRAGMA foreign_key_list) as Table Schema
 * foreignKeys: a reference to occupation points at the occupations
 * resource, which holds every onet_code; NULL-safe, never fails. */
static json_t *foreign_keys(sqlite3 *db, const char *table)
{
    char *sql = xasprintf("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('%s')"
                          " ORDER BY id, seq", table);
    json_t *fks = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *target = (const char *)sqlite3_column_text(st, 0);
            const char *from = (const char *)sqlite3_column_text(st, 1);
            const char *to = (const char *)sqlite3_column_text(st, 2);
            json_t *fk = json_object(), *ref = json_object();
            json_object_set_new(fk, "fields", json_string(from));
            json_object_set_new(ref, "resource",
                                json_string(!strcmp(target, "occupation") ? "occupations" : target));
            json_object_set_new(ref, "fields", json_string(to ? to : from));
            json_object_set_new(fk, "reference", ref);
            json_array_append_new(fks, fk);
        }
        sqlite3_finalize(st);
    }
    free(sql);
    /* occupation itself: every one of its codes is a row of occupations */
    if (!strcmp(table, "occupation")) {
        json_t *fk = json_object(), *ref = json_object();
        json_object_set_new(fk, "fields", json_string("onet_code"));
        json_object_set_new(ref, "resource", json_string("occupations"));
        json_object_set_new(ref, "fields", json_string("onet_code"));
        json_object_set_new(fk, "reference", ref);
        json_array_append_new(fks, fk);
    }
    return fks;
}

/* Exports every snapshot table as <table>.csv, each a resource of
 * resources; returns an os_result (OS_EDATA for a table name that is not a
 * plain identifier). */
static int export_tables(sqlite3 *db, const config *c, const profile_words *words,
                         const char *dir, json_t *resources, export_hashes *h)
{
    int rc = OS_OK;
    for (const char *const *t = schema_tables; !rc && *t; t++) {
        if (!str_is_ident(*t))
            return os_error(OS_EDATA, "export: '%s' is not a plain table name", *t);
        char *order;
        json_t *pk = primary_key(db, *t, &order);
        char *sql = xasprintf("SELECT * FROM %s ORDER BY %s", *t, order);
        char *file = xasprintf("%s.csv", *t);
        export_spec x = {*t, sql, file, NULL};
        json_t *fields = json_array();
        rc = write_rows(db, c, words, &x, dir, fields);
        json_t *res = csv_resource(*t, fields_table_title(*t),
                                   schema_of(fields, pk, foreign_keys(db, *t)));
        if (!rc)
            rc = describe_file(res, dir, file, h);
        json_array_append_new(resources, res);
        json_decref(fields);
        free(file);
        free(sql);
        free(order);
    }
    return rc;
}

int export_profile(sqlite3 *snap, const config *c, const char *dir, export_hashes *hashes)
{
    memset(hashes, 0, sizeof *hashes);
    profile_words words;
    int rc = words_load(snap, &words);
    if (rc)
        return rc;
    json_t *fields = json_array();
    export_spec profile = {"occupations", "SELECT * FROM occupation_profile", "occupations.csv",
                           "occupations.jsonl"};
    rc = write_rows(snap, c, &words, &profile, dir, fields);
    json_t *pkg = json_object();
    char created[64] = "";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(snap, "SELECT created_at FROM snapshot", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(created, sizeof created, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    json_object_set_new(pkg, "profile", json_string("data-package"));
    json_object_set_new(pkg, "name", json_string("occsnap"));
    json_object_set_new(pkg, "title",
                        json_string("U.S. occupations and AI exposure, on one O*NET-SOC key"));
    json_object_set_new(pkg, "description",
                        json_string("One row per occupation of the O*NET release (occupations): "
                                    "employment, wages, projections, AI-exposure measures with "
                                    "their percentiles, the composite index and Economic Index "
                                    "use; and every table of occsnap.sqlite as its own CSV. "
                                    "Where every figure came from is in manifest.json."));
    json_object_set_new(pkg, "version", json_string(OCCSNAP_VERSION));
    if (*created)
        json_object_set_new(pkg, "created", json_string(created));
    /* Each source's licence: an Open Definition id when it has one, else
     * a link to the source, with the licence as the title. */
    json_t *licenses = json_array(), *sources = json_array();
    for (size_t k = 0; k < c->nsrc; k++) {
        const cfg_source *s = &c->src[k];
        json_t *src = json_object();
        /* the release in use travels with the credit: "... (May 2025)" */
        char *credit = s->vintage ? xasprintf("%s (%s)", s->title ? s->title : s->id, s->vintage)
                                  : xstrdup(s->title ? s->title : s->id);
        json_object_set_new(src, "title", json_string(credit));
        free(credit);
        if (s->homepage)
            json_object_set_new(src, "path", json_string(s->homepage));
        json_array_append_new(sources, src);
        json_t *lic = json_object();
        char *title = xasprintf("%s: %s", s->id, s->licence ? s->licence : "unspecified");
        int open_id = s->licence && strspn(s->licence, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                       "abcdefghijklmnopqrstuvwxyz0123456789-._") ==
                                        strlen(s->licence);
        if (open_id)
            json_object_set_new(lic, "name", json_string(s->licence));
        else
            json_object_set_new(lic, "path", json_string(s->homepage ? s->homepage : "manifest.json"));
        json_object_set_new(lic, "title", json_string(title));
        free(title);
        json_array_append_new(licenses, lic);
    }
    json_object_set_new(pkg, "licenses", licenses);
    json_object_set_new(pkg, "sources", sources);

    json_t *resources = json_array();
    json_t *jsonl = json_object(), *db = json_object();
    json_t *pk = json_array();
    json_array_append_new(pk, json_string("onet_code"));
    json_t *csv = csv_resource("occupations",
                               "The occupation_profile view: one row per occupation with the "
                               "headline figures.",
                               schema_of(fields, pk, NULL));
    json_object_set_new(jsonl, "name", json_string("occupations-jsonl"));
    json_object_set_new(jsonl, "format", json_string("jsonl"));
    json_object_set_new(jsonl, "mediatype", json_string("application/x-ndjson"));
    json_object_set_new(jsonl, "encoding", json_string("utf-8"));
    json_object_set_new(jsonl, "description",
                        json_string("The same rows as occupations.csv, one JSON object a line; "
                                    "missing values are null, booleans true/false."));
    json_t *pk2 = json_array();
    json_array_append_new(pk2, json_string("onet_code"));
    json_object_set_new(jsonl, "schema", schema_of(fields, pk2, NULL));
    json_object_set_new(db, "name", json_string("occsnap-sqlite"));
    json_object_set_new(db, "format", json_string("sqlite"));
    json_object_set_new(db, "mediatype", json_string("application/vnd.sqlite3"));
    json_object_set_new(db, "description",
                        json_string("Every table of the snapshot (STRICT SQLite); the view "
                                    "occupation_profile is the occupations resource, each table "
                                    "is the resource of its name."));
    /* the database is the first file the manifest lists */
    if (!rc)
        rc = describe_file(db, dir, "occsnap.sqlite", hashes);
    if (!rc)
        rc = describe_file(csv, dir, "occupations.csv", hashes);
    if (!rc)
        rc = describe_file(jsonl, dir, "occupations.jsonl", hashes);
    json_array_append_new(resources, csv);
    json_array_append_new(resources, jsonl);
    json_array_append_new(resources, db);
    if (!rc)
        rc = export_tables(snap, c, &words, dir, resources, hashes);
    json_object_set_new(pkg, "resources", resources);
    if (!rc) {
        char *text = json_dumps(pkg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        char *path = xasprintf("%s/datapackage.json", dir);
        rc = write_file_atomic(path, text, strlen(text));
        free(path);
        free(text);
    }
    json_decref(pkg);
    json_decref(fields);
    words_free(&words);
    if (rc)
        export_hashes_free(hashes);
    return rc;
}
