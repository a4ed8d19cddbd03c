/* crosswalks.c - the code crosswalks every transform step shares: O*NET-SOC 2010 -> 2019, SOC 2010 -> 2018 (checked against the SOC 2018 structure), O*NET-SOC -> NEM. */
#include "transform/crosswalks.h"
#include "common/error.h"
#include "common/util.h"
#include "transform/occode.h"

#include <stdlib.h>

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
        if (occode_parse(db_text(q, 1), &a) != 0 || !a.suffix ||
            occode_parse(db_text(q, 2), &b) != 0 || !b.suffix) {
            rc = os_error(OS_EDATA, "onet_xwalk_2010_2019: %s row %ld: bad code pair '%s' -> '%s'",
                          file, row, db_text(q, 1), db_text(q, 2));
            break;
        }
        codemap_add(xw, a.onet, b.onet);
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}

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
        const char *code = db_text(q, 1);
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
int tf_load_soc_xwalk(tf *t, codemap *xw)
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
        const char *from = db_text(q, 1), *to = db_text(q, 2);
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

int tf_load_nem(tf *t)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "bls_nem_xwalk", "onet_code, nem_code", &q, &file);
    if (rc)
        return rc;
    size_t cap = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        occode a, b;
        if (occode_parse(db_text(q, 1), &a) != 0 || !a.suffix ||
            occode_parse(db_text(q, 2), &b) != 0 || b.suffix) {
            rc = os_error(OS_EDATA, "bls_nem_xwalk: %s row %ld: bad code pair '%s' -> '%s'", file,
                          row, db_text(q, 1), db_text(q, 2));
            break;
        }
        if (t->nnem == cap) {
            cap = cap ? 2 * cap : 1024;
            t->nem_code = xrealloc(t->nem_code, cap * sizeof *t->nem_code);
        }
        long prev;
        if (strmap_get(t->nem_of, a.onet, &prev)) {
            rc = os_error(OS_EDATA, "bls_nem_xwalk: %s row %ld: %s is listed twice (%s and %s)",
                          file, row, a.onet, t->nem_code[prev], b.soc);
            break;
        }
        t->nem_code[t->nnem] = xstrdup(b.soc);
        strmap_put(t->nem_of, a.onet, (long)t->nnem++);
    }
    sqlite3_finalize(q);
    free(file);
    return rc;
}
