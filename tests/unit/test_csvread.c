/* test_csvread.c - unit tests for extract/csvread.c: table-driven cases read
 * whole, from a file and in tiny chunks; every input is a hand-made literal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/util.h"
#include "extract/csvread.h"
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const csvread_opts CSV = {',', 1, 0};
static const csvread_opts CSV_RAGGED = {',', 1, 1};
static const csvread_opts TSV = {'\t', 0, 0};

/* A string literal and its length, so inputs may hold NUL bytes. */
#define S(lit) lit, sizeof(lit) - 1

/* ------------------------------------------------------------ collecting */

/* Rows flattened as "line:cell|cell\n"; inside cells '\n', '\r', '\t' and '|'
 * are shown escaped as \n, \r, \t and \|, and bytes over 0x7F as \xHH, so a
 * stray byte (a CR, a BOM) cannot hide. */
typedef struct {
    char *text;
    size_t len, cap;
    size_t nrows;
    size_t stop_after; /* return stop_rc after this many rows (0 = never) */
    int stop_rc;
} collect;

static void put(collect *c, const char *s, size_t n)
{
    if (c->len + n + 1 > c->cap) {
        while (c->len + n + 1 > c->cap)
            c->cap = c->cap ? 2 * c->cap : 256;
        c->text = xrealloc(c->text, c->cap);
    }
    memcpy(c->text + c->len, s, n);
    c->len += n;
    c->text[c->len] = '\0';
}

static int collect_row(void *ctx, const rows_row *r)
{
    collect *c = ctx;
    char num[32];
    put(c, num, (size_t)snprintf(num, sizeof num, "%ld:", r->line));
    for (size_t i = 0; i < r->ncell; i++) {
        if (i)
            put(c, "|", 1);
        for (const char *p = r->cell[i]; *p; p++) {
            if (*p == '\n')
                put(c, "\\n", 2);
            else if (*p == '\r')
                put(c, "\\r", 2);
            else if (*p == '\t')
                put(c, "\\t", 2);
            else if (*p == '|')
                put(c, "\\|", 2);
            else if ((unsigned char)*p > 0x7F)
                put(c, num, (size_t)snprintf(num, sizeof num, "\\x%02X", (unsigned char)*p));
            else
                put(c, p, 1);
        }
    }
    put(c, "\n", 1);
    c->nrows++;
    return c->stop_after && c->nrows >= c->stop_after ? c->stop_rc : 0;
}

static const char *collected(const collect *c)
{
    return c->text ? c->text : "";
}

static void collect_free(collect *c)
{
    free(c->text);
    memset(c, 0, sizeof *c);
}

/* ------------------------------------------------------------ readers */

/* A rows_read_fn that hands out at most pattern[k] bytes on its k-th call
 * (cycling), so chunk boundaries fall inside quotes, CRLF pairs and the BOM. */
typedef struct {
    const char *buf;
    size_t len, pos;
    const size_t *pattern;
    size_t npattern, calls;
} chunker;

static long read_chunks(void *src, char *buf, size_t n)
{
    chunker *ch = src;
    size_t want = ch->pattern[ch->calls++ % ch->npattern];
    size_t left = ch->len - ch->pos;
    if (want > n)
        want = n;
    if (want > left)
        want = left;
    memcpy(buf, ch->buf + ch->pos, want);
    ch->pos += want;
    return (long)want;
}

/* Always fails, as a reader that has already reported its error does. */
static long read_fails(void *src, char *buf, size_t n)
{
    return -1;
}

static const size_t P1[] = {1}, P2[] = {2}, P3[] = {3}, P132[] = {1, 3, 2},
                    P21331[] = {2, 1, 3, 3, 1};
static const struct {
    const char *name;
    const size_t *p;
    size_t n;
} PATTERNS[] = {
    {"1-byte", P1, 1},         {"2-byte", P2, 1},       {"3-byte", P3, 1},
    {"1,3,2-byte", P132, 3},   {"2,1,3,3,1-byte", P21331, 5},
};
#define NPATTERNS (sizeof PATTERNS / sizeof PATTERNS[0])

/* The temp dir of the group (files written with tu_file); -1 when it cannot
 * be made. */
static int group_setup(void **state)
{
    return tu_tmpdir_setup("csvread");
}

/* ------------------------------------------------------------ good input */

/* Hand-made cases that must read cleanly. To add one, add a row: the input,
 * its options, and the rows expected ("line:cell|cell\n" each). */
