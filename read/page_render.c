/* page_render.c - the role page's words (the object page_collect builds), as Markdown or HTML. */
#include "read/page_render.h"
#include "read/format.h"
#include "read/page.h"

#include <math.h>
#include <string.h>

/* Calls the hook for where, when there is one. */
static void hook(const page_hooks *h, page_place where, const json_t *page, markup *m)
{
    if (h && h->at)
        h->at(h->ctx, where, page, m);
}

/* An item "**label:** " begun; the caller writes the rest and ends it. */
static void item_label(markup *m, const char *label)
{
    mk_item_begin(m);
    mk_strongf(m, "%s:", label);
    mk_text(m, " ");
}

/* ------------------------------------------------------------ the exposure section */

/* "62nd percentile" (or the gap) for measure m of the exposure object;
 * writes into buf. */
static const char *percentile_words(const json_t *m, int weighted, char *buf, size_t size)
{
    double p;
    char o[FMT_BUF];
    if (!page_num(m, "percentile", &p)) {
        snprintf(buf, size, weighted ? "no employment-weighted percentile (no OEWS employment)"
                                     : "no percentile");
        return buf;
    }
    snprintf(buf, size, "%s percentile", fmt_percentile(o, sizeof o, p));
    return buf;
}

/* What a percentile ranks among: " across 948 occupations" (those with a
 * value), or " by employment" when weighted; never fails. */
static void md_population(const json_t *x, int weighted, markup *m)
{
    char num[FMT_BUF];
    double n;
    if (weighted)
        mk_text(m, " by employment");
    else if (page_num(x, "n", &n))
        mk_textf(m, " across %s occupations", fmt_count(num, sizeof num, n));
}

/* The composite's line: its percentile and label across its N occupations
 * (or "by employment"), or why there is none. Never fails. */
static void md_composite(const char *name, const json_t *x, int weighted, markup *m)
{
    char pw[128];
    double n;
    item_label(m, page_str(x, "title"));
    if (!page_num(x, "value", &n)) {
        mk_textf(m, "no composite for this occupation (too few of the current-era exposure "
                    "studies cover it) — %s.",
                 name);
        mk_item_end(m);
        return;
    }
    const char *label = page_str(x, "label");
    mk_textf(m, "%s%s%s%s", percentile_words(x, weighted, pw, sizeof pw), label ? " (" : "",
             label ? label : "", label ? ")" : "");
    md_population(x, weighted, m);
    mk_textf(m, " — composite of current-era exposure studies (%s).", name);
    mk_item_end(m);
}

/* A binary measure's line: yes, no, or partly (a mean of merged codes), then
 * its note; or that there is no estimate. Never fails. */
static void md_binary(const json_t *x, markup *m)
{
    const char *note = page_str(x, "note");
    double v;
    char num[FMT_BUF];
    item_label(m, page_str(x, "title"));
    if (!page_num(x, "value", &v))
        mk_text(m, "no estimate for this occupation.");
    else if (v >= 1 || v <= 0)
        mk_textf(m, "%s%s%s.", v >= 1 ? "yes" : "no", note ? " — " : "", note ? note : "");
    else
        mk_textf(m, "partly (%s: the mean of its merged source codes' 0/1)%s%s.",
                 fmt_decimal2(num, sizeof num, v), note ? " — " : "", note ? note : "");
    mk_item_end(m);
}

/* A continuous measure's line: its percentile, the Low/Moderate/High label
 * unless it is historical, and its source measure id (after the note, when
 * it has one); or that it has no value here. Never fails. */
static void md_continuous(const char *name, const json_t *x, int weighted, markup *m)
{
    const char *note = page_str(x, "note");
    const char *where = page_str(x, "page");
    int historical = where && !strcmp(where, "historical");
    char pw[128], tail[512];
    double v;
    if (note)
        snprintf(tail, sizeof tail, "%s (source: %s)", note, name);
    else
        snprintf(tail, sizeof tail, "source: %s", name);
    item_label(m, page_str(x, "title"));
    if (!page_num(x, "value", &v)) {
        mk_textf(m, "no value for this occupation — %s.", tail);
        mk_item_end(m);
        return;
    }
    const char *label = historical ? NULL : page_str(x, "label");
    mk_textf(m, "%s%s%s%s", percentile_words(x, weighted, pw, sizeof pw), label ? " (" : "",
             label ? label : "", label ? ")" : "");
    md_population(x, weighted, m);
    mk_textf(m, " — %s.", tail);
    mk_item_end(m);
}

