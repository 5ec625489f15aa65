/*
 * Writable maps: shared read-write maps and flush, private copy-on-write
 * maps, creating files, resizing, anonymous maps shared across fork.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

/* Reads `path` with plain read(2) and compares it with want[0..len). */
static void check_file_is(const char *path, const unsigned char *want, size_t len)
{
    size_t got_len = 0;
    unsigned char *got = th_read_file(path, &got_len);
    CHECK(got != NULL);
    if (got != NULL) {
        CHECK_EQU(got_len, len);
        if (got_len == len && len > 0)
            CHECK_MEM(got, want, len);
    }
    free(got);
}

/* Reads `len` bytes at `offset` of `path` with stdio (a separate, buffered
 * path to the file) into out. */
static bool fread_at(const char *path, long offset, unsigned char *out, size_t len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return false;
    bool ok = fseek(f, offset, SEEK_SET) == 0 && fread(out, 1, len, f) == len;
    fclose(f);
    return ok;
}

static bool data_mut(mapview_map map, uint8_t **data, size_t *len)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_map_data_mut(map, data, len, &err), err);
}

void test_read_write_map_writes_reach_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "rw.bin");
    size_t n = 2 * mapview_page_size() + 77;
    unsigned char *buf = malloc(n);
    th_fill(buf, n, 3);
    CHECK(th_write_file(path, buf, n));

    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    mapview_error *err = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    if (data_mut(map, &data, &len) && len == n) {
        CHECK_MEM(data, buf, n); /* starts as the file */
        const uint8_t *ro = NULL;
        size_t ro_len = 0;
        CHECK_OK(mapview_map_data(map, &ro, &ro_len, &err), err);
        CHECK(ro == data); /* the same bytes either way */
        CHECK_EQU(ro_len, n);

        memcpy(data, "HEAD", 4);
        memcpy(data + n - 4, "TAIL", 4);
        data[mapview_page_size()] = 0x5A;
        memcpy(buf, "HEAD", 4);
        memcpy(buf + n - 4, "TAIL", 4);
        buf[mapview_page_size()] = 0x5A;
        CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
        check_file_is(path, buf, n);
    } else {
        CHECK(len == n);
    }
    CLOSE(map);
    /* After close the file keeps the writes. */
    check_file_is(path, buf, n);
    free(buf);
}

void test_flush_sync_async_and_ranged(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "flush.bin");
    size_t page = mapview_page_size();
    size_t n = 3 * page + 10;
    unsigned char *buf = calloc(n, 1);
    CHECK(th_write_file(path, buf, n));
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    mapview_error *err = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    unsigned char got[16];
    if (!data_mut(map, &data, &len) || len != n) {
        CHECK(len == n);
        CLOSE(map);
        free(buf);
        return;
    }
    /* Synchronous flush of the whole map. */
    memcpy(data + 5, "sync-whole", 10);
    memcpy(buf + 5, "sync-whole", 10);
    CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
    check_file_is(path, buf, n);
    CHECK(fread_at(path, 5, got, 10) && memcmp(got, "sync-whole", 10) == 0);

    /* Asynchronous flush of the whole map. */
    memcpy(data + page + 1, "async-whole", 11);
    memcpy(buf + page + 1, "async-whole", 11);
    CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, MAPVIEW_FLUSH_ASYNC, &err),
             err);
    check_file_is(path, buf, n);
    CHECK(fread_at(path, (long)page + 1, got, 11) &&
          memcmp(got, "async-whole", 11) == 0);

    /* Ranged flushes at unaligned offsets, sync and async. */
    memcpy(data + 2 * page + 3, "ranged-sync", 11);
    memcpy(buf + 2 * page + 3, "ranged-sync", 11);
    CHECK_OK(mapview_map_flush(map, 2 * page + 3, 11, 0, &err), err);
    CHECK(fread_at(path, (long)(2 * page + 3), got, 11) &&
          memcmp(got, "ranged-sync", 11) == 0);
    memcpy(data + n - 9, "ranged-as", 9);
    memcpy(buf + n - 9, "ranged-as", 9);
    CHECK_OK(mapview_map_flush(map, n - 9, 9, MAPVIEW_FLUSH_ASYNC, &err), err);
    CHECK(fread_at(path, (long)(n - 9), got, 9) && memcmp(got, "ranged-as", 9) == 0);
    /* From an offset to the end, and an empty range at the end. */
    CHECK_OK(mapview_map_flush(map, page + 17, MAPVIEW_TO_END, 0, &err), err);
    CHECK_OK(mapview_map_flush(map, n, 0, 0, &err), err);
    check_file_is(path, buf, n);
    CLOSE(map);
    check_file_is(path, buf, n);
    free(buf);
}

