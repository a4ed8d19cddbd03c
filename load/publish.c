/* publish.c - write a snapshot directory atomically and re-point `latest`. */
#define _GNU_SOURCE /* copy_file_range */
#include "load/publish.h"
#include "common/db.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "load/datatest.h"
#include "load/export.h"
#include "load/manifest.h"
#include "common/snapshot.h"

#include <dirent.h>
#include <signal.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Flushes the directory dir itself to disk (new names in it); returns an
 * os_result, OS_EIO naming dir when it cannot be opened or synced. */
static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return os_error(OS_EIO, "cannot sync %s: %s", dir, strerror(errno));
    int rc = fsync(fd) == 0 ? OS_OK : os_error(OS_EIO, "cannot sync %s: %s", dir, strerror(errno));
    close(fd);
    return rc;
}

/* Copies src to dst byte for byte (dst created, must not exist), in the
 * kernel where it can (copy_file_range); dst is not synced here (see
 * task_start); returns an os_result. */
static int copy_file(const char *src, const char *dst)
{
    int in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return os_error(OS_EIO, "cannot read %s: %s (run `occsnap transform`)", src,
                        strerror(errno));
    int out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (out < 0) {
        close(in);
        return os_error(OS_EIO, "cannot create %s: %s", dst, strerror(errno));
    }
    int rc = OS_OK;
    ssize_t n;
    while ((n = copy_file_range(in, NULL, out, NULL, (size_t)1 << 30, 0)) > 0)
        ;
    int err = n < 0 ? errno : 0;
    if (n < 0 && err != EXDEV && err != ENOSYS && err != EOPNOTSUPP && err != EINVAL)
        rc = os_error(OS_EIO, "cannot write %s: %s", dst, strerror(err)); /* a full disk, say */
    else if (n < 0) {
        /* not supported here (another file system): read and write */
        char buf[1 << 16];
        if (lseek(in, 0, SEEK_SET) != 0 || ftruncate(out, 0) != 0 || lseek(out, 0, SEEK_SET) != 0)
            rc = os_error(OS_EIO, "cannot copy %s: %s", src, strerror(errno));
        while (!rc && (n = read(in, buf, sizeof buf)) > 0)
            for (ssize_t at = 0; !rc && at < n;) {
                ssize_t w = write(out, buf + at, (size_t)(n - at));
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0)
                    rc = os_error(OS_EIO, "cannot write %s: %s", dst,
                                  w < 0 ? strerror(errno) : "no space left on the device");
                else
                    at += w;
            }
        if (!rc && n < 0)
            rc = os_error(OS_EIO, "cannot read %s: %s", src, strerror(errno));
    }
    close(in);
    close(out);
    return rc;
}

/* Work on the copied database on a thread of its own, while the checks and
 * exports use the CPU: its sha256 (for the manifest and the Data Package),
 * or its fsync (the disk busy, not the CPU). */
typedef struct {
    const char *path;
    int hash; /* 1: sha256 into file; 0: fsync */
    export_file file;
    int rc, started;
    pthread_t thread;
} file_task;

