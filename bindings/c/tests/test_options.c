/*
 * Map options (populate, lock, advice, huge pages, struct_size) and the
 * calls that act on a made map: populate, lock/unlock, advise.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <sys/utsname.h>

#include "harness.h"

static const mapview_advice all_advice[] = {
    MAPVIEW_ADVICE_NORMAL, MAPVIEW_ADVICE_RANDOM, MAPVIEW_ADVICE_SEQUENTIAL,
    MAPVIEW_ADVICE_WILL_NEED, MAPVIEW_ADVICE_DONT_NEED};
#define N_ADVICE (sizeof all_advice / sizeof all_advice[0])

/* A file of `n` deterministic bytes in the scratch dir; returns the bytes
 * (malloc'd). */
static unsigned char *make_file(char *path, const char *name, size_t n,
                                unsigned seed)
{
    th_path(path, name);
    unsigned char *buf = malloc(n ? n : 1);
    th_fill(buf, n, seed);
    CHECK(th_write_file(path, buf, n));
    return buf;
}

/* Checks that a map holds want[0..n). */
static void check_data(mapview_map map, const unsigned char *want, size_t n)
{
    const uint8_t *data = NULL;
    size_t len = 0;
    mapview_error *err = NULL;
    CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
    CHECK_EQU(len, n);
    if (len == n && n > 0 && want != NULL)
        CHECK_MEM(data, want, n);
}

static bool open_with(const char *path, mapview_mode mode,
                      const mapview_map_options *o, mapview_map *map)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, mode, o, map,
                                     &err),
                    err);
}

/* Linux 5.14 added MADV_POPULATE_READ/WRITE. */
static bool kernel_has_populate_madvise(void)
{
    struct utsname u;
    int major = 0, minor = 0;
    if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
        return false;
    return major > 5 || (major == 5 && minor >= 14);
}

void test_options_populate_flag(void)
{
    char path[TH_PATH_MAX];
    size_t n = 5 * mapview_page_size() + 3;
    unsigned char *buf = make_file(path, "populate-flag.bin", n, 10);
    mapview_map_options o = mapview_map_options_init();
    o.flags = MAPVIEW_MAP_POPULATE;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        mapview_map map = {0};
        if (open_with(path, modes[m], &o, &map)) {
            check_data(map, buf, n);
            CLOSE(map);
        }
    }
    /* Populate with a range. */
    o.offset = 100;
    o.length = 2 * mapview_page_size();
    mapview_map map = {0};
    if (open_with(path, MAPVIEW_MODE_READ_ONLY, &o, &map)) {
        check_data(map, buf + 100, 2 * mapview_page_size());
        CLOSE(map);
    }
    /* Anonymous maps, private and shared. */
    o = mapview_map_options_init();
    o.flags = MAPVIEW_MAP_POPULATE;
    mapview_error *err = NULL;
    for (int shared = 0; shared < 2; shared++) {
        if (CHECK_OK(mapview_map_anonymous(8 * 4096, shared, &o, &map, &err), err)) {
            check_data(map, NULL, 8 * 4096);
            CLOSE(map);
        }
    }
    free(buf);
}

void test_options_lock_flag(void)
{
    char path[TH_PATH_MAX];
    size_t n = 2 * mapview_page_size() + 1;
    unsigned char *buf = make_file(path, "lock-flag.bin", n, 11);
    mapview_map_options o = mapview_map_options_init();
    o.flags = MAPVIEW_MAP_LOCK;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    mapview_error *err = NULL;
    for (size_t m = 0; m < 3; m++) {
        mapview_map map = {0};
        if (open_with(path, modes[m], &o, &map)) {
            check_data(map, buf, n);
            CHECK_OK(mapview_map_unlock(map, &err), err);
            CLOSE(map);
        }
    }
    o.flags = MAPVIEW_MAP_LOCK | MAPVIEW_MAP_POPULATE;
    for (int shared = 0; shared < 2; shared++) {
        mapview_map map = {0};
        if (CHECK_OK(mapview_map_anonymous(4096, shared, &o, &map, &err), err)) {
            check_data(map, NULL, 4096);
            CLOSE(map); /* closing a locked map unlocks it */
        }
    }
    free(buf);
}

