/* xlsx.c - stream the rows of one worksheet of an xlsx workbook: expat for the small parts, extract/sheetxml for the worksheet, chunk by chunk. */
#include "extract/xlsx.h"
#include "common/error.h"
#include "common/util.h"
#include "extract/sheetxml.h"

#include <expat.h>
#include <stdlib.h>
#include <string.h>

#define XLSX_CHUNK (256 * 1024)  /* bytes handed to expat per parse call */
#define XLSX_MAX_COLS 16384L     /* XFD, the last column Excel allows */
#define XLSX_MAX_ROWS 1048576L   /* the last row Excel allows */
#define WORKBOOK_MEMBER "xl/workbook.xml"
#define WORKBOOK_RELS "xl/_rels/workbook.xml.rels"
#define DEFAULT_SST "xl/sharedStrings.xml"

/* ---- small helpers ---------------------------------------------------- */

/* A growable byte buffer; always keeps one spare byte for a NUL. */
typedef struct {
    char *p;
    size_t len, cap;
} xbuf;

/* Never fails (dies on OOM); makes room for n more bytes plus a NUL. */
static void xbuf_reserve(xbuf *b, size_t n)
{
    if (b->cap - b->len > n)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= n)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

/* Never fails (dies on OOM); appends n bytes, not NUL-terminated. */
static void xbuf_add(xbuf *b, const char *s, size_t n)
{
    if (b->cap - b->len <= n)
        xbuf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* Never fails; the element or attribute name without any "prefix:". */
static const char *local_name(const char *name)
{
    const char *c = strrchr(name, ':');
    return c ? c + 1 : name;
}

/* Never fails; the value of attribute `name` (exact, prefix included) or NULL;
 * the pointer belongs to expat and lives only during the handler. */
static const char *attr(const XML_Char **atts, const char *name)
{
    for (size_t i = 0; atts[i]; i += 2)
        if (strcmp(atts[i], name) == 0)
            return atts[i + 1];
    return NULL;
}

/* Never fails: returns the 0-based column of a reference like "AF12" (r[0,
 * n)), -1 when it has no letters, -2 when it is past XFD, -3 when its row
 * digits are outside 1..XLSX_MAX_ROWS. */
static long col_from_ref(const char *r, size_t n)
{
    long c = 0;
    size_t i = 0;
    for (; i < n; i++) {
        int ch = (unsigned char)r[i];
        if (ch >= 'A' && ch <= 'Z')
            c = c * 26 + (ch - 'A' + 1);
        else if (ch >= 'a' && ch <= 'z')
            c = c * 26 + (ch - 'a' + 1);
        else
            break;
        if (c > XLSX_MAX_COLS)
            return -2;
    }
    if (i < n && r[i] >= '0' && r[i] <= '9') {
        long row = 0;
        for (; i < n && r[i] >= '0' && r[i] <= '9'; i++)
            if ((row = row * 10 + (r[i] - '0')) > XLSX_MAX_ROWS)
                return -3;
        if (row == 0)
            return -3;
    }
    return c == 0 ? -1 : c - 1;
}

/* Never fails: the row number in r[0, n) ("1".."1048576", digits only), or
 * -1 when it is anything else (sign, space, zero, past the last row). */
static long row_from_ref(const char *r, size_t n)
{
    long row = 0;
    if (n == 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (r[i] < '0' || r[i] > '9')
            return -1;
        if ((row = row * 10 + (r[i] - '0')) > XLSX_MAX_ROWS)
            return -1;
    }
    return row == 0 ? -1 : row;
}

/* Never fails; writes the letters of a 0-based column (e.g. 26 -> "AA"). */
static void col_name(long col, char out[8])
{
    char tmp[8];
    int n = 0;
    for (col++; col > 0 && n < 7; col /= 26) {
        col--;
        tmp[n++] = (char)('A' + col % 26);
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

/* Never fails (dies on OOM): joins a relationship target onto the workbook's
 * folder ("xl/") and folds "." and ".." segments; the caller frees. */
static char *resolve_target(const char *target)
{
    char *in = target[0] == '/' ? xstrdup(target + 1) : xasprintf("xl/%s", target);
    for (char *s = in; *s; s++)
        if (*s == '\\')
            *s = '/';
    char *out = xmalloc(strlen(in) + 1);
    size_t len = 0;
    for (char *seg = in; seg;) {
        char *slash = strchr(seg, '/');
        size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
        if (n == 0 || (n == 1 && seg[0] == '.')) {
            /* skip empty and "." segments */
        } else if (n == 2 && seg[0] == '.' && seg[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--; /* drop the slash too */
        } else {
            if (len > 0)
                out[len++] = '/';
            memcpy(out + len, seg, n);
            len += n;
        }
        seg = slash ? slash + 1 : NULL;
    }
    out[len] = '\0';
    free(in);
    return out;
}

/* ---- streaming one member through expat ------------------------------- */

/* The first member of every parse context: lets handlers stop the parser. */
typedef struct {
    XML_Parser p;
    int rc;            /* why a handler stopped the parse (0 = not stopped) */
    const char *label; /* workbook label for messages (borrowed) */
    const char *what;  /* the part being parsed, for messages (borrowed) */
} xml_base;

/* Never fails; records rc (keeping the first one) and stops the parser. */
static void xml_stop(xml_base *b, int rc)
{
    if (!b->rc)
        b->rc = rc;
    XML_StopParser(b->p, XML_FALSE);
}

/* Stops the parse with OS_EPARSE: entity declarations have no business in an
 * xlsx part and are the way into entity-expansion attacks. */
static void XMLCALL no_entity_decl(void *ud, const XML_Char *name, int is_param,
                                   const XML_Char *value, int value_len,
                                   const XML_Char *base, const XML_Char *system_id,
                                   const XML_Char *public_id, const XML_Char *notation)
{
    xml_base *b = ud;
    xml_stop(b, os_error(OS_EPARSE, "%s: %s: XML error at line %lu: entity declarations "
                         "are not allowed", b->label, b->what,
                         (unsigned long)XML_GetCurrentLineNumber(b->p)));
}

/* Streams `member` through a fresh expat parser in XLSX_CHUNK pieces. Fails
 * with the member-open/read error, OS_EPARSE for malformed XML (naming label,
 * ctx->what and the line), or whatever a handler stopped with; ctx stays the
 * caller's and the parser and member are freed on every path. */
static int xml_stream(zipfile *z, const char *member, size_t max_bytes,
                      XML_StartElementHandler start, XML_EndElementHandler end,
                      XML_CharacterDataHandler chars, xml_base *ctx)
{
    zipfile_member *m;
    int rc = zipfile_member_open(z, member, max_bytes, &m);
    if (rc)
        return rc;
    XML_Parser p = XML_ParserCreate(NULL);
    if (!p) {
        zipfile_member_close(m);
        return os_error(OS_ENOMEM, "%s: %s: cannot create an XML parser", ctx->label,
                        ctx->what);
    }
    ctx->p = p;
    ctx->rc = 0;
    XML_SetUserData(p, ctx);
    XML_SetElementHandler(p, start, end);
    XML_SetCharacterDataHandler(p, chars);
    XML_SetEntityDeclHandler(p, no_entity_decl);

    for (;;) {
        void *buf = XML_GetBuffer(p, XLSX_CHUNK);
        if (!buf) {
            rc = os_error(OS_ENOMEM, "%s: %s: out of memory for the XML parser",
                          ctx->label, ctx->what);
            break;
        }
        long n = zipfile_member_read(m, buf, XLSX_CHUNK);
        if (n < 0) {
            rc = OS_EPARSE; /* already reported, naming archive and member */
            break;
        }
        if (XML_ParseBuffer(p, (int)n, n == 0) != XML_STATUS_OK) {
            if (ctx->rc)
                rc = ctx->rc;
            else
                rc = os_error(OS_EPARSE, "%s: %s: XML error at line %lu: %s", ctx->label,
                              ctx->what, (unsigned long)XML_GetCurrentLineNumber(p),
                              XML_ErrorString(XML_GetErrorCode(p)));
            break;
        }
        if (n == 0)
            break;
    }
    XML_ParserFree(p);
    zipfile_member_close(m);
    return rc;
}

/* ---- xl/workbook.xml: sheet names and relationship ids ---------------- */

typedef struct {
    char *name; /* owned */
    char *rid;  /* owned; NULL when the sheet has no r:id */
} sheet_entry;

typedef struct {
    xml_base base;
    int in_sheets;
    sheet_entry *v; /* owned array */
    size_t n, cap;
} wb_ctx;

/* Never fails; collects <sheet name=... r:id=...> inside <sheets>. */
static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    wb_ctx *c = ud;
    const char *ln = local_name(name);
    if (strcmp(ln, "sheets") == 0) {
        c->in_sheets = 1;
        return;
    }
    if (!c->in_sheets || strcmp(ln, "sheet") != 0)
        return;
    const char *sname = NULL, *rid = NULL;
    for (size_t i = 0; atts[i]; i += 2) {
        if (strcmp(atts[i], "name") == 0)
            sname = atts[i + 1];
        else if (strchr(atts[i], ':') && strcmp(local_name(atts[i]), "id") == 0)
            rid = atts[i + 1];
    }
    if (!sname)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 8;
        c->v = xrealloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n].name = xstrdup(sname);
    c->v[c->n].rid = rid ? xstrdup(rid) : NULL;
    c->n++;
}

/* Never fails; notices the end of <sheets>. */
static void XMLCALL wb_end(void *ud, const XML_Char *name)
{
    wb_ctx *c = ud;
    if (strcmp(local_name(name), "sheets") == 0)
        c->in_sheets = 0;
}

/* Never fails; workbook.xml text is of no interest. */
static void XMLCALL ignore_chars(void *ud, const XML_Char *s, int len)
{
}

/* Never fails; frees the sheet list. */
static void wb_free(wb_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->v[i].name);
        free(c->v[i].rid);
    }
    free(c->v);
}

