/* test_xlsx.c - unit tests for extract/xlsx.c on hand-made workbooks plus the real BLS national file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/util.h"
#include "extract/xlsx.h"
#include "extract/zipfile.h"
#include "tests/unit/testutil.h"

#include <stdlib.h>
#include <string.h>

#define MAXB ((size_t)64 << 20)

/* Every archive built here (tu_zip) is a hand-made fixture from the literals. */

#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define REL_TYPE NS_REL "/"

/* Wraps sheetData content in a worksheet part. */
#define SHEET(rows)                                                                  \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"                 \
    "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">\n"                      \
    "<dimension ref=\"A1:C3\"/><sheetData>\n" rows "\n</sheetData></worksheet>\n"

/* Wraps <si> items in a shared strings part. */
#define SST(items)                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"                 \
    "<sst xmlns=\"" NS_MAIN "\">" items "</sst>\n"

/* Fails the test on libzip errors; returns a malloc'd path. Builds a
 * hand-made workbook: nsheet sheets named names[i] with xml[i] as
 * xl/worksheets/sheet<i+1>.xml, rIds rId1.., and optional shared strings. */
static char *make_book(const char *fname, size_t nsheet, const char *const *names,
                       const char *const *xml, const char *sst)
{
    char *wb = xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook xmlns=\"" NS_MAIN
                       "\" xmlns:r=\"" NS_REL "\"><sheets>");
    char *rels = xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships xmlns=\"" NS_PKG
                         "\">");
    tu_member mem[16];
    char *owned[16];
    size_t n = 0, nowned = 0;
    assert_true(nsheet < 8);
    for (size_t i = 0; i < nsheet; i++) {
        char *t = xasprintf("%s<sheet name=\"%s\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", wb,
                            names[i], i + 1, i + 1);
        free(wb);
        wb = t;
        t = xasprintf("%s<Relationship Id=\"rId%zu\" Type=\"" REL_TYPE "worksheet\" "
                      "Target=\"worksheets/sheet%zu.xml\"/>", rels, i + 1, i + 1);
        free(rels);
        rels = t;
        char *member = xasprintf("xl/worksheets/sheet%zu.xml", i + 1);
        owned[nowned++] = member;
        mem[n++] = (tu_member){member, xml[i], 0};
    }
    char *t = xasprintf("%s</sheets></workbook>", wb);
    free(wb);
    wb = t;
    t = xasprintf("%s<Relationship Id=\"rId99\" Type=\"" REL_TYPE "sharedStrings\" "
                  "Target=\"sharedStrings.xml\"/></Relationships>", rels);
    free(rels);
    rels = t;
    mem[n++] = (tu_member){"xl/workbook.xml", wb, 0};
    mem[n++] = (tu_member){"xl/_rels/workbook.xml.rels", rels, 0};
    if (sst)
        mem[n++] = (tu_member){"xl/sharedStrings.xml", sst, 0};
    char *path = tu_zip(fname, mem, n);
    for (size_t i = 0; i < nowned; i++)
        free(owned[i]);
    free(wb);
    free(rels);
    return path;
}

/* Collected rows, each flattened as "line:cell0|cell1|...". */
typedef struct {
    char *row[64];
    size_t n;
    size_t stop_after; /* return 42 after this many rows (0 = never) */
} collect;

/* Fails the test on too many rows; returns 42 once stop_after rows arrived. */
static int collect_row(void *ctx, const rows_row *r)
{
    collect *c = ctx;
    assert_true(c->n < 64);
    char *s = xasprintf("%ld:", r->line);
    for (size_t i = 0; i < r->ncell; i++)
        assert_non_null(r->cell[i]);
    for (size_t i = 0; i < rows_width(r); i++) {
        char *t = xasprintf("%s%s%s", s, i ? "|" : "", rows_cell(r, (long)i));
        free(s);
        s = t;
    }
    c->row[c->n++] = s;
    return c->stop_after && c->n >= c->stop_after ? 42 : 0;
}

static void collect_free(collect *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->row[i]);
    c->n = 0;
}

/* Reads one sheet of a one-sheet hand-made book and returns the result code. */
static int read_one(const char *fname, const char *sheet_xml, const char *sst, collect *c)
{
    const char *names[] = {"Data"};
    char *path = make_book(fname, 1, names, &sheet_xml, sst);
    int rc = xlsx_read_sheet_file(path, "Data", MAXB, collect_row, c);
    free(path);
    return rc;
}

/* The temp dir of the group; -1 when it cannot be made. */
static int group_setup(void **state)
{
    return tu_tmpdir_setup("xlsx");
}

