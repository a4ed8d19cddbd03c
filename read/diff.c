/* diff.c - what changed between two snapshots: occupations, figures, source files. */
#include "read/diff.h"
#include "common/db.h"
#include "common/error.h"
#include "common/util.h"
#include "common/snapshot.h"

#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* Occupations only in B (added) or only in A (removed); a schema name
 * cannot be a bound parameter, so the two directions are two statements. */
static const char ADDED_SQL[] =
    "SELECT n.onet_code, n.title FROM b.occupation n WHERE NOT EXISTS "
    "(SELECT 1 FROM main.occupation o WHERE o.onet_code = n.onet_code) ORDER BY n.onet_code";
static const char REMOVED_SQL[] =
    "SELECT o.onet_code, o.title FROM main.occupation o WHERE NOT EXISTS "
    "(SELECT 1 FROM b.occupation n WHERE n.onet_code = o.onet_code) ORDER BY o.onet_code";

/* One compared figure of a one-row-per-occupation table, for every
 * occupation in both snapshots (a missing row compares as NULL). */
#define FIELD(sect, tbl, col, ord, oflag, nflag)                                               \
    "SELECT " #sect ", c.onet_code, c.title, '" tbl "', '" col "', " #ord ", 'value', x." col \
    ", y." col ", " oflag ", " nflag " FROM common c LEFT JOIN main." tbl " x "               \
    "ON x.onet_code = c.onet_code LEFT JOIN b." tbl " y ON y.onet_code = c.onet_code UNION ALL "
/* An OEWS figure with the footnote mark that replaced it (# top-coded, * or ** not published). */
#define OEWS(col, ord) FIELD(1, "employment_wage", col, ord, "x." col "_flag", "y." col "_flag")
#define EP(col, ord) FIELD(2, "projection", col, ord, "NULL", "NULL")

/* Every figure of an occupation in both snapshots, old (main = A) beside new
 * (b = B), kept when it changed beyond the thresholds: ?1 relative (values;
 * any change from 0), ?2 points (percentiles); a figure present on one side
 * only is always kept. Sections: 1 employment and wages, 2 projections,
 * 3 measure values and percentiles, 4 measures that appeared or disappeared. */
static const char CHANGES_SQL[] =
    "WITH common(onet_code, title) AS (SELECT n.onet_code, n.title FROM main.occupation o "
    "JOIN b.occupation n ON n.onet_code = o.onet_code), "
    "pairs(sect, onet_code, title, tbl, field, ford, kind, old, new, old_flag, new_flag) AS ("
    OEWS("tot_emp", 1) OEWS("a_median", 2) OEWS("h_median", 3)
    EP("emp_base", 1) EP("emp_proj", 2) EP("change_pct", 3) EP("openings", 4)
    "SELECT 3, c.onet_code, c.title, 'measure', k.measure, 0, 'value', x.value, y.value, "
    "       NULL, NULL "
    "FROM (SELECT onet_code, measure FROM main.measure UNION "
    "      SELECT onet_code, measure FROM b.measure) k "
    "JOIN common c ON c.onet_code = k.onet_code "
    "LEFT JOIN main.measure x ON x.onet_code = k.onet_code AND x.measure = k.measure "
    "LEFT JOIN b.measure y ON y.onet_code = k.onet_code AND y.measure = k.measure "
    "UNION ALL "
    "SELECT 3, c.onet_code, c.title, 'measure', x.measure || '.pct', 0, 'pct', x.pct, y.pct, "
    "       NULL, NULL "
    "FROM main.measure x JOIN b.measure y ON y.onet_code = x.onet_code AND y.measure = x.measure "
    "JOIN common c ON c.onet_code = x.onet_code) "
    "SELECT CASE WHEN tbl = 'measure' AND (old IS NULL OR new IS NULL) THEN 4 ELSE sect END "
    "         AS section, onet_code, title, tbl, field, "
    "       CASE WHEN old IS NULL THEN 'appeared' WHEN new IS NULL THEN 'disappeared' "
    "            ELSE kind END, old, new, "
    "       CASE WHEN old IS NULL OR new IS NULL THEN NULL WHEN kind = 'pct' THEN new - old "
    "            WHEN old = 0 THEN NULL ELSE (new - old) * 1.0 / abs(old) END, old_flag, new_flag "
    "FROM pairs WHERE (old IS NULL) <> (new IS NULL) "
    "   OR (kind = 'pct' AND abs(new - old) > ?2) "
    "   OR (kind = 'value' AND ((old = 0 AND new <> 0) "
    "                           OR (old <> 0 AND abs(new - old) > ?1 * abs(old)))) "
    "ORDER BY section, onet_code, ford, field";

