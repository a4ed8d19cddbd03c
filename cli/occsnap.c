/* occsnap.c - the command-line front: parse options, take the lock, run a stage or a reader. */
#include "common/config.h"
#include "common/error.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "extract/discover.h"
#include "extract/extract.h"
#include "extract/stage.h"
#include "load/publish.h"
#include "common/schema.h"
#include "read/diff.h"
#include "read/show.h"
#include "read/site.h"
#include "read/verify.h"
#include "transform/transform.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The most of one database file mapped (SQLITE_CONFIG_MMAP_SIZE): 1 GiB of
 * address space, far above the largest database a run reads (a few tens of MB). */
#define MMAP_BYTES (1LL << 30)

static const char USAGE[] =
    "usage: occsnap COMMAND [options]\n"
    "\n"
    "the pipeline:\n"
    "  extract     download every source into the cache and stage its tables\n"
    "  transform   map the staged tables onto O*NET-SOC 2019, compute measures\n"
    "  load        check and publish the transformed data as a snapshot\n"
    "  snapshot    extract, transform and load\n"
    "reading snapshots:\n"
    "  show CODE|TITLE   the role page of an occupation (Markdown; --format json)\n"
    "  verify [DIR]      re-hash a snapshot against its manifest, re-run its data tests\n"
    "  diff A B          what changed between two snapshots (--json for data)\n"
    "  site OUT          a static website of every role page (--base-url URL)\n"
    "\n"
    "options of the pipeline:\n"
    "  --config FILE   configuration (default config/occsnap.ini of the project folder:\n"
    "                  OCCSNAP_HOME, else the current directory when it has one, else the\n"
    "                  folder build/occsnap was built in; cache and out default there too)\n"
    "  --mirror DIR|URL  read upstream files from a mirror laid out as <host>/<path>\n"
    "                  (a directory, or an http://127.0.0.1:PORT base; also OCCSNAP_MIRROR)\n"
    "  --cache DIR     raw files and stage database (default cache)\n"
    "  --out DIR       snapshots directory (default data-snapshots)\n"
    "  --offline       use cached files only\n"
    "  --allow-stale   keep the last good cached copy of a source that fails\n"
    "  --force         publish even when inputs and config are unchanged since latest\n"
    "  --keep N        keep the N newest snapshots (never the one latest points at)\n"
    "  --pin ID=REL    hold a source on a release (onet=30.1, oews=2024); repeatable\n"
    "options of the readers:\n"
    "  --snapshot DIR  the snapshot to show (default <out>/latest); A, B and DIR may\n"
    "                  also be names under --out, like latest or 2026-11-24T050557Z\n"
    "  --format md|json, --json, --weighted (show pct_emp instead of pct)\n"
    "  --all, --limit N  show: list every match of a title search, or the first N\n"
    "                  (default 10)\n"
    "  --base-url URL  site: the canonical URL of the site's root\n"
    "  --threshold X   diff: relative value change to report (default 0.05)\n"
    "  --pct-threshold P  diff: percentile points to report (default 5)\n"
    "  --version, --help\n"
    "\n"
    "exit codes: 0 ok (also: nothing new to publish), 2 usage, 3 config, 4 fetch,\n"
    "5 parse, 6 data (a bad value, a failed data test, no such occupation),\n"
    "7 i/o, 8 locked (another run is going)\n";

typedef struct {
    const char *command, *config, *mirror, *cache, *out, *snapshot, *format, *base_url;
    const char *home;     /* the project folder the defaults are under, NULL: "." */
    const char *home_why; /* how it was found (OCCSNAP_HOME, the executable's folder) */
    int config_given, cache_given, out_given;
    const char *pos[16]; /* positional arguments after the command */
    int npos;
    const char *pin[16]; /* --pin ID=RELEASE */
    size_t npin;
    int offline, allow_stale, force, json, weighted;
    long keep, limit; /* limit: show's list, 0 default, -1 --all */
    double threshold, pct_threshold;
} options;

