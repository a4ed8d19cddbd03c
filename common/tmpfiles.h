/* tmpfiles.h - the temporary files of a run: removed when it is stopped by a signal, and those of runs that died cleared by the next. */
#ifndef OCCSNAP_TMPFILES_H
#define OCCSNAP_TMPFILES_H

#include <stddef.h>

/* Notes that path (a file this run is writing under a temporary name) is to
 * be unlinked if the run is stopped by SIGTERM or SIGINT; the path is
 * copied (at most 64 at once, longer than 4095 bytes ignored). Cannot fail. */
void tmp_register(const char *path);

/* Forgets path (renamed into place, or removed); cannot fail. */
void tmp_unregister(const char *path);

/* Installs the SIGTERM and SIGINT handler: it unlinks every registered
 * path, prints "occsnap: stopped by SIGNAL ..." and exits 143 or 130 (the
 * lock is released with the process). Cannot fail. */
void tmp_handle_signals(void);

/* The pid that owns a temporary name of this tool ("x.tmp.<pid>",
 * "x.part.<pid>", ".tmp-<snapshot>-<pid>", ".retire-<snapshot>-<pid>",
 * ".latest.tmp.<pid>"), or 0 when name is not one. Cannot fail. */
long tmp_owner(const char *name);

/* Removes, in dir and (when deep) every folder below it, the temporary
 * files and folders whose owning run is no longer alive (the caller holds
 * the lock, so no live run but this one writes there); counts what it
 * removed in *files and *bytes (either may be NULL). A name that cannot be
 * removed is a warning. Cannot fail. */
void tmp_clear_dead(const char *dir, int deep, size_t *files, long long *bytes);

#endif
