/* worker.c - the transform's reader ahead: a second thread that reads what later steps need. */
#include "transform/worker.h"
#include "common/error.h"
#include "common/util.h"

#include <pthread.h>
#include <stdlib.h>

/* The reader, its connection and its results. done[j] is set under mu once
 * job j (0 elements, 1 Economic Index) has its result, or was skipped. */
struct tf_worker {
    pthread_t thread;
    char *stage_path;
    tf w; /* the reader's view of the run: cfg and u shared read-only */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done[2], stop;
    tf_pre_elements *elements;
    tf_pre_aei *aei;
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
    finish(k, 0);
    tf_pre_aei *a = open && !stopping(k) ? tf_aei_read(&k->w) : NULL;
    trace_mark("transform reader: economic index read");
    pthread_mutex_lock(&k->mu);
    k->aei = a;
    pthread_mutex_unlock(&k->mu);
    finish(k, 1);
    sqlite3_close(db);
    return NULL;
}

int tf_worker_start(tf *t, const char *stage_path)
{
    if (!sqlite3_threadsafe())
        return OS_OK; /* a single-thread SQLite: one thread does it all */
    struct tf_worker *k = xcalloc(1, sizeof *k);
    k->stage_path = xstrdup(stage_path);
    k->w = (tf){.cfg = t->cfg, .u = t->u};
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
    wait_for(k, 0);
    tf_pre_elements *e = k->elements;
    k->elements = NULL;
    return e;
}

tf_pre_aei *tf_worker_aei(tf *t)
{
    struct tf_worker *k = t->worker;
    if (!k)
        return NULL;
    wait_for(k, 1);
    tf_pre_aei *a = k->aei;
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
    tf_pre_aei_free(k->aei);
    pthread_mutex_destroy(&k->mu);
    pthread_cond_destroy(&k->cv);
    free(k->stage_path);
    free(k);
    t->worker = NULL;
}