void test_flush_range_errors(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "flush-errors.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    mapview_error *err = NULL;
    CHECK_ERR(mapview_map_flush(map, 11, MAPVIEW_TO_END, 0, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, path);
    CHECK_ERR(mapview_map_flush(map, 5, 6, 0, &err), err, MAPVIEW_ERR_OUT_OF_RANGE,
              "offset 5, length 6");
    CHECK_ERR(mapview_map_flush(map, 100, 1, MAPVIEW_FLUSH_ASYNC, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "offset 100");
    CHECK_ERR(mapview_map_flush(map, UINT64_MAX - 5, 10, 0, &err), err,
              MAPVIEW_ERR_OVERFLOW, "overflow");
    CHECK_ERR(mapview_map_flush(map, 0, MAPVIEW_TO_END, 2, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "flush flags");
    CHECK_ERR(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0x80000000u, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "0x80000000");
    CHECK_STATUS(mapview_map_flush(map, 11, 0, 0, NULL), MAPVIEW_ERR_OUT_OF_RANGE);
    CHECK_STATUS(mapview_map_flush(map, UINT64_MAX - 5, 10, 0, NULL),
                 MAPVIEW_ERR_OVERFLOW);
    CLOSE(map);

    /* Anonymous maps: flushing succeeds and writes nothing. */
    mapview_map anon = {0};
    CHECK_OK(mapview_map_anonymous(4096, false, NULL, &anon, &err), err);
    CHECK_OK(mapview_map_flush(anon, 0, MAPVIEW_TO_END, 0, &err), err);
    CHECK_OK(mapview_map_flush(anon, 10, 20, MAPVIEW_FLUSH_ASYNC, &err), err);
    CHECK_ERR(mapview_map_flush(anon, 4097, 0, 0, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "4097");
    CLOSE(anon);
    CHECK_OK(mapview_map_anonymous(4096, true, NULL, &anon, &err), err);
    CHECK_OK(mapview_map_flush(anon, 0, MAPVIEW_TO_END, 0, &err), err);
    CLOSE(anon);
}

void test_private_map_writes_stay_private(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "private.bin");
    size_t n = mapview_page_size() + 100;
    unsigned char *buf = malloc(n);
    th_fill(buf, n, 4);
    CHECK(th_write_file(path, buf, n));

    mapview_map priv = OPEN(path, MAPVIEW_MODE_PRIVATE);
    mapview_map ro = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_error *err = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    if (data_mut(priv, &data, &len) && len == n) {
        CHECK_MEM(data, buf, n);
        memset(data, 'P', n);
        CHECK(data[n - 1] == 'P');
    }
    /* Neither the file nor another map of it sees the writes. */
    check_file_is(path, buf, n);
    const uint8_t *other = NULL;
    size_t other_len = 0;
    CHECK_OK(mapview_map_data(ro, &other, &other_len, &err), err);
    if (other_len == n)
        CHECK_MEM(other, buf, n);
    /* Flushing a private map is refused, in every form. */
    CHECK_ERR(mapview_map_flush(priv, 0, MAPVIEW_TO_END, 0, &err), err,
              MAPVIEW_ERR_UNSUPPORTED, path);
    CHECK_ERR(mapview_map_flush(priv, 0, MAPVIEW_TO_END, MAPVIEW_FLUSH_ASYNC, &err),
              err, MAPVIEW_ERR_UNSUPPORTED, "private");
    CHECK_ERR(mapview_map_flush(priv, 10, 10, 0, &err), err,
              MAPVIEW_ERR_UNSUPPORTED, path);
    CHECK_STATUS(mapview_map_flush(priv, 0, MAPVIEW_TO_END, 0, NULL),
                 MAPVIEW_ERR_UNSUPPORTED);
    CLOSE(priv);
    CLOSE(ro);
    check_file_is(path, buf, n);
    free(buf);
}

void test_data_mut_on_read_only_map(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "ro-data-mut.bin");
    CHECK(th_write_file(path, "read only", 9));
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_error *err = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    CHECK_ERR(mapview_map_data_mut(map, &data, &len, &err), err,
              MAPVIEW_ERR_READ_ONLY, path);
    CHECK(data == NULL); /* nothing handed out */
    CHECK_STATUS(mapview_map_data_mut(map, &data, &len, NULL),
                 MAPVIEW_ERR_READ_ONLY);
    CHECK(data == NULL);
    /* Reading is still fine. */
    const uint8_t *ro = NULL;
    CHECK_OK(mapview_map_data(map, &ro, &len, &err), err);
    CHECK_EQU(len, 9);
    CLOSE(map);
}

void test_read_only_map_refuses_resize_and_flush(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "ro-resize.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_error *err = NULL;
    CHECK_ERR(mapview_map_resize(map, 20, &err), err, MAPVIEW_ERR_READ_ONLY,
              "read-only");
    CHECK_ERR(mapview_map_resize(map, 5, &err), err, MAPVIEW_ERR_READ_ONLY,
              "read-only");
    CHECK_ERR(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err,
              MAPVIEW_ERR_READ_ONLY, "read-only");
    CHECK_ERR(mapview_map_flush(map, 0, 5, MAPVIEW_FLUSH_ASYNC, &err), err,
              MAPVIEW_ERR_READ_ONLY, "read-only");
    CHECK_STATUS(mapview_map_resize(map, 20, NULL), MAPVIEW_ERR_READ_ONLY);
    CHECK_STATUS(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, NULL),
                 MAPVIEW_ERR_READ_ONLY);
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQU(info.len, 10);
    CLOSE(map);
    CHECK_EQ(th_file_size(path), 10);
}

void test_create_new_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "created.bin");
    size_t n = 10000;
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, n, NULL, &map,
                                     &err),
                  err))
        return;
    CHECK_EQ(th_file_size(path), (long long)n);
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQ(info.kind, MAPVIEW_KIND_SHARED);
    CHECK(info.writable);
    CHECK_EQU(info.len, n);
    uint8_t *data = NULL;
    size_t len = 0;
    unsigned char *want = calloc(n, 1);
    if (data_mut(map, &data, &len) && len == n) {
        CHECK_MEM(data, want, n); /* zero-filled */
        th_fill(data, n, 5);
        th_fill(want, n, 5);
        CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
    }
    CLOSE(map);
    check_file_is(path, want, n);
    free(want);

    /* A file of size 0. */
    char empty[TH_PATH_MAX];
    th_path(empty, "created-empty.bin");
    if (CHECK_OK(mapview_map_create(empty, MAPVIEW_NUL_TERMINATED, 0, NULL, &map,
                                    &err),
                 err)) {
        CHECK_OK(mapview_map_info_get(map, &info, &err), err);
        CHECK_EQU(info.len, 0);
        CLOSE(map);
    }
    CHECK_EQ(th_file_size(empty), 0);

    /* With options that are allowed on create. */
    char opt_path[TH_PATH_MAX];
    th_path(opt_path, "created-options.bin");
    mapview_map_options o = mapview_map_options_init();
    o.flags = MAPVIEW_MAP_POPULATE;
    o.advice = MAPVIEW_ADVICE_SEQUENTIAL;
    if (CHECK_OK(mapview_map_create(opt_path, MAPVIEW_NUL_TERMINATED, 8192, &o,
                                    &map, &err),
                 err))
        CLOSE(map);
    CHECK_EQ(th_file_size(opt_path), 8192);
}

