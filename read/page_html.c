/* page_html.c - a role page of the site as an HTML document: the page's words, charts, canonical URL and example prompts. */
#include "read/page_html.h"
#include "common/util.h"
#include "read/format.h"
#include "read/html.h"
#include "read/markup.h"
#include "read/page.h"
#include "read/page_render.h"
#include "read/svg.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BARS 32   /* exposure measures on one chart */
#define PROMPTS 3     /* example prompts */

/* What the hooks need while one page is written. */
typedef struct {
    const page_html_opts *o;
    int aei_chart; /* the Economic Index chart was drawn */
} page_ctx;

char *page_html_filename(const char *code)
{
    char *name = xasprintf("role-%s.html", code);
    for (char *p = name + 5; *p && strcmp(p, ".html"); p++)
        if (*p == '.')
            *p = '-';
    return name;
}

void page_html_begin(FILE *out, const char *title, const page_html_opts *o)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
          out);
    html_esc(out, title);
    fputs("</title>\n", out);
    if (o->canonical) {
        fputs("<link rel=\"canonical\" href=\"", out);
        html_esc(out, o->canonical);
        fputs("\">\n", out);
    }
    fprintf(out, "<link rel=\"stylesheet\" href=\"%sstyle.css\">\n</head>\n<body>\n", o->root);
    fprintf(out, "<nav><a href=\"%sindex.html\">All occupations</a></nav>\n<main>\n", o->root);
}

void page_html_end(FILE *out, const page_html_opts *o, int script)
{
    fputs("</main>\n", out);
    if (script)
        fprintf(out, "<script src=\"%ssite.js\"></script>\n", o->root);
    fputs("</body>\n</html>\n", out);
}

/* A number of o at key, or NaN. */
static double num_or_nan(const json_t *o, const char *key)
{
    double v;
    return page_num(o, key, &v) ? v : NAN;
}

/* The percentile chart of every continuous exposure measure on the page
 * (the composite first, in the snapshot's order), with their words. */
static void chart_exposure(const json_t *page, markup *m)
{
    const json_t *ex = json_object_get(page, "exposure"), *x;
    const char *name;
    svg_bar bars[MAX_BARS];
    char words[MAX_BARS][64];
    size_t n = 0;
    json_object_foreach((json_t *)ex, name, x) {
        const char *kind = page_str(x, "kind"), *where = page_str(x, "page");
        if (!json_is_object(x) || !page_str(x, "title") || (kind && !strcmp(kind, "binary")) ||
            n == MAX_BARS)
            continue;
        double p = num_or_nan(x, "pct");
        const char *label = where && !strcmp(where, "historical") ? NULL : page_str(x, "label");
        char o[FMT_BUF];
        snprintf(words[n], sizeof words[n], "%s%s%s%s", fmt_percentile(o, sizeof o, p),
                 label ? " (" : "", label ? label : "", label ? ")" : "");
        bars[n] = (svg_bar){page_str(x, "title"), p, isfinite(p) ? words[n] : NULL};
        n++;
    }
    char *title = xasprintf("AI exposure percentiles of %s",
                            page_str(json_object_get(page, "occupation"), "title"));
    svg_percentiles(m->out, "chart-exposure", title, bars, n);
    free(title);
}

/* The OEWS wage percentiles (annual), or why there are none. */
static void chart_wages(const json_t *page, markup *m)
{
    const json_t *pay = json_object_get(page, "pay");
    double p[5] = {num_or_nan(pay, "a_pct10"), num_or_nan(pay, "a_pct25"),
                   num_or_nan(pay, "a_median"), num_or_nan(pay, "a_pct75"),
                   num_or_nan(pay, "a_pct90")};
    const char *missing = json_is_object(pay) ? "no annual wage percentiles published (OEWS)"
                                              : "no OEWS wage estimate for this occupation";
    svg_wages(m->out, "chart-wages", "Annual wage percentiles (BLS OEWS), median marked", p,
              missing);
}

