/* export.c - occupations.csv/.jsonl, a CSV of every table and datapackage.json from a snapshot. */
#include "load/export.h"
#include "common/error.h"
#include "common/snapshot.h"
#include "common/sha256.h"
#include "common/util.h"
#include "common/schema.h"
#include "load/fields.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact powers of ten (every one up to 1e22 is a double). */
static const double POW10[19] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8, 1e9,
                                 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* The %.15g text of v when v is zero, or reads back from 15 significant
 * digits or fewer and 1e-4 <= |v| < 1e15, written without printf: returns
 * 1 with out filled; 0 when v is outside that range (*long_form 0) or needs
 * 16 or 17 digits (*long_form 1). Why it is the same text: the 15-digit
 * decimals near v are more than 4 doubles apart, so at most one of them reads back
 * as v and %.15g prints that one; if it is m / 10^k (m < 10^15, so k <= 18
 * here), v * 10^k is within 0.25 of m, and m / 10^k, one correctly rounded
 * division of two exact doubles, is the double strtod reads it as. %g with
 * precision 15 prints such a value in fixed notation, trailing zeros and a
 * bare point dropped. */
static int number_short(double v, char out[32], int *long_form)
{
    *long_form = 0;
    double a = fabs(v);
    if (a == 0) { /* %g: "0", "-0" */
        strcpy(out, signbit(v) ? "-0" : "0");
        return 1;
    }
    if (!(a >= 1e-4 && a < 1e15)) /* also NaN and the infinities */
        return 0;
    *long_form = 1;
    for (int k = 0; k <= 18; k++) {
        double s = a * POW10[k];
        if (s >= 1e15)
            return 0;
        long long m = llrint(s);
        if ((double)m / POW10[k] != a)
            continue;
        char dig[24];
        int n = 0;
        for (long long q = m; q; q /= 10)
            dig[n++] = (char)('0' + q % 10); /* least significant first */
        char *o = out;
        if (v < 0)
            *o++ = '-';
        if (n <= k)
            *o++ = '0';
        for (int i = n - 1; i >= k; i--)
            *o++ = dig[i];
        int low = 0; /* trailing zeros of the fraction are not printed */
        while (low < k && (low >= n || dig[low] == '0'))
            low++;
        if (low < k) {
            *o++ = '.';
            for (int i = k - 1; i >= low; i--)
                *o++ = i < n ? dig[i] : '0';
        }
        *o = '\0';
        *long_form = 0;
        return 1;
    }
    return 0;
}

/* The %.<prec>g text of v (prec 16 or 17, 1e-4 <= |v| < 1e15) without
 * printf: returns 1 with out filled, 0 when this case is not handled (then
 * the caller uses snprintf). The digits are exact: v = M * 2^E, so v * 10^s
 * = M * 5^s / 2^sh, at most 100 bits here, rounded half to even as glibc's
 * printf rounds; s is moved until prec digits come out (a carry to 10^prec
 * means the next power of ten). In this range %g prints fixed notation.
 * *reads_back: whether strtod reads the text back as v, also exact: with
 * the text D = n / 10^s, |D - v| * 10^s * 2^sh = |n * 2^sh - q|, and half a
 * unit in the last place of v, scaled alike, is 5^s / 2 (5^s / 4 below a
 * power of two, where the double below is nearer); 5^s is odd, so there is
 * never a tie to break. */
static int number_fixed(double v, int prec, char out[32], int *reads_back)
{
    double a = fabs(v);
    uint64_t bits;
    memcpy(&bits, &a, sizeof bits);
    int e = (int)(bits >> 52);
    if (e == 0 || e == 0x7ff)
        return 0;
    uint64_t mant = (bits & ((1ULL << 52) - 1)) | (1ULL << 52);
    int exp2 = e - 1075;
    /* the decimal exponent x, 10^x <= a < 10^(x+1), compared exactly: with
     * the powers of ten that are doubles from 1, M * 10^k >= 2^-E below */
    int x = 14;
    while (x >= 0 && a < POW10[x])
        x--;
    while (x < 0 && x > -4 &&
           !(-exp2 < 127 && (unsigned __int128)mant * (uint64_t)POW10[-x] >=
                                ((unsigned __int128)1 << -exp2)))
        x--;
    uint64_t lo = 1, hi; /* 10^(prec-1), 10^prec */
    for (int i = 1; i < prec; i++)
        lo *= 10;
    hi = lo * 10;
    for (int tries = 0; tries < 3; tries++) {
        int sc = prec - 1 - x; /* v * 10^sc has prec digits */
        int sh = -(exp2 + sc);
        if (sc < 0 || sc > 20 || sh <= 0 || sh > 120)
            return 0;
        unsigned __int128 p5 = 1;
        for (int i = 0; i < sc; i++)
            p5 *= 5;
        unsigned __int128 q = (unsigned __int128)mant * p5;
        unsigned __int128 n = q >> sh, rem = q & (((unsigned __int128)1 << sh) - 1),
                          half = (unsigned __int128)1 << (sh - 1);
        if (rem > half || (rem == half && (n & 1)))
            n++;
        if (n >= hi) {
            x++;
            continue;
        }
        if (n < lo) /* cannot be: 10^x <= a */
            return 0;
        unsigned __int128 scaled = n << sh;
        unsigned __int128 diff = scaled > q ? scaled - q : q - scaled;
        int below = scaled < q && mant == (1ULL << 52);
        *reads_back = (below ? 4 * diff : 2 * diff) < p5;
        char dig[24];
        uint64_t u = (uint64_t)n;
        for (int i = prec - 1; i >= 0; i--, u /= 10)
            dig[i] = (char)('0' + u % 10);
        int last = prec - 1; /* trailing zeros after the point are dropped */
        while (last > x && last > 0 && dig[last] == '0')
            last--;
        char *o = out;
        if (v < 0)
            *o++ = '-';
        if (x < 0) {
            *o++ = '0', *o++ = '.';
            for (int i = -1; i > x; i--)
                *o++ = '0';
            for (int i = 0; i <= last; i++)
                *o++ = dig[i];
        } else {
            for (int i = 0; i <= x; i++)
                *o++ = dig[i];
            if (last > x) {
                *o++ = '.';
                for (int i = x + 1; i <= last; i++)
                    *o++ = dig[i];
            }
        }
        *o = '\0';
        return 1;
    }
    return 0;
}

