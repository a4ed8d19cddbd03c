/* extract.h - the extract stage: fetch every configured file, then stage its tables. */
#ifndef OCCSNAP_EXTRACT_H
#define OCCSNAP_EXTRACT_H

#include "common/config.h"

typedef struct {
    const char *cache_dir;  /* raw files go to <cache_dir>/raw/<source>/ */
    const char *mirror;     /* NULL, a directory, or an http://127.0.0.1:PORT base */
    int offline;            /* cache only */
    int allow_stale;        /* keep the last good copy of a failing source */
} extract_opts;

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