void test_create_from_bytes(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "from-bytes.bin");
    size_t n = 5000;
    unsigned char *src = malloc(n);
    unsigned char *want = malloc(n);
    th_fill(src, n, 6);
    memcpy(want, src, n);
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (CHECK_OK(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED, src, n,
                                               NULL, &map, &err),
                 err)) {
        memset(src, 0, n); /* the bytes were copied, not kept */
        const uint8_t *data = NULL;
        size_t len = 0;
        CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
        CHECK_EQU(len, n);
        if (len == n)
            CHECK_MEM(data, want, n);
        mapview_map_info info;
        CHECK_OK(mapview_map_info_get(map, &info, &err), err);
        CHECK_EQ(info.kind, MAPVIEW_KIND_SHARED);
        /* Writable, and writes reach the file. */
        uint8_t *w = NULL;
        if (data_mut(map, &w, &len) && len == n) {
            w[0] = 'W';
            want[0] = 'W';
            CHECK_OK(mapview_map_flush(map, 0, 1, 0, &err), err);
        }
        CLOSE(map);
    }
    check_file_is(path, want, n);

    /* NULL bytes are allowed with length 0: an empty file. */
    char empty[TH_PATH_MAX];
    th_path(empty, "from-bytes-empty.bin");
    if (CHECK_OK(mapview_map_create_from_bytes(empty, MAPVIEW_NUL_TERMINATED, NULL,
                                               0, NULL, &map, &err),
                 err))
        CLOSE(map);
    CHECK_EQ(th_file_size(empty), 0);
    free(src);
    free(want);
}