/* Reads the value v of option opt into *out; returns an os_result, OS_EUSAGE
 * naming opt and v when it is not a non-negative number. */
static int parse_number(const char *opt, const char *v, double *out)
{
    if (parse_double(v, out) != 0 || *out < 0)
        return os_error(OS_EUSAGE, "%s needs a non-negative number, not '%s'", opt, v);
    return OS_OK;
}

/* Fills *o from the command line (exits 0 after --help or --version); returns
 * an os_result, OS_EUSAGE naming the bad option or argument. */
static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){.config = "config/occsnap.ini", .cache = "cache", .out = "data-snapshots",
                   .keep = -1, .threshold = 0.05, .pct_threshold = 5};
    const char *env = getenv("OCCSNAP_MIRROR");
    if (env && *env)
        o->mirror = env;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = !strcmp(a, "--config")     ? &o->config
                            : !strcmp(a, "--mirror")   ? &o->mirror
                            : !strcmp(a, "--cache")    ? &o->cache
                            : !strcmp(a, "--out")      ? &o->out
                            : !strcmp(a, "--snapshot") ? &o->snapshot
                            : !strcmp(a, "--format")   ? &o->format
                            : !strcmp(a, "--base-url") ? &o->base_url
                                                       : NULL;
        int numeric = !strcmp(a, "--keep") || !strcmp(a, "--threshold") ||
                      !strcmp(a, "--pct-threshold") || !strcmp(a, "--limit");
        int pin = !strcmp(a, "--pin");
        if ((slot || numeric || pin) && i + 1 >= argc)
            return os_error(OS_EUSAGE, "%s needs a value\n%s", a, USAGE);
        if (pin) {
            if (o->npin == sizeof o->pin / sizeof *o->pin)
                return os_error(OS_EUSAGE, "too many --pin options");
            o->pin[o->npin++] = argv[++i];
        } else if (slot) {
            *slot = argv[++i];
            o->config_given |= slot == &o->config;
            o->cache_given |= slot == &o->cache;
            o->out_given |= slot == &o->out;
        } else if (numeric) {
            double v;
            int rc = parse_number(a, argv[++i], &v);
            if (rc)
                return rc;
            if (!strcmp(a, "--keep") || !strcmp(a, "--limit")) {
                if (v < 1 || v != (long)v)
                    return os_error(OS_EUSAGE, "%s needs a whole number from 1", a);
                *(!strcmp(a, "--keep") ? &o->keep : &o->limit) = (long)v;
            } else if (!strcmp(a, "--threshold"))
                o->threshold = v;
            else
                o->pct_threshold = v;
        } else if (!strcmp(a, "--offline"))
            o->offline = 1;
        else if (!strcmp(a, "--allow-stale"))
            o->allow_stale = 1;
        else if (!strcmp(a, "--force"))
            o->force = 1;
        else if (!strcmp(a, "--json"))
            o->json = 1;
        else if (!strcmp(a, "--weighted"))
            o->weighted = 1;
        else if (!strcmp(a, "--all"))
            o->limit = -1;
        else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(USAGE, stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("occsnap %s (schema %d)\n", OCCSNAP_VERSION, OCCSNAP_SCHEMA_VERSION);
            exit(0);
        } else if (a[0] == '-' && a[1])
            return os_error(OS_EUSAGE, "unknown option %s\n%s", a, USAGE);
        else if (!o->command)
            o->command = a;
        else if (o->npos < 16)
            o->pos[o->npos++] = a;
        else
            return os_error(OS_EUSAGE, "too many arguments\n%s", USAGE);
    }
    if (!o->command)
        return os_error(OS_EUSAGE, "no command given\n%s", USAGE);
    if (o->format) {
        if (!strcmp(o->format, "json"))
            o->json = 1;
        else if (strcmp(o->format, "md") && strcmp(o->format, "markdown"))
            return os_error(OS_EUSAGE, "--format is md or json, not '%s'", o->format);
    }
    if (o->mirror && !*o->mirror)
        o->mirror = NULL;
    return OS_OK;
}

