/* page_md.h - the Markdown rendering of a role page (the object page_collect builds). */
#ifndef OCCSNAP_PAGE_MD_H
#define OCCSNAP_PAGE_MD_H

#include <jansson.h>
#include <stdio.h>

/* Writes page (from page_collect, borrowed) as Markdown, in the order and
 * wording of the reference role page; never fails (stdio errors are the
 * caller's to catch with ferror). */
void page_md_render(const json_t *page, FILE *out);

#endif
