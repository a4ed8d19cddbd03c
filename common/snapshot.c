/* snapshot.c - a published snapshot directory opened read-only: its database, manifest and paths. */
#include "common/snapshot.h"
#include "common/error.h"
#include "common/util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The manifest is a few hundred KiB; anything near this is not ours. */
#define MANIFEST_MAX (64u << 20)

char *snapshot_uri(const char *path)
{
    static const char hexd[] = "0123456789ABCDEF";
    const char *tail = "?mode=ro";
    char *u = xmalloc(5 + 3 * strlen(path) + strlen(tail) + 1), *p = u;
    memcpy(p, "file:", 5);
    p += 5;
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("/-._~", *c)) {
            *p++ = (char)*c;
        } else {
            *p++ = '%';
            *p++ = hexd[*c >> 4];
            *p++ = hexd[*c & 15];
        }
    }
    strcpy(p, tail);
    return u;
}

/* Opens path read-only into *db; returns SQLite's result code, and on a
 * failure leaves *db (maybe NULL) for its message: the caller closes it. */
static int open_ro(const char *path, sqlite3 **db)
{
    char *uri = snapshot_uri(path);
    int r = sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX,
                            NULL);
    free(uri);
    return r;
}

int snapshot_open_db(const char *path, sqlite3 **db)
{
    if (open_ro(path, db) == SQLITE_OK)
        return OS_OK;
    int rc = os_error(OS_EIO, "cannot open %s: %s", path, sqlite3_errmsg(*db));
    sqlite3_close(*db);
    *db = NULL;
    return rc;
}

/* The checks of a strict open: dir is a directory holding both files.
 * Returns OS_EIO naming dir and the missing file. */
static int check_dir(const snapshot *s)
{
    struct stat sb;
    if (stat(s->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return os_error(OS_EIO,
                        "no snapshot at %s (build one with `occsnap snapshot`, or name one "
                        "with --snapshot DIR)",
                        s->dir);
    if (!path_exists(s->db_path) || !path_exists(s->manifest_path))
        return os_error(OS_EIO, "%s is not an occsnap snapshot: it lacks %s", s->dir,
                        path_exists(s->db_path) ? "manifest.json" : "occsnap.sqlite");
    return OS_OK;
}

/* Opens the database for SNAP_DB_OPTIONAL: a failure is kept in s->db_error,
 * not reported; never fails. */
static void open_db_optional(snapshot *s)
{
    if (!path_exists(s->db_path)) {
        snprintf(s->db_error, sizeof s->db_error, "%s", strerror(ENOENT));
        return;
    }
    if (open_ro(s->db_path, &s->db) != SQLITE_OK) {
        snprintf(s->db_error, sizeof s->db_error, "%s", sqlite3_errmsg(s->db));
        sqlite3_close(s->db);
        s->db = NULL;
    }
}

/* Reads and parses s->manifest_path into s->manifest; with strict, it must
 * be a JSON object. Returns OS_EIO (reported) when it cannot. */
static int load_manifest(snapshot *s, int strict)
{
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(s->manifest_path, MANIFEST_MAX, &text, &len);
    if (rc)
        return rc;
    s->manifest = json_loadb(text, len, 0, &s->json_error);
    free(text);
    if (!s->manifest || (strict && !json_is_object(s->manifest)))
        return os_error(OS_EIO, "cannot read %s: %s (line %d)", s->manifest_path,
                        s->manifest ? "not a JSON object" : s->json_error.text,
                        s->json_error.line);
    return OS_OK;
}

int snapshot_open(const char *dir, int flags, snapshot *s)
{
    *s = (snapshot){.dir = dir};
    s->db_path = xasprintf("%s/occsnap.sqlite", dir);
    s->manifest_path = xasprintf("%s/manifest.json", dir);
    int rc = OS_OK;
    if (flags & SNAP_DB_OPTIONAL) {
        open_db_optional(s);
    } else if (!(flags & SNAP_MANIFEST_ONLY)) {
        rc = check_dir(s);
        if (!rc)
            rc = snapshot_open_db(s->db_path, &s->db);
    }
    if (rc)
        return rc;
    return load_manifest(s, flags == 0);
}

void snapshot_close(snapshot *s)
{
    sqlite3_close(s->db);
    json_decref(s->manifest);
    free(s->db_path);
    free(s->manifest_path);
    *s = (snapshot){0};
}

sqlite3_stmt *snapshot_prepare(snapshot *s, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (s->rc)
        return NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        s->rc = os_error(OS_EIO, "%s: %s (is it an occsnap snapshot?)", s->db_path,
                         sqlite3_errmsg(s->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int snapshot_next(snapshot *s, sqlite3_stmt *st)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        return 1;
    if (r != SQLITE_DONE && !s->rc)
        s->rc = os_error(OS_EIO, "%s: %s", s->db_path, sqlite3_errmsg(s->db));
    return 0;
}
