/* html.c - HTML escaping of text from the data, for element content and attribute values alike. */
#include "read/html.h"
#include "common/error.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

/* The character reference of c, or NULL when c stands for itself. */
static const char *reference(char c)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '"': return "&quot;";
    case '\'': return "&#39;";
    default: return NULL;
    }
}

void html_esc(FILE *out, const char *s)
{
    if (!s)
        return;
    for (const char *run = s;; s++) {
        const char *ref = *s ? reference(*s) : "";
        if (!ref)
            continue;
        fwrite(run, 1, (size_t)(s - run), out);
        if (!*s)
            return;
        fputs(ref, out);
        run = s + 1;
    }
}

char *html_escaped(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        os_die(OS_ENOMEM, "out of memory (escaping a string)");
    html_esc(m, s);
    fclose(m);
    return buf;
}
