/* fetch.c - download source files into the cache with libcurl multi: retries, checks, rename. */
#include "extract/fetch.h"
#include "common/error.h"
#include "common/sha256.h"
#include "common/tmpfiles.h"
#include "common/util.h"
#include "extract/urlmap.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HEAD_MAX (64 * 1024)      /* bytes kept in memory for content checks */
#define BACKOFF_CAP_MS 30000LL    /* exponential backoff ceiling */
#define RETRY_AFTER_CAP_S 60L     /* Retry-After ceiling */
#define MSG_MAX 2048

enum job_state { JOB_WAITING, JOB_ACTIVE, JOB_DONE };

/* One request's progress through attempts; owned by fetch_all. */
typedef struct {
    const fetch_request *req;
    fetch_receipt *out;
    const char *src;          /* source id or "?" */
    char *fetched_url;        /* mirror-mapped URL (malloc) */
    char *tmp_path;           /* dest + ".part.<pid>" (malloc) */
    char *receipt_path;       /* dest + ".receipt.json" (malloc) */
    int is_file;              /* fetched_url is file:// */
    char *file_path;          /* is_file: the local path it names (malloc) */
    char source_stat[80];     /* is_file: file_stamp of file_path before the copy */
    long long file_size;      /* is_file: its size when the run began (-1: unknown) */
    char host[256];           /* the upstream URL's host, for parallel_per_host */
    fetch_receipt cached;     /* the valid cached copy, when have_cache */
    int have_cache;
    enum job_state state;
    int attempts;
    long long ready_at;       /* monotonic ms before which no retry starts */
    CURL *easy;
    struct curl_slist *headers;
    FILE *fp;
    int conditional;          /* If-None-Match / If-Modified-Since sent */
    long long nbytes;
    int too_big;
    int write_failed;
    long long last_data_ms;   /* when the attempt last received a byte (or began) */
    long long stall_ms;       /* 0 = no stall limit */
    int stalled;              /* the attempt was ended by the stall limit */
    int no_contact;           /* 1: bls.gov may not be called (no contact configured) */
    int refused_bls;          /* the attempt was ended before a redirect reached bls.gov */
    size_t max_bytes;         /* 0 = no cap */
    unsigned char head[HEAD_MAX];
    size_t head_len;
    char etag[256];
    char last_modified[128];
    long retry_after;         /* seconds, -1 when absent */
    char errbuf[CURL_ERROR_SIZE];
    int failed;
    int code;                 /* os_result of the failure */
    char reason[MSG_MAX];     /* short reason ("HTTP 404") */
    char msg[MSG_MAX];        /* full message naming source and URL */
} fetch_job;

static int curl_ready = 0;

/* Releases libcurl's global state at exit; cannot fail. */
static void curl_global_done(void)
{
    curl_global_cleanup();
}

/* Initialises libcurl once per process; returns an os_result (OS_EFETCH). */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_failed;

static void curl_init_run(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        curl_failed = 1;
        return;
    }
    curl_ready = 1;
    atexit(curl_global_done);
}

/* Once per process, whichever thread asks first (an early fetch runs beside
 * release discovery); returns OS_OK or OS_EFETCH (reported). */
static int curl_init_once(void)
{
    pthread_once(&curl_once, curl_init_run);
    if (curl_failed)
        return os_error(OS_EFETCH, "cannot initialise libcurl");
    return OS_OK;
}

int fetch_init(void)
{
    return curl_init_once();
}

/* Monotonic clock in milliseconds; cannot fail. */
static long long now_ms(void)
{
    return mono_ms();
}

