/* test_measure_map.c - the measure runner tf_measures: its mapping rules (tests/cases/measure_rules.txt), bad and repeated codes, one pass per table, rows with values in some columns only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/config.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/util.h"
#include "transform/context.h"
#include "transform/crosswalks.h"
#include "transform/mapping.h"
#include "tests/unit/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ------------------------------------------------------------ the fixture */
/* Keep in step with the header of tests/cases/measure_rules.txt. */

/* The O*NET-SOC 2019 universe; each soc code is the first 7 characters. */
static const char *const UNIVERSE[] = {
    "15-1252.00", "15-1253.00", "15-1254.00", "15-1255.00", "29-1229.01",
    "29-1229.02", "27-4014.00", "11-1011.00", "11-1011.03", "21-1011.00",
    "13-1021.00", "13-2011.00", "55-3016.00"};

/* onet_xwalk_2010_2019: O*NET-SOC 2010 -> 2019. */
static const char *const ONET_XWALK[][2] = {
    {"15-1132.00", "15-1252.00"}, {"15-1133.00", "15-1252.00"}, /* merge */
    {"29-1069.00", "29-1229.01"}, {"29-1069.00", "29-1229.02"}, /* split */
    {"27-4014.00", "27-4014.00"},
    {"15-1199.01", "15-1253.00"}, {"15-1199.01", "15-1299.08"}, /* one target outside */
    {"15-1199.02", "15-1299.09"},                               /* all targets outside */
};

/* soc_2010_2018: SOC 2010 -> 2018; every target is in SOC_DETAILED. */
static const char *const SOC_XWALK[][2] = {
    {"15-1132", "15-1252"}, {"15-1133", "15-1252"}, /* merge */
    {"15-1134", "15-1254"}, {"15-1134", "15-1255"}, /* split */
    {"15-1199", "15-1255"},                         /* 15-1255: a merge too */
    {"29-1069", "29-1229"},                         /* two O*NET occupations */
    {"13-2011", "13-2011"},
    {"47-4099", "47-4099"},                         /* no O*NET occupation */
};

/* soc_structure_2018's detailed column; NULL is a group row (no detailed code). */
static const char *const SOC_DETAILED[] = {NULL,      "15-1252", "15-1254", "15-1255",
                                           "29-1229", "13-2011", "47-4099"};

/* bls_nem_xwalk: O*NET-SOC -> NEM code (DESIGN section 3's examples). */
static const char *const NEM[][2] = {{"21-1011.00", "21-1018"}, {"13-1021.00", "13-1020"}};

/* One staged row of src_cases: code, value a, value b ("-" or NULL: an empty
 * cell; anything else is read with strtod, so "nan" binds a NaN double). */
typedef struct {
    const char *code, *a, *b;
} row_in;

/* The transform state a test runs tf_measures on, and the config it uses. */
typedef struct {
    config *cfg;
    tf t;
} fixture;

/* Runs sql on db, failing the test with SQLite's message. */
static void exec_ok(sqlite3 *db, const char *sql)
{
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s (in: %.200s)", err ? err : "?", sql);
        sqlite3_free(err);
        fail_msg("sqlite: %s", msg);
    }
}

/* Prepares sql on db, failing the test with SQLite's message. */
static sqlite3_stmt *prepare_ok(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("sqlite: %s (in: %.200s)", sqlite3_errmsg(db), sql);
    return st;
}

/* Steps an INSERT and resets it, failing the test unless it is done. */
static void step_ok(sqlite3 *db, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE)
        fail_msg("sqlite: %s", sqlite3_errmsg(db));
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

/* Records table id as staged from file with rows rows (status ok), as
 * extract/stage.c does. */
static void stage_record(sqlite3 *db, const char *id, const char *file, long rows)
{
    sqlite3_stmt *st = prepare_ok(db, "INSERT OR REPLACE INTO stage_table(table_id, source, url,"
                                      " file, status, rows) VALUES(?, 'test', ?, ?, 'ok', ?)");
    char *url = xasprintf("https://example.invalid/%s", file);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, file, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, rows);
    step_ok(db, st);
    sqlite3_finalize(st);
    free(url);
}

