/* occode.h - parse occupation codes (O*NET-SOC, SOC) in their published spellings. */
#ifndef OCCSNAP_OCCODE_H
#define OCCSNAP_OCCODE_H

typedef struct {
    char soc[8];   /* "27-4014" */
    char onet[11]; /* "27-4014.01", or "27-4014.00" when no suffix was given */
    int suffix;    /* 1 if the input carried an O*NET ".NN" suffix */
} occode;

/* Parses "27-4014.00", "27-4014", "274014", "27.4014", "27-4014.01", with
 * blanks, double quotes and a UTF-8 BOM around it. Returns 0, or -1 for
 * anything else (the caller names source, file, row and value). */
int occode_parse(const char *text, occode *out);

/* The SOC 2018 broad group of a detailed code: "13-1021" -> "13-1020". */
void occode_broad(const char *soc, char out[8]);

#endif
