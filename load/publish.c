/* publish.c - write a snapshot directory atomically and re-point `latest`. */
#include "load/publish.h"
#include "common/error.h"
#include "common/util.h"
#include "load/manifest.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A check that must hold before a snapshot is published: the SQL returns the
 * offending rows (up to a few are shown), none means it passed. */
typedef struct {
    const char *name, *sql;
} check;

static const check CHECKS[] = {
    {"occupation universe not empty",
     "SELECT 'no occupations' WHERE (SELECT count(*) FROM occupation) = 0"},
    {"foreign keys resolve to occupation",
     "SELECT \"table\" || ' row ' || rowid || ' -> ' || parent FROM pragma_foreign_key_check"},
    {"percentiles within (0, 100)",
     "SELECT onet_code || ' ' || measure || ' pct=' || pct || ' pct_emp=' || "
     "ifnull(pct_emp, 'NULL') FROM measure WHERE pct IS NULL OR pct <= 0 OR pct >= 100 "
     "OR (pct_emp IS NOT NULL AND (pct_emp <= 0 OR pct_emp >= 100))"},
    {"coverage not below the configured floor",
     "SELECT table_id || ' covers ' || occupations_covered || ' of ' || occupations_total || "
     "' occupations, below its floor of ' || min_coverage FROM coverage WHERE min_coverage IS "
     "NOT NULL AND 1.0 * occupations_covered / occupations_total < min_coverage"},
    {"unique and not-null keys",
     "SELECT 'occupation ' || onet_code FROM occupation GROUP BY onet_code HAVING count(*) > 1 "
     "UNION ALL SELECT 'measure ' || onet_code || ' ' || measure FROM measure "
     "WHERE onet_code IS NULL OR measure IS NULL"},
    {"occupation codes well formed",
     "SELECT onet_code FROM occupation WHERE onet_code NOT GLOB "
     "'[1-5][0-9]-[0-9][0-9][0-9][0-9].[0-9][0-9]' OR soc_code <> substr(onet_code, 1, 7)"},
};

/* Runs every check, printing the failing ones with their first rows; fills
 * results (a JSON array). Returns OS_OK or OS_EDATA. */
static int run_checks(sqlite3 *db, json_t *results)
{
    int failed = 0;
    for (size_t k = 0; k < sizeof CHECKS / sizeof *CHECKS; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, CHECKS[k].sql, -1, &st, NULL) != SQLITE_OK)
            return os_error(OS_EIO, "data test '%s': %s", CHECKS[k].name, sqlite3_errmsg(db));
        long bad = 0;
        json_t *examples = json_array();
        while (sqlite3_step(st) == SQLITE_ROW) {
            if (bad++ < 5)
                json_array_append_new(examples,
                                      json_string((const char *)sqlite3_column_text(st, 0)));
        }
        sqlite3_finalize(st);
        json_t *r = json_object();
        json_object_set_new(r, "name", json_string(CHECKS[k].name));
        json_object_set_new(r, "passed", json_boolean(bad == 0));
        json_object_set_new(r, "failing_rows", json_integer(bad));
        json_object_set_new(r, "examples", examples);
        json_array_append_new(results, r);
        if (bad) {
            failed++;
            os_error(OS_EDATA, "data test failed: %s (%ld rows; first: %s)", CHECKS[k].name, bad,
                     json_string_value(json_array_get(examples, 0)));
        }
    }
    return failed ? OS_EDATA : OS_OK;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Copies src to dst byte for byte (dst created, must not exist); returns an
 * os_result. */
static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return os_error(OS_EIO, "cannot open %s: %s", src, strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return os_error(OS_EIO, "cannot create %s: %s", dst, strerror(errno));
    }
    char buf[1 << 16];
    ssize_t n;
    int rc = OS_OK;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n) {
            rc = os_error(OS_EIO, "cannot write %s: %s", dst, strerror(errno));
            break;
        }
    if (n < 0)
        rc = os_error(OS_EIO, "cannot read %s: %s", src, strerror(errno));
    if (fsync(out) != 0 && !rc)
        rc = os_error(OS_EIO, "cannot sync %s: %s", dst, strerror(errno));
    close(in);
    close(out);
    return rc;
}

