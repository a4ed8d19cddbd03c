/* schema.c - the stage and snapshot database schemas (DESIGN section 7), in one place every stage reads. */
#include "common/schema.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *STAGE_SQL =
    "PRAGMA journal_mode=OFF;"
    "PRAGMA synchronous=OFF;"
    "CREATE TABLE stage_file(source TEXT NOT NULL, url TEXT NOT NULL, cache_path TEXT,"
    " fetched_url TEXT, final_url TEXT, status INTEGER, etag TEXT, last_modified TEXT,"
    " retrieved_at TEXT, bytes INTEGER, sha256 TEXT, from_ TEXT, stale INTEGER,"
    " ok INTEGER NOT NULL, error TEXT, PRIMARY KEY(source, url)) STRICT;"
    "CREATE TABLE stage_table(table_id TEXT PRIMARY KEY, source TEXT NOT NULL,"
    " url TEXT NOT NULL, file TEXT NOT NULL, status TEXT NOT NULL, header_row INTEGER,"
    " rows INTEGER NOT NULL, years TEXT, note TEXT, spec_sha256 TEXT,"
    /* where its rows are: a file of their own under the cache (extract/stage.h)
       and the table there; NULL: src_<table_id> of this database */
    " rows_file TEXT, rows_table TEXT) STRICT;"
    "CREATE TABLE stage_release(source TEXT PRIMARY KEY, release TEXT NOT NULL,"
    " note TEXT) STRICT;"
    "CREATE TABLE stage_aei(release TEXT PRIMARY KEY, layout TEXT NOT NULL, file TEXT NOT NULL,"
    " found TEXT NOT NULL) STRICT;";

const char *const schema_tables[] = {
    "snapshot", "source", "occupation", "occupation_title", "task", "element",
    "technology", "employment_wage", "projection", "measure", "aei_task",
    "aei_occupation", "aei_release", "aei_release_occupation", "coverage", "coverage_unmatched", "source_table", "measure_info", NULL};

/* Tables keyed by several columns are WITHOUT ROWID: the key is the table,
 * one B-tree instead of two, smaller and faster to fill. */
