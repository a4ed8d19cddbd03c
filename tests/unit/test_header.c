/* test_header.c - unit tests for extract/header.c: table-driven header
 * matching and header-row mapping; every header text is a hand-made literal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "extract/header.h"

#include <string.h>

#define NBSP "\xC2\xA0"
#define EN_DASH "\xE2\x80\x93"
#define EM_DASH "\xE2\x80\x94"

/* ------------------------------------------------------------ header_matches */

/* One row per case: the wanted header, a cell, whether they match and, for a
 * match of a "{year}" header, the year captured (0 = not checked). */
typedef struct {
    const char *want;
    const char *cell;
    int match;
    int year;
} match_case;

static const match_case MATCHES[] = {
    /* exact */
    {"TOT_EMP", "TOT_EMP", 1, 0},
    {"O*NET-SOC Code", "O*NET-SOC Code", 1, 0},
    {"National Employment Matrix Occupational Title",
     "National Employment Matrix Occupational Title", 1, 0},
    /* ASCII case folded, either side */
    {"tot_emp", "TOT_EMP", 1, 0},
    {"O*NET-SOC Code", "o*net-soc CODE", 1, 0},
    {"dv_rating_alpha", "DV_Rating_Alpha", 1, 0},
    /* blanks: around, inside, runs, newlines, tabs, CR */
    {"Title", "  Title  ", 1, 0},
    {"Title", "\tTitle\r\n", 1, 0},
    {"  Title\n", "Title", 1, 0},
    {"O*NET-SOC Code", "O*NET-SOC   Code", 1, 0},
    {"O*NET-SOC Code", "O*NET-SOC\nCode", 1, 0},
    {"O*NET-SOC Code", "O*NET-SOC\r\nCode", 1, 0},
    {"O*NET-SOC Code", "O*NET-SOC\t \n Code", 1, 0},
    {"O*NET-SOC Code", "\n O*NET-SOC \t Code \n", 1, 0},
    {"Incumbents Responding", "Incumbents\n\nResponding", 1, 0},
    /* no-break space (U+00A0) is a blank too */
    {"O*NET-SOC Code", "O*NET-SOC" NBSP "Code", 1, 0},
    {"O*NET-SOC Code", NBSP "O*NET-SOC" NBSP " " NBSP "Code" NBSP, 1, 0},
    {"Task ID", "Task" NBSP "ID", 1, 0},
    /* en and em dashes are '-', on either side */
    {"O*NET-SOC Code", "O*NET" EN_DASH "SOC Code", 1, 0},
    {"O*NET-SOC Code", "O*NET" EM_DASH "SOC Code", 1, 0},
    {"O*NET" EN_DASH "SOC Code", "O*NET-SOC Code", 1, 0},
    {"Change, 2024-34", "Change, 2024" EN_DASH "34", 1, 0},
    {"A - B", "A " EN_DASH "\nB", 1, 0},
    /* {year} captures four digits */
    {"Employment, {year}", "Employment, 2024", 1, 2024},
    {"Employment, {year}", "Employment,\n2034", 1, 2034},
    {"Employment, {year}", "  employment,   2034 \n", 1, 2034},
    {"Employment, {year}", "Employment," NBSP "2024", 1, 2024},
    {"Employment, {year}", "Employment, 1999", 1, 1999},
    {"Employment, {year} (thousands)", "Employment, 2024 (Thousands)", 1, 2024},
    {"Employment, {year} (thousands)", "Employment,\n2024\n(thousands)", 1, 2024},
    {"{year} employment", " 2033 Employment", 1, 2033},
    {"Employment {year}", "Employment 0000", 1, 0},
    /* {year} rejects anything but exactly four digits */
    {"Employment, {year}", "Employment, 20x4", 0, 0},
    {"Employment, {year}", "Employment, 202", 0, 0},
    {"Employment, {year}", "Employment, 20245", 0, 0},
    {"Employment, {year}", "Employment, 2024x", 0, 0},
    {"Employment, {year}", "Employment, 20 24", 0, 0},
    {"Employment, {year}", "Employment, ", 0, 0},
    {"Employment, {year}", "Employment,", 0, 0},
    {"Employment, {year}", "Employment 2024", 0, 0},
    {"Employment, {year}", "Employment, year", 0, 0},
    {"Employment, {year} (thousands)", "Employment, 2024", 0, 0},
    /* "*" matches any run of characters (footnote marks, year ranges) */
    {"Employment, {year}*", "Employment, 2024 [1]", 1, 2024},
    {"Employment, {year}*", "Employment, 2024", 1, 2024},
    {"Employment change, percent, {year}*", "Employment change, percent, 2024" EN_DASH "34", 1, 2024},
    {"Median annual wage, {year}*", "Median annual wage,\n2024(1)", 1, 2024},
    {"*Title", "Job Title", 1, 0},
    {"*Title", "Title", 1, 0},
    {"Title*", "Job Title", 0, 0},
    {"Title*", "Title (1)", 1, 0},
    {"A*B", "AB", 1, 0},
    {"A*B", "a x y b", 1, 0},
    {"A*B", "A x y C", 0, 0},
    {"A*B", "BA", 0, 0},
    {"A*B*C", "A 1 B 2 C", 1, 0},
    {"A*B*C", "A 1 C 2 B", 0, 0},
    {"*", "", 1, 0},
    {"*", "anything at all", 1, 0},
    {"TOT_EMP*", "TOT_EMPX", 1, 0},
    {"Employment, {year}*", "Employment, 202", 0, 0},
    /* so the '*' of "O*NET" is a wildcard too: it still matches itself */
    {"O*NET-SOC Code", "ONET-SOC Code", 1, 0},
    {"O*NET-SOC 2010 Code", "O*NET-SOC 2019 Code", 0, 0},
    /* non-matches: prefixes, suffixes, other words */
    {"TOT_EMP", "TOT_EMPX", 0, 0},
    {"TOT_EMPX", "TOT_EMP", 0, 0},
    {"Title", "Job Title", 0, 0},
    {"Job Title", "Title", 0, 0},
    {"Title", "Titles", 0, 0},
    {"Code", "O*NET-SOC Code", 0, 0},
    {"Title", "", 0, 0},
    {"Title", "   ", 0, 0},
    {"O*NET-SOC Code", "O*NET-SOCCode", 0, 0},
    {"O*NET-SOC Code", "O*NET SOC Code", 0, 0},
    {"O*NET-SOC Code", "O*NET_SOC Code", 0, 0},
    {"A-B", "A - B", 0, 0},
    {"H_MEAN", "A_MEAN", 0, 0},
};