/* The exposure lines, one per measure of the page in the snapshot's order
 * (measure_info): the composite, then each measure as its kind and place
 * say; the list is the caller's to begin and end. Never fails. */
static void md_exposure(const json_t *page, markup *m)
{
    const char *name;
    const json_t *x, *ex = json_object_get(page, "exposure");
    int weighted = json_is_true(json_object_get(ex, "weighted"));
    json_object_foreach((json_t *)ex, name, x) {
        const char *kind = page_str(x, "kind");
        if (!json_is_object(x) || !page_str(x, "title"))
            continue;
        if (json_is_true(json_object_get(x, "composite")))
            md_composite(name, x, weighted, m);
        else if (kind && !strcmp(kind, "binary"))
            md_binary(x, m);
        else
            md_continuous(name, x, weighted, m);
    }
}

/* ------------------------------------------------------------ the other sections */

/* A collaboration mode as prose: "task_iteration+validation" ->
 * "task iteration + validation"; writes into buf (size bytes). */
static const char *mode_words(const char *mode, char *buf, size_t size)
{
    size_t k = 0;
    for (const char *p = mode; *p && k + 4 < size; p++) {
        if (*p == '+') {
            memcpy(buf + k, " + ", 3);
            k += 3;
        } else
            buf[k++] = *p == '_' ? ' ' : *p;
    }
    buf[k] = '\0';
    return buf;
}

/* " (figures of the BLS row 11-1011 Chief executives, shared by 2 O*NET
 * occupations)" when the row is an aggregate or shared, else nothing. */
static void md_row_note(const json_t *o, const char *code_key, const char *title_key,
                        const char *what, markup *m)
{
    double shared = 1;
    page_num(o, "shared_by", &shared);
    const char *match = page_str(o, "match");
    int aggregate = match && !strcmp(match, "aggregate");
    if (!aggregate && shared <= 1)
        return;
    const char *title = page_str(o, title_key);
    mk_textf(m, " (figures of the %s%s row %s%s%s", what, aggregate ? " aggregate" : "",
             page_str(o, code_key) ? page_str(o, code_key) : "?", title ? " " : "",
             title ? title : "");
    if (shared > 1)
        mk_textf(m, ", shared by %.0f O*NET occupations", shared);
    mk_text(m, ")");
}

/* The BLS projection line (change, label, openings, base -> projected jobs),
 * or one line saying there is none; never fails. */
static void md_outlook(const json_t *page, markup *m)
{
    const json_t *p = json_object_get(page, "outlook");
    char a[FMT_BUF], b[FMT_BUF], label[128] = "Projected employment (BLS";
    double base_y, proj_y, v, w;
    if (!json_is_object(p)) {
        item_label(m, "Projected employment (BLS)");
        mk_text(m, "no BLS employment projection for this occupation.");
        mk_item_end(m);
        return;
    }
    size_t k = strlen(label);
    if (page_num(p, "base_year", &base_y) && page_num(p, "proj_year", &proj_y)) {
        if ((long)base_y / 100 == (long)proj_y / 100)
            snprintf(label + k, sizeof label - k, " %ld–%02ld", (long)base_y, (long)proj_y % 100);
        else
            snprintf(label + k, sizeof label - k, " %ld–%ld", (long)base_y, (long)proj_y);
    }
    k = strlen(label);
    snprintf(label + k, sizeof label - k, ")");
    mk_item_begin(m);
    mk_strongf(m, "%s:", label);
    const char *sep = " ";
    if (page_num(p, "change_pct", &v)) {
        if (page_num(p, "base_year", &base_y))
            mk_textf(m, "%s%s of %ld jobs (%s)", sep, fmt_change_pct(a, sizeof a, v),
                     (long)base_y, fmt_change_label(v));
        else
            mk_textf(m, "%s%s of base-year jobs (%s)", sep, fmt_change_pct(a, sizeof a, v),
                     fmt_change_label(v));
        sep = "; ";
    }
    if (page_num(p, "openings", &v)) {
        mk_textf(m, "%s%s annual openings", sep, fmt_thousands_k(a, sizeof a, v));
        sep = "; ";
    }
    if (page_num(p, "emp_base", &v) && page_num(p, "emp_proj", &w)) {
        mk_textf(m, "%s%s → %s jobs", sep, fmt_thousands_k(a, sizeof a, v),
                 fmt_thousands_k(b, sizeof b, w));
        sep = "; ";
    }
    if (!strcmp(sep, " "))
        mk_text(m, " no figures published for this occupation");
    md_row_note(p, "nem_code", "nem_title", "BLS", m);
    mk_text(m, ".");
    mk_item_end(m);
}

