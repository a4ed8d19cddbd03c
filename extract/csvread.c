/* csvread.c - stream CSV and tab-delimited text through libcsv, with line numbers. */
#include "extract/csvread.h"
#include "common/error.h"
#include "common/util.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* State shared with libcsv's callbacks. Cells of the current row are kept in
 * one growing byte buffer with offsets, so a row costs no per-cell malloc. */
typedef struct {
    const char *label;
    const csvread_opts *opt;
    rows_fn fn;
    void *ctx;
    char *bytes;
    size_t nbytes, capbytes;
    size_t *off;
    const char **cells;
    size_t ncell, capcell;
    size_t width;       /* cell count of the first row, 0 until seen */
    long line;          /* current physical line being fed */
    long row_start;     /* line the current row started on, 0 = none yet */
    long after;         /* line after the last complete row (for messages) */
    int result;         /* first non-zero result; stops further callbacks */
} reader;

static void on_field(void *data, size_t len, void *vr)
{
    reader *r = vr;
    if (r->result)
        return;
    if (r->row_start == 0) {
        /* The first field is reported when it ends; a quoted field may hold
         * newlines, so count back to the line it began on. */
        long nl = 0;
        for (size_t i = 0; i < len; i++)
            nl += ((const char *)data)[i] == '\n';
        r->row_start = r->line - nl;
    }
    if (r->ncell == r->capcell) {
        r->capcell = r->capcell ? 2 * r->capcell : 32;
        r->off = xrealloc(r->off, r->capcell * sizeof *r->off);
        r->cells = xrealloc(r->cells, r->capcell * sizeof *r->cells);
    }
    if (r->nbytes + len + 1 > r->capbytes) {
        while (r->nbytes + len + 1 > r->capbytes)
            r->capbytes = r->capbytes ? 2 * r->capbytes : 4096;
        r->bytes = xrealloc(r->bytes, r->capbytes);
    }
    r->off[r->ncell++] = r->nbytes;
    if (len)
        memcpy(r->bytes + r->nbytes, data, len);
    r->nbytes += len;
    r->bytes[r->nbytes++] = '\0';
}

static void on_row(int term, void *vr)
{
    reader *r = vr;
    (void)term;
    if (r->result) {
        r->ncell = r->nbytes = 0;
        return;
    }
    size_t n = r->ncell;
    /* libcsv reports a blank line as a row of one empty field: skip it. */
    int blank = n == 0 || (n == 1 && r->bytes[r->off[0]] == '\0');
    if (!blank) {
        if (r->width == 0)
            r->width = n;
        else if (n != r->width && !r->opt->ragged_ok)
            r->result = os_error(OS_EPARSE,
                                 "%s: line %ld has %zu fields, expected %zu (as in the first row)",
                                 r->label, r->row_start, n, r->width);
        if (!r->result) {
            for (size_t i = 0; i < n; i++)
                r->cells[i] = r->bytes + r->off[i];
            rows_row row = {n, r->cells, r->row_start, NULL};
            r->result = r->fn(r->ctx, &row);
        }
    }
    r->ncell = r->nbytes = 0;
    r->row_start = 0;
    r->after = r->line + 1;
}

/* Feeds one chunk to libcsv a line at a time, so that callbacks know which
 * physical line they are on (libcsv itself does not count lines). */
static int feed(struct csv_parser *p, reader *r, const char *buf, size_t len)
{
    while (len > 0 && !r->result) {
        const char *nl = memchr(buf, '\n', len);
        size_t seg = nl ? (size_t)(nl - buf) + 1 : len;
        if (csv_parse(p, buf, seg, on_field, on_row, r) != seg)
            return os_error(OS_EPARSE, "%s: line %ld: malformed quoting (%s)", r->label, r->line,
                            csv_strerror(csv_error(p)));
        if (nl)
            r->line++;
        buf += seg;
        len -= seg;
    }
    return r->result;
}