/* Builds the snapshot in tmp: database, checks, manifest. */
static int build(const config *c, const char *work_db, const char *tmp, const char *name)
{
    sqlite3 *snap = NULL;
    char *db_path = xasprintf("%s/occsnap.sqlite", tmp);
    int rc = OS_OK;
    /* transform writes work_db once, compact, and replaces it by rename, so
     * a hard link is a safe zero-cost copy; across file systems, copy. */
    if (link(work_db, db_path) != 0) {
        if (errno == ENOENT)
            rc = os_error(OS_EIO, "cannot read %s (run `occsnap transform`)", work_db);
        else
            rc = copy_file(work_db, db_path);
    }
    if (!rc && sqlite3_open_v2(db_path, &snap, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                               NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "cannot open %s: %s", db_path, sqlite3_errmsg(snap));
    json_t *tests = json_array();
    if (!rc)
        rc = run_checks(snap, tests);
    json_t *manifest = NULL;
    if (!rc && !(manifest = manifest_build(snap, c, name, tests)))
        rc = OS_EIO;
    sqlite3_close(snap);
    if (!rc)
        rc = manifest_add_output(manifest, tmp, "occsnap.sqlite");
    if (!rc) {
        char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *path = xasprintf("%s/manifest.json", tmp);
        rc = write_file_atomic(path, text, strlen(text));
        free(path);
        free(text);
    }
    /* A published snapshot is read-only: readers share it, verify re-hashes it. */
    if (!rc) {
        char *mpath = xasprintf("%s/manifest.json", tmp);
        if (chmod(db_path, 0444) != 0 || chmod(mpath, 0444) != 0)
            rc = os_error(OS_EIO, "cannot make %s read-only: %s", tmp, strerror(errno));
        free(mpath);
    }
    json_decref(manifest);
    json_decref(tests);
    free(db_path);
    return rc;
}

/* Reads created_at from the work database's snapshot row and turns it into
 * the directory name "YYYY-MM-DDTHHMMSSZ". */
static int snapshot_name(const char *work_db, char name[32])
{
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = OS_EIO;
    if (sqlite3_open_v2(work_db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT created_at FROM snapshot", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            const char *iso = (const char *)sqlite3_column_text(st, 0);
            size_t k = 0;
            for (const char *p = iso; *p && k < 31; p++)
                if (*p != ':')
                    name[k++] = *p;
            name[k] = '\0';
            rc = OS_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc)
        os_error(OS_EIO, "cannot read the run time from %s (run `occsnap transform`)", work_db);
    sqlite3_close(db);
    return rc;
}

int publish_snapshot(const config *c, const char *work_db, const char *out_dir,
                     char *published, size_t published_size)
{
    char name[32];
    int rc = mkdir_p(out_dir);
    if (!rc)
        rc = snapshot_name(work_db, name);
    if (rc)
        return rc;
    char *tmp = xasprintf("%s/.tmp-%s-%ld", out_dir, name, (long)getpid());
    rm_rf(tmp);
    if (mkdir(tmp, 0755) != 0) {
        rc = os_error(OS_EIO, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    /* A second snapshot within the same second gets a suffix. */
    char final_name[48];
    snprintf(final_name, sizeof final_name, "%s", name);
    char *final_path = xasprintf("%s/%s", out_dir, final_name);
    for (int k = 1; path_exists(final_path) && k < 100; k++) {
        snprintf(final_name, sizeof final_name, "%s-%d", name, k);
        free(final_path);
        final_path = xasprintf("%s/%s", out_dir, final_name);
    }
    rc = build(c, work_db, tmp, final_name);
    if (!rc && (fsync_dir(tmp) != 0 || rename(tmp, final_path) != 0))
        rc = os_error(OS_EIO, "cannot rename %s to %s: %s", tmp, final_path, strerror(errno));
    if (rc) {
        rm_rf(tmp);
        free(tmp);
        free(final_path);
        return rc;
    }
    /* Re-point latest atomically: a new symlink renamed over the old one. */
    char *link_tmp = xasprintf("%s/.latest.tmp.%ld", out_dir, (long)getpid());
    char *link_path = xasprintf("%s/latest", out_dir);
    unlink(link_tmp);
    if (symlink(final_name, link_tmp) != 0 || rename(link_tmp, link_path) != 0) {
        rc = os_error(OS_EIO, "snapshot %s written but %s not re-pointed: %s", final_path,
                      link_path, strerror(errno));
        unlink(link_tmp);
    }
    fsync_dir(out_dir);
    snprintf(published, published_size, "%s", final_name);
    free(link_tmp);
    free(link_path);
    free(tmp);
    free(final_path);
    return rc;
}
