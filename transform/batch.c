/* batch.c - multi-row INSERT statements: many rows per step, for the big tables of a transform. */
#include "transform/batch.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tf_batch_open(tf_batch *b, sqlite3 *db, const char *table, int ncol)
{
    size_t cap = 128 + strlen(table) + (size_t)TF_BATCH * (3 + 2 * (size_t)ncol);
    char *sql = xmalloc(cap);
    size_t n = (size_t)snprintf(sql, cap, "INSERT INTO %s SELECT * FROM (VALUES", table);
    for (int r = 0; r < TF_BATCH; r++) {
        n += (size_t)snprintf(sql + n, cap - n, "%s(?", r ? "," : "");
        for (int k = 1; k < ncol; k++)
            n += (size_t)snprintf(sql + n, cap - n, ",?");
        n += (size_t)snprintf(sql + n, cap - n, ")");
    }
    snprintf(sql + n, cap - n, ") WHERE column1 IS NOT NULL");
    *b = (tf_batch){.db = db, .ncol = ncol};
    int rc = db_prepare(db, sql, &b->st);
    free(sql);
    return rc;
}

int tf_batch_add(tf_batch *b)
{
    if (++b->nrow < TF_BATCH)
        return OS_OK;
    b->nrow = 0;
    return db_step(b->db, b->st);
}

int tf_batch_flush(tf_batch *b)
{
    if (!b->nrow)
        return OS_OK;
    for (int r = b->nrow; r < TF_BATCH; r++)
        sqlite3_bind_null(b->st, r * b->ncol + 1);
    b->nrow = 0;
    return db_step(b->db, b->st);
}

void tf_batch_close(tf_batch *b)
{
    sqlite3_finalize(b->st);
    b->st = NULL;
}
