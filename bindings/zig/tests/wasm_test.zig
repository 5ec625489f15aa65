//! The WebAssembly host through the binding: Zig guests (built by this
//! package's build.zig for wasm32-freestanding without bulk memory) read
//! mapped files as views; traps, limits and misuse.

const std = @import("std");
const mapview = @import("mapview");
const build_options = @import("build_options");
const h = @import("helpers.zig");

const testing = std.testing;
const Host = mapview.Host;
const Guest = mapview.Guest;
const Map = mapview.Map;
const Diagnostics = mapview.Diagnostics;

/// What the guests compute, in Zig: the bytes as little-endian u64 words,
/// a last partial word zero-padded, summed with wrapping.
fn sumWords(bytes: []const u8) u64 {
    var sum: u64 = 0;
    var i: usize = 0;
    while (i + 8 <= bytes.len) : (i += 8) sum +%= std.mem.readInt(u64, bytes[i..][0..8], .little);
    var last: [8]u8 = @splat(0);
    @memcpy(last[0 .. bytes.len - i], bytes[i..]);
    return sum +% std.mem.readInt(u64, &last, .little);
}

fn pseudoRandom(buf: []u8, seed: u64) void {
    var prng = std.Random.DefaultPrng.init(seed);
    prng.random().bytes(buf);
}

fn call1(g: Guest, func: []const u8, args: []const i64, diag: ?*Diagnostics) !i64 {
    var out: [4]i64 = undefined;
    const r = try g.call(func, args, &out, diag);
    try testing.expectEqual(@as(usize, 1), r.len);
    return r[0];
}

test "a Zig guest sums a view of a map; the result matches Zig's" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const data = try s.arena.allocator().alloc(u8, 1 << 20);
    pseudoRandom(data, 42);
    const p = try s.write("data.bin", data);

    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.loadFile(build_options.probe_wasm, null);
    defer g.close();
    const m = try Map.open(p, .read_only, .{}, null);
    const whole = try g.attach("whole", m, .{}, null);
    // A range at an unaligned offset.
    const part = try g.attach("part", m, .{ .offset = 1001, .length = 70001 }, null);
    // The views outlive the map handle.
    m.close();
    try testing.expectEqual(@as(u32, 1 << 20), whole.len);
    try testing.expect(!whole.writable);
    try testing.expectEqual(@as(u32, 70001), part.len);
    try testing.expectEqual(@as(u32, 1001 % 4096), part.addr % 65536);

    try testing.expectEqual(sumWords(data), @as(u64, @bitCast(try call1(g, "view_sum", &.{0}, null))));
    try testing.expectEqual(sumWords(data[1001..][0..70001]), @as(u64, @bitCast(try call1(g, "view_sum", &.{1}, null))));
    try testing.expectEqual(@as(i64, -1), try call1(g, "view_sum", &.{2}, null));
    const zeros = std.mem.count(u8, data, &.{0});
    try testing.expectEqual(@as(i64, @intCast(zeros)), try call1(g, "view_count_byte", &.{ 0, 0 }, null));

    // Names, through the guest's output.
    try testing.expectEqual(@as(i64, 2), try call1(g, "view_names", &.{}, null));
    const names = try g.outputAlloc(testing.allocator, null);
    defer testing.allocator.free(names);
    try testing.expectEqualStrings("whole\npart\n", names);
}

test "the project's own Zig guest (wasm-host/guests/zig/sum.zig) through the binding" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var a: [5003]u8 = undefined;
    var b: [777]u8 = undefined;
    pseudoRandom(&a, 1);
    pseudoRandom(&b, 2);
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.loadFile(build_options.sum_wasm, null);
    defer g.close();
    const ma = try Map.open(try s.write("a.bin", &a), .read_only, .{}, null);
    defer ma.close();
    const mb = try Map.open(try s.write("b.bin", &b), .read_only, .{}, null);
    defer mb.close();
    _ = try g.attach("a", ma, .{}, null);
    _ = try g.attach("b", mb, .{}, null);
    try testing.expectEqual(sumWords(&a) +% sumWords(&b), @as(u64, @bitCast(try call1(g, "run", &.{}, null))));
}

