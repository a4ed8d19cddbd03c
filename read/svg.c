/* svg.c - the site's charts as inline SVG, each with a <title> and a text equivalent beside it. */
#include "read/svg.h"
#include "common/error.h"
#include "common/util.h"
#include "read/format.h"
#include "read/html.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define ROW 30     /* height of one bar row */
#define BAR 16     /* height of a bar */
#define TOP 30     /* room above the first row (band names, legend) */

/* The <figure> and <svg> opening for a chart height h high, with its title. */
static void chart_begin(FILE *out, const char *id, const char *title, int h)
{
    fprintf(out, "<figure class=\"chart\" id=\"%s\">\n", id);
    fprintf(out,
            "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
            "aria-describedby=\"%s-text\">\n<title>",
            SVG_WIDTH, h, SVG_WIDTH, h, id);
    html_esc(out, title);
    fputs("</title>\n", out);
}

/* Ends the svg, then writes the caption (the text equivalent, already
 * escaped by the caller into text) and ends the figure. */
static void chart_end(FILE *out, const char *id, const char *text)
{
    fprintf(out, "</svg>\n<figcaption id=\"%s-text\">%s</figcaption>\n</figure>\n", id, text);
}

/* A text element at (x, y) with anchor and class, holding s escaped. */
static void text_at(FILE *out, double x, double y, const char *anchor, const char *cls,
                    const char *s)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">", x, y, anchor, cls);
    html_esc(out, s);
    fputs("</text>\n", out);
}

/* A rect of class cls, with a hover title tip (escaped; NULL: none). */
static void rect(FILE *out, const char *cls, double x, double y, double w, double h,
                 const char *tip)
{
    fprintf(out, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", cls,
            x, y, w, h);
    if (!tip) {
        fputs("/>\n", out);
        return;
    }
    fputs("><title>", out);
    html_esc(out, tip);
    fputs("</title></rect>\n", out);
}

/* x of v on a scale 0..top over SVG_X0..SVG_X0+SVG_W, clamped to it. */
static double scale_x(double v, double top)
{
    double f = top > 0 ? v / top : 0;
    return SVG_X0 + SVG_W * (f < 0 ? 0 : f > 1 ? 1 : f);
}

double svg_nice_max(double v)
{
    static const double steps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    if (!(v > 0) || !isfinite(v))
        return 1;
    double p = pow(10, floor(log10(v)));
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++)
        if (steps[i] * p >= v * (1 - 1e-12))
            return steps[i] * p;
    return 10 * p;
}

/* The text equivalent being built: an open memstream, escaped as written. */
typedef struct {
    char *buf;
    size_t len;
    FILE *f;
} caption;

/* Opens c empty; dies on OOM (open_memstream fails only so); c->buf is
 * c's until cap_close frees it. */
static void cap_open(caption *c)
{
    c->buf = NULL;
    c->len = 0;
    c->f = open_memstream(&c->buf, &c->len);
    if (!c->f)
        os_die(OS_ENOMEM, "out of memory (a chart caption)");
}

/* Closes c and writes the chart's end with it, then frees c's text; never
 * fails (stdio errors are the caller's). */
static void cap_close(caption *c, FILE *out, const char *id)
{
    fclose(c->f);
    chart_end(out, id, c->buf);
    free(c->buf);
}

/* How many intervals split 0..top into round steps (1, 2, 2.5 or 5 times a
 * power of ten): 4, 5, 3 or 6, whichever comes first; 4 when none does. */
static int intervals(double top)
{
    static const int tries[] = {4, 5, 3, 6};
    for (size_t i = 0; i < sizeof tries / sizeof *tries; i++) {
        double step = top / tries[i], m = step / pow(10, floor(log10(step)));
        if (fabs(m - 1) < 1e-9 || fabs(m - 2) < 1e-9 || fabs(m - 2.5) < 1e-9 ||
            fabs(m - 5) < 1e-9)
            return tries[i];
    }
    return 4;
}

/* Ticks and labels of a value axis 0..top at y (labels by fmt_value). */
static void axis(FILE *out, double y, double top, char *(*fmt_value)(char *, size_t, double))
{
    char b[FMT_BUF];
    int n = intervals(top);
    fprintf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n", SVG_X0,
            y, SVG_X0 + SVG_W, y);
    for (int i = 0; i <= n; i++) {
        double v = top * i / n, x = scale_x(v, top);
        fprintf(out, "<line class=\"tick\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x,
                y, x, y + 4);
        text_at(out, x, y + 16, "middle", "tick-label", fmt_value(b, sizeof b, v));
    }
}

