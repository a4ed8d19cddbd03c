/* extract.c - the extract stage: fetch every configured file, then stage its tables. */
#include "extract/extract.h"
#include "extract/aei_discover.h"
#include "common/error.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "extract/fetch.h"
#include "extract/stage.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* At most this many tables are parsed at once (one per core, bounded). */
#define MAX_WORKERS 4

/* A distinct file to fetch, shared by the tables read from it. */
typedef struct {
    const cfg_table *first;
    char *dest;
    int optional; /* only when every table read from it is optional */
} file_plan;

/* Fills plan with one entry per distinct (source, url) of c's tables and
 * returns how many (a count; cannot fail, dies on OOM). */
static size_t plan_files(const config *c, const char *cache_dir, file_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        size_t k;
        for (k = 0; k < n; k++)
            if (!strcmp(plan[k].first->source, t->source) && !strcmp(plan[k].first->url, t->url))
                break;
        if (k < n) {
            plan[k].optional &= t->optional;
            continue;
        }
        plan[n].first = t;
        plan[n].dest = xasprintf("%s/raw/%s/%s", cache_dir, t->source, t->cache_name);
        plan[n].optional = t->optional;
        n++;
    }
    return n;
}

/* Links dest (and its receipt) to dest.prev; a file not cached yet has none. */
static void keep_previous(const char *dest)
{
    const char *suffix[] = {"", ".receipt.json"};
    for (int i = 0; i < 2; i++) {
        char *from = xasprintf("%s%s", dest, suffix[i]);
        char *to = xasprintf("%s%s.prev", dest, suffix[i]);
        /* a .prev already there is the last good copy of a download that
           was not published yet: it stays the one to go back to */
        if (!path_exists(to) && path_exists(from) && link(from, to) != 0)
            os_warning("cannot keep the previous copy of %s", from);
        free(from);
        free(to);
    }
}

/* After the run: on failure put the previous copy back (the cache is as it
 * was before the run), on success drop it. Never fails. */
static void settle_previous(const char *dest, int failed)
{
    const char *suffix[] = {"", ".receipt.json"};
    char *prev = xasprintf("%s.prev", dest);
    int had = path_exists(prev);
    free(prev);
    for (int i = 0; i < 2; i++) {
        char *cur = xasprintf("%s%s", dest, suffix[i]);
        char *old = xasprintf("%s%s.prev", dest, suffix[i]);
        if (failed && had) {
            if (path_exists(old) && rename(old, cur) != 0)
                os_warning("cannot restore the previous copy of %s", cur);
        } else {
            unlink(old);
        }
        free(cur);
        free(old);
    }
}

/* The index in plan of the file table t is read from, or -1 if none (an
 * index, not an os_result; plan_files gives every table one). */
static int file_index(const file_plan *plan, size_t n, const cfg_table *t)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(plan[k].first->source, t->source) && !strcmp(plan[k].first->url, t->url))
            return (int)k;
    return -1;
}

/* Parallel parsing: workers take tables in config order and parse them into
 * memory; the main thread inserts each finished table, in order, so the
 * stage database (one writer) is deterministic. Workers print their own
 * errors as they meet them, so when two tables fail both messages appear,
 * in either order; the run reports the first table's failure. */
typedef struct {
    const config *c;
    const char **raw;     /* per table: its cached file, or NULL if not fetched */
    const unsigned char *reuse; /* per table: copy it from the previous stage */
    staged **out;
    int *rc, *done;
    size_t next;          /* next table to hand out */
    int stop;             /* set by the main thread after a failure */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next++;
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->c->ntab)
            return NULL;
        int rc = OS_OK;
        staged *s = NULL;
        if (!stop && p->raw[i] && !(p->reuse && p->reuse[i]))
            rc = stage_parse(&p->c->tab[i], p->raw[i], p->c->max_member_bytes, &s);
        pthread_mutex_lock(&p->mu);
        p->out[i] = s;
        p->rc[i] = rc;
        p->done[i] = 1;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
    }
}

/* Parses every fetched table on worker threads and inserts them in order;
 * returns the first table's failure (os_result), after all workers ended. */
