/* config.c - the pipeline configuration (config/occsnap.ini), read with libinih. */
#include "common/config.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/strmap.h"
#include "common/util.h"

#include <ctype.h>
#include <ini.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ names */

static const char *const FORMATS[] = {"csv", "tsv", "xlsx", NULL};      /* enum cfg_format - 1 */
static const char *const TYPES[] = {"text", "real", "int", "oews", "ep", NULL}; /* cfg_type */
static const char *const LAYOUTS[] = {"wide", "long", "monthly", NULL}; /* cfg_aei_layout - 1 */
static const char *const STATEMENT_CODES[] = {"onet2019", "onet2010", NULL}; /* codes2010 */
static const char *const CODES[] = {"onet2019", "onet2010", "soc2018", "soc2010", NULL};
static const char *const KINDS[] = {"continuous", "binary", NULL};     /* cfg_kind - 1 */
static const char *const PAGES[] = {"main", "historical", "none", NULL}; /* cfg_page */
static const char *const COMPUTED[] = {"composite", "economic_index", NULL}; /* - 1 */
static const char *const BOOLS[] = {"false", "true", NULL};
static const char *const SCHEMES[] = {"year", "major.minor", NULL}; /* release_scheme - 1 */

/* ------------------------------------------------------------ key tables */

/* How a key's value is read into its slot. */
typedef enum {
    K_STR,    /* char *; a second line is an error */
    K_TEXT,   /* char *; an indented continuation line is joined with a blank */
    K_MB,     /* size_t bytes, given in MB (1..100000) */
    K_COUNT,  /* long in [lo, hi] */
    K_INT,    /* int in [lo, hi] */
    K_SHARE,  /* double in [0, 1] */
    K_PCTILE, /* double in (0, 100) */
    K_ENUM,   /* int: lo + index of the value in names */
    K_LIST    /* char ** with a size_t count right after it: comma-separated */
} key_kind;

typedef struct {
    const char *key;
    key_kind kind;
    size_t off;                /* offset of the slot in the section's struct */
    const char *const *names;  /* K_ENUM: the accepted values */
    long lo, hi;               /* K_COUNT, K_INT: range; K_ENUM: value of names[0] */
    const char *expect;        /* what a bad value should have been */
} key_spec;

#define KEY(k, kind, type, field, names, lo, hi, expect) \
    {k, kind, offsetof(type, field), names, lo, hi, expect}

