/* config.h - the pipeline configuration (config/occsnap.ini), read with libinih. */
#ifndef OCCSNAP_CONFIG_H
#define OCCSNAP_CONFIG_H

#include "common/release.h"

#include <stddef.h>

enum cfg_format { CFG_CSV = 1, CFG_TSV, CFG_XLSX };
/* Column types: oews = number or an OEWS footnote mark (*, **, #, ~); ep =
 * number, or "—" (not available) or a top-code such as ">=$239,200" from the
 * Employment Projections tables. Marks become NULL plus a <col>_flag. */
enum cfg_type { CFG_TEXT = 0, CFG_REAL, CFG_INT, CFG_OEWS, CFG_EP };

typedef struct {
    char *name;    /* staged column name, e.g. "tot_emp" */
    char *header;  /* header text in the file, e.g. "TOT_EMP" */
    enum cfg_type type;
    /* a number's valid range ("| min=0 max=1"): checked where has_ is set */
    unsigned char has_min, has_max;
    double min, max;
} cfg_column;

/* filter.<col> = a, b: stage only rows whose column is one of these values
 * (case-insensitive), e.g. the global rows of a long-format file. */
typedef struct {
    char *column;  /* staged column name */
    char **value;
    size_t nvalue;
} cfg_filter;

/* [table ID]: one table read from one file (or one member/sheet of it). */
typedef struct {
    char *id;       /* e.g. "oews_national"; staged as src_<id> */
    char *source;   /* a [source ID] */
    char *url;      /* real upstream URL */
    char *member;   /* zip member, or NULL */
    char *sheet;    /* xlsx sheet name, or NULL for the first */
    enum cfg_format format;
    int optional;   /* a missing member or failed download is only a warning */
    char *sha256;   /* pinned sha256 of the downloaded file, or NULL */
    char *cache_name; /* file name under cache/raw/<source>/ */
    double min_coverage; /* data test floor: share of occupations covered; <0 none */
    char spec_sha256[65]; /* of which table and file it is and read_sha256 */
    char read_sha256[65]; /* of how a file's bytes become its rows (member, sheet,
                             format, columns, filters): two tables with this and
                             their files' sha256 alike have the same rows */
    /* url, member and sheet as configured: {yyyy}, {yy}, {major}, {minor}
     * and {release} are filled with the source's release (DESIGN 2a) */
    char *url_tmpl, *member_tmpl, *sheet_tmpl;
    int cache_name_given; /* 0: cache_name follows the url's file name */
    char *since, *until;  /* the releases of its source that have this table, or NULL */
    cfg_column *col;
    size_t ncol;
    cfg_filter *filter;
    size_t nfilter;
    int is_template;  /* template = true: not fetched; an [aei_layout] clones it per release */
} cfg_table;

/* [aei RELEASE]: one release of the Anthropic Economic Index. */
/* wide: v1/v2 task files; long: layout A (v3-v5 aei_raw_*); monthly:
 * layout B (v6 aei_claude_ai_*, by Task ID and SOC code, per month). */
enum cfg_aei_layout { AEI_WIDE = 1, AEI_LONG, AEI_MONTHLY };
typedef struct {
    char *release;     /* "2025-03-27": sorts by date, names every figure */
    char *label;       /* "v2 (2025-03-27)" */
    enum cfg_aei_layout layout;
    char *tasks;       /* wide: table with task_name, pct (percent of all) */
    char *patterns;    /* wide: table of per-task collaboration shares, or NULL */
    char *raw;         /* long: the aei_raw_* table (global rows) */
    char *statements;  /* table joining task text to occupation codes */
    int codes2010;     /* 1: the statements use O*NET-SOC 2010 codes */
    char *found;       /* found in the listing: how ("listed", "the latest snapshot's"), else NULL */
    char *file;        /* found: its file's path in the listing */
} cfg_aei;

/* [aei_layout NAME]: how a release found in the Economic Index listing is
 * read: its files by name, its columns and filters from a template table. */