/* ---- xl/_rels/workbook.xml.rels --------------------------------------- */

typedef struct {
    xml_base base;
    const char *want_id; /* borrowed */
    char *target;        /* owned; the wanted relationship's Target */
    char *sst_target;    /* owned; the sharedStrings relationship's Target */
} rels_ctx;

/* Never fails; picks out the wanted Relationship and the shared strings one. */
static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    rels_ctx *c = ud;
    if (strcmp(local_name(name), "Relationship") != 0)
        return;
    const char *id = attr(atts, "Id"), *target = attr(atts, "Target");
    const char *type = attr(atts, "Type"), *mode = attr(atts, "TargetMode");
    if (!target || (mode && strcmp(mode, "External") == 0))
        return;
    if (id && !c->target && strcmp(id, c->want_id) == 0)
        c->target = xstrdup(target);
    if (type && !c->sst_target && str_ends_with(type, "/sharedStrings"))
        c->sst_target = xstrdup(target);
}

/* Never fails; nothing to do at element ends. */
static void XMLCALL ignore_end(void *ud, const XML_Char *name)
{
}

/* ---- xl/sharedStrings.xml --------------------------------------------- */

typedef struct {
    xml_base base;
    xbuf text;      /* owned arena of NUL-terminated strings */
    size_t *off;    /* owned; off[i] = start of string i in text */
    size_t n, cap;
    int in_si, in_t, rph; /* rph = depth inside <rPh> (phonetic runs, skipped) */
    size_t si_start;
} sst_ctx;

