/*
 * Threads: many threads opening, reading and closing maps at once while
 * sharing one map handle; and a handle closed while other threads are
 * calling on it (they must see MAPVIEW_OK or MAPVIEW_ERR_CLOSED, never
 * crash). Worker threads do not call CHECK (the harness is not
 * thread-safe): they count problems, and the test checks the counts.
 */
#define _XOPEN_SOURCE 700

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

#define N_THREADS 4
#define ITERATIONS 1000
#define FILE_LEN 8192

struct worker {
    pthread_t thread;
    int id;
    const char *path;
    const unsigned char *want; /* the file's bytes */
    mapview_map shared;        /* one handle used by every thread */
    int problems;
    char first_problem[256];
};

static void problem(struct worker *w, const char *what, mapview_status st,
                    mapview_error *err)
{
    if (w->problems++ == 0)
        snprintf(w->first_problem, sizeof w->first_problem,
                 "thread %d: %s: status %d (%s) %s", w->id, what, (int)st,
                 mapview_status_name(st), mapview_error_message(err));
}

static void *open_read_close(void *arg)
{
    struct worker *w = arg;
    mapview_error *err = NULL;
    for (int i = 0; i < ITERATIONS; i++) {
        /* A map of its own, opened, read and closed. */
        mapview_map map = {0};
        mapview_map_options o = mapview_map_options_init();
        o.offset = (uint64_t)(i % 100);
        o.length = MAPVIEW_TO_END;
        mapview_status st = mapview_map_open(w->path, MAPVIEW_NUL_TERMINATED,
                                             MAPVIEW_MODE_READ_ONLY, &o, &map, &err);
        if (st != MAPVIEW_OK) {
            problem(w, "open", st, err);
            mapview_error_free(err);
            err = NULL;
            continue;
        }
        const uint8_t *data = NULL;
        size_t len = 0;
        st = mapview_map_data(map, &data, &len, &err);
        if (st != MAPVIEW_OK || len != FILE_LEN - o.offset ||
            memcmp(data, w->want + o.offset, len) != 0)
            problem(w, "data of own map", st, err);
        mapview_error_free(err);
        err = NULL;
        st = mapview_map_close(map);
        if (st != MAPVIEW_OK)
            problem(w, "close", st, NULL);

        /* The handle every thread shares. */
        st = mapview_map_data(w->shared, &data, &len, &err);
        if (st != MAPVIEW_OK || len != FILE_LEN || data[i % FILE_LEN] != w->want[i % FILE_LEN])
            problem(w, "data of shared map", st, err);
        mapview_error_free(err);
        err = NULL;
        mapview_map_info info;
        st = mapview_map_info_get(w->shared, &info, &err);
        if (st != MAPVIEW_OK || info.len != FILE_LEN)
            problem(w, "info of shared map", st, err);
        mapview_error_free(err);
        err = NULL;
        if (i % 50 == 0) {
            /* Errors are values: a failure in this thread is read here. */
            st = mapview_map_data(map, &data, &len, &err); /* closed above */
            if (st != MAPVIEW_ERR_CLOSED || mapview_error_code(err) != MAPVIEW_ERR_CLOSED)
                problem(w, "data of closed map", st, err);
            mapview_error_free(err);
            err = NULL;
        }
    }
    return NULL;
}

void test_threads_open_read_close(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "threads.bin");
    unsigned char *want = malloc(FILE_LEN);
    th_fill(want, FILE_LEN, 30);
    CHECK(th_write_file(path, want, FILE_LEN));
    mapview_map shared = OPEN(path, MAPVIEW_MODE_READ_ONLY);

    struct worker workers[N_THREADS];
    memset(workers, 0, sizeof workers);
    int started = 0;
    for (int t = 0; t < N_THREADS; t++) {
        workers[t].id = t;
        workers[t].path = path;
        workers[t].want = want;
        workers[t].shared = shared;
        if (pthread_create(&workers[t].thread, NULL, open_read_close, &workers[t]) != 0)
            break;
        started++;
    }
    CHECK_EQ(started, N_THREADS);
    for (int t = 0; t < started; t++) {
        pthread_join(workers[t].thread, NULL);
        CHECK_EQ(workers[t].problems, 0);
        if (workers[t].problems != 0)
            th_fail(__FILE__, __LINE__, "%s", workers[t].first_problem);
    }
    CLOSE(shared);
    free(want);
}

/* ---- closing a handle other threads are using ----------------------------- */

struct race {
    mapview_map map;
    pthread_barrier_t start;
    atomic_int closes_ok;     /* closes that returned MAPVIEW_OK */
    atomic_int closes_closed; /* closes that returned MAPVIEW_ERR_CLOSED */
    atomic_int seen_ok;
    atomic_int seen_closed;
    atomic_int bad; /* any other status, or an inconsistent error object */
};

static const mapview_record_layout race_layout = {16, 0, 8, MAPVIEW_KEY_UNSIGNED_LE};