static const char *const SECTION_TITLES[] = {
    NULL,
    "Employment and wages (tot_emp, a_median, h_median; relative change)",
    "Projections (emp_base, emp_proj, change_pct, openings; relative change)",
    "Measures (value: relative change; .pct: percentile points)",
    "Measures that appeared or disappeared",
};

/* Opens the manifest of the snapshot dir into *s (the caller's to
 * snapshot_close). Returns OS_EIO, after saying which snapshot, when it is
 * missing or not JSON. */
static int open_side(const char *dir, snapshot *s)
{
    os_quiet++; /* said once below */
    int rc = snapshot_open(dir, SNAP_MANIFEST_ONLY, s);
    os_quiet--;
    if (rc) {
        char *why = xstrdup(s->json_error.text[0] ? s->json_error.text : os_last_error());
        rc = os_error(OS_EIO, "diff: %s is not a readable snapshot: %s", s->manifest_path, why);
        free(why);
    }
    return rc;
}

/* Opens A's database read-only with B's attached as b. Returns OS_EIO
 * naming the snapshot whose database cannot be opened. */
static int open_pair(snapshot *a, const snapshot *b)
{
    os_quiet++; /* said below, as diff's */
    int rc = snapshot_open_db(a->db_path, &a->db);
    os_quiet--;
    if (rc) {
        char *why = xstrdup(os_last_error());
        rc = os_error(OS_EIO, "diff: %s", why);
        free(why);
        return rc;
    }
    char *ub = snapshot_uri(b->db_path);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(a->db, "ATTACH ?1 AS b", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_bind_text(st, 1, ub, -1, SQLITE_STATIC) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_DONE)
        rc = os_error(OS_EIO, "diff: cannot open %s: %s", b->db_path, sqlite3_errmsg(a->db));
    sqlite3_finalize(st);
    free(ub);
    return rc;
}

/* {dir, snapshot, created_at} of a snapshot for the report; a new reference. */
static json_t *describe(const char *dir, json_t *manifest)
{
    json_t *o = json_object();
    json_object_set_new(o, "dir", json_string(dir));
    json_object_set(o, "snapshot", json_object_get(manifest, "snapshot"));
    json_object_set(o, "created_at", json_object_get(manifest, "created_at"));
    return o;
}

/* Runs sql (with the thresholds bound as ?1 and ?2 when it has them) and
 * appends each row to arr as an object named by names ("-x": column left
 * out, "?x": only when not NULL). Returns OS_EIO with
 * SQLite's message when either snapshot's database cannot be queried. */
static int rows_into(sqlite3 *db, const char *sql, const diff_opts *opt, const char *const *names,
                     json_t *arr)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "diff: %s or %s is not a readable snapshot database: %s", opt->a,
                        opt->b, sqlite3_errmsg(db));
    if (sqlite3_bind_parameter_count(st) == 2) {
        sqlite3_bind_double(st, 1, opt->threshold);
        sqlite3_bind_double(st, 2, opt->pct_threshold);
    }
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *o = json_object();
        for (int i = 0; names[i]; i++)
            if (*names[i] == '?' && sqlite3_column_type(st, i) != SQLITE_NULL)
                json_object_set_new(o, names[i] + 1, db_column_json(st, i));
            else if (*names[i] != '-' && *names[i] != '?')
                json_object_set_new(o, names[i], db_column_json(st, i));
        json_array_append_new(arr, o);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return os_error(OS_EIO, "diff: reading %s and %s: %s", opt->a, opt->b, sqlite3_errmsg(db));
    return OS_OK;
}