static void test_shared_strings(void **state)
{
    /* Hand-made fixture: plain, rich text runs, preserved spaces, a phonetic
     * run that must be ignored, an empty string and a non-ASCII string. */
    const char *sst = SST(
        "<si><t>plain</t></si>"
        "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>Rich </t></r><r><t>text</t></r></si>"
        "<si><t xml:space=\"preserve\">  spaced\tout  </t></si>"
        "<si><t>\xe6\xbc\xa2\xe5\xad\x97</t><rPh sb=\"0\" eb=\"2\"><t>kanji</t></rPh>"
        "<phoneticPr fontId=\"1\"/></si>"
        "<si><t/></si>"
        "<si><t>a &amp; b &lt;c&gt;</t></si>");
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c>"
        "<c r=\"C1\" t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c>"
        "<c r=\"E1\" t=\"s\"><v>4</v></c><c r=\"F1\" t=\"s\"><v>5</v></c></row>");
    collect c = {0};
    assert_int_equal(read_one("sst.xlsx", sheet, sst, &c), OS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.row[0], "1:plain|Rich text|  spaced\tout  |\xe6\xbc\xa2\xe5\xad\x97||a & b <c>");
    collect_free(&c);
}

static void test_inline_numbers_and_types(void **state)
{
    /* Hand-made fixture: every cell type, no shared strings part at all. */
    const char *sheet = SHEET(
        "<row r=\"1\">"
        "<c r=\"A1\" t=\"inlineStr\"><is><t>inline</t></is></c>"
        "<c r=\"B1\" s=\"3\"><v>66430</v></c>"
        "<c r=\"C1\"><v>0.7777777777777777</v></c>"
        "<c r=\"D1\" t=\"b\"><v>1</v></c>"
        "<c r=\"E1\" t=\"e\"><v>#N/A</v></c>"
        "<c r=\"F1\" t=\"str\"><f>CONCAT(\"a\",\"b\")</f><v>ab</v></c>"
        "<c r=\"G1\" t=\"inlineStr\"><is><r><t>in</t></r><r><rPr><i/></rPr><t xml:space=\"preserve\"> line</t></r>"
        "<rPh><t>x</t></rPh></is></c>"
        "<c r=\"H1\" t=\"n\"><v>-1.5E-3</v></c>"
        "<c r=\"I1\" t=\"d\"><v>2024-05-01T00:00:00</v></c>"
        "</row>");
    collect c = {0};
    assert_int_equal(read_one("types.xlsx", sheet, NULL, &c), OS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.row[0],
                        "1:inline|66430|0.7777777777777777|1|#N/A|ab|in line|-1.5E-3|2024-05-01T00:00:00");
    collect_free(&c);
}

static void test_gaps_and_wide_columns(void **state)
{
    /* Hand-made fixture: A then C; A then AA; Z, AF; cells without r follow on;
     * an explicit empty cell and a style-only cell between. */
    const char *sst = SST("<si><t>s0</t></si>");
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"C1\"><v>3</v></c></row>"
        "<row r=\"2\"><c r=\"A2\"><v>1</v></c><c r=\"AA2\"><v>27</v></c></row>"
        "<row r=\"3\"><c r=\"Z3\"><v>26</v></c><c r=\"AF3\"><v>32</v></c></row>"
        "<row r=\"4\"><c><v>a</v></c><c s=\"1\"/><c><v>c</v></c><c r=\"E4\"><v>e</v></c>"
        "<c><v>f</v></c></row>");
    collect c = {0};
    assert_int_equal(read_one("gaps.xlsx", sheet, sst, &c), OS_OK);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.row[0], "1:s0||3");
    /* A is index 0, Z 25, AA 26, AF 31. */
    char want[128];
    snprintf(want, sizeof want, "2:1%.*s27", 26, "||||||||||||||||||||||||||||||||");
    assert_string_equal(c.row[1], want);
    snprintf(want, sizeof want, "3:%.*s26%.*s32", 25, "||||||||||||||||||||||||||||||||", 6,
             "||||||");
    assert_string_equal(c.row[2], want);
    assert_string_equal(c.row[3], "4:a||c||e|f");
    collect_free(&c);
}

/* Checks exact cell positions through the rows_row interface itself. */
typedef struct {
    int seen;
} aa_ctx;

static int check_aa(void *ctx, const rows_row *r)
{
    aa_ctx *a = ctx;
    a->seen++;
    assert_int_equal(r->line, 7);
    /* Sparse: the two cells only, with their columns; rows_cell fills gaps. */
    assert_int_equal(r->ncell, 2);
    assert_non_null(r->col);
    assert_int_equal(r->col[0], 0);
    assert_int_equal(r->col[1], 26);
    assert_int_equal(rows_width(r), 27);
    assert_string_equal(rows_cell(r, 0), "left");
    for (long i = 1; i < 26; i++)
        assert_string_equal(rows_cell(r, i), "");
    assert_string_equal(rows_cell(r, 26), "AA");
    assert_string_equal(rows_cell(r, 27), "");
    assert_string_equal(rows_cell(r, -1), "");
    return 0;
}