/* The OEWS vintage among the page's sources (also when the page has no
 * OEWS row), or NULL; borrowed from page. */
static const char *oews_vintage(const json_t *page)
{
    const json_t *src;
    size_t i;
    json_array_foreach(json_object_get(page, "sources"), i, src)
    {
        const char *id = page_str(src, "id");
        if (id && !strcmp(id, "oews"))
            return page_str(src, "vintage");
    }
    return NULL;
}

/* The OEWS line (median pay, employment, the vintage from the manifest), or
 * one line saying there is no estimate; never fails. */
static void md_pay(const json_t *page, markup *m)
{
    const json_t *p = json_object_get(page, "pay");
    const char *vintage = oews_vintage(page);
    char a[FMT_BUF];
    double v;
    mk_item_begin(m);
    mk_strongf(m, "Pay & employment (BLS OEWS%s%s):", vintage ? ", " : "", vintage ? vintage : "");
    mk_text(m, " ");
    if (!json_is_object(p)) {
        mk_text(m, "No OEWS employment or wage estimate for this occupation.");
        mk_item_end(m);
        return;
    }
    const char *aflag = page_str(p, "a_median_flag");
    if (page_num(p, "a_median", &v))
        mk_textf(m, "median %s", fmt_money(a, sizeof a, v));
    else if (page_num(p, "h_median", &v))
        mk_textf(m, "median %s an hour", fmt_money_cents(a, sizeof a, v));
    else if (aflag && !strcmp(aflag, "#"))
        mk_text(m, "median at or above the OEWS top code (#)");
    else
        mk_text(m, "no median wage published");
    if (page_num(p, "tot_emp", &v))
        mk_textf(m, "; %s employed", fmt_count(a, sizeof a, v));
    else
        mk_text(m, "; employment not published");
    md_row_note(p, "oews_code", "oews_title", "OEWS", m);
    mk_text(m, ".");
    mk_item_end(m);
}

/* A paragraph holding text; never fails. */
static void para(markup *m, const char *text)
{
    mk_p_begin(m);
    mk_text(m, text);
    mk_p_end(m);
}

/* The Economic Index figures of a release with data for the occupation:
 * usage, shares, autonomy, mode (one list), then its top tasks; never fails. */
