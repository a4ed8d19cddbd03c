/* sheetxml.c - a strict streaming XML reader for worksheet parts: table-driven scans over a sliding buffer whose bytes are checked once for UTF-8 and XML characters. */
#include "extract/sheetxml.h"
#include "common/error.h"
#include "common/util.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SX_CHUNK (256 * 1024) /* bytes asked of read per call by default */
#define NEED (-1)             /* internal: the token runs past the bytes at hand */
#define DECL_MAX 1024         /* an XML declaration longer than this is malformed */
#define SLACK 64              /* bytes allocated past the buffer and the name arena, so
                                 scans may load 16 at a time past the final NUL */

/* Byte classes. NS: an ASCII name start; NC: an ASCII name character; HI: a
 * byte of a multi-byte UTF-8 character; SP: XML white space; TX: where a
 * text scan stops ('<' '&' '>' CR, and the NUL after the buffer's bytes);
 * AV: where an attribute value scan stops (either quote, '<' '&' tab LF CR,
 * NUL). */
enum { C_NS = 1, C_NC = 2, C_HI = 4, C_SP = 8, C_TX = 16, C_AV = 32 };
static const unsigned char cls[256] = {
    48,  0,  0,  0,  0,  0,  0,  0,  0, 40, 40,  0,  0, 56,  0,  0,
     0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
     8,  0, 32,  0,  0,  0, 48, 32,  0,  0,  0,  0,  0,  2,  2,  0,
     2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  3,  0, 48,  0, 16,  0,
     0,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  0,  0,  0,  0,  3,
     0,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,
     3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  3,  0,  0,  0,  0,  0,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
     4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,  4,
};
#define CLS(p) cls[(unsigned char)*(p)]

/* The scans below stop at the first byte of a class; with SSE2 they look at
 * 16 bytes at a time, so a short name or value costs no byte-by-byte loop
 * (and no mispredicted loop exit). They may read up to 15 bytes past the NUL
 * that ends the buffer's bytes (the allocation has SLACK for it), but never
 * return a position after that NUL, which is in every stop set. */

/* Never fails: the first byte at or after p that is quote q, '<', '&' or
 * below 0x20 (tab, LF, CR, or the NUL). */
static inline const char *find_av(const char *p, char q)
{
#if defined(__SSE2__)
    const __m128i vq = _mm_set1_epi8(q), vlt = _mm_set1_epi8('<'), vamp = _mm_set1_epi8('&'),
                  v1f = _mm_set1_epi8(0x1F);
    for (;; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vlt)),
                                 _mm_or_si128(_mm_cmpeq_epi8(v, vamp),
                                              _mm_cmpeq_epi8(_mm_min_epu8(v, v1f), v)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
    }
#else
    while (*p != q && !((CLS(p) & C_AV) && *p != '"' && *p != '\''))
        p++;
    return p;
#endif
}

/* Never fails: 1 if a[0, n) equals b[0, n); both may be read up to 8 bytes
 * past n when n < 8 (the buffer and the name arena have SLACK). */
static inline int short_eq(const char *a, const char *b, size_t n)
{
    if (n <= 8) {
        uint64_t x, y;
        memcpy(&x, a, 8);
        memcpy(&y, b, 8);
        uint64_t d = x ^ y;
        return n == 8 ? d == 0 : (d & ((1ull << (8 * n)) - 1)) == 0;
    }
    return memcmp(a, b, n) == 0;
}

/* Never fails: the first byte at or after p that is '<', '&', '>', CR or
 * the NUL. */
static inline const char *find_tx(const char *p)
{
#if defined(__SSE2__)
    const __m128i vlt = _mm_set1_epi8('<'), vamp = _mm_set1_epi8('&'), vgt = _mm_set1_epi8('>'),
                  vcr = _mm_set1_epi8('\r'), v0 = _mm_setzero_si128();
    for (;; p += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vlt), _mm_cmpeq_epi8(v, vamp)),
                                 _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vgt),
                                                           _mm_cmpeq_epi8(v, vcr)),
                                              _mm_cmpeq_epi8(v, v0)));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits)
            return p + __builtin_ctz(bits);
    }
#else
    while (!(CLS(p) & C_TX))
        p++;
    return p;
#endif
}

/* Where the scan resumes: between tokens, or inside a construct whose body
 * is consumed piece by piece (so a huge one is never held whole). */
enum { M_MARKUP = 0, M_COMMENT, M_PI, M_CDATA };
/* Where in the document: before, inside or after the root element. */
enum { D_PROLOG = 0, D_ROOT, D_EPILOG };

typedef struct {
    size_t off, len; /* in names */
    size_t loff;     /* where its local part starts, from off */
} sx_name;

struct sheetxml {
    const char *label, *what; /* for messages (borrowed) */
    const sheetxml_handlers *h;
    void *ctx;
    char *buf;              /* owned; bytes [0, len) read, buf[len] is always NUL */
    size_t cap, len;
    size_t pos;             /* consumed up to here */
    size_t avail;           /* [0, avail) are checked, complete XML characters */
    int bad;                /* buf[avail] starts bytes that are not */
    int eof;                /* read has returned 0 */
    size_t base;            /* document offset of buf[0] */
    size_t bom;             /* 3 after a UTF-8 byte order mark, else 0 */
    unsigned long line0;    /* line of buf[0] */
    int cr0;                /* the byte before buf[0] was CR */
    const char *tok;        /* start of the token being handled */
    int mode, where, want_text;
    char *names;            /* owned; the names of the open elements, end to end */
    size_t names_len, names_cap;
    sx_name *stk;           /* owned; the open elements, innermost last */
    size_t depth, stk_cap;
    sheetxml_attr *att;     /* owned; the current start tag's attributes */
    uint32_t *ahash;        /* owned; a key of each attribute name (duplicates) */
    size_t att_cap;
    char *scratch;          /* owned; decoded attribute values */
    size_t scratch_cap;
};