typedef struct {
    const char *name;
    const char *in;
    size_t len;
    const csvread_opts *opt;
    const char *rows;
} good_case;

static const good_case GOOD[] = {
    {"plain", S("a,b\n1,2\n"), &CSV, "1:a|b\n2:1|2\n"},
    {"embedded comma", S("name,note\nx,\"a, b\"\n"), &CSV, "1:name|note\n2:x|a, b\n"},
    {"doubled quote", S("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n"), &CSV,
     "1:a|b\n2:say \"hi\"|\"\n"},
    {"quoted empty and plain empty", S("a,b,c\n\"\",,x\n"), &CSV, "1:a|b|c\n2:||x\n"},
    {"all-empty row is not blank", S("a,b,c\n,,\n"), &CSV, "1:a|b|c\n2:||\n"},
    {"quoted newline in a later field",
     S("id,text\n1,\"two\nlines\"\n2,after\n"), &CSV,
     "1:id|text\n2:1|two\\nlines\n4:2|after\n"},
    {"two quoted newlines, then rows",
     S("id,text\n1,\"a\n\nb\"\n2,c\n3,d\n"), &CSV,
     "1:id|text\n2:1|a\\n\\nb\n5:2|c\n6:3|d\n"},
    /* Regression (fixed): (extract/csvread.c, on_field): row->line is taken when libcsv
     * delivers the row's first field, which for a quoted first field is only
     * after its closing quote; this row starts on line 2, not line 3. */
    {"quoted newline in the first field",
     S("id,text\n\"two\nlines\",1\nnext,2\n"), &CSV,
     "1:id|text\n2:two\\nlines|1\n4:next|2\n"},
    {"quoted field with the delimiter and a newline, CRLF",
     S("a,b\r\n1,\"x,\ny\"\r\n2,z\r\n"), &CSV, "1:a|b\n2:1|x,\\ny\n4:2|z\n"},
    /* Regression (fixed): (extract/csvread.c, csvread_stream): every row whose input starts
     * with a BOM fails in test_good_tiny_chunks when the first read returns
     * 1 or 2 bytes; see there. */
    {"BOM dropped", S("\xEF\xBB\xBFid,name\n1,x\n"), &CSV, "1:id|name\n2:1|x\n"},
    {"BOM before a quoted first cell", S("\xEF\xBB\xBF\"id\",name\n1,x\n"), &CSV,
     "1:id|name\n2:1|x\n"},
    {"BOM only", S("\xEF\xBB\xBF"), &CSV, ""},
    {"BOM is only dropped at the start", S("a,b\n\xEF\xBB\xBFx,y\n"), &CSV,
     "1:a|b\n2:\\xEF\\xBB\\xBFx|y\n"},
    {"CRLF", S("a,b\r\n1,2\r\n3,4\r\n"), &CSV, "1:a|b\n2:1|2\n3:3|4\n"},
    {"CRLF with BOM and empty last cell", S("\xEF\xBB\xBF" "a,b\r\n1,\r\n"), &CSV,
     "1:a|b\n2:1|\n"},
    {"LF and CRLF mixed", S("a,b\n1,2\r\n3,4\n"), &CSV, "1:a|b\n2:1|2\n3:3|4\n"},
    {"no final newline", S("a,b\n1,2"), &CSV, "1:a|b\n2:1|2\n"},
    {"no final newline after CRLF rows", S("a,b\r\n1,2"), &CSV, "1:a|b\n2:1|2\n"},
    {"no final newline, quoted last cell", S("a,b\n1,\"x\ny\""), &CSV,
     "1:a|b\n2:1|x\\ny\n"},
    {"blank lines skipped", S("\n\na,b\n\n1,2\r\n\r\n\n3,4\n\n"), &CSV,
     "3:a|b\n5:1|2\n8:3|4\n"},
    {"empty input", S(""), &CSV, ""},
    {"only newlines", S("\n\r\n\n"), &CSV, ""},
    {"ragged accepted when ragged_ok", S("a,b\n1,2,3\n4\n5,6\n"), &CSV_RAGGED,
     "1:a|b\n2:1|2|3\n3:4\n4:5|6\n"},
    {"TSV plain", S("code\ttitle\n11-1011\tChief Executives\n"), &TSV,
     "1:code|title\n2:11-1011|Chief Executives\n"},
    {"TSV bare quotes are ordinary characters",
     S("id\ttask\tnote\n"
       "1\t\"head counts\" task\tsays \"hi\" mid-field\n"
       "2\t\"\tends with a quote\"\n"
       "3\t\"\"\ta \"\"double\"\" quote\n"), &TSV,
     "1:id|task|note\n"
     "2:1|\"head counts\" task|says \"hi\" mid-field\n"
     "3:2|\"|ends with a quote\"\n"
     "4:3|\"\"|a \"\"double\"\" quote\n"},
    {"TSV quote does not swallow a newline", S("a\tb\n\"open\tx\ny\tz\n"), &TSV,
     "1:a|b\n2:\"open|x\n3:y|z\n"},
    {"TSV commas are data", S("a\tb\nx, y\t1,000\n"), &TSV, "1:a|b\n2:x, y|1,000\n"},
    {"TSV CRLF and BOM", S("\xEF\xBB\xBF" "a\tb\r\n1\t2\r\n"), &TSV, "1:a|b\n2:1|2\n"},
    {"TSV empty cells", S("a\tb\tc\n\t\tx\n"), &TSV, "1:a|b|c\n2:||x\n"},
};

