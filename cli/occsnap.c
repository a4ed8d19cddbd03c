/* occsnap.c - the command-line front: parse options, take the lock, run a stage. */
#include "common/config.h"
#include "common/error.h"
#include "common/util.h"
#include "extract/extract.h"
#include "load/publish.h"
#include "load/schema.h"
#include "transform/transform.h"

#include <errno.h>
#include <sqlite3.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static const char USAGE[] =
    "usage: occsnap COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  extract     download every source into the cache and stage its tables\n"
    "  transform   map the staged tables onto O*NET-SOC 2019, compute measures\n"
    "  load        check and publish the transformed data as a snapshot\n"
    "  snapshot    extract, transform and load\n"
    "\n"
    "options:\n"
    "  --config FILE   configuration (default config/occsnap.ini)\n"
    "  --mirror DIR|URL  read upstream files from a mirror laid out as <host>/<path>\n"
    "                  (a directory, or an http://127.0.0.1:PORT base; also OCCSNAP_MIRROR)\n"
    "  --cache DIR     raw files and stage database (default cache)\n"
    "  --out DIR       snapshots directory (default data-snapshots)\n"
    "  --offline       use cached files only\n"
    "  --allow-stale   keep the last good cached copy of a source that fails\n"
    "  --version, --help\n"
    "\n"
    "exit codes: 0 ok, 2 usage, 3 config, 4 fetch, 5 parse, 6 data, 7 i/o, 8 locked\n";

typedef struct {
    const char *command, *config, *mirror, *cache, *out;
    int offline, allow_stale;
} options;

static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){.config = "config/occsnap.ini", .cache = "cache", .out = "data-snapshots"};
    const char *env = getenv("OCCSNAP_MIRROR");
    if (env && *env)
        o->mirror = env;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--config")   ? &o->config
                            : !strcmp(a, "--mirror") ? &o->mirror
                            : !strcmp(a, "--cache")  ? &o->cache
                            : !strcmp(a, "--out")    ? &o->out
                                                     : NULL;
        if (slot) {
            if (i + 1 >= argc)
                return os_error(OS_EUSAGE, "%s needs a value\n%s", a, USAGE);
            *slot = argv[++i];
        } else if (!strcmp(a, "--offline"))
            o->offline = 1;
        else if (!strcmp(a, "--allow-stale"))
            o->allow_stale = 1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("occsnap %s (schema %d)\n", OCCSNAP_VERSION, OCCSNAP_SCHEMA_VERSION);
            exit(0);
        } else if (a[0] == '-')
            return os_error(OS_EUSAGE, "unknown option %s\n%s", a, USAGE);
        else if (!o->command)
            o->command = a;
        else
            return os_error(OS_EUSAGE, "unexpected argument %s\n%s", a, USAGE);
    }
    if (!o->command)
        return os_error(OS_EUSAGE, "no command given\n%s", USAGE);
    if (o->mirror && !*o->mirror)
        o->mirror = NULL;
    return OS_OK;
}

/* Takes an exclusive lock on <out>/.occsnap.lock for the life of the
 * process, so two runs (cron and a person) never overlap. */
static int take_lock(const char *out)
{
    int rc = mkdir_p(out);
    if (rc)
        return rc;
    char *path = xasprintf("%s/.occsnap.lock", out);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = os_error(OS_EIO, "cannot open the lock %s: %s", path, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        rc = os_error(OS_ELOCKED, "another occsnap run holds %s; not starting a second one",
                      path);
        close(fd);
    } else {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || write(fd, pid, (size_t)n) != n)
            os_warning("cannot record the pid in %s", path);
    }
    free(path);
    return rc; /* fd stays open (and locked) until exit */
}

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
    options o;
    /* Each SQLite connection is used by one thread only (staging threads
     * touch no database), so skip SQLite's allocation statistics. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    int do_extract = !strcmp(o.command, "extract") || !strcmp(o.command, "snapshot");
    int do_transform = !strcmp(o.command, "transform") || !strcmp(o.command, "snapshot");
    int do_load = !strcmp(o.command, "load") || !strcmp(o.command, "snapshot");
    if (!do_extract && !do_transform && !do_load)
        return os_error(OS_EUSAGE, "unknown command '%s'\n%s", o.command, USAGE);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    config *cfg = NULL;
    rc = config_load(o.config, &cfg);
    if (!rc)
        rc = take_lock(o.out);
    if (!rc)
        rc = mkdir_p(o.cache);
    char *work = xasprintf("%s/work.sqlite", o.cache);
    char *stage = xasprintf("%s/stage.sqlite", o.cache);
    if (!rc && do_extract) {
        extract_opts eo = {o.cache, o.mirror, o.offline, o.allow_stale};
        rc = extract_run(cfg, &eo);
    }
    if (!rc && do_transform) {
        char now[32];
        utc_now_iso(now);
        rc = transform_run(cfg, stage, work, now);
    }
    char published[64] = "";
    if (!rc && do_load)
        rc = publish_snapshot(cfg, work, o.out, published, sizeof published);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (!rc)
        fprintf(stderr, "occsnap: %s done in %.3f s, peak memory %.1f MiB%s%s%s%s\n", o.command,
                seconds_since(&t0), (double)ru.ru_maxrss / 1024.0,
                *published ? ": published " : "", *published ? o.out : "",
                *published ? "/" : "", published);
    if (rc)
        fprintf(stderr, "occsnap: %s failed (exit %d); the previous snapshot and latest are "
                        "unchanged\n",
                o.command, rc);
    free(work);
    free(stage);
    config_free(cfg);
    return rc;
}