static void test_header_matches_table(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof MATCHES / sizeof MATCHES[0]; i++) {
        const match_case *k = &MATCHES[i];
        int year = -1;
        int got = header_matches(k->want, k->cell, &year);
        int bad = got != k->match;
        if (!bad && k->match && strstr(k->want, "{year}") && year != k->year)
            bad = 1;
        /* Same answer without a year pointer. */
        if (header_matches(k->want, k->cell, NULL) != k->match)
            bad = 1;
        if (bad) {
            print_error("case %zu: header_matches(\"%s\", \"%s\") = %d (year %d), expected %d (year %d)\n",
                        i, k->want, k->cell, got, year, k->match, k->year);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------ header_map_row */

#define MAXW 8

/* One row per case: the row's cells and the wanted headers (NULL-ended), and
 * what header_map_row must fill in and return. */
typedef struct {
    const char *name;
    const char *cells[MAXW + 1];
    const char *want[MAXW + 1];
    int idx[MAXW];
    int years[MAXW];
    size_t found;
} map_case;

static const map_case MAPS[] = {
    {"all found, any order",
     {"OCC_CODE", "OCC_TITLE", "TOT_EMP", "H_MEAN"},
     {"H_MEAN", "OCC_CODE", "TOT_EMP", "OCC_TITLE"},
     {3, 0, 2, 1}, {0, 0, 0, 0}, 4},
    {"missing columns are -1",
     {"O*NET-SOC Code", "Title", "Description"},
     {"Title", "Task ID", "O*NET-SOC Code", "Task"},
     {1, -1, 0, -1}, {0, 0, 0, 0}, 2},
    {"years filled, blanks and case folded",
     {"Occupation title", "Employment,\n2024", "employment, 2034", "Employment change,\n2024" EN_DASH "34"},
     {"Employment, {year}", "Occupation Title", "Employment change, {year}-34"},
     {1, 0, 3}, {2024, 0, 2024}, 3},
    {"two equal {year} headers take the first and the second such cell",
     {"Occupation title", "Employment,\n2024", "Employment, 2034 [1]", "employment, 2034"},
     {"Employment, {year}", "Employment,  {year} "},
     {1, 3}, {2024, 2034}, 2},
    {"a wildcard header takes a cell no earlier header took",
     {"Employment, 2024", "Employment, 2034 [1]", "Median wage, 2024(1)"},
     {"Employment, {year}*", "Median wage*", "Employment, {year}*"},
     {0, 2, 1}, {2024, 0, 2034}, 3},
    {"a banner row matches nothing",
     {"Table 1.2 Employment by detailed occupation, 2024 and projected 2034", "", ""},
     {"OCC_CODE", "Employment, {year}"},
     {-1, -1}, {0, 0}, 0},
    {"an empty row",
     {NULL},
     {"Title"},
     {-1}, {0}, 0},
    {"the first of two equal headers wins",
     {"Title", "TITLE", "Code"},
     {"title", "code"},
     {0, 2}, {0, 0}, 2},
    {"each cell serves only the first header that matches it",
     {"Title"},
     {"Title", " title "},
     {0, -1}, {0, 0}, 1},
    {"no wanted headers",
     {"a", "b"},
     {NULL},
     {0}, {0}, 0},
};

static size_t count(const char *const *list)
{
    size_t n = 0;
    while (n < MAXW && list[n])
        n++;
    return n;
}

static void test_header_map_row_table(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof MAPS / sizeof MAPS[0]; i++) {
        const map_case *k = &MAPS[i];
        size_t nwant = count(k->want);
        rows_row row = {count(k->cells), k->cells, 5, NULL};
        int idx[MAXW], years[MAXW];
        /* Garbage in: every slot must be written. */
        for (size_t j = 0; j < MAXW; j++)
            idx[j] = 99, years[j] = 99;
        size_t found = header_map_row(k->want, nwant, &row, idx, years);
        int bad = found != k->found;
        for (size_t j = 0; j < nwant; j++)
            if (idx[j] != k->idx[j] || years[j] != k->years[j])
                bad = 1;
        /* years may be NULL: the same indices and count. */
        int idx2[MAXW];
        if (header_map_row(k->want, nwant, &row, idx2, NULL) != k->found ||
            (nwant && memcmp(idx2, idx, nwant * sizeof *idx)))
            bad = 1;
        if (bad) {
            print_error("case '%s': found %zu (expected %zu)\n", k->name, found, k->found);
            for (size_t j = 0; j < nwant; j++)
                print_error("  want '%s': idx %d year %d (expected idx %d year %d)\n", k->want[j],
                            idx[j], years[j], k->idx[j], k->years[j]);
            failed++;
        }
    }
    assert_int_equal(failed, 0);
}

/* A sparse row (xlsx: only non-empty cells, with their columns) maps each
 * header to its column, not to its position among the cells. */
static void test_header_map_sparse_row(void **state)
{
    const char *cells[] = {"OCC_CODE", "TOT_EMP", "A_MEDIAN"};
    const long cols[] = {8, 11, 16383};
    rows_row row = {3, cells, 1, cols};
    const char *want[] = {"A_MEDIAN", "OCC_CODE", "TOT_EMP", "NOPE"};
    int idx[4];
    assert_int_equal(header_map_row(want, 4, &row, idx, NULL), 3);
    assert_int_equal(idx[0], 16383);
    assert_int_equal(idx[1], 8);
    assert_int_equal(idx[2], 11);
    assert_int_equal(idx[3], -1);
    assert_string_equal(rows_cell(&row, 11), "TOT_EMP");
    assert_string_equal(rows_cell(&row, 12), "");
    assert_int_equal(rows_width(&row), 16384);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_matches_table),
        cmocka_unit_test(test_header_map_row_table),
        cmocka_unit_test(test_header_map_sparse_row),
    };
    os_quiet = 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
