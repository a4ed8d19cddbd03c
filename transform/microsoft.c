/* microsoft.c - Microsoft "Working with AI" applicability, an aggregate-publishing source. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/sources.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    tf_agg_row a; /* row, code, takers */
    double score;
} ms_row;

/* Why no occupation takes a row (tf_agg_unmatched's callback): malloc'd, the
 * caller frees; cannot fail (dies on OOM). */
static char *ms_untaken_why(const void *r)
{
    (void)r;
    return xstrdup("no occupation of the O*NET release takes this SOC code");
}

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
                          file, row, oc.soc, rows[prev].a.row);
            break;
        }
        double v = tf_real(q, 2);
        if (isnan(v)) {
            rc = tf_cov_unmatched(t, c, row, oc.soc, "no value");
            continue;
        }
        rows = tf_agg_append(rows, n, &cap, sizeof *rows, row, oc.soc);
        rows[n].score = v;
        strmap_put(by_code, oc.soc, (long)n++);
    }
    sqlite3_finalize(q);
    if (!rc) {
        tf_measure *m = tf_measure_new(t, "microsoft_applicability", "microsoft");
        long *take;
        unsigned char *how;
        tf_agg_take(t, by_code, rows, sizeof *rows, &take, &how);
        for (size_t i = 0; i < t->u.n; i++) {
            if (take[i] < 0)
                continue;
            m->value[i] = rows[take[i]].score;
            m->match[i] = how[i];
            c->covered[i] = 1;
        }
        rc = tf_agg_unmatched(t, c, rows, n, sizeof *rows, ms_untaken_why);
        free(take);
        free(how);
    }
    free(rows);
    free(file);
    strmap_free(by_code);
    return rc;
}
