/* markup.h - one writer for the role page's words, as Markdown or as HTML (escaped). */
#ifndef OCCSNAP_MARKUP_H
#define OCCSNAP_MARKUP_H

#include <stdio.h>

/* Where the page goes and in which form; the FILE is the caller's. Every
 * mk_* function writes to out and never fails (stdio errors are the
 * caller's to catch with ferror). Text passed to them is data: in HTML it is
 * escaped, in Markdown written as it is (as `occsnap show` always has). */
typedef struct {
    FILE *out;
    int html; /* 0 Markdown, 1 HTML */
} markup;

/* A heading of level 1-6 holding text. */
void mk_heading(markup *m, int level, const char *text);
/* The page's lead (the description): a Markdown quote, an HTML paragraph. */
void mk_lead(markup *m, const char *text);
/* A paragraph; mk_caption_end ends one that introduces the list below it
 * (no blank line after it in Markdown). */
void mk_p_begin(markup *m);
void mk_p_end(markup *m);
void mk_caption_end(markup *m);
/* A bulleted list and its items (an item holds text and inline markup). */
void mk_list_begin(markup *m);
void mk_list_end(markup *m);
void mk_item_begin(markup *m);
void mk_item_end(markup *m);
/* Inline text: plain, formatted (escaped after formatting), strong,
 * emphasised, code. */
void mk_text(markup *m, const char *text);
void mk_textf(markup *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mk_strong(markup *m, const char *text);
void mk_strongf(markup *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mk_em(markup *m, const char *text);
void mk_code(markup *m, const char *text);
/* A link to url showing the url (Markdown: the bare url, as it always was). */
void mk_url(markup *m, const char *url);
/* The footer line under a rule. */
void mk_footer_begin(markup *m);
void mk_footer_end(markup *m);

#endif
