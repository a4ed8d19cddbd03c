/* rows.h - the row interface every tabular reader (csv, tsv, xlsx) delivers. */
#ifndef OCCSNAP_ROWS_H
#define OCCSNAP_ROWS_H

#include <stddef.h>

/* One row of a table as read from a file. The reader owns every pointer; they
 * are valid only during the callback. Cell texts are never NULL. A dense row
 * (csv, tsv) has col == NULL: cell i is column i. A sparse row (xlsx) lists
 * only its non-empty cells, with col[i] the 0-based column of cell[i],
 * strictly ascending. Consumers that want a column use rows_cell. */
typedef struct {
    size_t ncell;            /* number of cells delivered in this row */
    const char *const *cell; /* NUL-terminated UTF-8 cell texts */
    long line;               /* 1-based line (csv) or sheet row number (xlsx) */
    const long *col;         /* NULL (dense) or the column of each cell */
} rows_row;

/* Called once per row; returning non-zero (an os_result) stops the reader,
 * which then returns that same value. */
typedef int (*rows_fn)(void *ctx, const rows_row *row);

/* Pulls up to n bytes into buf; returns the count, 0 at end, -1 on error
 * (having reported it). Lets readers stream from a file or a zip member. */
typedef long (*rows_read_fn)(void *src, char *buf, size_t n);

/* Never fails; the text in 0-based column col of row, "" when the row has
 * no cell there (the row owns the text). */
const char *rows_cell(const rows_row *row, long col);

/* Never fails; the number of columns row spans: its last cell's column + 1. */
size_t rows_width(const rows_row *row);

/* Never fails; the 0-based column of row's i-th delivered cell (i < ncell). */
long rows_col(const rows_row *row, size_t i);

#endif