/* Stages src_<id>(_row, c1, c2) with the n text pairs (NULL: an empty cell),
 * rows numbered from 2 after a header row. */
static void stage_pairs(sqlite3 *db, const char *id, const char *c1, const char *c2,
                        const char *const (*pair)[2], size_t n)
{
    char *sql = xasprintf("CREATE TABLE src_%s(_row INTEGER NOT NULL, %s TEXT, %s TEXT) STRICT",
                          id, c1, c2);
    exec_ok(db, sql);
    free(sql);
    sql = xasprintf("INSERT INTO src_%s VALUES(?,?,?)", id);
    sqlite3_stmt *st = prepare_ok(db, sql);
    free(sql);
    for (size_t k = 0; k < n; k++) {
        sqlite3_bind_int64(st, 1, (long long)k + 2);
        for (int j = 0; j < 2; j++)
            if (pair[k][j])
                sqlite3_bind_text(st, 2 + j, pair[k][j], -1, SQLITE_STATIC);
        step_ok(db, st);
    }
    sqlite3_finalize(st);
    char *file = xasprintf("%s.csv", id);
    stage_record(db, id, file, (long)n);
    free(file);
}

/* Binds a value of a row_in: NULL for "-" or NULL, else its strtod. */
static void bind_value(sqlite3_stmt *st, int i, const char *v)
{
    if (!v || !strcmp(v, "-"))
        sqlite3_bind_null(st, i);
    else
        sqlite3_bind_double(st, i, strtod(v, NULL));
}

/* Stages the n rows into src_cases (file cases.csv), _row 2, 3, ... */
static void stage_cases(fixture *f, const row_in *rows, size_t n)
{
    sqlite3 *db = f->t.stage;
    exec_ok(db, "DROP TABLE IF EXISTS src_cases;"
                "CREATE TABLE src_cases(_row INTEGER NOT NULL, code TEXT, a REAL, b REAL) STRICT");
    sqlite3_stmt *st = prepare_ok(db, "INSERT INTO src_cases VALUES(?,?,?,?)");
    for (size_t k = 0; k < n; k++) {
        sqlite3_bind_int64(st, 1, (long long)k + 2);
        if (rows[k].code)
            sqlite3_bind_text(st, 2, rows[k].code, -1, SQLITE_STATIC);
        bind_value(st, 3, rows[k].a);
        bind_value(st, 4, rows[k].b);
        step_ok(db, st);
    }
    sqlite3_finalize(st);
    stage_record(db, "cases", "cases.csv", (long)n);
}

/* The config text: [table cases] (code, a, b) and the measures of which (1:
 * m_a on a, 2: m_b on b, 3: both), with codes; malloc'd. */
static char *config_text(const char *codes, int which)
{
    char *text = xstrdup("[source test]\n"
                         "title = Test source\n"
                         "\n"
                         "[table cases]\n"
                         "source = test\n"
                         "url = https://example.invalid/cases.csv\n"
                         "format = csv\n"
                         "col.code = Code\n"
                         "col.a = Value A | real\n"
                         "col.b = Value B | real\n");
    const char *names[] = {"m_a", "m_b"}, *cols[] = {"a", "b"};
    for (int j = 0; j < 2; j++) {
        if (!(which & (1 << j)))
            continue;
        char *more = xasprintf("%s\n[measure %s]\n"
                               "table = cases\n"
                               "code = code\n"
                               "codes = %s\n"
                               "value = %s\n"
                               "label = Measure %s\n"
                               "description = test measure on column %s\n"
                               "kind = continuous\n",
                               text, names[j], codes, cols[j], cols[j], cols[j]);
        free(text);
        text = more;
    }
    return text;
}

/* Sets up f for a run of tf_measures: the config (measures which, codes), a
 * fresh stage database with the crosswalks, an out database with the schema
 * and t->unmatched, the universe and the NEM crosswalk. */
