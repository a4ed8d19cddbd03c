/* show.c - the role page of one occupation (Markdown or JSON), rendered from a snapshot alone. */
#include "read/show.h"
#include "common/error.h"
#include "common/util.h"
#include "read/format.h"
#include "transform/occode.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Exit codes of `occsnap show` (README "occsnap show"):
 *   0 (OS_OK)    the page, or a ranked list when several occupations match a
 *                query equally well (the user picks one by its code);
 *   2 (OS_EUSAGE) an empty query;
 *   6 (OS_EDATA) no occupation matches the query (code or title words);
 *   7 (OS_EIO)   the snapshot is missing or cannot be read. */

#define LIST_MAX 10     /* entries of a ranked list */
#define TOP_TITLES 8    /* "Also known as"; elements and technology: LIMIT 12 in their SQL */
#define TOP_AEI_TASKS 3 /* "Tasks most handed to AI here" */

/* The measures of the exposure section, in the page's order. */
static const char *const EXPOSURE_MEASURES[] = {
    "ai_exposure_index_v1", "felten_aioe", "eloundou_gamma", "microsoft_applicability",
    "frey_osborne", "dingel_neiman_teleworkable", NULL};

typedef struct {
    sqlite3 *db;
    const char *dir;
    int rc; /* the first error met while collecting; OS_OK until then */
} reader;

/* ------------------------------------------------------------ SQLite helpers */

/* Prepares sql; on failure records OS_EIO in r (message printed) and returns
 * NULL. The statement is the caller's to finalize. */
static sqlite3_stmt *prep(reader *r, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (r->rc)
        return NULL;
    if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
        r->rc = os_error(OS_EIO, "%s/occsnap.sqlite: %s (is it an occsnap snapshot?)", r->dir,
                         sqlite3_errmsg(r->db));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

/* Steps st; returns 1 for a row, 0 when done; on an error records OS_EIO in r
 * and returns 0. */
static int step(reader *r, sqlite3_stmt *st)
{
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        return 1;
    if (s != SQLITE_DONE && !r->rc)
        r->rc = os_error(OS_EIO, "%s/occsnap.sqlite: %s", r->dir, sqlite3_errmsg(r->db));
    return 0;
}

/* Column i as a new JSON value (null, integer, real or string); cannot fail. */
static json_t *col_json(sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(st, i));
    case SQLITE_FLOAT: return json_real(sqlite3_column_double(st, i));
    case SQLITE_TEXT: return json_string((const char *)sqlite3_column_text(st, i));
    default: return json_null();
    }
}

/* The current row as a new JSON object keyed by column names; cannot fail. */
static json_t *row_object(sqlite3_stmt *st)
{
    json_t *o = json_object();
    for (int i = 0; i < sqlite3_column_count(st); i++)
        json_object_set_new(o, sqlite3_column_name(st, i), col_json(st, i));
    return o;
}

/* A malloc'd copy of text column i, or NULL when it is NULL; the caller frees. */
static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? xstrdup((const char *)t) : NULL;
}

/* ------------------------------------------------------------ JSON accessors */

/* The string at key, or NULL when absent or not a string; borrowed from o. */
static const char *jstr(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* 1 and *v when key holds a number, else 0; never fails. */
static int jnum(const json_t *o, const char *key, double *v)
{
    const json_t *x = json_object_get(o, key);
    if (!json_is_number(x))
        return 0;
    *v = json_number_value(x);
    return 1;
}

/* ------------------------------------------------------------ opening a snapshot */

/* Opens dir/occsnap.sqlite read-only and loads dir/manifest.json into
 * *manifest (the caller's, json_decref). Returns OS_EIO with a message
 * naming dir when either is missing or unreadable. */
static int open_snapshot(reader *r, json_t **manifest)
{
    struct stat sb;
    if (stat(r->dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return os_error(OS_EIO,
                        "no snapshot at %s (build one with `occsnap snapshot`, or name one "
                        "with --snapshot DIR)",
                        r->dir);
    char *dbpath = xasprintf("%s/occsnap.sqlite", r->dir);
    char *mpath = xasprintf("%s/manifest.json", r->dir);
    int rc = OS_OK;
    if (!path_exists(dbpath) || !path_exists(mpath)) {
        rc = os_error(OS_EIO, "%s is not an occsnap snapshot: it lacks %s", r->dir,
                      path_exists(dbpath) ? "manifest.json" : "occsnap.sqlite");
    } else if (sqlite3_open_v2(dbpath, &r->db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = os_error(OS_EIO, "cannot open %s: %s", dbpath, sqlite3_errmsg(r->db));
    } else {
        json_error_t err;
        *manifest = json_load_file(mpath, 0, &err);
        if (!*manifest || !json_is_object(*manifest))
            rc = os_error(OS_EIO, "cannot read %s: %s (line %d)", mpath,
                          *manifest ? "not a JSON object" : err.text, err.line);
    }
    free(dbpath);
    free(mpath);
    return rc;
}

/* ------------------------------------------------------------ finding the occupation */

typedef struct {
    char *code, *title;   /* the occupation */
    char *matched;        /* the title that matched (NULL for a code) */
    const char *how;      /* "code", "title", "alternate title", ... */
    int rank, partial, extra, alt; /* the sort key, in this order: lower is better */
} cand;

typedef struct {
    cand *v;
    size_t n, cap;
} candlist;

/* Appends a candidate (copies the strings); cannot fail. */
static void cand_add(candlist *l, const char *code, const char *title, const char *matched,
                     const char *how, int rank, int partial, int extra, int alt)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (cand){xstrdup(code), xstrdup(title), matched ? xstrdup(matched) : NULL,
                          how, rank, partial, extra, alt};
}

/* Frees the candidates and their strings; never fails. */
static void cand_free(candlist *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].code);
        free(l->v[i].title);
        free(l->v[i].matched);
    }
    free(l->v);
    *l = (candlist){0};
}