void test_create_over_existing_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "precious.bin");
    CHECK(th_write_file(path, "precious data", 13));
    mapview_map map = {9};
    mapview_error *err = NULL;
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 100, NULL, &map,
                                 &err),
              err, MAPVIEW_ERR_ALREADY_EXISTS, path);
    CHECK_EQU(map.id, 0);
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 0, NULL, &map, &err),
              err, MAPVIEW_ERR_ALREADY_EXISTS, path);
    CHECK_ERR(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED,
                                            (const uint8_t *)"overwrite!", 10, NULL,
                                            &map, &err),
              err, MAPVIEW_ERR_ALREADY_EXISTS, path);
    CHECK_STATUS(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 1, NULL, &map,
                                    NULL),
                 MAPVIEW_ERR_ALREADY_EXISTS);
    /* The existing content is unchanged. */
    check_file_is(path, (const unsigned char *)"precious data", 13);
}

void test_create_failure_leaves_no_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "never-made.bin");
    mapview_map map = {0};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    /* Fails after the file was made (explicit huge pages on a regular file). */
    o.huge_pages = MAPVIEW_HUGE_PAGES_EXPLICIT;
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 4096, &o, &map,
                                 &err),
              err, MAPVIEW_ERR_UNSUPPORTED, path);
    CHECK_EQ(th_file_size(path), -1);
    CHECK_ERR(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED,
                                            (const uint8_t *)"abc", 3, &o, &map,
                                            &err),
              err, MAPVIEW_ERR_UNSUPPORTED, "huge");
    CHECK_EQ(th_file_size(path), -1);
    /* Fails while sizing the new file (too big for any file system). */
    mapview_status st = mapview_map_create(path, MAPVIEW_NUL_TERMINATED, UINT64_MAX,
                                           NULL, &map, &err);
    CHECK(st != MAPVIEW_OK);
    CHECK_EQ(mapview_error_code(err), st);
    CHECK(strstr(mapview_error_message(err), path) != NULL);
    mapview_error_free(err);
    err = NULL;
    CHECK_EQ(th_file_size(path), -1);
    /* Fails before (bad flags). */
    o = mapview_map_options_init();
    o.flags = 0x100;
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 4096, &o, &map,
                                 &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "0x100");
    CHECK_EQ(th_file_size(path), -1);
}