static void md_aei_figures(const json_t *page, const json_t *a, markup *m, const page_hooks *h)
{
    char s1[FMT_BUF], s2[FMT_BUF], mode[128];
    double usage = 0, tasks, v, w;
    page_num(a, "usage_pct", &usage);
    mk_list_begin(m);
    item_label(m, "Share of all conversations");
    mk_textf(m, "%s%%", fmt_sig(s1, sizeof s1, usage, 2));
    if (page_num(a, "tasks", &tasks))
        mk_textf(m, " (over %.0f of its tasks)", tasks);
    mk_text(m, ".");
    mk_item_end(m);
    item_label(m, "Automation vs augmentation");
    if (page_num(a, "automation_share", &v) && page_num(a, "augmentation_share", &w)) {
        /* the four shares on one line add to 100 % (largest remainder) */
        double f[4] = {v, w, 0, 0};
        long pc[4];
        page_num(a, "filtered_share", &f[2]);
        page_num(a, "unknown_share", &f[3]);
        fmt_largest_remainder(f, 4, pc);
        mk_textf(m, "%ld%% automation, %ld%% augmentation", pc[0], pc[1]);
        if (pc[2] || pc[3]) {
            mk_text(m, "; the rest is ");
            if (pc[2])
                mk_textf(m, "%ld%% filtered", pc[2]);
            if (pc[2] && pc[3])
                mk_text(m, " and ");
            if (pc[3])
                mk_textf(m, "%ld%% unclassified", pc[3]);
        }
        mk_text(m, " (of this occupation's AI conversations, usage-weighted)");
        mk_text(m, ".");
    } else
        mk_text(m, "not classified in this release.");
    mk_item_end(m);
    item_label(m, "Autonomy median");
    if (page_num(a, "autonomy_median", &v))
        mk_textf(m, "%.1f (higher = AI acts more independently).", v);
    else
        mk_text(m, "not measured in this release.");
    mk_item_end(m);
    double hours, mins;
    if (page_num(a, "human_only_hours", &hours) && page_num(a, "with_ai_minutes", &mins)) {
        item_label(m, "Time per task");
        mk_textf(m, "a typical task takes %s hours without AI, %s minutes with it",
                 fmt_sig(s1, sizeof s1, hours, 2), fmt_sig(s2, sizeof s2, mins, 2));
        if (page_num(a, "speedup", &v))
            mk_textf(m, " (about %s times faster)", fmt_sig(s1, sizeof s1, v, 2));
        mk_text(m, ".");
        mk_item_end(m);
    }
    if (page_num(a, "task_success_share", &v)) {
        item_label(m, "Task success");
        mk_textf(m, "%s of the judged conversations succeeded.", fmt_share(s1, sizeof s1, v));
        mk_item_end(m);
    }
    if (page_num(a, "autonomy_mean", &v)) {
        item_label(m, "Autonomy mean");
        mk_textf(m, "%.1f on a 1-5 scale.", v);
        mk_item_end(m);
    }
    if (page_num(a, "work_share", &v)) {
        item_label(m, "Work use");
        mk_textf(m, "%s of the conversations are for work.", fmt_share(s1, sizeof s1, v));
        mk_item_end(m);
    }
    const char *dm = page_str(a, "dominant_mode");
    item_label(m, "Dominant collaboration mode");
    if (dm)
        mk_textf(m, "%s.", mode_words(dm, mode, sizeof mode));
    else
        mk_text(m, "none (only filtered or unclassified use).");
    mk_item_end(m);
    mk_list_end(m);
    hook(h, PAGE_AT_AEI, page, m);
    const json_t *tl = json_object_get(a, "top_tasks"), *t;
    size_t i;
    if (!json_array_size(tl))
        return;
    mk_p_begin(m);
    mk_strong(m, "Tasks most handed to AI here:");
    mk_caption_end(m);
    mk_list_begin(m);
    json_array_foreach(tl, i, t)
    {
        const char *tm = page_str(t, "dominant_mode");
        double up = 0;
        page_num(t, "usage_pct", &up);
        mk_item_begin(m);
        mk_textf(m, "%s ", page_str(t, "task"));
        char em[256];
        snprintf(em, sizeof em, "(%s%% of all conversations%s%s)", fmt_sig(s1, sizeof s1, up, 2),
                 tm ? "; " : "", tm ? mode_words(tm, mode, sizeof mode) : "");
        mk_em(m, em);
        mk_item_end(m);
    }
    mk_list_end(m);
}

/* The Economic Index section of the newest release, in the data's units
 * (usage: a percent of all conversations; shares: fractions as percents), or
 * one line saying there is no data; never fails. */
