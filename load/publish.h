/* publish.h - write a snapshot directory atomically and re-point `latest`. */
#ifndef OCCSNAP_PUBLISH_H
#define OCCSNAP_PUBLISH_H

#include "common/config.h"

#include <stddef.h>

/* Copies the transformed database work_db into a new directory under
 * out_dir, runs the data checks, writes manifest.json, then renames the
 * directory to its UTC timestamp and re-points out_dir/latest at it. Nothing
 * is left behind and `latest` is untouched on failure. published gets the
 * directory's name. Returns an os_result (OS_EDATA when a check fails). */
int publish_snapshot(const config *c, const char *work_db, const char *out_dir,
                     char *published, size_t published_size);

#endif