/* Orders two candidates by match quality alone (rank, partial words, extra
 * words, O*NET title before an alternate one); never fails. */
static int key_cmp(const cand *a, const cand *b)
{
    if (a->rank != b->rank)
        return a->rank - b->rank;
    if (a->partial != b->partial)
        return a->partial - b->partial;
    if (a->extra != b->extra)
        return a->extra - b->extra;
    return a->alt - b->alt;
}

/* qsort order: match quality, then the code; never fails. */
static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    int c = key_cmp(a, b);
    return c ? c : strcmp(a->code, b->code);
}

/* Lower-cases s into a malloc'd "word word word" of its letters and digits
 * (any other byte separates words; bytes >= 0x80 are kept as letters) and
 * returns the number of words; the caller frees *out. Cannot fail. */
static int norm_words(const char *s, char **out)
{
    size_t n = strlen(s);
    char *w = xmalloc(n + 1);
    size_t k = 0;
    int words = 0, in = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p >= 0x80) {
            if (!in && k > 0)
                w[k++] = ' ';
            if (!in)
                words++;
            in = 1;
            w[k++] = (char)tolower(*p);
        } else
            in = 0;
    }
    w[k] = '\0';
    *out = w;
    return words;
}

/* 1 when the normalised form of s equals the normalised query q; a title
 * "Sound Technician (Sound Tech)" also matches as "sound technician". */
static int exact_match(const char *s, const char *q)
{
    if (!s)
        return 0;
    char *w;
    norm_words(s, &w);
    int same = !strcmp(w, q);
    free(w);
    if (!same && strchr(s, '(')) {
        char *cut = xstrndup(s, strcspn(s, "("));
        norm_words(cut, &w);
        same = *w && !strcmp(w, q);
        free(w);
        free(cut);
    }
    return same;
}

/* 1 when title word t (its length tl) is query word q, or q with a plural
 * "s"/"es" added or dropped. */
static int same_word(const char *t, size_t tl, const char *q)
{
    size_t ql = strlen(q);
    if (tl == ql)
        return !strncmp(t, q, ql);
    if (tl == ql + 1 && t[ql] == 's')
        return !strncmp(t, q, ql);
    if (tl == ql + 2 && t[ql] == 'e' && t[ql + 1] == 's')
        return !strncmp(t, q, ql);
    if (ql == tl + 1 && q[tl] == 's')
        return !strncmp(t, q, tl);
    return 0;
}

/* How the query words qw are contained in the normalised title tw: -1 when
 * some query word neither is (same_word) nor begins a word of the title,
 * else the number of query words found only as the beginning of a longer
 * word ("sound" in "sounder"), which rank below whole words. */
static int words_contained(const char *tw, char **qw, int nq)
{
    int partial = 0;
    for (int i = 0; i < nq; i++) {
        size_t ql = strlen(qw[i]);
        int found = 0; /* 2 whole word, 1 beginning of a word */
        for (const char *p = tw; *p && found < 2;) {
            size_t tl = strcspn(p, " ");
            if (same_word(p, tl, qw[i]))
                found = 2;
            else if (tl > ql && !strncmp(p, qw[i], ql))
                found = 1;
            p += tl;
            p += *p == ' ';
        }
        if (!found)
            return -1;
        partial += found == 1;
    }
    return partial;
}

/* Title search over occupation.title and occupation_title (alternate and
 * reported titles): keeps each occupation's best match in l, best first.
 * Records OS_EIO in r when the database cannot be read. */