void export_number(double v, char out[32])
{
    /* the rule: %.15g, else %.16g, else %.17g, the first that strtod reads
     * back as v; number_short answers most values without printf and says
     * when %.15g cannot be the one, number_fixed writes the others' text */
    int long_form;
    if (number_short(v, out, &long_form))
        return;
    for (int prec = long_form ? 16 : 15; prec <= 17; prec++) {
        int back;
        if (!long_form || !number_fixed(v, prec, out, &back)) {
            snprintf(out, 32, "%.*g", prec, v);
            back = strtod(out, NULL) == v;
        }
        if (prec == 17 || back)
            return;
    }
}

/* The decimal text of v into out (at least 21 bytes); returns its length. */
static size_t integer_text(long long v, char *out)
{
    char dig[24];
    int n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do
        dig[n++] = (char)('0' + u % 10);
    while (u /= 10);
    size_t len = 0;
    if (v < 0)
        out[len++] = '-';
    while (n)
        out[len++] = dig[--n];
    out[len] = '\0';
    return len;
}

/* A measure's columns in the profile view, as measure_info describes them. */
typedef struct {
    char *column, *label, *description;
} measure_words;

typedef struct {
    measure_words *m;
    size_t n;
} profile_words;

/* Reads the profile columns of measure_info into *w (the caller's, freed
 * with words_free); returns OS_EIO with SQLite's message. */
