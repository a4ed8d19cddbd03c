/* rows.c - column look-ups on the rows every reader delivers, dense or sparse. */
#include "extract/rows.h"

/* Never fails; binary search of a sparse row, direct index of a dense one;
 * the text stays the row's. */
const char *rows_cell(const rows_row *row, long col)
{
    if (col < 0)
        return "";
    if (!row->col)
        return (size_t)col < row->ncell ? row->cell[col] : "";
    size_t lo = 0, hi = row->ncell;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (row->col[mid] < col)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < row->ncell && row->col[lo] == col ? row->cell[lo] : "";
}

/* Never fails; reads only row. */
size_t rows_width(const rows_row *row)
{
    if (!row->col || row->ncell == 0)
        return row->ncell;
    return (size_t)row->col[row->ncell - 1] + 1;
}

/* Never fails; reads only row. */
long rows_col(const rows_row *row, size_t i)
{
    return row->col ? row->col[i] : (long)i;
}
