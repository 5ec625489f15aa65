/*
 * The WebAssembly host through the C ABI: load, attach a map handle, call,
 * output, traps and limits, misuse.
 */
#define _XOPEN_SOURCE 700

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"

/* Sums view 0's bytes; echoes view 0's name; peeks and pokes; spins. */
static const char GUEST[] =
    "(module\n"
    "  (import \"mapview\" \"view_count\" (func $count (result i32)))\n"
    "  (import \"mapview\" \"view_addr\" (func $addr (param i32) (result i32)))\n"
    "  (import \"mapview\" \"view_len\" (func $len (param i32) (result i32)))\n"
    "  (import \"mapview\" \"view_name\" (func $name (param i32 i32 i32) (result i32)))\n"
    "  (import \"mapview\" \"arg_read\" (func $arg (param i32 i32 i32) (result i32)))\n"
    "  (import \"mapview\" \"output\" (func $out (param i32 i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (func (export \"sum\") (result i64) (local $p i32) (local $e i32) (local $s i64)\n"
    "    (local.set $p (call $addr (i32.const 0)))\n"
    "    (local.set $e (i32.add (local.get $p) (call $len (i32.const 0))))\n"
    "    (block $d (loop $l (br_if $d (i32.ge_u (local.get $p) (local.get $e)))\n"
    "      (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $p))))\n"
    "      (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $l)))\n"
    "    (local.get $s))\n"
    "  (func (export \"count\") (result i32) (call $count))\n"
    "  (func (export \"echo_name\") (param i32) (result i32) (local $n i32)\n"
    "    (local.set $n (call $name (local.get 0) (i32.const 64) (i32.const 100)))\n"
    "    (call $out (i32.const 64) (local.get $n)) (local.get $n))\n"
    "  (func (export \"echo_arg\") (result i32) (local $n i32)\n"
    "    (local.set $n (call $arg (i32.const 0) (i32.const 64) (i32.const 100)))\n"
    "    (call $out (i32.const 64) (local.get $n)) (local.get $n))\n"
    "  (func (export \"add\") (param i32 i64) (result i64 i32)\n"
    "    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)) (i32.const 7))\n"
    "  (func (export \"poke\") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))\n"
    "  (func (export \"peek\") (param i32) (result i32) (i32.load8_u (local.get 0)))\n"
    "  (func (export \"grow\") (param i32) (result i32) (memory.grow (local.get 0)))\n"
    "  (func (export \"spin\") (loop $l (br $l))))\n";

static bool make_host(mapview_wasm_host *host, uint64_t fuel, uint64_t timeout_ms, uint64_t max_memory)
{
    mapview_error *err = NULL;
    mapview_wasm_host_options o = mapview_wasm_host_options_init();
    o.fuel = fuel;
    o.timeout_ms = timeout_ms;
    if (max_memory)
        o.max_memory = max_memory;
    return CHECK_OK(mapview_wasm_host_create(&o, host, &err), err);
}

static bool load_guest(mapview_wasm_host host, mapview_wasm_guest *g)
{
    mapview_error *err = NULL;
    return CHECK_OK(mapview_wasm_guest_load(host, (const uint8_t *)GUEST, strlen(GUEST), g, &err), err);
}

static bool call1(mapview_wasm_guest g, const char *f, const int64_t *args, size_t n, int64_t *result)
{
    mapview_error *err = NULL;
    size_t nres = 0;
    int64_t res[4] = {0};
    bool ok = CHECK_OK(mapview_wasm_guest_call(g, f, MAPVIEW_NUL_TERMINATED, args, n, res, 4, &nres, &err), err);
    if (result)
        *result = res[0];
    return ok;
}

