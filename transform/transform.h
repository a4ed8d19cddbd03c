/* transform.h - stage.sqlite to the snapshot database: one key, measures, percentiles. */
#ifndef OCCSNAP_TRANSFORM_H
#define OCCSNAP_TRANSFORM_H

#include "common/config.h"

/* Reads the staged tables in stage_path and writes a complete snapshot
 * database to out_path (via a temporary file renamed at the end, so out_path
 * is either the old file or a whole new one). created_at is the run's UTC
 * time. Returns an os_result; a bad code or value names the table, file, row
 * and value. */
int transform_run(const config *c, const char *stage_path, const char *out_path,
                  const char *created_at);

/* Checks that the config declares what the transform's C code reads: a
 * [methodology], every table it opens with the columns (and types) it reads,
 * the tables of each [aei] release, and a [measure] for each measure it
 * computes. Returns OS_ECONFIG naming the file, section and key. */
int transform_check_config(const config *c);

#endif
