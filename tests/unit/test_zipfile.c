/* test_zipfile.c - unit tests for extract/zipfile.c on zip archives the tests build at runtime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/error.h"
#include "common/util.h"
#include "extract/zipfile.h"
#include "tests/unit/testutil.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* Every archive built here (tu_zip) is a hand-made fixture from literals. */

/* Returns a malloc'd string of n copies of ch; the caller frees. */
static char *repeat(char ch, size_t n)
{
    char *s = xmalloc(n + 1);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}

/* The temp dir of the group; -1 when it cannot be made. */
static int group_setup(void **state)
{
    return tu_tmpdir_setup("zipfile");
}

/* Hand-made fixture: two small text members, one in a folder. */
static const tu_member two_members[] = {
    {"hello.txt", "hello, zip\n", 0},
    {"dir/data.csv", "a,b\n1,2\n", 0},
};

static void test_member_found(void **state)
{
    char *path = tu_zip("found.zip", two_members, 2);
    zipfile *z;
    assert_int_equal(zipfile_open(path, &z), OS_OK);
    assert_string_equal(zipfile_label(z), path);
    assert_int_equal(zipfile_has(z, "hello.txt"), 1);
    assert_int_equal(zipfile_has(z, "dir/data.csv"), 1);
    assert_int_equal(zipfile_has(z, "data.csv"), 0);
    assert_int_equal(zipfile_has(z, "HELLO.TXT"), 0);

    char *buf;
    size_t len;
    assert_int_equal(zipfile_read_all(z, "dir/data.csv", 1000, &buf, &len), OS_OK);
    assert_int_equal(len, 8);
    assert_string_equal(buf, "a,b\n1,2\n");
    free(buf);

    /* Stream it in tiny pieces through the rows_read_fn-shaped reader. */
    zipfile_member *m;
    assert_int_equal(zipfile_member_open(z, "hello.txt", 1000, &m), OS_OK);
    char got[64] = {0}, piece[3];
    size_t used = 0;
    long r;
    while ((r = zipfile_member_read(m, piece, sizeof piece)) > 0) {
        assert_true(used + (size_t)r < sizeof got);
        memcpy(got + used, piece, (size_t)r);
        used += (size_t)r;
    }
    assert_int_equal(r, 0);
    assert_string_equal(got, "hello, zip\n");
    zipfile_member_close(m);
    zipfile_close(z);
    free(path);
}

static void test_member_missing(void **state)
{
    char *path = tu_zip("missing.zip", two_members, 2);
    zipfile *z;
    assert_int_equal(zipfile_open(path, &z), OS_OK);
    zipfile_member *m = (zipfile_member *)1;
    assert_int_equal(zipfile_member_open(z, "nope.txt", 1000, &m), OS_EPARSE);
    assert_null(m);
    char *want = xasprintf("%s: member 'nope.txt' not found", path);
    assert_string_equal(os_last_error(), want);
    free(want);

    char *buf = (char *)1;
    assert_int_equal(zipfile_read_all(z, "dir", 1000, &buf, NULL), OS_EPARSE);
    assert_null(buf);
    assert_non_null(strstr(os_last_error(), "member 'dir' not found"));
    zipfile_close(z);
    free(path);
}

static void test_size_cap_declared(void **state)
{
    char *big = repeat('x', 1000);
    tu_member mem[] = {{"big.txt", big, 0}};
    char *path = tu_zip("declared.zip", mem, 1);
    zipfile *z;
    assert_int_equal(zipfile_open(path, &z), OS_OK);

    zipfile_member *m;
    assert_int_equal(zipfile_member_open(z, "big.txt", 999, &m), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "member 'big.txt' is 1000 bytes, over the 999-byte limit"));
    assert_non_null(strstr(os_last_error(), "declared.zip"));

    /* Exactly at the cap is fine, both streamed and whole. */
    char *buf;
    size_t len;
    assert_int_equal(zipfile_read_all(z, "big.txt", 1000, &buf, &len), OS_OK);
    assert_int_equal(len, 1000);
    assert_memory_equal(buf, big, 1000);
    assert_int_equal(buf[1000], '\0');
    free(buf);
    zipfile_close(z);
    free(path);
    free(big);
}