static void *file_task_run(void *arg)
{
    file_task *t = arg;
    if (t->hash) {
        t->rc = sha256_file(t->path, t->file.sha256, &t->file.bytes);
        return NULL;
    }
    int fd = open(t->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        t->rc = os_error(OS_EIO, "cannot sync %s: %s", t->path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return NULL;
}

/* Starts task hash (1) or fsync (0) of path; t and path are the caller's
 * until task_wait; cannot fail (without a thread it runs in line). */
static void task_start(file_task *t, const char *path, int hash)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    t->hash = hash;
    t->started = pthread_create(&t->thread, NULL, file_task_run, t) == 0;
    if (!t->started)
        file_task_run(t);
}

/* Waits for the task (none started: OS_OK); returns its os_result. */
static int task_wait(file_task *t)
{
    if (t->started)
        pthread_join(t->thread, NULL);
    t->started = 0;
    return t->rc;
}

/* export_file.ready of the database's hash: waits for its task (a file_task
 * of hash 1) and returns its os_result. */
static int hash_ready(void *ctx)
{
    file_task *t = ctx;
    int rc = task_wait(t);
    trace_mark("load: database hashed");
    return rc;
}

/* The previous snapshot's manifest (out_dir/latest), or NULL if none or
 * unreadable (nothing is said: the first run has none). */
static json_t *previous_manifest(const char *out_dir)
{
    char *dir = xasprintf("%s/latest", out_dir);
    char *path = xasprintf("%s/manifest.json", dir);
    json_t *m = NULL;
    snapshot prev;
    if (path_exists(path)) {
        os_quiet++;
        if (snapshot_open(dir, SNAP_MANIFEST_ONLY, &prev) == OS_OK)
            m = json_incref(prev.manifest);
        os_quiet--;
        snapshot_close(&prev);
    }
    free(path);
    free(dir);
    return m;
}

/* The checks of a snapshot being built: its data tests, then its manifest,
 * on a connection of their own, beside the exports (which read the same
 * file on theirs). */
typedef struct {
    const config *c;
    const char *db_path, *name;
    json_t *prev;     /* the previous manifest, or NULL (borrowed) */
    json_t *tests;    /* the results datatest_run appends (borrowed) */
    json_t *manifest; /* the manifest built, the caller's */
    int rc, started;
    pthread_t thread;
} checks_task;

static void *checks_run(void *arg)
{
    checks_task *k = arg;
    sqlite3 *db = NULL;
    k->rc = snapshot_open_db(k->db_path, &db);
    if (!k->rc)
        k->rc = datatest_run(db, json_object_get(k->prev, "row_counts"), k->c->min_row_share,
                             k->tests);
    trace_mark("load: data tests run");
    if (!k->rc && !(k->manifest = manifest_build(db, k->c, k->name, k->tests)))
        k->rc = OS_EIO;
    trace_mark("load: manifest built");
    sqlite3_close(db);
    return NULL;
}

static int build(const config *c, const char *work_db, const char *out_dir, const char *tmp,
                 const char *name)
{
    sqlite3 *snap = NULL;
    char *db_path = xasprintf("%s/occsnap.sqlite", tmp);
    int rc = OS_OK;
    /* A copy, not a link: the published file must not change when someone
     * opens the work database; transform wrote it compact, so it is ready. */
    rc = copy_file(work_db, db_path);
    trace_mark("load: database copied");
    file_task db_hash = {.started = 0, .rc = OS_OK}, db_sync = {.started = 0, .rc = OS_OK};
    if (!rc) {
        task_start(&db_hash, db_path, 1);
        task_start(&db_sync, db_path, 0);
    }
    json_t *tests = json_array();
    json_t *prev = previous_manifest(out_dir);
    /* the data tests and the manifest run beside the exports: a failed test
       still fails the run before anything is published, and the exports,
       written into tmp, go with it */
    checks_task checks = {.c = c, .db_path = db_path, .name = name, .prev = prev,
                          .tests = tests, .rc = OS_OK};
    if (!rc) {
        checks.started = pthread_create(&checks.thread, NULL, checks_run, &checks) == 0;
        if (!checks.started)
            checks_run(&checks);
    }
    if (!rc)
        rc = snapshot_open_db(db_path, &snap);
    /* Exports for tools that do not read SQLite, described by a Frictionless
     * Data Package; the manifest lists every file with its sha256. They
     * start while the database is hashed, which only its description in
     * the Data Package waits on (hash_ready). */
    export_hashes hashes = {.n = 0};
    db_hash.file.ready = hash_ready;
    db_hash.file.ctx = &db_hash;
    if (!rc)
        rc = export_profile(snap, c, tmp, &db_hash.file, &hashes);
    int hrc = task_wait(&db_hash); /* its result, when the exports did not ask */
    if (!rc)
        rc = hrc;
    trace_mark("load: exported");
    if (checks.started)
        pthread_join(checks.thread, NULL);
    json_decref(prev);
    json_t *manifest = checks.manifest;
    if (checks.rc) /* the checks' failure first, as when they ran before the exports */
        rc = checks.rc;
    sqlite3_close(snap);
    /* the exported files were hashed for the Data Package: hash each once */
    for (int k = 0; !rc && k < hashes.n; k++)
        manifest_add_known_output(manifest, hashes.path[k], hashes.bytes[k], hashes.sha256[k]);
    if (!rc)
        rc = manifest_add_output(manifest, tmp, "datapackage.json");
    if (!rc) {
        char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *path = xasprintf("%s/manifest.json", tmp);
        rc = write_file_atomic(path, text, strlen(text));
        free(path);
        free(text);
    }
    /* A published snapshot is read-only: readers share it, verify re-hashes it. */
    for (int k = 0; !rc && k < hashes.n + 2; k++) {
        const char *file = k < hashes.n ? hashes.path[k]
                           : k == hashes.n ? "datapackage.json" : "manifest.json";
        char *fpath = xasprintf("%s/%s", tmp, file);
        if (chmod(fpath, 0444) != 0)
            rc = os_error(OS_EIO, "cannot make %s read-only: %s", fpath, strerror(errno));
        free(fpath);
    }
    /* the database is on the disk before the folder is renamed into place */
    trace_mark("load: manifest written");
    int src = task_wait(&db_sync);
    trace_mark("load: database synced");
    if (!rc)
        rc = src;
    export_hashes_free(&hashes);
    json_decref(manifest);
    json_decref(tests);
    free(db_path);
    return rc;
}

/* Reads created_at from the work database's snapshot row and turns it into
 * the directory name "YYYY-MM-DDTHHMMSSZ". */
static int snapshot_name(const char *work_db, char name[32])
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int row = 0;
    os_quiet++; /* one message below says what to do */
    int rc = snapshot_open_db(work_db, &db);
    if (!rc)
        rc = db_prepare(db, "SELECT created_at FROM snapshot", &st);
    if (!rc)
        rc = db_next(db, st, &row);
    os_quiet--;
    size_t k = 0;
    for (const char *p = row ? db_text(st, 0) : ""; *p && k < 31; p++)
        if (*p != ':')
            name[k++] = *p;
    name[k] = '\0';
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (rc || !row)
        return os_error(OS_EIO, "cannot read the run time from %s (run `occsnap transform`)",
                        work_db);
    return OS_OK;
}