int csvread_stream(const char *label, rows_read_fn read, void *src,
                   const csvread_opts *opt, rows_fn fn, void *ctx)
{
    struct csv_parser p;
    /* Strict: a stray quote or an unterminated quoted field is an error,
     * not a field that silently swallows the rest of the file. */
    unsigned char flags = opt->quoting ? CSV_STRICT | CSV_STRICT_FINI : 0;
    if (csv_init(&p, flags) != 0)
        return os_error(OS_ENOMEM, "cannot start the CSV parser");
    csv_set_delim(&p, (unsigned char)opt->delim);
    /* With quoting off, no byte of valid text can start a quoted field. */
    csv_set_quote(&p, opt->quoting ? CSV_QUOTE : 0);
    reader r = {.label = label, .opt = opt, .fn = fn, .ctx = ctx, .line = 1, .after = 1};
    os_clear_last_code(); /* so a failed read's own report can be told apart */
    char buf[1 << 16];
    int first = 1, result = OS_OK;
    for (;;) {
        long n = read(src, buf, sizeof buf);
        if (n < 0) {
            /* the reader reported why (a zip member over its cap is a parse
             * error, a failed read an i/o error): keep its code */
            int reported = (int)os_last_code();
            result = r.result ? r.result : reported ? reported : OS_EIO;
            break;
        }
        /* Gather the first three bytes, however the reader splits them, to
         * see whether they are a byte-order mark. */
        while (first && n > 0 && n < 3) {
            long more = read(src, buf + n, sizeof buf - (size_t)n);
            if (more <= 0) {
                if (more < 0) {
                    /* as above: keep the code the reader reported */
                    int reported = (int)os_last_code();
                    result = r.result ? r.result : reported ? reported : OS_EIO;
                }
                break;
            }
            n += more;
        }
        if (result)
            break;
        if (n == 0)
            break;
        const char *b = buf;
        size_t len = (size_t)n;
        if (first && len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0)
            b += 3, len -= 3;
        first = 0;
        if (memchr(b, '\0', len)) { /* a text file never holds one, quoted or not */
            result = os_error(OS_EPARSE, "%s: NUL byte near line %ld: not a text file",
                              label, r.line);
            break;
        }
        result = feed(&p, &r, b, len);
        if (result)
            break;
    }
    if (!result) {
        if (csv_fini(&p, on_field, on_row, &r) != 0)
            result = os_error(OS_EPARSE, "%s: line %ld: unterminated quoted field (still open at the end of the file)",
                              label, r.row_start ? r.row_start : r.after);
        else
            result = r.result;
    }
    csv_free(&p);
    free(r.bytes);
    free(r.off);
    free(r.cells);
    return result;
}

/* The rows_read_fn of a FILE: returns the byte count, 0 at the end, or -1
 * after reporting OS_EIO (a count, like read(2), not an os_result). */
static long read_stdio(void *src, char *buf, size_t n)
{
    FILE *f = src;
    size_t got = fread(buf, 1, n, f);
    if (got == 0 && ferror(f)) {
        os_error(OS_EIO, "read error: %s", strerror(errno));
        return -1;
    }
    return (long)got;
}

int csvread_file(const char *path, const csvread_opts *opt, rows_fn fn, void *ctx)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return os_error(OS_EIO, "cannot open %s: %s", path, strerror(errno));
    int result = csvread_stream(path, read_stdio, f, opt, fn, ctx);
    if (ferror(f) && !result)
        result = os_error(OS_EIO, "cannot read %s", path);
    fclose(f);
    return result;
}

typedef struct {
    const char *buf;
    size_t len, pos;
} membuf;

/* The rows_read_fn of a membuf: returns the byte count, 0 at the end; never fails. */
static long read_mem(void *src, char *buf, size_t n)
{
    membuf *m = src;
    size_t left = m->len - m->pos;
    if (n > left)
        n = left;
    memcpy(buf, m->buf + m->pos, n);
    m->pos += n;
    return (long)n;
}

int csvread_buffer(const char *label, const char *buf, size_t len,
                   const csvread_opts *opt, rows_fn fn, void *ctx)
{
    membuf m = {buf, len, 0};
    return csvread_stream(label, read_mem, &m, opt, fn, ctx);
}
