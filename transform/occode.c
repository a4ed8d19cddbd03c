/* occode.c - parse occupation codes (O*NET-SOC, SOC) in their published spellings. */
#include "transform/occode.h"

#include <ctype.h>
#include <string.h>

/* 1 if the first n bytes of s are ASCII digits, else 0; cannot fail. */
static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int occode_parse(const char *text, occode *out)
{
    const char *s = text;
    size_t n;
    if ((unsigned char)s[0] == 0xEF && (unsigned char)s[1] == 0xBB && (unsigned char)s[2] == 0xBF)
        s += 3;
    while (*s == ' ' || *s == '\t' || *s == '"')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '"' ||
                     s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    char major[3], minor[5], suffix[3] = "00";
    int has_suffix = 0;
    if (n == 6 && digits(s, 6)) { /* 274014 */
        memcpy(major, s, 2), memcpy(minor, s + 2, 4);
    } else if ((n == 7 || n == 10) && digits(s, 2) && (s[2] == '-' || s[2] == '.') &&
               digits(s + 3, 4)) { /* 27-4014, 27.4014, 27-4014.01 */
        memcpy(major, s, 2), memcpy(minor, s + 3, 4);
        if (n == 10) {
            if (s[2] != '-' || s[7] != '.' || !digits(s + 8, 2))
                return -1;
            memcpy(suffix, s + 8, 2);
            has_suffix = 1;
        }
    } else
        return -1;
    major[2] = minor[4] = suffix[2] = '\0';
    /* SOC major groups are 11-55; 00 is "All Occupations", not an occupation. */
    if (major[0] == '0')
        return -1;
    memcpy(out->soc, major, 2);
    out->soc[2] = '-';
    memcpy(out->soc + 3, minor, 4);
    out->soc[7] = '\0';
    memcpy(out->onet, out->soc, 7);
    out->onet[7] = '.';
    memcpy(out->onet + 8, suffix, 3);
    out->suffix = has_suffix;
    return 0;
}

void occode_broad(const char *soc, char out[8])
{
    memcpy(out, soc, 7);
    out[6] = '0';
    out[7] = '\0';
}
