/* discover.c - finding each source's newest release (DESIGN section 2a): a page that links releases, or probes of the next release's URL. */
#include "extract/discover.h"
#include "extract/aei_discover.h"
#include "common/error.h"
#include "common/util.h"
#include "extract/fetch.h"
#include "extract/urlmap.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE_MAX ((size_t)4 << 20) /* an index page larger than this is not one */
#define PROBES_MAX 4               /* requests a source's probes may make in one run */

/* What a request for a URL found. */
enum found { FOUND_YES, FOUND_NO, FOUND_UNREACHABLE };

typedef struct {
    char *data;
    size_t len;
    int too_big;
} page_buf;

static size_t page_write(char *ptr, size_t size, size_t nmemb, void *user)
{
    page_buf *b = user;
    size_t n = size * nmemb;
    if (b->len + n > PAGE_MAX) {
        b->too_big = 1;
        return 0;
    }
    b->data = xrealloc(b->data, b->len + n + 1);
    memcpy(b->data + b->len, ptr, n);
    b->len += n;
    b->data[b->len] = '\0';
    return n;
}

/* Sets up h for one request to url (already mirror-mapped) with the
 * download rules: TLS verified, https never redirected to http, the
 * config's User-Agent with its contact, timeouts; HEAD when head is set,
 * else a GET into b (a ranged GET of one byte when want_body is 0). */
static void setup_request(CURL *h, const config *c, const char *url, const char *ua, int head,
                          int want_body, page_buf *b)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR,
                     strncmp(url, "https:", 6) ? "http,https" : "https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, ua);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout_s);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout_s < 120 ? c->timeout_s : 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    if (head)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (!want_body)
        curl_easy_setopt(h, CURLOPT_RANGE, "0-0");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, page_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, b);
}

/* What one finished attempt means. */
enum verdict { V_FOUND, V_NOT_FOUND, V_AGAIN_AS_GET, V_RETRY, V_UNREACHABLE };

/* Classifies an attempt's libcurl result cc and HTTP status; fills why
 * when the verdict is V_RETRY or V_UNREACHABLE (or a too-big page). */
static enum verdict classify(const char *url, CURLcode cc, long status, int head,
                             const page_buf *b, char why[256])
{
    int is_file = !strncmp(url, "file:", 5);
    if (cc == CURLE_FILE_COULDNT_READ_FILE || (cc == CURLE_OK && (status == 404 || status == 410)))
        return V_NOT_FOUND;
    if (cc == CURLE_OK && (is_file || status == 200 || status == 206)) {
        if (!b->too_big)
            return V_FOUND;
        snprintf(why, 256, "larger than %zu MiB", PAGE_MAX >> 20);
        return V_UNREACHABLE;
    }
    if (cc == CURLE_OK && head && (status == 403 || status == 405 || status == 501))
        return V_AGAIN_AS_GET; /* a server that refuses HEAD: a ranged GET instead */
    if (cc != CURLE_OK)
        snprintf(why, 256, "%s", curl_easy_strerror(cc));
    else
        snprintf(why, 256, "HTTP %ld", status);
    int transient = cc == CURLE_OPERATION_TIMEDOUT || cc == CURLE_COULDNT_CONNECT ||
                    status == 429 || status >= 500;
    return transient ? V_RETRY : V_UNREACHABLE;
}

/* Answers found by prefetch_all, for request() to take instead of asking
 * again: one entry per (url, head), the page body when it was a GET. */
typedef struct {
    char *url;
    int head;
    enum found found;
    page_buf body;
} answer;

static answer *answers;
static size_t nanswers;

/* The prefetched answer to (url, head), or NULL. */
static answer *answer_for(const char *url, int head)
{
    for (size_t i = 0; i < nanswers; i++)
        if (answers[i].head == head && !strcmp(answers[i].url, url))
            return &answers[i];
    return NULL;
}