test "load from bytes (binary and text), arguments, output in pieces" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const wasm = try std.Io.Dir.cwd().readFileAlloc(h.io, build_options.probe_wasm, testing.allocator, .limited(1 << 24));
    defer testing.allocator.free(wasm);
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.load(wasm, null);
    defer g.close();
    try g.setArgs(&.{ .of("alpha"), .of("b") }, null);
    try testing.expectEqual(@as(i64, 2), try call1(g, "echo_args", &.{}, null));
    try testing.expectEqual(@as(usize, 8), try g.outputLen(null));
    var buf: [3]u8 = undefined;
    try testing.expectEqualStrings("alp", try g.output(&buf, null));
    try testing.expectEqual(@as(usize, 5), try g.outputLen(null));
    var rest: [16]u8 = undefined;
    try testing.expectEqualStrings("ha\nb\n", try g.output(&rest, null));
    try testing.expectEqual(@as(usize, 0), (try g.output(&rest, null)).len);
    try testing.expectEqual(@as(usize, 0), (try g.output(&.{}, null)).len);
    try g.setArgsAlloc(testing.allocator, &.{ "x", "", "zz" }, null);
    try testing.expectEqual(@as(i64, 3), try call1(g, "echo_args", &.{}, null));
    const out = try g.outputAlloc(testing.allocator, null);
    defer testing.allocator.free(out);
    try testing.expectEqualStrings("x\n\nzz\n", out);
    // view_find through an argument naming a view.
    const m = try Map.open(try s.write("named.bin", "12345678"), .read_only, .{}, null);
    defer m.close();
    _ = try g.attach("first", m, .{}, null);
    _ = try g.attach("second", m, .{ .offset = 4 }, null);
    try g.setArgs(&.{.of("second")}, null);
    try testing.expectEqual(@as(i64, 1), try call1(g, "find_arg_view", &.{}, null));
    // Mixed i64/i32 parameters.
    try testing.expectEqual(@as(i64, 999999999995), try call1(g, "add", &.{ 1000000000000, -5 }, null));
    // WebAssembly text.
    const t = try host.load("(module (memory (export \"memory\") 1) (func (export \"two\") (result i32 i64) (i32.const 2) (i64.const -3)))", null);
    defer t.close();
    var res: [2]i64 = undefined;
    try testing.expectEqualSlices(i64, &.{ 2, -3 }, try t.call("two", &.{}, &res, null));
    // A buffer too small: nothing is called, and the diagnostics say why.
    var one: [1]i64 = undefined;
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, "room for 1", t.call("two", &.{}, &one, &diag));
    try testing.expectEqual(@as(usize, 2), try t.callCount("two", &.{}, &res, null));
}

test "a writable view writes the file; a read-only one traps" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("rw.bin", "..........");
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.loadFile(build_options.probe_wasm, null);
    defer g.close();
    const rw = try Map.open(p, .read_write, .{}, null);
    defer rw.close();
    const ro = try Map.open(p, .read_only, .{}, null);
    defer ro.close();
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.ReadOnly, "read-only", g.attach("ro-as-rw", ro, .{ .writable = true }, &diag));
    const v = try g.attach("rw", rw, .{ .offset = 2, .length = 3, .writable = true }, null);
    try testing.expect(v.writable);
    _ = try g.attach("ro", ro, .{}, null);
    try testing.expectEqual(@as(i64, 1), try call1(g, "is_writable", &.{0}, null));
    try testing.expectEqual(@as(i64, 0), try call1(g, "is_writable", &.{1}, null));
    try testing.expectEqual(@as(i64, 3), try call1(g, "view_fill", &.{ 0, 'W' }, null));
    try g.flush(null);
    try testing.expectEqualStrings("..WWW.....", try s.read("rw.bin"));
    // The host's map sees the same pages.
    try testing.expectEqualStrings("..WWW.....", try rw.bytes(null));
    // A store into the read-only view is a trap with a message; the guest goes on.
    var none: [4]i64 = undefined;
    try h.expectFailure(&diag, error.WasmTrap, "read-only view", g.callCount("view_fill", &.{ 1, 'X' }, &none, &diag));
    try testing.expectEqual(@as(i64, 3), try call1(g, "view_count_byte", &.{ 1, 'W' }, null));
}

test "traps, fuel, time and memory limits" {
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.loadFile(build_options.probe_wasm, null);
    defer g.close();
    var diag: Diagnostics = .{};
    var none: [4]i64 = undefined;
    try h.expectFailure(&diag, error.WasmTrap, "unreachable", g.call("trap", &.{}, &none, &diag));
    try h.expectFailure(&diag, error.WasmTrap, "out-of-bounds", g.call("poke", &.{ 0x7FFFFFF0, 1 }, &none, &diag));
    // Still usable after a trap.
    try testing.expectEqual(@as(i64, 3), try call1(g, "add", &.{ 1, 2 }, null));

    const fuel = try Host.create(.{ .fuel = 100_000 }, null);
    defer fuel.close();
    const gf = try fuel.loadFile(build_options.probe_wasm, null);
    defer gf.close();
    try h.expectFailure(&diag, error.WasmTimeout, "fuel", gf.call("spin", &.{}, &none, &diag));

    const timed = try Host.create(.{ .timeout_ms = 50 }, null);
    defer timed.close();
    const gt = try timed.loadFile(build_options.probe_wasm, null);
    defer gt.close();
    try h.expectFailure(&diag, error.WasmTimeout, "time limit", gt.call("spin", &.{}, &none, &diag));

    const small = try Host.create(.{ .max_memory = 4 << 20 }, null);
    defer small.close();
    const gm = try small.loadFile(build_options.probe_wasm, null);
    defer gm.close();
    try h.expectFailure(&diag, error.WasmMemoryLimit, "limit", gm.call("grow", &.{1000}, &none, &diag));
    try testing.expect(try call1(gm, "grow", &.{1}, null) > 0);
}