/* Adds "source\turl" -> sha256 of every file in a manifest's sources to map
 * (a JSON object used as a hash map); cannot fail. */
static void file_map(json_t *manifest, json_t *map)
{
    size_t i, k;
    json_t *s, *f;
    json_array_foreach(json_object_get(manifest, "sources"), i, s)
    {
        const char *id = json_string_value(json_object_get(s, "id"));
        json_array_foreach(json_object_get(s, "files"), k, f)
        {
            const char *url = json_string_value(json_object_get(f, "url"));
            if (!id || !url)
                continue;
            char *key = xasprintf("%s\t%s", id, url);
            json_object_set(map, key, json_object_get(f, "sha256"));
            free(key);
        }
    }
}

/* Appends {source, url, old_sha256, new_sha256} to arr for every source
 * file whose sha256 differs, or that only one snapshot fetched; files are
 * matched by (source, url) through hash maps. Cannot fail. */
static void sources_changed(json_t *ma, json_t *mb, json_t *arr)
{
    json_t *a = json_object(), *b = json_object();
    file_map(ma, a);
    file_map(mb, b);
    for (int pass = 0; pass < 2; pass++) {
        json_t *from = pass ? b : a, *other = pass ? a : b;
        const char *key;
        json_t *sha;
        json_object_foreach(from, key, sha)
        {
            json_t *osha = json_object_get(other, key);
            if (pass && osha)
                continue; /* in both: seen in the first pass */
            if (osha && json_equal(sha, osha))
                continue;
            const char *tab = strchr(key, '\t');
            json_t *o = json_object();
            json_object_set_new(o, "source", json_stringn(key, (size_t)(tab - key)));
            json_object_set_new(o, "url", json_string(tab + 1));
            json_object_set(o, "old_sha256", pass ? json_null() : sha);
            json_object_set(o, "new_sha256", pass ? sha : (osha ? osha : json_null()));
            json_array_append_new(arr, o);
        }
    }
    json_decref(a);
    json_decref(b);
}

/* Builds the whole report (a new reference in *out) from A's database with
 * B's attached read-only (both opened here, closed by the caller). Returns
 * OS_EIO, naming the snapshot, when either cannot be opened or queried. */
/* The sources whose vintage or release differs between manifests ma and mb,
 * as {source, old_vintage, new_vintage, old_release, new_release} objects
 * appended to arr, in mb's order (then sources only ma has); cannot fail. */
static void vintages_changed(json_t *ma, json_t *mb, json_t *arr)
{
    json_t *ms[2] = {mb, ma};
    for (int pass = 0; pass < 2; pass++) {
        size_t i;
        json_t *s;
        json_array_foreach(json_object_get(ms[pass], "sources"), i, s)
        {
            const char *id = json_string_value(json_object_get(s, "id"));
            json_t *other = NULL, *o;
            size_t k;
            json_array_foreach(json_object_get(ms[!pass], "sources"), k, o)
                if (id && json_equal(json_object_get(o, "id"), json_object_get(s, "id")))
                    other = o;
            if (!id || (pass && other))
                continue; /* the second pass adds only the sources B lacks */
            json_t *older = pass ? s : other, *newer = pass ? NULL : s;
            const char *keys[] = {"vintage", "release"};
            int differs = !older || !newer;
            for (int j = 0; j < 2 && !differs; j++)
                differs = !json_equal(json_object_get(older, keys[j]), json_object_get(newer, keys[j]));
            if (!differs)
                continue;
            json_t *c = json_object();
            json_object_set_new(c, "source", json_string(id));
            for (int j = 0; j < 2; j++) {
                json_t *ov = older ? json_object_get(older, keys[j]) : NULL;
                json_t *nv = newer ? json_object_get(newer, keys[j]) : NULL;
                char name[32];
                snprintf(name, sizeof name, "old_%s", keys[j]);
                json_object_set_new(c, name, ov ? json_incref(ov) : json_null());
                snprintf(name, sizeof name, "new_%s", keys[j]);
                json_object_set_new(c, name, nv ? json_incref(nv) : json_null());
            }
            json_array_append_new(arr, c);
        }
    }
}

