/* show.c - `occsnap show`: looks the query up, then prints the page (Markdown or JSON) or a ranked list. */
#include "read/show.h"
#include "common/error.h"
#include "common/util.h"
#include "read/lookup.h"
#include "read/page.h"
#include "read/page_render.h"
#include "common/snapshot.h"

#include <jansson.h>
#include <stdlib.h>

/* Exit codes of `occsnap show` (README "occsnap show"):
 *   0 (OS_OK)    the page, or a ranked list when several occupations match a
 *                query equally well (the user picks one by its code);
 *   2 (OS_EUSAGE) an empty query;
 *   6 (OS_EDATA) no occupation matches the query (code or title words);
 *   7 (OS_EIO)   the snapshot is missing or cannot be read. */

#define LIST_MAX 10 /* entries of a ranked list unless --limit N or --all */

/* Prints the ranked list (shown entries) as one JSON object; never fails. */
static void list_json(const lookup_list *l, size_t shown, const char *query, FILE *out)
{
    json_t *o = json_object(), *a = json_array();
    json_object_set_new(o, "query", json_string(query));
    json_object_set_new(o, "equally_good", json_integer((json_int_t)l->ties));
    for (size_t i = 0; i < shown; i++) {
        json_t *m = json_object();
        json_object_set_new(m, "onet_code", json_string(l->v[i].code));
        json_object_set_new(m, "title", json_string(l->v[i].title));
        json_object_set_new(m, "matched_title",
                            l->v[i].matched ? json_string(l->v[i].matched) : json_null());
        json_object_set_new(m, "match", json_string(l->v[i].how));
        json_array_append_new(a, m);
    }
    json_object_set_new(o, "matches", a);
    json_object_set_new(o, "total", json_integer((json_int_t)l->n));
    json_object_set_new(o, "more", json_integer((json_int_t)(l->n - shown)));
    json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputs("\n", out);
    json_decref(o);
}

/* Prints the ranked list of matches (limit entries: 0 LIST_MAX, -1 all)
 * for a query that several occupations match equally well; never fails. */
static void render_list(const lookup_list *l, const char *query, int json, long limit, FILE *out)
{
    size_t max = limit < 0 ? l->n : limit == 0 ? LIST_MAX : (size_t)limit;
    size_t shown = l->n < max ? l->n : max;
    if (json) {
        list_json(l, shown, query, out);
        return;
    }
    fprintf(out, "# Occupations matching \"%s\"\n\n", query);
    fprintf(out, "%zu occupations match equally well; show one with `occsnap show CODE`", l->ties);
    if (shown > l->ties)
        fputs(" (the rest of the list matches less well)", out);
    fputs(":\n\n", out);
    for (size_t i = 0; i < shown; i++) {
        const lookup_match *c = &l->v[i];
        fprintf(out, "%zu. **%s** %s — ", i + 1, c->code, c->title);
        if (c->matched)
            fprintf(out, "%s \"%s\"\n", c->how, c->matched);
        else
            fprintf(out, "%s %.7s\n", c->how, c->code);
    }
    if (l->n > shown)
        fprintf(out, "\n_… and %zu more matching occupation%s (`--all` lists all %zu, "
                     "`--limit N` the first N)._\n",
                l->n - shown, l->n - shown == 1 ? "" : "s", l->n);
}

/* Prints the page of the best match (noting on stderr how many others
 * matched less well); returns s->rc after collecting it. */
static int render_page(snapshot *s, const lookup_list *l, const char *query,
                       const show_opts *opt, FILE *out)
{
    const lookup_match *m = &l->v[0];
    if (l->n > 1)
        fprintf(stderr,
                "occsnap: showing %s %s, the best match for \"%s\" (%s \"%s\"); %zu other "
                "occupation%s less well\n",
                m->code, m->title, query, m->how, m->matched ? m->matched : "", l->n - 1,
                l->n == 2 ? " matches" : "s match");
    json_t *page = page_collect(s, m->code, opt->weighted);
    if (!page)
        return s->rc;
    if (opt->json) {
        json_dumpf(page, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
        fputs("\n", out);
    } else
        page_md_render(page, out);
    json_decref(page);
    return OS_OK;
}

/* Prints the page or the list; returns an os_result (see the exit codes at
 * the top of this file). Owns and frees everything it opens. */
int show_run(const show_opts *opt, FILE *out)
{
    char *query = xstrdup(opt->query ? opt->query : "");
    str_trim(query);
    if (!*query) {
        free(query);
        return os_error(OS_EUSAGE, "show needs an occupation code or title words");
    }
    snapshot s;
    lookup_list l = {0};
    int rc = snapshot_open(opt->snapshot, 0, &s);
    if (!rc)
        rc = lookup_find(&s, query, &l);
    if (!rc && l.ties > 1)
        render_list(&l, query, opt->json, opt->limit, out);
    else if (!rc)
        rc = render_page(&s, &l, query, opt, out);
    if (!rc && (fflush(out) != 0 || ferror(out)))
        rc = os_error(OS_EIO, "cannot write the page to the output");
    lookup_free(&l);
    snapshot_close(&s);
    free(query);
    return rc;
}