static int words_load(sqlite3 *db, profile_words *w)
{
    memset(w, 0, sizeof *w);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db,
                           "SELECT profile_column, label, description FROM measure_info"
                           " WHERE profile_column IS NOT NULL ORDER BY position",
                           -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "export: %s", sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW) {
        w->m = xrealloc(w->m, (w->n + 1) * sizeof *w->m);
        measure_words *m = &w->m[w->n++];
        m->column = xstrdup((const char *)sqlite3_column_text(st, 0));
        m->label = xstrdup((const char *)sqlite3_column_text(st, 1));
        m->description = xstrdup((const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    return OS_OK;
}

static void words_free(profile_words *w)
{
    for (size_t k = 0; k < w->n; k++)
        free(w->m[k].column), free(w->m[k].label), free(w->m[k].description);
    free(w->m);
}

/* The description of column name of table ("occupations" for the view):
 * a fixed column's from load/fields.c, a footnote mark's from its figure,
 * a measure's (<column>, _pct, _pct_emp, _label) from measure_info; a
 * malloc'd string the caller frees, or NULL; *boolean as fields_describe. */
static char *describe(const profile_words *w, const config *c, const char *table,
                      const char *name, int *boolean)
{
    const char *fixed = fields_describe(table, name, boolean);
    if (fixed)
        return xstrdup(fixed);
    size_t nlen = strlen(name);
    if (nlen > 5 && !strcmp(name + nlen - 5, "_flag")) {
        char *base = xstrndup(name, nlen - 5);
        char *d = xasprintf("footnote mark OEWS publishes in place of %s (# top-coded: wage above "
                            "the highest published; * wage not available; ** employment not "
                            "available; ~ under 0.5 %%); %s is empty when this is set, empty "
                            "when %s is a number",
                            base, base, base);
        free(base);
        return d;
    }
    if (strcmp(table, "occupations"))
        return NULL;
    static const char *const SUFFIX[] = {"", "_pct", "_pct_emp", "_label"};
    for (size_t k = 0; k < w->n; k++) {
        const measure_words *m = &w->m[k];
        size_t len = strlen(m->column);
        if (strncmp(name, m->column, len))
            continue;
        for (int s = 0; s < 4; s++) {
            if (strcmp(name + len, SUFFIX[s]))
                continue;
            switch (s) {
            case 0: return xasprintf("%s: %s", m->label, m->description);
            case 1: return xasprintf("%s: midrank percentile among the occupations with a value "
                                     "(0-100; not a percent of anything)", m->label);
            case 2: return xasprintf("%s: midrank percentile with each occupation weighted by "
                                     "its share of OEWS employment (emp_weight), 0-100", m->label);
            default: return xasprintf("%s: Low below the %gth percentile, High from the %gth, "
                                      "else Moderate", m->label, c->label_low_below,
                                      c->label_high_from);
            }
        }
    }
    return NULL;
}

/* Table Schema type of a column: from its declared type, else from the
 * values seen (text wins over real over integer). */
static const char *field_type(const char *decl, int boolean, const int seen[3])
{
    if (boolean)
        return "boolean";
    if (decl) {
        if (strstr(decl, "INT"))
            return "integer";
        if (strstr(decl, "REAL"))
            return "number";
        if (strstr(decl, "TEXT"))
            return "string";
    }
    return seen[0] ? "string" : seen[1] ? "number" : seen[2] ? "integer" : "string";
}

/* A file being written: bytes gathered in buf and written with one
 * write(2) per OUT_CHUNK, hashed on the way out, so no file is read back
 * for its sha256. */
#define OUT_CHUNK (256 * 1024)
typedef struct {
    int fd, err; /* err: the first errno of a failed write */
    char *buf;
    size_t len;
    long long bytes;
    sha256_ctx *hash;
} outfile;

/* Opens path for writing (created or truncated, 0666 less the umask, as
 * fopen's); returns 0, or -1 with errno set. */
static int out_open(outfile *o, const char *path)
{
    memset(o, 0, sizeof *o);
    o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (o->fd < 0)
        return -1;
    o->buf = xmalloc(OUT_CHUNK);
    o->hash = sha256_new();
    return 0;
}

/* Writes out what is gathered; a failure is kept in o->err for out_close. */
static void out_flush(outfile *o)
{
    sha256_update(o->hash, o->buf, o->len);
    o->bytes += (long long)o->len;
    for (size_t at = 0; !o->err && at < o->len;) {
        ssize_t w = write(o->fd, o->buf + at, o->len - at);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->err = w < 0 ? errno : ENOSPC;
        else
            at += (size_t)w;
    }
    o->len = 0;
}

/* Appends n bytes of s (s stays the caller's); cannot fail (a failed
 * write is kept in o->err). */
static void out_put(outfile *o, const char *s, size_t n)
{
    if (o->len + n > OUT_CHUNK) {
        out_flush(o);
        if (n > OUT_CHUNK) { /* a field larger than the buffer goes alone */
            char *keep = o->buf;
            o->buf = (char *)s, o->len = n;
            out_flush(o);
            o->buf = keep;
            return;
        }
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

/* Appends one byte; as out_put. */
static inline void out_putc(outfile *o, char c)
{
    if (o->len == OUT_CHUNK)
        out_flush(o);
    o->buf[o->len++] = c;
}

/* Flushes and closes o (fd < 0: never opened), its sha256 into hex and size
 * into *bytes; returns OS_EIO naming path when a write failed. */
static int out_close(outfile *o, const char *path, char hex[65], long long *bytes)
{
    if (o->fd < 0)
        return OS_OK;
    out_flush(o);
    sha256_final(o->hash, hex);
    *bytes = o->bytes;
    int rc = OS_OK;
    if (close(o->fd) != 0 && !o->err)
        o->err = errno;
    if (o->err)
        rc = os_error(OS_EIO, "cannot write %s: %s", path, strerror(o->err));
    free(o->buf);
    o->fd = -1;
    return rc;
}

/* Byte classes of text fields: what CSV must quote, what JSON must escape
 * (or, for bytes from 0x80, what jansson checks as UTF-8). */
enum { CSV_QUOTE = 1, JSON_SLOW = 2 };
static unsigned char byte_class[256];

/* Fills byte_class (before any worker starts); cannot fail. */
static void byte_class_init(void)
{
    for (int b = 0; b < 256; b++)
        byte_class[b] = (unsigned char)((b < 0x20 || b == '"' || b == '\\' || b >= 0x80) ? JSON_SLOW : 0);
    byte_class[','] |= CSV_QUOTE, byte_class['"'] |= CSV_QUOTE;
    byte_class['\r'] |= CSV_QUOTE, byte_class['\n'] |= CSV_QUOTE;
}

/* The length of s up to its NUL and the classes of its bytes in *cls. */
static size_t text_scan(const char *s, unsigned *cls)
{
    unsigned c = 0;
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++)
        c |= byte_class[*p];
    *cls = c;
    return (size_t)(p - (const unsigned char *)s);
}

/* s as a CSV field: as it is, or quoted with its quotes doubled when it
 * holds a comma, quote, CR or LF (RFC 4180). */
static void csv_field(outfile *o, const char *s, size_t len, unsigned cls)
{
    if (!(cls & CSV_QUOTE)) {
        out_put(o, s, len);
        return;
    }
    out_putc(o, '"');
    for (; *s; s++) {
        if (*s == '"')
            out_putc(o, '"');
        out_putc(o, *s);
    }
    out_putc(o, '"');
}

/* s as a JSON string, exactly as jansson's json_dumps writes it ("null" for
 * text that is not UTF-8): plain printable ASCII is written directly. */
static void json_text(outfile *o, const char *s, size_t len, unsigned cls)
{
    if (!(cls & JSON_SLOW)) {
        out_putc(o, '"');
        out_put(o, s, len);
        out_putc(o, '"');
        return;
    }
    json_t *j = json_string(s);
    char *out = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    const char *t = out ? out : "null";
    out_put(o, t, strlen(t));
    free(out);
    json_decref(j);
}

/* One exported table: where its rows come from and what it is called. */
typedef struct {
    const char *table;     /* words of load/fields.c: a snapshot table or "occupations" */
    const char *sql;       /* SELECT of the rows, in key order */
    const char *csv, *jsonl; /* file names in the snapshot; jsonl may be NULL */
} export_spec;

/* What writing one export_spec produced: the sha256 and size of its csv and
 * jsonl files (for the Data Package and the manifest). */
typedef struct {
    char csv_sha256[65], jsonl_sha256[65];
    long long csv_bytes, jsonl_bytes;
} export_sums;

/* Streams sql's rows into dir/csv (and dir/jsonl), 0/1 booleans as
 * true/false, appends one Table Schema field per column to fields and
 * fills *sums; returns OS_EIO with SQLite's message or the file that cannot
 * be written; the caller owns fields. */
static int write_rows(sqlite3 *db, const config *c, const profile_words *words,
                      const export_spec *x, const char *dir, json_t *fields, export_sums *sums)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, x->sql, -1, &st, NULL) != SQLITE_OK)
        return os_error(OS_EIO, "export %s: %s", x->table, sqlite3_errmsg(db));
    int ncol = sqlite3_column_count(st);
    char *csv_path = xasprintf("%s/%s", dir, x->csv);
    char *jsonl_path = x->jsonl ? xasprintf("%s/%s", dir, x->jsonl) : NULL;
    outfile csvf = {.fd = -1}, jsonf = {.fd = -1};
    outfile *csv = out_open(&csvf, csv_path) == 0 ? &csvf : NULL;
    outfile *jsonl = csv && jsonl_path && out_open(&jsonf, jsonl_path) == 0 ? &jsonf : NULL;
    int rc = OS_OK;
    if (!csv || (jsonl_path && !jsonl))
        rc = os_error(OS_EIO, "cannot write %s: %s", !csv ? csv_path : jsonl_path,
                      strerror(errno));
    int *seen = xcalloc((size_t)ncol * 3, sizeof *seen), *boolean = xcalloc((size_t)ncol, sizeof *boolean);
    char **desc = xcalloc((size_t)ncol, sizeof *desc);
    /* each column's JSON key, "name":, written once here, copied per row */
    char **key = xcalloc((size_t)ncol, sizeof *key);
    size_t *key_len = xcalloc((size_t)ncol, sizeof *key_len);
    for (int i = 0; i < ncol; i++) {
        const char *name = sqlite3_column_name(st, i);
        desc[i] = describe(words, c, x->table, name, &boolean[i]);
        json_t *j = json_string(name);
        char *k = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        key[i] = xasprintf("%s:", k ? k : "null");
        key_len[i] = strlen(key[i]);
        free(k);
        json_decref(j);
    }
    for (int i = 0; !rc && i < ncol; i++) {
        if (i)
            out_putc(csv, ',');
        const char *name = sqlite3_column_name(st, i);
        unsigned cls;
        size_t len = text_scan(name, &cls);
        csv_field(csv, name, len, cls);
    }
    if (!rc)
        out_put(csv, "\r\n", 2);
    while (!rc && sqlite3_step(st) == SQLITE_ROW) {
        if (jsonl)
            out_putc(jsonl, '{');
        for (int i = 0; i < ncol; i++) {
            char num[32];
            const char *text = NULL;
            size_t len = 0;
            unsigned cls = 0;
            int type = sqlite3_column_type(st, i);
            if (type == SQLITE_INTEGER && boolean[i]) {
                int t = sqlite3_column_int64(st, i) != 0;
                text = t ? "true" : "false", len = t ? 4 : 5;
                seen[i * 3 + 2] = 1;
            } else if (type == SQLITE_INTEGER) {
                len = integer_text((long long)sqlite3_column_int64(st, i), num);
                text = num;
                seen[i * 3 + 2] = 1;
            } else if (type == SQLITE_FLOAT) {
                export_number(sqlite3_column_double(st, i), num);
                text = num, len = strlen(num);
                seen[i * 3 + 1] = 1;
            } else if (type != SQLITE_NULL) { /* text (or a blob, as its text) */
                text = (const char *)sqlite3_column_text(st, i);
                if (text)
                    len = text_scan(text, &cls);
                seen[i * 3] = 1;
            }
            int string = type == SQLITE_TEXT || type == SQLITE_BLOB;
            if (i)
                out_putc(csv, ',');
            if (text && type == SQLITE_TEXT)
                csv_field(csv, text, len, cls);
            else if (text)
                out_put(csv, text, len);
            if (!jsonl)
                continue;
            out_put(jsonl, key[i], key_len[i]);
            if (text && string)
                json_text(jsonl, text, len, cls);
            else if (text)
                out_put(jsonl, text, len);
            else
                out_put(jsonl, "null", 4);
            if (i + 1 < ncol)
                out_putc(jsonl, ',');
        }
        out_put(csv, "\r\n", 2);
        if (jsonl)
            out_put(jsonl, "}\n", 2);
    }
    for (int i = 0; !rc && i < ncol; i++) {
        json_t *fld = json_object();
        const char *name = sqlite3_column_name(st, i);
        json_object_set_new(fld, "name", json_string(name));
        json_object_set_new(fld, "type", json_string(field_type(sqlite3_column_decltype(st, i),
                                                                boolean[i], &seen[i * 3])));
        if (boolean[i]) {
            json_t *t = json_array(), *f = json_array();
            json_array_append_new(t, json_string("true"));
            json_array_append_new(f, json_string("false"));
            json_object_set_new(fld, "trueValues", t);
            json_object_set_new(fld, "falseValues", f);
        }
        /* a column no row fills says so, typed by its declaration */
        int filled = seen[i * 3] || seen[i * 3 + 1] || seen[i * 3 + 2];
        char *d = !desc[i] ? xstrdup("(no description)")
                  : filled ? xstrdup(desc[i])
                           : xasprintf("%s. Never filled in this snapshot: the release in use "
                                       "does not publish it, so the column is empty in every row",
                                       desc[i]);
        json_object_set_new(fld, "description", json_string(d));
        free(d);
        if (!strcmp(name, "onet_code")) {
            json_t *cons = json_object();
            json_object_set_new(cons, "required", json_true());
            if (!strcmp(x->table, "occupations"))
                json_object_set_new(cons, "unique", json_true());
            json_object_set_new(cons, "pattern", json_string("[1-5][0-9]-[0-9]{4}\\.[0-9]{2}"));
            json_object_set_new(fld, "constraints", cons);
        }
        json_array_append_new(fields, fld);
    }
    for (int i = 0; i < ncol; i++)
        free(desc[i]), free(key[i]);
    free(desc);
    free(key);
    free(key_len);
    free(seen);
    free(boolean);
    sqlite3_finalize(st);
    int wrc = out_close(&csvf, csv_path, sums->csv_sha256, &sums->csv_bytes);
    if (!rc)
        rc = wrc;
    wrc = out_close(&jsonf, jsonl_path, sums->jsonl_sha256, &sums->jsonl_bytes);
    if (!rc)
        rc = wrc;
    free(csv_path);
    free(jsonl_path);
    return rc;
}

