/* export.c - occupations.csv, occupations.jsonl and datapackage.json from a snapshot. */
#include "load/export.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "common/schema.h"

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

/* What a reader needs to know about a column beyond its name: the unit. */
static const struct {
    const char *name, *description;
} DESCRIPTIONS[] = {
    {"onet_code", "O*NET-SOC 2019 code of the O*NET release (the key)"},
    {"soc_code", "SOC 2018 code: the first 7 characters of onet_code"},
    {"tot_emp", "OEWS employment of the row the occupation takes (persons, as published)"},
    {"a_median", "OEWS annual median wage, US dollars"},
    {"h_median", "OEWS hourly median wage, US dollars"},
    {"a_mean", "OEWS annual mean wage, US dollars"},
    {"oews_match", "how the OEWS row was reached: soc or aggregate"},
    {"ep_emp_base", "BLS projections: employment in the base year, thousands"},
    {"ep_emp_proj", "BLS projections: employment in the projected year, thousands"},
    {"ep_change_num", "BLS projections: employment change, thousands"},
    {"ep_change_pct", "BLS projections: employment change, percent"},
    {"ep_openings", "BLS projections: occupational openings a year, thousands"},
    {"aei_usage_pct_pct", "midrank percentile of aei_usage_pct among occupations (0-100)"},
    {"aei_usage_pct", "Economic Index: percent of all conversations (0.0075 = 0.0075 %)"},
    {"aei_automation_share", "Economic Index: fraction of the usage that is automation (0-1)"},
    {"aei_augmentation_share", "Economic Index: fraction of the usage that is augmentation (0-1)"},
    {"aei_filtered_share", "Economic Index: fraction filtered or with no collaboration (0-1)"},
    {"aei_unknown_share", "Economic Index: fraction with no collaboration data (0-1)"},
};

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

/* The description of view column name: a fixed column's from DESCRIPTIONS,
 * a measure's (<column>, _pct, _pct_emp, _label) from measure_info; a
 * malloc'd string the caller frees, or NULL. */
static char *describe(const profile_words *w, const config *c, const char *name)
{
    for (size_t k = 0; k < sizeof DESCRIPTIONS / sizeof *DESCRIPTIONS; k++)
        if (!strcmp(DESCRIPTIONS[k].name, name))
            return xstrdup(DESCRIPTIONS[k].description);
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
                                     "its share of OEWS employment (0-100)", m->label);
            default: return xasprintf("%s: Low below the %gth percentile, High from the %gth, "
                                      "else Moderate", m->label, c->label_low_below,
                                      c->label_high_from);
            }
        }
    }
    return NULL;
}

/* Table Schema type of a view column: from its declared type, else from the
 * values seen (text wins over real over integer). */
static const char *field_type(const char *decl, int seen_text, int seen_real, int seen_int)
{
    if (decl) {
        if (strstr(decl, "INT"))
            return "integer";
        if (strstr(decl, "REAL"))
            return "number";
        if (strstr(decl, "TEXT"))
            return "string";
    }
    return seen_text ? "string" : seen_real ? "number" : seen_int ? "integer" : "string";
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

/* Streams the profile view into both files; records the column types. */
static int write_rows(sqlite3 *db, const config *c, const char *dir, json_t *fields, long *rows)
{
    profile_words words;
    int wrc = words_load(db, &words);
    if (wrc)
        return wrc;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT * FROM occupation_profile", -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "export: %s", sqlite3_errmsg(db));
    int ncol = sqlite3_column_count(st);
    char *csv_path = xasprintf("%s/occupations.csv", dir);
    char *jsonl_path = xasprintf("%s/occupations.jsonl", dir);
    FILE *csv = fopen(csv_path, "wb"), *jsonl = fopen(jsonl_path, "wb");
    int rc = OS_OK;
    if (!csv || !jsonl)
        rc = os_error(OS_EIO, "cannot write %s: %s", !csv ? csv_path : jsonl_path,
                      strerror(errno));
    int *seen = xcalloc((size_t)ncol * 3, sizeof *seen);
    for (int i = 0; !rc && i < ncol; i++) {
        if (i)
            fputc(',', csv);
        csv_field(csv, sqlite3_column_name(st, i));
    }
    if (!rc)
        fputs("\r\n", csv);
    *rows = 0;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        fputc('{', jsonl);
        for (int i = 0; i < ncol; i++) {
            char num[32];
            const char *text = NULL;
            int type = sqlite3_column_type(st, i);
            if (type == SQLITE_INTEGER) {
                snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, i));
                text = num;
                seen[i * 3 + 2] = 1;
            } else if (type == SQLITE_FLOAT) {
                export_number(sqlite3_column_double(st, i), num);
                text = num;
                seen[i * 3 + 1] = 1;
            } else if (type == SQLITE_TEXT) {
                seen[i * 3] = 1;
            }
            if (i)
                fputc(',', csv);
            json_text(jsonl, sqlite3_column_name(st, i));
            fputc(':', jsonl);
            if (type == SQLITE_NULL) {
                fputs("null", jsonl);
            } else if (type == SQLITE_TEXT) {
                const char *s = (const char *)sqlite3_column_text(st, i);
                csv_field(csv, s);
                json_text(jsonl, s);
            } else {
                fputs(text, csv);
                fputs(text, jsonl);
            }
            if (i + 1 < ncol)
                fputc(',', jsonl);
        }
        fputs("\r\n", csv);
        fputs("}\n", jsonl);
        (*rows)++;
    }
    for (int i = 0; !rc && i < ncol; i++) {
        json_t *fld = json_object();
        const char *name = sqlite3_column_name(st, i);
        json_object_set_new(fld, "name", json_string(name));
        json_object_set_new(fld, "type", json_string(field_type(sqlite3_column_decltype(st, i),
                                                                seen[i * 3], seen[i * 3 + 1],
                                                                seen[i * 3 + 2])));
        char *d = describe(&words, c, name);
        if (d)
            json_object_set_new(fld, "description", json_string(d));
        free(d);
        if (!strcmp(name, "onet_code")) {
            json_t *cons = json_object();
            json_object_set_new(cons, "required", json_true());
            json_object_set_new(cons, "unique", json_true());
            json_object_set_new(cons, "pattern", json_string("[1-5][0-9]-[0-9]{4}\\.[0-9]{2}"));
            json_object_set_new(fld, "constraints", cons);
        }
        json_array_append_new(fields, fld);
    }
    free(seen);
    words_free(&words);
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