void test_wasm_view_a_map_and_call(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "wasm-data.bin");
    unsigned char data[3000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (unsigned char)(i % 7);
    CHECK(th_write_file(path, data, sizeof data));
    long long want = 0;
    for (size_t i = 100; i < 2100; i++)
        want += data[i];

    mapview_wasm_host host;
    mapview_wasm_guest g;
    mapview_map map;
    mapview_error *err = NULL;
    if (!make_host(&host, 0, 0, 0) || !load_guest(host, &g))
        return;
    if (!CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &map, &err), err))
        return;
    mapview_wasm_view_info info;
    CHECK_OK(mapview_wasm_guest_attach(g, "part", MAPVIEW_NUL_TERMINATED, map, 100, 2000, 0, &info, &err), err);
    CHECK_EQU(info.len, 2000);
    CHECK(!info.writable);
    /* The view outlives the map handle. */
    CHECK_STATUS(mapview_map_close(map), MAPVIEW_OK);
    int64_t r = 0;
    CHECK(call1(g, "sum", NULL, 0, &r));
    CHECK_EQ(r, want);
    CHECK(call1(g, "count", NULL, 0, &r));
    CHECK_EQ(r, 1);
    /* A store into the read-only view traps; the guest goes on. */
    int64_t poke[2] = {(int64_t)info.addr, 1};
    size_t nres = 0;
    CHECK_ERR(mapview_wasm_guest_call(g, "poke", MAPVIEW_NUL_TERMINATED, poke, 2, NULL, 0, &nres, &err), err,
              MAPVIEW_ERR_WASM_TRAP, "read-only view");
    CHECK(call1(g, "sum", NULL, 0, &r));
    CHECK_EQ(r, want);
    /* Several results, i32 and i64 parameters. */
    int64_t args[2] = {-5, 1000000000000LL}, res[2] = {0, 0};
    CHECK_OK(mapview_wasm_guest_call(g, "add", MAPVIEW_NUL_TERMINATED, args, 2, res, 2, &nres, &err), err);
    CHECK_EQU(nres, 2);
    CHECK_EQ(res[0], 999999999995LL);
    CHECK_EQ(res[1], 7);
    /* results_cap smaller than the results: nothing is called, and the
     * count says how many are needed. */
    CHECK_ERR(mapview_wasm_guest_call(g, "add", MAPVIEW_NUL_TERMINATED, args, 2, res, 1, &nres, &err), err,
              MAPVIEW_ERR_INVALID_ARGUMENT, "room for 1");
    CHECK_EQU(nres, 2);
    mapview_wasm_guest_close(g);
    mapview_wasm_host_close(host);
}

void test_wasm_output_args_and_dir(void)
{
    char dir[TH_PATH_MAX], f1[TH_PATH_MAX], f2[TH_PATH_MAX];
    th_path(dir, "wasm-dir");
    CHECK(mkdir(dir, 0755) == 0);
    th_path(f1, "wasm-dir/a.txt");
    th_path(f2, "wasm-dir/b.txt");
    CHECK(th_write_file(f1, "aaaa", 4));
    CHECK(th_write_file(f2, "bb", 2));
    mapview_wasm_host host;
    mapview_wasm_guest g;
    mapview_error *err = NULL;
    if (!make_host(&host, 0, 0, 0) || !load_guest(host, &g))
        return;
    size_t count = 0;
    CHECK_OK(mapview_wasm_guest_attach_dir(g, dir, MAPVIEW_NUL_TERMINATED, 10, &count, &err), err);
    CHECK_EQU(count, 2);
    int64_t r = 0, idx = 1;
    CHECK(call1(g, "echo_name", &idx, 1, &r));
    CHECK_EQ(r, 5);
    size_t waiting = 0;
    CHECK_OK(mapview_wasm_guest_output(g, NULL, 0, &waiting, &err), err);
    CHECK_EQU(waiting, 5);
    char out[16] = {0};
    size_t got = 0;
    CHECK_OK(mapview_wasm_guest_output(g, (uint8_t *)out, 2, &got, &err), err);
    CHECK_EQU(got, 2);
    CHECK_MEM(out, "b.", 2);
    CHECK_OK(mapview_wasm_guest_output(g, (uint8_t *)out, sizeof out, &got, &err), err);
    CHECK_EQU(got, 3);
    CHECK_MEM(out, "txt", 3);
    mapview_bytes a[1] = {{(const uint8_t *)"hello", 5}};
    CHECK_OK(mapview_wasm_guest_set_args(g, a, 1, &err), err);
    CHECK(call1(g, "echo_arg", NULL, 0, &r));
    CHECK_EQ(r, 5);
    CHECK_OK(mapview_wasm_guest_output(g, (uint8_t *)out, sizeof out, &got, &err), err);
    CHECK_MEM(out, "hello", 5);
    /* Over the limit. */
    mapview_wasm_guest g2;
    if (load_guest(host, &g2)) {
        CHECK_ERR(mapview_wasm_guest_attach_dir(g2, dir, MAPVIEW_NUL_TERMINATED, 1, &count, &err), err,
                  MAPVIEW_ERR_WASM_VIEW, "limit of 1");
        mapview_wasm_guest_close(g2);
    }
    mapview_wasm_guest_close(g);
    mapview_wasm_host_close(host);
}

