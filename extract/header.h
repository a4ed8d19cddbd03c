/* header.h - find a table's header row by column names, not by position. */
#ifndef OCCSNAP_HEADER_H
#define OCCSNAP_HEADER_H

#include "extract/rows.h"

/* Returns 1 if cell is the wanted header: both are compared trimmed, with
 * runs of blanks (space, tab, newline, no-break space) as one space, en and em
 * dashes as '-', and ASCII case folded. A "{year}" in want matches four
 * digits, stored in *year when year is not NULL; a "*" matches any run of
 * characters (a footnote mark such as "[1]", a year range). */
int header_matches(const char *want, const char *cell, int *year);

/* Looks for the header in row: fills idx[i] with the column of want[i]
 * (-1 if absent; each cell serves only the first header that matches it)
 * and returns how many were found. years[i] gets the {year}
 * value of want[i] (or 0); years may be NULL. */
size_t header_map_row(const char *const *want, size_t nwant, const rows_row *row,
                      int *idx, int *years);

#endif
