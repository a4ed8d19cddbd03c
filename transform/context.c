/* context.c - the shared state of one transform run and its helpers. */
#include "common/error.h"
#include "common/strmap.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

char *tf_staged_note(tf *t, const char *table_id)
{
    sqlite3_stmt *q;
    int row = 0;
    char *note = NULL;
    os_quiet++;
    if (db_prepare(t->stage, "SELECT status, note FROM stage_table WHERE table_id = ?", &q) ==
        OS_OK) {
        sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
        if (db_next(t->stage, q, &row) == OS_OK && row)
            note = xasprintf("%s%s%s", db_text(q, 0), *db_text(q, 1) ? ": " : "", db_text(q, 1));
        sqlite3_finalize(q);
    }
    os_quiet--;
    return note ? note : xstrdup("not in the stage database");
}

int tf_staged(tf *t, const char *table_id, int *staged)
{
    sqlite3_stmt *q;
    int row = 0;
    *staged = 0;
    int rc = db_prepare(t->stage, "SELECT status FROM stage_table WHERE table_id = ?", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    rc = db_next(t->stage, q, &row);
    *staged = !rc && row && !strcmp(db_text(q, 0), "ok");
    sqlite3_finalize(q);
    return rc;
}

int tf_same_rows(tf *t, const char *a, const char *b)
{
    const cfg_table *ta = config_table(t->cfg, a), *tb = config_table(t->cfg, b);
    if (!ta || !tb || strcmp(ta->read_sha256, tb->read_sha256))
        return 0;
    sqlite3_stmt *q;
    if (db_prepare(t->stage, "SELECT count(DISTINCT f.sha256), count(*) FROM stage_table s"
                             " JOIN stage_file f ON f.source = s.source AND f.url = s.url"
                             " WHERE s.table_id IN (?1, ?2) AND s.status = 'ok'"
                             " AND f.sha256 IS NOT NULL", &q))
        return 0;
    sqlite3_bind_text(q, 1, a, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, b, -1, SQLITE_STATIC);
    int same = sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) == 1 &&
               sqlite3_column_int(q, 1) == 2;
    sqlite3_finalize(q);
    return same;
}

/* 1 if s is made of [a-z0-9_] only and not empty: a name the extract wrote
 * (table ids allow no more) and safe inside SQL. */