static void fixture_open(fixture *f, const char *codes, int which)
{
    memset(f, 0, sizeof *f);
    char *text = config_text(codes, which);
    char *ini = tu_text_file("measures.ini", text);
    free(text);
    if (config_load(ini, &f->cfg) != OS_OK)
        fail_msg("config_load: %s", os_last_error());
    free(ini);
    tf *t = &f->t;
    t->cfg = f->cfg;

    char *stage = tu_path("stage.sqlite");
    unlink(stage);
    assert_int_equal(sqlite3_open(stage, &t->stage), SQLITE_OK);
    free(stage);
    assert_int_equal(schema_create_stage(t->stage), OS_OK);
    stage_pairs(t->stage, "onet_xwalk_2010_2019", "onet2010", "onet2019", ONET_XWALK,
                COUNT(ONET_XWALK));
    stage_pairs(t->stage, "soc_2010_2018", "soc2010", "soc2018", SOC_XWALK, COUNT(SOC_XWALK));
    const char *structure[COUNT(SOC_DETAILED)][2];
    for (size_t k = 0; k < COUNT(SOC_DETAILED); k++) {
        structure[k][0] = SOC_DETAILED[k] ? NULL : "15-0000"; /* major group row */
        structure[k][1] = SOC_DETAILED[k];
    }
    stage_pairs(t->stage, "soc_structure_2018", "major", "detailed", structure,
                COUNT(structure));
    stage_pairs(t->stage, "bls_nem_xwalk", "onet_code", "nem_code", NEM, COUNT(NEM));

    assert_int_equal(sqlite3_open(":memory:", &t->out), SQLITE_OK);
    assert_int_equal(schema_create(t->out), OS_OK);
    assert_int_equal(db_prepare(t->out,
                                "INSERT INTO coverage_unmatched(table_id, row, code, reason)"
                                " VALUES(?,?,?,?)",
                                &t->unmatched),
                     OS_OK);

    universe_init(&t->u);
    for (size_t k = 0; k < COUNT(UNIVERSE); k++) {
        char soc[8];
        snprintf(soc, sizeof soc, "%.7s", UNIVERSE[k]);
        assert_int_equal(universe_add(&t->u, UNIVERSE[k], soc), (long)k);
    }
    t->nem_of = strmap_new();
    if (tf_load_nem(t) != OS_OK)
        fail_msg("tf_load_nem: %s", os_last_error());
    assert_int_equal(t->nnem, COUNT(NEM));
}

/* Frees everything fixture_open and tf_measures made, as transform_run does. */
static void fixture_close(fixture *f)
{
    tf *t = &f->t;
    sqlite3_finalize(t->unmatched);
    sqlite3_close(t->out);
    sqlite3_close(t->stage);
    for (size_t k = 0; k < t->ncov; k++)
        free(t->cov[k].covered);
    for (size_t k = 0; k < t->nmeas; k++)
        free(t->meas[k].value), free(t->meas[k].match);
    for (size_t k = 0; k < t->nnem; k++)
        free(t->nem_code[k]);
    free(t->nem_code);
    strmap_free(t->nem_of);
    universe_free(&t->u);
    config_free(f->cfg);
    memset(f, 0, sizeof *f);
}

/* The coverage_unmatched rows of src_cases in row order, as "row N CODE:
 * reason; ...", or "-" for none; malloc'd. */
static char *unmatched_text(fixture *f)
{
    sqlite3_stmt *q = prepare_ok(f->t.out, "SELECT row, code, reason FROM coverage_unmatched"
                                           " WHERE table_id = 'cases' ORDER BY row");
    char *text = NULL;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const unsigned char *code = sqlite3_column_text(q, 1);
        char *more = xasprintf("%s%srow %lld %s: %s", text ? text : "", text ? "; " : "",
                               (long long)sqlite3_column_int64(q, 0),
                               code ? (const char *)code : "",
                               (const char *)sqlite3_column_text(q, 2));
        free(text);
        text = more;
    }
    sqlite3_finalize(q);
    return text ? text : xstrdup("-");
}

