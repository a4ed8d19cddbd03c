/* composite.c - ai_exposure_index_v1: the mean of the current-era measures' percentiles. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/percentile.h"

#include <math.h>
#include <stdlib.h>

/* DESIGN section 4: for each occupation, the mean of the midrank pct of the
 * configured components it has, when it has at least composite_min of them;
 * the composite's own pct is then ranked like any measure. Fails (OS_ECONFIG)
 * when a component names no measure. */
int tf_composite(tf *t)
{
    const config *c = t->cfg;
    if (c->ncomponent == 0)
        return OS_OK;
    size_t n = t->u.n;
    double *sum = xcalloc(n, sizeof *sum), *pct = xmalloc(n * sizeof *pct);
    int *count = xcalloc(n, sizeof *count);
    int rc = OS_OK;
    for (size_t k = 0; k < c->ncomponent; k++) {
        tf_measure *m = tf_measure_find(t, c->component[k]);
        if (!m) {
            rc = os_error(OS_ECONFIG, "%s: [methodology] composite component '%s' is not a measure",
                          c->path, c->component[k]);
            break;
        }
        pct_midrank(m->value, n, pct);
        for (size_t i = 0; i < n; i++)
            if (!isnan(pct[i])) {
                sum[i] += pct[i];
                count[i]++;
            }
    }
    if (!rc) {
        const cfg_measure *cm = config_measure(c, c->composite);
        tf_measure *ix = tf_measure_new(t, c->composite, cm && cm->source ? cm->source : "occsnap");
        for (size_t i = 0; i < n; i++)
            if (count[i] >= c->composite_min) {
                ix->value[i] = sum[i] / count[i];
                ix->match[i] = MATCH_DERIVED;
            }
    }
    free(sum);
    free(pct);
    free(count);
    return rc;
}
