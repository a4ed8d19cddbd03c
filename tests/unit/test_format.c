/* test_format.c - table-driven tests of the page number formats (read/format.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "read/format.h"

#include <stdio.h>
#include <string.h>

typedef struct {
    long n;
    const char *want;
} long_case;

typedef struct {
    double v;
    const char *want;
} double_case;

static const long_case ORDINALS[] = {
    {0, "0th"},     {1, "1st"},     {2, "2nd"},     {3, "3rd"},     {4, "4th"},
    {10, "10th"},   {11, "11th"},   {12, "12th"},   {13, "13th"},   {14, "14th"},
    {21, "21st"},   {22, "22nd"},   {23, "23rd"},   {24, "24th"},   {62, "62nd"},
    {99, "99th"},   {100, "100th"}, {101, "101st"}, {111, "111th"}, {112, "112th"},
    {113, "113th"}, {121, "121st"}, {1002, "1002nd"}};

/* the integer part of pct with its ordinal (DESIGN section 8) */
static const double_case PERCENTILES[] = {
    {62.62, "62nd"}, {62.0, "62nd"}, {0.4, "below the 1st"}, {0.0, "below the 1st"}, {0.999, "below the 1st"}, {1.0, "1st"},  {1.99, "1st"},
    {11.5, "11th"},  {12.9, "12th"}, {13.0, "13th"}, {21.2, "21st"}, {22.7, "22nd"},
    {23.1, "23rd"},  {45.7278481012658, "45th"},     {99.99, "99th"}, {-1, "?"}};

static const long_case GROUPED[] = {
    {0, "0"},         {7, "7"},           {999, "999"},     {1000, "1,000"},
    {13050, "13,050"}, {211850, "211,850"}, {1234567, "1,234,567"}, {-1234, "-1,234"},
    {-999, "-999"}};

static const double_case COUNTS[] = {
    {13050.0, "13,050"}, {9520.4, "9,520"}, {9520.5, "9,521"}, {2199900, "2,199,900"}, {0, "0"}};

static const double_case MONEY[] = {
    {66430, "$66,430"}, {152800, "$152,800"}, {999.5, "$1,000"}, {0, "$0"},
    {239200, "$239,200"}, {1234567.4, "$1,234,567"}, {-50, "-$50"}};

static const double_case MONEY_CENTS[] = {
    {31.94, "$31.94"}, {23.33, "$23.33"}, {7.5, "$7.50"}, {1234.567, "$1,234.57"}, {0, "$0.00"}};

static const double_case THOUSANDS_K[] = {
    {16.9, "16.9k"},     {16.6, "16.6k"},   {1.2, "1.2k"},   {0.3, "0.3k"},  {57.0, "57.0k"},
    {2447.7, "2,447.7k"}, {16.899999999999999, "16.9k"}, {0.04, "0.0k"}, {-0.3, "-0.3k"}};

static const double_case CHANGES[] = {
    {-1.7, "-1.7%"}, {1.8, "+1.8%"}, {0.0, "0.0%"},   {-0.04, "0.0%"}, {0.04, "0.0%"},
    {16.8, "+16.8%"}, {-4.6, "-4.6%"}, {100, "+100.0%"}, {-12.25, "-12.3%"}};

static const double_case SHARES[] = {
    {0.301369863013699, "30%"}, {0.0, "0%"}, {1.0, "100%"}, {0.698630136986301, "70%"},
    {0.125, "13%"}};

/* percents of all conversations, two significant digits, never e-notation */
static const double_case SIG2[] = {
    {0.00749766853320954, "0.0075"}, {0.00338935700816322, "0.0034"},
    {0.00246498691502779, "0.0025"}, {0.00164332461001853, "0.0016"},
    {5.29, "5.3"},  {12.4, "12"},   {0.0001, "0.0001"}, {0.00001234, "0.000012"},
    {0.1, "0.1"},   {0.0999, "0.1"}, {1234, "1200"},     {0, "0"}};

static const double_case DECIMAL2[] = {
    {0.5, "0.5"}, {0.666666666666667, "0.67"}, {1.0, "1"}, {0.25, "0.25"}, {0.001, "0"}};

#define N(a) (sizeof(a) / sizeof *(a))

static void test_ordinals(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(ORDINALS); i++)
        assert_string_equal(fmt_ordinal(buf, sizeof buf, ORDINALS[i].n), ORDINALS[i].want);
}

