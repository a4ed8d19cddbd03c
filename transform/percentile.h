/* percentile.h - midrank percentiles, plain and weighted (DESIGN section 4). */
#ifndef OCCSNAP_PERCENTILE_H
#define OCCSNAP_PERCENTILE_H

#include <stddef.h>

/* pct[i] = 100 * (count below v[i] + 1/2 * count equal to v[i]) / n over the n
 * values; ties are exact equality, so equal values share one percentile and
 * the order of the input does not matter. NaN values are not ranked and get
 * NaN. Returns the number of values ranked. Cannot fail (dies on OOM). */
size_t pct_midrank(const double *v, size_t n, double *pct);

/* The same with weights: 100 * (weight below + 1/2 * weight equal) / total
 * weight, over entries with a value and a positive finite weight; the others
 * get NaN. Returns the number of entries ranked. */
size_t pct_midrank_weighted(const double *v, const double *w, size_t n, double *pct);

#endif
