/*
 * Records of a run-time layout: count, get, binary search with every key
 * kind, and the layout errors.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>

#include "harness.h"

static void put_le(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put_be(unsigned char *p, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[n - 1 - i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Writes `data` to NAME in the scratch dir and maps it read-only. */
static mapview_map map_bytes(const char *name, const void *data, size_t len)
{
    char path[TH_PATH_MAX];
    th_path(path, name);
    CHECK(th_write_file(path, data, len));
    return OPEN(path, MAPVIEW_MODE_READ_ONLY);
}

/* Searches `key` and checks (found, index). */
static void expect_search(mapview_map map, const mapview_record_layout *layout,
                          const void *key, size_t key_len, bool want_found,
                          size_t want_index, int line)
{
    mapview_error *err = NULL;
    size_t index = 12345;
    bool found = !want_found;
    if (!th_check_ok(__FILE__, line, "mapview_records_search",
                     mapview_records_search(map, layout, key, key_len, &index,
                                            &found, &err),
                     &err))
        return;
    if (found != want_found || index != want_index)
        th_fail(__FILE__, line, "search: got found=%d index=%zu, want found=%d index=%zu",
                (int)found, index, (int)want_found, want_index);
}
#define EXPECT_SEARCH(map, layout, key, key_len, found, index) \
    expect_search((map), (layout), (key), (key_len), (found), (index), __LINE__)

/* 100 records {u64 key = 3i LE, u64 value = i*i}. */
#define N_REC 100
static mapview_map make_u64_records(const char *name)
{
    unsigned char buf[N_REC * 16];
    for (uint64_t i = 0; i < N_REC; i++) {
        put_le(buf + i * 16, 3 * i, 8);
        put_le(buf + i * 16 + 8, i * i, 8);
    }
    return map_bytes(name, buf, sizeof buf);
}

static const mapview_record_layout u64_layout = {16, 0, 8, MAPVIEW_KEY_UNSIGNED_LE};

void test_records_count_and_get(void)
{
    mapview_map map = make_u64_records("records-get.bin");
    mapview_error *err = NULL;
    size_t count = 0;
    CHECK_OK(mapview_records_count(map, &u64_layout, &count, &err), err);
    CHECK_EQU(count, N_REC);
    const uint8_t *data = NULL;
    size_t len = 0;
    CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
    bool all_ok = true;
    for (size_t i = 0; i < N_REC; i++) {
        const uint8_t *rec = NULL;
        if (!CHECK_OK(mapview_records_get(map, &u64_layout, i, &rec, &err), err))
            break;
        all_ok = all_ok && rec == data + i * 16 && get_le(rec, 8) == 3 * i &&
                 get_le(rec + 8, 8) == i * i;
    }
    CHECK(all_ok);
    /* Other layouts over the same bytes. */
    mapview_record_layout l8 = {8, 0, 8, MAPVIEW_KEY_BYTES};
    CHECK_OK(mapview_records_count(map, &l8, &count, &err), err);
    CHECK_EQU(count, 2 * N_REC);
    mapview_record_layout whole = {N_REC * 16, 0, 1, MAPVIEW_KEY_BYTES};
    CHECK_OK(mapview_records_count(map, &whole, &count, &err), err);
    CHECK_EQU(count, 1);
    mapview_record_layout by_value = {16, 8, 8, MAPVIEW_KEY_UNSIGNED_LE};
    const uint8_t *rec = NULL;
    CHECK_OK(mapview_records_get(map, &by_value, 7, &rec, &err), err);
    CHECK(rec == data + 7 * 16);
    uint64_t key = 49; /* value of record 7 */
    EXPECT_SEARCH(map, &by_value, &key, 8, true, 7);
    CLOSE(map);

    /* Records over a writable map see its writes. */
    mapview_map anon = {0};
    if (CHECK_OK(mapview_map_anonymous(64, false, NULL, &anon, &err), err)) {
        uint8_t *w = NULL;
        if (CHECK_OK(mapview_map_data_mut(anon, &w, &len, &err), err) && len == 64) {
            for (int i = 0; i < 4; i++)
                put_le(w + 16 * i, (uint64_t)(10 + i), 8);
            CHECK_OK(mapview_records_count(anon, &u64_layout, &count, &err), err);
            CHECK_EQU(count, 4);
            key = 12;
            EXPECT_SEARCH(anon, &u64_layout, &key, 8, true, 2);
        }
        CLOSE(anon);
    }
}

