/*
 * Opening files: whole files, ranges, empty files, paths given as bytes,
 * and every way opening can fail.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"

/* Maps `path` (mode, options) and compares its bytes with `want`. */
static void check_map_content(const char *path, mapview_mode mode,
                              const mapview_map_options *opts,
                              const unsigned char *want, size_t want_len)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, mode, opts,
                                   &map, &err),
                  err))
        return;
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
    CHECK(data != NULL);
    CHECK_EQU(len, want_len);
    if (data != NULL && len == want_len && want_len > 0)
        CHECK_MEM(data, want, want_len);
    CLOSE(map);
}

void test_open_read_only_whole_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "whole.bin");
    size_t n = 3 * mapview_page_size() + 1234;
    unsigned char *buf = malloc(n);
    th_fill(buf, n, 1);
    CHECK(th_write_file(path, buf, n));

    check_map_content(path, MAPVIEW_MODE_READ_ONLY, NULL, buf, n);

    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_error *err = NULL;
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQ(info.kind, MAPVIEW_KIND_READ_ONLY);
    CHECK(!info.writable);
    CHECK_EQU(info.len, n);
    CHECK_EQU(info.file_offset, 0);
    /* Two calls give the same bytes at the same address. */
    const uint8_t *a = NULL, *b = NULL;
    size_t la = 0, lb = 0;
    CHECK_OK(mapview_map_data(map, &a, &la, &err), err);
    CHECK_OK(mapview_map_data(map, &b, &lb, &err), err);
    CHECK(a == b);
    CHECK_EQU(la, lb);
    CLOSE(map);
    free(buf);
}

void test_open_ranges_at_unaligned_offsets(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "ranges.bin");
    size_t page = mapview_page_size();
    size_t n = 3 * page + 123;
    unsigned char *buf = malloc(n);
    th_fill(buf, n, 2);
    CHECK(th_write_file(path, buf, n));

    const struct {
        uint64_t offset, length; /* length MAPVIEW_TO_END: to the end */
    } ranges[] = {
        {0, 1},
        {1, 10},
        {7, MAPVIEW_TO_END},
        {page - 1, 2},
        {page, page},
        {page + 7, 2 * page},
        {2 * page + 5, MAPVIEW_TO_END},
        {n - 1, 1},
        {n - 1, MAPVIEW_TO_END},
        {n, 0},              /* empty range at the very end */
        {n, MAPVIEW_TO_END}, /* likewise */
        {17, 0},
    };
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
            mapview_map_options o = mapview_map_options_init();
            o.offset = ranges[i].offset;
            o.length = ranges[i].length;
            size_t want_len = ranges[i].length == MAPVIEW_TO_END
                                  ? n - (size_t)ranges[i].offset
                                  : (size_t)ranges[i].length;
            check_map_content(path, modes[m], &o, buf + ranges[i].offset, want_len);

            mapview_map map = {0};
            mapview_error *err = NULL;
            if (!CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m],
                                           &o, &map, &err),
                          err))
                continue;
            mapview_map_info info;
            CHECK_OK(mapview_map_info_get(map, &info, &err), err);
            CHECK_EQU(info.file_offset, ranges[i].offset);
            CHECK_EQU(info.len, want_len);
            CLOSE(map);
        }
    }
    /* The file itself is untouched by all of this. */
    size_t len = 0;
    unsigned char *back = th_read_file(path, &len);
    CHECK(back != NULL && len == n && memcmp(back, buf, n) == 0);
    free(back);
    free(buf);
}

void test_open_zero_length_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "empty.bin");
    CHECK(th_write_file(path, "", 0));
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        mapview_map map = {0};
        mapview_error *err = NULL;
        if (!CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m],
                                       NULL, &map, &err),
                      err))
            continue;
        const uint8_t *data = NULL;
        size_t len = 99;
        CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
        CHECK_EQU(len, 0);
        CHECK(data != NULL); /* non-NULL, never to be read */
        mapview_map_info info;
        CHECK_OK(mapview_map_info_get(map, &info, &err), err);
        CHECK_EQU(info.len, 0);
        mapview_populate_method method = -1;
        CHECK_OK(mapview_map_populate(map, &method, &err), err);
        CHECK_EQ(method, MAPVIEW_POPULATE_NOTHING);
        CHECK_OK(mapview_map_advise(map, MAPVIEW_ADVICE_RANDOM, 0, MAPVIEW_TO_END,
                                    &err),
                 err);
        CHECK_OK(mapview_map_lock(map, &err), err);
        CHECK_OK(mapview_map_unlock(map, &err), err);
        if (modes[m] == MAPVIEW_MODE_READ_WRITE)
            CHECK_OK(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err);
        CLOSE(map);
    }
    CHECK_EQ(th_file_size(path), 0);
}

