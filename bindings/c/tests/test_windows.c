/*
 * Window iterators: concatenation without overlap, patterns straddling a
 * boundary with overlap, empty files, counts, errors.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static unsigned char *make_file(char *path, const char *name, size_t n,
                                unsigned seed)
{
    th_path(path, name);
    unsigned char *buf = malloc(n ? n : 1);
    th_fill(buf, n, seed);
    CHECK(th_write_file(path, buf, n));
    return buf;
}

static bool open_windows(const char *path, uint64_t size, uint64_t overlap,
                         mapview_windows *w)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, size,
                                         overlap, w, &err),
                    err);
}

/* Walks every window of (path, size, overlap) and checks each one against
 * the file's bytes `buf` (n bytes): start, length, index, content. Returns
 * the number of windows; also checks mapview_windows_count agrees. */
static uint64_t walk(const char *path, const unsigned char *buf, size_t n,
                     uint64_t size, uint64_t overlap, unsigned char *concat)
{
    mapview_windows w = {0};
    if (!open_windows(path, size, overlap, &w))
        return 0;
    mapview_error *err = NULL;
    uint64_t total = 0;
    CHECK_OK(mapview_windows_count(w, &total, &err), err);
    uint64_t count = 0, expect_start = 0;
    size_t concat_len = 0;
    bool good = true;
    for (;;) {
        mapview_window win;
        bool has = false;
        if (!CHECK_OK(mapview_windows_next(w, &win, &has, &err), err))
            break;
        if (!has) {
            /* Exhausted: the window is zeroed. */
            CHECK(win.data == NULL);
            CHECK_EQU(win.len, 0);
            CHECK_EQU(win.file_offset, 0);
            CHECK_EQU(win.index, 0);
            break;
        }
        size_t want_len = (size_t)(n - expect_start < size ? n - expect_start : size);
        good = good && win.index == count && win.file_offset == expect_start &&
               win.len == want_len && win.data != NULL &&
               memcmp(win.data, buf + expect_start, want_len) == 0;
        if (!good) {
            th_fail(__FILE__, __LINE__,
                    "window %llu of (%zu, %llu, %llu): index %llu offset %llu len %zu",
                    (unsigned long long)count, n, (unsigned long long)size,
                    (unsigned long long)overlap, (unsigned long long)win.index,
                    (unsigned long long)win.file_offset, win.len);
            break;
        }
        /* The window stays valid across calls that are not next/close. */
        uint64_t again = 0;
        CHECK_OK(mapview_windows_count(w, &again, &err), err);
        CHECK_EQU(again, total);
        if (concat != NULL) {
            memcpy(concat + concat_len, win.data, win.len);
            concat_len += win.len;
        }
        count++;
        if (expect_start + win.len == n)
            expect_start = n; /* the last one */
        else
            expect_start += win.len - overlap;
    }
    /* Further calls keep saying "no more". */
    mapview_window win;
    bool has = true;
    CHECK_OK(mapview_windows_next(w, &win, &has, &err), err);
    CHECK(!has);
    CHECK_EQU(count, total);
    CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
    if (concat != NULL)
        CHECK_EQU(concat_len, n);
    return count;
}

void test_windows_without_overlap_concatenate(void)
{
    char path[TH_PATH_MAX];
    size_t page = mapview_page_size();
    size_t n = 10 * page + 123;
    unsigned char *buf = make_file(path, "windows.bin", n, 20);
    unsigned char *concat = malloc(n);
    const uint64_t sizes[] = {page, 3 * page + 1, 1000, n - 1, n, n + 1, 10 * n};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        memset(concat, 0, n);
        uint64_t count = walk(path, buf, n, sizes[i], 0, concat);
        CHECK_EQU(count, (n + sizes[i] - 1) / sizes[i]);
        CHECK_MEM(concat, buf, n);
    }
    /* Tiny windows over a small file. */
    char small[TH_PATH_MAX];
    unsigned char *sbuf = make_file(small, "windows-small.bin", 100, 21);
    memset(concat, 0, 100);
    CHECK_EQU(walk(small, sbuf, 100, 1, 0, concat), 100);
    CHECK_MEM(concat, sbuf, 100);
    memset(concat, 0, 100);
    CHECK_EQU(walk(small, sbuf, 100, 7, 0, concat), 15);
    CHECK_MEM(concat, sbuf, 100);
    free(sbuf);
    free(concat);
    free(buf);
}

/* Counts windows of (path, size, overlap) that contain `pat` whole. */
static int windows_with(const char *path, uint64_t size, uint64_t overlap,
                        const char *pat)
{
    mapview_windows w = {0};
    if (!open_windows(path, size, overlap, &w))
        return -1;
    mapview_error *err = NULL;
    size_t plen = strlen(pat);
    int hits = 0;
    for (;;) {
        mapview_window win;
        bool has = false;
        if (!CHECK_OK(mapview_windows_next(w, &win, &has, &err), err) || !has)
            break;
        for (size_t i = 0; i + plen <= win.len; i++) {
            if (memcmp(win.data + i, pat, plen) == 0) {
                hits++;
                break;
            }
        }
    }
    CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
    return hits;
}

