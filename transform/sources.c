/* sources.c - rows of aggregate-publishing sources (OEWS, EP), the steps their transforms share. */
#include "transform/sources.h"
#include "common/error.h"
#include "common/util.h"
#include "transform/occode.h"
#include "transform/xwalk.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------- rows of aggregate-publishing sources */

/* Row j of rows (structs of size bytes, each starting with a tf_agg_row);
 * cannot fail. */
static tf_agg_row *agg_at(void *rows, size_t j, size_t size)
{
    return (tf_agg_row *)((char *)rows + j * size);
}

void *tf_agg_append(void *rows, size_t n, size_t *cap, size_t size, long row, const char *code)
{
    if (n == *cap) {
        *cap = *cap ? 2 * *cap : 1024;
        rows = xrealloc(rows, *cap * size);
    }
    tf_agg_row *a = memset(agg_at(rows, n, size), 0, size);
    a->row = row;
    memcpy(a->code, code, strnlen(code, sizeof a->code - 1));
    return rows;
}

void tf_agg_take(tf *t, const strmap *by_code, void *rows, size_t size, long **take,
                 unsigned char **how)
{
    long *tk = xmalloc(t->u.n * sizeof *tk);
    unsigned char *hw = xcalloc(t->u.n, 1);
    tf_take_rows(t, by_code, tk, hw);
    for (size_t i = 0; i < t->u.n; i++)
        if (tk[i] >= 0)
            agg_at(rows, (size_t)tk[i], size)->takers++;
    *take = tk;
    *how = hw;
}

int tf_agg_unmatched(tf *t, tf_coverage *c, const void *rows, size_t n, size_t size,
                     char *(*why)(const void *row))
{
    int rc = OS_OK;
    for (size_t j = 0; !rc && j < n; j++) {
        const tf_agg_row *a = (const tf_agg_row *)((const char *)rows + j * size);
        if (a->takers > 0) {
            c->rows_mapped++;
            continue;
        }
        char *reason = why(a);
        rc = tf_cov_unmatched(t, c, a->row, a->code, reason);
        free(reason);
    }
    return rc;
}