void test_open_path_with_explicit_length(void)
{
    /* Two files: NAME and NAMExxxx, with different contents. */
    char short_path[TH_PATH_MAX], long_path[TH_PATH_MAX];
    th_path(short_path, "explicit");
    th_path(long_path, "explicitxxxx");
    CHECK(th_write_file(short_path, "short file", 10));
    CHECK(th_write_file(long_path, "the long file", 13));

    /* The path as bytes with no NUL anywhere, in a buffer of exactly that
     * size (so ASan/valgrind catch any read past it). */
    size_t short_len = strlen(short_path);
    size_t long_len = strlen(long_path);
    char *bytes = malloc(long_len);
    memcpy(bytes, long_path, long_len);

    mapview_map map = {0};
    mapview_error *err = NULL;
    const uint8_t *data = NULL;
    size_t len = 0;
    /* path_len = the prefix: maps NAME, not NAMExxxx. */
    if (CHECK_OK(mapview_map_open(bytes, short_len, MAPVIEW_MODE_READ_ONLY, NULL,
                                  &map, &err),
                 err)) {
        CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
        CHECK_EQU(len, 10);
        if (len == 10)
            CHECK_MEM(data, "short file", 10);
        CLOSE(map);
    }
    /* path_len = the whole buffer (still no NUL): maps NAMExxxx. */
    if (CHECK_OK(mapview_map_open(bytes, long_len, MAPVIEW_MODE_READ_ONLY, NULL,
                                  &map, &err),
                 err)) {
        CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
        CHECK_EQU(len, 13);
        if (len == 13)
            CHECK_MEM(data, "the long file", 13);
        CLOSE(map);
    }
    /* A prefix that names no file: the message shows exactly the prefix. */
    CHECK_ERR(mapview_map_open(bytes, long_len - 2, MAPVIEW_MODE_READ_ONLY, NULL,
                               &map, &err),
              err, MAPVIEW_ERR_NOT_FOUND, "explicitxx'");

    /* create / create_from_bytes / windows_open take paths the same way. */
    char new_path[TH_PATH_MAX];
    th_path(new_path, "explicit-newXYZ");
    size_t new_len = strlen(new_path);
    char *new_bytes = malloc(new_len);
    memcpy(new_bytes, new_path, new_len);
    if (CHECK_OK(mapview_map_create(new_bytes, new_len - 3, 5, NULL, &map, &err),
                 err))
        CLOSE(map);
    new_path[new_len - 3] = '\0';
    CHECK_EQ(th_file_size(new_path), 5);
    CHECK(unlink(new_path) == 0);
    if (CHECK_OK(mapview_map_create_from_bytes(new_bytes, new_len - 3,
                                               (const uint8_t *)"abc", 3, NULL,
                                               &map, &err),
                 err))
        CLOSE(map);
    CHECK_EQ(th_file_size(new_path), 3);

    mapview_windows w = {0};
    if (CHECK_OK(mapview_windows_open(bytes, short_len, 4, 0, &w, &err), err)) {
        uint64_t total = 0;
        CHECK_OK(mapview_windows_count(w, &total, &err), err);
        CHECK_EQU(total, 3); /* 10 bytes in windows of 4 */
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
    }
    free(new_bytes);
    free(bytes);
}