/* Sleeps ms milliseconds (EINTR restarts); cannot fail. */
static void sleep_ms(long long ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Copies src into a fixed buffer, truncating; cannot fail. */
static void copy_str(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* 1 if s is NULL or only blanks. */
static int blank(const char *s)
{
    if (!s)
        return 1;
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* Records a final failure for j with code and a full message (printed by
 * fetch_all); never fails, and returns code so callers can pass it on. */
static int job_fail(fetch_job *j, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int job_fail(fetch_job *j, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->msg, sizeof j->msg, fmt, ap);
    va_end(ap);
    j->failed = 1;
    j->code = code;
    j->state = JOB_DONE;
    return code;
}

/* Records a download failure "src: cannot download URL [via X]: reason". */
static void job_fail_reason(fetch_job *j, int code, const char *reason)
{
    int mapped = strcmp(j->fetched_url, j->req->url) != 0;
    copy_str(j->reason, sizeof j->reason, reason);
    if (j->attempts > 1) {
        size_t l = strlen(j->reason);
        snprintf(j->reason + l, sizeof j->reason - l, " after %d attempts", j->attempts);
    }
    job_fail(j, code, "%s: cannot download %s%s%s%s: %s", j->src, j->req->url,
             mapped ? " (fetched from " : "", mapped ? j->fetched_url : "",
             mapped ? ")" : "", j->reason);
}

/* libcurl write callback: counts bytes, enforces the cap, keeps the first
 * 64 KiB for checks; returns 0 (abort) when over the cap or on disk errors. */
static size_t on_write(char *data, size_t size, size_t nmemb, void *userp)
{
    fetch_job *j = userp;
    size_t n = size * nmemb;
    if (j->max_bytes && (unsigned long long)j->nbytes + n > j->max_bytes) {
        j->too_big = 1;
        return 0;
    }
    if (j->head_len < HEAD_MAX) {
        size_t k = HEAD_MAX - j->head_len < n ? HEAD_MAX - j->head_len : n;
        memcpy(j->head + j->head_len, data, k);
        j->head_len += k;
    }
    if (n && fwrite(data, 1, n, j->fp) != n) {
        j->write_failed = errno ? errno : EIO;
        return 0;
    }
    j->nbytes += (long long)n;
    j->last_data_ms = now_ms();
    return n;
}

/* libcurl resolver-start callback, before each new host is looked up
 * (also after a redirect): a redirect that leads to bls.gov without a
 * contact configured ends the attempt, as a direct request would be refused. */
static int on_resolve(void *resolver, void *reserved, void *userp)
{
    fetch_job *j = userp;
    char *url = NULL;
    (void)resolver, (void)reserved;
    if (j->no_contact && j->easy &&
        curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK && url &&
        fetch_url_is_bls(url)) {
        j->refused_bls = 1;
        return 1;
    }
    return 0;
}

/* libcurl progress callback (at least once a second): ends the attempt
 * when no byte came for stall_ms, a server that went silent. */
static int on_progress(void *userp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    fetch_job *j = userp;
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    if (j->stall_ms > 0 && now_ms() - j->last_data_ms > j->stall_ms) {
        j->stalled = 1;
        return 1;
    }
    return 0;
}

/* Copies a header value (trimmed, printable ASCII only) into dst, or
 * leaves dst empty when it does not fit or has other bytes; never fails. */
static void header_value(char *dst, size_t cap, const char *v, size_t len)
{
    while (len > 0 && (*v == ' ' || *v == '\t'))
        v++, len--;
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
                       v[len - 1] == ' ' || v[len - 1] == '\t'))
        len--;
    dst[0] = '\0';
    if (len >= cap)
        return;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
            return;
    memcpy(dst, v, len);
    dst[len] = '\0';
}

/* libcurl header callback: keeps ETag, Last-Modified and Retry-After of the
 * last response (reset at each status line); never aborts. */
static size_t on_header(char *line, size_t size, size_t nitems, void *userp)
{
    fetch_job *j = userp;
    size_t n = size * nitems;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        j->etag[0] = j->last_modified[0] = '\0';
        j->retry_after = -1;
        return n;
    }
    const char *colon = memchr(line, ':', n);
    if (!colon)
        return n;
    size_t nlen = (size_t)(colon - line);
    const char *v = colon + 1;
    size_t vlen = n - nlen - 1;
    if (nlen == 4 && str_starts_with_ci(line, "etag")) {
        header_value(j->etag, sizeof j->etag, v, vlen);
    } else if (nlen == 13 && str_starts_with_ci(line, "last-modified")) {
        header_value(j->last_modified, sizeof j->last_modified, v, vlen);
    } else if (nlen == 11 && str_starts_with_ci(line, "retry-after")) {
        char buf[32];
        header_value(buf, sizeof buf, v, vlen);
        long secs;
        if (buf[0] && strspn(buf, "0123456789") == strlen(buf) &&
            parse_long(buf, &secs) == 0)
            j->retry_after = secs > RETRY_AFTER_CAP_S ? RETRY_AFTER_CAP_S : secs;
    }
    return n;
}

char *fetch_user_agent(const char *user_agent, const char *contact)
{
    const char *ua = user_agent && *user_agent ? user_agent : "occsnap";
    if (blank(contact))
        return xstrdup(ua);
    return xasprintf("%s (+%s)", ua, contact);
}

