/* error.c - occsnap's error vocabulary: error, warning, die. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int os_quiet = 0;
int os_warnings_quiet = 0;
static size_t warnings;
/* Kept for the manifest: warnings come from staging threads too. */
#define KEPT_WARNINGS 500
static char *kept[KEPT_WARNINGS];
static size_t nkept;
static pthread_mutex_t kept_mu = PTHREAD_MUTEX_INITIALIZER;
/* Per thread: tables are parsed on several threads at once. */
static _Thread_local char last_error[2048];
static _Thread_local os_result last_code;
/* The first error of the run on any thread: what made a stage fail. */
static char first_error[2048];
static pthread_mutex_t first_mu = PTHREAD_MUTEX_INITIALIZER;

/* What this thread is working on ("oews: oews_national"): os_error puts it
 * before a message that does not already start with it. */
static _Thread_local const char *context;

void os_error_context(const char *what)
{
    context = what;
}

os_result os_error(os_result code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    if (context && *context && !strstr(last_error, context)) {
        char with[sizeof last_error];
        size_t n = strlen(context);
        if (n + 2 < sizeof with) {
            memcpy(with, context, n);
            memcpy(with + n, ": ", 2);
            size_t m = strnlen(last_error, sizeof with - n - 3);
            memcpy(with + n + 2, last_error, m);
            with[n + 2 + m] = '\0';
            memcpy(last_error, with, sizeof last_error);
        }
    }
    last_code = code;
    pthread_mutex_lock(&first_mu);
    if (!*first_error)
        snprintf(first_error, sizeof first_error, "%s", last_error);
    pthread_mutex_unlock(&first_mu);
    if (!os_quiet)
        fprintf(stderr, "error: %s\n", last_error);
    return code;
}

const char *os_first_error(void)
{
    return first_error;
}

void os_clear_first_error(void)
{
    pthread_mutex_lock(&first_mu);
    *first_error = '\0';
    pthread_mutex_unlock(&first_mu);
}

void os_warning(const char *fmt, ...)
{
    va_list ap;
    char text[1024];
    __atomic_add_fetch(&warnings, 1, __ATOMIC_RELAXED);
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&kept_mu);
    if (nkept < KEPT_WARNINGS) {
        char *copy = strdup(text);
        if (copy)
            kept[nkept++] = copy;
    }
    pthread_mutex_unlock(&kept_mu);
    if (os_quiet || os_warnings_quiet)
        return;
    fprintf(stderr, "warning: %s\n", text);
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

os_result os_last_code(void)
{
    return last_code;
}

void os_clear_last_code(void)
{
    last_code = OS_OK;
}

const char *os_last_error(void)
{
    return last_error;
}

const char *os_warning_text(size_t i)
{
    pthread_mutex_lock(&kept_mu);
    const char *t = i < nkept ? kept[i] : NULL;
    pthread_mutex_unlock(&kept_mu);
    return t;
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
