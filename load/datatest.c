/* datatest.c - the checks a snapshot must pass before it is published (and on verify). */
#include "load/datatest.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"
#include "common/schema.h"

#include <stdlib.h>

/* A check that must hold before a snapshot is published: the SQL returns the
 * offending rows (up to a few are shown), none means it passed. */
typedef struct {
    const char *name, *sql;
} check;

/* The rows of table t (WITHOUT ROWID, key led by onet_code) whose
 * onet_code is not an occupation, in key order: the same rows as "SELECT
 * ... FROM t WHERE onet_code NOT IN (SELECT onet_code FROM occupation)",
 * but each distinct code is found by one seek past the previous (min(...)
 * > d.c on the key), about a thousand seeks instead of a test of every row,
 * and only the orphan codes' rows are read. */
#define ORPHAN_ROWS(t)                                                                             \
    "SELECT '" t " ' || onet_code FROM " t " WHERE onet_code IN (WITH RECURSIVE d(c) AS "       \
    "(SELECT min(onet_code) FROM " t " UNION ALL SELECT (SELECT min(onet_code) FROM " t          \
    " WHERE onet_code > d.c) FROM d WHERE d.c IS NOT NULL) "                                     \
    "SELECT c FROM d WHERE c NOT IN (SELECT onet_code FROM occupation))"

static const check CHECKS[] = {
    {"occupation universe not empty",
     "SELECT 'no occupations' WHERE (SELECT count(*) FROM occupation) = 0"},
    {"foreign keys resolve to occupation",
     /* spelled out per table: pragma_foreign_key_check cannot name the row
        of a WITHOUT ROWID table, and the orphan code is what a reader needs */
     ORPHAN_ROWS("occupation_title") " UNION ALL " ORPHAN_ROWS("task") " UNION ALL "
     ORPHAN_ROWS("element") " UNION ALL " ORPHAN_ROWS("technology") " UNION ALL "
     "SELECT 'employment_wage ' || onet_code FROM employment_wage WHERE onet_code NOT IN (SELECT onet_code FROM occupation) UNION ALL "
     "SELECT 'projection ' || onet_code FROM projection WHERE onet_code NOT IN (SELECT onet_code FROM occupation) UNION ALL "
     ORPHAN_ROWS("measure") " UNION ALL " ORPHAN_ROWS("aei_task") " UNION ALL "
     ORPHAN_ROWS("aei_occupation") " UNION ALL "
     "SELECT 'coverage_unmatched ' || table_id FROM coverage_unmatched WHERE table_id NOT IN "
     "(SELECT table_id FROM coverage)"},
    {"percentiles within (0, 100)",
     "SELECT onet_code || ' ' || measure || ' pct=' || pct || ' pct_emp=' || "
     "ifnull(pct_emp, 'NULL') FROM measure WHERE pct IS NULL OR pct <= 0 OR pct >= 100 "
     "OR (pct_emp IS NOT NULL AND (pct_emp <= 0 OR pct_emp >= 100))"},
    {"coverage not below the configured floor",
     "SELECT table_id || ' covers ' || occupations_covered || ' of ' || occupations_total || "
     "' occupations, below its floor of ' || min_coverage FROM coverage WHERE min_coverage IS "
     "NOT NULL AND 1.0 * occupations_covered / occupations_total < min_coverage"},
    {"unique and not-null keys",
     "SELECT 'occupation ' || onet_code FROM occupation GROUP BY onet_code HAVING count(*) > 1 "
     "UNION ALL SELECT 'measure ' || onet_code || ' ' || measure FROM measure "
     "WHERE onet_code IS NULL OR measure IS NULL"},
    {"employment counted once",
     /* each OEWS row's employment is split among the occupations taking it,
        and no occupation takes a broad row whose detailed rows others take */
     "SELECT oews_code || ' weights sum to ' || sum(emp_weight) || ', not ' || max(tot_emp) "
     "FROM employment_wage WHERE tot_emp IS NOT NULL GROUP BY oews_code "
     "HAVING abs(sum(emp_weight) - max(tot_emp)) > 0.5 UNION ALL "
     "SELECT b.onet_code || ' takes broad ' || b.oews_code || ' while ' || d.onet_code || "
     "' takes ' || d.oews_code FROM employment_wage b JOIN employment_wage d "
     "ON d.oews_code <> b.oews_code AND substr(d.oews_code, 1, 6) = substr(b.oews_code, 1, 6) "
     "WHERE b.o_group = 'broad'"},
    {"occupation codes well formed",
     "SELECT onet_code FROM occupation WHERE onet_code NOT GLOB "
     "'[1-5][0-9]-[0-9][0-9][0-9][0-9].[0-9][0-9]' OR soc_code <> substr(onet_code, 1, 7)"},
};

