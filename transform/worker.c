/* worker.c - the transform's reader ahead: a second thread that reads what later steps need. */
#include "transform/worker.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* A step run into a database of its own (tf_ahead_run): the database's
 * bytes, and the view it ran on, whose coverage records and measures it
 * owns (its out closed). */
struct tf_ahead {
    unsigned char *db; /* sqlite3_serialize'd, sqlite3_free'd */
    sqlite3_int64 size;
    tf view;
};

/* Frees the coverage records and measures a step left in m; cannot fail. */
static void records_free(tf *m)
{
    for (size_t k = 0; k < m->ncov; k++)
        free(m->cov[k].covered);
    for (size_t k = 0; k < m->nmeas; k++)
        free(m->meas[k].value), free(m->meas[k].match);
    m->ncov = m->nmeas = 0;
}

tf_ahead *tf_ahead_run(tf *w, int (*step)(tf *))
{
    tf m = {.cfg = w->cfg, .stage = w->stage, .u = w->u, .nem_of = w->nem_of,
            .nem_code = w->nem_code, .nnem = w->nnem, .stage_path = w->stage_path};
    tf_ahead *a = NULL;
    size_t warned = os_quiet_warnings;
    if (sqlite3_open_v2(":memory:", &m.out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) ==
        SQLITE_OK) {
        int ok = schema_create(m.out) == OS_OK && db_exec(m.out, "BEGIN") == OS_OK &&
                 tf_prepare_unmatched(&m) == OS_OK && step(&m) == OS_OK &&
                 db_exec(m.out, "COMMIT") == OS_OK && os_quiet_warnings == warned;
        sqlite3_finalize(m.unmatched);
        m.unmatched = NULL;
        sqlite3_int64 size = 0;
        unsigned char *db = ok ? sqlite3_serialize(m.out, "main", &size, 0) : NULL;
        if (db) {
            a = xcalloc(1, sizeof *a);
            a->db = db;
            a->size = size;
        }
    }
    sqlite3_close(m.out);
    m.out = NULL;
    if (a)
        a->view = m; /* its records pass to a */
    else
        records_free(&m);
    return a;
}

int tf_ahead_take(tf *t, tf_ahead *a, const char *name, const char *const *tables)
{
    unsigned char *data = a->db;
    a->db = NULL;
    int rc = tf_attach_image(t, name, data, a->size);
    /* tables of one schema, the destination empty: SQLite copies the stored
       rows in their order (its transfer optimisation) */
    for (const char *const *tb = tables; !rc && *tb; tb++) {
        char *sql = xasprintf("INSERT INTO main.%s SELECT * FROM %s.%s", *tb, name, *tb);
        rc = db_exec(t->out, sql);
        free(sql);
    }
    if (!rc) {
        char *sql = xasprintf("INSERT INTO main.coverage_unmatched SELECT * FROM %s."
                              "coverage_unmatched", name);
        rc = db_exec(t->out, sql);
        free(sql);
    }
    tf *v = &a->view;
    for (size_t k = 0; !rc && k < v->ncov; k++) {
        tf_coverage *c = tf_cov_start(t, v->cov[k].table_id, v->cov[k].source);
        free(c->covered);
        *c = v->cov[k];
        v->cov[k].covered = NULL;
    }
    for (size_t k = 0; !rc && k < v->nmeas; k++) {
        tf_measure *m = tf_measure_find(t, v->meas[k].name);
        if (!m)
            m = tf_measure_new(t, v->meas[k].name, v->meas[k].source);
        free(m->value), free(m->match);
        m->value = v->meas[k].value, m->match = v->meas[k].match;
        v->meas[k].value = NULL, v->meas[k].match = NULL;
    }
    tf_ahead_free(a);
    return rc;
}

void tf_ahead_free(tf_ahead *a)
{
    if (!a)
        return;
    sqlite3_free(a->db);
    records_free(&a->view);
    free(a);
}

/* The reader's jobs, in the order it runs them. */
enum { JOB_ELEMENTS, JOB_AEI, NJOBS };

/* The reader, its connection and its results. done[j] is set under mu once
 * job j has its result, or was skipped. */