/* The paths find_home made (the project folder, config, cache, out), freed
 * when the process exits, whichever way main returns. */
static char *owned[4];

static void free_owned(void)
{
    for (int k = 0; k < 4; k++)
        free(owned[k]);
}

/* The project folder: OCCSNAP_HOME when set, else the current directory
 * when it holds config/occsnap.ini, else the folder above the executable
 * (build/occsnap) when that one does; sets o->home (malloc'd, kept for the
 * life of the process) or leaves it NULL for the current directory, and
 * puts the config, cache and out defaults there. Cannot fail: a folder
 * without a config is reported by config_load. */
static void find_home(options *o, const char *argv0)
{
    const char *env = getenv("OCCSNAP_HOME");
    char *home = NULL;
    if (env && *env) {
        home = xstrdup(env);
        o->home_why = "OCCSNAP_HOME";
    } else if (path_exists("config/occsnap.ini")) {
        return;
    } else {
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) {
            if (!argv0 || !strchr(argv0, '/') || !realpath(argv0, exe))
                return;
        } else {
            exe[n] = '\0';
        }
        for (int up = 0; up < 2; up++) { /* build/occsnap -> the project */
            char *slash = strrchr(exe, '/');
            if (!slash)
                return;
            *slash = '\0';
        }
        char *cfg = xasprintf("%s/config/occsnap.ini", *exe ? exe : "/");
        int found = path_exists(cfg);
        free(cfg);
        if (!found)
            return;
        home = xstrdup(*exe ? exe : "/");
        o->home_why = "the folder of the executable";
    }
    o->home = owned[0] = home;
    if (!o->config_given)
        o->config = owned[1] = xasprintf("%s/config/occsnap.ini", home);
    if (!o->cache_given)
        o->cache = owned[2] = xasprintf("%s/cache", home);
    if (!o->out_given)
        o->out = owned[3] = xasprintf("%s/data-snapshots", home);
    atexit(free_owned);
}

/* The machine's paths the published files must not hold: the mirror's
 * base (file:// and plain, or an http:// base) and the project folder;
 * registered with os_add_redaction; cannot fail. */
static void redact_paths(const options *o)
{
    if (o->mirror) {
        if (str_starts_with_ci(o->mirror, "http://") || str_starts_with_ci(o->mirror, "https://")) {
            char *base = xasprintf("%s%s", o->mirror,
                                   str_ends_with(o->mirror, "/") ? "" : "/");
            os_add_redaction(base, "mirror:https://");
            free(base);
        } else {
            char abs[4096];
            if (realpath(o->mirror, abs)) {
                char *url = xasprintf("file://%s/", abs), *dir = xasprintf("%s/", abs);
                os_add_redaction(url, "mirror:https://");
                os_add_redaction(dir, "mirror:https://");
                free(url);
                free(dir);
            }
        }
    }
    char cwd[4096];
    const char *root = o->home ? o->home : getcwd(cwd, sizeof cwd);
    char abs[4096];
    if (root && realpath(root, abs) && strcmp(abs, "/")) {
        char *dir = xasprintf("%s/", abs);
        os_add_redaction(dir, "");
        free(dir);
    }
}

/* Takes an exclusive lock on <dir>/.occsnap.lock (the out folder, then the
 * cache) for the life of the process, so two runs (cron and a person) never
 * overlap; returns an os_result, OS_ELOCKED naming the holder's pid, OS_EIO
 * naming the lock file. */
