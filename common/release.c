/* release.c - release versions of a source (a year, or major.minor), their order, and the {name} templates they fill. */
#include "common/release.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads a run of 1 to 4 digits at *p into *v, advancing *p; 0, or -1. */
static int digits(const char **p, int *v)
{
    int n = 0, x = 0;
    while (**p >= '0' && **p <= '9' && n < 5) {
        x = x * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n == 0 || n > 4)
        return -1;
    *v = x;
    return 0;
}

int release_parse(enum release_scheme scheme, const char *text, relver *out)
{
    const char *p = text;
    relver r = {scheme, 0, 0};
    if (!text || digits(&p, &r.a) != 0)
        return -1;
    if (scheme == SCHEME_YEAR) {
        if (*p || r.a < 1900 || r.a > 2999)
            return -1;
    } else if (scheme == SCHEME_MAJOR_MINOR) {
        if (*p++ != '.' || digits(&p, &r.b) != 0 || *p)
            return -1;
    } else
        return -1;
    *out = r;
    return 0;
}

int release_cmp(const relver *x, const relver *y)
{
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b ? 1 : 0;
}

void release_format(const relver *r, char out[16])
{
    if (r->scheme == SCHEME_MAJOR_MINOR)
        snprintf(out, 16, "%d.%d", r->a, r->b);
    else
        snprintf(out, 16, "%d", r->a);
}

int release_next(const relver *r, relver next[2])
{
    if (r->scheme == SCHEME_YEAR) {
        next[0] = (relver){r->scheme, r->a + 1, 0};
        return 1;
    }
    next[0] = (relver){r->scheme, r->a, r->b + 1};
    next[1] = (relver){r->scheme, r->a + 1, 0};
    return 2;
}

size_t release_vars(const relver *r, const char *kv[16], char buf[128])
{
    size_t n = 0;
    char *w = buf;
    release_format(r, w);
    kv[n++] = "release", kv[n++] = w;
    w += strlen(w) + 1;
    if (r->scheme == SCHEME_YEAR) {
        snprintf(w, 8, "%04d", r->a);
        kv[n++] = "yyyy", kv[n++] = w;
        w += strlen(w) + 1;
        snprintf(w, 8, "%02d", r->a % 100);
        kv[n++] = "yy", kv[n++] = w;
    } else {
        snprintf(w, 8, "%d", r->a);
        kv[n++] = "major", kv[n++] = w;
        w += strlen(w) + 1;
        snprintf(w, 8, "%d", r->b);
        kv[n++] = "minor", kv[n++] = w;
    }
    return n / 2;
}

/* The value of the name of len bytes at name among kv, or NULL. */
static const char *lookup(const char *name, size_t len, const char *const *kv, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (strlen(kv[2 * k]) == len && !strncmp(kv[2 * k], name, len))
            return kv[2 * k + 1];
    return NULL;
}

/* At p (just after a '{'): the length of a plain name closed by '}' or by
 * ":yy}", with *yy set for the latter; 0 when p holds no such name. */
static size_t name_at(const char *p, int *yy)
{
    size_t len = 0;
    while ((p[len] >= 'a' && p[len] <= 'z') || (p[len] >= '0' && p[len] <= '9') || p[len] == '_')
        len++;
    *yy = len && !strncmp(p + len, ":yy}", 4);
    return len && (p[len] == '}' || *yy) ? len : 0;
}

char *template_expand(const char *tmpl, const char *const *kv, size_t n)
{
    size_t cap = strlen(tmpl) + 64, len = 0;
    char *out = xmalloc(cap);
    for (const char *p = tmpl; *p;) {
        int yy = 0;
        size_t nl = *p == '{' ? name_at(p + 1, &yy) : 0;
        const char *v = nl ? lookup(p + 1, nl, kv, n) : NULL;
        size_t vl = v ? strlen(v) : 1;
        if (v && yy && vl > 2) {
            v += vl - 2;
            vl = 2;
        }
        if (len + vl + 1 > cap) {
            cap = 2 * (len + vl + 1);
            out = xrealloc(out, cap);
        }
        if (!v) {
            out[len++] = *p++;
            continue;
        }
        memcpy(out + len, v, vl);
        len += vl;
        p += 1 + nl + (yy ? 4 : 1);
    }
    out[len] = '\0';
    return out;
}

int template_unknown(const char *tmpl, const char *const *kv, size_t n, char missing[32])
{
    for (const char *p = strchr(tmpl, '{'); p; p = strchr(p + 1, '{')) {
        int yy;
        size_t nl = name_at(p + 1, &yy);
        if (nl && !lookup(p + 1, nl, kv, n)) {
            snprintf(missing, 32, "%.*s", (int)nl, p + 1);
            return 1;
        }
    }
    return 0;
}
