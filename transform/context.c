/* context.c - the shared state of one transform run and its helpers. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int tf_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "sqlite: %s (in: %.80s)", err, sql);
        sqlite3_free(err);
        return rc;
    }
    return OS_OK;
}

int tf_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "sqlite: %s (in: %.80s)", sqlite3_errmsg(db), sql);
    return OS_OK;
}

int tf_step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return os_error(OS_EIO, "sqlite: %s", sqlite3_errmsg(db));
    return OS_OK;
}

double tf_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void tf_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

const char *tf_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

void tf_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

int tf_staged(tf *t, const char *table_id)
{
    sqlite3_stmt *q;
    if (tf_prepare(t->stage, "SELECT status FROM stage_table WHERE table_id = ?", &q))
        return 0;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    int ok = sqlite3_step(q) == SQLITE_ROW && !strcmp(tf_text(q, 0), "ok");
    sqlite3_finalize(q);
    return ok;
}

int tf_open_staged(tf *t, const char *table_id, const char *cols, sqlite3_stmt **st,
                       char **file)
{
    sqlite3_stmt *q;
    *st = NULL; /* on failure both are NULL, so callers may clean up blindly */
    *file = NULL;
    int rc = tf_prepare(t->stage, "SELECT file, status FROM stage_table WHERE table_id = ?", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return os_error(OS_EDATA, "%s: not in the stage database (run `occsnap extract` first)",
                        table_id);
    }
    *file = xstrdup(tf_text(q, 0));
    int missing = strcmp(tf_text(q, 1), "ok") != 0;
    sqlite3_finalize(q);
    if (missing) {
        free(*file);
        *file = NULL;
        return os_error(OS_EDATA, "%s: its file was not staged (optional and missing)", table_id);
    }
    char *sql = xasprintf("SELECT _row, %s FROM src_%s ORDER BY rowid", cols, table_id);
    rc = tf_prepare(t->stage, sql, st);
    free(sql);
    if (rc) {
        free(*file);
        *file = NULL;
        *st = NULL;
    }
    return rc;
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
    return tf_step(t->out, t->unmatched);
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
