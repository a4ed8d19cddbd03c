/* transform.c - stage.sqlite to the snapshot database: one key, measures, percentiles. */
#include "transform/transform.h"
#include "common/schema.h"
#include "transform/percentile.h"
#include "common/error.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "common/batch.h"
#include "transform/context.h"
#include "transform/crosswalks.h"
#include "transform/occode.h"
#include "transform/worker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/* Orders indexes by the string each names: qsort_r is not C11, so the
 * strings sit beside the indexes. */
typedef struct {
    const char *s;
    size_t i;
} named;

/* qsort order of named by s, as bytes (the tables' BINARY collation). */
static int by_name(const void *a, const void *b)
{
    return strcmp(((const named *)a)->s, ((const named *)b)->s);
}

/* Writes the rows of the measures marked in `which` (t->nmeas flags) with
 * their percentiles into measure, in the table's key order (occupation,
 * then measure name, both as bytes): appended to the B-tree instead of
 * spread over it, many to a statement (db_batch). A measure's percentiles
 * depend on its own values only, so measures may be written in several
 * calls. label comes from config_label and match from match_names, the
 * words of their CHECKs, which are off while it inserts (tf_checks); a
 * value without a match kind ("none", which the CHECK refuses) is refused
 * here. Returns OS_OK, OS_EDATA for a value without a match kind, or
 * OS_EIO (reported). */
static int write_measure_rows(tf *t, const unsigned char *which)
{
    size_t n_occ = t->u.n, nm = 0;
    for (size_t k = 0; k < t->nmeas; k++)
        nm += which[k] != 0;
    if (nm == 0)
        return OS_OK;
    double *pct = xmalloc((t->nmeas * n_occ + 1) * sizeof *pct);
    double *pct_emp = xmalloc((t->nmeas * n_occ + 1) * sizeof *pct_emp);
    long long *count = xmalloc((t->nmeas + 1) * sizeof *count);
    named *occ = xmalloc((n_occ + 1) * sizeof *occ), *meas = xmalloc((nm + 1) * sizeof *meas);
    size_t b = 0;
    for (size_t k = 0; k < t->nmeas; k++) {
        if (!which[k])
            continue;
        tf_measure *m = &t->meas[k];
        count[k] = (long long)pct_midrank(m->value, n_occ, pct + k * n_occ);
        pct_midrank_weighted(m->value, t->emp_weight, n_occ, pct_emp + k * n_occ);
        meas[b++] = (named){m->name, k};
    }
    for (size_t i = 0; i < n_occ; i++)
        occ[i] = (named){t->u.onet[i], i};
    qsort(occ, n_occ, sizeof *occ, by_name);
    qsort(meas, nm, sizeof *meas, by_name);
    long nrows = 0; /* the values to write: a batch of exactly that many */
    for (b = 0; b < nm; b++)
        for (size_t i = 0; i < n_occ; i++)
            nrows += !isnan(t->meas[meas[b].i].value[i]);
    db_batch ins = {0};
    int rc = tf_checks(t, 0);
    if (!rc)
        rc = db_batch_open_rows(&ins, t->out,
                                "measure(onet_code, measure, value, pct, pct_emp, n, label,"
                                " match, source)",
                                9, nrows);
    for (size_t a = 0; !rc && a < n_occ; a++) {
        size_t i = occ[a].i;
        for (b = 0; !rc && b < nm; b++) {
            size_t k = meas[b].i;
            const tf_measure *m = &t->meas[k];
            if (isnan(m->value[i]))
                continue;
            if (m->match[i] == MATCH_NONE) {
                rc = os_error(OS_EDATA, "measure %s: the value of %s has no match kind",
                              m->name, t->u.onet[i]);
                break;
            }
            double p = pct[k * n_occ + i];
            int at = db_batch_at(&ins);
            sqlite3_bind_text(ins.st, at, t->u.onet[i], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins.st, at + 1, m->name, -1, SQLITE_STATIC);
            sqlite3_bind_double(ins.st, at + 2, m->value[i]);
            db_bind_real(ins.st, at + 3, p);
            db_bind_real(ins.st, at + 4, pct_emp[k * n_occ + i]);
            sqlite3_bind_int64(ins.st, at + 5, count[k]);
            db_bind_text(ins.st, at + 6, config_label(t->cfg, p));
            sqlite3_bind_text(ins.st, at + 7, match_names[m->match[i]], -1, SQLITE_STATIC);
            sqlite3_bind_text(ins.st, at + 8, m->source, -1, SQLITE_STATIC);
            rc = db_batch_add(&ins);
        }
    }
    if (!rc)
        rc = db_batch_flush(&ins);
    db_batch_close(&ins);
    if (!rc)
        rc = tf_checks(t, 1);
    free(pct);
    free(pct_emp);
    free(count);
    free(occ);
    free(meas);
    return rc;
}

