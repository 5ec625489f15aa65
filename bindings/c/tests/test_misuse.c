/*
 * Misuse: NULL pointers for every pointer argument, and bad handles (zero,
 * of another type, forged, closed, closed twice). Every case must give its
 * precise status, with or without an error object, and never crash.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static const mapview_record_layout layout16 = {16, 0, 8, MAPVIEW_KEY_UNSIGNED_LE};

/* A read-only map of a 64-byte file (four 16-byte records). */
static mapview_map open_sample(const char *name)
{
    char path[TH_PATH_MAX];
    th_path(path, name);
    unsigned char buf[64];
    memset(buf, 0, sizeof buf);
    for (int i = 0; i < 4; i++)
        buf[i * 16] = (unsigned char)(i * 2);
    CHECK(th_write_file(path, buf, sizeof buf));
    return OPEN(path, MAPVIEW_MODE_READ_ONLY);
}

#define NULL_ARG(call, name)                                                 \
    CHECK_ERR(call, err, MAPVIEW_ERR_NULL_ARGUMENT, "'" name "'")

void test_null_arguments_open_create_anonymous(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "null-args.bin");
    CHECK(th_write_file(path, "null", 4));
    char fresh[TH_PATH_MAX];
    th_path(fresh, "null-args-new.bin");
    mapview_error *err = NULL;
    mapview_map map = {7};

    /* path */
    NULL_ARG(mapview_map_open(NULL, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                              NULL, &map, &err),
             "path");
    CHECK_EQU(map.id, 0); /* out_map was still written: 0 on failure */
    NULL_ARG(mapview_map_open(NULL, 4, MAPVIEW_MODE_READ_ONLY, NULL, &map, &err),
             "path");
    NULL_ARG(mapview_map_create(NULL, MAPVIEW_NUL_TERMINATED, 10, NULL, &map, &err),
             "path");
    NULL_ARG(mapview_map_create_from_bytes(NULL, MAPVIEW_NUL_TERMINATED,
                                           (const uint8_t *)"x", 1, NULL, &map,
                                           &err),
             "path");

    /* out_map: nothing is opened or created. */
    NULL_ARG(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                              NULL, NULL, &err),
             "out_map");
    NULL_ARG(mapview_map_create(fresh, MAPVIEW_NUL_TERMINATED, 10, NULL, NULL, &err),
             "out_map");
    NULL_ARG(mapview_map_create_from_bytes(fresh, MAPVIEW_NUL_TERMINATED,
                                           (const uint8_t *)"x", 1, NULL, NULL,
                                           &err),
             "out_map");
    CHECK_EQ(th_file_size(fresh), -1);
    NULL_ARG(mapview_map_anonymous(4096, false, NULL, NULL, &err), "out_map");
    NULL_ARG(mapview_map_anonymous(4096, true, NULL, NULL, &err), "out_map");

    /* bytes: NULL with a non-zero length. */
    NULL_ARG(mapview_map_create_from_bytes(fresh, MAPVIEW_NUL_TERMINATED, NULL, 5,
                                           NULL, &map, &err),
             "bytes");
    CHECK_EQ(th_file_size(fresh), -1);

    /* options: NULL is allowed everywhere and means the defaults. */
    if (CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, NULL, &map, &err),
                 err))
        CLOSE(map);
    if (CHECK_OK(mapview_map_anonymous(10, false, NULL, &map, &err), err))
        CLOSE(map);
}

void test_null_arguments_map_calls(void)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_anonymous(4096, false, NULL, &map, &err), err))
        return;
    const uint8_t *cdata = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    NULL_ARG(mapview_map_data(map, NULL, &len, &err), "out_data");
    NULL_ARG(mapview_map_data(map, &cdata, NULL, &err), "out_len");
    NULL_ARG(mapview_map_data_mut(map, NULL, &len, &err), "out_data");
    NULL_ARG(mapview_map_data_mut(map, &data, NULL, &err), "out_len");
    NULL_ARG(mapview_map_info_get(map, NULL, &err), "out_info");
    /* out_method may be NULL. */
    CHECK_OK(mapview_map_populate(map, NULL, &err), err);
    /* The map is unharmed. */
    CHECK_OK(mapview_map_data(map, &cdata, &len, &err), err);
    CHECK_EQU(len, 4096);
    CLOSE(map);
}

