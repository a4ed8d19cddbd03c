/* test_config.c - unit tests for common/config.c on small hand-written ini
 * files (written to a temp dir at runtime) plus the shipped config/occsnap.ini. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/config.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The temp dir of the group (ini files written with tu_text_file), with
 * OCCSNAP_CONTACT unset; -1 when the dir cannot be made. */
static int group_setup(void **state)
{
    unsetenv("OCCSNAP_CONTACT");
    return tu_tmpdir_setup("config");
}

/* The head every table in the small configs shares: one good source. */
#define SRC "[source s]\ntitle = S\n"
/* A complete good table, for appending a bad key to. */
#define TABLE_T "[table t]\nsource = s\nurl = https://example.org/d/t.csv\nformat = csv\ncol.a = A\n"

/* A table for measures: a code, a real, an int, a text and an oews column. */
#define MT "[table t]\nsource = s\nurl = https://example.org/d/t.csv\nformat = csv\n" \
           "col.code = Code\ncol.v = V | real\ncol.w = W | int\ncol.txt = Txt\ncol.emp = Emp | oews\n"
/* What every measure needs besides where its value is. */
#define LDK "label = L\ndescription = D\nkind = continuous\n"
/* A good measure of MT (lines 12-19 after SRC MT), for appending a bad key to. */
#define MEAS_A "[measure a]\ntable = t\ncode = code\ncodes = soc2018\nvalue = v\n" LDK
/* A good composite measure. */
#define COMP "[measure x]\ncomputed_by = composite\n" LDK

/* ------------------------------------------------------------ a valid file */

/* Hand-made config: every kind of key, a citation continued on an indented
 * line, a URL-encoded file name, a query string, typed columns. */
static const char VALID[] =
    "; hand-made config for test_config.c\n"
    "[occsnap]\n"
    "user_agent = test-agent/1.0\n"
    "contact = file@example.org\n"
    "max_download_mb = 10\n"
    "parallel = 2\n"
    "\n"
    "[source aioe]\n"
    "title = AI Occupational Exposure\n"
    "vintage = 2023\n"
    "licence = CC-BY-4.0\n"
    "homepage = https://example.org/aioe\n"
    "citation = Felten, E., Raj, M., & Seamans, R. (2023). Occupational heterogeneity\n"
    "  in exposure to generative AI.\n"
    "  Working paper.\n"
    "\n"
    "[source other]\n"
    "title = Other\n"
    "\n"
    "[table aioe_lm]\n"
    "source = aioe\n"
    "url = https://github.com/AIOE-Data/AIOE/raw/main/Language%20Modeling%20AIOE.xlsx\n"
    "format = xlsx\n"
    "sheet = LM AIOE\n"
    "optional = true\n"
    "sha256 = 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
    "col.soc_code = SOC Code\n"
    "col.title =   Occupation   Title  \n"
    "col.lm_aioe = Language Modeling AIOE | real\n"
    "col.n = Count|int\n"
    "col.tot_emp = TOT_EMP | oews\n"
    "col.note_2 = Note | text\n"
    "col.emp_proj = Employment, {year} | ep\n"
    "\n"
    "[table zipped]\n"
    "source = aioe\n"
    "url = http://example.org/files/data.zip?raw=1#top\n"
    "member = data/Task Statements.txt\n"
    "format = tsv\n"
    "optional = false\n"
    "col.x = X\n"
    "\n"
    "; same URL as [table zipped]: one download, one cache file\n"
    "[table zipped_again]\n"
    "source = aioe\n"
    "url = http://example.org/files/data.zip?raw=1#top\n"
    "member = data/Other.txt\n"
    "format = tsv\n"
    "col.y = Y\n"
    "\n"
    "; same file name, another URL, but an explicit cache_name\n"
    "[table renamed]\n"
    "source = aioe\n"
    "url = https://mirror.example.org/data.zip\n"
    "cache_name = data-mirror.zip\n"
    "format = csv\n"
    "col.z = Z\n"
    "\n"
    "; same file name, another URL, but another source\n"
    "[table other_data]\n"
    "source = other\n"
    "url = https://other.example.org/data.zip\n"
    "format = csv\n"
    "col.z = Z\n";