/* Fails the test if the signature is absent; returns its first offset. */
static size_t find_sig(const unsigned char *p, size_t len, const char *sig)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(p + i, sig, 4) == 0)
            return i;
    fail_msg("signature not found");
    return 0;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void test_size_cap_actual(void **state)
{
    /* Hand-made fixture with a lying header: 5000 bytes stored deflated, then
     * the uncompressed size in the local and central headers patched to 10. */
    char *big = repeat('y', 5000);
    tu_member mem[] = {{"liar.txt", big, 0}};
    char *path = tu_zip("liar.zip", mem, 1);
    char *raw;
    size_t rawlen;
    assert_int_equal(read_file(path, 1 << 20, &raw, &rawlen), OS_OK);
    unsigned char *u = (unsigned char *)raw;
    /* deflated: inflated by ISA-L, whose reads the cap must stop too */
    assert_int_equal(u[find_sig(u, rawlen, "PK\x01\x02") + 10], 8);
    put_le32(u + find_sig(u, rawlen, "PK\x03\x04") + 22, 10);
    put_le32(u + find_sig(u, rawlen, "PK\x01\x02") + 24, 10);

    zipfile *z;
    assert_int_equal(zipfile_open_buffer(raw, rawlen, "liar.zip", &z), OS_OK);
    zipfile_member *m;
    assert_int_equal(zipfile_member_open(z, "liar.txt", 100, &m), OS_OK);
    char buf[4096];
    long r, total = 0;
    while ((r = zipfile_member_read(m, buf, sizeof buf)) > 0)
        total += r;
    assert_int_equal(r, -1);
    assert_true(total <= 100);
    assert_string_equal(os_last_error(),
                        "liar.zip: member 'liar.txt' is larger than the 100-byte limit");
    /* Once failed, it stays failed. */
    assert_int_equal(zipfile_member_read(m, buf, sizeof buf), -1);
    zipfile_member_close(m);

    char *all = (char *)1;
    assert_int_equal(zipfile_read_all(z, "liar.txt", 100, &all, NULL), OS_EPARSE);
    assert_null(all);
    zipfile_close(z);
    free(raw);
    free(path);
    free(big);
}

static void test_not_a_zip(void **state)
{
    const char *text = "AREA,OCC_CODE\n99,00-0000\n";
    char *path = tu_file("plain.zip", text, strlen(text));
    zipfile *z = (zipfile *)1;
    assert_int_equal(zipfile_open(path, &z), OS_EPARSE);
    assert_null(z);
    char *want = xasprintf("%s is not a zip archive (", path);
    assert_true(strncmp(os_last_error(), want, strlen(want)) == 0);
    free(want);
    free(path);

    path = tu_file("empty.zip", "", 0);
    assert_int_equal(zipfile_open(path, &z), OS_EPARSE);
    assert_non_null(strstr(os_last_error(), "is not a zip archive"));
    free(path);

    path = tu_path("does-not-exist.zip");
    assert_int_equal(zipfile_open(path, &z), OS_EIO);
    assert_non_null(strstr(os_last_error(), "does-not-exist.zip"));
    free(path);

    assert_int_equal(zipfile_open_buffer(text, strlen(text), "inner.xlsx", &z), OS_EPARSE);
    assert_null(z);
    assert_true(strncmp(os_last_error(), "inner.xlsx is not a zip archive (", 33) == 0);
    assert_int_equal(zipfile_open_buffer(text, 0, "inner.xlsx", &z), OS_EPARSE);
}

