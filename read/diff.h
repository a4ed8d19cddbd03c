/* diff.h - what changed between two snapshots. */
#ifndef OCCSNAP_DIFF_H
#define OCCSNAP_DIFF_H

#include <stdio.h>

typedef struct {
    const char *a, *b;   /* snapshot directories, older first */
    double threshold;    /* report a value change above this relative size (0.05 = 5 %) */
    double pct_threshold;/* ... and a percentile change above this many points */
    int json;            /* 1: JSON instead of text */
} diff_opts;

/* Lists occupations added and removed, measures, employment, wages and
 * projections whose values or percentiles changed beyond the thresholds.
 * Returns OS_OK (differences are not an error) or an os_result when a
 * snapshot cannot be read. */
int diff_run(const diff_opts *opt, FILE *out);

#endif
