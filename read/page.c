/* page.c - the role page of one occupation as a JSON object, collected from a snapshot. */
#include "read/page.h"
#include "common/db.h"
#include "common/util.h"
#include "read/format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TOP_TITLES 8    /* "Also known as"; elements and technology: LIMIT 12 in their SQL */
#define TOP_AEI_TASKS 3 /* "Tasks most handed to AI here" */

/* The page's queries, in its order; each binds the occupation code as ?1. */
static const char OCCUPATION_SQL[] =
    "SELECT onet_code, soc_code, title, description, job_zone FROM occupation WHERE onet_code = ?1";
/* reported titles (those shown in My Next Move first), then alternate ones */
static const char TITLES_SQL[] =
    "SELECT title, kind FROM occupation_title WHERE onet_code = ?1 "
    "ORDER BY kind = 'alternate', shown_in_my_next_move IS NOT 1, title COLLATE NOCASE";
static const char TASKS_SQL[] = "SELECT task_id, task FROM task WHERE onet_code = ?1 AND "
                                "task_type = 'Core' ORDER BY position";
static const char ELEMENTS_SQL[] =
    "SELECT kind, element_id, element_name AS name, importance, level "
    "FROM element WHERE onet_code = ?1 AND importance IS NOT NULL "
    "ORDER BY importance DESC, element_name LIMIT 12";
static const char ELEMENTS_MISSING_SQL[] =
    "SELECT k.kind FROM (SELECT 'knowledge' AS kind, 1 AS o UNION ALL "
    "SELECT 'skill', 2 UNION ALL SELECT 'ability', 3) k WHERE NOT EXISTS "
    "(SELECT 1 FROM element e WHERE e.onet_code = ?1 AND e.kind = k.kind) ORDER BY k.o";
static const char TECHNOLOGY_SQL[] =
    "SELECT example, commodity_title, hot_technology, in_demand FROM technology "
    "WHERE onet_code = ?1 ORDER BY hot_technology IS NOT 1, example COLLATE NOCASE, example "
    "LIMIT 12";
static const char OUTLOOK_SQL[] =
    "SELECT nem_code, nem_title, match, shared_by, base_year, proj_year, emp_base, emp_proj, "
    "change_num, change_pct, openings, median_wage, median_wage_flag, education "
    "FROM projection WHERE onet_code = ?1";
static const char PAY_SQL[] =
    "SELECT oews_code, oews_title, o_group, match, shared_by, tot_emp, tot_emp_flag, a_median, "
    "a_median_flag, h_median, h_median_flag, a_mean, a_mean_flag, a_pct10, a_pct10_flag, "
    "a_pct25, a_pct25_flag, a_pct75, a_pct75_flag, a_pct90, a_pct90_flag FROM employment_wage "
    "WHERE onet_code = ?1";

const char *page_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int page_num(const json_t *o, const char *key, double *v)
{
    const json_t *x = json_object_get(o, key);
    if (!json_is_number(x))
        return 0;
    *v = json_number_value(x);
    return 1;
}

/* The manifest's entry for source id, or NULL; borrowed from the manifest. */
static const json_t *manifest_source(const json_t *manifest, const char *id)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(manifest, "sources"), i, s)
    {
        const char *sid = page_str(s, "id");
        if (sid && !strcmp(sid, id))
            return s;
    }
    return NULL;
}

/* Runs sql (one ?1 = code) and returns a new array of its rows as objects,
 * or NULL after recording OS_EIO in s->rc. */
