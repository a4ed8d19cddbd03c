/* context.c - the shared state of one transform run and its helpers. */
#include "common/error.h"
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

int tf_open_staged(tf *t, const char *table_id, const char *cols, sqlite3_stmt **st,
                       char **file)
{
    sqlite3_stmt *q;
    *st = NULL; /* on failure both are NULL, so callers may clean up blindly */
    *file = NULL;
    int rc = db_prepare(t->stage, "SELECT file, status FROM stage_table WHERE table_id = ?", &q);
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
    sqlite3_finalize(q);
    if (missing) {
        free(*file);
        *file = NULL;
        return os_error(OS_EDATA, "%s: its file was not staged (optional and missing)", table_id);
    }
    char *sql = xasprintf("SELECT _row, %s FROM src_%s ORDER BY rowid", cols, table_id);
    rc = db_prepare(t->stage, sql, st);
    free(sql);
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
