/* sheetdump.c - test tool: prints the cells extract/xlsx delivers for one worksheet, for the cross-check against an independent reader (tests/integration/t_sheet_scan.sh). */
#include "common/error.h"
#include "common/util.h"
#include "extract/xlsx.h"
#include "extract/zipfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int count_only;
    unsigned long long rows, cells, bytes;
} dump_ctx;

/* Never fails; prints each cell as "line:col=value", the value with
 * backslash, newline, carriage return and tab escaped (\\ \n \r \t). */
static int dump_row(void *ctx, const rows_row *r)
{
    dump_ctx *d = ctx;
    d->rows++;
    d->cells += r->ncell;
    for (size_t i = 0; i < r->ncell; i++) {
        const char *s = r->cell[i];
        if (d->count_only) {
            d->bytes += strlen(s);
            continue;
        }
        printf("%ld:%ld=", r->line, rows_col(r, i));
        for (; *s; s++) {
            switch (*s) {
            case '\\': fputs("\\\\", stdout); break;
            case '\n': fputs("\\n", stdout); break;
            case '\r': fputs("\\r", stdout); break;
            case '\t': fputs("\\t", stdout); break;
            default: putchar(*s);
            }
        }
        putchar('\n');
    }
    return 0;
}

/* Exit 0, 2 on a bad command line, or the os_result of the read (its message
 * on stderr). Usage: sheetdump [--count] [--chunk N] [--member M] PATH [SHEET]:
 * PATH is an xlsx, or with --member a zip holding the xlsx M; SHEET is the
 * sheet's name (default: the first). --count prints only totals. */
int main(int argc, char **argv)
{
    dump_ctx d = {0};
    const char *member = NULL;
    size_t chunk = 0;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--count") == 0)
            d.count_only = 1;
        else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
            chunk = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--member") == 0 && i + 1 < argc)
            member = argv[++i];
        else
            break;
    }
    if (i >= argc || argc - i > 2) {
        fprintf(stderr, "usage: sheetdump [--count] [--chunk N] [--member M] PATH [SHEET]\n");
        return 2;
    }
    const char *path = argv[i], *sheet = i + 1 < argc ? argv[i + 1] : NULL;
    size_t max = (size_t)1 << 30;
    zipfile *z;
    int rc = zipfile_open(path, &z);
    if (rc)
        return rc;
    char *buf = NULL;
    if (member) {
        size_t len;
        rc = zipfile_read_all(z, member, max, &buf, &len);
        zipfile_close(z);
        if (rc)
            return rc;
        rc = zipfile_open_buffer(buf, len, member, &z);
        if (rc) {
            free(buf);
            return rc;
        }
    }
    rc = xlsx_read_sheet_chunked(z, NULL, sheet, max, chunk, dump_row, &d);
    zipfile_close(z);
    free(buf);
    if (d.count_only)
        printf("rows %llu cells %llu bytes %llu\n", d.rows, d.cells, d.bytes);
    return rc;
}