void test_create_with_range_options(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "create-range.bin");
    mapview_map map = {0};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    o.offset = 4096;
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 8192, &o, &map,
                                 &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "range");
    o = mapview_map_options_init();
    o.length = 10;
    CHECK_ERR(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 8192, &o, &map,
                                 &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "range");
    CHECK_ERR(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED,
                                            (const uint8_t *)"abc", 3, &o, &map,
                                            &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "range");
    CHECK_STATUS(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 8192, &o, &map,
                                    NULL),
                 MAPVIEW_ERR_INVALID_FLAGS);
    CHECK_EQ(th_file_size(path), -1);
}

void test_resize_grow_and_shrink(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "resize.bin");
    size_t page = mapview_page_size();
    unsigned char head[100];
    th_fill(head, sizeof head, 7);
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED, head,
                                                sizeof head, NULL, &map, &err),
                  err))
        return;
    uint8_t *data = NULL;
    size_t len = 0;

    /* Grow: the file follows, the content is kept, the tail is zero. */
    size_t big = 3 * page + 5;
    CHECK_OK(mapview_map_resize(map, big, &err), err);
    CHECK_EQ(th_file_size(path), (long long)big);
    if (data_mut(map, &data, &len) && len == big) {
        CHECK_MEM(data, head, sizeof head);
        bool zero = true;
        for (size_t i = sizeof head; i < big; i++)
            zero = zero && data[i] == 0;
        CHECK(zero);
        memcpy(data + big - 3, "END", 3);
        CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
        unsigned char end[3];
        CHECK(fread_at(path, (long)(big - 3), end, 3) && memcmp(end, "END", 3) == 0);
    }
    CHECK_EQU(len, big);
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQU(info.len, big);

    /* Same length: nothing changes. */
    CHECK_OK(mapview_map_resize(map, big, &err), err);
    CHECK_EQ(th_file_size(path), (long long)big);

    /* Shrink: the file is cut, the head is kept. */
    CHECK_OK(mapview_map_resize(map, 50, &err), err);
    CHECK_EQ(th_file_size(path), 50);
    if (data_mut(map, &data, &len) && len == 50)
        CHECK_MEM(data, head, 50);
    CHECK_EQU(len, 50);
    check_file_is(path, head, 50);

    /* Down to nothing and back up. */
    CHECK_OK(mapview_map_resize(map, 0, &err), err);
    CHECK_EQ(th_file_size(path), 0);
    const uint8_t *ro = NULL;
    CHECK_OK(mapview_map_data(map, &ro, &len, &err), err);
    CHECK_EQU(len, 0);
    CHECK(ro != NULL);
    CHECK_OK(mapview_map_resize(map, 10, &err), err);
    CHECK_EQ(th_file_size(path), 10);
    if (data_mut(map, &data, &len) && len == 10) {
        static const unsigned char zeros[10];
        CHECK_MEM(data, zeros, 10);
        memcpy(data, "0123456789", 10);
        CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
    }
    CLOSE(map);
    check_file_is(path, (const unsigned char *)"0123456789", 10);

    /* A map opened (not created) read-write resizes its file too. */
    map = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    CHECK_OK(mapview_map_resize(map, 2 * page, &err), err);
    CHECK_EQ(th_file_size(path), (long long)(2 * page));
    if (data_mut(map, &data, &len) && len == 2 * page)
        CHECK_MEM(data, "0123456789", 10);
    CHECK_OK(mapview_map_resize(map, 4, &err), err);
    CLOSE(map);
    check_file_is(path, (const unsigned char *)"0123", 4);
}

