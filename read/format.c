/* format.c - pure number formatting for the pages occsnap prints (ordinals, separators, money, changes). */
#include "read/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Never fails; the suffix is a static string. */
const char *fmt_ordinal_suffix(long n)
{
    if (n < 0)
        n = -n;
    long two = n % 100;
    if (two >= 11 && two <= 13)
        return "th";
    switch (n % 10) {
    case 1: return "st";
    case 2: return "nd";
    case 3: return "rd";
    default: return "th";
    }
}

/* Never fails; writes into the caller's buf. */
char *fmt_ordinal(char *buf, size_t size, long n)
{
    snprintf(buf, size, "%ld%s", n, fmt_ordinal_suffix(n));
    return buf;
}

/* Never fails; a pct that is not a finite non-negative number prints "?". */
char *fmt_percentile(char *buf, size_t size, double pct)
{
    if (!isfinite(pct) || pct < 0) {
        snprintf(buf, size, "?");
        return buf;
    }
    if (pct < 1) { /* "0th" reads as a rank that does not exist */
        snprintf(buf, size, "below the 1st");
        return buf;
    }
    return fmt_ordinal(buf, size, (long)floor(pct));
}

/* Never fails; the digits are grouped from the right by threes. */
char *fmt_grouped(char *buf, size_t size, long long n)
{
    unsigned long long m = n < 0 ? 0ULL - (unsigned long long)n : (unsigned long long)n;
    char digits[32];
    int nd = snprintf(digits, sizeof digits, "%llu", m);
    char tmp[48];
    size_t k = 0;
    if (n < 0)
        tmp[k++] = '-';
    for (int i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            tmp[k++] = ',';
        tmp[k++] = digits[i];
    }
    tmp[k] = '\0';
    snprintf(buf, size, "%s", tmp);
    return buf;
}

/* Never fails; rounds half away from zero. */
char *fmt_count(char *buf, size_t size, double v)
{
    return fmt_grouped(buf, size, llround(v));
}

/* Never fails; rounds to the whole dollar. */
char *fmt_money(char *buf, size_t size, double dollars)
{
    char g[FMT_BUF];
    long long d = llround(dollars);
    fmt_grouped(g, sizeof g, d < 0 ? -d : d);
    snprintf(buf, size, "%s$%s", d < 0 ? "-" : "", g);
    return buf;
}

/* Never fails; rounds to the cent. */
char *fmt_money_cents(char *buf, size_t size, double dollars)
{
    char g[FMT_BUF];
    long long cents = llround(dollars * 100);
    long long a = cents < 0 ? -cents : cents;
    fmt_grouped(g, sizeof g, a / 100);
    snprintf(buf, size, "%s$%s.%02lld", cents < 0 ? "-" : "", g, a % 100);
    return buf;
}

/* Never fails; rounds to one decimal of thousands. */
char *fmt_thousands_k(char *buf, size_t size, double thousands)
{
    char g[FMT_BUF];
    long long tenths = llround(thousands * 10);
    long long a = tenths < 0 ? -tenths : tenths;
    fmt_grouped(g, sizeof g, a / 10);
    snprintf(buf, size, "%s%s.%lldk", tenths < 0 ? "-" : "", g, a % 10);
    return buf;
}

/* Never fails; what rounds to 0.0 prints without a sign. */
char *fmt_change_pct(char *buf, size_t size, double pct)
{
    long long tenths = llround(pct * 10);
    long long a = tenths < 0 ? -tenths : tenths;
    const char *sign = tenths < 0 ? "-" : tenths > 0 ? "+" : "";
    snprintf(buf, size, "%s%lld.%lld%%", sign, a / 10, a % 10);
    return buf;
}

/* Never fails; the word is a static string. */
const char *fmt_change_label(double pct)
{
    return pct < 0 ? "Declining" : pct > 0 ? "Growing" : "No change";
}

/* Never fails; rounds to the whole percent. */
char *fmt_share(char *buf, size_t size, double fraction)
{
    snprintf(buf, size, "%lld%%", llround(fraction * 100));
    return buf;
}

/* Drops trailing zeros after a decimal point, and the point when bare. */
static void strip_zeros(char *s)
{
    if (!strchr(s, '.'))
        return;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '0')
        s[--n] = '\0';
    if (n > 0 && s[n - 1] == '.')
        s[--n] = '\0';
}

/* Never fails; a non-finite v prints as "?". */
char *fmt_sig(char *buf, size_t size, double v, int sig)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "?");
        return buf;
    }
    if (v == 0) {
        snprintf(buf, size, "0");
        return buf;
    }
    if (sig < 1)
        sig = 1;
    int decimals = sig - 1 - (int)floor(log10(fabs(v)));
    char tmp[FMT_BUF * 2];
    if (decimals <= 0) {
        double unit = pow(10, -decimals);
        snprintf(tmp, sizeof tmp, "%.0f", round(v / unit) * unit);
    } else {
        if (decimals > 30)
            decimals = 30;
        snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
        strip_zeros(tmp);
    }
    snprintf(buf, size, "%s", tmp);
    return buf;
}

/* Never fails; a non-finite v prints as "?". */
char *fmt_decimal2(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "?");
        return buf;
    }
    char tmp[FMT_BUF * 2];
    snprintf(tmp, sizeof tmp, "%.2f", v);
    strip_zeros(tmp);
    if (!strcmp(tmp, "-0"))
        strcpy(tmp, "0");
    snprintf(buf, size, "%s", tmp);
    return buf;
}

/* Never fails; n == 0 writes nothing. */
void fmt_largest_remainder(const double *fraction, size_t n, long *percent)
{
    double total = 0;
    long sum = 0;
    for (size_t i = 0; i < n; i++) {
        double f = isfinite(fraction[i]) && fraction[i] > 0 ? fraction[i] : 0;
        total += f;
        percent[i] = (long)floor(f * 100);
        sum += percent[i];
    }
    long target = n ? llround(total * 100) : 0;
    /* hand the missing points to the largest remainders, the first on ties */
    while (sum < target) {
        size_t best = 0;
        double best_rem = -1;
        for (size_t i = 0; i < n; i++) {
            double f = isfinite(fraction[i]) && fraction[i] > 0 ? fraction[i] : 0;
            double rem = f * 100 - (double)percent[i];
            if (rem > best_rem) {
                best_rem = rem;
                best = i;
            }
        }
        percent[best]++;
        sum++;
    }
}
