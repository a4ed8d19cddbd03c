/* memzip.c - build a zip archive of stored (uncompressed) members in memory, for the fuzz targets. */
#include "tests/fuzz/memzip.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SEP "\n====\n"

/* Never fails; little-endian 16- and 32-bit fields. */
static void put16(unsigned char *p, unsigned v)
{
    p[0] = (unsigned char)v, p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, unsigned long v)
{
    put16(p, (unsigned)(v & 0xffff)), put16(p + 2, (unsigned)(v >> 16));
}

/* Never fails (dies on OOM); the caller frees the archive. */
char *memzip_build(const memzip_member *m, size_t n, size_t *len)
{
    size_t cap = 22, at = 0, cd = 0;
    for (size_t i = 0; i < n; i++)
        cap += 30 + 46 + 2 * strlen(m[i].name) + m[i].len;
    unsigned char *z = xmalloc(cap);
    unsigned long *off = xmalloc((n ? n : 1) * sizeof *off), *crc = xmalloc((n ? n : 1) * sizeof *crc);
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(m[i].name);
        off[i] = at;
        crc[i] = crc32(0L, (const unsigned char *)m[i].data, (uInt)m[i].len);
        unsigned char *h = z + at;
        memset(h, 0, 30);
        put32(h, 0x04034b50), put16(h + 4, 20), put32(h + 14, crc[i]);
        put32(h + 18, m[i].len), put32(h + 22, m[i].len), put16(h + 26, (unsigned)nl);
        memcpy(h + 30, m[i].name, nl);
        if (m[i].len)
            memcpy(h + 30 + nl, m[i].data, m[i].len);
        at += 30 + nl + m[i].len;
    }
    cd = at;
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(m[i].name);
        unsigned char *h = z + at;
        memset(h, 0, 46);
        put32(h, 0x02014b50), put16(h + 4, 20), put16(h + 6, 20), put32(h + 16, crc[i]);
        put32(h + 20, m[i].len), put32(h + 24, m[i].len), put16(h + 28, (unsigned)nl);
        put32(h + 42, off[i]);
        memcpy(h + 46, m[i].name, nl);
        at += 46 + nl;
    }
    unsigned char *e = z + at;
    memset(e, 0, 22);
    put32(e, 0x06054b50), put16(e + 8, (unsigned)n), put16(e + 10, (unsigned)n);
    put32(e + 12, at - cd), put32(e + 16, cd);
    at += 22;
    free(off);
    free(crc);
    *len = at;
    return (char *)z;
}

/* Never fails; parts point into buf, which stays the caller's. */
size_t memzip_split(const char *buf, size_t len, const char **part, size_t *plen, size_t max)
{
    size_t n = 0, sl = strlen(SEP);
    const char *p = buf, *end = buf + len;
    while (n + 1 < max) {
        const char *hit = NULL;
        for (const char *q = p; q + sl <= end; q++)
            if (memcmp(q, SEP, sl) == 0) {
                hit = q;
                break;
            }
        if (!hit)
            break;
        part[n] = p, plen[n++] = (size_t)(hit - p);
        p = hit + sl;
    }
    part[n] = p, plen[n++] = (size_t)(end - p);
    return n;
}
