/* xlsx.h - stream the rows of one worksheet of an xlsx workbook (zip; expat for the small parts, extract/sheetxml for the worksheet). */
#ifndef OCCSNAP_XLSX_H
#define OCCSNAP_XLSX_H

#include "extract/rows.h"
#include "extract/zipfile.h"

/* Reads the sheet named `sheet` (exact name; NULL = the first sheet in
 * workbook order) and calls fn once per non-empty row, in order. Rows are
 * sparse: only non-empty cells are delivered, each with its 0-based column
 * (from its reference, or the one after the previous cell) in row->col, so a
 * consumer reads a column with rows_cell; shared strings, inline
 * strings, numbers (the stored text, e.g. "66430" or "0.7777777777777777"),
 * booleans ("0"/"1") and error cells ("#N/A") are all delivered as text;
 * rich-text runs are concatenated. row->line is the sheet row number.
 * max_bytes caps each member read. Returns an os_result: OS_EPARSE naming the
 * workbook (label) and sheet when the sheet is missing (listing the sheets
 * that exist), the XML is malformed, or a row or cell reference is outside
 * Excel's grid (rows 1..1048576, columns A..XFD; named with the row);
 * whatever fn returned if it stopped. */
int xlsx_read_sheet(zipfile *z, const char *label, const char *sheet,
                    size_t max_bytes, rows_fn fn, void *ctx);

/* xlsx_read_sheet reading the worksheet part chunk bytes at a time (0: the
 * default, 256 KiB). The rows are the same for every chunk size; tests give
 * tiny ones so that every token of the sheet straddles two reads. The
 * worksheet must be well-formed XML 1.0 in UTF-8 without a DOCTYPE (see
 * extract/sheetxml.h); anything else is OS_EPARSE naming label, the sheet
 * and the line. */
int xlsx_read_sheet_chunked(zipfile *z, const char *label, const char *sheet,
                            size_t max_bytes, size_t chunk, rows_fn fn, void *ctx);

/* Convenience: opens path as a zip and reads the sheet. */
int xlsx_read_sheet_file(const char *path, const char *sheet, size_t max_bytes,
                         rows_fn fn, void *ctx);

#endif