void test_resize_refused_for_private_and_range(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "resize-refused.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_error *err = NULL;
    mapview_map priv = OPEN(path, MAPVIEW_MODE_PRIVATE);
    CHECK_ERR(mapview_map_resize(priv, 20, &err), err, MAPVIEW_ERR_INVALID_FLAGS,
              "private");
    CHECK_ERR(mapview_map_resize(priv, 5, &err), err, MAPVIEW_ERR_INVALID_FLAGS,
              path);
    CHECK_STATUS(mapview_map_resize(priv, 5, NULL), MAPVIEW_ERR_INVALID_FLAGS);
    CLOSE(priv);

    mapview_map_options o = mapview_map_options_init();
    o.offset = 2;
    o.length = 4;
    mapview_map range = {0};
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE,
                              &o, &range, &err),
             err);
    CHECK_ERR(mapview_map_resize(range, 8, &err), err, MAPVIEW_ERR_INVALID_FLAGS,
              "whole file");
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(range, &info, &err), err);
    CHECK_EQU(info.len, 4);
    CLOSE(range);
    /* A whole-file map made with an explicit full-length range is a range
     * map too only if it does not cover the whole file; offset 2 to the end
     * does not. */
    o.offset = 2;
    o.length = MAPVIEW_TO_END;
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE,
                              &o, &range, &err),
             err);
    CHECK_ERR(mapview_map_resize(range, 3, &err), err, MAPVIEW_ERR_INVALID_FLAGS,
              path);
    CLOSE(range);
    check_file_is(path, (const unsigned char *)"0123456789", 10);
}

void test_resize_anonymous(void)
{
    const bool shared[] = {false, true};
    size_t page = mapview_page_size();
    for (size_t s = 0; s < 2; s++) {
        mapview_map map = {0};
        mapview_error *err = NULL;
        if (!CHECK_OK(mapview_map_anonymous(100, shared[s], NULL, &map, &err), err))
            continue;
        uint8_t *data = NULL;
        size_t len = 0;
        if (data_mut(map, &data, &len) && len == 100)
            memcpy(data, "anonymous!", 10);
        CHECK_OK(mapview_map_resize(map, 5 * page, &err), err);
        if (data_mut(map, &data, &len) && len == 5 * page) {
            CHECK_MEM(data, "anonymous!", 10);
            CHECK(data[5 * page - 1] == 0);
            data[5 * page - 1] = 1;
        }
        CHECK_EQU(len, 5 * page);
        CHECK_OK(mapview_map_resize(map, 4, &err), err);
        if (data_mut(map, &data, &len) && len == 4)
            CHECK_MEM(data, "anon", 4);
        CHECK_EQU(len, 4);
        CHECK_OK(mapview_map_resize(map, 0, &err), err);
        CHECK_OK(mapview_map_resize(map, 8, &err), err);
        if (data_mut(map, &data, &len) && len == 8) {
            static const unsigned char zeros[8];
            CHECK_MEM(data, zeros, 8);
        }
        mapview_map_info info;
        CHECK_OK(mapview_map_info_get(map, &info, &err), err);
        CHECK_EQ(info.kind, shared[s] ? MAPVIEW_KIND_ANONYMOUS_SHARED
                                      : MAPVIEW_KIND_ANONYMOUS_PRIVATE);
        CHECK_EQU(info.len, 8);
        CLOSE(map);
    }
}

/* Forks a child that runs `child(data)` and exits with its result (0 = ok);
 * returns the child's exit status, or -1. The child closes its copy of the
 * map handle before it exits (its own registry; the parent's map stays). */
static int run_child(mapview_map map, uint8_t *data, int (*child)(uint8_t *))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int rc = child(data);
        if (mapview_map_close(map) != MAPVIEW_OK)
            rc = 4;
        _exit(rc);
    }
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int child_sees_parent_and_writes(uint8_t *data)
{
    int rc = memcmp(data, "from parent", 11) == 0 ? 0 : 3;
    memcpy(data + 100, "from child", 10);
    return rc;
}