static int plain_name(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* Attaches rows_file ("stage/<id>-<16 hex>.sqlite", relative to the stage
 * database's folder) to the stage connection db as schema, once: each
 * thread's connection attaches the files it reads, and when SQLite's
 * limit of attached databases is reached, detaches those no statement
 * reads any more. Returns an os_result (OS_EDATA for a rows_file of
 * another shape, OS_EIO, reported). */
static int attach_rows(sqlite3 *db, const char *table_id, const char *rows_file,
                       char schema[96])
{
    const char *pre = "stage/", *ext = ".sqlite";
    size_t n = strlen(rows_file), lp = strlen(pre), le = strlen(ext);
    const char *dash = strrchr(rows_file, '-');
    if (n <= lp + le || strncmp(rows_file, pre, lp) || strcmp(rows_file + n - le, ext) || !dash ||
        !plain_name(rows_file + lp, (size_t)(dash - rows_file) - lp) ||
        !plain_name(dash + 1, (size_t)(rows_file + n - le - dash - 1)) || n - lp >= 80)
        return os_error(OS_EDATA, "%s: the stage names its rows file '%s', not one the extract "
                        "writes (run `occsnap extract`)", table_id, rows_file);
    snprintf(schema, 96, "r_%.*s", (int)(n - lp - le), rows_file + lp);
    schema[strlen("r_") + (size_t)(dash - rows_file) - lp] = '_';
    sqlite3_stmt *q;
    int rc = db_prepare(db, "SELECT sum(substr(name, 1, 2) = 'r_'), sum(name = ?) FROM pragma_database_list", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, schema, -1, SQLITE_STATIC);
    int attached = 0, present = 0;
    if (sqlite3_step(q) == SQLITE_ROW) {
        attached = sqlite3_column_int(q, 0);
        present = sqlite3_column_int(q, 1);
    }
    sqlite3_finalize(q);
    if (present)
        return OS_OK;
    /* a DETACH of a file still read fails, and it is left */
    if (attached >= sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, -1) &&
        db_prepare(db, "SELECT name FROM pragma_database_list WHERE substr(name, 1, 2) = 'r_'",
                   &q) == OS_OK) {
        char *names[128];
        int k = 0;
        while (k < 128 && sqlite3_step(q) == SQLITE_ROW)
            names[k++] = xstrdup(db_text(q, 0));
        sqlite3_finalize(q);
        for (int j = 0; j < k; j++) {
            char *sql = xasprintf("DETACH %s", names[j]);
            sqlite3_exec(db, sql, NULL, NULL, NULL);
            free(sql);
            free(names[j]);
        }
    }
    const char *main_path = sqlite3_db_filename(db, "main");
    const char *slash = main_path ? strrchr(main_path, '/') : NULL;
    char *path = slash ? xasprintf("%.*s/%s", (int)(slash - main_path), main_path, rows_file)
                       : xstrdup(rows_file);
    if (!path_exists(path)) {
        rc = os_error(OS_EIO, "%s: its staged rows %s are not in the cache (run `occsnap "
                      "extract`)", table_id, path);
        free(path);
        return rc;
    }
    char *sql = xasprintf("ATTACH ? AS %s", schema);
    rc = db_prepare(db, sql, &q);
    free(sql);
    if (!rc) {
        sqlite3_bind_text(q, 1, path, -1, SQLITE_STATIC);
        if (sqlite3_step(q) != SQLITE_DONE)
            rc = os_error(OS_EIO, "%s: cannot open its staged rows %s: %s (run `occsnap "
                          "extract`)", table_id, path, sqlite3_errmsg(db));
        sqlite3_finalize(q);
    }
    free(path);
    return rc;
}

int tf_open_staged(tf *t, const char *table_id, const char *cols, sqlite3_stmt **st,
                       char **file)
{
    sqlite3_stmt *q;
    *st = NULL; /* on failure both are NULL, so callers may clean up blindly */
    *file = NULL;
    /* a stage from before rows files has no rows_file: its rows are in it */
    int rc = sqlite3_prepare_v2(t->stage, "SELECT file, status, rows_file, rows_table FROM"
                                          " stage_table WHERE table_id = ?", -1, &q, NULL)
                 == SQLITE_OK ? OS_OK : OS_EIO;
    if (rc)
        rc = db_prepare(t->stage, "SELECT file, status, NULL, NULL FROM stage_table"
                                  " WHERE table_id = ?", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return os_error(OS_EDATA, "%s: not in the stage database (run `occsnap extract` first)",
                        table_id);
    }
    *file = xstrdup(db_text(q, 0));
    int missing = strcmp(db_text(q, 1), "ok") != 0;
    char *rows_file = sqlite3_column_type(q, 2) == SQLITE_NULL ? NULL : xstrdup(db_text(q, 2));
    char *rows_table = sqlite3_column_type(q, 3) == SQLITE_NULL ? NULL : xstrdup(db_text(q, 3));
    sqlite3_finalize(q);
    char schema[96] = "main";
    if (missing)
        rc = os_error(OS_EDATA, "%s: its file was not staged (optional and missing)", table_id);
    else if (rows_file && (!rows_table || strncmp(rows_table, "src_", 4) ||
                           !plain_name(rows_table, strlen(rows_table))))
        rc = os_error(OS_EDATA, "%s: the stage names its rows table '%s', not one the extract "
                      "writes (run `occsnap extract`)", table_id, rows_table ? rows_table : "");
    else if (rows_file)
        rc = attach_rows(t->stage, table_id, rows_file, schema);
    if (!rc && rows_table) {
        /* a rows file cut short or overwritten fails here: named, with the
           cure (an extract checks the rows files it keeps, and parses such a
           table again) */
        char *sql = xasprintf("SELECT _row, %s FROM %s.%s ORDER BY rowid", cols, schema,
                              rows_table);
        if (sqlite3_prepare_v2(t->stage, sql, -1, st, NULL) != SQLITE_OK) {
            rc = os_error(OS_EIO, "%s: its staged rows (table %s of %s) cannot be read: %s (run "
                          "`occsnap extract`)", table_id, rows_table, rows_file,
                          sqlite3_errmsg(t->stage));
            sqlite3_finalize(*st);
        }
        free(sql);
    } else if (!rc) {
        char *sql = xasprintf("SELECT _row, %s FROM src_%s ORDER BY rowid", cols, table_id);
        rc = db_prepare(t->stage, sql, st);
        free(sql);
    }
    free(rows_file);
    free(rows_table);
    if (rc) {
        free(*file);
        *file = NULL;
        *st = NULL;
    }
    return rc;
}

int tf_checks(tf *t, int on)
{
    return db_exec(t->out, on ? "PRAGMA ignore_check_constraints=OFF"
                              : "PRAGMA ignore_check_constraints=ON");
}

int tf_prepare_unmatched(tf *t)
{
    return db_prepare(t->out,
                      "INSERT INTO coverage_unmatched(table_id, row, code, reason) VALUES(?,?,?,?)",
                      &t->unmatched);
}

int tf_attach_image(tf *t, const char *name, unsigned char *data, sqlite3_int64 size)
{
    char *sql = xasprintf("ATTACH ':memory:' AS %s", name);
    int rc = db_exec(t->out, sql);
    free(sql);
    if (rc) {
        sqlite3_free(data);
        return rc;
    }
    /* on failure SQLite frees data itself (FREEONCLOSE) */
    if (sqlite3_deserialize(t->out, name, data, size, size,
                            SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_READONLY) !=
        SQLITE_OK)
        return os_error(OS_EIO, "sqlite: cannot take the rows built ahead (%s): %s", name,
                        sqlite3_errmsg(t->out));
    return OS_OK;
}

tf_coverage *tf_cov_start(tf *t, const char *table_id, const char *source)
{
    if (t->ncov == TF_MAX_COVERAGE)
        os_die(OS_EDATA, "too many source tables (raise TF_MAX_COVERAGE)");
    tf_coverage *c = &t->cov[t->ncov++];
    memset(c, 0, sizeof *c);
    c->table_id = table_id;
    c->source = source;
    c->covered = xcalloc(t->u.n ? t->u.n : 1, 1);
    return c;
}

int tf_cov_unmatched(tf *t, tf_coverage *c, long row, const char *code, const char *reason)
{
    c->rows_unmatched++;
    sqlite3_bind_text(t->unmatched, 1, c->table_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(t->unmatched, 2, row);
    if (code && *code)
        sqlite3_bind_text(t->unmatched, 3, code, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(t->unmatched, 3);
    sqlite3_bind_text(t->unmatched, 4, reason, -1, SQLITE_TRANSIENT);
    return db_step(t->out, t->unmatched);
}

tf_measure *tf_measure_new(tf *t, const char *name, const char *source)
{
    if (t->nmeas == TF_MAX_MEASURES)
        os_die(OS_EDATA, "too many measures (raise TF_MAX_MEASURES)");
    tf_measure *m = &t->meas[t->nmeas++];
    m->name = name;
    m->source = source;
    m->value = xmalloc(t->u.n * sizeof *m->value);
    m->match = xcalloc(t->u.n ? t->u.n : 1, 1);
    for (size_t i = 0; i < t->u.n; i++)
        m->value[i] = NAN;
    return m;
}


tf_measure *tf_measure_find(tf *t, const char *name)
{
    for (size_t k = 0; k < t->nmeas; k++)
        if (!strcmp(t->meas[k].name, name))
            return &t->meas[k];
    return NULL;
}

void tf_take_rows(tf *t, const strmap *by_code, long *take, unsigned char *how)
{
    for (size_t i = 0; i < t->u.n; i++) {
        long r = -1, k;
        take[i] = -1;
        how[i] = MATCH_NONE;
        if (strmap_get(by_code, t->u.soc[i], &r)) {
            how[i] = MATCH_SOC;
        } else if (strmap_get(t->nem_of, t->u.onet[i], &k) &&
                   strmap_get(by_code, t->nem_code[k], &r)) {
            how[i] = MATCH_AGGREGATE;
        } else {
            char broad[8];
            occode_broad(t->u.soc[i], broad);
            if (strmap_get(by_code, broad, &r))
                how[i] = MATCH_AGGREGATE;
        }
        take[i] = r;
    }
}

/* A reusable buffer for "a|b" hash keys. */
typedef struct {
    char *s;
    size_t cap;
} keybuf;

/* Returns "a|b" in k (valid until the next call); dies on OOM. */
static const char *key2(keybuf *k, const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    if (na + nb + 2 > k->cap) {
        k->cap = 2 * (na + nb + 2);
        k->s = xrealloc(k->s, k->cap);
    }
    memcpy(k->s, a, na);
    k->s[na] = '|';
    memcpy(k->s + na + 1, b, nb + 1);
    return k->s;
}

int tf_report_duplicate(tf *t, int rc, const char *table_id, const char *col)
{
    if (rc != OS_EIO || sqlite3_extended_errcode(t->out) != SQLITE_CONSTRAINT_PRIMARYKEY)
        return rc;
    sqlite3_stmt *q;
    char *file, *cols = xasprintf("onet_code, %s", col);
    rc = tf_open_staged(t, table_id, cols, &q, &file);
    free(cols);
    if (rc)
        return rc;
    strmap *seen = strmap_new(); /* "onet_code|value" -> row */
    keybuf key = {0};
    rc = OS_OK;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0), first;
        occode oc;
        if (occode_parse(db_text(q, 1), &oc) != 0 || universe_find(&t->u, oc.onet) < 0)
            continue; /* not inserted */
        const char *k = key2(&key, oc.onet, db_text(q, 2));
        if (strmap_get(seen, k, &first))
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s '%s' of %s appears twice (also row %ld)",
                          table_id, file, row, col, db_text(q, 2), oc.onet, first);
        else
            strmap_put(seen, k, row);
    }
    if (!rc)
        rc = os_error(OS_EDATA, "%s: %s: a %s appears twice for one occupation", table_id, file,
                      col);
    strmap_free(seen);
    free(key.s);
    sqlite3_finalize(q);
    free(file);
    return rc;
}
