/* verify.c - re-hash a published snapshot against its manifest.json and re-run its data tests. */
#include "read/verify.h"
#include "common/db.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "load/datatest.h"
#include "common/schema.h"
#include "common/snapshot.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* What verify found, counted for the summary line. */
typedef struct {
    size_t files, files_bad, unlisted, tables, counts_bad, tests, tests_bad;
    int damaged, tests_not_run;
} tally;

/* 1 if name is a plain file name inside the snapshot (no directory part, not
 * "." or ".."), so a doctored manifest cannot send verify outside it. */
static int plain_name(const char *name)
{
    return name && *name && !strchr(name, '/') && strcmp(name, ".") && strcmp(name, "..");
}

/* Checks one outputs[] entry (borrowed) against the file in dir and prints
 * one line; cannot fail, a mismatch is counted in t. */
static void check_output(const char *dir, size_t idx, json_t *o, tally *t, FILE *out)
{
    const char *name = json_string_value(json_object_get(o, "path"));
    const char *want = json_string_value(json_object_get(o, "sha256"));
    json_t *jb = json_object_get(o, "bytes");
    t->files++;
    if (!plain_name(name) || !want || !json_is_integer(jb)) {
        fprintf(out, "INVALID   manifest.json outputs[%zu]: needs a file name, bytes and sha256\n",
                idx);
        t->files_bad++;
        return;
    }
    long long want_bytes = json_integer_value(jb);
    char *path = xasprintf("%s/%s", dir, name);
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(out, "MISSING   %s: expected %lld bytes, sha256 %s (%s)\n", name, want_bytes, want,
                strerror(errno));
        t->files_bad++;
        free(path);
        return;
    }
    char hex[65];
    long long bytes = 0;
    int rc = OS_EIO;
    if (S_ISREG(st.st_mode)) {
        os_quiet++; /* the line below says what went wrong */
        rc = sha256_file(path, hex, &bytes);
        os_quiet--;
    }
    free(path);
    if (rc) {
        fprintf(out, "UNREADABLE %s: %s\n", name,
                S_ISREG(st.st_mode) ? os_last_error() : "not a regular file");
        t->files_bad++;
    } else if (bytes != want_bytes || strcmp(hex, want)) {
        fprintf(out, "CHANGED   %s: expected %lld bytes, sha256 %s; found %lld bytes, sha256 %s\n",
                name, want_bytes, want, bytes, hex);
        t->files_bad++;
    } else {
        fprintf(out, "ok        %s: %lld bytes, sha256 %s\n", name, bytes, hex);
    }
}

/* 1 if name is listed in the manifest's outputs (borrowed); cannot fail. */
static int listed(json_t *outputs, const char *name)
{
    size_t i;
    json_t *o;
    json_array_foreach(outputs, i, o)
    {
        const char *p = json_string_value(json_object_get(o, "path"));
        if (p && !strcmp(p, name))
            return 1;
    }
    return 0;
}

/* qsort comparator for an array of C strings. */
static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Prints a warning line for every entry of dir that the manifest's outputs
 * (borrowed) do not list; manifest.json is exempt, it cannot hold its own
 * hash. Returns OS_EIO when the directory cannot be read. */
static int check_unlisted(const char *dir, json_t *outputs, tally *t, FILE *out)
{
    DIR *d = opendir(dir);
    if (!d)
        return os_error(OS_EIO, "verify: cannot list %s: %s", dir, strerror(errno));
    char **names = NULL; /* sorted, so the report does not depend on readdir's order */
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !strcmp(e->d_name, "manifest.json") || listed(outputs, e->d_name))
            continue;
        names = xrealloc(names, (n + 1) * sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "warning   %s: in the snapshot directory but not listed in manifest.json\n",
                names[i]);
        free(names[i]);
    }
    free(names);
    t->unlisted += n;
    return OS_OK;
}