static void test_column_aa_cells(void **state)
{
    /* Hand-made fixture: one row 7 with A and AA filled. */
    const char *sheet = SHEET(
        "<row r=\"7\"><c r=\"A7\" t=\"inlineStr\"><is><t>left</t></is></c>"
        "<c r=\"AA7\" t=\"inlineStr\"><is><t>AA</t></is></c></row>");
    const char *names[] = {"Data"};
    char *path = make_book("aa.xlsx", 1, names, &sheet, NULL);
    aa_ctx a = {0};
    assert_int_equal(xlsx_read_sheet_file(path, NULL, MAXB, check_aa, &a), OS_OK);
    assert_int_equal(a.seen, 1);
    free(path);
}

static void test_sheet_by_name(void **state)
{
    /* Hand-made fixture: three sheets, each saying which it is. */
    const char *names[] = {"One", "Two & Co", "Three"};
    const char *xml[] = {
        SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>first</t></is></c></row>"),
        SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
        SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>third</t></is></c></row>"),
    };
    /* "&" must be escaped in the workbook XML attribute. */
    const char *xml_names[] = {"One", "Two &amp; Co", "Three"};
    char *path = make_book("three.xlsx", 3, xml_names, xml, SST("<si><t>second</t></si>"));
    collect c = {0};

    assert_int_equal(xlsx_read_sheet_file(path, names[1], MAXB, collect_row, &c), OS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.row[0], "1:second");
    collect_free(&c);

    assert_int_equal(xlsx_read_sheet_file(path, "Three", MAXB, collect_row, &c), OS_OK);
    assert_string_equal(c.row[0], "1:third");
    collect_free(&c);

    assert_int_equal(xlsx_read_sheet_file(path, NULL, MAXB, collect_row, &c), OS_OK);
    assert_string_equal(c.row[0], "1:first");
    collect_free(&c);

    assert_int_equal(xlsx_read_sheet_file(path, "two & co", MAXB, collect_row, &c), OS_EPARSE);
    assert_int_equal(c.n, 0);
    char *want = xasprintf("%s: no sheet named 'two & co' (sheets: 'One', 'Two & Co', 'Three')",
                           path);
    assert_string_equal(os_last_error(), want);
    free(want);

    /* The same through an archive held in memory, labelled by the caller. */
    char *raw;
    size_t rawlen;
    assert_int_equal(read_file(path, 1 << 20, &raw, &rawlen), OS_OK);
    zipfile *z;
    assert_int_equal(zipfile_open_buffer(raw, rawlen, "outer.zip:three.xlsx", &z), OS_OK);
    assert_int_equal(xlsx_read_sheet(z, NULL, "Four", MAXB, collect_row, &c), OS_EPARSE);
    assert_string_equal(os_last_error(),
                        "outer.zip:three.xlsx: no sheet named 'Four' (sheets: 'One', 'Two & Co', 'Three')");
    assert_int_equal(xlsx_read_sheet(z, "book", "Two & Co", MAXB, collect_row, &c), OS_OK);
    assert_string_equal(c.row[0], "1:second");
    collect_free(&c);
    zipfile_close(z);
    free(raw);
    free(path);
}

static void test_targets_absolute_and_relative(void **state)
{
    /* Hand-made fixture: rels with an absolute target, a "./../xl/" relative
     * target, a renamed shared strings part and an unrelated external link. */
    const tu_member mem[] = {
        {"xl/workbook.xml",
         "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>"
         "<sheet name=\"Abs\" sheetId=\"1\" r:id=\"rIdA\"/>"
         "<sheet name=\"Rel\" sheetId=\"2\" r:id=\"rIdB\"/>"
         "<sheet name=\"Broken\" sheetId=\"3\" r:id=\"rIdC\"/>"
         "<sheet name=\"NoRel\" sheetId=\"4\" r:id=\"rIdZ\"/>"
         "</sheets></workbook>", 0},
        {"xl/_rels/workbook.xml.rels",
         "<Relationships xmlns=\"" NS_PKG "\">"
         "<Relationship Id=\"rIdX\" Type=\"" REL_TYPE "hyperlink\" Target=\"http://example.com/\" TargetMode=\"External\"/>"
         "<Relationship Id=\"rIdA\" Type=\"" REL_TYPE "worksheet\" Target=\"/xl/worksheets/a.xml\"/>"
         "<Relationship Id=\"rIdB\" Type=\"" REL_TYPE "worksheet\" Target=\"./../xl/sheets/b.xml\"/>"
         "<Relationship Id=\"rIdC\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/gone.xml\"/>"
         "<Relationship Id=\"rIdS\" Type=\"" REL_TYPE "sharedStrings\" Target=\"/xl/strings.xml\"/>"
         "</Relationships>", 0},
        {"xl/worksheets/a.xml", SHEET("<row r=\"2\"><c r=\"B2\" t=\"s\"><v>1</v></c></row>"), 0},
        {"xl/sheets/b.xml", SHEET("<row r=\"3\"><c r=\"C3\" t=\"s\"><v>0</v></c></row>"), 0},
        {"xl/strings.xml", SST("<si><t>zero</t></si><si><t>one</t></si>"), 0},
    };
    char *path = tu_zip("targets.xlsx", mem, sizeof mem / sizeof mem[0]);
    collect c = {0};
    assert_int_equal(xlsx_read_sheet_file(path, "Abs", MAXB, collect_row, &c), OS_OK);
    assert_string_equal(c.row[0], "2:|one");
    collect_free(&c);
    assert_int_equal(xlsx_read_sheet_file(path, "Rel", MAXB, collect_row, &c), OS_OK);
    assert_string_equal(c.row[0], "3:||zero");
    collect_free(&c);
    assert_int_equal(xlsx_read_sheet_file(path, "Broken", MAXB, collect_row, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "sheet 'Broken': member 'xl/worksheets/gone.xml' not found"));
    assert_int_equal(xlsx_read_sheet_file(path, "NoRel", MAXB, collect_row, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "relationship 'rIdZ' not found"));
    assert_int_equal(c.n, 0);
    free(path);
}