static void test_valid_file(void **state)
{
    char *path = tu_text_file("valid.ini", VALID);
    config *c = NULL;
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_non_null(c);
    assert_string_equal(c->path, path);
    char hex[65];
    sha256_buffer(VALID, strlen(VALID), hex);
    assert_string_equal(c->sha256, hex);

    /* [occsnap]: set values and defaults for the rest. */
    assert_string_equal(c->user_agent, "test-agent/1.0");
    assert_string_equal(c->contact, "file@example.org");
    assert_int_equal(c->max_download_bytes, (size_t)10 * 1024 * 1024);
    assert_int_equal(c->max_member_bytes, (size_t)256 * 1024 * 1024);
    assert_int_equal(c->connect_timeout_s, 30);
    assert_int_equal(c->timeout_s, 600);
    assert_int_equal(c->parallel, 2);
    assert_int_equal(c->retries, 3);

    /* Sources, with the citation's continuation lines joined by spaces. */
    assert_int_equal(c->nsrc, 2);
    const cfg_source *s = config_source(c, "aioe");
    assert_non_null(s);
    assert_string_equal(s->title, "AI Occupational Exposure");
    assert_string_equal(s->vintage, "2023");
    assert_string_equal(s->licence, "CC-BY-4.0");
    assert_string_equal(s->homepage, "https://example.org/aioe");
    assert_string_equal(s->citation,
                        "Felten, E., Raj, M., & Seamans, R. (2023). Occupational heterogeneity "
                        "in exposure to generative AI. Working paper.");
    assert_null(config_source(c, "other")->citation);
    assert_null(config_source(c, "nope"));

    /* Tables. */
    assert_int_equal(c->ntab, 5);
    const cfg_table *t = config_table(c, "aioe_lm");
    assert_non_null(t);
    assert_string_equal(t->source, "aioe");
    assert_string_equal(t->url,
                        "https://github.com/AIOE-Data/AIOE/raw/main/Language%20Modeling%20AIOE.xlsx");
    assert_int_equal(t->format, CFG_XLSX);
    assert_string_equal(config_format_name(t->format), "xlsx");
    assert_string_equal(t->sheet, "LM AIOE");
    assert_null(t->member);
    assert_int_equal(t->optional, 1);
    assert_string_equal(t->sha256, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    assert_string_equal(t->cache_name, "Language Modeling AIOE.xlsx");

    /* Columns in file order, headers trimmed, types parsed. */
    static const struct {
        const char *name, *header;
        enum cfg_type type;
    } cols[] = {
        {"soc_code", "SOC Code", CFG_TEXT},
        {"title", "Occupation   Title", CFG_TEXT},
        {"lm_aioe", "Language Modeling AIOE", CFG_REAL},
        {"n", "Count", CFG_INT},
        {"tot_emp", "TOT_EMP", CFG_OEWS},
        {"note_2", "Note", CFG_TEXT},
        {"emp_proj", "Employment, {year}", CFG_EP},
    };
    assert_int_equal(t->ncol, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_string_equal(t->col[i].name, cols[i].name);
        assert_string_equal(t->col[i].header, cols[i].header);
        assert_int_equal(t->col[i].type, cols[i].type);
        assert_int_equal(config_column(t, cols[i].name), (int)i);
    }
    assert_int_equal(config_column(t, "missing"), -1);

    t = config_table(c, "zipped");
    assert_non_null(t);
    assert_int_equal(t->format, CFG_TSV);
    assert_string_equal(config_format_name(t->format), "tsv");
    assert_string_equal(t->member, "data/Task Statements.txt");
    assert_null(t->sheet);
    assert_null(t->sha256);
    assert_int_equal(t->optional, 0);
    assert_string_equal(t->cache_name, "data.zip"); /* query and fragment dropped */
    assert_string_equal(config_table(c, "zipped_again")->cache_name, "data.zip");
    t = config_table(c, "renamed");
    assert_string_equal(t->cache_name, "data-mirror.zip");
    assert_int_equal(t->format, CFG_CSV);
    assert_string_equal(config_format_name(t->format), "csv");
    assert_int_equal(t->optional, 0);
    assert_string_equal(config_table(c, "other_data")->cache_name, "data.zip");
    assert_null(config_table(c, "nope"));
    assert_string_equal(config_format_name((enum cfg_format)0), "?");

    config_free(c);
    config_free(NULL);
    free(path);
}

/* Only what must be there: defaults everywhere else. */
static void test_minimal_file_defaults(void **state)
{
    char *path = tu_text_file("minimal.ini",
                              "[source s]\n"
                              "title = S\n"
                              "[table t]\n"
                              "source = s\n"
                              "url = https://example.org/a/b/t.csv\n"
                              "format = csv\n"
                              "col.a = A\n");
    config *c = NULL;
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_string_equal(c->user_agent, "occsnap/0.1");
    assert_string_equal(c->contact, "");
    assert_int_equal(c->max_download_bytes, (size_t)512 * 1024 * 1024);
    assert_int_equal(c->max_member_bytes, (size_t)256 * 1024 * 1024);
    assert_int_equal(c->connect_timeout_s, 30);
    assert_int_equal(c->timeout_s, 600);
    assert_int_equal(c->parallel, 32);
    assert_int_equal(c->parallel_per_host, 6);
    assert_int_equal(c->retries, 3);
    assert_int_equal(c->ntab, 1);
    assert_string_equal(c->tab[0].cache_name, "t.csv");
    assert_int_equal(c->tab[0].col[0].type, CFG_TEXT);
    assert_int_equal(c->tab[0].optional, 0);
    config_free(c);
    free(path);
}

/* URL file names decoded into cache names; one row per case. */
static const struct {
    const char *url;
    const char *cache_name;
} CACHE_NAMES[] = {
    {"https://github.com/AIOE-Data/AIOE/raw/main/Language%20Modeling%20AIOE.xlsx",
     "Language Modeling AIOE.xlsx"},
    {"https://example.org/x/Occupation%20Data.txt", "Occupation Data.txt"},
    {"https://example.org/x/a%2bb%2Cc.csv", "a+b,c.csv"},
    {"https://example.org/x/plain.csv", "plain.csv"},
    {"https://example.org/x/file.xlsx?download=1", "file.xlsx"},
    {"https://example.org/x/file.xlsx#sheet", "file.xlsx"},
    {"http://example.org/deep/er/path/file.zip", "file.zip"},
    {"https://example.org/100%25.csv", "100%.csv"},
    {"https://example.org/x/trailing%2", "trailing%2"},
    /* Regression (fixed): (common/config.c, validate, URL-decoding of cache_name): a '%' not
     * followed by two hex digits is decoded with strtol as 0, writing a NUL
     * into the name, so this cache_name silently becomes "data". */
    {"https://example.org/x/data%zz.csv", "data%zz.csv"},
};

static void test_cache_name_from_url(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof CACHE_NAMES / sizeof CACHE_NAMES[0]; i++) {
        char *text = xasprintf(SRC "[table t]\nsource = s\nurl = %s\nformat = csv\n"
                               "col.a = A\n", CACHE_NAMES[i].url);
        char *path = tu_text_file("cache_name.ini", text);
        config *c = NULL;
        int rc = config_load(path, &c);
        if (rc != OS_OK || strcmp(c->tab[0].cache_name, CACHE_NAMES[i].cache_name)) {
            print_error("url %s: rc %d, cache_name '%s', expected '%s'\n", CACHE_NAMES[i].url, rc,
                        rc ? os_last_error() : c->tab[0].cache_name, CACHE_NAMES[i].cache_name);
            failed++;
        }
        config_free(c);
        free(path);
        free(text);
    }
    assert_int_equal(failed, 0);
}