void test_open_path_with_embedded_nul(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "nul-inside");
    CHECK(th_write_file(path, "x", 1));
    /* "<path>\0zzz" with path_len covering the NUL and what follows. */
    size_t plen = strlen(path);
    size_t len = plen + 4;
    char *bytes = malloc(len);
    memcpy(bytes, path, plen);
    memcpy(bytes + plen, "\0zzz", 4);

    mapview_map map = {77};
    mapview_error *err = NULL;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        CHECK_ERR(mapview_map_open(bytes, len, modes[m], NULL, &map, &err), err,
                  MAPVIEW_ERR_INVALID_ARGUMENT, "NUL");
        CHECK_EQU(map.id, 0);
    }
    /* The message names the path (up to the NUL, shown escaped). */
    CHECK_ERR(mapview_map_open(bytes, len, MAPVIEW_MODE_READ_ONLY, NULL, &map,
                               &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, path);
    CHECK_ERR(mapview_map_create(bytes, len, 10, NULL, &map, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "NUL");
    CHECK_ERR(mapview_map_create_from_bytes(bytes, len, (const uint8_t *)"a", 1,
                                            NULL, &map, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "NUL");
    mapview_windows w = {77};
    CHECK_ERR(mapview_windows_open(bytes, len, 16, 0, &w, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "NUL");
    CHECK_EQU(w.id, 0);
    /* The existing file before the NUL was neither used nor changed. */
    CHECK_EQ(th_file_size(path), 1);
    /* Without err the code is the same. */
    CHECK_STATUS(mapview_map_open(bytes, len, MAPVIEW_MODE_READ_ONLY, NULL, &map,
                                  NULL),
                 MAPVIEW_ERR_INVALID_ARGUMENT);
    free(bytes);
}

void test_open_empty_path(void)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    CHECK_ERR(mapview_map_open("", MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                               NULL, &map, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "empty");
    CHECK_ERR(mapview_map_open("somefile", 0, MAPVIEW_MODE_READ_ONLY, NULL, &map,
                               &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "empty");
    CHECK_ERR(mapview_map_create("", MAPVIEW_NUL_TERMINATED, 1, NULL, &map, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "empty");
    mapview_windows w = {0};
    CHECK_ERR(mapview_windows_open("", MAPVIEW_NUL_TERMINATED, 1, 0, &w, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "empty");
}

void test_open_missing_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "does-not-exist.bin");
    mapview_map map = {42};
    mapview_error *err = NULL;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], NULL,
                                   &map, &err),
                  err, MAPVIEW_ERR_NOT_FOUND, path);
        CHECK_EQU(map.id, 0);
    }
    /* A missing directory on the way to a file to create. */
    char nested[TH_PATH_MAX];
    th_path(nested, "no-such-dir/new.bin");
    CHECK_ERR(mapview_map_create(nested, MAPVIEW_NUL_TERMINATED, 10, NULL, &map,
                                 &err),
              err, MAPVIEW_ERR_NOT_FOUND, nested);
    CHECK_ERR(mapview_map_create_from_bytes(nested, MAPVIEW_NUL_TERMINATED,
                                            (const uint8_t *)"x", 1, NULL, &map,
                                            &err),
              err, MAPVIEW_ERR_NOT_FOUND, nested);
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, NULL, &map, NULL),
                 MAPVIEW_ERR_NOT_FOUND);
    CHECK_EQ(th_file_size(path), -1); /* opening never creates */
}

void test_open_directory(void)
{
    const char *dir = th_scratch();
    mapview_map map = {0};
    mapview_error *err = NULL;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++)
        CHECK_ERR(mapview_map_open(dir, MAPVIEW_NUL_TERMINATED, modes[m], NULL,
                                   &map, &err),
                  err, MAPVIEW_ERR_INVALID_ARGUMENT, dir);
    mapview_windows w = {0};
    CHECK_ERR(mapview_windows_open(dir, MAPVIEW_NUL_TERMINATED, 16, 0, &w, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, dir);
    /* Creating over a directory: it exists, so it is never overwritten. */
    CHECK_ERR(mapview_map_create(dir, MAPVIEW_NUL_TERMINATED, 1, NULL, &map, &err),
              err, MAPVIEW_ERR_ALREADY_EXISTS, dir);
}