/* When A's and B's newest Economic Index releases lie across a break in the
 * series (a release after A's, up to B's, marked not comparable with the
 * one before it in B's aei_release): {"a_release", "b_release", "break_at"}
 * as a new object; else NULL (also for snapshots without aei_release).
 * Never fails. */
static json_t *aei_break(sqlite3 *db)
{
    sqlite3_stmt *st;
    const char *sql =
        "WITH a(r) AS (SELECT max(release) FROM main.aei_occupation), "
        "     b(r) AS (SELECT max(release) FROM b.aei_occupation) "
        "SELECT a.r, b.r, (SELECT min(x.release) FROM b.aei_release x "
        "  WHERE x.release > a.r AND x.release <= b.r AND x.comparable_with_previous = 0) "
        "FROM a, b";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL; /* a snapshot from before releases were compared */
    json_t *o = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 2) != SQLITE_NULL) {
        o = json_object();
        json_object_set_new(o, "a_release", db_column_json(st, 0));
        json_object_set_new(o, "b_release", db_column_json(st, 1));
        json_object_set_new(o, "break_at", db_column_json(st, 2));
    }
    sqlite3_finalize(st);
    return o;
}

/* Removes the Economic Index measures from changes: across a break their
 * figures are not one series and are never compared. Cannot fail. */
static void drop_aei(json_t *changes)
{
    for (size_t i = json_array_size(changes); i-- > 0;) {
        const char *f = json_string_value(json_object_get(json_array_get(changes, i), "field"));
        if (f && !strncmp(f, "aei_usage_pct", 13))
            json_array_remove(changes, i);
    }
}

static int build_report(const diff_opts *opt, snapshot *sa, const snapshot *sb, json_t **out)
{
    *out = NULL;
    json_t *ma = sa->manifest, *mb = sb->manifest;
    int rc = open_pair(sa, sb);
    sqlite3 *db = sa->db;
    json_t *r = json_object();
    json_object_set_new(r, "a", describe(opt->a, ma));
    json_object_set_new(r, "b", describe(opt->b, mb));
    json_t *th = json_object();
    json_object_set_new(th, "threshold", json_real(opt->threshold));
    json_object_set_new(th, "pct_threshold", json_real(opt->pct_threshold));
    json_object_set_new(r, "thresholds", th);
    static const char *const OCC[] = {"onet_code", "title", NULL};
    static const char *const CHG[] = {"-section", "onet_code", "title",     "table",
                                      "field",    "kind",      "old",       "new",
                                      "change",   "?old_flag", "?new_flag", NULL};
    json_t *vintages = json_array();
    json_object_set_new(r, "vintages_changed", vintages);
    vintages_changed(ma, mb, vintages);
    json_t *added = json_array(), *removed = json_array(), *changes = json_array();
    json_object_set_new(r, "added", added);
    json_object_set_new(r, "removed", removed);
    json_object_set_new(r, "changes", changes);
    if (!rc)
        rc = rows_into(db, ADDED_SQL, opt, OCC, added);
    if (!rc)
        rc = rows_into(db, REMOVED_SQL, opt, OCC, removed);
    if (!rc)
        rc = rows_into(db, CHANGES_SQL, opt, CHG, changes);
    json_t *brk = rc ? NULL : aei_break(db);
    json_object_set_new(r, "aei_break", brk ? brk : json_null());
    if (brk)
        drop_aei(changes);
    json_t *src = json_array();
    json_object_set_new(r, "sources_changed", src);
    sources_changed(ma, mb, src);
    if (rc)
        json_decref(r);
    else
        *out = r;
    return rc;
}

/* Writes v for a person: whole numbers grouped by thousands (14,600), others
 * with up to six significant digits (28.57, 0.777778); for NULL the mark
 * that replaced it (flag, e.g. "#") or "none". */
