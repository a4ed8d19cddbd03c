/* page_md.c - the Markdown rendering of a role page (the object page_collect builds). */
#include "read/page_md.h"
#include "read/format.h"
#include "read/page.h"

#include <math.h>
#include <string.h>

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
static void md_population(const json_t *m, int weighted, FILE *out)
{
    char num[FMT_BUF];
    double n;
    if (weighted)
        fputs(" by employment", out);
    else if (page_num(m, "n", &n))
        fprintf(out, " across %s occupations", fmt_count(num, sizeof num, n));
}

/* The composite's line: its percentile and label across its N occupations
 * (or "by employment"), or why there is none. Never fails. */
static void md_composite(const char *name, const json_t *m, int weighted, FILE *out)
{
    char pw[128];
    const char *title = page_str(m, "title");
    double n;
    if (!page_num(m, "value", &n)) {
        fprintf(out, "- **%s:** no composite for this occupation (too few of the current-era "
                     "exposure studies cover it) — %s.\n",
                title, name);
        return;
    }
    const char *label = page_str(m, "label");
    fprintf(out, "- **%s:** %s%s%s%s", title, percentile_words(m, weighted, pw, sizeof pw),
            label ? " (" : "", label ? label : "", label ? ")" : "");
    md_population(m, weighted, out);
    fprintf(out, " — composite of current-era exposure studies (%s).\n", name);
}

/* A binary measure's line: yes, no, or partly (a mean of merged codes), then
 * its note; or that there is no estimate. Never fails. */
static void md_binary(const json_t *m, FILE *out)
{
    const char *title = page_str(m, "title"), *note = page_str(m, "note");
    double v;
    char num[FMT_BUF], frac[FMT_BUF + 16];
    if (!page_num(m, "value", &v)) {
        fprintf(out, "- **%s:** no estimate for this occupation.\n", title);
        return;
    }
    if (v >= 1)
        snprintf(frac, sizeof frac, "yes");
    else if (v <= 0)
        snprintf(frac, sizeof frac, "no");
    else
        snprintf(frac, sizeof frac, "partly (%s: the mean of its merged source codes' 0/1)",
                 fmt_decimal2(num, sizeof num, v));
    fprintf(out, "- **%s:** %s%s%s.\n", title, frac, note ? " — " : "", note ? note : "");
}

/* A continuous measure's line: its percentile, the Low/Moderate/High label
 * unless it is historical, and its source measure id (after the note, when
 * it has one); or that it has no value here. Never fails. */
static void md_continuous(const char *name, const json_t *m, int weighted, FILE *out)
{
    const char *title = page_str(m, "title"), *note = page_str(m, "note");
    const char *where = page_str(m, "page");
    int historical = where && !strcmp(where, "historical");
    char pw[128], tail[512];
    double v;
    if (note)
        snprintf(tail, sizeof tail, "%s (source: %s)", note, name);
    else
        snprintf(tail, sizeof tail, "source: %s", name);
    if (!page_num(m, "value", &v)) {
        fprintf(out, "- **%s:** no value for this occupation — %s.\n", title, tail);
        return;
    }
    const char *label = historical ? NULL : page_str(m, "label");
    fprintf(out, "- **%s:** %s%s%s%s", title, percentile_words(m, weighted, pw, sizeof pw),
            label ? " (" : "", label ? label : "", label ? ")" : "");
    md_population(m, weighted, out);
    fprintf(out, " — %s.\n", tail);
}

/* The exposure lines, one per measure of the page in the snapshot's order
 * (measure_info): the composite, then each measure as its kind and place
 * say. Never fails. */