static void md_aei(const json_t *page, markup *m, const page_hooks *h)
{
    const json_t *a = json_object_get(page, "aei");
    mk_heading(m, 2, "How people actually use AI here");
    double usage;
    if (!json_is_object(a))
        para(m, "No Anthropic Economic Index data in this snapshot.");
    else if (!page_num(a, "usage_pct", &usage)) {
        const char *label = page_str(a, "release_label") ? page_str(a, "release_label")
                                                         : page_str(a, "release");
        mk_p_begin(m);
        mk_textf(m, "No Anthropic Economic Index data for this occupation in release %s.", label);
        mk_p_end(m);
    } else {
        const char *label = page_str(a, "release_label") ? page_str(a, "release_label")
                                                         : page_str(a, "release");
        mk_p_begin(m);
        const char *period = page_str(a, "period");
        int hp = period && *period;
        mk_textf(m,
                 "Anthropic Economic Index, release %s%s%s%s — measured AI conversations mapped "
                 "to this occupation's tasks:",
                 label, hp ? " (period from " : "", hp ? period : "", hp ? ")" : "");
        mk_p_end(m);
        md_aei_figures(page, a, m, h);
    }
    hook(h, PAGE_AT_AEI_END, page, m);
}

/* One line per source of the manifest: title, vintage, citation, homepage and
 * a stale flag; never fails. */
static void md_sources(const json_t *page, markup *m)
{
    const json_t *s, *all = json_object_get(page, "sources");
    size_t i;
    mk_heading(m, 2, "Sources");
    if (!json_array_size(all)) {
        para(m, "The snapshot's manifest lists no sources.");
        return;
    }
    mk_list_begin(m);
    json_array_foreach(all, i, s)
    {
        const char *title = page_str(s, "title"), *vintage = page_str(s, "vintage"),
                   *cit = page_str(s, "citation"), *home = page_str(s, "homepage");
        mk_item_begin(m);
        mk_strong(m, title ? title : page_str(s, "id"));
        if (vintage)
            mk_textf(m, " (%s)", vintage);
        if (cit)
            mk_textf(m, " — %s", cit);
        if (home && (!cit || !strstr(cit, home))) {
            mk_text(m, " ");
            mk_url(m, home);
        }
        if (json_is_true(json_object_get(s, "stale"))) {
            mk_text(m, " ");
            mk_em(m, "(a stale copy: the last download of this source failed)");
        }
        mk_item_end(m);
    }
    mk_list_end(m);
}

/* The title, description, SOC code, other titles and the frame line; never
 * fails. */
static void md_header(const json_t *page, markup *m, const page_hooks *h)
{
    const json_t *occ = json_object_get(page, "occupation"), *t;
    size_t i;
    const char *desc = page_str(occ, "description");
    mk_heading(m, 1, page_str(occ, "title"));
    mk_lead(m, desc && *desc ? desc : "No O*NET description for this occupation.");
    mk_list_begin(m);
    item_label(m, "SOC code");
    mk_text(m, page_str(occ, "onet_code"));
    mk_item_end(m);
    hook(h, PAGE_AT_CODE, page, m);
    const json_t *titles = json_object_get(page, "titles");
    item_label(m, "Also known as");
    if (json_array_size(titles)) {
        const char *sep = ", "; /* "; " when a title holds a comma itself */
        json_array_foreach(titles, i, t) if (strchr(page_str(t, "title"), ',')) sep = "; ";
        json_array_foreach(titles, i, t) mk_textf(m, "%s%s", i ? sep : "", page_str(t, "title"));
    } else
        mk_text(m, "no alternate or reported titles in O*NET.");
    mk_item_end(m);
    item_label(m, "Frame");
    mk_text(m, "\"AI exposure\" means task overlap (how codifiable the work is), not jobs lost "
               "or a forecast. Every figure below comes from this snapshot; its sources are "
               "listed at the end.");
    mk_item_end(m);
    mk_list_end(m);
}

/* The core tasks (the page's "tasks", borrowed) under their heading; never
 * fails. */
static void md_tasks(const json_t *tasks, markup *m)
{
    const json_t *t;
    size_t i;
    mk_heading(m, 2, "What this work is");
    if (!json_array_size(tasks)) {
        para(m, "No O*NET core tasks for this occupation.");
        return;
    }
    mk_p_begin(m);
    mk_strong(m, "Core tasks");
    mk_text(m, " (O*NET):");
    mk_caption_end(m);
    mk_list_begin(m);
    json_array_foreach(tasks, i, t)
    {
        mk_item_begin(m);
        mk_text(m, page_str(t, "task"));
        mk_item_end(m);
    }
    mk_list_end(m);
}