/* Never fails; tracks <si>, <t> and <rPh>. */
static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
    sst_ctx *c = ud;
    const char *ln = local_name(name);
    if (strcmp(ln, "t") == 0) {
        if (c->in_si && !c->rph)
            c->in_t = 1;
    } else if (strcmp(ln, "si") == 0) {
        c->in_si = 1;
        c->si_start = c->text.len;
    } else if (strcmp(ln, "rPh") == 0) {
        c->rph++;
    }
}

/* Never fails (dies on OOM); closes a string at </si>. */
static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
    sst_ctx *c = ud;
    const char *ln = local_name(name);
    if (strcmp(ln, "t") == 0) {
        c->in_t = 0;
    } else if (strcmp(ln, "si") == 0) {
        xbuf_add(&c->text, "", 1);
        if (c->n == c->cap) {
            c->cap = c->cap ? c->cap * 2 : 1024;
            c->off = xrealloc(c->off, c->cap * sizeof *c->off);
        }
        c->off[c->n++] = c->si_start;
        c->in_si = 0;
        c->in_t = 0;
    } else if (strcmp(ln, "rPh") == 0) {
        if (c->rph > 0)
            c->rph--;
    }
}

/* Never fails (dies on OOM); keeps <t> text exactly, whitespace included. */
static void XMLCALL sst_chars(void *ud, const XML_Char *s, int len)
{
    sst_ctx *c = ud;
    if (c->in_t)
        xbuf_add(&c->text, s, (size_t)len);
}

