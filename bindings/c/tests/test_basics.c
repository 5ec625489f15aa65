/*
 * Version, status names, the error object, page size and option defaults.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <unistd.h>

#include "harness.h"

void test_version_matches_macros(void)
{
    char want[64];
    snprintf(want, sizeof want, "%d.%d.%d", MAPVIEW_VERSION_MAJOR,
             MAPVIEW_VERSION_MINOR, MAPVIEW_VERSION_PATCH);
    const char *got = mapview_version();
    CHECK(got != NULL);
    CHECK_STR(got, want);
    CHECK(got == mapview_version()); /* static: the same string every time */
    CHECK_EQ(MAPVIEW_VERSION_NUMBER, MAPVIEW_VERSION_MAJOR * 10000 +
                                         MAPVIEW_VERSION_MINOR * 100 +
                                         MAPVIEW_VERSION_PATCH);
}

void test_status_names(void)
{
    static const struct {
        int32_t code;
        const char *name;
    } known[] = {
        {MAPVIEW_OK, "ok"},
        {MAPVIEW_ERR_NULL_ARGUMENT, "null argument"},
        {MAPVIEW_ERR_INVALID_HANDLE, "invalid handle"},
        {MAPVIEW_ERR_CLOSED, "closed handle"},
        {MAPVIEW_ERR_INVALID_ARGUMENT, "invalid argument"},
        {MAPVIEW_ERR_OUT_OF_RANGE, "out of range"},
        {MAPVIEW_ERR_OVERFLOW, "offset + length overflows"},
        {MAPVIEW_ERR_INVALID_FLAGS, "invalid flags"},
        {MAPVIEW_ERR_RECORD_SIZE, "bad record size"},
        {MAPVIEW_ERR_READ_ONLY, "read-only map"},
        {MAPVIEW_ERR_NOT_FOUND, "not found"},
        {MAPVIEW_ERR_PERMISSION_DENIED, "permission denied"},
        {MAPVIEW_ERR_ALREADY_EXISTS, "already exists"},
        {MAPVIEW_ERR_UNSUPPORTED, "unsupported"},
        {MAPVIEW_ERR_OUT_OF_MEMORY, "out of memory"},
        {MAPVIEW_ERR_IO, "I/O error"},
        {MAPVIEW_ERR_MISALIGNED, "misaligned"},
        {MAPVIEW_ERR_PANIC, "internal error (panic)"},
        {MAPVIEW_ERR_BUSY, "busy"},
        {MAPVIEW_ERR_CORRUPT, "corrupt data"},
        {MAPVIEW_ERR_WASM_MODULE, "invalid guest module"},
        {MAPVIEW_ERR_WASM_EXPORT, "missing guest export"},
        {MAPVIEW_ERR_WASM_SIGNATURE, "wrong guest signature"},
        {MAPVIEW_ERR_WASM_TRAP, "guest trap"},
        {MAPVIEW_ERR_WASM_TIMEOUT, "guest timeout"},
        {MAPVIEW_ERR_WASM_MEMORY_LIMIT, "guest memory limit"},
        {MAPVIEW_ERR_WASM_VIEW_TRUNCATED, "view truncated"},
        {MAPVIEW_ERR_WASM_VIEW, "view error"},
    };
    size_t n = sizeof known / sizeof known[0];
    /* The codes are 0..27 with no gaps, in this order. */
    for (size_t i = 0; i < n; i++) {
        CHECK_EQ(known[i].code, (int32_t)i);
        CHECK_STR(mapview_status_name(known[i].code), known[i].name);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(mapview_status_name(known[i].code),
                         mapview_status_name(known[j].code)) != 0);
    }
    const int32_t unknown[] = {-1, 28, 100, INT32_MAX, INT32_MIN};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++)
        CHECK_STR(mapview_status_name(unknown[i]), "unknown status");
}

void test_error_object_null_and_free(void)
{
    mapview_error_free(NULL); /* allowed, does nothing */
    CHECK_EQ(mapview_error_code(NULL), MAPVIEW_ERR_NULL_ARGUMENT);
    const char *empty = mapview_error_message(NULL);
    CHECK(empty != NULL);
    if (empty != NULL)
        CHECK_STR(empty, "");

    /* A real error: code and message stay readable until freed. */
    char path[TH_PATH_MAX];
    th_path(path, "error-object-missing");
    mapview_map map = {12345};
    mapview_error *err = NULL;
    mapview_status st = mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                         MAPVIEW_MODE_READ_ONLY, NULL, &map, &err);
    CHECK_EQ(st, MAPVIEW_ERR_NOT_FOUND);
    CHECK_EQU(map.id, 0); /* out_map is 0 on failure */
    CHECK(err != NULL);
    CHECK_EQ(mapview_error_code(err), MAPVIEW_ERR_NOT_FOUND);
    CHECK(strstr(mapview_error_message(err), path) != NULL);
    /* The message pointer is stable for the error's lifetime. */
    CHECK(mapview_error_message(err) == mapview_error_message(err));
    mapview_error_free(err);
}

void test_err_cleared_on_success(void)
{
    /* The library must overwrite *err without reading it: pass garbage. */
    static int not_an_error;
    mapview_error *err = (mapview_error *)(void *)&not_an_error;
    mapview_map map = {0};
    CHECK_EQ(mapview_map_anonymous(4096, false, NULL, &map, &err), MAPVIEW_OK);
    CHECK(err == NULL);
    CHECK(map.id != 0);

    err = (mapview_error *)(void *)&not_an_error;
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_EQ(mapview_map_data(map, &data, &len, &err), MAPVIEW_OK);
    CHECK(err == NULL);
    CHECK_EQU(len, 4096);

    /* A failure replaces the garbage with a fresh error object. */
    err = (mapview_error *)(void *)&not_an_error;
    CHECK_ERR(mapview_map_advise(map, 99, 0, MAPVIEW_TO_END, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "99");
    CLOSE(map);
}

void test_page_size_is_power_of_two(void)
{
    size_t p = mapview_page_size();
    CHECK(p > 0);
    CHECK((p & (p - 1)) == 0);
    CHECK_EQU(p, (size_t)sysconf(_SC_PAGESIZE));
}

void test_nul_terminated_is_size_max(void)
{
    CHECK(MAPVIEW_NUL_TERMINATED == SIZE_MAX);
    CHECK(MAPVIEW_NUL_TERMINATED == (size_t)-1);
    CHECK(MAPVIEW_TO_END == UINT64_MAX);
}

void test_options_init_defaults(void)
{
    mapview_map_options o = mapview_map_options_init();
    CHECK_EQU(o.struct_size, sizeof(mapview_map_options));
    CHECK_EQU(o.flags, 0);
    CHECK_EQU(o.offset, 0);
    CHECK_EQU(o.length, MAPVIEW_TO_END);
    CHECK_EQ(o.huge_pages, MAPVIEW_HUGE_PAGES_DEFAULT);
    CHECK_EQ(o.advice, MAPVIEW_ADVICE_NONE);

    /* Defaults behave exactly like NULL options. */
    char path[TH_PATH_MAX];
    th_path(path, "options-defaults");
    CHECK(th_write_file(path, "defaults", 8));
    mapview_map map = {0};
    mapview_error *err = NULL;
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                              MAPVIEW_MODE_READ_ONLY, &o, &map, &err),
             err);
    mapview_map_info info;
    CHECK_OK(mapview_map_info_get(map, &info, &err), err);
    CHECK_EQU(info.len, 8);
    CHECK_EQU(info.file_offset, 0);
    CLOSE(map);
}