static json_t *rows_array(snapshot *s, const char *sql, const char *code)
{
    sqlite3_stmt *st = snapshot_prepare(s, sql);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    json_t *a = json_array();
    while (snapshot_next(s, st))
        json_array_append_new(a, db_row_json(st));
    sqlite3_finalize(st);
    if (s->rc) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* Runs sql (?1 = code) and returns its first row as a new object, json null
 * when there is none, or NULL after recording OS_EIO in s->rc. */
static json_t *row_or_null(snapshot *s, const char *sql, const char *code)
{
    json_t *a = rows_array(s, sql, code);
    if (!a)
        return NULL;
    json_t *o = json_array_size(a) ? json_incref(json_array_get(a, 0)) : json_null();
    json_decref(a);
    return o;
}

/* Converts the 0/1 integer at key of every object in a to a JSON boolean. */
static void to_bool(json_t *a, const char *key)
{
    json_t *o;
    size_t i;
    json_array_foreach(a, i, o)
    {
        json_int_t v = json_integer_value(json_object_get(o, key));
        json_object_set_new(o, key, json_boolean(v != 0));
    }
}

/* Sets key of o to v, which may be NULL after an error (then json null). */
static void set_maybe(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? v : json_null());
}

/* The exposure section: for each measure measure_info places on the page
 * (page main or historical, in position order), its words (title, kind,
 * page, note, composite) and the occupation's value, pct, pct_emp, n,
 * label, match, source and displayed percentile (the integer part of pct, or
 * of pct_emp when weighted), or "value": null when it has none. Returns a new
 * object; records OS_EIO in s->rc. */
static json_t *collect_exposure(snapshot *s, const char *code, int weighted)
{
    json_t *ex = json_object();
    json_object_set_new(ex, "weighted", json_boolean(weighted));
    sqlite3_stmt *info = snapshot_prepare(s, "SELECT measure, label, kind, page, page_note, "
                                             "computed_by = 'composite' FROM measure_info "
                                             "WHERE page <> 'none' ORDER BY position");
    sqlite3_stmt *st = snapshot_prepare(s, "SELECT value, pct, pct_emp, n, label, match, source "
                                           "FROM measure WHERE onet_code = ?1 AND measure = ?2");
    while (info && st && snapshot_next(s, info)) {
        const char *name = db_text(info, 0);
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        json_t *m;
        double p;
        if (snapshot_next(s, st)) {
            m = db_row_json(st);
            if (page_num(m, weighted ? "pct_emp" : "pct", &p) && isfinite(p) && p >= 0)
                json_object_set_new(m, "percentile", json_integer((json_int_t)floor(p)));
            else
                json_object_set_new(m, "percentile", json_null());
        } else {
            m = json_object();
            json_object_set_new(m, "value", json_null());
        }
        json_object_set_new(m, "title", db_column_json(info, 1));
        json_object_set_new(m, "kind", db_column_json(info, 2));
        json_object_set_new(m, "page", db_column_json(info, 3));
        json_object_set_new(m, "note", db_column_json(info, 4));
        json_object_set_new(m, "composite", json_boolean(sqlite3_column_int(info, 5)));
        json_object_set_new(ex, name, m);
    }
    sqlite3_finalize(info);
    sqlite3_finalize(st);
    return ex;
}

/* The Economic Index section for the newest release in aei_occupation: the
 * occupation's row (all null when it has none) and its top tasks by usage.
 * Returns a new object, json null when the snapshot has no Economic Index
 * data at all; records OS_EIO in s->rc. */
