/*
 * count_lines FILE
 *
 * Prints "<lines> FILE", where <lines> is the number of '\n' bytes in the
 * file (what `wc -l` prints). The file is mapped read-only with sequential
 * advice, so the kernel reads ahead aggressively while we scan it once.
 *
 * Shows: options (mapview_map_options_init + a field), opening a file,
 * reading a map's bytes, and complete error handling: every failing call
 * has its message printed, its error freed, and the handle closed.
 */
#include <stdio.h>
#include <string.h>

#include "mapview.h"

/* Prints a library error (which names the file and the problem), frees it,
 * and gives the exit status to use. */
static int report(const char *what, mapview_error *err)
{
    fprintf(stderr, "count_lines: %s: %s\n", what, mapview_error_message(err));
    mapview_error_free(err); /* NULL is fine too */
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: count_lines FILE\n");
        return 2;
    }
    const char *path = argv[1];

    /* Default options, plus a hint that we read front to back once. */
    mapview_map_options options = mapview_map_options_init();
    options.advice = MAPVIEW_ADVICE_SEQUENTIAL;

    mapview_map map;
    mapview_error *err = NULL;
    if (mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                         &options, &map, &err) != MAPVIEW_OK)
        return report("cannot map the file", err);

    /* From here on the map must be closed on every path. */
    const uint8_t *data;
    size_t len;
    if (mapview_map_data(map, &data, &len, &err) != MAPVIEW_OK) {
        int status = report("cannot read the map", err);
        mapview_map_close(map);
        return status;
    }

    /* An empty file gives len 0 (and a pointer that must not be read). */
    unsigned long long lines = 0;
    const uint8_t *p = data, *end = data + len;
    while (len > 0 && p < end) {
        const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL)
            break;
        lines++;
        p = nl + 1;
    }

    /* The pointer is invalid once the map is closed: we are done with it. */
    if (mapview_map_close(map) != MAPVIEW_OK) {
        fprintf(stderr, "count_lines: closing the map failed\n");
        return 1;
    }
    printf("%llu %s\n", lines, path);
    return 0;
}