/* The one coverage record's counts as "in mapped unmatched covered"; malloc'd. */
static char *counts_text(fixture *f)
{
    if (f->t.ncov != 1)
        return xasprintf("%zu coverage records", f->t.ncov);
    const tf_coverage *c = &f->t.cov[0];
    long covered = 0;
    for (size_t i = 0; i < f->t.u.n; i++)
        covered += c->covered[i];
    return xasprintf("%ld %ld %ld %ld", c->rows_in, c->rows_mapped, c->rows_unmatched, covered);
}

/* 1 when got equals want (both NaN, or within 1e-9); cannot fail. */
static int same_value(double got, double want)
{
    return isnan(want) ? isnan(got) : !isnan(got) && fabs(got - want) < 1e-9;
}

/* Checks measure name at occupation occ: value want ("none": no value) and
 * match kind; prints what differs under label and returns 0, else 1. */
static int check_value(fixture *f, const char *label, const char *name, const char *occ,
                       const char *want, const char *match)
{
    tf_measure *m = tf_measure_find(&f->t, name);
    long i = universe_find(&f->t.u, occ);
    if (!m || i < 0) {
        print_error("%s: no measure %s or no occupation %s in the fixture\n", label, name, occ);
        return 0;
    }
    double w = !strcmp(want, "none") ? NAN : strtod(want, NULL);
    const char *got_match = match_names[m->match[i]];
    if (same_value(m->value[i], w) && !strcmp(got_match, match))
        return 1;
    print_error("%s: %s at %s: expected %s (%s), got %.12g (%s)\n", label, name, occ, want,
                match, m->value[i], got_match);
    return 0;
}

/* Compares a got text with the expected one; prints both under label and
 * returns 0 when they differ, else 1. */
static int check_text(const char *label, const char *what, const char *got, const char *want)
{
    if (!strcmp(got, want))
        return 1;
    print_error("%s: %s: expected '%s', got '%s'\n", label, what, want, got);
    return 0;
}

/* ------------------------------------------------------------ the case file */

/* Splits line on '|' into exactly n trimmed fields; fails the test else. */
static void split_fields(char *line, char **field, int n, int cases)
{
    char *p = line;
    for (int k = 0; k < n; k++) {
        char *bar = k < n - 1 ? strchr(p, '|') : NULL;
        if (k < n - 1 && !bar)
            fail_msg("measure_rules.txt case %d: expected %d fields separated by '|'", cases, n);
        if (bar)
            *bar = '\0';
        field[k] = str_trim(p);
        if (bar)
            p = bar + 1;
    }
    if (strchr(field[n - 1], '|'))
        fail_msg("measure_rules.txt case %d: more than %d fields", cases, n);
}

/* The unmatched field with each entry trimmed, joined by "; "; malloc'd. */
static char *normalise_unmatched(char *s)
{
    char *text = NULL, *save = NULL;
    for (char *tok = strtok_r(s, ";", &save); tok; tok = strtok_r(NULL, ";", &save)) {
        char *more = xasprintf("%s%s%s", text ? text : "", text ? "; " : "", str_trim(tok));
        free(text);
        text = more;
    }
    return text ? text : xstrdup("-");
}

/* Runs one case of measure_rules.txt (its line in line); returns 1 if it
 * passed, printing what differs otherwise. */
