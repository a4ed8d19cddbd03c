/* svg.h - the site's charts as inline SVG, each with a <title> and a text equivalent beside it. */
#ifndef OCCSNAP_SVG_H
#define OCCSNAP_SVG_H

#include <stddef.h>
#include <stdio.h>

/* Every chart is a <figure id="<id>"> holding an <svg role="img"> whose
 * <title> names it and whose text equivalent is the figure's <figcaption
 * id="<id>-text"> (aria-describedby), so id must be unique in the page.
 * Strings are data and are escaped; a missing value (NaN) draws nothing and
 * the chart says so in words. The functions never fail (stdio errors are the
 * caller's to catch with ferror) and keep nothing they are given. */

/* The horizontal plot of the bar charts: value 0 at x = SVG_X0, the scale's
 * top at SVG_X0 + SVG_W (user units of the viewBox, SVG_WIDTH wide). */
#define SVG_WIDTH 780
#define SVG_X0 370
#define SVG_W 290

/* The Low / Moderate / High bands of a percentile (DESIGN section 4). */
#define SVG_BAND_LOW 33.333333333333336
#define SVG_BAND_HIGH 66.66666666666667

/* One bar of the percentile chart: its label, the percentile 0-100 (NaN: no
 * value, no bar), and the words shown beside it ("45th (Moderate)"; NULL:
 * "no value"). */
typedef struct {
    const char *label;
    double pct;
    const char *words;
} svg_bar;

/* Percentiles as bars over the Low / Moderate / High bands, one row each. */
void svg_percentiles(FILE *out, const char *id, const char *title, const svg_bar *bars, size_t n);

/* The wage distribution: p[0..4] are the 10th, 25th, 50th, 75th and 90th
 * percentile in dollars (NaN: not published), drawn as a 10th-90th range, a
 * 25th-75th box and the median marked; missing says why there is no figure
 * at all (NULL: "no wage percentiles published"). */
void svg_wages(FILE *out, const char *id, const char *title, const double p[5],
               const char *missing);

/* Base and projected employment (thousands; NaN: none) as two bars labelled
 * by their years; missing as in svg_wages. */
void svg_employment(FILE *out, const char *id, const char *title, double base, double proj,
                    const char *base_label, const char *proj_label, const char *missing);

/* One part of a stacked bar: its label and its share 0-1 (NaN: not shown). */
typedef struct {
    const char *label;
    double share;
} svg_part;

/* The parts as one stacked bar (100 % = SVG_W) with a legend; when no part
 * has a share, no bar and missing in words. */
void svg_stacked(FILE *out, const char *id, const char *title, const svg_part *parts, size_t n,
                 const char *missing);

/* One dot of the overview: label and words (its hover title), x a
 * percentile 0-100, y a wage in dollars, size the employment (NaN x or y:
 * not drawn; NaN size: the smallest dot). */
typedef struct {
    const char *label, *words;
    double x, y, size;
} svg_point;

/* Every point as a dot, x against y, sized by size, each with a hover
 * <title> (label and words); the caption counts those not drawn. */
void svg_scatter(FILE *out, const char *id, const char *title, const svg_point *pts, size_t n);

/* The smallest "nice" scale top >= v (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 times
 * a power of ten); 1 when v <= 0 or is not finite. Cannot fail. */
double svg_nice_max(double v);

#endif
