/* fetch.h - download source files into the cache with libcurl: retries, checks, rename. */
#ifndef OCCSNAP_FETCH_H
#define OCCSNAP_FETCH_H

#include "extract/receipt.h"

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
    const char *mirror;     /* NULL/"" = real URLs; a directory; or an http(s)://
                               base such as http://127.0.0.1:8000 */
    const char *user_agent; /* e.g. "occsnap/0.1"; the contact is appended */
    const char *contact;    /* e-mail or URL; required to call bls.gov */
    size_t max_bytes;       /* per-file size cap */
    long connect_timeout_s;
    long timeout_s;         /* whole transfer */
    long stall_s;           /* no byte for this long ends an attempt (a stall); 0: none */
    long long deadline_ms;  /* now_ms() past which no attempt starts or goes on; 0: none */
    int max_parallel;       /* concurrent transfers (curl multi) */
    int max_per_host;       /* of those, at most this many to one upstream host
                               (0: no limit); not applied to a mirror */
    int retries;            /* extra attempts on timeout, 429, 5xx */
    int offline;            /* use the cache only */
    int allow_stale;        /* keep the last good cached copy on failure */
    /* called on fetch_all's thread as each request's file is ready in the
       cache (downloaded, 304, unchanged or offline copy), with its index
       and receipt, so its parsing can start while others download */
    void (*on_done)(void *ctx, size_t i, const fetch_receipt *r);
    void *on_done_ctx;
} fetch_options;

/* Initialises libcurl for the process (once; every fetch_all does it too):
 * for the main thread to call before threads that use libcurl start.
 * Returns OS_OK or OS_EFETCH (reported). */
int fetch_init(void);

/* The User-Agent every request sends, "<user_agent> (+<contact>)" (just the
 * agent when there is no contact), for downloads and release discovery
 * alike; malloc'd, the caller frees. Cannot fail (dies on OOM). */
char *fetch_user_agent(const char *user_agent, const char *contact);

/* Fetches every request into its dest (temporary file, checks, rename) and
 * fills out[i] for each; writes dest + ".receipt.json" beside each file.
 * Returns OS_OK, or the os_result of the first required request that failed
 * (after reporting source, URL and reason), leaving any earlier cached copy
 * of that file untouched. */
int fetch_all(const fetch_options *opt, const fetch_request *req, size_t n,
              fetch_receipt *out);

#endif
