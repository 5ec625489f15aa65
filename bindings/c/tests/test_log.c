/*
 * The event log through the C ABI: create, append (one and batch), sync,
 * read, refresh and wait, verify; a writer in another process; misuse.
 */
#define _XOPEN_SOURCE 700

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static bool create_log(const char *path, mapview_log_writer *w)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_log_create(path, MAPVIEW_NUL_TERMINATED, NULL, w, &err), err);
}

static bool open_reader(const char *path, mapview_log_reader *r)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_log_open_reader(path, MAPVIEW_NUL_TERMINATED, r, &err), err);
}

/* Reads every event from the start; returns how many, and checks each
 * payload is "event <i>". */
static uint64_t read_all(mapview_log_reader r)
{
    mapview_error *err = NULL;
    uint64_t offset = 0, n = 0;
    for (;;) {
        mapview_log_event e;
        bool has = false;
        if (!CHECK_OK(mapview_log_read(r, offset, &e, &has, &err), err) || !has)
            break;
        char want[32];
        int len = snprintf(want, sizeof want, "event %llu", (unsigned long long)n);
        CHECK_EQU(e.len, (size_t)len);
        CHECK_MEM(e.payload, want, (size_t)len);
        CHECK(e.next_offset > e.offset && e.next_offset % 8 == 0);
        offset = e.next_offset;
        n++;
    }
    return n;
}

static void append_numbered(mapview_log_writer w, uint64_t from, uint64_t to)
{
    mapview_error *err = NULL;
    for (uint64_t i = from; i < to; i++) {
        char p[32];
        int len = snprintf(p, sizeof p, "event %llu", (unsigned long long)i);
        CHECK_OK(mapview_log_append(w, p, (size_t)len, MAPVIEW_LOG_NOW, NULL, &err), err);
    }
}