/* {path, bytes, hash} of a file of the snapshot, for a resource, also kept
 * in h (the sha256 taken while it was written); returns an os_result. */
static int describe_known(json_t *res, const char *name, const char *hex, long long bytes,
                          export_hashes *h)
{
    if (h->n == EXPORT_MAX_FILES)
        return os_error(OS_EIO, "export: more than %d files", EXPORT_MAX_FILES);
    memcpy(h->sha256[h->n], hex, 65);
    h->path[h->n] = xstrdup(name);
    h->bytes[h->n++] = bytes;
    char *hash = xasprintf("sha256:%s", hex);
    json_object_set_new(res, "path", json_string(name));
    json_object_set_new(res, "bytes", json_integer(bytes));
    json_object_set_new(res, "hash", json_string(hash));
    free(hash);
    return OS_OK;
}

void export_hashes_free(export_hashes *h)
{
    for (int k = 0; k < h->n; k++)
        free(h->path[k]);
    h->n = 0;
}

/* The Table Schema of fields with primary key pk (an array of names, or
 * NULL) and foreign keys fks (or NULL); takes pk and fks, shares fields;
 * cannot fail. */
static json_t *schema_of(json_t *fields, json_t *pk, json_t *fks)
{
    json_t *schema = json_object();
    json_object_set(schema, "fields", fields);
    if (pk && json_array_size(pk))
        json_object_set_new(schema, "primaryKey", pk);
    else
        json_decref(pk);
    if (fks && json_array_size(fks))
        json_object_set_new(schema, "foreignKeys", fks);
    else
        json_decref(fks);
    json_t *missing = json_array();
    json_array_append_new(missing, json_string(""));
    json_object_set_new(schema, "missingValues", missing);
    return schema;
}