static int run_whole(const good_case *k, collect *c)
{
    return csvread_buffer("case.csv", k->in, k->len, k->opt, collect_row, c);
}

/* Checks one way of reading against the table; prints every mismatch and
 * returns 1 for one, so a whole table run shows all failing rows at once. */
static int check_good(const good_case *k, const char *how, int rc, const collect *c)
{
    if (rc == OS_OK && !strcmp(collected(c), k->rows))
        return 0;
    print_error("case '%s' (%s): rc %d%s%s\n  expected rows:\n%s  got rows:\n%s", k->name, how,
                rc, rc ? ": " : "", rc ? os_last_error() : "", k->rows, collected(c));
    return 1;
}

static void test_good_whole_buffer(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        collect c = {0};
        int rc = run_whole(&GOOD[i], &c);
        failed += check_good(&GOOD[i], "whole buffer", rc, &c);
        collect_free(&c);
    }
    assert_int_equal(failed, 0);
}

static void test_good_file(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        char fname[32];
        snprintf(fname, sizeof fname, "good%zu.txt", i);
        char *path = tu_file(fname, GOOD[i].in, GOOD[i].len);
        collect c = {0};
        int rc = csvread_file(path, GOOD[i].opt, collect_row, &c);
        failed += check_good(&GOOD[i], "csvread_file", rc, &c);
        collect_free(&c);
        free(path);
    }
    assert_int_equal(failed, 0);
}

/* Streaming in 1-3 byte chunks must give exactly the whole-buffer rows and
 * line numbers (boundaries inside quoted fields, CRLF pairs and the BOM).
 * Regression (fixed): (extract/csvread.c, csvread_stream): the BOM is only dropped when all
 * three of its bytes arrive in the first read; every row whose input starts
 * with a BOM fails here with the readers whose first read is 1 or 2 bytes
 * (the first cell keeps "\xEF\xBB\xBF", a quoted first cell keeps its quotes,
 * and a BOM-only input yields a row). */
static void test_good_tiny_chunks(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof GOOD / sizeof GOOD[0]; i++) {
        for (size_t p = 0; p < NPATTERNS; p++) {
            chunker ch = {GOOD[i].in, GOOD[i].len, 0, PATTERNS[p].p, PATTERNS[p].n, 0};
            collect c = {0};
            int rc = csvread_stream("case.csv", read_chunks, &ch, GOOD[i].opt, collect_row, &c);
            failed += check_good(&GOOD[i], PATTERNS[p].name, rc, &c);
            collect_free(&c);
        }
    }
    assert_int_equal(failed, 0);
}

/* No cell may keep a '\r' from a CRLF line end, whichever way it is read. */
static int no_cr(void *ctx, const rows_row *r)
{
    for (size_t i = 0; i < r->ncell; i++)
        if (strchr(r->cell[i], '\r'))
            return 77;
    return 0;
}

static void test_crlf_leaves_no_cr(void **state)
{
    const char in[] = "a,b,c\r\n1,,3\r\n\"q\",\"\",z\r\n\r\nlast,row,here";
    assert_int_equal(csvread_buffer("crlf.csv", in, sizeof in - 1, &CSV, no_cr, NULL), OS_OK);
    for (size_t p = 0; p < NPATTERNS; p++) {
        chunker ch = {in, sizeof in - 1, 0, PATTERNS[p].p, PATTERNS[p].n, 0};
        assert_int_equal(csvread_stream("crlf.csv", read_chunks, &ch, &CSV, no_cr, NULL), OS_OK);
    }
    const char tin[] = "a\tb\r\n1\t\r\n\"x\"\t2\r\n";
    assert_int_equal(csvread_buffer("crlf.tsv", tin, sizeof tin - 1, &TSV, no_cr, NULL), OS_OK);
}