/* ------------------------------------------------------------ [measure] sections */

/* Every [measure] key, the defaults (source: the table's; column: the
 * name; column = none: not in the view) and [methodology] marking its
 * components. */
static const char MEASURES[] =
    SRC
    "[source other]\ntitle = Other\n"
    MT
    "[methodology]\n"
    "composite = index\n"
    "composite_components = bin, plain\n"
    "composite_min = 1\n"
    "[measure index]\n"
    "computed_by = composite\n"
    "label = Index\n"
    "description = The mean of the components'\n"
    "  percentiles.\n"
    "kind = continuous\n"
    "[measure bin]\n"
    "table = t\n"
    "code = code\n"
    "codes = soc2010\n"
    "value = v\n"
    "label = Binary one\n"
    "description = One or zero.\n"
    "kind = binary\n"
    "page = historical\n"
    "note = a remark\n"
    "  on two lines\n"
    "[measure plain]\n"
    "table = t\n"
    "code = code\n"
    "codes = soc2010\n"
    "value = w\n"
    "source = other\n"
    "label = Plain\n"
    "description = Counted.\n"
    "kind = continuous\n"
    "page = none\n"
    "column = none\n"
    "[measure renamed]\n"
    "table = t\n"
    "code = code\n"
    "codes = soc2010\n"
    "value = v\n"
    "label = Renamed\n"
    "description = Its own column.\n"
    "kind = continuous\n"
    "page = main\n"
    "column = renamed_col\n"
    "[measure usage]\n"
    "computed_by = economic_index\n"
    "source = other\n"
    "label = Usage\n"
    "description = Computed.\n"
    "kind = continuous\n";

