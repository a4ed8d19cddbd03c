/* zipfile.c - read members of a zip archive (libzip) from disk or memory, with size caps. */
#include "extract/zipfile.h"
#include "common/error.h"
#include "common/util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

struct zipfile {
    zip_t *za;   /* owned; zip_discard on close */
    char *label; /* owned; the path or caller's label, used in messages */
};

struct zipfile_member {
    zip_file_t *zf;    /* owned; zip_fclose on close */
    const char *label; /* borrowed from the zipfile, which must outlive us */
    char *name;        /* owned copy of the member name */
    size_t max;        /* cap on uncompressed bytes */
    size_t got;        /* bytes delivered so far (never > max) */
    int failed;        /* a read failed or overflowed: later reads return -1 */
};

/* Copies libzip's text for an error code into buf; never fails. */
static void zip_code_text(int code, char *buf, size_t n)
{
    zip_error_t e;
    zip_error_init_with_code(&e, code);
    snprintf(buf, n, "%s", zip_error_strerror(&e));
    zip_error_fini(&e);
}

/* Maps a libzip open failure to OS_EPARSE (not a zip / damaged) or OS_EIO
 * (could not read) with a message naming what; the caller owns nothing here. */
static int open_failure(const char *what, int code, const char *text)
{
    switch (code) {
    case ZIP_ER_NOZIP:
    case ZIP_ER_INCONS:
    case ZIP_ER_COMPNOTSUPP:
    case ZIP_ER_ENCRNOTSUPP:
        return os_error(OS_EPARSE, "%s is not a zip archive (%s)", what, text);
    default:
        return os_error(OS_EIO, "cannot open zip archive %s (%s)", what, text);
    }
}

/* Fails with OS_EIO when path is missing or unreadable and OS_EPARSE when it
 * is not a zip; on success *out belongs to the caller (zipfile_close). */
int zipfile_open(const char *path, zipfile **out)
{
    struct stat st;
    *out = NULL;
    if (stat(path, &st) != 0)
        return os_error(OS_EIO, "cannot open zip archive %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return os_error(OS_EIO, "cannot open zip archive %s: is a directory", path);
    if (S_ISREG(st.st_mode) && st.st_size == 0)
        return os_error(OS_EPARSE, "%s is not a zip archive (empty file)", path);

    int code = 0;
    zip_t *za = zip_open(path, ZIP_RDONLY, &code);
    if (!za) {
        char text[256];
        zip_code_text(code, text, sizeof text);
        return open_failure(path, code, text);
    }
    zipfile *z = xcalloc(1, sizeof *z);
    z->za = za;
    z->label = xstrdup(path);
    *out = z;
    return OS_OK;
}

/* Fails with OS_EPARSE (naming label) when buf is not a zip; buf stays the
 * caller's and must outlive *out, which the caller closes (zipfile_close). */
int zipfile_open_buffer(const void *buf, size_t len, const char *label, zipfile **out)
{
    const char *what = label ? label : "(memory)";
    *out = NULL;
    if (len == 0)
        return os_error(OS_EPARSE, "%s is not a zip archive (empty)", what);

    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(buf, len, 0, &err);
    if (!src) {
        int rc = os_error(OS_EIO, "cannot open zip archive %s (%s)", what,
                          zip_error_strerror(&err));
        zip_error_fini(&err);
        return rc;
    }
    zip_t *za = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (!za) {
        int rc = open_failure(what, zip_error_code_zip(&err), zip_error_strerror(&err));
        zip_source_free(src); /* still ours when the open fails */
        zip_error_fini(&err);
        return rc;
    }
    zip_error_fini(&err);
    zipfile *z = xcalloc(1, sizeof *z);
    z->za = za; /* the archive now owns src */
    z->label = xstrdup(what);
    *out = z;
    return OS_OK;
}

/* Never fails; accepts NULL; frees the archive and its label. */
void zipfile_close(zipfile *z)
{
    if (!z)
        return;
    zip_discard(z->za);
    free(z->label);
    free(z);
}

/* Never fails; the label stays owned by z. */
const char *zipfile_label(const zipfile *z)
{
    return z->label;
}

/* Never fails: any lookup problem reads as "not there". */
int zipfile_has(zipfile *z, const char *member)
{
    return zip_name_locate(z->za, member, 0) >= 0;
}

/* Fails with OS_EPARSE naming archive and member when it is missing, over
 * max_bytes by its header, or cannot be opened; *out is the caller's to close. */
int zipfile_member_open(zipfile *z, const char *member, size_t max_bytes,
                        zipfile_member **out)
{
    *out = NULL;
    zip_int64_t idx = zip_name_locate(z->za, member, 0);
    if (idx < 0)
        return os_error(OS_EPARSE, "%s: member '%s' not found", z->label, member);

    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(z->za, (zip_uint64_t)idx, 0, &st) != 0)
        return os_error(OS_EPARSE, "%s: member '%s': %s", z->label, member,
                        zip_strerror(z->za));
    if ((st.valid & ZIP_STAT_SIZE) && st.size > (zip_uint64_t)max_bytes)
        return os_error(OS_EPARSE,
                        "%s: member '%s' is %llu bytes, over the %zu-byte limit",
                        z->label, member, (unsigned long long)st.size, max_bytes);

    zip_file_t *zf = zip_fopen_index(z->za, (zip_uint64_t)idx, 0);
    if (!zf)
        return os_error(OS_EPARSE, "%s: member '%s' cannot be opened (%s)", z->label,
                        member, zip_strerror(z->za));

    zipfile_member *m = xcalloc(1, sizeof *m);
    m->zf = zf;
    m->label = z->label;
    m->name = xstrdup(member);
    m->max = max_bytes;
    *out = m;
    return OS_OK;
}

