/* fuzz_zipfile.c - libFuzzer target: an archive in memory through extract/zipfile (open, find, stream, read whole). */
#include "common/error.h"
#include "extract/zipfile.h"

#include <stdint.h>
#include <stdlib.h>
#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CAP ((size_t)1 << 20) /* member cap: a bomb must stop here */

/* Never fails; streams one member in small reads, then reads it whole. */
static void read_member(zipfile *z, const char *name)
{
    if (!zipfile_has(z, name))
        return;
    zipfile_member *m;
    if (zipfile_member_open(z, name, CAP, &m) == 0) {
        char buf[4096];
        size_t total = 0;
        long got;
        while ((got = zipfile_member_read(m, buf, sizeof buf)) > 0)
            total += (size_t)got;
        if (total > CAP)
            abort(); /* the cap is a promise */
        zipfile_member_close(m);
    }
    char *all;
    size_t len;
    if (zipfile_read_all(z, name, CAP, &all, &len) == 0) {
        if (len > CAP || all[len] != '\0')
            abort();
        free(all);
    }
}

/* The input is the archive; each of its first 16 members (names as libzip
 * lists them) is read. Never fails: errors are results, not crashes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_quiet = 1;
    zipfile *z;
    if (zipfile_open_buffer(data, size, "fuzz.zip", &z) != 0)
        return 0;
    /* a second, plain libzip handle only to list the names */
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(data, size, 0, &err);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : NULL;
    if (!za && src)
        zip_source_free(src);
    zip_int64_t n = za ? zip_get_num_entries(za, 0) : 0;
    for (zip_int64_t i = 0; i < n && i < 16; i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        if (name)
            read_member(z, name);
    }
    read_member(z, "xl/workbook.xml");
    if (za)
        zip_discard(za);
    zip_error_fini(&err);
    zipfile_close(z);
    return 0;
}