static const char *SQL =
    "CREATE TABLE snapshot(\n"
    "  schema_version INTEGER NOT NULL, created_at TEXT NOT NULL,\n"
    "  tool_version TEXT NOT NULL, config_sha256 TEXT NOT NULL,\n"
    "  methodology TEXT NOT NULL) STRICT;\n"
    /* one row per fetched file: its receipt, and what the dataset is */
    "CREATE TABLE source(\n"
    "  source TEXT NOT NULL, url TEXT NOT NULL, title TEXT, vintage TEXT,\n"
    "  licence TEXT, citation TEXT, homepage TEXT, fetched_url TEXT,\n"
    "  final_url TEXT, http_status INTEGER, etag TEXT, last_modified TEXT,\n"
    "  retrieved_at TEXT, bytes INTEGER, sha256 TEXT, fetched_from TEXT,\n"
    "  stale INTEGER NOT NULL DEFAULT 0, ok INTEGER NOT NULL, error TEXT,\n"
    "  release TEXT, -- the source's release (30.1, 2025), NULL for a fixed URL\n"
    "  release_note TEXT, -- how occsnap chose it (pinned, found by probing, ...)\n"
    "  PRIMARY KEY(source, url)) STRICT;\n"
    "CREATE TABLE occupation(\n"
    "  onet_code TEXT PRIMARY KEY, soc_code TEXT NOT NULL, title TEXT NOT NULL,\n"
    "  description TEXT, job_zone INTEGER) STRICT;\n"
    "CREATE TABLE occupation_title(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, title TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('alternate','reported')),\n"
    "  short_title TEXT, sources TEXT, shown_in_my_next_move INTEGER,\n"
    "  PRIMARY KEY(onet_code, kind, title)) STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE task(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, task_id INTEGER NOT NULL,\n"
    "  task TEXT NOT NULL, task_type TEXT, incumbents_responding INTEGER,\n"
    "  date TEXT, domain_source TEXT,\n"
    "  position INTEGER NOT NULL, -- line in Task Statements: O*NET's own order\n"
    "  PRIMARY KEY(onet_code, task_id)) STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE element(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation,\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('knowledge','skill','essential_skill',\n"
    "    'transferable_skill','ability')), -- the release's own words (O*NET 30.3 split skills)\n"
    "  element_id TEXT NOT NULL, element_name TEXT NOT NULL,\n"
    "  importance REAL, level REAL, importance_suppress INTEGER,\n"
    "  level_suppress INTEGER, level_not_relevant INTEGER, source_table TEXT NOT NULL,\n"
    "  PRIMARY KEY(onet_code, kind, element_id)) STRICT, WITHOUT ROWID;\n"
    "CREATE TABLE technology(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, example TEXT NOT NULL,\n"
    "  commodity_code INTEGER, commodity_title TEXT, hot_technology INTEGER,\n"
    "  in_demand INTEGER, PRIMARY KEY(onet_code, example)) STRICT, WITHOUT ROWID;\n"
    /* the OEWS row an occupation takes; tot_emp etc. are the row's, as
       published; emp_weight splits tot_emp among the occupations sharing it */
    "CREATE TABLE employment_wage(\n"
    "  onet_code TEXT PRIMARY KEY REFERENCES occupation,\n"
    "  oews_code TEXT NOT NULL, oews_title TEXT, o_group TEXT,\n"
    "  match TEXT NOT NULL CHECK(match IN ('exact','soc','aggregate','crosswalk')),\n"
    "  shared_by INTEGER NOT NULL, emp_weight REAL,\n"
    "  tot_emp INTEGER, tot_emp_flag TEXT, emp_prse REAL, emp_prse_flag TEXT,\n"
    "  h_mean REAL, h_mean_flag TEXT, a_mean REAL, a_mean_flag TEXT,\n"
    "  h_median REAL, h_median_flag TEXT, a_median REAL, a_median_flag TEXT,\n"
    "  h_pct10 REAL, h_pct10_flag TEXT, h_pct25 REAL, h_pct25_flag TEXT,\n"
    "  h_pct75 REAL, h_pct75_flag TEXT, h_pct90 REAL, h_pct90_flag TEXT,\n"
    "  a_pct10 REAL, a_pct10_flag TEXT, a_pct25 REAL, a_pct25_flag TEXT,\n"
    "  a_pct75 REAL, a_pct75_flag TEXT, a_pct90 REAL, a_pct90_flag TEXT,\n"
    "  annual_only TEXT, hourly_only TEXT,\n"
    "  source TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE projection(\n"
    "  onet_code TEXT PRIMARY KEY REFERENCES occupation,\n"
    "  nem_code TEXT NOT NULL, nem_title TEXT,\n"
    "  match TEXT NOT NULL CHECK(match IN ('exact','soc','aggregate','crosswalk')),\n"
    "  occ_type TEXT, shared_by INTEGER NOT NULL, base_year INTEGER, proj_year INTEGER,\n"
    "  emp_base REAL, emp_proj REAL, change_num REAL, change_pct REAL,\n"
    "  self_employed_pct REAL, openings REAL, median_wage REAL, median_wage_flag TEXT,\n"
    "  education TEXT, experience TEXT, training TEXT, source TEXT NOT NULL) STRICT;\n"
    "CREATE TABLE measure(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, measure TEXT NOT NULL,\n"
    "  value REAL NOT NULL, pct REAL, pct_emp REAL, n INTEGER NOT NULL,\n"
    "  label TEXT CHECK(label IN ('Low','Moderate','High')),\n"
    "  match TEXT NOT NULL\n"
    "    CHECK(match IN ('exact','soc','aggregate','crosswalk','derived')),\n"
    "  source TEXT NOT NULL, PRIMARY KEY(onet_code, measure)) STRICT, WITHOUT ROWID;\n"
    /* Economic Index, per task and release. usage_pct is a PERCENT of all
       conversations (0.0025 = 0.0025 %); the mode columns, filtered and
       unknown are FRACTIONS of the task's conversations. */
    "CREATE TABLE aei_task(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, task_id INTEGER NOT NULL,\n"
    "  release TEXT NOT NULL, task TEXT NOT NULL, usage_pct REAL NOT NULL,\n"
    "  shared_by INTEGER NOT NULL, directive REAL, feedback_loop REAL,\n"
    "  task_iteration REAL, validation REAL, learning REAL, filtered REAL,\n"
    "  unknown REAL, dominant_mode TEXT, autonomy_median REAL,\n"
    "  match TEXT NOT NULL CHECK(match IN ('exact','crosswalk')),\n"
    /* the period's first day ('' for a release without periods); how the
       task reached the statements: by O*NET Task ID or by its text; the
       primitives (v4 on): success a fraction yes/(yes+no), hours, minutes,
       years, autonomy 1-5, work share a fraction, speedup a ratio */
    "  period TEXT NOT NULL DEFAULT '', joined_by TEXT CHECK(joined_by IN ('id','text')),\n"
    "  task_success_share REAL, success_not_classified_share REAL,\n"
    "  human_only_hours_mean REAL, human_only_hours_median REAL,\n"
    "  with_ai_minutes_mean REAL, with_ai_minutes_median REAL,\n"
    "  human_education_years REAL, ai_education_years REAL, autonomy_mean REAL,\n"
    "  work_share REAL, speedup REAL,\n"
    "  PRIMARY KEY(onet_code, task_id, release, period)) STRICT, WITHOUT ROWID;\n"
    /* shares are fractions of the occupation's usage and
       automation + augmentation + filtered + unknown = 1 */
    "CREATE TABLE aei_occupation(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, release TEXT NOT NULL,\n"
    "  release_label TEXT NOT NULL, usage_pct REAL NOT NULL, tasks INTEGER NOT NULL,\n"
    "  automation_share REAL, augmentation_share REAL,\n"
    "  filtered_share REAL, unknown_share REAL, dominant_mode TEXT,\n"
    "  autonomy_median REAL, match TEXT NOT NULL CHECK(match IN ('exact','crosswalk')),\n"
    "  period TEXT NOT NULL DEFAULT '',\n"
    "  task_success_share REAL, success_not_classified_share REAL,\n"
    "  human_only_hours_mean REAL, human_only_hours_median REAL,\n"
    "  with_ai_minutes_mean REAL, with_ai_minutes_median REAL,\n"
    "  human_education_years REAL, ai_education_years REAL, autonomy_mean REAL,\n"
    "  work_share REAL, speedup REAL,\n"
    "  primitives_usage_share REAL, -- of its usage, the share whose tasks publish primitives\n"
    "  PRIMARY KEY(onet_code, release, period)) STRICT, WITHOUT ROWID;\n"
    /* every Economic Index release the snapshot holds: layout, window
       (date_end exclusive in the monthly layout), who is counted, and
       whether it continues the release before it (never joined across a
       break); the shares of its usage joined by Task ID, by text, not at all */
    "CREATE TABLE aei_release(\n"
    "  release TEXT PRIMARY KEY, label TEXT NOT NULL,\n"
    "  layout TEXT NOT NULL CHECK(layout IN ('wide','long','monthly')),\n"
    "  file TEXT NOT NULL, found TEXT, date_start TEXT, date_end TEXT,\n"
    "  periods INTEGER NOT NULL, platform TEXT,\n"
    "  comparable_with_previous INTEGER NOT NULL CHECK(comparable_with_previous IN (0,1)),\n"
    "  comparability_note TEXT, usage_by_id_share REAL, usage_by_text_share REAL,\n"
    "  usage_not_joined_share REAL) STRICT;\n"
    /* the release's own figures for detailed SOC occupations (monthly
       layout), beside occsnap's roll-up of its tasks; usage_pct a PERCENT */
    "CREATE TABLE aei_release_occupation(\n"
    "  onet_code TEXT NOT NULL REFERENCES occupation, release TEXT NOT NULL,\n"
    "  period TEXT NOT NULL, soc_code TEXT NOT NULL,\n"
    "  match TEXT NOT NULL CHECK(match IN ('soc','aggregate')), usage_pct REAL,\n"
    "  automation_share REAL, augmentation_share REAL, autonomy_mean REAL,\n"
    "  human_only_hours_mean REAL, with_ai_minutes_mean REAL, human_education_years REAL,\n"
    "  work_share REAL, PRIMARY KEY(onet_code, release, period)) STRICT, WITHOUT ROWID;\n"
    /* per staged source table: how much of it reached the occupation key */
    "CREATE TABLE coverage(\n"
    "  table_id TEXT PRIMARY KEY, source TEXT NOT NULL, rows_in INTEGER NOT NULL,\n"
    "  rows_mapped INTEGER NOT NULL, rows_unmatched INTEGER NOT NULL,\n"
    "  occupations_covered INTEGER NOT NULL, occupations_total INTEGER NOT NULL,\n"
    "  employment_covered REAL, employment_share REAL, min_coverage REAL,\n"
    "  usage_joined_by_id_share REAL, usage_joined_by_text_share REAL,\n"
    "  usage_not_joined_share REAL) STRICT;\n" /* the last three: Economic Index tables only */
    /* every configured table, as staged: an optional one may be missing */
    "CREATE TABLE source_table(\n"
    "  table_id TEXT PRIMARY KEY, source TEXT NOT NULL, url TEXT NOT NULL,\n"
    "  file TEXT NOT NULL, status TEXT NOT NULL\n"
    "    CHECK(status IN ('ok','missing','not_in_release')),\n"
    "  header_row INTEGER, rows INTEGER NOT NULL, years TEXT, note TEXT) STRICT;\n"
    "CREATE TABLE coverage_unmatched(\n"
    "  table_id TEXT NOT NULL REFERENCES coverage, row INTEGER NOT NULL,\n"
    "  code TEXT, reason TEXT NOT NULL, PRIMARY KEY(table_id, row)) STRICT, WITHOUT ROWID;\n"
    /* every measure, as the config declares it: the profile view, the
       exports, the Data Package and the page take their words from here */
    "CREATE TABLE measure_info(\n"
    "  measure TEXT PRIMARY KEY, position INTEGER NOT NULL UNIQUE,\n"
    "  label TEXT NOT NULL, description TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL CHECK(kind IN ('continuous','binary')), source TEXT NOT NULL,\n"
    "  codes TEXT CHECK(codes IN ('onet2019','onet2010','soc2018','soc2010')),\n"
    "  table_id TEXT, value_column TEXT,\n"
    "  computed_by TEXT CHECK(computed_by IN ('composite','economic_index')),\n"
    "  composite_component INTEGER NOT NULL CHECK(composite_component IN (0,1)),\n"
    "  page TEXT NOT NULL CHECK(page IN ('main','historical','none')), page_note TEXT,\n"
    "  profile_column TEXT UNIQUE) STRICT;\n";

