/* lookup.h - a query (a code, 274014, title words) to an occupation or a ranked list. */
#ifndef OCCSNAP_LOOKUP_H
#define OCCSNAP_LOOKUP_H

#include "common/snapshot.h"

#include <stddef.h>

/* One occupation a query matched, and how well. */
typedef struct {
    char *code, *title;            /* the occupation */
    char *matched;                 /* the title that matched (NULL for a code) */
    const char *how;               /* "code", "title", "alternate title", ... */
    int rank, partial, extra, alt; /* the sort key, in this order: lower is better */
} lookup_match;

/* The matches, best first; the first ties of them match equally well. */
typedef struct {
    lookup_match *v;
    size_t n, cap, ties;
} lookup_list;

/* Looks query (trimmed, not empty) up in s, as README "occsnap show" ranks
 * it: "27-4014.00" one occupation; "27-4014", "274014", "27.4014" the .00
 * occupation, else every one with that SOC code; anything else a title
 * search. Fills *l (the caller's to lookup_free, also on failure). Returns
 * OS_EDATA naming the query and the snapshot when nothing matches, OS_EIO
 * when the database cannot be read. */
int lookup_find(snapshot *s, const char *query, lookup_list *l);

/* Frees the matches and their strings; never fails. */
void lookup_free(lookup_list *l);

#endif