static void test_prefixed_namespaces(void **state)
{
    /* Hand-made fixture in the style of writers that prefix every element
     * (x:) and use another prefix for relationships. */
    const tu_member mem[] = {
        {"xl/workbook.xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<x:workbook xmlns:x=\"" NS_MAIN "\" xmlns:rel=\"" NS_REL "\"><x:sheets>"
         "<x:sheet name=\"Pre\" sheetId=\"1\" rel:id=\"rId1\"/></x:sheets></x:workbook>", 0},
        {"xl/_rels/workbook.xml.rels",
         "<pr:Relationships xmlns:pr=\"" NS_PKG "\">"
         "<pr:Relationship Id=\"rId2\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
         "<pr:Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
         "</pr:Relationships>", 0},
        {"xl/sharedStrings.xml",
         "<x:sst xmlns:x=\"" NS_MAIN "\"><x:si><x:t>hi</x:t></x:si>"
         "<x:si><x:r><x:t>ri</x:t></x:r><x:r><x:t>ch</x:t></x:r><x:rPh><x:t>no</x:t></x:rPh></x:si></x:sst>", 0},
        {"xl/worksheets/sheet1.xml",
         "<x:worksheet xmlns:x=\"" NS_MAIN "\"><x:sheetData>"
         "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\" t=\"s\"><x:v>1</x:v></x:c></x:row>"
         "<x:row r=\"2\"><x:c r=\"B2\" t=\"inlineStr\"><x:is><x:t>in</x:t></x:is></x:c><x:c r=\"C2\"><x:v>2.5</x:v></x:c></x:row>"
         "</x:sheetData></x:worksheet>", 0},
    };
    char *path = tu_zip("prefixed.xlsx", mem, sizeof mem / sizeof mem[0]);
    collect c = {0};
    assert_int_equal(xlsx_read_sheet_file(path, "Pre", MAXB, collect_row, &c), OS_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.row[0], "1:hi|rich");
    assert_string_equal(c.row[1], "2:|in|2.5");
    collect_free(&c);
    free(path);
}

static void test_malformed_xml(void **state)
{
    /* Hand-made fixture: a worksheet whose third line closes the wrong tag. */
    const char *bad = "<worksheet xmlns=\"" NS_MAIN "\"><sheetData>\n"
                      "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>\n"
                      "<row r=\"2\"><c r=\"A2\"><v>2</v></row>\n"
                      "</sheetData></worksheet>\n";
    collect c = {0};
    const char *names[] = {"Data"};
    char *path = make_book("bad.xlsx", 1, names, &bad, NULL);
    assert_int_equal(xlsx_read_sheet_file(path, "Data", MAXB, collect_row, &c), OS_EPARSE);
    char *want = xasprintf("%s: sheet 'Data' (xl/worksheets/sheet1.xml): XML error at line 3: "
                           "mismatched tag", path);
    assert_string_equal(os_last_error(), want);
    free(want);
    assert_int_equal(c.n, 1); /* row 1 was complete before the error */
    collect_free(&c);
    free(path);

    /* Malformed shared strings and workbook parts are reported too. */
    const char *ok = SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>");
    assert_int_equal(read_one("badsst.xlsx", ok, "<sst><si><t>x</si></sst>", &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "xl/sharedStrings.xml: XML error at line 1"));

    /* A shared string index past the table. */
    const char *far = SHEET("<row r=\"4\"><c r=\"B4\" t=\"s\"><v>5</v></c></row>");
    assert_int_equal(read_one("farsst.xlsx", far, SST("<si><t>x</t></si>"), &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "cell B4: shared string index '5' is out of range (1 strings)"));

    /* A cell past the last column Excel allows. */
    const char *wide = SHEET("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>");
    assert_int_equal(read_one("wide.xlsx", wide, NULL, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "cell reference 'XFE1' is beyond column XFD"));

    /* Rows nested in rows (well-formed XML, but not a worksheet). */
    const char *nested = SHEET("<row r=\"1\"><c r=\"A1\"><v>1<row r=\"2\"/></v></c></row>");
    assert_int_equal(read_one("nested.xlsx", nested, NULL, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "<row> inside <row>"));

    /* Entity declarations are refused. */
    const char *ent = "<!DOCTYPE worksheet [<!ENTITY a \"aaaa\">]>\n"
                      "<worksheet xmlns=\"" NS_MAIN "\"><sheetData/></worksheet>";
    assert_int_equal(read_one("entity.xlsx", ent, NULL, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "entity declarations are not allowed"));

    /* Not a workbook at all: a zip without xl/workbook.xml. */
    const tu_member plain[] = {{"readme.txt", "hi", 0}};
    path = tu_zip("notbook.xlsx", plain, 1);
    assert_int_equal(xlsx_read_sheet_file(path, NULL, MAXB, collect_row, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "is not an xlsx workbook"));
    free(path);
    assert_int_equal(c.n, 0);
}

