/* sources.h - steps several source transforms share: coded values carried through a crosswalk, rows of aggregate-publishing sources. */
#ifndef OCCSNAP_SOURCES_H
#define OCCSNAP_SOURCES_H

#include "transform/context.h"
#include "transform/mapping.h"

#include <stddef.h>

/* ------------------------------------------------ coded values, crosswalked */

/* Flags of tf_read_coded. */
#define TF_CODED_ONET 1       /* O*NET-SOC codes (".NN" suffix required), else SOC codes (none) */
#define TF_CODED_NAME_FIRST 2 /* the repeated-code message names the first row too */

/* The (code, value) rows of a staged table, in file order, each code once. */
typedef struct {
    size_t n;
    int onet;            /* 1: the codes are O*NET-SOC codes, 0: SOC codes */
    long *row;           /* staged row (_row) */
    char (*code)[11];    /* the parsed code: occode's onet or soc */
    const char **origin; /* origin[k] is code[k], as xwalk_mean takes them */
    double *value;       /* NaN = no value */
} tf_coded;

/* Reads cols ("code column, value column") of the staged table c->table_id
 * into *out, counting c->rows_in. Fails with OS_EDATA naming table, file, row
 * and value of a code that is not what ("a SOC 2010 code") or of a repeated
 * code, or with the os_result of tf_open_staged; *out is the caller's, to
 * free with tf_coded_free whatever the result. */
int tf_read_coded(tf *t, tf_coverage *c, const char *cols, int flags, const char *what,
                  tf_coded *out);

/* Carries cv through the crosswalk xw (xwalk_mean) onto m (match crosswalk):
 * each target takes the mean of its origins and gives it to every occupation
 * with that code (targets are O*NET-SOC codes when cv's are, else SOC codes).
 * Then, in file order, counts each row that reached an occupation in
 * c->rows_mapped and lists the others with no_value, no_origin or no_target
 * as the reason. Returns the os_result of the listing; owns nothing. */
int tf_coded_onto(tf *t, const codemap *xw, const tf_coded *cv, tf_coverage *c, tf_measure *m,
                  const char *no_value, const char *no_origin, const char *no_target);

/* Frees what tf_read_coded put in cv (safe on a zeroed cv); cannot fail. */
void tf_coded_free(tf_coded *cv);

/* ------------------------------------- rows of aggregate-publishing sources */

/* The first member of every row struct of an aggregate-publishing source
 * (OEWS, EP, Microsoft), so the helpers below can walk any of them. */
typedef struct {
    long row;     /* staged row (_row) */
    char code[8]; /* its SOC code (or SOC aggregate code) */
    long takers;  /* occupations that take this row */
} tf_agg_row;

/* Makes room for row n in rows, an array of *cap structs of size bytes each
 * starting with a tf_agg_row, and zeroes it with row and code filled in.
 * Returns the array (it may move; the caller owns and frees it); cannot fail
 * (dies on OOM). */
void *tf_agg_append(void *rows, size_t n, size_t *cap, size_t size, long row, const char *code);

/* tf_take_rows over rows (laid out as for tf_agg_append), then counts in each
 * row's takers the occupations that take it. *take and *how get new arrays
 * per occupation (row index or -1, enum match_kind) the caller frees; cannot
 * fail (dies on OOM). */
void tf_agg_take(tf *t, const strmap *by_code, void *rows, size_t size, long **take,
                 unsigned char **how);

/* In file order, counts each of the n rows (laid out as for tf_agg_append)
 * that some occupation takes in c->rows_mapped and lists the others as
 * unmatched, with the reason why(row) returns (a malloc'd string freed here).
 * Returns the os_result of the first listing that fails, which stops it. */
int tf_agg_unmatched(tf *t, tf_coverage *c, const void *rows, size_t n, size_t size,
                     char *(*why)(const void *row));

/* Loads the O*NET-SOC 2010 -> 2019 crosswalk (table onet_xwalk_2010_2019)
 * into xw (the caller's, initialised); returns an os_result naming the row
 * of a bad code pair. */
int tf_load_onet_xwalk(tf *t, codemap *xw);

#endif