/* The view's columns before the measures: occupation, OEWS and EP. */
static const char *PROFILE_HEAD =
    "CREATE VIEW occupation_profile AS SELECT\n"
    "  o.onet_code, o.soc_code, o.title, o.job_zone,\n"
    "  e.tot_emp, e.tot_emp_flag, e.emp_weight, e.shared_by AS oews_shared_by,\n"
    "  e.a_median, e.a_median_flag, e.h_median, e.h_median_flag, e.a_mean, e.a_mean_flag,\n"
    "  e.oews_code, e.oews_title, e.match AS oews_match,\n"
    "  p.emp_base AS ep_emp_base, p.emp_proj AS ep_emp_proj,\n"
    "  p.change_num AS ep_change_num, p.change_pct AS ep_change_pct,\n"
    "  p.openings AS ep_openings, p.base_year AS ep_base_year,\n"
    "  p.proj_year AS ep_proj_year, p.education AS ep_education,\n"
    "  p.nem_code AS ep_nem_code, p.match AS ep_match";

/* ... and after them: the Economic Index roll-up of the newest release. */
static const char *PROFILE_TAIL =
    ",\n  a.release AS aei_release, a.usage_pct AS aei_usage_pct,\n"
    "  au.pct AS aei_usage_pct_pct,\n"
    "  a.automation_share AS aei_automation_share,\n"
    "  a.augmentation_share AS aei_augmentation_share,\n"
    "  a.filtered_share AS aei_filtered_share, a.unknown_share AS aei_unknown_share,\n"
    "  a.dominant_mode AS aei_dominant_mode, a.autonomy_median AS aei_autonomy_median\n"
    "FROM occupation o\n"
    "LEFT JOIN employment_wage e ON e.onet_code = o.onet_code\n"
    "LEFT JOIN projection p ON p.onet_code = o.onet_code\n"
    "LEFT JOIN aei_occupation a ON a.onet_code = o.onet_code\n"
    "  AND a.release = (SELECT max(release) FROM aei_occupation)\n"
    "  AND a.period = (SELECT max(period) FROM aei_occupation\n"
    "                  WHERE release = (SELECT max(release) FROM aei_occupation))\n"
    "LEFT JOIN measure au ON au.onet_code = o.onet_code AND au.measure = 'aei_usage_pct'";