void test_null_arguments_records(void)
{
    mapview_map map = open_sample("null-records.bin");
    mapview_error *err = NULL;
    size_t count = 0, index = 0;
    const uint8_t *rec = NULL;
    bool found = false;
    uint64_t key = 2;

    NULL_ARG(mapview_records_count(map, NULL, &count, &err), "layout");
    NULL_ARG(mapview_records_count(map, &layout16, NULL, &err), "out_count");
    NULL_ARG(mapview_records_get(map, NULL, 0, &rec, &err), "layout");
    NULL_ARG(mapview_records_get(map, &layout16, 0, NULL, &err), "out_record");
    NULL_ARG(mapview_records_search(map, NULL, &key, 8, &index, &found, &err),
             "layout");
    NULL_ARG(mapview_records_search(map, &layout16, NULL, 8, &index, &found, &err),
             "key");
    NULL_ARG(mapview_records_search(map, &layout16, NULL, 0, &index, &found, &err),
             "key");
    NULL_ARG(mapview_records_search(map, &layout16, &key, 8, NULL, &found, &err),
             "out_index");
    NULL_ARG(mapview_records_search(map, &layout16, &key, 8, &index, NULL, &err),
             "out_found");
    /* With valid arguments it works. */
    CHECK_OK(mapview_records_search(map, &layout16, &key, 8, &index, &found, &err),
             err);
    CHECK(found);
    CHECK_EQU(index, 1);
    CLOSE(map);
}

void test_null_arguments_windows(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "null-windows.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_error *err = NULL;
    mapview_windows w = {5};
    NULL_ARG(mapview_windows_open(NULL, MAPVIEW_NUL_TERMINATED, 4, 0, &w, &err),
             "path");
    CHECK_EQU(w.id, 0);
    NULL_ARG(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 4, 0, NULL, &err),
             "out_windows");
    if (!CHECK_OK(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 4, 0, &w, &err),
                  err))
        return;
    mapview_window win;
    bool has = false;
    NULL_ARG(mapview_windows_next(w, NULL, &has, &err), "out_window");
    NULL_ARG(mapview_windows_next(w, &win, NULL, &err), "out_has_window");
    NULL_ARG(mapview_windows_count(w, NULL, &err), "out_total");
    /* The failed calls did not advance the iterator. */
    CHECK_OK(mapview_windows_next(w, &win, &has, &err), err);
    CHECK(has);
    CHECK_EQU(win.index, 0);
    CHECK_EQU(win.file_offset, 0);
    CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
}