void test_anonymous_private_and_fork(void)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_anonymous(4096, false, NULL, &map, &err), err))
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    if (data_mut(map, &data, &len) && len == 4096) {
        static const unsigned char zeros[4096];
        CHECK_MEM(data, zeros, 4096); /* zero-filled */
        memcpy(data, "from parent", 11);
        /* The child gets a copy: it sees the parent's bytes, but its own
         * write stays in the child. */
        CHECK_EQ(run_child(map, data, child_sees_parent_and_writes), 0);
        CHECK_MEM(data + 100, zeros, 10);
        CHECK_MEM(data, "from parent", 11);
    }
    CHECK_EQU(len, 4096);
    CLOSE(map);
}

void test_anonymous_shared_and_fork(void)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_anonymous(3 * 4096, true, NULL, &map, &err), err))
        return;
    uint8_t *data = NULL;
    size_t len = 0;
    if (data_mut(map, &data, &len) && len == 3 * 4096) {
        static const unsigned char zeros[3 * 4096];
        CHECK_MEM(data, zeros, 3 * 4096);
        memcpy(data, "from parent", 11);
        /* Shared: the parent sees what the child wrote, after waitpid. */
        CHECK_EQ(run_child(map, data, child_sees_parent_and_writes), 0);
        CHECK_MEM(data + 100, "from child", 10);
    }
    CHECK_EQU(len, 3 * 4096);
    /* Still shared after a resize (memfd-backed). */
    CHECK_OK(mapview_map_resize(map, 5 * 4096, &err), err);
    if (data_mut(map, &data, &len) && len == 5 * 4096) {
        CHECK_MEM(data + 100, "from child", 10);
        CHECK_EQ(run_child(map, data, child_sees_parent_and_writes), 0);
    }
    CLOSE(map);
}

