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

/* 1 if want from wp matches cell from cp, else 0 (both normalised on the
 * fly); "*" matches any run of characters, "{year}" four digits. */
static int match_from(const unsigned char *w, size_t wp, const unsigned char *c, size_t cp,
                      int *year)
{
    for (;;) {
        if (w[wp] == '*') {
            /* Try the rest of want at every later position of cell. */
            for (;;) {
                if (match_from(w, wp + 1, c, cp, year))
                    return 1;
                if (!next_char(c, &cp))
                    return 0;
            }
        }
        if (!strncmp((const char *)w + wp, "{year}", 6)) {
            int y = 0;
            for (int k = 0; k < 4; k++) {
                int ch = next_char(c, &cp);
                if (!isdigit(ch))
                    return 0;
                y = y * 10 + (ch - '0');
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

int header_matches(const char *want, const char *cell, int *year)
{
    return match_from((const unsigned char *)want, 0, (const unsigned char *)cell, 0, year);
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
            int y = 0, taken = 0;
            int colj = (int)rows_col(row, j);
            /* Each cell serves one header, so two "Employment, {year}"
             * columns map to the first and the second such cell. */
            for (size_t k = 0; k < i && !taken; k++)
                taken = idx[k] == colj;
            if (!taken && header_matches(want[i], row->cell[j], &y)) {
                idx[i] = colj;
                if (years)
                    years[i] = y;
                found++;
                break;
            }
        }
    }
    return found;
}
