/* context.h - the shared state of one transform run, and the helpers every
 * source's transform uses (staged-table reading, coverage, measures). */
#ifndef OCCSNAP_CONTEXT_H
#define OCCSNAP_CONTEXT_H

#include "common/config.h"
#include "common/db.h"
#include "common/strmap.h"
#include "transform/mapping.h"

#include <sqlite3.h>
#include <stddef.h>

#define TF_MAX_COVERAGE 48
#define TF_MAX_MEASURES 48

/* What one source table contributes to the coverage table. */
typedef struct {
    const char *table_id, *source;
    long rows_in, rows_mapped, rows_unmatched;
    unsigned char *covered; /* per occupation: 1 if the table reached it */
    /* Economic Index tables: usage (percent of all conversations) joined
       to occupations by task ID, by task text, and not joined; all 0 for
       other tables */
    double usage_by_id, usage_by_text, usage_not_joined;
} tf_coverage;

/* One measure being built: a value per occupation (NaN = none). */
typedef struct {
    const char *name, *source;
    double *value;
    unsigned char *match; /* enum match_kind per occupation */
} tf_measure;

typedef struct {
    const config *cfg;
    sqlite3 *stage, *out;
    universe u;
    double *emp_weight;     /* per occupation, NaN when it takes no OEWS row */
    strmap *nem_of;         /* O*NET-SOC code -> index into nem_code */
    char **nem_code;        /* NEM code ("21-1018") the BLS crosswalk names */
    size_t nnem;
    sqlite3_stmt *unmatched;
    tf_coverage cov[TF_MAX_COVERAGE];
    size_t ncov;
    tf_measure meas[TF_MAX_MEASURES];
    size_t nmeas;
    /* the measures whose rows were written before the Economic Index step
       (transform.c), with their values and match kinds as written */
    size_t nmeas_written;
    double *written_value;
    unsigned char *written_match;
    const char *stage_path;
    struct tf_worker *worker; /* the reader ahead (worker.c), or NULL */
} tf;

/* Sets *staged to 1 if table_id was staged with its file present (an optional
 * table may be missing), else 0; returns an os_result (OS_EIO, reported, when
 * the stage database cannot be read). */
int tf_staged(tf *t, const char *table_id, int *staged);
/* Why table_id was not staged, as the stage recorded it ("missing: aei:
 * cannot download ...", "not_in_release: ..."), malloc'd (the caller
 * frees); for a message that must not hide the cause. Cannot fail. */
char *tf_staged_note(tf *t, const char *table_id);

/* 1 when tables a and b were both staged from files of the same sha256
 * read alike (their read_sha256), so their staged rows are the same (two
 * Economic Index releases ship one statements file); 0 otherwise, and when
 * the stage cannot say (db_prepare reports why). */
int tf_same_rows(tf *t, const char *a, const char *b);

/* Opens "SELECT _row, <cols> FROM src_<table_id>" in file order (rowid) after
 * checking the table was staged; *file gets the file label for messages
 * (caller frees). Returns an os_result (OS_EDATA if it was not staged). */
int tf_open_staged(tf *t, const char *table_id, const char *cols, sqlite3_stmt **st,
                   char **file);

/* Takes rc, the result of a batched insert of what table_id feeds, and
 * returns it as it is unless the insert failed on the primary key
 * (occupation, col): the batch cannot say which row, so then this re-reads
 * the staged rows and returns OS_EDATA naming the first (occupation, value)
 * that repeats an earlier one, with file, both rows and the value (OS_EIO
 * if the re-read fails). */
int tf_report_duplicate(tf *t, int rc, const char *table_id, const char *col);

/* Turns the CHECK constraints of t->out off (on = 0) or back on (on = 1)
 * around a bulk insert. SQLite 3.40 codes the IN list of a CHECK(col IN
 * (a, b, c)) without its run-once guard, so every inserted row builds and
 * clears a look-up table (about 6,000 instructions a row: a quarter of the
 * whole transform for element and measure). A caller turns them off only
 * when each value it binds to such a column comes from the same fixed list
 * (KINDS, config_label, match_names) and says so; the schema keeps the
 * constraints, and quick_check (`occsnap verify`) evaluates them on the
 * published file. Returns OS_OK or OS_EIO (reported). */
int tf_checks(tf *t, int on);

/* Prepares t->unmatched, the INSERT tf_cov_unmatched steps; an os_result. */
int tf_prepare_unmatched(tf *t);

/* Attaches data, a database image from sqlite3_serialize whose ownership
 * passes here (freed on failure too), to t->out as name, read-only. It stays
 * attached (DETACH cannot run within t->out's transaction): closing t->out
 * frees it. Returns OS_OK or OS_EIO (reported). */
int tf_attach_image(tf *t, const char *name, unsigned char *data, sqlite3_int64 size);

/* Starts the coverage record of a source table; owned by t. */
tf_coverage *tf_cov_start(tf *t, const char *table_id, const char *source);
/* Lists a source row that reached no occupation, with the reason (copied);
 * returns an os_result. */
int tf_cov_unmatched(tf *t, tf_coverage *c, long row, const char *code, const char *reason);

/* A new measure with no values yet; owned by t. name and source must
 * outlive t (string literals or config strings). */
tf_measure *tf_measure_new(tf *t, const char *name, const char *source);
/* The measure named name, or NULL. */
tf_measure *tf_measure_find(tf *t, const char *name);

/* Which row of an aggregate-publishing source (OEWS, EP, Microsoft) each
 * occupation takes (DESIGN section 3): the row of its own SOC code (soc),
 * else the row the BLS NEM crosswalk names for it (aggregate), else its broad
 * group's row (aggregate). by_code maps a SOC code to a row index; take[i]
 * gets the row or -1, how[i] the match kind. Cannot fail. */
void tf_take_rows(tf *t, const strmap *by_code, long *take, unsigned char *how);

/* The source transforms, in the order the driver runs them. Each returns an
 * os_result; each names table, file, row and value in its messages. */
int tf_onet_occupations(tf *t);  /* the universe: must run first */
int tf_onet_tasks(tf *t);
int tf_onet_details(tf *t);      /* titles, technology, job zones, elements */
int tf_oews(tf *t);              /* employment_wage and emp_weight */
int tf_projections(tf *t);       /* BLS Employment Projections */
int tf_measures(tf *t);          /* every [measure] read from a table (measure_map.c) */
int tf_aei(tf *t);               /* Anthropic Economic Index, every release (aei.c):
                                    as the reader ahead built it, else tf_aei_build */
int tf_aei_build(tf *t);         /* the Economic Index step itself (also the reader's) */
int tf_composite(tf *t);         /* ai_exposure_index_v1 from the measures' pct */

#endif
