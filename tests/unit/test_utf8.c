/* test_utf8.c - table-driven tests of the UTF-8 check every staged text cell passes (common/util.h utf8_valid). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/util.h"

#include <string.h>

/* One case: the bytes (n of them, NULs allowed), whether they are valid and,
 * when not, the offset of the first bad byte. The ASCII runs of 8 and more
 * bytes go through the check's eight-at-a-time path; a bad byte just after
 * one shows that the offset still counts every byte. */
typedef struct {
    const char *s;
    size_t n;
    int valid;
    size_t bad;
} utf8_case;

#define C(lit, valid, bad) {lit, sizeof lit - 1, valid, bad}

static const utf8_case CASES[] = {
    C("", 1, 0),
    C("Data Value", 1, 0),
    C("Administration and Management", 1, 0), /* 29 ASCII bytes */
    C("a\0b", 1, 0),                          /* NUL is ASCII */
    C("caf\xc3\xa9", 1, 0),                   /* e acute, two bytes */
    C("Physicians and Surgeons \xe2\x80\x94 All Other", 1, 0), /* em dash after 24 bytes */
    C("\xf0\x9f\x98\x80 emoji", 1, 0),        /* four bytes */
    C("\xef\xbf\xbd", 1, 0),                  /* U+FFFD */
    C("\x80", 0, 0),                          /* a lone continuation byte */
    C("12345678\x80", 0, 8),                  /* right after an eight-byte run */
    C("1234567\x80", 0, 7),                   /* within the last, shorter run */
    C("Administration\xff and", 0, 14),
    C("abcdefghijklmnop\xc3", 0, 16),         /* cut short at the end */
    C("abcdefghijklmnop\xc3(", 0, 16),        /* a continuation byte missing */
    C("\xc0\xaf", 0, 0),                      /* overlong '/' */
    C("abcdefgh\xe0\x80\xaf", 0, 8),          /* overlong, three bytes */
    C("\xed\xa0\x80", 0, 0),                  /* a surrogate, U+D800 */
    C("\xf4\x90\x80\x80", 0, 0),              /* past U+10FFFF */
    C("Windows-1252 caf\xe9!", 0, 16),        /* Latin-1 e acute */
};

static void test_utf8_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        const utf8_case *c = &CASES[i];
        size_t bad = (size_t)-1;
        int got = utf8_valid(c->s, c->n, &bad);
        if (got != c->valid || (!c->valid && bad != c->bad))
            fail_msg("case %zu (%zu bytes): utf8_valid %d, bad %zu; want %d, bad %zu", i, c->n,
                     got, bad, c->valid, c->bad);
        assert_int_equal(utf8_valid(c->s, c->n, NULL), c->valid); /* bad may be NULL */
    }
}

/* every single byte after a long ASCII run, at every alignment: valid
 * exactly when it is ASCII, and the offset is where it sits */
static void test_one_byte_after_ascii(void **state)
{
    (void)state;
    char buf[40];
    for (size_t at = 0; at < 24; at++)
        for (int b = 0; b < 256; b++) {
            memset(buf, 'x', sizeof buf);
            buf[at] = (char)b;
            size_t bad = (size_t)-1;
            int got = utf8_valid(buf, at + 1, &bad);
            if (got != (b < 0x80) || (!got && bad != at))
                fail_msg("byte 0x%02x at %zu: utf8_valid %d, bad %zu", b, at, got, bad);
        }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_cases),
        cmocka_unit_test(test_one_byte_after_ascii),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