/* ---- characters and lines --------------------------------------------- */

/* Never fails: 1 if code point u is a Char of XML 1.0. */
static int xml_char(uint32_t u)
{
    return u == 0x9 || u == 0xA || u == 0xD || (u >= 0x20 && u <= 0xD7FF) ||
           (u >= 0xE000 && u <= 0xFFFD) || (u >= 0x10000 && u <= 0x10FFFF);
}

/* Never fails: the length of the run at the start of s[0, n) of complete,
 * valid UTF-8 XML characters. *bad is set to 1 when the run ends at bytes
 * that are not one (or, with at_end, at an unfinished sequence); an
 * unfinished sequence at the end otherwise just waits for more bytes. */
static size_t check_chars(const unsigned char *s, size_t n, int at_end, int *bad)
{
    size_t i = 0;
    *bad = 0;
    while (i < n) {
#if defined(__SSE2__)
        if (n - i >= 32) {
            /* 32 bytes at once: any below 0x20 or above 0x7F? */
            const __m128i v1f = _mm_set1_epi8(0x1F);
            __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(s + i + 16));
            __m128i lo = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(a, v1f), a),
                                      _mm_cmpeq_epi8(_mm_min_epu8(b, v1f), b));
            if (!_mm_movemask_epi8(_mm_or_si128(lo, _mm_or_si128(a, b)))) {
                i += 32;
                continue;
            }
        }
#endif
        if (n - i >= 8) {
            /* eight bytes at once: all in 0x20..0x7F? (borrows only ever
             * spread from a byte already below 0x20) */
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (((w | (w - 0x2020202020202020ull)) & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 && c != 0x9 && c != 0xA && c != 0xD) {
                *bad = 1;
                return i;
            }
            i++;
            continue;
        }
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            k = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            k = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            k = 3;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* past U+10FFFF */
        } else {
            *bad = 1;
            return i;
        }
        for (size_t j = 1; j <= k; j++) {
            if (i + j >= n) {
                *bad = at_end;
                return i;
            }
            unsigned d = s[i + j];
            if (j == 1 ? d < lo || d > hi : d < 0x80 || d > 0xBF) {
                *bad = 1;
                return i;
            }
        }
        if (c == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE) { /* U+FFFE, U+FFFF */
            *bad = 1;
            return i;
        }
        i += k + 1;
    }
    return i;
}

/* Never fails: decodes the (checked) UTF-8 character at s into *u; returns
 * its length. */
static int utf8_get(const char *s, uint32_t *u)
{
    const unsigned char *p = (const unsigned char *)s;
    if (p[0] < 0x80) {
        *u = p[0];
        return 1;
    }
    if (p[0] < 0xE0) {
        *u = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
        return 2;
    }
    if (p[0] < 0xF0) {
        *u = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
        return 3;
    }
    *u = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3F) << 12 |
         (uint32_t)(p[2] & 0x3F) << 6 | (p[3] & 0x3F);
    return 4;
}

/* Never fails: writes code point u (a Char) as UTF-8 into out; returns the
 * length. */
