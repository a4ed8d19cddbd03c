/* strmap.h - open-addressing hash map from strings to integers (code look-ups). */
#ifndef OCCSNAP_STRMAP_H
#define OCCSNAP_STRMAP_H

#include <stddef.h>

typedef struct strmap strmap;

/* Creates an empty map; dies on OOM. The map copies every key it stores. */
strmap *strmap_new(void);
void strmap_free(strmap *m);
/* Sets key to value (inserting or replacing); dies on OOM. */
void strmap_put(strmap *m, const char *key, long value);
/* Returns 1 and the value if key is present, 0 otherwise. */
int strmap_get(const strmap *m, const char *key, long *value);
/* The number of keys in m (a count); cannot fail. */
size_t strmap_count(const strmap *m);

#endif
