/* zipfile.c - read members of a zip archive (libzip) from disk or memory, with size caps. */
/* A deflated member is read from libzip as its compressed bytes and inflated
 * here with ISA-L (igzip), which inflates about 2.5 times as fast as zlib
 * (the O*NET sheets: 3.4 MB of deflate data, 32 MB out, 16 ms against 40);
 * its CRC-32 and size are checked against the archive's directory, as
 * libzip checks them. Any other method goes through libzip's own reader. */
#include "extract/zipfile.h"
#include "common/error.h"
#include "common/util.h"

#include <errno.h>
#include <isa-l/igzip_lib.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zip.h>

struct zipfile {
    zip_t *za;   /* owned; zip_discard on close */
    char *label; /* owned; the path or caller's label, used in messages */
};

/* Compressed bytes taken from libzip at a time, for the inflater. */
#define INFLATE_IN_BYTES ((size_t)64 << 10)

struct zipfile_member {
    zip_file_t *zf;    /* owned; zip_fclose on close */
    const char *label; /* borrowed from the zipfile, which must outlive us */
    char *name;        /* owned copy of the member name */
    size_t max;        /* cap on uncompressed bytes */
    size_t got;        /* bytes delivered so far (never > max) */
    int failed;        /* a read failed or overflowed: later reads return -1 */
    /* a deflated member inflated here (inf non-NULL): zf gives its
       compressed bytes, comp_left of them still to come */
    struct inflate_state *inf; /* owned */
    unsigned char *in;         /* owned; INFLATE_IN_BYTES */
    zip_uint64_t comp_left, size; /* the directory's compressed and plain sizes */
    uint32_t crc;                 /* the directory's CRC-32 */
    int ended;                    /* the deflate stream's last block is out */
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

    /* deflate, not encrypted, with the sizes and CRC to check: inflated here */
    const zip_uint64_t need = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC |
                              ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
    int raw = (st.valid & need) == need && st.comp_method == ZIP_CM_DEFLATE &&
              st.encryption_method == ZIP_EM_NONE && st.size <= UINT32_MAX;
    zip_file_t *zf = zip_fopen_index(z->za, (zip_uint64_t)idx, raw ? ZIP_FL_COMPRESSED : 0);
    if (!zf)
        return os_error(OS_EPARSE, "%s: member '%s' cannot be opened (%s)", z->label,
                        member, zip_strerror(z->za));

    zipfile_member *m = xcalloc(1, sizeof *m);
    m->zf = zf;
    m->label = z->label;
    m->name = xstrdup(member);
    m->max = max_bytes;
    if (raw) {
        m->inf = xmalloc(sizeof *m->inf);
        isal_inflate_init(m->inf);
        m->inf->crc_flag = ISAL_GZIP_NO_HDR; /* the gzip CRC-32 is zip's */
        m->in = xmalloc(INFLATE_IN_BYTES);
        m->comp_left = st.comp_size;
        m->size = st.size;
        m->crc = st.crc;
    }
    *out = m;
    return OS_OK;
}

/* Marks m failed and reports what fmt says, after the archive and member's
 * names; returns -1. */
static long member_failed(zipfile_member *m, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    m->failed = 1;
    os_error(OS_EPARSE, "%s: member '%s': %s", m->label, m->name, what);
    return -1;
}

/* Inflates up to n bytes of m into buf (n <= UINT32_MAX): the count, 0 at
 * the stream's end once its size and CRC-32 matched the directory's, or -1
 * (reported) on a read error, bad deflate data, data that stops short or a
 * mismatch. */
static long inflate_some(zipfile_member *m, char *buf, size_t n)
{
    struct inflate_state *s = m->inf;
    s->next_out = (uint8_t *)buf;
    s->avail_out = (uint32_t)n;
    while (s->avail_out && !m->ended) {
        if (!s->avail_in && m->comp_left) {
            size_t want = m->comp_left < INFLATE_IN_BYTES ? (size_t)m->comp_left
                                                          : INFLATE_IN_BYTES;
            zip_int64_t r = zip_fread(m->zf, m->in, want);
            if (r <= 0)
                return member_failed(m, "read failed (%s)",
                                     r < 0 ? zip_file_strerror(m->zf) : "the archive ends early");
            m->comp_left -= (zip_uint64_t)r;
            s->next_in = m->in;
            s->avail_in = (uint32_t)r;
        }
        if (isal_inflate(s) < 0)
            return member_failed(m, "read failed (its deflate data is corrupt)");
        m->ended = s->block_state == ISAL_BLOCK_FINISH;
        /* isal_inflate returns when the input is used up, the output full,
           the stream ended or the data is bad: room left on both sides and
           no end is bad data (going on would never end), and input used up
           with none left to read is data that stops short */
        if (!m->ended && s->avail_out && s->avail_in)
            return member_failed(m, "read failed (its deflate data is corrupt)");
        if (!m->ended && s->avail_out && !m->comp_left)
            return member_failed(m, "read failed (its deflate data ends before its last "
                                    "block)");
        if (s->total_out > m->size)
            break; /* more than the directory says: reported below */
    }
    long r = (long)(n - s->avail_out);
    int more = (zip_uint64_t)s->total_out > m->size;
    if (more || (m->ended && (zip_uint64_t)s->total_out != m->size)) {
        if (m->got + (size_t)r > m->max)
            return r; /* the cap's message first (the caller's), as for libzip's reads */
        return member_failed(m, "read failed (%s bytes where its header says %llu)",
                             more ? "more" : "fewer", (unsigned long long)m->size);
    }
    if (m->ended && s->crc != m->crc)
        return member_failed(m, "read failed (CRC error: its data does not match its CRC-32)");
    return r;
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
    if (want > UINT32_MAX)
        want = UINT32_MAX;
    zip_int64_t r = m->inf ? inflate_some(m, buf, want) : zip_fread(m->zf, buf, want);
    if (r < 0)
        return m->failed ? -1 /* reported */
                         : member_failed(m, "read failed (%s)", zip_file_strerror(m->zf));
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
    free(m->inf);
    free(m->in);
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