/* ---- the worksheet ---------------------------------------------------- */

/* The worksheet is by far the largest part (32 MB for an O*NET sheet), so it
 * is read by extract/sheetxml, a strict XML reader that only looks closely at
 * row, c, v, is, t and rPh and skips the rest cheaply; expat spent most of
 * a cold snapshot's parse time there. */

/* CELL_NONE: no cell seen in this column of the row; CELL_EMPTY: an empty
 * or style-only cell (which blanks an earlier duplicate). */
enum { CELL_NONE = 0, CELL_EMPTY, CELL_TEXT, CELL_SST };
enum { TYPE_VALUE = 0, TYPE_SST, TYPE_INLINE };

typedef struct {
    size_t v;           /* offset into the row arena, or shared string index */
    unsigned char kind; /* CELL_* */
} cell_ref;

typedef struct {
    const char *label;  /* workbook label for messages (borrowed) */
    const char *what;   /* the part, for messages (borrowed) */
    const sst_ctx *sst; /* borrowed */
    rows_fn fn;
    void *fn_ctx;
    xbuf text;          /* owned arena for this row's cell texts */
    cell_ref *cols;     /* owned; by column, all CELL_NONE outside a row */
    size_t cols_cap;
    long *used;         /* owned; the columns of this row's cells, as seen */
    size_t nused;       /* (at most XLSX_MAX_COLS: each column once) */
    const char **cells; /* owned; pointer array handed to fn */
    long *cellcol;      /* owned; the column of each cell handed to fn */
    long col;           /* current/last cell column in this row */
    long line, last_line;
    int in_row, in_c, in_v, in_is, in_t, rph, type;
    int want;           /* what the reader was last told about text */
    size_t cell_start;
} sheet_ctx;

/* Never fails; tells the reader whether text is collected now (<v>, or <t>
 * of an inline string), only when that changes. */
static inline void sheet_want(sheet_ctx *c, sheetxml *x)
{
    int w = c->in_v || c->in_t;
    if (w != c->want) {
        c->want = w;
        sheetxml_want_text(x, w);
    }
}

/* Never fails: the decoded value of a (see sheetxml_attr_value), without a
 * call for the usual plain one. */
static inline const char *attr_text(sheetxml *x, const sheetxml_attr *a, size_t *n)
{
    if (a->plain) {
        *n = a->rlen;
        return a->raw;
    }
    return sheetxml_attr_value(x, a, n);
}

/* Fails with OS_EPARSE when the cell reference is outside Excel's grid;
 * otherwise starts a cell (its type and column) in c. */
