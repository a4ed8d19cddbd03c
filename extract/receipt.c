/* receipt.c - the receipt beside each cached file: JSON read/write, cache checks. */
#include "extract/receipt.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Copies the string member key of obj into dst; returns 0, or -1 with why
 * filled when it is missing (and required), not a string or too long. A
 * null or absent optional member gives "". */
static int json_str(json_t *obj, const char *key, int required, char *dst, size_t cap,
                    char *why, size_t whylen)
{
    json_t *v = json_object_get(obj, key);
    dst[0] = '\0';
    if (!v || json_is_null(v)) {
        if (!required)
            return 0;
        snprintf(why, whylen, "'%s' is missing", key);
        return -1;
    }
    if (!json_is_string(v) || json_string_length(v) >= cap ||
        strlen(json_string_value(v)) != json_string_length(v)) {
        snprintf(why, whylen, "'%s' is not a string of under %zu bytes", key, cap);
        return -1;
    }
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 0;
}

/* Reads a receipt without reporting; returns 0, or -1 with why filled. */
static int receipt_read(const char *path, fetch_receipt *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof *out);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root) {
        snprintf(why, whylen, "%s (line %d)", jerr.text, jerr.line);
        return -1;
    }
    int rc = -1;
    if (!json_is_object(root)) {
        snprintf(why, whylen, "not a JSON object");
        goto done;
    }
    if (json_str(root, "url", 1, out->url, sizeof out->url, why, whylen) ||
        json_str(root, "fetched_url", 0, out->fetched_url, sizeof out->fetched_url, why,
                 whylen) ||
        json_str(root, "final_url", 0, out->final_url, sizeof out->final_url, why,
                 whylen) ||
        json_str(root, "etag", 0, out->etag, sizeof out->etag, why, whylen) ||
        json_str(root, "last_modified", 0, out->last_modified, sizeof out->last_modified,
                 why, whylen) ||
        json_str(root, "retrieved_at", 1, out->retrieved_at, sizeof out->retrieved_at,
                 why, whylen) ||
        json_str(root, "sha256", 1, out->sha256, sizeof out->sha256, why, whylen) ||
        json_str(root, "from", 1, out->from, sizeof out->from, why, whylen) ||
        json_str(root, "cache_stat", 0, out->cache_stat, sizeof out->cache_stat, why,
                 whylen) ||
        json_str(root, "source_stat", 0, out->source_stat, sizeof out->source_stat, why,
                 whylen))
        goto done;
    json_t *status = json_object_get(root, "status");
    json_t *bytes = json_object_get(root, "bytes");
    json_t *stale = json_object_get(root, "stale");
    if ((status && !json_is_integer(status)) || !json_is_integer(bytes) ||
        json_integer_value(bytes) < 0 || (stale && !json_is_boolean(stale))) {
        snprintf(why, whylen, "status, bytes or stale has the wrong type");
        goto done;
    }
    if (strlen(out->sha256) != 64 || strspn(out->sha256, "0123456789abcdef") != 64) {
        snprintf(why, whylen, "sha256 is not 64 lowercase hex digits");
        goto done;
    }
    if (strcmp(out->from, "network") && strcmp(out->from, "mirror") &&
        strcmp(out->from, "cache")) {
        snprintf(why, whylen, "'from' is '%s', not network, mirror or cache", out->from);
        goto done;
    }
    out->status = status ? (long)json_integer_value(status) : 0;
    out->bytes = (long long)json_integer_value(bytes);
    out->stale = stale && json_is_true(stale);
    out->ok = 1;
    rc = 0;
done:
    if (rc != 0)
        memset(out, 0, sizeof *out);
    json_decref(root);
    return rc;
}

/* Cannot fail (dies on OOM); returns a malloc'd path the caller frees. */
char *fetch_receipt_path(const char *dest)
{
    return xasprintf("%s.receipt.json", dest);
}

/* Reports and returns OS_EIO (missing/unreadable) or OS_EPARSE (bad JSON or
 * fields); out is always overwritten and owned by the caller. */
int fetch_receipt_load(const char *receipt_path, fetch_receipt *out)
{
    char why[512];
    if (access(receipt_path, R_OK) != 0) {
        memset(out, 0, sizeof *out);
        return os_error(OS_EIO, "cannot read receipt %s: %s", receipt_path,
                        strerror(errno));
    }
    if (receipt_read(receipt_path, out, why, sizeof why) != 0)
        return os_error(OS_EPARSE, "bad receipt %s: %s", receipt_path, why);
    return OS_OK;
}

/* Reports and returns OS_EDATA (a field not valid UTF-8), OS_ENOMEM or
 * OS_EIO; r stays the caller's. */
int fetch_receipt_write(const char *path, const fetch_receipt *r)
{
#define OPT(s) ((s)[0] ? (s) : NULL)
    json_error_t jerr;
    json_t *root = json_pack_ex(
        &jerr, 0, "{s:s, s:s, s:s, s:I, s:s?, s:s?, s:s, s:I, s:s, s:s, s:b, s:s?, s:s?}",
        "url", r->url, "fetched_url", r->fetched_url, "final_url", r->final_url,
        "status", (json_int_t)r->status, "etag", OPT(r->etag),
        "last_modified", OPT(r->last_modified), "retrieved_at", r->retrieved_at,
        "bytes", (json_int_t)r->bytes, "sha256", r->sha256, "from", r->from,
        "stale", r->stale, "cache_stat", OPT(r->cache_stat),
        "source_stat", OPT(r->source_stat));
#undef OPT
    if (!root)
        return os_error(OS_EDATA, "cannot build receipt %s: %s", path, jerr.text);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (!text)
        return os_error(OS_ENOMEM, "cannot serialise receipt %s", path);
    size_t len = strlen(text);
    char *withnl = xasprintf("%s\n", text);
    free(text);
    /* no fsync: a receipt lost in a crash costs one download, and 27 fsyncs
       were most of an unchanged run */
    int rc = write_file_replace(path, withnl, len + 1);
    free(withnl);
    return rc;
}

/* Reports nothing and allocates nothing: an unreadable or mismatched copy
 * just means "no cache"; out belongs to the caller. */
int fetch_receipt_cached(const char *dest, const char *receipt_path, const char *url,
                         fetch_receipt *out)
{
    char why[512];
    if (!path_exists(dest) || !path_exists(receipt_path))
        return 0;
    if (receipt_read(receipt_path, out, why, sizeof why) != 0)
        return 0;
    if (strcmp(out->url, url) != 0)
        return 0;
    char stamp[FILE_STAMP_MAX];
    if (out->cache_stat[0] && file_stamp(dest, stamp) == 0 && !strcmp(stamp, out->cache_stat))
        return 1; /* not rewritten since it was hashed */
    char hex[65];
    long long bytes = 0;
    /* an unreadable cached copy just means "no cache": silent on this
       thread only (an early fetch runs beside release discovery) */
    os_quiet_thread++;
    int rc = sha256_file(dest, hex, &bytes);
    os_quiet_thread--;
    if (rc != OS_OK || strcmp(hex, out->sha256) != 0 || bytes != out->bytes)
        return 0;
    return 1;
}
