/* aei_discover.c - Economic Index releases found in the Hub's tree listing, and each release's layout read from its header. */
#include "extract/aei_discover.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HEADER_MAX 65536 /* a header line longer than this is not one */

int aei_name_matches(const char *pattern, const char *name)
{
    if (!*pattern)
        return !*name;
    if (*pattern == '*') {
        for (const char *p = name;; p++) {
            if (aei_name_matches(pattern + 1, p))
                return 1;
            if (!*p)
                return 0;
        }
    }
    return *name == *pattern && aei_name_matches(pattern + 1, name + 1);
}

/* The release date of a listing path "release_2026_03_24/..." into out
 * ("2026-03-24"); 1 if it has one, 0 if not (a predicate). */
static int release_of(const char *path, char out[16])
{
    int y, m, d, n = 0;
    if (sscanf(path, "release_%4d_%2d_%2d/%n", &y, &m, &d, &n) != 3 || n != 19 || y < 2000 || y > 9999 ||
        m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    snprintf(out, 16, "%04d-%02d-%02d", y, m, d);
    return 1;
}

/* The [aei_layout] whose file pattern the path's file name matches, or NULL. */
static const cfg_aei_layout *layout_of(const config *c, const char *path)
{
    const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    for (size_t i = 0; i < c->nalay; i++)
        if (aei_name_matches(c->alay[i].files, name))
            return &c->alay[i];
    return NULL;
}

/* The first [aei_layout] of layout kind l, or NULL. */
static const cfg_aei_layout *layout_kind(const config *c, enum cfg_aei_layout l)
{
    for (size_t i = 0; i < c->nalay; i++)
        if (c->alay[i].layout == l)
            return &c->alay[i];
    return NULL;
}

/* A found release, before it is added. */
typedef struct {
    char release[16];
    char *path;
    const cfg_aei_layout *layout;
    const char *how;
} found_rel;

typedef struct {
    found_rel *v;
    size_t n;
} found_list;

/* Adds (release, path) unless the release is in the list (the first path
 * in listing order wins: the listing sorts paths); dies on OOM. */
static void found_add(found_list *l, const char *release, const char *path,
                      const cfg_aei_layout *L, const char *how)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].release, release))
            return;
    l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    found_rel *f = &l->v[l->n++];
    snprintf(f->release, sizeof f->release, "%s", release);
    f->path = xstrdup(path);
    f->layout = L;
    f->how = how;
}

/* The releases the listing text names, into l; 0, or -1 when it is not a
 * JSON array (why says so). */
static int read_listing(const config *c, const char *text, found_list *l, char why[256])
{
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    if (!json_is_array(j)) {
        snprintf(why, 256, "not a JSON array (%s)", j ? "another JSON value" : err.text);
        json_decref(j);
        return -1;
    }
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e)
    {
        const char *type = json_string_value(json_object_get(e, "type"));
        const char *path = json_string_value(json_object_get(e, "path"));
        char rel[16];
        const cfg_aei_layout *L;
        if (type && path && !strcmp(type, "file") && release_of(path, rel) &&
            (L = layout_of(c, path)))
            found_add(l, rel, path, L, "listed");
    }
    json_decref(j);
    return 0;
}

/* The found releases the latest snapshot held (aei_release rows with a
 * file), into l after those already there; nothing when it has none. */
static void latest_found(const config *c, const discover_opts *o, found_list *l)
{
    if (!o->latest_dir)
        return;
    char *path = xasprintf("%s/occsnap.sqlite", o->latest_dir);
    char *uri = xasprintf("file:%s?mode=ro", path);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    if (path_exists(path) &&
        sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT release, layout, file FROM aei_release WHERE found IS NOT "
                           "NULL AND file IS NOT NULL ORDER BY release", -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *rel = (const char *)sqlite3_column_text(st, 0);
            const char *lay = (const char *)sqlite3_column_text(st, 1);
            const char *file = (const char *)sqlite3_column_text(st, 2);
            const cfg_aei_layout *L = NULL;
            for (size_t k = 0; k < c->nalay && !L; k++)
                if (!strcmp(config_aei_layout_name(c->alay[k].layout), lay))
                    L = &c->alay[k];
            char check[16];
            if (L && release_of(file, check) && !strcmp(check, rel))
                found_add(l, rel, file, L, "the latest snapshot's (not in the listing this run)");
        }
    }
    sqlite3_finalize(st);
    if (db)
        sqlite3_close(db);
    free(uri);
    free(path);
}