static void test_open_buffer(void **state)
{
    char *path = tu_zip("buffer.zip", two_members, 2);
    char *raw;
    size_t rawlen;
    assert_int_equal(read_file(path, 1 << 20, &raw, &rawlen), OS_OK);
    zipfile *z;
    assert_int_equal(zipfile_open_buffer(raw, rawlen, "outer.zip/inner.zip", &z), OS_OK);
    assert_string_equal(zipfile_label(z), "outer.zip/inner.zip");
    char *buf;
    size_t len;
    assert_int_equal(zipfile_read_all(z, "hello.txt", 100, &buf, &len), OS_OK);
    assert_string_equal(buf, "hello, zip\n");
    assert_int_equal(len, 11);
    free(buf);
    assert_int_equal(zipfile_read_all(z, "x", 100, &buf, &len), OS_EPARSE);
    assert_string_equal(os_last_error(), "outer.zip/inner.zip: member 'x' not found");
    zipfile_close(z);
    zipfile_close(NULL);
    zipfile_member_close(NULL);
    free(raw);
    free(path);
}

/* ------------------------------------------------ deflated members (ISA-L) */

/* Hand-made fixture: 2,000 numbered lines, which libzip stores deflated. */
static char *numbered_lines(size_t *len)
{
    size_t cap = 40000, n = 0;
    char *s = xmalloc(cap);
    for (int i = 0; i < 2000; i++)
        n += (size_t)snprintf(s + n, cap - n, "row %d,value %d\n", i, (i * 7919) % 1000);
    *len = n;
    return s;
}

/* Offsets of the local and central headers of the archive's one member. */
typedef struct {
    size_t local, central;
} headers;

static headers find_headers(const unsigned char *u, size_t len)
{
    return (headers){find_sig(u, len, "PK\x03\x04"), find_sig(u, len, "PK\x01\x02")};
}

static uint32_t get_le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Streams member name of z in reads of chunk bytes into *out (malloc'd);
 * returns the last read's result (0 at the end, -1 on a failure). */
static long stream_all(zipfile *z, const char *name, size_t max, size_t chunk, char **out,
                       size_t *outlen)
{
    zipfile_member *m;
    assert_int_equal(zipfile_member_open(z, name, max, &m), OS_OK);
    size_t cap = 1 << 16, n = 0;
    char *buf = xmalloc(cap);
    long r;
    for (;;) {
        if (cap - n < chunk)
            buf = xrealloc(buf, cap *= 2);
        r = zipfile_member_read(m, buf + n, chunk);
        if (r <= 0)
            break;
        n += (size_t)r;
    }
    zipfile_member_close(m);
    *out = buf;
    *outlen = n;
    return r;
}

static void test_deflated_reads(void **state)
{
    size_t len;
    char *text = numbered_lines(&len);
    tu_member mem[] = {{"data.csv", text, len}};
    char *path = tu_zip("deflated.zip", mem, 1);
    char *raw;
    size_t rawlen;
    assert_int_equal(read_file(path, 1 << 20, &raw, &rawlen), OS_OK);
    headers h = find_headers((unsigned char *)raw, rawlen);
    /* deflated (method 8), so the member takes the ISA-L path */
    assert_int_equal(((unsigned char *)raw)[h.central + 10], 8);
    assert_true(get_le32((unsigned char *)raw + h.central + 20) < len / 2);
    zipfile *z;
    assert_int_equal(zipfile_open_buffer(raw, rawlen, "deflated.zip", &z), OS_OK);
    /* every read size gives the same bytes, ending cleanly */
    const size_t chunks[] = {1, 7, 4096, 1 << 16};
    for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
        char *got;
        size_t n;
        assert_int_equal(stream_all(z, "data.csv", len, chunks[k], &got, &n), 0);
        assert_int_equal(n, len);
        assert_memory_equal(got, text, len);
        free(got);
    }
    /* (a cap met while inflating: test_size_cap_actual, deflated too) */
    zipfile_close(z);
    free(raw);
    free(path);
    free(text);
}

/* A change to the fixture's bytes (u, its headers h, its plain size len). */
typedef void (*patch_fn)(unsigned char *u, headers h, size_t len);