static void test_size_cap(void **state)
{
    /* Hand-made fixture: a sheet part (about 2 KB) bigger than the cap given,
     * while the workbook and rels parts fit under it. */
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"
        "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>"
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "padding padding padding padding padding padding padding padding padding padding "
        "</t></is></c></row>");
    const char *names[] = {"Data"};
    char *path = make_book("cap.xlsx", 1, names, &sheet, NULL);
    collect c = {0};
    assert_int_equal(xlsx_read_sheet_file(path, "Data", 1000, collect_row, &c), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "member 'xl/worksheets/sheet1.xml' is"));
    assert_non_null(strstr(os_last_error(), "over the 1000-byte limit"));
    assert_int_equal(c.n, 0);
    free(path);
}

static void test_callback_stops(void **state)
{
    /* Hand-made fixture: five rows; the callback stops after the second. */
    const char *sheet = SHEET(
        "<row r=\"1\"><c r=\"A1\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>2</v></c></row>"
        "<row r=\"3\"><c r=\"A3\"><v>3</v></c></row><row r=\"4\"><c r=\"A4\"><v>4</v></c></row>"
        "<row r=\"5\"><c r=\"A5\"><v>5</v></c></row>");
    collect c = {.stop_after = 2};
    assert_int_equal(read_one("stop.xlsx", sheet, NULL, &c), 42);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.row[1], "2:2");
    collect_free(&c);
}

static void test_banner_row_and_line_numbers(void **state)
{
    /* Hand-made fixture shaped like a BLS/O*NET download: a title in A1, a
     * blank row, a row of style-only cells, the header on row 4, then data;
     * the last rows carry no r attribute (running count). */
    const char *sst = SST("<si><t>May 2024 National Estimates</t></si><si><t>OCC_CODE</t></si>"
                          "<si><t>TOT_EMP</t></si><si><t>27-4014</t></si><si><t></t></si>");
    const char *sheet = SHEET(
        "<row r=\"1\" spans=\"1:3\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>\n"
        "<row r=\"2\"/>\n"
        "<row r=\"3\"><c r=\"A3\" s=\"2\"/><c r=\"B3\" t=\"s\"><v>4</v></c><c r=\"C3\"><v></v></c></row>\n"
        "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>1</v></c><c r=\"B4\" t=\"s\"><v>2</v></c></row>\n"
        "<row r=\"5\"><c r=\"A5\" t=\"s\"><v>3</v></c><c r=\"B5\"><v>13050</v></c></row>\n"
        "<row><c><v>x</v></c></row><row><c><v>y</v></c></row>");
    collect c = {0};
    assert_int_equal(read_one("banner.xlsx", sheet, sst, &c), OS_OK);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.row[0], "1:May 2024 National Estimates");
    assert_string_equal(c.row[1], "4:OCC_CODE|TOT_EMP");
    assert_string_equal(c.row[2], "5:27-4014|13050");
    assert_string_equal(c.row[3], "6:x");
    assert_string_equal(c.row[4], "7:y");
    collect_free(&c);
}

/* ---- Excel's grid: rows 1..1048576, columns A..XFD (issue 13) ---------- */

/* One sheet of a grid case and what reading it must give. */
typedef struct {
    const char *rows;  /* sheetData content */
    int rc;            /* expected result */
    const char *msg;   /* a substring of the message (rc != 0), or NULL */
} grid_case;