/* A CSV resource of a tabular-data-resource profile named name; takes
 * schema; cannot fail. */
static json_t *csv_resource(const char *name, const char *description, json_t *schema)
{
    json_t *res = json_object();
    json_object_set_new(res, "name", json_string(name));
    json_object_set_new(res, "profile", json_string("tabular-data-resource"));
    json_object_set_new(res, "format", json_string("csv"));
    json_object_set_new(res, "mediatype", json_string("text/csv"));
    json_object_set_new(res, "encoding", json_string("utf-8"));
    if (description)
        json_object_set_new(res, "description", json_string(description));
    json_t *dialect = json_object();
    json_object_set_new(dialect, "delimiter", json_string(","));
    json_object_set_new(dialect, "lineTerminator", json_string("\r\n"));
    json_object_set_new(dialect, "quoteChar", json_string("\""));
    json_object_set_new(dialect, "doubleQuote", json_true());
    json_object_set_new(dialect, "header", json_true());
    json_object_set_new(res, "dialect", dialect);
    json_object_set_new(res, "schema", schema);
    return res;
}

/* Table table's key columns in order (PRAGMA table_info) as a new array,
 * and its ORDER BY list in *order (malloc'd, "rowid" when it has none);
 * table is a name of schema_tables, checked by the caller. */
