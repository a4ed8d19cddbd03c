/* mapping.c - the occupation universe and the maps that put source codes on it. */
#include "transform/mapping.h"
#include "common/util.h"

#include <stdlib.h>
#include <string.h>

const char *const match_names[] = {"none", "exact", "soc", "aggregate", "crosswalk", "derived"};

void universe_init(universe *u)
{
    memset(u, 0, sizeof *u);
    u->by_onet = strmap_new();
    u->soc_head = strmap_new();
}

void universe_free(universe *u)
{
    free(u->onet);
    free(u->soc);
    free(u->soc_next);
    strmap_free(u->by_onet);
    strmap_free(u->soc_head);
    memset(u, 0, sizeof *u);
}

long universe_add(universe *u, const char *onet, const char *soc)
{
    if (strmap_get(u->by_onet, onet, NULL))
        return -1;
    if (u->n == u->cap) {
        u->cap = u->cap ? 2 * u->cap : 1024;
        u->onet = xrealloc(u->onet, u->cap * sizeof *u->onet);
        u->soc = xrealloc(u->soc, u->cap * sizeof *u->soc);
        u->soc_next = xrealloc(u->soc_next, u->cap * sizeof *u->soc_next);
    }
    long i = (long)u->n++;
    snprintf(u->onet[i], sizeof u->onet[i], "%s", onet);
    snprintf(u->soc[i], sizeof u->soc[i], "%s", soc);
    strmap_put(u->by_onet, onet, i);
    /* Append to the soc chain so iteration follows the release's order. */
    long head;
    u->soc_next[i] = -1;
    if (!strmap_get(u->soc_head, soc, &head))
        strmap_put(u->soc_head, soc, i);
    else {
        while (u->soc_next[head] >= 0)
            head = u->soc_next[head];
        u->soc_next[head] = i;
    }
    return i;
}

long universe_find(const universe *u, const char *onet)
{
    long i;
    return strmap_get(u->by_onet, onet, &i) ? i : -1;
}

long universe_soc_first(const universe *u, const char *soc)
{
    long i;
    return strmap_get(u->soc_head, soc, &i) ? i : -1;
}

void codemap_init(codemap *m)
{
    memset(m, 0, sizeof *m);
    m->head = strmap_new();
}

void codemap_free(codemap *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->target[i]);
    free(m->target);
    free(m->next);
    strmap_free(m->head);
    memset(m, 0, sizeof *m);
}

void codemap_add(codemap *m, const char *origin, const char *target)
{
    long i, last = -1;
    for (i = codemap_first(m, origin); i >= 0; i = m->next[i]) {
        if (!strcmp(m->target[i], target))
            return;
        last = i;
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->target = xrealloc(m->target, m->cap * sizeof *m->target);
        m->next = xrealloc(m->next, m->cap * sizeof *m->next);
    }
    long k = (long)m->n++;
    m->target[k] = xstrdup(target);
    m->next[k] = -1;
    if (last < 0)
        strmap_put(m->head, origin, k);
    else
        m->next[last] = k;
}

long codemap_first(const codemap *m, const char *origin)
{
    long i;
    return strmap_get(m->head, origin, &i) ? i : -1;
}
