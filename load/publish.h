/* publish.h - write a snapshot directory atomically and re-point `latest`. */
#ifndef OCCSNAP_PUBLISH_H
#define OCCSNAP_PUBLISH_H

#include "common/config.h"

#include <stddef.h>

typedef struct {
    long keep; /* retention: keep this many newest snapshots; 0 = all */
} publish_opts;

/* 1 if the inputs staged in stage_db (by sha256) and the config are those of
 * the snapshot out_dir/latest, so publishing again would add nothing; 0
 * otherwise (also when there is no latest). Cannot fail. */
int publish_unchanged(const config *c, const char *stage_db, const char *out_dir);

/* Copies the transformed database work_db into a new directory under
 * out_dir, runs the data checks, writes manifest.json, then renames the
 * directory to its UTC timestamp and re-points out_dir/latest at it, then
 * removes snapshots beyond opt->keep (never the one latest points at). Nothing
 * is left behind and `latest` is untouched on failure. published gets the
 * directory's name. Returns an os_result (OS_EDATA when a check fails). */
int publish_snapshot(const config *c, const char *work_db, const char *out_dir,
                     const publish_opts *opt, char *published, size_t published_size);

/* After a run that died between publishing a snapshot and re-pointing
 * latest: when the newest snapshot in out_dir is newer than latest and
 * complete(dir) says OS_OK (the CLI passes verify), latest is re-pointed at
 * it, else it is reported (a warning) and left. Returns OS_EIO when latest
 * cannot be re-pointed, else OS_OK. */
int publish_adopt_orphan(const char *out_dir, int (*complete)(const char *dir));

#endif
