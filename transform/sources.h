/* sources.h - rows of aggregate-publishing sources (OEWS, EP), the steps their transforms share. */
#ifndef OCCSNAP_SOURCES_H
#define OCCSNAP_SOURCES_H

#include "transform/context.h"
#include "transform/mapping.h"

#include <stddef.h>

/* ------------------------------------- rows of aggregate-publishing sources */

/* The first member of every row struct of an aggregate-publishing source
 * (OEWS, EP, Microsoft), so the helpers below can walk any of them. */
typedef struct {
    long row;     /* staged row (_row) */
    char code[8]; /* its SOC code (or SOC aggregate code) */
    long takers;  /* occupations that take this row */
} tf_agg_row;

/* Makes room for row n in rows, an array of *cap structs of size bytes each
 * starting with a tf_agg_row, and zeroes it with row and code filled in.
 * Returns the array (it may move; the caller owns and frees it); cannot fail
 * (dies on OOM). */
void *tf_agg_append(void *rows, size_t n, size_t *cap, size_t size, long row, const char *code);

/* tf_take_rows over rows (laid out as for tf_agg_append), then counts in each
 * row's takers the occupations that take it. *take and *how get new arrays
 * per occupation (row index or -1, enum match_kind) the caller frees; cannot
 * fail (dies on OOM). */
void tf_agg_take(tf *t, const strmap *by_code, void *rows, size_t size, long **take,
                 unsigned char **how);

/* In file order, counts each of the n rows (laid out as for tf_agg_append)
 * that some occupation takes in c->rows_mapped and lists the others as
 * unmatched, with the reason why(row) returns (a malloc'd string freed here).
 * Returns the os_result of the first listing that fails, which stops it. */
int tf_agg_unmatched(tf *t, tf_coverage *c, const void *rows, size_t n, size_t size,
                     char *(*why)(const void *row));

#endif
