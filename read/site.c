/* site.c - `occsnap site`: a static website of every role page, written from a snapshot and published by rename. */
#include "read/site.h"
#include "common/db.h"
#include "common/error.h"
#include "common/schema.h"
#include "common/snapshot.h"
#include "common/util.h"
#include "read/format.h"
#include "read/html.h"
#include "read/page.h"
#include "read/page_html.h"
#include "read/site_assets.h"
#include "read/svg.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MARKER ".occsnap-site" /* in every site occsnap writes: it may be replaced */

/* One row of the index, kept while the pages are written; strings owned. */
typedef struct {
    char *code, *title, *file, *label, *titles; /* titles: alternates joined by '|' */
    double pct, emp, wage;
} site_row;

typedef struct {
    site_row *v;
    size_t n, cap;
    size_t bytes; /* written so far */
} site_rows;

/* Writes the string data to dir/name; returns an os_result, OS_EIO naming
 * the file. Adds its size to *bytes. */
static int write_text(const char *dir, const char *name, const char *data, size_t *bytes)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    int rc = OS_OK;
    if (!f || fputs(data, f) == EOF || fclose(f) != 0)
        rc = os_error(OS_EIO, "cannot write %s: %s", path, strerror(errno));
    else
        *bytes += strlen(data);
    free(path);
    return rc;
}

/* Opens dir/name for writing; NULL after reporting OS_EIO naming it (*rc). */
static FILE *open_out(const char *dir, const char *name, int *rc)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        *rc = os_error(OS_EIO, "cannot create %s: %s", path, strerror(errno));
    free(path);
    return f;
}

/* Closes f, adding its size to *bytes; returns an os_result, OS_EIO naming
 * name when anything written to it failed. */
