/* fields.c - what every exported column means: its description (unit and origin) and whether it is a boolean. */
#include "load/fields.h"

#include <stddef.h>
#include <string.h>

typedef struct {
    const char *table, *column, *description;
    int boolean;
} field_words;

/* "" as the table: the words every table with that column shares. */
static const field_words WORDS[] = {
    /* shared */
    {"", "onet_code", "O*NET-SOC 2019 code of the O*NET release (the occupation key; occupation.onet_code)", 0},
    {"", "soc_code", "SOC 2018 code: the first 7 characters of onet_code", 0},
    {"", "source", "occsnap source id ([source] section of config/occsnap.ini; source.source)", 0},
    {"", "match", "how the source row reached this occupation (DESIGN section 3): exact (O*NET-SOC 2019 code), soc (SOC 2018 code), aggregate (BLS crosswalk or broad group), crosswalk (SOC 2010 or O*NET-SOC 2010 through the crosswalks), derived (computed by occsnap)", 0},
    {"", "table_id", "occsnap table id ([table] section of config/occsnap.ini)", 0},
    {"", "title", "title as the source publishes it", 0},
    {"", "release", "release of the source (Economic Index release date, O*NET version, OEWS year)", 0},
    /* snapshot */
    {"snapshot", "schema_version", "version of the snapshot's schema: 2 for this layout (common/schema.h)", 0},
    {"snapshot", "created_at", "UTC time the run started, ISO 8601; set by occsnap", 0},
    {"snapshot", "tool_version", "occsnap version that built the snapshot", 0},
    {"snapshot", "config_sha256", "sha256 (hex) of the configuration file the run read", 0},
    {"snapshot", "methodology", "occsnap's methodology (keys, match kinds, percentiles, composite), as text", 0},
    /* source */
    {"source", "source", "occsnap source id ([source] section of the config)", 0},
    {"source", "url", "upstream URL of the file, as configured (with the release filled in)", 0},
    {"source", "title", "title of the dataset (config)", 0},
    {"source", "vintage", "vintage of the data in use (config, with the release or the years read from the headers)", 0},
    {"source", "licence", "licence of the dataset (config): an Open Definition id or words", 0},
    {"source", "citation", "how to cite the dataset (config)", 0},
    {"source", "homepage", "the dataset's page (config)", 0},
    {"source", "fetched_url", "what was requested: the upstream URL, or mirror:<upstream URL> when read from a mirror", 0},
    {"source", "final_url", "the URL after redirects (mirror:<upstream URL> when read from a mirror)", 0},
    {"source", "http_status", "HTTP status of the last request (empty when the file was not fetched over HTTP)", 0},
    {"source", "etag", "ETag the server sent (empty when it sent none)", 0},
    {"source", "last_modified", "Last-Modified the server sent (or the mirror file's time), RFC 7231 date", 0},
    {"source", "retrieved_at", "UTC time the file was read, ISO 8601", 0},
    {"source", "bytes", "size of the file, bytes", 0},
    {"source", "sha256", "sha256 (hex) of the file", 0},
    {"source", "fetched_from", "where the bytes came from: network, mirror or cache", 0},
    {"source", "stale", "true when the last good cached copy was used because the download failed (--allow-stale)", 1},
    {"source", "ok", "true when the file was read; false for an optional file that could not be", 1},
    {"source", "error", "why the file could not be read (empty when ok)", 0},
    {"source", "release_note", "how occsnap chose the release (pinned, found by probing, the newest known, ...)", 0},
    /* occupation */
    {"occupation", "title", "O*NET occupation title (Occupation Data)", 0},
    {"occupation", "description", "O*NET occupation description (Occupation Data)", 0},
    {"occupation", "job_zone", "O*NET Job Zone, 1 (little preparation) to 5 (extensive); Job Zones file", 0},
    /* occupation_title */
    {"occupation_title", "title", "an alternate or reported title (O*NET Alternate Titles / Sample of Reported Titles)", 0},
    {"occupation_title", "kind", "alternate (Alternate Titles) or reported (Sample of Reported Titles)", 0},
    {"occupation_title", "short_title", "O*NET short form of an alternate title, when it has one", 0},
    {"occupation_title", "sources", "O*NET's codes of where an alternate title came from (Alternate Titles 'Source(s)')", 0},
    {"occupation_title", "shown_in_my_next_move", "true when O*NET shows the reported title in My Next Move (reported titles only)", 1},
    /* task */
    {"task", "task_id", "O*NET task id (Task Statements)", 0},
    {"task", "task", "O*NET task statement", 0},
    {"task", "task_type", "O*NET task type: Core or Supplemental", 0},
    {"task", "incumbents_responding", "O*NET: number of incumbents who rated the task, persons", 0},
    {"task", "date", "O*NET: month the task was last updated (MM/YYYY)", 0},
    {"task", "domain_source", "O*NET: where the task rating came from (Incumbent, Analyst, ...)", 0},
    {"task", "position", "line of the task in Task Statements.txt (O*NET's own order), from 1", 0},
    /* element */
    {"element", "kind", "knowledge, skill, essential_skill, transferable_skill or ability (the O*NET file's own words)", 0},
    {"element", "element_id", "O*NET Content Model element id", 0},
    {"element", "element_name", "O*NET element name", 0},
    {"element", "importance", "O*NET importance rating (scale IM), 1-5", 0},
    {"element", "level", "O*NET level rating (scale LV), 0-7", 0},
    {"element", "importance_suppress", "true when O*NET recommends suppressing the importance rating (Recommend Suppress = Y)", 1},
    {"element", "level_suppress", "true when O*NET recommends suppressing the level rating (Recommend Suppress = Y)", 1},
    {"element", "level_not_relevant", "true when O*NET marks the level not relevant (Not Relevant = Y)", 1},
    {"element", "source_table", "occsnap table id the rating was read from (text member or Excel workbook)", 0},
    /* technology */
    {"technology", "example", "O*NET Technology Skills example (a product or tool)", 0},
    {"technology", "commodity_code", "UNSPSC commodity code of the example (O*NET Technology Skills)", 0},
    {"technology", "commodity_title", "UNSPSC commodity title", 0},
    {"technology", "hot_technology", "true when O*NET flags the example a Hot Technology", 1},
    {"technology", "in_demand", "true when O*NET flags the example In Demand", 1},
    /* employment_wage */
    {"employment_wage", "oews_code", "OEWS occupation code (SOC 2018 or an OEWS aggregate) of the row this occupation takes", 0},
    {"employment_wage", "oews_title", "OEWS occupation title of that row", 0},
    {"employment_wage", "o_group", "OEWS O_GROUP of the row: detailed, broad, minor or major", 0},
    {"employment_wage", "shared_by", "number of O*NET occupations that take this same OEWS row (its tot_emp is theirs together)", 0},
    {"employment_wage", "emp_weight", "persons: this occupation's even share of the OEWS row's employment, tot_emp / shared_by; sums to the OEWS national total without double counting", 0},
    {"employment_wage", "tot_emp", "persons employed in the whole OEWS row oews_code (OEWS TOT_EMP, as published), the row's figure repeated for each of its shared_by occupations: sum emp_weight, not this", 0},
    {"employment_wage", "emp_prse", "OEWS relative standard error of tot_emp, percent", 0},
    {"employment_wage", "h_mean", "OEWS mean hourly wage, US dollars", 0},
    {"employment_wage", "a_mean", "OEWS mean annual wage, US dollars", 0},
    {"employment_wage", "h_median", "OEWS median hourly wage, US dollars", 0},
    {"employment_wage", "a_median", "OEWS median annual wage, US dollars", 0},
    {"employment_wage", "h_pct10", "OEWS hourly wage, 10th percentile, US dollars", 0},
    {"employment_wage", "h_pct25", "OEWS hourly wage, 25th percentile, US dollars", 0},
    {"employment_wage", "h_pct75", "OEWS hourly wage, 75th percentile, US dollars", 0},
    {"employment_wage", "h_pct90", "OEWS hourly wage, 90th percentile, US dollars", 0},
    {"employment_wage", "a_pct10", "OEWS annual wage, 10th percentile, US dollars", 0},
    {"employment_wage", "a_pct25", "OEWS annual wage, 25th percentile, US dollars", 0},
    {"employment_wage", "a_pct75", "OEWS annual wage, 75th percentile, US dollars", 0},
    {"employment_wage", "a_pct90", "OEWS annual wage, 90th percentile, US dollars", 0},
    {"employment_wage", "annual_only", "OEWS ANNUAL: TRUE when only annual wages are published for the row", 0},
    {"employment_wage", "hourly_only", "OEWS HOURLY: TRUE when only hourly wages are published for the row", 0},
    {"employment_wage", "source", "occsnap source id of the OEWS file (oews)", 0},
    /* projection */
    {"projection", "nem_code", "BLS National Employment Matrix code of the Employment Projections row this occupation takes", 0},
    {"projection", "nem_title", "National Employment Matrix title of that row", 0},
    {"projection", "occ_type", "BLS occupation type of the row: Line item or Summary", 0},
    {"projection", "shared_by", "number of O*NET occupations that take this same projections row", 0},
    {"projection", "base_year", "base year of the projection, read from the header (Employment, 2024)", 0},
    {"projection", "proj_year", "projected year, read from the header (Employment, 2034)", 0},
    {"projection", "emp_base", "BLS Employment Projections: employment in base_year, thousands of jobs, of the whole row", 0},
    {"projection", "emp_proj", "BLS Employment Projections: employment in proj_year, thousands of jobs, of the whole row", 0},
    {"projection", "change_num", "BLS Employment Projections: employment change base_year to proj_year, thousands of jobs", 0},
    {"projection", "change_pct", "BLS Employment Projections: employment change, percent of emp_base", 0},
    {"projection", "self_employed_pct", "BLS Employment Projections: self-employed, percent of base-year employment", 0},
    {"projection", "openings", "BLS Employment Projections: occupational openings a year, annual average, thousands", 0},
    {"projection", "median_wage", "BLS Employment Projections: median annual wage, US dollars (base year)", 0},
    {"projection", "median_wage_flag", "the published mark that replaces a top-coded median wage (e.g. >=$239,200); median_wage is empty when set", 0},
    {"projection", "education", "BLS typical education needed for entry", 0},
    {"projection", "experience", "BLS work experience in a related occupation", 0},
    {"projection", "training", "BLS typical on-the-job training", 0},
    {"projection", "source", "occsnap source id of the projections file (ep)", 0},
    /* measure */
    {"measure", "measure", "measure id (measure_info.measure; its description gives the unit and source)", 0},
    {"measure", "value", "the measure's value for the occupation, in the unit measure_info.description gives", 0},
    {"measure", "pct", "midrank percentile of value among the n occupations with a value, 0-100 (not a percent of anything)", 0},
    {"measure", "pct_emp", "midrank percentile with each occupation weighted by its OEWS employment share (employment_wage.emp_weight), 0-100; empty for occupations without employment", 0},
    {"measure", "n", "number of occupations with a value for this measure (the population of pct)", 0},
    {"measure", "label", "Low, Moderate or High by pct (thresholds in the config's [methodology])", 0},
    {"measure", "source", "occsnap source id the value came from (occsnap for the composite)", 0},
    /* aei_task */
    {"aei_task", "task_id", "O*NET task id the Economic Index task text was joined to", 0},
    {"aei_task", "release_label", "the Economic Index release's name", 0},
    {"aei_task", "task", "task text as the Economic Index publishes it", 0},
    {"aei_task", "usage_pct", "Anthropic Economic Index: this occupation's part of the task's conversations, a PERCENT of all conversations (0.0025 = 0.0025 %)", 0},
    {"aei_task", "shared_by", "number of occupations the task text is shared among (each takes 1/shared_by of its usage)", 0},
    {"aei_task", "directive", "Economic Index: fraction of the task's conversations in the directive mode (0-1)", 0},
    {"aei_task", "feedback_loop", "Economic Index: fraction in the feedback loop mode (0-1)", 0},
    {"aei_task", "task_iteration", "Economic Index: fraction in the task iteration mode (0-1)", 0},
    {"aei_task", "validation", "Economic Index: fraction in the validation mode (0-1)", 0},
    {"aei_task", "learning", "Economic Index: fraction in the learning mode (0-1)", 0},
    {"aei_task", "filtered", "Economic Index: fraction filtered or with no collaboration mode (0-1)", 0},
    {"aei_task", "unknown", "fraction of the task's usage without collaboration rows (under the privacy floor), 0-1", 0},
    {"aei_task", "dominant_mode", "the collaboration mode with the largest fraction", 0},
    {"aei_task", "autonomy_median", "Economic Index v3/v4: median AI autonomy rating of the task's conversations (1-5)", 0},
    /* aei_occupation */
    {"aei_occupation", "release_label", "the Economic Index release's name", 0},
    {"aei_occupation", "usage_pct", "Anthropic Economic Index: the occupation's share of all conversations, a PERCENT (0.0075 = 0.0075 %), summed over its tasks", 0},
    {"aei_occupation", "tasks", "number of the occupation's tasks with usage in the release", 0},
    {"aei_occupation", "automation_share", "fraction of the occupation's usage that is automation (directive + feedback loop), 0-1", 0},
    {"aei_occupation", "augmentation_share", "fraction that is augmentation (task iteration + validation + learning), 0-1", 0},
    {"aei_occupation", "filtered_share", "fraction filtered or with no collaboration mode, 0-1", 0},
    {"aei_occupation", "unknown_share", "fraction without collaboration data (under the privacy floor), 0-1; the four shares add to 1", 0},
    {"aei_occupation", "dominant_mode", "the collaboration mode with the largest usage-weighted fraction", 0},
    {"aei_occupation", "autonomy_median", "usage-weighted median of the tasks' autonomy medians (Economic Index v3/v4), 1-5", 0},
    /* Economic Index 2026 (issue 11): periods, primitives, releases */
    {"aei_task", "period", "first day of the release's period, ISO date ('' for a release without periods)", 0},
    {"aei_task", "task_success_share", "Economic Index primitives (v4 on): fraction of classified conversations in which the task succeeded, yes / (yes + no), 0-1", 0},
    {"aei_task", "success_not_classified_share", "Economic Index primitives: fraction of conversations whose success was not classified, 0-1", 0},
    {"aei_task", "human_only_hours_mean", "Economic Index primitives: mean estimated hours the task takes a person alone", 0},
    {"aei_task", "human_only_hours_median", "Economic Index primitives: median estimated hours the task takes a person alone", 0},
    {"aei_task", "with_ai_minutes_mean", "Economic Index primitives: mean estimated minutes with AI", 0},
    {"aei_task", "with_ai_minutes_median", "Economic Index primitives: median estimated minutes with AI", 0},
    {"aei_task", "human_education_years", "Economic Index primitives: years of education a person needs for the task, as the release estimates it (human_education_years)", 0},
    {"aei_task", "ai_education_years", "Economic Index primitives: years of education the AI's work shows, as the release estimates it (ai_education_years)", 0},
    {"aei_task", "autonomy_mean", "Economic Index primitives: mean AI autonomy rating, 1-5", 0},
    {"aei_task", "work_share", "Economic Index primitives: fraction of the conversations whose use case is work (facet use_case = work), 0-1", 0},
    {"aei_task", "speedup", "Economic Index primitives: human-only time over time with AI (hours against minutes, as a ratio of the same unit)", 0},
    {"aei_occupation", "period", "first day of the release's period, ISO date ('' for a release without periods)", 0},
    {"aei_occupation", "task_success_share", "Economic Index primitives (v4 on): fraction of classified conversations in which the task succeeded, yes / (yes + no), 0-1", 0},
    {"aei_occupation", "success_not_classified_share", "Economic Index primitives: fraction of conversations whose success was not classified, 0-1", 0},
    {"aei_occupation", "human_only_hours_mean", "Economic Index primitives: mean estimated hours the task takes a person alone", 0},
    {"aei_occupation", "human_only_hours_median", "Economic Index primitives: median estimated hours the task takes a person alone", 0},
    {"aei_occupation", "with_ai_minutes_mean", "Economic Index primitives: mean estimated minutes with AI", 0},
    {"aei_occupation", "with_ai_minutes_median", "Economic Index primitives: median estimated minutes with AI", 0},
    {"aei_occupation", "human_education_years", "Economic Index primitives: years of education a person needs for the task, as the release estimates it (human_education_years)", 0},
    {"aei_occupation", "ai_education_years", "Economic Index primitives: years of education the AI's work shows, as the release estimates it (ai_education_years)", 0},
    {"aei_occupation", "autonomy_mean", "Economic Index primitives: mean AI autonomy rating, 1-5", 0},
    {"aei_occupation", "work_share", "Economic Index primitives: fraction of the conversations whose use case is work (facet use_case = work), 0-1", 0},
    {"aei_occupation", "speedup", "Economic Index primitives: human-only time over time with AI (hours against minutes, as a ratio of the same unit)", 0},
    {"aei_task", "joined_by", "how the task reached O*NET: id (O*NET Task ID) or text (task statement)", 0},
    {"aei_occupation", "primitives_usage_share", "fraction of the occupation's usage whose tasks publish primitives, 0-1", 0},
    /* aei_release */
    {"aei_release", "label", "the release's name (v1, v2, ... or its date)", 0},
    {"aei_release", "layout", "the release's file layout: wide, long or monthly", 0},
    {"aei_release", "file", "the release file the figures were read from", 0},
    {"aei_release", "found", "the Hub listing entry the release was found by (empty for a release the config names)", 0},
    {"aei_release", "date_start", "first day of the conversations sampled, ISO date", 0},
    {"aei_release", "date_end", "last day of the conversations sampled, ISO date", 0},
    {"aei_release", "periods", "number of periods (months) the release holds, count", 0},
    {"aei_release", "platform", "the product the conversations came from (Claude.ai, API)", 0},
    {"aei_release", "comparable_with_previous", "true when the release's population and classifier match the previous release's, so the two may be joined into a series", 1},
    {"aei_release", "comparability_note", "why the release is not comparable with the previous one", 0},
    {"aei_release", "usage_by_id_share", "fraction of the release's usage joined to O*NET by Task ID, 0-1", 0},
    {"aei_release", "usage_by_text_share", "fraction of the release's usage joined by task text, 0-1", 0},
    {"aei_release", "usage_not_joined_share", "fraction of the release's usage joined to no O*NET task, 0-1", 0},
    /* aei_release_occupation */
    {"aei_release_occupation", "soc_code", "SOC 2018 code of the release's own occupation row", 0},
    {"aei_release_occupation", "match", "how the release's SOC row reached this occupation: soc or aggregate", 0},
    {"aei_release_occupation", "usage_pct", "the release's own figure: the occupation's share of all conversations, a PERCENT (0.0075 = 0.0075 %)", 0},
    {"aei_release_occupation", "automation_share", "the release's own figure: fraction of the usage that is automation, 0-1", 0},
    {"aei_release_occupation", "augmentation_share", "the release's own figure: fraction of the usage that is augmentation, 0-1", 0},
    {"aei_release_occupation", "autonomy_mean", "the release's own figure: mean AI autonomy rating, 1-5", 0},
    {"aei_release_occupation", "human_only_hours_mean", "the release's own figure: mean hours the tasks take a person alone", 0},
    {"aei_release_occupation", "with_ai_minutes_mean", "the release's own figure: mean minutes with AI", 0},
    {"aei_release_occupation", "human_education_years", "the release's own figure: years of education a person needs (human_education_years)", 0},
    {"aei_release_occupation", "work_share", "the release's own figure: fraction of the conversations whose use case is work, 0-1", 0},
    {"aei_release_occupation", "period", "first day of the release's period, ISO date", 0},
    /* coverage */
    {"coverage", "rows_in", "rows of the staged source table, count", 0},
    {"coverage", "rows_mapped", "rows that reached at least one occupation, count", 0},
    {"coverage", "rows_unmatched", "rows that reached none (listed in coverage_unmatched), count", 0},
    {"coverage", "occupations_covered", "occupations of the universe with a value from the table, count", 0},
    {"coverage", "occupations_total", "occupations in the universe (the O*NET release), count", 0},
    {"coverage", "employment_covered", "persons: OEWS employment (sum of emp_weight) of the occupations covered", 0},
    {"coverage", "employment_share", "employment_covered as a fraction of all OEWS employment of the universe, 0-1", 0},
    {"coverage", "min_coverage", "the configured floor of occupations_covered / occupations_total, 0-1 (empty: none)", 0},
    {"coverage", "usage_joined_by_id_share", "Economic Index tables: fraction of the release's usage joined to occupations by O*NET Task ID, 0-1 (empty for other tables)", 0},
    {"coverage", "usage_joined_by_text_share", "Economic Index tables: fraction of the release's usage joined by task text, 0-1 (empty for other tables)", 0},
    {"coverage", "usage_not_joined_share", "Economic Index tables: fraction of the release's usage that joined no occupation (listed in coverage_unmatched), 0-1 (empty for other tables)", 0},
    /* source_table */
    {"source_table", "url", "upstream URL of the file the table is read from", 0},
    {"source_table", "file", "file, zip member or sheet read", 0},
    {"source_table", "status", "ok, missing (optional and absent) or not_in_release (another release's layout)", 0},
    {"source_table", "header_row", "row of the header found by name, from 1", 0},
    {"source_table", "rows", "data rows staged, count", 0},
    {"source_table", "years", "years read from the headers (emp_base=2024,emp_proj=2034)", 0},
    {"source_table", "note", "why the table is missing, or rows left out by filters", 0},
    /* coverage_unmatched */
    {"coverage_unmatched", "row", "row of the source file, from 1", 0},
    {"coverage_unmatched", "code", "the code as the source file has it", 0},
    {"coverage_unmatched", "reason", "why the row reached no occupation", 0},
    /* measure_info */
    {"measure_info", "measure", "measure id ([measure] section of the config)", 0},
    {"measure_info", "position", "the config's order of the measure, from 1 (the page's order)", 0},
    {"measure_info", "label", "the measure's name on the page", 0},
    {"measure_info", "description", "what the measure is, with its unit and source", 0},
    {"measure_info", "kind", "continuous or binary", 0},
    {"measure_info", "codes", "the codes the source uses: onet2019, onet2010, soc2018 or soc2010 (empty for a computed measure)", 0},
    {"measure_info", "value_column", "the source table's column the value is read from", 0},
    {"measure_info", "computed_by", "composite or economic_index for a measure occsnap computes (empty when read from a file)", 0},
    {"measure_info", "composite_component", "true when the measure is a component of the composite ai_exposure_index_v1", 1},
    {"measure_info", "page", "where the page shows it: main, historical or none", 0},
    {"measure_info", "page_note", "the words the page adds to the measure", 0},
    {"measure_info", "profile_column", "its column in occupation_profile (empty: not in the profile)", 0},
    /* occupations: the profile view */
    {"occupations", "title", "O*NET occupation title (Occupation Data)", 0},
    {"occupations", "job_zone", "O*NET Job Zone, 1 (little preparation) to 5 (extensive)", 0},
    {"occupations", "tot_emp", "persons employed in the whole OEWS row oews_code (OEWS TOT_EMP, as published): the row's figure, repeated for each of the oews_shared_by occupations that take it. Sum emp_weight, not tot_emp", 0},
    {"occupations", "emp_weight", "persons: this occupation's even share of the OEWS row's employment (tot_emp / oews_shared_by); its sum is the OEWS detailed-occupation total", 0},
    {"occupations", "oews_shared_by", "number of O*NET occupations that take the same OEWS row oews_code", 0},
    {"occupations", "a_median", "OEWS median annual wage of the row oews_code, US dollars", 0},
    {"occupations", "h_median", "OEWS median hourly wage of the row oews_code, US dollars", 0},
    {"occupations", "a_mean", "OEWS mean annual wage of the row oews_code, US dollars", 0},
    {"occupations", "oews_code", "OEWS occupation code of the row the OEWS columns come from", 0},
    {"occupations", "oews_title", "OEWS title of that row", 0},
    {"occupations", "oews_match", "how the OEWS row was reached: soc or aggregate", 0},
    {"occupations", "ep_emp_base", "BLS projections: employment in ep_base_year of the row ep_nem_code, thousands", 0},
    {"occupations", "ep_emp_proj", "BLS projections: employment in ep_proj_year of the row ep_nem_code, thousands", 0},
    {"occupations", "ep_change_num", "BLS projections: employment change, thousands", 0},
    {"occupations", "ep_change_pct", "BLS projections: employment change, percent of ep_emp_base", 0},
    {"occupations", "ep_openings", "BLS projections: occupational openings a year, thousands", 0},
    {"occupations", "ep_base_year", "BLS projections: base year (read from the header)", 0},
    {"occupations", "ep_proj_year", "BLS projections: projected year (read from the header)", 0},
    {"occupations", "ep_education", "BLS projections: typical education needed for entry", 0},
    {"occupations", "ep_nem_code", "National Employment Matrix code of the projections row", 0},
    {"occupations", "ep_match", "how the projections row was reached: soc or aggregate", 0},
    {"occupations", "aei_release", "the newest Economic Index release in the snapshot, whose figures the aei_ columns hold", 0},
    {"occupations", "aei_usage_pct", "Economic Index: percent of all conversations (0.0075 = 0.0075 %)", 0},
    {"occupations", "aei_usage_pct_pct", "midrank percentile of aei_usage_pct among occupations (0-100)", 0},
    {"occupations", "aei_automation_share", "Economic Index: fraction of the occupation's usage that is automation (0-1)", 0},
    {"occupations", "aei_augmentation_share", "Economic Index: fraction of the occupation's usage that is augmentation (0-1)", 0},
    {"occupations", "aei_filtered_share", "Economic Index: fraction of the occupation's usage filtered or with no collaboration (0-1)", 0},
    {"occupations", "aei_unknown_share", "Economic Index: fraction of the occupation's usage with no collaboration data (0-1)", 0},
    {"occupations", "aei_dominant_mode", "Economic Index: the collaboration mode with the largest usage-weighted fraction", 0},
    {"occupations", "aei_autonomy_median", "Economic Index v3/v4: usage-weighted median of the tasks' autonomy medians (1-5)", 0},
};

