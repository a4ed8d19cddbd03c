/* replay.c - run a fuzz target's entry point over its committed seeds and regression cases (make test). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "compile with -DFUZZ_NAME=\"target\""
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fails (returns -1, printing why) when the file cannot be read; feeds its
 * bytes to the target, which aborts on a finding. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 4096, len = 0, got;
    char *buf = malloc(cap);
    while (buf && (got = fread(buf + len, 1, cap - len, f)) > 0)
        if ((len += got) == cap)
            buf = realloc(buf, cap *= 2);
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
    free(buf);
    return 0;
}

/* Never fails; qsort order of file names. */
static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Fails (-1) when a file cannot be read; a missing folder replays nothing.
 * Adds the number of files replayed to *count. */
static int replay_dir(const char *dir, int *count)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        if (replay_file(path) != 0)
            rc = -1;
        else
            ++*count;
        free(names[i]);
    }
    free(names);
    return rc;
}

/* With no arguments replays tests/fuzz/seeds/<target>/ and
 * tests/fuzz/regressions/<target>/ (run from the repository root); otherwise
 * the files and folders named. Exit 0, 1 when a file cannot be read; a
 * finding aborts (the sanitizers or the target say why). */
int main(int argc, char **argv)
{
    int count = 0, rc = 0;
    if (argc < 2) {
        rc |= replay_dir("tests/fuzz/seeds/" FUZZ_NAME, &count);
        rc |= replay_dir("tests/fuzz/regressions/" FUZZ_NAME, &count);
    }
    for (int i = 1; i < argc; i++) {
        DIR *d = opendir(argv[i]);
        if (d) {
            closedir(d);
            rc |= replay_dir(argv[i], &count);
        } else {
            rc |= replay_file(argv[i]);
            count += rc == 0;
        }
    }
    printf("%s %s: %d input(s) replayed\n", rc ? "not ok -" : "ok -", FUZZ_NAME, count);
    return rc ? 1 : 0;
}
