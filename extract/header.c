/* header.c - find a table's header row by column names, not by position. */
#include "extract/header.h"

#include <ctype.h>
#include <string.h>

/* Next normalised character of s at *p, or 0 at the end; blanks collapse to a
 * single ' ' and leading/trailing blanks vanish. */
static int next_char(const unsigned char *s, size_t *p)
{
    size_t i = *p;
    int blank = 0;
    for (;;) {
        if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
            blank = 1, i++;
        } else if (s[i] == 0xC2 && s[i + 1] == 0xA0) { /* no-break space */
            blank = 1, i += 2;
        } else
            break;
    }
    if (!s[i]) {
        *p = i;
        return 0;
    }
    if (blank && *p != 0) {
        *p = i; /* emit the space now, the character after it next time */
        return ' ';
    }
    if (s[i] == 0xE2 && s[i + 1] == 0x80 && (s[i + 2] == 0x93 || s[i + 2] == 0x94)) {
        *p = i + 3; /* en dash, em dash */
        return '-';
    }
    *p = i + 1;
    return tolower(s[i]);
}

int header_matches(const char *want, const char *cell, int *year)
{
    const unsigned char *w = (const unsigned char *)want, *c = (const unsigned char *)cell;
    size_t wp = 0, cp = 0;
    for (;;) {
        if (!strncmp((const char *)w + wp, "{year}", 6)) {
            int y = 0;
            int ch = next_char(c, &cp);
            for (int k = 0; k < 4; k++) {
                if (!isdigit(ch))
                    return 0;
                y = y * 10 + (ch - '0');
                if (k < 3)
                    ch = next_char(c, &cp);
            }
            if (year)
                *year = y;
            wp += 6;
            continue;
        }
        int a = next_char(w, &wp);
        int b = next_char(c, &cp);
        if (a != b)
            return 0;
        if (a == 0)
            return 1;
    }
}

size_t header_map_row(const char *const *want, size_t nwant, const rows_row *row,
                      int *idx, int *years)
{
    size_t found = 0;
    for (size_t i = 0; i < nwant; i++) {
        idx[i] = -1;
        if (years)
            years[i] = 0;
        for (size_t j = 0; j < row->ncell; j++) {
            int y = 0;
            if (header_matches(want[i], row->cell[j], &y)) {
                idx[i] = (int)j;
                if (years)
                    years[i] = y;
                found++;
                break;
            }
        }
    }
    return found;
}
