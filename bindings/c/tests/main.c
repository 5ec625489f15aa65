/*
 * The harness behind harness.h, and main: runs every test of TEST_LIST,
 * prints `ok - NAME` or `FAIL - NAME: DETAIL` per test and ends with
 * `N passed, N failed`. Exit status 0 only when no test failed.
 *
 * Usage: test_mapview [SCRATCH_DIR]
 * The tests write their files into a fresh directory made with mkdtemp
 * inside SCRATCH_DIR (default /tmp), which is removed at the end.
 */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* ---- state of the running test ------------------------------------------ */

static const char *current_test = "(none)";
static int current_failures;
static char first_failure[1024];
static char scratch_dir[TH_PATH_MAX];

void th_fail(const char *file, int line, const char *fmt, ...)
{
    char detail[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    if (current_failures == 0)
        snprintf(first_failure, sizeof first_failure, "%s:%d: %s", file, line,
                 detail);
    current_failures++;
    /* Failures go to stderr as they happen (the first few per test, so a
     * check failing in a loop does not flood the output); the FAIL line on
     * stdout carries the first one and the count. */
    if (current_failures <= 8)
        fprintf(stderr, "#   %s: %s:%d: %s\n", current_test, file, line, detail);
    else if (current_failures == 9)
        fprintf(stderr, "#   %s: (further failures not shown)\n", current_test);
}

int th_failures(void) { return current_failures; }

bool th_check_ok(const char *file, int line, const char *text,
                 mapview_status got, mapview_error **err)
{
    bool ok = true;
    if (got != MAPVIEW_OK) {
        th_fail(file, line, "%s returned %d (%s), expected MAPVIEW_OK: %s",
                text, (int)got, mapview_status_name(got),
                *err ? mapview_error_message(*err) : "(no error object)");
        ok = false;
    } else if (*err != NULL) {
        th_fail(file, line, "%s succeeded but left an error object: %s", text,
                mapview_error_message(*err));
        ok = false;
    }
    mapview_error_free(*err);
    *err = NULL;
    return ok;
}

bool th_check_err(const char *file, int line, const char *text,
                  mapview_status got, mapview_error **err,
                  mapview_status want, const char *needle)
{
    bool ok = true;
    const char *msg = mapview_error_message(*err);
    if (got != want) {
        th_fail(file, line, "%s returned %d (%s), expected %d (%s); message: %s",
                text, (int)got, mapview_status_name(got), (int)want,
                mapview_status_name(want), *err ? msg : "(no error object)");
        ok = false;
    }
    if (*err == NULL) {
        th_fail(file, line, "%s: no error object stored in err", text);
        ok = false;
    } else {
        mapview_status code = mapview_error_code(*err);
        if (code != want) {
            th_fail(file, line, "%s: mapview_error_code is %d (%s), expected %d (%s)",
                    text, (int)code, mapview_status_name(code), (int)want,
                    mapview_status_name(want));
            ok = false;
        }
        if (msg == NULL || msg[0] == '\0') {
            th_fail(file, line, "%s: the error message is empty", text);
            ok = false;
        } else if (needle != NULL && strstr(msg, needle) == NULL) {
            th_fail(file, line, "%s: message \"%s\" does not name \"%s\"", text,
                    msg, needle);
            ok = false;
        }
    }
    mapview_error_free(*err);
    *err = NULL;
    return ok;
}

bool th_check_status(const char *file, int line, const char *text,
                     mapview_status got, mapview_status want)
{
    if (got == want)
        return true;
    th_fail(file, line, "%s returned %d (%s), expected %d (%s)", text, (int)got,
            mapview_status_name(got), (int)want, mapview_status_name(want));
    return false;
}

/* ---- scratch files ------------------------------------------------------- */

const char *th_scratch(void) { return scratch_dir; }

void th_path(char *out, const char *name)
{
    int n = snprintf(out, TH_PATH_MAX, "%s/%s", scratch_dir, name);
    if (n < 0 || n >= TH_PATH_MAX) {
        fprintf(stderr, "path too long: %s/%s\n", scratch_dir, name);
        abort();
    }
}

bool th_write_file(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    const unsigned char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return close(fd) == 0;
}

unsigned char *th_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return NULL;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        close(fd);
        return NULL;
    }
    size_t size = (size_t)st.st_size;
    unsigned char *buf = malloc(size + 1); /* +1: never malloc(0) */
    size_t got = 0;
    while (buf != NULL && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (buf != NULL && got != size) {
        free(buf);
        buf = NULL;
    }
    if (buf != NULL)
        *len = size;
    return buf;
}