static int run_rule_case(char *line, int cases)
{
    char *field[7];
    split_fields(line, field, 7, cases);
    char label[160];
    snprintf(label, sizeof label, "case %d (%s | %s)", cases, field[0], field[1]);

    row_in rows[32];
    size_t n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(field[1], " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq || n == COUNT(rows))
            fail_msg("%s: staged row '%s' is not code=value (or too many rows)", label, tok);
        *eq = '\0';
        rows[n++] = (row_in){tok, eq + 1, NULL};
    }

    fixture f;
    fixture_open(&f, field[0], 1);
    stage_cases(&f, rows, n);
    int ok = 1;
    int rc = tf_measures(&f.t);
    if (rc != OS_OK) {
        print_error("%s: tf_measures failed (%d): %s\n", label, rc, os_last_error());
        ok = 0;
    }
    save = NULL;
    for (char *occ = strtok_r(field[2], " ", &save); ok && occ;
         occ = strtok_r(NULL, " ", &save))
        ok &= check_value(&f, label, "m_a", occ, field[3], field[4]);
    char *counts = counts_text(&f), *got = unmatched_text(&f);
    char *want = normalise_unmatched(field[6]);
    if (ok) {
        ok &= check_text(label, "counts (in mapped unmatched covered)", counts, field[5]);
        ok &= check_text(label, "unmatched rows", got, want);
    }
    free(counts), free(got), free(want);
    fixture_close(&f);
    return ok;
}

/* Every case of measure_rules.txt, reporting each failing one. */
static void test_rule_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("measure_rules.txt");
    char line[1024];
    int cases = 0, failed = 0;
    int rules[5] = {0};
    const char *names[] = {"onet2019", "onet2010", "soc2018", "soc2010"};
    while (tu_case_line(f, line, sizeof line)) {
        cases++;
        for (int k = 0; k < 4; k++)
            if (!strncmp(line, names[k], strlen(names[k])))
                rules[k]++;
        failed += !run_rule_case(line, cases);
    }
    fclose(f);
    if (failed)
        fail_msg("%d of %d measure_rules.txt cases failed", failed, cases);
    for (int k = 0; k < 4; k++)
        if (rules[k] < 3)
            fail_msg("measure_rules.txt has %d cases of rule %s (expected at least 3)", rules[k],
                     names[k]);
    assert_true(cases >= 30);
}

/* ------------------------------------------------------------ errors */

/* A table whose rows should fail tf_measures with OS_EDATA and a message. */
typedef struct {
    const char *codes;
    row_in rows[4];
    size_t n;
    const char *message;
} error_case;

/* Runs each error case; fails on the first whose result or message differs. */
static void run_error_cases(const error_case *ec, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        fixture f;
        fixture_open(&f, ec[k].codes, 1);
        stage_cases(&f, ec[k].rows, ec[k].n);
        int rc = tf_measures(&f.t);
        char *msg = xstrdup(os_last_error());
        fixture_close(&f);
        if (rc != OS_EDATA)
            fail_msg("error case %zu (%s): expected OS_EDATA, got %d (%s)", k + 1, ec[k].codes,
                     rc, msg);
        if (strcmp(msg, ec[k].message))
            fail_msg("error case %zu (%s): expected '%s', got '%s'", k + 1, ec[k].codes,
                     ec[k].message, msg);
        free(msg);
    }
}

/* A repeated code (in any spelling) is OS_EDATA naming table, file, both
 * rows and the code. */
static void test_repeated_code(void **state)
{
    (void)state;
    static const error_case ec[] = {
        {"onet2019",
         {{"27-4014.00", "0.1", NULL}, {"15-1252.00", "0.2", NULL}, {"27-4014", "0.3", NULL}},
         3,
         "cases: cases.csv row 4: 27-4014.00 appears twice (also row 2)"},
        {"onet2010",
         {{"15-1132.00", "0.1", NULL}, {"15-1132.00", "-", NULL}},
         2,
         "cases: cases.csv row 3: 15-1132.00 appears twice (also row 2)"},
        {"soc2018",
         {{"27-4014", "0.1", NULL}, {"11-1011", "0.2", NULL}, {"274014", "0.3", NULL}},
         3,
         "cases: cases.csv row 4: 27-4014 appears twice (also row 2)"},
        {"soc2010",
         {{"13-2011", "0.1", NULL}, {"15-1132", "0.2", NULL}, {"15.1132", "0.3", NULL}},
         3,
         "cases: cases.csv row 4: 15-1132 appears twice (also row 3)"},
    };
    run_error_cases(ec, COUNT(ec));
}

/* A code that is not of the rule's system is OS_EDATA naming table, file,
 * row and the value as written. */
