/* soc2010.c - measures published on SOC 2010 codes (Felten AIOE, LM AIOE, Frey-Osborne) via the BLS SOC 2010 -> 2018 crosswalk. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/sources.h"

#include <stdlib.h>

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

/* One measure of a SOC 2010 file (table_id, value column col) taken through
 * xw onto the occupations (match crosswalk); fails with OS_EDATA naming the
 * row of a bad or repeated code. name and source must outlive t. */
static int soc2010_measure(tf *t, const codemap *xw, const char *table_id, const char *col,
                           const char *name, const char *source)
{
    tf_coverage *c = tf_cov_start(t, table_id, source);
    tf_measure *m = tf_measure_new(t, name, source);
    char *cols = xasprintf("soc2010, %s", col);
    tf_coded cv;
    int rc = tf_read_coded(t, c, cols, TF_CODED_NAME_FIRST, "a SOC 2010 code", &cv);
    free(cols);
    /* each SOC 2018 value goes to every occupation with that soc_code */
    if (!rc)
        rc = tf_coded_onto(t, xw, &cv, c, m, "no value",
                           "not an origin in the SOC 2010 to 2018 crosswalk",
                           "its SOC 2018 targets have no O*NET occupation");
    tf_coded_free(&cv);
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
