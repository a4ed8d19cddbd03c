/* util.c - small helpers shared by every stage: memory, strings, paths, time. */
#include "common/util.h"
#include "common/error.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        os_die(OS_ENOMEM, "out of memory (%zu bytes)", n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        os_die(OS_ENOMEM, "out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        os_die(OS_ENOMEM, "out of memory (%zu bytes)", n);
    return p;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        os_die(OS_ENOMEM, "bad format");
    char *p = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

char *str_trim(char *s)
{
    char *start = s;
    if ((unsigned char)start[0] == 0xEF && (unsigned char)start[1] == 0xBB &&
        (unsigned char)start[2] == 0xBF)
        start += 3;
    while (*start == ' ' || *start == '\t' || *start == '\r' || *start == '\n')
        start++;
    size_t n = strlen(start);
    while (n > 0 && (start[n - 1] == ' ' || start[n - 1] == '\t' ||
                     start[n - 1] == '\r' || start[n - 1] == '\n'))
        n--;
    memmove(s, start, n);
    s[n] = '\0';
    return s;
}

int str_ieq(const char *a, const char *b)
{
    while (*a && *b) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
        a++, b++;
    }
    return *a == *b;
}

int str_is_ident(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

int utf8_valid(const char *s, size_t n, size_t *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        /* ASCII, the usual text, eight bytes at a time */
        if (n - i >= 8) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (!(w & 0x8080808080808080ull)) {
                i += 8;
                continue;
            }
        }
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                   : (c & 0xF8) == 0xF0 ? 4 : 0;
        unsigned cp = len == 1 ? c : len == 2 ? c & 0x1F : len == 3 ? c & 0x0F : c & 0x07;
        int ok = len && i + len <= n;
        for (size_t k = 1; ok && k < len; k++) {
            ok = (p[i + k] & 0xC0) == 0x80;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        ok = ok && !(len == 2 && cp < 0x80) && !(len == 3 && cp < 0x800) &&
             !(len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) && !(cp >= 0xD800 && cp <= 0xDFFF);
        if (!ok) {
            if (bad)
                *bad = i;
            return 0;
        }
        i += len;
    }
    return 1;
}

int str_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

int str_starts_with_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return 0;
    return 1;
}

int parse_double(const char *s, double *out)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    /* Plain decimal only: strtod would also take "0x1A", "inf" and "nan". */
    for (const char *p = s; *p; p++)
        if (*p == 'x' || *p == 'X' || *p == 'n' || *p == 'N' || *p == 'i' || *p == 'I')
            return -1;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno == ERANGE || !isfinite(v))
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int parse_long(const char *s, long *out)
{
    char *end;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return -1;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno == ERANGE)
        return -1;
    while (*end == ' ' || *end == '\t' || *end == '\r')
        end++;
    if (*end)
        return -1;
    *out = v;
    return 0;
}

int mkdir_p(const char *dir)
{
    char buf[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return os_error(OS_EIO, "bad directory name '%s'", dir);
    memcpy(buf, dir, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return os_error(OS_EIO, "cannot create %s: %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return os_error(OS_EIO, "cannot create %s: %s", buf, strerror(errno));
    return OS_OK;
}

int rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? OS_OK
                               : os_error(OS_EIO, "cannot remove %s: %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0
                   ? OS_OK
                   : os_error(OS_EIO, "cannot remove %s: %s", path, strerror(errno));
    DIR *d = opendir(path);
    if (!d)
        return os_error(OS_EIO, "cannot remove %s: %s", path, strerror(errno));
    int rc = OS_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *child = xasprintf("%s/%s", path, e->d_name);
        int crc = rm_rf(child);
        if (crc && !rc)
            rc = crc;
        free(child);
    }
    closedir(d);
    if (rmdir(path) != 0 && !rc)
        rc = os_error(OS_EIO, "cannot remove %s: %s", path, strerror(errno));
    return rc;
}

int path_exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* write_file_atomic and write_file_replace: durable adds the fsync. */
static int write_file_via_tmp(const char *path, const void *data, size_t len, int durable)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        int rc = os_error(OS_EIO, "cannot write %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            int rc = os_error(OS_EIO, "cannot write %s: %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            free(tmp);
            return rc;
        }
        p += w;
        left -= (size_t)w;
    }
    if ((durable && fsync(fd) != 0) || close(fd) != 0 || rename(tmp, path) != 0) {
        int rc = os_error(OS_EIO, "cannot finish %s: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return OS_OK;
}

int write_file_atomic(const char *path, const void *data, size_t len)
{
    return write_file_via_tmp(path, data, len, 1);
}

int write_file_replace(const char *path, const void *data, size_t len)
{
    return write_file_via_tmp(path, data, len, 0);
}

int file_stamp(const char *path, char out[FILE_STAMP_MAX])
{
    struct stat st;
    out[0] = '\0';
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return -1;
    /* a file written in the last two seconds could be rewritten again in the
       same clock tick, unseen (git's "racily clean" entries): no stamp */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (st.st_mtim.tv_sec > (time_t)now.tv_sec - 2)
        return -1;
    snprintf(out, FILE_STAMP_MAX, "%lld:%lld.%09ld:%llu", (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec,
             (unsigned long long)st.st_ino);
    return 0;
}

int read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return os_error(OS_EIO, "cannot open %s: %s", path, strerror(errno));
    size_t cap = 65536, n = 0;
    char *buf = xmalloc(cap + 1);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = xrealloc(buf, cap + 1);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n > max) {
            fclose(f);
            free(buf);
            return os_error(OS_EIO, "%s is larger than the %zu-byte limit", path, max);
        }
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return os_error(OS_EIO, "cannot read %s", path);
    }
    buf[n] = '\0';
    *out = buf;
    if (len)
        *len = n;
    return OS_OK;
}

static void utc_format(char out[32], const char *fmt)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 32, fmt, &tm);
}

void utc_now_iso(char out[32])
{
    utc_format(out, "%Y-%m-%dT%H:%M:%SZ");
}

void utc_now_compact(char out[32])
{
    utc_format(out, "%Y-%m-%dT%H%M%SZ");
}

static int trace_on;
static struct timespec trace_base;
static pthread_once_t trace_once = PTHREAD_ONCE_INIT;

static void trace_init(void)
{
    const char *e = getenv("OCCSNAP_TRACE");
    trace_on = e && *e == '1';
    clock_gettime(CLOCK_MONOTONIC, &trace_base);
}

void trace_mark(const char *fmt, ...)
{
    pthread_once(&trace_once, trace_init); /* main's first call sets the base */
    if (!trace_on)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    double s = (double)(ts.tv_sec - trace_base.tv_sec) +
               (double)(ts.tv_nsec - trace_base.tv_nsec) / 1e9;
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "trace: +%.3f s %s\n", s, msg);
}

long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