static void test_grid_limits(void **state)
{
    /* Hand-made fixtures: each row or cell reference at or past the edge. */
    static const grid_case cases[] = {
        /* a row number beyond long: strtol clamped it, the next row overflowed */
        {"<row r=\"9999999999999999999\"><c><v>1</v></c></row><row><c><v>2</v></c></row>",
         OS_EPARSE, "row 1 (line 4): row reference '9999999999999999999' is outside rows 1..1048576"},
        {"<row r=\"1048577\"><c><v>1</v></c></row>", OS_EPARSE,
         "row reference '1048577' is outside rows 1..1048576"},
        {"<row r=\"0\"><c><v>1</v></c></row>", OS_EPARSE, "row reference '0' is outside"},
        {"<row r=\"-2\"><c><v>1</v></c></row>", OS_EPARSE, "row reference '-2' is outside"},
        {"<row r=\"3x\"><c><v>1</v></c></row>", OS_EPARSE, "row reference '3x' is outside"},
        /* the last row, then one without r past it */
        {"<row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row>", OS_OK, NULL},
        {"<row r=\"1048576\"><c><v>1</v></c></row><row><c><v>2</v></c></row>", OS_EPARSE,
         "row 1048577 (line 4): row reference '(none)' is outside rows 1..1048576"},
        /* columns */
        {"<row r=\"2\"><c r=\"XFE2\"><v>1</v></c></row>", OS_EPARSE,
         "row 2 (line 4): cell reference 'XFE2' is beyond column XFD"},
        {"<row r=\"2\"><c r=\"AAAAAAAAAAAAAAAAAAAAA2\"><v>1</v></c></row>", OS_EPARSE,
         "cell reference 'AAAAAAAAAAAAAAAAAAAAA2' is beyond column XFD"},
        {"<row r=\"2\"><c r=\"XFD2\"><v>1</v></c><c><v>2</v></c></row>", OS_EPARSE,
         "row 2 (line 4): cell reference '(none)' is beyond column XFD"},
        {"<row r=\"2\"><c r=\"A1048577\"><v>1</v></c></row>", OS_EPARSE,
         "cell reference 'A1048577' is beyond row 1048576"},
        {"<row r=\"2\"><c r=\"B99999999999999999999\"><v>1</v></c></row>", OS_EPARSE,
         "cell reference 'B99999999999999999999' is beyond row 1048576"},
        {"<row r=\"2\"><c r=\"A0\"><v>1</v></c></row>", OS_EPARSE,
         "cell reference 'A0' is beyond row 1048576"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const grid_case *k = &cases[i];
        char *sheet = xasprintf("<?xml version=\"1.0\"?>\n<worksheet xmlns=\"" NS_MAIN
                                "\">\n<sheetData>\n%s\n</sheetData></worksheet>\n", k->rows);
        char *fname = xasprintf("grid%zu.xlsx", i);
        collect c = {0};
        int rc = read_one(fname, sheet, NULL, &c);
        if (rc != k->rc)
            fail_msg("case %zu (%s): rc %d, expected %d", i, k->rows, rc, k->rc);
        if (k->msg) {
            char *path = tu_path(fname);
            char *want = xasprintf("%s: sheet 'Data' (xl/worksheets/sheet1.xml): ", path);
            if (strncmp(os_last_error(), want, strlen(want)) != 0 ||
                !strstr(os_last_error(), k->msg))
                fail_msg("case %zu: message '%s', expected '%s...%s'", i, os_last_error(), want,
                         k->msg);
            free(want);
            free(path);
        }
        for (size_t j = 0; j < c.n; j++)
            assert_true(strtol(c.row[j], NULL, 10) >= 1 && strtol(c.row[j], NULL, 10) <= 1048576);
        collect_free(&c);
        free(fname);
        free(sheet);
    }
}

/* Counts rows and delivered cells; checks each one-cell row is in XFD. */
typedef struct {
    long rows;
    size_t cells, width;
} sparse_ctx;

static int count_sparse(void *ctx, const rows_row *r)
{
    sparse_ctx *s = ctx;
    s->rows++;
    s->cells += r->ncell;
    if (rows_width(r) > s->width)
        s->width = rows_width(r);
    assert_string_equal(rows_cell(r, 16383), "x");
    return 0;
}

static void test_sparse_rows(void **state)
{
    /* Hand-made fixture: 20,000 one-cell rows in column XFD. Padded to the
     * last column they were 327,680,000 cells; sparse, 20,000. */
    enum { NROWS = 20000 };
    size_t cap = (size_t)NROWS * 128 + 512, len = 0;
    char *sheet = xmalloc(cap);
    len += (size_t)snprintf(sheet + len, cap - len, "<?xml version=\"1.0\"?>\n<worksheet xmlns=\""
                            NS_MAIN "\"><sheetData>");
    for (long r = 1; r <= NROWS; r++)
        len += (size_t)snprintf(sheet + len, cap - len,
                                "<row r=\"%ld\"><c r=\"XFD%ld\" t=\"inlineStr\"><is><t>x</t></is>"
                                "</c></row>", r, r);
    snprintf(sheet + len, cap - len, "</sheetData></worksheet>");
    sparse_ctx s = {0};
    const char *names[] = {"Data"};
    const char *xml = sheet;
    char *path = make_book("sparse.xlsx", 1, names, &xml, NULL);
    assert_int_equal(xlsx_read_sheet_file(path, "Data", MAXB, count_sparse, &s), OS_OK);
    assert_int_equal(s.rows, NROWS);
    assert_int_equal(s.cells, NROWS);
    assert_int_equal(s.width, 16384);
    free(path);
    free(sheet);

    /* Cells out of order, duplicates (the later wins; an empty one blanks),
     * empty cells between: delivered once each, by ascending column. */
    const char *mixed = SHEET(
        "<row r=\"1\"><c r=\"D1\"><v>d</v></c><c r=\"B1\"><v>b1</v></c><c r=\"A1\"><v>a</v></c>"
        "<c r=\"B1\"><v>b2</v></c><c r=\"D1\"/><c r=\"F1\" s=\"1\"/><c r=\"C1\"><v></v></c>"
        "<c r=\"E1\"><v>e</v></c></row>");
    collect c = {0};
    assert_int_equal(read_one("mixed.xlsx", mixed, NULL, &c), OS_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.row[0], "1:a|b2|||e");
    collect_free(&c);
}

/* ---- the worksheet reader, case by case (tests/cases/sheet_xml.txt) ---- */

/* Never fails (dies on OOM): s with \n \r \t \\ \xHH replaced by their
 * bytes, malloc'd (the caller frees); its length in *len. */
static char *unescape(const char *s, size_t *len)
{
    char *out = xmalloc(strlen(s) + 1), *o = out;
    while (*s) {
        if (*s != '\\' || !s[1]) {
            *o++ = *s++;
            continue;
        }
        s++;
        switch (*s) {
        case 'n': *o++ = '\n'; s++; break;
        case 'r': *o++ = '\r'; s++; break;
        case 't': *o++ = '\t'; s++; break;
        case 'x': {
            char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
            *o++ = (char)strtol(hex, NULL, 16);
            s += 3;
            break;
        }
        default: *o++ = *s++; break;
        }
    }
    *o = '\0';
    *len = (size_t)(o - out);
    return out;
}

/* The cells of a read as "row:col=value | ..." ("-" for none). */
typedef struct {
    char *s;
} cells_ctx;

/* Never fails (dies on OOM); appends each delivered cell. */
static int collect_cells(void *ctx, const rows_row *r)
{
    cells_ctx *c = ctx;
    for (size_t i = 0; i < r->ncell; i++) {
        char *t = xasprintf("%s%s%ld:%ld=%s", c->s ? c->s : "", c->s ? " | " : "", r->line,
                            rows_col(r, i), r->cell[i]);
        free(c->s);
        c->s = t;
    }
    return 0;
}

static void test_sheet_xml_cases(void **state)
{
    /* Hand-made fixtures from the case file: each worksheet part read with
     * the default read size and 1, 7 and 4096 bytes at a time. */
    static const size_t chunks[] = {0, 1, 7, 4096};
    const char *sst = SST("<si><t>s0</t></si><si><t>s1</t></si>"
                          "<si><r><t>r </t></r><r><rPr><b/></rPr><t>ich</t></r></si>");
    FILE *f = tu_open_cases("sheet_xml.txt");
    char line[4096];
    int ncase = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *sep = strstr(line, " => ");
        if (!sep)
            fail_msg("case line without ' => ': %s", line);
        *sep = '\0';
        const char *want = sep + 4;
        const char *src = line;
        int whole = strncmp(src, "doc:", 4) == 0;
        size_t xlen;
        char *xml = unescape(whole ? src + 4 : src, &xlen);
        char *part;
        size_t plen;
        if (whole) {
            part = xml;
            plen = xlen;
        } else {
            char *head = xstrdup("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet xmlns=\""
                                 NS_MAIN "\"><sheetData>");
            const char *tail = "</sheetData></worksheet>\n";
            plen = strlen(head) + xlen + strlen(tail);
            part = xmalloc(plen + 1);
            memcpy(part, head, strlen(head));
            memcpy(part + strlen(head), xml, xlen);
            memcpy(part + strlen(head) + xlen, tail, strlen(tail) + 1);
            free(head);
            free(xml);
        }
        char *fname = xasprintf("case%d.xlsx", ncase);
        /* make_book takes strings; the part may hold NUL bytes, so build it here */
        const tu_member mem[] = {
            {"xl/workbook.xml", "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\"><sheets>"
             "<sheet name=\"Data\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>", 0},
            {"xl/_rels/workbook.xml.rels", "<Relationships xmlns=\"" NS_PKG "\">"
             "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"worksheets/sheet1.xml\"/>"
             "<Relationship Id=\"rId2\" Type=\"" REL_TYPE "sharedStrings\" Target=\"sharedStrings.xml\"/>"
             "</Relationships>", 0},
            {"xl/sharedStrings.xml", sst, 0},
            {"xl/worksheets/sheet1.xml", part, plen},
        };
        char *path = tu_zip(fname, mem, plen ? 4 : 3);
        if (!plen) { /* an empty part: tu_zip takes len 0 as strlen, which is 0 too */
            free(path);
            const tu_member mem0[] = {mem[0], mem[1], mem[2], {"xl/worksheets/sheet1.xml", "", 0}};
            path = tu_zip(fname, mem0, 4);
        }
        char *first = NULL;
        for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
            zipfile *z;
            assert_int_equal(zipfile_open(path, &z), OS_OK);
            cells_ctx c = {0};
            int rc = xlsx_read_sheet_chunked(z, NULL, "Data", MAXB, chunks[k], collect_cells, &c);
            zipfile_close(z);
            char *got;
            if (rc) {
                char *prefix = xasprintf("%s: sheet 'Data' (xl/worksheets/sheet1.xml): ", path);
                if (rc != OS_EPARSE || strncmp(os_last_error(), prefix, strlen(prefix)) != 0)
                    fail_msg("case %d (%s), chunk %zu: rc %d, message '%s'", ncase, src,
                             chunks[k], rc, os_last_error());
                got = xasprintf("error: %s", os_last_error() + strlen(prefix));
                free(prefix);
            } else {
                got = xstrdup(c.s ? c.s : "-");
            }
            free(c.s);
            size_t wlen;
            char *w = unescape(want, &wlen);
            int ok = strncmp(w, "error: ", 7) == 0 && strncmp(got, "error: ", 7) == 0
                         ? strstr(got + 7, w + 7) != NULL
                         : strcmp(got, w) == 0;
            if (!ok)
                fail_msg("case %d (%s), chunk %zu:\n  got      %s\n  expected %s", ncase, src,
                         chunks[k], got, want);
            free(w);
            if (!first)
                first = got;
            else if (strcmp(first, got) != 0)
                fail_msg("case %d (%s): chunk %zu gave '%s', the default '%s'", ncase, src,
                         chunks[k], got, first);
            else
                free(got);
        }
        free(first);
        free(path);
        free(fname);
        free(part);
        ncase++;
    }
    fclose(f);
    assert_true(ncase >= 100);
}

