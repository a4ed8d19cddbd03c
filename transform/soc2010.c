/* soc2010.c - measures published on SOC 2010 codes (Felten AIOE, LM AIOE, Frey-Osborne) via the BLS SOC 2010 -> 2018 crosswalk. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/xwalk.h"

#include <stdlib.h>
#include <string.h>

/* Loads the detailed codes of the SOC 2018 structure into detailed (code ->
 * row); fails with OS_EDATA naming the row of a code that is not a SOC code. */
static int soc_structure(tf *t, strmap *detailed)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "soc_structure_2018", "detailed", &q, &file);
    if (rc)
        return rc;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = tf_text(q, 1);
        occode oc;
        if (!*code)
            continue; /* a major, minor or broad group row */
        if (occode_parse(code, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA,
                          "soc_structure_2018: %s row %ld: detailed '%s' is not a SOC 2018 code",
                          file, row, code);
            break;
        }
        strmap_put(detailed, oc.soc, row);
    }
    sqlite3_finalize(q);
    free(file);
    if (!rc && strmap_count(detailed) == 0)
        rc = os_error(OS_EDATA, "soc_structure_2018: no detailed occupation codes");
    return rc;
}

/* Loads the BLS SOC 2010 -> 2018 crosswalk into xw, each target checked
 * against the SOC 2018 structure; fails with OS_EDATA naming table, file,
 * row and value of a bad code or of a target that is not a detailed code. */
static int soc_xwalk(tf *t, codemap *xw)
{
    strmap *detailed = strmap_new();
    int rc = soc_structure(t, detailed);
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    if (!rc)
        rc = tf_open_staged(t, "soc_2010_2018", "soc2010, soc2018", &q, &file);
    if (rc) {
        strmap_free(detailed);
        return rc;
    }
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *from = tf_text(q, 1), *to = tf_text(q, 2);
        occode a, b;
        if (occode_parse(from, &a) != 0 || a.suffix || occode_parse(to, &b) != 0 || b.suffix) {
            rc = os_error(OS_EDATA, "soc_2010_2018: %s row %ld: bad code pair '%s' -> '%s'", file,
                          row, from, to);
            break;
        }
        if (!strmap_get(detailed, b.soc, NULL)) {
            rc = os_error(OS_EDATA,
                          "soc_2010_2018: %s row %ld: target '%s' is not a detailed occupation "
                          "of the SOC 2018 structure",
                          file, row, to);
            break;
        }
        codemap_add(xw, a.soc, b.soc);
    }
    sqlite3_finalize(q);
    free(file);
    strmap_free(detailed);
    if (!rc && xw->n == 0)
        rc = os_error(OS_EDATA, "soc_2010_2018: the crosswalk has no rows");
    return rc;
}

/* 1 if some SOC 2018 target of origin is the soc_code of an occupation. */
static int reaches_occupation(const tf *t, const codemap *xw, const char *origin)
{
    for (long p = codemap_first(xw, origin); p >= 0; p = xw->next[p])
        if (universe_soc_first(&t->u, xw->target[p]) >= 0)
            return 1;
    return 0;
}

/* One measure of a SOC 2010 file (table_id, value column col) taken through
 * xw onto the occupations (match crosswalk); fails with OS_EDATA naming the
 * row of a bad or repeated code. name and source must outlive t. */
static int soc2010_measure(tf *t, const codemap *xw, const char *table_id, const char *col,
                           const char *name, const char *source)
{
    sqlite3_stmt *q;
    char *file;
    char *cols = xasprintf("soc2010, %s", col);
    int rc = tf_open_staged(t, table_id, cols, &q, &file);
    free(cols);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, table_id, source);
    tf_measure *m = tf_measure_new(t, name, source);
    size_t n = 0, cap = 0;
    long *rows = NULL;
    char (*code)[8] = NULL;
    double *val = NULL;
    strmap *seen = strmap_new(); /* SOC 2010 code -> index into rows */
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *text = tf_text(q, 1);
        occode oc;
        long prev;
        c->rows_in++;
        if (occode_parse(text, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: '%s' is not a SOC 2010 code", table_id, file,
                          row, text);
            break;
        }
        if (strmap_get(seen, oc.soc, &prev)) {
            rc = os_error(OS_EDATA, "%s: %s row %ld: %s appears twice (also row %ld)", table_id,
                          file, row, oc.soc, rows[prev]);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            rows = xrealloc(rows, cap * sizeof *rows);
            code = xrealloc(code, cap * sizeof *code);
            val = xrealloc(val, cap * sizeof *val);
        }
        rows[n] = row;
        memcpy(code[n], oc.soc, sizeof code[n]);
        val[n] = tf_real(q, 2);
        strmap_put(seen, oc.soc, (long)n++);
    }
    sqlite3_finalize(q);
    free(file);
    strmap_free(seen);

    if (!rc) {
        const char **origin = xmalloc((n ? n : 1) * sizeof *origin);
        unsigned char *status = xmalloc(n ? n : 1);
        xwalk_values v;
        for (size_t k = 0; k < n; k++)
            origin[k] = code[k];
        xwalk_mean(xw, origin, val, n, status, &v);
        /* each SOC 2018 value goes to every occupation with that soc_code */
        for (size_t j = 0; j < v.n; j++)
            for (long i = universe_soc_first(&t->u, v.code[j]); i >= 0; i = t->u.soc_next[i]) {
                m->value[i] = v.value[j];
                m->match[i] = MATCH_CROSSWALK;
                c->covered[i] = 1;
            }
        /* rows that reached no occupation are listed, in file order */
        for (size_t k = 0; !rc && k < n; k++) {
            const char *why = NULL;
            if (status[k] == XW_NO_VALUE)
                why = "no value";
            else if (status[k] == XW_NO_ORIGIN)
                why = "not an origin in the SOC 2010 to 2018 crosswalk";
            else if (!reaches_occupation(t, xw, code[k]))
                why = "its SOC 2018 targets have no O*NET occupation";
            if (why)
                rc = tf_cov_unmatched(t, c, rows[k], code[k], why);
            else
                c->rows_mapped++;
        }
        xwalk_values_free(&v);
        free(origin);
        free(status);
    }
    free(rows);
    free(code);
    free(val);
    return rc;
}

int tf_soc2010_measures(tf *t)
{
    codemap xw;
    codemap_init(&xw);
    int rc = soc_xwalk(t, &xw);
    if (!rc)
        rc = soc2010_measure(t, &xw, "felten_aioe", "aioe", "felten_aioe", "felten");
    if (!rc)
        rc = soc2010_measure(t, &xw, "felten_lm_aioe", "lm_aioe", "felten_lm_aioe", "felten");
    if (!rc)
        rc = soc2010_measure(t, &xw, "frey_osborne", "probability", "frey_osborne",
                             "frey_osborne");
    codemap_free(&xw);
    return rc;
}
