/* release.h - release versions of a source (a year, or major.minor), their order, and the {name} templates they fill. */
#ifndef OCCSNAP_RELEASE_H
#define OCCSNAP_RELEASE_H

#include <stddef.h>

/* How a source numbers its releases (DESIGN section 2a). */
enum release_scheme { SCHEME_NONE = 0, SCHEME_YEAR, SCHEME_MAJOR_MINOR };

typedef struct {
    enum release_scheme scheme;
    int a; /* the year (2025), or the major version (30) */
    int b; /* the minor version (1); 0 for a year */
} relver;

/* Reads text ("2025"; "30.1") as a release of scheme into *out; returns 0,
 * or -1 when it is not one (a predicate: the caller names what was wrong). */
int release_parse(enum release_scheme scheme, const char *text, relver *out);

/* <0, 0, >0 as x is older than, the same as, or newer than y (same scheme). */
int release_cmp(const relver *x, const relver *y);

/* The release as text, "2025" or "30.1", into out (16 bytes); cannot fail. */
void release_format(const relver *r, char out[16]);

/* The next releases a probe tries after r: for a year, r's year + 1; for
 * major.minor, next[0] = M.(m+1) and next[1] = (M+1).0. Returns how many
 * (1 or 2); cannot fail. */
int release_next(const relver *r, relver next[2]);

/* The template variables of r, as name/value pairs into kv (at most 8
 * pairs, values in buf, 128 bytes): {release} always, {yyyy} and {yy} for a
 * year, {major} and {minor} for major.minor. Returns the number of pairs;
 * cannot fail. */
size_t release_vars(const relver *r, const char *kv[16], char buf[128]);

/* tmpl with each {name} replaced by its value among the n name/value pairs
 * kv, and {name:yy} by the value's last two characters; a name not among
 * them is left as written. Returns a malloc'd string (the caller frees);
 * cannot fail (dies on OOM). */
char *template_expand(const char *tmpl, const char *const *kv, size_t n);

/* 1 if tmpl holds a {name} that is not among the n pairs kv (its name, up
 * to 31 characters, copied to missing); 0 otherwise. */
int template_unknown(const char *tmpl, const char *const *kv, size_t n, char missing[32]);

#endif