/* "50" for the percentile axis. */
static char *fmt_whole(char *buf, size_t size, double v)
{
    snprintf(buf, size, "%.0f", v);
    return buf;
}

/* ------------------------------------------------------------ percentiles */

void svg_percentiles(FILE *out, const char *id, const char *title, const svg_bar *bars, size_t n)
{
    int h = TOP + (int)n * ROW + 30;
    double bottom = TOP + (double)n * ROW;
    chart_begin(out, id, title, h);
    static const char *names[] = {"Low", "Moderate", "High"};
    static const char *cls[] = {"band-low", "band-moderate", "band-high"};
    double edges[] = {0, SVG_BAND_LOW, SVG_BAND_HIGH, 100};
    for (int b = 0; b < 3; b++) {
        double x0 = scale_x(edges[b], 100), x1 = scale_x(edges[b + 1], 100);
        rect(out, cls[b], x0, TOP - 8, x1 - x0, bottom - TOP + 8, NULL);
        text_at(out, (x0 + x1) / 2, TOP - 14, "middle", "band-label", names[b]);
    }
    caption c;
    cap_open(&c);
    for (size_t i = 0; i < n; i++) {
        double y = TOP + (double)i * ROW;
        const char *words = bars[i].words ? bars[i].words : "no value";
        text_at(out, SVG_X0 - 8, y + BAR - 3, "end", "label", bars[i].label);
        char *tip = xasprintf("%s: %s", bars[i].label, words);
        if (isfinite(bars[i].pct))
            rect(out, "bar", SVG_X0, y, scale_x(bars[i].pct, 100) - SVG_X0, BAR, tip);
        free(tip);
        text_at(out, SVG_X0 + SVG_W + 8, y + BAR - 3, "start", "value", words);
        html_esc(c.f, i ? "; " : "");
        html_esc(c.f, bars[i].label);
        html_esc(c.f, ": ");
        html_esc(c.f, isfinite(bars[i].pct) ? words : "no value, no bar drawn");
    }
    html_esc(c.f, n ? ". Bands: Low below the 33rd percentile, Moderate to the 66th, High above."
                    : "No measures.");
    axis(out, bottom, 100, fmt_whole);
    cap_close(&c, out, id);
}

/* ------------------------------------------------------------ wages */

/* "$66,430" for the dollar axis. */
static char *fmt_dollars(char *buf, size_t size, double v)
{
    return fmt_money(buf, size, v);
}

void svg_wages(FILE *out, const char *id, const char *title, const double p[5],
               const char *missing)
{
    static const char *names[] = {"10th", "25th", "median", "75th", "90th"};
    double top = 0;
    int have = 0;
    for (int i = 0; i < 5; i++)
        if (isfinite(p[i])) {
            have++;
            top = p[i] > top ? p[i] : top;
        }
    top = svg_nice_max(top);
    double y = TOP + 10, mid = y + BAR / 2.0;
    chart_begin(out, id, title, have ? 120 : 30);
    caption c;
    cap_open(&c);
    char b[FMT_BUF];
    if (!have) {
        const char *why = missing ? missing : "no wage percentiles published";
        text_at(out, SVG_X0, 20, "start", "value", why);
        html_esc(c.f, why);
        html_esc(c.f, "; no chart drawn.");
        cap_close(&c, out, id);
        return;
    }
    text_at(out, SVG_X0 - 8, mid + 4, "end", "label", "Annual wage");
    if (isfinite(p[0]) && isfinite(p[4]))
        fprintf(out, "<line class=\"range\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
                scale_x(p[0], top), mid, scale_x(p[4], top), mid);
    if (isfinite(p[1]) && isfinite(p[3])) {
        char b2[FMT_BUF];
        char *tip = xasprintf("25th to 75th percentile: %s to %s", fmt_money(b, sizeof b, p[1]),
                              fmt_money(b2, sizeof b2, p[3]));
        rect(out, "bar", scale_x(p[1], top), y, scale_x(p[3], top) - scale_x(p[1], top), BAR, tip);
        free(tip);
    }
    for (int i = 0; i < 5; i++) {
        html_esc(c.f, i ? "; " : "Annual wage: ");
        html_esc(c.f, names[i]);
        html_esc(c.f, i == 2 ? " " : " percentile ");
        if (!isfinite(p[i])) {
            html_esc(c.f, "not published (not drawn)");
            continue;
        }
        fmt_money(b, sizeof b, p[i]);
        html_esc(c.f, b);
        double x = scale_x(p[i], top);
        const char *cls = i == 2 ? "median" : "mark";
        fprintf(out, "<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\">", cls, x,
                y - (i == 2 ? 6 : 2), x, y + BAR + (i == 2 ? 6 : 2));
        fprintf(out, "<title>%s%s ", i == 2 ? "Median" : names[i], i == 2 ? "" : " percentile");
        html_esc(out, b);
        fputs("</title></line>\n", out);
        if (i == 2) {
            char *lab = xasprintf("median %s", b);
            text_at(out, x, y - 10, "middle", "value", lab);
            free(lab);
        }
    }
    html_esc(c.f, ".");
    axis(out, y + BAR + 14, top, fmt_dollars);
    cap_close(&c, out, id);
}

