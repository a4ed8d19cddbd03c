/* test_batch.c - unit tests for common/batch.c: multi-row INSERTs into an in-memory database, full and partial steps, batches of announced rows, the parameter limit, the texts it copies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/batch.h"
#include "common/error.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* A fresh in-memory database with table t(k INTEGER NOT NULL, s TEXT, then
 * ncol - 2 REAL columns c2...). */
static sqlite3 *open_db(int ncol)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(":memory:", &db), SQLITE_OK);
    char sql[4096];
    int n = snprintf(sql, sizeof sql, "CREATE TABLE t(k INTEGER NOT NULL, s TEXT");
    for (int c = 2; c < ncol; c++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", c%d REAL", c);
    snprintf(sql + n, sizeof sql - (size_t)n, ") STRICT");
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    return db;
}

/* The column list "t(k, s, c2, ...)" of open_db's table. */
static void columns(int ncol, char *out, size_t cap)
{
    int n = snprintf(out, cap, "t(k, s");
    for (int c = 2; c < ncol; c++)
        n += snprintf(out + n, cap - (size_t)n, ", c%d", c);
    snprintf(out + n, cap - (size_t)n, ")");
}

/* Inserts rows 1..nrow (k = i, s = "row i", c<j> = i * 100 + j) through a
 * batch opened for announced rows (db_batch_open_rows), or -1 for a batch
 * of rows not counted (db_batch_open), flushing when flush is 1; returns
 * the last os_result. */
static int insert_announced(sqlite3 *db, int ncol, int nrow, long announced, int flush, int *per)
{
    char cols[4096];
    columns(ncol, cols, sizeof cols);
    db_batch b;
    int rc = announced < 0 ? db_batch_open(&b, db, cols, ncol)
                           : db_batch_open_rows(&b, db, cols, ncol, announced);
    if (rc)
        return rc;
    *per = b.per;
    for (int i = 1; !rc && i <= nrow; i++) {
        int p = db_batch_at(&b);
        char s[32];
        snprintf(s, sizeof s, "row %d", i);
        sqlite3_bind_int(b.st, p, i);
        db_batch_text(&b, p + 1, s); /* s is gone before the step: the copy counts */
        for (int c = 2; c < ncol; c++)
            sqlite3_bind_double(b.st, p + c, i * 100.0 + c);
        rc = db_batch_add(&b);
    }
    if (!rc && flush)
        rc = db_batch_flush(&b);
    db_batch_close(&b);
    return rc;
}

/* insert_announced of rows not counted in advance. */
static int insert_rows(sqlite3 *db, int ncol, int nrow, int flush, int *per)
{
    return insert_announced(db, ncol, nrow, -1, flush, per);
}

/* Every row 1..nrow is in t once, in insertion order, with its values. */
static void check_rows(sqlite3 *db, int ncol, int nrow)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT * FROM t ORDER BY rowid", -1, &st, NULL),
                     SQLITE_OK);
    int i = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        i++;
        assert_int_equal(sqlite3_column_int(st, 0), i);
        char s[32];
        snprintf(s, sizeof s, "row %d", i);
        assert_string_equal((const char *)sqlite3_column_text(st, 1), s);
        for (int c = 2; c < ncol; c++)
            assert_true(sqlite3_column_double(st, c) == i * 100.0 + c);
    }
    sqlite3_finalize(st);
    assert_int_equal(i, nrow);
}

/* Two full statements and a partial one: nothing lost, nothing doubled,
 * the unused rows of the last statement (NULL first column) dropped. */
static void test_full_and_partial(void **state)
{
    (void)state;
    sqlite3 *db = open_db(4);
    int per;
    assert_int_equal(insert_rows(db, 4, 2 * DB_BATCH + 5, 1, &per), OS_OK);
    assert_int_equal(per, DB_BATCH);
    check_rows(db, 4, 2 * DB_BATCH + 5);
    sqlite3_close(db);
}

/* Exactly full statements: the flush has nothing to add. */
static void test_exact_multiple(void **state)
{
    (void)state;
    sqlite3 *db = open_db(3);
    int per;
    assert_int_equal(insert_rows(db, 3, 3 * DB_BATCH, 1, &per), OS_OK);
    check_rows(db, 3, 3 * DB_BATCH);
    sqlite3_close(db);
}

/* Rows bound but never flushed are dropped by db_batch_close (as batch.h
 * says): only the full statements went in. */
static void test_close_drops_unflushed(void **state)
{
    (void)state;
    sqlite3 *db = open_db(3);
    int per;
    assert_int_equal(insert_rows(db, 3, DB_BATCH + 7, 0, &per), OS_OK);
    check_rows(db, 3, DB_BATCH);
    sqlite3_close(db);
}

/* A row of many columns under a low parameter limit: fewer rows a
 * statement (100 / 30 = 3), every row still in. */
