/* measure_map.c - the generic runner: every [measure] read from a table, mapped onto the occupations by the rule of its code system (DESIGN sections 3 and 4a). */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/crosswalks.h"
#include "transform/occode.h"
#include "transform/sources.h"
#include "transform/xwalk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* How the codes of one code system are read and carried to occupations. */
typedef struct {
    enum cfg_codes codes;
    int onet;              /* 1: O*NET-SOC codes (keyed "27-4014.00"), 0: SOC codes */
    int need_suffix;       /* 1: the ".NN" suffix is required; 0 with onet: optional */
    const char *what;      /* "a SOC 2010 code", for the message of a bad code */
    const char *no_origin; /* crosswalk rules: why a code reached nothing */
    const char *no_target;
} code_rule;

static const code_rule RULES[] = {
    {CODES_ONET2019, 1, 0, "an O*NET-SOC code", NULL, NULL},
    {CODES_ONET2010, 1, 1, "an O*NET-SOC 2010 code",
     "not an origin in the O*NET-SOC 2010 to 2019 crosswalk",
     "its 2019 targets are not occupations of the O*NET release"},
    {CODES_SOC2018, 0, 0, "a SOC 2018 code", NULL, NULL},
    {CODES_SOC2010, 0, 0, "a SOC 2010 code", "not an origin in the SOC 2010 to 2018 crosswalk",
     "its SOC 2018 targets have no O*NET occupation"},
};

/* The measures of one table: read once, mapped together, one coverage row. */
typedef struct {
    const cfg_table *table;
    const code_rule *rule;
    const cfg_measure *cm[TF_MAX_MEASURES];
    tf_measure *m[TF_MAX_MEASURES];
    size_t nv;
} group;

/* The (code, values) rows of a group's table in file order, each code once. */
typedef struct {
    size_t n;
    long *row;           /* staged row (_row) */
    char (*code)[11];    /* the parsed code: occode's onet or soc */
    const char **origin; /* origin[k] is code[k], as xwalk_mean takes them */
    double *value;       /* value[k * nv + j] of measure j; NaN = none */
} coded_rows;

static void coded_free(coded_rows *r)
{
    free(r->row), free(r->code), free(r->origin), free(r->value);
    memset(r, 0, sizeof *r);
}

/* 1 when row k has no value in any of the nv columns; cannot fail. */
static int row_empty(const coded_rows *r, size_t nv, size_t k)
{
    for (size_t j = 0; j < nv; j++)
        if (!isnan(r->value[k * nv + j]))
            return 0;
    return 1;
}

/* Reads the code column and the group's value columns of its table into *r,
 * counting c->rows_in. Fails with OS_EDATA naming table, file, row and value
 * of a code that is not of the rule's system, or of a repeated code (with the
 * first row), or with tf_open_staged's os_result; *r is the caller's, to free
 * with coded_free whatever the result. */
static int read_rows(tf *t, const group *g, tf_coverage *c, coded_rows *r)
{
    memset(r, 0, sizeof *r);
    const char *id = g->table->id;
    char *cols = xstrdup(g->cm[0]->code);
    for (size_t j = 0; j < g->nv; j++) {
        char *more = xasprintf("%s, %s", cols, g->cm[j]->value);
        free(cols);
        cols = more;
    }
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, id, cols, &q, &file);
    free(cols);
    if (rc)
        return rc;
    size_t cap = 0;
    strmap *seen = strmap_new(); /* code -> index into r->row */
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0), prev;
        const char *text = db_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(text, &oc) != 0 || (g->rule->onet ? g->rule->need_suffix && !oc.suffix
                                                           : oc.suffix)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: '%s' is not %s", id, file, row, text,
                          g->rule->what);
            break;
        }
        const char *code = g->rule->onet ? oc.onet : oc.soc;
        if (strmap_get(seen, code, &prev)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s appears twice (also row %ld)", id, file,
                          row, code, r->row[prev]);
            break;
        }
        if (r->n == cap) {
            cap = cap ? 2 * cap : 1024;
            r->row = xrealloc(r->row, cap * sizeof *r->row);
            r->code = xrealloc(r->code, cap * sizeof *r->code);
            r->value = xrealloc(r->value, cap * g->nv * sizeof *r->value);
        }
        r->row[r->n] = row;
        memcpy(r->code[r->n], code, strlen(code) + 1);
        for (size_t j = 0; j < g->nv; j++)
            r->value[r->n * g->nv + j] = db_real(q, 2 + (int)j);
        strmap_put(seen, code, (long)r->n++);
    }
    sqlite3_finalize(q);
    free(file);
    strmap_free(seen);
    r->origin = xmalloc((r->n ? r->n : 1) * sizeof *r->origin);
    for (size_t k = 0; k < r->n; k++)
        r->origin[k] = r->code[k];
    return rc;
}

