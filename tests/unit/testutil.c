/* testutil.c - fixture helpers the unit tests share: a temp dir with files and zip archives written into it, case files read from tests/cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/unit/testutil.h"
#include "common/error.h"
#include "common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define CASES_DIR "tests/cases"

static char tmpdir[256]; /* "" until tu_tmpdir_setup */

int tu_tmpdir_setup(const char *name)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/occsnap_test_%s_XXXXXX", name);
    if (!mkdtemp(tmpdir))
        return -1;
    os_quiet = 1;
    return 0;
}

int tu_tmpdir_teardown(void **state)
{
    rm_rf(tmpdir);
    return 0;
}

char *tu_path(const char *fname)
{
    return xasprintf("%s/%s", tmpdir, fname);
}

char *tu_file(const char *fname, const char *data, size_t len)
{
    char *path = tu_path(fname);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    return path;
}

char *tu_text_file(const char *fname, const char *text)
{
    return tu_file(fname, text, strlen(text));
}

char *tu_zip(const char *fname, const tu_member *m, size_t n)
{
    char *path = tu_path(fname);
    int err = 0;
    zip_t *za = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
    assert_non_null(za);
    for (size_t i = 0; i < n; i++) {
        size_t len = m[i].len ? m[i].len : strlen(m[i].data);
        zip_source_t *src = zip_source_buffer(za, m[i].data, len, 0);
        assert_non_null(src);
        assert_true(zip_file_add(za, m[i].name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(za), 0);
    return path;
}

FILE *tu_open_cases(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", CASES_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    return f;
}

int tu_case_line(FILE *f, char *line, int size)
{
    while (fgets(line, size, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] != '#' && line[0])
            return 1;
    }
    return 0;
}