static int sheet_cell(sheet_ctx *c, sheetxml *x, const sheetxml_attr *att, size_t natt)
{
    const sheetxml_attr *ra = NULL, *ta = NULL;
    for (size_t i = 0; i < natt; i++) {
        if (att[i].nlen != 1)
            continue;
        if (att[i].name[0] == 'r')
            ra = &att[i];
        else if (att[i].name[0] == 't')
            ta = &att[i];
    }
    int type = TYPE_VALUE;
    if (ta) {
        size_t n;
        const char *t = attr_text(x, ta, &n);
        type = n == 1 && t[0] == 's' ? TYPE_SST
               : n == 9 && memcmp(t, "inlineStr", 9) == 0 ? TYPE_INLINE : TYPE_VALUE;
    }
    const char *r = NULL;
    size_t rn = 0;
    if (ra)
        r = attr_text(x, ra, &rn);
    long col = r ? col_from_ref(r, rn) : -1;
    if (col == -1)
        col = c->col + 1;
    if (col < 0 || col >= XLSX_MAX_COLS)
        return os_error(OS_EPARSE, "%s: %s: row %ld (line %lu): cell reference '%.*s' is "
                        "beyond %s", c->label, c->what, c->line, sheetxml_line(x),
                        r ? (int)rn : 6, r ? r : "(none)",
                        col == -3 ? "row 1048576" : "column XFD");
    c->col = col;
    c->type = type;
    c->in_c = 1;
    c->cell_start = c->text.len;
    return 0;
}

/* Fails with OS_EPARSE when rows nest or the row reference is outside rows
 * 1..1048576; otherwise starts a row in c. */
static int sheet_row(sheet_ctx *c, sheetxml *x, const sheetxml_attr *att, size_t natt)
{
    if (c->in_row)
        return os_error(OS_EPARSE, "%s: %s: line %lu: <row> inside <row>", c->label, c->what,
                        sheetxml_line(x));
    const char *r = NULL;
    size_t rn = 0;
    for (size_t i = 0; i < natt && !r; i++)
        if (att[i].nlen == 1 && att[i].name[0] == 'r')
            r = attr_text(x, &att[i], &rn);
    long line = r ? row_from_ref(r, rn) : c->last_line + 1;
    if (line < 1 || line > XLSX_MAX_ROWS)
        return os_error(OS_EPARSE, "%s: %s: row %ld (line %lu): row reference '%.*s' is "
                        "outside rows 1..1048576", c->label, c->what, c->last_line + 1,
                        sheetxml_line(x), r ? (int)rn : 6, r ? r : "(none)");
    c->line = line;
    c->in_row = 1;
    c->col = -1;
    c->text.len = 0;
    return 0;
}

/* Fails like sheet_cell and sheet_row; otherwise only updates the parse
 * state in c (and whether the reader hands over text). */
static int sheet_start(void *ud, sheetxml *x, const char *ln, size_t llen,
                       const sheetxml_attr *att, size_t natt)
{
    sheet_ctx *c = ud;
    int rc = 0;
    if (llen == 0 || llen > 3)
        return 0;
    switch (ln[0]) {
    case 'c':
        if (llen == 1 && c->in_row)
            rc = sheet_cell(c, x, att, natt);
        break;
    case 'v':
        if (llen == 1 && c->in_c && c->type != TYPE_INLINE)
            c->in_v = 1;
        break;
    case 't':
        if (llen == 1 && c->in_is && !c->rph)
            c->in_t = 1;
        break;
    case 'i':
        if (llen == 2 && ln[1] == 's' && c->in_c)
            c->in_is = 1;
        break;
    case 'r':
        if (llen == 3 && memcmp(ln, "row", 3) == 0)
            rc = sheet_row(c, x, att, natt);
        else if (llen == 3 && memcmp(ln, "rPh", 3) == 0)
            c->rph++;
        break;
    default:
        break;
    }
    sheet_want(c, x);
    return rc;
}

/* Never fails (dies on OOM); makes cols cover index col (< XLSX_MAX_COLS),
 * new slots CELL_NONE, and the used/cell arrays as long. */
static void sheet_cols_reserve(sheet_ctx *c, size_t col)
{
    if (col < c->cols_cap)
        return;
    size_t cap = c->cols_cap ? c->cols_cap : 32;
    while (cap <= col)
        cap *= 2;
    c->cols = xrealloc(c->cols, cap * sizeof *c->cols);
    memset(c->cols + c->cols_cap, 0, (cap - c->cols_cap) * sizeof *c->cols);
    c->used = xrealloc(c->used, cap * sizeof *c->used);
    c->cells = xrealloc(c->cells, cap * sizeof *c->cells);
    c->cellcol = xrealloc(c->cellcol, cap * sizeof *c->cellcol);
    c->cols_cap = cap;
}

