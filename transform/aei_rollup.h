/* aei_rollup.h - Economic Index roll-ups: a task's dominant mode, an occupation's shares. */
#ifndef OCCSNAP_AEI_ROLLUP_H
#define OCCSNAP_AEI_ROLLUP_H

#include <stddef.h>

/* The five collaboration modes, in this fixed order (automation first). */
enum { AEI_DIRECTIVE, AEI_FEEDBACK_LOOP, AEI_TASK_ITERATION, AEI_VALIDATION, AEI_LEARNING,
       AEI_NMODES };
extern const char *const aei_mode_names[AEI_NMODES];

/* The economic primitives of a task (v4 on), in these units: success a
 * fraction yes / (yes + no), its not_classified share a fraction of the
 * task's conversations, human-only time in hours, with-AI time in minutes,
 * education in years, autonomy on the 1-5 scale, work a fraction of use. */
enum { AEI_P_SUCCESS, AEI_P_SUCCESS_NC, AEI_P_HOURS_MEAN, AEI_P_HOURS_MEDIAN, AEI_P_MINUTES_MEAN,
       AEI_P_MINUTES_MEDIAN, AEI_P_HUMAN_EDU, AEI_P_AI_EDU, AEI_P_AUTONOMY_MEAN, AEI_P_WORK,
       AEI_NPRIM };
/* Their column names in aei_task and aei_occupation, and which are medians
 * (rolled up as usage-weighted medians; the others as usage-weighted means). */
extern const char *const aei_prim_columns[AEI_NPRIM];
extern const unsigned char aei_prim_is_median[AEI_NPRIM];

/* One task as it reaches one occupation. Units: usage_pct is a percent of
 * all conversations (0.0025 means 0.0025 %); mode[] and filtered are
 * fractions of the task's conversations (NaN: not published, counted as
 * unknown). */
typedef struct {
    double usage_pct;        /* the occupation's share of the task's usage */
    int has_patterns;        /* 0: no collaboration rows (under the privacy floor) */
    double mode[AEI_NMODES];
    double filtered;         /* filtered, not classified, or no collaboration ("none") */
    double autonomy;         /* the task's AI-autonomy median; NaN when absent */
    double prim[AEI_NPRIM];  /* NaN: not published for the task (never zero) */
} aei_task_in;

/* An occupation's roll-up. Shares are fractions of its usage and
 * automation + augmentation + filtered + unknown = 1. */
typedef struct {
    double usage_pct;        /* sum of its tasks' usage_pct */
    double automation;       /* directive + feedback loop */
    double augmentation;     /* task iteration + validation + learning */
    double filtered;
    double unknown;          /* usage with no (or incomplete) collaboration rows */
    double autonomy_median;  /* usage-weighted median of the tasks' medians; NaN if none */
    char dominant[96];       /* see aei_dominant */
} aei_occ_out;

/* The mode with the largest share; an exact tie joins the tied modes with
 * '+' in the fixed order ("directive+learning"); "" when every mode is 0.
 * Cannot fail. */
void aei_dominant(const double mode[AEI_NMODES], char out[96]);

/* Rolls n tasks up to one occupation, each weighted by its usage_pct. A
 * task without patterns counts wholly as unknown; one whose shares sum to
 * less than 1 counts the rest as unknown. With no usage at all the shares
 * are NaN. Cannot fail. */
void aei_rollup(const aei_task_in *task, size_t n, aei_occ_out *out);

/* The occupation's primitives from its n tasks, each over the tasks that
 * publish it, weighted by usage (medians: aei_weighted_median), into out
 * (NaN where no task has it); *covered gets the share of the usage whose
 * tasks publish at least one primitive (NaN with no usage). Cannot fail. */
void aei_rollup_primitives(const aei_task_in *task, size_t n, double out[AEI_NPRIM],
                           double *covered);

/* How many times faster a task is done with AI: hours * 60 / minutes, from
 * the medians when both are there, else the means; NaN when either is
 * missing or the with-AI time is not positive. Cannot fail. */
double aei_speedup(const double prim[AEI_NPRIM]);

/* The weighted median of v (entries with NaN value or non-positive weight
 * are skipped): the smallest value whose cumulative weight reaches half the
 * total, or the midpoint of two values when the half falls exactly between
 * them; NaN when nothing is left. Cannot fail (dies on OOM). */
double aei_weighted_median(const double *v, const double *w, size_t n);

#endif