void test_lock_and_unlock(void)
{
    char path[TH_PATH_MAX];
    size_t n = 3 * mapview_page_size() + 7;
    unsigned char *buf = make_file(path, "lock.bin", n, 12);
    mapview_map maps[5];
    memset(maps, 0, sizeof maps);
    mapview_error *err = NULL;
    maps[0] = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    maps[1] = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    maps[2] = OPEN(path, MAPVIEW_MODE_PRIVATE);
    CHECK_OK(mapview_map_anonymous(4096, false, NULL, &maps[3], &err), err);
    CHECK_OK(mapview_map_anonymous(4096, true, NULL, &maps[4], &err), err);
    for (size_t i = 0; i < 5; i++) {
        CHECK_OK(mapview_map_unlock(maps[i], &err), err); /* not locked: fine */
        CHECK_OK(mapview_map_lock(maps[i], &err), err);
        CHECK_OK(mapview_map_lock(maps[i], &err), err); /* twice: fine */
        CHECK_OK(mapview_map_unlock(maps[i], &err), err);
        CHECK_EQ(mapview_map_lock(maps[i], NULL), MAPVIEW_OK);
        CLOSE(maps[i]);
    }
    free(buf);
}

void test_populate_method(void)
{
    char path[TH_PATH_MAX];
    size_t n = 4 * mapview_page_size() + 9;
    unsigned char *buf = make_file(path, "populate.bin", n, 13);
    mapview_map maps[5];
    memset(maps, 0, sizeof maps);
    mapview_error *err = NULL;
    maps[0] = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    maps[1] = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    maps[2] = OPEN(path, MAPVIEW_MODE_PRIVATE);
    CHECK_OK(mapview_map_anonymous(4 * 4096, false, NULL, &maps[3], &err), err);
    CHECK_OK(mapview_map_anonymous(4 * 4096, true, NULL, &maps[4], &err), err);
    bool modern = kernel_has_populate_madvise();
    for (size_t i = 0; i < 5; i++) {
        mapview_populate_method method = -1;
        CHECK_OK(mapview_map_populate(maps[i], &method, &err), err);
        if (modern)
            CHECK_EQ(method, MAPVIEW_POPULATE_MADVISE);
        else
            CHECK(method == MAPVIEW_POPULATE_MADVISE ||
                  method == MAPVIEW_POPULATE_TOUCH);
        /* out_method may be NULL. */
        CHECK_OK(mapview_map_populate(maps[i], NULL, &err), err);
        CHECK_EQ(mapview_map_populate(maps[i], NULL, NULL), MAPVIEW_OK);
    }
    /* Populating changes no content. */
    check_data(maps[0], buf, n);
    check_data(maps[1], buf, n);
    check_data(maps[2], buf, n);
    check_data(maps[3], NULL, 4 * 4096);
    for (size_t i = 0; i < 5; i++)
        CLOSE(maps[i]);
    free(buf);
}