static json_t *collect_aei(snapshot *s, const char *code)
{
    /* the newest release (and its latest period) that has the occupation,
     * else the newest release */
    sqlite3_stmt *st = snapshot_prepare(s, "SELECT release, release_label, period FROM "
                               "aei_occupation ORDER BY onet_code = ?1 DESC, release DESC, "
                               "period DESC LIMIT 1");
    if (st)
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (!st || !snapshot_next(s, st)) {
        sqlite3_finalize(st);
        return s->rc ? NULL : json_null();
    }
    char *release = xstrdup(db_text(st, 0));
    char *period = xstrdup(db_text(st, 2));
    json_t *aei = json_object();
    json_object_set_new(aei, "release", json_string(release));
    json_object_set_new(aei, "release_label", db_column_json(st, 1));
    json_object_set_new(aei, "period", json_string(period));
    sqlite3_finalize(st);
    json_object_set_new(aei, "usage_unit", json_string("percent of all conversations"));
    st = snapshot_prepare(s, "SELECT usage_pct, tasks, automation_share, augmentation_share, "
                               "filtered_share, unknown_share, dominant_mode, autonomy_median, "
                               "match, autonomy_mean, task_success_share, "
                               "coalesce(human_only_hours_median, human_only_hours_mean), "
                               "coalesce(with_ai_minutes_median, with_ai_minutes_mean), speedup, "
                               "human_education_years, work_share FROM aei_occupation WHERE "
                               "onet_code = ?1 AND release = ?2 AND period = ?3");
    const char *keys[] = {"usage_pct", "tasks", "automation_share", "augmentation_share",
                          "filtered_share", "unknown_share", "dominant_mode", "autonomy_median",
                          "match", "autonomy_mean", "task_success_share", "human_only_hours",
                          "with_ai_minutes", "speedup", "human_education_years", "work_share"};
    int found = 0;
    if (st) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, release, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, period, -1, SQLITE_TRANSIENT);
        found = snapshot_next(s, st);
    }
    for (int i = 0; i < 16; i++)
        json_object_set_new(aei, keys[i], found ? db_column_json(st, i) : json_null());
    sqlite3_finalize(st);
    json_t *tasks = json_array();
    st = snapshot_prepare(s, "SELECT task_id, task, usage_pct, dominant_mode FROM aei_task "
                 "WHERE onet_code = ?1 AND release = ?2 AND period = ?4 ORDER BY usage_pct DESC, "
                 "task_id LIMIT ?3");
    if (st) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, release, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, TOP_AEI_TASKS);
        sqlite3_bind_text(st, 4, period, -1, SQLITE_TRANSIENT);
    }
    while (st && snapshot_next(s, st))
        json_array_append_new(tasks, db_row_json(st));
    sqlite3_finalize(st);
    json_object_set_new(aei, "top_tasks", tasks);
    free(release);
    free(period);
    if (s->rc) {
        json_decref(aei);
        return NULL;
    }
    return aei;
}

/* The sources as the manifest records them (no per-file receipts), each with
 * stale = true when any of its files is a stale copy. Returns a new array. */
static json_t *collect_sources(const json_t *manifest)
{
    json_t *out = json_array();
    const json_t *s, *f;
    size_t i, j;
    json_array_foreach(json_object_get(manifest, "sources"), i, s)
    {
        json_t *o = json_object();
        const char *keys[] = {"id", "title", "vintage", "licence", "citation", "homepage"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const char *v = page_str(s, keys[k]);
            json_object_set_new(o, keys[k], v ? json_string(v) : json_null());
        }
        int stale = 0;
        json_array_foreach(json_object_get(s, "files"), j, f)
        {
            const json_t *x = json_object_get(f, "stale");
            stale |= json_is_true(x) || (json_is_integer(x) && json_integer_value(x) != 0);
        }
        json_object_set_new(o, "stale", json_boolean(stale));
        json_array_append_new(out, o);
    }
    return out;
}

/* Reported titles (those shown in My Next Move first), then alternate
 * titles, de-duplicated case-insensitively, at most TOP_TITLES. Returns a
 * new array (empty after an error, recorded in s->rc). */
static json_t *collect_titles(snapshot *s, const char *code)
{
    json_t *all = rows_array(s, TITLES_SQL, code);
    json_t *titles = json_array();
    const json_t *t, *u;
    size_t i, j;
    json_array_foreach(all, i, t)
    {
        if (json_array_size(titles) >= TOP_TITLES)
            break;
        int dup = 0;
        json_array_foreach(titles, j, u) dup |= str_ieq(page_str(t, "title"), page_str(u, "title"));
        if (!dup)
            json_array_append(titles, (json_t *)t);
    }
    json_decref(all);
    return titles;
}

