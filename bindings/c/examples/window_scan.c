/*
 * window_scan FILE PATTERN [WINDOW_BYTES]
 *
 * Counts the occurrences of PATTERN in FILE without mapping the whole file
 * at once: the file is mapped one window at a time (WINDOW_BYTES, default
 * 1 MiB), consecutive windows overlapping by strlen(PATTERN) - 1 bytes so
 * that an occurrence straddling a window boundary lies whole inside the
 * later window. Prints "<count> occurrences in <windows> windows".
 *
 * Every position where PATTERN starts counts, so overlapping occurrences
 * count separately ("aa" occurs 3 times in "aaaa"). Each occurrence is
 * counted exactly once: in every window but the last, only matches that
 * start before the next window's start are counted (the rest lie whole in
 * the next window and are counted there).
 *
 * Shows: mapview_windows_open / _next / _count / _close, the lifetime of a
 * window's bytes (valid until the next call on the iterator), and complete
 * error handling.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapview.h"

#define DEFAULT_WINDOW (1024 * 1024)

static int report(const char *what, mapview_error *err)
{
    fprintf(stderr, "window_scan: %s: %s\n", what, mapview_error_message(err));
    mapview_error_free(err);
    return 1;
}

/* Occurrences of pat (plen bytes) starting at positions [0, limit) of
 * data (len bytes). Every match starting there fits: the caller passes
 * limit <= len - plen + 1. */
static uint64_t count_in(const uint8_t *data, size_t len, size_t limit,
                         const char *pat, size_t plen)
{
    uint64_t n = 0;
    size_t i = 0;
    if (len < plen)
        return 0;
    while (i < limit) {
        const uint8_t *hit = memchr(data + i, (unsigned char)pat[0], limit - i);
        if (hit == NULL)
            break;
        i = (size_t)(hit - data);
        if (memcmp(hit, pat, plen) == 0)
            n++;
        i++;
    }
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: window_scan FILE PATTERN [WINDOW_BYTES]\n");
        return 2;
    }
    const char *path = argv[1];
    const char *pattern = argv[2];
    size_t plen = strlen(pattern);
    if (plen == 0) {
        fprintf(stderr, "window_scan: PATTERN must not be empty\n");
        return 2;
    }
    uint64_t window = DEFAULT_WINDOW;
    if (argc == 4) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(argv[3], &end, 10);
        if (argv[3][0] < '0' || argv[3][0] > '9' || errno != 0 || *end != '\0' || v == 0) {
            fprintf(stderr, "window_scan: WINDOW_BYTES must be a positive integer, not '%s'\n",
                    argv[3]);
            return 2;
        }
        window = (uint64_t)v;
    }
    /* A pattern of overlap + 1 bytes always lies whole inside one window. */
    uint64_t overlap = plen - 1;
    if (window <= overlap) {
        fprintf(stderr, "window_scan: WINDOW_BYTES (%" PRIu64
                        ") must be at least the pattern length (%zu)\n",
                window, plen);
        return 2;
    }

    mapview_windows windows;
    mapview_error *err = NULL;
    if (mapview_windows_open(path, MAPVIEW_NUL_TERMINATED, window, overlap, &windows,
                             &err) != MAPVIEW_OK)
        return report("cannot open the file", err);

    /* From here on the iterator must be closed on every path. */
    int status = 0;
    uint64_t total = 0, seen = 0, count = 0;
    if (mapview_windows_count(windows, &total, &err) != MAPVIEW_OK) {
        status = report("cannot count the windows", err);
    } else {
        for (;;) {
            mapview_window w;
            bool has_window;
            if (mapview_windows_next(windows, &w, &has_window, &err) != MAPVIEW_OK) {
                status = report("cannot map the next window", err);
                break;
            }
            if (!has_window)
                break; /* the file is exhausted (an empty file has no windows) */
            seen++;
            /* The next window starts at len - overlap in this one; a match
             * starting there or later is counted in the next window. The
             * last window counts every match. */
            bool last = w.index + 1 == total;
            size_t limit = last ? (w.len >= plen ? w.len - plen + 1 : 0)
                                : w.len - (size_t)overlap;
            count += count_in(w.data, w.len, limit, pattern, plen);
            /* w.data becomes invalid at the next mapview_windows_next. */
        }
    }
    if (mapview_windows_close(windows) != MAPVIEW_OK) {
        fprintf(stderr, "window_scan: closing the iterator failed\n");
        status = 1;
    }
    if (status == 0)
        printf("%" PRIu64 " occurrences in %" PRIu64 " windows\n", count, seen);
    return status;
}
