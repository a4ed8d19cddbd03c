/* show.h - the role page of one occupation, rendered from a snapshot. */
#ifndef OCCSNAP_SHOW_H
#define OCCSNAP_SHOW_H

#include <stdio.h>

typedef struct {
    const char *snapshot; /* snapshot directory (holding occsnap.sqlite and manifest.json) */
    const char *query;    /* "27-4014.00", "27-4014", "274014" or title words */
    int json;             /* 1: JSON instead of Markdown */
    int weighted;         /* 1: show pct_emp instead of pct */
    long limit;           /* entries of a ranked list: 0 the default (10), -1 all (--all) */
} show_opts;

/* Prints the page of the occupation that query names, or, when a title
 * search matches several equally well, a short ranked list. Returns an
 * os_result: OS_EDATA (exit 6) with a clear message when nothing matches,
 * OS_EUSAGE... see read/show.c for the exit codes it documents. */
int show_run(const show_opts *opt, FILE *out);

#endif
