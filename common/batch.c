/* batch.c - multi-row INSERT statements: many rows per step, for the big tables of the stage and the transform. */
#include "common/batch.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The INSERT of nrow rows of b's columns into b->into, prepared into *st:
 * plain VALUES rows when exact (every row inserted), else rows filtered by
 * their first column (a partial step's unused rows carry NULL there).
 * Returns OS_OK or OS_EIO (reported). */
static int prepare_rows(db_batch *b, int nrow, int exact, sqlite3_stmt **st)
{
    size_t cap = 128 + strlen(b->into) + (size_t)nrow * (3 + 2 * (size_t)b->ncol);
    char *sql = xmalloc(cap);
    size_t n = (size_t)snprintf(sql, cap, exact ? "INSERT INTO %s VALUES"
                                                : "INSERT INTO %s SELECT * FROM (VALUES",
                                b->into);
    for (int r = 0; r < nrow; r++) {
        n += (size_t)snprintf(sql + n, cap - n, "%s(?", r ? "," : "");
        for (int k = 1; k < b->ncol; k++)
            n += (size_t)snprintf(sql + n, cap - n, ",?");
        n += (size_t)snprintf(sql + n, cap - n, ")");
    }
    if (!exact)
        snprintf(sql + n, cap - n, ") WHERE column1 IS NOT NULL");
    int rc = db_prepare(b->db, sql, st);
    free(sql);
    return rc;
}

/* Opens b for nrows rows (-1: not known). Returns OS_OK or OS_EIO. */
static int batch_open(db_batch *b, sqlite3 *db, const char *table, int ncol, long nrows)
{
    int limit = sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    int per = ncol > 0 && limit / ncol < DB_BATCH ? limit / ncol : DB_BATCH;
    *b = (db_batch){.db = db, .ncol = ncol, .left = -1}; /* closable whatever happens */
    if (per < 1)
        return os_error(OS_EIO, "sqlite: %d columns in one row are more parameters than the "
                        "limit of %d", ncol, limit);
    b->into = xstrdup(table);
    b->per = b->step_rows = per;
    b->left = nrows;
    if (nrows < 0)
        return prepare_rows(b, per, 0, &b->st);
    if (nrows == 0)
        return OS_OK; /* nothing to insert: no statement */
    b->step_rows = nrows < per ? (int)nrows : per;
    return prepare_rows(b, b->step_rows, 1, &b->st);
}

int db_batch_open(db_batch *b, sqlite3 *db, const char *table, int ncol)
{
    return batch_open(b, db, table, ncol, -1);
}

int db_batch_open_rows(db_batch *b, sqlite3 *db, const char *table, int ncol, long nrows)
{
    if (nrows < 0)
        return os_error(OS_EIO, "sqlite: a batch of %ld rows into %s", nrows, table);
    return batch_open(b, db, table, ncol, nrows);
}

/* A block of text copies; used bytes from data. */
struct db_batch_block {
    db_batch_block *next;
    size_t cap, used;
    char data[];
};

#define BLOCK (64 * 1024)

void db_batch_text(db_batch *b, int i, const char *s)
{
    if (!s || !*s) {
        sqlite3_bind_null(b->st, i);
        return;
    }
    size_t n = strlen(s) + 1;
    db_batch_block *k = b->cur;
    while (k && k->used + n > k->cap)
        k = k->next; /* a later block, free since the last step, or none */
    if (!k) {
        size_t cap = n > BLOCK ? n : BLOCK;
        k = xmalloc(sizeof *k + cap);
        *k = (db_batch_block){.next = NULL, .cap = cap};
        db_batch_block **end = &b->first;
        while (*end)
            end = &(*end)->next;
        *end = k;
    }
    b->cur = k;
    char *copy = memcpy(k->data + k->used, s, n);
    k->used += n;
    sqlite3_bind_text(b->st, i, copy, (int)n - 1, SQLITE_STATIC);
}

/* Steps the statement, then makes every block free again: SQLite has
 * copied the values into the table. */
static int step(db_batch *b)
{
    int rc = db_step(b->db, b->st);
    for (db_batch_block *k = b->first; k; k = k->next)
        k->used = 0;
    b->cur = b->first;
    return rc;
}

int db_batch_add(db_batch *b)
{
    if (b->left == 0 || !b->st) /* every announced row is in, or no statement */
        return os_error(OS_EIO, "sqlite: %s: more rows than the batch was opened for", b->into);
    if (++b->nrow < b->step_rows)
        return OS_OK;
    b->nrow = 0;
    int rc = step(b);
    if (rc || b->left < 0)
        return rc;
    /* the last step of an exact batch: a statement of just the rows left */
    b->left -= b->step_rows;
    if (b->left > 0 && b->left < b->step_rows) {
        sqlite3_finalize(b->st);
        b->st = NULL;
        b->step_rows = (int)b->left;
        rc = prepare_rows(b, b->step_rows, 1, &b->st);
    }
    return rc;
}

int db_batch_flush(db_batch *b)
{
    if (b->left > 0)
        return os_error(OS_EIO, "sqlite: %s: %ld rows fewer than the batch was opened for",
                        b->into, b->left - b->nrow);
    if (!b->nrow)
        return OS_OK;
    for (int r = b->nrow; r < b->per; r++)
        sqlite3_bind_null(b->st, r * b->ncol + 1);
    b->nrow = 0;
    return step(b);
}

void db_batch_close(db_batch *b)
{
    sqlite3_finalize(b->st);
    b->st = NULL;
    free(b->into);
    b->into = NULL;
    while (b->first) {
        db_batch_block *k = b->first;
        b->first = k->next;
        free(k);
    }
    b->cur = NULL;
}
