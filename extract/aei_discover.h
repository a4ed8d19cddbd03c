/* aei_discover.h - Economic Index releases found in the Hub's tree listing, and each release's layout read from its header. */
#ifndef OCCSNAP_AEI_DISCOVER_H
#define OCCSNAP_AEI_DISCOVER_H

#include "common/config.h"
#include "extract/discover.h"

#include <sqlite3.h>

/* For each source with a listing: reads the JSON tree listing, finds the
 * files of release_YYYY_MM_DD/ folders whose names match an [aei_layout]'s
 * pattern and adds each release not configured (config_aei_add), up to the
 * pin (--pin aei=YYYY-MM-DD, else pin =). Releases the latest snapshot used
 * are kept when the listing cannot be read or no longer lists them (never
 * going back); an unreachable listing is a warning. Records the newest
 * release in the source's release and release_note. Mutates c. Returns
 * OS_EUSAGE for a bad pin, else OS_OK. */
int aei_discover_run(config *c, const discover_opts *o);

/* Reads the header of release's file at path and puts the release on the
 * [aei_layout] whose template's columns it has; OS_EPARSE naming the
 * release, the file and the columns found when neither layout's are there
 * (OS_EIO when the file cannot be read). Mutates c. */
int aei_choose_layout(config *c, cfg_aei *a, const char *path);

/* The found releases into the stage (stage_aei), so that a later
 * `transform` reads the same ones; returns an os_result. */
int aei_stage_record(sqlite3 *db, const config *c);

/* Adds the found releases the stage recorded back to c, on the layouts
 * chosen then; returns an os_result (OS_OK for a stage without stage_aei). */
int aei_stage_restore(sqlite3 *db, config *c);

/* 1 if the file name (not a path) matches pattern ('*' any run of
 * characters, everything else itself); a predicate. */
int aei_name_matches(const char *pattern, const char *name);

#endif