/* Gives occupation i the values of row k (match kind how); cannot fail. */
static void give(const group *g, const coded_rows *r, size_t k, size_t i, tf_coverage *c,
                 unsigned char how)
{
    for (size_t j = 0; j < g->nv; j++) {
        double v = r->value[k * g->nv + j];
        if (isnan(v))
            continue;
        g->m[j]->value[i] = v;
        g->m[j]->match[i] = how;
    }
    c->covered[i] = 1;
}

/* The words for a row without a value; cannot fail. */
static const char *no_value(const group *g)
{
    return g->nv == 1 ? "no value" : "no values in the row";
}

/* onet2019: each code is an occupation of the release (match exact), or is
 * listed as unmatched; returns the os_result of the listing. */
static int map_exact(tf *t, const group *g, const coded_rows *r, tf_coverage *c)
{
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < r->n; k++) {
        long i = universe_find(&t->u, r->code[k]);
        if (i < 0)
            rc = tf_cov_unmatched(t, c, r->row[k], r->code[k],
                                  "not an occupation of the O*NET release");
        else if (row_empty(r, g->nv, (size_t)k))
            rc = tf_cov_unmatched(t, c, r->row[k], r->code[k], no_value(g));
        else {
            give(g, r, k, (size_t)i, c, MATCH_EXACT);
            c->rows_mapped++;
        }
    }
    return rc;
}

/* The first occupation with code (an O*NET-SOC code when onet, else a SOC
 * code), or -1; continue with next_occupation. Cannot fail. */
static long first_occupation(const tf *t, int onet, const char *code)
{
    return onet ? universe_find(&t->u, code) : universe_soc_first(&t->u, code);
}

/* The next occupation with the code of occupation i, or -1; cannot fail. */
static long next_occupation(const tf *t, int onet, long i)
{
    return onet ? -1 : t->u.soc_next[i];
}

/* onet2010, soc2010: each value column through the crosswalk xw (a target
 * takes the mean of its origins' values, a split copies), onto every
 * occupation with the target code (match crosswalk); then each row is
 * counted as mapped or listed with why it reached nothing. Returns the
 * os_result of the listing. */
static int map_crosswalk(tf *t, const group *g, const codemap *xw, const coded_rows *r,
                         tf_coverage *c)
{
    int onet = g->rule->onet;
    double *col = xmalloc((r->n ? r->n : 1) * sizeof *col);
    for (size_t j = 0; j < g->nv; j++) {
        for (size_t k = 0; k < r->n; k++)
            col[k] = r->value[k * g->nv + j];
        xwalk_values v;
        xwalk_mean(xw, r->origin, col, r->n, NULL, &v);
        for (size_t p = 0; p < v.n; p++)
            for (long i = first_occupation(t, onet, v.code[p]); i >= 0;
                 i = next_occupation(t, onet, i)) {
                g->m[j]->value[i] = v.value[p];
                g->m[j]->match[i] = MATCH_CROSSWALK;
                c->covered[i] = 1;
            }
        xwalk_values_free(&v);
    }
    free(col);
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < r->n; k++) {
        const char *why = row_empty(r, g->nv, k) ? no_value(g)
                        : codemap_first(xw, r->code[k]) < 0 ? g->rule->no_origin : NULL;
        int reached = 0;
        for (long p = codemap_first(xw, r->code[k]); !why && !reached && p >= 0; p = xw->next[p])
            reached = first_occupation(t, onet, xw->target[p]) >= 0;
        if (!why && !reached)
            why = g->rule->no_target;
        if (why)
            rc = tf_cov_unmatched(t, c, r->row[k], r->code[k], why);
        else
            c->rows_mapped++;
    }
    return rc;
}

/* soc2018: for each measure on its own, each occupation takes the row of its
 * SOC code, else the aggregate row the NEM crosswalk or its broad group names
 * (tf_take_rows), among the rows with a value for that measure, so a measure
 * maps the same whether or not others share its table. Rows with no value
 * and rows that no occupation takes are listed. Returns the os_result of the
 * listing. */