/* Drops every prefetched answer; cannot fail. */
static void answers_free(void)
{
    for (size_t i = 0; i < nanswers; i++) {
        free(answers[i].url);
        free(answers[i].body.data);
    }
    free(answers);
    answers = NULL;
    nanswers = 0;
}

/* One request to url (already mirror-mapped): HEAD when head is set, else a
 * GET into *body (when body is not NULL; the caller frees body->data), with
 * the download rules (setup_request), and retries with backoff on timeouts,
 * 429 and 5xx. A prefetched answer is taken as it is. Returns what it
 * found; *why gets the reason when unreachable. */
static enum found request(const config *c, const char *url, int head, page_buf *body,
                          char why[256])
{
    answer *a = answer_for(url, head);
    if (a && (!body || a->found != FOUND_YES || a->body.data)) {
        if (body) {
            free(body->data);
            *body = a->body; /* handed over: each answer is asked for once */
            a->body = (page_buf){0};
            a->head = -1;
        }
        return a->found;
    }
    char *ua = fetch_user_agent(c->user_agent, c->contact);
    enum found f = FOUND_UNREACHABLE;
    snprintf(why, 256, "no answer");
    for (int attempt = 0; attempt <= c->retries; attempt++) {
        if (attempt)
            sleep(attempt < 3 ? 1u << (attempt - 1) : 4u);
        CURL *h = curl_easy_init();
        if (!h)
            os_die(OS_ENOMEM, "curl_easy_init failed");
        page_buf scratch = {0};
        page_buf *b = body ? body : &scratch;
        free(b->data);
        *b = (page_buf){0};
        setup_request(h, c, url, ua, head, body != NULL, b);
        CURLcode cc = curl_easy_perform(h);
        long status = 0;
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
        curl_easy_cleanup(h);
        free(scratch.data);
        enum verdict v = classify(url, cc, status, head, b, why);
        if (v == V_AGAIN_AS_GET) {
            head = 0;
            attempt--;
            continue;
        }
        if (v == V_RETRY)
            continue;
        f = v == V_FOUND ? FOUND_YES : v == V_NOT_FOUND ? FOUND_NO : FOUND_UNREACHABLE;
        break;
    }
    free(ua);
    return f;
}

/* Asks every (url, head) of want at once (curl multi, one attempt each) and
 * keeps the clear answers (found, not found) for request(); an attempt
 * that needs a retry or another method is left for request() to make, so
 * the rules stay those of one request at a time. Never fails: what cannot
 * be prefetched is simply asked again. */
