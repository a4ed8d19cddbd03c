/* percentile.c - midrank percentiles, plain and weighted (DESIGN section 4). */
#include "transform/percentile.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    double v, w;
    size_t i;
} item;

static int by_value(const void *a, const void *b)
{
    double x = ((const item *)a)->v, y = ((const item *)b)->v;
    return (x > y) - (x < y);
}

/* Ranks the items (sorted here) and writes pct into out by original index. */
static void rank(item *it, size_t m, double total, double *out)
{
    qsort(it, m, sizeof *it, by_value);
    double below = 0;
    for (size_t a = 0; a < m;) {
        size_t b = a;
        double equal = 0;
        while (b < m && it[b].v == it[a].v)
            equal += it[b++].w;
        double p = 100.0 * (below + 0.5 * equal) / total;
        for (size_t k = a; k < b; k++)
            out[it[k].i] = p;
        below += equal;
        a = b;
    }
}

size_t pct_midrank(const double *v, size_t n, double *pct)
{
    item *it = xmalloc(n * sizeof *it);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        pct[i] = NAN;
        if (!isnan(v[i]))
            it[m++] = (item){v[i], 1.0, i};
    }
    if (m)
        rank(it, m, (double)m, pct);
    free(it);
    return m;
}

size_t pct_midrank_weighted(const double *v, const double *w, size_t n, double *pct)
{
    item *it = xmalloc(n * sizeof *it);
    size_t m = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++) {
        pct[i] = NAN;
        if (!isnan(v[i]) && isfinite(w[i]) && w[i] > 0) {
            it[m++] = (item){v[i], w[i], i};
            total += w[i];
        }
    }
    if (m)
        rank(it, m, total, pct);
    free(it);
    return m;
}