static const key_spec OCCSNAP_KEYS[] = {
    KEY("user_agent", K_STR, config, user_agent, NULL, 0, 0, NULL),
    KEY("contact", K_STR, config, contact, NULL, 0, 0, NULL),
    KEY("max_download_mb", K_MB, config, max_download_bytes, NULL, 0, 0, "expected a size in MB"),
    KEY("max_member_mb", K_MB, config, max_member_bytes, NULL, 0, 0, "expected a size in MB"),
    KEY("keep", K_COUNT, config, keep, NULL, 0, 1000000000,
        "expected a whole number (0 keeps every snapshot)"),
    KEY("min_row_share", K_SHARE, config, min_row_share, NULL, 0, 0,
        "expected a share between 0 and 1"),
    KEY("connect_timeout_s", K_COUNT, config, connect_timeout_s, NULL, 0, 100000,
        "expected a non-negative integer"),
    KEY("timeout_s", K_COUNT, config, timeout_s, NULL, 0, 100000,
        "expected a non-negative integer"),
    KEY("stall_s", K_COUNT, config, stall_s, NULL, 0, 100000,
        "expected a non-negative integer (0: no stall limit)"),
    KEY("deadline_s", K_COUNT, config, deadline_s, NULL, 0, 1000000,
        "expected a non-negative integer (0: no deadline)"),
    KEY("parallel", K_INT, config, parallel, NULL, 0, 100000, "expected a non-negative integer"),
    KEY("parallel_per_host", K_INT, config, parallel_per_host, NULL, 0, 100000,
        "expected a non-negative integer (0: no limit per host)"),
    KEY("retries", K_INT, config, retries, NULL, 0, 100000, "expected a non-negative integer"),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec METHODOLOGY_KEYS[] = {
    KEY("composite", K_STR, config, composite, NULL, 0, 0, NULL),
    KEY("composite_components", K_LIST, config, component, NULL, 0, 0, NULL),
    KEY("composite_min", K_INT, config, composite_min, NULL, 1, 100,
        "expected a whole number from 1"),
    KEY("label_low_below", K_PCTILE, config, label_low_below, NULL, 0, 0,
        "expected a percentile between 0 and 100"),
    KEY("label_high_from", K_PCTILE, config, label_high_from, NULL, 0, 0,
        "expected a percentile between 0 and 100"),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec SOURCE_KEYS[] = {
    KEY("title", K_STR, cfg_source, title, NULL, 0, 0, NULL),
    KEY("vintage", K_STR, cfg_source, vintage, NULL, 0, 0, NULL),
    KEY("licence", K_STR, cfg_source, licence, NULL, 0, 0, NULL),
    KEY("citation", K_TEXT, cfg_source, citation, NULL, 0, 0, NULL),
    KEY("homepage", K_STR, cfg_source, homepage, NULL, 0, 0, NULL),
    KEY("release", K_ENUM, cfg_source, scheme, SCHEMES, SCHEME_YEAR, 0,
        "release is year or major.minor"),
    KEY("known", K_STR, cfg_source, known, NULL, 0, 0, NULL),
    KEY("pin", K_STR, cfg_source, pin, NULL, 0, 0, NULL),
    KEY("discover", K_STR, cfg_source, index_url, NULL, 0, 0, NULL),
    KEY("probe", K_STR, cfg_source, probe, NULL, 0, 0, NULL),
    KEY("listing", K_STR, cfg_source, listing, NULL, 0, 0, NULL),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec TABLE_KEYS[] = {
    KEY("source", K_STR, cfg_table, source, NULL, 0, 0, NULL),
    KEY("url", K_STR, cfg_table, url, NULL, 0, 0, NULL),
    KEY("member", K_STR, cfg_table, member, NULL, 0, 0, NULL),
    KEY("sheet", K_STR, cfg_table, sheet, NULL, 0, 0, NULL),
    KEY("sha256", K_STR, cfg_table, sha256, NULL, 0, 0, NULL),
    KEY("cache_name", K_STR, cfg_table, cache_name, NULL, 0, 0, NULL),
    KEY("since", K_STR, cfg_table, since, NULL, 0, 0, NULL),
    KEY("until", K_STR, cfg_table, until, NULL, 0, 0, NULL),
    KEY("min_coverage", K_SHARE, cfg_table, min_coverage, NULL, 0, 0,
        "expected a share between 0 and 1"),
    KEY("optional", K_ENUM, cfg_table, optional, BOOLS, 0, 0, "expected true or false"),
    KEY("format", K_ENUM, cfg_table, format, FORMATS, CFG_CSV, 0,
        "unknown format (csv, tsv, xlsx)"),
    KEY("template", K_ENUM, cfg_table, is_template, BOOLS, 0, 0, "expected true or false"),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec AEI_KEYS[] = {
    KEY("label", K_STR, cfg_aei, label, NULL, 0, 0, NULL),
    KEY("layout", K_ENUM, cfg_aei, layout, LAYOUTS, AEI_WIDE, 0,
        "layout is wide (v1/v2 task files), long (v3-v5 aei_raw) or monthly (v6)"),
    KEY("tasks", K_STR, cfg_aei, tasks, NULL, 0, 0, NULL),
    KEY("patterns", K_STR, cfg_aei, patterns, NULL, 0, 0, NULL),
    KEY("raw", K_STR, cfg_aei, raw, NULL, 0, 0, NULL),
    KEY("statements", K_STR, cfg_aei, statements, NULL, 0, 0, NULL),
    KEY("statement_codes", K_ENUM, cfg_aei, codes2010, STATEMENT_CODES, 0, 0,
        "statement_codes is onet2010 or onet2019"),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec AEI_LAYOUT_KEYS[] = {
    KEY("table", K_STR, cfg_aei_layout, table, NULL, 0, 0, NULL),
    KEY("files", K_STR, cfg_aei_layout, files, NULL, 0, 0, NULL),
    KEY("layout", K_ENUM, cfg_aei_layout, layout, LAYOUTS, AEI_WIDE, 0,
        "layout is long (layout A) or monthly (layout B)"),
    KEY("statements", K_STR, cfg_aei_layout, statements, NULL, 0, 0, NULL),
    KEY("platform", K_STR, cfg_aei_layout, platform, NULL, 0, 0, NULL),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

static const key_spec MEASURE_KEYS[] = {
    KEY("table", K_STR, cfg_measure, table, NULL, 0, 0, NULL),
    KEY("code", K_STR, cfg_measure, code, NULL, 0, 0, NULL),
    KEY("codes", K_ENUM, cfg_measure, codes, CODES, CODES_ONET2019, 0,
        "codes is onet2019, onet2010, soc2018 or soc2010"),
    KEY("value", K_STR, cfg_measure, value, NULL, 0, 0, NULL),
    KEY("source", K_STR, cfg_measure, source, NULL, 0, 0, NULL),
    KEY("label", K_STR, cfg_measure, label, NULL, 0, 0, NULL),
    KEY("description", K_TEXT, cfg_measure, description, NULL, 0, 0, NULL),
    KEY("note", K_TEXT, cfg_measure, note, NULL, 0, 0, NULL),
    KEY("column", K_STR, cfg_measure, column, NULL, 0, 0, NULL),
    KEY("kind", K_ENUM, cfg_measure, kind, KINDS, KIND_CONTINUOUS, 0,
        "kind is continuous or binary"),
    KEY("page", K_ENUM, cfg_measure, page, PAGES, PAGE_MAIN, 0,
        "page is main, historical or none"),
    KEY("computed_by", K_ENUM, cfg_measure, computed_by, COMPUTED, COMPUTED_COMPOSITE, 0,
        "computed_by is composite or economic_index"),
    {NULL, 0, 0, NULL, 0, 0, NULL}};

/* ------------------------------------------------------------ sections */

typedef struct loader loader;

/* One kind of section: how its header reads, where its struct lives, its
 * keys, and (for col.* and filter.*) a handler of prefixed keys. */
typedef struct {
    const char *prefix;  /* "occsnap", or "table " for [table ID] */
    int named;           /* 1: the prefix is followed by an id */
    void *(*get)(config *c, const char *id); /* the struct of that section */
    const key_spec *keys;
    /* the keys with a "." (col.x), or NULL; returns an os_result */
    int (*prefixed)(loader *ld, void *obj, const char *key, const char *value);
} section_spec;

struct loader {
    config *c;
    const char *section; /* the section being read, for messages */
    strmap *seen;        /* "section\nkey" already read: the next one is a continuation */
    int result;
};

/* Records the first error (OS_ECONFIG naming file, section and key) in
 * ld->result and returns it, so a caller can `return bad(...)`. */
static int bad(loader *ld, const char *msg, const char *key, const char *value)
{
    if (!ld->result)
        ld->result = os_error(OS_ECONFIG, "%s: [%s] %s: %s (%s = %s)", ld->c->path,
                              ld->section, key, msg, key, value);
    return ld->result;
}

/* Finds the element of *arr (n of them, size bytes each, a char *id first)
 * named id, else appends a zeroed one with that id; dies on OOM. */
static void *named_element(void **arr, size_t *n, size_t size, const char *id)
{
    for (size_t i = 0; i < *n; i++) {
        char **name = (char **)((char *)*arr + i * size);
        if (!strcmp(*name, id))
            return name;
    }
    *arr = xrealloc(*arr, (*n + 1) * size);
    char **name = memset((char *)*arr + (*n)++ * size, 0, size);
    *name = xstrdup(id);
    return name;
}

static void *get_config(config *c, const char *id)
{
    (void)id;
    return c;
}

static void *get_methodology(config *c, const char *id)
{
    (void)id;
    c->has_methodology = 1;
    return c;
}

static void *get_source(config *c, const char *id)
{
    return named_element((void **)&c->src, &c->nsrc, sizeof *c->src, id);
}

static void *get_table(config *c, const char *id)
{
    size_t before = c->ntab;
    cfg_table *t = named_element((void **)&c->tab, &c->ntab, sizeof *c->tab, id);
    if (c->ntab > before)
        t->min_coverage = -1;
    return t;
}

static void *get_aei(config *c, const char *id)
{
    return named_element((void **)&c->aei, &c->naei, sizeof *c->aei, id);
}

static void *get_aei_layout(config *c, const char *id)
{
    return named_element((void **)&c->alay, &c->nalay, sizeof *c->alay, id);
}

static void *get_measure(config *c, const char *id)
{
    return named_element((void **)&c->meas, &c->nmeas, sizeof *c->meas, id);
}

/* col.<name> = <header> [| <type>]: one staged column of a [table] (key is
 * the whole key, for messages); returns an os_result, OS_ECONFIG (via bad)
 * for an unknown type or a bad name. */
static int table_column(loader *ld, cfg_table *t, const char *key, const char *value)
{
    const char *name = key + 4;
    char *spec = xstrdup(value);
    char *header = spec, *field = strchr(spec, '|');
    int type = CFG_TEXT, typed = 0;
    double lo = -INFINITY, hi = INFINITY;
    const char *why = NULL;
    while (!why && field) {
        *field++ = '\0';
        char *end = strchr(field, '|'), *word, *more;
        if (end)
            *end = '\0';
        word = str_trim(field);
        field = end;
        if (!typed && !strchr(word, '=')) {
            for (type = 0; TYPES[type] && strcmp(TYPES[type], word); type++)
                ;
            typed = 1;
            if (!TYPES[type])
                why = "unknown column type (text, real, int, oews, ep)";
            continue;
        }
        /* the range: "min=0 max=100", blank-separated, after the type */
        if (!*word)
            why = "expected min=NUMBER and/or max=NUMBER after the type";
        for (char *w = strtok_r(word, " \t", &more); !why && w; w = strtok_r(NULL, " \t", &more)) {
            double d;
            int is_min = !strncmp(w, "min=", 4), is_max = !strncmp(w, "max=", 4);
            if ((!is_min && !is_max) || parse_double(w + 4, &d) != 0)
                why = "expected min=NUMBER and/or max=NUMBER after the type";
            else if (is_min)
                lo = d;
            else
                hi = d;
        }
    }
    if (!why && (lo > hi))
        why = "min is above max";
    if (!why && (lo > -INFINITY || hi < INFINITY) && type == CFG_TEXT)
        why = "a range needs a numeric type (real, int, oews, ep)";
    if (header)
        str_trim(header);
    if (!why && (!header || !*header || !*name))
        why = "empty column name or header";
    for (const char *p = name; !why && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            why = "column names use a-z, 0-9 and _";
    if (why) {
        free(spec);
        return bad(ld, why, key, value);
    }
    t->col = xrealloc(t->col, (t->ncol + 1) * sizeof *t->col);
    t->col[t->ncol++] = (cfg_column){xstrdup(name), xstrdup(header), (enum cfg_type)type,
                                     lo > -INFINITY, hi < INFINITY, lo, hi};
    free(spec);
    return OS_OK;
}

/* Splits a comma-separated list into a new array of trimmed strings, stored
 * at *items with its count at *n (replacing what was there); dies on OOM. */
static void split_list(const char *value, char ***items, size_t *n)
{
    for (size_t i = 0; i < *n; i++)
        free((*items)[i]);
    *n = 0;
    char *list = xstrdup(value);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        *items = xrealloc(*items, (*n + 1) * sizeof **items);
        (*items)[(*n)++] = xstrdup(str_trim(tok));
    }
    free(list);
}

/* The prefixed keys of a [table]: col.<name> and filter.<column>; returns an
 * os_result, OS_ECONFIG (via bad) for an unknown key or an empty filter. */
static int table_prefixed(loader *ld, void *obj, const char *key, const char *value)
{
    cfg_table *t = obj;
    if (!strncmp(key, "col.", 4))
        return table_column(ld, t, key, value);
    if (strncmp(key, "filter.", 7))
        return bad(ld, "unknown key in a [table] section", key, value);
    t->filter = xrealloc(t->filter, (t->nfilter + 1) * sizeof *t->filter);
    cfg_filter *f = memset(&t->filter[t->nfilter++], 0, sizeof *f);
    f->column = xstrdup(key + 7);
    split_list(value, &f->value, &f->nvalue);
    if (!f->nvalue)
        return bad(ld, "a filter needs at least one value", key, value);
    return OS_OK;
}

static const section_spec SECTIONS[] = {
    {"occsnap", 0, get_config, OCCSNAP_KEYS, NULL},
    {"methodology", 0, get_methodology, METHODOLOGY_KEYS, NULL},
    {"source ", 1, get_source, SOURCE_KEYS, NULL},
    {"table ", 1, get_table, TABLE_KEYS, table_prefixed},
    {"aei ", 1, get_aei, AEI_KEYS, NULL},
    {"aei_layout ", 1, get_aei_layout, AEI_LAYOUT_KEYS, NULL},
    {"measure ", 1, get_measure, MEASURE_KEYS, NULL},
};

/* The words of an unknown-key message: "[occsnap]" or "a [table] section". */
static char *section_words(const section_spec *s)
{
    if (!s->named)
        return xasprintf("[%s]", s->prefix);
    return xasprintf("a%s [%.*s] section", strchr("aeiou", s->prefix[0]) ? "n" : "",
                     (int)strlen(s->prefix) - 1, s->prefix);
}

/* Reads value into the slot that spec names in obj; a continuation line (the
 * key seen before) joins K_TEXT and is an error for every other kind. Returns
 * an os_result, OS_ECONFIG (via bad) for a value the key does not take. */
static int set_key(loader *ld, const key_spec *spec, void *obj, const char *value, int again)
{
    void *slot = (char *)obj + spec->off;
    long v;
    double d;
    if (again && spec->kind != K_TEXT)
        return bad(ld, "continued on an indented line (only citation, description and note "
                       "may be), or given twice",
                   spec->key, value);
    switch (spec->kind) {
    case K_STR:
    case K_TEXT: {
        char **s = slot;
        char *joined = again && *s ? xasprintf("%s %s", *s, value) : xstrdup(value);
        free(*s);
        *s = joined;
        return OS_OK;
    }
    case K_MB:
        if (parse_long(value, &v) != 0 || v <= 0 || v > 100000)
            return bad(ld, spec->expect, spec->key, value);
        *(size_t *)slot = (size_t)v * 1024 * 1024;
        return OS_OK;
    case K_COUNT:
    case K_INT:
        if (parse_long(value, &v) != 0 || v < spec->lo || v > spec->hi)
            return bad(ld, spec->expect, spec->key, value);
        if (spec->kind == K_COUNT)
            *(long *)slot = v;
        else
            *(int *)slot = (int)v;
        return OS_OK;
    case K_SHARE:
    case K_PCTILE:
        if (parse_double(value, &d) != 0 ||
            (spec->kind == K_SHARE ? d < 0 || d > 1 : d <= 0 || d >= 100))
            return bad(ld, spec->expect, spec->key, value);
        *(double *)slot = d;
        return OS_OK;
    case K_ENUM:
        for (int k = 0; spec->names[k]; k++)
            if (!strcmp(spec->names[k], value)) {
                *(int *)slot = (int)spec->lo + k;
                return OS_OK;
            }
        return bad(ld, spec->expect, spec->key, value);
    case K_LIST:
        split_list(value, (char ***)slot, (size_t *)((char *)slot + sizeof(char **)));
        return OS_OK;
    }
    return bad(ld, "unhandled key kind", spec->key, value);
}

/* The inih handler: returns 1 to go on, 0 to stop (inih's convention, not an
 * os_result); the error is in ld->result, reported. */
static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    loader *ld = user;
    if (ld->result)
        return 0;
    ld->section = section;
    const section_spec *s = NULL;
    for (size_t k = 0; !s && k < sizeof SECTIONS / sizeof *SECTIONS; k++) {
        size_t n = strlen(SECTIONS[k].prefix);
        if (SECTIONS[k].named ? !strncmp(section, SECTIONS[k].prefix, n) && section[n]
                              : !strcmp(section, SECTIONS[k].prefix))
            s = &SECTIONS[k];
    }
    if (!s) {
        if (!ld->result)
            ld->result = os_error(OS_ECONFIG, "%s: [%s]: unknown section (the sections are "
                                  "[occsnap], [methodology], [source ID], [table ID], "
                                  "[aei RELEASE], [aei_layout NAME] and [measure NAME])", ld->c->path, section);
        return 0;
    }
    void *obj = s->get(ld->c, section + (s->named ? strlen(s->prefix) : 0));
    char *seen_key = xasprintf("%s\n%s", section, key);
    int again = strmap_get(ld->seen, seen_key, NULL);
    strmap_put(ld->seen, seen_key, 1);
    free(seen_key);
    for (const key_spec *k = s->keys; k->key; k++)
        if (!strcmp(k->key, key))
            return set_key(ld, k, obj, value, again) == OS_OK;
    if (s->prefixed && strchr(key, '.')) {
        if (again)
            return bad(ld, "continued on an indented line (only citation, description and note "
                           "may be)", key, value) == OS_OK;
        return s->prefixed(ld, obj, key, value) == OS_OK;
    }
    char *words = section_words(s);
    char *msg = xasprintf("unknown key in %s", words);
    bad(ld, msg, key, value);
    free(msg);
    free(words);
    return 0;
}

/* ------------------------------------------------------------ the file's lines */

/* Finds what inih merges silently: a section header or a key given twice in
 * one section. Returns OS_ECONFIG naming the file, both lines, the section
 * and the key; OS_OK otherwise. */
static int check_repeats(const char *path, const char *text)
{
    strmap *seen = strmap_new();
    char section[256] = "";
    int rc = OS_OK;
    long line = 0;
    for (const char *p = text; !rc && *p; ) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        line++;
        char *l = xstrndup(p, len);
        int indented = l[0] == ' ' || l[0] == '\t';
        char *t = str_trim(l);
        long first;
        char *id = NULL;
        if (!indented && *t == '[' && strchr(t, ']')) {
            *strchr(t, ']') = '\0';
            snprintf(section, sizeof section, "%s", t + 1);
            id = xasprintf("[%s]", section);
        } else if (!indented && *t && *t != ';' && *t != '#' && strcspn(t, "=:") < strlen(t)) {
            t[strcspn(t, "=:")] = '\0';
            id = xasprintf("[%s]\n%s", section, str_trim(t));
        }
        if (id && strmap_get(seen, id, &first)) {
            if (*id == '[' && !strchr(id, '\n'))
                rc = os_error(OS_ECONFIG, "%s:%ld: [%s]: the section is given twice (first on line %ld)",
                              path, line, section, first);
            else
                rc = os_error(OS_ECONFIG, "%s:%ld: [%s] %s: the key is given twice in the section "
                              "(first on line %ld)", path, line, section, strchr(id, '\n') + 1, first);
        } else if (id)
            strmap_put(seen, id, line);
        free(id);
        free(l);
        p = end ? end + 1 : p + len;
    }
    strmap_free(seen);
    return rc;
}

/* ------------------------------------------------------------ validation */

/* The URL-decoded last path segment of url (no query or fragment), as the
 * cache file reads like the upstream file; malloc'd, the caller frees. */
static char *url_file_name(const char *url)
{
    const char *host = strstr(url, "://") + 3;
    const char *path = strchr(host, '/');
    const char *base = path ? strrchr(path, '/') + 1 : "";
    char *name = xstrndup(base, strcspn(base, "?#"));
    char *w = name;
    for (const char *r = name; *r; r++) {
        if (r[0] == '%' && isxdigit((unsigned char)r[1]) && isxdigit((unsigned char)r[2])) {
            char hx[3] = {r[1], r[2], 0};
            *w++ = (char)strtol(hx, NULL, 16);
            r += 2;
        } else
            *w++ = *r;
    }
    *w = '\0';
    return name;
}

/* Fingerprints of t: read_sha256, of how a file's bytes become its rows
 * (member, sheet, format, optional, columns, filters), which two tables
 * reading one file's bytes alike share; spec_sha256, of that and which
 * table and file it is (id, source, url): staging may reuse the rows of an
 * unchanged file only when this is unchanged too. Cannot fail. */
static void table_fingerprint(cfg_table *t)
{
    sha256_ctx *h = sha256_new();
    const char *parts[] = {t->member ? t->member : "", t->sheet ? t->sheet : "",
                           config_format_name(t->format), t->optional ? "optional" : ""};
    for (size_t k = 0; k < sizeof parts / sizeof *parts; k++)
        sha256_update(h, parts[k], strlen(parts[k]) + 1);
    for (size_t k = 0; k < t->ncol; k++) {
        const cfg_column *c = &t->col[k];
        char ty[3] = {(char)('0' + c->type), (char)('0' + c->has_min), (char)('0' + c->has_max)};
        sha256_update(h, c->name, strlen(c->name) + 1);
        sha256_update(h, c->header, strlen(c->header) + 1);
        sha256_update(h, ty, sizeof ty);
        sha256_update(h, &c->min, sizeof c->min);
        sha256_update(h, &c->max, sizeof c->max);
    }
    for (size_t k = 0; k < t->nfilter; k++) {
        sha256_update(h, t->filter[k].column, strlen(t->filter[k].column) + 1);
        for (size_t j = 0; j < t->filter[k].nvalue; j++)
            sha256_update(h, t->filter[k].value[j], strlen(t->filter[k].value[j]) + 1);
        sha256_update(h, "", 1); /* the end of the list: ("a","b") is not ("a"),("b") */
    }
    sha256_final(h, t->read_sha256);
    h = sha256_new();
    const char *who[] = {t->id, t->source, t->url, t->read_sha256};
    for (size_t k = 0; k < sizeof who / sizeof *who; k++)
        sha256_update(h, who[k], strlen(who[k]) + 1);
    sha256_final(h, t->spec_sha256);
}

/* Checks table i: required keys, its source, its URL, its cache file name
 * (derived when not given) against the tables before it, its columns and
 * filters; returns OS_ECONFIG naming file, section and key. */
static int validate_table(config *c, size_t i)
{
    cfg_table *t = &c->tab[i];
    if (!str_is_ident(t->id))
        return os_error(OS_ECONFIG, "%s: [table %s]: ids use a-z, 0-9 and _", c->path, t->id);
    for (size_t k = 0; k < t->nfilter; k++)
        if (config_column(t, t->filter[k].column) < 0)
            return os_error(OS_ECONFIG, "%s: [table %s] filter.%s names no col.%s", c->path,
                            t->id, t->filter[k].column, t->filter[k].column);
    if (t->sha256 && (strlen(t->sha256) != 64 || strspn(t->sha256, "0123456789abcdef") != 64))
        return os_error(OS_ECONFIG, "%s: [table %s] sha256 must be 64 lowercase hex digits: %s",
                        c->path, t->id, t->sha256);
    const char *missing = !t->source ? "source" : !t->url ? "url"
                        : !t->format ? "format" : t->ncol == 0 ? "col.*" : NULL;
    if (missing)
        return os_error(OS_ECONFIG, "%s: [table %s] has no %s", c->path, t->id, missing);
    if (!config_source(c, t->source))
        return os_error(OS_ECONFIG, "%s: [table %s] source: names '%s', which has no [source %s]",
                        c->path, t->id, t->source, t->source);
    if (strncmp(t->url, "https://", 8) && strncmp(t->url, "http://", 7))
        return os_error(OS_ECONFIG, "%s: [table %s] url must be http(s): %s", c->path, t->id,
                        t->url);
    if (!t->cache_name)
        t->cache_name = url_file_name(t->url);
    if (!*t->cache_name || strchr(t->cache_name, '/') || t->cache_name[0] == '.')
        return os_error(OS_ECONFIG, "%s: [table %s] needs a plain cache_name (got '%s')", c->path,
                        t->id, t->cache_name);
    for (size_t j = 0; j < i; j++) {
        const cfg_table *u = &c->tab[j];
        if (!strcmp(u->source, t->source) && !strcmp(u->cache_name, t->cache_name) &&
            strcmp(u->url, t->url))
            return os_error(OS_ECONFIG,
                            "%s: [table %s] and [table %s] would share cache file %s/%s: "
                            "set cache_name",
                            c->path, t->id, u->id, t->source, t->cache_name);
    }
    for (size_t a = 0; a < t->ncol; a++)
        for (size_t b = 0; b < a; b++)
            if (!strcmp(t->col[a].name, t->col[b].name))
                return os_error(OS_ECONFIG, "%s: [table %s] declares col.%s twice", c->path,
                                t->id, t->col[a].name);
    table_fingerprint(t);
    return OS_OK;
}

/* Checks an [aei] section: its layout's tables exist; returns OS_ECONFIG. */
static int validate_aei(config *c, cfg_aei *a)
{
    const char *need = a->layout == AEI_WIDE ? a->tasks : a->raw;
    if (!a->layout || !need || !a->statements)
        return os_error(OS_ECONFIG, "%s: [aei %s] needs layout, %s and statements", c->path,
                        a->release, a->layout == AEI_LONG ? "raw" : "tasks");
    const char *keys[] = {"tasks", "patterns", "raw", "statements"};
    const char *refs[] = {a->tasks, a->patterns, a->raw, a->statements};
    for (int k = 0; k < 4; k++)
        if (refs[k] && !config_table(c, refs[k]))
            return os_error(OS_ECONFIG, "%s: [aei %s] %s: names table '%s', which has no [table %s]",
                            c->path, a->release, keys[k], refs[k], refs[k]);
    if (!a->label)
        a->label = xstrdup(a->release);
    return OS_OK;
}

/* Checks that column col (the value of key) of a measure is a col.* of its
 * table t, numeric when numeric is set; returns OS_ECONFIG. */
static int measure_column(const config *c, const cfg_measure *m, const cfg_table *t,
                          const char *key, const char *col, int numeric)
{
    int k = config_column(t, col);
    if (k < 0)
        return os_error(OS_ECONFIG, "%s: [measure %s] %s: [table %s] has no col.%s", c->path,
                        m->name, key, t->id, col);
    enum cfg_type ty = t->col[k].type;
    if (numeric && ty != CFG_REAL && ty != CFG_INT)
        return os_error(OS_ECONFIG, "%s: [measure %s] %s: col.%s of [table %s] is not typed "
                        "real or int", c->path, m->name, key, col, t->id);
    return OS_OK;
}

/* Checks a [measure]: a table measure has table, code, codes and value that
 * exist (and share code and codes with the other measures of that table); a
 * computed one has none of them; both have label, description and a known
 * source. Fills the defaults (source, column). Returns OS_ECONFIG naming
 * file, section and key. */
static int validate_measure(config *c, size_t i)
{
    cfg_measure *m = &c->meas[i];
    if (!str_is_ident(m->name))
        return os_error(OS_ECONFIG, "%s: [measure %s]: names use a-z, 0-9 and _", c->path,
                        m->name);
    const cfg_table *t = NULL;
    if (m->computed_by) {
        const char *extra = m->table ? "table" : m->code ? "code" : m->value ? "value"
                          : m->codes ? "codes" : NULL;
        if (extra)
            return os_error(OS_ECONFIG, "%s: [measure %s] %s: a measure computed_by %s reads "
                            "no table", c->path, m->name, extra,
                            config_computed_name(m->computed_by));
    } else {
        const char *missing = !m->table ? "table" : !m->code ? "code" : !m->codes ? "codes"
                            : !m->value ? "value" : NULL;
        if (missing)
            return os_error(OS_ECONFIG, "%s: [measure %s] %s: missing (or computed_by for a "
                            "measure the C code computes)", c->path, m->name, missing);
        t = config_table(c, m->table);
        if (!t)
            return os_error(OS_ECONFIG, "%s: [measure %s] table: names '%s', which has no "
                            "[table %s]", c->path, m->name, m->table, m->table);
        int rc = measure_column(c, m, t, "code", m->code, 0);
        if (!rc)
            rc = measure_column(c, m, t, "value", m->value, 1);
        if (rc)
            return rc;
        for (size_t j = 0; j < i; j++) {
            const cfg_measure *o = &c->meas[j];
            if (o->table && !strcmp(o->table, m->table) &&
                (strcmp(o->code, m->code) || o->codes != m->codes))
                return os_error(OS_ECONFIG, "%s: [measure %s] code: measures of [table %s] share "
                                "its code column and codes ([measure %s] has %s, %s)", c->path,
                                m->name, m->table, o->name, o->code, config_codes_name(o->codes));
        }
        if (!m->source)
            m->source = xstrdup(t->source);
    }
    const char *missing = !m->label ? "label" : !m->description ? "description"
                        : !m->kind ? "kind" : NULL;
    if (missing)
        return os_error(OS_ECONFIG, "%s: [measure %s] %s: missing", c->path, m->name, missing);
    /* a computed measure may name the source it is computed from; without
     * one it is occsnap's own (the composite) */
    if (m->source && !config_source(c, m->source))
        return os_error(OS_ECONFIG, "%s: [measure %s] source: names '%s', which has no "
                        "[source %s]", c->path, m->name, m->source, m->source);
    if (!m->column)
        m->column = xstrdup(m->name);
    else if (!strcmp(m->column, "none")) {
        free(m->column);
        m->column = NULL;
    }
    if (m->column && !str_is_ident(m->column))
        return os_error(OS_ECONFIG, "%s: [measure %s] column: names use a-z, 0-9 and _ (or "
                        "none)", c->path, m->name);
    for (size_t j = 0; m->column && j < i; j++)
        if (c->meas[j].column && !strcmp(c->meas[j].column, m->column))
            return os_error(OS_ECONFIG, "%s: [measure %s] column: '%s' is also [measure %s]'s",
                            c->path, m->name, m->column, c->meas[j].name);
    return OS_OK;
}

/* Checks [methodology] against the measures: the composite is a measure
 * computed_by composite, each component a declared table measure; marks the
 * components. Returns OS_ECONFIG naming file, section and key. */
static int validate_methodology(config *c)
{
    if (c->label_low_below >= c->label_high_from)
        return os_error(OS_ECONFIG, "%s: [methodology] label_low_below: must be below "
                        "label_high_from", c->path);
    if (!c->has_methodology)
        return OS_OK; /* config_check_pipeline requires it; a fetch-only file may lack it */
    if (!c->ncomponent)
        return os_error(OS_ECONFIG, "%s: [methodology] composite_components: missing", c->path);
    if ((size_t)c->composite_min > c->ncomponent)
        return os_error(OS_ECONFIG, "%s: [methodology] composite_min: %d exceeds the %zu "
                        "components", c->path, c->composite_min, c->ncomponent);
    const cfg_measure *x = config_measure(c, c->composite);
    if (c->nmeas && (!x || x->computed_by != COMPUTED_COMPOSITE))
        return os_error(OS_ECONFIG, "%s: [methodology] composite: '%s' needs a [measure %s] "
                        "with computed_by = composite", c->path, c->composite, c->composite);
    for (size_t k = 0; k < c->ncomponent; k++) {
        cfg_measure *m = (cfg_measure *)config_measure(c, c->component[k]);
        if (c->nmeas && (!m || m->computed_by))
            return os_error(OS_ECONFIG, "%s: [methodology] composite_components: '%s' is not "
                            "a [measure] read from a table", c->path, c->component[k]);
        if (m)
            m->component = 1;
    }
    return OS_OK;
}

/* Replaces *slot by a malloc'd copy of tmpl filled with kv; no-op for a
 * NULL tmpl. Cannot fail (dies on OOM). */
static void fill(char **slot, const char *tmpl, const char *const *kv, size_t n)
{
    if (!tmpl)
        return;
    free(*slot);
    *slot = template_expand(tmpl, kv, n);
}

/* Checks a [source]'s release keys: a scheme has a known release (and a pin,
 * if any) of that scheme and a discover key of the form "index URL PATTERN"
 * or "probe TEMPLATE"; keeps the templates of its words. Returns OS_ECONFIG
 * naming file, section and key. */
static int validate_source(config *c, cfg_source *s)
{
    if (!str_is_ident(s->id))
        return os_error(OS_ECONFIG, "%s: [source %s]: ids use a-z, 0-9 and _", c->path, s->id);
    s->title_tmpl = s->title ? xstrdup(s->title) : NULL;
    s->vintage_tmpl = s->vintage ? xstrdup(s->vintage) : NULL;
    s->citation_tmpl = s->citation ? xstrdup(s->citation) : NULL;
    if (s->index_url) {
        char *d = s->index_url, *sp = strchr(d, ' ');
        if (!strncmp(d, "probe ", 6) && !s->probe) {
            s->probe = xstrdup(str_trim(d + 6));
            free(d);
            s->index_url = NULL;
        } else if (!strncmp(d, "index ", 6) && (sp = strchr(d + 6, ' '))) {
            *sp = '\0';
            s->index_pattern = xstrdup(str_trim(sp + 1));
            s->index_url = xstrdup(str_trim(d + 6));
            free(d);
        } else
            return os_error(OS_ECONFIG, "%s: [source %s] discover: expected \"index URL PATTERN\" "
                            "or \"probe TEMPLATE\" (discover = %s)", c->path, s->id, d);
    }
    if (!s->scheme && s->listing) {
        int y, mo, d;
        char tail;
        if (s->pin && sscanf(s->pin, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) != 3)
            return os_error(OS_ECONFIG, "%s: [source %s] pin: '%s' is not a release date "
                            "(YYYY-MM-DD)", c->path, s->id, s->pin);
        const char *extra = s->known ? "known" : s->probe ? "probe" : s->index_url ? "discover"
                                                                                  : NULL;
        if (extra)
            return os_error(OS_ECONFIG, "%s: [source %s] %s: a source with a listing finds its "
                            "releases there", c->path, s->id, extra);
        return OS_OK;
    }
    if (!s->scheme) {
        const char *extra = s->known ? "known" : s->pin ? "pin" : s->probe ? "probe"
                          : s->index_url ? "discover" : NULL;
        if (extra)
            return os_error(OS_ECONFIG, "%s: [source %s] %s: needs release = year or major.minor",
                            c->path, s->id, extra);
        return OS_OK;
    }
    relver r;
    if (!s->known || release_parse(s->scheme, s->known, &r) != 0)
        return os_error(OS_ECONFIG, "%s: [source %s] known: %s (the newest release known, e.g. "
                        "%s)", c->path, s->id, s->known ? "not a release of the scheme" : "missing",
                        s->scheme == SCHEME_YEAR ? "2024" : "30.1");
    if (s->pin && release_parse(s->scheme, s->pin, &r) != 0)
        return os_error(OS_ECONFIG, "%s: [source %s] pin: '%s' is not a release of the scheme",
                        c->path, s->id, s->pin);
    return OS_OK;
}

/* Keeps table i's url, member and sheet as templates and checks that each
 * {name} in them is a variable of its source's release scheme; returns
 * OS_ECONFIG naming file, section and key. */
static int table_templates(config *c, size_t i)
{
    cfg_table *t = &c->tab[i];
    const cfg_source *s = t->source ? config_source(c, t->source) : NULL;
    t->cache_name_given = t->cache_name != NULL;
    const char *rk[] = {"since", "until"};
    const char *rv[] = {t->since, t->until};
    for (int k = 0; k < 2; k++) {
        relver x;
        if (rv[k] && (!s || !s->scheme || release_parse(s->scheme, rv[k], &x) != 0))
            return os_error(OS_ECONFIG, "%s: [table %s] %s: '%s' is not a release of [source %s]",
                            c->path, t->id, rk[k], rv[k], t->source ? t->source : "?");
    }
    t->url_tmpl = t->url ? xstrdup(t->url) : NULL;
    t->member_tmpl = t->member ? xstrdup(t->member) : NULL;
    t->sheet_tmpl = t->sheet ? xstrdup(t->sheet) : NULL;
    const char *kv[16];
    char buf[128];
    size_t n = 0;
    relver r;
    if (s && config_release(s, &r) == 0)
        n = release_vars(&r, kv, buf);
    const char *keys[] = {"url", "member", "sheet"};
    const char *vals[] = {t->url_tmpl, t->member_tmpl, t->sheet_tmpl};
    for (int k = 0; k < 3; k++) {
        char missing[32];
        if (vals[k] && template_unknown(vals[k], kv, n, missing))
            return os_error(OS_ECONFIG, "%s: [table %s] %s: {%s} is not a variable of [source %s]'s "
                            "releases (release = year: {yyyy}, {yy}; major.minor: {major}, "
                            "{minor}; both: {release})", c->path, t->id, keys[k], missing,
                            t->source ? t->source : "?");
        fill(k == 0 ? &t->url : k == 1 ? &t->member : &t->sheet, vals[k], kv, n);
    }
    return OS_OK;
}

char *config_table_absent(const config *c, const cfg_table *t)
{
    const cfg_source *s = config_source(c, t->source);
    relver now, lo, hi;
    if (!s || config_release(s, &now) != 0)
        return NULL;
    int before = t->since && release_parse(s->scheme, t->since, &lo) == 0 &&
                 release_cmp(&now, &lo) < 0;
    int after = t->until && release_parse(s->scheme, t->until, &hi) == 0 &&
                release_cmp(&now, &hi) > 0;
    if (!before && !after)
        return NULL;
    return xasprintf("not in %s release %s: the table is in releases %s %s", s->id, s->release,
                     before ? "since" : "until", before ? t->since : t->until);
}

int config_release(const cfg_source *s, relver *r)
{
    if (!s->scheme)
        return -1;
    return release_parse(s->scheme, *s->release ? s->release : s->pin ? s->pin : s->known, r);
}

void config_fill_words(config *c, const char *id, const char *const *more, size_t nmore)
{
    cfg_source *s = (cfg_source *)config_source(c, id);
    if (!s)
        return;
    const char *kv[48];
    char buf[128];
    size_t n = 0;
    relver r;
    if (config_release(s, &r) == 0)
        n = release_vars(&r, kv, buf);
    for (size_t k = 0; k < nmore && n < 24; k++, n++) {
        kv[2 * n] = more[2 * k];
        kv[2 * n + 1] = more[2 * k + 1];
    }
    fill(&s->title, s->title_tmpl, kv, n);
    fill(&s->vintage, s->vintage_tmpl, kv, n);
    fill(&s->citation, s->citation_tmpl, kv, n);
}

int config_use_release(config *c, const char *id, const relver *r, const char *note)
{
    cfg_source *s = (cfg_source *)config_source(c, id);
    if (!s || !s->scheme || r->scheme != s->scheme)
        return os_error(OS_ECONFIG, "%s: [source %s]: has no release of that kind", c->path, id);
    release_format(r, s->release);
    free(s->release_note);
    s->release_note = note ? xstrdup(note) : NULL;
    const char *kv[16];
    char buf[128];
    size_t n = release_vars(r, kv, buf);
    for (size_t i = 0; i < c->ntab; i++) {
        cfg_table *t = &c->tab[i];
        if (strcmp(t->source, id))
            continue;
        fill(&t->url, t->url_tmpl, kv, n);
        fill(&t->member, t->member_tmpl, kv, n);
        fill(&t->sheet, t->sheet_tmpl, kv, n);
        if (!t->cache_name_given) {
            free(t->cache_name);
            t->cache_name = url_file_name(t->url);
        }
        table_fingerprint(t);
    }
    config_fill_words(c, id, NULL, 0);
    return OS_OK;
}

/* Moves the template tables (template = true) out of c->tab into c->tmpl,
 * checked like the others but for their {path}; returns OS_ECONFIG. */
static int take_templates(config *c)
{
    size_t w = 0;
    for (size_t i = 0; i < c->ntab; i++) {
        if (!c->tab[i].is_template) {
            c->tab[w++] = c->tab[i];
            continue;
        }
        cfg_table *t = &c->tab[i];
        if (!t->url || !strstr(t->url, "{path}"))
            return os_error(OS_ECONFIG, "%s: [table %s] url: a template's url has {path} (the "
                            "file's path in the listing)", c->path, t->id);
        c->tmpl = xrealloc(c->tmpl, (c->ntmpl + 1) * sizeof *c->tmpl);
        c->tmpl[c->ntmpl++] = *t;
    }
    c->ntab = w;
    return OS_OK;
}

/* Checks an [aei_layout]: a template table, a file pattern, layout long or
 * monthly, a statements table; returns OS_ECONFIG naming the key. */
static int validate_aei_layout(config *c, const cfg_aei_layout *L)
{
    const char *missing = !L->table ? "table" : !L->files ? "files" : !L->layout ? "layout"
                        : !L->statements ? "statements" : NULL;
    if (missing)
        return os_error(OS_ECONFIG, "%s: [aei_layout %s] has no %s", c->path, L->name, missing);
    if (!config_template(c, L->table))
        return os_error(OS_ECONFIG, "%s: [aei_layout %s] table: '%s' is not a [table] with "
                        "template = true", c->path, L->name, L->table);
    if (L->layout == AEI_WIDE)
        return os_error(OS_ECONFIG, "%s: [aei_layout %s] layout: long or monthly (wide releases "
                        "are configured by hand)", c->path, L->name);
    if (!config_table(c, L->statements))
        return os_error(OS_ECONFIG, "%s: [aei_layout %s] statements: names table '%s', which has "
                        "no [table %s]", c->path, L->name, L->statements, L->statements);
    return OS_OK;
}

/* Checks what inih cannot: required keys, references, unique names. */
static int validate(config *c)
{
    int rc = take_templates(c);
    for (size_t i = 0; !rc && i < c->nsrc; i++)
        rc = validate_source(c, &c->src[i]);
    for (size_t i = 0; !rc && i < c->ntab; i++)
        rc = table_templates(c, i);
    for (size_t i = 0; !rc && i < c->ntab; i++)
        rc = validate_table(c, i);
    for (size_t i = 0; !rc && i < c->nsrc; i++) {
        relver r;
        if (config_release(&c->src[i], &r) == 0)
            rc = config_use_release(c, c->src[i].id, &r,
                                    c->src[i].pin ? "pinned in the config" : "the newest known");
    }
    for (size_t i = 0; !rc && i < c->naei; i++)
        rc = validate_aei(c, &c->aei[i]);
    for (size_t i = 0; !rc && i < c->nalay; i++)
        rc = validate_aei_layout(c, &c->alay[i]);
    for (size_t i = 0; !rc && i < c->nsrc; i++)
        if (c->src[i].listing && strncmp(c->src[i].listing, "https://", 8))
            rc = os_error(OS_ECONFIG, "%s: [source %s] listing: must be an https URL (%s)",
                          c->path, c->src[i].id, c->src[i].listing);
    for (size_t i = 0; !rc && i < c->nmeas; i++)
        rc = validate_measure(c, i);
    if (!rc)
        rc = validate_methodology(c);
    return rc;
}

/* ------------------------------------------------------------ the interface */

int config_load(const char *path, config **out)
{
    char *text;
    size_t len;
    if (read_file(path, (size_t)4 << 20, &text, &len))
        return os_error(OS_ECONFIG, "cannot read the config file %s", path);
    int rc = config_parse(path, text, len, out);
    free(text);
    return rc;
}

int config_parse(const char *path, const char *text, size_t len, config **out)
{
    config *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    c->user_agent = xstrdup("occsnap/" "0.1");
    c->contact = xstrdup("");
    c->max_download_bytes = (size_t)512 * 1024 * 1024;
    c->max_member_bytes = (size_t)256 * 1024 * 1024;
    c->connect_timeout_s = 30;
    c->timeout_s = 600;
    c->stall_s = 60;
    c->deadline_s = 1800;
    c->parallel = 32;
    c->parallel_per_host = 6;
    c->retries = 3;
    c->min_row_share = 0.9;
    c->composite = xstrdup("ai_exposure_index_v1");
    c->composite_min = 2;
    c->label_low_below = 100.0 / 3;
    c->label_high_from = 200.0 / 3;
    sha256_buffer(text, len, c->sha256);
    loader ld = {c, "", strmap_new(), check_repeats(path, text)};
    /* the defaults above are not "seen": a file may set each once */
    int rc = ld.result ? 0 : ini_parse_string(text, on_entry, &ld);
    strmap_free(ld.seen);
    if (!ld.result && rc != 0)
        ld.result = os_error(OS_ECONFIG, "%s:%d: cannot parse this line (lines are limited to %d "
                             "characters; continue a long citation on an indented line)",
                             path, rc, INI_MAX_LINE - 2);
    if (!ld.result)
        ld.result = validate(c);
    const char *env = getenv("OCCSNAP_CONTACT");
    if (env && *env) {
        free(c->contact);
        c->contact = xstrdup(env);
    }
    if (ld.result) {
        config_free(c);
        return ld.result;
    }
    *out = c;
    return OS_OK;
}

void config_free(config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ntab + c->ntmpl; i++) {
        cfg_table *t = i < c->ntab ? &c->tab[i] : &c->tmpl[i - c->ntab];
        free(t->id), free(t->source), free(t->url), free(t->member), free(t->sheet);
        free(t->sha256), free(t->cache_name);
        free(t->url_tmpl), free(t->member_tmpl), free(t->sheet_tmpl), free(t->since), free(t->until);
        for (size_t j = 0; j < t->ncol; j++)
            free(t->col[j].name), free(t->col[j].header);
        free(t->col);
        for (size_t j = 0; j < t->nfilter; j++) {
            for (size_t k = 0; k < t->filter[j].nvalue; k++)
                free(t->filter[j].value[k]);
            free(t->filter[j].value), free(t->filter[j].column);
        }
        free(t->filter);
    }
    for (size_t i = 0; i < c->nsrc; i++) {
        cfg_source *s = &c->src[i];
        free(s->id), free(s->title), free(s->vintage), free(s->licence);
        free(s->citation), free(s->homepage);
        free(s->known), free(s->pin), free(s->index_url), free(s->index_pattern), free(s->probe);
        free(s->listing);
        free(s->title_tmpl), free(s->vintage_tmpl), free(s->citation_tmpl), free(s->release_note);
    }
    for (size_t i = 0; i < c->naei; i++) {
        cfg_aei *a = &c->aei[i];
        free(a->release), free(a->label), free(a->tasks), free(a->patterns), free(a->raw);
        free(a->statements), free(a->found), free(a->file);
    }
    for (size_t i = 0; i < c->nalay; i++) {
        cfg_aei_layout *L = &c->alay[i];
        free(L->name), free(L->table), free(L->files), free(L->statements), free(L->platform);
    }
    free(c->alay), free(c->tmpl);
    for (size_t i = 0; i < c->nmeas; i++) {
        cfg_measure *m = &c->meas[i];
        free(m->name), free(m->table), free(m->code), free(m->value), free(m->source);
        free(m->label), free(m->description), free(m->note), free(m->column);
    }
    free(c->meas), free(c->aei);
    for (size_t i = 0; i < c->ncomponent; i++)
        free(c->component[i]);
    free(c->component), free(c->composite);
    free(c->tab), free(c->src), free(c->path), free(c->user_agent), free(c->contact);
    free(c);
}

/* The element of arr (n of them, size bytes each, a char * name first)
 * named id, or NULL; cannot fail. */
static void *find_named(const void *arr, size_t n, size_t size, const char *id)
{
    for (size_t i = 0; i < n; i++) {
        char *const *name = (char *const *)(const void *)((const char *)arr + i * size);
        if (*name && !strcmp(*name, id))
            return (void *)name;
    }
    return NULL;
}

const cfg_source *config_source(const config *c, const char *id)
{
    return find_named(c->src, c->nsrc, sizeof *c->src, id);
}

const cfg_table *config_table(const config *c, const char *id)
{
    return find_named(c->tab, c->ntab, sizeof *c->tab, id);
}

static const char *enum_name(const char *const *names, int base, int v);

const cfg_aei_layout *config_aei_layout(const config *c, const char *name)
{
    return find_named(c->alay, c->nalay, sizeof *c->alay, name);
}

const cfg_table *config_template(const config *c, const char *id)
{
    return find_named(c->tmpl, c->ntmpl, sizeof *c->tmpl, id);
}

cfg_aei *config_aei(config *c, const char *release)
{
    return find_named(c->aei, c->naei, sizeof *c->aei, release);
}

const char *config_aei_layout_name(enum cfg_aei_layout l)
{
    const char *s = enum_name(LAYOUTS, AEI_WIDE, (int)l);
    return s ? s : "?";
}

/* Replaces t's columns and filters with copies of from's; dies on OOM. */
static void copy_columns(cfg_table *t, const cfg_table *from)
{
    for (size_t j = 0; j < t->ncol; j++)
        free(t->col[j].name), free(t->col[j].header);
    free(t->col);
    for (size_t j = 0; j < t->nfilter; j++) {
        for (size_t k = 0; k < t->filter[j].nvalue; k++)
            free(t->filter[j].value[k]);
        free(t->filter[j].value), free(t->filter[j].column);
    }
    free(t->filter);
    t->ncol = from->ncol;
    t->col = xcalloc(from->ncol ? from->ncol : 1, sizeof *t->col);
    for (size_t j = 0; j < from->ncol; j++) {
        t->col[j] = from->col[j]; /* type and valid range as the template's */
        t->col[j].name = xstrdup(from->col[j].name);
        t->col[j].header = xstrdup(from->col[j].header);
    }
    t->nfilter = from->nfilter;
    t->filter = xcalloc(from->nfilter ? from->nfilter : 1, sizeof *t->filter);
    for (size_t j = 0; j < from->nfilter; j++) {
        cfg_filter *f = &t->filter[j];
        f->column = xstrdup(from->filter[j].column);
        f->nvalue = from->filter[j].nvalue;
        f->value = xcalloc(f->nvalue, sizeof *f->value);
        for (size_t k = 0; k < f->nvalue; k++)
            f->value[k] = xstrdup(from->filter[j].value[k]);
    }
    table_fingerprint(t);
}

/* The table id of a found release: aei_YYYY_MM_DD; out has 32 bytes. */
static void found_table_id(const char *release, char out[32])
{
    snprintf(out, 32, "aei_%.20s", release);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

int config_aei_add(config *c, const cfg_aei_layout *L, const char *release, const char *path,
                   const char *found)
{
    char id[32];
    found_table_id(release, id);
    const cfg_table *tp = config_template(c, L->table);
    if (config_aei(c, release) || config_table(c, id) || !tp || !str_is_ident(id))
        return os_error(OS_ECONFIG, "%s: Economic Index release %s (%s) is configured already",
                        c->path, release, path);
    c->tab = xrealloc(c->tab, (c->ntab + 1) * sizeof *c->tab);
    cfg_table *t = memset(&c->tab[c->ntab++], 0, sizeof *t);
    t->id = xstrdup(id);
    t->source = xstrdup(tp->source);
    const char *kv[2] = {"path", path};
    t->url_tmpl = template_expand(tp->url, kv, 1);
    t->url = xstrdup(t->url_tmpl);
    t->format = tp->format;
    t->optional = tp->optional;
    t->min_coverage = tp->min_coverage;
    t->cache_name = xasprintf("%s_%s", id, strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
    t->cache_name_given = 1;
    for (char *p = t->cache_name; *p; p++)
        if (*p == '/' || *p == '\\')
            *p = '_';
    copy_columns(t, tp);
    c->aei = xrealloc(c->aei, (c->naei + 1) * sizeof *c->aei);
    cfg_aei *a = memset(&c->aei[c->naei++], 0, sizeof *a);
    a->release = xstrdup(release);
    a->label = xstrdup(release);
    a->layout = L->layout;
    a->raw = xstrdup(id);
    a->statements = xstrdup(L->statements);
    a->found = xstrdup(found);
    a->file = xstrdup(path);
    return OS_OK;
}

int config_aei_use_layout(config *c, const char *release, const cfg_aei_layout *L)
{
    cfg_aei *a = config_aei(c, release);
    const cfg_table *tp = config_template(c, L->table);
    cfg_table *t = a && a->found ? (cfg_table *)config_table(c, a->raw) : NULL;
    if (!t || !tp)
        return os_error(OS_ECONFIG, "%s: Economic Index release %s was not found in the listing",
                        c->path, release);
    copy_columns(t, tp);
    a->layout = L->layout;
    free(a->statements);
    a->statements = xstrdup(L->statements);
    return OS_OK;
}

const cfg_measure *config_measure(const config *c, const char *name)
{
    return find_named(c->meas, c->nmeas, sizeof *c->meas, name);
}

int config_column(const cfg_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncol; i++)
        if (!strcmp(t->col[i].name, name))
            return (int)i;
    return -1;
}

const char *config_label(const config *c, double pct)
{
    if (pct != pct)
        return NULL;
    return pct < c->label_low_below ? "Low" : pct < c->label_high_from ? "Moderate" : "High";
}

/* names[v - base], or NULL when v is out of range; cannot fail. */
static const char *enum_name(const char *const *names, int base, int v)
{
    for (int k = 0; names[k]; k++)
        if (k + base == v)
            return names[k];
    return NULL;
}

const char *config_format_name(enum cfg_format f)
{
    const char *s = enum_name(FORMATS, CFG_CSV, (int)f);
    return s ? s : "?";
}

const char *config_codes_name(enum cfg_codes v)
{
    return enum_name(CODES, CODES_ONET2019, (int)v);
}

const char *config_kind_name(enum cfg_kind v)
{
    return enum_name(KINDS, KIND_CONTINUOUS, (int)v);
}

const char *config_page_name(enum cfg_page v)
{
    return enum_name(PAGES, PAGE_MAIN, (int)v);
}

const char *config_computed_name(enum cfg_computed v)
{
    return enum_name(COMPUTED, COMPUTED_COMPOSITE, (int)v);
}
