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
    assert_int_equal(c->parallel, 4);
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
};

static void test_bad_files(void **state)
{
    int failed = 0;
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        const bad_case *k = &BAD[i];
        char fname[32];
        snprintf(fname, sizeof fname, "bad%02zu.ini", i);
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
    assert_int_equal(failed, 0);
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
        cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_unknown_key_message),
        cmocka_unit_test(test_unreadable_and_unparsable),
        cmocka_unit_test(test_contact_from_environment),
        cmocka_unit_test(test_shipped_config),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