/* Base backoff in ms: 1000, or OCCSNAP_FETCH_BACKOFF_MS (tests); never fails. */
static long long backoff_base_ms(void)
{
    const char *env = getenv("OCCSNAP_FETCH_BACKOFF_MS");
    long v;
    if (env && parse_long(env, &v) == 0 && v >= 0)
        return v;
    return 1000;
}

/* Opens the temp file and the easy handle for one attempt and adds it to
 * multi; returns an os_result, on failure recorded in j (OS_EIO / OS_EFETCH).
 * The handle, header list and FILE belong to j until finish_attempt. */
static int start_attempt(fetch_job *j, const fetch_options *opt, CURLM *multi,
                         const char *user_agent)
{
    j->attempts++;
    j->nbytes = 0;
    j->head_len = 0;
    j->too_big = 0;
    j->write_failed = 0;
    j->etag[0] = j->last_modified[0] = '\0';
    j->retry_after = -1;
    j->errbuf[0] = '\0';
    j->conditional = 0;
    int fd = open(j->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || !(j->fp = fdopen(fd, "wb"))) {
        int e = errno;
        if (fd >= 0)
            close(fd);
        return job_fail(j, OS_EIO, "%s: cannot create %s: %s", j->src, j->tmp_path,
                        strerror(e));
    }
    CURL *h = curl_easy_init();
    if (!h) {
        fclose(j->fp);
        j->fp = NULL;
        unlink(j->tmp_path);
        return job_fail(j, OS_EFETCH, "%s: cannot create a libcurl handle", j->src);
    }
    j->easy = h;
    if (j->is_file && file_stamp(j->file_path, j->source_stat) != 0)
        j->source_stat[0] = '\0'; /* curl reports the missing file */
    /* Validators only mean something to the origin that issued them: a copy
     * fetched from a mirror (or a file) must be fetched again in full. */
    if (!j->is_file && j->have_cache && strcmp(j->cached.fetched_url, j->fetched_url) == 0) {
        if (j->cached.etag[0]) {
            char *hd = xasprintf("If-None-Match: %s", j->cached.etag);
            j->headers = curl_slist_append(j->headers, hd);
            free(hd);
        }
        if (j->cached.last_modified[0]) {
            char *hd = xasprintf("If-Modified-Since: %s", j->cached.last_modified);
            j->headers = curl_slist_append(j->headers, hd);
            free(hd);
        }
        j->conditional = j->headers != NULL;
    }
    CURLcode c = CURLE_OK;
#define SET(o, v) \
    do { \
        if (c == CURLE_OK) \
            c = curl_easy_setopt(h, o, v); \
    } while (0)
    SET(CURLOPT_URL, j->fetched_url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https,file");
    /* https may not be redirected to plain http: TLS verification would be moot */
    SET(CURLOPT_REDIR_PROTOCOLS_STR, strncmp(j->fetched_url, "https:", 6) ? "http,https" : "https");
    SET(CURLOPT_FOLLOWLOCATION, 1L);
    SET(CURLOPT_MAXREDIRS, 5L);
    j->no_contact = blank(opt->contact);
    j->refused_bls = 0;
    SET(CURLOPT_RESOLVER_START_FUNCTION, on_resolve);
    SET(CURLOPT_RESOLVER_START_DATA, j);
    SET(CURLOPT_FAILONERROR, 0L);
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_USERAGENT, user_agent);
    SET(CURLOPT_WRITEFUNCTION, on_write);
    SET(CURLOPT_WRITEDATA, (void *)j);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, (void *)j);
    SET(CURLOPT_ERRORBUFFER, j->errbuf);
    SET(CURLOPT_PRIVATE, (void *)j);
    if (opt->connect_timeout_s > 0)
        SET(CURLOPT_CONNECTTIMEOUT, opt->connect_timeout_s);
    long long timeout_ms = opt->timeout_s > 0 ? opt->timeout_s * 1000LL : 0;
    if (opt->deadline_ms > 0) {
        long long left = opt->deadline_ms - now_ms();
        if (timeout_ms == 0 || left < timeout_ms)
            timeout_ms = left > 1 ? left : 1;
    }
    if (timeout_ms > 0)
        SET(CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    /* no byte for stall_s: a server that accepted the connection and went
       silent ends the attempt (then retried like a timeout) */
    j->stall_ms = opt->stall_s > 0 ? opt->stall_s * 1000LL : 0;
    j->last_data_ms = now_ms();
    j->stalled = 0;
    if (j->stall_ms) {
        SET(CURLOPT_XFERINFOFUNCTION, on_progress);
        SET(CURLOPT_XFERINFODATA, j);
        SET(CURLOPT_NOPROGRESS, 0L);
    }
    if (opt->max_bytes > 0)
        SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opt->max_bytes);
    if (j->headers)
        SET(CURLOPT_HTTPHEADER, j->headers);
