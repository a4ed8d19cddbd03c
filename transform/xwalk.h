/* xwalk.h - carry values keyed by origin codes through a crosswalk (unweighted mean on merges). */
#ifndef OCCSNAP_XWALK_H
#define OCCSNAP_XWALK_H

#include "common/strmap.h"
#include "transform/mapping.h"

#include <stddef.h>

/* What became of one origin value (DESIGN section 3, "crosswalk"). */
enum xwalk_status {
    XW_MAPPED = 1,  /* it reached at least one target */
    XW_NO_VALUE,    /* its value is NaN: it counts in no mean */
    XW_NO_ORIGIN    /* its code is not an origin of the crosswalk */
};

/* The value of each target code that at least one origin with a value reached. */
typedef struct {
    size_t n, cap;
    char **code;     /* target code, in order of first appearance */
    double *value;   /* unweighted mean of the values of its origins */
    int *norigins;   /* how many origins with a value it has */
    strmap *index;   /* target code -> index into code/value/norigins */
} xwalk_values;

/* Applies the crosswalk xw to n distinct origin codes with their values
 * (NaN = no value): every target of an origin with a value takes the
 * unweighted mean over all its origins with a value (a split copies, a merge
 * averages), summed in input order. status[k] (NULL to skip) gets the
 * enum xwalk_status of origin k. A repeated origin would be counted twice, so
 * callers reject duplicates first (they know the row to name). Fills *out,
 * which the caller owns and frees with xwalk_values_free; returns how many
 * origins were XW_MAPPED; cannot fail (dies on OOM). */
size_t xwalk_mean(const codemap *xw, const char *const *origin, const double *value, size_t n,
                  unsigned char *status, xwalk_values *out);

/* The value of target code, or NaN when no origin with a value reached it;
 * cannot fail. */
double xwalk_value(const xwalk_values *v, const char *target);

/* Frees what xwalk_mean put in v (safe on a zeroed v). */
void xwalk_values_free(xwalk_values *v);

#endif