/* Compares each table's row count with the manifest's row_counts (borrowed);
 * table names come from the schema, never from the manifest. Prints a line
 * per difference, or one ok line; cannot fail (an unreadable table counts
 * as a difference). */
static void check_counts(sqlite3 *db, json_t *counts, tally *t, FILE *out)
{
    size_t before = t->counts_bad;
    for (const char *const *tb = schema_tables; *tb; tb++) {
        json_t *want = json_object_get(counts, *tb);
        if (!json_is_integer(want))
            continue;
        t->tables++;
        long long now = -1;
        os_quiet++; /* said in the line below */
        int rc = db_count(db, *tb, &now);
        os_quiet--;
        if (rc) {
            fprintf(out, "CHANGED   row count of %s: manifest %lld, database unreadable (%s)\n",
                    *tb, (long long)json_integer_value(want), sqlite3_errmsg(db));
            t->counts_bad++;
        } else if (now != json_integer_value(want)) {
            fprintf(out, "CHANGED   row count of %s: manifest %lld, database %lld\n", *tb,
                    (long long)json_integer_value(want), now);
            t->counts_bad++;
        }
    }
    if (t->counts_bad == before)
        fprintf(out, "ok        row counts of %zu tables as in manifest.json\n", t->tables);
}

/* Runs SQLite's quick_check (page structure, record formats, NOT NULL; not
 * index contents) and prints its first complaints; cannot fail, damage is
 * counted in t. */
static void check_integrity(sqlite3 *db, tally *t, FILE *out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(3)", -1, &st, NULL);
    int n = 0;
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        const char *msg = (const char *)sqlite3_column_text(st, 0);
        if (n++ == 0 && msg && !strcmp(msg, "ok"))
            break;
        t->damaged = 1;
        fputs("FAILED    database integrity (PRAGMA quick_check): ", out);
        for (const char *c = msg ? msg : "?"; *c; c++) /* one line per complaint */
            fputc(*c == '\n' ? ' ' : *c, out);
        fputc('\n', out);
    }
    if (rc != SQLITE_OK || n == 0) { /* no answer at all: the check itself failed */
        t->damaged = 1;
        fprintf(out, "FAILED    database integrity (PRAGMA quick_check): %s\n", sqlite3_errmsg(db));
    }
    sqlite3_finalize(st);
    if (!t->damaged)
        fprintf(out, "ok        database integrity (PRAGMA quick_check)\n");
}

/* Re-runs the data tests on the snapshot's database (read-only) and prints
 * one line per test; a database that could not be opened or cannot be
 * queried is reported as tests not run. Cannot fail otherwise. */
static void check_tests(const snapshot *s, tally *t, FILE *out)
{
    sqlite3 *db = s->db;
    if (!db) {
        fprintf(out, "FAILED    data tests not run: cannot open occsnap.sqlite (%s)\n",
                s->db_error);
        t->tests_not_run = 1;
        return;
    }
    sqlite3_stmt *probe = NULL; /* a doctored header makes every query fail: say so once */
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &probe, NULL) !=
            SQLITE_OK ||
        sqlite3_step(probe) != SQLITE_ROW) {
        fprintf(out, "FAILED    row counts and data tests not run: occsnap.sqlite cannot be read "
                     "(%s)\n", sqlite3_errmsg(db));
        t->tests_not_run = 1;
        sqlite3_finalize(probe);
        return;
    }
    sqlite3_finalize(probe);
    check_integrity(db, t, out);
    check_counts(db, json_object_get(s->manifest, "row_counts"), t, out);
    json_t *results = json_array();
    os_quiet++; /* every result is printed below, with its rows */
    int rc = datatest_run(db, NULL, 0, results);
    os_quiet--;
    if (rc == OS_EIO) {
        fprintf(out, "FAILED    data tests could not run: %s\n", os_last_error());
        t->tests_not_run = 1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r)
    {
        const char *name = json_string_value(json_object_get(r, "name"));
        t->tests++;
        if (json_is_true(json_object_get(r, "passed"))) {
            fprintf(out, "ok        data test: %s\n", name);
            continue;
        }
        t->tests_bad++;
        json_t *ex = json_object_get(r, "examples");
        long long rows = json_integer_value(json_object_get(r, "failing_rows"));
        fprintf(out, "FAILED    data test: %s: %lld failing row%s; first:", name, rows,
                rows == 1 ? "" : "s");
        size_t k;
        json_t *v;
        json_array_foreach(ex, k, v) fprintf(out, "%s %s", k ? ";" : "", json_string_value(v));
        if (!json_array_size(ex))
            fputs(" (not shown)", out);
        fputc('\n', out);
    }
    json_decref(results);
}

