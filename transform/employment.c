/* employment.c - OEWS employment and wages, BLS Employment Projections. */
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"
#include "transform/sources.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The OEWS numeric columns copied as published, each with its footnote flag. */
static const char *const OEWS_NUM[] = {"tot_emp", "emp_prse", "h_mean",  "a_mean",  "h_median",
                                       "a_median", "h_pct10", "h_pct25", "h_pct75", "h_pct90",
                                       "a_pct10",  "a_pct25", "a_pct75", "a_pct90"};
#define OEWS_NNUM (sizeof OEWS_NUM / sizeof *OEWS_NUM)

typedef struct {
    tf_agg_row a; /* row, code, takers */
    char *title, *group, *annual, *hourly;
    double num[OEWS_NNUM];
    char *flag[OEWS_NNUM];
} oews_row;

/* Why no occupation takes a row of kind (o_group, occ_type): own_why when it
 * is own_kind (an occupation's own row), else it is a summary row, named with
 * label and kind. Malloc'd, the caller frees; cannot fail (dies on OOM). */
static char *untaken_why(const char *kind, const char *own_kind, const char *label,
                         const char *own_why)
{
    return strcmp(kind, own_kind)
               ? xasprintf("summary row (%s%s) that no occupation takes", label, kind)
               : xstrdup(own_why);
}

/* untaken_why of an oews_row (tf_agg_unmatched's callback); as untaken_why. */
static char *oews_untaken_why(const void *r)
{
    return untaken_why(((const oews_row *)r)->group, "detailed", "o_group ",
                       "no occupation of the O*NET release has this SOC code");
}