void test_log_append_read_and_count(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "basic.log");
    mapview_log_writer w;
    mapview_error *err = NULL;
    if (!create_log(path, &w))
        return;
    uint64_t first = 0;
    CHECK_OK(mapview_log_append(w, "event 0", 7, 1234, &first, &err), err);
    CHECK_EQU(first, 128);
    append_numbered(w, 1, 50);
    uint64_t count = 0, end = 0;
    CHECK_OK(mapview_log_writer_count(w, &count, &end, &err), err);
    CHECK_EQU(count, 50);
    CHECK_OK(mapview_log_writer_count(w, NULL, NULL, &err), err);

    mapview_log_reader r;
    if (open_reader(path, &r)) {
        CHECK_EQU(read_all(r), 50);
        uint64_t rc = 0, rend = 0;
        CHECK_OK(mapview_log_reader_count(r, &rc, &rend, &err), err);
        CHECK_EQU(rc, 50);
        CHECK_EQU(rend, end);
        mapview_log_event e;
        bool has = false;
        CHECK_OK(mapview_log_read(r, 0, &e, &has, &err), err);
        CHECK(has);
        CHECK_EQU(e.timestamp_ns, 1234);
        CHECK_EQU(e.offset, 128);
        /* At the end: no event, not an error. */
        CHECK_OK(mapview_log_read(r, end, &e, &has, &err), err);
        CHECK(!has);
        /* Not an event boundary. */
        CHECK_ERR(mapview_log_read(r, 136, &e, &has, &err), err, MAPVIEW_ERR_CORRUPT, "not where one starts");
        CHECK_ERR(mapview_log_read(r, 3, &e, &has, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "event starts");
        CHECK_ERR(mapview_log_read(r, end + 8, &e, &has, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, NULL);
        CHECK_STATUS(mapview_log_reader_close(r), MAPVIEW_OK);
    }
    CHECK_STATUS(mapview_log_writer_close(w), MAPVIEW_OK);
}

void test_log_batch_and_sync(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "batch.log");
    mapview_log_options o = mapview_log_options_init();
    o.capacity = 4096;
    o.segment = 4096;
    mapview_log_writer w;
    mapview_error *err = NULL;
    if (!CHECK_OK(mapview_log_create(path, MAPVIEW_NUL_TERMINATED, &o, &w, &err), err))
        return;
    mapview_bytes items[3] = {{(const uint8_t *)"event 0", 7}, {(const uint8_t *)"event 1", 7}, {(const uint8_t *)"event 2", 7}};
    CHECK_OK(mapview_log_append_batch(w, items, 3, &err), err);
    CHECK_OK(mapview_log_append_batch(w, NULL, 0, &err), err);
    /* A batch with a NULL payload of non-zero length fails whole. */
    mapview_bytes bad[2] = {{(const uint8_t *)"event 3", 7}, {NULL, 5}};
    CHECK_ERR(mapview_log_append_batch(w, bad, 2, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "payloads[1]");
    CHECK_ERR(mapview_log_append_batch(w, NULL, 2, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "payloads");
    /* Many events: the log grows past its 4 KiB start. */
    append_numbered(w, 3, 600);
    CHECK_OK(mapview_log_sync(w, 0, &err), err);
    CHECK_OK(mapview_log_sync(w, MAPVIEW_FLUSH_ASYNC, &err), err);
    CHECK_ERR(mapview_log_sync(w, 0x80, &err), err, MAPVIEW_ERR_INVALID_FLAGS, "0x80");
    mapview_log_report rep;
    CHECK_OK(mapview_log_verify(path, MAPVIEW_NUL_TERMINATED, &rep, &err), err);
    CHECK_EQU(rep.good_events, 600);
    CHECK_EQU(rep.header_count, 600);
    CHECK_EQU(rep.damaged_events, 0);
    CHECK_EQU(rep.synced_offset, rep.write_offset);
    mapview_log_reader r;
    if (open_reader(path, &r)) {
        CHECK_EQU(read_all(r), 600);
        mapview_log_reader_close(r);
    }
    mapview_log_writer_close(w);
}

void test_log_reader_follows_a_writer_in_another_process(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "follow.log");
    mapview_log_writer w;
    mapview_error *err = NULL;
    if (!create_log(path, &w))
        return;
    append_numbered(w, 0, 10);
    mapview_log_writer_close(w);
    mapview_log_reader r;
    if (!open_reader(path, &r))
        return;
    bool grew = true;
    CHECK_OK(mapview_log_reader_refresh(r, &grew, &err), err);
    CHECK(!grew);
    CHECK_OK(mapview_log_reader_wait(r, 10, &grew, &err), err);
    CHECK(!grew);

    int ready[2], go[2];
    CHECK(pipe(ready) == 0 && pipe(go) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        /* Child: take the writer lock, tell the parent, wait, append. */
        mapview_log_writer cw;
        char c = 0;
        if (mapview_log_open_writer(path, MAPVIEW_NUL_TERMINATED, &cw, NULL) != MAPVIEW_OK)
            _exit(1);
        if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
            _exit(2);
        for (uint64_t i = 10; i < 3000; i++) {
            char p[32];
            int len = snprintf(p, sizeof p, "event %llu", (unsigned long long)i);
            if (mapview_log_append(cw, p, (size_t)len, MAPVIEW_LOG_NOW, NULL, NULL) != MAPVIEW_OK)
                _exit(3);
        }
        mapview_log_sync(cw, 0, NULL);
        mapview_log_writer_close(cw);
        mapview_log_reader_close(r);
        _exit(0);
    }
    char c = 0;
    CHECK(read(ready[0], &c, 1) == 1);
    /* The child holds the writer lock: a second writer is refused. */
    mapview_log_writer w2;
    CHECK_ERR(mapview_log_open_writer(path, MAPVIEW_NUL_TERMINATED, &w2, &err), err, MAPVIEW_ERR_BUSY, "another writer");
    CHECK_EQU(w2.id, 0);
    CHECK(write(go[1], "g", 1) == 1);
    /* Follow the tail until all 3000 are there. */
    uint64_t seen = 0;
    for (int tries = 0; tries < 500 && seen < 3000; tries++) {
        CHECK_OK(mapview_log_reader_wait(r, 20, &grew, &err), err);
        seen = read_all(r);
    }
    CHECK_EQU(seen, 3000);
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(ready[0]); close(ready[1]); close(go[0]); close(go[1]);
    mapview_log_reader_close(r);
    /* The lock went with the child: this process can write again. */
    if (CHECK_OK(mapview_log_open_writer(path, MAPVIEW_NUL_TERMINATED, &w2, &err), err))
        mapview_log_writer_close(w2);
}

void test_log_damage_is_reported_with_its_offset(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "damaged.log");
    mapview_log_writer w;
    mapview_error *err = NULL;
    if (!create_log(path, &w))
        return;
    append_numbered(w, 0, 20);
    uint64_t victim = 0;
    CHECK_OK(mapview_log_append(w, "event 20", 8, MAPVIEW_LOG_NOW, &victim, &err), err);
    append_numbered(w, 21, 30);
    CHECK_OK(mapview_log_sync(w, 0, &err), err);
    mapview_log_writer_close(w);
    /* Flip one payload byte of event 20 on disk. */
    int fd = open(path, O_RDWR);
    unsigned char b = 0;
    CHECK(pread(fd, &b, 1, (off_t)victim + 17) == 1);
    b ^= 0x20;
    CHECK(pwrite(fd, &b, 1, (off_t)victim + 17) == 1);
    close(fd);

    mapview_log_report rep;
    CHECK_OK(mapview_log_verify(path, MAPVIEW_NUL_TERMINATED, &rep, &err), err);
    CHECK_EQU(rep.damaged_events, 1);
    CHECK_EQU(rep.first_damaged_offset, victim);
    CHECK_EQU(rep.good_events, 29);
    char offset_text[32];
    snprintf(offset_text, sizeof offset_text, "%llu", (unsigned long long)victim);
    mapview_log_reader r;
    if (open_reader(path, &r)) {
        mapview_log_event e;
        bool has = false;
        CHECK_ERR(mapview_log_read(r, victim, &e, &has, &err), err, MAPVIEW_ERR_CORRUPT, "checksum");
        CHECK(!has);
        mapview_log_reader_close(r);
    }
    CHECK_ERR(mapview_log_open_writer(path, MAPVIEW_NUL_TERMINATED, &w, &err), err, MAPVIEW_ERR_CORRUPT, offset_text);
}