static void test_bad_code(void **state)
{
    (void)state;
    static const error_case ec[] = {
        {"onet2019",
         {{"27-4014.00", "0.1", NULL}, {"27-40x4", "0.2", NULL}},
         2,
         "cases: cases.csv row 3: '27-40x4' is not an O*NET-SOC code"},
        {"onet2010",
         {{"15-1132.00", "0.1", NULL}, {"15-1133", "0.2", NULL}},
         2,
         "cases: cases.csv row 3: '15-1133' is not an O*NET-SOC 2010 code"},
        {"soc2018",
         {{"27-4014", "0.1", NULL}, {"11-1011.03", "0.2", NULL}},
         2,
         "cases: cases.csv row 3: '11-1011.03' is not a SOC 2018 code"},
        {"soc2010",
         {{"13-2011", "0.1", NULL}, {NULL, "0.2", NULL}},
         2,
         "cases: cases.csv row 3: '' is not a SOC 2010 code"},
    };
    run_error_cases(ec, COUNT(ec));
}

/* ------------------------------------------------------------ two measures */

/* Both measures m_a and m_b of one table: the rows, then one occupation's
 * expected values and matches, the coverage counts and the unmatched rows. */
typedef struct {
    const char *codes;
    row_in rows[4];
    size_t n;
    const char *occ, *a, *match_a, *b, *match_b;
    const char *counts;    /* "in mapped unmatched covered" */
    const char *unmatched; /* as unmatched_text writes it */
} pair_case;

/* Runs each pair case with both measures configured on the table. */
static void run_pair_cases(const pair_case *pc, size_t n)
{
    int failed = 0;
    for (size_t k = 0; k < n; k++) {
        char label[64];
        snprintf(label, sizeof label, "pair case %zu (%s)", k + 1, pc[k].codes);
        fixture f;
        fixture_open(&f, pc[k].codes, 3);
        stage_cases(&f, pc[k].rows, pc[k].n);
        int rc = tf_measures(&f.t), ok = 1;
        if (rc != OS_OK) {
            print_error("%s: tf_measures failed (%d): %s\n", label, rc, os_last_error());
            ok = 0;
        }
        if (ok && f.t.nmeas != 2) {
            print_error("%s: %zu measures built, expected 2\n", label, f.t.nmeas);
            ok = 0;
        }
        if (ok) {
            ok &= check_value(&f, label, "m_a", pc[k].occ, pc[k].a, pc[k].match_a);
            ok &= check_value(&f, label, "m_b", pc[k].occ, pc[k].b, pc[k].match_b);
            char *counts = counts_text(&f), *got = unmatched_text(&f);
            ok &= check_text(label, "counts (in mapped unmatched covered)", counts,
                             pc[k].counts);
            ok &= check_text(label, "unmatched rows", got, pc[k].unmatched);
            free(counts), free(got);
        }
        fixture_close(&f);
        failed += !ok;
    }
    if (failed)
        fail_msg("%d of %zu pair cases failed", failed, n);
}

/* Two measures of one table are read in one pass: one coverage record,
 * each row counted once in rows_in and listed at most once. */
static void test_two_measures_one_pass(void **state)
{
    (void)state;
    static const pair_case pc[] = {
        /* 3 rows in (not 6); 55-3016.01 listed once for both measures */
        {"onet2019",
         {{"27-4014.00", "0.1", "0.2"}, {"15-1252.00", "0.3", "0.4"}, {"55-3016.01", "0.5", "0.6"}},
         3, "27-4014.00", "0.1", "exact", "0.2", "exact", "3 2 1 2",
         "row 4 55-3016.01: not an occupation of the O*NET release"},
        /* merge per column: a = (1 + 3) / 2 = 2, b = (2 + 6) / 2 = 4 */
        {"soc2010",
         {{"15-1132", "1", "2"}, {"15-1133", "3", "6"}, {"11-1011", "5", "5"}},
         3, "15-1252.00", "2", "crosswalk", "4", "crosswalk", "3 2 1 1",
         "row 4 11-1011: not an origin in the SOC 2010 to 2018 crosswalk"},
        /* own SOC code for both columns */
        {"soc2018",
         {{"11-1011", "0.3", "0.7"}, {"27-4014", "0.1", "0.2"}},
         2, "11-1011.03", "0.3", "soc", "0.7", "soc", "2 2 0 3", "-"},
    };
    run_pair_cases(pc, COUNT(pc));
}

