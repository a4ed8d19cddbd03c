/* microsoft.c - Microsoft "Working with AI" applicability, an aggregate-publishing source. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long row;
    char code[8];
    double score;
    long takers;
} ms_row;

/* The file uses SOC 2018 codes including OEWS aggregates (13-1020), so each
 * occupation takes its own code's row, else the one the NEM crosswalk names,
 * else its broad group's (tf_take_rows). Fails on a bad or repeated code. */
int tf_microsoft(tf *t)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "microsoft_applicability", "soc, score", &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, "microsoft_applicability", "microsoft");
    ms_row *rows = NULL;
    size_t n = 0, cap = 0;
    strmap *by_code = strmap_new();
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = tf_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA,
                          "microsoft_applicability: %s row %ld: '%s' is not a SOC 2018 code",
                          file, row, code);
            break;
        }
        long prev;
        if (strmap_get(by_code, oc.soc, &prev)) {
            rc = os_error(OS_EDATA, "microsoft_applicability: %s row %ld: %s appears twice (also row %ld)",
                          file, row, oc.soc, rows[prev].row);
            break;
        }
        double v = tf_real(q, 2);
        if (isnan(v)) {
            rc = tf_cov_unmatched(t, c, row, oc.soc, "no value");
            continue;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            rows = xrealloc(rows, cap * sizeof *rows);
        }
        rows[n] = (ms_row){row, "", v, 0};
        memcpy(rows[n].code, oc.soc, 8);
        strmap_put(by_code, oc.soc, (long)n++);
    }
    sqlite3_finalize(q);
    if (!rc) {
        tf_measure *m = tf_measure_new(t, "microsoft_applicability", "microsoft");
        long *take = xmalloc(t->u.n * sizeof *take);
        unsigned char *how = xcalloc(t->u.n, 1);
        tf_take_rows(t, by_code, take, how);
        for (size_t i = 0; i < t->u.n; i++) {
            if (take[i] < 0)
                continue;
            m->value[i] = rows[take[i]].score;
            m->match[i] = how[i];
            rows[take[i]].takers++;
            c->covered[i] = 1;
        }
        for (size_t j = 0; !rc && j < n; j++) {
            if (rows[j].takers)
                c->rows_mapped++;
            else
                rc = tf_cov_unmatched(t, c, rows[j].row, rows[j].code,
                                      "no occupation of the O*NET release takes this SOC code");
        }
        free(take);
        free(how);
    }
    free(rows);
    free(file);
    strmap_free(by_code);
    return rc;
}
