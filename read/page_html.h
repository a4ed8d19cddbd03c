/* page_html.h - a role page of the site as an HTML document: the page's words, charts, canonical URL and example prompts. */
#ifndef OCCSNAP_PAGE_HTML_H
#define OCCSNAP_PAGE_HTML_H

#include <jansson.h>
#include <stdio.h>

/* Where a page sits in the site; the strings stay the caller's. */
typedef struct {
    const char *root;      /* the way from the page to the site root: "../" or "" */
    const char *canonical; /* the page's canonical URL, or NULL (no --base-url) */
} page_html_opts;

/* Writes page (from page_collect, borrowed) as a whole HTML document: the
 * words of `occsnap show` in its order, the exposure, wage, employment and
 * Economic Index charts, the canonical URL and the example prompts. Never
 * fails (stdio errors are the caller's to catch with ferror). */
void page_html_write(const json_t *page, const page_html_opts *o, FILE *out);

/* The document's start up to <main> (title escaped, stylesheet at root,
 * canonical link when not NULL) and its end (with the site script when
 * script is 1); shared with the index. Never fail, as page_html_write. */
void page_html_begin(FILE *out, const char *title, const page_html_opts *o);
void page_html_end(FILE *out, const page_html_opts *o, int script);

/* The file name of code's page, "role-27-4014-00.html" (every '.' a '-'),
 * malloc'd (the caller frees); cannot fail. */
char *page_html_filename(const char *code);

#endif