static void search_titles(reader *r, const char *query, candlist *l)
{
    char *q;
    int nq = norm_words(query, &q);
    char *qcopy = xstrdup(q);
    char **qw = xcalloc((size_t)nq + 1, sizeof *qw);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(qcopy, " ", &save); t && k < nq;
         t = strtok_r(NULL, " ", &save))
        qw[k++] = t;
    sqlite3_stmt *st = prep(
        r, "SELECT o.onet_code, o.title, o.title, NULL, 'title', 0 FROM occupation o "
           "UNION ALL SELECT t.onet_code, o.title, t.title, t.short_title, t.kind, "
           "CASE t.kind WHEN 'reported' THEN 1 ELSE 2 END "
           "FROM occupation_title t JOIN occupation o ON o.onet_code = t.onet_code "
           "ORDER BY 1, 6, 3");
    cand best = {0};
    char *best_code = NULL, *best_title = NULL, *best_matched = NULL;
    while (st && step(r, st)) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        const char *otitle = (const char *)sqlite3_column_text(st, 1);
        const char *title = (const char *)sqlite3_column_text(st, 2);
        const char *shortt = (const char *)sqlite3_column_text(st, 3);
        const char *kind = (const char *)sqlite3_column_text(st, 4);
        int alt = strcmp(kind, "title") != 0;
        if (best_code && strcmp(best_code, code)) {
            cand_add(l, best_code, best_title, best_matched, best.how, best.rank, best.partial,
                     best.extra, best.alt);
            free(best_code), free(best_title), free(best_matched);
            best_code = best_title = best_matched = NULL;
        }
        cand c = {.rank = 0};
        if (exact_match(title, q) || (alt && exact_match(shortt, q))) {
            c.rank = alt ? 2 : 1;
            c.how = !alt ? "title" : !strcmp(kind, "reported") ? "reported title" : "alternate title";
        } else {
            char *tw;
            int nt = norm_words(title, &tw);
            int partial = nq > 0 ? words_contained(tw, qw, nq) : -1;
            if (partial >= 0) {
                c.rank = 3;
                c.partial = partial;
                c.extra = nt > nq ? nt - nq : 0;
                c.how = !alt ? "words of the title"
                        : !strcmp(kind, "reported") ? "words of a reported title"
                                                    : "words of an alternate title";
            }
            free(tw);
        }
        if (!c.rank)
            continue;
        c.alt = alt;
        if (!best_code || key_cmp(&c, &best) < 0) {
            best = c;
            free(best_code), free(best_title), free(best_matched);
            best_code = xstrdup(code);
            best_title = xstrdup(otitle);
            best_matched = xstrdup(title);
        }
    }
    if (best_code && !r->rc)
        cand_add(l, best_code, best_title, best_matched, best.how, best.rank, best.partial,
                 best.extra, best.alt);
    free(best_code), free(best_title), free(best_matched);
    sqlite3_finalize(st);
    free(qw);
    free(qcopy);
    free(q);
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, cand_cmp);
}

/* Code look-up: "27-4014.00" names one occupation; "27-4014" and "274014"
 * name the .00 occupation when it exists, else every occupation with that SOC
 * code. Fills l (empty when none); records OS_EIO in r on a database error. */
static void search_code(reader *r, const occode *oc, candlist *l)
{
    sqlite3_stmt *st = prep(r, "SELECT onet_code, title FROM occupation WHERE onet_code = ?");
    if (st) {
        sqlite3_bind_text(st, 1, oc->onet, -1, SQLITE_STATIC);
        if (step(r, st))
            cand_add(l, (const char *)sqlite3_column_text(st, 0),
                     (const char *)sqlite3_column_text(st, 1), NULL, "code", 0, 0, 0, 0);
    }
    sqlite3_finalize(st);
    if (l->n || oc->suffix || r->rc)
        return;
    st = prep(r, "SELECT onet_code, title FROM occupation WHERE soc_code = ? ORDER BY onet_code");
    if (st)
        sqlite3_bind_text(st, 1, oc->soc, -1, SQLITE_STATIC);
    while (st && step(r, st))
        cand_add(l, (const char *)sqlite3_column_text(st, 0),
                 (const char *)sqlite3_column_text(st, 1), NULL, "SOC code", 0, 0, 0, 0);
    sqlite3_finalize(st);
}

/* ------------------------------------------------------------ collecting the page */

/* The manifest's entry for source id, or NULL; borrowed from the manifest. */
static const json_t *manifest_source(const json_t *manifest, const char *id)
{
    const json_t *s;
    size_t i;
    json_array_foreach(json_object_get(manifest, "sources"), i, s)
    {
        const char *sid = jstr(s, "id");
        if (sid && !strcmp(sid, id))
            return s;
    }
    return NULL;
}

/* Runs sql (one ?1 = code) and returns a new array of its rows as objects,
 * or NULL after recording OS_EIO in r. */
static json_t *rows_array(reader *r, const char *sql, const char *code)
{
    sqlite3_stmt *st = prep(r, sql);
    if (!st)
        return NULL;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    json_t *a = json_array();
    while (step(r, st))
        json_array_append_new(a, row_object(st));
    sqlite3_finalize(st);
    if (r->rc) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* Runs sql (?1 = code) and returns its first row as a new object, json null
 * when there is none, or NULL after recording OS_EIO in r. */
static json_t *row_or_null(reader *r, const char *sql, const char *code)
{
    json_t *a = rows_array(r, sql, code);
    if (!a)
        return NULL;
    json_t *o = json_array_size(a) ? json_incref(json_array_get(a, 0)) : json_null();
    json_decref(a);
    return o;
}

/* Converts the 0/1 integer at key of every object in a to a JSON boolean. */
static void to_bool(json_t *a, const char *key)
{
    json_t *o;
    size_t i;
    json_array_foreach(a, i, o)
    {
        json_int_t v = json_integer_value(json_object_get(o, key));
        json_object_set_new(o, key, json_boolean(v != 0));
    }
}

/* Sets key of o to v, which may be NULL after an error (then json null). */
static void set_maybe(json_t *o, const char *key, json_t *v)
{
    json_object_set_new(o, key, v ? v : json_null());
}

/* The exposure section: each measure with value, pct, pct_emp, n, label,
 * match, source and the percentile shown (the integer part of pct, or of
 * pct_emp when weighted). Returns a new object; records OS_EIO in r. */
static json_t *collect_exposure(reader *r, const char *code, int weighted)
{
    json_t *ex = json_object();
    json_object_set_new(ex, "weighted", json_boolean(weighted));
    sqlite3_stmt *st = prep(r, "SELECT value, pct, pct_emp, n, label, match, source FROM measure "
                               "WHERE onet_code = ?1 AND measure = ?2");
    for (int i = 0; st && EXPOSURE_MEASURES[i]; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, EXPOSURE_MEASURES[i], -1, SQLITE_STATIC);
        json_t *m = json_null();
        if (step(r, st)) {
            json_decref(m);
            m = row_object(st);
            double p;
            if (jnum(m, weighted ? "pct_emp" : "pct", &p) && isfinite(p) && p >= 0)
                json_object_set_new(m, "percentile", json_integer((json_int_t)floor(p)));
            else
                json_object_set_new(m, "percentile", json_null());
        }
        json_object_set_new(ex, EXPOSURE_MEASURES[i], m);
    }
    sqlite3_finalize(st);
    return ex;
}

