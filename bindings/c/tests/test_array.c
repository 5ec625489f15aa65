/*
 * Arrays: .npy files created and read back (both orders), raw data at an
 * offset, the aggregates and their NumPy result types, arrays in shared
 * memory seen across fork, and every misuse: corrupt and hostile
 * headers, bad specs, NULL arguments, closed handles.
 */
#define _GNU_SOURCE

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static mapview_array_spec spec_of(mapview_dtype dtype, const uint64_t *shape, uint32_t ndim)
{
    mapview_array_spec s = mapview_array_spec_init();
    s.dtype = dtype;
    s.shape = shape;
    s.ndim = ndim;
    return s;
}

void test_array_create_and_read_back(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "a.npy");
    double values[12];
    for (int i = 0; i < 12; i++)
        values[i] = i * 1.5 - 3.0;
    uint64_t shape[2] = {3, 4};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_F64, shape, 2);
    s.order = MAPVIEW_ORDER_FORTRAN;
    mapview_error *err = NULL;
    mapview_array a = {0};
    if (!CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, values, sizeof values, &a, &err), err))
        return;
    mapview_array_info info;
    if (CHECK_OK(mapview_array_info_get(a, &info, &err), err)) {
        CHECK_EQ(info.dtype, MAPVIEW_DTYPE_F64);
        CHECK_EQ(info.order, MAPVIEW_ORDER_FORTRAN);
        CHECK_EQ(info.format, MAPVIEW_FORMAT_NPY);
        CHECK_EQU(info.ndim, 2);
        CHECK_EQU(info.itemsize, 8);
        CHECK_EQU(info.count, 12);
        CHECK_EQU(info.nbytes, 96);
        CHECK_EQU(info.data_offset, 128);
        CHECK_EQU(info.npy_major, 1);
        CHECK(info.writable);
    }
    CHECK_OK(mapview_array_flush(a, 0, &err), err);
    CHECK_OK(mapview_array_flush(a, MAPVIEW_FLUSH_ASYNC, &err), err);
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    /* The file is what np.save writes: magic, version 1.0, header of 118. */
    size_t flen = 0;
    unsigned char *file = th_read_file(path, &flen);
    if (file != NULL) {
        CHECK_EQU(flen, 128 + 96);
        CHECK_MEM(file, "\x93NUMPY\x01\x00\x76\x00{'descr': '<f8', 'fortran_order': True, 'shape': (3, 4), }", 68);
        CHECK_MEM(file + 128, values, 96);
        free(file);
    }
    if (!CHECK_OK(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err), err))
        return;
    uint64_t dims[MAPVIEW_ARRAY_MAX_DIMS];
    size_t ndim = 0;
    if (CHECK_OK(mapview_array_shape(a, dims, MAPVIEW_ARRAY_MAX_DIMS, &ndim, &err), err)) {
        CHECK_EQU(ndim, 2);
        CHECK_EQU(dims[0], 3);
        CHECK_EQU(dims[1], 4);
    }
    CHECK_ERR(mapview_array_shape(a, dims, 1, &ndim, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "capacity");
    CHECK_EQU(ndim, 2);
    const void *data = NULL;
    size_t len = 0;
    if (CHECK_OK(mapview_array_data(a, &data, &len, &err), err)) {
        CHECK_EQU(len, 96);
        CHECK_MEM(data, values, 96);
    }
    mapview_value v;
    if (CHECK_OK(mapview_array_sum(a, &v, &err), err)) {
        CHECK_EQ(v.dtype, MAPVIEW_DTYPE_F64);
        CHECK_EQ(v.kind, MAPVIEW_VALUE_FLOAT);
        CHECK(v.f == 63.0);
    }
    if (CHECK_OK(mapview_array_mean(a, &v, &err), err))
        CHECK(v.f == 5.25);
    if (CHECK_OK(mapview_array_std(a, 0, &v, &err), err))
        CHECK(fabs(v.f - 5.178078794301995) < 1e-12);
    if (CHECK_OK(mapview_array_std(a, 1, &v, &err), err))
        CHECK(fabs(v.f - 5.408326913195984) < 1e-12);
    if (CHECK_OK(mapview_array_min(a, &v, &err), err))
        CHECK(v.f == -3.0);
    if (CHECK_OK(mapview_array_max(a, &v, &err), err))
        CHECK(v.f == 13.5);
    void *wdata = NULL;
    CHECK_ERR(mapview_array_data_mut(a, &wdata, &len, &err), err, MAPVIEW_ERR_READ_ONLY, "read-only");
    CHECK_ERR(mapview_array_flush(a, 0, &err), err, MAPVIEW_ERR_READ_ONLY, "read-only");
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    /* Read-write: writes reach the file. */
    if (CHECK_OK(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE, NULL, &a, &err), err)) {
        if (CHECK_OK(mapview_array_data_mut(a, &wdata, &len, &err), err))
            ((double *)wdata)[0] = 100.0;
        CHECK_OK(mapview_array_flush(a, 0, &err), err);
        if (CHECK_OK(mapview_array_max(a, &v, &err), err))
            CHECK(v.f == 100.0);
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    file = th_read_file(path, &flen);
    if (file != NULL) {
        double first;
        memcpy(&first, file + 128, 8);
        CHECK(first == 100.0);
        free(file);
    }
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_ALREADY_EXISTS, path);
}

