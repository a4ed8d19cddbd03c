/* test_mapping.c - table-driven tests for code parsing, percentiles and code maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/util.h"
#include "transform/context.h"
#include "transform/mapping.h"
#include "transform/occode.h"
#include "transform/percentile.h"
#include "tests/unit/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes \t, \", \\ and \xHH escapes of a case-file field in place. */
static void unescape(char *s)
{
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] != '\\' || !r[1]) {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == 't')
            *w++ = '\t';
        else if (*r == 'x' && r[1] && r[2]) {
            char hx[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hx, NULL, 16);
            r += 2;
        } else
            *w++ = *r;
    }
    *w = '\0';
}

static void test_occode_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("occode.tsv");
    char line[512];
    int n = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *tab = strchr(line, '\t');
        assert_non_null(tab);
        *tab = '\0';
        char *input = line, *expected = tab + 1;
        unescape(input);
        occode oc;
        int rc = occode_parse(input, &oc);
        if (!strcmp(expected, "reject")) {
            if (rc != -1)
                fail_msg("case %d: '%s' should be rejected, parsed as %s", n + 1, input, oc.onet);
        } else {
            char soc[16], onet[16];
            int suffix;
            assert_int_equal(sscanf(expected, "%15s %15s %d", soc, onet, &suffix), 3);
            if (rc != 0)
                fail_msg("case %d: '%s' should parse as %s", n + 1, input, onet);
            assert_string_equal(oc.soc, soc);
            assert_string_equal(oc.onet, onet);
            assert_int_equal(oc.suffix, suffix);
        }
        n++;
    }
    fclose(f);
    assert_true(n >= 20);
}

static size_t parse_list(char *s, double *out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, " "); tok && n < max; tok = strtok(NULL, " "))
        out[n++] = !strcmp(tok, "nan") ? NAN : strtod(tok, NULL);
    return n;
}

static void test_percentile_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("percentile.txt");
    char line[512];
    int cases = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *bar1 = strchr(line, '|'), *bar2 = bar1 ? strchr(bar1 + 1, '|') : NULL;
        assert_non_null(bar2);
        *bar1 = *bar2 = '\0';
        double v[32], w[32], want[32], got[32];
        size_t n = parse_list(line, v, 32);
        char *wf = bar1 + 1;
        while (*wf == ' ')
            wf++;
        int weighted = strncmp(wf, "- ", 2) != 0;
        if (weighted)
            assert_int_equal(parse_list(bar1 + 1, w, 32), n);
        assert_int_equal(parse_list(bar2 + 1, want, 32), n);
        size_t ranked = weighted ? pct_midrank_weighted(v, w, n, got) : pct_midrank(v, n, got);
        size_t expect_ranked = 0;
        for (size_t i = 0; i < n; i++) {
            if (isnan(want[i])) {
                if (!isnan(got[i]))
                    fail_msg("case %d entry %zu: expected no percentile, got %g", cases + 1, i,
                             got[i]);
                continue;
            }
            expect_ranked++;
            if (fabs(got[i] - want[i]) > 1e-9)
                fail_msg("case %d entry %zu: expected %.12g, got %.12g", cases + 1, i, want[i],
                         got[i]);
        }
        assert_int_equal(ranked, expect_ranked);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 10);
}

/* Larger property check: random values with many ties; percentiles lie in
 * (0, 100), equal values share one, and larger values never rank lower. */
static void test_percentile_properties(void **state)
{
    (void)state;
    enum { N = 2000 };
    static double v[N], p[N];
    srand(12345);
    for (int i = 0; i < N; i++)
        v[i] = (double)(rand() % 97) / 7.0;
    assert_int_equal(pct_midrank(v, N, p), N);
    for (int i = 0; i < N; i++) {
        assert_true(p[i] > 0 && p[i] < 100);
        for (int j = 0; j < 50; j++) {
            int k = rand() % N;
            if (v[k] == v[i])
                assert_true(p[k] == p[i]);
            else if (v[k] > v[i])
                assert_true(p[k] > p[i]);
        }
    }
}

