/* page.h - the role page of one occupation as a JSON object, collected from a snapshot. */
#ifndef OCCSNAP_PAGE_H
#define OCCSNAP_PAGE_H

#include "common/snapshot.h"

#include <jansson.h>

/* Collects the page of the occupation code from s (its database and
 * manifest): occupation, titles, tasks, elements, technology, exposure,
 * outlook, pay, Economic Index, sources and snapshot, in that order (the
 * `show --format json` output, and what the Markdown is rendered from).
 * Returns a new object, or NULL after recording OS_EIO in s->rc. */
json_t *page_collect(snapshot *s, const char *code, int weighted);

/* The string at key of o, or NULL when absent or not a string; borrowed
 * from o. Cannot fail. */
const char *page_str(const json_t *o, const char *key);

/* 1 and *v when key of o holds a number, else 0 (*v untouched); cannot fail. */
int page_num(const json_t *o, const char *key, double *v);

#endif