#undef SET
    if (c != CURLE_OK || curl_multi_add_handle(multi, h) != CURLM_OK) {
        curl_easy_cleanup(h);
        j->easy = NULL;
        curl_slist_free_all(j->headers);
        j->headers = NULL;
        fclose(j->fp);
        j->fp = NULL;
        unlink(j->tmp_path);
        return job_fail(j, OS_EFETCH, "%s: cannot set up the download of %s: %s", j->src,
                        j->req->url, c != CURLE_OK ? curl_easy_strerror(c) : "curl multi");
    }
    j->state = JOB_ACTIVE;
    return OS_OK;
}

/* 1 if the head of the body looks like an HTML page. */
static int looks_html(const unsigned char *p, size_t n)
{
    size_t i = 0;
    if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF)
        i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
        i++;
    char buf[16] = {0};
    size_t k = n - i < sizeof buf - 1 ? n - i : sizeof buf - 1;
    memcpy(buf, p + i, k);
    return str_starts_with_ci(buf, "<!doctype html") || str_starts_with_ci(buf, "<html");
}

/* Checks the downloaded body against the expectation; returns an os_result,
 * OS_EFETCH (recorded in j, naming source and URL) when it is not what was expected. */
static int check_content(fetch_job *j, long status)
{
    const char *url = j->req->url;
    if (j->nbytes == 0) {
        return job_fail(j, OS_EFETCH, "%s: %s served an empty file (status %ld)", j->src,
                        url, status);
    }
    int html = looks_html(j->head, j->head_len);
    if (j->req->expect == FETCH_EXPECT_ZIP) {
        if (html) {
            return job_fail(j, OS_EFETCH, "%s: %s served an HTML page (status %ld), not a "
                            "zip archive", j->src, url, status);
        }
        if (j->head_len < 4 || memcmp(j->head, "PK\x03\x04", 4) != 0) {
            return job_fail(j, OS_EFETCH, "%s: %s is not a zip archive (it does not start "
                            "with PK\\3\\4; status %ld, %lld bytes)", j->src, url, status,
                            j->nbytes);
        }
    } else if (j->req->expect == FETCH_EXPECT_TEXT) {
        if (memchr(j->head, '\0', j->head_len)) {
            return job_fail(j, OS_EFETCH, "%s: %s served binary data (a NUL byte in the "
                            "first 64 KiB; status %ld), not a text file", j->src, url, status);
        }
        if (html) {
            return job_fail(j, OS_EFETCH, "%s: %s served an HTML page (status %ld), not a "
                            "text data file", j->src, url, status);
        }
    }
    return OS_OK;
}

/* Fills j->out from a receipt and the request; never fails. */
static void set_out(fetch_job *j, const fetch_receipt *r)
{
    *j->out = *r;
    copy_str(j->out->url, sizeof j->out->url, j->req->url);
    j->out->ok = 1;
    j->out->error[0] = '\0';
}

/* Completes a 200 (or file://) transfer: hash, rename, receipt; records a
 * failure in j (OS_EIO) when a local step fails. */
static void finish_success(fetch_job *j, const fetch_options *opt, long status,
                           const char *final_url)
{
    fetch_receipt r;
    memset(&r, 0, sizeof r);
    copy_str(r.url, sizeof r.url, j->req->url);
    copy_str(r.fetched_url, sizeof r.fetched_url, j->fetched_url);
    copy_str(r.final_url, sizeof r.final_url, final_url);
    r.status = status;
    copy_str(r.etag, sizeof r.etag, j->etag);
    copy_str(r.last_modified, sizeof r.last_modified, j->last_modified);
    utc_now_iso(r.retrieved_at);
    copy_str(r.from, sizeof r.from, opt->mirror && *opt->mirror ? "mirror" : "network");
    long long bytes = 0;
    if (sha256_file(j->tmp_path, r.sha256, &bytes) != OS_OK || bytes != j->nbytes) {
        unlink(j->tmp_path);
        job_fail(j, OS_EIO, "%s: cannot hash the download of %s in %s", j->src,
                 j->req->url, j->tmp_path);
        return;
    }
    r.bytes = bytes;
    copy_str(r.source_stat, sizeof r.source_stat, j->is_file ? j->source_stat : "");
    if (rename(j->tmp_path, j->req->dest) != 0) {
        int e = errno;
        unlink(j->tmp_path);
        job_fail(j, OS_EIO, "%s: cannot move the download into %s: %s", j->src,
                 j->req->dest, strerror(e));
        return;
    }
    j->have_cache = 0; /* the old copy is gone now */
    file_stamp(j->req->dest, r.cache_stat); /* hashed just now */
    r.ok = 1;
    if (fetch_receipt_write(j->receipt_path, &r) != OS_OK) {
        job_fail(j, OS_EIO, "%s: downloaded %s but cannot write %s", j->src,
                 j->req->url, j->receipt_path);
        return;
    }
    set_out(j, &r);
    j->state = JOB_DONE;
}