int schema_create_profile(sqlite3 *db)
{
    sqlite3_stmt *q;
    int rc = db_prepare(db,
                        "SELECT measure, profile_column, kind FROM measure_info"
                        " WHERE profile_column IS NOT NULL ORDER BY position",
                        &q);
    if (rc)
        return rc;
    char *cols = xstrdup(""), *joins = xstrdup("");
    int k = 0;
    while (!rc && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        const char *col = (const char *)sqlite3_column_text(q, 1);
        int binary = !strcmp((const char *)sqlite3_column_text(q, 2), "binary");
        if (!str_is_ident(name) || !str_is_ident(col)) {
            rc = os_error(OS_EDATA, "measure_info: '%s' / '%s' is not a plain name", name, col);
            break;
        }
        char *c = binary ? xasprintf("%s,\n  m%d.value AS %s", cols, k, col)
                         : xasprintf("%s,\n  m%d.value AS %s, m%d.pct AS %s_pct, m%d.pct_emp AS "
                                     "%s_pct_emp, m%d.label AS %s_label",
                                     cols, k, col, k, col, k, col, k, col);
        char *j = xasprintf("%s\nLEFT JOIN measure m%d ON m%d.onet_code = o.onet_code AND "
                            "m%d.measure = '%s'", joins, k, k, k, name);
        free(cols), free(joins);
        cols = c, joins = j, k++;
    }
    sqlite3_finalize(q);
    char *sql = xasprintf("%s%s%s%s\nORDER BY o.onet_code;", PROFILE_HEAD, cols, PROFILE_TAIL,
                          joins);
    if (!rc)
        rc = db_exec(db, sql);
    free(sql), free(cols), free(joins);
    return rc;
}

int schema_create(sqlite3 *db)
{
    return db_exec(db, SQL);
}

int schema_create_stage(sqlite3 *db)
{
    return db_exec(db, STAGE_SQL);
}