static int utf8_put(uint32_t u, char out[4])
{
    if (u < 0x80) {
        out[0] = (char)u;
        return 1;
    }
    if (u < 0x800) {
        out[0] = (char)(0xC0 | u >> 6);
        out[1] = (char)(0x80 | (u & 0x3F));
        return 2;
    }
    if (u < 0x10000) {
        out[0] = (char)(0xE0 | u >> 12);
        out[1] = (char)(0x80 | (u >> 6 & 0x3F));
        out[2] = (char)(0x80 | (u & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | u >> 18);
    out[1] = (char)(0x80 | (u >> 12 & 0x3F));
    out[2] = (char)(0x80 | (u >> 6 & 0x3F));
    out[3] = (char)(0x80 | (u & 0x3F));
    return 4;
}

/* Never fails: 1 if u (non-ASCII) may start a name (XML 1.0 fifth edition). */
static int name_start_hi(uint32_t u)
{
    return (u >= 0xC0 && u <= 0xD6) || (u >= 0xD8 && u <= 0xF6) || (u >= 0xF8 && u <= 0x2FF) ||
           (u >= 0x370 && u <= 0x37D) || (u >= 0x37F && u <= 0x1FFF) ||
           (u >= 0x200C && u <= 0x200D) || (u >= 0x2070 && u <= 0x218F) ||
           (u >= 0x2C00 && u <= 0x2FEF) || (u >= 0x3001 && u <= 0xD7FF) ||
           (u >= 0xF900 && u <= 0xFDCF) || (u >= 0xFDF0 && u <= 0xFFFD) ||
           (u >= 0x10000 && u <= 0xEFFFF);
}

/* Never fails: 1 if u (non-ASCII) may continue a name. */
static int name_char_hi(uint32_t u)
{
    return name_start_hi(u) || u == 0xB7 || (u >= 0x300 && u <= 0x36F) ||
           (u >= 0x203F && u <= 0x2040);
}

/* Never fails: the line breaks in s[0, n) (LF, CR LF and CR each count
 * once); cr_before says the byte before s was CR. */
static unsigned long count_breaks(const char *s, size_t n, int cr_before)
{
    unsigned long k = 0;
    const char *e = s + n, *q;
    for (q = s; q < e && (q = memchr(q, '\r', (size_t)(e - q))); q++)
        k++;
    for (q = s; q < e && (q = memchr(q, '\n', (size_t)(e - q))); q++)
        if (!(q > s ? q[-1] == '\r' : cr_before))
            k++;
    return k;
}

/* Never fails: the line of the byte at p (in the buffer). */
static unsigned long line_at(const sheetxml *x, const char *p)
{
    return x->line0 + count_breaks(x->buf, (size_t)(p - x->buf), x->cr0);
}

/* Always returns OS_EPARSE, reporting "label: what: XML error at line N: msg"
 * for the byte at p. */
static int sx_error(const sheetxml *x, const char *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sx_error(const sheetxml *x, const char *p, const char *fmt, ...)
{
    char msg[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return os_error(OS_EPARSE, "%s: %s: XML error at line %lu: %s", x->label, x->what,
                    line_at(x, p), msg);
}

/* Never fails: a printable length for a name in a message (cut at 64). */
static int shown(size_t n)
{
    return n > 64 ? 64 : (int)n;
}

/* ---- references -------------------------------------------------------- */

enum { REF_OK = 0, REF_MALFORMED, REF_UNDEFINED, REF_BADCHAR, REF_NEED };
#define REF_NAME_MAX 32 /* name characters of an entity reference looked at */

/* Never fails: decodes the reference at p ('&') within [p, e) into *u and
 * sets *end after its ';'. REF_NEED when it may go on past e. Only the five
 * predefined entities exist (no DOCTYPE, no others). */
static int ref_decode(const char *p, const char *e, uint32_t *u, const char **end)
{
    const char *q = p + 1;
    if (q >= e)
        return REF_NEED;
    if (*q == '#') {
        int hex = 0, nd = 0;
        uint32_t v = 0;
        if (++q >= e)
            return REF_NEED;
        if (*q == 'x') {
            hex = 1;
            q++;
        }
        for (;; q++) {
            if (q >= e)
                return REF_NEED;
            unsigned c = (unsigned char)*q, d;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
                d = (c | 0x20) - 'a' + 10;
            else
                break;
            if (v <= 0x10FFFF) /* stays far from overflow; past it is invalid anyway */
                v = v * (hex ? 16 : 10) + d;
            nd++;
        }
        if (!nd || *q != ';')
            return REF_MALFORMED;
        if (!xml_char(v))
            return REF_BADCHAR;
        *u = v;
        *end = q + 1;
        return REF_OK;
    }
    /* a name: only lt, gt, amp, quot and apos exist, so a long one is
     * undefined without waiting for its end (REF_NAME_MAX characters) */
    const char *n = q;
    while (q - n < REF_NAME_MAX && q < e && (CLS(q) & C_NC))
        q++;
    size_t len = (size_t)(q - n);
    int named = len > 0 && (CLS(n) & C_NS);
    if (len == REF_NAME_MAX)
        return named ? REF_UNDEFINED : REF_MALFORMED;
    if (q >= e)
        return REF_NEED;
    if (*q != ';')
        return REF_MALFORMED;
    static const struct {
        char name[5];
        char u;
    } pre[] = {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
    for (size_t i = 0; i < sizeof pre / sizeof *pre; i++)
        if (strlen(pre[i].name) == len && memcmp(pre[i].name, n, len) == 0) {
            *u = (uint32_t)pre[i].u;
            *end = q + 1;
            return REF_OK;
        }
    return named ? REF_UNDEFINED : REF_MALFORMED;
}

/* Fails with OS_EPARSE naming the reference at *pp; NEED when it runs past
 * e. Otherwise writes its UTF-8 into out (*olen bytes) and moves *pp past. */
static int ref_parse(const sheetxml *x, const char **pp, const char *e, char out[4], int *olen)
{
    uint32_t u = 0;
    const char *end = NULL, *p = *pp;
    switch (ref_decode(p, e, &u, &end)) {
    case REF_OK:
        *olen = utf8_put(u, out);
        *pp = end;
        return 0;
    case REF_NEED:
        return NEED;
    case REF_UNDEFINED: {
        /* ref_decode looked at REF_NAME_MAX name characters at most: so
         * does the message, whatever the read size */
        size_t n = 0;
        while (n < REF_NAME_MAX && (CLS(p + 1 + n) & C_NC))
            n++;
        return sx_error(x, p, "undefined entity '&%.*s%s' (only &lt; &gt; &amp; &quot; &apos; "
                        "exist)", (int)n, p + 1, n == REF_NAME_MAX ? "..." : p[1 + n] == ';' ? ";" : "");
    }
    case REF_BADCHAR: {
        const char *s = memchr(p, ';', (size_t)(e - p));
        return sx_error(x, p, "reference to invalid character number '%.*s'",
                        shown((size_t)(s - p + 1)), p);
    }
    default:
        if (p[1] == '#')
            return sx_error(x, p, "not well-formed (malformed character reference)");
        return sx_error(x, p, "not well-formed (a '&' that does not start a reference)");
    }
}

/* ---- tokens ------------------------------------------------------------ */

/* Fails with OS_EPARSE when *pp does not start a name; NEED when the name may
 * go on past e. Otherwise moves *pp past the name and sets *local to its part
 * after the last ':'. */
static inline int scan_name(const sheetxml *x, const char **pp, const char *e, const char **local)
{
    const char *p = *pp, *s = p;
    uint32_t u;
    if (p >= e)
        return NEED;
    if (CLS(p) & C_NS)
        p++;
    else if ((*p & 0x80) && (p += utf8_get(p, &u), name_start_hi(u)))
        ;
    else
        return sx_error(x, s, "not well-formed (invalid token)");
    for (;;) {
        /* a byte loop: names are short (c, v, row) and its exit is well
         * predicted; a 16-byte SSE2 scan measured slower here */
        while (CLS(p) & C_NC)
            p++;
        if (p >= e)
            return NEED;
        if (!(*p & 0x80))
            break;
        int n = utf8_get(p, &u);
        if (!name_char_hi(u))
            break;
        p += n;
    }
    const char *l = p;
    while (l > s && l[-1] != ':')
        l--;
    *local = l;
    *pp = p;
    return 0;
}

/* Never fails (dies on OOM): makes room for natt + 1 attributes. */
static void att_reserve(sheetxml *x, size_t natt)
{
    if (natt < x->att_cap)
        return;
    x->att_cap = x->att_cap ? x->att_cap * 2 : 16;
    x->att = xrealloc(x->att, x->att_cap * sizeof *x->att);
    x->ahash = xrealloc(x->ahash, x->att_cap * sizeof *x->ahash);
}

/* Never fails (dies on OOM): records an open element's name (its local
 * part from loff). */
static void push_name(sheetxml *x, const char *name, size_t n, size_t loff)
{
    if (x->depth == x->stk_cap) {
        x->stk_cap = x->stk_cap ? x->stk_cap * 2 : 32;
        x->stk = xrealloc(x->stk, x->stk_cap * sizeof *x->stk);
    }
    if (x->names_cap - x->names_len < n) {
        size_t cap = x->names_cap ? x->names_cap : 256;
        while (cap - x->names_len < n)
            cap *= 2;
        x->names = xrealloc(x->names, cap + SLACK);
        x->names_cap = cap;
    }
    if (n <= 16) /* a short name in one move (the arena and the buffer have SLACK) */
        memcpy(x->names + x->names_len, name, 16);
    else
        memcpy(x->names + x->names_len, name, n);
    x->stk[x->depth++] = (sx_name){x->names_len, n, loff};
    x->names_len += n;
}

/* Fails with OS_EPARSE on a malformed start tag, a duplicate attribute or a
 * second root element, or with a handler's result; NEED when the tag runs
 * past e (nothing done yet). *pp is at '<'. */
static int start_tag(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp + 1, *name = p, *local = NULL;
    int rc = scan_name(x, &p, e, &local);
    if (rc)
        return rc;
    size_t nlen = (size_t)(p - name), natt = 0;
    int empty = 0;
    for (;;) {
        const char *sp = p;
        while (CLS(p) & C_SP)
            p++;
        if (p >= e)
            return NEED;
        if (*p == '>') {
            p++;
            break;
        }
        if (*p == '/') {
            if (p + 1 >= e)
                return NEED;
            if (p[1] != '>')
                return sx_error(x, p, "not well-formed ('/' not followed by '>' in a tag)");
            p += 2;
            empty = 1;
            break;
        }
        if (p == sp)
            return sx_error(x, p, "not well-formed (no white space before an attribute)");
        const char *an = p, *alocal;
        if ((rc = scan_name(x, &p, e, &alocal)))
            return rc;
        size_t anlen = (size_t)(p - an);
        while (CLS(p) & C_SP)
            p++;
        if (p >= e)
            return NEED;
        if (*p != '=')
            return sx_error(x, p, "not well-formed (no '=' after attribute '%.*s')",
                            shown(anlen), an);
        p++;
        while (CLS(p) & C_SP)
            p++;
        if (p >= e)
            return NEED;
        char q = *p;
        if (q != '"' && q != '\'')
            return sx_error(x, p, "not well-formed (the value of attribute '%.*s' is not "
                            "quoted)", shown(anlen), an);
        const char *v = ++p;
        int plain = 1;
        for (;;) {
            p = find_av(p, q);
            if (p >= e)
                return NEED;
            if (*p == q)
                break;
            if (*p == '"' || *p == '\'') {
                p++;
            } else if (*p == '<') {
                return sx_error(x, p, "not well-formed ('<' in the value of attribute '%.*s')",
                                shown(anlen), an);
            } else if (*p == '&') {
                char out[4];
                int olen;
                if ((rc = ref_parse(x, &p, e, out, &olen)))
                    return rc;
                plain = 0;
            } else {
                plain = 0; /* tab, LF, CR: normalized to a space */
                p++;
            }
        }
        size_t vlen = (size_t)(p - v);
        p++;
        /* the length and the first and last bytes tell most names apart */
        uint32_t key = (uint32_t)anlen << 16 | (uint32_t)(unsigned char)an[0] << 8 |
                       (unsigned char)an[anlen - 1];
        for (size_t i = 0; i < natt; i++)
            if (x->ahash[i] == key && short_eq(x->att[i].name, an, anlen))
                return sx_error(x, an, "duplicate attribute '%.*s'", shown(anlen), an);
        att_reserve(x, natt);
        x->ahash[natt] = key;
        x->att[natt++] = (sheetxml_attr){an, anlen, v, vlen, plain};
    }
    if (x->where == D_EPILOG)
        return sx_error(x, *pp, "junk after document element (a second root element <%.*s>)",
                        shown(nlen), name);
    x->where = D_ROOT;
    if (!empty)
        push_name(x, name, nlen, (size_t)(local - name));
    *pp = p;
    size_t llen = (size_t)(name + nlen - local);
    if ((rc = x->h->start(x->ctx, x, local, llen, x->att, natt)))
        return rc;
    if (empty) {
        if ((rc = x->h->end(x->ctx, x, local, llen)))
            return rc;
        if (x->depth == 0)
            x->where = D_EPILOG;
    }
    return 0;
}

#define GENERIC (-2)   /* internal: not the usual cell shape, read it token by token */
#define FAST_ATTS 8     /* a cell with more attributes takes the general path */

/* The usual cell in one step (sheetxml_handlers.cell says which shape):
 * returns 0 when the handler took it (*pp then past its "</c>" or "/>"),
 * GENERIC when the bytes at *pp (at "<c ") are not that shape, are not all
 * at hand before e, or the handler left it, with nothing consumed and no
 * state changed, or the handler's non-zero result. Every byte it accepts
 * was checked before e, so the cell is well-formed as it reads it; the
 * element opens and closes here, so the stack of open elements is as
 * before. */
static int fast_cell(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp + 2; /* past "<c"; p[0] is ' ' */
    sheetxml_attr att[FAST_ATTS];
    size_t natt = 0;
    int empty = 0;
    for (;;) {
        if (p >= e)
            return GENERIC;
        if (*p == '>') {
            p++;
            break;
        }
        if (*p == '/') {
            if (p + 1 >= e || p[1] != '>')
                return GENERIC;
            p += 2;
            empty = 1;
            break;
        }
        if (*p != ' ' || natt == FAST_ATTS)
            return GENERIC;
        const char *an = ++p;
        if (!(CLS(p) & C_NS))
            return GENERIC;
        while (CLS(p) & C_NC)
            p++;
        size_t anlen = (size_t)(p - an);
        if (p + 1 >= e || p[0] != '=' || p[1] != '"')
            return GENERIC;
        const char *v = p + 2;
        p = find_av(v, '"');
        if (p >= e || *p != '"')
            return GENERIC;
        for (size_t i = 0; i < natt; i++)
            if (att[i].nlen == anlen && memcmp(att[i].name, an, anlen) == 0)
                return GENERIC; /* the general path reports it */
        att[natt++] = (sheetxml_attr){an, anlen, v, (size_t)(p - v), 1};
        p++;
    }
    if (natt == 0)
        return GENERIC;
    const char *v = NULL;
    size_t vlen = 0;
    if (!empty) {
        if ((size_t)(e - p) >= 4 && memcmp(p, "</c>", 4) == 0) {
            p += 4;
        } else if ((size_t)(e - p) >= 3 && memcmp(p, "<v>", 3) == 0) {
            v = p + 3;
            const char *t = find_tx(v);
            if (t >= e || *t != '<' || (size_t)(e - t) < 8 || memcmp(t, "</v></c>", 8) != 0)
                return GENERIC;
            vlen = (size_t)(t - v);
            p = t + 8;
        } else {
            return GENERIC;
        }
    }
    int taken = 0;
    int rc = x->h->cell(x->ctx, x, att, natt, v, vlen, &taken);
    if (rc)
        return rc;
    if (!taken)
        return GENERIC;
    *pp = p;
    return 0;
}

/* Fails with OS_EPARSE on a malformed or mismatched end tag, or with the
 * end handler's result; NEED when the tag runs past e. *pp is at "</". */
static int end_tag(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp + 2;
    int rc;
    if (x->depth == 0) {
        const char *name = p, *local;
        if ((rc = scan_name(x, &p, e, &local)))
            return rc;
        return sx_error(x, *pp, "end tag </%.*s> outside any element",
                        shown((size_t)(p - name)), name);
    }
    const sx_name *top = &x->stk[x->depth - 1];
    const char *want = x->names + top->off;
    size_t n = top->len;
    /* The end tag must repeat the innermost open name: compare with it
     * directly (a name followed by '>' is the whole name). */
    const char *gt = p + n;
    if (p + n >= e || !short_eq(p, want, n) || p[n] != '>') {
        const char *name = p, *local;
        if ((rc = scan_name(x, &p, e, &local)))
            return rc;
        size_t nlen = (size_t)(p - name);
        while (CLS(p) & C_SP)
            p++;
        if (p >= e)
            return NEED;
        if (*p != '>')
            return sx_error(x, p, "not well-formed (junk in the end tag </%.*s>)", shown(nlen),
                            name);
        if (nlen != n || memcmp(name, want, n) != 0)
            return sx_error(x, *pp, "mismatched tag");
        gt = p;
    }
    x->depth--;
    x->names_len = top->off;
    *pp = gt + 1;
    if ((rc = x->h->end(x->ctx, x, want + top->loff, n - top->loff)))
        return rc;
    if (x->depth == 0)
        x->where = D_EPILOG;
    return 0;
}

/* Never fails: 1 when s[0, n) equals the ASCII literal lit ignoring case. */
static int eq_ci(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]) != lit[i])
            return 0;
    return 1;
}

/* Fails with OS_EPARSE when the XML declaration at *pp (the whole of it up
 * to "?>" at end) is malformed or declares an encoding other than UTF-8. */
static int xml_decl(const sheetxml *x, const char **pp, const char *end)
{
    static const char *const names[] = {"version", "encoding", "standalone"};
    const char *p = *pp + 5, *val[3] = {0};
    size_t vlen[3] = {0};
    int last = -1;
    for (;;) {
        const char *sp = p;
        while (p < end && (CLS(p) & C_SP))
            p++;
        if (p == end)
            break;
        if (p == sp)
            return sx_error(x, p, "malformed XML declaration");
        const char *n = p;
        while (p < end && (CLS(p) & C_NC))
            p++;
        int k = -1;
        for (int i = 0; i < 3; i++)
            if ((size_t)(p - n) == strlen(names[i]) && memcmp(n, names[i], (size_t)(p - n)) == 0)
                k = i;
        if (k <= last || (k > 0 && last < 0))
            return sx_error(x, n, "malformed XML declaration (at '%.*s')",
                            shown((size_t)(end - n)), n);
        last = k;
        while (p < end && (CLS(p) & C_SP))
            p++;
        if (p == end || *p++ != '=')
            return sx_error(x, n, "malformed XML declaration (no '=' after %s)", names[k]);
        while (p < end && (CLS(p) & C_SP))
            p++;
        char q = p < end ? *p : 0;
        const char *v = ++p;
        if (q != '"' && q != '\'')
            return sx_error(x, n, "malformed XML declaration (%s not quoted)", names[k]);
        while (p < end && *p != q)
            p++;
        if (p == end)
            return sx_error(x, n, "malformed XML declaration (%s not closed)", names[k]);
        val[k] = v;
        vlen[k] = (size_t)(p - v);
        p++;
    }
    if (!val[0] || vlen[0] < 3 || memcmp(val[0], "1.", 2) != 0 ||
        strspn(val[0] + 2, "0123456789") < vlen[0] - 2)
        return sx_error(x, *pp, "malformed XML declaration (version must be 1.x)");
    if (val[1] && !eq_ci(val[1], vlen[1], "utf-8")) {
        int ok = vlen[1] > 0 && ((val[1][0] | 0x20) >= 'a' && (val[1][0] | 0x20) <= 'z');
        for (size_t i = 1; i < vlen[1] && ok; i++)
            ok = (CLS(val[1] + i) & C_NC) && val[1][i] != ':';
        if (!ok)
            return sx_error(x, *pp, "malformed XML declaration (encoding name)");
        return sx_error(x, *pp, "the part declares encoding '%.*s': only UTF-8 is supported",
                        shown(vlen[1]), val[1]);
    }
    if (val[2] && !(vlen[2] == 3 && memcmp(val[2], "yes", 3) == 0) &&
        !(vlen[2] == 2 && memcmp(val[2], "no", 2) == 0))
        return sx_error(x, *pp, "malformed XML declaration (standalone must be yes or no)");
    *pp = end + 2;
    return 0;
}

/* Fails with OS_EPARSE on a misplaced XML declaration, a reserved or
 * malformed target; NEED when it runs past e. *pp is at "<?"; a body after
 * the target is left to in_pi. */
static int pi_start(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp + 2, *t = p, *local;
    int rc = scan_name(x, &p, e, &local);
    if (rc)
        return rc;
    size_t tlen = (size_t)(p - t);
    if (eq_ci(t, tlen, "xml")) {
        if (memcmp(t, "xml", 3) != 0)
            return sx_error(x, *pp, "processing instruction target '%.3s' is reserved", t);
        if (x->base + (size_t)(*pp - x->buf) != x->bom)
            return sx_error(x, *pp, "XML declaration not at the start of the part");
        /* its "?>" is looked for in the first DECL_MAX bytes only, whatever
         * the read size */
        const char *end = *pp, *lim = e - *pp > DECL_MAX ? *pp + DECL_MAX : e;
        for (;;) {
            end = memchr(end, '?', (size_t)(lim - end));
            if (!end || end + 1 >= lim) {
                if (lim < e || e - *pp == DECL_MAX)
                    return sx_error(x, *pp, "malformed XML declaration (no '?>')");
                return NEED;
            }
            if (end[1] == '>')
                break;
            end++;
        }
        return xml_decl(x, pp, end);
    }
    if (*p == '?') {
        if (p + 1 >= e)
            return NEED;
        if (p[1] != '>')
            return sx_error(x, p, "not well-formed (processing instruction)");
        *pp = p + 2;
        return 0;
    }
    if (!(CLS(p) & C_SP))
        return sx_error(x, p, "not well-formed (processing instruction target)");
    x->mode = M_PI;
    *pp = p + 1;
    return 0;
}

/* Fails with OS_EPARSE on "<!" that starts no comment or CDATA section (a
 * DOCTYPE is refused); NEED when it cannot tell yet. *pp is at "<!". */
static int bang(sheetxml *x, const char **pp, const char *e)
{
    static const char cdata[] = "<![CDATA[", doctype[] = "<!DOCTYPE";
    const char *p = *pp;
    size_t have = (size_t)(e - p);
    if (have < 3)
        return NEED;
    if (p[2] == '-') {
        if (have < 4)
            return NEED;
        if (p[3] != '-')
            return sx_error(x, p, "not well-formed (invalid token)");
        x->mode = M_COMMENT;
        *pp = p + 4;
        return 0;
    }
    const char *lit = p[2] == '[' ? cdata : doctype;
    size_t n = have < 9 ? have : 9;
    if (memcmp(p, lit, n) != 0)
        return sx_error(x, p, "not well-formed (invalid token)");
    if (n < 9)
        return NEED;
    if (lit == doctype)
        return sx_error(x, p, "DOCTYPE refused: entity declarations are not allowed");
    if (x->where != D_ROOT)
        return sx_error(x, p, "CDATA section outside the root element");
    x->mode = M_CDATA;
    *pp = p + 9;
    return 0;
}

/* Fails with OS_EPARSE on "--" inside a comment; NEED while its end is not at
 * hand (the body so far consumed). */
static int in_comment(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp;
    for (;;) {
        const char *q = memchr(p, '-', (size_t)(e - p));
        if (!q) {
            *pp = e;
            return NEED;
        }
        if (e - q < 3) {
            *pp = q;
            return NEED;
        }
        if (q[1] != '-') {
            p = q + 1;
            continue;
        }
        if (q[2] != '>')
            return sx_error(x, q, "'--' is not allowed inside a comment");
        *pp = q + 3;
        x->mode = M_MARKUP;
        return 0;
    }
}

/* Never fails; NEED while the "?>" ending a processing instruction is not at
 * hand (the body so far consumed). */
static int in_pi(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp;
    for (;;) {
        const char *q = memchr(p, '?', (size_t)(e - p));
        if (!q) {
            *pp = e;
            return NEED;
        }
        if (q + 1 >= e) {
            *pp = q;
            return NEED;
        }
        if (q[1] == '>') {
            *pp = q + 2;
            x->mode = M_MARKUP;
            return 0;
        }
        p = q + 1;
    }
}

/* Fails with the text handler's result; hands s[0, n) to it when text is
 * wanted, CR LF and CR as LF (a CR is never the last byte unless the text
 * ends there). */
static int emit_cr(sheetxml *x, const char *s, size_t n)
{
    if (!x->want_text || n == 0)
        return 0;
    const char *e = s + n;
    int rc;
    for (;;) {
        const char *r = memchr(s, '\r', (size_t)(e - s));
        if (!r)
            return s < e ? x->h->text(x->ctx, s, (size_t)(e - s)) : 0;
        if (r > s && (rc = x->h->text(x->ctx, s, (size_t)(r - s))))
            return rc;
        if ((rc = x->h->text(x->ctx, "\n", 1)))
            return rc;
        s = r + 1 < e && r[1] == '\n' ? r + 2 : r + 1;
    }
}

/* Fails with the text handler's result; NEED while "]]>" is not at hand
 * (the body so far delivered, a trailing CR or ']' kept back). */
static int in_cdata(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp, *s = p;
    int rc;
    for (;;) {
        const char *q = memchr(p, ']', (size_t)(e - p));
        if (!q || e - q < 3) {
            const char *stop = q ? q : e;
            if (stop > s && stop[-1] == '\r')
                stop--;
            if ((rc = emit_cr(x, s, (size_t)(stop - s))))
                return rc;
            *pp = stop;
            return NEED;
        }
        if (q[1] == ']' && q[2] == '>') {
            if ((rc = emit_cr(x, s, (size_t)(q - s))))
                return rc;
            *pp = q + 3;
            x->mode = M_MARKUP;
            return 0;
        }
        p = q + 1;
    }
}

/* Hands a run of plain text to the text handler when text is wanted. */
#define EMIT(a, b)                                                                \
    do {                                                                          \
        if (want && (b) > (a) && (rc = x->h->text(x->ctx, (a), (size_t)((b) - (a))))) \
            return rc;                                                            \
    } while (0)

/* Fails with OS_EPARSE on a bad reference or "]]>", or with the text
 * handler's result; NEED at the end of the bytes at hand (what is complete
 * delivered; a reference, a CR or up to two ']' that may continue kept
 * back). Stops at the '<' that ends the text. */
static int text(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp, *s = p, *t0 = p;
    int want = x->want_text, rc;
    for (;;) {
        p = find_tx(p);
        if (p >= e) {
            const char *q = e;
            for (int i = 0; i < 2 && q > t0 && q[-1] == ']'; i++)
                q--;
            EMIT(s, q);
            *pp = q;
            return NEED;
        }
        switch (*p) {
        case '<':
            EMIT(s, p);
            *pp = p;
            return 0;
        case '>':
            if (p - t0 >= 2 && p[-1] == ']' && p[-2] == ']')
                return sx_error(x, p - 2, "']]>' is not allowed in text");
            p++;
            continue;
        case '\r':
            if (!want) {
                p++;
                continue;
            }
            EMIT(s, p);
            if (p + 1 >= e) {
                *pp = p;
                return NEED;
            }
            if ((rc = x->h->text(x->ctx, "\n", 1)))
                return rc;
            p += p[1] == '\n' ? 2 : 1;
            s = p;
            continue;
        default: { /* '&' */
            char out[4];
            int olen;
            const char *q = p;
            EMIT(s, p);
            rc = ref_parse(x, &q, e, out, &olen);
            if (rc == NEED)
                *pp = p;
            if (rc)
                return rc;
            if (want && (rc = x->h->text(x->ctx, out, (size_t)olen)))
                return rc;
            p = s = q;
            continue;
        }
        }
    }
}

/* Fails with OS_EPARSE on anything but white space outside the root. */
static int outside_text(sheetxml *x, const char **pp, const char *e)
{
    const char *p = *pp;
    while (CLS(p) & C_SP)
        p++;
    if (p >= e) {
        *pp = e;
        return NEED;
    }
    *pp = p;
    if (*p == '<')
        return 0;
    return sx_error(x, p, x->where == D_PROLOG ? "text before the root element"
                                               : "junk after document element");
}

/* Fails like the token functions; consumes what it can of [pos, avail) and
 * leaves pos at the first byte still needed (0 then means: read on). */
static int scan(sheetxml *x)
{
    const char *p = x->buf + x->pos, *e = x->buf + x->avail;
    int rc = 0;
    while (rc == 0) {
        switch (x->mode) {
        case M_COMMENT:
            rc = in_comment(x, &p, e);
            continue;
        case M_PI:
            rc = in_pi(x, &p, e);
            continue;
        case M_CDATA:
            rc = in_cdata(x, &p, e);
            continue;
        default:
            break;
        }
        if (p >= e) {
            rc = NEED;
            break;
        }
        if (*p != '<') {
            rc = x->where == D_ROOT ? text(x, &p, e) : outside_text(x, &p, e);
            continue;
        }
        x->tok = p;
        if (e - p < 2) {
            rc = NEED;
            break;
        }
        switch (p[1]) {
        case '/':
            rc = end_tag(x, &p, e);
            break;
        case '?':
            rc = pi_start(x, &p, e);
            break;
        case '!':
            rc = bang(x, &p, e);
            break;
        default:
            rc = GENERIC;
            if (p[1] == 'c' && x->h->cell && x->depth > 0 && e - p > 2 && p[2] == ' ')
                rc = fast_cell(x, &p, e);
            if (rc == GENERIC)
                rc = start_tag(x, &p, e);
            break;
        }
    }
    x->pos = (size_t)(p - x->buf);
    return rc == NEED ? 0 : rc;
}

/* ---- the driver -------------------------------------------------------- */

/* Always returns OS_EPARSE, describing the bytes at avail that are not a
 * complete UTF-8 XML character. */
static int bad_char_error(const sheetxml *x)
{
    const unsigned char *s = (const unsigned char *)x->buf + x->avail;
    size_t left = x->len - x->avail;
    const char *p = x->buf + x->avail;
    if (s[0] < 0x80)
        return sx_error(x, p, "not well-formed (character U+%04X is not allowed in XML)", s[0]);
    size_t k = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
             : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : 0, i = 1;
    while (i < k && i < left && (s[i] & 0xC0) == 0x80)
        i++;
    if (k && i == k) {
        /* a well-formed sequence check_chars refused: a surrogate or a non-character */
        uint32_t u;
        utf8_get(p, &u);
        if ((u >= 0xD800 && u <= 0xDFFF) || u == 0xFFFE || u == 0xFFFF)
            return sx_error(x, p, "not well-formed (U+%04X is not an XML character)",
                            (unsigned)u);
    } else if (k && i == left && x->eof) {
        return sx_error(x, p, "not well-formed (the part ends inside a UTF-8 sequence)");
    }
    return sx_error(x, p, "not well-formed (byte 0x%02X is not valid UTF-8)", s[0]);
}

/* Fails with OS_EPARSE when the document starts with a UTF-16 byte order
 * mark or looks like UTF-16; skips a UTF-8 byte order mark. */
static int check_start(sheetxml *x)
{
    const unsigned char *u = (const unsigned char *)x->buf;
    if (x->len >= 2 && ((u[0] == 0xFE && u[1] == 0xFF) || (u[0] == 0xFF && u[1] == 0xFE)))
        return sx_error(x, x->buf, "the part is UTF-16 (byte order mark %02X %02X): only UTF-8 "
                        "is supported", u[0], u[1]);
    if (x->len >= 2 && ((u[0] == 0 && u[1] == '<') || (u[0] == '<' && u[1] == 0)))
        return sx_error(x, x->buf, "the part looks like UTF-16 (a NUL byte beside '<'): only "
                        "UTF-8 is supported");
    if (x->len >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF)
        x->pos = x->avail = x->bom = 3;
    return 0;
}

/* Fails with OS_EPARSE when the document ends before it is complete. */
static int finish(const sheetxml *x)
{
    const char *end = x->buf + x->len;
    static const char *const what[] = {"", "comment", "processing instruction",
                                       "CDATA section"};
    if (x->mode != M_MARKUP)
        return sx_error(x, end, "unclosed %s at the end of the part", what[x->mode]);
    if (x->pos < x->len)
        return sx_error(x, x->buf + x->pos, "unclosed token at the end of the part");
    if (x->depth > 0) {
        const sx_name *top = &x->stk[x->depth - 1];
        return sx_error(x, end, "unclosed element <%.*s> at the end of the part (truncated?)",
                        shown(top->len), x->names + top->off);
    }
    if (x->where == D_PROLOG)
        return sx_error(x, end, "no element found");
    return 0;
}

/* Never fails (dies on OOM): drops the consumed bytes (keeping the line
 * count) and makes room for chunk more bytes and the NUL. */
static void make_room(sheetxml *x, size_t chunk)
{
    if (x->pos > 0) {
        x->line0 += count_breaks(x->buf, x->pos, x->cr0);
        x->cr0 = x->buf[x->pos - 1] == '\r';
        memmove(x->buf, x->buf + x->pos, x->len - x->pos);
        x->len -= x->pos;
        x->avail -= x->pos;
        x->base += x->pos;
        x->pos = 0;
    }
    if (x->cap - x->len > chunk)
        return;
    size_t cap = x->cap ? x->cap : 2 * chunk + 64;
    while (cap - x->len <= chunk)
        cap *= 2;
    x->buf = xrealloc(x->buf, cap + SLACK);
    x->cap = cap;
}

int sheetxml_parse(const char *label, const char *what, rows_read_fn read, void *src,
                   size_t chunk, const sheetxml_handlers *h, void *ctx)
{
    sheetxml x = {.label = label, .what = what, .h = h, .ctx = ctx, .line0 = 1};
    if (!chunk)
        chunk = SX_CHUNK;
    int rc = 0, started = 0;
    for (;;) {
        make_room(&x, chunk);
        long n = read(src, x.buf + x.len, chunk);
        if (n < 0) {
            rc = OS_EPARSE; /* already reported, naming archive and member */
            break;
        }
        x.eof = n == 0;
        x.len += (size_t)n;
        x.buf[x.len] = '\0';
        if (!started) {
            if (x.len < 3 && !x.eof)
                continue;
            started = 1;
            if ((rc = check_start(&x)))
                break;
        }
        if (!x.bad)
            x.avail += check_chars((const unsigned char *)x.buf + x.avail, x.len - x.avail,
                                   x.eof, &x.bad);
        if ((rc = scan(&x)))
            break;
        if (x.bad) {
            /* a whole character's bytes, to describe it the same whatever the read size */
            while (x.len - x.avail < 4 && !x.eof && rc == 0) {
                make_room(&x, chunk);
                long more = read(src, x.buf + x.len, chunk);
                if (more < 0)
                    rc = OS_EPARSE;
                x.eof = more <= 0;
                x.len += more > 0 ? (size_t)more : 0;
                x.buf[x.len] = '\0';
            }
            if (rc == 0)
                rc = bad_char_error(&x);
            break;
        }
        if (x.eof) {
            rc = finish(&x);
            break;
        }
    }
    free(x.buf);
    free(x.names);
    free(x.stk);
    free(x.att);
    free(x.ahash);
    free(x.scratch);
    return rc;
}

const char *sheetxml_attr_value(sheetxml *x, const sheetxml_attr *a, size_t *len)
{
    if (a->plain) {
        *len = a->rlen;
        return a->raw;
    }
    /* a reference gives at most 4 bytes from at least 3 */
    if (x->scratch_cap < a->rlen * 2 + 1) {
        x->scratch_cap = a->rlen * 2 + 1;
        x->scratch = xrealloc(x->scratch, x->scratch_cap);
    }
    const char *p = a->raw, *e = a->raw + a->rlen;
    char *o = x->scratch;
    while (p < e) {
        if (*p == '&') {
            uint32_t u = 0;
            const char *end = e;
            ref_decode(p, e, &u, &end); /* checked when the tag was read */
            o += utf8_put(u, o);
            p = end;
        } else if (*p == '\r') {
            *o++ = ' ';
            p += p + 1 < e && p[1] == '\n' ? 2 : 1;
        } else if (*p == '\t' || *p == '\n') {
            *o++ = ' ';
            p++;
        } else {
            *o++ = *p++;
        }
    }
    *o = '\0';
    *len = (size_t)(o - x->scratch);
    return x->scratch;
}

void sheetxml_want_text(sheetxml *x, int on)
{
    x->want_text = on;
}

unsigned long sheetxml_line(sheetxml *x)
{
    return line_at(x, x->tok ? x->tok : x->buf + x->pos);
}