test "attachDir views every file under a directory, within a limit" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const dir = try s.mkdir("tree");
    _ = try s.write("tree/a.txt", "aaaa");
    _ = try s.mkdir("tree/sub");
    _ = try s.write("tree/sub/b.txt", "bb");
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.loadFile(build_options.probe_wasm, null);
    defer g.close();
    try testing.expectEqual(@as(usize, 2), try g.attachDir(dir, 10, null));
    _ = try call1(g, "view_names", &.{}, null);
    const names = try g.outputAlloc(testing.allocator, null);
    defer testing.allocator.free(names);
    try testing.expect(std.mem.indexOf(u8, names, "a.txt\n") != null);
    try testing.expect(std.mem.indexOf(u8, names, "sub/b.txt\n") != null);
    const g2 = try host.loadFile(build_options.probe_wasm, null);
    defer g2.close();
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.WasmView, "limit of 1", g2.attachDir(dir, 1, &diag));
    const missing = s.path("nope");
    try h.expectFailure(&diag, error.NotFound, "nope", g2.attachDir(missing, 10, &diag));
}

test "bad modules, missing exports, wrong signatures, unviewable maps" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const host = try Host.create(.{}, null);
    defer host.close();
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.WasmModule, "not a valid guest module", host.load("junk", &diag));
    try h.expectFailure(&diag, error.WasmModule, "bulk memory", host.load("(module (memory (export \"memory\") 1) (func (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))", &diag));
    try h.expectFailure(&diag, error.WasmExport, "memory", host.load("(module (func (export \"f\")))", &diag));
    const missing = s.path("missing.wasm");
    try h.expectFailure(&diag, error.NotFound, missing, host.loadFile(missing, &diag));
    const g = try host.loadFile(build_options.probe_wasm, null);
    defer g.close();
    var out: [1]i64 = undefined;
    try h.expectFailure(&diag, error.WasmExport, "nope", g.call("nope", &.{}, &out, &diag));
    try h.expectFailure(&diag, error.WasmSignature, "takes 1", g.call("view_sum", &.{}, &out, &diag));
    const anon = try Map.anonymous(4096, .private, .{}, null);
    defer anon.close();
    try h.expectFailure(&diag, error.WasmView, "shared", g.attach("anon", anon, .{}, &diag));
    const private = try Map.open(try s.write("p.bin", "private"), .private, .{}, null);
    defer private.close();
    try testing.expectError(error.WasmView, g.attach("private", private, .{}, null));
    const shared = try Map.anonymous(4096, .shared, .{}, null);
    try h.expectFailure(&diag, error.InvalidArgument, "does not fit", g.attach("big", shared, .{ .offset = 4000, .length = 200 }, &diag));
    shared.close();
    try h.expectFailure(&diag, error.Closed, "closed", g.attach("x", shared, .{}, &diag));
}

test "closed and foreign guests and hosts" {
    const host = try Host.create(.{}, null);
    const g = try host.load("(module (memory (export \"memory\") 1) (func (export \"f\") (result i32) (i32.const 1)))", null);
    var out: [1]i64 = undefined;
    const as_guest: Guest = .{ .handle = .{ .id = host.handle.id } };
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidHandle, "not a wasm guest", as_guest.flush(&diag));
    try g.tryClose();
    try testing.expectError(error.Closed, g.tryClose());
    try h.expectFailure(&diag, error.Closed, "closed", g.call("f", &.{}, &out, &diag));
    try host.tryClose();
    try testing.expectError(error.Closed, host.tryClose());
    try h.expectFailure(&diag, error.Closed, "closed", host.load("(module)", &diag));
    // A struct_size the library does not know, through the raw ABI.
    var o = mapview.c.mapview_wasm_host_options_init();
    o.struct_size = 0;
    var hh: mapview.c.mapview_wasm_host = .{};
    try testing.expectEqual(@as(i32, mapview.c.MAPVIEW_ERR_INVALID_ARGUMENT), mapview.c.mapview_wasm_host_create(&o, &hh, null));
}
