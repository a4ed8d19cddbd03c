/* aei.c - the Anthropic Economic Index: task usage joined to occupations, rolled up. */
#include "common/error.h"
#include "common/util.h"
#include "transform/aei_rollup.h"
#include "transform/context.h"
#include "transform/crosswalks.h"
#include "transform/occode.h"
#include "transform/sources.h"
#include "transform/worker.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Task text as the join key: trimmed, blanks collapsed, ASCII case folded
 * (the releases' task names are lower-cased O*NET statements). Returns a
 * malloc'd string; cannot fail. */
static char *task_key(const char *text)
{
    char *k = xmalloc(strlen(text) + 1), *w = k;
    int blank = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            blank = w != k;
            continue;
        }
        if (blank)
            *w++ = ' ';
        blank = 0;
        *w++ = (char)tolower((unsigned char)*p);
    }
    *w = '\0';
    return k;
}

/* ------------------------------------------------------------ statements */

/* Which occupations of the universe hold each task text: key -> chain of
 * (occupation, task id, original text) entries, one per distinct occupation. */
typedef struct {
    strmap *head;  /* key -> first entry */
    long *next;
    long *occ;
    long *task_id;
    char **text;   /* the statement as O*NET writes it */
    size_t n, cap;
    unsigned char crosswalk; /* 1 if the statements use O*NET-SOC 2010 codes */
    size_t *refs;  /* how many statements values share these arrays */
} statements;

/* Drops s's share; the last one frees the arrays. Cannot fail. */
static void statements_free(statements *s)
{
    if (--*s->refs)
        return;
    for (size_t i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->next), free(s->occ), free(s->task_id), free(s->text);
    strmap_free(s->head);
    free(s->refs);
}

/* Another share of s, read-only like every share (statements_free each). */
static statements statements_share(statements *s)
{
    ++*s->refs;
    return *s;
}

/* Adds (key -> occupation) unless that occupation already holds the key. */
static void statements_add(statements *s, const char *key, long occ, long task_id,
                           const char *text)
{
    long i, last = -1;
    if (strmap_get(s->head, key, &i))
        for (; i >= 0; i = s->next[i]) {
            if (s->occ[i] == occ)
                return;
            last = i;
        }
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 4096;
        s->next = xrealloc(s->next, s->cap * sizeof *s->next);
        s->occ = xrealloc(s->occ, s->cap * sizeof *s->occ);
        s->task_id = xrealloc(s->task_id, s->cap * sizeof *s->task_id);
        s->text = xrealloc(s->text, s->cap * sizeof *s->text);
    }
    long k = (long)s->n++;
    s->next[k] = -1;
    s->occ[k] = occ;
    s->task_id[k] = task_id;
    s->text[k] = xstrdup(text);
    if (last < 0)
        strmap_put(s->head, key, k);
    else
        s->next[last] = k;
}

/* Reads a statements table (onet_code, task_id, task) into s, taking
 * O*NET-SOC 2010 codes through the crosswalk task by task when codes2010.
 * A bad code stops the run naming table, file, row and value. */
static int load_statements(tf *t, const char *table, int codes2010, statements *s)
{
    memset(s, 0, sizeof *s);
    s->head = strmap_new();
    s->refs = xmalloc(sizeof *s->refs);
    *s->refs = 1;
    s->crosswalk = (unsigned char)codes2010;
    codemap xw;
    codemap_init(&xw);
    int rc = codes2010 ? tf_load_onet_xwalk(t, &xw) : OS_OK;
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    if (!rc)
        rc = tf_open_staged(t, table, "onet_code, task_id, task", &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = db_text(q, 1), *text = db_text(q, 3);
        occode oc;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: '%s' is not an O*NET-SOC code", table, file,
                          row, code);
            break;
        }
        if (!*text)
            continue; /* a statement without text joins nothing */
        char *key = task_key(text);
        long task_id = sqlite3_column_int64(q, 2);
        char idkey[32]; /* "#7720": the Task ID, which layout B joins on */
        snprintf(idkey, sizeof idkey, "#%ld", task_id);
        if (codes2010) {
            for (long k = codemap_first(&xw, oc.onet); k >= 0; k = xw.next[k]) {
                long i = universe_find(&t->u, xw.target[k]);
                if (i >= 0)
                    statements_add(s, key, i, task_id, text);
            }
        } else {
            long i = universe_find(&t->u, oc.onet);
            if (i >= 0) {
                statements_add(s, key, i, task_id, text);
                statements_add(s, idkey, i, task_id, text);
            }
        }
        free(key);
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    codemap_free(&xw);
    return rc;
}

/* ------------------------------------------------------------ task usage */

/* One task of a release: its usage and, when published, its patterns. */
typedef struct {
    char *key;
    const char *table; /* the staged table row belongs to */
    long row;          /* staged row of its usage, for coverage */
    double usage_pct;  /* NaN until a usage row is read */
    int has_patterns;
    double mode[AEI_NMODES], filtered, autonomy;
    double prim[AEI_NPRIM];          /* NaN: not published */
    double yes, no, not_classified;  /* task_success percents; NaN until read */
} task_use;

typedef struct {
    task_use *v;
    size_t n, cap;
    strmap *by_key;
} task_list;

