/* worker.h - the transform's reader ahead: a second thread that reads what later steps need. */
#ifndef OCCSNAP_WORKER_H
#define OCCSNAP_WORKER_H

#include "transform/context.h"

/* What the reader ahead read of the O*NET element tables (onet_details.c);
 * opaque here. */
typedef struct tf_pre_elements tf_pre_elements;

/* The reader's first job, on its own connection w (w->out is NULL, so it
 * writes nothing, and the thread is quiet: os_quiet_thread): reads what it
 * can whole and marks the rest not read; the main thread reads that again in
 * its place, so every message, warning and row comes from the main thread
 * in the order of the steps. Cannot fail (dies on OOM). */
tf_pre_elements *tf_onet_elements_read(tf *w);
void tf_pre_elements_free(tf_pre_elements *pe);

/* A step run whole on the reader into an in-memory database of its own with
 * the snapshot's schema: its rows, unmatched rows, coverage records and
 * measures, for the main thread to take in the step's place, at the step's
 * turn, so the snapshot is the same as when the step runs there
 * (tf_ahead_take). */
typedef struct tf_ahead tf_ahead;

/* Runs step on a view of the reader's w whose out is a new in-memory
 * database (step may read cfg, stage, u and the NEM crosswalk, and must not
 * need what other steps fill: emp_weight, measures). Returns NULL when the
 * step failed or warned: the main thread runs it then, and says why. Dies on
 * OOM. */
tf_ahead *tf_ahead_run(tf *w, int (*step)(tf *));

/* Takes what a holds into t: copies each of tables (NULL-terminated) and
 * coverage_unmatched from it into t->out, attached as name (which stays
 * attached: DETACH cannot run within t->out's transaction), and appends its
 * coverage records and measures to t's. Frees a. Returns OS_OK or OS_EIO
 * (reported). */
int tf_ahead_take(tf *t, tf_ahead *a, const char *name, const char *const *tables);
void tf_ahead_free(tf_ahead *a);

/* Starts the reader on stage_path once the universe is complete (it reads
 * t->cfg and t->u, which must not change until tf_worker_stop); without a
 * thread (pthread_create failed) the steps read everything themselves.
 * Returns OS_OK; cannot fail. */
int tf_worker_start(tf *t, const char *stage_path);

/* Waits for a job and hands its result to the caller (who frees it), or
 * NULL when there is no reader: the element tables read, then the Economic
 * Index step (tf_aei_build) built, NULL too when it failed or warned.
 * Cannot fail. */
tf_pre_elements *tf_worker_elements(tf *t);
tf_ahead *tf_worker_aei(tf *t);

/* Asks the reader to skip what it has not started, waits for it and frees
 * what no step took; safe with no reader. Cannot fail. */
void tf_worker_stop(tf *t);

#endif
