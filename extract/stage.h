/* stage.h - turn cached raw files into typed rows of stage.sqlite (src_<table>). */
#ifndef OCCSNAP_STAGE_H
#define OCCSNAP_STAGE_H

#include "common/config.h"
#include "extract/receipt.h"

#include <sqlite3.h>

/* Creates a new, empty stage database at path (replacing any file there) with
 * its bookkeeping tables; returns an os_result. *db is the caller's. */
int stage_create(const char *path, sqlite3 **db);

/* A table parsed into memory, not yet in the database. */
typedef struct staged staged;

/* Parses table t from the raw file at raw_path into memory: header found by
 * column names, cells typed. Safe to call from several threads at once (it
 * touches no database). Returns an os_result naming table, file, row, column
 * and value; *out is the caller's (stage_insert, then staged_free).
 * max_member caps each zip member or xlsx part (max_member_mb; 0: 256 MiB). An
 * optional member missing from its archive parses to an empty "missing"
 * table; a required one is OS_EPARSE. */
int stage_parse(const cfg_table *t, const char *raw_path, size_t max_member, staged **out);
/* Writes a parsed table into src_<id> and stage_table; returns an os_result. */
int stage_insert(sqlite3 *db, staged *s);

/* The folder of the cache that holds the staged rows, one SQLite file per
 * table ("stage/<id>-<16 hex>.sqlite", its table src_<id>); stage.sqlite
 * keeps the records (stage_table.rows_file and rows_table name each
 * table's). A name is made of the file's sha256 and the table's
 * fingerprint, so a file, once written, is never changed: a new stage
 * writes new names, and the previous stage's files stay as they were
 * until a stage that no longer names them is in place (stage_sweep_rows). */
#define STAGE_ROWS_DIR "stage"

/* A parsed table written into a database of its own in memory, on the
 * worker's thread, then into its own rows file (stage_image_write), so the
 * one writer of the stage only records it (stage_image_record). */
typedef struct stage_image stage_image;

/* Writes s into a new in-memory stage database and keeps its bytes and its
 * stage_table row in *out (NULL for an optional member that is missing:
 * the writer records it). Returns an os_result (OS_ENOMEM, OS_EIO,
 * reported); s stays the caller's. */
int stage_image_build(staged *s, stage_image **out);

/* Writes img's bytes into its rows file under cache_dir (STAGE_ROWS_DIR,
 * named from file_sha256, the sha256 of the file it was read from, and
 * the table's fingerprint), through a temporary file renamed into place,
 * and frees them. Safe on several threads at once. Returns an os_result
 * (OS_EIO naming the file); img stays the caller's. */
int stage_image_write(stage_image *img, const char *cache_dir, const char *file_sha256);

/* Writes img's stage_table row, naming its rows file; OS_EIO (reported)
 * when stage_image_write has not written it. An os_result. */
int stage_image_record(sqlite3 *db, const stage_image *img);

/* A twin: table t, whose file has the bytes of table of's file and whose
 * read_sha256 is of's, so its rows are of's. stage_twin_record writes t's
 * record from of's image (img, naming of's rows file and table) or, when
 * of had none (an optional member missing), from of's parse s, warning
 * under t's name. Returns an os_result; img and s stay the caller's. */
int stage_twin_record(sqlite3 *db, const cfg_table *t, const stage_image *img, staged *s);

/* Removes from the rows folder beside the stage database at stage_path
 * every file its stage_table does not name (all of them when there is no
 * stage, or one from before rows files); when the stage is there but
 * cannot be read (locked, damaged), removes nothing. Returns an os_result
 * (OS_EIO naming a file that cannot be removed). */
int stage_sweep_rows(const char *stage_path);

/* Frees img (NULL is fine). */
void stage_image_free(stage_image *img);
void staged_free(staged *s);

/* Reads table t from the raw file at raw_path (its member/sheet, header found
 * by column names) into src_<t->id>, typed per column. Returns an os_result;
 * messages name the table, file, row, column and value. A member missing
 * from the archive is OS_EPARSE, or a warning and status 'missing' in
 * stage_table when t->optional. */
int stage_table(sqlite3 *db, const config *c, const cfg_table *t, const char *raw_path);

/* 1 if table t was staged in the stage database `schema` of db ("prev" when
 * the previous stage is attached, "main" when it is db itself) from a file
 * of this sha256 with the same table fingerprint, and its rows file is
 * still under cache_dir and whole (exactly as long as its header says), so
 * its rows can be kept rather than parsed again;
 * 0 otherwise (an error counts as 0). */
int stage_reusable(sqlite3 *db, const char *schema, const cfg_table *t, const char *sha256,
                   const char *cache_dir);

/* 1 if db's stage records table t with this status ("missing",
 * "not_in_release"), else 0 (an error counts as 0). */
int stage_had_status(sqlite3 *db, const cfg_table *t, const char *status);

/* Empties db's per-run records (files, releases, Economic Index releases),
 * to be written again by a run that keeps every staged table; an os_result. */
int stage_clear_records(sqlite3 *db);
/* Keeps table t's rows from "prev": nothing to copy (its record,
 * stage_copy_previous_record, names its rows file), but a missing optional
 * member is staged empty again. Returns an os_result. */
int stage_reuse_rows(sqlite3 *db, const cfg_table *t);
/* Copies table t's stage_table row from "prev"; OS_EIO (reported) when there
 * is none. An os_result. */
int stage_copy_previous_record(sqlite3 *db, const cfg_table *t);

/* Records a file's receipt in stage_file; returns an os_result. */
int stage_record_file(sqlite3 *db, const char *source, const char *cache_path,
                      const fetch_receipt *r);

/* Records that table t could not be staged because its optional file was not
 * fetched; returns an os_result. */
int stage_record_missing(sqlite3 *db, const cfg_table *t, const char *why);

/* Records that table t is not part of its source's release (since/until):
 * status not_in_release, why as the note; returns an os_result. */
int stage_record_absent(sqlite3 *db, const cfg_table *t, const char *why);

/* Records the release each source with a scheme is on (stage_release);
 * returns an os_result. */
int stage_record_releases(sqlite3 *db, const config *c);

/* Puts c on the releases the stage database at path was built from and
 * fills each source's words with the years its tables' headers gave
 * (config_use_release, config_fill_words); a missing stage database is no
 * error (nothing was staged yet). Returns OS_EIO naming path when it cannot
 * be read, OS_ECONFIG for a release the config cannot use. */
int stage_use_releases(const char *path, config *c);

#endif
