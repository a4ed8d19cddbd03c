/* test_urlmap.c - unit tests for extract/urlmap.c: mirror mapping of upstream URLs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/util.h"
#include "extract/urlmap.h"
#include "tests/unit/testutil.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

/* The temp dir of the group; -1 when it cannot be made. */
static int group_setup(void **state)
{
    return tu_tmpdir_setup("urlmap");
}

/* Directory mirrors: absolute file:// URL, encoding kept, the query part of the
 * file's name ('?' as %3F), the fragment dropped, unsafe URLs refused. */
static void test_map_url_dir(void **state)
{
    (void)state;
    char cwd[PATH_MAX];
    assert_non_null(realpath(".", cwd));
    const char *url = "https://raw.githubusercontent.com/AIOE-Data/AIOE/main/"
                      "Language%20Modeling%20AIOE%20and%20AIIE.xlsx?raw=1#frag";
    char *want = xasprintf("file://%s/raw.githubusercontent.com/AIOE-Data/AIOE/main/"
                           "Language%%20Modeling%%20AIOE%%20and%%20AIIE.xlsx%%3Fraw=1", cwd);
    char *got = fetch_map_url(".", url);
    assert_string_equal(got, want);
    free(got);
    got = fetch_map_url("./", url);
    assert_string_equal(got, want);
    free(got);
    free(want);

    /* a mirror directory with a space, given relatively via "..": realpath'd
     * and percent-encoded */
    char *sp = tu_path("my mirror");
    assert_int_equal(mkdir(sp, 0755), 0);
    char *sub = tu_path("sub");
    assert_int_equal(mkdir(sub, 0755), 0);
    char *rel = xasprintf("%s/../my mirror", sub);
    char *root = tu_path(".");
    char real[PATH_MAX];
    assert_non_null(realpath(root, real));
    free(root);
    got = fetch_map_url(rel, "https://WWW.BLS.GOV/oes/a%20b.zip");
    want = xasprintf("file://%s/my%%20mirror/www.bls.gov/oes/a%%20b.zip", real);
    assert_string_equal(got, want);
    free(got);
    free(want);
    free(rel);
    free(sub);
    free(sp);

    /* the Hub's recursive tree listing: the file "main?recursive=true" */
    got = fetch_map_url("/m", "https://huggingface.co/api/datasets/Anthropic/EconomicIndex/"
                              "tree/main?recursive=true");
    assert_string_equal(got, "file:///m/huggingface.co/api/datasets/Anthropic/EconomicIndex/"
                             "tree/main%3Frecursive=true");
    free(got);
    got = fetch_map_url("/m", "https://h.example/p?#f"); /* an empty query: the name ends in '?' */
    assert_string_equal(got, "file:///m/h.example/p%3F");
    free(got);

    /* not http(s), or escaping the mirror: NULL */
    assert_null(fetch_map_url("/m", "ftp://example.org/x.zip"));
    assert_null(fetch_map_url("/m", "file:///etc/passwd"));
    assert_null(fetch_map_url("/m", "https://example.org/a/%2e%2E/b"));
    assert_null(fetch_map_url("/m", "https://example.org/../b"));
    assert_null(fetch_map_url("/m", "https:///nohost"));
}

/* http(s) mirrors: "<base>/<host><path>%3Fquery" (the server's file is named
 * by path and query), trailing slash of the base stripped. */
static void test_map_url_http(void **state)
{
    (void)state;
    char *got = fetch_map_url("http://127.0.0.1:8000/",
                              "https://www.bls.gov/oes/a%20b.zip?x=1#f");
    assert_string_equal(got, "http://127.0.0.1:8000/www.bls.gov/oes/a%20b.zip%3Fx=1");
    free(got);
    got = fetch_map_url("https://mirror.example//base//", "http://h.example:8080/p");
    assert_string_equal(got, "https://mirror.example//base/h.example/p");
    free(got);
    got = fetch_map_url("http://127.0.0.1:8000", "https://h.example");
    assert_string_equal(got, "http://127.0.0.1:8000/h.example/");
    free(got);
    /* no mirror: the URL itself */
    got = fetch_map_url(NULL, "https://www.bls.gov/x.zip");
    assert_string_equal(got, "https://www.bls.gov/x.zip");
    free(got);
    got = fetch_map_url("", "https://www.bls.gov/x.zip");
    assert_string_equal(got, "https://www.bls.gov/x.zip");
    free(got);
}

/* bls.gov and its subdomains (any case, trailing dot, user info, port) are BLS. */
static void test_url_is_bls(void **state)
{
    (void)state;
    assert_true(fetch_url_is_bls("https://www.bls.gov/x.zip"));
    assert_true(fetch_url_is_bls("https://download.BLS.gov./y.zip"));
    assert_true(fetch_url_is_bls("http://user@bls.gov:443/z.zip"));
    assert_false(fetch_url_is_bls("https://notbls.gov/x.zip"));
    assert_false(fetch_url_is_bls("http://127.0.0.1:8000/www.bls.gov/x.zip"));
    assert_false(fetch_url_is_bls("file:///m/www.bls.gov/x.zip"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_map_url_dir),
        cmocka_unit_test(test_map_url_http),
        cmocka_unit_test(test_url_is_bls),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