/* Never fails; orders column numbers for qsort. */
static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Fails with OS_EPARSE on a bad shared string index; stores the finished
 * cell (its text stays in the row arena or the shared strings). */
static int sheet_end_cell(sheet_ctx *c)
{
    size_t len = c->text.len - c->cell_start;
    char *s = c->text.p ? c->text.p + c->cell_start : NULL;
    cell_ref ref = {0, CELL_EMPTY};
    if (len == 0) {
        /* nothing: an empty or style-only cell */
    } else if (c->type == TYPE_SST) {
        s[len] = '\0'; /* xbuf always has a spare byte */
        char *end = s;
        unsigned long long idx = 0;
        while (end - s < 9 && *end >= '0' && *end <= '9') /* the usual few digits */
            idx = idx * 10 + (unsigned)(*end++ - '0');
        if (*end != '\0') /* anything else as strtoull reads it (space, '+') */
            idx = strtoull(s, &end, 10);
        if (end == s || *end != '\0' || s[0] == '-' || idx >= c->sst->n) {
            char cn[8];
            col_name(c->col, cn);
            return os_error(OS_EPARSE, "%s: %s: cell %s%ld: shared string index '%s' is out "
                            "of range (%zu strings)", c->label, c->what, cn, c->line, s,
                            c->sst->n);
        }
        c->text.len = c->cell_start;
        if (c->sst->text.p[c->sst->off[idx]] != '\0')
            ref = (cell_ref){(size_t)idx, CELL_SST};
    } else {
        xbuf_add(&c->text, "", 1);
        ref = (cell_ref){c->cell_start, CELL_TEXT};
    }
    if (ref.kind == CELL_EMPTY)
        c->text.len = c->cell_start; /* still recorded: a later duplicate blanks */
    if ((size_t)c->col >= c->cols_cap)
        sheet_cols_reserve(c, (size_t)c->col);
    if (c->cols[c->col].kind == CELL_NONE)
        c->used[c->nused++] = c->col;
    c->cols[c->col] = ref;
    return 0;
}

/* Fails with whatever fn returned when it is non-zero; otherwise hands fn
 * the finished row, sparse: only its non-empty cells, by ascending column
 * (pointers valid only during the call). */
static int sheet_end_row(sheet_ctx *c)
{
    c->in_row = 0;
    c->last_line = c->line;
    int sorted = 1;
    for (size_t i = 1; i < c->nused && sorted; i++)
        sorted = c->used[i - 1] < c->used[i];
    if (!sorted)
        qsort(c->used, c->nused, sizeof *c->used, cmp_long);
    size_t n = 0;
    for (size_t i = 0; i < c->nused; i++) {
        long col = c->used[i];
        cell_ref r = c->cols[col];
        c->cols[col].kind = CELL_NONE;
        if (r.kind != CELL_TEXT && r.kind != CELL_SST)
            continue;
        c->cells[n] = r.kind == CELL_TEXT ? c->text.p + r.v : c->sst->text.p + c->sst->off[r.v];
        c->cellcol[n++] = col;
    }
    c->nused = 0;
    if (n == 0)
        return 0;
    rows_row row = {n, c->cells, c->line, c->cellcol};
    return c->fn(c->fn_ctx, &row);
}

