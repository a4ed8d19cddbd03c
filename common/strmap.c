/* strmap.c - open-addressing hash map from strings to integers (code look-ups). */
#include "common/strmap.h"
#include "common/util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *key; /* NULL = empty slot */
    uint64_t hash;
    long value;
} slot;

struct strmap {
    slot *slots;
    size_t cap; /* power of two */
    size_t count;
};

/* FNV-1a: short keys (occupation codes, task ids), so simple is fast enough. */
static uint64_t hash_key(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

strmap *strmap_new(void)
{
    strmap *m = xcalloc(1, sizeof *m);
    m->cap = 64;
    m->slots = xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void strmap_free(strmap *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->slots[i].key);
    free(m->slots);
    free(m);
}

static slot *find_slot(slot *slots, size_t cap, const char *key, uint64_t h)
{
    size_t i = (size_t)h & (cap - 1);
    while (slots[i].key && (slots[i].hash != h || strcmp(slots[i].key, key) != 0))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(strmap *m)
{
    size_t ncap = m->cap * 2;
    slot *ns = xcalloc(ncap, sizeof *ns);
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].key)
            continue;
        slot *s = find_slot(ns, ncap, m->slots[i].key, m->slots[i].hash);
        *s = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
}

void strmap_put(strmap *m, const char *key, long value)
{
    if ((m->count + 1) * 4 > m->cap * 3)
        grow(m);
    uint64_t h = hash_key(key);
    slot *s = find_slot(m->slots, m->cap, key, h);
    if (!s->key) {
        s->key = xstrdup(key);
        s->hash = h;
        m->count++;
    }
    s->value = value;
}

int strmap_get(const strmap *m, const char *key, long *value)
{
    uint64_t h = hash_key(key);
    const slot *s = find_slot(m->slots, m->cap, key, h);
    if (!s->key)
        return 0;
    if (value)
        *value = s->value;
    return 1;
}

size_t strmap_count(const strmap *m)
{
    return m->count;
}