static int stage_all(sqlite3 *db, const config *c, const char **raw, const fetch_receipt **rec,
                     const unsigned char *reuse, char *const *absent)
{
    size_t n = c->ntab;
    pool p = {.c = c, .raw = raw, .reuse = reuse};
    p.out = xcalloc(n, sizeof *p.out);
    p.rc = xcalloc(n, sizeof *p.rc);
    p.done = xcalloc(n, sizeof *p.done);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int nw = cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
    pthread_t th[MAX_WORKERS];
    int started = 0;
    for (int w = 0; w < nw; w++)
        if (pthread_create(&th[w], NULL, worker, &p) == 0)
            started++;
    if (!started)
        worker(&p); /* no threads to be had: parse on this one */
    int rc = OS_OK;
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&p.mu);
        while (!p.done[i])
            pthread_cond_wait(&p.cv, &p.mu);
        pthread_mutex_unlock(&p.mu);
        if (rc)
            continue;
        if (absent[i])
            rc = stage_record_absent(db, &c->tab[i], absent[i]);
        else if (reuse && reuse[i])
            rc = stage_copy_previous(db, &c->tab[i]);
        else if (!raw[i])
            rc = stage_record_missing(db, &c->tab[i],
                                      rec[i]->error[0] ? rec[i]->error : "not fetched");
        else if (p.rc[i])
            rc = p.rc[i];
        else
            rc = stage_insert(db, p.out[i]);
        if (rc) {
            pthread_mutex_lock(&p.mu);
            p.stop = 1;
            pthread_mutex_unlock(&p.mu);
        }
    }
    for (int w = 0; w < started; w++)
        pthread_join(th[w], NULL);
    for (size_t i = 0; i < n; i++)
        staged_free(p.out[i]);
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    free(p.out), free(p.rc), free(p.done);
    return rc;
}

