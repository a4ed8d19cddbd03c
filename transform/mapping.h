/* mapping.h - the occupation universe and the maps that put source codes on it. */
#ifndef OCCSNAP_MAPPING_H
#define OCCSNAP_MAPPING_H

#include "common/strmap.h"

#include <stddef.h>

/* How a value reached an occupation (DESIGN section 3); derived = computed
 * by occsnap from other measures of the same occupation (the composite). */
enum match_kind {
    MATCH_NONE = 0, MATCH_EXACT, MATCH_SOC, MATCH_AGGREGATE, MATCH_CROSSWALK, MATCH_DERIVED
};
extern const char *const match_names[]; /* indexed by match_kind */

/* The O*NET-SOC 2019 occupations of the release, by index. */
typedef struct {
    size_t n, cap;
    char (*onet)[11];  /* "27-4014.00" */
    char (*soc)[8];    /* "27-4014" */
    strmap *by_onet;   /* onet code -> index */
    strmap *soc_head;  /* soc code -> first index with that soc code */
    long *soc_next;    /* next index with the same soc code, or -1 */
} universe;

void universe_init(universe *u);
void universe_free(universe *u);
/* Adds an occupation; returns its index, or -1 if the code is already there. */
long universe_add(universe *u, const char *onet, const char *soc);
/* Index of an O*NET-SOC code, or -1. */
long universe_find(const universe *u, const char *onet);
/* First index whose soc code is soc, or -1; continue with u->soc_next[i]. */
long universe_soc_first(const universe *u, const char *soc);

/* A many-to-many code map (crosswalk): origin code -> list of target codes. */
typedef struct {
    strmap *head;   /* origin -> first pair index */
    long *next;     /* next pair with the same origin, or -1 */
    char **target;  /* target code of each pair */
    size_t n, cap;
} codemap;

void codemap_init(codemap *m);
void codemap_free(codemap *m);
/* Adds origin -> target (a repeated pair is ignored). */
void codemap_add(codemap *m, const char *origin, const char *target);
/* First pair index for origin, or -1; continue with m->next[i], read m->target[i]. */
long codemap_first(const codemap *m, const char *origin);

#endif