/* ------------------------------------------------------------ employment */

void svg_employment(FILE *out, const char *id, const char *title, double base, double proj,
                    const char *base_label, const char *proj_label, const char *missing)
{
    double v[2] = {base, proj}, top = svg_nice_max(fmax(isfinite(base) ? base : 0,
                                                        isfinite(proj) ? proj : 0));
    const char *labels[2] = {base_label, proj_label};
    int none = !isfinite(base) && !isfinite(proj);
    chart_begin(out, id, title, none ? 30 : TOP + 2 * ROW + 30);
    caption c;
    cap_open(&c);
    char b[FMT_BUF];
    if (none) {
        const char *why = missing ? missing : "no employment projection";
        text_at(out, SVG_X0, 20, "start", "value", why);
        html_esc(c.f, why);
        html_esc(c.f, "; no bars drawn.");
        cap_close(&c, out, id);
        return;
    }
    for (int i = 0; i < 2; i++) {
        double y = TOP + i * ROW;
        text_at(out, SVG_X0 - 8, y + BAR - 3, "end", "label", labels[i]);
        html_esc(c.f, i ? "; " : "Employment: ");
        html_esc(c.f, labels[i]);
        html_esc(c.f, " ");
        if (!isfinite(v[i])) {
            text_at(out, SVG_X0 + 4, y + BAR - 3, "start", "value", "not published");
            html_esc(c.f, "not published (no bar drawn)");
            continue;
        }
        char *words = xasprintf("%s jobs", fmt_thousands_k(b, sizeof b, v[i]));
        char *tip = xasprintf("%s: %s", labels[i], words);
        rect(out, i ? "bar bar-proj" : "bar", SVG_X0, y, scale_x(v[i], top) - SVG_X0, BAR, tip);
        text_at(out, scale_x(v[i], top) + 6, y + BAR - 3, "start", "value", words);
        html_esc(c.f, words);
        free(words);
        free(tip);
    }
    html_esc(c.f, " (BLS figures in thousands).");
    axis(out, TOP + 2 * ROW - 6, top, fmt_thousands_k);
    cap_close(&c, out, id);
}

/* ------------------------------------------------------------ stacked shares */

void svg_stacked(FILE *out, const char *id, const char *title, const svg_part *parts, size_t n,
                 const char *missing)
{
    size_t shown = 0, any = 0;
    for (size_t i = 0; i < n; i++)
        any += isfinite(parts[i].share) != 0;
    chart_begin(out, id, title, any ? TOP + BAR + 50 : 30);
    caption c;
    cap_open(&c);
    double x = SVG_X0, y = any ? TOP : 7;
    char b[FMT_BUF];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(parts[i].share))
            continue;
        double w = SVG_W * fmin(fmax(parts[i].share, 0), 1);
        fmt_share(b, sizeof b, parts[i].share);
        char *tip = xasprintf("%s: %s", parts[i].label, b);
        char cls[32];
        snprintf(cls, sizeof cls, "part part-%zu", i);
        rect(out, cls, x, y, w, BAR, tip);
        /* the legend: a swatch and the words, four to a row */
        double lx = 20 + (double)(shown % 4) * 165, ly = TOP + BAR + 22;
        snprintf(cls, sizeof cls, "part part-%zu", i);
        rect(out, cls, lx, ly - 10, 12, 12, NULL);
        text_at(out, lx + 16, ly, "start", "legend", tip);
        html_esc(c.f, shown ? "; " : "");
        html_esc(c.f, tip);
        free(tip);
        x += w;
        shown++;
    }
    if (!shown) {
        const char *why = missing ? missing : "not classified";
        text_at(out, SVG_X0, y + BAR - 3, "start", "value", why);
        html_esc(c.f, why);
        html_esc(c.f, "; no bar drawn.");
    } else {
        text_at(out, SVG_X0 - 8, y + BAR - 3, "end", "label", "Share of its conversations");
        html_esc(c.f, " (usage-weighted shares of the occupation's conversations).");
    }
    cap_close(&c, out, id);
}