/* The Economic Index section for the newest release in aei_occupation: the
 * occupation's row (all null when it has none) and its top tasks by usage.
 * Returns a new object, json null when the snapshot has no Economic Index
 * data at all; records OS_EIO in r. */
static json_t *collect_aei(reader *r, const char *code)
{
    sqlite3_stmt *st = prep(r, "SELECT release, release_label FROM aei_occupation "
                               "ORDER BY release DESC LIMIT 1");
    if (!st || !step(r, st)) {
        sqlite3_finalize(st);
        return r->rc ? NULL : json_null();
    }
    char *release = col_dup(st, 0), *label = col_dup(st, 1);
    sqlite3_finalize(st);
    json_t *aei = json_object();
    json_object_set_new(aei, "release", json_string(release));
    json_object_set_new(aei, "release_label", label ? json_string(label) : json_null());
    free(label);
    json_object_set_new(aei, "usage_unit", json_string("percent of all conversations"));
    st = prep(r, "SELECT usage_pct, tasks, automation_share, augmentation_share, "
                               "filtered_share, unknown_share, dominant_mode, autonomy_median, "
                               "match FROM aei_occupation WHERE onet_code = ?1 AND release = ?2");
    const char *keys[] = {"usage_pct", "tasks", "automation_share", "augmentation_share",
                          "filtered_share", "unknown_share", "dominant_mode", "autonomy_median",
                          "match"};
    int found = 0;
    if (st) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, release, -1, SQLITE_TRANSIENT);
        found = step(r, st);
    }
    for (int i = 0; i < 9; i++)
        json_object_set_new(aei, keys[i], found ? col_json(st, i) : json_null());
    sqlite3_finalize(st);
    json_t *tasks = json_array();
    st = prep(r, "SELECT task_id, task, usage_pct, dominant_mode FROM aei_task "
                 "WHERE onet_code = ?1 AND release = ?2 ORDER BY usage_pct DESC, task_id LIMIT ?3");
    if (st) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, release, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, TOP_AEI_TASKS);
    }
    while (st && step(r, st))
        json_array_append_new(tasks, row_object(st));
    sqlite3_finalize(st);
    json_object_set_new(aei, "top_tasks", tasks);
    free(release);
    if (r->rc) {
        json_decref(aei);
        return NULL;
    }
    return aei;
}

/* The sources as the manifest records them (no per-file receipts), each with
 * stale = true when any of its files is a stale copy. Returns a new array. */
static json_t *collect_sources(const json_t *manifest)
{
    json_t *out = json_array();
    const json_t *s, *f;
    size_t i, j;
    json_array_foreach(json_object_get(manifest, "sources"), i, s)
    {
        json_t *o = json_object();
        const char *keys[] = {"id", "title", "vintage", "licence", "citation", "homepage"};
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++) {
            const char *v = jstr(s, keys[k]);
            json_object_set_new(o, keys[k], v ? json_string(v) : json_null());
        }
        int stale = 0;
        json_array_foreach(json_object_get(s, "files"), j, f)
        {
            const json_t *x = json_object_get(f, "stale");
            stale |= json_is_true(x) || (json_is_integer(x) && json_integer_value(x) != 0);
        }
        json_object_set_new(o, "stale", json_boolean(stale));
        json_array_append_new(out, o);
    }
    return out;
}

/* Builds the whole page of code as one JSON object (the --format json output,
 * and what the Markdown is rendered from). Returns a new object, or NULL
 * after recording OS_EIO in r. */