void test_advice_via_options(void)
{
    char path[TH_PATH_MAX];
    size_t n = 3 * mapview_page_size() + 5;
    unsigned char *buf = make_file(path, "advice-options.bin", n, 14);
    mapview_error *err = NULL;
    /* MAPVIEW_ADVICE_NONE plus every real advice. */
    for (mapview_advice a = MAPVIEW_ADVICE_NONE; a <= MAPVIEW_ADVICE_DONT_NEED;
         a++) {
        mapview_map_options o = mapview_map_options_init();
        o.advice = a;
        mapview_map map = {0};
        /* Shared file maps (read-only and read-write) take every advice. */
        if (open_with(path, MAPVIEW_MODE_READ_ONLY, &o, &map)) {
            check_data(map, buf, n);
            CLOSE(map);
        }
        if (open_with(path, MAPVIEW_MODE_READ_WRITE, &o, &map)) {
            check_data(map, buf, n);
            CLOSE(map);
        }
        /* With a range at an unaligned offset. */
        o.offset = 5;
        o.length = mapview_page_size();
        if (open_with(path, MAPVIEW_MODE_READ_ONLY, &o, &map)) {
            check_data(map, buf + 5, mapview_page_size());
            CLOSE(map);
        }
        if (a == MAPVIEW_ADVICE_DONT_NEED)
            continue; /* refused on private/anonymous maps: tested elsewhere */
        o.offset = 0;
        o.length = MAPVIEW_TO_END;
        if (open_with(path, MAPVIEW_MODE_PRIVATE, &o, &map)) {
            check_data(map, buf, n);
            CLOSE(map);
        }
        for (int shared = 0; shared < 2; shared++) {
            if (CHECK_OK(mapview_map_anonymous(3 * 4096, shared, &o, &map, &err),
                         err)) {
                check_data(map, NULL, 3 * 4096);
                CLOSE(map);
            }
        }
    }
    free(buf);
}

void test_advise_whole_map_and_range(void)
{
    char path[TH_PATH_MAX];
    size_t page = mapview_page_size();
    size_t n = 4 * page + 11;
    unsigned char *buf = make_file(path, "advise.bin", n, 15);
    mapview_error *err = NULL;
    mapview_map maps[5];
    memset(maps, 0, sizeof maps);
    maps[0] = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    maps[1] = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    maps[2] = OPEN(path, MAPVIEW_MODE_PRIVATE);
    CHECK_OK(mapview_map_anonymous(n, false, NULL, &maps[3], &err), err);
    CHECK_OK(mapview_map_anonymous(n, true, NULL, &maps[4], &err), err);

    /* Write through the shared map first: DONT_NEED must not lose it (the
     * pages are read back from the file). */
    uint8_t *w = NULL;
    size_t wlen = 0;
    if (CHECK_OK(mapview_map_data_mut(maps[1], &w, &wlen, &err), err) && wlen == n) {
        memcpy(w + page + 1, "kept", 4);
        memcpy(buf + page + 1, "kept", 4);
    }
    for (size_t i = 0; i < 5; i++) {
        bool discardable = i >= 2; /* private and anonymous */
        for (size_t a = 0; a < N_ADVICE; a++) {
            if (discardable && all_advice[a] == MAPVIEW_ADVICE_DONT_NEED)
                continue;
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], 0, MAPVIEW_TO_END,
                                        &err),
                     err);
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], 0, n, &err), err);
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], 3, page + 2, &err),
                     err);
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], page + 1,
                                        MAPVIEW_TO_END, &err),
                     err);
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], n - 1, 1, &err),
                     err);
            CHECK_OK(mapview_map_advise(maps[i], all_advice[a], n, 0, &err), err);
            CHECK_EQ(mapview_map_advise(maps[i], all_advice[a], 7, 8, NULL),
                     MAPVIEW_OK);
        }
    }
    check_data(maps[0], buf, n);
    check_data(maps[1], buf, n);
    for (size_t i = 0; i < 5; i++)
        CLOSE(maps[i]);
    free(buf);
}