static int cmp_found(const void *a, const void *b)
{
    return strcmp(((const found_rel *)a)->release, ((const found_rel *)b)->release);
}

int aei_discover_run(config *c, const discover_opts *o)
{
    int rc = OS_OK;
    for (size_t i = 0; !rc && i < c->nsrc; i++) {
        if (!c->src[i].listing)
            continue;
        char id[64], listing[1024];
        snprintf(id, sizeof id, "%s", c->src[i].id);
        snprintf(listing, sizeof listing, "%s", c->src[i].listing);
        const char *pin = discover_cli_pin(o, id);
        int cli = pin != NULL;
        if (!pin)
            pin = c->src[i].pin;
        found_list l = {0};
        char why[256] = "";
        int listed = 0;
        if (!o->offline) {
            char *text = NULL;
            int got = discover_get(c, o, listing, &text, why);
            if (got < 0)
                rc = OS_ECONFIG;
            else if (got > 0 && read_listing(c, text, &l, why) == 0)
                listed = 1;
            free(text);
            if (!rc && !listed)
                os_warning("%s: cannot read the release listing %s (%s); the configured releases "
                           "and those the latest snapshot used are kept", id, listing, why);
        }
        latest_found(c, o, &l); /* never going back: the latest snapshot's, too */
        qsort(l.v, l.n, sizeof *l.v, cmp_found);
        char newest[16] = "";
        for (size_t k = 0; k < c->naei; k++)
            if (strlen(c->aei[k].release) < sizeof newest && strcmp(c->aei[k].release, newest) > 0)
                snprintf(newest, sizeof newest, "%s", c->aei[k].release);
        size_t added = 0, held = 0;
        for (size_t k = 0; !rc && k < l.n; k++) {
            found_rel *f = &l.v[k];
            if (config_aei(c, f->release))
                continue;
            if (pin && strcmp(f->release, pin) > 0) {
                held++;
                continue;
            }
            rc = config_aei_add(c, f->layout, f->release, f->path, f->how);
            added++;
            if (strcmp(f->release, newest) > 0)
                snprintf(newest, sizeof newest, "%s", f->release);
            os_progress("%s: release %s found (%s, %s layout)", id, f->release, f->path,
                        config_aei_layout_name(f->layout->layout));
        }
        cfg_source *s = &c->src[i];
        snprintf(s->release, sizeof s->release, "%s", newest);
        free(s->release_note);
        char note[512];
        if (pin)
            snprintf(note, sizeof note, "pinned (%s) at %s%s", cli ? "--pin" : "pin in the config",
                     pin, held ? "; newer releases in the listing are held" : "");
        else if (o->offline)
            snprintf(note, sizeof note, "the configured releases and the latest snapshot's; not "
                     "looked for (offline)");
        else if (!listed)
            snprintf(note, sizeof note, "the configured releases and the latest snapshot's; the "
                     "listing could not be read (%s)", why);
        else
            snprintf(note, sizeof note, "newest in the release listing (%zu found there, not "
                     "configured)", added);
        s->release_note = xstrdup(note);
        for (size_t k = 0; k < l.n; k++)
            free(l.v[k].path);
        free(l.v);
    }
    return rc;
}

/* Splits a CSV header line into trimmed cells (quotes removed), each
 * malloc'd into *cells; returns the count. Cannot fail (dies on OOM). */