void test_array_result_types_match_numpy(void)
{
    /* np.sum / np.mean / np.min result dtypes per element type. */
    static const struct {
        mapview_dtype dtype, sum, mean;
        mapview_value_kind sum_kind;
    } cases[] = {
        {MAPVIEW_DTYPE_BOOL, MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_INT},
        {MAPVIEW_DTYPE_U8, MAPVIEW_DTYPE_U64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_UINT},
        {MAPVIEW_DTYPE_U16, MAPVIEW_DTYPE_U64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_UINT},
        {MAPVIEW_DTYPE_U32, MAPVIEW_DTYPE_U64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_UINT},
        {MAPVIEW_DTYPE_U64, MAPVIEW_DTYPE_U64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_UINT},
        {MAPVIEW_DTYPE_I8, MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_INT},
        {MAPVIEW_DTYPE_I16, MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_INT},
        {MAPVIEW_DTYPE_I32, MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_INT},
        {MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_I64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_INT},
        {MAPVIEW_DTYPE_F16, MAPVIEW_DTYPE_F16, MAPVIEW_DTYPE_F16, MAPVIEW_VALUE_FLOAT},
        {MAPVIEW_DTYPE_F32, MAPVIEW_DTYPE_F32, MAPVIEW_DTYPE_F32, MAPVIEW_VALUE_FLOAT},
        {MAPVIEW_DTYPE_F64, MAPVIEW_DTYPE_F64, MAPVIEW_DTYPE_F64, MAPVIEW_VALUE_FLOAT},
    };
    mapview_error *err = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[TH_PATH_MAX], name[32];
        snprintf(name, sizeof name, "types%zu.npy", i);
        th_path(path, name);
        uint64_t shape[1] = {5};
        mapview_array_spec s = spec_of(cases[i].dtype, shape, 1);
        mapview_array a = {0};
        if (!CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err))
            continue;
        CHECK_EQU(mapview_dtype_size(cases[i].dtype) * 5, 5 * mapview_dtype_size(cases[i].dtype));
        mapview_value v;
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err)) {
            CHECK_EQ(v.dtype, cases[i].sum);
            CHECK_EQ(v.kind, cases[i].sum_kind);
            CHECK(v.f == 0.0);
        }
        if (CHECK_OK(mapview_array_mean(a, &v, &err), err))
            CHECK_EQ(v.dtype, cases[i].mean);
        if (CHECK_OK(mapview_array_std(a, 0, &v, &err), err))
            CHECK_EQ(v.dtype, cases[i].mean);
        if (CHECK_OK(mapview_array_min(a, &v, &err), err)) {
            CHECK_EQ(v.dtype, cases[i].dtype);
            if (cases[i].dtype == MAPVIEW_DTYPE_BOOL)
                CHECK_EQ(v.kind, MAPVIEW_VALUE_BOOL);
        }
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    CHECK_STR(mapview_dtype_name(MAPVIEW_DTYPE_F16), "float16");
    CHECK_STR(mapview_dtype_name(MAPVIEW_DTYPE_BOOL), "bool");
    CHECK_STR(mapview_dtype_name(MAPVIEW_DTYPE_NONE), "unknown");
    CHECK_STR(mapview_dtype_name(99), "unknown");
    CHECK_EQU(mapview_dtype_size(MAPVIEW_DTYPE_I16), 2);
    CHECK_EQU(mapview_dtype_size(-1), 0);
}

