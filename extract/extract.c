/* extract.c - the extract stage: fetch every configured file, then stage its tables. */
#include "extract/extract.h"
#include "extract/aei_discover.h"
#include "common/db.h"
#include "common/error.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "extract/fetch.h"
#include "extract/stage.h"
#include "extract/urlmap.h"

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

/* What the file table t reads must be: a zip (an xlsx is one, or a
 * member's archive), else text. */
static enum fetch_expect expected(const cfg_table *t)
{
    return t->member || t->format == CFG_XLSX ? FETCH_EXPECT_ZIP : FETCH_EXPECT_TEXT;
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

/* Parsing while downloading: the fetch (on the main thread) decides each
 * table as soon as its file is in the cache (parse it, copy it from the
 * previous stage, or nothing to do), and worker threads parse the tables
 * marked for parsing, those of the largest downloaded file first (then in
 * config order), into memory. When every table is
 * decided, the main thread writes them in config order, so the stage
 * database (one writer) is deterministic. Workers print their own errors as
 * they meet them, so when two tables fail both messages appear, in either
 * order; the run reports the first table's failure. */
enum { T_UNDECIDED = 0, T_PARSE, T_REUSE, T_NONE, T_TWIN };

typedef struct {
    config *c;
    const char *cache_dir;     /* where rows files go (stage_image_write) */
    const file_plan *plan;
    size_t nplan;
    const fetch_receipt *rec;  /* per file */
    int *file_of;              /* per table: its file's index in plan */
    char **absent;             /* per table: why it is not in its release, or NULL */
    sqlite3 *prev;             /* the previous stage (read-only), while deciding */
    int have_prev;             /* there is a previous stage to copy tables from */
    unsigned char *decision;   /* per table: T_* */
    int *twin_of;              /* per table: T_TWIN: the table parsed in its place */
    int *file_rc;              /* per file: a failure found when deciding */
    staged **out;              /* per table: parsed rows (a missing member only) */
    stage_image **img;         /* per table: its rows in a database of its own */
    int *rc, *done, *claimed;
    int all_decided;           /* the fetch is over: no more tables will come */
    int stop;                  /* set by the main thread after a failure */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} pool;

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        /* of the tables whose files are in, one of the largest file first
           (its size as downloaded: the O*NET excel zip holds the two big
           sheets), so that the longest parses do not start last and leave
           a core idle at the end; ties in config order */
        size_t i, n = p->c->ntab, best = n;
        for (i = 0; i < n; i++)
            if (p->decision[i] == T_PARSE && !p->claimed[i] &&
                (best == n || p->rec[p->file_of[i]].bytes > p->rec[p->file_of[best]].bytes))
                best = i;
        i = best;
        if (i == n) {
            if (p->all_decided || p->stop)
                break;
            pthread_cond_wait(&p->cv, &p->mu);
            continue;
        }
        p->claimed[i] = 1;
        int stop = p->stop;
        pthread_mutex_unlock(&p->mu);
        int rc = OS_OK;
        staged *s = NULL;
        stage_image *img = NULL;
        int k = p->file_of[i];
        trace_mark("extract: %s parsing", p->c->tab[i].id);
        if (!stop)
            rc = stage_parse(&p->c->tab[i], p->plan[k].dest, p->c->max_member_bytes, &s);
        trace_mark("extract: %s parsed", p->c->tab[i].id);
        /* the rows go into a database of the worker's own: the writer then
           copies pages, and inserting runs on every core, not only its */
        if (!rc && s)
            rc = stage_image_build(s, &img);
        trace_mark("extract: %s in its database", p->c->tab[i].id);
        /* and into its own rows file, here too: the writer only records it */
        if (!rc && img)
            rc = stage_image_write(img, p->cache_dir, p->rec[k].sha256);
        trace_mark("extract: %s rows written", p->c->tab[i].id);
        if (img) {
            staged_free(s);
            s = NULL;
        }
        pthread_mutex_lock(&p->mu);
        p->img[i] = img;
        p->out[i] = s;
        p->rc[i] = rc;
        p->done[i] = 1;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* A table parsed already, or to be, whose rows table i would repeat: its
 * file has the bytes of i's (r) and it reads them alike (read_sha256), as
 * two Economic Index releases ship one task statements file. Its index, or
 * -1. Called under p->mu. */
static long twin_parsed(const pool *p, size_t i, const fetch_receipt *r)
{
    const cfg_table *t = &p->c->tab[i];
    for (size_t j = 0; j < p->c->ntab; j++) {
        const cfg_table *u = &p->c->tab[j];
        if (j != i && p->decision[j] == T_PARSE && !strcmp(u->read_sha256, t->read_sha256) &&
            !strcmp(p->rec[p->file_of[j]].sha256, r->sha256))
            return (long)j;
    }
    return -1;
}

/* Decides every table read from file k, now in the cache with receipt r:
 * the config's sha256 pin, the Economic Index layout its header shows, and
 * whether the previous stage has the table from this very file. Runs on
 * the fetching thread; a failure is kept in file_rc[k] for the main thread. */
static void decide_file(pool *p, size_t k, const fetch_receipt *r)
{
    config *c = p->c;
    int rc = OS_OK;
    for (size_t i = 0; !rc && i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        if (p->file_of[i] == (int)k && t->sha256 && strcmp(t->sha256, r->sha256))
            rc = OS_EFETCH; /* reported by the main thread, as before */
    }
    /* a release found in the listing: its header decides its layout (which
       rewrites that release's table only, not yet handed to a worker) */
    for (size_t a = 0; !rc && a < c->naei; a++) {
        const cfg_table *t = c->aei[a].found ? config_table(c, c->aei[a].raw) : NULL;
        if (t && p->file_of[t - c->tab] == (int)k)
            rc = aei_choose_layout(c, &c->aei[a], p->plan[k].dest);
    }
    pthread_mutex_lock(&p->mu);
    p->file_rc[k] = rc;
    for (size_t i = 0; i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        if (p->decision[i] != T_UNDECIDED || p->file_of[i] != (int)k)
            continue;
        long twin = -1;
        if (rc || p->absent[i])
            p->decision[i] = T_NONE;
        else if (p->prev && stage_reusable(p->prev, "main", t, r->sha256, p->cache_dir))
            p->decision[i] = T_REUSE;
        else if ((twin = twin_parsed(p, i, r)) >= 0) {
            p->decision[i] = T_TWIN;
            p->twin_of[i] = (int)twin;
        } else
            p->decision[i] = T_PARSE;
        if (p->decision[i] != T_PARSE)
            p->done[i] = 1;
    }
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Decides what the fetch left (files that failed, or a stale copy kept by
 * --allow-stale), then lets the workers finish; never fails. */
static void decide_rest(pool *p)
{
    for (size_t k = 0; k < p->nplan; k++) {
        int undecided = 0;
        pthread_mutex_lock(&p->mu);
        for (size_t i = 0; i < p->c->ntab && !undecided; i++)
            undecided = p->decision[i] == T_UNDECIDED && p->file_of[i] == (int)k;
        pthread_mutex_unlock(&p->mu);
        if (undecided && p->rec[k].ok)
            decide_file(p, k, &p->rec[k]);
    }
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->c->ntab; i++)
        if (p->decision[i] == T_UNDECIDED) {
            p->decision[i] = T_NONE;
            p->done[i] = 1;
        }
    p->all_decided = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Waits until a table not yet in seen[] has ended (parsed, or decided not
 * to be parsed) and returns the first such in config order; marks it seen. */
static size_t next_ended(pool *p, unsigned char *seen)
{
    size_t n = p->c->ntab, i;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        for (i = 0; i < n && (seen[i] || !p->done[i]); i++)
            ;
        if (i < n)
            break;
        pthread_cond_wait(&p->cv, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    seen[i] = 1;
    return i;
}

/* Asks the workers to parse nothing more (after a failure). */
static void stop_workers(pool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Keeps table i's rows as its parse ends: a table reused from the previous
 * stage keeps its rows file (a missing member is staged empty again); a
 * parsed one is in its rows file already (the worker wrote it), and a twin
 * names its original's. Returns an os_result. */
static int copy_rows(sqlite3 *db, pool *p, size_t i)
{
    if (p->decision[i] != T_REUSE)
        return OS_OK;
    int rc = stage_reuse_rows(db, &p->c->tab[i]);
    trace_mark("extract: %s rows kept", p->c->tab[i].id);
    return rc;
}

/* Writes table i's record into db (and a table parsed to no image, such as
 * an optional member missing from its archive, whole), counting a reused
 * table in *nreuse. Returns an os_result. */
static int write_record(sqlite3 *db, pool *p, size_t i, size_t *nreuse)
{
    const cfg_table *t = &p->c->tab[i];
    const fetch_receipt *r = &p->rec[p->file_of[i]];
    if (p->absent[i])
        return stage_record_absent(db, t, p->absent[i]);
    if (p->decision[i] == T_REUSE)
        return (*nreuse)++, stage_copy_previous_record(db, t);
    if (p->decision[i] == T_TWIN) {
        size_t j = (size_t)p->twin_of[i];
        if (!p->img[j] && !p->out[j])
            return os_error(OS_EIO, "stage %s: %s, whose rows it shares, was not read", t->id,
                            p->c->tab[j].id);
        return stage_twin_record(db, t, p->img[j], p->out[j]);
    }
    if (!r->ok)
        return stage_record_missing(db, t, r->error[0] ? r->error : "not fetched");
    if (p->img[i])
        return stage_image_record(db, p->img[i]);
    return stage_insert(db, p->out[i]);
}

/* Writes every table into db, in two passes. First, of whichever table
 * ends first, what its rows need (the workers wrote parsed rows into their
 * files; a table reused keeps its file, a missing member is staged empty),
 * stopping the workers at the first failure. Then, in config order, each
 * table's record (stage_table, naming its rows file) and the tables not
 * parsed (not fetched, missing or not in their release; an optional member
 * missing from its archive, staged empty, with its warning), so the
 * stage's records, its warnings and the snapshot's source_table read the
 * same on every run. Returns the first failure: of the rows, else of the
 * parses in config order, else of the records (os_result). */
static int write_tables(sqlite3 *db, pool *p)
{
    const config *c = p->c;
    int rc = OS_OK;
    size_t nreuse = 0, n = c->ntab;
    unsigned char *seen = xcalloc(n ? n : 1, 1);
    for (size_t left = n; left; left--) {
        size_t i = next_ended(p, seen);
        if (rc)
            continue;
        if (p->rc[i])
            stop_workers(p); /* reported below, in config order */
        else if ((rc = copy_rows(db, p, i)))
            stop_workers(p);
    }
    free(seen);
    /* a parse that failed, first in config order (the workers may have
       left others unparsed since: the stage is not kept) */
    for (size_t i = 0; !rc && i < n; i++)
        rc = p->rc[i];
    for (size_t i = 0; i < n; i++) {
        if (!rc)
            rc = write_record(db, p, i, &nreuse);
        trace_mark("extract: %s written", c->tab[i].id);
    }
    for (size_t i = 0; i < n; i++) { /* after the records: a twin's names its original's */
        staged_free(p->out[i]);
        p->out[i] = NULL;
        stage_image_free(p->img[i]);
        p->img[i] = NULL;
    }
    if (!rc && nreuse)
        os_progress("%zu of %zu tables unchanged since the last extract (reused)", nreuse,
                    c->ntab);
    return rc;
}

/* Records the run's files, releases and Economic Index releases in db. */
static int write_records(sqlite3 *db, const pool *p)
{
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < p->nplan; k++)
        rc = stage_record_file(db, p->plan[k].first->source, p->plan[k].dest, &p->rec[k]);
    if (!rc)
        rc = stage_record_releases(db, p->c);
    if (!rc)
        rc = aei_stage_record(db, p->c);
    return rc;
}

/* 1 when the previous stage has every table of the config and keeps each
 * one (same file and fingerprint, or still not in its release): the run
 * changes nothing but its records. */
static int nothing_changed(const pool *p)
{
    if (!p->prev)
        return 0;
    sqlite3_stmt *st;
    long n = -1;
    if (sqlite3_prepare_v2(p->prev, "SELECT count(*) FROM main.stage_table", -1, &st, NULL) ==
            SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (n != (long)p->c->ntab)
        return 0;
    for (size_t i = 0; i < p->c->ntab; i++) {
        const cfg_table *t = &p->c->tab[i];
        const fetch_receipt *r = &p->rec[p->file_of[i]];
        int keep = p->absent[i] ? stage_had_status(p->prev, t, "not_in_release")
                   : !r->ok     ? stage_had_status(p->prev, t, "missing")
                                : p->decision[i] == T_REUSE;
        if (!keep)
            return 0;
    }
    return 1;
}

/* Nothing changed: the stage's tables stay where they are and only its
 * records are written again, in one transaction (journalled, so a failure
 * leaves the stage as it was). Returns an os_result. */
static int refresh_in_place(const char *stage_path, pool *p)
{
    sqlite3 *db;
    if (sqlite3_open_v2(stage_path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        int rc = os_error(OS_EIO, "cannot open %s: %s", stage_path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return rc;
    }
    int rc = db_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; BEGIN IMMEDIATE");
    if (!rc)
        rc = stage_clear_records(db);
    if (!rc)
        rc = write_records(db, p);
    for (size_t i = 0; !rc && i < p->c->ntab; i++) {
        const cfg_table *t = &p->c->tab[i];
        const fetch_receipt *r = &p->rec[p->file_of[i]];
        if (p->absent[i])
            rc = stage_record_absent(db, t, p->absent[i]);
        else if (!r->ok) /* still not fetched: today's reason */
            rc = stage_record_missing(db, t, r->error[0] ? r->error : "not fetched");
    }
    if (!rc)
        rc = db_exec(db, "COMMIT");
    else
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (sqlite3_close(db) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", stage_path);
    if (!rc)
        os_progress("all %zu tables unchanged since the last extract (stage kept)",
                    p->c->ntab);
    return rc;
}

/* Builds a new stage in a temporary file beside stage_path (the previous
 * one attached, to copy unchanged tables from) and renames it into place
 * only when complete. Returns an os_result. */
static int build_stage(const char *stage_path, pool *p)
{
    char *tmp = xasprintf("%s.tmp.%ld", stage_path, (long)getpid());
    tmp_register(tmp);
    sqlite3 *db = NULL;
    int rc = stage_create(tmp, &db);
    /* attached outside the transaction, as SQLite requires */
    int attached = 0;
    if (!rc && p->have_prev) {
        sqlite3_stmt *at;
        if (sqlite3_prepare_v2(db, "ATTACH ? AS prev", -1, &at, NULL) == SQLITE_OK) {
            sqlite3_bind_text(at, 1, stage_path, -1, SQLITE_STATIC);
            attached = sqlite3_step(at) == SQLITE_DONE;
        }
        sqlite3_finalize(at);
        if (!attached)
            rc = os_error(OS_EIO, "cannot read the previous stage %s: %s", stage_path,
                          sqlite3_errmsg(db));
    }
    /* the stage is a temporary file until renamed: transactions here are
       for speed, not safety, and the tables go in outside them */
    if (!rc)
        rc = db_exec(db, "BEGIN");
    if (!rc)
        rc = write_records(db, p);
    if (!rc)
        rc = db_exec(db, "COMMIT");
    if (!rc)
        rc = write_tables(db, p);
    if (attached)
        sqlite3_exec(db, "DETACH prev", NULL, NULL, NULL);
    if (db && sqlite3_close(db) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", tmp);
    if (!rc && rename(tmp, stage_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s", tmp, stage_path);
    if (rc)
        unlink(tmp);
    tmp_unregister(tmp);
    free(tmp);
    return rc;
}

/* ------------------------------------------------------------ early fetch */

/* The config's download rules (limits, timeouts, the run's deadline from
 * now) with these strings, which the caller keeps; cannot fail. */
static fetch_options download_options(const config *c, const char *mirror,
                                      const char *user_agent, const char *contact)
{
    return (fetch_options){
        .mirror = mirror,
        .user_agent = user_agent,
        .contact = contact,
        .max_bytes = c->max_download_bytes,
        .connect_timeout_s = c->connect_timeout_s,
        .timeout_s = c->timeout_s,
        .stall_s = c->stall_s,
        .deadline_ms = c->deadline_s > 0 ? mono_ms() + c->deadline_s * 1000LL : 0,
        .max_parallel = c->parallel > 0 ? c->parallel : 1,
        .max_per_host = c->parallel_per_host,
        .retries = c->retries,
    };
}

struct extract_early {
    pthread_t thread;
    size_t n;
    fetch_request *req;  /* strings owned (copies: discovery may change c) */
    fetch_receipt *rec;
    int *taken;          /* per request: extract_run used its file */
    fetch_options fo;    /* strings owned */
    char *mirror, *user_agent, *contact;
    long long t0;        /* mono_ms() when it started */
};

static void *early_thread(void *arg)
{
    extract_early *e = arg;
    os_quiet_thread = 1; /* a failure is fetched again, and reported, later */
    fetch_all(&e->fo, e->req, e->n, e->rec);
    return NULL;
}

extract_early *extract_early_start(const config *c, const extract_opts *opt)
{
    /* a directory mirror answers at once: nothing to overlap */
    if (opt->offline || !fetch_mirror_is_remote(opt->mirror) || fetch_init() != OS_OK)
        return NULL;
    extract_early *e = xcalloc(1, sizeof *e);
    file_plan *plan = xcalloc(c->ntab ? c->ntab : 1, sizeof *plan);
    e->n = plan_files(c, opt->cache_dir, plan);
    e->req = xcalloc(e->n ? e->n : 1, sizeof *e->req);
    e->rec = xcalloc(e->n ? e->n : 1, sizeof *e->rec);
    e->taken = xcalloc(e->n ? e->n : 1, sizeof *e->taken);
    for (size_t k = 0; k < e->n; k++) {
        const cfg_table *t = plan[k].first;
        /* every request optional: one that fails must not stop the others */
        e->req[k] = (fetch_request){xstrdup(t->source), xstrdup(t->url), plan[k].dest,
                                    expected(t), 1};
        keep_previous(plan[k].dest); /* the last good copy, as extract_run keeps it */
    }
    free(plan);
    e->mirror = opt->mirror ? xstrdup(opt->mirror) : NULL;
    e->user_agent = c->user_agent ? xstrdup(c->user_agent) : NULL;
    e->contact = c->contact ? xstrdup(c->contact) : NULL;
    e->fo = download_options(c, e->mirror, e->user_agent, e->contact);
    e->t0 = mono_ms();
    if (pthread_create(&e->thread, NULL, early_thread, e) != 0) {
        e->thread = 0;
        extract_early_abandon(e); /* puts back what keep_previous linked */
        return NULL;
    }
    trace_mark("extract: early fetch started (%zu files)", e->n);
    return e;
}

/* Waits for the early fetch to end; never fails. */
static void early_join(extract_early *e)
{
    if (e->thread) {
        pthread_join(e->thread, NULL);
        e->thread = 0;
        trace_mark("extract: early fetch done");
    }
}

/* Frees e, first putting back the last good copy of every file extract_run
 * did not take (a release discovery moved past: the cache is as before);
 * never fails. */
static void early_free(extract_early *e)
{
    for (size_t k = 0; k < e->n; k++) {
        if (!e->taken[k])
            settle_previous(e->req[k].dest, 1);
        free((char *)e->req[k].source_id);
        free((char *)e->req[k].url);
        free((char *)e->req[k].dest);
    }
    free(e->req), free(e->rec), free(e->taken);
    free(e->mirror), free(e->user_agent), free(e->contact);
    free(e);
}

void extract_early_abandon(extract_early *e)
{
    if (!e)
        return;
    early_join(e);
    early_free(e);
}

/* The index of the early request for plan file pk's very file (the same
 * URL into the same cache path) whose answer stands, or -1: one that has
 * the file, or one that failed for an optional file (with its retries, as
 * the fetch after discovery would: asking again would only cost another
 * round trip; not with --allow-stale, whose cached copy the fetch after
 * discovery keeps). */
static long early_match(const extract_early *e, const file_plan *pk, int allow_stale)
{
    for (size_t j = 0; e && j < e->n; j++)
        if (!strcmp(e->req[j].dest, pk->dest) && !strcmp(e->req[j].url, pk->first->url))
            return e->rec[j].ok || (pk->optional && !allow_stale && e->rec[j].error[0])
                       ? (long)j
                       : -1;
    return -1;
}

/* fetch_options.on_done of the files fetched after discovery: maps the
 * index among them to the plan's. */
typedef struct {
    pool *p;
    fetch_receipt *rec;      /* the plan's receipts (the pool's rec) */
    const size_t *plan_index;
} rest_ctx;

static void on_rest_done(void *ctx, size_t i, const fetch_receipt *r)
{
    rest_ctx *x = ctx;
    size_t k = x->plan_index[i];
    x->rec[k] = *r; /* before deciding: the workers read it once it is decided */
    decide_file(x->p, k, &x->rec[k]);
}

int extract_run(config *c, const extract_opts *opt)
{
    file_plan *plan = xcalloc(c->ntab, sizeof *plan);
    size_t n = plan_files(c, opt->cache_dir, plan);
    fetch_request *req = xcalloc(n, sizeof *req);
    fetch_receipt *rec = xcalloc(n, sizeof *rec);
    for (size_t k = 0; k < n; k++) {
        const cfg_table *t = plan[k].first;
        req[k] = (fetch_request){t->source, t->url, plan[k].dest, expected(t),
                                 plan[k].optional};
    }
    char *stage_path = xasprintf("%s/stage.sqlite", opt->cache_dir);
    size_t nt = c->ntab;
    pool p = {.c = c, .cache_dir = opt->cache_dir, .plan = plan, .nplan = n, .rec = rec};
    p.decision = xcalloc(nt, 1);
    p.twin_of = xcalloc(nt ? nt : 1, sizeof *p.twin_of);
    p.file_rc = xcalloc(n ? n : 1, sizeof *p.file_rc);
    p.out = xcalloc(nt, sizeof *p.out);
    p.img = xcalloc(nt, sizeof *p.img);
    p.rc = xcalloc(nt, sizeof *p.rc);
    p.done = xcalloc(nt, sizeof *p.done);
    p.claimed = xcalloc(nt, sizeof *p.claimed);
    /* the releases are settled (discovery ran before): which file each
       table reads and whether its release has it are known once for all */
    p.file_of = xcalloc(nt ? nt : 1, sizeof *p.file_of);
    p.absent = xcalloc(nt ? nt : 1, sizeof *p.absent);
    for (size_t i = 0; i < nt; i++) {
        p.file_of[i] = file_index(plan, n, &c->tab[i]);
        p.absent[i] = config_table_absent(c, &c->tab[i]);
    }
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    /* the previous stage, read-only, tells which tables need no parsing */
    if (path_exists(stage_path) &&
        sqlite3_open_v2(stage_path, &p.prev, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK) {
        sqlite3_close(p.prev);
        p.prev = NULL;
    }

    fetch_options fo = download_options(c, opt->mirror, c->user_agent, c->contact);
    fo.offline = opt->offline;
    fo.allow_stale = opt->allow_stale;
    /* The files an early fetch brought of the very releases discovery kept
     * are taken as fetched; the others it brought (a release discovery moved
     * past) are put back as they were before the run. */
    extract_early *early = opt->early;
    long long t0 = early ? early->t0 : mono_ms();
    unsigned char *ready = xcalloc(n ? n : 1, 1);
    if (early) {
        early_join(early);
        for (size_t k = 0; k < n; k++) {
            long j = early_match(early, &plan[k], opt->allow_stale);
            if (j < 0)
                continue;
            rec[k] = early->rec[j];
            early->taken[j] = 1;
            ready[k] = 1;
            if (!rec[k].ok) /* as the fetch says it, on this thread */
                os_warning("%s (optional source, continuing without it)", rec[k].error);
        }
        early_free(early);
    }
    /* Keep the last good copy of every cached file (a hard link, free) until
     * the run has staged what it fetched: a download that passes its HTTP
     * checks but fails the pin or the parse must not replace good data
     * (the early fetch kept it before it fetched what it brought). */
    for (size_t k = 0; k < n; k++)
        if (!ready[k])
            keep_previous(plan[k].dest);

    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int nw = cores < 1 ? 1 : cores > MAX_WORKERS ? MAX_WORKERS : (int)cores;
    pthread_t th[MAX_WORKERS];
    int started = 0;
    for (int w = 0; w < nw; w++)
        if (pthread_create(&th[w], NULL, worker, &p) == 0)
            started++;

    /* what the early fetch brought is decided (and parsed) now, the rest
       fetched as usual */
    size_t nrest = 0, *rest_of = xcalloc(n ? n : 1, sizeof *rest_of);
    fetch_request *rest_req = xcalloc(n ? n : 1, sizeof *rest_req);
    fetch_receipt *rest_rec = xcalloc(n ? n : 1, sizeof *rest_rec);
    for (size_t k = 0; k < n; k++) {
        if (ready[k]) {
            if (rec[k].ok)
                decide_file(&p, k, &rec[k]); /* a failed one: decide_rest */
        } else {
            rest_of[nrest] = k;
            rest_req[nrest++] = req[k];
        }
    }
    rest_ctx rest = {&p, rec, rest_of};
    fo.on_done = on_rest_done;
    fo.on_done_ctx = &rest;
    int rc = nrest ? fetch_all(&fo, rest_req, nrest, rest_rec) : OS_OK;
    for (size_t i = 0; i < nrest; i++)
        rec[rest_of[i]] = rest_rec[i];
    free(rest_of), free(rest_req), free(rest_rec), free(ready);
    if (!rc) {
        size_t got = 0, same = 0;
        long long bytes = 0;
        for (size_t k = 0; k < n; k++) {
            got += rec[k].ok;
            same += rec[k].ok && rec[k].status == 304;
            bytes += rec[k].ok && rec[k].status != 304 ? rec[k].bytes : 0;
        }
        os_progress("fetched %zu of %zu files in %.3f s (%.1f MB, %zu not modified)", got, n,
                    (double)(mono_ms() - t0) / 1000.0, (double)bytes / 1e6, same);
    }
    trace_mark("extract: fetched");
    decide_rest(&p);
    if (!started)
        worker(&p); /* no threads to be had: parse on this one */

    /* A pinned sha256 guards against an upstream file changing unnoticed. */
    for (size_t i = 0; !rc && i < c->ntab; i++) {
        const cfg_table *t = &c->tab[i];
        int k = p.file_of[i];
        if (t->sha256 && rec[k].ok && strcmp(t->sha256, rec[k].sha256))
            rc = os_error(OS_EFETCH, "%s: %s has sha256 %s, but the config pins %s", t->id,
                          t->url, rec[k].sha256, t->sha256);
    }
    for (size_t k = 0; !rc && k < n; k++)
        rc = p.file_rc[k]; /* a layout that matched no [aei_layout] (reported) */

    int in_place = !rc && nothing_changed(&p);
    p.have_prev = p.prev != NULL;
    sqlite3_close(p.prev);
    p.prev = NULL;
    if (!rc && in_place)
        rc = refresh_in_place(stage_path, &p);
    else if (!rc)
        rc = build_stage(stage_path, &p);
    if (rc) {
        pthread_mutex_lock(&p.mu);
        p.stop = 1;
        pthread_cond_broadcast(&p.cv);
        pthread_mutex_unlock(&p.mu);
    }
    for (int w = 0; w < started; w++)
        pthread_join(th[w], NULL);
    /* the rows files no stage names: a failed run's own, or those of tables
       the stage in place no longer keeps (a leftover costs only disk) */
    if (stage_sweep_rows(stage_path) != OS_OK)
        os_warning("the cache's rows folder could not be tidied (see above); continuing");
    trace_mark("extract: staged");
    for (size_t i = 0; i < nt; i++) {
        staged_free(p.out[i]);
        stage_image_free(p.img[i]);
    }
    pthread_mutex_destroy(&p.mu);
    pthread_cond_destroy(&p.cv);
    free(p.decision), free(p.file_rc), free(p.out), free(p.img), free(p.rc), free(p.done);
    free(p.claimed), free(p.twin_of);
    for (size_t i = 0; i < nt; i++)
        free(p.absent[i]);
    free(p.absent), free(p.file_of);

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