void test_open_unknown_mode(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "mode.bin");
    CHECK(th_write_file(path, "mode", 4));
    mapview_map map = {5};
    mapview_error *err = NULL;
    const mapview_mode bad[] = {3, -1, 100};
    for (size_t i = 0; i < 3; i++) {
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, bad[i], NULL, &map,
                                   &err),
                  err, MAPVIEW_ERR_INVALID_FLAGS, "mode");
        CHECK_EQU(map.id, 0);
    }
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, 3, NULL, &map,
                                  NULL),
                 MAPVIEW_ERR_INVALID_FLAGS);
}

void test_open_offset_past_end(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "past-end.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = {0};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        o.offset = 11;
        o.length = MAPVIEW_TO_END;
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], &o, &map,
                                   &err),
                  err, MAPVIEW_ERR_OUT_OF_RANGE, path);
        o.offset = 1000000;
        o.length = 1;
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], &o, &map,
                                   &err),
                  err, MAPVIEW_ERR_OUT_OF_RANGE, "offset 1000000");
    }
    o.offset = 11;
    o.length = MAPVIEW_TO_END;
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, &o, &map, NULL),
                 MAPVIEW_ERR_OUT_OF_RANGE);
}

void test_open_range_past_end(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "range-past-end.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = {0};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    o.offset = 0;
    o.length = 11;
    CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                               &o, &map, &err),
              err, MAPVIEW_ERR_OUT_OF_RANGE, "length 11");
    o.offset = 9;
    o.length = 2;
    CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE,
                               &o, &map, &err),
              err, MAPVIEW_ERR_OUT_OF_RANGE, path);
    /* The file is not grown by a failed read-write open. */
    CHECK_EQ(th_file_size(path), 10);
}

void test_open_offset_length_overflow(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "overflow.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = {0};
    mapview_error *err = NULL;
    mapview_map_options o = mapview_map_options_init();
    o.offset = UINT64_MAX - 5;
    o.length = 10;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++)
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], &o, &map,
                                   &err),
                  err, MAPVIEW_ERR_OVERFLOW, "overflow");
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, &o, &map, NULL),
                 MAPVIEW_ERR_OVERFLOW);
}

void test_info_for_each_kind(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "info.bin");
    CHECK(th_write_file(path, "0123456789abcdef", 16));
    mapview_error *err = NULL;
    struct {
        mapview_map map;
        mapview_kind kind;
        bool writable;
        size_t len;
        uint64_t offset;
    } cases[6];
    memset(cases, 0, sizeof cases);

    cases[0].map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    cases[0].kind = MAPVIEW_KIND_READ_ONLY;
    cases[0].len = 16;
    cases[1].map = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    cases[1].kind = MAPVIEW_KIND_SHARED;
    cases[1].writable = true;
    cases[1].len = 16;
    cases[2].map = OPEN(path, MAPVIEW_MODE_PRIVATE);
    cases[2].kind = MAPVIEW_KIND_PRIVATE;
    cases[2].writable = true;
    cases[2].len = 16;
    CHECK_OK(mapview_map_anonymous(100, false, NULL, &cases[3].map, &err), err);
    cases[3].kind = MAPVIEW_KIND_ANONYMOUS_PRIVATE;
    cases[3].writable = true;
    cases[3].len = 100;
    CHECK_OK(mapview_map_anonymous(200, true, NULL, &cases[4].map, &err), err);
    cases[4].kind = MAPVIEW_KIND_ANONYMOUS_SHARED;
    cases[4].writable = true;
    cases[4].len = 200;
    mapview_map_options o = mapview_map_options_init();
    o.offset = 3;
    o.length = 5;
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                              &o, &cases[5].map, &err),
             err);
    cases[5].kind = MAPVIEW_KIND_READ_ONLY;
    cases[5].len = 5;
    cases[5].offset = 3;

    for (size_t i = 0; i < 6; i++) {
        mapview_map_info info;
        memset(&info, 0xAB, sizeof info);
        if (CHECK_OK(mapview_map_info_get(cases[i].map, &info, &err), err)) {
            CHECK_EQ(info.kind, cases[i].kind);
            CHECK_EQ(info.writable, cases[i].writable);
            CHECK_EQU(info.len, cases[i].len);
            CHECK_EQU(info.file_offset, cases[i].offset);
        }
        CLOSE(cases[i].map);
    }
}