static json_t *primary_key(sqlite3 *db, const char *table, char **order)
{
    char *sql = xasprintf("SELECT name, pk FROM pragma_table_info('%s') WHERE pk > 0 ORDER BY pk",
                          table);
    json_t *pk = json_array();
    sqlite3_stmt *st;
    *order = xstrdup("");
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *col = (const char *)sqlite3_column_text(st, 0);
            json_array_append_new(pk, json_string(col));
            char *o = xasprintf("%s%s%s", *order, **order ? ", " : "", col);
            free(*order);
            *order = o;
        }
        sqlite3_finalize(st);
    }
    free(sql);
    if (!**order) {
        free(*order);
        *order = xstrdup("rowid");
    }
    return pk;
}

/* Table table's foreign keys (PRAGMA foreign_key_list) as Table Schema
 * foreignKeys: a reference to occupation points at the occupations
 * resource, which holds every onet_code; NULL-safe, never fails. */
static json_t *foreign_keys(sqlite3 *db, const char *table)
{
    char *sql = xasprintf("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('%s')"
                          " ORDER BY id, seq", table);
    json_t *fks = json_array();
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *target = (const char *)sqlite3_column_text(st, 0);
            const char *from = (const char *)sqlite3_column_text(st, 1);
            const char *to = (const char *)sqlite3_column_text(st, 2);
            json_t *fk = json_object(), *ref = json_object();
            json_object_set_new(fk, "fields", json_string(from));
            json_object_set_new(ref, "resource",
                                json_string(!strcmp(target, "occupation") ? "occupations" : target));
            json_object_set_new(ref, "fields", json_string(to ? to : from));
            json_object_set_new(fk, "reference", ref);
            json_array_append_new(fks, fk);
        }
        sqlite3_finalize(st);
    }
    free(sql);
    /* occupation itself: every one of its codes is a row of occupations */
    if (!strcmp(table, "occupation")) {
        json_t *fk = json_object(), *ref = json_object();
        json_object_set_new(fk, "fields", json_string("onet_code"));
        json_object_set_new(ref, "resource", json_string("occupations"));
        json_object_set_new(ref, "fields", json_string("onet_code"));
        json_object_set_new(fk, "reference", ref);
        json_array_append_new(fks, fk);
    }
    return fks;
}

/* One piece of the export, run on whichever worker takes it: the rows of
 * spec into its files. */
typedef struct {
    export_spec spec;
    json_t *fields; /* the Table Schema fields write_rows appends */
    export_sums sums;
    int rc;
} export_job;

/* The jobs and what every worker shares (read only but for next). */
typedef struct {
    const char *dir;
    const config *c;
    const profile_words *words;
    export_job *jobs;
    const size_t *order; /* the order jobs are taken in: the largest first */
    size_t njobs, next;
    pthread_mutex_t mu;
} export_pool;

/* Runs jobs until none is left, reading db (this worker's own connection);
 * each job's os_result is kept in it. */
static void pool_work(export_pool *p, sqlite3 *db)
{
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t k = p->next < p->njobs ? p->order[p->next++] : p->njobs;
        pthread_mutex_unlock(&p->mu);
        if (k == p->njobs)
            return;
        export_job *j = &p->jobs[k];
        if (!db)
            j->rc = OS_EIO; /* the worker's connection did not open: said already */
        else
            j->rc = write_rows(db, p->c, p->words, &j->spec, p->dir, j->fields, &j->sums);
        trace_mark("load: %s exported", j->spec.table);
    }
}

