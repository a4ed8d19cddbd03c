/* extract.h - the extract stage: fetch every configured file, then stage its tables. */
#ifndef OCCSNAP_EXTRACT_H
#define OCCSNAP_EXTRACT_H

#include "common/config.h"

/* The early fetch: the files of the releases discovery starts from,
 * fetched while it looks (extract_early_start). */
typedef struct extract_early extract_early;

typedef struct {
    const char *cache_dir;  /* raw files go to <cache_dir>/raw/<source>/ */
    const char *mirror;     /* NULL, a directory, or an http://127.0.0.1:PORT base */
    int offline;            /* cache only */
    int allow_stale;        /* keep the last good copy of a failing source */
    extract_early *early;   /* or NULL; extract_run takes it (and frees it) */
} extract_opts;

/* Starts fetching, on a thread of its own, every file c's tables name now
 * (each source on the release discovery starts from: discover_use_start),
 * so that the round trips of release discovery and of the downloads
 * overlap: discovery keeps those releases unless it finds a newer one.
 * Copies all it needs from c (discovery may then change c); quiet (a file
 * that fails is fetched again, and reported, by extract_run). Only worth it
 * over a network: NULL (nothing started) offline or for a directory mirror.
 * Cannot fail: without a thread there is no early fetch. */
extract_early *extract_early_start(const config *c, const extract_opts *opt);

/* Waits for an early fetch extract_run did not take (discovery failed) and
 * puts back the last good copy of every file it replaced; never fails. */
void extract_early_abandon(extract_early *e);

/* Fetches all files and writes <cache_dir>/stage.sqlite (built under a
 * temporary name, so a failed run leaves the previous stage in place).
 * A release found in the Economic Index listing is put on the layout its
 * header has (mutating c). Returns an os_result naming the source, file,
 * row and value on failure. */
int extract_run(config *c, const extract_opts *opt);

/* After a run: when failed, every cached file goes back to its last good
 * copy (the one the latest published snapshot was built from, kept as
 * <file>.prev by extract_run); otherwise the new downloads become the last
 * good copies. Never fails (a file that cannot be put back is a warning). */
void extract_settle(const config *c, const char *cache_dir, int failed);

#endif
