/* util.h - small helpers shared by every stage: memory, strings, paths, time. */
#ifndef OCCSNAP_UTIL_H
#define OCCSNAP_UTIL_H

#include <stddef.h>
#include <stdio.h>

/* Allocate or die with OS_ENOMEM: occsnap has no useful recovery from OOM. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* Returns a malloc'd printf-formatted string, caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Trims ASCII blanks (and a leading UTF-8 BOM) in place; returns s. */
char *str_trim(char *s);
/* 1 if a and b are the same string ignoring ASCII case, else 0. */
int str_ieq(const char *a, const char *b);
/* 1 if s is a plain identifier (a-z, 0-9, _; not empty, not NULL): safe as
 * part of an SQL name or a path. */
int str_is_ident(const char *s);
/* 1 if the n bytes at s are valid UTF-8 (no overlong forms, surrogates or
 * code points past U+10FFFF); else 0, with the offset of the first bad byte
 * in *bad when bad is not NULL. */
int utf8_valid(const char *s, size_t n, size_t *bad);
/* 1 if s ends with suffix. */
int str_ends_with(const char *s, const char *suffix);
/* 1 if s starts with prefix, ASCII case-insensitively; never fails. */
int str_starts_with_ci(const char *s, const char *prefix);

/* Parses a whole string as a finite double (blanks allowed around it);
 * returns 0 on success, -1 if it is empty or not a number. */
int parse_double(const char *s, double *out);
/* Same for a long integer (0, or -1 when not one); a value like "95.0" is rejected. */
int parse_long(const char *s, long *out);

/* Creates dir and its parents (mode 0755); returns an os_result, OS_EIO naming the directory. */
int mkdir_p(const char *dir);
/* Removes a file or directory tree (no symlinks followed; a missing path is
 * OS_OK); returns an os_result, OS_EIO naming the first path it could not remove. */
int rm_rf(const char *path);
/* 1 if path exists (any type, symlinks not followed). */
int path_exists(const char *path);
/* Writes data to path via a temporary file, fsync and rename; returns an os_result. */
int write_file_atomic(const char *path, const void *data, size_t len);
/* As write_file_atomic without the fsync (rename still makes it all or
 * nothing to readers): for files whose loss in a crash costs only work
 * redone, such as a cache receipt (a lost one means one more download). */
int write_file_replace(const char *path, const void *data, size_t len);
/* A regular file's identity and state, "size:mtime_s.ns:inode", in out (at
 * most FILE_STAMP_MAX bytes): equal stamps mean the file was not rewritten
 * (git's index trusts the same facts). 0, or -1 (out "") when path is not a
 * regular file or was modified in the last two seconds (a rewrite within
 * the same clock tick would keep its stamp). */
#define FILE_STAMP_MAX 80
int file_stamp(const char *path, char out[FILE_STAMP_MAX]);
/* Reads a whole file into a malloc'd NUL-terminated buffer; returns an
 * os_result (OS_EIO when missing or unreadable, or larger than max). */
int read_file(const char *path, size_t max, char **out, size_t *len);

/* The monotonic clock in milliseconds (for timeouts and deadlines); cannot
 * fail. */
long long mono_ms(void);

/* With OCCSNAP_TRACE=1, prints "trace: +S.SSS s <what>" to stderr: the time
 * since the process started (its first call, from main), for the timeline of
 * a run (where the time goes, README "Speed and memory"); never fails. */
void trace_mark(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Current UTC time as "YYYY-MM-DDTHH:MM:SSZ" (iso, 21 bytes) or the
 * snapshot-directory form "YYYY-MM-DDTHHMMSSZ" (compact). */
void utc_now_iso(char out[32]);
void utc_now_compact(char out[32]);

#endif