static int close_out(FILE *f, const char *name, size_t *bytes)
{
    long size = ftell(f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return os_error(OS_EIO, "cannot write %s: %s", name, strerror(errno));
    *bytes += size > 0 ? (size_t)size : 0;
    return OS_OK;
}

/* Every occupation's alternate and reported titles, de-duplicated, joined
 * by '|', as a new object code -> string; NULL after recording OS_EIO in
 * s->rc. */
static json_t *all_titles(snapshot *s)
{
    sqlite3_stmt *st = snapshot_prepare(
        s, "SELECT onet_code, group_concat(t, '|') FROM (SELECT DISTINCT onet_code, title AS t "
           "FROM occupation_title ORDER BY onet_code, t COLLATE NOCASE) GROUP BY onet_code");
    json_t *o = json_object();
    while (st && snapshot_next(s, st))
        json_object_set_new(o, (const char *)sqlite3_column_text(st, 0),
                            json_string((const char *)sqlite3_column_text(st, 1)));
    sqlite3_finalize(st);
    if (s->rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The composite measure's object in the page's exposure, or NULL. */
static const json_t *composite(const json_t *page)
{
    const char *name;
    const json_t *x;
    json_object_foreach((json_t *)json_object_get(page, "exposure"), name, x) if (
        json_is_true(json_object_get(x, "composite"))) return x;
    return NULL;
}

/* The canonical URL of path under base (NULL without a base), malloc'd. */
static char *canonical(const char *base, const char *path)
{
    if (!base)
        return NULL;
    size_t n = strlen(base);
    while (n && base[n - 1] == '/')
        n--;
    return xasprintf("%.*s/%s", (int)n, base, path);
}

/* Writes the role page of code into tmp/roles and adds its index row;
 * returns an os_result (OS_EIO reading the snapshot or writing the file). */
static int write_role(snapshot *s, const site_opts *opt, const char *tmp, const char *code,
                      const json_t *titles, site_rows *rows)
{
    json_t *page = page_collect(s, code, 0);
    if (!page)
        return s->rc;
    char *file = page_html_filename(code);
    char *rel = xasprintf("roles/%s", file);
    char *url = canonical(opt->base_url, rel);
    page_html_opts po = {"../", url};
    int rc = OS_OK;
    FILE *f = open_out(tmp, rel, &rc);
    if (f) {
        page_html_write(page, &po, f);
        rc = close_out(f, rel, &rows->bytes);
    }
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 1024;
        rows->v = xrealloc(rows->v, rows->cap * sizeof *rows->v);
    }
    const json_t *c = composite(page), *pay = json_object_get(page, "pay");
    const char *label = page_str(c, "label"), *alts = json_string_value(json_object_get(titles, code));
    site_row *r = &rows->v[rows->n++];
    *r = (site_row){xstrdup(code), xstrdup(page_str(json_object_get(page, "occupation"), "title")),
                    rel, label ? xstrdup(label) : NULL, xstrdup(alts ? alts : ""),
                    NAN, NAN, NAN};
    page_num(c, "pct", &r->pct);
    page_num(pay, "tot_emp", &r->emp);
    page_num(pay, "a_median", &r->wage);
    free(file);
    free(url);
    json_decref(page);
    return rc;
}

/* Writes a number as a data- attribute value (17 digits, so it reads back
 * the same), "" for NaN; never fails. */
static void attr_num(FILE *out, const char *name, double v)
{
    if (isfinite(v))
        fprintf(out, " data-%s=\"%.17g\"", name, v);
    else
        fprintf(out, " data-%s=\"\"", name);
}

/* Writes the index (overview chart, search box, sortable table) to out;
 * never fails (stdio errors are the caller's, caught by close_out). */
static void index_html(FILE *out, const site_rows *rows, const json_t *manifest,
                       const site_opts *opt)
{
    char *url = canonical(opt->base_url, "");
    page_html_opts po = {"", url};
    page_html_begin(out, "Occupations and AI exposure — occsnap", &po);
    fputs("<h1>Occupations and AI exposure</h1>\n<p class=\"lead\">Every occupation of the "
          "snapshot with its AI task-overlap index (a composite percentile of current-era "
          "exposure studies: task overlap, not jobs lost or a forecast), employment and median "
          "annual wage (BLS OEWS).</p>\n",
          out);
    fputs("<h2>Exposure against pay</h2>\n", out);
    svg_point *pts = xcalloc(rows->n ? rows->n : 1, sizeof *pts);
    char **words = xcalloc(rows->n ? rows->n : 1, sizeof *words);
    char a[FMT_BUF], b[FMT_BUF], c[FMT_BUF];
    for (size_t i = 0; i < rows->n; i++) {
        const site_row *r = &rows->v[i];
        words[i] = xasprintf("%s percentile, median %s, %s employed",
                             isfinite(r->pct) ? fmt_percentile(a, sizeof a, r->pct) : "no",
                             isfinite(r->wage) ? fmt_money(b, sizeof b, r->wage) : "not published",
                             isfinite(r->emp) ? fmt_count(c, sizeof c, r->emp) : "?");
        pts[i] = (svg_point){r->title, words[i], r->pct, r->wage, r->emp};
    }
    svg_scatter(out, "chart-overview",
                "Composite AI exposure percentile against median annual wage, one dot per "
                "occupation, sized by employment",
                pts, rows->n);
    for (size_t i = 0; i < rows->n; i++)
        free(words[i]);
    free(words);
    free(pts);
    fputs("<h2>All occupations</h2>\n<div class=\"search\"><label for=\"q\">Search titles, "
          "alternate and reported titles:</label> <input id=\"q\" type=\"search\" "
          "autocomplete=\"off\" placeholder=\"e.g. sound engineer\"></div>\n",
          out);
    fprintf(out, "<p id=\"count\" aria-live=\"polite\">%zu occupations</p>\n", rows->n);
    fputs("<table id=\"occupations\">\n<thead><tr>"
          "<th scope=\"col\" aria-sort=\"ascending\"><button type=\"button\" data-sort=\"title\">"
          "Occupation</button></th><th scope=\"col\">Code</th>"
          "<th scope=\"col\" class=\"num\"><button type=\"button\" data-sort=\"pct\">AI "
          "task-overlap index</button></th>"
          "<th scope=\"col\" class=\"num\"><button type=\"button\" data-sort=\"emp\">"
          "Employment</button></th>"
          "<th scope=\"col\" class=\"num\"><button type=\"button\" data-sort=\"wage\">Median "
          "wage</button></th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < rows->n; i++) {
        const site_row *r = &rows->v[i];
        fputs("<tr data-titles=\"", out);
        html_esc(out, r->titles);
        fputs("\"", out);
        attr_num(out, "pct", r->pct);
        attr_num(out, "emp", r->emp);
        attr_num(out, "wage", r->wage);
        fputs("><td><a href=\"", out);
        html_esc(out, r->file);
        fputs("\">", out);
        html_esc(out, r->title);
        fprintf(out, "</a></td><td class=\"code\">%s</td><td class=\"num\">", r->code);
        if (isfinite(r->pct)) {
            html_esc(out, fmt_percentile(a, sizeof a, r->pct));
            if (r->label) {
                fputs(" (", out);
                html_esc(out, r->label);
                fputs(")", out);
            }
        } else
            fputs("—", out);
        fprintf(out, "</td><td class=\"num\">%s</td><td class=\"num\">%s</td></tr>\n",
                isfinite(r->emp) ? fmt_count(b, sizeof b, r->emp) : "—",
                isfinite(r->wage) ? fmt_money(c, sizeof c, r->wage) : "—");
    }
    fputs("</tbody>\n</table>\n<footer>\n<p><em>", out);
    const char *id = page_str(manifest, "snapshot"), *created = page_str(manifest, "created_at");
    html_esc(out, "Generated by occsnap ");
    html_esc(out, OCCSNAP_VERSION);
    html_esc(out, " from snapshot ");
    html_esc(out, id ? id : "?");
    html_esc(out, "; data snapshot ");
    html_esc(out, created ? created : "?");
    fputs(".</em> The sources and their vintages are on every role page; "
          "<a href=\"data/occupations.json\">data/occupations.json</a> holds this table.</p>\n"
          "</footer>\n",
          out);
    page_html_end(out, &po, 1);
    free(url);
}

/* A new JSON number, or null for NaN; the caller's. Cannot fail. */
static json_t *num_json(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* data/occupations.json: the index's rows with every title, as a new object. */
static json_t *index_json(const site_rows *rows, const json_t *manifest)
{
    json_t *o = json_object(), *a = json_array();
    const char *id = page_str(manifest, "snapshot"), *created = page_str(manifest, "created_at");
    json_object_set_new(o, "snapshot", id ? json_string(id) : json_null());
    json_object_set_new(o, "created_at", created ? json_string(created) : json_null());
    for (size_t i = 0; i < rows->n; i++) {
        const site_row *r = &rows->v[i];
        json_t *e = json_object(), *t = json_array();
        json_object_set_new(e, "onet_code", json_string(r->code));
        json_object_set_new(e, "title", json_string(r->title));
        json_object_set_new(e, "page", json_string(r->file));
        json_object_set_new(e, "composite_pct", num_json(r->pct));
        json_object_set_new(e, "composite_label", r->label ? json_string(r->label) : json_null());
        json_object_set_new(e, "tot_emp", num_json(r->emp));
        json_object_set_new(e, "a_median", num_json(r->wage));
        for (char *p = r->titles, *bar; *p; p = bar + 1) {
            bar = strchr(p, '|');
            json_array_append_new(t, json_stringn(p, bar ? (size_t)(bar - p) : strlen(p)));
            if (!bar)
                break;
        }
        json_object_set_new(e, "titles", t);
        json_array_append_new(a, e);
    }
    json_object_set_new(o, "occupations", a);
    return o;
}

/* 1 if dir is missing, empty, or a site occsnap wrote (it holds MARKER). */
static int replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    char *marker = xasprintf("%s/%s", dir, MARKER);
    int ours = path_exists(marker);
    free(marker);
    return empty || ours;
}

/* Writes every file of the site into tmp; returns an os_result. */
static int build(snapshot *s, const site_opts *opt, const char *tmp, site_rows *rows)
{
    char *roles = xasprintf("%s/roles", tmp), *data = xasprintf("%s/data", tmp);
    int rc = mkdir_p(roles);
    if (!rc)
        rc = mkdir_p(data);
    free(roles);
    free(data);
    if (!rc)
        rc = write_text(tmp, "style.css", SITE_CSS, &rows->bytes);
    if (!rc)
        rc = write_text(tmp, "site.js", SITE_JS, &rows->bytes);
    json_t *titles = rc ? NULL : all_titles(s);
    if (!rc && !titles)
        rc = s->rc;
    sqlite3_stmt *st = rc ? NULL : snapshot_prepare(s, "SELECT onet_code FROM occupation "
                                                       "ORDER BY onet_code");
    while (!rc && st && snapshot_next(s, st)) {
        char *code = xstrdup(db_text(st, 0));
        rc = write_role(s, opt, tmp, code, titles, rows);
        free(code);
    }
    sqlite3_finalize(st);
    json_decref(titles);
    if (!rc && s->rc)
        rc = s->rc;
    FILE *f = rc ? NULL : open_out(tmp, "index.html", &rc);
    if (f) {
        index_html(f, rows, s->manifest, opt);
        rc = close_out(f, "index.html", &rows->bytes);
    }
    if (!rc) {
        json_t *j = index_json(rows, s->manifest);
        char *text = json_dumps(j, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17));
        rc = write_text(tmp, "data/occupations.json", text, &rows->bytes);
        free(text);
        json_decref(j);
    }
    if (!rc) {
        const char *id = page_str(s->manifest, "snapshot");
        char *mark = xasprintf("written by occsnap site from snapshot %s\n", id ? id : "?");
        rc = write_text(tmp, MARKER, mark, &rows->bytes);
        free(mark);
    }
    return rc;
}

/* Moves tmp to out, replacing an earlier site there (renamed aside first,
 * then removed); returns an os_result, OS_EIO naming the paths. */
static int publish(const char *tmp, const char *out)
{
    char *old = xasprintf("%s.old-%ld", out, (long)getpid());
    int had = path_exists(out), rc = OS_OK;
    if (had && rename(out, old) != 0)
        rc = os_error(OS_EIO, "cannot move the earlier site %s aside: %s", out, strerror(errno));
    if (!rc && rename(tmp, out) != 0) {
        rc = os_error(OS_EIO, "cannot rename %s to %s: %s", tmp, out, strerror(errno));
        if (had && rename(old, out) != 0)
            os_warning("the earlier site is left at %s", old);
    }
    if (!rc && had)
        rc = rm_rf(old);
    free(old);
    return rc;
}

/* Frees every row and its strings; never fails. */
static void rows_free(site_rows *rows)
{
    for (size_t i = 0; i < rows->n; i++) {
        site_row *r = &rows->v[i];
        free(r->code);
        free(r->title);
        free(r->file);
        free(r->label);
        free(r->titles);
    }
    free(rows->v);
}

int site_run(const site_opts *opt)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (opt->base_url && strncmp(opt->base_url, "http://", 7) &&
        strncmp(opt->base_url, "https://", 8))
        return os_error(OS_EUSAGE, "--base-url needs an http:// or https:// URL, not '%s'",
                        opt->base_url);
    if (!replaceable(opt->out))
        return os_error(OS_EUSAGE,
                        "%s exists and is not a site occsnap wrote (no %s in it); not replacing "
                        "it",
                        opt->out, MARKER);
    snapshot s;
    int rc = snapshot_open(opt->snapshot, 0, &s);
    size_t len = strlen(opt->out);
    while (len > 1 && opt->out[len - 1] == '/')
        len--;
    char *out = xstrndup(opt->out, len);
    char *tmp = xasprintf("%s.tmp-%ld", out, (long)getpid());
    site_rows rows = {0};
    if (!rc) {
        rm_rf(tmp);
        rc = build(&s, opt, tmp, &rows);
    }
    if (!rc)
        rc = publish(tmp, out);
    if (rc)
        rm_rf(tmp);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc)
        fprintf(stderr, "occsnap: site done in %.3f s: %zu role pages, %.1f MiB, in %s\n",
                (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9, rows.n,
                (double)rows.bytes / (1024.0 * 1024.0), out);
    rows_free(&rows);
    snapshot_close(&s);
    free(tmp);
    free(out);
    return rc;
}
