/* format.h - pure number formatting for the pages occsnap prints (ordinals, separators, money, changes). */
#ifndef OCCSNAP_FORMAT_H
#define OCCSNAP_FORMAT_H

#include <stddef.h>

/* Every fmt_* writes a NUL-terminated string of at most size bytes into buf
 * (the caller's; cut short when too small, as snprintf does) and returns buf.
 * None can fail. FMT_BUF is always large enough. */
#define FMT_BUF 64

/* The English ordinal suffix of n >= 0: "st", "nd", "rd" or "th" (11th, 12th,
 * 13th, 111th; 21st, 22nd, 23rd). */
const char *fmt_ordinal_suffix(long n);

/* n with its suffix: 62 -> "62nd". */
char *fmt_ordinal(char *buf, size_t size, long n);

/* A percentile as the integer part of pct with its ordinal: 62.62 -> "62nd",
 * 0.4 -> "below the 1st" (a negative or non-finite pct prints as "?"). */
char *fmt_percentile(char *buf, size_t size, double pct);

/* An integer with thousands separators: 13050 -> "13,050", -1234 -> "-1,234". */
char *fmt_grouped(char *buf, size_t size, long long n);

/* A count rounded to the nearest whole and grouped: 13050.0 -> "13,050". */
char *fmt_count(char *buf, size_t size, double v);

/* Whole dollars, grouped: 66430 -> "$66,430" (rounded to the dollar). */
char *fmt_money(char *buf, size_t size, double dollars);

/* Dollars and cents, grouped: 31.94 -> "$31.94". */
char *fmt_money_cents(char *buf, size_t size, double dollars);

/* A figure already in thousands, one decimal, grouped, with "k":
 * 16.9 -> "16.9k", 2447.7 -> "2,447.7k". */
char *fmt_thousands_k(char *buf, size_t size, double thousands);

/* A percent change, one decimal, a minus sign when negative and a plus when
 * positive: -1.7 -> "-1.7%", 1.8 -> "+1.8%", 0 (or what rounds to it) -> "0.0%". */
char *fmt_change_pct(char *buf, size_t size, double pct);

/* The BLS-style word for a percent change: "Declining" (< 0), "No change"
 * (0) or "Growing" (> 0). */
const char *fmt_change_label(double pct);

/* A fraction 0-1 as a whole percent: 0.3014 -> "30%". */
char *fmt_share(char *buf, size_t size, double fraction);

/* v in fixed notation with sig significant digits, never in e-notation and
 * without trailing zeros: (0.0033893, 2) -> "0.0034", (5.29, 2) -> "5.3",
 * (0.0075, 2) -> "0.0075", (12.4, 2) -> "12", 0 -> "0". */
char *fmt_sig(char *buf, size_t size, double v, int sig);

/* A number with at most two decimals and no trailing zeros: 0.5 -> "0.5",
 * 0.3333 -> "0.33", 1 -> "1". */
char *fmt_decimal2(char *buf, size_t size, double v);

/* Whole percents of n fractions that add to the rounded percent of their
 * sum (100 when they add to 1), by the largest remainder method: each gets
 * the floor of its percent, and the points still missing go to the largest
 * remainders (the first on a tie): {0.333, 0.333, 0.334} -> {33, 33, 34}.
 * A negative or non-finite fraction counts as 0. Writes percent[0..n). */
void fmt_largest_remainder(const double *fraction, size_t n, long *percent);

#endif