void test_anonymous_with_range_options(void)
{
    mapview_map map = {3};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    o.offset = 4096;
    CHECK_ERR(mapview_map_anonymous(8192, false, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "range");
    CHECK_EQU(map.id, 0);
    CHECK_ERR(mapview_map_anonymous(8192, true, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "range");
    o = mapview_map_options_init();
    o.length = 100;
    CHECK_ERR(mapview_map_anonymous(8192, false, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "range");
    CHECK_ERR(mapview_map_anonymous(8192, true, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "range");
    CHECK_STATUS(mapview_map_anonymous(8192, true, &o, &map, NULL),
                 MAPVIEW_ERR_INVALID_FLAGS);
}

void test_anonymous_zero_length(void)
{
    const bool shared[] = {false, true};
    for (size_t s = 0; s < 2; s++) {
        mapview_map map = {0};
        mapview_error *err = NULL;
        if (!CHECK_OK(mapview_map_anonymous(0, shared[s], NULL, &map, &err), err))
            continue;
        uint8_t *data = NULL;
        size_t len = 1;
        CHECK_OK(mapview_map_data_mut(map, &data, &len, &err), err);
        CHECK_EQU(len, 0);
        CHECK(data != NULL);
        mapview_populate_method method = -1;
        CHECK_OK(mapview_map_populate(map, &method, &err), err);
        CHECK_EQ(method, MAPVIEW_POPULATE_NOTHING);
        CHECK_OK(mapview_map_resize(map, 16, &err), err);
        if (CHECK_OK(mapview_map_data_mut(map, &data, &len, &err), err) && len == 16) {
            static const unsigned char zeros[16];
            CHECK_MEM(data, zeros, 16);
        }
        CLOSE(map);
    }
}

void test_ranged_map_flush_advise_lock(void)
{
    /* A read-write map of a range at an unaligned offset: flush, advise,
     * populate and lock work on its (unaligned) start, and writes land at
     * the right place in the file. */
    char path[TH_PATH_MAX];
    th_path(path, "ranged-rw.bin");
    size_t page = mapview_page_size();
    size_t n = 4 * page;
    unsigned char *buf = malloc(n);
    th_fill(buf, n, 8);
    CHECK(th_write_file(path, buf, n));
    mapview_map_options o = mapview_map_options_init();
    o.offset = page + 5;
    o.length = 2 * page;
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                   MAPVIEW_MODE_READ_WRITE, &o, &map, &err),
                  err)) {
        free(buf);
        return;
    }
    uint8_t *data = NULL;
    size_t len = 0;
    if (data_mut(map, &data, &len) && len == 2 * page) {
        CHECK_MEM(data, buf + page + 5, len);
        memcpy(data + 3, "ranged", 6);
        memcpy(buf + page + 5 + 3, "ranged", 6);
        memcpy(data + len - 2, "!!", 2);
        memcpy(buf + page + 5 + len - 2, "!!", 2);
        CHECK_OK(mapview_map_flush(map, 3, 6, 0, &err), err);
        CHECK_OK(mapview_map_flush(map, len - 2, MAPVIEW_TO_END, MAPVIEW_FLUSH_ASYNC,
                                   &err),
                 err);
        CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
        check_file_is(path, buf, n);
    }
    CHECK_ERR(mapview_map_flush(map, 0, 2 * page + 1, 0, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, path);
    CHECK_OK(mapview_map_advise(map, MAPVIEW_ADVICE_DONT_NEED, 1, page, &err), err);
    CHECK_OK(mapview_map_advise(map, MAPVIEW_ADVICE_WILL_NEED, 0, MAPVIEW_TO_END,
                                &err),
             err);
    CHECK_OK(mapview_map_populate(map, NULL, &err), err);
    CHECK_OK(mapview_map_lock(map, &err), err);
    CHECK_OK(mapview_map_unlock(map, &err), err);
    if (len == 2 * page) /* still the file's bytes after DONT_NEED */
        CHECK_MEM(data, buf + page + 5, len);
    CLOSE(map);
    check_file_is(path, buf, n);
    free(buf);
}

void test_resize_failure_leaves_map_unchanged(void)
{
    /* "On failure the map and file are unchanged." */
    char path[TH_PATH_MAX];
    th_path(path, "resize-fails.bin");
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED,
                                                (const uint8_t *)"hello", 5, NULL,
                                                &map, &err),
                  err))
        return;
    const size_t huge[] = {SIZE_MAX, (size_t)1 << 62};
    for (size_t i = 0; i < 2; i++) {
        mapview_status st = mapview_map_resize(map, huge[i], &err);
        CHECK(st != MAPVIEW_OK);
        CHECK(err != NULL);
        CHECK_EQ(mapview_error_code(err), st);
        CHECK(strstr(mapview_error_message(err), path) != NULL);
        mapview_error_free(err);
        err = NULL;
        CHECK_EQ(th_file_size(path), 5);
        const uint8_t *data = NULL;
        size_t len = 0;
        CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
        CHECK_EQU(len, 5);
        if (len == 5)
            CHECK_MEM(data, "hello", 5);
    }
    CLOSE(map);
    /* Anonymous maps too. */
    for (int shared = 0; shared < 2; shared++) {
        if (!CHECK_OK(mapview_map_anonymous(4096, shared, NULL, &map, &err), err))
            continue;
        uint8_t *data = NULL;
        size_t len = 0;
        if (data_mut(map, &data, &len) && len == 4096)
            memcpy(data, "anon", 4);
        mapview_status st = mapview_map_resize(map, SIZE_MAX, &err);
        CHECK(st != MAPVIEW_OK);
        CHECK_EQ(mapview_error_code(err), st);
        mapview_error_free(err);
        err = NULL;
        if (data_mut(map, &data, &len) && len == 4096)
            CHECK_MEM(data, "anon", 4);
        CHECK_EQU(len, 4096);
        CLOSE(map);
    }
}