/* ------------------------------------------------------------ bad input */

/* Hand-made inputs that must fail: the code, and substrings the message must
 * hold (the label is "bad.csv" whole and chunked). */
typedef struct {
    const char *name;
    const char *in;
    size_t len;
    const csvread_opts *opt;
    int rc;
    const char *msg[5];
} bad_case;

static const bad_case BAD[] = {
    {"ragged row", S("a,b\n1,2\n3,4,5\n6,7\n"), &CSV, OS_EPARSE,
     {"bad.csv", "line 3", "3 fields", "expected 2"}},
    {"short row", S("a,b,c\n1,2,3\n\n4,5\n"), &CSV, OS_EPARSE,
     {"bad.csv", "line 4", "2 fields", "expected 3"}},
    {"ragged row after a quoted newline", S("a,b\n1,\"x\ny\"\n2\n"), &CSV, OS_EPARSE,
     {"bad.csv", "line 4", "1 fields", "expected 2"}},
    {"ragged TSV row", S("a\tb\n1\t2\t3\n"), &TSV, OS_EPARSE,
     {"bad.csv", "line 2", "3 fields", "expected 2"}},
    /* Regression (fixed): (extract/csvread.c, csvread_stream): libcsv is started with
     * CSV_STRICT_FINI alone, which libcsv only honours together with
     * CSV_STRICT, so an unterminated quote is never reported: this input
     * swallows the rest of the file into one cell and then fails only as a
     * ragged row ("line 4 has 1 fields"). The quote opens on line 2. */
    {"unterminated quote", S("a,b\n\"open,1\n2,3\n"), &CSV, OS_EPARSE,
     {"bad.csv", "unterminated", "line 2"}},
    /* Regression (fixed): (same cause): with one column nothing catches it; OS_OK and a row
     * "4:open\nb\n" are returned. */
    {"unterminated quote, one column", S("a\n\"open\nb\n"), &CSV, OS_EPARSE,
     {"bad.csv", "unterminated", "line 2"}},
    /* Regression (fixed): (same cause): ragged_ok hides the ragged row, so OS_OK. */
    {"unterminated quote, ragged_ok", S("a,b\n1,2\n3,\"open\n"), &CSV_RAGGED, OS_EPARSE,
     {"bad.csv", "unterminated", "line 3"}},
    {"NUL byte in TSV", S("a\tb\n1\t\0x\n"), &TSV, OS_EPARSE, {"bad.csv", "NUL"}},
    {"NUL byte in the first TSV line", S("\0a\tb\n"), &TSV, OS_EPARSE, {"bad.csv", "NUL"}},
};

static int check_bad(const bad_case *k, const char *how, int rc)
{
    int bad = rc != k->rc;
    for (size_t m = 0; m < 5 && k->msg[m]; m++)
        if (!strstr(os_last_error(), k->msg[m]))
            bad = 1;
    if (bad)
        print_error("case '%s' (%s): expected rc %d with \"%s\", \"%s\", \"%s\"; got rc %d: %s\n",
                    k->name, how, k->rc, k->msg[0] ? k->msg[0] : "", k->msg[1] ? k->msg[1] : "",
                    k->msg[2] ? k->msg[2] : "", rc, rc ? os_last_error() : "");
    return bad;
}

static void test_bad_input(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *k = &BAD[i];
        collect c = {0};
        os_error(OS_OK, "(none)");
        failed += check_bad(k, "whole buffer", csvread_buffer("bad.csv", k->in, k->len, k->opt,
                                                               collect_row, &c));
        collect_free(&c);
        for (size_t p = 0; p < NPATTERNS; p++) {
            chunker ch = {k->in, k->len, 0, PATTERNS[p].p, PATTERNS[p].n, 0};
            os_error(OS_OK, "(none)");
            int rc = csvread_stream("bad.csv", read_chunks, &ch, k->opt, collect_row, &c);
            failed += check_bad(k, PATTERNS[p].name, rc);
            collect_free(&c);
        }
    }
    assert_int_equal(failed, 0);
}