static void md_exposure(const json_t *page, FILE *out)
{
    const json_t *ex = json_object_get(page, "exposure");
    int weighted = json_is_true(json_object_get(ex, "weighted"));
    if (weighted)
        fputs("Percentiles are employment-weighted (`pct_emp`: each occupation counts with its "
              "OEWS employment); the labels are those of the unweighted percentile.\n\n",
              out);
    const char *name;
    const json_t *m;
    json_object_foreach((json_t *)ex, name, m) {
        const char *kind = page_str(m, "kind");
        if (!json_is_object(m) || !page_str(m, "title"))
            continue;
        if (json_is_true(json_object_get(m, "composite")))
            md_composite(name, m, weighted, out);
        else if (kind && !strcmp(kind, "binary"))
            md_binary(m, out);
        else
            md_continuous(name, m, weighted, out);
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
                        const char *what, FILE *out)
{
    double shared = 1;
    page_num(o, "shared_by", &shared);
    const char *match = page_str(o, "match");
    int aggregate = match && !strcmp(match, "aggregate");
    if (!aggregate && shared <= 1)
        return;
    const char *title = page_str(o, title_key);
    fprintf(out, " (figures of the %s%s row %s%s%s", what, aggregate ? " aggregate" : "",
            page_str(o, code_key) ? page_str(o, code_key) : "?", title ? " " : "", title ? title : "");
    if (shared > 1)
        fprintf(out, ", shared by %.0f O*NET occupations", shared);
    fputs(")", out);
}

/* The BLS projection line (change, label, openings, base -> projected jobs),
 * or one line saying there is none; never fails. */
static void md_outlook(const json_t *page, FILE *out)
{
    const json_t *p = json_object_get(page, "outlook");
    char a[FMT_BUF], b[FMT_BUF];
    double base_y, proj_y, v, w;
    if (!json_is_object(p)) {
        fputs("- **Projected employment (BLS):** no BLS employment projection for this "
              "occupation.\n",
              out);
        return;
    }
    fputs("- **Projected employment (BLS", out);
    if (page_num(p, "base_year", &base_y) && page_num(p, "proj_year", &proj_y)) {
        if ((long)base_y / 100 == (long)proj_y / 100)
            fprintf(out, " %ld–%02ld", (long)base_y, (long)proj_y % 100);
        else
            fprintf(out, " %ld–%ld", (long)base_y, (long)proj_y);
    }
    fputs("):**", out);
    const char *sep = " ";
    if (page_num(p, "change_pct", &v)) {
        if (page_num(p, "base_year", &base_y))
            fprintf(out, "%s%s of %ld jobs (%s)", sep, fmt_change_pct(a, sizeof a, v),
                    (long)base_y, fmt_change_label(v));
        else
            fprintf(out, "%s%s of base-year jobs (%s)", sep, fmt_change_pct(a, sizeof a, v),
                    fmt_change_label(v));
        sep = "; ";
    }
    if (page_num(p, "openings", &v)) {
        fprintf(out, "%s%s annual openings", sep, fmt_thousands_k(a, sizeof a, v));
        sep = "; ";
    }
    if (page_num(p, "emp_base", &v) && page_num(p, "emp_proj", &w)) {
        fprintf(out, "%s%s → %s jobs", sep, fmt_thousands_k(a, sizeof a, v),
                fmt_thousands_k(b, sizeof b, w));
        sep = "; ";
    }
    if (!strcmp(sep, " "))
        fputs(" no figures published for this occupation", out);
    md_row_note(p, "nem_code", "nem_title", "BLS", out);
    fputs(".\n", out);
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
static void md_pay(const json_t *page, FILE *out)
{
    const json_t *p = json_object_get(page, "pay");
    const char *vintage = oews_vintage(page);
    char a[FMT_BUF];
    double v;
    fprintf(out, "- **Pay & employment (BLS OEWS%s%s):** ", vintage ? ", " : "",
            vintage ? vintage : "");
    if (!json_is_object(p)) {
        fputs("No OEWS employment or wage estimate for this occupation.\n", out);
        return;
    }
    const char *aflag = page_str(p, "a_median_flag");
    if (page_num(p, "a_median", &v))
        fprintf(out, "median %s", fmt_money(a, sizeof a, v));
    else if (page_num(p, "h_median", &v))
        fprintf(out, "median %s an hour", fmt_money_cents(a, sizeof a, v));
    else if (aflag && !strcmp(aflag, "#"))
        fputs("median at or above the OEWS top code (#)", out);
    else
        fputs("no median wage published", out);
    if (page_num(p, "tot_emp", &v))
        fprintf(out, "; %s employed", fmt_count(a, sizeof a, v));
    else
        fputs("; employment not published", out);
    md_row_note(p, "oews_code", "oews_title", "OEWS", out);
    fputs(".\n", out);
}

/* The Economic Index section of the newest release, in the data's units
 * (usage: a percent of all conversations; shares: fractions as percents), or
 * one line saying there is no data; never fails. */
static void md_aei(const json_t *page, FILE *out)
{
    const json_t *a = json_object_get(page, "aei");
    fputs("## How people actually use AI here\n\n", out);
    if (!json_is_object(a)) {
        fputs("No Anthropic Economic Index data in this snapshot.\n\n", out);
        return;
    }
    const char *label = page_str(a, "release_label") ? page_str(a, "release_label") : page_str(a, "release");
    double usage, tasks, v, w;
    if (!page_num(a, "usage_pct", &usage)) {
        fprintf(out, "No Anthropic Economic Index data for this occupation in release %s.\n\n",
                label);
        return;
    }
    char s1[FMT_BUF], mode[128];
    fprintf(out,
            "Anthropic Economic Index, release %s — measured AI conversations mapped to this "
            "occupation's tasks:\n\n",
            label);
    fprintf(out, "- **Share of all conversations:** %s%%", fmt_sig(s1, sizeof s1, usage, 2));
    if (page_num(a, "tasks", &tasks))
        fprintf(out, " (over %.0f of its tasks)", tasks);
    fputs(".\n", out);
    if (page_num(a, "automation_share", &v) && page_num(a, "augmentation_share", &w)) {
        /* the four shares on one line add to 100 % (largest remainder) */
        double f[4] = {v, w, 0, 0};
        long pc[4];
        page_num(a, "filtered_share", &f[2]);
        page_num(a, "unknown_share", &f[3]);
        fmt_largest_remainder(f, 4, pc);
        fprintf(out, "- **Automation vs augmentation:** %ld%% automation, %ld%% augmentation",
                pc[0], pc[1]);
        if (pc[2] || pc[3]) {
            fputs("; the rest is ", out);
            if (pc[2])
                fprintf(out, "%ld%% filtered", pc[2]);
            if (pc[2] && pc[3])
                fputs(" and ", out);
            if (pc[3])
                fprintf(out, "%ld%% unclassified", pc[3]);
        }
        fputs(" (of this occupation's AI conversations, usage-weighted)", out);
        fputs(".\n", out);
    } else
        fputs("- **Automation vs augmentation:** not classified in this release.\n", out);
    if (page_num(a, "autonomy_median", &v))
        fprintf(out, "- **Autonomy median:** %.1f (higher = AI acts more independently).\n", v);
    else
        fputs("- **Autonomy median:** not measured in this release.\n", out);
    const char *dm = page_str(a, "dominant_mode");
    if (dm)
        fprintf(out, "- **Dominant collaboration mode:** %s.\n", mode_words(dm, mode, sizeof mode));
    else
        fputs("- **Dominant collaboration mode:** none (only filtered or unclassified use).\n", out);
    const json_t *tl = json_object_get(a, "top_tasks"), *t;
    size_t i;
    if (json_array_size(tl)) {
        fputs("\n**Tasks most handed to AI here:**\n", out);
        json_array_foreach(tl, i, t)
        {
            const char *m = page_str(t, "dominant_mode");
            double up = 0;
            page_num(t, "usage_pct", &up);
            fprintf(out, "- %s _(%s%% of all conversations%s%s)_\n", page_str(t, "task"),
                    fmt_sig(s1, sizeof s1, up, 2), m ? "; " : "",
                    m ? mode_words(m, mode, sizeof mode) : "");
        }
    }
    fputs("\n", out);
}

/* One line per source of the manifest: title, vintage, citation, homepage and
 * a stale flag; never fails. */
static void md_sources(const json_t *page, FILE *out)
{
    const json_t *s;
    size_t i;
    fputs("## Sources\n\n", out);
    json_array_foreach(json_object_get(page, "sources"), i, s)
    {
        const char *title = page_str(s, "title"), *vintage = page_str(s, "vintage"),
                   *cit = page_str(s, "citation"), *home = page_str(s, "homepage");
        fprintf(out, "- **%s**", title ? title : page_str(s, "id"));
        if (vintage)
            fprintf(out, " (%s)", vintage);
        if (cit)
            fprintf(out, " — %s", cit);
        if (home && (!cit || !strstr(cit, home)))
            fprintf(out, " %s", home);
        if (json_is_true(json_object_get(s, "stale")))
            fputs(" _(a stale copy: the last download of this source failed)_", out);
        fputs("\n", out);
    }
    if (!json_array_size(json_object_get(page, "sources")))
        fputs("The snapshot's manifest lists no sources.\n", out);
}

/* The title, description, SOC code, other titles and the frame line; never
 * fails. */
static void md_header(const json_t *page, FILE *out)
{
    const json_t *occ = json_object_get(page, "occupation"), *t;
    size_t i;
    const char *desc = page_str(occ, "description");
    fprintf(out, "# %s\n\n", page_str(occ, "title"));
    if (desc && *desc)
        fprintf(out, "> %s\n\n", desc);
    else
        fputs("> No O*NET description for this occupation.\n\n", out);
    fprintf(out, "- **SOC code:** %s\n", page_str(occ, "onet_code"));
    const json_t *titles = json_object_get(page, "titles");
    fputs("- **Also known as:** ", out);
    if (json_array_size(titles)) {
        const char *sep = ", "; /* "; " when a title holds a comma itself */
        json_array_foreach(titles, i, t) if (strchr(page_str(t, "title"), ',')) sep = "; ";
        json_array_foreach(titles, i, t) fprintf(out, "%s%s", i ? sep : "", page_str(t, "title"));
        fputs("\n", out);
    } else
        fputs("no alternate or reported titles in O*NET.\n", out);
    fputs("- **Frame:** \"AI exposure\" means task overlap (how codifiable the work is), not "
          "jobs lost or a forecast. Every figure below comes from this snapshot; its sources "
          "are listed at the end.\n\n",
          out);
}

/* The core tasks (the page's "tasks", borrowed) under their heading; never
 * fails. */
static void md_tasks(const json_t *tasks, FILE *out)
{
    const json_t *t;
    size_t i;
    fputs("## What this work is\n\n", out);
    if (!json_array_size(tasks)) {
        fputs("No O*NET core tasks for this occupation.\n\n", out);
        return;
    }
    fputs("**Core tasks** (O*NET):\n", out);
    json_array_foreach(tasks, i, t) fprintf(out, "- %s\n", page_str(t, "task"));
    fputs("\n", out);
}

/* The knowledge/skill/ability ratings and the technology; never fails. */
static void md_skills(const json_t *page, FILE *out)
{
    const json_t *el = json_object_get(page, "elements"), *t;
    size_t i;
    fputs("## Skills, tools, capabilities\n\n", out);
    if (json_array_size(el)) {
        fputs("**Knowledge, skills & abilities** (O*NET, highest importance first):\n", out);
        json_array_foreach(el, i, t)
            fprintf(out, "- %s _(%s)_\n", page_str(t, "name"), page_str(t, "kind"));
        const json_t *miss = json_object_get(page, "elements_missing");
        if (json_array_size(miss)) {
            fputs("\nNo O*NET ", out);
            json_array_foreach(miss, i, t)
                fprintf(out, "%s%s", i == 0 ? "" : i + 1 == json_array_size(miss) ? " or " : ", ",
                        json_string_value(t));
            fputs(" ratings for this occupation in this snapshot.\n", out);
        }
        fputs("\n", out);
    } else
        fputs("No O*NET knowledge, skill or ability ratings for this occupation.\n\n", out);
    const json_t *tech = json_object_get(page, "technology");
    if (json_array_size(tech)) {
        fputs("**Tools & technology:**\n", out);
        json_array_foreach(tech, i, t)
            fprintf(out, "- %s%s\n", page_str(t, "example"),
                    json_is_true(json_object_get(t, "hot_technology")) ? " _(hot technology)_"
                                                                       : "");
        fputs("\n", out);
    } else
        fputs("No O*NET technology skills for this occupation.\n\n", out);
}

void page_md_render(const json_t *page, FILE *out)
{
    md_header(page, out);
    md_tasks(json_object_get(page, "tasks"), out);
    md_skills(page, out);
    fputs("## AI exposure & outlook\n\n", out);
    md_exposure(page, out);
    md_outlook(page, out);
    md_pay(page, out);
    fputs("\n", out);
    md_aei(page, out);
    md_sources(page, out);
    const json_t *snap = json_object_get(page, "snapshot");
    const char *created = page_str(snap, "created_at");
    fprintf(out, "\n---\n_Generated by occsnap %s from snapshot %s; data snapshot %s._\n",
            page_str(snap, "tool_version") ? page_str(snap, "tool_version") : "",
            page_str(snap, "id") ? page_str(snap, "id") : "?", created ? created : "?");
}
