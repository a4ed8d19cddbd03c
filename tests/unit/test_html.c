/* test_html.c - table-driven tests of HTML escaping (read/html.h) and of the markup writer's HTML form (read/markup.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "read/html.h"
#include "read/markup.h"
#include "tests/unit/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_escape_cases(void **state)
{
    (void)state;
    FILE *f = tu_open_cases("html_escape.txt");
    char line[512];
    int cases = 0;
    while (tu_case_line(f, line, sizeof line)) {
        char *sep = strstr(line, " | ");
        assert_non_null(sep);
        *sep = '\0';
        char *got = html_escaped(line);
        assert_string_equal(got, sep + 3);
        free(got);
        cases++;
    }
    fclose(f);
    assert_true(cases >= 8);
}

static void test_escape_edges(void **state)
{
    (void)state;
    char *e = html_escaped(NULL);
    assert_string_equal(e, "");
    free(e);
    e = html_escaped("");
    assert_string_equal(e, "");
    free(e);
}

/* Markup writes data escaped in HTML, as it is in Markdown. */
static void test_markup_forms(void **state)
{
    (void)state;
    for (int html = 0; html <= 1; html++) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        markup m = {f, html};
        mk_heading(&m, 1, "A & <B>");
        mk_list_begin(&m);
        mk_item_begin(&m);
        mk_strongf(&m, "%s:", "Label \"x\"");
        mk_textf(&m, " %d%% <done>", 5);
        mk_item_end(&m);
        mk_list_end(&m);
        fclose(f);
        assert_string_equal(buf, html ? "<h1>A &amp; &lt;B&gt;</h1>\n<ul>\n<li><strong>Label "
                                        "&quot;x&quot;:</strong> 5% &lt;done&gt;</li>\n</ul>\n"
                                      : "# A & <B>\n\n- **Label \"x\":** 5% <done>\n\n");
        free(buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_cases),
        cmocka_unit_test(test_escape_edges),
        cmocka_unit_test(test_markup_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