static void test_parameter_limit(void **state)
{
    (void)state;
    sqlite3 *db = open_db(30);
    sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 100);
    int per;
    assert_int_equal(insert_rows(db, 30, 10, 1, &per), OS_OK);
    assert_int_equal(per, 3);
    check_rows(db, 30, 10);
    sqlite3_close(db);
}

/* More columns in one row than the limit allows: refused at open. */
static void test_row_over_the_limit(void **state)
{
    (void)state;
    sqlite3 *db = open_db(30);
    sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 20);
    int per = -1;
    os_quiet++;
    assert_int_equal(insert_rows(db, 30, 1, 1, &per), OS_EIO);
    /* a failed open leaves b closable, whatever it held before */
    db_batch b;
    memset(&b, 0xA5, sizeof b);
    char cols[4096];
    columns(30, cols, sizeof cols);
    assert_int_equal(db_batch_open(&b, db, cols, 30), OS_EIO);
    os_quiet--;
    assert_null(b.st);
    db_batch_close(&b);
    assert_int_equal(per, -1);
    sqlite3_close(db);
}

/* A row the table refuses (NULL in the NOT NULL column through a step of
 * many rows): the step fails with OS_EIO. */
static void test_refused_row_fails_the_step(void **state)
{
    (void)state;
    sqlite3 *db = open_db(3);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE u(k INTEGER NOT NULL, s TEXT NOT NULL, x REAL)",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    db_batch b;
    assert_int_equal(db_batch_open(&b, db, "u(k, s, x)", 3), OS_OK);
    int rc = OS_OK;
    os_quiet++;
    for (int i = 1; !rc && i <= 5; i++) {
        int p = db_batch_at(&b);
        sqlite3_bind_int(b.st, p, i);
        db_batch_text(&b, p + 1, i == 4 ? "" : "x"); /* "" binds NULL */
        sqlite3_bind_double(b.st, p + 2, 1.5);
        rc = db_batch_add(&b);
    }
    if (!rc)
        rc = db_batch_flush(&b);
    os_quiet--;
    db_batch_close(&b);
    assert_int_equal(rc, OS_EIO);
    sqlite3_close(db);
}

/* A batch opened for exactly the rows it gets: full statements and one of
 * just the rows left, every row in once, whatever the count against the
 * rows a statement holds (limit: SQLite's parameter limit, 0 the default). */
static const struct {
    int ncol, nrow, limit;
} ANNOUNCED[] = {
    {3, 0, 0},
    {3, 1, 0},
    {3, DB_BATCH - 1, 0},
    {3, DB_BATCH, 0},
    {3, DB_BATCH + 1, 0},
    {4, 2 * DB_BATCH, 0},
    {4, 2 * DB_BATCH + 5, 0},
    {30, 10, 100}, /* 3 rows a statement: 3, 3, 3, then 1 */
    {30, 9, 100},
};

static void test_announced_rows(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof ANNOUNCED / sizeof *ANNOUNCED; k++) {
        sqlite3 *db = open_db(ANNOUNCED[k].ncol);
        if (ANNOUNCED[k].limit)
            sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, ANNOUNCED[k].limit);
        int per;
        if (insert_announced(db, ANNOUNCED[k].ncol, ANNOUNCED[k].nrow, ANNOUNCED[k].nrow, 1,
                             &per) != OS_OK)
            fail_msg("case %zu: %d rows announced and added failed", k, ANNOUNCED[k].nrow);
        check_rows(db, ANNOUNCED[k].ncol, ANNOUNCED[k].nrow);
        sqlite3_close(db);
    }
}

/* A count that does not hold is the caller's mistake, and says so: one row
 * more fails at its add (the rows announced are in), one fewer at the
 * flush (the full statements' rows are in, the rest are not). */
static void test_announced_wrong(void **state)
{
    (void)state;
    int per;
    os_quiet++;
    sqlite3 *db = open_db(3);
    assert_int_equal(insert_announced(db, 3, DB_BATCH + 3, DB_BATCH + 2, 1, &per), OS_EIO);
    check_rows(db, 3, DB_BATCH + 2);
    sqlite3_close(db);
    db = open_db(3);
    assert_int_equal(insert_announced(db, 3, DB_BATCH + 1, DB_BATCH + 2, 1, &per), OS_EIO);
    check_rows(db, 3, DB_BATCH);
    sqlite3_close(db);
    db = open_db(3);
    assert_int_equal(insert_announced(db, 3, 1, 0, 1, &per), OS_EIO);
    check_rows(db, 3, 0);
    sqlite3_close(db);
    os_quiet--;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_and_partial),
        cmocka_unit_test(test_exact_multiple),
        cmocka_unit_test(test_close_drops_unflushed),
        cmocka_unit_test(test_parameter_limit),
        cmocka_unit_test(test_row_over_the_limit),
        cmocka_unit_test(test_refused_row_fails_the_step),
        cmocka_unit_test(test_announced_rows),
        cmocka_unit_test(test_announced_wrong),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