/* Base and projected employment (BLS), or why there is none. */
static void chart_employment(const json_t *page, markup *m)
{
    const json_t *o = json_object_get(page, "outlook");
    double by = num_or_nan(o, "base_year"), py = num_or_nan(o, "proj_year");
    char bl[32] = "Base year", pl[32] = "Projected";
    if (isfinite(by))
        snprintf(bl, sizeof bl, "%.0f (base)", by);
    if (isfinite(py))
        snprintf(pl, sizeof pl, "%.0f (projected)", py);
    svg_employment(m->out, "chart-employment", "Employment, base and projected (BLS)",
                   num_or_nan(o, "emp_base"), num_or_nan(o, "emp_proj"), bl, pl,
                   "no BLS employment projection for this occupation");
}

/* The Economic Index shares as one stacked bar (all missing when aei is
 * not the occupation's figures). */
static void chart_aei(const json_t *aei, markup *m)
{
    svg_part parts[] = {{"Automation", num_or_nan(aei, "automation_share")},
                        {"Augmentation", num_or_nan(aei, "augmentation_share")},
                        {"Filtered", num_or_nan(aei, "filtered_share")},
                        {"Unknown", num_or_nan(aei, "unknown_share")}};
    svg_stacked(m->out, "chart-aei", "How its AI conversations split (Anthropic Economic Index)",
                parts, sizeof parts / sizeof *parts,
                "no Anthropic Economic Index data for this occupation");
}

/* The example prompts: "Help me <task>" for the tasks most handed to AI
 * (or, without them, the first core tasks), labelled as starting points. */
static void prompts(const json_t *page, markup *m)
{
    const json_t *tasks = json_object_get(json_object_get(page, "aei"), "top_tasks"), *t;
    const char *what = "the tasks above";
    if (!json_array_size(tasks)) {
        tasks = json_object_get(page, "tasks");
        what = "its first core tasks";
    }
    if (!json_array_size(tasks))
        return;
    char *head = xasprintf("Example prompts (honest phrasings of %s — starting points, not "
                           "endorsed instructions):",
                           what);
    mk_p_begin(m);
    mk_strong(m, head);
    mk_caption_end(m);
    free(head);
    mk_list_begin(m);
    size_t i;
    json_array_foreach(tasks, i, t)
    {
        const char *task = page_str(t, "task");
        if (i == PROMPTS || !task)
            break;
        char *s = xasprintf("Help me %s", task);
        char *first = s + 8; /* lower-case the task's first word unless it is an acronym */
        if (isupper((unsigned char)first[0]) && !isupper((unsigned char)first[1]))
            first[0] = (char)tolower((unsigned char)first[0]);
        mk_item_begin(m);
        mk_text(m, s);
        mk_item_end(m);
        free(s);
    }
    mk_list_end(m);
}

/* The site's additions at each place of the page (page_render's hook). */
static void at(void *vctx, page_place where, const json_t *page, markup *m)
{
    page_ctx *c = vctx;
    switch (where) {
    case PAGE_AT_CODE:
        if (c->o->canonical) {
            mk_item_begin(m);
            mk_strong(m, "Canonical URL:");
            mk_text(m, " ");
            mk_url(m, c->o->canonical);
            mk_item_end(m);
        }
        break;
    case PAGE_AT_OUTLOOK:
        chart_exposure(page, m);
        chart_wages(page, m);
        chart_employment(page, m);
        break;
    case PAGE_AT_AEI:
        chart_aei(json_object_get(page, "aei"), m);
        c->aei_chart = 1;
        break;
    case PAGE_AT_AEI_END:
        if (!c->aei_chart)
            chart_aei(NULL, m);
        prompts(page, m);
        break;
    case PAGE_AT_FOOTER:
        if (c->o->canonical) {
            mk_text(m, " ");
            mk_url(m, c->o->canonical);
        }
        break;
    }
}

void page_html_write(const json_t *page, const page_html_opts *o, FILE *out)
{
    const char *title = page_str(json_object_get(page, "occupation"), "title");
    char *doc_title = xasprintf("%s — occsnap", title ? title : "?");
    page_html_begin(out, doc_title, o);
    free(doc_title);
    page_ctx c = {o, 0};
    page_hooks h = {at, &c};
    markup m = {out, 1};
    page_render(page, &m, &h);
    page_html_end(out, o, 0);
}