void test_array_integer_sums_wrap_and_nan_propagates(void)
{
    char path[TH_PATH_MAX];
    mapview_error *err = NULL;
    mapview_array a = {0};
    mapview_value v;
    th_path(path, "wrap.npy");
    int64_t big[2] = {INT64_MAX, 1};
    uint64_t shape[1] = {2};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_I64, shape, 1);
    if (CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, big, sizeof big, &a, &err), err)) {
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
            CHECK(v.i == INT64_MIN); /* NumPy's int64 sum wraps too */
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    th_path(path, "nan.npy");
    double vals[4] = {1.0, NAN, 3.0, -INFINITY};
    shape[0] = 4;
    s = spec_of(MAPVIEW_DTYPE_F64, shape, 1);
    if (CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, vals, sizeof vals, &a, &err), err)) {
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
            CHECK(isnan(v.f));
        if (CHECK_OK(mapview_array_min(a, &v, &err), err))
            CHECK(isnan(v.f));
        if (CHECK_OK(mapview_array_max(a, &v, &err), err))
            CHECK(isnan(v.f));
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    th_path(path, "empty.npy");
    shape[0] = 0;
    s = spec_of(MAPVIEW_DTYPE_U16, shape, 1);
    if (CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err)) {
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
            CHECK(v.u == 0 && v.kind == MAPVIEW_VALUE_UINT);
        if (CHECK_OK(mapview_array_mean(a, &v, &err), err))
            CHECK(isnan(v.f));
        CHECK_ERR(mapview_array_min(a, &v, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "zero-size");
        CHECK_ERR(mapview_array_max(a, &v, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "zero-size");
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
}

void test_array_raw_data_at_an_offset(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "raw.bin");
    unsigned char file[4 + 10 * 8];
    memcpy(file, "HDR!", 4);
    for (int i = 0; i < 10; i++) {
        double d = i;
        memcpy(file + 4 + 8 * i, &d, 8);
    }
    CHECK(th_write_file(path, file, sizeof file));
    mapview_error *err = NULL;
    mapview_array a = {0};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_F64, NULL, 0);
    s.format = MAPVIEW_FORMAT_RAW;
    s.offset = 4;
    s.flags = MAPVIEW_ARRAY_INFER_SHAPE;
    if (CHECK_OK(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, &s, &a, &err), err)) {
        mapview_array_info info;
        if (CHECK_OK(mapview_array_info_get(a, &info, &err), err)) {
            CHECK_EQ(info.format, MAPVIEW_FORMAT_RAW);
            CHECK_EQU(info.count, 10);
            CHECK_EQU(info.npy_major, 0);
        }
        mapview_value v;
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
            CHECK(v.f == 45.0);
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    uint64_t shape[2] = {2, 5};
    s.flags = 0;
    s.shape = shape;
    s.ndim = 2;
    if (CHECK_OK(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE, &s, &a, &err), err)) {
        void *w = NULL;
        size_t len = 0;
        if (CHECK_OK(mapview_array_data_mut(a, &w, &len, &err), err)) {
            CHECK_EQU(len, 80);
            double d = -1.0;
            memcpy(w, &d, 8); /* unaligned: copy, do not dereference */
        }
        CHECK_OK(mapview_array_flush(a, 0, &err), err);
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
    shape[1] = 6;
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, &s, &a, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, "needs 96 bytes");
    s.flags = MAPVIEW_ARRAY_INFER_SHAPE;
    s.offset = 3;
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, &s, &a, &err), err,
              MAPVIEW_ERR_RECORD_SIZE, "whole number");
    s.offset = 1000;
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, &s, &a, &err), err,
              MAPVIEW_ERR_OUT_OF_RANGE, path);
    /* Creating raw data: exactly the elements, no header. */
    char out[TH_PATH_MAX];
    th_path(out, "raw_out.bin");
    uint16_t vals[3] = {7, 8, 9};
    uint64_t three[1] = {3};
    mapview_array_spec c = spec_of(MAPVIEW_DTYPE_U16, three, 1);
    c.format = MAPVIEW_FORMAT_RAW;
    if (CHECK_OK(mapview_array_create(out, MAPVIEW_NUL_TERMINATED, &c, vals, sizeof vals, &a, &err), err))
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    CHECK_EQ(th_file_size(out), 6);
    c.offset = 8;
    th_path(out, "raw_out2.bin");
    CHECK_ERR(mapview_array_create(out, MAPVIEW_NUL_TERMINATED, &c, vals, sizeof vals, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "offset");
}