/* Returns -1 (reported, naming archive and member) on a libzip read error or
 * when the data runs past max_bytes; buf belongs to the caller. */
long zipfile_member_read(void *member, char *buf, size_t n)
{
    zipfile_member *m = member;
    if (m->failed)
        return -1;
    if (n == 0)
        return 0;
    if (n > (size_t)LONG_MAX)
        n = (size_t)LONG_MAX;
    /* Ask for at most one byte beyond the cap so an overflow shows up. */
    size_t room = m->max - m->got;
    size_t want = n > room ? room + 1 : n;
    zip_int64_t r = zip_fread(m->zf, buf, want);
    if (r < 0) {
        m->failed = 1;
        os_error(OS_EPARSE, "%s: member '%s': read failed (%s)", m->label, m->name,
                 zip_file_strerror(m->zf));
        return -1;
    }
    if ((zip_uint64_t)r > room) {
        m->failed = 1;
        os_error(OS_EPARSE, "%s: member '%s' is larger than the %zu-byte limit",
                 m->label, m->name, m->max);
        return -1;
    }
    m->got += (size_t)r;
    return (long)r;
}

/* Never fails; accepts NULL. */
void zipfile_member_close(zipfile_member *m)
{
    if (!m)
        return;
    zip_fclose(m->zf);
    free(m->name);
    free(m);
}

/* Fails like zipfile_member_open/read; on success *buf is a NUL-terminated
 * malloc'd copy the caller frees, and on failure *buf is NULL. */
int zipfile_read_all(zipfile *z, const char *member, size_t max_bytes,
                     char **buf, size_t *len)
{
    *buf = NULL;
    if (len)
        *len = 0;
    zipfile_member *m;
    int rc = zipfile_member_open(z, member, max_bytes, &m);
    if (rc)
        return rc;

    zip_stat_t st;
    zip_stat_init(&st);
    size_t cap = 4096;
    if (zip_stat(z->za, member, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE))
        cap = (size_t)st.size + 2; /* data, NUL, and room to see the end */
    char *data = xmalloc(cap);
    size_t used = 0;
    for (;;) {
        if (cap - used < 2) {
            cap = cap * 2;
            data = xrealloc(data, cap);
        }
        long r = zipfile_member_read(m, data + used, cap - used - 1);
        if (r < 0) {
            free(data);
            zipfile_member_close(m);
            return OS_EPARSE;
        }
        if (r == 0)
            break;
        used += (size_t)r;
    }
    zipfile_member_close(m);
    data[used] = '\0';
    *buf = data;
    if (len)
        *len = used;
    return OS_OK;
}
