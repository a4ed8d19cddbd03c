/* urlmap.c - upstream URLs: parsing, percent-decoding checks, mirror mapping. */
#include "extract/urlmap.h"
#include "common/error.h"
#include "common/util.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Value of one hex digit, or -1. */
static int hex_val(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Parts of an http(s) URL, pointing into the URL text (host is a lowercase copy). */
typedef struct {
    char host[256];
    const char *path;   /* starts at '/', '?', '#' or the end */
    size_t path_len;    /* up to '?' or '#' */
    const char *query;  /* at '?', or NULL */
    size_t query_len;   /* up to '#' */
} url_parts;

/* Splits an http(s) URL; returns 0, or -1 with why set when it is not one
 * (not http/https, no host, odd host characters). Nothing is allocated. */
static int url_split(const char *url, url_parts *u, const char **why)
{
    memset(u, 0, sizeof *u);
    const char *p;
    if (str_starts_with_ci(url, "http://")) {
        p = url + 7;
    } else if (str_starts_with_ci(url, "https://")) {
        p = url + 8;
    } else {
        *why = "only http:// and https:// URLs can be fetched";
        return -1;
    }
    size_t alen = strcspn(p, "/?#");
    const char *auth = p, *auth_end = p + alen;
    for (const char *q = auth; q < auth_end; q++)
        if (*q == '@')
            auth = q + 1; /* drop user info */
    const char *host_end = auth_end;
    if (auth < auth_end && *auth == '[') {
        const char *rb = memchr(auth, ']', (size_t)(auth_end - auth));
        if (!rb) {
            *why = "bad IPv6 host";
            return -1;
        }
        host_end = rb + 1;
    } else {
        const char *colon = memchr(auth, ':', (size_t)(auth_end - auth));
        if (colon)
            host_end = colon;
    }
    size_t hlen = (size_t)(host_end - auth);
    while (hlen > 0 && auth[hlen - 1] == '.')
        hlen--; /* "bls.gov." is bls.gov */
    if (hlen == 0 || hlen >= sizeof u->host || auth[0] == '.') {
        *why = "the URL has no usable host";
        return -1;
    }
    for (size_t i = 0; i < hlen; i++) {
        int c = (unsigned char)auth[i];
        if (!(isalnum(c) || c == '.' || c == '-' || c == '_' || c == '[' ||
              c == ']' || c == ':')) {
            *why = "the URL's host has characters a mirror cannot store";
            return -1;
        }
        u->host[i] = (char)tolower(c);
    }
    u->host[hlen] = '\0';
    u->path = auth_end;
    u->path_len = strcspn(auth_end, "?#");
    if (auth_end[u->path_len] == '?') {
        u->query = auth_end + u->path_len;
        u->query_len = strcspn(u->query, "#");
    }
    return 0;
}

/* 0 if the URL-decoded path has no "." or ".." segment and no NUL or
 * backslash (it must stay under <mirror>/<host>), else -1; allocates nothing
 * that outlives the call. */
static int path_is_safe(const char *path, size_t len)
{
    char *dec = xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (path[i] == '%' && i + 2 < len && hex_val((unsigned char)path[i + 1]) >= 0 &&
            hex_val((unsigned char)path[i + 2]) >= 0) {
            dec[n++] = (char)(hex_val((unsigned char)path[i + 1]) * 16 +
                              hex_val((unsigned char)path[i + 2]));
            i += 2;
        } else {
            dec[n++] = path[i];
        }
    }
    int ok = 1;
    size_t seg = 0;
    for (size_t i = 0; i <= n && ok; i++) {
        if (i < n && (dec[i] == '\0' || dec[i] == '\\'))
            ok = 0;
        else if (i == n || dec[i] == '/') {
            size_t sl = i - seg;
            if ((sl == 1 && dec[seg] == '.') ||
                (sl == 2 && dec[seg] == '.' && dec[seg + 1] == '.'))
                ok = 0;
            seg = i + 1;
        }
    }
    free(dec);
    return ok ? 0 : -1;
}

/* Percent-encodes a local directory for a file:// URL (keeps unreserved
 * characters and '/'); returns a malloc'd string the caller frees. */