int extract_run(config *c, const extract_opts *opt)
{
    file_plan *plan = xcalloc(c->ntab, sizeof *plan);
    size_t n = plan_files(c, opt->cache_dir, plan);
    fetch_request *req = xcalloc(n, sizeof *req);
    fetch_receipt *rec = xcalloc(n, sizeof *rec);
    for (size_t k = 0; k < n; k++) {
        const cfg_table *t = plan[k].first;
        req[k] = (fetch_request){t->source, t->url, plan[k].dest,
                                 t->member || t->format == CFG_XLSX ? FETCH_EXPECT_ZIP
                                                                    : FETCH_EXPECT_TEXT,
                                 plan[k].optional};
    }
    fetch_options fo = {
        .mirror = opt->mirror,
        .user_agent = c->user_agent,
        .contact = c->contact,
        .max_bytes = c->max_download_bytes,
        .connect_timeout_s = c->connect_timeout_s,
        .timeout_s = c->timeout_s,
        .stall_s = c->stall_s,
        .deadline_ms = c->deadline_s > 0 ? mono_ms() + c->deadline_s * 1000LL : 0,
        .max_parallel = c->parallel > 0 ? c->parallel : 1,
        .retries = c->retries,
        .offline = opt->offline,
        .allow_stale = opt->allow_stale,
    };
    /* Keep the last good copy of every cached file (a hard link, free) until
     * the run has staged what it fetched: a download that passes its HTTP
     * checks but fails the pin or the parse must not replace good data. */
    for (size_t k = 0; k < n; k++)
        keep_previous(plan[k].dest);
    int rc = fetch_all(&fo, req, n, rec);

    /* A pinned sha256 guards against an upstream file changing unnoticed. */
    for (size_t i = 0; !rc && i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        int k = file_index(plan, n, t);
        if (t->sha256 && rec[k].ok && strcmp(t->sha256, rec[k].sha256))
            rc = os_error(OS_EFETCH, "%s: %s has sha256 %s, but the config pins %s", t->id,
                          t->url, rec[k].sha256, t->sha256);
    }

    /* A release found in the listing: its header decides its layout. */
    for (size_t i = 0; !rc && i < c->naei; i++) {
        cfg_aei *a = &c->aei[i];
        const cfg_table *t = a->found ? config_table(c, a->raw) : NULL;
        int k = t ? file_index(plan, n, t) : -1;
        if (k >= 0 && rec[k].ok)
            rc = aei_choose_layout(c, a, plan[k].dest);
    }

    char *stage_path = xasprintf("%s/stage.sqlite", opt->cache_dir);
    char *tmp = xasprintf("%s.tmp.%ld", stage_path, (long)getpid());
    tmp_register(tmp);
    sqlite3 *db = NULL;
    if (!rc)
        rc = stage_create(tmp, &db);
    /* The previous stage, if any, is attached (outside the transaction, as
     * SQLite requires) so unchanged tables can be copied from it. */
    int attached = 0;
    if (!rc && path_exists(stage_path)) {
        sqlite3_stmt *at;
        if (sqlite3_prepare_v2(db, "ATTACH ? AS prev", -1, &at, NULL) == SQLITE_OK) {
            sqlite3_bind_text(at, 1, stage_path, -1, SQLITE_STATIC);
            attached = sqlite3_step(at) == SQLITE_DONE;
        }
        sqlite3_finalize(at);
    }
    if (!rc)
        rc = sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK
                 ? OS_OK
                 : os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    for (size_t k = 0; !rc && k < n; k++)
        rc = stage_record_file(db, plan[k].first->source, plan[k].dest, &rec[k]);
    if (!rc)
        rc = stage_record_releases(db, c);
    if (!rc)
        rc = aei_stage_record(db, c);
    if (!rc) {
        const char **raw = xcalloc(c->ntab, sizeof *raw);
        const fetch_receipt **trec = xcalloc(c->ntab, sizeof *trec);
        char **absent = xcalloc(c->ntab, sizeof *absent);
        for (size_t i = 0; i < c->ntab; i++) {
            int k = file_index(plan, n, &c->tab[i]);
            trec[i] = &rec[k];
            raw[i] = rec[k].ok ? plan[k].dest : NULL;
            /* a table of other releases' layout (since/until): not staged,
               and no warning, as the release has no such member */
            absent[i] = config_table_absent(c, &c->tab[i]);
            if (absent[i])
                raw[i] = NULL;
        }
        /* Tables whose file and fingerprint are unchanged since the previous
         * stage are copied from it: a nightly run with unchanged sources
         * parses nothing. */
        unsigned char *reuse = xcalloc(c->ntab, 1);
        size_t nreuse = 0;
        for (size_t i = 0; attached && i < c->ntab; i++)
            if (raw[i] && stage_reusable(db, &c->tab[i], trec[i]->sha256))
                reuse[i] = 1, nreuse++;
        rc = stage_all(db, c, raw, trec, reuse, absent);
        for (size_t i = 0; i < c->ntab; i++)
            free(absent[i]);
        free(absent);
        if (!rc && nreuse)
            os_progress("%zu of %zu tables unchanged since the last extract (reused)", nreuse,
                        c->ntab);
        free(reuse);
        free(raw);
        free(trec);
    }
    if (!rc && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "stage: %s", sqlite3_errmsg(db));
    if (attached)
        sqlite3_exec(db, "DETACH prev", NULL, NULL, NULL);
    if (db && sqlite3_close(db) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", tmp);
    if (!rc && rename(tmp, stage_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s", tmp, stage_path);
    if (rc)
        unlink(tmp);
    tmp_unregister(tmp);
    /* a failed extract puts the last good copies back now; a download that
       staged is kept beside its last good copy until a snapshot built from
       it is published (extract_settle) */
    for (size_t k = 0; rc && k < n; k++)
        settle_previous(plan[k].dest, 1);
    for (size_t k = 0; k < n; k++)
        free(plan[k].dest);
    free(plan);
    free(req);
    free(rec);
    free(stage_path);
    free(tmp);
    return rc;
}

void extract_settle(const config *c, const char *cache_dir, int failed)
{
    file_plan *plan = xcalloc(c->ntab ? c->ntab : 1, sizeof *plan);
    size_t n = plan_files(c, cache_dir, plan);
    for (size_t k = 0; k < n; k++) {
        settle_previous(plan[k].dest, failed);
        free(plan[k].dest);
    }
    free(plan);
}
