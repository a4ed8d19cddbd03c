/* config.c - the pipeline configuration (config/occsnap.ini), read with libinih. */
#include "common/config.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    config *c;
    const char *section; /* the section being read, for messages */
    int result;
} loader;

static int bad(loader *ld, const char *msg, const char *key, const char *value)
{
    if (!ld->result)
        ld->result = os_error(OS_ECONFIG, "%s: [%s] %s: %s (%s = %s)", ld->c->path,
                              ld->section, key, msg, key, value);
    return 0;
}

static cfg_table *table_named(config *c, const char *id)
{
    for (size_t i = 0; i < c->ntab; i++)
        if (!strcmp(c->tab[i].id, id))
            return &c->tab[i];
    c->tab = xrealloc(c->tab, (c->ntab + 1) * sizeof *c->tab);
    cfg_table *t = memset(&c->tab[c->ntab++], 0, sizeof *t);
    t->id = xstrdup(id);
    t->min_coverage = -1;
    return t;
}

static cfg_source *source_named(config *c, const char *id)
{
    for (size_t i = 0; i < c->nsrc; i++)
        if (!strcmp(c->src[i].id, id))
            return &c->src[i];
    c->src = xrealloc(c->src, (c->nsrc + 1) * sizeof *c->src);
    cfg_source *s = memset(&c->src[c->nsrc++], 0, sizeof *s);
    s->id = xstrdup(id);
    return s;
}

static void set_str(char **slot, const char *value)
{
    free(*slot);
    *slot = xstrdup(value);
}

static int parse_size_mb(const char *value, size_t *out)
{
    long v;
    if (parse_long(value, &v) != 0 || v <= 0 || v > 100000)
        return -1;
    *out = (size_t)v * 1024 * 1024;
    return 0;
}

