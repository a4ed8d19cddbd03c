/* manifest.c - manifest.json: where every number in a snapshot came from. */
#include "load/manifest.h"
#include "common/db.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "common/schema.h"

#include <stdlib.h>
#include <string.h>

/* Runs sql and returns its rows as an array of objects named by column. */
static json_t *query_objects(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        os_error(OS_EIO, "manifest: %s", sqlite3_errmsg(db));
        return NULL;
    }
    json_t *arr = json_array();
    while (sqlite3_step(st) == SQLITE_ROW)
        json_array_append_new(arr, db_row_json(st));
    sqlite3_finalize(st);
    return arr;
}

json_t *manifest_build(sqlite3 *db, const config *c, const char *snapshot_name, json_t *tests)
{
    json_t *m = json_object();
    json_t *snap = query_objects(db, "SELECT * FROM snapshot");
    json_t *row0 = json_array_get(snap, 0);
    json_object_set_new(m, "schema_version", json_integer(OCCSNAP_SCHEMA_VERSION));
    json_object_set_new(m, "tool", json_string("occsnap"));
    json_object_set_new(m, "tool_version", json_string(OCCSNAP_VERSION));
    json_object_set_new(m, "snapshot", json_string(snapshot_name));
    json_object_set(m, "created_at", json_object_get(row0, "created_at"));
    json_t *cfg = json_object();
    char *cfg_path = os_redact(c->path); /* relative to the project folder */
    json_object_set_new(cfg, "path", json_string(cfg_path ? cfg_path : c->path));
    free(cfg_path);
    json_object_set_new(cfg, "sha256", json_string(c->sha256));
    char inputs[65];
    if (manifest_inputs_sha256(db, "source", c, inputs) == OS_OK)
        json_object_set_new(m, "inputs_sha256", json_string(inputs));
    json_object_set_new(m, "config", cfg);
    json_object_set(m, "methodology", json_object_get(row0, "methodology"));
    json_decref(snap);

    /* sources: each configured dataset with the receipts of its files */
    json_t *files = query_objects(db, "SELECT * FROM source ORDER BY source, url");
    if (!files) {
        json_decref(m);
        return NULL;
    }
    json_t *sources = json_array();
    for (size_t k = 0; k < c->nsrc; k++) {
        const cfg_source *s = &c->src[k];
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(s->id));
        const char *keys[] = {"title", "vintage", "release", "release_note", "licence",
                              "citation", "homepage"};
        const char *vals[] = {s->title, s->vintage, *s->release ? s->release : NULL,
                              *s->release ? s->release_note : NULL, s->licence, s->citation,
                              s->homepage};
        for (int i = 0; i < 7; i++)
            json_object_set_new(o, keys[i], vals[i] ? json_string(vals[i]) : json_null());
        json_t *list = json_array();
        size_t i;
        json_t *f;
        json_array_foreach(files, i, f)
        {
            if (strcmp(json_string_value(json_object_get(f, "source")), s->id))
                continue;
            json_t *r = json_deep_copy(f);
            const char *drop[] = {"source", "title", "vintage", "licence", "citation", "homepage",
                                  "release", "release_note"};
            for (int d = 0; d < 8; d++)
                json_object_del(r, drop[d]);
            /* 0/1 columns are JSON booleans, so jq 'select(.ok|not)' works */
            const char *flags[] = {"ok", "stale"};
            for (int b = 0; b < 2; b++) {
                json_t *v = json_object_get(r, flags[b]);
                if (json_is_integer(v))
                    json_object_set_new(r, flags[b], json_boolean(json_integer_value(v)));
            }
            json_array_append_new(list, r);
        }
        json_object_set_new(o, "files", list);
        json_array_append_new(sources, o);
    }
    json_decref(files);
    json_object_set_new(m, "sources", sources);

    json_t *counts = json_object();
    os_quiet++; /* a table that cannot be counted is left out; verify then says so */
    for (const char *const *t = schema_tables; *t; t++) {
        long long n;
        if (db_count(db, *t, &n) == OS_OK)
            json_object_set_new(counts, *t, json_integer(n));
    }
    os_quiet--;
    json_object_set_new(m, "row_counts", counts);
    json_t *tables = query_objects(db, "SELECT * FROM source_table ORDER BY rowid");
    json_object_set_new(m, "tables", tables ? tables : json_array());
    /* What a reader of the snapshot should know was not as configured. */
    json_t *warnings = query_objects(
        db, "SELECT table_id AS 'table', 'optional table not staged: ' || ifnull(note, file) "
            "AS warning FROM source_table WHERE status = 'missing' UNION ALL "
            "SELECT source, 'stale: the last good cached copy of ' || url || ' was used' "
            "FROM source WHERE stale = 1");
    json_object_set_new(m, "warnings", warnings ? warnings : json_array());
    /* every warning this process printed (or, off a terminal, did not) */
    json_t *run = json_array();
    const char *w;
    for (size_t i = 0; (w = os_warning_text(i)) != NULL; i++)
        json_array_append_new(run, json_string(w));
    json_object_set_new(m, "run_warnings", run);
    json_t *cov = query_objects(db, "SELECT * FROM coverage ORDER BY table_id");
    json_object_set_new(m, "coverage", cov ? cov : json_array());
    json_object_set(m, "data_tests", tests ? tests : json_array());
    json_object_set_new(m, "outputs", json_array());
    return m;
}

int manifest_inputs_sha256(sqlite3 *db, const char *table, const config *c, char hex[65])
{
    char *sql = xasprintf("SELECT source, url, ifnull(sha256, '') FROM %s ORDER BY source, url",
                          table);
    sqlite3_stmt *st;
    os_quiet++; /* no fingerprint is no error: the callers go on without one */
    int rc = db_prepare(db, sql, &st);
    os_quiet--;
    free(sql);
    if (rc)
        return rc;
    sha256_ctx *h = sha256_new();
    sha256_update(h, c->sha256, strlen(c->sha256) + 1);
    sha256_update(h, OCCSNAP_VERSION, strlen(OCCSNAP_VERSION) + 1);
    while (sqlite3_step(st) == SQLITE_ROW)
        for (int i = 0; i < 3; i++)
            sha256_update(h, db_text(st, i), strlen(db_text(st, i)) + 1);
    sqlite3_finalize(st);
    sha256_final(h, hex);
    return OS_OK;
}

void manifest_add_known_output(json_t *manifest, const char *name, long long bytes,
                               const char *sha256)
{
    json_t *o = json_object();
    json_object_set_new(o, "path", json_string(name));
    json_object_set_new(o, "bytes", json_integer(bytes));
    json_object_set_new(o, "sha256", json_string(sha256));
    json_array_append_new(json_object_get(manifest, "outputs"), o);
}

int manifest_add_output(json_t *manifest, const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    char hex[65];
    long long bytes = 0;
    int rc = sha256_file(path, hex, &bytes);
    free(path);
    if (!rc)
        manifest_add_known_output(manifest, name, bytes, hex);
    return rc;
}