static void prefetch_all(const config *c, char **urls, const int *heads, size_t n)
{
    if (n == 0)
        return;
    CURLM *multi = curl_multi_init();
    if (!multi)
        return;
    char *ua = fetch_user_agent(c->user_agent, c->contact);
    CURL **h = xcalloc(n, sizeof *h);
    page_buf *b = xcalloc(n, sizeof *b);
    for (size_t i = 0; i < n; i++) {
        if (!(h[i] = curl_easy_init()))
            continue;
        setup_request(h[i], c, urls[i], ua, heads[i], 1, &b[i]);
        curl_easy_setopt(h[i], CURLOPT_PRIVATE, (void *)&b[i]);
        if (curl_multi_add_handle(multi, h[i]) != CURLM_OK) {
            curl_easy_cleanup(h[i]);
            h[i] = NULL;
        }
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    answers = xrealloc(answers, (nanswers + n) * sizeof *answers);
    CURLMsg *m;
    int left;
    while ((m = curl_multi_info_read(multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        size_t i;
        for (i = 0; i < n && h[i] != m->easy_handle; i++)
            ;
        if (i == n)
            continue;
        long status = 0;
        char why[256];
        curl_easy_getinfo(h[i], CURLINFO_RESPONSE_CODE, &status);
        enum verdict v = classify(urls[i], m->data.result, status, heads[i], &b[i], why);
        if (v != V_FOUND && v != V_NOT_FOUND)
            continue;
        answer *a = &answers[nanswers++];
        a->url = xstrdup(urls[i]);
        a->head = heads[i];
        a->found = v == V_FOUND ? FOUND_YES : FOUND_NO;
        a->body = b[i];
        b[i] = (page_buf){0};
    }
    for (size_t i = 0; i < n; i++) {
        if (h[i]) {
            curl_multi_remove_handle(multi, h[i]);
            curl_easy_cleanup(h[i]);
        }
        free(b[i].data);
    }
    curl_multi_cleanup(multi);
    free(h);
    free(b);
    free(ua);
}

/* url as the mirror (or the network) serves it: malloc'd, NULL after a
 * reported error. Refuses bls.gov without a contact, as downloads do. */
static char *where(const config *c, const discover_opts *o, const char *url, int *rc)
{
    char *m = o->mirror && *o->mirror ? fetch_map_url(o->mirror, url) : xstrdup(url);
    *rc = OS_OK;
    if (!m)
        *rc = OS_ECONFIG;
    else if (!*c->contact && fetch_url_is_bls(m)) {
        *rc = os_error(OS_ECONFIG,
                       "BLS refuses requests without a contact address, so occsnap will not "
                       "look for a new release at %s; set contact = you@example.org in [occsnap] "
                       "of %s, or OCCSNAP_CONTACT",
                       url, c->path);
        free(m);
        m = NULL;
    }
    return m;
}

/* Matches the template tmpl at p: literal characters as written, {major},
 * {minor}, {yyyy} and {yy} as runs of digits; fills *r. 1 on a match. */
static int match_at(const char *p, const char *tmpl, enum release_scheme scheme, relver *r)
{
    int a = -1, b = 0;
    while (*tmpl) {
        if (*tmpl == '{') {
            const char *end = strchr(tmpl, '}');
            if (!end)
                return 0;
            size_t nl = (size_t)(end - tmpl - 1);
            int v = 0, nd = 0;
            while (*p >= '0' && *p <= '9' && nd < 4) {
                v = v * 10 + (*p++ - '0');
                nd++;
            }
            if (!nd)
                return 0;
#define IS(name) (nl == strlen(name) && !strncmp(tmpl + 1, name, nl))
            if (IS("major") || IS("yyyy"))
                a = v;
            else if (IS("minor"))
                b = v;
            else if (IS("yy"))
                a = 2000 + v;
#undef IS
            tmpl = end + 1;
        } else if (*p++ != *tmpl++)
            return 0;
    }
    if (a < 0)
        return 0;
    *r = (relver){scheme, a, scheme == SCHEME_YEAR ? 0 : b};
    return 1;
}

int discover_newest_in(const char *text, const char *tmpl, enum release_scheme scheme,
                       relver *best)
{
    size_t lit = strcspn(tmpl, "{");
    char *prefix = xstrndup(tmpl, lit);
    int any = 0;
    for (const char *p = lit ? strstr(text, prefix) : text; p && *p;
         p = lit ? strstr(p + 1, prefix) : p + 1) {
        relver r;
        if (match_at(p, tmpl, scheme, &r) && (!any || release_cmp(&r, best) > 0)) {
            *best = r;
            any = 1;
        }
    }
    free(prefix);
    return any;
}

/* The release the latest snapshot used for source id, in *r: 1, or 0. */
static int latest_release(const discover_opts *o, const cfg_source *s, relver *r)
{
    if (!o->latest_dir)
        return 0;
    char *path = xasprintf("%s/manifest.json", o->latest_dir);
    json_t *m = path_exists(path) ? json_load_file(path, 0, NULL) : NULL;
    free(path);
    int found = 0;
    size_t i;
    json_t *src;
    json_array_foreach(json_object_get(m, "sources"), i, src)
    {
        const char *id = json_string_value(json_object_get(src, "id"));
        const char *rel = json_string_value(json_object_get(src, "release"));
        if (id && rel && !strcmp(id, s->id) && release_parse(s->scheme, rel, r) == 0)
            found = 1;
    }
    json_decref(m);
    return found;
}

/* Whether the release r of source s exists at its probe URL. */
static enum found probe_one(const config *c, const discover_opts *o, const cfg_source *s,
                            const relver *r, int *rc, char why[256])
{
    const char *kv[16];
    char buf[128];
    size_t n = release_vars(r, kv, buf);
    char *url = template_expand(s->probe, kv, n);
    char *m = where(c, o, url, rc);
    enum found f = m ? request(c, m, 1, NULL, why) : FOUND_UNREACHABLE;
    if (m && f == FOUND_UNREACHABLE)
        os_warning("%s: cannot probe %s (%s); the newest release found so far is used", s->id,
                   url, why);
    free(m);
    free(url);
    return f;
}

/* The newest release the probes of s find from *best (upward for
 * major.minor, from the current year down for a year), at most PROBES_MAX
 * requests; updates *best. Returns an os_result (only a refused request). */
static int probe(const config *c, const discover_opts *o, const cfg_source *s, relver *best)
{
    int rc = OS_OK, used = 0;
    char why[256];
    if (s->scheme == SCHEME_YEAR) {
        for (long y = o->now_year; !rc && y > best->a && used < PROBES_MAX; y--, used++) {
            relver r = {SCHEME_YEAR, (int)y, 0};
            enum found f = probe_one(c, o, s, &r, &rc, why);
            if (f == FOUND_YES)
                *best = r;
            if (f != FOUND_NO)
                break;
        }
        return rc;
    }
    while (!rc && used < PROBES_MAX) {
        relver next[2];
        int k, nn = release_next(best, next);
        enum found f = FOUND_NO;
        for (k = 0; !rc && k < nn && used < PROBES_MAX; k++, used++) {
            f = probe_one(c, o, s, &next[k], &rc, why);
            if (f != FOUND_NO)
                break;
        }
        if (f != FOUND_YES)
            break;
        *best = next[k];
    }
    return rc;
}

/* The newest release s's index page links, newer than *best: 1 and *best
 * updated, 0 when the page cannot be read or names none newer (warned when
 * unreadable or naming none at all). Sets *rc for a refused request. */
static int from_index(const config *c, const discover_opts *o, const cfg_source *s,
                      relver *best, int *rc)
{
    char why[256];
    char *m = where(c, o, s->index_url, rc);
    if (!m)
        return 0;
    page_buf b = {0};
    enum found f = request(c, m, 0, &b, why);
    free(m);
    relver r;
    int any = f == FOUND_YES && b.data && discover_newest_in(b.data, s->index_pattern, s->scheme, &r);
    free(b.data);
    if (f != FOUND_YES || !any) {
        os_warning("%s: %s %s; probing for a newer release instead", s->id,
                   f == FOUND_YES ? "no release is linked from" : "cannot read", s->index_url);
        return 0;
    }
    if (release_cmp(&r, best) <= 0)
        return 0;
    *best = r;
    return 1;
}

int discover_get(const config *c, const discover_opts *o, const char *url, char **text,
                 char why[256])
{
    int rc;
    *text = NULL;
    char *m = where(c, o, url, &rc);
    if (!m)
        return -1;
    page_buf b = {0};
    enum found f = request(c, m, 0, &b, why);
    free(m);
    if (f == FOUND_NO)
        snprintf(why, 256, "not found");
    if (f != FOUND_YES || !b.data) {
        if (f == FOUND_YES)
            snprintf(why, 256, "empty");
        free(b.data);
        return 0;
    }
    *text = b.data;
    return 1;
}

const char *discover_cli_pin(const discover_opts *o, const char *id)
{
    size_t len = strlen(id);
    for (size_t k = 0; k < o->npin; k++)
        if (!strncmp(o->pins[k], id, len) && o->pins[k][len] == '=')
            return o->pins[k] + len + 1;
    return NULL;
}

/* Checks every --pin: ID=RELEASE of a source with a scheme; OS_EUSAGE. */
static int check_pins(const config *c, const discover_opts *o)
{
    for (size_t k = 0; k < o->npin; k++) {
        const char *eq = strchr(o->pins[k], '=');
        char id[64];
        snprintf(id, sizeof id, "%.*s", eq ? (int)(eq - o->pins[k]) : 0, o->pins[k]);
        const cfg_source *s = eq ? config_source(c, id) : NULL;
        relver r;
        int y, mo, d;
        char tail;
        if (s && s->listing && sscanf(eq + 1, "%4d-%2d-%2d%c", &y, &mo, &d, &tail) == 3)
            continue; /* an Economic Index release date */
        if (!s || !s->scheme || release_parse(s->scheme, eq + 1, &r) != 0)
            return os_error(OS_EUSAGE, "--pin %s: expected SOURCE=RELEASE for a source with "
                            "releases (onet=30.1, oews=2024, aei=2026-03-24)", o->pins[k]);
    }
    return OS_OK;
}

/* Where discovery of s starts: the newest of the config's known release and
 * the latest snapshot's (in *best, with how it was chosen in *how); fills
 * s->last_good when seen is known. Cannot fail. */
static void start_release(cfg_source *s, const discover_opts *o, relver *best, const char **how)
{
    relver seen;
    release_parse(s->scheme, s->known, best);
    *how = "the newest known (config)";
    *s->last_good = '\0';
    if (latest_release(o, s, &seen)) {
        release_format(&seen, s->last_good);
        if (release_cmp(&seen, best) > 0) {
            *best = seen;
            *how = "the newest known (the latest snapshot's)";
        }
    }
}

/* Adds the mapped url (from where(), owned by the list now) to the list. */
static void want(char ***urls, int **heads, size_t *n, char *mapped, int head)
{
    if (!mapped)
        return;
    *urls = xrealloc(*urls, (*n + 1) * sizeof **urls);
    *heads = xrealloc(*heads, (*n + 1) * sizeof **heads);
    (*urls)[*n] = mapped;
    (*heads)[*n] = head;
    (*n)++;
}

/* Asks at once what discovery will ask first of every source: each index
 * page and release listing, and the first round of probes, so the run waits about one round trip instead of one per
 * request (sequential answers would add up over a distant server). Cannot
 * fail: a request that is refused here is refused, and reported, later. */
static void prefetch_first_round(config *c, const discover_opts *o)
{
    char **urls = NULL;
    int *heads = NULL;
    size_t n = 0;
    int rc;
    /* where() reports refusals; discovery itself reports them (silent on
       this thread only: an early fetch runs beside it) */
    os_quiet_thread++;
    for (size_t i = 0; !o->offline && i < c->nsrc; i++) {
        cfg_source *s = &c->src[i];
        if (s->listing)
            want(&urls, &heads, &n, where(c, o, s->listing, &rc), 0);
        if (!s->scheme || discover_cli_pin(o, s->id) || s->pin)
            continue;
        relver best, next[PROBES_MAX];
        const char *how;
        start_release(s, o, &best, &how);
        if (s->index_url && s->index_pattern)
            want(&urls, &heads, &n, where(c, o, s->index_url, &rc), 0);
        /* the probes too, even beside an index page: two HEAD requests more
           where the page is read, and no extra round trip where it is not */
        if (!s->probe)
            continue;
        /* the probes probe() makes first: every year from now down to the
           known one, or the releases right after the known one */
        size_t nn = 0;
        if (s->scheme == SCHEME_YEAR)
            for (long y = o->now_year; y > best.a && nn < PROBES_MAX; y--)
                next[nn++] = (relver){SCHEME_YEAR, (int)y, 0};
        else
            nn = (size_t)release_next(&best, next);
        for (size_t k = 0; k < nn; k++) {
            const char *kv[16];
            char buf[128];
            size_t nv = release_vars(&next[k], kv, buf);
            char *url = template_expand(s->probe, kv, nv);
            want(&urls, &heads, &n, where(c, o, url, &rc), 1);
            free(url);
        }
    }
    os_quiet_thread--;
    prefetch_all(c, urls, heads, n);
    for (size_t k = 0; k < n; k++)
        free(urls[k]);
    free(urls);
    free(heads);
}

int discover_use_start(config *c, const discover_opts *o)
{
    /* a bad --pin stops the run before anything is fetched: discover_run
       says why */
    os_quiet_thread++;
    int bad = check_pins(c, o);
    os_quiet_thread--;
    if (bad)
        return bad;
    for (size_t i = 0; i < c->nsrc; i++) {
        cfg_source *s = &c->src[i];
        if (!s->scheme)
            continue;
        relver r;
        const char *how, *pin = discover_cli_pin(o, s->id);
        if (pin || s->pin) {
            if (release_parse(s->scheme, pin ? pin : s->pin, &r) != 0)
                continue; /* discover_run says why */
        } else
            start_release(s, o, &r, &how);
        int rc = config_use_release(c, s->id, &r, NULL);
        if (rc)
            return rc;
    }
    return OS_OK;
}

int discover_run(config *c, const discover_opts *o)
{
    int rc = check_pins(c, o);
    if (!rc)
        prefetch_first_round(c, o);
    for (size_t i = 0; !rc && i < c->nsrc; i++) {
        cfg_source *s = &c->src[i];
        if (!s->scheme)
            continue;
        relver best;
        char text[16], note[512];
        const char *pin = discover_cli_pin(o, s->id);
        if (pin || s->pin) {
            release_parse(s->scheme, pin ? pin : s->pin, &best);
            snprintf(note, sizeof note, "pinned (%s)", pin ? "--pin" : "pin in the config");
            rc = config_use_release(c, s->id, &best, note);
            continue;
        }
        const char *how;
        start_release(s, o, &best, &how);
        if (o->offline) {
            snprintf(note, sizeof note, "%s; not looked for (offline)", how);
        } else {
            relver before = best;
            int linked = s->index_url && s->index_pattern && from_index(c, o, s, &best, &rc);
            if (!rc && !linked && s->probe)
                rc = probe(c, o, s, &best);
            release_format(&best, text);
            if (release_cmp(&best, &before) > 0)
                snprintf(note, sizeof note, "newest %s", linked ? "linked from the index page"
                                                                : "found by probing");
            else
                snprintf(note, sizeof note, "%s; nothing newer found", how);
        }
        if (!rc)
            rc = config_use_release(c, s->id, &best, note);
        if (!rc) {
            release_format(&best, text);
            os_progress("%s: release %s (%s)", s->id, text, note);
        }
    }
    if (!rc)
        rc = aei_discover_run(c, o); /* the Economic Index: releases from its listing */
    answers_free();
    return rc;
}

/* The source of the table a message names first ("oews_national: ..."),
 * or NULL when it names none. */
static const char *failed_source(const config *c, const char *why)
{
    for (size_t i = 0; why && i < c->ntab; i++) {
        size_t len = strlen(c->tab[i].id);
        if (!strncmp(why, c->tab[i].id, len) && why[len] == ':')
            return c->tab[i].source;
    }
    return NULL;
}

size_t discover_fall_back(config *c, const char *why)
{
    size_t n = 0;
    const char *only = failed_source(c, why); /* else every source that moved */
    for (size_t i = 0; i < c->nsrc; i++) {
        cfg_source *s = &c->src[i];
        if (only && strcmp(only, s->id))
            continue;
        relver now, good;
        if (!s->scheme || !*s->last_good || config_release(s, &now) != 0 ||
            release_parse(s->scheme, s->last_good, &good) != 0 || release_cmp(&now, &good) <= 0)
            continue;
        char note[768], text[16];
        release_format(&now, text);
        snprintf(note, sizeof note, "the last good release (the latest snapshot's), as release %s "
                 "failed (--allow-stale): %s", text, why && *why ? why : "see the run's errors");
        os_warning("%s: release %s failed; using the last good release %s (--allow-stale)", s->id,
                   text, s->last_good);
        if (config_use_release(c, s->id, &good, note) == OS_OK)
            n++;
    }
    return n;
}