static int parse_column(loader *ld, cfg_table *t, const char *name, const char *value)
{
    char *spec = xstrdup(value);
    char *bar = strchr(spec, '|');
    enum cfg_type type = CFG_TEXT;
    if (bar) {
        *bar = '\0';
        char *ty = str_trim(bar + 1);
        if (!strcmp(ty, "text"))
            type = CFG_TEXT;
        else if (!strcmp(ty, "real"))
            type = CFG_REAL;
        else if (!strcmp(ty, "int"))
            type = CFG_INT;
        else if (!strcmp(ty, "oews"))
            type = CFG_OEWS;
        else if (!strcmp(ty, "ep"))
            type = CFG_EP;
        else {
            free(spec);
            return bad(ld, "unknown column type (text, real, int, oews, ep)", name, value);
        }
    }
    str_trim(spec);
    if (!*spec || !*name) {
        free(spec);
        return bad(ld, "empty column name or header", name, value);
    }
    for (const char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) {
            free(spec);
            return bad(ld, "column names use a-z, 0-9 and _", name, value);
        }
    t->col = xrealloc(t->col, (t->ncol + 1) * sizeof *t->col);
    t->col[t->ncol++] = (cfg_column){xstrdup(name), spec, type};
    return 1;
}

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
    loader *ld = user;
    config *c = ld->c;
    if (ld->result)
        return 0;
    ld->section = section;
    if (!strcmp(section, "occsnap")) {
        long v;
        if (!strcmp(key, "user_agent"))
            set_str(&c->user_agent, value);
        else if (!strcmp(key, "contact"))
            set_str(&c->contact, value);
        else if (!strcmp(key, "max_download_mb")) {
            if (parse_size_mb(value, &c->max_download_bytes))
                return bad(ld, "expected a size in MB", key, value);
        } else if (!strcmp(key, "max_member_mb")) {
            if (parse_size_mb(value, &c->max_member_bytes))
                return bad(ld, "expected a size in MB", key, value);
        } else if (!strcmp(key, "keep")) {
            if (parse_long(value, &v) || v < 0)
                return bad(ld, "expected a whole number (0 keeps every snapshot)", key, value);
            c->keep = v;
        } else if (!strcmp(key, "min_row_share")) {
            double d;
            if (parse_double(value, &d) || d < 0 || d > 1)
                return bad(ld, "expected a share between 0 and 1", key, value);
            c->min_row_share = d;
        } else if (!strcmp(key, "timeout_s") || !strcmp(key, "connect_timeout_s") ||
                   !strcmp(key, "parallel") || !strcmp(key, "retries")) {
            if (parse_long(value, &v) || v < 0 || v > 100000)
                return bad(ld, "expected a non-negative integer", key, value);
            if (!strcmp(key, "timeout_s"))
                c->timeout_s = v;
            else if (!strcmp(key, "connect_timeout_s"))
                c->connect_timeout_s = v;
            else if (!strcmp(key, "parallel"))
                c->parallel = (int)v;
            else
                c->retries = (int)v;
        } else
            return bad(ld, "unknown key in [occsnap]", key, value);
        return 1;
    }
    if (!strcmp(section, "methodology")) {
        long v;
        double d;
        if (!strcmp(key, "composite")) {
            /* the view occupation_profile and `show` name this measure: a new
             * methodology is a new name in a new schema version, not a setting */
            if (strcmp(value, "ai_exposure_index_v1"))
                return bad(ld, "the composite is ai_exposure_index_v1 in schema version 1", key,
                           value);
            set_str(&c->composite, value);
        } else if (!strcmp(key, "composite_components")) {
            for (size_t i = 0; i < c->ncomponent; i++)
                free(c->component[i]);
            c->ncomponent = 0;
            char *list = xstrdup(value);
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                c->component = xrealloc(c->component, (c->ncomponent + 1) * sizeof *c->component);
                c->component[c->ncomponent++] = xstrdup(str_trim(tok));
            }
            free(list);
        } else if (!strcmp(key, "composite_min")) {
            if (parse_long(value, &v) || v < 1 || v > 100)
                return bad(ld, "expected a whole number from 1", key, value);
            c->composite_min = (int)v;
        } else if (!strcmp(key, "label_low_below") || !strcmp(key, "label_high_from")) {
            if (parse_double(value, &d) || d <= 0 || d >= 100)
                return bad(ld, "expected a percentile between 0 and 100", key, value);
            *(key[6] == 'l' ? &c->label_low_below : &c->label_high_from) = d;
        } else
            return bad(ld, "unknown key in [methodology]", key, value);
        return 1;
    }
    if (!strncmp(section, "source ", 7)) {
        cfg_source *s = source_named(c, section + 7);
        if (!strcmp(key, "title"))
            set_str(&s->title, value);
        else if (!strcmp(key, "vintage"))
            set_str(&s->vintage, value);
        else if (!strcmp(key, "licence"))
            set_str(&s->licence, value);
        else if (!strcmp(key, "citation")) {
            /* inih hands an indented continuation line over as the same key. */
            char *joined = s->citation ? xasprintf("%s %s", s->citation, value) : xstrdup(value);
            free(s->citation);
            s->citation = joined;
        }
        else if (!strcmp(key, "homepage"))
            set_str(&s->homepage, value);
        else
            return bad(ld, "unknown key in a [source] section", key, value);
        return 1;
    }
    if (!strncmp(section, "table ", 6)) {
        cfg_table *t = table_named(c, section + 6);
        if (!strcmp(key, "source"))
            set_str(&t->source, value);
        else if (!strcmp(key, "url"))
            set_str(&t->url, value);
        else if (!strcmp(key, "member"))
            set_str(&t->member, value);
        else if (!strcmp(key, "sheet"))
            set_str(&t->sheet, value);
        else if (!strcmp(key, "sha256"))
            set_str(&t->sha256, value);
        else if (!strcmp(key, "cache_name"))
            set_str(&t->cache_name, value);
        else if (!strcmp(key, "min_coverage")) {
            double d;
            if (parse_double(value, &d) || d < 0 || d > 1)
                return bad(ld, "expected a share between 0 and 1", key, value);
            t->min_coverage = d;
        }
        else if (!strcmp(key, "optional")) {
            if (strcmp(value, "true") && strcmp(value, "false"))
                return bad(ld, "expected true or false", key, value);
            t->optional = !strcmp(value, "true");
        } else if (!strcmp(key, "format")) {
            if (!strcmp(value, "csv"))
                t->format = CFG_CSV;
            else if (!strcmp(value, "tsv"))
                t->format = CFG_TSV;
            else if (!strcmp(value, "xlsx"))
                t->format = CFG_XLSX;
            else
                return bad(ld, "unknown format (csv, tsv, xlsx)", key, value);
        } else if (!strncmp(key, "col.", 4))
            return parse_column(ld, t, key + 4, value);
        else if (!strncmp(key, "filter.", 7)) {
            t->filter = xrealloc(t->filter, (t->nfilter + 1) * sizeof *t->filter);
            cfg_filter *f = memset(&t->filter[t->nfilter++], 0, sizeof *f);
            f->column = xstrdup(key + 7);
            char *list = xstrdup(value);
            for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
                f->value = xrealloc(f->value, (f->nvalue + 1) * sizeof *f->value);
                f->value[f->nvalue++] = xstrdup(str_trim(tok));
            }
            free(list);
            if (!f->nvalue)
                return bad(ld, "a filter needs at least one value", key, value);
        }
        else
            return bad(ld, "unknown key in a [table] section", key, value);
        return 1;
    }
    if (!strncmp(section, "aei ", 4)) {
        cfg_aei *a = NULL;
        for (size_t i = 0; i < c->naei; i++)
            if (!strcmp(c->aei[i].release, section + 4))
                a = &c->aei[i];
        if (!a) {
            c->aei = xrealloc(c->aei, (c->naei + 1) * sizeof *c->aei);
            a = memset(&c->aei[c->naei++], 0, sizeof *a);
            a->release = xstrdup(section + 4);
        }
        if (!strcmp(key, "label"))
            set_str(&a->label, value);
        else if (!strcmp(key, "layout")) {
            if (!strcmp(value, "wide"))
                a->layout = AEI_WIDE;
            else if (!strcmp(value, "long"))
                a->layout = AEI_LONG;
            else
                return bad(ld, "layout is wide (v1/v2 task files) or long (v3/v4 aei_raw)", key,
                           value);
        } else if (!strcmp(key, "tasks"))
            set_str(&a->tasks, value);
        else if (!strcmp(key, "patterns"))
            set_str(&a->patterns, value);
        else if (!strcmp(key, "raw"))
            set_str(&a->raw, value);
        else if (!strcmp(key, "statements"))
            set_str(&a->statements, value);
        else if (!strcmp(key, "statement_codes")) {
            if (strcmp(value, "onet2010") && strcmp(value, "onet2019"))
                return bad(ld, "statement_codes is onet2010 or onet2019", key, value);
            a->codes2010 = !strcmp(value, "onet2010");
        } else
            return bad(ld, "unknown key in an [aei] section", key, value);
        return 1;
    }
    return bad(ld, "unknown section", section, key);
}