static void crc_off(unsigned char *u, headers h, size_t len)
{
    put_le32(u + h.local + 14, get_le32(u + h.local + 14) ^ 1);
    put_le32(u + h.central + 16, get_le32(u + h.central + 16) ^ 1);
}
static void size_more(unsigned char *u, headers h, size_t len)
{
    put_le32(u + h.local + 22, (uint32_t)len + 1);
    put_le32(u + h.central + 24, (uint32_t)len + 1);
}
static void size_less(unsigned char *u, headers h, size_t len)
{
    put_le32(u + h.local + 22, (uint32_t)len - 1);
    put_le32(u + h.central + 24, (uint32_t)len - 1);
}
static void cut_short(unsigned char *u, headers h, size_t len)
{
    uint32_t half = get_le32(u + h.central + 20) / 2;
    put_le32(u + h.local + 18, half);
    put_le32(u + h.central + 20, half);
}
static void bad_block(unsigned char *u, headers h, size_t len)
{
    /* the first byte of the deflate data: final block, type 3 (reserved) */
    size_t data = h.local + 30 + (u[h.local + 26] | u[h.local + 27] << 8) +
                  (u[h.local + 28] | u[h.local + 29] << 8);
    u[data] = 0xff;
}

static void test_deflated_damage(void **state)
{
    /* Hand-made: the fixture of test_deflated_reads with one field or byte
     * changed; each read fails naming archive and member, whatever the read
     * size, and the whole-member read fails the same way. */
    static const struct {
        const char *what;
        patch_fn patch;
        const char *message; /* after "damaged.zip: member 'data.csv': " */
    } cases[] = {
        {"CRC-32 off by one bit", crc_off,
         "read failed (CRC error: its data does not match its CRC-32)"},
        {"header says one byte more", size_more, "read failed (fewer bytes where its header says"},
        {"header says one byte less", size_less, "read failed (more bytes where its header says"},
        {"compressed data cut in half", cut_short,
         "read failed (its deflate data ends before its last block)"},
        {"a reserved block type", bad_block, "read failed (its deflate data is corrupt)"},
    };
    size_t len;
    char *text = numbered_lines(&len);
    tu_member mem[] = {{"data.csv", text, len}};
    char *path = tu_zip("damaged.zip", mem, 1);
    char *clean;
    size_t rawlen;
    assert_int_equal(read_file(path, 1 << 20, &clean, &rawlen), OS_OK);
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
        char *raw = xmalloc(rawlen);
        memcpy(raw, clean, rawlen);
        cases[c].patch((unsigned char *)raw, find_headers((unsigned char *)raw, rawlen), len);
        zipfile *z;
        assert_int_equal(zipfile_open_buffer(raw, rawlen, "damaged.zip", &z), OS_OK);
        char want[200];
        snprintf(want, sizeof want, "damaged.zip: member 'data.csv': %s", cases[c].message);
        const size_t chunks[] = {1, 7, 4096};
        for (size_t k = 0; k < sizeof chunks / sizeof *chunks; k++) {
            char *got;
            size_t n;
            long r = stream_all(z, "data.csv", 1 << 20, chunks[k], &got, &n);
            free(got);
            if (r != -1 || strncmp(os_last_error(), want, strlen(want)) != 0)
                fail_msg("%s, reads of %zu: result %ld, message '%s'", cases[c].what, chunks[k],
                         r, os_last_error());
        }
        char *all = (char *)1;
        assert_int_equal(zipfile_read_all(z, "data.csv", 1 << 20, &all, NULL), OS_EPARSE);
        assert_null(all);
        assert_non_null(strstr(os_last_error(), cases[c].message));
        zipfile_close(z);
        free(raw);
    }
    free(clean);
    free(path);
    free(text);
}

/* Compares every member of archive z (label what) read by zipfile (ISA-L for
 * deflated ones) with libzip's own read of the same bytes (zlib), and the
 * members that are zips themselves (an xlsx in a zip) one level down; adds
 * the members compared and the deflated ones to *n and *deflated. */