/* Reports to out; returns OS_EIO (said on stderr) when dir has no readable
 * manifest, OS_EDATA after the report when anything differs or fails. */
int verify_run(const char *dir, FILE *out)
{
    snapshot s;
    os_quiet++; /* said once below, with the snapshot named */
    int rc = snapshot_open(dir, SNAP_DB_OPTIONAL, &s);
    os_quiet--;
    json_t *m = s.manifest, *outputs = json_object_get(m, "outputs");
    if (rc && !s.json_error.text[0]) {
        char *why = xstrdup(os_last_error()); /* os_error overwrites it */
        rc = os_error(OS_EIO, "verify: %s is not a readable snapshot: %s", dir, why);
        free(why);
    } else if (rc)
        rc = os_error(OS_EIO, "verify: %s line %d: %s", s.manifest_path, s.json_error.line,
                      s.json_error.text);
    else if (!json_is_array(outputs))
        rc = os_error(OS_EIO, "verify: %s has no outputs list; not an occsnap manifest",
                      s.manifest_path);
    if (rc) {
        snapshot_close(&s);
        return rc;
    }
    const char *name = json_string_value(json_object_get(m, "snapshot"));
    const char *created = json_string_value(json_object_get(m, "created_at"));
    fprintf(out, "verify %s (snapshot %s, created %s)\n", dir, name ? name : "?",
            created ? created : "?");

    tally t = {0};
    size_t i;
    json_t *o;
    json_array_foreach(outputs, i, o) check_output(dir, i, o, &t, out);
    /* A manifest that lists none of the database cannot vouch for it. */
    int listed = 0;
    json_array_foreach(outputs, i, o)
    {
        const char *p = json_string_value(json_object_get(o, "path"));
        listed |= p && !strcmp(p, "occsnap.sqlite");
    }
    if (!listed) {
        fprintf(out, "MISSING   occsnap.sqlite is not among the manifest's outputs\n");
        t.files_bad++;
    }
    rc = check_unlisted(dir, outputs, &t, out);
    if (!rc)
        check_tests(&s, &t, out);
    snapshot_close(&s);
    if (rc)
        return rc;

    int bad = t.files_bad || t.damaged || t.counts_bad || t.tests_bad || t.tests_not_run;
    char warn[64] = "";
    if (t.unlisted)
        snprintf(warn, sizeof warn, "; warning: %zu unlisted file%s", t.unlisted,
                 t.unlisted == 1 ? "" : "s");
    if (!bad)
        fprintf(out, "verify: OK: %zu files match their sha256, database intact, %zu row counts "
                     "match, %zu data tests pass%s\n",
                t.files, t.tables, t.tests, warn);
    else
        fprintf(out, "verify: FAILED: %zu of %zu files changed or missing,%s %zu of %zu row "
                     "counts differ, %zu of %zu data tests failed%s%s\n",
                t.files_bad, t.files, t.damaged ? " database damaged," : "", t.counts_bad,
                t.tables, t.tests_bad, t.tests,
                t.tests_not_run ? " (the tests could not all run)" : "", warn);
    if (bad)
        return os_error(OS_EDATA, "verify: %s does not match its manifest or fails its data tests",
                        dir);
    return OS_OK;
}