/* Fails only through sheet_end_cell/sheet_end_row. */
static int sheet_end(void *ud, sheetxml *x, const char *ln, size_t llen)
{
    sheet_ctx *c = ud;
    int rc = 0;
    if (llen == 0 || llen > 3)
        return 0;
    switch (ln[0]) {
    case 'c':
        if (llen == 1 && c->in_c) {
            c->in_c = c->in_v = c->in_is = c->in_t = 0;
            rc = sheet_end_cell(c);
        }
        break;
    case 'v':
        if (llen == 1)
            c->in_v = 0;
        break;
    case 't':
        if (llen == 1)
            c->in_t = 0;
        break;
    case 'i':
        if (llen == 2 && ln[1] == 's')
            c->in_is = 0;
        break;
    case 'r':
        if (llen == 3 && memcmp(ln, "row", 3) == 0) {
            if (c->in_row)
                rc = sheet_end_row(c);
        } else if (llen == 3 && memcmp(ln, "rPh", 3) == 0) {
            if (c->rph > 0)
                c->rph--;
        }
        break;
    default:
        break;
    }
    sheet_want(c, x);
    return rc;
}

/* Never fails (dies on OOM); collects <v> and inline <t> text into the row
 * (the reader only calls while one of them is open). */
static int sheet_chars(void *ud, const char *s, size_t len)
{
    sheet_ctx *c = ud;
    xbuf_add(&c->text, s, len);
    return 0;
}

/* Fails like sheet_cell and sheet_end_cell; takes a whole usual cell
 * (sheetxml_handlers.cell) when it sits in a row, outside any other cell or
 * phonetic run, which is where start, text and end would give exactly this
 * (an inline string's <v> is ignored there too); leaves any other. */
static int sheet_fast_cell(void *ud, sheetxml *x, const sheetxml_attr *att, size_t natt,
                           const char *v, size_t vlen, int *taken)
{
    sheet_ctx *c = ud;
    if (!c->in_row || c->in_c || c->in_v || c->in_is || c->in_t || c->rph)
        return 0;
    *taken = 1;
    int rc = sheet_cell(c, x, att, natt);
    if (rc)
        return rc;
    if (vlen && c->type != TYPE_INLINE)
        xbuf_add(&c->text, v, vlen);
    c->in_c = 0;
    return sheet_end_cell(c);
}

/* Fails with the member-open/read error, OS_EPARSE for XML sheetxml does not
 * accept (naming label, what and the line), or what a handler returned; c
 * stays the caller's, the member is closed on every path. */
static int sheet_stream(zipfile *z, const char *member, size_t max_bytes, size_t chunk,
                        sheet_ctx *c)
{
    static const sheetxml_handlers h = {sheet_start, sheet_end, sheet_chars, sheet_fast_cell};
    zipfile_member *m;
    int rc = zipfile_member_open(z, member, max_bytes, &m);
    if (rc)
        return rc;
    rc = sheetxml_parse(c->label, c->what, zipfile_member_read, m, chunk, &h, c);
    zipfile_member_close(m);
    return rc;
}

/* ---- public entry points ---------------------------------------------- */

/* Never fails (dies on OOM); returns "'a', 'b'" in a malloc'd string the
 * caller frees, for the missing-sheet message. */
static char *sheet_list(const wb_ctx *wb)
{
    xbuf b = {0};
    for (size_t i = 0; i < wb->n; i++) {
        if (i)
            xbuf_add(&b, ", ", 2);
        xbuf_add(&b, "'", 1);
        xbuf_add(&b, wb->v[i].name, strlen(wb->v[i].name));
        xbuf_add(&b, "'", 1);
    }
    xbuf_add(&b, "", 1);
    return b.p;
}

/* Fails with OS_EPARSE naming label and sheet (missing sheet, broken links,
 * malformed XML), a zip error, or fn's non-zero value; z and ctx stay the
 * caller's and everything allocated here is freed on every path. */