/* The second worker: its own read-only connection, as SQLite wants one per
 * thread; a connection that does not open fails the jobs it takes. */
static void *pool_thread(void *arg)
{
    export_pool *p = arg;
    char *path = xasprintf("%s/occsnap.sqlite", p->dir);
    sqlite3 *db = NULL;
    if (snapshot_open_db(path, &db) != OS_OK)
        db = NULL;
    free(path);
    pool_work(p, db);
    sqlite3_close(db);
    return NULL;
}

/* Tables written first, the largest, so that the two workers end together
 * (any order gives the same files). */
static const char *const LARGE_TABLES[] = {"element", "task", "technology", "occupation_title",
                                           "aei_task", "measure", NULL};

/* Exports the profile (occupations.csv, .jsonl) and every snapshot table as
 * <table>.csv, each a resource of resources (after occsnap.sqlite's, whose
 * sha256 the caller took), on two workers when there are two cores;
 * resources and hashes come in the same order whichever worker wrote what.
 * Returns the os_result of the first job (in that order) that failed:
 * OS_EDATA for a table name that is not a plain identifier. */
static int export_all(sqlite3 *snap, const config *c, const profile_words *words,
                      const char *dir, const export_file *db_file, json_t *profile_fields,
                      json_t *profile_res[3], json_t *resources, export_hashes *h)
{
    size_t ntab = 0;
    for (const char *const *t = schema_tables; *t; t++, ntab++)
        if (!str_is_ident(*t))
            return os_error(OS_EDATA, "export: '%s' is not a plain table name", *t);
    /* jobs: 0 the profile, 1.. the tables */
    size_t njobs = ntab + 1;
    export_job *jobs = xcalloc(njobs, sizeof *jobs);
    json_t **pk = xcalloc(ntab, sizeof *pk);
    char **files = xcalloc(ntab, sizeof *files);
    jobs[0].spec = (export_spec){"occupations", "SELECT * FROM occupation_profile",
                                 "occupations.csv", "occupations.jsonl"};
    jobs[0].fields = profile_fields;
    for (size_t k = 0; k < ntab; k++) {
        const char *t = schema_tables[k];
        char *order;
        pk[k] = primary_key(snap, t, &order);
        files[k] = xasprintf("%s.csv", t);
        jobs[k + 1].spec = (export_spec){t, xasprintf("SELECT * FROM %s ORDER BY %s", t, order),
                                         files[k], NULL};
        jobs[k + 1].fields = json_array();
        free(order);
    }
    size_t *order = xcalloc(njobs, sizeof *order), n = 0;
    char *taken = xcalloc(njobs, 1);
    order[n++] = 0, taken[0] = 1;
    for (const char *const *big = LARGE_TABLES; *big; big++)
        for (size_t k = 0; k < ntab; k++)
            if (!taken[k + 1] && !strcmp(schema_tables[k], *big))
                order[n++] = k + 1, taken[k + 1] = 1;
    for (size_t k = 1; k < njobs; k++)
        if (!taken[k])
            order[n++] = k;
    free(taken);

    export_pool pool = {.dir = dir, .c = c, .words = words, .jobs = jobs, .order = order,
                        .njobs = njobs, .next = 0};
    pthread_mutex_init(&pool.mu, NULL);
    pthread_t helper;
    int two = sysconf(_SC_NPROCESSORS_ONLN) > 1 &&
              pthread_create(&helper, NULL, pool_thread, &pool) == 0;
    pool_work(&pool, snap);
    if (two)
        pthread_join(helper, NULL);
    pthread_mutex_destroy(&pool.mu);

    /* the same resources and hashes, in the same order, as one worker gives */
    int rc = db_file->ready ? db_file->ready(db_file->ctx) : OS_OK;
    if (!rc)
        rc = jobs[0].rc;
    if (!rc)
        rc = describe_known(profile_res[2], "occsnap.sqlite", db_file->sha256, db_file->bytes, h);
    if (!rc)
        rc = describe_known(profile_res[0], "occupations.csv", jobs[0].sums.csv_sha256,
                            jobs[0].sums.csv_bytes, h);
    if (!rc)
        rc = describe_known(profile_res[1], "occupations.jsonl", jobs[0].sums.jsonl_sha256,
                            jobs[0].sums.jsonl_bytes, h);
    for (size_t k = 0; k < 3; k++)
        json_array_append_new(resources, profile_res[k]);
    for (size_t k = 0; k < ntab; k++) {
        export_job *j = &jobs[k + 1];
        const char *t = schema_tables[k];
        if (!rc) {
            rc = j->rc;
            json_t *res = csv_resource(t, fields_table_title(t),
                                       schema_of(j->fields, pk[k], foreign_keys(snap, t)));
            pk[k] = NULL;
            if (!rc)
                rc = describe_known(res, files[k], j->sums.csv_sha256, j->sums.csv_bytes, h);
            json_array_append_new(resources, res);
        }
        json_decref(pk[k]);
        json_decref(j->fields);
        free((char *)j->spec.sql);
        free(files[k]);
    }
    free(pk);
    free(files);
    free(order);
    free(jobs);
    return rc;
}

