/* snapshot.h - a published snapshot directory opened read-only: its database, manifest and paths. */
#ifndef OCCSNAP_SNAPSHOT_H
#define OCCSNAP_SNAPSHOT_H

#include <jansson.h>
#include <sqlite3.h>

/* How much of a snapshot snapshot_open opens (0: all of it, strictly). */
enum {
    SNAP_MANIFEST_ONLY = 1, /* the manifest alone; the caller opens the database (diff) */
    SNAP_DB_OPTIONAL = 2,   /* a database that cannot be opened is no error: db stays
                               NULL and db_error says why (verify reports it) */
};

typedef struct {
    const char *dir;                     /* the caller's, outliving the snapshot */
    char *db_path, *manifest_path;       /* dir/occsnap.sqlite, dir/manifest.json */
    sqlite3 *db;                         /* opened read-only; NULL when not opened */
    json_t *manifest;                    /* the parsed manifest.json */
    json_error_t json_error;             /* text[0] != 0: manifest.json is not JSON */
    char db_error[256];                  /* SNAP_DB_OPTIONAL: why db is NULL */
    int rc; /* the first error of snapshot_prepare/snapshot_next; OS_OK until then */
} snapshot;

/* Opens dir: with flags 0 checks that it is a directory holding occsnap.sqlite
 * and manifest.json, opens the database read-only and loads the manifest,
 * which must be a JSON object. Returns OS_EIO with a message naming dir and
 * the file (the manifest's own read error, or "cannot read ...: <jansson's
 * text> (line N)"); *s is the caller's to snapshot_close, also on failure. */
int snapshot_open(const char *dir, int flags, snapshot *s);

/* Closes the database and frees everything snapshot_open made; never fails. */
void snapshot_close(snapshot *s);

/* Opens the SQLite file at path read-only (as a file: URI, so the handle may
 * ATTACH others by URI; one thread at a time) into *db, the caller's to
 * sqlite3_close. Returns OS_EIO "cannot open <path>: <SQLite's message>",
 * *db NULL. */
int snapshot_open_db(const char *path, sqlite3 **db);

/* The read-only "file:" URI of path, every byte outside the unreserved set and
 * '/' percent-encoded; malloc'd, the caller frees. Cannot fail. */
char *snapshot_uri(const char *path);

/* Prepares sql on s->db unless s->rc is set; on failure records OS_EIO in
 * s->rc (message naming the snapshot) and returns NULL. The statement is the
 * caller's to finalize. */
sqlite3_stmt *snapshot_prepare(snapshot *s, const char *sql);

/* Steps st: 1 for a row, 0 when done; an error is recorded as OS_EIO in
 * s->rc (message naming the snapshot) and ends the rows with 0. */
int snapshot_next(snapshot *s, sqlite3_stmt *st);

#endif
