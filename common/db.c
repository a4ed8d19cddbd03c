/* db.c - the SQLite helpers every stage shares: prepare, step, exec, typed columns and binds, JSON rows. */
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>

int db_exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        int rc = os_error(OS_EIO, "sqlite: %s (in: %.80s)", err, sql);
        sqlite3_free(err);
        return rc;
    }
    return OS_OK;
}

int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "sqlite: %s (in: %.80s)", sqlite3_errmsg(db), sql);
    return OS_OK;
}

int db_step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return os_error(OS_EIO, "sqlite: %s", sqlite3_errmsg(db));
    return OS_OK;
}

int db_next(sqlite3 *db, sqlite3_stmt *st, int *row)
{
    int rc = sqlite3_step(st);
    *row = rc == SQLITE_ROW;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return os_error(OS_EIO, "sqlite: %s", sqlite3_errmsg(db));
    return OS_OK;
}

const char *db_text(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? (const char *)s : "";
}

double db_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void db_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, v);
}

void db_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s && *s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

json_t *db_column_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_NULL: return json_null();
    default: return json_string((const char *)sqlite3_column_text(st, i));
    }
}

json_t *db_row_json(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < sqlite3_column_count(st); i++)
        json_object_set_new(o, sqlite3_column_name(st, i), db_column_json(st, i));
    return o;
}

int db_count(sqlite3 *db, const char *table, long long *n)
{
    char *sql = xasprintf("SELECT count(*) FROM %s", table);
    sqlite3_stmt *st = NULL;
    int row = 0;
    int rc = db_prepare(db, sql, &st);
    if (!rc)
        rc = db_next(db, st, &row);
    if (!rc && !row)
        rc = os_error(OS_EIO, "sqlite: no count of %s", table);
    if (!rc)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    free(sql);
    return rc;
}
