/* aei_rollup.c - Economic Index roll-ups: a task's dominant mode, an occupation's shares. */
#include "transform/aei_rollup.h"
#include "common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const aei_mode_names[AEI_NMODES] = {"directive", "feedback_loop", "task_iteration",
                                                "validation", "learning"};

void aei_dominant(const double mode[AEI_NMODES], char out[96])
{
    double best = 0;
    for (int k = 0; k < AEI_NMODES; k++)
        if (mode[k] > best)
            best = mode[k];
    out[0] = '\0';
    if (best <= 0)
        return;
    size_t len = 0;
    for (int k = 0; k < AEI_NMODES; k++)
        if (mode[k] == best)
            len += (size_t)snprintf(out + len, 96 - len, "%s%s", len ? "+" : "",
                                    aei_mode_names[k]);
}

const char *const aei_prim_columns[AEI_NPRIM] = {
    "task_success_share",    "success_not_classified_share", "human_only_hours_mean",
    "human_only_hours_median", "with_ai_minutes_mean",       "with_ai_minutes_median",
    "human_education_years", "ai_education_years",           "autonomy_mean",
    "work_share"};
const unsigned char aei_prim_is_median[AEI_NPRIM] = {0, 0, 0, 1, 0, 1, 0, 0, 0, 0};

void aei_rollup_primitives(const aei_task_in *task, size_t n, double out[AEI_NPRIM],
                           double *covered)
{
    double *v = xmalloc((n ? n : 1) * sizeof *v), *w = xmalloc((n ? n : 1) * sizeof *w);
    double total = 0, with = 0;
    for (size_t i = 0; i < n; i++) {
        if (!(task[i].usage_pct > 0))
            continue;
        total += task[i].usage_pct;
        int any = 0;
        for (int p = 0; p < AEI_NPRIM; p++)
            any |= !isnan(task[i].prim[p]);
        if (any)
            with += task[i].usage_pct;
    }
    for (int p = 0; p < AEI_NPRIM; p++) {
        double sw = 0, sv = 0;
        for (size_t i = 0; i < n; i++) {
            v[i] = task[i].prim[p];
            w[i] = task[i].usage_pct;
            if (!isnan(v[i]) && w[i] > 0)
                sw += w[i], sv += w[i] * v[i];
        }
        out[p] = aei_prim_is_median[p] ? aei_weighted_median(v, w, n) : sw > 0 ? sv / sw : NAN;
    }
    *covered = total > 0 ? with / total : NAN;
    free(v);
    free(w);
}

double aei_speedup(const double prim[AEI_NPRIM])
{
    int med = !isnan(prim[AEI_P_HOURS_MEDIAN]) && !isnan(prim[AEI_P_MINUTES_MEDIAN]);
    double h = med ? prim[AEI_P_HOURS_MEDIAN] : prim[AEI_P_HOURS_MEAN];
    double m = med ? prim[AEI_P_MINUTES_MEDIAN] : prim[AEI_P_MINUTES_MEAN];
    if (isnan(h) || isnan(m) || !(m > 0))
        return NAN;
    return h * 60 / m;
}

/* Share sums that miss 1 by less than this are float noise, not unknown use. */
#define SUM_SLACK 1e-9

void aei_rollup(const aei_task_in *task, size_t n, aei_occ_out *out)
{
    double total = 0, mode[AEI_NMODES] = {0}, filtered = 0, unknown = 0;
    double *v = xmalloc((n ? n : 1) * sizeof *v), *w = xmalloc((n ? n : 1) * sizeof *w);
    for (size_t i = 0; i < n; i++) {
        const aei_task_in *t = &task[i];
        double u = t->usage_pct;
        total += u;
        v[i] = t->autonomy;
        w[i] = u;
        if (!t->has_patterns) {
            unknown += u;
            continue;
        }
        /* an empty cell (NaN) is no share: the gap counts as unknown */
        double f = isnan(t->filtered) ? 0 : t->filtered, sum = f;
        for (int k = 0; k < AEI_NMODES; k++) {
            double m = isnan(t->mode[k]) ? 0 : t->mode[k];
            mode[k] += u * m;
            sum += m;
        }
        filtered += u * f;
        if (sum < 1 - SUM_SLACK)
            unknown += u * (1 - sum);
    }
    memset(out, 0, sizeof *out);
    out->usage_pct = total;
    if (total > 0) {
        out->automation = (mode[AEI_DIRECTIVE] + mode[AEI_FEEDBACK_LOOP]) / total;
        out->augmentation =
            (mode[AEI_TASK_ITERATION] + mode[AEI_VALIDATION] + mode[AEI_LEARNING]) / total;
        out->filtered = filtered / total;
        out->unknown = unknown / total;
    } else
        out->automation = out->augmentation = out->filtered = out->unknown = NAN;
    aei_dominant(mode, out->dominant);
    out->autonomy_median = aei_weighted_median(v, w, n);
    free(v);
    free(w);
}

typedef struct {
    double v, w;
} vw;

static int by_v(const void *a, const void *b)
{
    double x = ((const vw *)a)->v, y = ((const vw *)b)->v;
    return (x > y) - (x < y);
}

double aei_weighted_median(const double *v, const double *w, size_t n)
{
    vw *it = xmalloc((n ? n : 1) * sizeof *it);
    size_t m = 0;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i]) && isfinite(w[i]) && w[i] > 0) {
            it[m++] = (vw){v[i], w[i]};
            total += w[i];
        }
    double result = NAN;
    if (m) {
        qsort(it, m, sizeof *it, by_v);
        double cum = 0, half = total / 2;
        for (size_t i = 0; i < m; i++) {
            cum += it[i].w;
            if (cum > half * (1 + 1e-12)) {
                result = it[i].v;
                break;
            }
            if (cum >= half * (1 - 1e-12)) { /* the half falls on a boundary */
                size_t j = i + 1;
                result = j < m ? (it[i].v + it[j].v) / 2 : it[i].v;
                break;
            }
        }
    }
    free(it);
    return result;
}
