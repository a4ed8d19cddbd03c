/* html.h - HTML escaping of text from the data, for element content and attribute values alike. */
#ifndef OCCSNAP_HTML_H
#define OCCSNAP_HTML_H

#include <stdio.h>

/* Writes s to out with & < > " ' as character references (&amp; &lt; &gt;
 * &quot; &#39;), so it is safe as element text and inside a quoted
 * attribute; NULL writes nothing. Never fails (stdio errors are the
 * caller's to catch with ferror). */
void html_esc(FILE *out, const char *s);

/* The escaped form of s as a new string, the caller's to free (NULL: "").
 * Cannot fail (dies on OOM). */
char *html_escaped(const char *s);

#endif