/* Completes a 304: the cached file stays, its receipt is refreshed; records
 * a failure (OS_EIO) when the receipt cannot be written. */
static void finish_not_modified(fetch_job *j, const char *final_url)
{
    fetch_receipt r = j->cached;
    copy_str(r.fetched_url, sizeof r.fetched_url, j->fetched_url);
    copy_str(r.final_url, sizeof r.final_url, final_url);
    r.status = 304;
    if (j->etag[0])
        copy_str(r.etag, sizeof r.etag, j->etag);
    if (j->last_modified[0])
        copy_str(r.last_modified, sizeof r.last_modified, j->last_modified);
    utc_now_iso(r.retrieved_at);
    copy_str(r.from, sizeof r.from, "cache");
    r.stale = 0;
    r.ok = 1;
    file_stamp(j->req->dest, r.cache_stat); /* fetch_receipt_cached checked its sha256 */
    if (fetch_receipt_write(j->receipt_path, &r) != OS_OK) {
        job_fail(j, OS_EIO, "%s: cannot update %s", j->src, j->receipt_path);
        return;
    }
    set_out(j, &r);
    j->state = JOB_DONE;
}

/* 1 for libcurl results worth retrying (timeouts, connection trouble). */
static int curl_transient(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
        return 1;
    default:
        return 0;
    }
}

/* Ends one attempt: detaches and frees the handle, then succeeds, schedules
 * a retry, or records the failure (temp file removed in both latter cases). */