typedef struct {
    char *name;        /* "long", "monthly" */
    char *table;       /* a [table] with template = true */
    char *files;       /* file-name pattern, '*' any run: aei_raw_claude_ai_*.csv */
    enum cfg_aei_layout layout; /* long (A) or monthly (B) */
    char *statements;  /* the task statements table */
    char *platform;    /* who is counted, when the file does not say */
} cfg_aei_layout;

/* [measure NAME] (DESIGN section 4a): one value per source code, mapped onto
 * the occupations by the rule its code system names, or a measure the C code
 * computes (computed_by). The page, the profile view, the exports and the
 * Data Package take their words from here, through the measure_info table. */
enum cfg_codes { CODES_NONE = 0, CODES_ONET2019, CODES_ONET2010, CODES_SOC2018, CODES_SOC2010 };
enum cfg_kind { KIND_CONTINUOUS = 1, KIND_BINARY };
enum cfg_page { PAGE_MAIN = 0, PAGE_HISTORICAL, PAGE_NONE };
enum cfg_computed { COMPUTED_NONE = 0, COMPUTED_COMPOSITE, COMPUTED_ECONOMIC_INDEX };
typedef struct {
    char *name;        /* the measure id, e.g. "felten_aioe" */
    char *table;       /* a [table] id, NULL when computed */
    char *code;        /* the table's code column */
    enum cfg_codes codes;
    char *value;       /* the table's value column */
    char *source;      /* a [source] id; defaults to the table's */
    char *label;       /* the words a page shows */
    char *description; /* for the Data Package, with the unit */
    char *note;        /* a page's remark after the figure, or NULL */
    char *column;      /* its column prefix in occupation_profile; NULL: not there */
    enum cfg_kind kind;
    enum cfg_page page;
    enum cfg_computed computed_by;
    int component;     /* 1: a component of the composite ([methodology]) */
} cfg_measure;

/* [source ID]: what a dataset is and how to cite it, and how its newest
 * release is found (DESIGN section 2a). */
typedef struct {
    char *id, *title, *vintage, *licence, *citation, *homepage;
    enum release_scheme scheme; /* release = year | major.minor; none: a fixed URL */
    char *known;          /* known = the newest release known when the config was written */
    char *pin;            /* pin = a release to hold (also --pin ID=RELEASE) */
    char *index_url;      /* discover = index URL PATTERN: a page that links releases */
    char *index_pattern;  /*   the link's template, e.g. db_{major}_{minor}_text.zip */
    char *probe;          /* probe = URL template of a release, tried upward */
    char *listing;        /* listing = a JSON file listing (the Hub's tree): Economic Index */
    char *title_tmpl, *vintage_tmpl, *citation_tmpl; /* as configured, before filling */
    char release[16];     /* the release in use, "" for a fixed-URL source */
    char last_good[16];   /* the release the latest snapshot used, "" if none */
    char *release_note;   /* how it was chosen (pinned, found, newest known ...) */
} cfg_source;

typedef struct {
    char *path;
    char sha256[65];      /* of the config file as read */
    char *user_agent;
    char *contact;        /* OCCSNAP_CONTACT overrides */
    size_t max_download_bytes;
    size_t max_member_bytes;
    long connect_timeout_s, timeout_s;
    long stall_s;              /* a download with no progress this long is stalled */
    long deadline_s;           /* the fetches of one run end this long after it starts */
    int parallel, parallel_per_host, retries;
    long keep;                 /* snapshots kept by retention; 0 = all */
    double min_row_share;      /* data test: rows vs the previous snapshot */
    /* [methodology] */
    char *composite;           /* measure name of the composite index */
    char **component;          /* the measures it averages (their pct) */
    size_t ncomponent;
    int composite_min;         /* components needed for a value */
    double label_low_below;    /* pct below this: Low */
    double label_high_from;    /* pct from this: High; between: Moderate */
    cfg_source *src;
    size_t nsrc;
    cfg_table *tab;
    size_t ntab;
    cfg_aei *aei;
    size_t naei;
    cfg_aei_layout *alay; /* [aei_layout NAME], in config order */
    size_t nalay;
    cfg_table *tmpl;      /* the template tables, kept out of tab */
    size_t ntmpl;
    cfg_measure *meas;    /* in config order: the order of the page */
    size_t nmeas;
    int has_methodology;  /* 1 when the file has a [methodology] section */
} config;

