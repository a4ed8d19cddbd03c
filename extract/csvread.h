/* csvread.h - stream CSV and tab-delimited text through libcsv, with line numbers. */
#ifndef OCCSNAP_CSVREAD_H
#define OCCSNAP_CSVREAD_H

#include "extract/rows.h"

typedef struct {
    char delim;     /* ',' or '\t' */
    int quoting;    /* 1: RFC 4180 quotes; 0: quotes are ordinary characters
                       (O*NET's tab-delimited text has bare '"' in fields) */
    int ragged_ok;  /* 1: rows may have a different cell count than the first */
} csvread_opts;

/* Streams rows from read(src) to fn. A UTF-8 BOM is dropped, CRLF and LF both
 * end rows, quoted fields may hold newlines; row->line is the line the row
 * starts on. Blank lines are skipped. Returns an os_result: OS_EPARSE naming
 * `label` and the line for a ragged row (unless ragged_ok) or an unterminated
 * quote; OS_EIO if read fails; whatever fn returned if it stopped. */
int csvread_stream(const char *label, rows_read_fn read, void *src,
                   const csvread_opts *opt, rows_fn fn, void *ctx);

/* Same, reading the file at path. */
int csvread_file(const char *path, const csvread_opts *opt, rows_fn fn, void *ctx);

/* Same, over a buffer in memory. */
int csvread_buffer(const char *label, const char *buf, size_t len,
                   const csvread_opts *opt, rows_fn fn, void *ctx);

#endif