static int take_lock(const char *dir)
{
    int rc = mkdir_p(dir);
    if (rc)
        return rc;
    char *path = xasprintf("%s/.occsnap.lock", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = os_error(OS_EIO, "cannot open the lock %s: %s", path, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[32] = "";
        ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        long holder = strtol(pid, NULL, 10);
        /* the pid in the file is the holder's once it has written it; until
           then (or if the file is stale) say only that a run holds it */
        if (holder > 0 && kill((pid_t)holder, 0) == 0)
            rc = os_error(OS_ELOCKED,
                          "another occsnap run (pid %ld) holds %s; not starting a second one",
                          holder, path);
        else
            rc = os_error(OS_ELOCKED,
                          "another occsnap run holds %s (it has not recorded its pid yet); not "
                          "starting a second one",
                          path);
        close(fd);
    } else {
        char pid[32];
        int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)n, 0) != n)
            os_warning("cannot record the pid in %s", path);
    }
    free(path);
    return rc; /* fd stays open (and locked) until exit */
}

/* 1 when paths a and b name one folder (both exist); 0 otherwise. */
static int same_dir(const char *a, const char *b)
{
    struct stat sa, sb;
    return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* OS_OK when the snapshot in dir verifies (its files against the manifest,
 * its data tests), quietly: the caller words the outcome. */
static int snapshot_complete(const char *dir)
{
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        return OS_EIO;
    os_quiet++;
    int rc = verify_run(dir, null);
    os_quiet--;
    fclose(null);
    return rc;
}

/* Seconds elapsed since t0 on the monotonic clock; cannot fail. */
static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A snapshot named on the command line: an existing directory as given, or
 * a name under the snapshots directory ("latest", a timestamp). Returns a
 * malloc'd path. */
static char *snapshot_path(const options *o, const char *name)
{
    struct stat st;
    if (strchr(name, '/') || (stat(name, &st) == 0 && S_ISDIR(st.st_mode)))
        return xstrdup(name);
    return xasprintf("%s/%s", o->out, name);
}

/* Runs show, site, verify or diff; returns its os_result, or OS_EUSAGE for wrong
 * positional arguments. */
static int run_reader(const options *o)
{
    int rc;
    if (!strcmp(o->command, "show")) {
        if (o->npos == 0)
            return os_error(OS_EUSAGE, "show needs an occupation code or title words\n%s", USAGE);
        char *query = xstrdup(o->pos[0]);
        for (int i = 1; i < o->npos; i++) {
            char *longer = xasprintf("%s %s", query, o->pos[i]);
            free(query);
            query = longer;
        }
        char *dir = snapshot_path(o, o->snapshot ? o->snapshot : "latest");
        show_opts so = {dir, query, o->json, o->weighted, o->limit};
        rc = show_run(&so, stdout);
        free(dir);
        free(query);
    } else if (!strcmp(o->command, "site")) {
        if (o->npos != 1)
            return os_error(OS_EUSAGE, "site needs one output directory\n%s", USAGE);
        char *dir = snapshot_path(o, o->snapshot ? o->snapshot : "latest");
        site_opts so = {dir, o->pos[0], o->base_url};
        rc = site_run(&so);
        free(dir);
    } else if (!strcmp(o->command, "verify")) {
        if (o->npos > 1)
            return os_error(OS_EUSAGE, "verify takes one snapshot\n%s", USAGE);
        char *dir = snapshot_path(o, o->npos ? o->pos[0] : "latest");
        rc = verify_run(dir, stdout);
        free(dir);
    } else {
        if (o->npos != 2)
            return os_error(OS_EUSAGE, "diff needs two snapshots, older first\n%s", USAGE);
        char *a = snapshot_path(o, o->pos[0]), *b = snapshot_path(o, o->pos[1]);
        diff_opts d = {a, b, o->threshold, o->pct_threshold, o->json};
        rc = diff_run(&d, stdout);
        free(a);
        free(b);
    }
    return rc;
}

/* The closing line of a failed run, worded by what happened: whether the
 * config was read, and whether <out>/latest exists (and names what it
 * points at) or no snapshot was ever published there; cannot fail. */
static void report_failure(const options *o, int rc, int config_read)
{
    char *latest = xasprintf("%s/latest", o->out);
    char target[256];
    ssize_t n = readlink(latest, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    const char *what = !config_read ? "no configuration, so nothing was read or published"
                                    : "nothing was published";
    if (*target)
        fprintf(stderr, "occsnap: %s failed (exit %d); %s; %s still points at %s\n", o->command,
                rc, what, latest, target);
    else
        fprintf(stderr, "occsnap: %s failed (exit %d); %s; %s holds no snapshot yet\n",
                o->command, rc, what, o->out);
    free(latest);
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
    find_home(&o, argv[0]);
    if (o.home)
        fprintf(stderr, "occsnap: project folder %s (from %s): config %s, cache %s, out %s\n",
                o.home, o.home_why, o.config, o.cache, o.out);
    if (!strcmp(o.command, "show") || !strcmp(o.command, "verify") || !strcmp(o.command, "diff") ||
        !strcmp(o.command, "site"))
        return run_reader(&o);
    int do_extract = !strcmp(o.command, "extract") || !strcmp(o.command, "snapshot");
    int do_transform = !strcmp(o.command, "transform") || !strcmp(o.command, "snapshot");
    int do_load = !strcmp(o.command, "load") || !strcmp(o.command, "snapshot");
    if (!do_extract && !do_transform && !do_load)
        return os_error(OS_EUSAGE, "unknown command '%s'\n%s", o.command, USAGE);
    if (o.npos)
        return os_error(OS_EUSAGE, "unexpected argument %s\n%s", o.pos[0], USAGE);
    /* The pipeline reads its databases through a memory map: a page is
     * then a look-up, not a pread (some 21,000 of them in a cold snapshot).
     * It maps only files occsnap wrote itself and never changes in place
     * (the cache's are replaced by rename, a snapshot's are read-only), so
     * no other writer can shrink one under the map; the readers (show,
     * verify, diff) keep plain reads of snapshots that may be anyone's. */
    sqlite3_config(SQLITE_CONFIG_MMAP_SIZE, (sqlite3_int64)MMAP_BYTES, (sqlite3_int64)MMAP_BYTES);

    /* On a terminal (or with OCCSNAP_TRACE=1) each stage reports as it
     * goes; under cron only errors and one summary line are printed (the
     * warnings are in the manifest). */
    const char *trace = getenv("OCCSNAP_TRACE");
    os_warnings_quiet = !isatty(STDERR_FILENO) && !(trace && *trace == '1');
    redact_paths(&o);
    trace_mark("start");
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    config *cfg = NULL;
    rc = config_load(o.config, &cfg);
    if (!rc)
        rc = transform_check_config(cfg);
    if (!rc)
        rc = take_lock(o.out);
    if (!rc)
        rc = mkdir_p(o.cache);
    /* and one on the cache: two runs with their own --out may share a
       --cache, whose raw files, stage and rows files one run at a time
       may change (one run's tidying must not take another's files) */
    if (!rc && !same_dir(o.cache, o.out))
        rc = take_lock(o.cache);
    if (!rc) {
        /* SIGTERM/SIGINT remove this run's temporary files; those of runs
           that died (a SIGKILL, a full disk) go now, and a snapshot a dead
           run published without re-pointing latest is adopted or reported */
        tmp_handle_signals();
        tmp_clear_dead(o.cache, 1, NULL, NULL);
        tmp_clear_dead(o.out, 0, NULL, NULL);
        rc = publish_adopt_orphan(o.out, snapshot_complete);
    }
    char *work = xasprintf("%s/work.sqlite", o.cache);
    char *stage = xasprintf("%s/stage.sqlite", o.cache);
    int unchanged = 0;
    extract_early *early = NULL;
    if (!rc && do_extract) {
        char *latest = xasprintf("%s/latest", o.out);
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        discover_opts d = {o.mirror, o.offline, latest, o.pin, o.npin, tm.tm_year + 1900L};
        /* the files of the releases discovery starts from are fetched while
           it looks: it keeps them unless it finds newer ones */
        extract_opts eo0 = {o.cache, o.mirror, o.offline, o.allow_stale, NULL};
        if (discover_use_start(cfg, &d) == OS_OK)
            early = extract_early_start(cfg, &eo0);
        rc = discover_run(cfg, &d);
        trace_mark("releases discovered");
        free(latest);
    } else if (!rc && o.npin)
        rc = os_error(OS_EUSAGE, "--pin works with extract and snapshot, which choose releases");
    else if (!rc)
        rc = stage_use_releases(stage, cfg); /* the releases the stage was built from */
    if (!rc && do_extract) {
        os_progress("extract: fetching and staging %zu tables...", cfg->ntab);
        extract_opts eo = {o.cache, o.mirror, o.offline, o.allow_stale, early};
        early = NULL; /* extract_run takes it */
        os_clear_first_error();
        rc = extract_run(cfg, &eo);
        eo.early = NULL;
        /* A newer release that fails: with --allow-stale, the last good one. */
        if (rc && rc != OS_ELOCKED && o.allow_stale) {
            char *why = xstrdup(os_first_error());
            if (discover_fall_back(cfg, why) > 0)
                rc = extract_run(cfg, &eo);
            free(why);
        }
        /* Inputs and config as latest had them: nothing new to publish. */
        if (!rc && do_load && !o.force)
            unchanged = publish_unchanged(cfg, stage, o.out);
    }
    extract_early_abandon(early); /* not taken (discovery failed): undone */
    early = NULL;
    if (!rc && do_extract)
        rc = stage_use_releases(stage, cfg); /* and the years its headers gave */
    if (!rc && do_transform && !unchanged) {
        os_progress("transform...");
        char now[32];
        utc_now_iso(now);
        trace_mark("transform starts");
        rc = transform_run(cfg, stage, work, now);
        trace_mark("transform done");
    }
    char published[64] = "";
    if (!rc && do_load && !unchanged) {
        os_progress("load: checking and publishing...");
        publish_opts po = {o.keep >= 0 ? o.keep : cfg->keep};
        rc = publish_snapshot(cfg, work, o.out, &po, published, sizeof published);
    }
    /* A download becomes the last good cached copy only with a published
       snapshot (or inputs unchanged since latest); a failed transform or
       load puts the last good copies back, so --offline and --allow-stale
       can rebuild. An extract alone leaves them pending. */
    if (cfg && (do_transform || do_load) && (rc || unchanged || *published))
        extract_settle(cfg, o.cache, rc != OS_OK);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    size_t nwarn = os_warning_count();
    if (!rc && unchanged)
        fprintf(stderr,
                "occsnap: %s done in %.3f s, peak memory %.1f MiB: inputs and config unchanged "
                "since %s/latest; nothing published (--force publishes anyway; make snapshot "
                "ARGS=--force)\n",
                o.command, seconds_since(&t0), (double)ru.ru_maxrss / 1024.0, o.out);
    else if (!rc)
        fprintf(stderr, "occsnap: %s done in %.3f s, peak memory %.1f MiB%s%s%s%s", o.command,
                seconds_since(&t0), (double)ru.ru_maxrss / 1024.0,
                *published ? ": published " : "", *published ? o.out : "",
                *published ? "/" : "", published);
    if (!rc && !unchanged)
        fprintf(stderr, nwarn ? ", %zu warning%s%s\n" : "\n", nwarn, nwarn == 1 ? "" : "s",
                *published ? " (in manifest.json)" : "");
    if (rc)
        report_failure(&o, rc, cfg != NULL);
    free(work);
    free(stage);
    config_free(cfg);
    return rc;
}