static task_use *task_get(task_list *l, const char *key, const char *table, long row)
{
    long i;
    if (strmap_get(l->by_key, key, &i))
        return &l->v[i];
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 4096;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    task_use *u = memset(&l->v[l->n], 0, sizeof *u);
    u->key = xstrdup(key);
    u->table = table;
    u->row = row;
    u->usage_pct = NAN;
    u->autonomy = NAN;
    for (int p = 0; p < AEI_NPRIM; p++)
        u->prim[p] = NAN;
    u->yes = u->no = u->not_classified = NAN;
    strmap_put(l->by_key, key, (long)l->n++);
    return u;
}

static void task_list_free(task_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].key);
    free(l->v);
    strmap_free(l->by_key);
}

/* The two rows every release has that are not tasks. */
static int not_a_task(const char *key)
{
    return !strcmp(key, "none") || !strcmp(key, "not_classified");
}

/* v1/v2: task_name, pct (percent of all conversations); patterns, when the
 * release has them: per-task fractions that sum to 1. */
static int read_wide(tf *t, const cfg_aei *a, task_list *l)
{
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    int rc = tf_open_staged(t, a->tasks, "task_name, pct", &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        char *key = task_key(db_text(q, 1));
        double pct = db_real(q, 2);
        task_use *u = task_get(l, key, a->tasks, row);
        if (!isnan(u->usage_pct))
            rc = os_error(OS_EDATA, "%s: %s row %ld: task '%s' appears twice", a->tasks, file, row,
                          db_text(q, 1));
        else if (isnan(pct) || pct < 0)
            rc = os_error(OS_EDATA, "%s: %s row %ld: pct of '%s' is missing or negative", a->tasks,
                          file, row, db_text(q, 1));
        u->table = a->tasks; /* a patterns row may have created it first */
        u->row = row;
        u->usage_pct = pct;
        free(key);
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    if (rc || !a->patterns)
        return rc;
    rc = tf_open_staged(t, a->patterns,
                        "task_name, directive, feedback_loop, task_iteration, validation, "
                        "learning, filtered",
                        &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        char *key = task_key(db_text(q, 1));
        task_use *u = task_get(l, key, a->patterns, row);
        if (u->has_patterns)
            rc = os_error(OS_EDATA, "%s: %s row %ld: task '%s' appears twice", a->patterns, file,
                          row, db_text(q, 1));
        u->has_patterns = 1;
        for (int k = 0; k < AEI_NMODES; k++)
            u->mode[k] = db_real(q, 2 + k); /* NaN when the cell is empty */
        u->filtered = db_real(q, 7);
        free(key);
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    return rc;
}

/* The numeric facets of layout A, by variable suffix, and where they go. */
static const struct {
    const char *facet, *stat;
    int prim; /* -1: the autonomy median (its own column) */
} NUMERIC[] = {
    {"ai_autonomy", "median", -1},
    {"ai_autonomy", "mean", AEI_P_AUTONOMY_MEAN},
    {"human_only_time", "mean", AEI_P_HOURS_MEAN},
    {"human_only_time", "median", AEI_P_HOURS_MEDIAN},
    {"human_with_ai_time", "mean", AEI_P_MINUTES_MEAN},
    {"human_with_ai_time", "median", AEI_P_MINUTES_MEDIAN},
    {"human_education_years", "mean", AEI_P_HUMAN_EDU},
    {"ai_education_years", "mean", AEI_P_AI_EDU},
};

/* One row of an onet_task::<facet> intersection (layout A, v4 on): a
 * categorical facet's cluster is "<task>::<category>" (task_success yes /
 * no / not_classified, use_case work ...), a numeric one's the task text,
 * with or without "::value". Other facets and statistics are ignored.
 * Returns OS_OK (it cannot fail). */
static int read_primitive(task_list *l, const char *table, long row, const char *facet,
                          const char *var, const char *cluster, double value)
{
    char want[96];
    snprintf(want, sizeof want, "onet_task_%s_pct", facet);
    int categorical = !strcmp(var, want) &&
                      (!strcmp(facet, "task_success") || !strcmp(facet, "use_case"));
    const char *sep = NULL;
    for (const char *p = strstr(cluster, "::"); p; p = strstr(p + 2, "::"))
        sep = p;
    if (categorical) {
        if (!sep)
            return OS_OK;
        char *task = xstrndup(cluster, (size_t)(sep - cluster)), *key = task_key(task);
        task_use *u = task_get(l, key, table, row);
        const char *cat = sep + 2;
        if (!strcmp(facet, "use_case")) {
            if (!strcmp(cat, "work"))
                u->prim[AEI_P_WORK] = value / 100;
        } else {
            double *slot = !strcmp(cat, "yes") ? &u->yes : !strcmp(cat, "no") ? &u->no
                         : !strcmp(cat, "not_classified") ? &u->not_classified : NULL;
            if (slot)
                *slot = value;
        }
        free(task), free(key);
        return OS_OK;
    }
    for (size_t k = 0; k < sizeof NUMERIC / sizeof *NUMERIC; k++) {
        snprintf(want, sizeof want, "onet_task_%s_%s", NUMERIC[k].facet, NUMERIC[k].stat);
        if (strcmp(facet, NUMERIC[k].facet) || strcmp(var, want))
            continue;
        size_t len = sep && !strcmp(sep, "::value") ? (size_t)(sep - cluster) : strlen(cluster);
        char *task = xstrndup(cluster, len), *key = task_key(task);
        task_use *u = task_get(l, key, table, row);
        if (NUMERIC[k].prim < 0)
            u->autonomy = value;
        else
            u->prim[NUMERIC[k].prim] = value;
        free(task), free(key);
        break;
    }
    return OS_OK;
}

/* Task success from its percents: yes / (yes + no), not_classified left
 * out and its share kept; NaN where the release publishes none. */
static void task_success(task_use *u)
{
    double yes = isnan(u->yes) ? 0 : u->yes, no = isnan(u->no) ? 0 : u->no;
    if (!isnan(u->yes) || !isnan(u->no))
        u->prim[AEI_P_SUCCESS] = yes + no > 0 ? yes / (yes + no) : NAN;
    if (!isnan(u->yes) || !isnan(u->no) || !isnan(u->not_classified))
        u->prim[AEI_P_SUCCESS_NC] = isnan(u->not_classified) ? 0 : u->not_classified / 100;
}

/* v3/v4 long rows (already only the global rows of the three task facets):
 * onet_task_pct is a percent of all conversations; the collaboration pcts
 * are percents of the task's conversations (made fractions here); the
 * autonomy median is taken as published. Other variables are ignored. */
static int read_long(tf *t, const cfg_aei *a, task_list *l)
{
    static const struct {
        const char *name;
        int mode; /* index into mode[], or -1 for filtered */
    } MODES[] = {{"directive", AEI_DIRECTIVE},      {"feedback loop", AEI_FEEDBACK_LOOP},
                 {"feedback_loop", AEI_FEEDBACK_LOOP}, {"task iteration", AEI_TASK_ITERATION},
                 {"task_iteration", AEI_TASK_ITERATION}, {"validation", AEI_VALIDATION},
                 {"learning", AEI_LEARNING},        {"none", -1},
                 {"not_classified", -1}};
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    int rc = tf_open_staged(t, a->raw, "facet, variable, cluster_name, value", &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *facet = db_text(q, 1), *var = db_text(q, 2), *cluster = db_text(q, 3);
        double value = db_real(q, 4);
        if (isnan(value))
            continue;
        if (!strcmp(facet, "onet_task") && !strcmp(var, "onet_task_pct")) {
            char *key = task_key(cluster);
            task_use *u = task_get(l, key, a->raw, row);
            if (!isnan(u->usage_pct))
                rc = os_error(OS_EDATA, "%s: %s row %ld: onet_task_pct of '%s' appears twice",
                              a->raw, file, row, cluster);
            u->usage_pct = value;
            u->row = row;
            free(key);
        } else if (!strcmp(facet, "onet_task::collaboration") &&
                   !strcmp(var, "onet_task_collaboration_pct")) {
            const char *sep = NULL;
            for (const char *p = strstr(cluster, "::"); p; p = strstr(p + 2, "::"))
                sep = p;
            if (!sep) {
                rc = os_error(OS_EDATA, "%s: %s row %ld: collaboration cluster '%s' has no '::'",
                              a->raw, file, row, cluster);
                break;
            }
            char *task = xstrndup(cluster, (size_t)(sep - cluster));
            char *key = task_key(task);
            const char *pattern = sep + 2;
            size_t m;
            for (m = 0; m < sizeof MODES / sizeof *MODES; m++)
                if (!strcmp(pattern, MODES[m].name))
                    break;
            if (m == sizeof MODES / sizeof *MODES)
                rc = os_error(OS_EDATA, "%s: %s row %ld: unknown collaboration pattern '%s'",
                              a->raw, file, row, pattern);
            else {
                task_use *u = task_get(l, key, a->raw, row);
                u->has_patterns = 1;
                if (MODES[m].mode >= 0)
                    u->mode[MODES[m].mode] += value / 100;
                else
                    u->filtered += value / 100;
            }
            free(task);
            free(key);
        } else if (!strncmp(facet, "onet_task::", 11)) {
            rc = read_primitive(l, a->raw, row, facet + 11, var, cluster, value);
        }
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    return rc;
}

/* One period of a release: its tasks (and, in the monthly layout, the
 * release's own SOC occupation rows). */
typedef struct {
    char start[16], end[16]; /* the window; "" when the release has none */
    task_list l;
    strmap *soc;             /* SOC code -> index into socv */
    struct soc_row {
        char code[16];
        double v[9]; /* usage, automation, augmentation, autonomy, hours, minutes, edu, work */
    } *socv;
    size_t nsoc;
} period;

/* The period of start in *ps (n of them), added when new; dies on OOM. */
static period *period_get(period **ps, size_t *n, const char *start, const char *end)
{
    for (size_t i = 0; i < *n; i++)
        if (!strcmp((*ps)[i].start, start))
            return &(*ps)[i];
    *ps = xrealloc(*ps, (*n + 1) * sizeof **ps);
    period *p = memset(&(*ps)[(*n)++], 0, sizeof *p);
    snprintf(p->start, sizeof p->start, "%s", start);
    snprintf(p->end, sizeof p->end, "%s", end);
    p->l.by_key = strmap_new();
    p->soc = strmap_new();
    return p;
}

static void periods_free(period *ps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        task_list_free(&ps[i].l);
        strmap_free(ps[i].soc);
        free(ps[i].socv);
    }
    free(ps);
}

/* The metrics of the monthly layout a task or SOC row takes: where each
 * goes (a mode, filtered, a primitive, usage) and its divisor. */
enum { M_USAGE = -10, M_FILTERED = -11, M_AUTOMATION = -12, M_AUGMENTATION = -13 };
static const struct {
    const char *metric;
    int slot;   /* 0..AEI_NMODES-1 a mode; M_*; 100 + a primitive */
    double div; /* percents become fractions */
} METRICS[] = {
    {"pct", M_USAGE, 1},
    {"collaboration_directive_pct", AEI_DIRECTIVE, 100},
    {"collaboration_feedback_loop_pct", AEI_FEEDBACK_LOOP, 100},
    {"collaboration_task_iteration_pct", AEI_TASK_ITERATION, 100},
    {"collaboration_validation_pct", AEI_VALIDATION, 100},
    {"collaboration_learning_pct", AEI_LEARNING, 100},
    {"collaboration_none_pct", M_FILTERED, 100},
    {"collaboration_bucket_automation_pct", M_AUTOMATION, 100},
    {"collaboration_bucket_augmentation_pct", M_AUGMENTATION, 100},
    {"ai_autonomy_mean", 100 + AEI_P_AUTONOMY_MEAN, 1},
    {"human_only_time_mean", 100 + AEI_P_HOURS_MEAN, 1},
    {"human_with_ai_time_mean", 100 + AEI_P_MINUTES_MEAN, 1},
    {"human_education_years_mean", 100 + AEI_P_HUMAN_EDU, 1},
    {"ai_education_years_mean", 100 + AEI_P_AI_EDU, 1},
    {"use_case_work_pct", 100 + AEI_P_WORK, 100},
};

/* Layout B (v6): one row per (period, place, node, metric), already only
 * the global level-0 rows of onet (tasks, keyed "#<Task ID>") and
 * soc_occupation (the release's own occupation rows), kept per period.
 * A bad row stops the run naming table, file and row. */
static int read_monthly(tf *t, const cfg_aei *a, period **ps, size_t *np)
{
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    int rc = tf_open_staged(t, a->raw, "date_start, date_end, category_name, hierarchy_level, "
                            "metric_id, value, node_external_id", &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *cat = db_text(q, 3), *metric = db_text(q, 5), *node = db_text(q, 7);
        double value = db_real(q, 6);
        if (sqlite3_column_int64(q, 4) != 0 || isnan(value))
            continue;
        size_t m;
        for (m = 0; m < sizeof METRICS / sizeof *METRICS && strcmp(METRICS[m].metric, metric); m++)
            ;
        if (m == sizeof METRICS / sizeof *METRICS)
            continue; /* artifacts, per-capita index ...: not read */
        period *p = period_get(ps, np, db_text(q, 1), db_text(q, 2));
        double v = value / METRICS[m].div;
        int slot = METRICS[m].slot;
        if (!strcmp(cat, "onet")) {
            char key[48];
            snprintf(key, sizeof key, "#%.40s", node);
            task_use *u = task_get(&p->l, key, a->raw, row);
            if (slot == M_USAGE) {
                if (!isnan(u->usage_pct))
                    rc = os_error(OS_EDATA, "%s: %s row %ld: pct of task %s in %s appears twice",
                                  a->raw, file, row, node, p->start);
                u->usage_pct = v;
                u->row = row;
            } else if (slot >= 0 && slot < AEI_NMODES) {
                u->mode[slot] = v, u->has_patterns = 1;
            } else if (slot == M_FILTERED) {
                u->filtered = v, u->has_patterns = 1;
            } else if (slot >= 100)
                u->prim[slot - 100] = v;
        } else if (!strcmp(cat, "soc_occupation")) {
            long k;
            char code[16];
            snprintf(code, sizeof code, "%.7s", node);
            if (!strmap_get(p->soc, code, &k)) {
                p->socv = xrealloc(p->socv, (p->nsoc + 1) * sizeof *p->socv);
                k = (long)p->nsoc++;
                snprintf(p->socv[k].code, sizeof p->socv[k].code, "%s", code);
                for (int j = 0; j < 9; j++)
                    p->socv[k].v[j] = NAN;
                strmap_put(p->soc, code, k);
            }
            int j = slot == M_USAGE ? 0 : slot == M_AUTOMATION ? 1 : slot == M_AUGMENTATION ? 2
                  : slot == 100 + AEI_P_AUTONOMY_MEAN ? 3 : slot == 100 + AEI_P_HOURS_MEAN ? 4
                  : slot == 100 + AEI_P_MINUTES_MEAN ? 5 : slot == 100 + AEI_P_HUMAN_EDU ? 6
                  : slot == 100 + AEI_P_WORK ? 7 : -1;
            if (j >= 0)
                p->socv[k].v[j] = v;
        }
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    return rc;
}

/* The window and platform of a long release from its staged rows (when the
 * table has those columns) into p and platform (64 bytes). */
static int long_window(tf *t, const cfg_aei *a, period *p, char *platform)
{
    const cfg_table *tb = config_table(t->cfg, a->raw);
    if (!tb || config_column(tb, "date_start") < 0 || config_column(tb, "date_end") < 0 ||
        config_column(tb, "platform_and_product") < 0)
        return OS_OK;
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    int rc = tf_open_staged(t, a->raw, "date_start, date_end, platform_and_product", &q, &file);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const char *s0 = db_text(q, 1), *e0 = db_text(q, 2), *pl = db_text(q, 3);
        if (*s0 && (!*p->start || strcmp(s0, p->start) < 0))
            snprintf(p->start, sizeof p->start, "%s", s0);
        if (*e0 && strcmp(e0, p->end) > 0)
            snprintf(p->end, sizeof p->end, "%s", e0);
        if (*pl && !*platform)
            snprintf(platform, 64, "%s", pl);
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    return rc;
}

/* What a release gave, for aei_release. */
typedef struct {
    const cfg_aei *a;
    char start[16], end[16], platform[64];
    size_t periods;
    double by_id, by_text, not_joined; /* usage, percent of all conversations */
} release_info;

/* ------------------------------------------------------------ roll-up */

/* Per occupation: the tasks that reached it in this release. */
typedef struct {
    aei_task_in *v;
    size_t n, cap;
} occ_tasks;

/* The release's own SOC rows of period p into aei_release_occupation, each
 * occupation taking the row of its SOC code (DESIGN section 3); returns an
 * os_result. */
static int soc_rows(tf *t, const cfg_aei *a, const period *p)
{
    if (!p->nsoc)
        return OS_OK;
    long *take = xmalloc(t->u.n * sizeof *take);
    unsigned char *how = xmalloc(t->u.n);
    tf_take_rows(t, p->soc, take, how);
    sqlite3_stmt *ins = NULL;
    int rc = db_prepare(t->out, "INSERT INTO aei_release_occupation(onet_code, release, period, "
                        "soc_code, match, usage_pct, automation_share, augmentation_share, "
                        "autonomy_mean, human_only_hours_mean, with_ai_minutes_mean, "
                        "human_education_years, work_share) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &ins);
    for (size_t o = 0; !rc && o < t->u.n; o++) {
        if (take[o] < 0)
            continue;
        const struct soc_row *r = &p->socv[take[o]];
        int k = 1;
        sqlite3_bind_text(ins, k++, t->u.onet[o], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, k++, a->release, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, k++, p->start, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, k++, r->code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, k++, how[o] == MATCH_SOC ? "soc" : "aggregate", -1, SQLITE_STATIC);
        for (int j = 0; j < 8; j++)
            db_bind_real(ins, k++, r->v[j]);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(ins);
    free(take);
    free(how);
    return rc;
}

/* Rolls one period's tasks up: aei_task and aei_occupation rows, usage per
 * occupation into usage_out (the latest period's wins), join shares into
 * ri. Returns an os_result. */
static int roll_period(tf *t, const cfg_aei *a, const statements *st, period *pe,
                       tf_coverage *c, tf_coverage *cp, release_info *ri, double *usage_out,
                       unsigned char *match_out)
{
    const char *table = a->layout == AEI_WIDE ? a->tasks : a->raw;
    task_list *l = &pe->l;
    occ_tasks *per = xcalloc(t->u.n, sizeof *per);
    sqlite3_stmt *ins = NULL, *occ_ins = NULL;
    char *cols = xstrdup(""), *marks = xstrdup("");
    for (int p = 0; p < AEI_NPRIM; p++) {
        char *c2 = xasprintf("%s, %s", cols, aei_prim_columns[p]);
        char *m2 = xasprintf("%s,?", marks);
        free(cols), free(marks);
        cols = c2, marks = m2;
    }
    char *sql = xasprintf("INSERT INTO aei_task(onet_code, task_id, release, task, usage_pct, "
                          "shared_by, directive, feedback_loop, task_iteration, validation, "
                          "learning, filtered, unknown, dominant_mode, autonomy_median, match, "
                          "period, joined_by%s, speedup) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                          "?,?%s,?)", cols, marks);
    int rc = db_prepare(t->out, sql, &ins);
    free(sql);
    sql = xasprintf("INSERT INTO aei_occupation(onet_code, release, release_label, usage_pct,"
                    " tasks, automation_share, augmentation_share, filtered_share, "
                    "unknown_share, dominant_mode, autonomy_median, match, period%s, speedup, "
                    "primitives_usage_share) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?%s,?,?)", cols, marks);
    if (!rc)
        rc = db_prepare(t->out, sql, &occ_ins);
    free(sql), free(cols), free(marks);
    const char *match = st->crosswalk ? "crosswalk" : "exact";
    for (size_t j = 0; !rc && j < l->n; j++) {
        task_use *u = &l->v[j];
        task_success(u);
        if (cp && u->has_patterns && a->layout == AEI_WIDE)
            cp->rows_in++;
        if (isnan(u->usage_pct)) {
            /* a pattern or autonomy row for a task with no usage row: listed
             * under the table and row it came from */
            tf_coverage *where = cp && u->table == a->patterns ? cp : c;
            rc = tf_cov_unmatched(t, where, u->row, u->key, "patterns without a usage row");
            continue;
        }
        if (cp && u->has_patterns)
            cp->rows_mapped++;
        c->rows_in++;
        if (not_a_task(u->key)) {
            rc = tf_cov_unmatched(t, c, u->row, u->key,
                                  "not a task (conversations with no task, or not classified)");
            continue;
        }
        int by_id = u->key[0] == '#';
        long head;
        if (!strmap_get(st->head, u->key, &head)) {
            ri->not_joined += u->usage_pct;
            rc = tf_cov_unmatched(t, c, u->row, by_id ? u->key + 1 : u->key,
                                  by_id ? "no task statement of an occupation of the O*NET "
                                          "release has this Task ID"
                                        : "no task statement of an occupation of the O*NET "
                                          "release has this text");
            continue;
        }
        *(by_id ? &ri->by_id : &ri->by_text) += u->usage_pct;
        long k = 0;
        for (long i = head; i >= 0; i = st->next[i])
            k++;
        c->rows_mapped++;
        /* a text held by k occupations gives each 1/k of its usage */
        for (long i = head; !rc && i >= 0; i = st->next[i]) {
            long o = st->occ[i];
            aei_task_in in = {u->usage_pct / (double)k, u->has_patterns, {0}, u->filtered,
                              u->autonomy, {0}};
            memcpy(in.mode, u->mode, sizeof in.mode);
            memcpy(in.prim, u->prim, sizeof in.prim);
            occ_tasks *ot = &per[o];
            if (ot->n == ot->cap) {
                ot->cap = ot->cap ? 2 * ot->cap : 8;
                ot->v = xrealloc(ot->v, ot->cap * sizeof *ot->v);
            }
            ot->v[ot->n++] = in;
            c->covered[o] = 1;
            if (cp && u->has_patterns)
                cp->covered[o] = 1;
            aei_occ_out one;
            aei_rollup(&in, 1, &one);
            int p = 1;
            sqlite3_bind_text(ins, p++, t->u.onet[o], -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins, p++, st->task_id[i]);
            sqlite3_bind_text(ins, p++, a->release, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, p++, st->text[i], -1, SQLITE_STATIC);
            sqlite3_bind_double(ins, p++, in.usage_pct);
            sqlite3_bind_int64(ins, p++, k);
            for (int m = 0; m < AEI_NMODES; m++)
                db_bind_real(ins, p++, u->has_patterns ? u->mode[m] : NAN);
            db_bind_real(ins, p++, u->has_patterns ? u->filtered : NAN);
            db_bind_real(ins, p++, one.unknown); /* NULL when the task had no use */
            db_bind_text(ins, p++, one.dominant);
            db_bind_real(ins, p++, u->autonomy);
            sqlite3_bind_text(ins, p++, match, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, p++, pe->start, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, p++, by_id ? "id" : "text", -1, SQLITE_STATIC);
            for (int m = 0; m < AEI_NPRIM; m++)
                db_bind_real(ins, p++, u->prim[m]);
            db_bind_real(ins, p++, aei_speedup(u->prim));
            rc = db_step(t->out, ins);
            if (rc && sqlite3_extended_errcode(t->out) == SQLITE_CONSTRAINT_PRIMARYKEY)
                rc = os_error(OS_EDATA, "%s: task %ld of %s is reached by two task texts", table,
                              st->task_id[i], t->u.onet[o]);
        }
    }
    for (size_t o = 0; !rc && o < t->u.n; o++) {
        if (!per[o].n)
            continue;
        aei_occ_out r;
        aei_rollup(per[o].v, per[o].n, &r);
        double prim[AEI_NPRIM], covered;
        aei_rollup_primitives(per[o].v, per[o].n, prim, &covered);
        int p = 1;
        sqlite3_bind_text(occ_ins, p++, t->u.onet[o], -1, SQLITE_STATIC);
        sqlite3_bind_text(occ_ins, p++, a->release, -1, SQLITE_STATIC);
        sqlite3_bind_text(occ_ins, p++, a->label, -1, SQLITE_STATIC);
        sqlite3_bind_double(occ_ins, p++, r.usage_pct);
        sqlite3_bind_int64(occ_ins, p++, (long long)per[o].n);
        db_bind_real(occ_ins, p++, r.automation);
        db_bind_real(occ_ins, p++, r.augmentation);
        db_bind_real(occ_ins, p++, r.filtered);
        db_bind_real(occ_ins, p++, r.unknown);
        db_bind_text(occ_ins, p++, r.dominant);
        db_bind_real(occ_ins, p++, r.autonomy_median);
        sqlite3_bind_text(occ_ins, p++, match, -1, SQLITE_STATIC);
        sqlite3_bind_text(occ_ins, p++, pe->start, -1, SQLITE_STATIC);
        for (int m = 0; m < AEI_NPRIM; m++)
            db_bind_real(occ_ins, p++, prim[m]);
        db_bind_real(occ_ins, p++, aei_speedup(prim));
        db_bind_real(occ_ins, p++, covered);
        rc = db_step(t->out, occ_ins);
        usage_out[o] = r.usage_pct;
        match_out[o] = st->crosswalk ? MATCH_CROSSWALK : MATCH_EXACT;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(occ_ins);
    for (size_t o = 0; o < t->u.n; o++)
        free(per[o].v);
    free(per);
    return rc;
}

/* OS_OK when the usage of the period's tasks adds up to at most 100 % of all
 * conversations (a little more for rounding), else OS_EDATA naming the
 * table, the period and the total: shares of all conversations cannot add up
 * to more, so the file is wrong. */
static int usage_total(const char *table, const period *p)
{
    double total = 0;
    for (size_t j = 0; j < p->l.n; j++)
        if (!isnan(p->l.v[j].usage_pct))
            total += p->l.v[j].usage_pct;
    if (total <= 100.5)
        return OS_OK;
    return os_error(OS_EDATA, "%s: the task shares%s%s add up to %.1f %% of all conversations "
                    "(at most 100 %%): the file is not a release's task shares", table,
                    *p->start ? " of the period from " : "", p->start, total);
}

/* What a release's tables hold, read: its statements and its periods. */
typedef struct {
    statements st;
    period *ps;
    size_t np;
    char platform[64];
} release_read;

/* Reads release a's statements and task tables into r (which owns them,
 * also on failure: release_read_free); returns an os_result naming table,
 * file and row. */
static int read_release(tf *t, const cfg_aei *a, release_read *r, statements *same)
{
    int rc = OS_OK;
    if (same)
        r->st = statements_share(same);
    else
        rc = load_statements(t, a->statements, a->codes2010, &r->st);
    if (!rc && a->layout == AEI_MONTHLY)
        rc = read_monthly(t, a, &r->ps, &r->np);
    else if (!rc) {
        period *p = period_get(&r->ps, &r->np, "", "");
        rc = a->layout == AEI_WIDE ? read_wide(t, a, &p->l) : read_long(t, a, &p->l);
        if (!rc && a->layout == AEI_LONG)
            rc = long_window(t, a, p, r->platform);
    }
    return rc;
}

/* Frees what r holds and empties it (safe on an empty one); cannot fail. */
static void release_read_free(release_read *r)
{
    periods_free(r->ps, r->np);
    if (r->st.head)
        statements_free(&r->st);
    *r = (release_read){0};
}

/* One release, the k-th of the config: its tasks read by layout, joined,
 * rolled up per period (in date order, so the latest period's usage ends
 * in usage_out); what it gave into ri. The statements it joins through are
 * kept in kept[k] (a share, for a later release that ships the same file:
 * the same bytes, read alike, joins through them); kept[j] of an earlier
 * release is used the same way. Returns an os_result naming table, file and
 * row. */
static int release(tf *t, size_t k, release_info *ri, double *usage_out,
                   unsigned char *match_out, statements *kept)
{
    const cfg_aei *a = &t->cfg->aei[k];
    const char *table = a->layout == AEI_WIDE ? a->tasks : a->raw;
    release_read r = {0};
    statements *same = NULL;
    for (size_t j = 0; j < k && !same; j++)
        if (kept[j].head && t->cfg->aei[j].codes2010 == a->codes2010 &&
            tf_same_rows(t, t->cfg->aei[j].statements, a->statements)) {
            same = &kept[j];
            trace_mark("transform: economic index %s joins through the statements of %s",
                       a->release, t->cfg->aei[j].release);
        }
    int rc = read_release(t, a, &r, same);
    if (!rc)
        kept[k] = statements_share(&r.st);
    snprintf(ri->platform, sizeof ri->platform, "%s", r.platform);
    statements st = r.st;
    period *ps = r.ps;
    size_t np = r.np;
    tf_coverage *c = rc ? NULL : tf_cov_start(t, table, "aei");
    /* rows of the patterns file get their own coverage record */
    tf_coverage *cp = rc || !a->patterns ? NULL : tf_cov_start(t, a->patterns, "aei");
    for (size_t i = 0; i + 1 < np; i++) /* periods in date order */
        for (size_t j = i + 1; j < np; j++)
            if (strcmp(ps[j].start, ps[i].start) < 0) {
                period tmp = ps[i];
                ps[i] = ps[j], ps[j] = tmp;
            }
    for (size_t i = 0; !rc && i < np; i++)
        rc = usage_total(table, &ps[i]);
    for (size_t i = 0; !rc && i < np; i++) {
        for (size_t o = 0; o < t->u.n; o++)
            usage_out[o] = NAN; /* the latest period's usage is the release's */
        /* the CHECKs of aei_task and aei_occupation (match, joined_by IN
           ...) see only the words roll_period binds from its own constants:
           off while it inserts, as SQLite would build their look-up lists
           again for every row (tf_checks) */
        rc = tf_checks(t, 0);
        if (!rc)
            rc = roll_period(t, a, &st, &ps[i], c, cp, ri, usage_out, match_out);
        int crc = tf_checks(t, 1);
        if (!rc)
            rc = crc;
        if (!rc)
            rc = soc_rows(t, a, &ps[i]);
    }
    ri->periods = np;
    if (c) {
        c->usage_by_id = ri->by_id;
        c->usage_by_text = ri->by_text;
        c->usage_not_joined = ri->not_joined;
    }
    if (np) {
        snprintf(ri->start, sizeof ri->start, "%s", ps[0].start);
        snprintf(ri->end, sizeof ri->end, "%s", ps[np - 1].end);
    }
    r.ps = ps; /* sorted in place */
    release_read_free(&r);
    return rc;
}

/* aei_release: every release the snapshot holds, in date order, each
 * marked comparable with the one before when it has the same layout (the
 * monthly layout changed the population and classifiers). Returns an
 * os_result. */
static int write_releases(tf *t, release_info *ri, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(ri[j].a->release, ri[i].a->release) < 0) {
                release_info tmp = ri[i];
                ri[i] = ri[j], ri[j] = tmp;
            }
    sqlite3_stmt *ins = NULL;
    int rc = db_prepare(t->out, "INSERT INTO aei_release(release, label, layout, file, found, "
                        "date_start, date_end, periods, platform, comparable_with_previous, "
                        "comparability_note, usage_by_id_share, usage_by_text_share, "
                        "usage_not_joined_share) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", &ins);
    for (size_t i = 0; !rc && i < n; i++) {
        const cfg_aei *a = ri[i].a;
        const cfg_table *tb = config_table(t->cfg, a->layout == AEI_WIDE ? a->tasks : a->raw);
        const release_info *prev = i ? &ri[i - 1] : NULL;
        int same = prev && prev->a->layout == a->layout;
        char note[256];
        if (!prev)
            snprintf(note, sizeof note, "the first release");
        else if (!same)
            snprintf(note, sizeof note, "a break: %s layout after %s (%s)",
                     config_aei_layout_name(a->layout), config_aei_layout_name(prev->a->layout),
                     a->layout == AEI_MONTHLY ? "population (Cowork added) and classifiers "
                                                "changed; not a continuation without a bridge"
                                              : "different files and measures");
        else if (*prev->platform && *ri[i].platform && strcmp(prev->platform, ri[i].platform))
            snprintf(note, sizeof note, "same layout; platform now %s (was %s)", ri[i].platform,
                     prev->platform);
        else
            snprintf(note, sizeof note, "same layout as %s", prev->a->release);
        double total = ri[i].by_id + ri[i].by_text + ri[i].not_joined;
        int k = 1;
        db_bind_text(ins, k++, a->release);
        db_bind_text(ins, k++, a->label);
        db_bind_text(ins, k++, config_aei_layout_name(a->layout));
        db_bind_text(ins, k++, a->file ? a->file : tb ? tb->url : "");
        db_bind_text(ins, k++, a->found);
        db_bind_text(ins, k++, *ri[i].start ? ri[i].start : NULL);
        db_bind_text(ins, k++, *ri[i].end ? ri[i].end : NULL);
        sqlite3_bind_int64(ins, k++, (long long)ri[i].periods);
        const cfg_aei_layout *L = NULL;
        for (size_t j = 0; j < t->cfg->nalay && !L; j++)
            if (t->cfg->alay[j].layout == a->layout)
                L = &t->cfg->alay[j];
        db_bind_text(ins, k++, *ri[i].platform ? ri[i].platform : L ? L->platform : NULL);
        sqlite3_bind_int(ins, k++, same);
        db_bind_text(ins, k++, note);
        db_bind_real(ins, k++, total > 0 ? ri[i].by_id / total : NAN);
        db_bind_real(ins, k++, total > 0 ? ri[i].by_text / total : NAN);
        db_bind_real(ins, k++, total > 0 ? ri[i].not_joined / total : NAN);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

int tf_aei_build(tf *t)
{
    const config *c = t->cfg;
    double *usage = xmalloc(t->u.n * sizeof *usage);
    unsigned char *match = xcalloc(t->u.n, 1);
    release_info *ri = xcalloc(c->naei ? c->naei : 1, sizeof *ri);
    statements *kept = xcalloc(c->naei ? c->naei : 1, sizeof *kept);
    size_t nri = 0;
    const char *newest = NULL;
    int rc = OS_OK;
    /* Every release is kept (aei_task, aei_occupation name it); the measure
     * aei_usage_pct comes from the newest release that was fetched, its
     * latest period. */
    for (size_t k = 0; !rc && k < c->naei; k++) {
        const cfg_aei *a = &c->aei[k];
        int staged;
        rc = tf_staged(t, a->layout == AEI_WIDE ? a->tasks : a->raw, &staged);
        if (rc || !staged)
            continue; /* an optional release that could not be fetched: the
                         manifest's warnings say so */
        for (size_t i = 0; i < t->u.n; i++)
            usage[i] = NAN;
        ri[nri].a = a;
        rc = release(t, k, &ri[nri++], usage, match, kept);
        if (!rc && (!newest || strcmp(a->release, newest) > 0)) {
            newest = a->release;
            tf_measure *m = tf_measure_find(t, "aei_usage_pct");
            if (!m)
                m = tf_measure_new(t, "aei_usage_pct", "aei");
            memcpy(m->value, usage, t->u.n * sizeof *usage);
            memcpy(m->match, match, t->u.n);
        }
    }
    if (!rc)
        rc = write_releases(t, ri, nri);
    for (size_t k = 0; k < c->naei; k++)
        if (kept[k].head)
            statements_free(&kept[k]);
    free(kept);
    free(ri);
    free(usage);
    free(match);
    return rc;
}

int tf_aei(tf *t)
{
    static const char *const tables[] = {"aei_task", "aei_occupation", "aei_release",
                                         "aei_release_occupation", NULL};
    tf_ahead *a = tf_worker_aei(t);
    return a ? tf_ahead_take(t, a, "aei", tables) : tf_aei_build(t);
}
