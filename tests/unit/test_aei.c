/* test_aei.c - table-driven tests of the Economic Index roll-ups (tests/cases/aei_rollup.txt). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "transform/aei_rollup.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double num(const char *s)
{
    return !strcmp(s, "nan") ? NAN : strtod(s, NULL);
}

/* Parses "usage [d f i v l | filtered] autonomy" or "usage - autonomy". */
static int parse_task(char *s, aei_task_in *t)
{
    memset(t, 0, sizeof *t);
    char *tok = strtok(s, " ");
    if (!tok)
        return -1;
    t->usage_pct = num(tok);
    tok = strtok(NULL, " ");
    if (tok && !strcmp(tok, "-")) {
        t->has_patterns = 0;
    } else if (tok && tok[0] == '[') {
        t->has_patterns = 1;
        char *first = tok + 1;
        for (int k = 0; k < AEI_NMODES; k++) {
            char *v = k == 0 && *first ? first : strtok(NULL, " ");
            t->mode[k] = num(v);
        }
        if (strcmp(strtok(NULL, " "), "|"))
            return -1;
        char *f = strtok(NULL, " ");
        f[strcspn(f, "]")] = '\0';
        t->filtered = num(f);
    } else
        return -1;
    tok = strtok(NULL, " ");
    t->autonomy = tok ? num(tok) : NAN;
    return 0;
}

static int same(double got, double want)
{
    if (isnan(want))
        return isnan(got);
    return fabs(got - want) < 1e-9;
}

static void test_rollup_cases(void **state)
{
    (void)state;
    FILE *f = fopen("tests/cases/aei_rollup.txt", "r");
    if (!f)
        fail_msg("cannot open tests/cases/aei_rollup.txt (run from the repository root)");
    char line[1024];
    int cases = 0, failed = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *arrow = strstr(line, "=>");
        assert_non_null(arrow);
        *arrow = '\0';
        char expect[256];
        snprintf(expect, sizeof expect, "%s", arrow + 2);
        aei_task_in task[16];
        size_t n = 0;
        char *save = NULL;
        for (char *part = strtok_r(line, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
            part += strspn(part, " ");
            if (!*part)
                continue; /* blank: no tasks */
            char buf[256];
            snprintf(buf, sizeof buf, "%s", part);
            assert_int_equal(parse_task(buf, &task[n]), 0);
            n++;
        }
        double want[6];
        char dominant[96];
        assert_int_equal(sscanf(expect, " %lf %lf %lf %lf %lf %95s", &want[0], &want[1],
                                &want[2], &want[3], &want[4], dominant),
                         6);
        char *last = strrchr(expect, ' ');
        want[5] = num(last + 1);
        /* sscanf reads "nan" as NaN already; "-" means no dominant mode */
        if (!strcmp(dominant, "-"))
            dominant[0] = '\0';
        aei_occ_out out;
        aei_rollup(task, n, &out);
        double got[6] = {out.usage_pct, out.automation, out.augmentation, out.filtered,
                         out.unknown, out.autonomy_median};
        int ok = strcmp(out.dominant, dominant) == 0;
        for (int k = 0; k < 6; k++)
            ok &= same(got[k], want[k]);
        if (!ok) {
            print_error("case %d (%s=>%s): got %g %g %g %g %g '%s' %g\n", cases + 1, line, expect,
                        got[0], got[1], got[2], got[3], got[4], out.dominant, got[5]);
            failed++;
        }
        cases++;
    }
    fclose(f);
    assert_int_equal(failed, 0);
    assert_true(cases >= 12);
}

static void test_dominant_of_a_task(void **state)
{
    (void)state;
    char out[96];
    double none[AEI_NMODES] = {0};
    aei_dominant(none, out);
    assert_string_equal(out, "");
    double all[AEI_NMODES] = {0.2, 0.2, 0.2, 0.2, 0.2};
    aei_dominant(all, out);
    assert_string_equal(out, "directive+feedback_loop+task_iteration+validation+learning");
    double one[AEI_NMODES] = {0, 0, 0, 0.1, 0};
    aei_dominant(one, out);
    assert_string_equal(out, "validation");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollup_cases),
        cmocka_unit_test(test_dominant_of_a_task),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