/* One call's outcome: OK with no error object, or CLOSED with a CLOSED one. */
static bool note(struct race *r, mapview_status st, mapview_error *err)
{
    if (st == MAPVIEW_OK && err == NULL) {
        atomic_fetch_add(&r->seen_ok, 1);
    } else if (st == MAPVIEW_ERR_CLOSED && mapview_error_code(err) == MAPVIEW_ERR_CLOSED) {
        atomic_fetch_add(&r->seen_closed, 1);
    } else {
        if (atomic_fetch_add(&r->bad, 1) < 5)
            fprintf(stderr, "#   race: unexpected status %d (%s): %s\n", (int)st,
                mapview_status_name(st), mapview_error_message(err));
    }
    mapview_error_free(err);
    return st == MAPVIEW_ERR_CLOSED;
}

static void *race_reader(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    int after_close = 0;
    /* Call until the handle is seen closed, then a few more times (bounded
     * so a library that never reports CLOSED still ends the test). */
    for (long i = 0; i < 2000000 && after_close < 20; i++) {
        mapview_error *err = NULL;
        const uint8_t *data = NULL;
        size_t len = 0;
        mapview_status st;
        /* Status first, then note(): the call must finish before err is read. */
        switch (i % 5) {
        case 0:
            st = mapview_map_data(r->map, &data, &len, &err);
            break; /* the pointer is never read: the map may be gone */
        case 1: {
            mapview_map_info info;
            st = mapview_map_info_get(r->map, &info, &err);
            break;
        }
        case 2: {
            size_t count = 0;
            st = mapview_records_count(r->map, &race_layout, &count, &err);
            break;
        }
        case 3:
            st = mapview_map_advise(r->map, MAPVIEW_ADVICE_WILL_NEED, 0,
                                    MAPVIEW_TO_END, &err);
            break;
        default:
            st = mapview_map_populate(r->map, NULL, &err);
            break;
        }
        bool closed = note(r, st, err);
        if (closed)
            after_close++;
    }
    return NULL;
}

static void *race_closer(void *arg)
{
    struct race *r = arg;
    pthread_barrier_wait(&r->start);
    /* Let the readers get going first. */
    for (int i = 0; i < 200; i++) {
        mapview_error *err = NULL;
        const uint8_t *data = NULL;
        size_t len = 0;
        mapview_status st = mapview_map_data(r->map, &data, &len, &err);
        note(r, st, err);
    }
    mapview_status st = mapview_map_close(r->map);
    if (st == MAPVIEW_OK)
        atomic_fetch_add(&r->closes_ok, 1);
    else if (st == MAPVIEW_ERR_CLOSED)
        atomic_fetch_add(&r->closes_closed, 1);
    else
        atomic_fetch_add(&r->bad, 1);
    return NULL;
}

void test_threads_close_while_in_use(void)
{
    enum { READERS = 3, CLOSERS = 2, ROUNDS = 10 };
    for (int round = 0; round < ROUNDS; round++) {
        struct race r;
        memset(&r, 0, sizeof r);
        atomic_init(&r.closes_ok, 0);
        atomic_init(&r.closes_closed, 0);
        atomic_init(&r.seen_ok, 0);
        atomic_init(&r.seen_closed, 0);
        atomic_init(&r.bad, 0);
        mapview_error *err = NULL;
        /* Alternate between an anonymous map and a file map. */
        if (round % 2 == 0) {
            if (!CHECK_OK(mapview_map_anonymous(64 * 1024, round % 4 == 0, NULL,
                                                &r.map, &err),
                          err))
                return;
        } else {
            char path[TH_PATH_MAX];
            th_path(path, "race.bin");
            if (th_file_size(path) < 0) {
                unsigned char *buf = calloc(64 * 1024, 1);
                CHECK(th_write_file(path, buf, 64 * 1024));
                free(buf);
            }
            r.map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
        }
        pthread_barrier_init(&r.start, NULL, READERS + CLOSERS);
        pthread_t threads[READERS + CLOSERS];
        for (int t = 0; t < READERS; t++)
            pthread_create(&threads[t], NULL, race_reader, &r);
        for (int t = 0; t < CLOSERS; t++)
            pthread_create(&threads[READERS + t], NULL, race_closer, &r);
        for (int t = 0; t < READERS + CLOSERS; t++)
            pthread_join(threads[t], NULL);
        pthread_barrier_destroy(&r.start);

        CHECK_EQ(atomic_load(&r.bad), 0);
        /* Exactly one close won; the other saw the handle already closed. */
        CHECK_EQ(atomic_load(&r.closes_ok), 1);
        CHECK_EQ(atomic_load(&r.closes_closed), CLOSERS - 1);
        CHECK(atomic_load(&r.seen_ok) > 0);
        CHECK(atomic_load(&r.seen_closed) >= READERS * 20);
        /* Afterwards the handle stays closed. */
        CHECK_STATUS(mapview_map_close(r.map), MAPVIEW_ERR_CLOSED);
        if (th_failures() > 0)
            return;
    }
}
