/* measures.c - the AI-exposure measures, each mapped onto the occupation key. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/xwalk.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Eloundou et al.: O*NET-SOC 2019 codes, so every value is an exact match. */
static int eloundou(tf *t)
{
    static const char *const cols[] = {"dv_rating_gamma", "dv_rating_alpha", "dv_rating_beta",
                                       "human_rating_alpha", "human_rating_beta",
                                       "human_rating_gamma"};
    static const char *const names[] = {"eloundou_gamma", "eloundou_alpha", "eloundou_beta",
                                        "eloundou_human_alpha", "eloundou_human_beta",
                                        "eloundou_human_gamma"};
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "eloundou_occ",
                         "onet_code, dv_rating_gamma, dv_rating_alpha, dv_rating_beta, "
                         "human_rating_alpha, human_rating_beta, human_rating_gamma",
                         &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, "eloundou_occ", "eloundou");
    tf_measure *m[6];
    for (int k = 0; k < 6; k++)
        m[k] = tf_measure_new(t, names[k], "eloundou");
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = tf_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0) {
            rc = os_error(OS_EDATA, "eloundou_occ: %s row %ld: '%s' is not an O*NET-SOC code",
                          file, row, code);
            break;
        }
        long i = universe_find(&t->u, oc.onet);
        if (i < 0) {
            rc = tf_cov_unmatched(t, c, row, oc.onet, "not an occupation of the O*NET release");
            continue;
        }
        if (!isnan(m[0]->value[i])) {
            rc = os_error(OS_EDATA, "eloundou_occ: %s row %ld: %s appears twice", file, row,
                          oc.onet);
            break;
        }
        int any = 0;
        for (int k = 0; k < 6; k++)
            if (sqlite3_column_type(q, 2 + k) != SQLITE_NULL) {
                m[k]->value[i] = sqlite3_column_double(q, 2 + k);
                m[k]->match[i] = MATCH_EXACT;
                any = 1;
            }
        if (!any) {
            rc = tf_cov_unmatched(t, c, row, oc.onet, "no values in the row");
            continue;
        }
        c->rows_mapped++;
        c->covered[i] = 1;
        (void)cols;
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

/* O*NET-SOC 2010 -> 2019 crosswalk, from the O*NET crosswalk workbook. */
static int onet_xwalk(tf *t, codemap *xw)
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

/* Dingel & Neiman: O*NET-SOC 2010 codes taken through the O*NET crosswalk
 * (xwalk_mean); a 2019 occupation with several 2010 origins gets their
 * unweighted mean. Fails with OS_EDATA naming the row of a bad or repeated
 * code; every row that reaches no occupation is listed with its reason. */
static int dingel_neiman(tf *t)
{
    codemap xw;
    codemap_init(&xw);
    int rc = onet_xwalk(t, &xw);
    sqlite3_stmt *q = NULL;
    char *file = NULL;
    if (!rc)
        rc = tf_open_staged(t, "dingel_neiman_onet", "onet2010, teleworkable", &q, &file);
    if (rc) {
        codemap_free(&xw);
        return rc;
    }
    tf_coverage *c = tf_cov_start(t, "dingel_neiman_onet", "dingel_neiman");
    tf_measure *m = tf_measure_new(t, "dingel_neiman_teleworkable", "dingel_neiman");
    size_t n = 0, cap = 0;
    long *rows = NULL;
    char (*code)[11] = NULL;
    double *val = NULL;
    strmap *seen = strmap_new(); /* O*NET-SOC 2010 code -> index into rows */
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *text = tf_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(text, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA,
                          "dingel_neiman_onet: %s row %ld: '%s' is not an O*NET-SOC 2010 code",
                          file, row, text);
            break;
        }
        if (strmap_get(seen, oc.onet, NULL)) {
            rc = os_error(OS_EDATA, "dingel_neiman_onet: %s row %ld: %s appears twice", file, row,
                          oc.onet);
            break;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            rows = xrealloc(rows, cap * sizeof *rows);
            code = xrealloc(code, cap * sizeof *code);
            val = xrealloc(val, cap * sizeof *val);
        }
        rows[n] = row;
        memcpy(code[n], oc.onet, sizeof code[n]);
        val[n] = tf_real(q, 2);
        strmap_put(seen, oc.onet, (long)n++);
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
        xwalk_mean(&xw, origin, val, n, status, &v);
        for (size_t j = 0; j < v.n; j++) {
            long i = universe_find(&t->u, v.code[j]);
            if (i < 0)
                continue;
            m->value[i] = v.value[j];
            m->match[i] = MATCH_CROSSWALK;
            c->covered[i] = 1;
        }
        for (size_t k = 0; !rc && k < n; k++) {
            const char *why = NULL;
            if (status[k] == XW_NO_VALUE)
                why = "no teleworkable value";
            else if (status[k] == XW_NO_ORIGIN)
                why = "not an origin in the O*NET-SOC 2010 to 2019 crosswalk";
            else {
                why = "its 2019 targets are not occupations of the O*NET release";
                for (long p = codemap_first(&xw, code[k]); p >= 0; p = xw.next[p])
                    if (universe_find(&t->u, xw.target[p]) >= 0) {
                        why = NULL;
                        break;
                    }
            }
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
    codemap_free(&xw);
    return rc;
}


int tf_measures(tf *t)
{
    int rc = eloundou(t);
    if (!rc)
        rc = dingel_neiman(t);
    if (!rc)
        rc = tf_soc2010_measures(t);
    if (!rc)
        rc = tf_microsoft(t);
    return rc;
}
