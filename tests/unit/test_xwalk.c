/* test_xwalk.c - table-driven tests of xwalk_mean (tests/cases/crosswalk.txt) and a random cross-check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "transform/mapping.h"
#include "transform/xwalk.h"
#include "tests/unit/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXN 64

/* Splits s on blanks into at most max tokens; "-" alone is an empty list. */
static size_t tokens(char *s, char **out, size_t max)
{
    size_t n = 0;
    for (char *tok = strtok(s, " \t"); tok; tok = strtok(NULL, " \t")) {
        if (!strcmp(tok, "-") && n == 0)
            continue;
        if (n == max)
            fail_msg("more than %zu entries in a field", max);
        out[n++] = tok;
    }
    return n;
}

/* Splits "key<sep>rest" in place; returns rest, or fails the test. */
static char *split_at(char *tok, char sep, const char *what)
{
    char *p = strchr(tok, sep);
    if (!p)
        fail_msg("%s: '%s' lacks '%c'", what, tok, sep);
    *p = '\0';
    return p + 1;
}

static int status_code(const char *s)
{
    if (!strcmp(s, "mapped"))
        return XW_MAPPED;
    if (!strcmp(s, "no_value"))
        return XW_NO_VALUE;
    if (!strcmp(s, "no_origin"))
        return XW_NO_ORIGIN;
    fail_msg("unknown status '%s'", s);
    return -1;
}

/* Runs one case line (fields already split); name labels failures. */
static void run_case(const char *name, char *pairs_f, char *values_f, char *expect_f,
                     char *status_f)
{
    char *pairs[MAXN], *vals[MAXN], *expect[MAXN], *stat[MAXN];
    size_t np = tokens(pairs_f, pairs, MAXN), nv = tokens(values_f, vals, MAXN);
    size_t ne = tokens(expect_f, expect, MAXN), ns = tokens(status_f, stat, MAXN);
    if (ns != nv)
        fail_msg("%s: %zu origins but %zu statuses", name, nv, ns);

    codemap xw;
    codemap_init(&xw);
    for (size_t k = 0; k < np; k++) {
        char *target = split_at(pairs[k], '>', name);
        codemap_add(&xw, pairs[k], target);
    }
    const char *origin[MAXN];
    double value[MAXN];
    for (size_t k = 0; k < nv; k++) {
        char *v = split_at(vals[k], '=', name);
        origin[k] = vals[k];
        value[k] = !strcmp(v, "nan") ? NAN : strtod(v, NULL);
    }

    unsigned char status[MAXN];
    xwalk_values out;
    size_t mapped = xwalk_mean(&xw, origin, value, nv, status, &out);

    size_t want_mapped = 0;
    for (size_t k = 0; k < nv; k++) {
        int want = status_code(stat[k]);
        if (status[k] != want)
            fail_msg("%s: origin %s: status %d, expected %s", name, origin[k], status[k],
                     stat[k]);
        want_mapped += want == XW_MAPPED;
    }
    if (mapped != want_mapped)
        fail_msg("%s: %zu origins mapped, expected %zu", name, mapped, want_mapped);

    if (out.n != ne)
        fail_msg("%s: %zu targets got a value, expected %zu", name, out.n, ne);
    for (size_t k = 0; k < ne; k++) {
        char *v = split_at(expect[k], '=', name);
        char *slash = strchr(v, '/');
        int norig = -1;
        if (slash) {
            *slash = '\0';
            norig = atoi(slash + 1);
        }
        double want = strtod(v, NULL), got = xwalk_value(&out, expect[k]);
        if (isnan(got))
            fail_msg("%s: target %s got no value, expected %.17g", name, expect[k], want);
        if (fabs(got - want) > 1e-12)
            fail_msg("%s: target %s: %.17g, expected %.17g", name, expect[k], got, want);
        long j;
        assert_true(strmap_get(out.index, expect[k], &j));
        assert_string_equal(out.code[j], expect[k]);
        if (norig >= 0 && out.norigins[j] != norig)
            fail_msg("%s: target %s has %d origins, expected %d", name, expect[k],
                     out.norigins[j], norig);
    }
    xwalk_values_free(&out);
    codemap_free(&xw);
}