/* Forgets what write_measures_ahead kept; cannot fail. */
static void written_free(tf *t)
{
    free(t->written_value);
    free(t->written_match);
    t->written_value = NULL;
    t->written_match = NULL;
    t->nmeas_written = 0;
}

/* Writes the rows of every measure known before the Economic Index step,
 * while the transform's reader still builds that step: the main thread
 * would otherwise wait on it, then write them all alone. Keeps a copy of
 * what it wrote for write_measures. Returns as write_measure_rows. */
static int write_measures_ahead(tf *t)
{
    size_t n_occ = t->u.n, n = t->nmeas;
    written_free(t);
    t->written_value = xmalloc((n * n_occ + 1) * sizeof *t->written_value);
    t->written_match = xmalloc(n * n_occ + 1);
    t->nmeas_written = n;
    unsigned char *which = xcalloc(n + 1, 1);
    for (size_t k = 0; k < n; k++) {
        memcpy(t->written_value + k * n_occ, t->meas[k].value, n_occ * sizeof(double));
        memcpy(t->written_match + k * n_occ, t->meas[k].match, n_occ);
        which[k] = 1;
    }
    int rc = write_measure_rows(t, which);
    free(which);
    return rc;
}

/* Writes the rows of the measures write_measures_ahead did not write: those
 * made since (Economic Index, composite), and any it wrote whose values or
 * match kinds a later step changed, whose rows are deleted and written
 * again, so the table is as if every measure were written here. Returns as
 * write_measure_rows. */
static int write_measures(tf *t)
{
    size_t n_occ = t->u.n;
    unsigned char *which = xcalloc(t->nmeas + 1, 1);
    sqlite3_stmt *del = NULL;
    int rc = OS_OK;
    for (size_t k = 0; !rc && k < t->nmeas; k++) {
        if (k >= t->nmeas_written) {
            which[k] = 1;
            continue;
        }
        const tf_measure *m = &t->meas[k];
        if (!memcmp(t->written_value + k * n_occ, m->value, n_occ * sizeof *m->value) &&
            !memcmp(t->written_match + k * n_occ, m->match, n_occ))
            continue;
        which[k] = 1;
        if (!del)
            rc = db_prepare(t->out, "DELETE FROM measure WHERE measure = ?", &del);
        if (!rc) {
            sqlite3_bind_text(del, 1, m->name, -1, SQLITE_STATIC);
            rc = db_step(t->out, del);
            sqlite3_reset(del);
        }
    }
    sqlite3_finalize(del);
    if (!rc)
        rc = write_measure_rows(t, which);
    free(which);
    written_free(t);
    return rc;
}

