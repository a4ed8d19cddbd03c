/* xwalk.c - carry values keyed by origin codes through a crosswalk (unweighted mean on merges). */
#include "transform/xwalk.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Index of target in v, appending it with a zero sum when new; dies on OOM. */
static long target_slot(xwalk_values *v, const char *target)
{
    long j;
    if (strmap_get(v->index, target, &j))
        return j;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 256;
        v->code = xrealloc(v->code, v->cap * sizeof *v->code);
        v->value = xrealloc(v->value, v->cap * sizeof *v->value);
        v->norigins = xrealloc(v->norigins, v->cap * sizeof *v->norigins);
    }
    j = (long)v->n++;
    v->code[j] = xstrdup(target);
    v->value[j] = 0;
    v->norigins[j] = 0;
    strmap_put(v->index, target, j);
    return j;
}

size_t xwalk_mean(const codemap *xw, const char *const *origin, const double *value, size_t n,
                  unsigned char *status, xwalk_values *out)
{
    memset(out, 0, sizeof *out);
    out->index = strmap_new();
    size_t mapped = 0;
    for (size_t k = 0; k < n; k++) {
        unsigned char st;
        long p = codemap_first(xw, origin[k]);
        if (isnan(value[k]))
            st = XW_NO_VALUE;
        else if (p < 0)
            st = XW_NO_ORIGIN;
        else {
            /* value holds the running sum until the division below */
            for (; p >= 0; p = xw->next[p]) {
                long j = target_slot(out, xw->target[p]);
                out->value[j] += value[k];
                out->norigins[j]++;
            }
            st = XW_MAPPED;
            mapped++;
        }
        if (status)
            status[k] = st;
    }
    for (size_t j = 0; j < out->n; j++)
        out->value[j] /= out->norigins[j];
    return mapped;
}

double xwalk_value(const xwalk_values *v, const char *target)
{
    long j;
    return v->index && strmap_get(v->index, target, &j) ? v->value[j] : NAN;
}

void xwalk_values_free(xwalk_values *v)
{
    for (size_t j = 0; j < v->n; j++)
        free(v->code[j]);
    free(v->code);
    free(v->value);
    free(v->norigins);
    if (v->index)
        strmap_free(v->index);
    memset(v, 0, sizeof *v);
}
