/* memzip.h - build a zip archive of stored (uncompressed) members in memory, for the fuzz targets. */
#ifndef OCCSNAP_MEMZIP_H
#define OCCSNAP_MEMZIP_H

#include <stddef.h>

/* One member: its name and content (both the caller's). */
typedef struct {
    const char *name;
    const char *data;
    size_t len;
} memzip_member;

/* Never fails (dies on OOM): returns a malloc'd archive of the n members,
 * stored, with CRCs, its size in *len; the caller frees. */
char *memzip_build(const memzip_member *m, size_t n, size_t *len);

/* Never fails: splits buf at each "\n====\n" into at most max parts (the last
 * part keeps any further separators); parts point into buf. Returns the count. */
size_t memzip_split(const char *buf, size_t len, const char **part, size_t *plen, size_t max);

#endif
