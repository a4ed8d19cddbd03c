/* rows.h - the row interface every tabular reader (csv, tsv, xlsx) delivers. */
#ifndef OCCSNAP_ROWS_H
#define OCCSNAP_ROWS_H

#include <stddef.h>

/* One row of a table as read from a file. The reader owns every pointer; they
 * are valid only during the callback. Missing cells are "" (never NULL). */
typedef struct {
    size_t ncell;            /* number of cells in this row */
    const char *const *cell; /* NUL-terminated UTF-8 cell texts */
    long line;               /* 1-based line (csv) or sheet row number (xlsx) */
} rows_row;

/* Called once per row; returning non-zero (an os_result) stops the reader,
 * which then returns that same value. */
typedef int (*rows_fn)(void *ctx, const rows_row *row);

/* Pulls up to n bytes into buf; returns the count, 0 at end, -1 on error
 * (having reported it). Lets readers stream from a file or a zip member. */
typedef long (*rows_read_fn)(void *src, char *buf, size_t n);

#endif