static void finish_attempt(fetch_job *j, const fetch_options *opt, CURLM *multi,
                           CURLcode rc)
{
    long status = 0;
    char *eff = NULL;
    curl_easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(j->easy, CURLINFO_EFFECTIVE_URL, &eff);
    char final_url[1024];
    copy_str(final_url, sizeof final_url, eff ? eff : j->fetched_url);
    curl_multi_remove_handle(multi, j->easy);
    curl_easy_cleanup(j->easy);
    j->easy = NULL;
    curl_slist_free_all(j->headers);
    j->headers = NULL;
    if (fflush(j->fp) != 0 && !j->write_failed)
        j->write_failed = errno ? errno : EIO;
    if (fclose(j->fp) != 0 && !j->write_failed)
        j->write_failed = errno ? errno : EIO;
    j->fp = NULL;

    int retry = 0;
    char reason[MSG_MAX];
    int code = OS_EFETCH;
    reason[0] = '\0';
    if (!j->is_file && status != 0 && status != 200 &&
        (rc == CURLE_OK || j->too_big || rc == CURLE_FILESIZE_EXCEEDED)) {
        if (status == 304 && j->conditional && j->have_cache) {
            unlink(j->tmp_path);
            finish_not_modified(j, final_url);
            return;
        }
        snprintf(reason, sizeof reason, "HTTP %ld", status);
        retry = status == 429 || (status >= 500 && status <= 599);
    } else if (j->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
        snprintf(reason, sizeof reason, "the file is larger than the %zu-byte limit "
                 "(max_bytes)", opt->max_bytes);
    } else if (j->write_failed) {
        code = OS_EIO;
        snprintf(reason, sizeof reason, "cannot write %s: %s", j->tmp_path,
                 strerror(j->write_failed));
    } else if (j->refused_bls) {
        code = OS_ECONFIG;
        snprintf(reason, sizeof reason, "it redirects to bls.gov, which refuses requests without a "
                 "contact address (set contact = you@example.org in [occsnap], or "
                 "OCCSNAP_CONTACT)");
    } else if (j->stalled) {
        snprintf(reason, sizeof reason, "stalled: no data for %lld s (stall_s)",
                 j->stall_ms / 1000);
        retry = 1;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        snprintf(reason, sizeof reason, "timeout (%s)",
                 j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
        retry = 1;
    } else if (rc != CURLE_OK) {
        const char *what = curl_easy_strerror(rc);
        if (rc == CURLE_FILE_COULDNT_READ_FILE)
            what = "the mirror has no such file";
        snprintf(reason, sizeof reason, "%s (%s)", what,
                 j->errbuf[0] ? j->errbuf : curl_easy_strerror(rc));
        retry = curl_transient(rc);
    } else if (!j->is_file && status != 200) {
        snprintf(reason, sizeof reason, "no HTTP status in the response");
    } else {
        if (check_content(j, status) != OS_OK) {
            unlink(j->tmp_path);
            return;
        }
        finish_success(j, opt, status, final_url);
        return;
    }
    unlink(j->tmp_path);
    if (retry && j->attempts <= opt->retries) {
        long long delay;
        if (j->retry_after >= 0) {
            delay = (long long)j->retry_after * 1000;
        } else {
            delay = backoff_base_ms();
            for (int k = 1; k < j->attempts && delay < BACKOFF_CAP_MS; k++)
                delay *= 2;
            if (delay > BACKOFF_CAP_MS)
                delay = BACKOFF_CAP_MS;
        }
        os_warning("%s: %s: %s; retrying in %.1f s (attempt %d of %d)", j->src,
                   j->req->url, reason, (double)delay / 1000.0, j->attempts + 1,
                   opt->retries + 1);
        j->ready_at = now_ms() + delay;
        j->state = JOB_WAITING;
        return;
    }
    job_fail_reason(j, code, reason);
}

/* Tells the caller's on_done that jobs[j] has its file; never fails. */
static void report_done(const fetch_job *j, const fetch_job *jobs, const fetch_options *opt)
{
    if (opt->on_done && !j->failed && j->out->ok)
        opt->on_done(opt->on_done_ctx, (size_t)(j - jobs), j->out);
}

/* How many of jobs are transferring from upstream host (a count). */
static int host_active(const fetch_job *jobs, size_t n, const char *host)
{
    int k = 0;
    for (size_t i = 0; i < n; i++)
        k += jobs[i].state == JOB_ACTIVE && !strcmp(jobs[i].host, host);
    return k;
}

/* Whether j, a waiting file:// job, is the local copy to start now: none
 * other is active, and none waiting and ready is larger (ties in request
 * order). A local copy waits on no network, so copies side by side only
 * slow each other down and delay every file's end; one at a time, largest
 * first, the longest parses (the O*NET excel zip's sheets) start soonest.
 * Cannot fail. */
static int next_local_copy(const fetch_job *jobs, size_t n, const fetch_job *j, long long now)
{
    for (size_t i = 0; i < n; i++) {
        const fetch_job *o = &jobs[i];
        if (o == j || !o->is_file)
            continue;
        if (o->state == JOB_ACTIVE)
            return 0;
        if (o->state == JOB_WAITING && o->ready_at <= now &&
            (o->file_size > j->file_size || (o->file_size == j->file_size && o < j)))
            return 0;
    }
    return 1;
}

/* Runs all waiting jobs through curl multi with at most max_parallel at
 * once; returns when every job is done (no handles or temp files left). */
static void run_transfers(fetch_job *jobs, size_t n, const fetch_options *opt,
                          const char *user_agent)
{
    size_t remaining = 0;
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state != JOB_DONE)
            remaining++;
    if (remaining == 0)
        return;
    CURLM *multi = curl_multi_init();
    if (!multi) {
        for (size_t i = 0; i < n; i++)
            if (jobs[i].state != JOB_DONE)
                job_fail(&jobs[i], OS_EFETCH, "%s: cannot create a libcurl multi handle",
                         jobs[i].src);
        return;
    }
    int max_par = opt->max_parallel > 0 ? opt->max_parallel : 1;
    /* politeness is owed to upstream hosts; a mirror is the user's own */
    int per_host = opt->mirror && *opt->mirror ? 0 : opt->max_per_host;
    int active = 0;
    while (remaining > 0) {
        long long now = now_ms();
        for (size_t i = 0; i < n && active < max_par; i++) {
            fetch_job *j = &jobs[i];
            if (j->state != JOB_WAITING || j->ready_at > now)
                continue;
            if (j->is_file && !next_local_copy(jobs, n, j, now))
                continue; /* another local copy first: see next_local_copy */
            if (opt->deadline_ms > 0 && now >= opt->deadline_ms) {
                job_fail(j, OS_EFETCH, "%s: %s not fetched: the run's deadline (deadline_s in "
                         "[occsnap]) passed", j->src, j->req->url);
                remaining--;
                continue;
            }
            if (per_host > 0 && host_active(jobs, n, j->host) >= per_host)
                continue; /* that upstream host has its share already */
            if (start_attempt(j, opt, multi, user_agent) == OS_OK)
                active++;
            else
                remaining--;
        }
        int running = 0;
        if (active > 0)
            curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            char *priv = NULL;
            CURLcode rc = m->data.result;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
            fetch_job *j = (fetch_job *)(void *)priv;
            active--;
            finish_attempt(j, opt, multi, rc);
            if (j->state == JOB_DONE) {
                remaining--;
                report_done(j, jobs, opt);
            }
        }
        if (remaining == 0)
            break;
        long long wait = 1000;
        now = now_ms();
        if (active < max_par) {
            for (size_t i = 0; i < n; i++) {
                if (jobs[i].state != JOB_WAITING)
                    continue;
                long long t = jobs[i].ready_at - now;
                if (t < wait)
                    wait = t < 0 ? 0 : t;
            }
        }
        if (active > 0)
            curl_multi_poll(multi, NULL, 0, (int)wait, NULL);
        else if (wait > 0)
            sleep_ms(wait);
    }
    curl_multi_cleanup(multi);
}