static int write_coverage(tf *t)
{
    sqlite3_stmt *ins;
    int rc = db_prepare(t->out,
                        "INSERT INTO coverage(table_id, source, rows_in, rows_mapped, "
                        "rows_unmatched, occupations_covered, occupations_total, "
                        "employment_covered, employment_share, min_coverage, "
                        "usage_joined_by_id_share, usage_joined_by_text_share, "
                        "usage_not_joined_share) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &ins);
    double total = 0;
    for (size_t i = 0; i < t->u.n; i++)
        if (!isnan(t->emp_weight[i]))
            total += t->emp_weight[i];
    for (size_t k = 0; !rc && k < t->ncov; k++) {
        tf_coverage *c = &t->cov[k];
        long occ = 0;
        double emp = 0;
        for (size_t i = 0; i < t->u.n; i++)
            if (c->covered[i]) {
                occ++;
                if (!isnan(t->emp_weight[i]))
                    emp += t->emp_weight[i];
            }
        sqlite3_bind_text(ins, 1, c->table_id, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 2, c->source, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 3, c->rows_in);
        sqlite3_bind_int64(ins, 4, c->rows_mapped);
        sqlite3_bind_int64(ins, 5, c->rows_unmatched);
        sqlite3_bind_int64(ins, 6, occ);
        sqlite3_bind_int64(ins, 7, (long long)t->u.n);
        db_bind_real(ins, 8, total > 0 ? emp : NAN);
        db_bind_real(ins, 9, total > 0 ? emp / total : NAN);
        const cfg_table *ct = config_table(t->cfg, c->table_id);
        db_bind_real(ins, 10, ct && ct->min_coverage >= 0 ? ct->min_coverage : NAN);
        /* an Economic Index release: how much of its usage joined, and how */
        double used = c->usage_by_id + c->usage_by_text + c->usage_not_joined;
        db_bind_real(ins, 11, used > 0 ? c->usage_by_id / used : NAN);
        db_bind_real(ins, 12, used > 0 ? c->usage_by_text / used : NAN);
        db_bind_real(ins, 13, used > 0 ? c->usage_not_joined / used : NAN);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

/* Copies the staged receipts into `source`, with each dataset's citation. */
static int write_sources(tf *t)
{
    sqlite3_stmt *q, *ins;
    int rc = db_prepare(t->stage,
                     /* no path of the building machine: a mirror's copy is mirror:<url> */
                     "SELECT source, url,"
                     " CASE WHEN from_ = 'mirror' THEN 'mirror:' || url ELSE fetched_url END,"
                     " CASE WHEN from_ = 'mirror' THEN 'mirror:' || url ELSE final_url END,"
                     " nullif(status, 0), etag, last_modified,"
                     " retrieved_at, bytes, sha256, from_, stale, ok, error FROM stage_file"
                     " ORDER BY source, url",
                     &q);
    if (rc)
        return rc;
    rc = db_prepare(t->out,
                    "INSERT INTO source(source, url, title, vintage, licence, citation, homepage,"
                    " fetched_url, final_url, http_status, etag, last_modified, retrieved_at, "
                    "bytes, sha256, fetched_from, stale, ok, error, release, release_note)"
                    " VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const cfg_source *s = config_source(t->cfg, db_text(q, 0));
        int p = 1;
        sqlite3_bind_text(ins, p++, db_text(q, 0), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, p++, db_text(q, 1), -1, SQLITE_TRANSIENT);
        const char *meta[] = {s ? s->title : NULL, s ? s->vintage : NULL, s ? s->licence : NULL,
                              s ? s->citation : NULL, s ? s->homepage : NULL};
        for (int k = 0; k < 5; k++) {
            if (meta[k])
                sqlite3_bind_text(ins, p++, meta[k], -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(ins, p++);
        }
        for (int k = 2; k <= 13; k++)
            sqlite3_bind_value(ins, p++, sqlite3_column_value(q, k));
        db_bind_text(ins, p++, s ? s->release : NULL);
        db_bind_text(ins, p++, s && *s->release ? s->release_note : NULL);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    return rc;
}

/* Copies the staging record of every configured table (status, header row,
 * rows, years read from headers) so a snapshot says what it was built from. */
static int write_source_tables(tf *t)
{
    sqlite3_stmt *q, *ins;
    int rc = db_prepare(t->stage,
                        "SELECT table_id, source, url, file, status, header_row, rows, years, note"
                        " FROM stage_table ORDER BY rowid",
                        &q);
    if (rc)
        return rc;
    rc = db_prepare(t->out,
                    "INSERT INTO source_table(table_id, source, url, file, status, header_row, "
                    "rows, years, note) VALUES(?,?,?,?,?,?,?,?,?)",
                    &ins);
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        for (int k = 0; k < 9; k++)
            sqlite3_bind_value(ins, k + 1, sqlite3_column_value(q, k));
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(q);
    sqlite3_finalize(ins);
    return rc;
}

/* Copies every [measure] of the config into measure_info, in config order:
 * what the profile view, the exports and the page are built from. */
static int write_measure_info(tf *t)
{
    sqlite3_stmt *ins;
    int rc = db_prepare(t->out,
                        "INSERT INTO measure_info(measure, position, label, description, kind,"
                        " source, codes, table_id, value_column, computed_by, composite_component,"
                        " page, page_note, profile_column) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        &ins);
    for (size_t k = 0; !rc && k < t->cfg->nmeas; k++) {
        const cfg_measure *m = &t->cfg->meas[k];
        sqlite3_bind_text(ins, 1, m->name, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, (long long)k + 1);
        sqlite3_bind_text(ins, 3, m->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 4, m->description, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 5, config_kind_name(m->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(ins, 6, m->source ? m->source : "occsnap", -1, SQLITE_STATIC);
        db_bind_text(ins, 7, config_codes_name(m->codes));
        db_bind_text(ins, 8, m->table);
        db_bind_text(ins, 9, m->value);
        db_bind_text(ins, 10, config_computed_name(m->computed_by));
        sqlite3_bind_int(ins, 11, m->component);
        sqlite3_bind_text(ins, 12, config_page_name(m->page), -1, SQLITE_STATIC);
        db_bind_text(ins, 13, m->note);
        db_bind_text(ins, 14, m->column);
        rc = db_step(t->out, ins);
    }
    sqlite3_finalize(ins);
    return rc;
}

/* The profile view, from measure_info (which write_measure_info filled). */
static int profile_view(tf *t)
{
    return schema_create_profile(t->out);
}

static const char *METHODOLOGY =
    "Key: O*NET-SOC 2019 codes of the O*NET release (occupation table). Match kinds: exact "
    "(file uses O*NET-SOC 2019), soc (6-digit SOC 2018 to every occupation with that soc_code), "
    "aggregate (OEWS/EP/Microsoft row named by the BLS O*NET-SOC to NEM crosswalk, else the "
    "broad group NN-NNN0), crosswalk (SOC 2010->2018 or O*NET-SOC 2010->2019; several origins: "
    "unweighted mean; a split copies the value). pct = 100*(below + 0.5*equal)/N over the "
    "occupations with a value (midrank, exact ties); pct_emp weights each occupation by the "
    "OEWS employment of the row it takes, split evenly among the occupations sharing that row. "
    "OEWS footnote marks (*, **, #, ~) are NULL with the mark in the _flag column.";

static int write_snapshot_row(tf *t, const char *created_at)
{
    sqlite3_stmt *ins;
    int rc = db_prepare(t->out,
                        "INSERT INTO snapshot(schema_version, created_at, tool_version, "
                        "config_sha256, methodology) VALUES(?,?,?,?,?)",
                        &ins);
    if (rc)
        return rc;
    sqlite3_bind_int(ins, 1, OCCSNAP_SCHEMA_VERSION);
    sqlite3_bind_text(ins, 2, created_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, OCCSNAP_VERSION, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, t->cfg->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, METHODOLOGY, -1, SQLITE_STATIC);
    rc = db_step(t->out, ins);
    sqlite3_finalize(ins);
    return rc;
}

static int begin(tf *t)
{
    int rc = db_exec(t->out, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    if (!rc)
        rc = schema_create(t->out);
    if (!rc)
        rc = db_exec(t->out, "BEGIN");
    if (!rc)
        rc = tf_prepare_unmatched(t);
    return rc;
}

static int commit(tf *t)
{
    return db_exec(t->out, "COMMIT");
}

/* The reader ahead starts once the universe is complete (worker.c). */
static int reader(tf *t)
{
    return tf_worker_start(t, t->stage_path);
}

static const char *run_created_at;
static int snapshot_row(tf *t)
{
    return write_snapshot_row(t, run_created_at);
}

/* The transform's steps in order; OCCSNAP_TRACE=1 prints each one's time. */
static const struct {
    const char *name;
    int (*fn)(tf *);
} STEPS[] = {
    {"schema", begin},
    {"nem crosswalk", tf_load_nem},
    {"occupations", tf_onet_occupations},
    {"reader ahead", reader},
    {"tasks", tf_onet_tasks},
    {"o*net details", tf_onet_details},
    {"oews", tf_oews},
    {"projections", tf_projections},
    {"measures", tf_measures},
    {"percentiles ahead", write_measures_ahead},
    {"economic index", tf_aei},
    {"composite", tf_composite},
    {"percentiles", write_measures},
    {"measure info", write_measure_info},
    {"profile view", profile_view},
    {"coverage", write_coverage},
    {"sources", write_sources},
    {"source tables", write_source_tables},
    {"snapshot row", snapshot_row},
    {"commit", commit},
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(tf *t, const char *created_at)
{
    int trace = getenv("OCCSNAP_TRACE") && *getenv("OCCSNAP_TRACE") == '1';
    int rc = OS_OK;
    run_created_at = created_at;
    for (size_t k = 0; !rc && k < sizeof STEPS / sizeof *STEPS; k++) {
        double t0 = trace ? now_s() : 0;
        rc = STEPS[k].fn(t);
        if (trace)
            fprintf(stderr, "transform: %-14s %.3f s\n", STEPS[k].name, now_s() - t0);
        trace_mark("transform: %s done", STEPS[k].name);
    }
    return rc;
}

int transform_run(const config *c, const char *stage_path, const char *out_path,
                  const char *created_at)
{
    tf t = {.cfg = c, .stage_path = stage_path};
    universe_init(&t.u);
    t.nem_of = strmap_new();
    char *tmp = xasprintf("%s.tmp.%ld", out_path, (long)getpid());
    unlink(tmp);
    tmp_register(tmp);
    int rc = OS_OK;
    if (sqlite3_open_v2(stage_path, &t.stage, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "cannot open the stage database %s: %s (run `occsnap extract`)",
                      stage_path, sqlite3_errmsg(t.stage));
    else if (sqlite3_open_v2(tmp, &t.out, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        rc = os_error(OS_EIO, "cannot create %s: %s", tmp, sqlite3_errmsg(t.out));
    if (!rc)
        rc = run(&t, created_at);
    tf_worker_stop(&t);
    sqlite3_finalize(t.unmatched);
    if (t.out && sqlite3_close(t.out) != SQLITE_OK && !rc)
        rc = os_error(OS_EIO, "cannot close %s", tmp);
    sqlite3_close(t.stage);
    if (!rc && rename(tmp, out_path) != 0)
        rc = os_error(OS_EIO, "cannot rename %s to %s", tmp, out_path);
    if (rc)
        unlink(tmp);
    for (size_t k = 0; k < t.ncov; k++)
        free(t.cov[k].covered);
    for (size_t k = 0; k < t.nmeas; k++)
        free(t.meas[k].value), free(t.meas[k].match);
    written_free(&t);
    free(t.emp_weight);
    for (size_t k = 0; k < t.nnem; k++)
        free(t.nem_code[k]);
    free(t.nem_code);
    strmap_free(t.nem_of);
    universe_free(&t.u);
    tmp_unregister(tmp);
    free(tmp);
    return rc;
}
