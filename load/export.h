/* export.h - occupations.csv/.jsonl, a CSV of every table and datapackage.json from a snapshot. */
#ifndef OCCSNAP_EXPORT_H
#define OCCSNAP_EXPORT_H

#include "common/config.h"

#include <sqlite3.h>

/* Writes dir/occupations.csv (RFC 4180: CRLF, quoted where needed, NULL as
 * an empty field), dir/occupations.jsonl (one object per occupation, NULL as
 * null) from the occupation_profile view of snap, and dir/datapackage.json
 * (a Frictionless Data Package describing both and occsnap.sqlite: path,
 * bytes, sha256, table schema with types, primary key, missing values,
 * sources and licences). Numbers are written in the shortest form that
 * reads back as the same double. Returns an os_result. */
/* What export_profile hashed, so the manifest need not hash it again:
 * occsnap.sqlite, occupations.csv, occupations.jsonl, then <table>.csv. */
#define EXPORT_MAX_FILES 32
typedef struct {
    char *path[EXPORT_MAX_FILES]; /* file names in the snapshot (malloc'd) */
    char sha256[EXPORT_MAX_FILES][65];
    long long bytes[EXPORT_MAX_FILES];
    int n;
} export_hashes;

/* The sha256 and size of a file the caller hashes (occsnap.sqlite), perhaps
 * on a thread of its own while the exports are written: export_profile
 * calls ready(ctx) (when not NULL) once, after the exports and before it
 * reads sha256 and bytes; a failure it returns (an os_result) fails the
 * export. */
typedef struct {
    char sha256[65];
    long long bytes;
    int (*ready)(void *ctx);
    void *ctx;
} export_file;

/* Also writes every table of schema_tables as <table>.csv, each its own
 * resource with primaryKey and foreignKeys; occsnap.sqlite is described by
 * *db_file; fills *hashes (the caller frees it with export_hashes_free,
 * also after a failure). */
int export_profile(sqlite3 *snap, const config *c, const char *dir, const export_file *db_file,
                   export_hashes *hashes);

/* Frees the names export_profile kept; cannot fail. */
void export_hashes_free(export_hashes *h);

/* Formats v in the shortest %g form that strtod reads back exactly. */
void export_number(double v, char out[32]);

#endif