struct tf_worker {
    pthread_t thread;
    char *stage_path;
    tf w; /* the reader's view of the run: cfg, u and the NEM crosswalk, shared
             read-only */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done[NJOBS], stop;
    tf_pre_elements *elements;
    tf_ahead *aei;
};

/* Marks job j done under the lock and wakes the main thread. */
static void finish(struct tf_worker *k, int j)
{
    pthread_mutex_lock(&k->mu);
    k->done[j] = 1;
    pthread_cond_broadcast(&k->cv);
    pthread_mutex_unlock(&k->mu);
}

/* 1 once tf_worker_stop asked the reader to skip what is left. */
static int stopping(struct tf_worker *k)
{
    pthread_mutex_lock(&k->mu);
    int s = k->stop;
    pthread_mutex_unlock(&k->mu);
    return s;
}

/* The thread: its own read-only connection to the stage database (a failure
 * to open it leaves every job not read: the steps read for themselves). */
static void *work(void *arg)
{
    struct tf_worker *k = arg;
    os_quiet_thread = 1;
    sqlite3 *db = NULL;
    int open = sqlite3_open_v2(k->stage_path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                               NULL) == SQLITE_OK;
    k->w.stage = db;
    trace_mark("transform reader: starts");
    tf_pre_elements *e = open && !stopping(k) ? tf_onet_elements_read(&k->w) : NULL;
    trace_mark("transform reader: elements read");
    pthread_mutex_lock(&k->mu);
    k->elements = e;
    pthread_mutex_unlock(&k->mu);
    finish(k, JOB_ELEMENTS);
    /* the Economic Index step whole, read and rolled up: the main thread
       has the tasks, titles, technology and elements to do meanwhile */
    tf_ahead *a = open && !stopping(k) ? tf_ahead_run(&k->w, tf_aei_build) : NULL;
    trace_mark("transform reader: economic index built");
    pthread_mutex_lock(&k->mu);
    k->aei = a;
    pthread_mutex_unlock(&k->mu);
    finish(k, JOB_AEI);
    sqlite3_close(db);
    return NULL;
}

int tf_worker_start(tf *t, const char *stage_path)
{
    if (!sqlite3_threadsafe())
        return OS_OK; /* a single-thread SQLite: one thread does it all */
    struct tf_worker *k = xcalloc(1, sizeof *k);
    k->stage_path = xstrdup(stage_path);
    k->w = (tf){.cfg = t->cfg, .u = t->u, .nem_of = t->nem_of, .nem_code = t->nem_code,
                .nnem = t->nnem};
    pthread_mutex_init(&k->mu, NULL);
    pthread_cond_init(&k->cv, NULL);
    if (pthread_create(&k->thread, NULL, work, k) != 0) {
        pthread_mutex_destroy(&k->mu);
        pthread_cond_destroy(&k->cv);
        free(k->stage_path);
        free(k);
        return OS_OK;
    }
    t->worker = k;
    return OS_OK;
}

/* Waits for job j; cannot fail. */
static void wait_for(struct tf_worker *k, int j)
{
    pthread_mutex_lock(&k->mu);
    while (!k->done[j])
        pthread_cond_wait(&k->cv, &k->mu);
    pthread_mutex_unlock(&k->mu);
}

tf_pre_elements *tf_worker_elements(tf *t)
{
    struct tf_worker *k = t->worker;
    if (!k)
        return NULL;
    wait_for(k, JOB_ELEMENTS);
    tf_pre_elements *e = k->elements;
    k->elements = NULL;
    return e;
}

tf_ahead *tf_worker_aei(tf *t)
{
    struct tf_worker *k = t->worker;
    if (!k)
        return NULL;
    wait_for(k, JOB_AEI);
    tf_ahead *a = k->aei;
    k->aei = NULL;
    return a;
}

void tf_worker_stop(tf *t)
{
    struct tf_worker *k = t->worker;
    if (!k)
        return;
    pthread_mutex_lock(&k->mu);
    k->stop = 1;
    pthread_mutex_unlock(&k->mu);
    pthread_join(k->thread, NULL);
    tf_pre_elements_free(k->elements);
    tf_ahead_free(k->aei);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k->stage_path);
    free(k);
    t->worker = NULL;
}