int tf_oews(tf *t)
{
    sqlite3_stmt *q, *ins;
    char *file;
    char cols[512] = "occ_code, occ_title, o_group, annual, hourly";
    for (size_t k = 0; k < OEWS_NNUM; k++) {
        size_t len = strlen(cols);
        snprintf(cols + len, sizeof cols - len, ", %s, %s_flag", OEWS_NUM[k], OEWS_NUM[k]);
    }
    int rc = tf_open_staged(t, "oews_national", cols, &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, "oews_national", "oews");
    oews_row *rows = NULL;
    size_t n = 0, cap = 0;
    strmap *by_code = strmap_new();
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = db_text(q, 1), *group = db_text(q, 3);
        c->rows_in++;
        occode oc;
        if (!strcmp(group, "total") || !strcmp(code, "00-0000")) {
            rc = tf_cov_unmatched(t, c, row, code, "summary row (all occupations)");
            continue;
        }
        if (occode_parse(code, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA, "oews_national: %s row %ld: OCC_CODE '%s' is not a SOC code",
                          file, row, code);
            break;
        }
        rows = tf_agg_append(rows, n, &cap, sizeof *rows, row, oc.soc);
        oews_row *r = &rows[n];
        r->title = xstrdup(db_text(q, 2));
        r->group = xstrdup(group);
        r->annual = xstrdup(db_text(q, 4));
        r->hourly = xstrdup(db_text(q, 5));
        for (size_t k = 0; k < OEWS_NNUM; k++) {
            int ci = 6 + 2 * (int)k;
            r->num[k] = sqlite3_column_type(q, ci) == SQLITE_NULL ? NAN
                                                                  : sqlite3_column_double(q, ci);
            r->flag[k] = sqlite3_column_type(q, ci + 1) == SQLITE_NULL
                             ? NULL
                             : xstrdup(db_text(q, ci + 1));
        }
        /* One code can be both a broad and a detailed row (13-1020): the
         * detailed one is the occupation's own estimate. */
        long prev;
        if (!strmap_get(by_code, r->a.code, &prev)) {
            strmap_put(by_code, r->a.code, (long)n);
        } else if (!strcmp(rows[prev].group, group)) {
            /* the same code and group twice: which figures are right? */
            rc = os_error(OS_EDATA, "oews_national: %s row %ld: %s (%s) appears twice (also row %ld)",
                          file, row, r->a.code, group, rows[prev].a.row);
        } else if (!strcmp(group, "detailed")) {
            strmap_put(by_code, r->a.code, (long)n);
        }
        n++;
    }
    sqlite3_finalize(q);

    long *take;
    unsigned char *how;
    tf_agg_take(t, by_code, rows, sizeof *rows, &take, &how);
    if (!rc)
        rc = db_prepare(t->out,
                     /* 7 key columns, a value and a flag per OEWS_NUM, 3 more */

    "INSERT INTO employment_wage(onet_code, oews_code, oews_title, o_group, match, shared_by, "
    "emp_weight, tot_emp, tot_emp_flag, emp_prse, emp_prse_flag, h_mean, h_mean_flag, a_mean, "
    "a_mean_flag, h_median, h_median_flag, a_median, a_median_flag, h_pct10, h_pct10_flag, "
    "h_pct25, h_pct25_flag, h_pct75, h_pct75_flag, h_pct90, h_pct90_flag, a_pct10, a_pct10_flag, "
    "a_pct25, a_pct25_flag, a_pct75, a_pct75_flag, a_pct90, a_pct90_flag, annual_only, "
    "hourly_only, source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
    "?,?,?,?,?,?)",
    &ins);
    else
        ins = NULL;
    for (size_t i = 0; !rc && i < t->u.n; i++) {
        if (take[i] < 0)
            continue;
        oews_row *r = &rows[take[i]];
        /* Split the row's employment among all who take it: counted once. */
        double w = isnan(r->num[0]) ? NAN : r->num[0] / (double)r->a.takers;
        t->emp_weight[i] = w;
        int p = 1;
        sqlite3_bind_text(ins, p++, t->u.onet[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->a.code, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->title, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->group, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, match_names[how[i]], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, p++, r->a.takers);
        db_bind_real(ins, p++, w);
        for (size_t k = 0; k < OEWS_NNUM; k++) {
            db_bind_real(ins, p++, r->num[k]);
            if (r->flag[k])
                sqlite3_bind_text(ins, p++, r->flag[k], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(ins, p++);
        }
        sqlite3_bind_text(ins, p++, r->annual, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->hourly, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, "oews", -1, SQLITE_STATIC);
        rc = db_step(t->out, ins);
        c->covered[i] = 1;
    }
    if (!rc)
        rc = tf_agg_unmatched(t, c, rows, n, sizeof *rows, oews_untaken_why);
    sqlite3_finalize(ins);
    for (size_t j = 0; j < n; j++) {
        free(rows[j].title), free(rows[j].group), free(rows[j].annual), free(rows[j].hourly);
        for (size_t k = 0; k < OEWS_NNUM; k++)
            free(rows[j].flag[k]);
    }
    free(rows);
    free(take);
    free(how);
    free(file);
    strmap_free(by_code);
    return rc;
}


/* ------------------------------------------------------------ projections */

/* Reads col's year into *year from "emp_base=2024,emp_proj=2034" as recorded
 * at staging (the years come from the headers, so next year's table needs no
 * change; 0 when not recorded); returns an os_result (OS_EIO, reported, when
 * the stage database cannot be read). */
static int header_year(tf *t, const char *table_id, const char *col, int *year)
{
    sqlite3_stmt *q;
    int row = 0;
    *year = 0;
    int rc = db_prepare(t->stage, "SELECT years FROM stage_table WHERE table_id = ?", &q);
    if (rc)
        return rc;
    sqlite3_bind_text(q, 1, table_id, -1, SQLITE_STATIC);
    rc = db_next(t->stage, q, &row);
    if (!rc && row) {
        const char *s = db_text(q, 0);
        size_t n = strlen(col);
        for (const char *p = s; (p = strstr(p, col)) != NULL; p += n)
            if ((p == s || p[-1] == ',') && p[n] == '=') {
                *year = atoi(p + n + 1);
                break;
            }
    }
    sqlite3_finalize(q);
    return rc;
}

typedef struct {
    tf_agg_row a; /* row, code, takers */
    char *title, *type, *education, *experience, *training, *wage_flag;
    double num[7]; /* emp_base, emp_proj, change_num, change_pct, self_employed_pct,
                      openings, median_wage */
} ep_row;

/* untaken_why of an ep_row (tf_agg_unmatched's callback); as untaken_why. */
static char *ep_untaken_why(const void *r)
{
    return untaken_why(((const ep_row *)r)->type, "Line item", "",
                       "no occupation of the O*NET release takes this NEM code");
}

int tf_projections(tf *t)
{
    sqlite3_stmt *q, *ins = NULL;
    char *file;
    int rc = tf_open_staged(t, "ep_occupation",
                            "nem_title, nem_code, occ_type, emp_base, emp_proj, change_num, "
                            "change_pct, self_employed_pct, openings, median_wage, "
                            "median_wage_flag, education, experience, training",
                            &q, &file);
    if (rc)
        return rc;
    int base_year, proj_year;
    rc = header_year(t, "ep_occupation", "emp_base", &base_year);
    if (!rc)
        rc = header_year(t, "ep_occupation", "emp_proj", &proj_year);
    if (rc) {
        sqlite3_finalize(q);
        free(file);
        return rc;
    }
    if (!base_year || !proj_year || proj_year <= base_year) {
        sqlite3_finalize(q);
        rc = os_error(OS_EDATA, "ep_occupation: %s: cannot read the base and projected years "
                                "from the headers (got %d and %d)",
                      file, base_year, proj_year);
        free(file);
        return rc;
    }
    tf_coverage *c = tf_cov_start(t, "ep_occupation", "ep");
    ep_row *rows = NULL;
    size_t n = 0, cap = 0;
    strmap *by_code = strmap_new();
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = db_text(q, 2), *type = db_text(q, 3);
        c->rows_in++;
        occode oc;
        if (!*code) {
            /* "Footnotes:", "Source: ..." lines under the table. */
            rc = tf_cov_unmatched(t, c, row, NULL, "note row without a code");
            continue;
        }
        if (!strcmp(code, "00-0000")) {
            rc = tf_cov_unmatched(t, c, row, code, "summary row (all occupations)");
            continue;
        }
        if (occode_parse(code, &oc) != 0 || oc.suffix) {
            rc = os_error(OS_EDATA, "ep_occupation: %s row %ld: NEM code '%s' is not a SOC code",
                          file, row, code);
            break;
        }
        rows = tf_agg_append(rows, n, &cap, sizeof *rows, row, oc.soc);
        ep_row *r = &rows[n];
        r->title = xstrdup(db_text(q, 1));
        r->type = xstrdup(type);
        for (int k = 0; k < 7; k++)
            r->num[k] = db_real(q, 4 + k);
        r->wage_flag = sqlite3_column_type(q, 11) == SQLITE_NULL ? NULL : xstrdup(db_text(q, 11));
        r->education = xstrdup(db_text(q, 12));
        r->experience = xstrdup(db_text(q, 13));
        r->training = xstrdup(db_text(q, 14));
        /* Line items are occupations; a summary row with the same code is
         * only the fallback for aggregates. */
        long prev;
        if (!strmap_get(by_code, r->a.code, &prev)) {
            strmap_put(by_code, r->a.code, (long)n);
        } else if (!strcmp(rows[prev].type, type)) {
            rc = os_error(OS_EDATA, "ep_occupation: %s row %ld: NEM code %s appears twice (also row %ld)",
                          file, row, r->a.code, rows[prev].a.row);
        } else if (!strcmp(type, "Line item")) {
            strmap_put(by_code, r->a.code, (long)n);
        }
        n++;
    }
    sqlite3_finalize(q);
    long *take = NULL;
    unsigned char *how = NULL;
    if (!rc) {
        tf_agg_take(t, by_code, rows, sizeof *rows, &take, &how);
        rc = db_prepare(t->out,
                        "INSERT INTO projection(onet_code, nem_code, nem_title, match, occ_type, "
                        "shared_by, base_year, proj_year, emp_base, emp_proj, change_num, change_pct, "
                        "self_employed_pct, openings, median_wage, median_wage_flag, education, "
                        "experience, training, source) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &ins);
    }
    for (size_t i = 0; !rc && i < t->u.n; i++) {
        if (take[i] < 0)
            continue;
        ep_row *r = &rows[take[i]];
        int p = 1;
        sqlite3_bind_text(ins, p++, t->u.onet[i], -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, p++, r->a.code, -1, SQLITE_STATIC);
        db_bind_text(ins, p++, r->title);
        sqlite3_bind_text(ins, p++, match_names[how[i]], -1, SQLITE_STATIC);
        db_bind_text(ins, p++, r->type);
        sqlite3_bind_int64(ins, p++, r->a.takers);
        sqlite3_bind_int(ins, p++, base_year);
        sqlite3_bind_int(ins, p++, proj_year);
        for (int k = 0; k < 7; k++)
            db_bind_real(ins, p++, r->num[k]);
        db_bind_text(ins, p++, r->wage_flag);
        db_bind_text(ins, p++, r->education);
        db_bind_text(ins, p++, r->experience);
        db_bind_text(ins, p++, r->training);
        sqlite3_bind_text(ins, p++, "ep", -1, SQLITE_STATIC);
        rc = db_step(t->out, ins);
        c->covered[i] = 1;
    }
    if (!rc)
        rc = tf_agg_unmatched(t, c, rows, n, sizeof *rows, ep_untaken_why);
    sqlite3_finalize(ins);
    for (size_t j = 0; j < n; j++) {
        free(rows[j].title), free(rows[j].type), free(rows[j].wage_flag);
        free(rows[j].education), free(rows[j].experience), free(rows[j].training);
    }
    free(rows);
    free(take);
    free(how);
    free(file);
    strmap_free(by_code);
    return rc;
}