void test_advise_errors(void)
{
    char path[TH_PATH_MAX];
    unsigned char *buf = make_file(path, "advise-errors.bin", 100, 16);
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_error *err = NULL;
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_NONE, 0, MAPVIEW_TO_END, &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "MAPVIEW_ADVICE_NONE");
    CHECK_ERR(mapview_map_advise(map, 6, 0, MAPVIEW_TO_END, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "advice 6");
    CHECK_ERR(mapview_map_advise(map, -1, 0, MAPVIEW_TO_END, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "advice -1");
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, 101, MAPVIEW_TO_END,
                                 &err),
              err, MAPVIEW_ERR_OUT_OF_RANGE, path);
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, 50, 51, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "offset 50, length 51");
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_RANDOM, UINT64_MAX - 5, 10,
                                 &err),
              err, MAPVIEW_ERR_OVERFLOW, "overflow");
    CHECK_STATUS(mapview_map_advise(map, 6, 0, MAPVIEW_TO_END, NULL),
                 MAPVIEW_ERR_INVALID_FLAGS);
    CHECK_STATUS(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, 101, 0, NULL),
                 MAPVIEW_ERR_OUT_OF_RANGE);
    CHECK_STATUS(mapview_map_advise(map, MAPVIEW_ADVICE_NORMAL, UINT64_MAX - 5, 10,
                                    NULL),
                 MAPVIEW_ERR_OVERFLOW);
    check_data(map, buf, 100);
    CLOSE(map);
    free(buf);
}

void test_dont_need_refused_on_private_and_anonymous(void)
{
    char path[TH_PATH_MAX];
    unsigned char *buf = make_file(path, "dont-need.bin", 3 * 4096, 17);
    mapview_error *err = NULL;
    mapview_map map = {0};

    /* At map time, through the options. */
    mapview_map_options o = mapview_map_options_init();
    o.advice = MAPVIEW_ADVICE_DONT_NEED;
    CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_PRIVATE,
                               &o, &map, &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "dont-need");
    CHECK_EQU(map.id, 0);
    CHECK_ERR(mapview_map_anonymous(4096, false, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "dont-need");
    CHECK_ERR(mapview_map_anonymous(4096, true, &o, &map, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "dont-need");
    CHECK_STATUS(mapview_map_anonymous(4096, true, &o, &map, NULL),
                 MAPVIEW_ERR_INVALID_FLAGS);

    /* Later, through mapview_map_advise: refused, and nothing is lost. */
    mapview_map maps[3];
    memset(maps, 0, sizeof maps);
    maps[0] = OPEN(path, MAPVIEW_MODE_PRIVATE);
    CHECK_OK(mapview_map_anonymous(3 * 4096, false, NULL, &maps[1], &err), err);
    CHECK_OK(mapview_map_anonymous(3 * 4096, true, NULL, &maps[2], &err), err);
    for (size_t i = 0; i < 3; i++) {
        uint8_t *data = NULL;
        size_t len = 0;
        if (!CHECK_OK(mapview_map_data_mut(maps[i], &data, &len, &err), err) ||
            len != 3 * 4096) {
            CLOSE(maps[i]);
            continue;
        }
        memset(data, 'D', len);
        CHECK_ERR(mapview_map_advise(maps[i], MAPVIEW_ADVICE_DONT_NEED, 0,
                                     MAPVIEW_TO_END, &err),
                  err, MAPVIEW_ERR_INVALID_FLAGS, "dont-need");
        CHECK_ERR(mapview_map_advise(maps[i], MAPVIEW_ADVICE_DONT_NEED, 4096, 10,
                                     &err),
                  err, MAPVIEW_ERR_INVALID_FLAGS, "offset 4096, length 10");
        CHECK_STATUS(mapview_map_advise(maps[i], MAPVIEW_ADVICE_DONT_NEED, 0,
                                        MAPVIEW_TO_END, NULL),
                     MAPVIEW_ERR_INVALID_FLAGS);
        bool kept = true;
        for (size_t k = 0; k < len; k++)
            kept = kept && data[k] == 'D';
        CHECK(kept);
        CLOSE(maps[i]);
    }
    free(buf);
}

/* A field of /proc/meminfo ("HugePages_Free", "Hugepagesize"), or -1. */
static long meminfo(const char *field)
{
    FILE *f = fopen("/proc/meminfo", "r");
    if (f == NULL)
        return -1;
    char line[256];
    long value = -1;
    size_t flen = strlen(field);
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
            value = strtol(line + flen + 1, NULL, 10);
            break;
        }
    }
    fclose(f);
    return value;
}

