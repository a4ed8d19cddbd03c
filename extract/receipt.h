/* receipt.h - the JSON receipt kept beside each cached file (<dest>.receipt.json). */
#ifndef OCCSNAP_RECEIPT_H
#define OCCSNAP_RECEIPT_H

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
    char error[4096];       /* why it failed, when !ok (optional requests) */
    char cache_stat[80];    /* file_stamp of the cached copy when its sha256 was
                               known: while it holds, the copy is not hashed again */
    char source_stat[80];   /* file:// only: file_stamp of the source file before
                               it was copied; while it holds, the copy is current */
} fetch_receipt;

/* The receipt path of the cached file dest: dest + ".receipt.json",
 * malloc'd (caller frees). */
char *fetch_receipt_path(const char *dest);

/* Reads a receipt written by fetch_all; returns an os_result. */
int fetch_receipt_load(const char *receipt_path, fetch_receipt *out);

/* Writes r as JSON (with a final newline) to path atomically; returns an
 * os_result. */
int fetch_receipt_write(const char *path, const fetch_receipt *r);

/* 1 when dest and its receipt exist, the receipt is for url and its sha256
 * and bytes match the file on disk (out then holds it), else 0. The file is
 * hashed again only when its stamp differs from the receipt's cache_stat. */
int fetch_receipt_cached(const char *dest, const char *receipt_path, const char *url,
                         fetch_receipt *out);

#endif
