/* datatest.h - the checks a snapshot must pass before it is published (and on verify). */
#ifndef OCCSNAP_DATATEST_H
#define OCCSNAP_DATATEST_H

#include <jansson.h>
#include <sqlite3.h>

/* Runs every data test on a snapshot database: occupations present, unique
 * and not-null keys, foreign keys resolve to occupation, percentiles within
 * (0, 100), codes well formed, coverage not below each source's floor, and,
 * when prev_counts (the previous snapshot's row_counts, borrowed) is given,
 * every table's row count at least min_row_share of it. Appends one result
 * object per test to results; prints each failing test with its first rows.
 * Returns OS_OK, OS_EDATA (a test failed) or OS_EIO. */
int datatest_run(sqlite3 *db, json_t *prev_counts, double min_row_share, json_t *results);

#endif