static char *encode_dir(const char *dir)
{
    size_t n = strlen(dir);
    char *out = xmalloc(3 * n + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)dir; *p; p++) {
        if (isalnum(*p) || strchr("/-._~", *p)) {
            *o++ = (char)*p;
        } else {
            o += sprintf(o, "%%%02X", *p);
        }
    }
    *o = '\0';
    return out;
}

/* Reports and returns NULL when url is not http(s) or its path would escape
 * the mirror; otherwise returns a malloc'd mapped URL the caller frees (a
 * query stays part of the mirrored file's name, its '?' as %3F; a fragment
 * is dropped). */
int fetch_mirror_is_remote(const char *mirror)
{
    return !mirror || !*mirror || str_starts_with_ci(mirror, "http://") ||
           str_starts_with_ci(mirror, "https://");
}

char *fetch_map_url(const char *mirror, const char *url)
{
    url_parts u;
    const char *why = NULL;
    if (!url || url_split(url, &u, &why) != 0) {
        os_error(OS_ECONFIG, "cannot fetch '%s': %s", url ? url : "(null)", why);
        return NULL;
    }
    if (!mirror || !*mirror)
        return xstrdup(url);
    if (path_is_safe(u.path, u.path_len) != 0) {
        os_error(OS_ECONFIG, "cannot map '%s' to the mirror: its path has a "
                 "'.' or '..' segment", url);
        return NULL;
    }
    const char *path = u.path_len ? u.path : "/";
    int plen = u.path_len ? (int)u.path_len : 1;
    if (fetch_mirror_is_remote(mirror)) {
        size_t blen = strlen(mirror);
        while (blen > 0 && mirror[blen - 1] == '/')
            blen--;
        /* the query is part of the mirrored file's name: '?' as %3F */
        return xasprintf("%.*s/%s%.*s%s%.*s", (int)blen, mirror, u.host, plen, path,
                         u.query ? "%3F" : "", u.query ? (int)u.query_len - 1 : 0,
                         u.query ? u.query + 1 : "");
    }
    const char *dir = mirror;
    if (str_starts_with_ci(dir, "file://"))
        dir += 7;
    char resolved[PATH_MAX];
    char *absdir;
    if (realpath(dir, resolved)) {
        absdir = xstrdup(resolved);
    } else if (dir[0] == '/') {
        absdir = xstrdup(dir);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            os_error(OS_EIO, "cannot resolve mirror directory %s: %s", dir,
                     strerror(errno));
            return NULL;
        }
        absdir = xasprintf("%s/%s", cwd, dir);
    }
    size_t dlen = strlen(absdir);
    while (dlen > 0 && absdir[dlen - 1] == '/')
        absdir[--dlen] = '\0';
    char *enc = encode_dir(absdir);
    /* a URL with a query is the file named by its path, '?' and the query
     * (huggingface.co/api/.../tree/main?recursive=true), '?' as %3F */
    char *out = xasprintf("file://%s/%s%.*s%s%.*s", enc, u.host, plen, path,
                          u.query ? "%3F" : "", u.query ? (int)u.query_len - 1 : 0,
                          u.query ? u.query + 1 : "");
    free(enc);
    free(absdir);
    return out;
}

/* Never fails and allocates nothing: a URL that is not http(s) gives 0. */
int fetch_url_is_bls(const char *url)
{
    url_parts u;
    const char *why;
    if (url_split(url, &u, &why) != 0)
        return 0;
    return strcmp(u.host, "bls.gov") == 0 || str_ends_with(u.host, ".bls.gov");
}

char *fetch_file_url_path(const char *url)
{
    if (!url || !str_starts_with_ci(url, "file://"))
        return NULL;
    const char *p = url + 7;
    char *out = xmalloc(strlen(p) + 1), *o = out;
    for (; *p; p++) {
        if (*p != '%') {
            *o++ = *p;
            continue;
        }
        int hi = hex_val((unsigned char)p[1]), lo = hi < 0 ? -1 : hex_val((unsigned char)p[2]);
        if (lo < 0 || (hi == 0 && lo == 0)) {
            free(out);
            return NULL;
        }
        *o++ = (char)(hi * 16 + lo);
        p += 2;
    }
    *o = '\0';
    return out;
}

int fetch_url_host(const char *url, char host[256])
{
    url_parts u;
    const char *why;
    host[0] = '\0';
    if (url_split(url, &u, &why) != 0)
        return -1;
    snprintf(host, 256, "%s", u.host);
    return 0;
}