static void write_npy(const char *path, const char *dict, size_t data_len)
{
    size_t dlen = strlen(dict);
    size_t total = 10 + dlen + 1 + data_len;
    unsigned char *buf = calloc(1, total);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)((dlen + 1) & 0xff);
    buf[9] = (unsigned char)((dlen + 1) >> 8);
    memcpy(buf + 10, dict, dlen);
    buf[10 + dlen] = '\n';
    CHECK(th_write_file(path, buf, total));
    free(buf);
}

void test_array_corrupt_and_hostile_headers(void)
{
    static const struct {
        const char *dict;
        mapview_status code;
        const char *needle;
    } cases[] = {
        {"{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }", MAPVIEW_ERR_UNSUPPORTED, "big-endian"},
        {"{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", MAPVIEW_ERR_UNSUPPORTED, "object"},
        {"{'descr': '<U4', 'fortran_order': False, 'shape': (2,), }", MAPVIEW_ERR_UNSUPPORTED, "string"},
        {"{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (2,), }", MAPVIEW_ERR_UNSUPPORTED, "structured"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", MAPVIEW_ERR_CORRUPT, "needs"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", MAPVIEW_ERR_CORRUPT, "overflows"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }", MAPVIEW_ERR_CORRUPT, "negative"},
        {"{'descr': '<f8', 'fortran_order': False 'shape': (2,), }", MAPVIEW_ERR_CORRUPT, "malformed"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (2,)", MAPVIEW_ERR_CORRUPT, "malformed"},
        {"{'descr': '<f8', 'shape': (2,), }", MAPVIEW_ERR_CORRUPT, "lacks"},
    };
    mapview_error *err = NULL;
    mapview_array a = {0};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char path[TH_PATH_MAX], name[32];
        snprintf(name, sizeof name, "bad%zu.npy", i);
        th_path(path, name);
        write_npy(path, cases[i].dict, 16);
        CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err), err,
                  cases[i].code, cases[i].needle);
        mapview_status st = mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err);
        CHECK(st == cases[i].code && strstr(mapview_error_message(err), path) != NULL);
        mapview_error_free(err);
        err = NULL;
        CHECK_EQU(a.id, 0);
    }
    char path[TH_PATH_MAX];
    th_path(path, "magic.npy");
    CHECK(th_write_file(path, "PK\x03\x04 not numpy", 14));
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err), err,
              MAPVIEW_ERR_CORRUPT, "bad magic");
    th_path(path, "truncated.npy");
    CHECK(th_write_file(path, "\x93NUMPY\x01\x00\xff\x00{'descr'", 17));
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE, NULL, &a, &err), err,
              MAPVIEW_ERR_CORRUPT, "truncated");
    th_path(path, "version.npy");
    CHECK(th_write_file(path, "\x93NUMPY\x09\x00\x10\x00{}              ", 26));
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err), err,
              MAPVIEW_ERR_UNSUPPORTED, "version 9.0");
    th_path(path, "missing.npy");
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &a, &err), err,
              MAPVIEW_ERR_NOT_FOUND, path);
}

void test_array_bad_specs_and_arguments(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "spec.npy");
    mapview_error *err = NULL;
    mapview_array a = {5};
    uint64_t shape[2] = {2, 2};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_NONE, shape, 2);
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, NULL, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "spec");
    CHECK_EQU(a.id, 0);
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "MAPVIEW_DTYPE_NONE");
    s.dtype = 99;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "dtype 99");
    s.dtype = MAPVIEW_DTYPE_I32;
    s.order = 7;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "order 7");
    s.order = MAPVIEW_ORDER_C;
    s.format = 3;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "format 3");
    s.format = MAPVIEW_FORMAT_NPY;
    s.flags = 0x80;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "0x80");
    s.flags = MAPVIEW_ARRAY_INFER_SHAPE;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "INFER_SHAPE");
    s.flags = 0;
    s.struct_size = 0;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size");
    s = spec_of(MAPVIEW_DTYPE_I32, NULL, 2);
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "spec.shape");
    s.ndim = 65;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "ndim");
    s = spec_of(MAPVIEW_DTYPE_I32, shape, 2);
    int32_t four[4] = {1, 2, 3, 4};
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, four, 15, &a, &err), err,
              MAPVIEW_ERR_RECORD_SIZE, "needs 16");
    CHECK(th_file_size(path) < 0); /* nothing left behind */
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 16, &a, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "data");
    uint64_t huge[2] = {UINT64_MAX / 2, 4};
    s.shape = huge;
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err,
              MAPVIEW_ERR_OVERFLOW, "too large");
    s.shape = shape;
    CHECK_ERR(mapview_array_create(NULL, 0, &s, NULL, 0, &a, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "path");
    CHECK_ERR(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, NULL, &err), err,
              MAPVIEW_ERR_NULL_ARGUMENT, "out_array");
    if (CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, four, sizeof four, &a, &err), err))
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, 9, NULL, &a, &err), err,
              MAPVIEW_ERR_INVALID_FLAGS, "mode 9");
    mapview_array_spec raw = mapview_array_spec_init();
    raw.format = MAPVIEW_FORMAT_RAW;
    CHECK_ERR(mapview_array_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, &raw, &a, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "MAPVIEW_DTYPE_NONE");
}