static const struct {
    const char *table, *title;
} TABLES[] = {
    {"snapshot", "the run: schema version, time, tool version, config sha256, methodology"},
    {"source", "one row per upstream file: receipt, vintage, release, licence, citation"},
    {"occupation", "the occupation universe: the O*NET release's occupations"},
    {"occupation_title", "alternate and reported titles of each occupation (O*NET)"},
    {"task", "task statements of each occupation (O*NET)"},
    {"element", "knowledge, skill and ability ratings of each occupation (O*NET)"},
    {"technology", "technology examples of each occupation (O*NET Technology Skills)"},
    {"employment_wage", "the OEWS row each occupation takes, every figure as published with its footnote mark"},
    {"projection", "the BLS Employment Projections row each occupation takes"},
    {"measure", "every measure of every occupation, long: value, percentiles, label, match, source"},
    {"aei_task", "Anthropic Economic Index usage per occupation, task and release"},
    {"aei_occupation", "Anthropic Economic Index roll-up per occupation and release"},
    {"coverage", "per staged source table: how much reached the occupation key"},
    {"coverage_unmatched", "every source row that reached no occupation, with the reason"},
    {"source_table", "every configured table as staged"},
    {"measure_info", "every measure as the config declares it: words, unit, source"},
    {"aei_release", "every Economic Index release the snapshot holds: layout, window, comparability"},
    {"aei_release_occupation", "each Economic Index release's own figures per occupation and period"},
};

const char *fields_describe(const char *table, const char *column, int *boolean)
{
    const field_words *shared = NULL;
    *boolean = 0;
    for (size_t k = 0; k < sizeof WORDS / sizeof *WORDS; k++) {
        if (strcmp(WORDS[k].column, column))
            continue;
        if (!strcmp(WORDS[k].table, table)) {
            *boolean = WORDS[k].boolean;
            return WORDS[k].description;
        }
        if (!*WORDS[k].table)
            shared = &WORDS[k];
    }
    if (shared)
        *boolean = shared->boolean;
    return shared ? shared->description : NULL;
}

const char *fields_table_title(const char *table)
{
    for (size_t k = 0; k < sizeof TABLES / sizeof *TABLES; k++)
        if (!strcmp(TABLES[k].table, table))
            return TABLES[k].title;
    return NULL;
}