static long nr_hugepages(void)
{
    FILE *f = fopen("/proc/sys/vm/nr_hugepages", "r");
    long n = -1;
    if (f != NULL) {
        if (fscanf(f, "%ld", &n) != 1)
            n = -1;
        fclose(f);
    }
    return n;
}

void test_huge_pages_explicit_anonymous(void)
{
    long reserved = nr_hugepages();
    long free_pages = meminfo("HugePages_Free");
    long huge_kb = meminfo("Hugepagesize");
    size_t huge = huge_kb > 0 ? (size_t)huge_kb * 1024 : 2u << 20;
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = MAPVIEW_HUGE_PAGES_EXPLICIT;
    mapview_error *err = NULL;
    for (int shared = 0; shared < 2; shared++) {
        mapview_map map = {0};
        mapview_status st = mapview_map_anonymous(huge, shared, &o, &map, &err);
        if (reserved == 0) {
            /* No pool at all: always out of memory, with a hint. */
            CHECK_ERR(st, err, MAPVIEW_ERR_OUT_OF_MEMORY, "huge");
        } else if (st == MAPVIEW_OK) {
            CHECK(err == NULL);
            uint8_t *data = NULL;
            size_t len = 0;
            if (CHECK_OK(mapview_map_data_mut(map, &data, &len, &err), err) &&
                len == huge) {
                data[0] = 1;
                data[huge - 1] = 2;
            }
            CLOSE(map);
        } else {
            /* A pool exists but may be in use by others right now. */
            CHECK(free_pages < 2);
            CHECK_ERR(st, err, MAPVIEW_ERR_OUT_OF_MEMORY, "huge");
        }
    }
}

void test_huge_pages_explicit_unaligned_length(void)
{
    /* A length that is not a multiple of the huge page size, with no pool
     * reserved: the header promises MAPVIEW_ERR_OUT_OF_MEMORY ("when no huge
     * pages are reserved"), for private and shared maps alike. */
    if (nr_hugepages() != 0)
        return; /* with a pool the outcome depends on who else uses it */
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = MAPVIEW_HUGE_PAGES_EXPLICIT;
    mapview_error *err = NULL;
    for (int shared = 0; shared < 2; shared++) {
        mapview_map map = {0};
        CHECK_ERR(mapview_map_anonymous(4096, shared, &o, &map, &err), err,
                  MAPVIEW_ERR_OUT_OF_MEMORY, "huge");
        CHECK_EQU(map.id, 0);
    }
}

void test_huge_pages_explicit_or_transparent(void)
{
    long huge_kb = meminfo("Hugepagesize");
    size_t huge = huge_kb > 0 ? (size_t)huge_kb * 1024 : 2u << 20;
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = MAPVIEW_HUGE_PAGES_EXPLICIT_OR_TRANSPARENT;
    mapview_error *err = NULL;
    const size_t lens[] = {huge, 4096, 2 * huge};
    for (int shared = 0; shared < 2; shared++) {
        for (size_t i = 0; i < 3; i++) {
            mapview_map map = {0};
            if (!CHECK_OK(mapview_map_anonymous(lens[i], shared, &o, &map, &err),
                          err))
                continue;
            uint8_t *data = NULL;
            size_t len = 0;
            if (CHECK_OK(mapview_map_data_mut(map, &data, &len, &err), err) &&
                len == lens[i]) {
                CHECK(data[0] == 0 && data[len - 1] == 0);
                data[0] = 1;
                data[len - 1] = 2;
            }
            CHECK_EQU(len, lens[i]);
            CLOSE(map);
        }
    }
    /* On a regular file it falls back to transparent advice. */
    char path[TH_PATH_MAX];
    unsigned char *buf = make_file(path, "huge-eot.bin", 10000, 18);
    mapview_map map = {0};
    if (open_with(path, MAPVIEW_MODE_READ_ONLY, &o, &map)) {
        check_data(map, buf, 10000);
        CLOSE(map);
    }
    free(buf);
}