/* ---- the real BLS national file from the shared mirror ----------------- */

typedef struct {
    long rows, last_line;
    int header_ok;
    int found;
    char tot_emp[32], a_median[32];
} bls_ctx;

static int bls_row(void *ctx, const rows_row *r)
{
    bls_ctx *b = ctx;
    b->rows++;
    b->last_line = r->line;
    if (r->line == 1) {
        b->header_ok = strcmp(rows_cell(r, 8), "OCC_CODE") == 0 &&
                       strcmp(rows_cell(r, 11), "TOT_EMP") == 0 &&
                       strcmp(rows_cell(r, 27), "A_MEDIAN") == 0;
    } else if (strcmp(rows_cell(r, 8), "27-4014") == 0) {
        b->found++;
        snprintf(b->tot_emp, sizeof b->tot_emp, "%s", rows_cell(r, 11));
        snprintf(b->a_median, sizeof b->a_median, "%s", rows_cell(r, 27));
    }
    return 0;
}

static void test_real_bls_national(void **state)
{
    const char *mirror = getenv("OCCSNAP_TEST_MIRROR");
    if (!mirror || !*mirror)
        mirror = "../shared/mirror";
    char *zpath = xasprintf("%s/www.bls.gov/oes/special-requests/oesm24nat.zip", mirror);
    if (!path_exists(zpath)) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("mirror file %s is missing (CI=true)", zpath);
        free(zpath);
        skip();
        return;
    }
    zipfile *outer;
    assert_int_equal(zipfile_open(zpath, &outer), OS_OK);
    char *buf;
    size_t len;
    assert_int_equal(zipfile_read_all(outer, "oesm24nat/national_M2024_dl.xlsx", MAXB, &buf, &len),
                     OS_OK);
    zipfile_close(outer);

    zipfile *z;
    assert_int_equal(zipfile_open_buffer(buf, len, "oesm24nat/national_M2024_dl.xlsx", &z), OS_OK);
    bls_ctx b = {0};
    assert_int_equal(xlsx_read_sheet(z, NULL, "national_M2024_dl", MAXB, bls_row, &b), OS_OK);
    assert_true(b.header_ok);
    assert_int_equal(b.found, 1);
    assert_string_equal(b.tot_emp, "13050");
    assert_string_equal(b.a_median, "66430");
    assert_int_equal(b.rows, 1404);
    assert_int_equal(b.last_line, 1404);

    /* The error for a missing sheet lists the real ones. */
    assert_int_equal(xlsx_read_sheet(z, NULL, "nope", MAXB, bls_row, &b), OS_EPARSE);
    assert_string_equal(os_last_error(),
                        "oesm24nat/national_M2024_dl.xlsx: no sheet named 'nope' (sheets: "
                        "'national_M2024_dl', 'Field Descriptions', 'UpdateTime', 'Filler')");
    zipfile_close(z);
    free(buf);
    free(zpath);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_strings),
        cmocka_unit_test(test_inline_numbers_and_types),
        cmocka_unit_test(test_gaps_and_wide_columns),
        cmocka_unit_test(test_column_aa_cells),
        cmocka_unit_test(test_sheet_by_name),
        cmocka_unit_test(test_targets_absolute_and_relative),
        cmocka_unit_test(test_prefixed_namespaces),
        cmocka_unit_test(test_malformed_xml),
        cmocka_unit_test(test_size_cap),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_banner_row_and_line_numbers),
        cmocka_unit_test(test_grid_limits),
        cmocka_unit_test(test_sparse_rows),
        cmocka_unit_test(test_sheet_xml_cases),
        cmocka_unit_test(test_real_bls_national),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
