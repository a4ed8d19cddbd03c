/* manifest.h - manifest.json: where every number in a snapshot came from. */
#ifndef OCCSNAP_MANIFEST_H
#define OCCSNAP_MANIFEST_H

#include "common/config.h"

#include <jansson.h>
#include <sqlite3.h>

/* Builds the manifest of the snapshot database db (already complete):
 * run, config, sources with their receipts, row counts, coverage and the
 * data test results given in tests (borrowed). Returns a new reference, or
 * NULL after reporting an error. */
json_t *manifest_build(sqlite3 *db, const config *c, const char *snapshot_name, json_t *tests);

/* The fingerprint of a run's inputs: sha256 over the config's sha256, the
 * tool version and every (source, url, sha256) of table (stage_file in the
 * stage database, source in a snapshot), in order. Returns an os_result. */
int manifest_inputs_sha256(sqlite3 *db, const char *table, const config *c, char hex[65]);

/* Adds {path, bytes, sha256} of dir/name to the manifest's "outputs"; returns
 * an os_result. */
int manifest_add_output(json_t *manifest, const char *dir, const char *name);
/* Adds an output whose size and sha256 are already known; cannot fail. */
void manifest_add_known_output(json_t *manifest, const char *name, long long bytes,
                               const char *sha256);

#endif
