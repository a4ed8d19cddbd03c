/* error.h - occsnap's one result type and its tiny error vocabulary. */
#ifndef OCCSNAP_ERROR_H
#define OCCSNAP_ERROR_H

#include <stddef.h>

/* Every fallible function returns an os_result; 0 is success. The values are
 * also the process exit codes documented in README.md, so keep them stable. */
typedef enum {
    OS_OK = 0,
    OS_EUSAGE = 2,    /* bad command line */
    OS_ECONFIG = 3,   /* config file missing or invalid */
    OS_EFETCH = 4,    /* a download failed or served the wrong thing */
    OS_EPARSE = 5,    /* a raw file did not have the expected shape */
    OS_EDATA = 6,     /* a value or code was invalid, or a data test failed */
    OS_EIO = 7,       /* local file system or database error */
    OS_ELOCKED = 8,   /* another run holds the lock */
    OS_ENOMEM = 9     /* out of memory */
} os_result;

/* Prints "error: <message>" to stderr and returns code, so callers can write
 * `return os_error(OS_EPARSE, "...", ...);`. */
os_result os_error(os_result code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Names what this thread works on (a string that outlives the work, or NULL
 * to clear): every os_error message on the thread that does not already
 * hold it gets it in front ("oews: oews_national: <message>"), so a reader's
 * error names the source and table, not only a cache path. Never fails. */
void os_error_context(const char *what);

/* Prints "warning: <message>" to stderr; never fails. */
void os_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "fatal: <message>" and exits with code; for impossible states only. */
void os_die(os_result code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Silences error/warning output while > 0 (tests that provoke errors). */
extern int os_quiet;
/* Silences warnings only (they are still counted): under cron the manifest
 * holds them and one summary line is printed instead. */
extern int os_warnings_quiet;
/* While > 0 on a thread, os_error and os_warning there print, keep and
 * count nothing (os_last_error and os_last_code still take an error) and
 * each warning adds 1 to os_quiet_warnings instead: for a worker that reads
 * ahead, whose failures and warnings the main thread repeats in their place
 * by doing the work again (transform/worker.c). */
extern _Thread_local int os_quiet_thread;
extern _Thread_local size_t os_quiet_warnings;
/* Prints "occsnap: <message>" to stderr when warnings are not quiet (on a
 * terminal): progress a person watches, which cron need not mail. */
void os_progress(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* How many warnings were issued so far (printed or not). */
size_t os_warning_count(void);
/* The text of warning i (0-based, in order; the first 500 are kept), or
 * NULL; owned by error.c. */
const char *os_warning_text(size_t i);

/* The last message os_error printed (or would have printed when quiet);
 * tests assert on it. Owned by error.c, overwritten by the next error. */
const char *os_last_error(void);
/* The first message os_error reported since the start (or the last
 * os_clear_first_error), on any thread: what made a stage fail when the
 * error came from a worker. Owned by error.c. */
const char *os_first_error(void);

/* Registers a machine path (a mirror's file:// or http:// base) that the
 * published files must not hold, and the words that replace it ("mirror:https://");
 * at most 8, later ones are ignored; cannot fail (a copy that cannot be made is dropped). */
void os_add_redaction(const char *from, const char *to);

/* text with every registered path replaced; a malloc'd string the caller
 * frees, NULL only when memory runs out. Kept warnings are stored redacted. */
char *os_redact(const char *text);
void os_clear_first_error(void);
/* The code of the last os_error on this thread (OS_OK if none yet): lets a
 * caller pass on the code of an error a callback already reported. */
os_result os_last_code(void);
void os_clear_last_code(void);

#endif
