/* sources.c - steps several source transforms share: coded values carried through a crosswalk, rows of aggregate-publishing sources. */
#include "transform/sources.h"
#include "common/error.h"
#include "common/util.h"
#include "transform/occode.h"
#include "transform/xwalk.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------ coded values, crosswalked */

int tf_read_coded(tf *t, tf_coverage *c, const char *cols, int flags, const char *what,
                  tf_coded *out)
{
    memset(out, 0, sizeof *out);
    out->onet = (flags & TF_CODED_ONET) != 0;
    const char *table_id = c->table_id;
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, table_id, cols, &q, &file);
    if (rc)
        return rc;
    size_t cap = 0;
    strmap *seen = strmap_new(); /* code -> index into out->row */
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *text = tf_text(q, 1);
        occode oc;
        long prev;
        c->rows_in++;
        if (occode_parse(text, &oc) != 0 || (out->onet ? !oc.suffix : oc.suffix)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: '%s' is not %s", table_id, file, row, text,
                          what);
            break;
        }
        const char *code = out->onet ? oc.onet : oc.soc;
        if (strmap_get(seen, code, &prev)) {
            if (flags & TF_CODED_NAME_FIRST)
                rc = os_error(OS_EDATA, "%s: %s row %ld: %s appears twice (also row %ld)",
                              table_id, file, row, code, out->row[prev]);
            else
                rc = os_error(OS_EDATA, "%s: %s row %ld: %s appears twice", table_id, file, row,
                              code);
            break;
        }
        if (out->n == cap) {
            cap = cap ? 2 * cap : 1024;
            out->row = xrealloc(out->row, cap * sizeof *out->row);
            out->code = xrealloc(out->code, cap * sizeof *out->code);
            out->value = xrealloc(out->value, cap * sizeof *out->value);
        }
        out->row[out->n] = row;
        memcpy(out->code[out->n], code, strlen(code) + 1);
        out->value[out->n] = tf_real(q, 2);
        strmap_put(seen, code, (long)out->n++);
    }
    sqlite3_finalize(q);
    free(file);
    strmap_free(seen);
    out->origin = xmalloc((out->n ? out->n : 1) * sizeof *out->origin);
    for (size_t k = 0; k < out->n; k++)
        out->origin[k] = out->code[k];
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

/* 1 if some target of origin in xw is the code of an occupation; cannot fail. */
static int reaches_occupation(const tf *t, const codemap *xw, int onet, const char *origin)
{
    for (long p = codemap_first(xw, origin); p >= 0; p = xw->next[p])
        if (first_occupation(t, onet, xw->target[p]) >= 0)
            return 1;
    return 0;
}

int tf_coded_onto(tf *t, const codemap *xw, const tf_coded *cv, tf_coverage *c, tf_measure *m,
                  const char *no_value, const char *no_origin, const char *no_target)
{
    unsigned char *status = xmalloc(cv->n ? cv->n : 1);
    xwalk_values v;
    xwalk_mean(xw, cv->origin, cv->value, cv->n, status, &v);
    for (size_t j = 0; j < v.n; j++)
        for (long i = first_occupation(t, cv->onet, v.code[j]); i >= 0;
             i = next_occupation(t, cv->onet, i)) {
            m->value[i] = v.value[j];
            m->match[i] = MATCH_CROSSWALK;
            c->covered[i] = 1;
        }
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < cv->n; k++) {
        const char *why = NULL;
        if (status[k] == XW_NO_VALUE)
            why = no_value;
        else if (status[k] == XW_NO_ORIGIN)
            why = no_origin;
        else if (!reaches_occupation(t, xw, cv->onet, cv->code[k]))
            why = no_target;
        if (why)
            rc = tf_cov_unmatched(t, c, cv->row[k], cv->code[k], why);
        else
            c->rows_mapped++;
    }
    xwalk_values_free(&v);
    free(status);
    return rc;
}

void tf_coded_free(tf_coded *cv)
{
    free(cv->row);
    free(cv->code);
    free(cv->origin);
    free(cv->value);
    memset(cv, 0, sizeof *cv);
}

/* ------------------------------------- rows of aggregate-publishing sources */

/* Row j of rows (structs of size bytes, each starting with a tf_agg_row);
 * cannot fail. */
static tf_agg_row *agg_at(void *rows, size_t j, size_t size)
{
    return (tf_agg_row *)((char *)rows + j * size);
}

void *tf_agg_append(void *rows, size_t n, size_t *cap, size_t size, long row, const char *code)
{
    if (n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        rows = xrealloc(rows, *cap * size);
    }
    tf_agg_row *a = memset(agg_at(rows, n, size), 0, size);
    a->row = row;
    memcpy(a->code, code, strnlen(code, sizeof a->code - 1));
    return rows;
}

void tf_agg_take(tf *t, const strmap *by_code, void *rows, size_t size, long **take,
                 unsigned char **how)
{
    long *tk = xmalloc(t->u.n * sizeof *tk);
    unsigned char *hw = xcalloc(t->u.n, 1);
    tf_take_rows(t, by_code, tk, hw);
    for (size_t i = 0; i < t->u.n; i++)
        if (tk[i] >= 0)
            agg_at(rows, (size_t)tk[i], size)->takers++;
    *take = tk;
    *how = hw;
}

int tf_agg_unmatched(tf *t, tf_coverage *c, const void *rows, size_t n, size_t size,
                     char *(*why)(const void *row))
{
    int rc = OS_OK;
    for (size_t j = 0; !rc && j < n; j++) {
        const tf_agg_row *a = (const tf_agg_row *)((const char *)rows + j * size);
        if (a->takers > 0) {
            c->rows_mapped++;
            continue;
        }
        char *reason = why(a);
        rc = tf_cov_unmatched(t, c, a->row, a->code, reason);
        free(reason);
    }
    return rc;
}

int tf_load_onet_xwalk(tf *t, codemap *xw)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "onet_xwalk_2010_2019", "onet2010, onet2019", &q, &file);
    if (rc)
        return rc;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        occode a, b;
        if (occode_parse(tf_text(q, 1), &a) != 0 || !a.suffix ||
            occode_parse(tf_text(q, 2), &b) != 0 || !b.suffix) {
            rc = os_error(OS_EDATA, "onet_xwalk_2010_2019: %s row %ld: bad code pair '%s' -> '%s'",
                          file, row, tf_text(q, 1), tf_text(q, 2));
            break;
        }
        codemap_add(xw, a.onet, b.onet);
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}
