/* test_fetch.c - fetch.c against a real HTTP server on 127.0.0.1 (in-test thread) and the file mirror. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/util.h"
#include "extract/fetch.h"
#include "extract/urlmap.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- canned bodies ---------------------------------------------------- */

static const char ZIP_BODY[] = "PK\x03\x04" "\x14\x00\x00\x00 fake zip payload for occsnap tests";
#define ZIP_LEN (sizeof ZIP_BODY - 1)
static const char ZIP2_BODY[] = "PK\x03\x04" "another archive, newer";
#define ZIP2_LEN (sizeof ZIP2_BODY - 1)
static const char HTML_BODY[] = "\r\n  <!DOCTYPE html>\n<html><body>Access Denied</body></html>\n";
static const char CSV_BODY[] = "a,b\n1,2\n";
static const char NUL_BODY[] = "a,b\n1,\0002\n";
#define NUL_LEN (sizeof NUL_BODY - 1)
static const char BOMHTML_BODY[] = "\xEF\xBB\xBF \n<!doctype HTML><html></html>";
#define ETAG_V1 "\"v1\""
#define LASTMOD "Wed, 21 Oct 2015 07:28:00 GMT"
#define BIG_LEN 300000
#define CAP 100000

/* ---- the test server ---------------------------------------------------- */

#define MAX_ROUTES 64
#define MAX_CONNS 512

typedef struct {
    int fd;
    int port;
    pthread_t thread;
    volatile int stop;
    pthread_mutex_t mu;
    struct {
        char name[64];
        int hits;
    } routes[MAX_ROUTES];
    int nroutes;
    int total;
    int active, max_active;
    int sent_304;
    char last_ua[256];
    char last_inm[256];
    char last_path[512];
    pthread_t conns[MAX_CONNS];
    int nconns;
} test_server;

static test_server srv;

/* Counts a hit on route name under the lock; returns the hit number (1-based). */
static int server_hit(const char *name)
{
    int n = 0;
    pthread_mutex_lock(&srv.mu);
    srv.total++;
    for (int i = 0; i < srv.nroutes; i++)
        if (strcmp(srv.routes[i].name, name) == 0) {
            n = ++srv.routes[i].hits;
            break;
        }
    if (n == 0 && srv.nroutes < MAX_ROUTES) {
        snprintf(srv.routes[srv.nroutes].name, sizeof srv.routes[0].name, "%s", name);
        n = srv.routes[srv.nroutes++].hits = 1;
    }
    pthread_mutex_unlock(&srv.mu);
    return n;
}

/* Hits recorded for a route so far. */
static int hits(const char *name)
{
    int n = 0;
    pthread_mutex_lock(&srv.mu);
    for (int i = 0; i < srv.nroutes; i++)
        if (strcmp(srv.routes[i].name, name) == 0)
            n = srv.routes[i].hits;
    pthread_mutex_unlock(&srv.mu);
    return n;
}

/* Forgets all counters (start of each test). */
static void server_reset(void)
{
    pthread_mutex_lock(&srv.mu);
    srv.nroutes = 0;
    srv.total = 0;
    srv.active = srv.max_active = 0;
    srv.sent_304 = 0;
    srv.last_ua[0] = srv.last_inm[0] = srv.last_path[0] = '\0';
    pthread_mutex_unlock(&srv.mu);
}

/* Sends all of buf; returns -1 when the client went away. */
static int send_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len > 0) {
        ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Sends a full response with Connection: close. */
static void respond(int fd, int status, const char *extra, const void *body,
                    size_t len, int with_length)
{
    char head[1024];
    const char *text = status == 200 ? "OK" : status == 304 ? "Not Modified"
                     : status == 302 ? "Found" : status == 404 ? "Not Found"
                     : status == 429 ? "Too Many Requests" : "Server Error";
    int n = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nConnection: close\r\n%s",
                     status, text, extra ? extra : "");
    if (with_length)
        n += snprintf(head + n, sizeof head - (size_t)n, "Content-Length: %zu\r\n", len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if (send_all(fd, head, (size_t)n) == 0 && len > 0)
        send_all(fd, body, len);
}

/* Waits up to ms for the client to close (or the server to stop). */
static void linger_ms(int fd, int ms)
{
    for (int waited = 0; waited < ms && !srv.stop; waited += 50) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            char c;
            if (recv(fd, &c, 1, 0) <= 0)
                return;
        }
    }
}

/* Copies header name's value from the raw request into out. */
static void req_header(const char *req, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    size_t nl = strlen(name);
    for (const char *p = strstr(req, "\r\n"); p; p = strstr(p + 2, "\r\n")) {
        if (strncasecmp(p + 2, name, nl) == 0 && p[2 + nl] == ':') {
            const char *v = p + 3 + nl;
            while (*v == ' ')
                v++;
            size_t l = strcspn(v, "\r\n");
            snprintf(out, cap, "%.*s", (int)(l < cap ? l : cap - 1), v);
            return;
        }
    }
}

