/* test_export_number.c - export_number (load/export.h) writes exactly what the printf rule writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "load/export.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The rule export_number keeps, as it was written before it was made
 * faster: %.15g, else %.16g, else %.17g, the first strtod reads back. */
static void reference(double v, char out[32])
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(out, 32, "%.*g", prec, v);
        if (strtod(out, NULL) == v)
            return;
    }
}

static void same(double v)
{
    char want[32], got[32];
    reference(v, want);
    export_number(v, got);
    if (strcmp(got, want)) {
        print_error("export_number(%a): got '%s', printf gives '%s'\n", v, got, want);
        fail();
    }
}

/* xorshift64*: the same values on every run */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rng(void)
{
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* Edges of every branch: zero and its sign, the ends of the printf-free
 * range (1e-4, 1e15), powers of ten and their neighbours, carries to the
 * next power (9.999...), 15/16/17-digit values, ties, the extremes. */
static void test_edges(void **state)
{
    (void)state;
    static const double V[] = {0.0, -0.0, 1.0, -1.0, 0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1e-4,
                               9.9999999999999e-5, 1e15, 999999999999999.0, 999999999999999.9,
                               1e15 - 0.125, 123456789012345.0, 12345678901234.5, 0.5, 37.5,
                               45.7278481012658, 62.62, 99.99, 100.0, 1e300, -1e-300, 5e-324,
                               DBL_MAX, DBL_MIN, 1e22, 1e23, 9007199254740993.0, 0.1 + 0.2,
                               1000000000000000.5, 4503599627370495.5, 0.000123456789012345678,
                               9.9999999999999995e-5, 0.99999999999999989, 9.999999999999998,
                               99.999999999999986, 1e14, 1e14 + 0.5, 1e-3, 1e-2, 123.456, -0.001,
                               HUGE_VAL, -HUGE_VAL};
    for (size_t k = 0; k < sizeof V / sizeof *V; k++) {
        same(V[k]);
        same(nextafter(V[k], INFINITY));
        same(nextafter(V[k], -INFINITY));
    }
    for (int e = -6; e <= 16; e++) {
        double p = pow(10, e);
        for (int k = -3; k <= 3; k++) {
            double v = p;
            for (int i = 0; i < (k < 0 ? -k : k); i++)
                v = nextafter(v, k < 0 ? 0 : INFINITY);
            same(v);
            same(-v);
        }
    }
}

/* Random doubles of three kinds: short decimals (n / 10^k, what most
 * figures are), quotients (percentiles, shares: 16 and 17 digits) and
 * random bit patterns in and around the printf-free range. */
static void test_random(void **state)
{
    (void)state;
    /* EXPORT_NUMBER_ROUNDS=100000000 for a long run by hand */
    const char *env = getenv("EXPORT_NUMBER_ROUNDS");
    long rounds = env ? atol(env) : 60000;
    for (long i = 0; i < rounds; i++) {
        uint64_t r = rng();
        double dec = (double)(r % 100000000000ULL) / pow(10, (double)(r >> 60));
        same(dec);
        same(-dec);
        double q = (double)(rng() % 100000) / (double)(1 + rng() % 5000) * 100;
        same(q);
        double e = pow(10, -6.0 + 22.0 * (double)(rng() >> 11) / 9007199254740992.0);
        same(e);
        uint64_t b = rng();
        double raw;
        memcpy(&raw, &b, sizeof raw);
        if (!isnan(raw))
            same(raw);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_edges), cmocka_unit_test(test_random)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