void test_windows_overlap_finds_straddling_pattern(void)
{
    char path[TH_PATH_MAX];
    size_t page = mapview_page_size();
    size_t window = 2 * page;
    size_t n = 5 * window;
    th_path(path, "windows-needle.bin");
    unsigned char *buf = malloc(n);
    memset(buf, '.', n);
    /* NEEDLE straddles the end of the first window: 3 bytes on each side. */
    memcpy(buf + window - 3, "NEEDLE", 6);
    CHECK(th_write_file(path, buf, n));

    /* Without overlap no window holds it whole. */
    CHECK_EQ(windows_with(path, window, 0, "NEEDLE"), 0);
    /* With overlap strlen - 1 = 5 exactly one window does. */
    CHECK_EQ(windows_with(path, window, 5, "NEEDLE"), 1);
    /* Overlap shorter than needed still misses it. */
    CHECK_EQ(windows_with(path, window, 2, "NEEDLE"), 0);
    /* Every overlapping window is the file's bytes at its offset. */
    walk(path, buf, n, window, 5, NULL);
    walk(path, buf, n, window, window - 1, NULL);
    walk(path, buf, n, 3 * page + 17, page + 3, NULL);
    free(buf);
}

void test_windows_empty_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "windows-empty.bin");
    CHECK(th_write_file(path, "", 0));
    mapview_windows w = {0};
    if (!open_windows(path, 4096, 0, &w))
        return;
    mapview_error *err = NULL;
    uint64_t total = 99;
    CHECK_OK(mapview_windows_count(w, &total, &err), err);
    CHECK_EQU(total, 0);
    for (int i = 0; i < 3; i++) {
        mapview_window win;
        memset(&win, 0x5A, sizeof win);
        bool has = true;
        CHECK_OK(mapview_windows_next(w, &win, &has, &err), err);
        CHECK(!has);
        CHECK(win.data == NULL);
        CHECK_EQU(win.len, 0);
        CHECK_EQU(win.file_offset, 0);
        CHECK_EQU(win.index, 0);
    }
    CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
}

void test_windows_count_matches_iteration(void)
{
    char path[TH_PATH_MAX];
    const size_t n = 1000;
    unsigned char *buf = make_file(path, "windows-count.bin", n, 22);
    const struct {
        uint64_t size, overlap;
    } cases[] = {{1, 0},    {2, 1},     {10, 9},   {100, 0},  {100, 99}, {333, 1},
                 {999, 0},  {999, 998}, {1000, 0}, {1000, 5}, {1001, 0}, {1001, 1000},
                 {64, 32},  {250, 0},   {251, 1},  {7, 3}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t count = walk(path, buf, n, cases[i].size, cases[i].overlap, NULL);
        /* Independent formula: 1 window if it fits, else 1 + ceil((n - size) / step). */
        uint64_t want = n <= cases[i].size
                            ? 1
                            : 1 + (n - cases[i].size + (cases[i].size - cases[i].overlap) - 1) /
                                      (cases[i].size - cases[i].overlap);
        CHECK_EQU(count, want);
    }
    free(buf);
}

void test_windows_bad_arguments(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "windows-bad.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_windows w = {9};
    mapview_error *err = NULL;
    CHECK_ERR(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 0, 0, &w, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "window size");
    CHECK_EQU(w.id, 0);
    CHECK_ERR(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 0, 0, &w, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, path);
    CHECK_ERR(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 4, 4, &w, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "overlap 4");
    CHECK_ERR(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 4, UINT64_MAX, &w,
                                   &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "overlap");
    CHECK_STATUS(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 0, 0, &w, NULL),
                 MAPVIEW_ERR_INVALID_ARGUMENT);
    /* Huge windows are fine (clamped to the file). */
    if (open_windows(path, UINT64_MAX, UINT64_MAX - 1, &w)) {
        uint64_t total = 0;
        CHECK_OK(mapview_windows_count(w, &total, &err), err);
        CHECK_EQU(total, 1);
        mapview_window win;
        bool has = false;
        CHECK_OK(mapview_windows_next(w, &win, &has, &err), err);
        CHECK(has && win.len == 10 && memcmp(win.data, "0123456789", 10) == 0);
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
    }
}

void test_windows_missing_file(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "windows-missing.bin");
    mapview_windows w = {9};
    mapview_error *err = NULL;
    CHECK_ERR(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 16, 0, &w, &err),
              err, MAPVIEW_ERR_NOT_FOUND, path);
    CHECK_EQU(w.id, 0);
    CHECK_STATUS(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 16, 0, &w, NULL),
                 MAPVIEW_ERR_NOT_FOUND);
}

void test_windows_closed_handle(void)
{
    char path[TH_PATH_MAX];
    unsigned char *buf = make_file(path, "windows-closed.bin", 100, 23);
    mapview_windows w = {0};
    if (open_windows(path, 10, 0, &w)) {
        mapview_error *err = NULL;
        mapview_window win;
        bool has = false;
        CHECK_OK(mapview_windows_next(w, &win, &has, &err), err);
        CHECK(has);
        /* Close with a window current: it is unmapped with the iterator. */
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
        has = true;
        CHECK_ERR(mapview_windows_next(w, &win, &has, &err), err, MAPVIEW_ERR_CLOSED,
                  "closed");
        CHECK(!has);
        uint64_t total = 0;
        CHECK_ERR(mapview_windows_count(w, &total, &err), err, MAPVIEW_ERR_CLOSED,
                  "closed");
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_ERR_CLOSED);
        /* A windows handle is not a map handle even once closed. */
        mapview_map as_map = {w.id};
        CHECK_STATUS(mapview_map_close(as_map), MAPVIEW_ERR_INVALID_HANDLE);
    }
    free(buf);
}