long long th_file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (long long)st.st_size;
}

void th_fill(unsigned char *buf, size_t len, unsigned seed)
{
    uint32_t x = 2463534242u ^ (seed * 2654435761u);
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        buf[i] = (unsigned char)(x >> 24);
    }
}

mapview_map th_open(const char *file, int line, const char *path,
                    mapview_mode mode)
{
    mapview_map map = {0};
    mapview_error *err = NULL;
    th_check_ok(file, line, "mapview_map_open",
                mapview_map_open(path, MAPVIEW_NUL_TERMINATED, mode, NULL, &map,
                                 &err),
                &err);
    return map;
}

/* ---- main ---------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    if (remove(path) != 0)
        fprintf(stderr, "# could not remove %s: %s\n", path, strerror(errno));
    return 0;
}

struct test_entry {
    const char *name;
    void (*run)(void);
};

#define TH_ENTRY(name) {#name, test_##name},
static const struct test_entry tests[] = {TEST_LIST(TH_ENTRY)};

int main(int argc, char **argv)
{
    if (argc > 2) {
        fprintf(stderr, "usage: %s [SCRATCH_DIR]\n", argv[0]);
        return 2;
    }
    const char *base = argc == 2 ? argv[1] : "/tmp";
    int n = snprintf(scratch_dir, sizeof scratch_dir, "%s/mapview-test-XXXXXX",
                     base);
    if (n < 0 || (size_t)n >= sizeof scratch_dir - 512) {
        fprintf(stderr, "scratch directory path too long: %s\n", base);
        return 2;
    }
    if (mkdtemp(scratch_dir) == NULL) {
        fprintf(stderr, "cannot make a scratch directory in %s: %s\n", base,
                strerror(errno));
        return 2;
    }
    /* Test output interleaves with children made by fork: flush per line. */
    setvbuf(stdout, NULL, _IOLBF, 0);

    /* MAPVIEW_TEST_SKIP=prefix skips the tests whose names start with it:
     * under valgrind, the wasm_ tests (valgrind cannot emulate the
     * mremap(old_size=0) that places views, nor the JIT's guard pages). */
    const char *skip = getenv("MAPVIEW_TEST_SKIP");
    size_t count = sizeof tests / sizeof tests[0];
    size_t passed = 0, failed = 0, skipped = 0;
    for (size_t i = 0; i < count; i++) {
        if (skip && *skip && strncmp(tests[i].name, skip, strlen(skip)) == 0) {
            skipped++;
            printf("skip - %s (MAPVIEW_TEST_SKIP=%s)\n", tests[i].name, skip);
            continue;
        }
        current_test = tests[i].name;
        current_failures = 0;
        first_failure[0] = '\0';
        tests[i].run();
        if (current_failures == 0) {
            passed++;
            printf("ok - %s\n", tests[i].name);
        } else {
            failed++;
            if (current_failures > 1)
                printf("FAIL - %s: %s (and %d more)\n", tests[i].name,
                       first_failure, current_failures - 1);
            else
                printf("FAIL - %s: %s\n", tests[i].name, first_failure);
        }
    }

    nftw(scratch_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    if (skipped)
        printf("%zu passed, %zu failed, %zu skipped\n", passed, failed, skipped);
    else
        printf("%zu passed, %zu failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