void test_huge_pages_transparent_anonymous(void)
{
    long huge_kb = meminfo("Hugepagesize");
    size_t huge = huge_kb > 0 ? (size_t)huge_kb * 1024 : 2u << 20;
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = MAPVIEW_HUGE_PAGES_TRANSPARENT;
    mapview_error *err = NULL;
    const size_t lens[] = {2 * huge, 4096};
    for (int shared = 0; shared < 2; shared++) {
        for (size_t i = 0; i < 2; i++) {
            mapview_map map = {0};
            if (!CHECK_OK(mapview_map_anonymous(lens[i], shared, &o, &map, &err),
                          err))
                continue;
            mapview_map_info info;
            CHECK_OK(mapview_map_info_get(map, &info, &err), err);
            CHECK_EQU(info.len, lens[i]);
            CLOSE(map);
        }
    }
}

void test_huge_pages_explicit_on_regular_file(void)
{
    char path[TH_PATH_MAX];
    unsigned char *buf = make_file(path, "huge-explicit.bin", 4096, 19);
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = MAPVIEW_HUGE_PAGES_EXPLICIT;
    mapview_error *err = NULL;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        mapview_map map = {1};
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], &o, &map,
                                   &err),
                  err, MAPVIEW_ERR_UNSUPPORTED, path);
        CHECK_EQU(map.id, 0);
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], &o, &map,
                                   &err),
                  err, MAPVIEW_ERR_UNSUPPORTED, "hugetlbfs");
    }
    mapview_map map = {0};
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, &o, &map, NULL),
                 MAPVIEW_ERR_UNSUPPORTED);
    free(buf);
}

/* Tries options `o` with every constructor; each must fail with `code` and
 * a message containing `needle`, and create must leave no file behind. */
static void check_options_refused(const mapview_map_options *o,
                                  mapview_status code, const char *needle)
{
    char path[TH_PATH_MAX], fresh[TH_PATH_MAX];
    th_path(path, "options-refused.bin");
    th_path(fresh, "options-refused-new.bin");
    if (th_file_size(path) < 0)
        CHECK(th_write_file(path, "0123456789", 10));
    mapview_map map = {1};
    mapview_error *err = NULL;
    const mapview_mode modes[] = {MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE,
                                  MAPVIEW_MODE_PRIVATE};
    for (size_t m = 0; m < 3; m++) {
        CHECK_ERR(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, modes[m], o, &map,
                                   &err),
                  err, code, needle);
        CHECK_EQU(map.id, 0);
    }
    CHECK_ERR(mapview_map_create(fresh, MAPVIEW_NUL_TERMINATED, 10, o, &map, &err),
              err, code, needle);
    CHECK_ERR(mapview_map_create_from_bytes(fresh, MAPVIEW_NUL_TERMINATED,
                                            (const uint8_t *)"abc", 3, o, &map,
                                            &err),
              err, code, needle);
    CHECK_EQ(th_file_size(fresh), -1);
    CHECK_ERR(mapview_map_anonymous(4096, false, o, &map, &err), err, code, needle);
    CHECK_ERR(mapview_map_anonymous(4096, true, o, &map, &err), err, code, needle);
    /* Without an error object: the same code. */
    CHECK_STATUS(mapview_map_open(path, MAPVIEW_NUL_TERMINATED,
                                  MAPVIEW_MODE_READ_ONLY, o, &map, NULL),
                 code);
    CHECK_STATUS(mapview_map_anonymous(4096, false, o, &map, NULL), code);
}

