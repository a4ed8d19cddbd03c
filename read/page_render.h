/* page_render.h - the role page's words (the object page_collect builds), as Markdown or HTML. */
#ifndef OCCSNAP_PAGE_RENDER_H
#define OCCSNAP_PAGE_RENDER_H

#include "read/markup.h"

#include <jansson.h>
#include <stdio.h>

/* The places where a renderer may add to the page (the HTML site adds its
 * canonical URL, charts and example prompts there; Markdown adds nothing). */
typedef enum {
    PAGE_AT_CODE,     /* in the header list, after the SOC code item */
    PAGE_AT_OUTLOOK,  /* after the exposure, outlook and pay list */
    PAGE_AT_AEI,      /* after the Economic Index figures (only when it has them) */
    PAGE_AT_AEI_END,  /* at the end of the Economic Index section, always */
    PAGE_AT_FOOTER    /* inside the footer line, after its words */
} page_place;

/* Called at each place with the page (borrowed) and the writer; NULL adds
 * nothing. ctx is the caller's. */
typedef struct {
    void (*at)(void *ctx, page_place where, const json_t *page, markup *m);
    void *ctx;
} page_hooks;

/* Writes page (from page_collect, borrowed) through m, in the order and
 * wording of the reference role page, calling hooks (may be NULL) at each
 * page_place; never fails (stdio errors are the caller's to catch with
 * ferror). */
void page_render(const json_t *page, markup *m, const page_hooks *hooks);

/* page_render as Markdown to out, with no hooks (`occsnap show`); never
 * fails, as page_render. */
void page_md_render(const json_t *page, FILE *out);

#endif