/* 1 if name looks like a snapshot directory name "YYYY-MM-DDTHHMMSSZ[-N]". */
static int is_snapshot_name(const char *name)
{
    const char *shape = "dddd-dd-ddTddddddZ";
    for (size_t i = 0; shape[i]; i++) {
        char c = name[i];
        if (shape[i] == 'd' ? !(c >= '0' && c <= '9') : c != shape[i])
            return 0;
    }
    return name[18] == '\0' || name[18] == '-';
}

static int by_name_desc(const void *a, const void *b)
{
    return strcmp(*(char *const *)b, *(char *const *)a);
}

/* Removes the oldest snapshots beyond keep (0: keep all), never the one
 * latest points at; a failure to remove one is a warning, not an error. */
static void retain(const char *out_dir, long keep, const char *latest)
{
    if (keep <= 0)
        return;
    DIR *d = opendir(out_dir);
    if (!d)
        return;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_snapshot_name(e->d_name)) {
            names = xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = xstrdup(e->d_name);
        }
    closedir(d);
    qsort(names, n, sizeof *names, by_name_desc);
    for (size_t i = (size_t)keep; i < n; i++) {
        if (strcmp(names[i], latest)) {
            /* renamed aside first: a run killed while deleting leaves a
               .retire-* folder (cleared by the next run), never a
               half-deleted snapshot under a snapshot's name */
            char *path = xasprintf("%s/%s", out_dir, names[i]);
            char *aside = xasprintf("%s/.retire-%s-%ld", out_dir, names[i], (long)getpid());
            os_quiet++; /* a warning, not an error: the line below says so */
            int rc = rename(path, aside) == 0 ? rm_rf(aside) : OS_EIO;
            os_quiet--;
            if (rc)
                os_warning("retention: cannot remove %s", path);
            free(aside);
            free(path);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Re-points out_dir/latest at name atomically (a new symlink renamed over
 * the old one); returns OS_EIO naming both when it cannot. */
static int repoint(const char *out_dir, const char *name)
{
    char *link_tmp = xasprintf("%s/.latest.tmp.%ld", out_dir, (long)getpid());
    char *link_path = xasprintf("%s/latest", out_dir);
    unlink(link_tmp);
    tmp_register(link_tmp);
    int rc = OS_OK;
    if (symlink(name, link_tmp) != 0 || rename(link_tmp, link_path) != 0) {
        rc = os_error(OS_EIO, "cannot re-point %s at %s: %s", link_path, name, strerror(errno));
        unlink(link_tmp);
    }
    tmp_unregister(link_tmp);
    free(link_tmp);
    free(link_path);
    return rc;
}

int publish_unchanged(const config *c, const char *stage_db, const char *out_dir)
{
    json_t *prev = previous_manifest(out_dir);
    const char *was = json_string_value(json_object_get(prev, "inputs_sha256"));
    int same = 0;
    sqlite3 *db;
    if (was && sqlite3_open_v2(stage_db, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        char now[65];
        if (manifest_inputs_sha256(db, "stage_file", c, now) == OS_OK)
            same = !strcmp(now, was);
        sqlite3_close(db);
    }
    json_decref(prev);
    return same;
}

int publish_snapshot(const config *c, const char *work_db, const char *out_dir,
                     const publish_opts *opt, char *published, size_t published_size)
{
    char name[32];
    int rc = mkdir_p(out_dir);
    if (!rc)
        rc = snapshot_name(work_db, name);
    if (rc)
        return rc;
    tmp_clear_dead(out_dir, 0, NULL, NULL); /* .tmp-*, .retire-*, .latest.tmp.* of runs that died */
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
    rc = build(c, work_db, out_dir, tmp, final_name);
    if (!rc)
        rc = fsync_dir(tmp);
    if (!rc && rename(tmp, final_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s: %s", tmp, final_path, strerror(errno));
    if (rc) {
        rm_rf(tmp);
        free(tmp);
        free(final_path);
        return rc;
    }
    rc = repoint(out_dir, final_name);
    if (rc) {
        os_error(OS_EIO, "the new snapshot %s is removed", final_name);
        rm_rf(final_path); /* nothing is published unless latest points at it */
    }
    os_quiet++; /* best effort: latest is already re-pointed (or the error said why not) */
    fsync_dir(out_dir);
    os_quiet--;
    snprintf(published, published_size, "%s", final_name);
    if (!rc)
        retain(out_dir, opt ? opt->keep : 0, final_name);
    free(tmp);
    free(final_path);
    return rc;
}

int publish_adopt_orphan(const char *out_dir, int (*complete)(const char *dir))
{
    DIR *d = opendir(out_dir);
    if (!d)
        return OS_OK;
    char newest[256] = "", target[256] = "";
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (is_snapshot_name(e->d_name) && strcmp(e->d_name, newest) > 0)
            snprintf(newest, sizeof newest, "%s", e->d_name);
    closedir(d);
    char *link_path = xasprintf("%s/latest", out_dir);
    ssize_t n = readlink(link_path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    free(link_path);
    int rc = OS_OK;
    if (*newest && strcmp(newest, target) > 0) {
        char *dir = xasprintf("%s/%s", out_dir, newest);
        if (complete(dir) == OS_OK) {
            rc = repoint(out_dir, newest);
            if (!rc)
                os_warning("%s: a complete snapshot newer than latest (%s), left by a run that "
                           "died before re-pointing latest; verified, and latest now points at it",
                           dir, *target ? target : "none");
        } else
            os_warning("%s: a snapshot newer than latest (%s) that does not verify, left by a run "
                       "that died; latest is left as it was (remove it, or see occsnap verify)",
                       dir, *target ? target : "none");
        free(dir);
    }
    return rc;
}
