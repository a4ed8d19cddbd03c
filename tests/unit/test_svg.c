/* test_svg.c - table-driven tests of the site's charts (read/svg.h): where 0, 50 and 100 land, and what a missing value draws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "read/svg.h"
#include "tests/unit/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses up to max numbers ("nan" for a missing one) from s into v; returns how many. */
static int numbers(const char *s, double *v, int max)
{
    int n = 0;
    char *end;
    while (n < max) {
        while (*s == ' ')
            s++;
        if (!*s || *s == '|')
            break;
        if (!strncmp(s, "nan", 3)) {
            v[n++] = NAN;
            s += 3;
            continue;
        }
        v[n++] = strtod(s, &end);
        assert_true(end != s);
        s = end;
    }
    return n;
}

/* The chart of the case, drawn into a new string (the caller frees). */
static char *draw(const char *chart, const double *v, int n)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (!strcmp(chart, "percentiles")) {
        svg_bar b = {"Measure <&>", v[0], isfinite(v[0]) ? "some words" : NULL};
        svg_percentiles(f, "c", "Title", &b, 1);
    } else if (!strcmp(chart, "wages")) {
        assert_int_equal(n, 5);
        svg_wages(f, "c", "Title", v, NULL);
    } else if (!strcmp(chart, "employment")) {
        assert_int_equal(n, 2);
        svg_employment(f, "c", "Title", v[0], v[1], "2024", "2034", NULL);
    } else {
        assert_string_equal(chart, "stacked");
        assert_int_equal(n, 4);
        svg_part p[4] = {{"A", v[0]}, {"B", v[1]}, {"C", v[2]}, {"D", v[3]}};
        svg_stacked(f, "c", "Title", p, 4, NULL);
    }
    fclose(f);
    return buf;
}

/* The value of attribute attr in the first element of svg starting with
 * tag (e.g. "<rect class=\"bar"), as text in out; 0 when there is none. */
static int attr_of(const char *svg, const char *tag, const char *attr, char *out, size_t size)
{
    const char *e = strstr(svg, tag);
    if (!e)
        return 0;
    char key[32];
    snprintf(key, sizeof key, " %s=\"", attr);
    const char *a = strstr(e, key), *close = strchr(e, '>');
    if (!a || a > close)
        return 0;
    a += strlen(key);
    size_t n = strcspn(a, "\"");
    snprintf(out, size, "%.*s", (int)(n < size ? n : size - 1), a);
    return 1;
}

/* How many times needle occurs in s. */
static int count(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* Checks one case's check against its chart. */
static void run_case(const char *chart, const char *svg, const char *check, const char *want)
{
    char got[128] = "";
    if (!strcmp(check, "bar-x") || !strcmp(check, "bar-width")) {
        assert_true(attr_of(svg, "<rect class=\"bar", check + 4, got, sizeof got));
    } else if (!strcmp(check, "median-x")) {
        assert_true(attr_of(svg, "<line class=\"median\"", "x1", got, sizeof got));
    } else if (!strcmp(check, "bars")) {
        snprintf(got, sizeof got, "%d", count(svg, "<rect class=\"bar"));
    } else if (!strcmp(check, "medians")) {
        snprintf(got, sizeof got, "%d", count(svg, "<line class=\"median\""));
    } else if (!strncmp(check, "part-", 5)) {
        char tag[48];
        snprintf(tag, sizeof tag, "<rect class=\"part %s\"", check);
        assert_true(attr_of(svg, tag, "width", got, sizeof got));
    } else {
        assert_string_equal(check, "says");
        if (!strstr(svg, want))
            fail_msg("%s chart does not say \"%s\":\n%s", chart, want, svg);
        return;
    }
    if (strcmp(got, want))
        fail_msg("%s %s: got %s, expected %s", chart, check, got, want);
}

static void test_chart_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("svg_charts.txt");
    char line[512];
    int cases = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *chart = strtok(line, "|"), *inputs = strtok(NULL, "|"), *check = strtok(NULL, "|"),
             *want = strtok(NULL, "");
        assert_non_null(want);
        while (*chart == ' ') chart++;
        chart[strcspn(chart, " ")] = '\0';
        while (*check == ' ') check++;
        check[strcspn(check, " ")] = '\0';
        while (*want == ' ') want++;
        double v[8];
        int n = numbers(inputs, v, 8);
        char *svg = draw(chart, v, n);
        run_case(chart, svg, check, want);
        free(svg);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 25);
}

/* Fails unless svg holds every string of want (n of them). */
static void assert_has_all(const char *svg, const char *const *want, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strstr(svg, want[i]))
            fail_msg("no \"%s\" in:\n%s", want[i], svg);
}

/* Every chart names itself, points at its text equivalent and escapes data. */
static void test_chart_frame(void **state)
{
    (void)state;
    static const char *const want[] = {
        "<figure class=\"chart\" id=\"c\">", "role=\"img\" aria-describedby=\"c-text\"",
        "<title>Title</title>", "<figcaption id=\"c-text\">Measure &lt;&amp;&gt;: some words"};
    double v[5] = {1, 2, 3, 4, 5};
    char *svg = draw("percentiles", v, 1);
    assert_has_all(svg, want, sizeof want / sizeof *want);
    assert_null(strstr(svg, "<&>"));
    free(svg);
}

/* The overview: a dot per point with x and y, the rest counted in words:
 * A at x 0 (the plot's left edge, 90) and the top wage (y 20), the largest
 * dot; B at 100 and half way. */
static void test_scatter(void **state)
{
    (void)state;
    static const char *const want[] = {
        "<title>A &quot;quoted&quot;: words</title>", "2 occupations drawn",
        "2 without a composite percentile or a median annual wage are not drawn",
        "cx=\"90.0\" cy=\"20.0\" r=\"12.0\"", "cx=\"750.0\" cy=\"190.0\""};
    svg_point p[] = {{"A \"quoted\"", "words", 0, 100, 10},
                     {"B", NULL, 100, 50, 1},
                     {"C", NULL, NAN, 10, 1},
                     {"D", NULL, 50, NAN, 1}};
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    svg_scatter(f, "s", "Overview", p, 4);
    fclose(f);
    assert_int_equal(count(buf, "<circle class=\"dot\""), 2);
    assert_has_all(buf, want, sizeof want / sizeof *want);
    free(buf);
}

typedef struct {
    double v, want;
} nice_case;

static void test_nice_max(void **state)
{
    (void)state;
    static const nice_case cases[] = {{100, 100},       {16.9, 20},   {137370, 150000},
                                      {559030, 600000}, {0, 1},       {NAN, 1},
                                      {1, 1},           {101, 120},   {0.3, 0.3}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_float_equal(svg_nice_max(cases[i].v), cases[i].want, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chart_cases),
        cmocka_unit_test(test_chart_frame),
        cmocka_unit_test(test_scatter),
        cmocka_unit_test(test_nice_max),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