static size_t header_cells(const char *line, char ***cells)
{
    size_t n = 0;
    *cells = NULL;
    const char *p = line;
    if (!strncmp(p, "\xEF\xBB\xBF", 3))
        p += 3;
    for (;;) {
        char *cell = xmalloc(strlen(p) + 1), *w = cell;
        int quoted = 0;
        while (*p && (quoted || (*p != ',' && *p != '\n' && *p != '\r'))) {
            if (*p == '"') {
                if (quoted && p[1] == '"')
                    *w++ = *p++;
                else
                    quoted = !quoted;
                p++;
                continue;
            }
            *w++ = *p++;
        }
        *w = '\0';
        *cells = xrealloc(*cells, (n + 1) * sizeof **cells);
        (*cells)[n++] = xstrdup(str_trim(cell));
        free(cell);
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

/* 1 if every column of template t is among the n header cells. */
static int has_template_columns(const cfg_table *t, char *const *cells, size_t n)
{
    for (size_t k = 0; k < t->ncol; k++) {
        size_t j;
        for (j = 0; j < n && strcasecmp(cells[j], t->col[k].header); j++)
            ;
        if (j == n)
            return 0;
    }
    return 1;
}

int aei_choose_layout(config *c, cfg_aei *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return os_error(OS_EIO, "aei: release %s: cannot read %s", a->release, path);
    char *line = xmalloc(HEADER_MAX + 1);
    size_t len = fread(line, 1, HEADER_MAX, f);
    fclose(f);
    line[len] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    char **cells;
    size_t n = header_cells(line, &cells);
    free(line);
    const cfg_aei_layout *now = layout_kind(c, a->layout), *pick = NULL;
    if (now && has_template_columns(config_template(c, now->table), cells, n))
        pick = now;
    for (size_t i = 0; !pick && i < c->nalay; i++)
        if (has_template_columns(config_template(c, c->alay[i].table), cells, n))
            pick = &c->alay[i];
    int rc = OS_OK;
    if (!pick) {
        char *found = xstrdup("");
        for (size_t k = 0; k < n && k < 40; k++) {
            char *next = xasprintf("%s%s%s", found, k ? ", " : "", cells[k]);
            free(found);
            found = next;
        }
        rc = os_error(OS_EPARSE, "aei: release %s: %s is in neither Economic Index layout (long: "
                      "geo_id, facet, variable, cluster_name, value ...; monthly: geo_level, "
                      "category_name, metric_id, node_external_id ...); its columns are: %s",
                      a->release, a->file ? a->file : path, *found ? found : "(none)");
        free(found);
    } else if (pick != now) {
        os_progress("aei: release %s is in the %s layout (its header says so)", a->release,
                    config_aei_layout_name(pick->layout));
        rc = config_aei_use_layout(c, a->release, pick);
    }
    for (size_t k = 0; k < n; k++)
        free(cells[k]);
    free(cells);
    return rc;
}

int aei_stage_record(sqlite3 *db, const config *c)
{
    sqlite3_stmt *st;
    int rc = db_prepare(db, "INSERT INTO main.stage_aei(release, layout, file, found) "
                            "VALUES(?,?,?,?)", &st);
    for (size_t i = 0; !rc && i < c->naei; i++) {
        const cfg_aei *a = &c->aei[i];
        if (!a->found)
            continue;
        db_bind_text(st, 1, a->release);
        db_bind_text(st, 2, config_aei_layout_name(a->layout));
        db_bind_text(st, 3, a->file);
        db_bind_text(st, 4, a->found);
        rc = db_step(db, st);
    }
    sqlite3_finalize(st);
    return rc;
}

int aei_stage_restore(sqlite3 *db, config *c)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT release, layout, file, found FROM stage_aei ORDER BY "
                           "release", -1, &st, NULL) != SQLITE_OK)
        return OS_OK; /* a stage from before releases were found */
    int rc = OS_OK;
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        const char *rel = db_text(st, 0), *lay = db_text(st, 1);
        if (config_aei(c, rel))
            continue;
        const cfg_aei_layout *L = NULL;
        for (size_t k = 0; k < c->nalay && !L; k++)
            if (!strcmp(config_aei_layout_name(c->alay[k].layout), lay))
                L = &c->alay[k];
        if (!L)
            rc = os_error(OS_ECONFIG, "%s: the stage has Economic Index release %s in the %s "
                          "layout, which has no [aei_layout] now", c->path, rel, lay);
        else
            rc = config_aei_add(c, L, rel, db_text(st, 2), db_text(st, 3));
    }
    sqlite3_finalize(st);
    return rc;
}
