/* export.h - occupations.csv, occupations.jsonl and datapackage.json from a snapshot. */
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
/* What export_profile hashed, so the manifest need not hash it again. */
typedef struct {
    const char *path[3];  /* occupations.csv, occupations.jsonl, occsnap.sqlite */
    char sha256[3][65];
    long long bytes[3];
} export_hashes;

int export_profile(sqlite3 *snap, const config *c, const char *dir, export_hashes *hashes);

/* Formats v in the shortest %g form that strtod reads back exactly. */
void export_number(double v, char out[32]);

#endif