static json_t *collect_page(reader *r, const json_t *manifest, const char *code, int weighted)
{
    json_t *page = json_object();
    set_maybe(page, "occupation",
              row_or_null(r,
                          "SELECT onet_code, soc_code, title, description, job_zone "
                          "FROM occupation WHERE onet_code = ?1",
                          code));
    /* reported titles (those shown in My Next Move first), then alternate
       titles, de-duplicated case-insensitively */
    json_t *all = rows_array(r,
                             "SELECT title, kind FROM occupation_title WHERE onet_code = ?1 "
                             "ORDER BY kind = 'alternate', shown_in_my_next_move IS NOT 1, "
                             "title COLLATE NOCASE",
                             code);
    json_t *titles = json_array();
    const json_t *t, *u;
    size_t i, j;
    json_array_foreach(all, i, t)
    {
        if (json_array_size(titles) >= TOP_TITLES)
            break;
        int dup = 0;
        json_array_foreach(titles, j, u) dup |= str_ieq(jstr(t, "title"), jstr(u, "title"));
        if (!dup)
            json_array_append(titles, (json_t *)t);
    }
    json_decref(all);
    json_object_set_new(page, "titles", titles);
    set_maybe(page, "tasks",
              rows_array(r,
                         "SELECT task_id, task FROM task WHERE onet_code = ?1 AND "
                         "task_type = 'Core' ORDER BY position",
                         code));
    set_maybe(page, "elements",
              rows_array(r,
                         "SELECT kind, element_id, element_name AS name, importance, level "
                         "FROM element WHERE onet_code = ?1 AND importance IS NOT NULL "
                         "ORDER BY importance DESC, element_name LIMIT 12",
                         code));
    set_maybe(page, "elements_missing",
              rows_array(r,
                         "SELECT k.kind FROM (SELECT 'knowledge' AS kind, 1 AS o UNION ALL "
                         "SELECT 'skill', 2 UNION ALL SELECT 'ability', 3) k WHERE NOT EXISTS "
                         "(SELECT 1 FROM element e WHERE e.onet_code = ?1 AND e.kind = k.kind) "
                         "ORDER BY k.o",
                         code));
    json_t *missing = json_object_get(page, "elements_missing");
    if (json_is_array(missing)) { /* ["ability"], not [{"kind": "ability"}] */
        json_t *flat = json_array();
        json_array_foreach(missing, i, t) json_array_append(flat, json_object_get(t, "kind"));
        json_object_set_new(page, "elements_missing", flat);
    }
    json_t *tech = rows_array(r,
                              "SELECT example, commodity_title, hot_technology, in_demand "
                              "FROM technology WHERE onet_code = ?1 ORDER BY hot_technology IS "
                              "NOT 1, example COLLATE NOCASE, example LIMIT 12",
                              code);
    if (tech) {
        to_bool(tech, "hot_technology");
        to_bool(tech, "in_demand");
    }
    set_maybe(page, "technology", tech);
    json_object_set_new(page, "exposure", collect_exposure(r, code, weighted));
    json_t *outlook = row_or_null(r,
                                  "SELECT nem_code, nem_title, match, shared_by, base_year, "
                                  "proj_year, emp_base, emp_proj, change_num, change_pct, "
                                  "openings, median_wage, median_wage_flag, education "
                                  "FROM projection WHERE onet_code = ?1",
                                  code);
    double ch;
    if (outlook && json_is_object(outlook)) {
        json_object_set_new(outlook, "units", json_string("thousands (employment, openings)"));
        json_object_set_new(outlook, "label", jnum(outlook, "change_pct", &ch)
                                                  ? json_string(fmt_change_label(ch))
                                                  : json_null());
    }
    set_maybe(page, "outlook", outlook);
    json_t *pay = row_or_null(r,
                              "SELECT oews_code, oews_title, o_group, match, shared_by, tot_emp, "
                              "tot_emp_flag, a_median, a_median_flag, h_median, h_median_flag, "
                              "a_mean, a_mean_flag FROM employment_wage WHERE onet_code = ?1",
                              code);
    if (pay && json_is_object(pay)) {
        const char *v = jstr(manifest_source(manifest, "oews"), "vintage");
        json_object_set_new(pay, "vintage", v ? json_string(v) : json_null());
    }
    set_maybe(page, "pay", pay);
    set_maybe(page, "aei", collect_aei(r, code));
    json_object_set_new(page, "sources", collect_sources(manifest));
    json_t *snap = json_object();
    const char *id = jstr(manifest, "snapshot"), *created = jstr(manifest, "created_at"),
               *tv = jstr(manifest, "tool_version");
    json_object_set_new(snap, "id", id ? json_string(id) : json_null());
    json_object_set_new(snap, "created_at", created ? json_string(created) : json_null());
    json_object_set_new(snap, "tool_version", tv ? json_string(tv) : json_null());
    json_object_set_new(page, "snapshot", snap);
    if (r->rc) {
        json_decref(page);
        return NULL;
    }
    return page;
}

/* ------------------------------------------------------------ Markdown */

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

typedef struct {
    const char *measure, *name;
} measure_name;

/* The exposure lines of the page, in order, with the reference page's names. */
static const measure_name NAMES[] = {
    {"felten_aioe", "Overall AI exposure (Felten et al.)"},
    {"eloundou_gamma", "LLM task exposure, γ (OpenAI / Eloundou)"},
    {"microsoft_applicability", "AI assistant applicability (Microsoft)"},
    {NULL, NULL}};

/* "62nd percentile" (or the gap) for measure m of the exposure object;
 * writes into buf. */
static const char *percentile_words(const json_t *m, int weighted, char *buf, size_t size)
{
    double p;
    char o[FMT_BUF];
    if (!jnum(m, "percentile", &p)) {
        snprintf(buf, size, weighted ? "no employment-weighted percentile (no OEWS employment)"
                                     : "no percentile");
        return buf;
    }
    snprintf(buf, size, "%s percentile", fmt_ordinal(o, sizeof o, (long)p));
    return buf;
}

/* The composite, each source's percentile and label with its measure id,
 * Frey-Osborne apart, and remote-capable; a missing measure gets one line. Never fails. */