/* A caption "**strong**rest" that introduces the list below it. */
static void caption(markup *m, const char *strong, const char *rest)
{
    mk_p_begin(m);
    mk_strong(m, strong);
    mk_text(m, rest);
    mk_caption_end(m);
}

/* An item "name _(what)_" (what may be NULL: the name alone). */
static void item_tagged(markup *m, const char *name, const char *what)
{
    mk_item_begin(m);
    mk_text(m, name);
    if (what) {
        char em[128];
        snprintf(em, sizeof em, "(%s)", what);
        mk_text(m, " ");
        mk_em(m, em);
    }
    mk_item_end(m);
}

/* The knowledge/skill/ability ratings and the technology; never fails. */
static void md_skills(const json_t *page, markup *m)
{
    const json_t *el = json_object_get(page, "elements"), *t;
    size_t i;
    mk_heading(m, 2, "Skills, tools, capabilities");
    if (json_array_size(el)) {
        caption(m, "Knowledge, skills & abilities", " (O*NET, highest importance first):");
        mk_list_begin(m);
        json_array_foreach(el, i, t) item_tagged(m, page_str(t, "name"), page_str(t, "kind"));
        mk_list_end(m);
        const json_t *miss = json_object_get(page, "elements_missing");
        if (json_array_size(miss)) {
            mk_p_begin(m);
            mk_text(m, "No O*NET ");
            json_array_foreach(miss, i, t)
                mk_textf(m, "%s%s", i == 0 ? "" : i + 1 == json_array_size(miss) ? " or " : ", ",
                         json_string_value(t));
            mk_text(m, " ratings for this occupation in this snapshot.");
            mk_p_end(m);
        }
    } else
        para(m, "No O*NET knowledge, skill or ability ratings for this occupation.");
    const json_t *tech = json_object_get(page, "technology");
    if (json_array_size(tech)) {
        caption(m, "Tools & technology:", "");
        mk_list_begin(m);
        json_array_foreach(tech, i, t)
            item_tagged(m, page_str(t, "example"),
                        json_is_true(json_object_get(t, "hot_technology")) ? "hot technology"
                                                                           : NULL);
        mk_list_end(m);
    } else
        para(m, "No O*NET technology skills for this occupation.");
}

void page_render(const json_t *page, markup *m, const page_hooks *h)
{
    md_header(page, m, h);
    md_tasks(json_object_get(page, "tasks"), m);
    md_skills(page, m);
    mk_heading(m, 2, "AI exposure & outlook");
    const json_t *ex = json_object_get(page, "exposure");
    if (json_is_true(json_object_get(ex, "weighted"))) {
        mk_p_begin(m);
        mk_text(m, "Percentiles are employment-weighted (");
        mk_code(m, "pct_emp");
        mk_text(m, ": each occupation counts with its OEWS employment); the labels are those of "
                   "the unweighted percentile.");
        mk_p_end(m);
    }
    mk_list_begin(m);
    md_exposure(page, m);
    md_outlook(page, m);
    md_pay(page, m);
    mk_list_end(m);
    hook(h, PAGE_AT_OUTLOOK, page, m);
    md_aei(page, m, h);
    md_sources(page, m);
    const json_t *snap = json_object_get(page, "snapshot");
    const char *created = page_str(snap, "created_at");
    char words[256];
    snprintf(words, sizeof words, "Generated by occsnap %s from snapshot %s; data snapshot %s.",
             page_str(snap, "tool_version") ? page_str(snap, "tool_version") : "",
             page_str(snap, "id") ? page_str(snap, "id") : "?", created ? created : "?");
    mk_footer_begin(m);
    mk_em(m, words);
    hook(h, PAGE_AT_FOOTER, page, m);
    mk_footer_end(m);
}

void page_md_render(const json_t *page, FILE *out)
{
    markup m = {out, 0};
    page_render(page, &m, NULL);
}
