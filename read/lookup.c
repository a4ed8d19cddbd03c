/* lookup.c - a query (a code, 274014, title words) to an occupation or a ranked list. */
#include "read/lookup.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"
#include "transform/occode.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Appends a candidate (copies the strings); cannot fail. */
static void cand_add(lookup_list *l, const char *code, const char *title, const char *matched,
                     const char *how, int rank, int partial, int extra, int alt)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (lookup_match){xstrdup(code), xstrdup(title), matched ? xstrdup(matched) : NULL,
                          how, rank, partial, extra, alt};
}

void lookup_free(lookup_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].code);
        free(l->v[i].title);
        free(l->v[i].matched);
    }
    free(l->v);
    *l = (lookup_list){0};
}

/* Orders two candidates by match quality alone (rank, partial words, extra
 * words, O*NET title before an alternate one); never fails. */
static int key_cmp(const lookup_match *a, const lookup_match *b)
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
    const lookup_match *a = pa, *b = pb;
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
 * Records OS_EIO in s->rc when the database cannot be read. */
static void search_titles(snapshot *s, const char *query, lookup_list *l)
{
    char *q;
    int nq = norm_words(query, &q);
    char *qcopy = xstrdup(q);
    char **qw = xcalloc((size_t)nq + 1, sizeof *qw);
    int k = 0;
    for (char *save = NULL, *t = strtok_r(qcopy, " ", &save); t && k < nq;
         t = strtok_r(NULL, " ", &save))
        qw[k++] = t;
    sqlite3_stmt *st = snapshot_prepare(
        s, "SELECT o.onet_code, o.title, o.title, NULL, 'title', 0 FROM occupation o "
           "UNION ALL SELECT t.onet_code, o.title, t.title, t.short_title, t.kind, "
           "CASE t.kind WHEN 'reported' THEN 1 ELSE 2 END "
           "FROM occupation_title t JOIN occupation o ON o.onet_code = t.onet_code "
           "ORDER BY 1, 6, 3");
    lookup_match best = {0};
    char *best_code = NULL, *best_title = NULL, *best_matched = NULL;
    while (st && snapshot_next(s, st)) {
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
        lookup_match c = {.rank = 0};
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
    if (best_code && !s->rc)
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
 * code. Fills l (empty when none); records OS_EIO in s->rc on a database error. */
static void search_code(snapshot *s, const occode *oc, lookup_list *l)
{
    sqlite3_stmt *st = snapshot_prepare(s, "SELECT onet_code, title FROM occupation WHERE onet_code = ?");
    if (st) {
        sqlite3_bind_text(st, 1, oc->onet, -1, SQLITE_STATIC);
        if (snapshot_next(s, st))
            cand_add(l, db_text(st, 0), db_text(st, 1), NULL, "code", 0, 0, 0, 0);
    }
    sqlite3_finalize(st);
    if (l->n || oc->suffix || s->rc)
        return;
    st = snapshot_prepare(s, "SELECT onet_code, title FROM occupation WHERE soc_code = ? ORDER BY onet_code");
    if (st)
        sqlite3_bind_text(st, 1, oc->soc, -1, SQLITE_STATIC);
    while (st && snapshot_next(s, st))
        cand_add(l, db_text(st, 0), db_text(st, 1), NULL, "SOC code", 0, 0, 0, 0);
    sqlite3_finalize(st);
}

int lookup_find(snapshot *s, const char *query, lookup_list *l)
{
    occode oc;
    int by_code = occode_parse(query, &oc) == 0;
    *l = (lookup_list){0};
    if (by_code)
        search_code(s, &oc, l);
    else
        search_titles(s, query, l);
    if (s->rc)
        return s->rc;
    while (l->ties < l->n && key_cmp(&l->v[l->ties], &l->v[0]) == 0)
        l->ties++;
    if (l->n)
        return OS_OK;
    if (by_code)
        return os_error(OS_EDATA, "no occupation with the code %s in the snapshot %s",
                        oc.suffix ? oc.onet : oc.soc, s->dir);
    return os_error(OS_EDATA,
                    "no occupation matches \"%s\" in the snapshot %s (searched titles, "
                    "alternate and reported titles; try fewer words or a code like "
                    "27-4014.00)",
                    query, s->dir);
}