/* ------------------------------------------------------------ the overview scatter */

#define SC_X0 90
#define SC_W 660
#define SC_Y0 20
#define SC_H 340

/* Orders points by size, largest first (drawn first, so small ones stay on top). */
static int by_size_desc(const void *a, const void *b)
{
    const svg_point *p = *(const svg_point *const *)a, *q = *(const svg_point *const *)b;
    double s = isfinite(p->size) ? p->size : 0, t = isfinite(q->size) ? q->size : 0;
    return (s < t) - (s > t);
}

void svg_scatter(FILE *out, const char *id, const char *title, const svg_point *pts, size_t n)
{
    double ymax = 0, smax = 0;
    size_t drawn = 0;
    const svg_point **order = xcalloc(n ? n : 1, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(pts[i].x) || !isfinite(pts[i].y))
            continue;
        order[drawn++] = &pts[i];
        ymax = fmax(ymax, pts[i].y);
        if (isfinite(pts[i].size))
            smax = fmax(smax, pts[i].size);
    }
    qsort(order, drawn, sizeof *order, by_size_desc);
    ymax = svg_nice_max(ymax);
    chart_begin(out, id, title, SC_Y0 + SC_H + 50);
    double edges[] = {0, SVG_BAND_LOW, SVG_BAND_HIGH, 100};
    static const char *cls[] = {"band-low", "band-moderate", "band-high"};
    static const char *names[] = {"Low", "Moderate", "High"};
    for (int b = 0; b < 3; b++) {
        double x0 = SC_X0 + SC_W * edges[b] / 100, x1 = SC_X0 + SC_W * edges[b + 1] / 100;
        rect(out, cls[b], x0, SC_Y0, x1 - x0, SC_H, NULL);
        text_at(out, (x0 + x1) / 2, SC_Y0 + 14, "middle", "band-label", names[b]);
    }
    char b[FMT_BUF];
    int ny = intervals(ymax);
    for (int i = 0; i <= ny; i++) {
        double yy = SC_Y0 + SC_H - (double)SC_H * i / ny;
        fprintf(out, "<line class=\"tick\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\"/>\n",
                SC_X0 - 4, yy, SC_X0, yy);
        text_at(out, SC_X0 - 6, yy + 4, "end", "tick-label", fmt_money(b, sizeof b, ymax * i / ny));
    }
    for (int i = 0; i <= 4; i++)
        text_at(out, SC_X0 + SC_W * i / 4.0, SC_Y0 + SC_H + 16, "middle", "tick-label",
                fmt_whole(b, sizeof b, 25.0 * i));
    text_at(out, SC_X0 + SC_W / 2.0, SC_Y0 + SC_H + 36, "middle", "label",
            "AI task-overlap index, percentile");
    fprintf(out, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" class=\"label\" "
                 "transform=\"rotate(-90 14 %d)\">Median annual wage</text>\n",
            SC_Y0 + SC_H / 2, SC_Y0 + SC_H / 2);
    for (size_t i = 0; i < drawn; i++) {
        const svg_point *p = order[i];
        double cx = SC_X0 + SC_W * fmin(fmax(p->x, 0), 100) / 100;
        double cy = SC_Y0 + SC_H - SC_H * fmin(fmax(p->y / ymax, 0), 1);
        double r = 2 + (smax > 0 && isfinite(p->size) ? 10 * sqrt(fmax(p->size, 0) / smax) : 0);
        fprintf(out, "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\"><title>", cx, cy, r);
        html_esc(out, p->label);
        if (p->words) {
            fputs(": ", out);
            html_esc(out, p->words);
        }
        fputs("</title></circle>\n", out);
    }
    free(order);
    caption c;
    cap_open(&c);
    fprintf(c.f, "%zu occupations drawn, each a dot at its composite exposure percentile (across) "
                 "and median annual wage (up), sized by employment",
            drawn);
    if (n > drawn)
        fprintf(c.f, "; %zu without a composite percentile or a median annual wage are not drawn",
                n - drawn);
    fputs(". The table below gives every figure.", c.f);
    cap_close(&c, out, id);
}