static void compare_members(const void *buf, size_t len, const char *what, int depth,
                            size_t *n, size_t *deflated)
{
    zipfile *z;
    assert_int_equal(zipfile_open_buffer(buf, len, what, &z), OS_OK);
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *src = zip_source_buffer_create(buf, len, 0, &err);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY, &err) : NULL;
    assert_non_null(za);
    zip_int64_t count = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < count; i++) {
        const char *name = zip_get_name(za, (zip_uint64_t)i, 0);
        zip_stat_t st;
        assert_int_equal(zip_stat_index(za, (zip_uint64_t)i, 0, &st), 0);
        if (name[0] == '\0' || name[strlen(name) - 1] == '/')
            continue; /* a folder */
        char *ours;
        size_t olen;
        if (zipfile_read_all(z, name, (size_t)256 << 20, &ours, &olen) != OS_OK)
            fail_msg("%s: %s: %s", what, name, os_last_error());
        char *theirs = xmalloc(st.size + 1);
        zip_file_t *f = zip_fopen_index(za, (zip_uint64_t)i, 0);
        assert_non_null(f);
        assert_int_equal(zip_fread(f, theirs, st.size), (zip_int64_t)st.size);
        zip_fclose(f);
        if (olen != st.size || memcmp(ours, theirs, olen) != 0)
            fail_msg("%s: %s: %zu bytes read, libzip reads %llu, or they differ", what, name,
                     olen, (unsigned long long)st.size);
        (*n)++;
        *deflated += st.comp_method == ZIP_CM_DEFLATE;
        size_t nl = strlen(name);
        if (depth == 0 && nl > 5 && strcmp(name + nl - 5, ".xlsx") == 0) {
            char *label = xasprintf("%s:%s", what, name);
            compare_members(ours, olen, label, 1, n, deflated);
            free(label);
        }
        free(theirs);
        free(ours);
    }
    zip_close(za);
    zip_error_fini(&err);
    zipfile_close(z);
}

static void test_real_mirror_members(void **state)
{
    /* Real data: every zip and xlsx of ../shared/mirror (listed in its
     * SHA256SUMS), every member read by zipfile and by libzip alone, the
     * same bytes, and the xlsx workbooks inside the OEWS zips too. */
    const char *mirror = getenv("OCCSNAP_TEST_MIRROR");
    if (!mirror || !*mirror)
        mirror = "../shared/mirror";
    char *sums = xasprintf("%s/SHA256SUMS", mirror);
    char *list;
    size_t llen;
    if (read_file(sums, 1 << 20, &list, &llen) != OS_OK) {
        const char *ci = getenv("CI");
        if (ci && strcmp(ci, "true") == 0)
            fail_msg("mirror list %s is missing (CI=true)", sums);
        free(sums);
        skip();
        return;
    }
    size_t archives = 0, n = 0, deflated = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        char *path = strstr(line, "  ");
        size_t pl = path ? strlen(path + 2) : 0;
        if (!path || pl < 5 || (strcmp(path + 2 + pl - 4, ".zip") != 0 &&
                                strcmp(path + 2 + pl - 5, ".xlsx") != 0))
            continue;
        char *full = xasprintf("%s/%s", mirror, path + 2);
        char *data;
        size_t dlen;
        assert_int_equal(read_file(full, (size_t)512 << 20, &data, &dlen), OS_OK);
        compare_members(data, dlen, full, 0, &n, &deflated);
        archives++;
        free(data);
        free(full);
    }
    /* the mirror's 14 archives (mirror README), nearly every member deflated */
    assert_true(archives >= 14);
    assert_true(deflated > 100 && deflated * 10 > n * 9);
    free(list);
    free(sums);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_member_found),
        cmocka_unit_test(test_member_missing),
        cmocka_unit_test(test_size_cap_declared),
        cmocka_unit_test(test_size_cap_actual),
        cmocka_unit_test(test_not_a_zip),
        cmocka_unit_test(test_open_buffer),
        cmocka_unit_test(test_deflated_reads),
        cmocka_unit_test(test_deflated_damage),
        cmocka_unit_test(test_real_mirror_members),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_tmpdir_teardown);
}
