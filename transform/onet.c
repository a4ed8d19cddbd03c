/* onet.c - the O*NET release: the occupation universe, tasks, titles, details. */
#include "common/batch.h"
#include "common/error.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/occode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int tf_onet_occupations(tf *t)
{
    sqlite3_stmt *q, *ins;
    char *file;
    int rc = tf_open_staged(t, "onet_occupation", "onet_code, title, description", &q, &file);
    if (rc)
        return rc;
    rc = db_prepare(t->out, "INSERT INTO occupation(onet_code, soc_code, title, description, "
            "job_zone) VALUES(?,?,?,?,NULL)", &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = db_text(q, 1), *title = db_text(q, 2);
        occode oc;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: '%s' is not an O*NET-SOC code",
                          file, row, code);
            break;
        }
        if (!*title) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: occupation %s has no title",
                          file, row, oc.onet);
            break;
        }
        if (universe_add(&t->u, oc.onet, oc.soc) < 0) {
            rc = os_error(OS_EDATA, "onet_occupation: %s row %ld: occupation %s appears twice",
                          file, row, oc.onet);
            break;
        }
        sqlite3_bind_text(ins, 1, oc.onet, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, oc.soc, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 3, title, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 4, db_text(q, 3), -1, SQLITE_TRANSIENT);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    free(file);
    if (!rc && t->u.n == 0)
        rc = os_error(OS_EDATA, "onet_occupation: no occupations staged");
    if (rc)
        return rc;
    t->emp_weight = xmalloc(t->u.n * sizeof *t->emp_weight);
    for (size_t i = 0; i < t->u.n; i++)
        t->emp_weight[i] = NAN;
    tf_coverage *c = tf_cov_start(t, "onet_occupation", "onet");
    c->rows_in = c->rows_mapped = (long)t->u.n;
    memset(c->covered, 1, t->u.n);
    return OS_OK;
}

int tf_onet_tasks(tf *t)
{
    sqlite3_stmt *q;
    char *file;
    int rc = tf_open_staged(t, "onet_task",
                         "onet_code, task_id, task, task_type, incumbents_responding, date, "
                         "domain_source",
                         &q, &file);
    if (rc)
        return rc;
    tf_coverage *c = tf_cov_start(t, "onet_task", "onet");
    db_batch ins;
    rc = db_batch_open(&ins, t->out,
                       "task(onet_code, task_id, task, task_type, incumbents_responding, date,"
                       " domain_source, position)",
                       8);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        long row = sqlite3_column_int64(q, 0);
        const char *code = db_text(q, 1);
        occode oc;
        c->rows_in++;
        if (occode_parse(code, &oc) != 0 || !oc.suffix) {
            rc = os_error(OS_EDATA, "onet_task: %s row %ld: '%s' is not an O*NET-SOC code", file,
                          row, code);
            break;
        }
        long i = universe_find(&t->u, oc.onet);
        if (i < 0) {
            rc = tf_cov_unmatched(t, c, row, oc.onet, "not an occupation of the O*NET release");
            continue;
        }
        if (sqlite3_column_type(q, 2) == SQLITE_NULL || !*db_text(q, 3)) {
            rc = os_error(OS_EDATA, "onet_task: %s row %ld: task of %s has no id or text", file,
                          row, oc.onet);
            break;
        }
        long inc;
        int p = db_batch_at(&ins);
        /* the universe's code stays put; q's texts change with its row, so
           the batch keeps copies until its statement has stepped */
        sqlite3_bind_text(ins.st, p, t->u.onet[i], -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins.st, p + 1, sqlite3_column_int64(q, 2));
        db_batch_text(&ins, p + 2, db_text(q, 3));
        db_batch_text(&ins, p + 3, db_text(q, 4));
        /* "n/a" (no survey) stays NULL rather than becoming a number. */
        if (parse_long(db_text(q, 5), &inc) == 0)
            sqlite3_bind_int64(ins.st, p + 4, inc);
        else
            sqlite3_bind_null(ins.st, p + 4);
        db_batch_text(&ins, p + 5, db_text(q, 6));
        db_batch_text(&ins, p + 6, db_text(q, 7));
        sqlite3_bind_int64(ins.st, p + 7, row);
        rc = db_batch_add(&ins);
        c->rows_mapped++;
        c->covered[i] = 1;
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    rc = tf_report_duplicate(t, rc, "onet_task", "task_id");
    db_batch_close(&ins);
    sqlite3_finalize(q);
    free(file);
    return rc;
}