static void test_universe_and_soc_chain(void **state)
{
    (void)state;
    universe u;
    universe_init(&u);
    assert_int_equal(universe_add(&u, "11-1011.00", "11-1011"), 0);
    assert_int_equal(universe_add(&u, "11-1011.03", "11-1011"), 1);
    assert_int_equal(universe_add(&u, "27-4014.00", "27-4014"), 2);
    assert_int_equal(universe_add(&u, "11-1011.00", "11-1011"), -1); /* duplicate */
    assert_int_equal(universe_find(&u, "11-1011.03"), 1);
    assert_int_equal(universe_find(&u, "11-1011.01"), -1);
    long i = universe_soc_first(&u, "11-1011");
    assert_int_equal(i, 0);
    assert_int_equal(u.soc_next[i], 1);
    assert_int_equal(u.soc_next[1], -1);
    assert_int_equal(universe_soc_first(&u, "99-9999"), -1);
    universe_free(&u);
}

static void test_codemap_merge_and_split(void **state)
{
    (void)state;
    codemap m;
    codemap_init(&m);
    /* split: one origin, two targets; merge: two origins, one target */
    codemap_add(&m, "15-1132.00", "15-1252.00");
    codemap_add(&m, "15-1133.00", "15-1252.00");
    codemap_add(&m, "29-1069.00", "29-1229.01");
    codemap_add(&m, "29-1069.00", "29-1229.02");
    codemap_add(&m, "29-1069.00", "29-1229.02"); /* repeated pair ignored */
    int count = 0;
    for (long k = codemap_first(&m, "29-1069.00"); k >= 0; k = m.next[k])
        count++;
    assert_int_equal(count, 2);
    assert_string_equal(m.target[codemap_first(&m, "15-1133.00")], "15-1252.00");
    assert_int_equal(codemap_first(&m, "00-0000.00"), -1);
    codemap_free(&m);
}

/* tf_take_rows on a one-occupation universe per case of aggregate.txt. */
static void test_aggregate_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("aggregate.txt");
    char line[512];
    int cases = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *field[4];
        char *p = line;
        for (int k = 0; k < 4; k++) {
            field[k] = p;
            char *bar = strchr(p, '|');
            if (bar)
                *bar = '\0', p = bar + 1;
            else
                assert_int_equal(k, 3);
            str_trim(field[k]);
        }
        tf t;
        memset(&t, 0, sizeof t);
        universe_init(&t.u);
        t.nem_of = strmap_new();
        occode oc;
        assert_int_equal(occode_parse(field[0], &oc), 0);
        universe_add(&t.u, oc.onet, oc.soc);
        char *nem = field[2];
        if (strcmp(nem, "-")) {
            t.nem_code = &nem;
            t.nnem = 1;
            strmap_put(t.nem_of, oc.onet, 0);
        }
        strmap *by_code = strmap_new();
        char *codes[16];
        long nc = 0;
        for (char *tok = strtok(field[1], " "); tok && nc < 16; tok = strtok(NULL, " ")) {
            codes[nc] = tok;
            strmap_put(by_code, tok, nc++);
        }
        long take;
        unsigned char how;
        tf_take_rows(&t, by_code, &take, &how);
        char got[64];
        if (take < 0)
            snprintf(got, sizeof got, "none");
        else
            snprintf(got, sizeof got, "%s %s", codes[take], match_names[how]);
        if (strcmp(got, field[3]))
            fail_msg("aggregate case %d (%s): expected '%s', got '%s'", cases + 1, field[0],
                     field[3], got);
        strmap_free(by_code);
        strmap_free(t.nem_of);
        universe_free(&t.u);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 8);
}

static void test_broad_group(void **state)
{
    (void)state;
    char b[8];
    occode_broad("13-1021", b);
    assert_string_equal(b, "13-1020");
    occode_broad("21-1011", b);
    assert_string_equal(b, "21-1010");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_occode_cases),
        cmocka_unit_test(test_percentile_cases),
        cmocka_unit_test(test_percentile_properties),
        cmocka_unit_test(test_universe_and_soc_chain),
        cmocka_unit_test(test_codemap_merge_and_split),
        cmocka_unit_test(test_broad_group),
        cmocka_unit_test(test_aggregate_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
