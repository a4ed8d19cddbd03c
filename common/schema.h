/* schema.h - the stage and snapshot database schemas (DESIGN section 7) and the version constants. */
#ifndef OCCSNAP_SCHEMA_H
#define OCCSNAP_SCHEMA_H

#include <sqlite3.h>

/* Bumped whenever a table, column or view changes meaning or shape. */
/* 2: measure_info; occupation_profile's measure columns come from it. */
#define OCCSNAP_SCHEMA_VERSION 2
#define OCCSNAP_VERSION "0.1.0"

/* Creates every table of a snapshot in an empty database; returns an
 * os_result (OS_EIO with SQLite's message). */
int schema_create(sqlite3 *db);

/* Creates the view occupation_profile from the rows of measure_info (each
 * measure with a profile_column, in position order); returns OS_EIO with
 * SQLite's message, OS_EDATA for a name that is not a plain identifier. */
int schema_create_profile(sqlite3 *db);

/* Creates the stage database's own tables (stage_file, stage_table) in an
 * empty database; returns an os_result (OS_EIO with SQLite's message). */
int schema_create_stage(sqlite3 *db);

/* The tables a snapshot holds, NULL-terminated, for row counts and checks. */
extern const char *const schema_tables[];

#endif