/* Reads and validates the file at path; returns an os_result (OS_ECONFIG
 * naming the file, section and key for anything wrong; the line number only
 * for lines inih cannot parse, as Debian's inih reports no others). *out is the caller's:
 * config_free. */
int config_load(const char *path, config **out);
/* Parses and validates config text already in memory (NUL-terminated; len
 * bytes are hashed), named path in messages; fails and owns as config_load. */
int config_parse(const char *path, const char *text, size_t len, config **out);
void config_free(config *c);

const cfg_source *config_source(const config *c, const char *id);
const cfg_table *config_table(const config *c, const char *id);
/* Puts source id on relver r (of its scheme): fills its tables' url,
 * member and sheet (and the derived cache names and fingerprints) and its
 * title, vintage and citation from their templates; note says how r was
 * chosen (copied). Returns OS_ECONFIG naming the source when it has no
 * scheme or r is of another; mutates c. */
int config_use_release(config *c, const char *id, const relver *r, const char *note);

/* Fills source id's title, vintage and citation from their templates with
 * its release and the n more name/value pairs kv (the years read from its
 * tables' headers, e.g. emp_base = 2024); cannot fail (dies on OOM). */
void config_fill_words(config *c, const char *id, const char *const *kv, size_t n);

/* Why table t is not part of the release its source is on ("not in O*NET
 * 30.1: the table is in releases since 30.3"), malloc'd (the caller frees),
 * or NULL when it is (or the source has no releases). Cannot fail. */
char *config_table_absent(const config *c, const cfg_table *t);

/* The release source s is on, parsed, in *r; returns 0, or -1 for a
 * fixed-URL source (a predicate). */
int config_release(const cfg_source *s, relver *r);

/* Adds release (YYYY-MM-DD) of the Economic Index, file path (in the
 * listing) read by layout L: a table cloned from L's template with {path}
 * filled (id aei_YYYY_MM_DD) and an [aei] entry, found saying how. Returns
 * OS_ECONFIG when the release or its table id is configured already;
 * mutates c (pointers into c->tab and c->aei move). */
int config_aei_add(config *c, const cfg_aei_layout *L, const char *release, const char *path,
                   const char *found);

/* Puts the found release's table and [aei] entry on layout L (its
 * template's columns and filters); OS_ECONFIG if release is not a found one. */
int config_aei_use_layout(config *c, const char *release, const cfg_aei_layout *L);

/* The [aei_layout] named name, or NULL; the template table named id, or NULL. */
const cfg_aei_layout *config_aei_layout(const config *c, const char *name);
const cfg_table *config_template(const config *c, const char *id);
/* The [aei] entry of release, or NULL. */
cfg_aei *config_aei(config *c, const char *release);
/* How a layout is named in the config ("wide", "long", "monthly"). */
const char *config_aei_layout_name(enum cfg_aei_layout l);

/* The [measure NAME] section named name, or NULL. */
const cfg_measure *config_measure(const config *c, const char *name);
/* The staged column index of name in t, or -1. */
int config_column(const cfg_table *t, const char *name);
/* The label of a percentile: "Low", "Moderate" or "High" (NULL for NaN). */
const char *config_label(const config *c, double pct);
/* How a format is named in the config ("csv", "tsv", "xlsx"). */
const char *config_format_name(enum cfg_format f);
/* How a code system, a kind, a page place and a producer are named in the
 * config ("soc2010", "binary", "historical", "composite"); NULL for none. */
const char *config_codes_name(enum cfg_codes c);
const char *config_kind_name(enum cfg_kind k);
const char *config_page_name(enum cfg_page p);
const char *config_computed_name(enum cfg_computed p);

#endif