static void fmt_num(json_t *v, json_t *flag, char *buf, size_t n)
{
    if (!json_is_number(v)) {
        snprintf(buf, n, "%s", json_is_string(flag) ? json_string_value(flag) : "none");
        return;
    }
    double x = json_number_value(v);
    if (fabs(x) >= 1000 && fabs(x) < 1e15) {
        double cents = round(fabs(x) * 100); /* to the cent, then split */
        double whole = floor(cents / 100);
        int frac = (int)(cents - whole * 100);
        char digits[32];
        snprintf(digits, sizeof digits, "%.0f", whole);
        size_t len = strlen(digits), k = 0;
        if (x < 0)
            buf[k++] = '-';
        for (size_t i = 0; i < len && k + 2 < n; i++) {
            if (i && (len - i) % 3 == 0)
                buf[k++] = ',';
            buf[k++] = digits[i];
        }
        buf[k] = '\0';
        if (frac % 10)
            snprintf(buf + k, n - k, ".%02d", frac);
        else if (frac)
            snprintf(buf + k, n - k, ".%d", frac / 10);
    } else {
        snprintf(buf, n, "%.6g", x);
    }
}

/* Prints the report as text: a header, one section per kind of change with
 * its count and one line per change, and a summary line. Cannot fail. */
static void print_text(json_t *r, FILE *out)
{
    json_t *a = json_object_get(r, "a"), *b = json_object_get(r, "b");
    json_t *snaps[2] = {a, b};
    fprintf(out, "occsnap diff\n");
    for (int i = 0; i < 2; i++) {
        const char *sn = json_string_value(json_object_get(snaps[i], "snapshot"));
        const char *ca = json_string_value(json_object_get(snaps[i], "created_at"));
        fprintf(out, "  %s: %s (snapshot %s, created %s)\n", i ? "B" : "A",
                json_string_value(json_object_get(snaps[i], "dir")), sn ? sn : "?",
                ca ? ca : "?");
    }
    json_t *th = json_object_get(r, "thresholds");
    fprintf(out,
            "  reported: values changing by more than %g %% (any change from 0), percentiles "
            "by more than %g points\n",
            100 * json_number_value(json_object_get(th, "threshold")),
            json_number_value(json_object_get(th, "pct_threshold")));

    json_t *vint = json_object_get(r, "vintages_changed");
    fprintf(out, "\nVintages changed: %zu\n", json_array_size(vint));
    size_t vi;
    json_t *v;
    json_array_foreach(vint, vi, v)
    {
        const char *ov = json_string_value(json_object_get(v, "old_vintage"));
        const char *nv = json_string_value(json_object_get(v, "new_vintage"));
        const char *orl = json_string_value(json_object_get(v, "old_release"));
        const char *nrl = json_string_value(json_object_get(v, "new_release"));
        fprintf(out, "  %s: %s -> %s", json_string_value(json_object_get(v, "source")),
                ov ? ov : "(none)", nv ? nv : "(none)");
        if ((orl || nrl) && !(orl && nrl && !strcmp(orl, nrl)))
            fprintf(out, " (release %s -> %s)", orl ? orl : "none", nrl ? nrl : "none");
        fputc('\n', out);
    }

    json_t *brk = json_object_get(r, "aei_break");
    if (json_is_object(brk))
        fprintf(out, "\nEconomic Index: A's release %s and B's release %s are across a break in the "
                     "series (%s is not comparable with the release before it): its figures are "
                     "not compared\n",
                json_string_value(json_object_get(brk, "a_release")),
                json_string_value(json_object_get(brk, "b_release")),
                json_string_value(json_object_get(brk, "break_at")));

    const char *occ_keys[2] = {"added", "removed"};
    for (int s = 0; s < 2; s++) {
        json_t *list = json_object_get(r, occ_keys[s]);
        fprintf(out, "\nOccupations %s: %zu\n", occ_keys[s], json_array_size(list));
        size_t i;
        json_t *o;
        json_array_foreach(list, i, o) fprintf(
            out, "  %s %s\n", json_string_value(json_object_get(o, "onet_code")),
            json_string_value(json_object_get(o, "title")));
    }

    /* the rows come ordered by section; count each section first */
    json_t *changes = json_object_get(r, "changes");
    size_t count[5] = {0}, i;
    int *sect = xcalloc(json_array_size(changes) + 1, sizeof *sect);
    json_t *c, *occs = json_object();
    json_array_foreach(changes, i, c)
    {
        const char *tbl = json_string_value(json_object_get(c, "table"));
        const char *kind = json_string_value(json_object_get(c, "kind"));
        int is_m = !strcmp(tbl, "measure");
        sect[i] = !strcmp(tbl, "employment_wage") ? 1
                  : !strcmp(tbl, "projection")    ? 2
                  : is_m && (!strcmp(kind, "appeared") || !strcmp(kind, "disappeared")) ? 4
                                                                                         : 3;
        count[sect[i]]++;
        json_object_set_new(occs, json_string_value(json_object_get(c, "onet_code")),
                            json_true());
    }
    for (int s = 1; s <= 4; s++) {
        fprintf(out, "\n%s: %zu\n", SECTION_TITLES[s], count[s]);
        json_array_foreach(changes, i, c)
        {
            if (sect[i] != s)
                continue;
            char o[64], n[64];
            fmt_num(json_object_get(c, "old"), json_object_get(c, "old_flag"), o, sizeof o);
            fmt_num(json_object_get(c, "new"), json_object_get(c, "new_flag"), n, sizeof n);
            const char *kind = json_string_value(json_object_get(c, "kind"));
            json_t *ch = json_object_get(c, "change");
            char what[48];
            if (!strcmp(kind, "pct"))
                snprintf(what, sizeof what, "%+.1f points", json_number_value(ch));
            else if (json_is_number(ch))
                snprintf(what, sizeof what, "%+.1f%%", 100 * json_number_value(ch));
            else if (!strcmp(kind, "value"))
                snprintf(what, sizeof what, "from 0");
            else
                snprintf(what, sizeof what, "%s", kind);
            fprintf(out, "  %s %s: %s %s -> %s (%s)\n",
                    json_string_value(json_object_get(c, "onet_code")),
                    json_string_value(json_object_get(c, "title")),
                    json_string_value(json_object_get(c, "field")), o, n, what);
        }
    }
    free(sect);

    json_t *src = json_object_get(r, "sources_changed");
    fprintf(out, "\nSource files changed: %zu\n", json_array_size(src));
    json_array_foreach(src, i, c)
    {
        const char *o = json_string_value(json_object_get(c, "old_sha256"));
        const char *n = json_string_value(json_object_get(c, "new_sha256"));
        fprintf(out, "  %s %s: sha256 %.12s -> %.12s%s\n",
                json_string_value(json_object_get(c, "source")),
                json_string_value(json_object_get(c, "url")), o ? o : "(none)",
                n ? n : "(none)", !o ? " (new file)" : !n ? " (no longer fetched)" : "");
    }
    size_t nadd = json_array_size(json_object_get(r, "added"));
    size_t nrem = json_array_size(json_object_get(r, "removed"));
    size_t nchg = json_array_size(changes);
    if (!nadd && !nrem && !nchg && !json_array_size(src) && !json_array_size(vint))
        fprintf(out, "\ndiff: no differences beyond the thresholds\n");
    else
        fprintf(out,
                "\ndiff: %zu added, %zu removed, %zu changes in %zu occupations, %zu source "
                "files changed\n",
                nadd, nrem, nchg, json_object_size(occs), json_array_size(src));
    json_decref(occs);
}

/* Reports to out only when both snapshots could be read; returns OS_EIO
 * (said on stderr) otherwise. The manifests and the report are owned here. */
int diff_run(const diff_opts *opt, FILE *out)
{
    snapshot sa, sb = {0};
    json_t *r = NULL;
    int rc = open_side(opt->a, &sa);
    if (!rc)
        rc = open_side(opt->b, &sb);
    if (!rc)
        rc = build_report(opt, &sa, &sb, &r);
    if (!rc) {
        if (opt->json) {
            json_dumpf(r, out, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
            fputc('\n', out);
        } else {
            print_text(r, out);
        }
    }
    json_decref(r);
    snapshot_close(&sa);
    snapshot_close(&sb);
    return rc;
}