static void md_exposure(const json_t *page, FILE *out)
{
    const json_t *ex = json_object_get(page, "exposure");
    int weighted = json_is_true(json_object_get(ex, "weighted"));
    char pw[128], num[FMT_BUF];
    if (weighted)
        fputs("Percentiles are employment-weighted (`pct_emp`: each occupation counts with its "
              "OEWS employment); the labels are those of the unweighted percentile.\n\n",
              out);
    const json_t *ix = json_object_get(ex, "ai_exposure_index_v1");
    double n;
    if (json_is_object(ix)) {
        percentile_words(ix, weighted, pw, sizeof pw);
        const char *label = jstr(ix, "label");
        fprintf(out, "- **AI task-overlap index:** %s%s%s%s", pw, label ? " (" : "",
                label ? label : "", label ? ")" : "");
        if (weighted)
            fputs(" by employment", out);
        else if (jnum(ix, "n", &n))
            fprintf(out, " across %s occupations", fmt_count(num, sizeof num, n));
        fputs(" — composite of current-era exposure studies (ai_exposure_index_v1).\n", out);
    } else
        fputs("- **AI task-overlap index:** no composite for this occupation (too few of the "
              "current-era exposure studies cover it) — ai_exposure_index_v1.\n",
              out);
    for (int i = 0; NAMES[i].measure; i++) {
        const json_t *m = json_object_get(ex, NAMES[i].measure);
        if (!json_is_object(m)) {
            fprintf(out, "- **%s:** no value for this occupation — source: %s.\n", NAMES[i].name,
                    NAMES[i].measure);
            continue;
        }
        const char *label = jstr(m, "label");
        fprintf(out, "- **%s:** %s%s%s%s — source: %s.\n", NAMES[i].name,
                percentile_words(m, weighted, pw, sizeof pw), label ? " (" : "",
                label ? label : "", label ? ")" : "", NAMES[i].measure);
    }
    const json_t *fo = json_object_get(ex, "frey_osborne");
    if (json_is_object(fo))
        fprintf(out,
                "- **Frey–Osborne (2013, historical computerization estimate):** %s — kept "
                "separate from current-era studies (source: frey_osborne).\n",
                percentile_words(fo, weighted, pw, sizeof pw));
    else
        fputs("- **Frey–Osborne (2013, historical computerization estimate):** no value for "
              "this occupation — kept separate from current-era studies (source: "
              "frey_osborne).\n",
              out);
    const json_t *tw = json_object_get(ex, "dingel_neiman_teleworkable");
    double v;
    if (json_is_object(tw) && jnum(tw, "value", &v)) {
        char frac[FMT_BUF + 16];
        if (v >= 1)
            snprintf(frac, sizeof frac, "yes");
        else if (v <= 0)
            snprintf(frac, sizeof frac, "no");
        else
            snprintf(frac, sizeof frac, "partly (%s)", fmt_decimal2(num, sizeof num, v));
        fprintf(out,
                "- **Remote-capable (Dingel–Neiman):** %s — task structure, not who actually "
                "works remote.\n",
                frac);
    } else
        fputs("- **Remote-capable (Dingel–Neiman):** no estimate for this occupation.\n", out);
}

/* " (figures of the BLS row 11-1011 Chief executives, shared by 2 O*NET
 * occupations)" when the row is an aggregate or shared, else nothing. */
static void md_row_note(const json_t *o, const char *code_key, const char *title_key,
                        const char *what, FILE *out)
{
    double shared = 1;
    jnum(o, "shared_by", &shared);
    const char *match = jstr(o, "match");
    int aggregate = match && !strcmp(match, "aggregate");
    if (!aggregate && shared <= 1)
        return;
    const char *title = jstr(o, title_key);
    fprintf(out, " (figures of the %s%s row %s%s%s", what, aggregate ? " aggregate" : "",
            jstr(o, code_key) ? jstr(o, code_key) : "?", title ? " " : "", title ? title : "");
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
    if (jnum(p, "base_year", &base_y) && jnum(p, "proj_year", &proj_y)) {
        if ((long)base_y / 100 == (long)proj_y / 100)
            fprintf(out, " %ld–%02ld", (long)base_y, (long)proj_y % 100);
        else
            fprintf(out, " %ld–%ld", (long)base_y, (long)proj_y);
    }
    fputs("):**", out);
    const char *sep = " ";
    if (jnum(p, "change_pct", &v)) {
        fprintf(out, "%s%s growth (%s)", sep, fmt_change_pct(a, sizeof a, v), fmt_change_label(v));
        sep = "; ";
    }
    if (jnum(p, "openings", &v)) {
        fprintf(out, "%s%s annual openings", sep, fmt_thousands_k(a, sizeof a, v));
        sep = "; ";
    }
    if (jnum(p, "emp_base", &v) && jnum(p, "emp_proj", &w)) {
        fprintf(out, "%s%s → %s jobs", sep, fmt_thousands_k(a, sizeof a, v),
                fmt_thousands_k(b, sizeof b, w));
        sep = "; ";
    }
    if (!strcmp(sep, " "))
        fputs(" no figures published for this occupation", out);
    md_row_note(p, "nem_code", "nem_title", "BLS", out);
    fputs(".\n", out);
}

