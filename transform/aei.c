/* aei.c - the Anthropic Economic Index: task usage joined to occupations, rolled up. */
#include "common/error.h"
#include "common/util.h"
#include "transform/aei_rollup.h"
#include "transform/context.h"
#include "transform/crosswalks.h"
#include "transform/occode.h"
#include "transform/sources.h"

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
} statements;

static void statements_free(statements *s)
{
    for (size_t i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->next), free(s->occ), free(s->task_id), free(s->text);
    strmap_free(s->head);
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
        if (codes2010) {
            for (long k = codemap_first(&xw, oc.onet); k >= 0; k = xw.next[k]) {
                long i = universe_find(&t->u, xw.target[k]);
                if (i >= 0)
                    statements_add(s, key, i, task_id, text);
            }
        } else {
            long i = universe_find(&t->u, oc.onet);
            if (i >= 0)
                statements_add(s, key, i, task_id, text);
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
        } else if (!strcmp(facet, "onet_task::ai_autonomy") &&
                   !strcmp(var, "onet_task_ai_autonomy_median")) {
            char *key = task_key(cluster);
            task_get(l, key, a->raw, row)->autonomy = value;
            free(key);
        }
    }
    if (q)
        sqlite3_finalize(q);
    free(file);
    return rc;
}

/* ------------------------------------------------------------ roll-up */

/* Per occupation: the tasks that reached it in this release. */
typedef struct {
    aei_task_in *v;
    size_t n, cap;
} occ_tasks;

static int release(tf *t, const cfg_aei *a, double *usage_out, unsigned char *match_out)
{
    const char *table = a->layout == AEI_WIDE ? a->tasks : a->raw;
    int staged;
    int rc = tf_staged(t, table, &staged);
    if (rc || !staged) {
        /* !staged: an optional release that could not be fetched: the
         * manifest's warnings say so; the newest release that was fetched is used */
        return rc;
    }
    statements st;
    task_list l = {.by_key = strmap_new()};
    rc = load_statements(t, a->statements, a->codes2010, &st);
    if (!rc)
        rc = a->layout == AEI_WIDE ? read_wide(t, a, &l) : read_long(t, a, &l);
    occ_tasks *per = xcalloc(t->u.n, sizeof *per);
    tf_coverage *c = rc ? NULL : tf_cov_start(t, table, "aei");
    /* rows of the patterns file get their own coverage record */
    tf_coverage *cp = rc || !a->patterns ? NULL : tf_cov_start(t, a->patterns, "aei");
    sqlite3_stmt *ins = NULL, *occ_ins = NULL;
    if (!rc)
        rc = db_prepare(t->out,

    "INSERT INTO aei_task(onet_code, task_id, release, task, usage_pct, shared_by, directive, "
    "feedback_loop, task_iteration, validation, learning, filtered, unknown, dominant_mode, "
    "autonomy_median, match) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    &ins);
    if (!rc)
        rc = db_prepare(t->out,
                        "INSERT INTO aei_occupation(onet_code, release, release_label, usage_pct,"
                        " tasks, automation_share, augmentation_share, filtered_share, "
                        "unknown_share, dominant_mode, autonomy_median, match) VALUES(?,?,?,?,?,"
                        "?,?,?,?,?,?,?)",
                        &occ_ins);
    const char *match = st.crosswalk ? "crosswalk" : "exact";
    for (size_t j = 0; !rc && j < l.n; j++) {
        task_use *u = &l.v[j];
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
        long head;
        if (!strmap_get(st.head, u->key, &head)) {
            rc = tf_cov_unmatched(t, c, u->row, u->key,
                                  "no task statement of an occupation of the O*NET release has this text");
            continue;
        }
        long k = 0;
        for (long i = head; i >= 0; i = st.next[i])
            k++;
        c->rows_mapped++;
        /* a text held by k occupations gives each 1/k of its usage */
        for (long i = head; !rc && i >= 0; i = st.next[i]) {
            long o = st.occ[i];
            aei_task_in in = {u->usage_pct / (double)k, u->has_patterns, {0}, u->filtered,
                              u->autonomy};
            memcpy(in.mode, u->mode, sizeof in.mode);
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
            sqlite3_bind_int64(ins, p++, st.task_id[i]);
            sqlite3_bind_text(ins, p++, a->release, -1, SQLITE_STATIC);
            sqlite3_bind_text(ins, p++, st.text[i], -1, SQLITE_STATIC);
            sqlite3_bind_double(ins, p++, in.usage_pct);
            sqlite3_bind_int64(ins, p++, k);
            for (int m = 0; m < AEI_NMODES; m++)
                db_bind_real(ins, p++, u->has_patterns ? u->mode[m] : NAN);
            db_bind_real(ins, p++, u->has_patterns ? u->filtered : NAN);
            db_bind_real(ins, p++, one.unknown); /* NULL when the task had no use */
            db_bind_text(ins, p++, one.dominant);
            db_bind_real(ins, p++, u->autonomy);
            sqlite3_bind_text(ins, p++, match, -1, SQLITE_STATIC);
            rc = db_step(t->out, ins);
            if (rc && sqlite3_extended_errcode(t->out) == SQLITE_CONSTRAINT_PRIMARYKEY)
                rc = os_error(OS_EDATA, "%s: task %ld of %s is reached by two task texts", table,
                              st.task_id[i], t->u.onet[o]);
        }
    }
    for (size_t o = 0; !rc && o < t->u.n; o++) {
        if (!per[o].n)
            continue;
        aei_occ_out r;
        aei_rollup(per[o].v, per[o].n, &r);
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
        rc = db_step(t->out, occ_ins);
        usage_out[o] = r.usage_pct;
        match_out[o] = st.crosswalk ? MATCH_CROSSWALK : MATCH_EXACT;
    }
    sqlite3_finalize(ins);
    sqlite3_finalize(occ_ins);
    for (size_t o = 0; o < t->u.n; o++)
        free(per[o].v);
    free(per);
    task_list_free(&l);
    statements_free(&st);
    return rc;
}

int tf_aei(tf *t)
{
    const config *c = t->cfg;
    double *usage = xmalloc(t->u.n * sizeof *usage);
    unsigned char *match = xcalloc(t->u.n, 1);
    const cfg_aei *newest = NULL;
    int rc = OS_OK;
    /* Every release is kept (aei_task, aei_occupation name it); the measure
     * aei_usage_pct comes from the newest release that was fetched. */
    for (size_t k = 0; !rc && k < c->naei; k++) {
        const cfg_aei *a = &c->aei[k];
        int staged;
        rc = tf_staged(t, a->layout == AEI_WIDE ? a->tasks : a->raw, &staged);
        if (rc || !staged)
            continue;
        for (size_t i = 0; i < t->u.n; i++)
            usage[i] = NAN;
        if (!newest || strcmp(a->release, newest->release) > 0) {
            rc = release(t, a, usage, match);
            if (!rc) {
                newest = a;
                tf_measure *m = tf_measure_find(t, "aei_usage_pct");
                if (!m)
                    m = tf_measure_new(t, "aei_usage_pct", "aei");
                memcpy(m->value, usage, t->u.n * sizeof *usage);
                memcpy(m->match, match, t->u.n);
            }
        } else {
            double *ignore = xmalloc(t->u.n * sizeof *ignore);
            rc = release(t, a, ignore, match);
            free(ignore);
        }
    }
    free(usage);
    free(match);
    return rc;
}
