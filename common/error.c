/* error.c - occsnap's error vocabulary: error, warning, die. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

int os_quiet = 0;
int os_warnings_quiet = 0;
static size_t warnings;
/* Per thread: tables are parsed on several threads at once. */
static _Thread_local char last_error[2048];

os_result os_error(os_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    if (!os_quiet)
        fprintf(stderr, "error: %s\n", last_error);
    return code;
}

void os_warning(const char *fmt, ...)
{
    va_list ap;
    __atomic_add_fetch(&warnings, 1, __ATOMIC_RELAXED);
    if (os_quiet || os_warnings_quiet)
        return;
    va_start(ap, fmt);
    fputs("warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void os_die(os_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("fatal: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(code);
}

const char *os_last_error(void)
{
    return last_error;
}

size_t os_warning_count(void)
{
    return __atomic_load_n(&warnings, __ATOMIC_RELAXED);
}

void os_progress(const char *fmt, ...)
{
    va_list ap;
    if (os_quiet || os_warnings_quiet)
        return;
    va_start(ap, fmt);
    fputs("occsnap: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
