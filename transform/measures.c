/* measures.c - the AI-exposure measures, each mapped onto the occupation key. */
#include "common/error.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/sources.h"

#include <math.h>
#include <stdlib.h>

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
        if (m[0]->match[i] || m[1]->match[i] || m[2]->match[i] || m[3]->match[i] ||
            m[4]->match[i] || m[5]->match[i]) { /* any rating already set: a repeat */
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

/* Dingel & Neiman: O*NET-SOC 2010 codes taken through the O*NET crosswalk
 * (xwalk_mean); a 2019 occupation with several 2010 origins gets their
 * unweighted mean. Fails with OS_EDATA naming the row of a bad or repeated
 * code; every row that reaches no occupation is listed with its reason. */
static int dingel_neiman(tf *t)
{
    codemap xw;
    codemap_init(&xw);
    int rc = tf_load_onet_xwalk(t, &xw);
    if (rc) {
        codemap_free(&xw);
        return rc;
    }
    tf_coverage *c = tf_cov_start(t, "dingel_neiman_onet", "dingel_neiman");
    tf_measure *m = tf_measure_new(t, "dingel_neiman_teleworkable", "dingel_neiman");
    tf_coded cv;
    rc = tf_read_coded(t, c, "onet2010, teleworkable", TF_CODED_ONET, "an O*NET-SOC 2010 code",
                       &cv);
    if (!rc)
        rc = tf_coded_onto(t, &xw, &cv, c, m, "no teleworkable value",
                           "not an origin in the O*NET-SOC 2010 to 2019 crosswalk",
                           "its 2019 targets are not occupations of the O*NET release");
    tf_coded_free(&cv);
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
