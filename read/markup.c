/* markup.c - one writer for the role page's words, as Markdown or as HTML (escaped). */
#include "read/markup.h"
#include "common/util.h"
#include "read/html.h"

#include <stdarg.h>
#include <stdlib.h>

/* Writes md or html (markup of our own, never data) as m's form asks. */
static void either(markup *m, const char *md, const char *html)
{
    fputs(m->html ? html : md, m->out);
}

void mk_heading(markup *m, int level, const char *text)
{
    if (m->html) {
        fprintf(m->out, "<h%d>", level);
        html_esc(m->out, text);
        fprintf(m->out, "</h%d>\n", level);
        return;
    }
    for (int i = 0; i < level; i++)
        fputc('#', m->out);
    fprintf(m->out, " %s\n\n", text);
}

void mk_lead(markup *m, const char *text)
{
    either(m, "> ", "<p class=\"lead\">");
    mk_text(m, text);
    either(m, "\n\n", "</p>\n");
}

void mk_p_begin(markup *m) { either(m, "", "<p>"); }
void mk_p_end(markup *m) { either(m, "\n\n", "</p>\n"); }
void mk_caption_end(markup *m) { either(m, "\n", "</p>\n"); }
void mk_list_begin(markup *m) { either(m, "", "<ul>\n"); }
void mk_list_end(markup *m) { either(m, "\n", "</ul>\n"); }
void mk_item_begin(markup *m) { either(m, "- ", "<li>"); }
void mk_item_end(markup *m) { either(m, "\n", "</li>\n"); }
void mk_footer_begin(markup *m) { either(m, "---\n", "<footer>\n<p>"); }
void mk_footer_end(markup *m) { either(m, "\n", "</p>\n</footer>\n"); }

void mk_text(markup *m, const char *text)
{
    if (m->html)
        html_esc(m->out, text);
    else if (text)
        fputs(text, m->out);
}

/* Formats fmt and ap, then hands the result to emit (mk_text or mk_strong). */
static void emit_formatted(markup *m, void (*emit)(markup *, const char *), const char *fmt,
                           va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, again);
    va_end(again);
    size_t size = n > 0 ? (size_t)n + 1 : 1;
    char *s = xmalloc(size);
    vsnprintf(s, size, fmt, ap);
    emit(m, s);
    free(s);
}

void mk_textf(markup *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_formatted(m, mk_text, fmt, ap);
    va_end(ap);
}

void mk_strong(markup *m, const char *text)
{
    either(m, "**", "<strong>");
    mk_text(m, text);
    either(m, "**", "</strong>");
}

void mk_strongf(markup *m, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit_formatted(m, mk_strong, fmt, ap);
    va_end(ap);
}

void mk_em(markup *m, const char *text)
{
    either(m, "_", "<em>");
    mk_text(m, text);
    either(m, "_", "</em>");
}

void mk_code(markup *m, const char *text)
{
    either(m, "`", "<code>");
    mk_text(m, text);
    either(m, "`", "</code>");
}

void mk_url(markup *m, const char *url)
{
    if (!m->html) {
        fputs(url, m->out);
        return;
    }
    fputs("<a href=\"", m->out);
    html_esc(m->out, url);
    fputs("\">", m->out);
    html_esc(m->out, url);
    fputs("</a>", m->out);
}