void test_invalid_option_flags(void)
{
    const uint32_t bad[] = {4, 8, 0x80000000u, MAPVIEW_MAP_POPULATE | 0x10,
                            MAPVIEW_MAP_POPULATE | MAPVIEW_MAP_LOCK | 0x100};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mapview_map_options o = mapview_map_options_init();
        o.flags = bad[i];
        check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "flags");
    }
    mapview_map_options o = mapview_map_options_init();
    o.flags = 0x40;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "0x40");

    /* mapview_map_flush takes MAPVIEW_FLUSH_ASYNC only; on every kind of
     * map the flags are checked first. */
    char path[TH_PATH_MAX];
    th_path(path, "options-refused.bin");
    mapview_map maps[3];
    memset(maps, 0, sizeof maps);
    mapview_error *err = NULL;
    maps[0] = OPEN(path, MAPVIEW_MODE_READ_WRITE);
    maps[1] = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    CHECK_OK(mapview_map_anonymous(4096, true, NULL, &maps[2], &err), err);
    const uint32_t flush_bad[] = {2, 4, MAPVIEW_FLUSH_ASYNC | 8, 0x80000000u};
    for (size_t m = 0; m < 3; m++) {
        for (size_t i = 0; i < sizeof flush_bad / sizeof flush_bad[0]; i++) {
            CHECK_ERR(mapview_map_flush(maps[m], 0, MAPVIEW_TO_END, flush_bad[i], &err),
                      err, MAPVIEW_ERR_INVALID_FLAGS, "flush flags");
            CHECK_STATUS(mapview_map_flush(maps[m], 0, MAPVIEW_TO_END, flush_bad[i],
                                           NULL),
                         MAPVIEW_ERR_INVALID_FLAGS);
        }
        CLOSE(maps[m]);
    }
}

void test_unknown_huge_pages(void)
{
    const int32_t bad[] = {4, -1, 1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mapview_map_options o = mapview_map_options_init();
        o.huge_pages = bad[i];
        check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "huge_pages");
    }
    mapview_map_options o = mapview_map_options_init();
    o.huge_pages = 4;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "huge_pages 4");
}

void test_unknown_advice(void)
{
    /* At map time, through the options. */
    const int32_t bad[] = {6, -1, 1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mapview_map_options o = mapview_map_options_init();
        o.advice = bad[i];
        check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "advice");
    }
    mapview_map_options o = mapview_map_options_init();
    o.advice = 6;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_FLAGS, "advice 6");

    /* Later, through mapview_map_advise (where _NONE is not advice either). */
    mapview_map map = {0};
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_map_anonymous(4096, false, NULL, &map, &err), err))
        return;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CHECK_ERR(mapview_map_advise(map, bad[i], 0, MAPVIEW_TO_END, &err), err,
                  MAPVIEW_ERR_INVALID_FLAGS, "MAPVIEW_ADVICE_*");
        CHECK_STATUS(mapview_map_advise(map, bad[i], 0, 1, NULL),
                     MAPVIEW_ERR_INVALID_FLAGS);
    }
    CHECK_ERR(mapview_map_advise(map, MAPVIEW_ADVICE_NONE, 0, MAPVIEW_TO_END, &err),
              err, MAPVIEW_ERR_INVALID_FLAGS, "MAPVIEW_ADVICE_NONE");
    CLOSE(map);
}

void test_options_struct_size(void)
{
    /* 0: not initialised. */
    mapview_map_options o = mapview_map_options_init();
    o.struct_size = 0;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size is 0");

    /* Bigger than this library knows: a struct from a newer header (the
     * library must not read past what it knows, so use a real buffer). */
    struct {
        mapview_map_options known;
        unsigned char newer_fields[64];
    } big;
    memset(&big, 0, sizeof big);
    big.known = mapview_map_options_init();
    const uint32_t sizes[] = {(uint32_t)sizeof(mapview_map_options) + 1,
                              (uint32_t)sizeof(mapview_map_options) + 8,
                              (uint32_t)sizeof big};
    for (size_t i = 0; i < 3; i++) {
        big.known.struct_size = sizes[i];
        check_options_refused(&big.known, MAPVIEW_ERR_INVALID_ARGUMENT,
                              "struct_size");
    }
    /* Smaller than the first version of the struct. */
    o = mapview_map_options_init();
    o.struct_size = 4;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size is 4");
    /* UINT32_MAX */
    o.struct_size = UINT32_MAX;
    check_options_refused(&o, MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size");
}