/* {path, bytes, hash} of a file in dir, for a resource, also kept in h
 * slot k; returns an os_result. */
static int describe_file(json_t *res, const char *dir, const char *name, export_hashes *h,
                         int k)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *hex = h->sha256[k];
    long long bytes;
    int rc = sha256_file(path, hex, &bytes);
    free(path);
    if (rc)
        return rc;
    h->path[k] = name;
    h->bytes[k] = bytes;
    char *hash = xasprintf("sha256:%s", hex);
    json_object_set_new(res, "path", json_string(name));
    json_object_set_new(res, "bytes", json_integer(bytes));
    json_object_set_new(res, "hash", json_string(hash));
    free(hash);
    return OS_OK;
}

static json_t *schema_of(json_t *fields)
{
    json_t *schema = json_object();
    json_object_set(schema, "fields", fields);
    json_object_set_new(schema, "primaryKey", json_string("onet_code"));
    json_t *missing = json_array();
    json_array_append_new(missing, json_string(""));
    json_object_set_new(schema, "missingValues", missing);
    return schema;
}

int export_profile(sqlite3 *snap, const config *c, const char *dir, export_hashes *hashes)
{
    json_t *fields = json_array();
    long rows = 0;
    int rc = write_rows(snap, c, dir, fields, &rows);
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
                        json_string("One row per occupation of the O*NET release: employment, "
                                    "wages, projections, AI-exposure measures with their "
                                    "percentiles, the composite index and Economic Index use. "
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
    json_t *csv = json_object(), *jsonl = json_object(), *db = json_object();
    json_object_set_new(csv, "name", json_string("occupations"));
    json_object_set_new(csv, "profile", json_string("tabular-data-resource"));
    json_object_set_new(csv, "format", json_string("csv"));
    json_object_set_new(csv, "mediatype", json_string("text/csv"));
    json_object_set_new(csv, "encoding", json_string("utf-8"));
    json_t *dialect = json_object();
    json_object_set_new(dialect, "delimiter", json_string(","));
    json_object_set_new(dialect, "lineTerminator", json_string("\r\n"));
    json_object_set_new(dialect, "quoteChar", json_string("\""));
    json_object_set_new(dialect, "doubleQuote", json_true());
    json_object_set_new(dialect, "header", json_true());
    json_object_set_new(csv, "dialect", dialect);
    json_object_set_new(csv, "schema", schema_of(fields));
    json_object_set_new(jsonl, "name", json_string("occupations-jsonl"));
    json_object_set_new(jsonl, "format", json_string("jsonl"));
    json_object_set_new(jsonl, "mediatype", json_string("application/x-ndjson"));
    json_object_set_new(jsonl, "encoding", json_string("utf-8"));
    json_object_set_new(jsonl, "description",
                        json_string("The same rows as occupations.csv, one JSON object a line; "
                                    "missing values are null."));
    json_object_set_new(jsonl, "schema", schema_of(fields));
    json_object_set_new(db, "name", json_string("occsnap-sqlite"));
    json_object_set_new(db, "format", json_string("sqlite"));
    json_object_set_new(db, "mediatype", json_string("application/vnd.sqlite3"));
    json_object_set_new(db, "description",
                        json_string("Every table of the snapshot (STRICT SQLite); the view "
                                    "occupation_profile is what the other resources export."));
    if (!rc)
        rc = describe_file(csv, dir, "occupations.csv", hashes, 0);
    if (!rc)
        rc = describe_file(jsonl, dir, "occupations.jsonl", hashes, 1);
    if (!rc)
        rc = describe_file(db, dir, "occsnap.sqlite", hashes, 2);
    json_array_append_new(resources, csv);
    json_array_append_new(resources, jsonl);
    json_array_append_new(resources, db);
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
    (void)rows;
    return rc;
}