int xlsx_read_sheet_chunked(zipfile *z, const char *label, const char *sheet,
                            size_t max_bytes, size_t chunk, rows_fn fn, void *ctx)
{
    if (!label)
        label = zipfile_label(z);
    if (!zipfile_has(z, WORKBOOK_MEMBER))
        return os_error(OS_EPARSE, "%s is not an xlsx workbook (no member '%s')", label,
                        WORKBOOK_MEMBER);

    int rc;
    wb_ctx wb = {.base = {.label = label, .what = WORKBOOK_MEMBER}};
    rels_ctx rels = {.base = {.label = label, .what = WORKBOOK_RELS}};
    sst_ctx sst = {.base = {.label = label}};
    sheet_ctx sh = {.label = label};
    char *sheet_member = NULL, *sst_member = NULL, *what = NULL;

    rc = xml_stream(z, WORKBOOK_MEMBER, max_bytes, wb_start, wb_end, ignore_chars,
                    &wb.base);
    if (rc)
        goto done;

    const sheet_entry *found = NULL;
    for (size_t i = 0; i < wb.n && !found; i++)
        if (!sheet || strcmp(wb.v[i].name, sheet) == 0)
            found = &wb.v[i];
    if (!found) {
        if (wb.n == 0) {
            rc = os_error(OS_EPARSE, "%s: workbook has no sheets%s%s%s", label,
                          sheet ? " (wanted '" : "", sheet ? sheet : "", sheet ? "')" : "");
        } else {
            char *names = sheet_list(&wb);
            rc = os_error(OS_EPARSE, "%s: no sheet named '%s' (sheets: %s)", label, sheet,
                          names);
            free(names);
        }
        goto done;
    }
    sheet = found->name;
    if (!found->rid) {
        rc = os_error(OS_EPARSE, "%s: sheet '%s' has no relationship id in %s", label,
                      sheet, WORKBOOK_MEMBER);
        goto done;
    }

    if (!zipfile_has(z, WORKBOOK_RELS)) {
        rc = os_error(OS_EPARSE, "%s is not an xlsx workbook (no member '%s')", label,
                      WORKBOOK_RELS);
        goto done;
    }
    rels.want_id = found->rid;
    rc = xml_stream(z, WORKBOOK_RELS, max_bytes, rels_start, ignore_end, ignore_chars,
                    &rels.base);
    if (rc)
        goto done;
    if (!rels.target) {
        rc = os_error(OS_EPARSE, "%s: sheet '%s': relationship '%s' not found in %s", label,
                      sheet, found->rid, WORKBOOK_RELS);
        goto done;
    }
    sheet_member = resolve_target(rels.target);
    sst_member = rels.sst_target ? resolve_target(rels.sst_target) : xstrdup(DEFAULT_SST);

    if (zipfile_has(z, sst_member)) {
        sst.base.what = sst_member;
        rc = xml_stream(z, sst_member, max_bytes, sst_start, sst_end, sst_chars, &sst.base);
        if (rc)
            goto done;
    }

    if (!zipfile_has(z, sheet_member)) {
        rc = os_error(OS_EPARSE, "%s: sheet '%s': member '%s' not found", label, sheet,
                      sheet_member);
        goto done;
    }
    what = xasprintf("sheet '%s' (%s)", sheet, sheet_member);
    sh.what = what;
    sh.sst = &sst;
    sh.fn = fn;
    sh.fn_ctx = ctx;
    rc = sheet_stream(z, sheet_member, max_bytes, chunk, &sh);

done:
    free(sh.text.p);
    free(sh.cols);
    free(sh.used);
    free(sh.cells);
    free(sh.cellcol);
    free(sst.text.p);
    free(sst.off);
    free(rels.target);
    free(rels.sst_target);
    wb_free(&wb);
    free(sheet_member);
    free(sst_member);
    free(what);
    return rc;
}

/* Fails like xlsx_read_sheet_chunked, which it is with the default chunk. */
int xlsx_read_sheet(zipfile *z, const char *label, const char *sheet,
                    size_t max_bytes, rows_fn fn, void *ctx)
{
    return xlsx_read_sheet_chunked(z, label, sheet, max_bytes, 0, fn, ctx);
}

/* Fails like zipfile_open and xlsx_read_sheet; opens and closes the archive. */
int xlsx_read_sheet_file(const char *path, const char *sheet, size_t max_bytes,
                         rows_fn fn, void *ctx)
{
    zipfile *z;
    int rc = zipfile_open(path, &z);
    if (rc)
        return rc;
    rc = xlsx_read_sheet(z, path, sheet, max_bytes, fn, ctx);
    zipfile_close(z);
    return rc;
}