static void test_crosswalk_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("crosswalk.txt");
    char line[4096], name[512] = "";
    int cases = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        line[strcspn(line, "\n")] = '\0';
        if (!line[0]) {
            name[0] = '\0';
            continue;
        }
        if (line[0] == '#') {
            snprintf(name, sizeof name, "%s", line + 1 + (line[1] == ' '));
            continue;
        }
        char *f1 = strchr(line, '|'), *f2 = f1 ? strchr(f1 + 1, '|') : NULL;
        char *f3 = f2 ? strchr(f2 + 1, '|') : NULL;
        if (!f3 || strchr(f3 + 1, '|'))
            fail_msg("crosswalk.txt line %d: expected four fields split by '|'", lineno);
        *f1 = *f2 = *f3 = '\0';
        char label[600];
        snprintf(label, sizeof label, "crosswalk.txt line %d (%s)", lineno, name);
        run_case(label, line, f1 + 1, f2 + 1, f3 + 1);
        name[0] = '\0';
        cases++;
    }
    fclose(f);
    assert_true(cases >= 15);
}

/* Random crosswalks checked against a brute-force mean over all pairs; the
 * status array may be NULL, and an absent target reads as NaN. */
static void test_random_against_brute_force(void **state)
{
    (void)state;
    enum { NO = 300, NT = 120, NPAIR = 500 };
    static char ocode[NO][12], tcode[NT][12];
    static int pair_o[NPAIR], pair_t[NPAIR];
    static double value[NO];
    const char *origin[NO];
    srand(4242);
    for (int round = 0; round < 20; round++) {
        codemap xw;
        codemap_init(&xw);
        for (int k = 0; k < NO; k++) {
            snprintf(ocode[k], sizeof ocode[k], "o%d", k);
            origin[k] = ocode[k];
            value[k] = rand() % 7 == 0 ? NAN : (double)(rand() % 1000) / 37.0 - 9;
        }
        for (int k = 0; k < NT; k++)
            snprintf(tcode[k], sizeof tcode[k], "t%d", k);
        /* origins >= NO/2 are never in the crosswalk; pairs may repeat */
        for (int p = 0; p < NPAIR; p++) {
            pair_o[p] = rand() % (NO / 2);
            pair_t[p] = rand() % NT;
            codemap_add(&xw, ocode[pair_o[p]], tcode[pair_t[p]]);
        }
        xwalk_values out;
        size_t mapped = xwalk_mean(&xw, origin, value, NO, NULL, &out);
        size_t want_mapped = 0;
        for (int k = 0; k < NO; k++)
            want_mapped += !isnan(value[k]) && codemap_first(&xw, ocode[k]) >= 0;
        assert_int_equal(mapped, want_mapped);
        for (int t = 0; t < NT; t++) {
            /* distinct origins of t with a value, by brute force */
            double sum = 0;
            int cnt = 0;
            for (int k = 0; k < NO; k++) {
                int linked = 0;
                for (int p = 0; p < NPAIR && !linked; p++)
                    linked = pair_o[p] == k && pair_t[p] == t;
                if (linked && !isnan(value[k])) {
                    sum += value[k];
                    cnt++;
                }
            }
            double got = xwalk_value(&out, tcode[t]);
            if (cnt == 0)
                assert_true(isnan(got));
            else if (fabs(got - sum / cnt) > 1e-9)
                fail_msg("round %d target %s: %.17g, expected %.17g", round, tcode[t], got,
                         sum / cnt);
        }
        xwalk_values_free(&out);
        codemap_free(&xw);
    }
}

/* A zeroed result reads as empty and frees safely. */
static void test_empty_result(void **state)
{
    (void)state;
    xwalk_values v;
    memset(&v, 0, sizeof v);
    assert_true(isnan(xwalk_value(&v, "15-1252")));
    xwalk_values_free(&v);
    xwalk_values_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crosswalk_cases),
        cmocka_unit_test(test_random_against_brute_force),
        cmocka_unit_test(test_empty_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