/* Reports the failure of jobs[i] as configured: stale cache kept (warning),
 * optional (warning) or required (returns its code after os_error). */
static int settle_failure(fetch_job *j, const fetch_options *opt)
{
    fetch_receipt *o = j->out;
    if (!opt->offline && opt->allow_stale && j->have_cache) {
        fetch_receipt r = j->cached;
        r.stale = 1;
        r.ok = 1;
        copy_str(r.from, sizeof r.from, "cache");
        if (fetch_receipt_write(j->receipt_path, &r) == OS_OK) {
            set_out(j, &r);
            os_warning("%s: keeping the cached copy of %s retrieved %s (stale): %s",
                       j->src, j->req->url, r.retrieved_at,
                       j->reason[0] ? j->reason : j->msg);
            return OS_OK;
        }
    }
    memset(o, 0, sizeof *o);
    copy_str(o->url, sizeof o->url, j->req->url);
    copy_str(o->fetched_url, sizeof o->fetched_url, j->fetched_url);
    copy_str(o->error, sizeof o->error, j->msg);
    o->ok = 0;
    if (j->req->optional) {
        os_warning("%s (optional source, continuing without it)", j->msg);
        return OS_OK;
    }
    return j->code ? j->code : OS_EFETCH;
}

/* Frees what a job owns (never the request or out); cannot fail. */
static void job_free(fetch_job *j)
{
    free(j->fetched_url);
    free(j->file_path);
    tmp_unregister(j->tmp_path);
    free(j->tmp_path);
    free(j->receipt_path);
}

/* Creates the directory holding path; returns an os_result (reported). */
static int make_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path)
        return OS_OK;
    char *dir = xstrndup(path, (size_t)(slash - path));
    int rc = mkdir_p(dir);
    free(dir);
    return rc;
}

/* Checks requests and options before any network use; returns OS_OK or
 * OS_ECONFIG (reported, out[bad].error filled). Maps URLs into jobs. */