static void test_measures(void **state)
{
    char *path = tu_text_file("measures.ini", MEASURES);
    config *c = NULL;
    int rc = config_load(path, &c);
    if (rc)
        fail_msg("%s", os_last_error());
    assert_int_equal(c->has_methodology, 1);
    assert_string_equal(c->composite, "index");
    assert_int_equal(c->ncomponent, 2);
    assert_string_equal(c->component[0], "bin");
    assert_string_equal(c->component[1], "plain");
    assert_int_equal(c->composite_min, 1);

    static const struct {
        const char *name, *table, *code, *value, *source, *label, *description, *note, *column;
        enum cfg_codes codes;
        enum cfg_kind kind;
        enum cfg_page page;
        enum cfg_computed computed_by;
        int component;
        const char *codes_name, *kind_name, *page_name, *computed_name;
    } want[] = {
        {"index", NULL, NULL, NULL, NULL, "Index", "The mean of the components' percentiles.",
         NULL, "index", CODES_NONE, KIND_CONTINUOUS, PAGE_MAIN, COMPUTED_COMPOSITE, 0,
         NULL, "continuous", "main", "composite"},
        {"bin", "t", "code", "v", "s", "Binary one", "One or zero.", "a remark on two lines",
         "bin", CODES_SOC2010, KIND_BINARY, PAGE_HISTORICAL, COMPUTED_NONE, 1,
         "soc2010", "binary", "historical", NULL},
        {"plain", "t", "code", "w", "other", "Plain", "Counted.", NULL, NULL, CODES_SOC2010,
         KIND_CONTINUOUS, PAGE_NONE, COMPUTED_NONE, 1, "soc2010", "continuous", "none", NULL},
        {"renamed", "t", "code", "v", "s", "Renamed", "Its own column.", NULL, "renamed_col",
         CODES_SOC2010, KIND_CONTINUOUS, PAGE_MAIN, COMPUTED_NONE, 0,
         "soc2010", "continuous", "main", NULL},
        {"usage", NULL, NULL, NULL, "other", "Usage", "Computed.", NULL, "usage", CODES_NONE,
         KIND_CONTINUOUS, PAGE_MAIN, COMPUTED_ECONOMIC_INDEX, 0,
         NULL, "continuous", "main", "economic_index"},
    };
    size_t n = sizeof want / sizeof want[0];
    assert_int_equal(c->nmeas, n);
#define STR_OR_NULL(got, exp) \
    do { if (exp) assert_string_equal(got, exp); else assert_null(got); } while (0)
    for (size_t i = 0; i < n; i++) {
        const cfg_measure *m = &c->meas[i]; /* in file order */
        assert_ptr_equal(config_measure(c, want[i].name), m);
        assert_string_equal(m->name, want[i].name);
        STR_OR_NULL(m->table, want[i].table);
        STR_OR_NULL(m->code, want[i].code);
        STR_OR_NULL(m->value, want[i].value);
        STR_OR_NULL(m->source, want[i].source);
        STR_OR_NULL(m->label, want[i].label);
        STR_OR_NULL(m->description, want[i].description);
        STR_OR_NULL(m->note, want[i].note);
        STR_OR_NULL(m->column, want[i].column);
        assert_int_equal(m->codes, want[i].codes);
        assert_int_equal(m->kind, want[i].kind);
        assert_int_equal(m->page, want[i].page);
        assert_int_equal(m->computed_by, want[i].computed_by);
        assert_int_equal(m->component, want[i].component);
        STR_OR_NULL(config_codes_name(m->codes), want[i].codes_name);
        STR_OR_NULL(config_kind_name(m->kind), want[i].kind_name);
        STR_OR_NULL(config_page_name(m->page), want[i].page_name);
        STR_OR_NULL(config_computed_name(m->computed_by), want[i].computed_name);
    }
#undef STR_OR_NULL
    assert_null(config_measure(c, "nosuch"));
    assert_string_equal(config_codes_name(CODES_ONET2019), "onet2019");
    assert_string_equal(config_codes_name(CODES_ONET2010), "onet2010");
    assert_string_equal(config_codes_name(CODES_SOC2018), "soc2018");
    config_free(c);
    free(path);

    /* Without [methodology] the file loads (fetch only), flagged. */
    path = tu_text_file("nomethod.ini", SRC MT MEAS_A);
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_int_equal(c->has_methodology, 0);
    assert_int_equal(c->meas[0].component, 0);
    config_free(c);
    free(path);
}

/* An indented continuation line that begins with "[" is a continuation (as
 * inih reads it), not a section header: two such citations load. */
static void test_bracket_continuation(void **state)
{
    char *path = tu_text_file("bracket.ini",
                              "[source s]\ntitle = S\ncitation = One.\n  [1] First note.\n"
                              "[source other]\ntitle = O\ncitation = Two.\n  [1] Second note.\n"
                              TABLE_T);
    config *c = NULL;
    int rc = config_load(path, &c);
    if (rc)
        fail_msg("refused: %s", os_last_error());
    assert_string_equal(config_source(c, "s")->citation, "One. [1] First note.");
    assert_string_equal(config_source(c, "other")->citation, "Two. [1] Second note.");
    config_free(c);
    free(path);
}

/* ------------------------------------------------------------ bad files */

/* Hand-written configs that must be refused with OS_ECONFIG; the message must
 * name the file (checked for every row) and hold each of msg[]. */
typedef struct {
    const char *name;
    const char *ini;
    const char *msg[4];
} bad_case;