void test_null_err_still_returns_code(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "null-err-missing.bin");
    mapview_map map = {0};
    mapview_map zero = {0};
    mapview_windows wzero = {0};
    const uint8_t *cdata = NULL;
    uint8_t *data = NULL;
    size_t len = 0, count = 0, index = 0;
    bool found = false, has = false;
    uint64_t total = 0, key = 0;
    mapview_window win;
    mapview_map_info info;
    const uint8_t *rec = NULL;

    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, NULL, &map, NULL),
                 MAPVIEW_ERR_NOT_FOUND);
    CHECK_STATUS(mapview_map_open(NULL, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, NULL, &map, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_map_create(path, MAPVIEW_NUL_TERMINATED, 1, NULL, NULL,
                                    NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_map_create_from_bytes(path, MAPVIEW_NUL_TERMINATED, NULL,
                                               3, NULL, &map, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_map_anonymous(1, false, NULL, NULL, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_EQ(th_file_size(path), -1);

    CHECK_STATUS(mapview_map_data(zero, &cdata, &len, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_data_mut(zero, &data, &len, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_info_get(zero, &info, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_flush(zero, 0, MAPVIEW_TO_END, 0, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_advise(zero, MAPVIEW_ADVICE_NORMAL, 0, MAPVIEW_TO_END,
                                    NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_populate(zero, NULL, NULL), MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_lock(zero, NULL), MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_unlock(zero, NULL), MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_map_resize(zero, 10, NULL), MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_records_count(zero, &layout16, &count, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_records_get(zero, &layout16, 0, &rec, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_records_search(zero, &layout16, &key, 8, &index, &found,
                                        NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_windows_next(wzero, &win, &has, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);
    CHECK_STATUS(mapview_windows_count(wzero, &total, NULL),
                 MAPVIEW_ERR_INVALID_HANDLE);

    /* NULL out-parameters with NULL err. */
    CHECK_STATUS(mapview_map_data(zero, NULL, &len, NULL), MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_map_info_get(zero, NULL, NULL), MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_records_count(zero, NULL, &count, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_records_search(zero, &layout16, NULL, 8, &index, &found,
                                        NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_windows_open(NULL, 0, 1, 0, NULL, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
    CHECK_STATUS(mapview_windows_count(wzero, NULL, NULL),
                 MAPVIEW_ERR_NULL_ARGUMENT);
}

/* Every call that takes a map handle must answer `code` with a message
 * containing `needle`, with and without an error object. */
static void check_map_handle_refused(mapview_map map, mapview_status code,
                                     const char *needle)
{
    mapview_error *err = NULL;
    const uint8_t *cdata = NULL;
    uint8_t *data = NULL;
    size_t len = 0, count = 0, index = 0;
    bool found = false;
    uint64_t key = 0;
    mapview_map_info info;
    mapview_populate_method method = 0;
    const uint8_t *rec = NULL;

    CHECK_ERR(mapview_map_data(map, &cdata, &len, &err), err, code, needle);
    CHECK_ERR(mapview_map_data_mut(map, &data, &len, &err), err, code, needle);
    CHECK_ERR(mapview_map_info_get(map, &info, &err), err, code, needle);
    CHECK_ERR(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err), err, code, needle);
    CHECK_ERR(mapview_map_flush(map, 0, MAPVIEW_TO_END, MAPVIEW_FLUSH_ASYNC, &err),
              err, code, needle);
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, 0, MAPVIEW_TO_END, &err),
              err, code, needle);
    CHECK_ERR(mapview_map_populate(map, &method, &err), err, code, needle);
    CHECK_ERR(mapview_map_populate(map, NULL, &err), err, code, needle);
    CHECK_ERR(mapview_map_lock(map, &err), err, code, needle);
    CHECK_ERR(mapview_map_unlock(map, &err), err, code, needle);
    CHECK_ERR(mapview_map_resize(map, 100, &err), err, code, needle);
    CHECK_ERR(mapview_records_count(map, &layout16, &count, &err), err, code, needle);
    CHECK_ERR(mapview_records_get(map, &layout16, 0, &rec, &err), err, code, needle);
    CHECK_ERR(mapview_records_search(map, &layout16, &key, 8, &index, &found, &err),
              err, code, needle);

    CHECK_STATUS(mapview_map_data(map, &cdata, &len, NULL), code);
    CHECK_STATUS(mapview_map_data_mut(map, &data, &len, NULL), code);
    CHECK_STATUS(mapview_map_info_get(map, &info, NULL), code);
    CHECK_STATUS(mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, NULL), code);
    CHECK_STATUS(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, 0, 1, NULL), code);
    CHECK_STATUS(mapview_map_populate(map, NULL, NULL), code);
    CHECK_STATUS(mapview_map_lock(map, NULL), code);
    CHECK_STATUS(mapview_map_unlock(map, NULL), code);
    CHECK_STATUS(mapview_map_resize(map, 100, NULL), code);
    CHECK_STATUS(mapview_records_count(map, &layout16, &count, NULL), code);
    CHECK_STATUS(mapview_records_get(map, &layout16, 0, &rec, NULL), code);
    CHECK_STATUS(mapview_records_search(map, &layout16, &key, 8, &index, &found,
                                        NULL),
                 code);
}

static void check_windows_handle_refused(mapview_windows w, mapview_status code,
                                         const char *needle)
{
    mapview_error *err = NULL;
    mapview_window win;
    bool has = true;
    uint64_t total = 0;
    CHECK_ERR(mapview_windows_next(w, &win, &has, &err), err, code, needle);
    CHECK(!has);
    CHECK_ERR(mapview_windows_count(w, &total, &err), err, code, needle);
    CHECK_STATUS(mapview_windows_next(w, &win, &has, NULL), code);
    CHECK_STATUS(mapview_windows_count(w, &total, NULL), code);
}

void test_handle_zero(void)
{
    mapview_map zero = {0};
    check_map_handle_refused(zero, MAPVIEW_ERR_INVALID_HANDLE, "handle is 0");
    CHECK_STATUS(mapview_map_close(zero), MAPVIEW_ERR_INVALID_HANDLE);
    mapview_windows wzero = {0};
    check_windows_handle_refused(wzero, MAPVIEW_ERR_INVALID_HANDLE, "handle is 0");
    CHECK_STATUS(mapview_windows_close(wzero), MAPVIEW_ERR_INVALID_HANDLE);
}

void test_handle_of_another_type(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "other-type.bin");
    CHECK(th_write_file(path, "0123456789", 10));
    mapview_error *err = NULL;
    mapview_windows w = {0};
    if (!CHECK_OK(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 4, 1, &w, &err),
                  err))
        return;
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_WRITE);

    /* A windows id used as a map. */
    mapview_map w_as_map;
    w_as_map.id = w.id;
    check_map_handle_refused(w_as_map, MAPVIEW_ERR_INVALID_HANDLE,
                             "not a map handle");
    CHECK_STATUS(mapview_map_close(w_as_map), MAPVIEW_ERR_INVALID_HANDLE);

    /* A map id used as windows. */
    mapview_windows map_as_w;
    map_as_w.id = map.id;
    check_windows_handle_refused(map_as_w, MAPVIEW_ERR_INVALID_HANDLE,
                                 "not a windows handle");
    CHECK_STATUS(mapview_windows_close(map_as_w), MAPVIEW_ERR_INVALID_HANDLE);

    /* Neither object was harmed or closed by the wrong-typed calls. */
    uint64_t total = 0;
    CHECK_OK(mapview_windows_count(w, &total, &err), err);
    CHECK_EQU(total, 3);
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQU(info.len, 10);
    CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
    CLOSE(map);
    CHECK_EQ(th_file_size(path), 10); /* the resize through w_as_map never ran */
}

void test_forged_handle(void)
{
    mapview_map real = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_anonymous(10, false, NULL, &real, &err), err))
        return;
    /* Same type tag, a counter far beyond anything issued. */
    mapview_map ahead = {real.id + ((uint64_t)1 << 40)};
    check_map_handle_refused(ahead, MAPVIEW_ERR_INVALID_HANDLE, "never issued");
    CHECK_STATUS(mapview_map_close(ahead), MAPVIEW_ERR_INVALID_HANDLE);
    /* Unknown type tags, all bits set. */
    const uint64_t junk[] = {UINT64_MAX, (uint64_t)0x77 << 56 | 1, 1, 12345};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        mapview_map m = {junk[i]};
        check_map_handle_refused(m, MAPVIEW_ERR_INVALID_HANDLE, "handle");
        CHECK_STATUS(mapview_map_close(m), MAPVIEW_ERR_INVALID_HANDLE);
        mapview_windows w = {junk[i]};
        check_windows_handle_refused(w, MAPVIEW_ERR_INVALID_HANDLE, "handle");
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_ERR_INVALID_HANDLE);
    }
    CLOSE(real);
}

void test_closed_map_handle(void)
{
    mapview_map kinds[3];
    memset(kinds, 0, sizeof kinds);
    mapview_error *err = NULL;
    kinds[0] = open_sample("closed.bin");
    char path[TH_PATH_MAX];
    th_path(path, "closed.bin");
    kinds[1] = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    CHECK_OK(mapview_map_anonymous(64, true, NULL, &kinds[2], &err), err);
    for (size_t i = 0; i < 3; i++) {
        mapview_map copy = kinds[i]; /* handles are values */
        CHECK_STATUS(mapview_map_close(kinds[i]), MAPVIEW_OK);
        check_map_handle_refused(copy, MAPVIEW_ERR_CLOSED, "closed");
    }
    CHECK_EQ(th_file_size(path), 64); /* the resize on the closed map never ran */
}

void test_close_twice(void)
{
    mapview_map map = open_sample("close-twice.bin");
    CHECK_STATUS(mapview_map_close(map), MAPVIEW_OK);
    CHECK_STATUS(mapview_map_close(map), MAPVIEW_ERR_CLOSED);
    CHECK_STATUS(mapview_map_close(map), MAPVIEW_ERR_CLOSED);
    /* Asking a closed map for its data. */
    mapview_error *err = NULL;
    const uint8_t *data = (const uint8_t *)"untouched";
    size_t len = 1234;
    CHECK_ERR(mapview_map_data(map, &data, &len, &err), err, MAPVIEW_ERR_CLOSED,
              "closed");
    CHECK_STATUS(mapview_map_data(map, &data, &len, NULL), MAPVIEW_ERR_CLOSED);

    /* The same for window iterators. */
    char path[TH_PATH_MAX];
    th_path(path, "close-twice.bin");
    mapview_windows w = {0};
    if (CHECK_OK(mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, 16, 0, &w, &err),
                 err)) {
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_OK);
        CHECK_STATUS(mapview_windows_close(w), MAPVIEW_ERR_CLOSED);
        check_windows_handle_refused(w, MAPVIEW_ERR_CLOSED, "closed");
    }
    /* A fresh map never reuses the closed id. */
    mapview_map again = open_sample("close-twice-2.bin");
    CHECK(again.id != map.id);
    CHECK_STATUS(mapview_map_close(map), MAPVIEW_ERR_CLOSED);
    CLOSE(again);
}