void test_array_handle_misuse(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "misuse.npy");
    mapview_error *err = NULL;
    mapview_array a = {0};
    uint64_t shape[1] = {4};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_U8, shape, 1);
    if (!CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &s, NULL, 0, &a, &err), err))
        return;
    mapview_value v;
    mapview_array_info info;
    const void *data = NULL;
    void *wdata = NULL;
    size_t len = 0, ndim = 0;
    uint64_t dims[4];
    CHECK_ERR(mapview_array_sum(a, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_value");
    CHECK_ERR(mapview_array_info_get(a, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_info");
    CHECK_ERR(mapview_array_data(a, NULL, &len, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_data");
    CHECK_ERR(mapview_array_data_mut(a, &wdata, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_len");
    CHECK_ERR(mapview_array_shape(a, dims, 4, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_ndim");
    CHECK_ERR(mapview_array_shape(a, NULL, 4, &ndim, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_shape");
    CHECK_ERR(mapview_array_flush(a, 8, &err), err, MAPVIEW_ERR_INVALID_FLAGS, "flush flags");
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    CHECK_STATUS(mapview_array_close(a), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_array_sum(a, &v, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_mean(a, &v, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_std(a, 0, &v, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_min(a, &v, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_max(a, &v, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_info_get(a, &info, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_data(a, &data, &len, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_data_mut(a, &wdata, &len, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_shape(a, dims, 4, &ndim, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_ERR(mapview_array_flush(a, 0, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    mapview_array zero = {0};
    CHECK_ERR(mapview_array_sum(zero, &v, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "0");
    mapview_map map = OPEN(path, MAPVIEW_MODE_READ_ONLY);
    mapview_array forged = {map.id};
    CHECK_ERR(mapview_array_sum(forged, &v, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "not a typed array handle");
    CLOSE(map);
    /* A 0-d array: ndim 0, one element; NULL shape is fine with capacity 0. */
    th_path(path, "zero_d.npy");
    mapview_array_spec z = spec_of(MAPVIEW_DTYPE_F32, NULL, 0);
    float one = 2.5f;
    if (CHECK_OK(mapview_array_create(path, MAPVIEW_NUL_TERMINATED, &z, &one, 4, &a, &err), err)) {
        CHECK_OK(mapview_array_shape(a, NULL, 0, &ndim, &err), err);
        CHECK_EQU(ndim, 0);
        if (CHECK_OK(mapview_array_sum(a, &v, &err), err))
            CHECK(v.f == 2.5 && v.dtype == MAPVIEW_DTYPE_F32);
        CHECK_STATUS(mapview_array_close(a), MAPVIEW_OK);
    }
}

struct shm_child_arg {
    const char *name;
    pid_t pid;
    int fd;
};

/* Child: open the region (by name, or by /proc path), map its array, check
 * the parent's write and write back. */
static int child_array_in_shm(void *p)
{
    const struct shm_child_arg *a = p;
    mapview_shm shm;
    mapview_status st = a->name ? mapview_shm_open(a->name, MAPVIEW_NUL_TERMINATED, &shm, NULL)
                                : mapview_shm_open_proc(a->pid, a->fd, &shm, NULL);
    if (st != MAPVIEW_OK)
        return 1;
    mapview_array arr;
    if (mapview_array_from_shm(shm, NULL, &arr, NULL) != MAPVIEW_OK)
        return 2;
    mapview_shm_close(shm); /* the array has its own mapping */
    void *data = NULL;
    size_t len = 0;
    if (mapview_array_data_mut(arr, &data, &len, NULL) != MAPVIEW_OK || len != 400)
        return 3;
    int32_t *xs = data;
    if (xs[10] != 1010)
        return 4;
    xs[20] = 2020;
    mapview_value v;
    if (mapview_array_sum(arr, &v, NULL) != MAPVIEW_OK || v.i != 3030)
        return 5;
    mapview_array_close(arr);
    return 0;
}

static int fork_run(int (*body)(void *), void *arg)
{
    /* The child reports its result through a pipe, not its exit status:
     * under valgrind a child's exit status also counts errors the parent
     * had before fork (--error-exitcode), which are not this test's. */
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        unsigned char rc = (unsigned char)body(arg);
        if (write(fds[1], &rc, 1) != 1)
            _exit(126);
        _exit(0);
    }
    close(fds[1]);
    unsigned char rc = 255;
    ssize_t got = pid < 0 ? -1 : read(fds[0], &rc, 1);
    close(fds[0]);
    int status = 0;
    if (pid > 0)
        waitpid(pid, &status, 0);
    return got == 1 ? rc : -1;
}

void test_array_in_shared_memory_across_fork(void)
{
    mapview_error *err = NULL;
    uint64_t shape[1] = {100};
    mapview_array_spec s = spec_of(MAPVIEW_DTYPE_I32, shape, 1);
    char name[96];
    snprintf(name, sizeof name, "mapview-ctest-array-%ld", (long)getpid());
    for (int named = 1; named >= 0; named--) {
        mapview_shm shm = {0};
        if (!CHECK_OK(mapview_shm_create_array(named ? name : NULL, MAPVIEW_NUL_TERMINATED, &s, &shm, &err), err))
            continue;
        mapview_array arr = {0};
        if (CHECK_OK(mapview_array_from_shm(shm, NULL, &arr, &err), err)) {
            void *data = NULL;
            size_t len = 0;
            if (CHECK_OK(mapview_array_data_mut(arr, &data, &len, &err), err)) {
                int32_t *xs = data;
                xs[10] = 1010;
                mapview_shm_info info;
                CHECK_OK(mapview_shm_info_get(shm, &info, &err), err);
                struct shm_child_arg a = {named ? name : NULL, getpid(), info.fd};
                CHECK_EQ(fork_run(child_array_in_shm, &a), 0);
                CHECK_EQ(xs[20], 2020);
            }
            CHECK_OK(mapview_array_flush(arr, 0, &err), err); /* nothing to write: OK */
            mapview_array_info info;
            if (CHECK_OK(mapview_array_info_get(arr, &info, &err), err))
                CHECK(info.writable && info.format == MAPVIEW_FORMAT_NPY);
            CHECK_STATUS(mapview_array_close(arr), MAPVIEW_OK);
        }
        /* The region as raw bytes: the .npy header is at its start. */
        mapview_array_spec raw = spec_of(MAPVIEW_DTYPE_U8, NULL, 0);
        raw.format = MAPVIEW_FORMAT_RAW;
        raw.flags = MAPVIEW_ARRAY_INFER_SHAPE;
        if (CHECK_OK(mapview_array_from_shm(shm, &raw, &arr, &err), err)) {
            const void *d = NULL;
            size_t len = 0;
            if (CHECK_OK(mapview_array_data(arr, &d, &len, &err), err))
                CHECK_MEM(d, "\x93NUMPY", 6);
            CHECK_STATUS(mapview_array_close(arr), MAPVIEW_OK);
        }
        CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_OK);
        if (named)
            CHECK_OK(mapview_shm_unlink(name, MAPVIEW_NUL_TERMINATED, &err), err);
    }
    mapview_shm shm = {0};
    mapview_array arr = {0};
    s.format = MAPVIEW_FORMAT_RAW;
    CHECK_ERR(mapview_shm_create_array(NULL, 0, &s, &shm, &err), err, MAPVIEW_ERR_INVALID_FLAGS, "npy");
    CHECK_ERR(mapview_shm_create_array(NULL, 0, NULL, &shm, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "spec");
    CHECK_ERR(mapview_array_from_shm(shm, NULL, &arr, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "0");
    /* A region without a .npy header is corrupt as an array. */
    if (CHECK_OK(mapview_shm_create_memfd(4096, &shm, &err), err)) {
        CHECK_ERR(mapview_array_from_shm(shm, NULL, &arr, &err), err, MAPVIEW_ERR_CORRUPT, "bad magic");
        CHECK_STATUS(mapview_shm_close(shm), MAPVIEW_OK);
    }
}
