/* fetch.h - download source files into the cache with libcurl, with receipts. */
#ifndef OCCSNAP_FETCH_H
#define OCCSNAP_FETCH_H

#include <stddef.h>

enum fetch_expect {
    FETCH_EXPECT_ZIP = 1,  /* zip or xlsx: must start with "PK\x03\x04" */
    FETCH_EXPECT_TEXT = 2  /* csv/tsv/md: no NUL bytes, not an HTML page */
};

typedef struct {
    const char *source_id; /* e.g. "oews", used in messages and receipts */
    const char *url;       /* the real upstream URL (https://host/path) */
    const char *dest;      /* final cache path, e.g. cache/raw/oews/oesm24nat.zip */
    enum fetch_expect expect;
    int optional;          /* 1: failure is a warning and the receipt says so */
} fetch_request;

typedef struct {
    char url[1024];        /* upstream URL as configured */
    char fetched_url[1024];/* what was actually requested (mirror-mapped) */
    char final_url[1024];  /* after redirects */
    long status;           /* HTTP status (200, 304, ...); 0 for file:// */
    char etag[256];
    char last_modified[128];
    char retrieved_at[32]; /* UTC, "YYYY-MM-DDTHH:MM:SSZ" */
    long long bytes;
    char sha256[65];
    char from[16];         /* "network" | "mirror" | "cache" */
    int stale;             /* 1 if this is an older cached copy kept after a failure */
    int ok;                /* 1 if dest holds a checked file */
    char error[512];       /* why it failed, when !ok (optional requests) */
} fetch_receipt;

typedef struct {
    const char *mirror;     /* NULL/"" = real URLs; a directory; or an http(s)://
                               base such as http://127.0.0.1:8000 */
    const char *user_agent; /* e.g. "occsnap/0.1"; the contact is appended */
    const char *contact;    /* e-mail or URL; required to call bls.gov */
    size_t max_bytes;       /* per-file size cap */
    long connect_timeout_s;
    long timeout_s;         /* whole transfer */
    int max_parallel;       /* concurrent transfers (curl multi) */
    int retries;            /* extra attempts on timeout, 429, 5xx */
    int offline;            /* use the cache only */
    int allow_stale;        /* keep the last good cached copy on failure */
} fetch_options;

/* Maps an upstream URL to where the mirror holds it: "https://host/a%20b" with
 * mirror "/m" gives "file:///m/host/a%20b"; with "http://127.0.0.1:8000" it
 * gives "http://127.0.0.1:8000/host/a%20b". Returns a malloc'd string (caller
 * frees), or NULL (after reporting) if url is not http(s). */
char *fetch_map_url(const char *mirror, const char *url);

/* Fetches every request into its dest (temporary file, checks, rename) and
 * fills out[i] for each; writes dest + ".receipt.json" beside each file.
 * Returns OS_OK, or the os_result of the first required request that failed
 * (after reporting source, URL and reason), leaving any earlier cached copy
 * of that file untouched. */
int fetch_all(const fetch_options *opt, const fetch_request *req, size_t n,
              fetch_receipt *out);

/* Reads a receipt written by fetch_all; returns an os_result. */
int fetch_receipt_load(const char *receipt_path, fetch_receipt *out);

#endif
