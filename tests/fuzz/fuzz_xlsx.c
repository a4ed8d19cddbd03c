/* fuzz_xlsx.c - libFuzzer target: a worksheet, its shared strings and the workbook relations through extract/xlsx. */
#include "common/error.h"
#include "extract/xlsx.h"
#include "extract/zipfile.h"
#include "tests/fuzz/memzip.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char WORKBOOK[] =
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
    "<sheets><sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
static const char RELS[] =
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
    "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
    "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>";

/* Never fails; reads every delivered cell and checks the sparse-row promises;
 * folds the rows into a hash (ctx), so two reads can be compared. */
static int touch_row(void *ctx, const rows_row *row)
{
    uint64_t *sum = ctx;
    if (row->line < 1 || row->line > 1048576 || row->ncell == 0)
        abort();
    for (size_t i = 0; i < row->ncell; i++) {
        long col = rows_col(row, i);
        if (col < 0 || col >= 16384 || (i && col <= rows_col(row, i - 1)))
            abort();
        *sum = (*sum ^ (uint64_t)row->line) * 1099511628211u;
        *sum = (*sum ^ (uint64_t)col) * 1099511628211u;
        for (const char *c = row->cell[i]; *c; c++)
            *sum = (*sum ^ (unsigned char)*c) * 1099511628211u;
        *sum = (*sum ^ 0xFF) * 1099511628211u;
        if (rows_cell(row, col) != row->cell[i])
            abort();
    }
    return 0;
}

/* The input is up to four parts separated by "\n====\n": the sheet, the
 * shared strings, the workbook relations and the workbook (missing parts get
 * a plain default); they become an in-memory xlsx, read twice: with the
 * default read size and a few bytes at a time (so tokens straddle reads),
 * which must give the same rows, result and message. Never fails: errors
 * are results, not crashes (a difference aborts). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_quiet = 1;
    const char *part[4];
    size_t plen[4];
    size_t n = memzip_split((const char *)data, size, part, plen, 4);
    memzip_member m[4] = {
        {"xl/worksheets/sheet1.xml", part[0], plen[0]},
        {"xl/_rels/workbook.xml.rels", n > 2 ? part[2] : RELS, n > 2 ? plen[2] : strlen(RELS)},
        {"xl/workbook.xml", n > 3 ? part[3] : WORKBOOK, n > 3 ? plen[3] : strlen(WORKBOOK)},
        {"xl/sharedStrings.xml", n > 1 ? part[1] : "", n > 1 ? plen[1] : 0},
    };
    size_t zlen;
    char *zbuf = memzip_build(m, n > 1 ? 4 : 3, &zlen); /* one part: no shared strings */
    zipfile *z;
    if (zipfile_open_buffer(zbuf, zlen, "fuzz.xlsx", &z) == 0) {
        uint64_t sum[2] = {0, 0};
        int rc[2];
        char *msg = NULL;
        for (int k = 0; k < 2; k++) {
            size_t chunk = k == 0 ? 0 : 1 + size % 13;
            rc[k] = xlsx_read_sheet_chunked(z, NULL, n > 3 ? NULL : "Data", (size_t)1 << 22,
                                            chunk, touch_row, &sum[k]);
            if (k == 0 && rc[0])
                msg = strdup(os_last_error());
        }
        if (rc[0] != rc[1] || sum[0] != sum[1] || (rc[0] && strcmp(msg, os_last_error()) != 0))
            abort();
        free(msg);
        zipfile_close(z);
    }
    free(zbuf);
    return 0;
}
