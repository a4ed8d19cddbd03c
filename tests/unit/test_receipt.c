/* test_receipt.c - unit tests for extract/receipt.c: receipts on disk and cache checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "extract/receipt.h"
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The temp dir of the group; -1 when it cannot be made. */
static int group_setup(void **state)
{
    return tu_tmpdir_setup("receipt");
}

/* A written receipt loads back and vouches for its file until file or URL differ. */
static void test_write_load_cached(void **state)
{
    (void)state;
    const char *body = "a,b\n1,2\n";
    char *dest = tu_text_file("data.csv", body);
    char *rp = fetch_receipt_path(dest);
    char *want = xasprintf("%s.receipt.json", dest);
    assert_string_equal(rp, want);
    fetch_receipt r;
    memset(&r, 0, sizeof r);
    snprintf(r.url, sizeof r.url, "https://example.org/data.csv");
    snprintf(r.fetched_url, sizeof r.fetched_url, "%s", r.url);
    snprintf(r.final_url, sizeof r.final_url, "%s", r.url);
    r.status = 200;
    utc_now_iso(r.retrieved_at);
    r.bytes = (long long)strlen(body);
    sha256_buffer(body, strlen(body), r.sha256);
    snprintf(r.from, sizeof r.from, "network");
    assert_int_equal(fetch_receipt_write(rp, &r), OS_OK);

    fetch_receipt back;
    assert_int_equal(fetch_receipt_load(rp, &back), OS_OK);
    assert_string_equal(back.sha256, r.sha256);
    assert_string_equal(back.etag, "");
    assert_int_equal(back.bytes, r.bytes);
    assert_int_equal(back.ok, 1);
    assert_int_equal(fetch_receipt_cached(dest, rp, r.url, &back), 1);
    assert_int_equal(fetch_receipt_cached(dest, rp, "https://example.org/other.csv", &back), 0);
    free(tu_text_file("data.csv", "a,b\n1,3\n"));
    assert_int_equal(fetch_receipt_cached(dest, rp, r.url, &back), 0);
    free(want);
    free(rp);
    free(dest);
}

/* fetch_receipt_load: missing file is OS_EIO, malformed receipts OS_EPARSE. */
static void test_receipt_load_errors(void **state)
{
    (void)state;
    fetch_receipt r;
    char *p = tu_path("missing.receipt.json");
    assert_int_equal(fetch_receipt_load(p, &r), OS_EIO);
    free(p);
    p = tu_path("bad.receipt.json");
    assert_int_equal(write_file_atomic(p, "{\"url\": 3", 9), OS_OK);
    assert_int_equal(fetch_receipt_load(p, &r), OS_EPARSE);
    const char *nosha = "{\"url\":\"u\",\"retrieved_at\":\"t\",\"bytes\":1,"
                        "\"sha256\":\"abc\",\"from\":\"network\"}";
    assert_int_equal(write_file_atomic(p, nosha, strlen(nosha)), OS_OK);
    assert_int_equal(fetch_receipt_load(p, &r), OS_EPARSE);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_load_cached),
        cmocka_unit_test(test_receipt_load_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
