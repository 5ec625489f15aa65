/*
 * The map cache: a hit is the same memory, least recently used maps go
 * first but never held ones, arrays over cached maps, counters, many
 * threads at once, and misuse (NULL, closed and released handles).
 * Worker threads count problems instead of calling CHECK (the harness is
 * not thread-safe).
 */
#define _XOPEN_SOURCE 700

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static void make_files(int n, size_t len, char paths[][TH_PATH_MAX])
{
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "cache%d.bin", i);
        th_path(paths[i], name);
        unsigned char *buf = malloc(len);
        memset(buf, 'a' + i, len);
        CHECK(th_write_file(paths[i], buf, len));
        free(buf);
    }
}

void test_cache_hit_is_the_same_map(void)
{
    char paths[1][TH_PATH_MAX];
    make_files(1, 100, paths);
    mapview_error *err = NULL;
    mapview_cache cache = {0};
    if (!CHECK_OK(mapview_cache_create(4, 0, &cache, &err), err))
        return;
    mapview_cached_map m1 = {0}, m2 = {0};
    const uint8_t *d1 = NULL, *d2 = NULL;
    size_t l1 = 0, l2 = 0;
    CHECK_OK(mapview_cache_get(cache, paths[0], MAPVIEW_NUL_TERMINATED, &m1, &d1, &l1, &err), err);
    CHECK_OK(mapview_cache_get(cache, paths[0], MAPVIEW_NUL_TERMINATED, &m2, NULL, NULL, &err), err);
    CHECK_OK(mapview_cached_map_data(m2, &d2, &l2, &err), err);
    CHECK(d1 != NULL && d1 == d2);
    CHECK_EQU(l1, 100);
    CHECK(d1 != NULL && d1[99] == 'a');
    CHECK(m1.id != m2.id);
    bool has = false;
    CHECK_OK(mapview_cache_contains(cache, paths[0], MAPVIEW_NUL_TERMINATED, &has, &err), err);
    CHECK(has);
    CHECK_OK(mapview_cache_contains(cache, "elsewhere", MAPVIEW_NUL_TERMINATED, &has, &err), err);
    CHECK(!has);
    CHECK_ERR(mapview_cache_contains(cache, paths[0], MAPVIEW_NUL_TERMINATED, NULL, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "out_contains");
    mapview_cache_stats st;
    if (CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err)) {
        CHECK_EQU(st.maps, 1);
        CHECK_EQU(st.bytes, 100);
        CHECK_EQU(st.hits, 1);
        CHECK_EQU(st.misses, 1);
        CHECK_EQU(st.evictions, 0);
    }
    /* Closing the cache leaves held maps valid. */
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
    CHECK(d1[0] == 'a');
    CHECK_STATUS(mapview_cached_map_release(m1), MAPVIEW_OK);
    CHECK_STATUS(mapview_cached_map_release(m2), MAPVIEW_OK);
}

void test_cache_evicts_least_recent_never_held(void)
{
    char paths[4][TH_PATH_MAX];
    make_files(4, 4096, paths);
    mapview_error *err = NULL;
    mapview_cache cache = {0};
    if (!CHECK_OK(mapview_cache_create(2, 0, &cache, &err), err))
        return;
    mapview_cached_map held = {0}, m = {0};
    CHECK_OK(mapview_cache_get(cache, paths[0], MAPVIEW_NUL_TERMINATED, &held, NULL, NULL, &err), err);
    for (int i = 1; i < 4; i++) {
        CHECK_OK(mapview_cache_get(cache, paths[i], MAPVIEW_NUL_TERMINATED, &m, NULL, NULL, &err), err);
        CHECK_STATUS(mapview_cached_map_release(m), MAPVIEW_OK);
    }
    mapview_cache_stats st;
    CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err);
    CHECK_EQU(st.maps, 2);         /* the held one and the latest */
    CHECK_EQU(st.evictions, 2);
    CHECK_OK(mapview_cache_get(cache, paths[0], MAPVIEW_NUL_TERMINATED, &m, NULL, NULL, &err), err);
    CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err);
    CHECK_EQU(st.hits, 1); /* still there: it was held */
    CHECK_STATUS(mapview_cached_map_release(m), MAPVIEW_OK);
    CHECK_STATUS(mapview_cached_map_release(held), MAPVIEW_OK);
    bool removed = false;
    CHECK_OK(mapview_cache_invalidate(cache, paths[0], MAPVIEW_NUL_TERMINATED, &removed, &err), err);
    CHECK(removed);
    CHECK_OK(mapview_cache_invalidate(cache, paths[0], MAPVIEW_NUL_TERMINATED, &removed, &err), err);
    CHECK(!removed);
    CHECK_OK(mapview_cache_trim(cache, &err), err);
    CHECK_OK(mapview_cache_clear(cache, &err), err);
    CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err);
    CHECK_EQU(st.maps, 0);
    CHECK_EQU(st.bytes, 0);
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);

    /* A byte limit. */
    if (!CHECK_OK(mapview_cache_create(0, 2 * 4096, &cache, &err), err))
        return;
    for (int i = 0; i < 4; i++) {
        CHECK_OK(mapview_cache_get(cache, paths[i], MAPVIEW_NUL_TERMINATED, &m, NULL, NULL, &err), err);
        CHECK_STATUS(mapview_cached_map_release(m), MAPVIEW_OK);
    }
    CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err);
    CHECK_EQU(st.bytes, 2 * 4096);
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
}