static void test_ragged_message(void **state)
{
    /* The whole message, once, so its wording is pinned down too. */
    const char in[] = "a,b\n1,2\n3,4,5\n";
    collect c = {0};
    assert_int_equal(csvread_buffer("x/y.csv", in, sizeof in - 1, &CSV, collect_row, &c),
                     OS_EPARSE);
    assert_string_equal(os_last_error(), "x/y.csv: line 3 has 3 fields, expected 2 (as in the first row)");
    /* Rows before the ragged one were delivered, none after. */
    assert_string_equal(collected(&c), "1:a|b\n2:1|2\n");
    collect_free(&c);
}

static void test_nul_rejected_only_in_tsv_mode(void **state)
{
    const char in[] = "a\tb\n1\tx\0y\n";
    collect c = {0};
    assert_int_equal(csvread_buffer("nul.txt", in, sizeof in - 1, &TSV, collect_row, &c),
                     OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "nul.txt: NUL byte"));
    assert_int_equal(c.nrows, 0);
    collect_free(&c);
    char *path = tu_file("nul.txt", in, sizeof in - 1);
    assert_int_equal(csvread_file(path, &TSV, collect_row, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), path));
    assert_non_null(strstr(os_last_error(), "NUL byte"));
    collect_free(&c);
    free(path);
}

/* ------------------------------------------------------------ stopping */

static void test_callback_stops_reading(void **state)
{
    const char in[] = "a,b\n1,2\n3,4\n5,6\n";
    /* Stops after the second row: that value comes back, no third row. */
    collect c = {.stop_after = 2, .stop_rc = 42};
    assert_int_equal(csvread_buffer("s.csv", in, sizeof in - 1, &CSV, collect_row, &c), 42);
    assert_string_equal(collected(&c), "1:a|b\n2:1|2\n");
    collect_free(&c);

    /* An os_result works the same, and so does -1 (stage's "give up"). */
    c = (collect){.stop_after = 1, .stop_rc = OS_EDATA};
    assert_int_equal(csvread_buffer("s.csv", in, sizeof in - 1, &CSV, collect_row, &c), OS_EDATA);
    assert_int_equal(c.nrows, 1);
    collect_free(&c);
    c = (collect){.stop_after = 3, .stop_rc = -1};
    assert_int_equal(csvread_buffer("s.csv", in, sizeof in - 1, &CSV, collect_row, &c), -1);
    assert_int_equal(c.nrows, 3);
    collect_free(&c);

    /* Stopping on the last row, which has no newline (delivered at the end). */
    const char nofinal[] = "a,b\n1,2";
    c = (collect){.stop_after = 2, .stop_rc = 7};
    assert_int_equal(csvread_buffer("s.csv", nofinal, sizeof nofinal - 1, &CSV, collect_row, &c), 7);
    assert_int_equal(c.nrows, 2);
    collect_free(&c);

    /* Stopping while streaming in tiny chunks; the rest is not read. */
    for (size_t p = 0; p < NPATTERNS; p++) {
        chunker ch = {in, sizeof in - 1, 0, PATTERNS[p].p, PATTERNS[p].n, 0};
        c = (collect){.stop_after = 2, .stop_rc = 42};
        assert_int_equal(csvread_stream("s.csv", read_chunks, &ch, &CSV, collect_row, &c), 42);
        assert_string_equal(collected(&c), "1:a|b\n2:1|2\n");
        assert_true(ch.pos < ch.len);
        collect_free(&c);
    }

    /* Stopping on the header row of a file. */
    char *path = tu_file("stop.csv", in, sizeof in - 1);
    c = (collect){.stop_after = 1, .stop_rc = 9};
    assert_int_equal(csvread_file(path, &CSV, collect_row, &c), 9);
    assert_string_equal(collected(&c), "1:a|b\n");
    collect_free(&c);
    free(path);
}

/* ------------------------------------------------------------ I/O errors */

static void test_io_errors(void **state)
{
    collect c = {0};
    char *path = tu_path("no-such-file.csv");
    assert_int_equal(csvread_file(path, &CSV, collect_row, &c), OS_EIO);
    assert_non_null(strstr(os_last_error(), path));
    free(path);
    assert_int_equal(csvread_stream("broken.csv", read_fails, NULL, &CSV, collect_row, &c), OS_EIO);
    assert_int_equal(c.nrows, 0);
    collect_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_whole_buffer),
        cmocka_unit_test(test_good_file),
        cmocka_unit_test(test_good_tiny_chunks),
        cmocka_unit_test(test_crlf_leaves_no_cr),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_ragged_message),
        cmocka_unit_test(test_nul_rejected_only_in_tsv_mode),
        cmocka_unit_test(test_callback_stops_reading),
        cmocka_unit_test(test_io_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