void test_wasm_read_write_view(void)
{
    char path[TH_PATH_MAX];
    th_path(path, "wasm-rw.bin");
    CHECK(th_write_file(path, "..........", 10));
    mapview_wasm_host host;
    mapview_wasm_guest g;
    mapview_map map, ro;
    mapview_error *err = NULL;
    if (!make_host(&host, 0, 0, 0) || !load_guest(host, &g))
        return;
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_WRITE, NULL, &map, &err), err);
    CHECK_OK(mapview_map_open(path, MAPVIEW_NUL_TERMINATED, MAPVIEW_MODE_READ_ONLY, NULL, &ro, &err), err);
    mapview_wasm_view_info info;
    CHECK_ERR(mapview_wasm_guest_attach(g, "ro", MAPVIEW_NUL_TERMINATED, ro, 0, MAPVIEW_TO_END, MAPVIEW_VIEW_WRITABLE, &info, &err), err,
              MAPVIEW_ERR_READ_ONLY, "read-only");
    CHECK_OK(mapview_wasm_guest_attach(g, "rw", MAPVIEW_NUL_TERMINATED, map, 0, MAPVIEW_TO_END, MAPVIEW_VIEW_WRITABLE, &info, &err), err);
    CHECK(info.writable);
    int64_t poke[2] = {(int64_t)info.addr + 2, 'W'};
    size_t nres = 0;
    CHECK_OK(mapview_wasm_guest_call(g, "poke", MAPVIEW_NUL_TERMINATED, poke, 2, NULL, 0, &nres, &err), err);
    CHECK_OK(mapview_wasm_guest_flush(g, &err), err);
    size_t len = 0;
    unsigned char *back = th_read_file(path, &len);
    CHECK(back && len == 10 && back[2] == 'W');
    free(back);
    /* The host's map sees the guest's write too: the same pages. */
    const uint8_t *data;
    CHECK_OK(mapview_map_data(map, &data, &len, &err), err);
    CHECK_EQ(data[2], 'W');
    mapview_map_close(map);
    mapview_map_close(ro);
    mapview_wasm_guest_close(g);
    mapview_wasm_host_close(host);
}

void test_wasm_limits(void)
{
    mapview_wasm_host host;
    mapview_wasm_guest g;
    mapview_error *err = NULL;
    size_t nres = 0;
    int64_t r;
    if (make_host(&host, 0, 100, 0) && load_guest(host, &g)) {
        CHECK_ERR(mapview_wasm_guest_call(g, "spin", MAPVIEW_NUL_TERMINATED, NULL, 0, NULL, 0, &nres, &err), err,
                  MAPVIEW_ERR_WASM_TIMEOUT, "time limit");
        CHECK(call1(g, "count", NULL, 0, &r));
        mapview_wasm_guest_close(g);
        mapview_wasm_host_close(host);
    }
    if (make_host(&host, 100000, 0, 0) && load_guest(host, &g)) {
        CHECK_ERR(mapview_wasm_guest_call(g, "spin", MAPVIEW_NUL_TERMINATED, NULL, 0, NULL, 0, &nres, &err), err,
                  MAPVIEW_ERR_WASM_TIMEOUT, "fuel");
        mapview_wasm_guest_close(g);
        mapview_wasm_host_close(host);
    }
    if (make_host(&host, 0, 0, 1 << 20) && load_guest(host, &g)) {
        int64_t pages = 64;
        int64_t res[1];
        CHECK_ERR(mapview_wasm_guest_call(g, "grow", MAPVIEW_NUL_TERMINATED, &pages, 1, res, 1, &nres, &err), err,
                  MAPVIEW_ERR_WASM_MEMORY_LIMIT, "limit");
        pages = 1;
        CHECK(call1(g, "grow", &pages, 1, &r));
        CHECK_EQ(r, 1);
        /* Out of bounds. */
        int64_t addr = 0x7FFFFFF0;
        CHECK_ERR(mapview_wasm_guest_call(g, "peek", MAPVIEW_NUL_TERMINATED, &addr, 1, res, 1, &nres, &err), err,
                  MAPVIEW_ERR_WASM_TRAP, "out-of-bounds");
        mapview_wasm_guest_close(g);
        mapview_wasm_host_close(host);
    }
}