/* Serves one connection: one request, canned response by last path segment. */
static void *serve_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char req[8192];
    size_t n = 0;
    while (n < sizeof req - 1) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 2000) <= 0)
            break;
        ssize_t r = recv(fd, req + n, sizeof req - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[n] = '\0';
    char path[512] = "";
    sscanf(req, "%*s %511s", path);
    char ua[256], inm[256];
    req_header(req, "User-Agent", ua, sizeof ua);
    req_header(req, "If-None-Match", inm, sizeof inm);
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    char route[64];
    snprintf(route, sizeof route, "%.*s", (int)strcspn(name, "?"), name);

    pthread_mutex_lock(&srv.mu);
    snprintf(srv.last_ua, sizeof srv.last_ua, "%s", ua);
    snprintf(srv.last_inm, sizeof srv.last_inm, "%s", inm);
    snprintf(srv.last_path, sizeof srv.last_path, "%s", path);
    if (++srv.active > srv.max_active)
        srv.max_active = srv.active;
    pthread_mutex_unlock(&srv.mu);
    int hit = server_hit(route);

    const char *tags = "ETag: " ETAG_V1 "\r\nLast-Modified: " LASTMOD "\r\n";
    if (!strcmp(route, "ok.zip")) {
        if (!strcmp(inm, ETAG_V1)) {
            pthread_mutex_lock(&srv.mu);
            srv.sent_304++;
            pthread_mutex_unlock(&srv.mu);
            respond(fd, 304, tags, NULL, 0, 0);
        } else {
            respond(fd, 200, tags, ZIP_BODY, ZIP_LEN, 1);
        }
    } else if (!strcmp(route, "other.zip")) {
        respond(fd, 200, NULL, ZIP2_BODY, ZIP2_LEN, 1);
    } else if (!strcmp(route, "page.zip") || !strcmp(route, "page.csv")) {
        respond(fd, 200, "Content-Type: text/html\r\n", HTML_BODY, strlen(HTML_BODY), 1);
    } else if (!strcmp(route, "flaky.zip")) {
        if (hit == 1)
            respond(fd, 500, NULL, "oops", 4, 1);
        else
            respond(fd, 200, NULL, ZIP_BODY, ZIP_LEN, 1);
    } else if (!strcmp(route, "busy.zip")) {
        if (hit == 1)
            respond(fd, 429, "Retry-After: 1\r\n", "slow down", 9, 1);
        else
            respond(fd, 200, NULL, ZIP_BODY, ZIP_LEN, 1);
    } else if (!strcmp(route, "always500.zip")) {
        respond(fd, 503, NULL, "down", 4, 1);
    } else if (!strcmp(route, "big.zip") || !strcmp(route, "bignolen.zip")) {
        char *big = malloc(BIG_LEN);
        memset(big, 'x', BIG_LEN);
        memcpy(big, "PK\x03\x04", 4);
        respond(fd, 200, NULL, big, BIG_LEN, !strcmp(route, "big.zip"));
        free(big);
    } else if (!strcmp(route, "redirect.zip")) {
        respond(fd, 302, "Location: /moved/ok.zip\r\n", NULL, 0, 1);
    } else if (!strcmp(route, "redirfile.zip")) {
        respond(fd, 302, "Location: file:///etc/passwd\r\n", NULL, 0, 1);
    } else if (!strcmp(route, "slow.zip")) {
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nPK\x03\x04", 44);
        linger_ms(fd, 8000);
    } else if (!strncmp(route, "delay", 5)) {
        struct timespec ts = {0, 200 * 1000000L};
        nanosleep(&ts, NULL);
        respond(fd, 200, NULL, ZIP_BODY, ZIP_LEN, 1);
    } else if (!strcmp(route, "reset.zip")) {
        struct linger lg = {1, 0}; /* close with a TCP reset, no response */
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    } else if (!strcmp(route, "stall.zip")) {
        /* the headers and 4 bytes, then silence: a stall, not a slow server */
        send_all(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nPK\x03\x04", 44);
        linger_ms(fd, 6000);
    } else if (!strcmp(route, "trickle.zip")) {
        /* slow but moving: a byte every 100 ms is no stall */
        char head[128];
        int hn = snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n",
                          (size_t)ZIP_LEN);
        send_all(fd, head, (size_t)hn);
        for (size_t k = 0; k < ZIP_LEN; k++) {
            struct timespec ts = {0, 100 * 1000000L};
            if (k % 4 == 0)
                nanosleep(&ts, NULL);
            if (send_all(fd, ZIP_BODY + k, 1))
                break;
        }
    } else if (!strcmp(route, "tobls.zip")) {
        respond(fd, 302, "Location: https://www.bls.gov/oes/special-requests/x.zip\r\n", NULL, 0, 1);
    } else if (!strcmp(route, "loop.zip")) {
        respond(fd, 302, "Location: /loop.zip\r\n", NULL, 0, 1);
    } else if (!strcmp(route, "short.zip")) {
        /* promises 100 bytes, sends 20, closes */
        static const char SHORT[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nPK\x03\x04 sixteen more b";
        send_all(fd, SHORT, sizeof SHORT - 1);
    } else if (!strcmp(route, "gzip.zip")) {
        static const char NOT_GZIP[] = "\x1f\x8b not really gzip";
        respond(fd, 200, "Content-Encoding: gzip\r\n", NOT_GZIP, sizeof NOT_GZIP - 1, 1);
    } else if (!strcmp(route, "nodoctype.csv")) {
        static const char PAGE[] = "<html><head><title>Error</title></head><body>busy</body></html>\n";
        respond(fd, 200, NULL, PAGE, sizeof PAGE - 1, 1);
    } else if (!strcmp(route, "data.csv")) {
        respond(fd, 200, NULL, CSV_BODY, strlen(CSV_BODY), 1);
    } else if (!strcmp(route, "nul.csv")) {
        respond(fd, 200, NULL, NUL_BODY, NUL_LEN, 1);
    } else if (!strcmp(route, "bomhtml.csv")) {
        respond(fd, 200, NULL, BOMHTML_BODY, strlen(BOMHTML_BODY), 1);
    } else {
        respond(fd, 404, "Content-Type: text/html\r\n", "<html>not found</html>", 22, 1);
    }
    /* answered: no longer active, though the connection lingers below (the
       client may start its next request before this one closes) */
    pthread_mutex_lock(&srv.mu);
    srv.active--;
    pthread_mutex_unlock(&srv.mu);
    shutdown(fd, SHUT_WR);
    linger_ms(fd, 1000);
    close(fd);
    return NULL;
}

/* Accept loop: one joinable thread per connection until srv.stop. */
static void *accept_loop(void *arg)
{
    (void)arg;
    while (!srv.stop) {
        struct pollfd p = {srv.fd, POLLIN, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(srv.fd, NULL, NULL);
        if (c < 0)
            continue;
        pthread_mutex_lock(&srv.mu);
        int room = srv.nconns < MAX_CONNS;
        pthread_mutex_unlock(&srv.mu);
        pthread_t t;
        if (!room || pthread_create(&t, NULL, serve_conn, (void *)(intptr_t)c) != 0) {
            close(c);
            continue;
        }
        pthread_mutex_lock(&srv.mu);
        srv.conns[srv.nconns++] = t;
        pthread_mutex_unlock(&srv.mu);
    }
    return NULL;
}

/* Starts the server on an ephemeral loopback port; returns 0 or -1. */
static int server_start(void)
{
    memset(&srv, 0, sizeof srv);
    pthread_mutex_init(&srv.mu, NULL);
    srv.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (srv.fd < 0)
        return -1;
    int one = 1;
    setsockopt(srv.fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t alen = sizeof a;
    if (bind(srv.fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(srv.fd, 64) != 0 ||
        getsockname(srv.fd, (struct sockaddr *)&a, &alen) != 0) {
        close(srv.fd);
        return -1;
    }
    srv.port = ntohs(a.sin_port);
    if (pthread_create(&srv.thread, NULL, accept_loop, NULL) != 0) {
        close(srv.fd);
        return -1;
    }
    return 0;
}

/* Stops the accept loop and joins every connection thread. */
static void server_stop(void)
{
    srv.stop = 1;
    pthread_join(srv.thread, NULL);
    for (int i = 0; i < srv.nconns; i++)
        pthread_join(srv.conns[i], NULL);
    close(srv.fd);
    pthread_mutex_destroy(&srv.mu);
}

/* ---- helpers ------------------------------------------------------------ */

static char tdir[PATH_MAX];

/* Path inside this test's temp dir; caller frees. */
static char *tpath(const char *name)
{
    return xasprintf("%s/%s", tdir, name);
}

/* URL on the test server; caller frees. */
static char *surl(const char *name)
{
    return xasprintf("http://127.0.0.1:%d/%s", srv.port, name);
}

/* Default options for tests: loopback server, small cap, no retries. */
static fetch_options opts(void)
{
    fetch_options o;
    memset(&o, 0, sizeof o);
    o.user_agent = "occsnap-test/0";
    o.contact = "test@example.org";
    o.max_bytes = CAP;
    o.connect_timeout_s = 5;
    o.timeout_s = 10;
    o.max_parallel = 4;
    return o;
}

/* Number of files under dir whose name contains ".part." or ".tmp.". */
static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *p = xasprintf("%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            n += count_temps(p);
        else if (strstr(e->d_name, ".part.") || strstr(e->d_name, ".tmp."))
            n++;
        free(p);
    }
    closedir(d);
    return n;
}

/* Whole file as a malloc'd string (NULL if missing); caller frees. */
static char *slurp(const char *path, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    int saved = os_quiet;
    os_quiet = 1;
    int rc = read_file(path, 1 << 26, &buf, &n);
    os_quiet = saved;
    if (rc != OS_OK)
        return NULL;
    if (len)
        *len = n;
    return buf;
}

/* Fetches one request with o; returns fetch_all's result. */
static int fetch_one(const fetch_options *o, const char *src, const char *url,
                     const char *dest, enum fetch_expect ex, fetch_receipt *r)
{
    fetch_request q = {src, url, dest, ex, 0};
    return fetch_all(o, &q, 1, r);
}


/* The shared mirror dir (env OCCSNAP_TEST_MIRROR or ../shared/mirror), or
 * NULL after skipping (fails instead when CI=true). */
static const char *mirror_or_skip(void)
{
    const char *m = getenv("OCCSNAP_TEST_MIRROR");
    if (!m || !*m)
        m = "../shared/mirror";
    struct stat st;
    if (stat(m, &st) == 0 && S_ISDIR(st.st_mode))
        return m;
    const char *ci = getenv("CI");
    if (ci && !strcmp(ci, "true"))
        fail_msg("mirror %s is missing (CI=true)", m);
    return NULL;
}

/* ---- fixtures ----------------------------------------------------------- */

/* Starts the server, makes retries fast, silences messages; fails if the server cannot listen. */
static int group_setup(void **state)
{
    (void)state;
    setenv("OCCSNAP_FETCH_BACKOFF_MS", "10", 1);
    os_quiet = 1;
    return server_start();
}

/* Stops the server and joins its threads. */
static int group_teardown(void **state)
{
    (void)state;
    server_stop();
    return 0;
}

/* Makes a fresh temp dir (fails if it cannot) and resets server counters. */
static int test_setup(void **state)
{
    (void)state;
    snprintf(tdir, sizeof tdir, "/tmp/occsnap_fetch_XXXXXX");
    if (!mkdtemp(tdir))
        return -1;
    server_reset();
    return 0;
}

/* Removes the temp dir. */
static int test_teardown(void **state)
{
    (void)state;
    rm_rf(tdir);
    return 0;
}

/* ---- tests -------------------------------------------------------------- */

/* A good zip download: file, sha256, receipt fields in memory and on disk. */
static void test_zip_ok_and_receipt(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *url = surl("ok.zip");
    char *dest = tpath("cache/raw/oews/ok.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    char want[65];
    sha256_buffer(ZIP_BODY, ZIP_LEN, want);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.sha256, want);
    assert_int_equal(r.bytes, (long long)ZIP_LEN);
    assert_string_equal(r.url, url);
    assert_string_equal(r.fetched_url, url);
    assert_string_equal(r.final_url, url);
    assert_string_equal(r.from, "network");
    assert_string_equal(r.etag, ETAG_V1);
    assert_string_equal(r.last_modified, LASTMOD);
    assert_int_equal(strlen(r.retrieved_at), 20);
    assert_int_equal(r.stale, 0);

    size_t len = 0;
    char *body = slurp(dest, &len);
    assert_non_null(body);
    assert_int_equal(len, ZIP_LEN);
    assert_memory_equal(body, ZIP_BODY, ZIP_LEN);
    free(body);
    char hex[65];
    assert_int_equal(sha256_file(dest, hex, NULL), OS_OK);
    assert_string_equal(hex, want);

    /* the receipt on disk says the same */
    char *rp = xasprintf("%s.receipt.json", dest);
    fetch_receipt back;
    assert_int_equal(fetch_receipt_load(rp, &back), OS_OK);
    assert_string_equal(back.url, url);
    assert_string_equal(back.fetched_url, url);
    assert_string_equal(back.final_url, url);
    assert_int_equal(back.status, 200);
    assert_string_equal(back.etag, ETAG_V1);
    assert_string_equal(back.last_modified, LASTMOD);
    assert_string_equal(back.retrieved_at, r.retrieved_at);
    assert_int_equal(back.bytes, (long long)ZIP_LEN);
    assert_string_equal(back.sha256, want);
    assert_string_equal(back.from, "network");
    assert_int_equal(back.stale, 0);
    assert_int_equal(back.ok, 1);
    char *json = slurp(rp, NULL);
    assert_non_null(json);
    const char *keys[] = {"\"url\"", "\"fetched_url\"", "\"final_url\"", "\"status\"",
                          "\"etag\"", "\"last_modified\"", "\"retrieved_at\"",
                          "\"bytes\"", "\"sha256\"", "\"from\"", "\"stale\""};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        assert_non_null(strstr(json, keys[i]));
    free(json);
    free(rp);
    assert_int_equal(count_temps(tdir), 0);
    /* the User-Agent carries the contact */
    assert_string_equal(srv.last_ua, "occsnap-test/0 (+test@example.org)");
    free(dest);
    free(url);
}

/* A loopback http mirror for a bls.gov URL needs no contact; from = mirror. */
static void test_http_mirror_not_bls(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *mirror = xasprintf("http://127.0.0.1:%d/", srv.port);
    o.mirror = mirror;
    o.contact = NULL; /* the mirror is not bls.gov, so no contact needed */
    char *dest = tpath("oesm.zip");
    fetch_receipt r;
    const char *url = "https://www.bls.gov/oes/special-requests/ok.zip";
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_string_equal(r.from, "mirror");
    assert_string_equal(r.url, url);
    char *want = xasprintf("http://127.0.0.1:%d/www.bls.gov/oes/special-requests/ok.zip",
                           srv.port);
    assert_string_equal(r.fetched_url, want);
    assert_string_equal(srv.last_path, "/www.bls.gov/oes/special-requests/ok.zip");
    assert_string_equal(srv.last_ua, "occsnap-test/0");
    free(want);
    free(dest);
    free(mirror);
}

/* An HTML page where a zip is expected fails and leaves the old copy and receipt alone. */
static void test_html_instead_of_zip(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *good = surl("ok.zip");
    char *bad = surl("page.zip");
    char *dest = tpath("oesm24nat.zip");
    char *rp = xasprintf("%s.receipt.json", dest);
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "oews", good, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    char *receipt_before = slurp(rp, NULL);
    assert_non_null(receipt_before);

    /* a different URL into the same dest: HTML served */
    assert_int_equal(fetch_one(&o, "oews", bad, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    char *want = xasprintf("oews: %s served an HTML page (status 200), not a zip archive",
                           bad);
    assert_non_null(strstr(os_last_error(), want));
    assert_int_equal(r.ok, 0);
    size_t len;
    char *body = slurp(dest, &len);
    assert_non_null(body);
    assert_int_equal(len, ZIP_LEN);
    assert_memory_equal(body, ZIP_BODY, ZIP_LEN);
    char *receipt_after = slurp(rp, NULL);
    assert_string_equal(receipt_after, receipt_before);
    assert_int_equal(count_temps(tdir), 0);
    free(receipt_after);
    free(receipt_before);
    free(body);
    free(want);
    free(rp);
    free(dest);
    free(bad);
    free(good);
}

/* A 404 is reported as "HTTP 404", not retried, and leaves nothing behind. */
static void test_404(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.retries = 3; /* 404 is not retried */
    char *url = surl("missing.zip");
    char *dest = tpath("x/missing.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "onet", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "HTTP 404"));
    assert_non_null(strstr(os_last_error(), "onet"));
    assert_non_null(strstr(os_last_error(), url));
    assert_int_equal(hits("missing.zip"), 1);
    assert_int_equal(r.ok, 0);
    assert_false(path_exists(dest));
    char *rp = xasprintf("%s.receipt.json", dest);
    assert_false(path_exists(rp));
    assert_int_equal(count_temps(tdir), 0);
    free(rp);
    free(dest);
    free(url);
}

/* 5xx is retried up to opt->retries times, then reported with the attempt count. */
static void test_retry_after_500(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.retries = 2;
    char *url = surl("flaky.zip");
    char *dest = tpath("flaky.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_int_equal(hits("flaky.zip"), 2);
    assert_int_equal(r.status, 200);
    free(dest);
    free(url);

    /* without retries the 500 is final */
    server_reset();
    o.retries = 0;
    url = surl("flaky.zip");
    dest = tpath("flaky2.zip");
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "HTTP 500"));
    assert_int_equal(hits("flaky.zip"), 1);
    free(dest);
    free(url);

    /* 5xx every time: retries + 1 attempts, then an error saying so */
    o.retries = 2;
    url = surl("always500.zip");
    dest = tpath("down.zip");
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "HTTP 503 after 3 attempts"));
    assert_int_equal(hits("always500.zip"), 3);
    assert_int_equal(count_temps(tdir), 0);
    free(dest);
    free(url);
}

/* A 429 with Retry-After: 1 waits about a second before retrying. */
static void test_retry_after_header(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.retries = 1;
    char *url = surl("busy.zip");
    char *dest = tpath("busy.zip");
    fetch_receipt r;
    long long t0 = mono_ms();
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    long long dt = mono_ms() - t0;
    assert_int_equal(hits("busy.zip"), 2);
    assert_true(dt >= 900); /* Retry-After: 1 beats the 10 ms test backoff */
    free(dest);
    free(url);
}

/* Bodies over max_bytes fail with or without a Content-Length. */
static void test_size_cap(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.retries = 2; /* too big is not retried */
    const char *names[] = {"big.zip", "bignolen.zip"};
    for (int i = 0; i < 2; i++) {
        char *url = surl(names[i]);
        char *dest = tpath(names[i]);
        fetch_receipt r;
        assert_int_equal(fetch_one(&o, "big", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
        assert_non_null(strstr(os_last_error(), "100000-byte limit"));
        assert_int_equal(hits(names[i]), 1);
        assert_false(path_exists(dest));
        free(dest);
        free(url);
    }
    assert_int_equal(count_temps(tdir), 0);
    /* a cap above the size lets it through */
    o.max_bytes = BIG_LEN;
    char *url = surl("bignolen.zip");
    char *dest = tpath("ok-big.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "big", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_int_equal(r.bytes, BIG_LEN);
    free(dest);
    free(url);
}

/* A valid cached copy sends If-None-Match; 304 keeps it with from = cache. */
static void test_conditional_304(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *url = surl("ok.zip");
    char *dest = tpath("ok.zip");
    char *rp = xasprintf("%s.receipt.json", dest);
    fetch_receipt r1, r2;
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r1), OS_OK);
    assert_string_equal(srv.last_inm, "");
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r2), OS_OK);
    assert_string_equal(srv.last_inm, ETAG_V1);
    assert_int_equal(srv.sent_304, 1);
    assert_int_equal(r2.status, 304);
    assert_string_equal(r2.from, "cache");
    assert_string_equal(r2.sha256, r1.sha256);
    assert_int_equal(r2.bytes, r1.bytes);
    assert_int_equal(r2.ok, 1);
    fetch_receipt disk;
    assert_int_equal(fetch_receipt_load(rp, &disk), OS_OK);
    assert_int_equal(disk.status, 304);
    assert_string_equal(disk.from, "cache");
    assert_string_equal(disk.sha256, r1.sha256);
    size_t len;
    char *body = slurp(dest, &len);
    assert_int_equal(len, ZIP_LEN);
    free(body);

    /* the file changed on disk: receipt no longer matches, so no condition */
    assert_int_equal(write_file_atomic(dest, "PK\x03\x04tampered", 12), OS_OK);
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r2), OS_OK);
    assert_string_equal(srv.last_inm, "");
    assert_int_equal(r2.status, 200);
    assert_string_equal(r2.from, "network");
    assert_string_equal(r2.sha256, r1.sha256);
    assert_int_equal(count_temps(tdir), 0);
    free(rp);
    free(dest);
    free(url);
}