void test_log_bad_files_and_arguments(void)
{
    char path[TH_PATH_MAX], other[TH_PATH_MAX], missing[TH_PATH_MAX];
    th_path(path, "not-a-log");
    th_path(other, "args.log");
    th_path(missing, "missing.log");
    const char junk[200] = "this is not an event log";
    CHECK(th_write_file(path, junk, sizeof junk));
    mapview_error *err = NULL;
    mapview_log_writer w = {0};
    mapview_log_reader r = {0};
    mapview_log_report rep;
    CHECK_ERR(mapview_log_create(path, MAPVIEW_NUL_TERMINATED, NULL, &w, &err), err, MAPVIEW_ERR_ALREADY_EXISTS, path);
    CHECK_ERR(mapview_log_open_reader(path, MAPVIEW_NUL_TERMINATED, &r, &err), err, MAPVIEW_ERR_CORRUPT, "bad magic");
    CHECK_ERR(mapview_log_open_writer(path, MAPVIEW_NUL_TERMINATED, &w, &err), err, MAPVIEW_ERR_CORRUPT, "bad magic");
    CHECK_ERR(mapview_log_verify(path, MAPVIEW_NUL_TERMINATED, &rep, &err), err, MAPVIEW_ERR_CORRUPT, path);
    CHECK_ERR(mapview_log_open_reader(missing, MAPVIEW_NUL_TERMINATED, &r, &err), err, MAPVIEW_ERR_NOT_FOUND, missing);
    CHECK_ERR(mapview_log_open_writer(missing, MAPVIEW_NUL_TERMINATED, &w, &err), err, MAPVIEW_ERR_NOT_FOUND, missing);
    /* Options. */
    mapview_log_options o = mapview_log_options_init();
    o.flags = 0x100;
    CHECK_ERR(mapview_log_create(other, MAPVIEW_NUL_TERMINATED, &o, &w, &err), err, MAPVIEW_ERR_INVALID_FLAGS, "0x100");
    o = mapview_log_options_init();
    o.struct_size = 0;
    CHECK_ERR(mapview_log_create(other, MAPVIEW_NUL_TERMINATED, &o, &w, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size");
    o = mapview_log_options_init();
    o.segment = 0;
    CHECK_ERR(mapview_log_create(other, MAPVIEW_NUL_TERMINATED, &o, &w, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "segment");
    /* NULL arguments. */
    CHECK_ERR(mapview_log_create(NULL, 0, NULL, &w, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "path");
    CHECK_ERR(mapview_log_create(other, MAPVIEW_NUL_TERMINATED, NULL, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_writer");
    CHECK_ERR(mapview_log_open_writer(other, MAPVIEW_NUL_TERMINATED, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_writer");
    CHECK_ERR(mapview_log_open_reader(other, MAPVIEW_NUL_TERMINATED, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_reader");
    CHECK_ERR(mapview_log_verify(other, MAPVIEW_NUL_TERMINATED, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_report");
    if (!create_log(other, &w))
        return;
    CHECK_ERR(mapview_log_append(w, NULL, 3, MAPVIEW_LOG_NOW, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "payload");
    CHECK_OK(mapview_log_append(w, NULL, 0, MAPVIEW_LOG_NOW, NULL, &err), err);
    if (open_reader(other, &r)) {
        mapview_log_event e;
        bool has;
        CHECK_ERR(mapview_log_read(r, 0, NULL, &has, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_event");
        CHECK_ERR(mapview_log_read(r, 0, &e, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_has_event");
        /* Handles of the wrong type, closed handles, closing twice. */
        mapview_log_writer as_writer = {r.id};
        mapview_log_reader as_reader = {w.id};
        CHECK_ERR(mapview_log_append(as_writer, "x", 1, MAPVIEW_LOG_NOW, NULL, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "not a log writer");
        CHECK_ERR(mapview_log_read(as_reader, 0, &e, &has, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "not a log reader");
        CHECK_STATUS(mapview_log_reader_close(r), MAPVIEW_OK);
        CHECK_STATUS(mapview_log_reader_close(r), MAPVIEW_ERR_CLOSED);
        CHECK_ERR(mapview_log_read(r, 0, &e, &has, &err), err, MAPVIEW_ERR_CLOSED, "closed");
        CHECK_ERR(mapview_log_reader_refresh(r, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
        CHECK_ERR(mapview_log_reader_count(r, NULL, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    }
    CHECK_STATUS(mapview_log_writer_close(w), MAPVIEW_OK);
    CHECK_STATUS(mapview_log_writer_close(w), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_log_append(w, "x", 1, MAPVIEW_LOG_NOW, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_log_sync(w, 0, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_log_writer_count(w, NULL, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    mapview_log_writer zero = {0};
    CHECK_STATUS(mapview_log_writer_close(zero), MAPVIEW_ERR_INVALID_HANDLE);
}
