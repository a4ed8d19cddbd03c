/* fuzz_csvread.c - libFuzzer target: CSV and tab-delimited text through extract/csvread. */
#include "common/error.h"
#include "extract/csvread.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Never fails; reads every cell (so a bad pointer shows) and its column. */
static int touch_row(void *ctx, const rows_row *row)
{
    size_t *sum = ctx;
    for (size_t i = 0; i < row->ncell; i++)
        *sum += strlen(row->cell[i]) + (size_t)rows_col(row, i);
    *sum += strlen(rows_cell(row, (long)rows_width(row) - 1));
    return row->line < 0 ? OS_EPARSE : 0;
}

/* The first byte picks the options (delimiter, quoting, ragged rows); the
 * rest is the text. Never fails: errors are results, not crashes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    os_quiet = 1;
    csvread_opts opt = {(data[0] & 1) ? '\t' : ',', (data[0] >> 1) & 1, (data[0] >> 2) & 1};
    size_t sum = 0;
    csvread_buffer("fuzz.csv", (const char *)data + 1, size - 1, &opt, touch_row, &sum);
    return 0;
}