void test_records_get_past_end(void)
{
    mapview_map map = make_u64_records("records-past-end.bin");
    mapview_error *err = NULL;
    const uint8_t *rec = NULL;
    CHECK_ERR(mapview_records_get(map, &u64_layout, N_REC, &rec, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "record 100");
    CHECK_ERR(mapview_records_get(map, &u64_layout, N_REC + 1000, &rec, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "100 records");
    CHECK_ERR(mapview_records_get(map, &u64_layout, SIZE_MAX, &rec, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "past the last record");
    CHECK_ERR(mapview_records_get(map, &u64_layout, SIZE_MAX / 16 + 1, &rec, &err),
              err, MAPVIEW_ERR_OUT_OF_RANGE, "past the last record");
    CHECK_STATUS(mapview_records_get(map, &u64_layout, N_REC, &rec, NULL),
                 MAPVIEW_ERR_OUT_OF_RANGE);
    /* The last one is fine. */
    CHECK_OK(mapview_records_get(map, &u64_layout, N_REC - 1, &rec, &err), err);
    CLOSE(map);
}

void test_records_record_size_zero(void)
{
    mapview_map map = make_u64_records("records-size-zero.bin");
    mapview_error *err = NULL;
    size_t count = 0, index = 0;
    const uint8_t *rec = NULL;
    bool found = false;
    uint64_t key = 3;
    mapview_record_layout zero = {0, 0, 1, MAPVIEW_KEY_BYTES};
    CHECK_ERR(mapview_records_count(map, &zero, &count, &err), err,
              MAPVIEW_ERR_RECORD_SIZE, "record size");
    CHECK_ERR(mapview_records_get(map, &zero, 0, &rec, &err), err,
              MAPVIEW_ERR_RECORD_SIZE, "record size");
    CHECK_ERR(mapview_records_search(map, &zero, &key, 1, &index, &found, &err),
              err, MAPVIEW_ERR_RECORD_SIZE, "record size");
    CHECK_STATUS(mapview_records_count(map, &zero, &count, NULL),
                 MAPVIEW_ERR_RECORD_SIZE);
    CLOSE(map);
    /* Also on an empty map, where every size "divides" the data. */
    mapview_map anon = {0};
    if (CHECK_OK(mapview_map_anonymous(0, false, NULL, &anon, &err), err)) {
        CHECK_ERR(mapview_records_count(anon, &zero, &count, &err), err,
                  MAPVIEW_ERR_RECORD_SIZE, "record size");
        CLOSE(anon);
    }
}

void test_records_record_size_not_dividing(void)
{
    /* The header: "MAPVIEW_ERR_RECORD_SIZE when the record size is 0 or does
     * not divide the map's length". */
    mapview_map map = make_u64_records("records-size.bin");
    mapview_error *err = NULL;
    size_t count = 0, index = 0;
    const uint8_t *rec = NULL;
    bool found = false;
    uint64_t key = 3;
    const size_t bad[] = {3, 17, 1601, 7};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mapview_record_layout l = {bad[i], 0, 1, MAPVIEW_KEY_BYTES};
        CHECK_ERR(mapview_records_count(map, &l, &count, &err), err,
                  MAPVIEW_ERR_RECORD_SIZE, "record size");
        CHECK_ERR(mapview_records_get(map, &l, 0, &rec, &err), err,
                  MAPVIEW_ERR_RECORD_SIZE, "record size");
        CHECK_ERR(mapview_records_search(map, &l, &key, 1, &index, &found, &err),
                  err, MAPVIEW_ERR_RECORD_SIZE, "record size");
        CHECK_STATUS(mapview_records_count(map, &l, &count, NULL),
                     MAPVIEW_ERR_RECORD_SIZE);
    }
    CLOSE(map);

    /* A map resized to a length the records no longer divide. */
    mapview_map anon = {0};
    if (CHECK_OK(mapview_map_anonymous(32, false, NULL, &anon, &err), err)) {
        CHECK_OK(mapview_records_count(anon, &u64_layout, &count, &err), err);
        CHECK_EQU(count, 2);
        CHECK_OK(mapview_map_resize(anon, 40, &err), err);
        CHECK_ERR(mapview_records_count(anon, &u64_layout, &count, &err), err,
                  MAPVIEW_ERR_RECORD_SIZE, "40");
        CLOSE(anon);
    }
}

void test_records_unknown_key_kind(void)
{
    mapview_map map = make_u64_records("records-key-kind.bin");
    mapview_error *err = NULL;
    size_t count = 0, index = 0;
    const uint8_t *rec = NULL;
    bool found = false;
    uint64_t key = 3;
    const int32_t kinds[] = {4, -1, 100, INT32_MIN};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        mapview_record_layout l = {16, 0, 8, kinds[i]};
        CHECK_ERR(mapview_records_count(map, &l, &count, &err), err,
                  MAPVIEW_ERR_INVALID_FLAGS, "key_kind");
        CHECK_ERR(mapview_records_get(map, &l, 0, &rec, &err), err,
                  MAPVIEW_ERR_INVALID_FLAGS, "key_kind");
        CHECK_ERR(mapview_records_search(map, &l, &key, 8, &index, &found, &err),
                  err, MAPVIEW_ERR_INVALID_FLAGS, "key_kind");
        CHECK_STATUS(mapview_records_search(map, &l, &key, 8, &index, &found, NULL),
                     MAPVIEW_ERR_INVALID_FLAGS);
    }
    mapview_record_layout l = {16, 0, 8, 4};
    CHECK_ERR(mapview_records_count(map, &l, &count, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "key_kind 4");
    CLOSE(map);
}

void test_records_bad_layout(void)
{
    mapview_map map = make_u64_records("records-layout.bin");
    mapview_error *err = NULL;
    size_t count = 0, index = 0;
    const uint8_t *rec = NULL;
    bool found = false;

    /* Keys that do not fit in the record. */
    const mapview_record_layout outside[] = {
        {16, 12, 8, MAPVIEW_KEY_UNSIGNED_LE}, /* ends past the record */
        {16, 16, 1, MAPVIEW_KEY_BYTES},       /* starts past it */
        {16, SIZE_MAX, 2, MAPVIEW_KEY_BYTES}, /* offset + length overflows */
        {16, 0, 17, MAPVIEW_KEY_BYTES},       /* longer than the record */
    };
    for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
        CHECK_ERR(mapview_records_count(map, &outside[i], &count, &err), err,
                  MAPVIEW_ERR_INVALID_ARGUMENT, "does not fit");
        CHECK_ERR(mapview_records_get(map, &outside[i], 0, &rec, &err), err,
                  MAPVIEW_ERR_INVALID_ARGUMENT, "does not fit");
        unsigned char keybuf[32] = {0};
        CHECK_ERR(mapview_records_search(map, &outside[i], keybuf, outside[i].key_len,
                                         &index, &found, &err),
                  err, MAPVIEW_ERR_INVALID_ARGUMENT, "does not fit");
    }
    /* A layout without a key (key_len 0) counts and gets, but cannot search. */
    const mapview_record_layout keyless = {16, 0, 0, MAPVIEW_KEY_BYTES};
    CHECK_OK(mapview_records_count(map, &keyless, &count, &err), err);
    CHECK_OK(mapview_records_get(map, &keyless, 0, &rec, &err), err);
    unsigned char nokey[1] = {0};
    CHECK_ERR(mapview_records_search(map, &keyless, nokey, 0, &index, &found, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "no key");
    /* Integer keys are 1 to 8 bytes; byte keys may be longer. */
    const int32_t ints[] = {MAPVIEW_KEY_UNSIGNED_LE, MAPVIEW_KEY_SIGNED_LE,
                            MAPVIEW_KEY_UNSIGNED_BE};
    for (size_t i = 0; i < 3; i++) {
        mapview_record_layout l = {16, 0, 9, ints[i]};
        CHECK_ERR(mapview_records_count(map, &l, &count, &err), err,
                  MAPVIEW_ERR_INVALID_ARGUMENT, "1 to 8 bytes");
    }
    mapview_record_layout long_bytes = {16, 0, 16, MAPVIEW_KEY_BYTES};
    CHECK_OK(mapview_records_count(map, &long_bytes, &count, &err), err);
    CHECK_EQU(count, N_REC);
    CLOSE(map);
}

void test_records_search_unsigned_le(void)
{
    mapview_map map = make_u64_records("records-ule.bin");
    bool all_found = true;
    mapview_error *err = NULL;
    for (size_t i = 0; i < N_REC; i++) {
        uint64_t key = 3 * i;
        size_t index = 0;
        bool found = false;
        if (!CHECK_OK(mapview_records_search(map, &u64_layout, &key, 8, &index,
                                             &found, &err),
                      err))
            break;
        all_found = all_found && found && index == i;
        /* Between two keys: not found, insertion point after record i. */
        key = 3 * i + 1;
        CHECK_OK(mapview_records_search(map, &u64_layout, &key, 8, &index, &found,
                                        &err),
                 err);
        all_found = all_found && !found && index == i + 1;
    }
    CHECK(all_found);
    uint64_t key = 3 * (N_REC - 1) + 3; /* past the last */
    EXPECT_SEARCH(map, &u64_layout, &key, 8, false, N_REC);
    key = UINT64_MAX;
    EXPECT_SEARCH(map, &u64_layout, &key, 8, false, N_REC);
    key = 0;
    EXPECT_SEARCH(map, &u64_layout, &key, 8, true, 0);
    /* A key whose high byte is set sorts last as a number (not as bytes). */
    unsigned char kb[8];
    put_le(kb, (uint64_t)1 << 56, 8);
    EXPECT_SEARCH(map, &u64_layout, kb, 8, false, N_REC);
    CLOSE(map);
}

void test_records_search_signed_le(void)
{
    /* 100 records {i64 key = (i - 50) * 7, 8 bytes payload}, ascending. */
    unsigned char buf[N_REC * 16];
    for (int64_t i = 0; i < N_REC; i++) {
        put_le(buf + i * 16, (uint64_t)((i - 50) * 7), 8);
        put_le(buf + i * 16 + 8, (uint64_t)i, 8);
    }
    mapview_map map = map_bytes("records-sle.bin", buf, sizeof buf);
    mapview_record_layout l = {16, 0, 8, MAPVIEW_KEY_SIGNED_LE};
    bool all_found = true;
    mapview_error *err = NULL;
    for (int64_t i = 0; i < N_REC; i++) {
        int64_t key = (i - 50) * 7;
        size_t index = 0;
        bool found = false;
        CHECK_OK(mapview_records_search(map, &l, &key, 8, &index, &found, &err), err);
        all_found = all_found && found && index == (size_t)i;
    }
    CHECK(all_found);
    int64_t key = -350;
    EXPECT_SEARCH(map, &l, &key, 8, true, 0);
    key = -1; /* between -7 (49) and 0 (50) */
    EXPECT_SEARCH(map, &l, &key, 8, false, 50);
    key = -351;
    EXPECT_SEARCH(map, &l, &key, 8, false, 0);
    key = INT64_MIN;
    EXPECT_SEARCH(map, &l, &key, 8, false, 0);
    key = INT64_MAX;
    EXPECT_SEARCH(map, &l, &key, 8, false, N_REC);
    key = 344; /* past the last (343) */
    EXPECT_SEARCH(map, &l, &key, 8, false, N_REC);
    CLOSE(map);
}

void test_records_search_unsigned_be(void)
{
    /* 12-byte records, a big-endian u32 key at offset 4. Keys chosen so that
     * little-endian order would differ: 0x00FF < 0x0100 < 0x01FF < ... */
    const uint32_t keys[] = {1, 0xFF, 0x100, 0x1FF, 0x10000, 0x10001, 0xFF000000u,
                             0xFFFFFFFFu};
    const size_t n = sizeof keys / sizeof keys[0];
    unsigned char buf[sizeof keys / sizeof keys[0] * 12];
    memset(buf, 0xEE, sizeof buf);
    for (size_t i = 0; i < n; i++)
        put_be(buf + i * 12 + 4, keys[i], 4);
    mapview_map map = map_bytes("records-ube.bin", buf, sizeof buf);
    mapview_record_layout l = {12, 4, 4, MAPVIEW_KEY_UNSIGNED_BE};
    unsigned char k[4];
    for (size_t i = 0; i < n; i++) {
        put_be(k, keys[i], 4);
        EXPECT_SEARCH(map, &l, k, 4, true, i);
    }
    put_be(k, 0, 4);
    EXPECT_SEARCH(map, &l, k, 4, false, 0);
    put_be(k, 0x101, 4);
    EXPECT_SEARCH(map, &l, k, 4, false, 3);
    put_be(k, 0xFFFF, 4);
    EXPECT_SEARCH(map, &l, k, 4, false, 4);
    put_be(k, 0xFEFFFFFFu, 4);
    EXPECT_SEARCH(map, &l, k, 4, false, 6);
    size_t count = 0;
    mapview_error *err = NULL;
    CHECK_OK(mapview_records_count(map, &l, &count, &err), err);
    CHECK_EQU(count, n);
    CLOSE(map);
}

void test_records_search_bytes(void)
{
    /* 24-byte records, an 8-byte string key at offset 2, memcmp order. */
    const char *keys[] = {"apple", "apricot", "banana", "cherry", "cherry2",
                          "date", "zebra"};
    const size_t n = sizeof keys / sizeof keys[0];
    unsigned char buf[(sizeof keys / sizeof keys[0] + 1) * 24];
    memset(buf, 0, sizeof buf);
    for (size_t i = 0; i < n; i++)
        memcpy(buf + i * 24 + 2, keys[i], strlen(keys[i]));
    /* Bytes compare unsigned: 0xFF sorts after every letter. */
    memset(buf + n * 24 + 2, 0xFF, 8);
    mapview_map map = map_bytes("records-bytes.bin", buf, sizeof buf);
    mapview_record_layout l = {24, 2, 8, MAPVIEW_KEY_BYTES};
    unsigned char k[8];
    for (size_t i = 0; i < n; i++) {
        memset(k, 0, 8);
        memcpy(k, keys[i], strlen(keys[i]));
        EXPECT_SEARCH(map, &l, k, 8, true, i);
    }
    memset(k, 0xFF, 8);
    EXPECT_SEARCH(map, &l, k, 8, true, n);
    memset(k, 0, 8);
    memcpy(k, "b", 1);
    EXPECT_SEARCH(map, &l, k, 8, false, 2);
    memcpy(k, "cherry1", 7);
    EXPECT_SEARCH(map, &l, k, 8, false, 4);
    memset(k, 0, 8);
    EXPECT_SEARCH(map, &l, k, 8, false, 0);
    memset(k, 0xFF, 8);
    k[7] = 0xFE;
    EXPECT_SEARCH(map, &l, k, 8, false, n);
    memcpy(k, "zebra\0\0\1", 8);
    EXPECT_SEARCH(map, &l, k, 8, false, n);
    CLOSE(map);
}

void test_records_search_narrow_keys(void)
{
    mapview_error *err = NULL;
    /* 1-byte unsigned keys. */
    {
        const unsigned char recs[] = {0, 'a', 5, 'b', 200, 'c', 255, 'd'};
        mapview_map map = map_bytes("narrow-u8.bin", recs, sizeof recs);
        mapview_record_layout l = {2, 0, 1, MAPVIEW_KEY_UNSIGNED_LE};
        unsigned char k = 200;
        EXPECT_SEARCH(map, &l, &k, 1, true, 2);
        k = 6;
        EXPECT_SEARCH(map, &l, &k, 1, false, 2);
        k = 255;
        EXPECT_SEARCH(map, &l, &k, 1, true, 3);
        CLOSE(map);
    }
    /* 2-byte signed keys with negatives, at offset 1 of 4-byte records. */
    {
        const int16_t keys[] = {-32768, -300, -1, 0, 1, 255, 256, 32767};
        unsigned char recs[8 * 4];
        memset(recs, 0x55, sizeof recs);
        for (size_t i = 0; i < 8; i++)
            put_le(recs + i * 4 + 1, (uint64_t)(uint16_t)keys[i], 2);
        mapview_map map = map_bytes("narrow-i16.bin", recs, sizeof recs);
        mapview_record_layout l = {4, 1, 2, MAPVIEW_KEY_SIGNED_LE};
        unsigned char k[2];
        for (size_t i = 0; i < 8; i++) {
            put_le(k, (uint64_t)(uint16_t)keys[i], 2);
            EXPECT_SEARCH(map, &l, k, 2, true, i);
        }
        put_le(k, (uint64_t)(uint16_t)-2, 2);
        EXPECT_SEARCH(map, &l, k, 2, false, 2);
        put_le(k, (uint64_t)(uint16_t)-32767, 2);
        EXPECT_SEARCH(map, &l, k, 2, false, 1);
        put_le(k, 100, 2);
        EXPECT_SEARCH(map, &l, k, 2, false, 5);
        CLOSE(map);
    }
    /* 3-byte unsigned little-endian: 0x00FFFF < 0x010000. */
    {
        const uint32_t keys[] = {0xFF, 0xFFFF, 0x10000, 0xFFFFFF};
        unsigned char recs[4 * 3];
        for (size_t i = 0; i < 4; i++)
            put_le(recs + i * 3, keys[i], 3);
        mapview_map map = map_bytes("narrow-u24.bin", recs, sizeof recs);
        mapview_record_layout l = {3, 0, 3, MAPVIEW_KEY_UNSIGNED_LE};
        unsigned char k[3];
        for (size_t i = 0; i < 4; i++) {
            put_le(k, keys[i], 3);
            EXPECT_SEARCH(map, &l, k, 3, true, i);
        }
        put_le(k, 0x100, 3);
        EXPECT_SEARCH(map, &l, k, 3, false, 1);
        CLOSE(map);
    }
    /* 5-byte signed little-endian with negatives. */
    {
        const int64_t keys[] = {-((int64_t)1 << 39), -70000, -1, 0, 70000,
                                ((int64_t)1 << 39) - 1};
        unsigned char recs[6 * 8];
        memset(recs, 0, sizeof recs);
        for (size_t i = 0; i < 6; i++)
            put_le(recs + i * 8 + 3, (uint64_t)keys[i], 5);
        mapview_map map = map_bytes("narrow-i40.bin", recs, sizeof recs);
        mapview_record_layout l = {8, 3, 5, MAPVIEW_KEY_SIGNED_LE};
        unsigned char k[5];
        for (size_t i = 0; i < 6; i++) {
            put_le(k, (uint64_t)keys[i], 5);
            EXPECT_SEARCH(map, &l, k, 5, true, i);
        }
        put_le(k, (uint64_t)(int64_t)-2, 5);
        EXPECT_SEARCH(map, &l, k, 5, false, 2);
        put_le(k, (uint64_t)(int64_t)-80000, 5);
        EXPECT_SEARCH(map, &l, k, 5, false, 1);
        CLOSE(map);
    }
    /* 2-byte big-endian unsigned. */
    {
        const uint16_t keys[] = {0x0001, 0x00FF, 0x0100, 0xFF00};
        unsigned char recs[4 * 2];
        for (size_t i = 0; i < 4; i++)
            put_be(recs + i * 2, keys[i], 2);
        mapview_map map = map_bytes("narrow-be16.bin", recs, sizeof recs);
        mapview_record_layout l = {2, 0, 2, MAPVIEW_KEY_UNSIGNED_BE};
        unsigned char k[2];
        for (size_t i = 0; i < 4; i++) {
            put_be(k, keys[i], 2);
            EXPECT_SEARCH(map, &l, k, 2, true, i);
        }
        put_be(k, 0x0200, 2);
        EXPECT_SEARCH(map, &l, k, 2, false, 3);
        size_t count = 0;
        CHECK_OK(mapview_records_count(map, &l, &count, &err), err);
        CHECK_EQU(count, 4);
        CLOSE(map);
    }
}

void test_records_search_wrong_key_length(void)
{
    mapview_map map = make_u64_records("records-keylen.bin");
    mapview_error *err = NULL;
    size_t index = 99;
    bool found = true;
    unsigned char key[16];
    memset(key, 0, sizeof key);
    const size_t lens[] = {4, 7, 9, 16, 1};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        CHECK_ERR(mapview_records_search(map, &u64_layout, key, lens[i], &index,
                                         &found, &err),
                  err, MAPVIEW_ERR_INVALID_ARGUMENT, "8-byte keys");
    /* A zero-length key (non-NULL pointer) is wrong too. */
    CHECK_ERR(mapview_records_search(map, &u64_layout, key, 0, &index, &found, &err),
              err, MAPVIEW_ERR_INVALID_ARGUMENT, "0 bytes");
    CHECK_STATUS(mapview_records_search(map, &u64_layout, key, 4, &index, &found,
                                        NULL),
                 MAPVIEW_ERR_INVALID_ARGUMENT);
    CLOSE(map);
}

void test_records_empty_map(void)
{
    mapview_map map = map_bytes("records-empty.bin", "", 0);
    mapview_error *err = NULL;
    size_t count = 99;
    CHECK_OK(mapview_records_count(map, &u64_layout, &count, &err), err);
    CHECK_EQU(count, 0);
    const uint8_t *rec = NULL;
    CHECK_ERR(mapview_records_get(map, &u64_layout, 0, &rec, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "record 0");
    uint64_t key = 5;
    EXPECT_SEARCH(map, &u64_layout, &key, 8, false, 0);
    CLOSE(map);
}