static void test_percentiles(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(PERCENTILES); i++)
        assert_string_equal(fmt_percentile(buf, sizeof buf, PERCENTILES[i].v),
                            PERCENTILES[i].want);
}

static void test_grouped(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(GROUPED); i++)
        assert_string_equal(fmt_grouped(buf, sizeof buf, GROUPED[i].n), GROUPED[i].want);
    for (size_t i = 0; i < N(COUNTS); i++)
        assert_string_equal(fmt_count(buf, sizeof buf, COUNTS[i].v), COUNTS[i].want);
}

static void test_money(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(MONEY); i++)
        assert_string_equal(fmt_money(buf, sizeof buf, MONEY[i].v), MONEY[i].want);
    for (size_t i = 0; i < N(MONEY_CENTS); i++)
        assert_string_equal(fmt_money_cents(buf, sizeof buf, MONEY_CENTS[i].v),
                            MONEY_CENTS[i].want);
}

static void test_thousands_k(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(THOUSANDS_K); i++)
        assert_string_equal(fmt_thousands_k(buf, sizeof buf, THOUSANDS_K[i].v),
                            THOUSANDS_K[i].want);
}

static void test_changes(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(CHANGES); i++)
        assert_string_equal(fmt_change_pct(buf, sizeof buf, CHANGES[i].v), CHANGES[i].want);
    assert_string_equal(fmt_change_label(-1.7), "Declining");
    assert_string_equal(fmt_change_label(1.8), "Growing");
    assert_string_equal(fmt_change_label(0.0), "No change");
}

static void test_shares_and_sig(void **state)
{
    (void)state;
    char buf[FMT_BUF];
    for (size_t i = 0; i < N(SHARES); i++)
        assert_string_equal(fmt_share(buf, sizeof buf, SHARES[i].v), SHARES[i].want);
    for (size_t i = 0; i < N(SIG2); i++)
        assert_string_equal(fmt_sig(buf, sizeof buf, SIG2[i].v, 2), SIG2[i].want);
    for (size_t i = 0; i < N(DECIMAL2); i++)
        assert_string_equal(fmt_decimal2(buf, sizeof buf, DECIMAL2[i].v), DECIMAL2[i].want);
}

/* shares on one line add up to 100: the largest remainders get the points */
static const struct {
    double f[4];
    size_t n;
    long want[4];
} REMAINDERS[] = {
    {{0.301369863013699, 0.0, 0.698630136986301, 0.0}, 4, {30, 0, 70, 0}},
    {{1.0 / 3, 1.0 / 3, 1.0 / 3, 0}, 3, {34, 33, 33, 0}},
    {{0.335, 0.335, 0.33, 0}, 3, {34, 33, 33, 0}},
    {{0.125, 0.125, 0.125, 0.625}, 4, {13, 13, 12, 62}}, /* ties: the first ones */
    {{0.004, 0.004, 0.992, 0}, 3, {1, 0, 99, 0}},     /* .4 beats .2 */
    {{0.006, 0.006, 0.988, 0}, 3, {1, 0, 99, 0}},
    {{0.5, 0.25, 0, 0}, 2, {50, 25, 0, 0}},       /* they need not add to 1 */
    {{-0.1, 1.1, 0, 0}, 2, {0, 110, 0, 0}},       /* a negative counts as 0 */
};

static void test_largest_remainder(void **state)
{
    (void)state;
    for (size_t i = 0; i < N(REMAINDERS); i++) {
        long got[4] = {0, 0, 0, 0};
        fmt_largest_remainder(REMAINDERS[i].f, REMAINDERS[i].n, got);
        for (size_t k = 0; k < REMAINDERS[i].n; k++)
            assert_int_equal(got[k], REMAINDERS[i].want[k]);
    }
}

/* a buffer too small is cut short and still terminated, as snprintf does */
static void test_small_buffer(void **state)
{
    (void)state;
    char buf[4];
    assert_string_equal(fmt_grouped(buf, sizeof buf, 13050), "13,");
    assert_string_equal(fmt_money(buf, sizeof buf, 66430), "$66");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinals),    cmocka_unit_test(test_percentiles),
        cmocka_unit_test(test_grouped),     cmocka_unit_test(test_money),
        cmocka_unit_test(test_thousands_k), cmocka_unit_test(test_changes),
        cmocka_unit_test(test_shares_and_sig), cmocka_unit_test(test_largest_remainder), cmocka_unit_test(test_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