static const bad_case BAD[] = {
    {"unknown key in [occsnap]", "[occsnap]\ncolour = blue\n" SRC TABLE_T,
     {"[occsnap]", "colour", "unknown key"}},
    {"unknown key in [source]", SRC "publisher = me\n" TABLE_T,
     {"[source s]", "publisher", "unknown key"}},
    {"unknown key in [table]", SRC TABLE_T "frobnicate = yes\n",
     {"[table t]", "frobnicate", "unknown key"}},
    {"unknown section", SRC TABLE_T "[tables x]\nsource = s\n", {"tables x", "unknown section"}},
    {"unknown format", SRC "[table t]\nsource = s\nurl = https://e.org/t.json\nformat = json\ncol.a = A\n",
     {"[table t]", "format", "json"}},
    {"bad column type", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\nformat = csv\n"
                        "col.a = A | float\n",
     {"[table t]", "a", "float", "column type"}},
    {"empty column type", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\nformat = csv\n"
                          "col.a = A |\n",
     {"[table t]", "column type", "A |"}},
    {"empty header", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\nformat = csv\n"
                     "col.a = | real\n",
     {"[table t]", "empty"}},
    {"table without url", SRC "[table t]\nsource = s\nformat = csv\ncol.a = A\n",
     {"[table t]", "url"}},
    {"table without source", SRC "[table t]\nurl = https://e.org/t.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "source"}},
    {"table without format", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\ncol.a = A\n",
     {"[table t]", "format"}},
    {"table without columns", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\nformat = csv\n",
     {"[table t]", "col"}},
    {"table naming an undefined source",
     SRC "[table t]\nsource = nosuch\nurl = https://e.org/t.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "nosuch"}},
    {"ftp url", SRC "[table t]\nsource = s\nurl = ftp://e.org/t.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "url", "ftp://e.org/t.csv"}},
    {"file url", SRC "[table t]\nsource = s\nurl = file:///tmp/t.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "url", "file:///tmp/t.csv"}},
    {"relative url", SRC "[table t]\nsource = s\nurl = data/t.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "url", "data/t.csv"}},
    {"two tables of one source share a file name",
     SRC "[table t1]\nsource = s\nurl = https://a.example.org/x/data.csv\nformat = csv\ncol.a = A\n"
         "[table t2]\nsource = s\nurl = https://b.example.org/y/data.csv\nformat = csv\ncol.a = A\n",
     {"[table t2]", "[table t1]", "data.csv", "set cache_name"}},
    {"two tables of one source share a decoded file name",
     SRC "[table t1]\nsource = s\nurl = https://a.example.org/x/my%20data.csv\nformat = csv\ncol.a = A\n"
         "[table t2]\nsource = s\nurl = https://a.example.org/y/my data.csv\nformat = csv\ncol.a = A\n",
     {"t1", "t2", "my data.csv", "set cache_name"}},
    {"explicit cache_name collides",
     SRC "[table t1]\nsource = s\nurl = https://a.example.org/x/one.csv\nformat = csv\ncol.a = A\n"
         "[table t2]\nsource = s\nurl = https://a.example.org/x/two.csv\ncache_name = one.csv\n"
         "format = csv\ncol.a = A\n",
     {"t1", "t2", "one.csv", "set cache_name"}},
    {"duplicate column name", SRC "[table t]\nsource = s\nurl = https://e.org/t.csv\nformat = csv\n"
                              "col.a = A\ncol.b = B\ncol.a = C | real\n",
     {"[table t]", "col.a", "twice"}},
    {"column name with a dash", SRC TABLE_T "col.bad-name = X\n", {"[table t]", "bad-name", "a-z"}},
    {"column name in capitals", SRC TABLE_T "col.Title = Title\n", {"[table t]", "Title", "a-z"}},
    {"column name with a space", SRC TABLE_T "col.tot emp = TOT_EMP\n", {"[table t]", "tot emp"}},
    {"empty column name", SRC TABLE_T "col. = X\n", {"[table t]"}},
    {"optional not a boolean", SRC TABLE_T "optional = yes\n", {"[table t]", "optional", "yes"}},
    {"size not a number", "[occsnap]\nmax_download_mb = lots\n" SRC TABLE_T,
     {"[occsnap]", "max_download_mb", "lots"}},
    {"negative size", "[occsnap]\nmax_member_mb = -5\n" SRC TABLE_T,
     {"[occsnap]", "max_member_mb", "-5"}},
    {"negative retries", "[occsnap]\nretries = -1\n" SRC TABLE_T, {"[occsnap]", "retries", "-1"}},
    {"cache_name with a slash", SRC TABLE_T "cache_name = ../evil.csv\n",
     {"[table t]", "cache_name", "../evil.csv"}},
    {"cache_name that is a dot file", SRC TABLE_T "cache_name = .hidden\n",
     {"[table t]", "cache_name", ".hidden"}},
    {"URL whose decoded name holds a slash",
     SRC "[table t]\nsource = s\nurl = https://e.org/d/..%2Fescape.csv\nformat = csv\ncol.a = A\n",
     {"[table t]", "cache_name", "../escape.csv"}},
    {"URL without a file name", SRC "[table t]\nsource = s\nurl = https://e.org/\nformat = csv\ncol.a = A\n",
     {"[table t]", "cache_name"}},
    /* Regression (fixed): (common/config.c, validate): for url = "http://" (7 characters, so
     * it passes the http(s) check) the cache-name code does
     * strchr(t->url + 8, '/'), one byte past the string's terminator: a heap
     * over-read that valgrind reports here. */
    {"http:// alone", SRC "[table t]\nsource = s\nurl = http://\nformat = csv\ncol.a = A\n",
     {"[table t]"}},
    /* Ids become SQL names (src_<id>) and cache paths (raw/<source>/). */
    {"table id outside [a-z0-9_]", SRC "[table bad-id]\nsource = s\nurl = https://e.org/t.csv\n"
                                   "format = csv\ncol.a = A\n",
     {"[table bad-id]", "a-z"}},
    {"source id with a slash", "[source ../up]\ntitle = S\n[table t]\nsource = ../up\n"
                               "url = https://e.org/t.csv\nformat = csv\ncol.a = A\n",
     {"[source ../up]", "a-z"}},

    /* ---- [measure] sections (MT: a table with a code, a real, an int and a
     * text column; MEAS_A: a good measure of it) */
    {"measure naming a missing table", SRC MT "[measure m]\ntable = nosuch\ncode = code\n"
                                       "codes = soc2018\nvalue = v\n" LDK,
     {"[measure m] table:", "names 'nosuch', which has no [table nosuch]"}},
    {"measure whose value column is missing", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                              "codes = soc2018\nvalue = nosuch\n" LDK,
     {"[measure m] value:", "[table t] has no col.nosuch"}},
    {"measure whose code column is missing", SRC MT "[measure m]\ntable = t\ncode = nosuch\n"
                                             "codes = soc2018\nvalue = v\n" LDK,
     {"[measure m] code:", "[table t] has no col.nosuch"}},
    {"measure whose value column is text", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                           "codes = soc2018\nvalue = txt\n" LDK,
     {"[measure m] value:", "col.txt of [table t] is not typed real or int"}},
    {"measure whose value column is typed oews", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                                 "codes = soc2018\nvalue = emp\n" LDK,
     {"[measure m] value:", "col.emp of [table t] is not typed real or int"}},
    {"two measures of a table with different code columns",
     SRC MT MEAS_A "[measure b]\ntable = t\ncode = txt\ncodes = soc2018\nvalue = w\n" LDK,
     {"[measure b] code:", "measures of [table t] share its code column",
      "([measure a] has code, soc2018)"}},
    {"two measures of a table with different codes",
     SRC MT MEAS_A "[measure b]\ntable = t\ncode = code\ncodes = onet2019\nvalue = w\n" LDK,
     {"[measure b] code:", "share its code column and codes", "([measure a] has code, soc2018)"}},
    {"measure without table", SRC MT "[measure m]\ncode = code\ncodes = soc2018\nvalue = v\n" LDK,
     {"[measure m] table: missing", "computed_by"}},
    {"measure without codes", SRC MT "[measure m]\ntable = t\ncode = code\nvalue = v\n" LDK,
     {"[measure m] codes: missing"}},
    {"measure without value", SRC MT "[measure m]\ntable = t\ncode = code\ncodes = soc2018\n" LDK,
     {"[measure m] value: missing"}},
    {"measure without label", SRC MT "[measure m]\ntable = t\ncode = code\ncodes = soc2018\n"
                              "value = v\ndescription = D\nkind = continuous\n",
     {"[measure m] label: missing"}},
    {"measure without description", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                    "codes = soc2018\nvalue = v\nlabel = L\nkind = continuous\n",
     {"[measure m] description: missing"}},
    {"measure without kind", SRC MT "[measure m]\ntable = t\ncode = code\ncodes = soc2018\n"
                             "value = v\nlabel = L\ndescription = D\n",
     {"[measure m] kind: missing"}},
    {"measure with an unknown kind", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                     "codes = soc2018\nvalue = v\nlabel = L\ndescription = D\n"
                                     "kind = ordinal\n",
     {"[measure m] kind:", "continuous or binary", "(kind = ordinal)"}},
    {"measure with an unknown codes", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                      "codes = naics\nvalue = v\n" LDK,
     {"[measure m] codes:", "naics"}},
    {"measure with an unknown page", SRC MT MEAS_A "page = sidebar\n", {"[measure a] page:", "sidebar"}},
    {"measure with an unknown computed_by", SRC "[measure m]\ncomputed_by = magic\n" LDK,
     {"[measure m] computed_by:", "magic"}},
    {"computed measure naming a table", SRC MT "[measure m]\ncomputed_by = composite\n"
                                        "table = t\n" LDK,
     {"[measure m] table:", "a measure computed_by composite reads no table"}},
    {"measure source naming no [source]", SRC MT MEAS_A "source = nosuch\n",
     {"[measure a] source:", "names 'nosuch', which has no [source nosuch]"}},
    {"measure name outside [a-z0-9_]", SRC MT "[measure Bad-Name]\ntable = t\ncode = code\n"
                                       "codes = soc2018\nvalue = v\n" LDK,
     {"[measure Bad-Name]", "a-z"}},
    {"measure column outside [a-z0-9_]", SRC MT MEAS_A "column = Col\n", {"[measure a] column:", "a-z"}},
    {"two measures with one column", SRC MT MEAS_A "[measure b]\ntable = t\ncode = code\n"
                                     "codes = soc2018\nvalue = w\ncolumn = a\n" LDK,
     {"[measure b] column:", "'a' is also [measure a]'s"}},
    {"unknown key in [measure]", SRC MT MEAS_A "colour = blue\n",
     {"[measure a] colour:", "unknown key in a [measure] section", "(colour = blue)"}},
    {"key given twice in a [measure]", SRC MT MEAS_A "value = w\n",
     {":20: [measure a] value:", "the key is given twice in the section (first on line 16)"}},
    {"description given twice in a [measure]", SRC MT MEAS_A "description = again\n",
     {"[measure a] description:", "the key is given twice in the section"}},
    {"[measure] given twice", SRC MT MEAS_A MEAS_A,
     {":20: [measure a]:", "the section is given twice (first on line 12)"}},
    {"[table] given twice", SRC MT MT, {"[table t]:", "the section is given twice (first on line 3)"}},
    {"continuation line on a measure's kind", SRC MT MEAS_A "  and more\n",
     {"[measure a] kind:", "continued on an indented line", "(kind = and more)"}},
    {"continuation line on a measure's value", SRC MT "[measure m]\ntable = t\ncode = code\n"
                                               "codes = soc2018\nvalue = v\n  w\n" LDK,
     {"[measure m] value:", "continued on an indented line"}},
    /* ---- [methodology] against the measures */
    {"composite component that is not a measure",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = x\ncomposite_components = a, nosuch\n"
                        "composite_min = 1\n",
     {"[methodology] composite_components:", "'nosuch' is not a [measure] read from a table"}},
    {"composite component that is a computed measure",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = x\ncomposite_components = a, x\n"
                        "composite_min = 1\n",
     {"[methodology] composite_components:", "'x' is not a [measure] read from a table"}},
    {"composite that is not a computed_by = composite measure",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = a\ncomposite_components = a\n"
                        "composite_min = 1\n",
     {"[methodology] composite:", "'a' needs a [measure a] with computed_by = composite"}},
    {"composite naming no measure",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = nosuch\ncomposite_components = a\n"
                        "composite_min = 1\n",
     {"[methodology] composite:", "'nosuch' needs a [measure nosuch]"}},
    {"composite_min above the components",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = x\ncomposite_components = a\n",
     {"[methodology] composite_min:", "2 exceeds the 1 components"}},
    {"[methodology] without components", SRC MT MEAS_A COMP "[methodology]\ncomposite = x\n",
     {"[methodology] composite_components: missing"}},
    {"label_low_below not below label_high_from",
     SRC MT MEAS_A "[methodology]\nlabel_low_below = 70\n",
     {"[methodology] label_low_below:", "must be below label_high_from"}},
    {"continuation line on composite_components",
     SRC MT MEAS_A COMP "[methodology]\ncomposite = x\ncomposite_components = a\n  b\n",
     {"[methodology] composite_components:", "continued on an indented line"}},
    /* a continuation line on filter.* must not become a second filter on
     * that column (staging ANDs them: the table would stage no row) */
    {"continuation line on a filter", SRC TABLE_T "filter.a = x, y\n  z\n",
     {"[table t] filter.a:", "continued on an indented line"}},
    /* a column's messages name the key ("col.b"), not the column ("b") */
    {"unknown column type names the key", SRC TABLE_T "col.b = B | float\n",
     {"[table t] col.b:", "unknown column type"}},
};


/* Runs the n cases of cases; returns how many were not refused as they say. */
static int run_bad_cases(const bad_case *cases, size_t n, const char *tag)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        const bad_case *k = &cases[i];
        char fname[32];
        snprintf(fname, sizeof fname, "%s%02zu.ini", tag, i);
        char *path = tu_text_file(fname, k->ini);
        config *c = (config *)1;
        os_error(OS_OK, "(none)");
        int rc = config_load(path, &c);
        int bad = rc != OS_ECONFIG || c != (config *)1 || !strstr(os_last_error(), path);
        for (size_t m = 0; m < 4 && k->msg[m]; m++)
            if (!strstr(os_last_error(), k->msg[m]))
                bad = 1;
        if (bad) {
            print_error("case '%s': rc %d, message: %s\n  expected OS_ECONFIG naming the file and",
                        k->name, rc, rc ? os_last_error() : "(none)");
            for (size_t m = 0; m < 4 && k->msg[m]; m++)
                print_error(" \"%s\"", k->msg[m]);
            print_error("\n");
            failed++;
        }
        if (rc == OS_OK)
            config_free(c);
        free(path);
    }
    return failed;
}

static void test_bad_files(void **state)
{
    assert_int_equal(run_bad_cases(BAD, sizeof BAD / sizeof BAD[0], "bad"), 0);
}

static void test_unknown_key_message(void **state)
{
    /* The whole message once, so its wording is pinned down. */
    char *path = tu_text_file("unknown.ini", SRC TABLE_T "colour = blue\n");
    config *c = NULL;
    assert_int_equal(config_load(path, &c), OS_ECONFIG);
    assert_null(c);
    char *want = xasprintf("%s: [table t] colour: unknown key in a [table] section (colour = blue)",
                           path);
    assert_string_equal(os_last_error(), want);
    free(want);
    free(path);
}

static void test_unreadable_and_unparsable(void **state)
{
    config *c = NULL;
    char *path = tu_path("does-not-exist.ini");
    assert_int_equal(config_load(path, &c), OS_ECONFIG);
    assert_null(c);
    assert_non_null(strstr(os_last_error(), "cannot read the config file"));
    assert_non_null(strstr(os_last_error(), path));
    free(path);

    /* A line inih cannot parse: neither a section, a key nor a comment. */
    path = tu_text_file("syntax.ini", SRC TABLE_T "this line has no equals sign\n");
    assert_int_equal(config_load(path, &c), OS_ECONFIG);
    assert_null(c);
    char *want = xasprintf("%s:8: cannot parse this line", path);
    assert_non_null(strstr(os_last_error(), want));
    free(want);
    free(path);
}

/* ------------------------------------------------------------ environment */

static void test_contact_from_environment(void **state)
{
    char *path = tu_text_file("contact.ini", "[occsnap]\ncontact = file@example.org\n" SRC TABLE_T);
    config *c = NULL;

    assert_int_equal(setenv("OCCSNAP_CONTACT", "env@example.org", 1), 0);
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_string_equal(c->contact, "env@example.org");
    config_free(c);

    /* Empty means unset. */
    assert_int_equal(setenv("OCCSNAP_CONTACT", "", 1), 0);
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_string_equal(c->contact, "file@example.org");
    config_free(c);

    assert_int_equal(unsetenv("OCCSNAP_CONTACT"), 0);
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_string_equal(c->contact, "file@example.org");
    config_free(c);
    free(path);

    /* With no contact in the file either, the environment still fills it. */
    path = tu_text_file("nocontact.ini", SRC TABLE_T);
    assert_int_equal(setenv("OCCSNAP_CONTACT", "https://example.org/me", 1), 0);
    assert_int_equal(config_load(path, &c), OS_OK);
    assert_string_equal(c->contact, "https://example.org/me");
    config_free(c);
    assert_int_equal(unsetenv("OCCSNAP_CONTACT"), 0);
    free(path);
}

/* ------------------------------------------------------------ shipped file */

static void test_shipped_config(void **state)
{
    config *c = NULL;
    int rc = config_load("config/occsnap.ini", &c);
    if (rc)
        fail_msg("config/occsnap.ini (run from the repository root): %s", os_last_error());
    static const char *const tables[] = {
        "onet_occupation", "onet_task",    "oews_national",      "bls_nem_xwalk",
        "onet_xwalk_2010_2019", "eloundou_occ", "dingel_neiman_onet",
    };
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        const cfg_table *t = config_table(c, tables[i]);
        if (!t)
            fail_msg("config/occsnap.ini has no [table %s]", tables[i]);
        assert_non_null(config_source(c, t->source));
        assert_true(t->ncol > 0);
        assert_true(t->cache_name && *t->cache_name);
        assert_true(t->format == CFG_CSV || t->format == CFG_TSV || t->format == CFG_XLSX);
    }
    /* Every source is cited. */
    for (size_t i = 0; i < c->nsrc; i++)
        assert_true(c->src[i].citation && *c->src[i].citation);
    config_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_file),
        cmocka_unit_test(test_minimal_file_defaults),
        cmocka_unit_test(test_cache_name_from_url),
        cmocka_unit_test(test_measures),
        cmocka_unit_test(test_bracket_continuation),
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_unknown_key_message),
        cmocka_unit_test(test_unreadable_and_unparsable),
        cmocka_unit_test(test_contact_from_environment),
        cmocka_unit_test(test_shipped_config),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