/* A row with a value in only one of the two columns gives that measure a
 * value and leaves the other without; a row with neither is listed. */
static void test_partial_rows(void **state)
{
    (void)state;
    static const pair_case pc[] = {
        {"onet2019",
         {{"27-4014.00", "0.1", "-"}, {"15-1252.00", "-", "-"}},
         2, "27-4014.00", "0.1", "exact", "none", "none", "2 1 1 1",
         "row 3 15-1252.00: no values in the row"},
        /* a = (1 + 3) / 2 = 2; b has only 15-1133.00's 4: 4 / 1 = 4 */
        {"onet2010",
         {{"15-1132.00", "1", "-"}, {"15-1133.00", "3", "4"}, {"29-1069.00", "-", "nan"}},
         3, "15-1252.00", "2", "crosswalk", "4", "crosswalk", "3 2 1 1",
         "row 4 29-1069.00: no values in the row"},
        {"soc2018",
         {{"27-4014", "-", "0.7"}, {"11-1011", "-", "-"}},
         2, "27-4014.00", "none", "none", "0.7", "soc", "2 1 1 1",
         "row 3 11-1011: no values in the row"},
        /* a split of a only: 15-1254 and 15-1255 both 0.9 */
        {"soc2010",
         {{"15-1134", "0.9", "-"}},
         1, "15-1255.00", "0.9", "crosswalk", "none", "none", "1 1 0 2", "-"},
    };
    run_pair_cases(pc, COUNT(pc));
}

/* ------------------------------------------------------------ one table, several measures */

/* With codes = soc2018 each measure takes rows on its own: rows 11-1011 (a
 * 0.3, b empty) and the broad group 11-1010 (a 0.1, b 0.2) give m_b at
 * 11-1011.00 the broad group's 0.2 (aggregate) whether m_b is read alone or
 * with m_a (which has a value in 11-1011's own row). Reading measures
 * together must not change them. */
static void test_soc2018_each_measure_on_its_own(void **state)
{
    (void)state;
    static const row_in rows[] = {{"11-1011", "0.3", "-"}, {"11-1010", "0.1", "0.2"}};
    double value[2];
    unsigned char match[2];
    for (int pass = 0; pass < 2; pass++) {
        fixture f;
        fixture_open(&f, "soc2018", pass == 0 ? 2 : 3); /* m_b alone, then with m_a */
        stage_cases(&f, rows, COUNT(rows));
        if (tf_measures(&f.t) != OS_OK)
            fail_msg("tf_measures: %s", os_last_error());
        tf_measure *m = tf_measure_find(&f.t, "m_b");
        long i = universe_find(&f.t.u, "11-1011.00");
        assert_non_null(m);
        assert_true(i >= 0);
        value[pass] = m->value[i];
        match[pass] = m->match[i];
        fixture_close(&f);
    }
    if (!same_value(value[1], value[0]) || match[0] != match[1])
        fail_msg("m_b at 11-1011.00 is %g (%s) read alone but %g (%s) read with m_a",
                 value[0], match_names[match[0]], value[1], match_names[match[1]]);
    assert_true(same_value(value[0], 0.2));
    assert_int_equal(match[0], MATCH_AGGREGATE);
}

static int group_setup(void **state)
{
    (void)state;
    return tu_tmpdir_setup("measure_map");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rule_cases),
        cmocka_unit_test(test_repeated_code),
        cmocka_unit_test(test_bad_code),
        cmocka_unit_test(test_two_measures_one_pass),
        cmocka_unit_test(test_partial_rows),
        cmocka_unit_test(test_soc2018_each_measure_on_its_own),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