void test_cache_arrays(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "cached.npy");
    mapview_error *err = NULL;
    uint64_t shape[1] = {4};
    mapview_array_spec s = mapview_array_spec_init();
    s.dtype = MAPVIEW_DTYPE_I16;
    s.shape = shape;
    s.ndim = 1;
    int16_t vals[4] = {1, 2, 3, -10};
    mapview_array a = {0}, b = {0};
    if (!CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, vals, sizeof vals, &a, &err), err))
        return;
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    mapview_cache cache = {0};
    if (!CHECK_OK(mapview_cache_create(8, 1 << 20, &cache, &err), err))
        return;
    CHECK_OK(mapview_cache_get_array(cache, path, MAPVIEW_NUL_TERMINATED, NULL, &a, &err), err);
    CHECK_OK(mapview_cache_get_array(cache, path, MAPVIEW_NUL_TERMINATED, NULL, &b, &err), err);
    const void *da = NULL, *db = NULL;
    size_t la = 0, lb = 0;
    CHECK_OK(mapview_array_data(a, &da, &la, &err), err);
    CHECK_OK(mapview_array_data(b, &db, &lb, &err), err);
    CHECK(da != NULL && da == db);
    mapview_value v;
    if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
        CHECK(v.i == -4 && v.dtype == MAPVIEW_DTYPE_I64);
    void *w = NULL;
    CHECK_ERR(mapview_array_data_mut(a, &w, &la, &err), err, MAPVIEW_ERR_READ_ONLY, "read-only");
    mapview_array_info info;
    if (CHECK_OK(mapview_array_info_get(a, &info, &err), err))
        CHECK(!info.writable);
    /* Raw view of the same cached file. */
    mapview_array_spec raw = mapview_array_spec_init();
    raw.format = MAPVIEW_FORMAT_RAW;
    raw.dtype = MAPVIEW_DTYPE_U8;
    raw.flags = MAPVIEW_ARRAY_INFER_SHAPE;
    mapview_array r = {0};
    if (CHECK_OK(mapview_cache_get_array(cache, path, MAPVIEW_NUL_TERMINATED, &raw, &r, &err), err)) {
        CHECK_OK(mapview_array_info_get(r, &info, &err), err);
        CHECK_EQU(info.count, 128 + 8);
        CHECK_STATUS(mapview_array_close(r), MAPVIEW_OK);
    }
    char bad[TH_PATH_MAX];
    th_path(bad, "not_npy.bin");
    CHECK(th_write_file(bad, "garbage!", 8));
    CHECK_ERR(mapview_cache_get_array(cache, bad, MAPVIEW_NUL_TERMINATED, NULL, &r, &err), err,
              MAPVIEW_ERR_CORRUPT, bad);
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
    if (CHECK_OK(mapview_array_max(b, &v, &err), err))
        CHECK(v.i == 3);
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    CHECK_STATUS(mapview_array_close(b), MAPVIEW_OK);
}

