/* tmpfiles.c - the temporary files of a run: removed when it is stopped by a signal, and those of runs that died cleared by the next. */
#include "common/tmpfiles.h"
#include "common/error.h"
#include "common/util.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_MAX_PATHS 64
#define TMP_PATH_LEN 4096

/* The registered paths; a slot whose first byte is 0 is free. Written under
 * reg_mu (the main thread, and an early fetch beside release discovery),
 * read by the signal handler without it (it only unlinks). */
static char registered[TMP_MAX_PATHS][TMP_PATH_LEN];
static volatile sig_atomic_t nregistered;
static pthread_mutex_t reg_mu = PTHREAD_MUTEX_INITIALIZER;

void tmp_register(const char *path)
{
    size_t len = strlen(path);
    if (len >= TMP_PATH_LEN)
        return;
    pthread_mutex_lock(&reg_mu);
    for (int i = 0; i < TMP_MAX_PATHS; i++)
        if (!registered[i][0]) {
            memcpy(registered[i] + 1, path + 1, len); /* the first byte last: the slot */
            registered[i][0] = path[0];                /* is in use once it is whole */
            if (i >= nregistered)
                nregistered = i + 1;
            break;
        }
    pthread_mutex_unlock(&reg_mu);
}

void tmp_unregister(const char *path)
{
    pthread_mutex_lock(&reg_mu);
    for (int i = 0; i < nregistered; i++)
        if (registered[i][0] && !strcmp(registered[i], path))
            registered[i][0] = '\0';
    pthread_mutex_unlock(&reg_mu);
}

/* Writes s with write(2): the only output a signal handler may make. */
static void say(const char *s)
{
    ssize_t unused = write(STDERR_FILENO, s, strlen(s));
    (void)unused;
}

static void on_signal(int sig)
{
    for (int i = 0; i < nregistered; i++)
        if (registered[i][0])
            unlink(registered[i]);
    say(sig == SIGINT ? "occsnap: stopped by SIGINT" : "occsnap: stopped by SIGTERM");
    say("; its temporary files are removed (a snapshot folder being written goes with the next "
        "run), the lock is released, and latest is unchanged\n");
    _exit(sig == SIGINT ? 130 : 143);
}

void tmp_handle_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
}

/* The decimal pid at s up to its end, or 0. */
static long pid_at(const char *s)
{
    char *end;
    long pid = strtol(s, &end, 10);
    return *s && !*end && pid > 0 ? pid : 0;
}

long tmp_owner(const char *name)
{
    static const char *const INFIX[] = {".tmp.", ".part."};
    if (!strncmp(name, ".tmp-", 5) || !strncmp(name, ".retire-", 8)) {
        const char *dash = strrchr(name, '-');
        return dash ? pid_at(dash + 1) : 0;
    }
    for (size_t k = 0; k < sizeof INFIX / sizeof *INFIX; k++) {
        const char *p = NULL;
        for (const char *q = strstr(name, INFIX[k]); q; q = strstr(q + 1, INFIX[k]))
            p = q;
        if (p)
            return pid_at(p + strlen(INFIX[k]));
    }
    return 0;
}

/* Bytes under path (a file, or a folder's files), for the report. */
static long long size_of(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return (long long)st.st_size;
    long long total = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub = xasprintf("%s/%s", path, e->d_name);
        total += size_of(sub);
        free(sub);
    }
    if (d)
        closedir(d);
    return total;
}

void tmp_clear_dead(const char *dir, int deep, size_t *files, long long *bytes)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *path = xasprintf("%s/%s", dir, e->d_name);
        long pid = tmp_owner(e->d_name);
        struct stat st;
        int is_dir = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
        if (pid > 0 && pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH) {
            long long n = size_of(path);
            os_quiet++;
            int rc = is_dir ? rm_rf(path) : unlink(path) == 0 ? OS_OK : OS_EIO;
            os_quiet--;
            if (rc)
                os_warning("cannot remove %s, left by a run that died (pid %ld)", path, pid);
            else {
                os_warning("removed %s (%lld bytes), left by a run that died (pid %ld)", path, n,
                           pid);
                if (files)
                    (*files)++;
                if (bytes)
                    *bytes += n;
            }
        } else if (deep && is_dir && !S_ISLNK(st.st_mode))
            tmp_clear_dead(path, deep, files, bytes);
        free(path);
    }
    closedir(d);
}
