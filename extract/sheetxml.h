/* sheetxml.h - a strict, streaming XML reader built for the large worksheet parts of an xlsx (memchr-fast, bounded memory). */
#ifndef OCCSNAP_SHEETXML_H
#define OCCSNAP_SHEETXML_H

#include "extract/rows.h"

#include <stddef.h>

/* What it accepts is well-formed XML 1.0 in UTF-8, without a DOCTYPE:
 * elements with matching start and end tags, attributes in either quote
 * (each name once per element), the five predefined entities and decimal or
 * hex character references (of XML characters only), CDATA sections,
 * comments, processing instructions, an XML declaration at the very start
 * (version 1.x, no encoding or UTF-8, standalone yes/no), a UTF-8 byte order
 * mark. Line ends are normalized as XML says (CR LF and CR become LF in text,
 * tab, CR and LF become a space in attribute values). Names are not
 * namespace-resolved: a handler sees the name as written and its local part
 * (after the last ':'). Everything else is an error: invalid UTF-8, a byte
 * or code point that is not an XML character, a UTF-16 document or another
 * declared encoding, a DOCTYPE, text outside the root element, a second
 * root, a truncated document. */

typedef struct sheetxml sheetxml;

/* One attribute as written: the value between its quotes, undecoded; when
 * plain is 1 it has no reference and no tab, CR or LF, so raw is already the
 * value. The pointers are valid during the start handler only. */
typedef struct {
    const char *name;
    size_t nlen;
    const char *raw;
    size_t rlen;
    int plain;
} sheetxml_attr;

/* The callbacks; each returns an os_result, and a non-zero one stops the
 * read, which returns it. local is the element's name after its last ':'
 * (not NUL-terminated). text gets character data (CDATA included) only
 * while the reader was told sheetxml_want_text(x, 1); an empty element
 * <a/> is a start then an end. */
typedef struct {
    int (*start)(void *ctx, sheetxml *x, const char *local, size_t llen,
                 const sheetxml_attr *att, size_t natt);
    int (*end)(void *ctx, sheetxml *x, const char *local, size_t llen);
    int (*text)(void *ctx, const char *s, size_t n);
    /* Optional, NULL for none: a cell in the shape nearly every cell of a
     * worksheet has, taken in one call instead of five. The reader offers
     * it an unprefixed element c inside the root, written exactly as
     *   <c ATTS/>   <c ATTS></c>   or   <c ATTS><v>TEXT</v></c>
     * with ATTS one or more ASCII name="value" pairs, each after one space,
     * with no reference, tab, LF, CR or '<' in a value and no name twice,
     * TEXT (v, vlen; NULL, 0 without <v>) with no reference, CR or '>'.
     * That is the same document as start(c), start(v), text, end(v),
     * end(c) would see; the handler either takes it (*taken = 1) or leaves
     * *taken 0, and then the reader calls those handlers as for any other
     * element. Returns an os_result, as they do. */
    int (*cell)(void *ctx, sheetxml *x, const sheetxml_attr *att, size_t natt, const char *v,
                size_t vlen, int *taken);
} sheetxml_handlers;

/* Reads a whole document from read(src, ...) in pieces of chunk bytes (0:
 * 256 KiB; tests give tiny ones so that every token straddles a piece),
 * calling h with ctx. Holds only the current piece and the unfinished token
 * in memory. Returns an os_result: OS_EPARSE "<label>: <what>: XML error at
 * line N: ..." for anything it does not accept (what names the part), -1
 * from read becomes OS_EPARSE (read has reported it), or whatever a handler
 * returned. Everything it allocates is freed on every path. */
int sheetxml_parse(const char *label, const char *what, rows_read_fn read, void *src,
                   size_t chunk, const sheetxml_handlers *h, void *ctx);

/* Never fails (dies on OOM): the decoded value of a (references replaced,
 * whitespace normalized), its length in *len (not always NUL-terminated:
 * use *len). The text is a's own when plain is 1, else the reader's
 * scratch, overwritten by the next call; valid during the start handler. */
const char *sheetxml_attr_value(sheetxml *x, const sheetxml_attr *a, size_t *len);

/* Never fails; whether the text handler is called from now on. */
void sheetxml_want_text(sheetxml *x, int on);

/* Never fails; the line (1-based) where the token being handled starts,
 * for a handler's message. */
unsigned long sheetxml_line(sheetxml *x);

#endif
