/*
 * record_lookup FILE KEY
 * record_lookup --make FILE N
 *
 * FILE holds 16-byte records { uint64 key; uint64 value } (both
 * little-endian), sorted by key. The first form binary-searches KEY and
 * prints
 *     found KEY at INDEX value VALUE          (exit status 0)
 *     not found KEY (would be at INDEX)       (exit status 1)
 * Errors (a missing file, a length that is not a multiple of 16, ...) are
 * reported on stderr with exit status 2.
 *
 * The second form creates FILE (never overwriting one) with N records:
 * key i*2 and value i*i for i < N.
 *
 * Shows: record layouts, mapview_records_search / _get / _count, creating
 * and filling a file through a writable map, flushing it, and complete
 * error handling.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mapview.h"

#define RECORD_SIZE 16

/* The record layout: 16 bytes, the key is an unsigned little-endian
 * 8-byte integer at offset 0. */
static const mapview_record_layout layout = {
    .record_size = RECORD_SIZE,
    .key_offset = 0,
    .key_len = 8,
    .key_kind = MAPVIEW_KEY_UNSIGNED_LE,
};

/* Little-endian on disk whatever the host's byte order. */
static void put_u64le(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_u64le(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Prints a library error, frees it, and returns the error exit status. */
static int report(const char *what, mapview_error *err)
{
    fprintf(stderr, "record_lookup: %s: %s\n", what, mapview_error_message(err));
    mapview_error_free(err);
    return 2;
}

/* A decimal uint64 with nothing else around it. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (s[0] < '0' || s[0] > '9')
        return 0; /* no sign, no spaces */
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = (uint64_t)v;
    return 1;
}

static int make_file(const char *path, uint64_t n)
{
    if (n > UINT64_MAX / RECORD_SIZE) {
        fprintf(stderr, "record_lookup: %" PRIu64 " records do not fit in a file\n", n);
        return 2;
    }
    mapview_map map;
    mapview_error *err = NULL;
    /* Fails with MAPVIEW_ERR_ALREADY_EXISTS rather than overwrite a file. */
    if (mapview_map_create(path, MAPVIEW_NUL_TERMINATED, n * RECORD_SIZE, NULL, &map,
                           &err) != MAPVIEW_OK)
        return report("cannot create the file", err);

    int status = 0;
    uint8_t *data;
    size_t len;
    if (mapview_map_data_mut(map, &data, &len, &err) != MAPVIEW_OK) {
        status = report("cannot write the map", err);
    } else {
        for (uint64_t i = 0; i < n; i++) {
            put_u64le(data + i * RECORD_SIZE, i * 2);
            put_u64le(data + i * RECORD_SIZE + 8, i * i);
        }
        /* Write the pages to disk and wait, so errors are seen here. */
        if (mapview_map_flush(map, 0, MAPVIEW_TO_END, 0, &err) != MAPVIEW_OK)
            status = report("cannot flush the file", err);
    }
    if (mapview_map_close(map) != MAPVIEW_OK && status == 0) {
        fprintf(stderr, "record_lookup: closing the map failed\n");
        status = 2;
    }
    if (status == 0)
        printf("wrote %" PRIu64 " records to %s\n", n, path);
    return status;
}

static int lookup(const char *path, uint64_t key)
{
    mapview_map map;
    mapview_error *err = NULL;
    mapview_map_options options = mapview_map_options_init();
    options.advice = MAPVIEW_ADVICE_RANDOM; /* a binary search jumps around */
    if (mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY,
                         &options, &map, &err) != MAPVIEW_OK)
        return report("cannot map the file", err);

    /* The key in the records' own encoding. */
    uint8_t key_bytes[8];
    put_u64le(key_bytes, key);

    int status;
    size_t index;
    bool found;
    const uint8_t *record;
    if (mapview_records_search(map, &layout, key_bytes, sizeof key_bytes, &index,
                               &found, &err) != MAPVIEW_OK) {
        /* e.g. MAPVIEW_ERR_RECORD_SIZE: the file is not whole records. */
        status = report("cannot search the records", err);
    } else if (!found) {
        printf("not found %" PRIu64 " (would be at %zu)\n", key, index);
        status = 1;
    } else if (mapview_records_get(map, &layout, index, &record, &err) !=
               MAPVIEW_OK) {
        status = report("cannot read the record", err);
    } else {
        /* `record` points into the map: read it before closing. */
        printf("found %" PRIu64 " at %zu value %" PRIu64 "\n", key, index,
               get_u64le(record + 8));
        status = 0;
    }
    if (mapview_map_close(map) != MAPVIEW_OK) {
        fprintf(stderr, "record_lookup: closing the map failed\n");
        status = 2;
    }
    return status;
}

int main(int argc, char **argv)
{
    uint64_t number;
    if (argc == 4 && strcmp(argv[1], "--make") == 0) {
        if (!parse_u64(argv[3], &number)) {
            fprintf(stderr, "record_lookup: N must be a non-negative integer, not '%s'\n",
                    argv[3]);
            return 2;
        }
        return make_file(argv[2], number);
    }
    if (argc == 3 && strcmp(argv[1], "--make") != 0) {
        if (!parse_u64(argv[2], &number)) {
            fprintf(stderr, "record_lookup: KEY must be a non-negative integer, not '%s'\n",
                    argv[2]);
            return 2;
        }
        return lookup(argv[1], number);
    }
    fprintf(stderr, "usage: record_lookup FILE KEY\n"
                    "       record_lookup --make FILE N\n");
    return 2;
}