void test_wasm_bad_modules_and_misuse(void)
{
    mapview_wasm_host host;
    mapview_wasm_guest g = {0};
    mapview_error *err = NULL;
    size_t nres = 0;
    if (!make_host(&host, 0, 0, 0))
        return;
    CHECK_ERR(mapview_wasm_guest_load(host, (const uint8_t *)"junk", 4, &g, &err), err, MAPVIEW_ERR_WASM_MODULE, "not a valid guest module");
    CHECK_EQU(g.id, 0);
    const char *bulk = "(module (memory (export \"memory\") 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))";
    CHECK_ERR(mapview_wasm_guest_load(host, (const uint8_t *)bulk, strlen(bulk), &g, &err), err, MAPVIEW_ERR_WASM_MODULE, "bulk memory");
    const char *nomem = "(module (func (export \"f\")))";
    CHECK_ERR(mapview_wasm_guest_load(host, (const uint8_t *)nomem, strlen(nomem), &g, &err), err, MAPVIEW_ERR_WASM_EXPORT, "memory");
    char missing[TH_PATH_MAX];
    th_path(missing, "missing.wasm");
    CHECK_ERR(mapview_wasm_guest_load_file(host, missing, MAPVIEW_NUL_TERMINATED, &g, &err), err, MAPVIEW_ERR_NOT_FOUND, "missing.wasm");
    CHECK_ERR(mapview_wasm_guest_load(host, NULL, 10, &g, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "wasm");
    CHECK_ERR(mapview_wasm_guest_load(host, (const uint8_t *)GUEST, strlen(GUEST), NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_guest");
    CHECK_ERR(mapview_wasm_host_create(NULL, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_host");
    mapview_wasm_host_options o = mapview_wasm_host_options_init();
    o.struct_size = 0;
    mapview_wasm_host h2;
    CHECK_ERR(mapview_wasm_host_create(&o, &h2, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "struct_size");
    if (!load_guest(host, &g))
        return;
    int64_t r1[1];
    CHECK_ERR(mapview_wasm_guest_call(g, "nope", MAPVIEW_NUL_TERMINATED, NULL, 0, r1, 1, &nres, &err), err, MAPVIEW_ERR_WASM_EXPORT, "nope");
    CHECK_ERR(mapview_wasm_guest_call(g, "peek", MAPVIEW_NUL_TERMINATED, NULL, 0, r1, 1, &nres, &err), err, MAPVIEW_ERR_WASM_SIGNATURE, "takes 1");
    CHECK_ERR(mapview_wasm_guest_call(g, NULL, 0, NULL, 0, r1, 1, &nres, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "func");
    CHECK_ERR(mapview_wasm_guest_call(g, "sum", MAPVIEW_NUL_TERMINATED, NULL, 0, NULL, 1, &nres, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "results");
    CHECK_ERR(mapview_wasm_guest_call(g, "sum", MAPVIEW_NUL_TERMINATED, NULL, 0, r1, 1, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "out_nresults");
    mapview_map anon, priv;
    CHECK_OK(mapview_map_anonymous(4096, false, NULL, &anon, &err), err);
    CHECK_ERR(mapview_wasm_guest_attach(g, "anon", MAPVIEW_NUL_TERMINATED, anon, 0, MAPVIEW_TO_END, 0, NULL, &err), err, MAPVIEW_ERR_WASM_VIEW, "shared");
    CHECK_ERR(mapview_wasm_guest_attach(g, "anon", MAPVIEW_NUL_TERMINATED, anon, 0, MAPVIEW_TO_END, 0x10, NULL, &err), err, MAPVIEW_ERR_INVALID_FLAGS, "0x10");
    CHECK_ERR(mapview_wasm_guest_attach(g, NULL, 0, anon, 0, MAPVIEW_TO_END, 0, NULL, &err), err, MAPVIEW_ERR_NULL_ARGUMENT, "name");
    CHECK_OK(mapview_map_anonymous(4096, true, NULL, &priv, &err), err);
    CHECK_ERR(mapview_wasm_guest_attach(g, "big", MAPVIEW_NUL_TERMINATED, priv, 4000, 200, 0, NULL, &err), err, MAPVIEW_ERR_INVALID_ARGUMENT, "does not fit");
    mapview_map_close(anon);
    CHECK_ERR(mapview_wasm_guest_attach(g, "x", MAPVIEW_NUL_TERMINATED, anon, 0, MAPVIEW_TO_END, 0, NULL, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    mapview_map_close(priv);
    /* Handles: wrong type, closed, twice. */
    mapview_wasm_guest as_guest = {host.id};
    CHECK_ERR(mapview_wasm_guest_flush(as_guest, &err), err, MAPVIEW_ERR_INVALID_HANDLE, "not a wasm guest");
    CHECK_STATUS(mapview_wasm_guest_close(g), MAPVIEW_OK);
    CHECK_STATUS(mapview_wasm_guest_close(g), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_wasm_guest_call(g, "sum", MAPVIEW_NUL_TERMINATED, NULL, 0, r1, 1, &nres, &err), err, MAPVIEW_ERR_CLOSED, "closed");
    CHECK_STATUS(mapview_wasm_host_close(host), MAPVIEW_OK);
    CHECK_STATUS(mapview_wasm_host_close(host), MAPVIEW_ERR_CLOSED);
    CHECK_ERR(mapview_wasm_guest_load(host, (const uint8_t *)GUEST, strlen(GUEST), &g, &err), err, MAPVIEW_ERR_CLOSED, "closed");
}
