/* schema.h - the snapshot database schema (DESIGN section 7). */
#ifndef OCCSNAP_SCHEMA_H
#define OCCSNAP_SCHEMA_H

#include <sqlite3.h>

/* Bumped whenever a table, column or view changes meaning or shape. */
#define OCCSNAP_SCHEMA_VERSION 1
#define OCCSNAP_VERSION "0.1.0"

/* Creates every table and the occupation_profile view in an empty database;
 * returns an os_result (OS_EIO with SQLite's message). */
int schema_create(sqlite3 *db);

/* The tables a snapshot holds, NULL-terminated, for row counts and checks. */
extern const char *const schema_tables[];

#endif
