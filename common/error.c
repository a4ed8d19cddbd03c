/* error.c - occsnap's error vocabulary: error, warning, die. */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int os_quiet = 0;
int os_warnings_quiet = 0;
_Thread_local int os_quiet_thread = 0;
_Thread_local size_t os_quiet_warnings = 0;
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
    if (os_quiet_thread > 0)
        return code; /* repeated, and reported, by the main thread */
    pthread_mutex_lock(&first_mu);
    if (!*first_error)
        snprintf(first_error, sizeof first_error, "%s", last_error);
    pthread_mutex_unlock(&first_mu);
    if (!os_quiet)
        fprintf(stderr, "error: %s\n", last_error);
    return code;
}

/* Machine paths the published files must not hold, and their public words. */
#define MAX_REDACTIONS 8
static char *redact_from[MAX_REDACTIONS], *redact_to[MAX_REDACTIONS];
static size_t nredact;

void os_add_redaction(const char *from, const char *to)
{
    if (!from || !*from || nredact == MAX_REDACTIONS)
        return;
    redact_from[nredact] = strdup(from);
    redact_to[nredact] = strdup(to);
    if (redact_from[nredact] && redact_to[nredact])
        nredact++;
}

char *os_redact(const char *text)
{
    size_t cap = strlen(text) + 1, len = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    while (*text) {
        size_t k = 0, flen = 0;
        for (; k < nredact; k++)
            if (!strncmp(text, redact_from[k], flen = strlen(redact_from[k])))
                break;
        const char *piece = k < nredact ? redact_to[k] : text;
        size_t plen = k < nredact ? strlen(redact_to[k]) : 1;
        if (len + plen + 1 > cap) {
            char *bigger = realloc(out, cap = 2 * (len + plen + 1));
            if (!bigger) {
                free(out);
                return NULL;
            }
            out = bigger;
        }
        memcpy(out + len, piece, plen);
        len += plen;
        text += k < nredact ? flen : 1;
    }
    out[len] = '\0';
    return out;
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
    char text[4096];
    if (os_quiet_thread > 0) {
        os_quiet_warnings++;
        return;
    }
    __atomic_add_fetch(&warnings, 1, __ATOMIC_RELAXED);
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&kept_mu);
    if (nkept < KEPT_WARNINGS) {
        char *copy = os_redact(text);
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
