/* worker.h - the transform's reader ahead: a second thread that reads what later steps need. */
#ifndef OCCSNAP_WORKER_H
#define OCCSNAP_WORKER_H

#include "transform/context.h"

/* What the reader ahead read of the O*NET element tables (onet_details.c)
 * and of the Economic Index releases (aei.c); opaque here. */
typedef struct tf_pre_elements tf_pre_elements;
typedef struct tf_pre_aei tf_pre_aei;

/* The two jobs, run on the reader's own connection w (w->out is NULL, so a
 * job writes nothing, and the thread is quiet: os_quiet_thread). Each reads
 * what it can whole and marks the rest not read; the main thread reads that
 * again in its place, so every message, warning and row comes from the main
 * thread in the order of the steps. They cannot fail (they die on OOM). */
tf_pre_elements *tf_onet_elements_read(tf *w);
void tf_pre_elements_free(tf_pre_elements *pe);
tf_pre_aei *tf_aei_read(tf *w);
void tf_pre_aei_free(tf_pre_aei *pa);

/* Starts the reader on stage_path once the universe is complete (it reads
 * t->cfg and t->u, which must not change until tf_worker_stop); without a
 * thread (pthread_create failed) the steps read everything themselves.
 * Returns OS_OK; cannot fail. */
int tf_worker_start(tf *t, const char *stage_path);

/* Waits for a job and hands its result to the caller (who frees it), or
 * NULL when there is no reader; cannot fail. */
tf_pre_elements *tf_worker_elements(tf *t);
tf_pre_aei *tf_worker_aei(tf *t);

/* Asks the reader to skip what it has not started, waits for it and frees
 * what no step took; safe with no reader. Cannot fail. */
void tf_worker_stop(tf *t);

#endif
