/* batch.h - multi-row INSERT statements: many rows per step, for the big tables of the stage and the transform. */
#ifndef OCCSNAP_BATCH_H
#define OCCSNAP_BATCH_H

#include <sqlite3.h>

/* Rows per INSERT: one statement per row costs SQLite about twice as much
 * per row as a statement of many rows (measured: 30,000 element rows take
 * 95 ms one by one, 46 ms 64 at a time), and a CHECK(col IN (a, b, c))
 * builds its look-up table once per step, not once per row (measure: 13,600
 * rows 150 ms one by one). */
#define DB_BATCH 64

/* A prepared multi-row INSERT of per rows (DB_BATCH, or fewer: see per) of
 * ncol columns. Each row is bound at db_batch_at() and counted with
 * db_batch_add(), which steps the statement when it is full; db_batch_flush() steps a partial one, whose
 * unused rows carry a NULL first column that the statement's WHERE drops.
 * A batch opened for a known number of rows (db_batch_open_rows) has no
 * partial step: its statements are plain VALUES rows, the last one as many
 * as are left, which SQLite runs with about a tenth fewer instructions a row
 * than rows passed through the filtering SELECT. */
typedef struct db_batch_block db_batch_block;
typedef struct {
    sqlite3 *db;
    sqlite3_stmt *st;
    int ncol, nrow;
    int per; /* rows per statement: DB_BATCH, fewer when ncol is so large
                that DB_BATCH rows would pass SQLite's limit of parameters */
    int step_rows; /* rows of the statement being bound: per, or the rows
                      left for an exact batch's last statement */
    long left;     /* an exact batch's rows not yet stepped; -1: not known */
    char *into;    /* the table and its columns, for the last statement */
    /* copies of the texts bound since the last step (db_batch_text), in
       blocks that stay put until db_batch_close */
    db_batch_block *first, *cur;
} db_batch;

/* Prepares the INSERT into table, given with its column list ("t(a, b)";
 * the first column NOT NULL); returns OS_OK or OS_EIO (reported: a row of
 * more columns than SQLite's limit of parameters, or SQLite's own error).
 * b owns the statement until db_batch_close, which may be called on every
 * path, a failed open included. */
int db_batch_open(db_batch *b, sqlite3 *db, const char *table, int ncol);

/* As db_batch_open, for exactly nrows rows: db_batch_add of one more, and
 * db_batch_flush after fewer, fail with OS_EIO (reported), a mistake of the
 * caller's. */
int db_batch_open_rows(db_batch *b, sqlite3 *db, const char *table, int ncol, long nrows);

/* The parameter index of the first column of the next row; cannot fail. */
static inline int db_batch_at(const db_batch *b)
{
    return b->nrow * b->ncol + 1;
}

/* Binds a copy of s to parameter i, or NULL when s is NULL or empty (as
 * db_bind_text), the copy kept by b until the statement has stepped:
 * SQLite's own copy (SQLITE_TRANSIENT) costs a malloc and a free a value,
 * this one a memcpy. Dies on OOM. */
void db_batch_text(db_batch *b, int i, const char *s);

/* Counts the row bound at db_batch_at(), stepping a full batch; returns
 * OS_OK or OS_EIO (reported). */
int db_batch_add(db_batch *b);

/* Inserts the rows bound since the last step; returns OS_OK or OS_EIO. */
int db_batch_flush(db_batch *b);

/* Frees the statement and the copies (rows not flushed are dropped);
 * cannot fail. */
void db_batch_close(db_batch *b);

#endif