static int map_soc(tf *t, const group *g, const coded_rows *r, tf_coverage *c)
{
    long *take = xmalloc((t->u.n ? t->u.n : 1) * sizeof *take);
    long *takers = xcalloc(r->n ? r->n : 1, sizeof *takers);
    unsigned char *how = xcalloc(t->u.n ? t->u.n : 1, 1);
    for (size_t j = 0; j < g->nv; j++) {
        strmap *by_code = strmap_new();
        for (size_t k = 0; k < r->n; k++)
            if (!isnan(r->value[k * g->nv + j]))
                strmap_put(by_code, r->code[k], (long)k);
        tf_take_rows(t, by_code, take, how);
        for (size_t i = 0; i < t->u.n; i++)
            if (take[i] >= 0) {
                g->m[j]->value[i] = r->value[(size_t)take[i] * g->nv + j];
                g->m[j]->match[i] = how[i];
                c->covered[i] = 1;
                takers[take[i]]++;
            }
        strmap_free(by_code);
    }
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < r->n; k++) {
        if (takers[k])
            c->rows_mapped++;
        else if (row_empty(r, g->nv, k))
            rc = tf_cov_unmatched(t, c, r->row[k], r->code[k], no_value(g));
        else
            rc = tf_cov_unmatched(t, c, r->row[k], r->code[k],
                                  "no occupation of the O*NET release takes this SOC code");
    }
    free(take), free(takers), free(how);
    return rc;
}

/* Reads and maps the measures of one table; xw is the crosswalk its rule
 * needs (NULL for the others). Returns an os_result naming table, file, row
 * and value. */
static int run_group(tf *t, const group *g, const codemap *xw)
{
    tf_coverage *c = tf_cov_start(t, g->table->id, g->table->source);
    coded_rows r;
    int rc = read_rows(t, g, c, &r);
    if (!rc) {
        if (g->rule->codes == CODES_ONET2019)
            rc = map_exact(t, g, &r, c);
        else if (g->rule->codes == CODES_SOC2018)
            rc = map_soc(t, g, &r, c);
        else
            rc = map_crosswalk(t, g, xw, &r, c);
    }
    coded_free(&r);
    return rc;
}

int tf_measures(tf *t)
{
    const config *cfg = t->cfg;
    codemap xw[2]; /* O*NET-SOC 2010 -> 2019, SOC 2010 -> 2018: loaded when needed */
    int loaded[2] = {0, 0};
    codemap_init(&xw[0]);
    codemap_init(&xw[1]);
    unsigned char *done = xcalloc(cfg->nmeas ? cfg->nmeas : 1, 1);
    int rc = OS_OK;
    for (size_t i = 0; !rc && i < cfg->nmeas; i++) {
        const cfg_measure *first = &cfg->meas[i];
        if (first->computed_by || done[i])
            continue;
        group g = {.table = config_table(cfg, first->table)};
        for (size_t k = 0; k < sizeof RULES / sizeof *RULES; k++)
            if (RULES[k].codes == first->codes)
                g.rule = &RULES[k];
        for (size_t j = i; j < cfg->nmeas; j++)
            if (!done[j] && cfg->meas[j].table && !strcmp(cfg->meas[j].table, first->table)) {
                done[j] = 1;
                g.cm[g.nv] = &cfg->meas[j];
                g.m[g.nv++] = tf_measure_new(t, cfg->meas[j].name, cfg->meas[j].source);
            }
        int staged = 1;
        if (g.table->optional)
            rc = tf_staged(t, g.table->id, &staged);
        if (rc || !staged)
            continue; /* !staged: extract warned; the measures have no values */
        int x = first->codes == CODES_ONET2010 ? 0 : first->codes == CODES_SOC2010 ? 1 : -1;
        if (x >= 0 && !loaded[x]) {
            rc = x == 0 ? tf_load_onet_xwalk(t, &xw[0]) : tf_load_soc_xwalk(t, &xw[1]);
            loaded[x] = 1;
        }
        if (!rc)
            rc = run_group(t, &g, x >= 0 ? &xw[x] : NULL);
    }
    free(done);
    codemap_free(&xw[0]);
    codemap_free(&xw[1]);
    return rc;
}