int export_profile(sqlite3 *snap, const config *c, const char *dir, const export_file *db_file,
                   export_hashes *hashes)
{
    memset(hashes, 0, sizeof *hashes);
    byte_class_init();
    profile_words words;
    int rc = words_load(snap, &words);
    if (rc)
        return rc;
    json_t *fields = json_array();
    json_t *pkg = json_object();
    char created[64] = "";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(snap, "SELECT created_at FROM snapshot", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        snprintf(created, sizeof created, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    json_object_set_new(pkg, "profile", json_string("data-package"));
    json_object_set_new(pkg, "name", json_string("occsnap"));
    json_object_set_new(pkg, "title",
                        json_string("U.S. occupations and AI exposure, on one O*NET-SOC key"));
    json_object_set_new(pkg, "description",
                        json_string("One row per occupation of the O*NET release (occupations): "
                                    "employment, wages, projections, AI-exposure measures with "
                                    "their percentiles, the composite index and Economic Index "
                                    "use; and every table of occsnap.sqlite as its own CSV. "
                                    "Where every figure came from is in manifest.json."));
    json_object_set_new(pkg, "version", json_string(OCCSNAP_VERSION));
    if (*created)
        json_object_set_new(pkg, "created", json_string(created));
    /* Each source's licence: an Open Definition id when it has one, else
     * a link to the source, with the licence as the title. */
    json_t *licenses = json_array(), *sources = json_array();
    for (size_t k = 0; k < c->nsrc; k++) {
        const cfg_source *s = &c->src[k];
        json_t *src = json_object();
        /* the release in use travels with the credit: "... (May 2025)" */
        char *credit = s->vintage ? xasprintf("%s (%s)", s->title ? s->title : s->id, s->vintage)
                                  : xstrdup(s->title ? s->title : s->id);
        json_object_set_new(src, "title", json_string(credit));
        free(credit);
        if (s->homepage)
            json_object_set_new(src, "path", json_string(s->homepage));
        json_array_append_new(sources, src);
        json_t *lic = json_object();
        char *title = xasprintf("%s: %s", s->id, s->licence ? s->licence : "unspecified");
        int open_id = s->licence && strspn(s->licence, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                       "abcdefghijklmnopqrstuvwxyz0123456789-._") ==
                                        strlen(s->licence);
        if (open_id)
            json_object_set_new(lic, "name", json_string(s->licence));
        else
            json_object_set_new(lic, "path", json_string(s->homepage ? s->homepage : "manifest.json"));
        json_object_set_new(lic, "title", json_string(title));
        free(title);
        json_array_append_new(licenses, lic);
    }
    json_object_set_new(pkg, "licenses", licenses);
    json_object_set_new(pkg, "sources", sources);

    json_t *resources = json_array();
    json_t *jsonl = json_object(), *db = json_object();
    json_t *pk = json_array();
    json_array_append_new(pk, json_string("onet_code"));
    json_t *csv = csv_resource("occupations",
                               "The occupation_profile view: one row per occupation with the "
                               "headline figures.",
                               schema_of(fields, pk, NULL));
    json_object_set_new(jsonl, "name", json_string("occupations-jsonl"));
    json_object_set_new(jsonl, "format", json_string("jsonl"));
    json_object_set_new(jsonl, "mediatype", json_string("application/x-ndjson"));
    json_object_set_new(jsonl, "encoding", json_string("utf-8"));
    json_object_set_new(jsonl, "description",
                        json_string("The same rows as occupations.csv, one JSON object a line; "
                                    "missing values are null, booleans true/false."));
    json_t *pk2 = json_array();
    json_array_append_new(pk2, json_string("onet_code"));
    json_object_set_new(jsonl, "schema", schema_of(fields, pk2, NULL));
    json_object_set_new(db, "name", json_string("occsnap-sqlite"));
    json_object_set_new(db, "format", json_string("sqlite"));
    json_object_set_new(db, "mediatype", json_string("application/vnd.sqlite3"));
    json_object_set_new(db, "description",
                        json_string("Every table of the snapshot (STRICT SQLite); the view "
                                    "occupation_profile is the occupations resource, each table "
                                    "is the resource of its name."));
    /* the database is the first file the manifest lists */
    json_t *profile_res[3] = {csv, jsonl, db};
    rc = export_all(snap, c, &words, dir, db_file, fields, profile_res, resources, hashes);
    json_object_set_new(pkg, "resources", resources);
    if (!rc) {
        char *text = json_dumps(pkg, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        char *path = xasprintf("%s/datapackage.json", dir);
        rc = write_file_atomic(path, text, strlen(text));
        free(path);
        free(text);
    }
    json_decref(pkg);
    json_decref(fields);
    words_free(&words);
    if (rc)
        export_hashes_free(hashes);
    return rc;
}