void test_cache_misuse(void)
{
    mapview_error *err = NULL;
    mapview_cache cache = {0};
    mapview_cached_map m = {0};
    const uint8_t *d = NULL;
    size_t l = 0;
    mapview_cache_stats st;
    CHECK_ERR(mapview_cache_create(1, 1, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_cache");
    if (!CHECK_OK(mapview_cache_create(1, 1, &cache, &err), err))
        return;
    char missing[TH_PATH_MAX];
    th_path(missing, "missing.bin");
    CHECK_ERR(mapview_cache_get(cache, missing, MAPVIEW_NUL_TERMINATED, &m, &d, &l, &err), err,
              MAPVIEW_ERR_NOT_FOUND, missing);
    CHECK_EQU(m.id, 0);
    CHECK_ERR(mapview_cache_get(cache, NULL, 0, &m, &d, &l, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "path");
    CHECK_ERR(mapview_cache_get(cache, missing, MAPVIEW_NUL_TERMINATED, NULL, &d, &l, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "out_map");
    CHECK_ERR(mapview_cache_stats_get(cache, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_stats");
    CHECK_ERR(mapview_cache_invalidate(cache, NULL, 0, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "path");
    CHECK_ERR(mapview_cached_map_data(m, &d, &l, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "0");
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_cache_get(cache, missing, MAPVIEW_NUL_TERMINATED, &m, &d, &l, &err), err,
              MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_cache_stats_get(cache, &st, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_cache_clear(cache, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_cache_trim(cache, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    bool has = true;
    CHECK_ERR(mapview_cache_contains(cache, missing, MAPVIEW_NUL_TERMINATED, &has, &err), err,
              MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_cache_invalidate(cache, missing, MAPVIEW_NUL_TERMINATED, NULL, &err), err,
              MAPVIEW_ERR_CLOSED, "closed");
    /* Released twice; a cache handle is not a cached map handle. */
    char paths[1][TH_PATH_MAX];
    make_files(1, 10, paths);
    if (CHECK_OK(mapview_cache_create(0, 0, &cache, &err), err)) {
        if (CHECK_OK(mapview_cache_get(cache, paths[0], MAPVIEW_NUL_TERMINATED, &m, &d, &l, &err), err)) {
            CHECK_STATUS(mapview_cached_map_release(m), MAPVIEW_OK);
            CHECK_STATUS(mapview_cached_map_release(m), MAPVIEW_ERR_CLOSED);
            CHECK_ERR(mapview_cached_map_data(m, &d, &l, &err), err, MAPVIEW_ERR_CLOSED, "was closed");
        }
        mapview_cached_map forged = {cache.id};
        CHECK_STATUS(mapview_cached_map_release(forged), MAPVIEW_ERR_INVALID_HANDLE);
        CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
    }
}

struct cache_worker {
    mapview_cache cache;
    char (*paths)[TH_PATH_MAX];
    int seed;
    atomic_int *problems;
};

static void *cache_worker(void *p)
{
    struct cache_worker *w = p;
    unsigned x = 2463534242u + (unsigned)w->seed * 7919u;
    for (int i = 0; i < 3000; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        int f = (int)(x % 8);
        mapview_cached_map m;
        const uint8_t *d = NULL;
        size_t l = 0;
        if (mapview_cache_get(w->cache, w->paths[f], MAPVIEW_NUL_TERMINATED, &m, &d, &l, NULL) != MAPVIEW_OK) {
            atomic_fetch_add(w->problems, 1);
            continue;
        }
        if (l != 256 || d[0] != 'a' + f || d[255] != 'a' + f)
            atomic_fetch_add(w->problems, 1);
        if (mapview_cached_map_release(m) != MAPVIEW_OK)
            atomic_fetch_add(w->problems, 1);
    }
    return NULL;
}

void test_cache_threads(void)
{
    static char paths[8][TH_PATH_MAX];
    make_files(8, 256, paths);
    mapview_error *err = NULL;
    mapview_cache cache = {0};
    if (!CHECK_OK(mapview_cache_create(3, 0, &cache, &err), err))
        return;
    atomic_int problems = 0;
    pthread_t threads[4];
    struct cache_worker workers[4];
    for (int t = 0; t < 4; t++) {
        workers[t] = (struct cache_worker){cache, paths, t, &problems};
        CHECK(pthread_create(&threads[t], NULL, cache_worker, &workers[t]) == 0);
    }
    for (int t = 0; t < 4; t++)
        pthread_join(threads[t], NULL);
    CHECK_EQ(atomic_load(&problems), 0);
    mapview_cache_stats st;
    CHECK_OK(mapview_cache_trim(cache, &err), err);
    if (CHECK_OK(mapview_cache_stats_get(cache, &st, &err), err)) {
        CHECK(st.maps <= 3);
        CHECK_EQU(st.hits + st.misses, 4 * 3000);
    }
    CHECK_STATUS(mapview_cache_close(cache), MAPVIEW_OK);
}
