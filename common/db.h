/* db.h - the SQLite helpers every stage shares: prepare, step, exec, typed columns and binds, JSON rows. */
#ifndef OCCSNAP_DB_H
#define OCCSNAP_DB_H

#include <jansson.h>
#include <sqlite3.h>

/* Runs sql (one or more statements, no rows wanted); returns OS_EIO with
 * SQLite's message and the start of sql reported. */
int db_exec(sqlite3 *db, const char *sql);

/* Prepares sql into *st (the caller's to finalize); returns OS_EIO with
 * SQLite's message and the start of sql reported. */
int db_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st);

/* Steps a statement that returns no rows (an INSERT) to its end and resets
 * it; returns OS_OK, or OS_EIO with SQLite's message reported. */
int db_step(sqlite3 *db, sqlite3_stmt *st);

/* Steps a query: *row = 1 for a row, 0 when done; returns OS_EIO with
 * SQLite's message reported (*row 0) on an error. */
int db_next(sqlite3 *db, sqlite3_stmt *st, int *row);

/* Column i as text, "" for NULL; valid until the next step. Cannot fail. */
const char *db_text(sqlite3_stmt *st, int i);

/* Column i as a double, NaN for NULL. Cannot fail. */
double db_real(sqlite3_stmt *st, int i);

/* Binds v to parameter i, or NULL when v is NaN. Cannot fail. */
void db_bind_real(sqlite3_stmt *st, int i, double v);

/* Binds s (copied) to parameter i, or NULL when s is NULL or empty. Cannot fail. */
void db_bind_text(sqlite3_stmt *st, int i, const char *s);

/* Column i as a new JSON value (integer, real, string or null), the
 * caller's. Cannot fail. */
json_t *db_column_json(sqlite3_stmt *st, int i);

/* The current row as a new JSON object keyed by column names, the caller's.
 * Cannot fail. */
json_t *db_row_json(sqlite3_stmt *st);

/* Counts the rows of table (a trusted name, never user input) into *n;
 * returns OS_EIO with SQLite's message reported. */
int db_count(sqlite3 *db, const char *table, long long *n);

#endif