/* Offline serves only valid cached copies and never touches the network. */
static void test_offline(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.offline = 1;
    char *url = surl("ok.zip");
    char *dest = tpath("ok.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "oews"));
    assert_non_null(strstr(os_last_error(), "cache has no copy"));
    assert_int_equal(srv.total, 0);

    /* optional: a warning, ok=0, error filled, overall OK */
    fetch_request q = {"aioe", url, dest, FETCH_EXPECT_ZIP, 1};
    assert_int_equal(fetch_all(&o, &q, 1, &r), OS_OK);
    assert_int_equal(r.ok, 0);
    assert_non_null(strstr(r.error, "cache has no copy"));

    /* once cached, offline works without the network */
    o.offline = 0;
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    server_reset();
    o.offline = 1;
    o.contact = NULL; /* offline never calls bls.gov either */
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_int_equal(srv.total, 0);
    assert_int_equal(r.ok, 1);
    assert_string_equal(r.from, "cache");
    char want[65];
    sha256_buffer(ZIP_BODY, ZIP_LEN, want);
    assert_string_equal(r.sha256, want);
    free(dest);
    free(url);
}

/* allow_stale keeps the last good copy (stale = 1) when a download fails. */
static void test_allow_stale(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *url = surl("flaky.zip");
    char *dest = tpath("flaky.zip");
    char *rp = xasprintf("%s.receipt.json", dest);
    fetch_receipt r;
    /* hit 1 is a 500, hit 2 the zip: prime the cache with one retry */
    o.retries = 1;
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    char sha[65];
    snprintf(sha, sizeof sha, "%s", r.sha256);
    char retrieved[32];
    snprintf(retrieved, sizeof retrieved, "%s", r.retrieved_at);

    /* the next download of the same URL fails (body over a tiny size cap) */
    o.retries = 0;
    o.max_bytes = 4; /* smaller than the body: the download fails */
    o.allow_stale = 1;
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_int_equal(r.ok, 1);
    assert_int_equal(r.stale, 1);
    assert_string_equal(r.from, "cache");
    assert_string_equal(r.sha256, sha);
    assert_string_equal(r.retrieved_at, retrieved);
    fetch_receipt disk;
    assert_int_equal(fetch_receipt_load(rp, &disk), OS_OK);
    assert_int_equal(disk.stale, 1);
    assert_string_equal(disk.from, "cache");
    char hex[65];
    assert_int_equal(sha256_file(dest, hex, NULL), OS_OK);
    assert_string_equal(hex, sha);

    /* without allow_stale the same failure is an error, file untouched */
    o.allow_stale = 0;
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_int_equal(sha256_file(dest, hex, NULL), OS_OK);
    assert_string_equal(hex, sha);
    assert_int_equal(count_temps(tdir), 0);

    /* allow_stale without any cached copy still fails */
    o.allow_stale = 1;
    char *missing = surl("missing.zip");
    char *dest2 = tpath("none.zip");
    assert_int_equal(fetch_one(&o, "src", missing, dest2, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "HTTP 404"));
    free(dest2);
    free(missing);
    free(rp);
    free(dest);
    free(url);
}

/* bls.gov without a contact is OS_ECONFIG before any request of the batch. */
static void test_bls_refused_without_contact(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *local = surl("ok.zip");
    char *d1 = tpath("a.zip");
    char *d2 = tpath("b.zip");
    const char *contacts[] = {NULL, "", "  "};
    const char *bls[] = {"https://www.bls.gov/x.zip", "https://download.BLS.gov./y.zip",
                         "http://user@bls.gov:443/z.zip"};
    for (int i = 0; i < 3; i++) {
        o.contact = contacts[i];
        fetch_request q[2] = {{"local", local, d1, FETCH_EXPECT_ZIP, 0},
                              {"oews", bls[i], d2, FETCH_EXPECT_ZIP, 1}};
        fetch_receipt r[2];
        long long t0 = mono_ms();
        assert_int_equal(fetch_all(&o, q, 2, r), OS_ECONFIG);
        assert_true(mono_ms() - t0 < 1000);
        const char *e = os_last_error();
        assert_non_null(strstr(e, "BLS refuses requests without a contact"));
        assert_non_null(strstr(e, "set contact = you@example.org in [occsnap] of "
                                  "config/occsnap.ini, or OCCSNAP_CONTACT"));
        assert_non_null(strstr(r[1].error, "BLS"));
    }
    /* nothing at all was requested, not even the loopback file */
    assert_int_equal(srv.total, 0);
    assert_false(path_exists(d1));
    free(d2);
    free(d1);
    free(local);
}

/* Redirects are followed over http, and a redirect to file:// is refused. */
static void test_redirects(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *url = surl("redirect.zip");
    char *dest = tpath("r.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    char *want = xasprintf("http://127.0.0.1:%d/moved/ok.zip", srv.port);
    assert_string_equal(r.final_url, want);
    assert_string_equal(r.fetched_url, url);
    assert_int_equal(r.status, 200);
    free(want);
    free(dest);
    free(url);

    /* a redirect to file:// is refused */
    url = surl("redirfile.zip");
    dest = tpath("rf.zip");
    assert_int_equal(fetch_one(&o, "src", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_false(path_exists(dest));
    assert_int_equal(count_temps(tdir), 0);
    free(dest);
    free(url);
}

/* A stalled response hits the whole-transfer timeout and says "timeout". */
static void test_timeout(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.timeout_s = 1;
    char *url = surl("slow.zip");
    char *dest = tpath("slow.zip");
    fetch_receipt r;
    long long t0 = mono_ms();
    assert_int_equal(fetch_one(&o, "slow", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_true(mono_ms() - t0 < 5000);
    assert_non_null(strstr(os_last_error(), "timeout"));
    assert_false(path_exists(dest));
    assert_int_equal(count_temps(tdir), 0);
    free(dest);
    free(url);
}

/* A redirect to bls.gov without a contact is refused before any request
 * goes there (and says how to set one); with a contact it is followed (and
 * here fails to resolve: no network). */
static void test_redirect_to_bls(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.contact = "";
    o.retries = 0;
    char *url = surl("tobls.zip");
    char *dest = tpath("tobls.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "redir", url, dest, FETCH_EXPECT_ZIP, &r), OS_ECONFIG);
    assert_non_null(strstr(os_last_error(), "redirects to bls.gov, which refuses requests"));
    o.contact = "test@example.org";
    os_error(OS_OK, "(none)");
    assert_int_equal(fetch_one(&o, "redir", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_null(strstr(os_last_error(), "redirects to bls.gov"));
    assert_int_equal(count_temps(tdir), 0);
    free(dest);
    free(url);
}

/* The faults a server can show (tests/unit/test_fetch.c's server routes),
 * each with the result it must give and a fixed part of the message; a new
 * fault is a route above and a line here. */
static const struct {
    const char *route;
    enum fetch_expect expect;
    int rc;            /* OS_OK: it downloads */
    const char *msg;   /* held by the message (NULL: none checked) */
    long stall_s;
} FAULTS[] = {
    {"reset.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "reset.zip", 0},
    {"stall.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "stall.zip", 1},
    {"trickle.zip", FETCH_EXPECT_ZIP, OS_OK, NULL, 1},
    {"loop.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "redirect", 0},
    {"short.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "short.zip", 0},
    {"gzip.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "gzip.zip", 0},
    {"nodoctype.csv", FETCH_EXPECT_TEXT, OS_EFETCH, "served an HTML page", 0},
    {"always500.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "503", 0},
    {"missing.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "404", 0},
    {"big.zip", FETCH_EXPECT_ZIP, OS_EFETCH, "larger than the 100000-byte limit", 0},
};

/* Every fault: the result and message it must give, no temporary file left,
 * and a stall ended by stall_s, well before the server gives up (6 s). */
static void test_faults(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof FAULTS / sizeof *FAULTS; k++) {
        fetch_options o = opts();
        o.stall_s = FAULTS[k].stall_s;
        o.retries = 0;
        o.max_bytes = CAP;
        char *url = surl(FAULTS[k].route);
        char *dest = tpath(FAULTS[k].route);
        fetch_receipt r;
        os_error(OS_OK, "(none)");
        long long t0 = mono_ms();
        int rc = fetch_one(&o, "fault", url, dest, FAULTS[k].expect, &r);
        long long took = mono_ms() - t0;
        if (rc != FAULTS[k].rc || (FAULTS[k].msg && !strstr(os_last_error(), FAULTS[k].msg)))
            fail_msg("%s: rc %d (want %d), message: %s", FAULTS[k].route, rc, FAULTS[k].rc,
                     os_last_error());
        if (FAULTS[k].stall_s && took > 4000)
            fail_msg("%s: took %lld ms with stall_s %ld", FAULTS[k].route, took,
                     FAULTS[k].stall_s);
        assert_int_equal(count_temps(tdir), 0);
        free(dest);
        free(url);
    }
}

/* Text files: NUL bytes and HTML pages (BOM, blanks, any case) are refused. */
static void test_text_checks(void **state)
{
    (void)state;
    fetch_options o = opts();
    fetch_receipt r;
    char *url = surl("data.csv");
    char *dest = tpath("data.csv");
    assert_int_equal(fetch_one(&o, "t", url, dest, FETCH_EXPECT_TEXT, &r), OS_OK);
    assert_int_equal(r.bytes, (long long)strlen(CSV_BODY));
    free(dest);
    free(url);

    const char *bad[] = {"nul.csv", "page.csv", "bomhtml.csv"};
    const char *why[] = {"NUL", "HTML page", "HTML page"};
    for (int i = 0; i < 3; i++) {
        url = surl(bad[i]);
        dest = tpath(bad[i]);
        assert_int_equal(fetch_one(&o, "t", url, dest, FETCH_EXPECT_TEXT, &r), OS_EFETCH);
        assert_non_null(strstr(os_last_error(), why[i]));
        assert_false(path_exists(dest));
        free(dest);
        free(url);
    }
    /* a zip expected, text served */
    url = surl("data.csv");
    dest = tpath("notzip.zip");
    assert_int_equal(fetch_one(&o, "t", url, dest, FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "not a zip archive"));
    assert_int_equal(count_temps(tdir), 0);
    free(dest);
    free(url);
}

/* Optional failures are warnings; several required failures return the first code. */
static void test_optional_and_required_mix(void **state)
{
    (void)state;
    fetch_options o = opts();
    char *u1 = surl("missing.zip"), *u2 = surl("ok.zip"), *u3 = surl("page.zip");
    char *d1 = tpath("1.zip"), *d2 = tpath("2.zip"), *d3 = tpath("3.zip");
    fetch_request q[3] = {{"opt", u1, d1, FETCH_EXPECT_ZIP, 1},
                          {"req", u2, d2, FETCH_EXPECT_ZIP, 0},
                          {"opt2", u3, d3, FETCH_EXPECT_ZIP, 1}};
    fetch_receipt r[3];
    assert_int_equal(fetch_all(&o, q, 3, r), OS_OK);
    assert_int_equal(r[0].ok, 0);
    assert_non_null(strstr(r[0].error, "HTTP 404"));
    assert_int_equal(r[1].ok, 1);
    assert_int_equal(r[2].ok, 0);
    assert_non_null(strstr(r[2].error, "HTML"));
    assert_true(path_exists(d2));

    /* two required failures: the first one's code, all transfers finished */
    q[0].optional = q[2].optional = 0;
    assert_int_equal(fetch_all(&o, q, 3, r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "2 required downloads failed"));
    assert_non_null(strstr(os_last_error(), "HTTP 404"));
    assert_int_equal(r[1].ok, 1);
    assert_int_equal(count_temps(tdir), 0);
    free(d3), free(d2), free(d1);
    free(u3), free(u2), free(u1);
}

/* Fetches six slow files (delay<i>.zip) with o and checks that all came and
 * that at most `most` reached the server at once. */
static void fetch_six_slow(const fetch_options *o, int most)
{
    enum { N = 6 };
    fetch_request q[N];
    fetch_receipt r[N];
    char *urls[N], *dests[N];
    for (int i = 0; i < N; i++) {
        char name[32];
        snprintf(name, sizeof name, "delay%d.zip", i);
        urls[i] = surl(name);
        dests[i] = tpath(name);
        q[i] = (fetch_request){"p", urls[i], dests[i], FETCH_EXPECT_ZIP, 0};
    }
    assert_int_equal(fetch_all(o, q, N, r), OS_OK);
    for (int i = 0; i < N; i++)
        assert_int_equal(r[i].ok, 1);
    assert_int_equal(srv.total, N);
    assert_true(srv.max_active <= most);
    assert_true(srv.max_active >= 1);
    for (int i = 0; i < N; i++) {
        free(urls[i]);
        free(dests[i]);
    }
}

/* No more than max_parallel transfers reach the server at once. */
static void test_parallel_limit(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.max_parallel = 2;
    fetch_six_slow(&o, 2);
}

/* No more than max_per_host transfers go to one upstream host at once (a
 * mirror, the user's own, is limited by max_parallel alone: t_parallel.sh). */
static void test_parallel_per_host(void **state)
{
    (void)state;
    fetch_options o = opts();
    o.max_parallel = 6;
    o.max_per_host = 2;
    fetch_six_slow(&o, 2);
}


/* The real OEWS zip from the shared file:// mirror, byte-exact by sha256. */
static void test_mirror_file_bls_zip(void **state)
{
    (void)state;
    const char *m = mirror_or_skip();
    if (!m) {
        skip();
        return;
    }
    const char *url = "https://www.bls.gov/oes/special-requests/oesm24nat.zip";
    char *fu = fetch_map_url(m, url);
    assert_non_null(fu);
    assert_true(strncmp(fu, "file:///", 8) == 0);
    assert_non_null(strstr(fu, "/www.bls.gov/oes/special-requests/oesm24nat.zip"));
    fetch_options o = opts();
    o.mirror = m;
    o.contact = NULL; /* a file:// mirror is not bls.gov */
    o.max_bytes = 200u << 20;
    char *dest = tpath("cache/raw/oews/oesm24nat.zip");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "oews", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_string_equal(r.sha256,
                        "6d8bccd87662a107fdc2cee5552f6fb25cde36dc5e9ddc197d502b3076746c1e");
    assert_string_equal(r.from, "mirror");
    assert_int_equal(r.status, 0);
    assert_string_equal(r.fetched_url, fu);
    char hex[65];
    assert_int_equal(sha256_file(dest, hex, NULL), OS_OK);
    assert_string_equal(hex, r.sha256);
    assert_int_equal(srv.total, 0);

    /* a file the mirror lacks */
    char *d2 = tpath("nope.zip");
    assert_int_equal(fetch_one(&o, "oews", "https://www.bls.gov/oes/nope.zip", d2,
                               FETCH_EXPECT_ZIP, &r), OS_EFETCH);
    assert_non_null(strstr(os_last_error(), "mirror has no such file"));
    assert_int_equal(count_temps(tdir), 0);
    free(d2);
    free(dest);
    free(fu);
}

/* A mirror file whose URL has %20 maps and fetches, and re-fetching re-copies. */
static void test_mirror_file_with_space(void **state)
{
    (void)state;
    const char *m = mirror_or_skip();
    if (!m) {
        skip();
        return;
    }
    const char *url = "https://raw.githubusercontent.com/AIOE-Data/AIOE/main/"
                      "Language%20Modeling%20AIOE%20and%20AIIE.xlsx";
    char *fu = fetch_map_url(m, url);
    assert_non_null(fu);
    assert_non_null(strstr(fu, "/main/Language%20Modeling%20AIOE%20and%20AIIE.xlsx"));
    fetch_options o = opts();
    o.mirror = m;
    o.max_bytes = 50u << 20;
    char *dest = tpath("aioe/lm.xlsx");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "aioe", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_string_equal(r.sha256,
                        "ccdd1fb916dfa404914367eafde7c00b7148ea86f18fe616240bc85cf6131c8b");
    /* again: the mirror file was not rewritten, so the copy stands (304) */
    assert_int_equal(fetch_one(&o, "aioe", url, dest, FETCH_EXPECT_ZIP, &r), OS_OK);
    assert_string_equal(r.from, "cache");
    assert_int_equal(r.status, 304);
    assert_string_equal(r.sha256,
                        "ccdd1fb916dfa404914367eafde7c00b7148ea86f18fe616240bc85cf6131c8b");
    free(dest);
    free(fu);
}

/* Writes text to path (creating its folder) and dates it age seconds ago
 * (file_stamp trusts no file younger than two seconds); the test fails if
 * it cannot. */
static void put_file(const char *path, const char *text, int age)
{
    char *dir = xstrdup(path);
    *strrchr(dir, '/') = '\0';
    assert_int_equal(mkdir_p(dir), OS_OK);
    free(dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    struct timespec t[2];
    clock_gettime(CLOCK_REALTIME, &t[0]);
    t[0].tv_sec -= age;
    t[1] = t[0];
    assert_int_equal(utimensat(AT_FDCWD, path, t, 0), 0);
}

/* A directory mirror's file is copied once; while its size, mtime and inode
 * stay, a re-fetch is a 304 that neither copies nor hashes it; a rewritten
 * file (even of the same size) is copied again. */
static void test_mirror_file_unchanged(void **state)
{
    (void)state;
    char *mirror = tpath("m");
    char *src = tpath("m/example.org/data/a.csv");
    put_file(src, "code,value\n11-1011,1\n", 60);
    fetch_options o = opts();
    o.mirror = mirror;
    const char *url = "https://example.org/data/a.csv";
    char *dest = tpath("cache/raw/x/a.csv");
    fetch_receipt r;
    assert_int_equal(fetch_one(&o, "x", url, dest, FETCH_EXPECT_TEXT, &r), OS_OK);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.from, "mirror");
    assert_true(r.source_stat[0] != '\0');
    char first[65];
    strcpy(first, r.sha256);
    struct stat before, after;
    assert_int_equal(stat(dest, &before), 0);

    assert_int_equal(fetch_one(&o, "x", url, dest, FETCH_EXPECT_TEXT, &r), OS_OK);
    assert_int_equal(r.status, 304);
    assert_string_equal(r.from, "cache");
    assert_string_equal(r.sha256, first);
    assert_int_equal(stat(dest, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino); /* not copied again */

    /* rewritten with other bytes of the same length: copied again */
    put_file(src, "code,value\n11-1011,2\n", 30);
    assert_int_equal(fetch_one(&o, "x", url, dest, FETCH_EXPECT_TEXT, &r), OS_OK);
    assert_int_equal(r.status, 0);
    assert_string_equal(r.from, "mirror");
    assert_string_not_equal(r.sha256, first);
    assert_int_equal(srv.total, 0);
    free(dest);
    free(src);
    free(mirror);
}

/* Runs every test against one server started for the group. */
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_zip_ok_and_receipt, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_http_mirror_not_bls, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_html_instead_of_zip, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_404, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_500, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_header, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_size_cap, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_conditional_304, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_offline, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_allow_stale, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_bls_refused_without_contact, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_redirects, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_timeout, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_text_checks, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_optional_and_required_mix, test_setup,
                                        test_teardown),
        cmocka_unit_test_setup_teardown(test_parallel_limit, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_parallel_per_host, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_mirror_file_unchanged, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_mirror_file_bls_zip, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_faults, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_redirect_to_bls, test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_mirror_file_with_space, test_setup,
                                        test_teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