static int prepare(const fetch_options *opt, const fetch_request *req, size_t n,
                   fetch_receipt *out, fetch_job *jobs)
{
    for (size_t i = 0; i < n; i++) {
        fetch_job *j = &jobs[i];
        j->req = &req[i];
        j->out = &out[i];
        j->src = req[i].source_id && *req[i].source_id ? req[i].source_id : "?";
        memset(&out[i], 0, sizeof out[i]);
        if (!req[i].url || !req[i].dest || !*req[i].dest)
            return os_error(OS_ECONFIG, "%s: fetch request without url or dest", j->src);
        copy_str(out[i].url, sizeof out[i].url, req[i].url);
        if (strlen(req[i].url) >= sizeof out[i].url)
            return os_error(OS_ECONFIG, "%s: URL is too long (%zu bytes)", j->src,
                            strlen(req[i].url));
        for (size_t k = 0; k < i; k++)
            if (strcmp(req[k].dest, req[i].dest) == 0)
                return os_error(OS_ECONFIG, "%s and %s both download into %s",
                                jobs[k].src, j->src, req[i].dest);
        j->fetched_url = fetch_map_url(opt->mirror, req[i].url);
        if (!j->fetched_url) {
            copy_str(out[i].error, sizeof out[i].error, os_last_error());
            return OS_ECONFIG;
        }
        if (strlen(j->fetched_url) >= sizeof out[i].fetched_url)
            return os_error(OS_ECONFIG, "%s: mirrored URL is too long: %s", j->src,
                            j->fetched_url);
        copy_str(out[i].fetched_url, sizeof out[i].fetched_url, j->fetched_url);
        j->is_file = str_starts_with_ci(j->fetched_url, "file://");
        if (j->is_file && !(j->file_path = fetch_file_url_path(j->fetched_url)))
            return os_error(OS_ECONFIG, "%s: cannot read the mirror path of %s", j->src,
                            j->fetched_url);
        struct stat st;
        j->file_size = j->is_file && stat(j->file_path, &st) == 0 ? (long long)st.st_size : -1;
        fetch_url_host(req[i].url, j->host);
        j->tmp_path = xasprintf("%s.part.%ld", req[i].dest, (long)getpid());
        tmp_register(j->tmp_path);
        j->receipt_path = fetch_receipt_path(req[i].dest);
        j->state = JOB_WAITING;
        if (!opt->offline && blank(opt->contact) && fetch_url_is_bls(j->fetched_url)) {
            int rc = os_error(OS_ECONFIG,
                              "%s: BLS refuses requests without a contact address, so "
                              "occsnap will not request %s; set contact = "
                              "you@example.org in [occsnap] of config/occsnap.ini, or "
                              "OCCSNAP_CONTACT", j->src, j->fetched_url);
            copy_str(out[i].error, sizeof out[i].error, os_last_error());
            return rc;
        }
    }
    return OS_OK;
}

/* Returns OS_OK or the first failed required request's os_result (all
 * failures reported); caller owns req and out, fetch_all frees its own state
 * and leaves no temp files. */
int fetch_all(const fetch_options *opt, const fetch_request *req, size_t n,
              fetch_receipt *out)
{
    if (!opt || (n > 0 && (!req || !out)))
        return os_error(OS_EUSAGE, "fetch_all: missing arguments");
    if (n == 0)
        return OS_OK;
    memset(out, 0, n * sizeof *out);
    fetch_job *jobs = xcalloc(n, sizeof *jobs);
    int rc = prepare(opt, req, n, out, jobs);
    if (rc == OS_OK && !opt->offline)
        rc = curl_init_once();
    if (rc != OS_OK)
        goto done;

    for (size_t i = 0; i < n; i++) {
        fetch_job *j = &jobs[i];
        j->max_bytes = opt->max_bytes;
        j->have_cache = fetch_receipt_cached(j->req->dest, j->receipt_path, j->req->url,
                                             &j->cached);
        if (opt->offline) {
            if (j->have_cache) {
                fetch_receipt r = j->cached;
                copy_str(r.from, sizeof r.from, "cache");
                set_out(j, &r);
                j->state = JOB_DONE;
                report_done(j, jobs, opt);
            } else {
                job_fail(j, OS_EFETCH, "%s: offline, and the cache has no copy of %s "
                         "(expected %s with a valid receipt)", j->src, j->req->url,
                         j->req->dest);
            }
            continue;
        }
        /* a directory mirror's file not rewritten since it was copied (same
           size, mtime and inode) is the cached copy: not copied, not hashed */
        char stamp[FILE_STAMP_MAX];
        if (j->is_file && j->have_cache && !strcmp(j->cached.fetched_url, j->fetched_url) &&
            j->cached.source_stat[0] && file_stamp(j->file_path, stamp) == 0 &&
            !strcmp(stamp, j->cached.source_stat)) {
            finish_not_modified(j, j->fetched_url);
            if (j->state == JOB_DONE)
                report_done(j, jobs, opt);
            continue;
        }
        if (make_parent(req[i].dest) != OS_OK)
            job_fail(j, OS_EIO, "%s: cannot create the directory for %s", j->src,
                     req[i].dest);
    }

    char *ua = fetch_user_agent(opt->user_agent, opt->contact);
    run_transfers(jobs, n, opt, ua);
    free(ua);

    int first = -1, failures = 0;
    for (size_t i = 0; i < n; i++) {
        if (!jobs[i].failed)
            continue;
        int code = settle_failure(&jobs[i], opt);
        if (code == OS_OK)
            continue;
        os_error(code, "%s", jobs[i].msg);
        failures++;
        if (first < 0) {
            first = (int)i;
            rc = code;
        }
    }
    if (failures > 1)
        os_error(rc, "%d required downloads failed; the first: %s", failures,
                 jobs[first].msg);
done:
    for (size_t i = 0; i < n; i++)
        job_free(&jobs[i]);
    free(jobs);
    return rc;
}