/* 1 if s is a plain identifier: it becomes part of SQL names and paths. */
static int is_ident(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

/* Checks what inih cannot: required keys, references, unique cache names. */
static int validate(config *c)
{
    if (c->label_low_below >= c->label_high_from)
        return os_error(OS_ECONFIG, "%s: [methodology] label_low_below must be below label_high_from",
                        c->path);
    if (c->ncomponent && (size_t)c->composite_min > c->ncomponent)
        return os_error(OS_ECONFIG, "%s: [methodology] composite_min %d exceeds the %zu components",
                        c->path, c->composite_min, c->ncomponent);
    for (size_t i = 0; i < c->nsrc; i++)
        if (!is_ident(c->src[i].id))
            return os_error(OS_ECONFIG, "%s: [source %s]: ids use a-z, 0-9 and _", c->path,
                            c->src[i].id);
    for (size_t i = 0; i < c->naei; i++) {
        cfg_aei *a = &c->aei[i];
        const char *need = a->layout == AEI_WIDE ? a->tasks : a->raw;
        if (!a->layout || !need || !a->statements)
            return os_error(OS_ECONFIG, "%s: [aei %s] needs layout, %s and statements", c->path,
                            a->release, a->layout == AEI_LONG ? "raw" : "tasks");
        const char *refs[] = {a->tasks, a->patterns, a->raw, a->statements};
        for (int k = 0; k < 4; k++)
            if (refs[k] && !config_table(c, refs[k]))
                return os_error(OS_ECONFIG, "%s: [aei %s] names table '%s', which has no [table %s]",
                                c->path, a->release, refs[k], refs[k]);
        if (!a->label)
            a->label = xstrdup(a->release);
    }
    for (size_t i = 0; i < c->ntab; i++) {
        cfg_table *t = &c->tab[i];
        for (size_t k = 0; k < t->nfilter; k++)
            if (config_column(t, t->filter[k].column) < 0)
                return os_error(OS_ECONFIG, "%s: [table %s] filter.%s names no col.%s", c->path,
                                t->id, t->filter[k].column, t->filter[k].column);
        if (!is_ident(t->id))
            return os_error(OS_ECONFIG, "%s: [table %s]: ids use a-z, 0-9 and _", c->path, t->id);
        if (t->sha256 && (strlen(t->sha256) != 64 ||
                          strspn(t->sha256, "0123456789abcdef") != 64))
            return os_error(OS_ECONFIG, "%s: [table %s] sha256 must be 64 lowercase hex digits: %s",
                            c->path, t->id, t->sha256);
        const char *missing = !t->source ? "source" : !t->url ? "url"
                            : !t->format ? "format" : t->ncol == 0 ? "col.*" : NULL;
        if (missing)
            return os_error(OS_ECONFIG, "%s: [table %s] has no %s", c->path, t->id, missing);
        if (!config_source(c, t->source))
            return os_error(OS_ECONFIG, "%s: [table %s] names source '%s', which has no [source %s]",
                            c->path, t->id, t->source, t->source);
        if (strncmp(t->url, "https://", 8) && strncmp(t->url, "http://", 7))
            return os_error(OS_ECONFIG, "%s: [table %s] url must be http(s): %s", c->path,
                            t->id, t->url);
        if (!t->cache_name) {
            const char *host = strstr(t->url, "://") + 3;
            const char *path = strchr(host, '/');
            const char *base = path ? strrchr(path, '/') + 1 : "";
            size_t n = strcspn(base, "?#");
            char *name = xstrndup(base, n);
            /* URL-decode so the cache file reads as the upstream file name. */
            char *w = name;
            for (const char *r = name; *r; r++) {
                if (r[0] == '%' && isxdigit((unsigned char)r[1]) &&
                    isxdigit((unsigned char)r[2])) {
                    char hx[3] = {r[1], r[2], 0};
                    *w++ = (char)strtol(hx, NULL, 16);
                    r += 2;
                } else
                    *w++ = *r;
            }
            *w = '\0';
            t->cache_name = name;
        }
        if (!*t->cache_name || strchr(t->cache_name, '/') || !strcmp(t->cache_name, "..") ||
            t->cache_name[0] == '.')
            return os_error(OS_ECONFIG, "%s: [table %s] needs a plain cache_name (got '%s')",
                            c->path, t->id, t->cache_name);
        for (size_t j = 0; j < i; j++) {
            cfg_table *u = &c->tab[j];
            if (!strcmp(u->source, t->source) && !strcmp(u->cache_name, t->cache_name) &&
                strcmp(u->url, t->url))
                return os_error(OS_ECONFIG,
                                "%s: [table %s] and [table %s] would share cache file %s/%s: "
                                "set cache_name",
                                c->path, t->id, u->id, t->source, t->cache_name);
        }
        /* Fingerprint of how the table is read: staging may reuse the rows
         * of an unchanged file only when this is unchanged too. */
        sha256_ctx *h = sha256_new();
        const char *parts[] = {t->id, t->source, t->url, t->member ? t->member : "",
                               t->sheet ? t->sheet : "", config_format_name(t->format)};
        for (size_t k = 0; k < 6; k++)
            sha256_update(h, parts[k], strlen(parts[k]) + 1);
        for (size_t k = 0; k < t->ncol; k++) {
            char ty = (char)('0' + t->col[k].type);
            sha256_update(h, t->col[k].name, strlen(t->col[k].name) + 1);
            sha256_update(h, t->col[k].header, strlen(t->col[k].header) + 1);
            sha256_update(h, &ty, 1);
        }
        for (size_t k = 0; k < t->nfilter; k++) {
            sha256_update(h, t->filter[k].column, strlen(t->filter[k].column) + 1);
            for (size_t j = 0; j < t->filter[k].nvalue; j++)
                sha256_update(h, t->filter[k].value[j], strlen(t->filter[k].value[j]) + 1);
        }
        sha256_final(h, t->spec_sha256);
        for (size_t a = 0; a < t->ncol; a++)
            for (size_t b = 0; b < a; b++)
                if (!strcmp(t->col[a].name, t->col[b].name))
                    return os_error(OS_ECONFIG, "%s: [table %s] declares col.%s twice",
                                    c->path, t->id, t->col[a].name);
    }
    return OS_OK;
}

int config_load(const char *path, config **out)
{
    config *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    c->user_agent = xstrdup("occsnap/" "0.1");
    c->contact = xstrdup("");
    c->max_download_bytes = (size_t)512 * 1024 * 1024;
    c->max_member_bytes = (size_t)256 * 1024 * 1024;
    c->connect_timeout_s = 30;
    c->timeout_s = 600;
    c->parallel = 4;
    c->retries = 3;
    c->min_row_share = 0.9;
    c->composite = xstrdup("ai_exposure_index_v1");
    c->composite_min = 2;
    c->label_low_below = 100.0 / 3;
    c->label_high_from = 200.0 / 3;
    char *text;
    size_t len;
    int result = read_file(path, (size_t)4 << 20, &text, &len);
    if (result) {
        config_free(c);
        return os_error(OS_ECONFIG, "cannot read the config file %s", path);
    }
    sha256_buffer(text, len, c->sha256);
    loader ld = {c, "", OS_OK};
    int rc = ini_parse_string(text, on_entry, &ld);
    free(text);
    if (!ld.result && rc != 0)
        ld.result = os_error(OS_ECONFIG, "%s:%d: cannot parse this line (lines are limited to %d characters; continue a long citation on an indented line)", path, rc, INI_MAX_LINE - 2);
    if (!ld.result)
        ld.result = validate(c);
    const char *env = getenv("OCCSNAP_CONTACT");
    if (env && *env)
        set_str(&c->contact, env);
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
    for (size_t i = 0; i < c->ntab; i++) {
        cfg_table *t = &c->tab[i];
        free(t->id), free(t->source), free(t->url), free(t->member), free(t->sheet);
        free(t->sha256), free(t->cache_name);
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
    }
    for (size_t i = 0; i < c->naei; i++) {
        cfg_aei *a = &c->aei[i];
        free(a->release), free(a->label), free(a->tasks), free(a->patterns), free(a->raw);
        free(a->statements);
    }
    free(c->aei);
    for (size_t i = 0; i < c->ncomponent; i++)
        free(c->component[i]);
    free(c->component), free(c->composite);
    free(c->tab), free(c->src), free(c->path), free(c->user_agent), free(c->contact);
    free(c);
}

const cfg_source *config_source(const config *c, const char *id)
{
    for (size_t i = 0; i < c->nsrc; i++)
        if (!strcmp(c->src[i].id, id))
            return &c->src[i];
    return NULL;
}

const cfg_table *config_table(const config *c, const char *id)
{
    for (size_t i = 0; i < c->ntab; i++)
        if (!strcmp(c->tab[i].id, id))
            return &c->tab[i];
    return NULL;
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

const char *config_format_name(enum cfg_format f)
{
    return f == CFG_CSV ? "csv" : f == CFG_TSV ? "tsv" : f == CFG_XLSX ? "xlsx" : "?";
}
