/* batch.c - multi-row INSERT statements: many rows per step, for the big tables of the stage and the transform. */
#include "common/batch.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int db_batch_open(db_batch *b, sqlite3 *db, const char *table, int ncol)
{
    int limit = sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
    int per = ncol > 0 && limit / ncol < DB_BATCH ? limit / ncol : DB_BATCH;
    *b = (db_batch){.db = db, .ncol = ncol}; /* closable whatever happens */
    if (per < 1)
        return os_error(OS_EIO, "sqlite: %d columns in one row are more parameters than the "
                        "limit of %d", ncol, limit);
    size_t cap = 128 + strlen(table) + (size_t)per * (3 + 2 * (size_t)ncol);
    char *sql = xmalloc(cap);
    size_t n = (size_t)snprintf(sql, cap, "INSERT INTO %s SELECT * FROM (VALUES", table);
    for (int r = 0; r < per; r++) {
        n += (size_t)snprintf(sql + n, cap - n, "%s(?", r ? "," : "");
        for (int k = 1; k < ncol; k++)
            n += (size_t)snprintf(sql + n, cap - n, ",?");
        n += (size_t)snprintf(sql + n, cap - n, ")");
    }
    snprintf(sql + n, cap - n, ") WHERE column1 IS NOT NULL");
    *b = (db_batch){.db = db, .ncol = ncol, .per = per};
    int rc = db_prepare(db, sql, &b->st);
    free(sql);
    return rc;
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
    if (++b->nrow < b->per)
        return OS_OK;
    b->nrow = 0;
    return step(b);
}

int db_batch_flush(db_batch *b)
{
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
    while (b->first) {
        db_batch_block *k = b->first;
        b->first = k->next;
        free(k);
    }
    b->cur = NULL;
}