/* The OEWS line (median pay, employment, the vintage from the manifest), or
 * one line saying there is no estimate; never fails. */
static void md_pay(const json_t *page, const json_t *manifest, FILE *out)
{
    const json_t *p = json_object_get(page, "pay");
    const char *vintage = jstr(manifest_source(manifest, "oews"), "vintage");
    char a[FMT_BUF];
    double v;
    fprintf(out, "- **Pay & employment (BLS OEWS%s%s):** ", vintage ? ", " : "",
            vintage ? vintage : "");
    if (!json_is_object(p)) {
        fputs("No OEWS employment or wage estimate for this occupation.\n", out);
        return;
    }
    const char *aflag = jstr(p, "a_median_flag");
    if (jnum(p, "a_median", &v))
        fprintf(out, "median %s", fmt_money(a, sizeof a, v));
    else if (jnum(p, "h_median", &v))
        fprintf(out, "median %s an hour", fmt_money_cents(a, sizeof a, v));
    else if (aflag && !strcmp(aflag, "#"))
        fputs("median at or above the OEWS top code (#)", out);
    else
        fputs("no median wage published", out);
    if (jnum(p, "tot_emp", &v))
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
    const char *label = jstr(a, "release_label") ? jstr(a, "release_label") : jstr(a, "release");
    double usage, tasks, v, w;
    if (!jnum(a, "usage_pct", &usage)) {
        fprintf(out, "No Anthropic Economic Index data for this occupation in release %s.\n\n",
                label);
        return;
    }
    char s1[FMT_BUF], s2[FMT_BUF], mode[128];
    fprintf(out,
            "Anthropic Economic Index, release %s — measured AI conversations mapped to this "
            "occupation's tasks:\n\n",
            label);
    fprintf(out, "- **Share of all conversations:** %s%%", fmt_sig(s1, sizeof s1, usage, 2));
    if (jnum(a, "tasks", &tasks))
        fprintf(out, " (over %.0f of its tasks)", tasks);
    fputs(".\n", out);
    if (jnum(a, "automation_share", &v) && jnum(a, "augmentation_share", &w)) {
        fprintf(out, "- **Automation vs augmentation:** %s automation, %s augmentation (usage-weighted)",
                fmt_share(s1, sizeof s1, v), fmt_share(s2, sizeof s2, w));
        double f = 0, u = 0;
        int hf = jnum(a, "filtered_share", &f) && llround(f * 100) > 0;
        int hu = jnum(a, "unknown_share", &u) && llround(u * 100) > 0;
        if (hf || hu) {
            fputs("; the rest is ", out);
            if (hf)
                fprintf(out, "%s filtered", fmt_share(s1, sizeof s1, f));
            if (hf && hu)
                fputs(" and ", out);
            if (hu)
                fprintf(out, "%s unclassified", fmt_share(s2, sizeof s2, u));
        }
        fputs(".\n", out);
    } else
        fputs("- **Automation vs augmentation:** not classified in this release.\n", out);
    if (jnum(a, "autonomy_median", &v))
        fprintf(out, "- **Autonomy median:** %.1f (higher = AI acts more independently).\n", v);
    else
        fputs("- **Autonomy median:** not measured in this release.\n", out);
    const char *dm = jstr(a, "dominant_mode");
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
            const char *m = jstr(t, "dominant_mode");
            double up = 0;
            jnum(t, "usage_pct", &up);
            fprintf(out, "- %s _(%s%% of all conversations%s%s)_\n", jstr(t, "task"),
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
        const char *title = jstr(s, "title"), *vintage = jstr(s, "vintage"),
                   *cit = jstr(s, "citation"), *home = jstr(s, "homepage");
        fprintf(out, "- **%s**", title ? title : jstr(s, "id"));
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

/* Writes the Markdown page from the collected object; never fails (stdio
 * errors are caught by the caller's ferror). */
static void render_md(const json_t *page, const json_t *manifest, FILE *out)
{
    const json_t *occ = json_object_get(page, "occupation"), *t;
    size_t i;
    const char *desc = jstr(occ, "description");
    fprintf(out, "# %s\n\n", jstr(occ, "title"));
    if (desc && *desc)
        fprintf(out, "> %s\n\n", desc);
    else
        fputs("> No O*NET description for this occupation.\n\n", out);
    fprintf(out, "- **SOC code:** %s\n", jstr(occ, "onet_code"));
    const json_t *titles = json_object_get(page, "titles");
    fputs("- **Also known as:** ", out);
    if (json_array_size(titles)) {
        const char *sep = ", "; /* "; " when a title holds a comma itself */
        json_array_foreach(titles, i, t) if (strchr(jstr(t, "title"), ',')) sep = "; ";
        json_array_foreach(titles, i, t) fprintf(out, "%s%s", i ? sep : "", jstr(t, "title"));
        fputs("\n", out);
    } else
        fputs("no alternate or reported titles in O*NET.\n", out);
    fputs("- **Frame:** \"AI exposure\" means task overlap (how codifiable the work is), not "
          "jobs lost or a forecast. Every figure below comes from this snapshot; its sources "
          "are listed at the end.\n\n",
          out);

    fputs("## What this work is\n\n", out);
    const json_t *tasks = json_object_get(page, "tasks");
    if (json_array_size(tasks)) {
        fputs("**Core tasks** (O*NET):\n", out);
        json_array_foreach(tasks, i, t) fprintf(out, "- %s\n", jstr(t, "task"));
        fputs("\n", out);
    } else
        fputs("No O*NET core tasks for this occupation.\n\n", out);

    fputs("## Skills, tools, capabilities\n\n", out);
    const json_t *el = json_object_get(page, "elements");
    if (json_array_size(el)) {
        fputs("**Knowledge, skills & abilities** (O*NET, highest importance first):\n", out);
        json_array_foreach(el, i, t)
            fprintf(out, "- %s _(%s)_\n", jstr(t, "name"), jstr(t, "kind"));
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
            fprintf(out, "- %s%s\n", jstr(t, "example"),
                    json_is_true(json_object_get(t, "hot_technology")) ? " _(hot technology)_"
                                                                       : "");
        fputs("\n", out);
    } else
        fputs("No O*NET technology skills for this occupation.\n\n", out);

    fputs("## AI exposure & outlook\n\n", out);
    md_exposure(page, out);
    md_outlook(page, out);
    md_pay(page, manifest, out);
    fputs("\n", out);
    md_aei(page, out);
    md_sources(page, out);
    const json_t *snap = json_object_get(page, "snapshot");
    const char *created = jstr(snap, "created_at");
    fprintf(out, "\n---\n_Generated by occsnap %s from snapshot %s; data snapshot %s._\n",
            jstr(snap, "tool_version") ? jstr(snap, "tool_version") : "",
            jstr(snap, "id") ? jstr(snap, "id") : "?", created ? created : "?");
}

/* ------------------------------------------------------------ the list */

/* Prints the ranked list of candidates (at most LIST_MAX) for a query that
 * several occupations match equally well; never fails. */
static void render_list(const candlist *l, size_t ties, const char *query, int json, FILE *out)
{
    size_t shown = l->n < LIST_MAX ? l->n : LIST_MAX;
    if (json) {
        json_t *o = json_object(), *a = json_array();
        json_object_set_new(o, "query", json_string(query));
        json_object_set_new(o, "equally_good", json_integer((json_int_t)ties));
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
        json_object_set_new(o, "more", json_integer((json_int_t)(l->n - shown)));
        json_dumpf(o, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputs("\n", out);
        json_decref(o);
        return;
    }
    fprintf(out, "# Occupations matching \"%s\"\n\n", query);
    fprintf(out, "%zu occupations match equally well; show one with `occsnap show CODE`", ties);
    if (shown > ties)
        fputs(" (the rest of the list matches less well)", out);
    fputs(":\n\n", out);
    for (size_t i = 0; i < shown; i++) {
        const cand *c = &l->v[i];
        fprintf(out, "%zu. **%s** %s — ", i + 1, c->code, c->title);
        if (c->matched)
            fprintf(out, "%s \"%s\"\n", c->how, c->matched);
        else
            fprintf(out, "%s %.7s\n", c->how, c->code);
    }
    if (l->n > shown)
        fprintf(out, "\n_… and %zu more matching occupation%s._\n", l->n - shown,
                l->n - shown == 1 ? "" : "s");
}

/* ------------------------------------------------------------ show_run */

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
    reader r = {.dir = opt->snapshot};
    json_t *manifest = NULL, *page = NULL;
    candlist l = {0};
    int rc = open_snapshot(&r, &manifest);
    occode oc;
    int by_code = occode_parse(query, &oc) == 0;
    if (!rc) {
        if (by_code)
            search_code(&r, &oc, &l);
        else
            search_titles(&r, query, &l);
        rc = r.rc;
    }
    size_t ties = 0;
    while (!rc && ties < l.n && key_cmp(&l.v[ties], &l.v[0]) == 0)
        ties++;
    if (!rc && l.n == 0) {
        if (by_code)
            rc = os_error(OS_EDATA, "no occupation with the code %s in the snapshot %s",
                          oc.suffix ? oc.onet : oc.soc, r.dir);
        else
            rc = os_error(OS_EDATA,
                          "no occupation matches \"%s\" in the snapshot %s (searched titles, "
                          "alternate and reported titles; try fewer words or a code like "
                          "27-4014.00)",
                          query, r.dir);
    } else if (!rc && ties > 1) {
        render_list(&l, ties, query, opt->json, out);
    } else if (!rc) {
        if (l.n > 1)
            fprintf(stderr,
                    "occsnap: showing %s %s, the best match for \"%s\" (%s \"%s\"); %zu other "
                    "occupation%s less well\n",
                    l.v[0].code, l.v[0].title, query, l.v[0].how,
                    l.v[0].matched ? l.v[0].matched : "", l.n - 1, l.n == 2 ? " matches" : "s match");
        page = collect_page(&r, manifest, l.v[0].code, opt->weighted);
        rc = r.rc;
        if (!rc && opt->json) {
            json_dumpf(page, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
            fputs("\n", out);
        } else if (!rc)
            render_md(page, manifest, out);
    }
    if (!rc && (fflush(out) != 0 || ferror(out)))
        rc = os_error(OS_EIO, "cannot write the page to the output");
    json_decref(page);
    json_decref(manifest);
    cand_free(&l);
    sqlite3_close(r.db);
    free(query);
    return rc;
}