/* Appends {name, passed, failing_rows, examples} to results, taking over
 * examples; cannot fail. */
static void add_result(json_t *results, const char *name, long bad, json_t *examples)
{
    json_t *r = json_object();
    json_object_set_new(r, "name", json_string(name));
    json_object_set_new(r, "passed", json_boolean(bad == 0));
    json_object_set_new(r, "failing_rows", json_integer(bad));
    json_object_set_new(r, "examples", examples);
    json_array_append_new(results, r);
}

int datatest_run(sqlite3 *db, json_t *prev_counts, double min_row_share, json_t *results)
{
    int failed = 0;
    for (size_t k = 0; k < sizeof CHECKS / sizeof *CHECKS; k++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, CHECKS[k].sql, -1, &st, NULL) != SQLITE_OK)
            return os_error(OS_EIO, "data test '%s': %s", CHECKS[k].name, sqlite3_errmsg(db));
        long bad = 0;
        json_t *examples = json_array();
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW) {
            if (bad++ < 5)
                json_array_append_new(examples,
                                      json_string((const char *)sqlite3_column_text(st, 0)));
        }
        /* a damaged database must not pass a test by ending it early */
        if (step != SQLITE_DONE) {
            int rc = os_error(OS_EIO, "data test '%s' could not run: %s", CHECKS[k].name,
                              sqlite3_errmsg(db));
            sqlite3_finalize(st);
            json_decref(examples);
            return rc;
        }
        sqlite3_finalize(st);
        add_result(results, CHECKS[k].name, bad, examples);
        if (bad) {
            failed++;
            os_error(OS_EDATA, "data test failed: %s (%ld rows; first: %s)", CHECKS[k].name, bad,
                     json_string_value(json_array_get(examples, 0)));
        }
    }
    /* Row counts against the previous snapshot: a table that shrank below
     * the configured share (a source silently truncated upstream) stops the
     * publish rather than replacing good data. */
    if (prev_counts && min_row_share > 0) {
        json_t *examples = json_array();
        long bad = 0;
        for (const char *const *t = schema_tables; *t; t++) {
            json_t *pv = json_object_get(prev_counts, *t);
            if (!json_is_integer(pv) || json_integer_value(pv) == 0)
                continue;
            long long now = -1, before = json_integer_value(pv);
            os_quiet++; /* a table that cannot be counted is the other tests' concern */
            int rc = db_count(db, *t, &now);
            os_quiet--;
            if (!rc && (double)now < min_row_share * (double)before) {
                char *msg = xasprintf("%s has %lld rows, the previous snapshot %lld (below %.0f %%)",
                                      *t, now, before, 100 * min_row_share);
                if (bad++ < 5)
                    json_array_append_new(examples, json_string(msg));
                free(msg);
            }
        }
        add_result(results, "row counts not below the share of the previous snapshot", bad,
                   examples);
        if (bad) {
            failed++;
            os_error(OS_EDATA, "data test failed: row counts not below %.0f %% of the previous "
                               "snapshot (%ld tables; first: %s)",
                     100 * min_row_share, bad, json_string_value(json_array_get(examples, 0)));
        }
    }
    return failed ? OS_EDATA : OS_OK;
}

