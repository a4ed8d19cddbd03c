/* zipfile.h - read members of a zip archive (libzip; deflated members inflated by ISA-L) with size limits. */
#ifndef OCCSNAP_ZIPFILE_H
#define OCCSNAP_ZIPFILE_H

#include <stddef.h>

typedef struct zipfile zipfile;
typedef struct zipfile_member zipfile_member;

/* Opens a zip archive on disk; returns an os_result (OS_EPARSE when the file
 * is not a zip, naming it). *out is owned by the caller: zipfile_close. */
int zipfile_open(const char *path, zipfile **out);
/* Opens an archive held in memory (an xlsx pulled out of another zip). buf
 * must outlive the zipfile; label names it in messages. */
int zipfile_open_buffer(const void *buf, size_t len, const char *label, zipfile **out);
void zipfile_close(zipfile *z);
/* The path or label the archive was opened with (owned by z). */
const char *zipfile_label(const zipfile *z);

/* 1 if the archive has a member of exactly this name, else 0. */
int zipfile_has(zipfile *z, const char *member);

/* Opens a member for streaming; max_bytes caps its uncompressed size (checked
 * against the declared size and again while reading, so a lying header cannot
 * get past it). Returns an os_result; a missing member is OS_EPARSE naming the
 * archive and member. */
int zipfile_member_open(zipfile *z, const char *member, size_t max_bytes,
                        zipfile_member **out);
/* Reads up to n bytes; returns the count, 0 at end, -1 on error or when the
 * member grows past max_bytes (reported), or, for a deflated member, when
 * its data is corrupt, stops short, or does not match the size and CRC-32
 * of the archive's directory (checked at its end). Matches rows_read_fn. */
long zipfile_member_read(void *member, char *buf, size_t n);
void zipfile_member_close(zipfile_member *m);

/* Reads a whole member into a malloc'd buffer (NUL-terminated, caller frees);
 * returns an os_result. */
int zipfile_read_all(zipfile *z, const char *member, size_t max_bytes,
                     char **buf, size_t *len);

#endif