/* The kinds of element (knowledge, skill, ability) the occupation has no
 * rating of, as a new array of strings, or NULL after recording OS_EIO in
 * s->rc. */
static json_t *collect_elements_missing(snapshot *s, const char *code)
{
    json_t *missing = rows_array(s, ELEMENTS_MISSING_SQL, code);
    if (!missing)
        return NULL;
    json_t *flat = json_array(); /* ["ability"], not [{"kind": "ability"}] */
    const json_t *t;
    size_t i;
    json_array_foreach(missing, i, t) json_array_append(flat, json_object_get(t, "kind"));
    json_decref(missing);
    return flat;
}

/* The technology examples, Hot Technology first, with booleans for flags.
 * Returns a new array, or NULL after recording OS_EIO in s->rc. */
static json_t *collect_technology(snapshot *s, const char *code)
{
    json_t *tech = rows_array(s, TECHNOLOGY_SQL, code);
    if (tech) {
        to_bool(tech, "hot_technology");
        to_bool(tech, "in_demand");
    }
    return tech;
}

/* The BLS projection row with its units and outlook label: a new object,
 * json null when there is none, or NULL after recording OS_EIO in s->rc. */
static json_t *collect_outlook(snapshot *s, const char *code)
{
    json_t *outlook = row_or_null(s, OUTLOOK_SQL, code);
    double ch;
    if (outlook && json_is_object(outlook)) {
        json_object_set_new(outlook, "units", json_string("thousands (employment, openings)"));
        json_object_set_new(outlook, "label", page_num(outlook, "change_pct", &ch)
                                                  ? json_string(fmt_change_label(ch))
                                                  : json_null());
    }
    return outlook;
}

/* The OEWS row with the manifest's OEWS vintage: a new object, json null
 * when there is none, or NULL after recording OS_EIO in s->rc. */
static json_t *collect_pay(snapshot *s, const char *code)
{
    json_t *pay = row_or_null(s, PAY_SQL, code);
    if (pay && json_is_object(pay)) {
        const char *v = page_str(manifest_source(s->manifest, "oews"), "vintage");
        json_object_set_new(pay, "vintage", v ? json_string(v) : json_null());
    }
    return pay;
}

/* {id, created_at, tool_version} of the snapshot, from its manifest; a new
 * object. Cannot fail. */
static json_t *collect_snapshot(const json_t *manifest)
{
    json_t *snap = json_object();
    const char *id = page_str(manifest, "snapshot"), *created = page_str(manifest, "created_at"),
               *tv = page_str(manifest, "tool_version");
    json_object_set_new(snap, "id", id ? json_string(id) : json_null());
    json_object_set_new(snap, "created_at", created ? json_string(created) : json_null());
    json_object_set_new(snap, "tool_version", tv ? json_string(tv) : json_null());
    return snap;
}

json_t *page_collect(snapshot *s, const char *code, int weighted)
{
    json_t *page = json_object();
    set_maybe(page, "occupation", row_or_null(s, OCCUPATION_SQL, code));
    json_object_set_new(page, "titles", collect_titles(s, code));
    set_maybe(page, "tasks", rows_array(s, TASKS_SQL, code));
    set_maybe(page, "elements", rows_array(s, ELEMENTS_SQL, code));
    set_maybe(page, "elements_missing", collect_elements_missing(s, code));
    set_maybe(page, "technology", collect_technology(s, code));
    json_object_set_new(page, "exposure", collect_exposure(s, code, weighted));
    set_maybe(page, "outlook", collect_outlook(s, code));
    set_maybe(page, "pay", collect_pay(s, code));
    set_maybe(page, "aei", collect_aei(s, code));
    json_object_set_new(page, "sources", collect_sources(s->manifest));
    json_object_set_new(page, "snapshot", collect_snapshot(s->manifest));
    if (s->rc) {
        json_decref(page);
        return NULL;
    }
    return page;
}
