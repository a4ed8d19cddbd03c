/* testutil.h - fixture helpers the unit tests share: a temp dir with files and zip archives written into it, case files read from tests/cases. */
#ifndef OCCSNAP_TESTUTIL_H
#define OCCSNAP_TESTUTIL_H

#include <stddef.h>
#include <stdio.h>

/* ------------------------------------------------------------ the temp dir */

/* Creates the test binary's temp dir /tmp/occsnap_test_<name>_XXXXXX and
 * silences error messages (os_quiet); returns 0, or -1 when the dir cannot
 * be made (a failing group setup). name is not kept. */
int tu_tmpdir_setup(const char *name);

/* Removes the temp dir and all in it; a cmocka group teardown, always 0. */
int tu_tmpdir_teardown(void **state);

/* The path of fname in the temp dir, malloc'd (the caller frees); cannot
 * fail (dies on OOM). */
char *tu_path(const char *fname);

/* ------------------------------------------------------------ fixture files */

/* Writes len bytes of data to fname in the temp dir; fails the test when the
 * file cannot be written. Returns its path, malloc'd (the caller frees). */
char *tu_file(const char *fname, const char *data, size_t len);

/* tu_file of the string text (its strlen bytes); fails and owns as tu_file. */
char *tu_text_file(const char *fname, const char *text);

/* One member of a fixture archive: name, content, and its length (0: the
 * strlen of data). The strings stay the caller's. */
typedef struct {
    const char *name;
    const char *data;
    size_t len;
} tu_member;

/* Builds the zip archive fname in the temp dir from the n members m; fails
 * the test if libzip cannot write it. Returns its path, malloc'd (the caller
 * frees). */
char *tu_zip(const char *fname, const tu_member *m, size_t n);

/* ------------------------------------------------------------ case files */

/* Opens tests/cases/<name> for reading (tests run from the repository root);
 * fails the test when it cannot. The caller fcloses it. */
FILE *tu_open_cases(const char *name);

/* Reads the next case of f into line (size bytes, newline stripped),
 * skipping '#' comment lines and blank lines; returns 0 at the end of the
 * file. Cannot fail (a longer line is cut into pieces, as fgets does). */
int tu_case_line(FILE *f, char *line, int size);

#endif
