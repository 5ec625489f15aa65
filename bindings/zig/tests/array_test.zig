//! Arrays: .npy and raw files, typed access, aggregates, bad files.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Array = mapview.Array;

/// A .npy version 1.0 file with the header dict given (padded to 64).
fn npy(arena: std.mem.Allocator, dict: []const u8, data: []const u8) ![]u8 {
    const unpadded = 10 + dict.len + 1;
    const total = std.mem.alignForward(usize, unpadded, 64);
    const out = try arena.alloc(u8, total + data.len);
    @memcpy(out[0..8], "\x93NUMPY\x01\x00");
    std.mem.writeInt(u16, out[8..10], @intCast(total - 10), .little);
    @memcpy(out[10..][0..dict.len], dict);
    @memset(out[10 + dict.len .. total - 1], ' ');
    out[total - 1] = '\n';
    @memcpy(out[total..], data);
    return out;
}

test "create a .npy file from Zig values; open it; aggregates" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("m.npy");
    const values = [_]f64{ 1, 2, 3, 4, 5, 6 };
    {
        const a = try Array.createFrom(f64, p, &.{ 2, 3 }, &values, null);
        defer a.close();
        try a.flush(.sync, null);
    }
    const a = try Array.open(p, .read_only, null, null);
    defer a.close();
    const info = try a.info(null);
    try testing.expectEqual(mapview.Dtype.f64, info.dtype);
    try testing.expectEqual(mapview.array.Order.c, info.order);
    try testing.expectEqual(mapview.array.Format.npy, info.format);
    try testing.expectEqual(@as(u32, 2), info.ndim);
    try testing.expectEqual(@as(u64, 6), info.count);
    try testing.expectEqual(@as(u64, 48), info.nbytes);
    try testing.expectEqual(@as(usize, 8), info.itemsize);
    try testing.expectEqual([2]u8{ 1, 0 }, info.npy_version);
    try testing.expect(!info.writable);
    var dims: [mapview.array.max_dims]u64 = undefined;
    try testing.expectEqualSlices(u64, &.{ 2, 3 }, try a.shape(&dims, null));
    const items = try a.items(f64, null);
    for (values, 0..) |v, i| try testing.expectEqual(v, items[i]);
    try testing.expectEqual(@as(usize, 48), (try a.bytes(null)).len);

    const sum = try a.sum(null);
    try testing.expectEqual(mapview.Dtype.f64, sum.dtype);
    try testing.expectEqual(mapview.array.Exact{ .float = 21 }, sum.exact);
    try testing.expectEqual(@as(f64, 3.5), (try a.mean(null)).float);
    try testing.expectApproxEqAbs(@as(f64, @sqrt(17.5 / 6.0)), (try a.stdDev(0, null)).float, 1e-12);
    try testing.expectApproxEqAbs(@as(f64, @sqrt(17.5 / 5.0)), (try a.stdDev(1, null)).float, 1e-12);
    try testing.expectEqual(@as(f64, 1), (try a.min(null)).float);
    try testing.expectEqual(@as(f64, 6), (try a.max(null)).float);
    // The element type must be the array's.
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, "float64", a.items(u32, &diag));
    // Read-only.
    try testing.expectError(error.ReadOnly, a.bytesMut(null));
    try testing.expectError(error.ReadOnly, a.itemsMut(f64, null));
    try testing.expectError(error.ReadOnly, a.flush(.sync, null));
    // A shape buffer too small.
    var one: [1]u64 = undefined;
    try testing.expectError(error.InvalidArgument, a.shape(&one, null));
}

test "integer and bool aggregates are typed as NumPy types them" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const ints = try Array.createFrom(i8, s.path("i8.npy"), &.{4}, &.{ -100, -100, 50, 1 }, null);
    defer ints.close();
    const sum = try ints.sum(null);
    try testing.expectEqual(mapview.Dtype.i64, sum.dtype);
    try testing.expectEqual(mapview.array.Exact{ .int = -149 }, sum.exact);
    try testing.expectEqual(mapview.array.Exact{ .int = -100 }, (try ints.min(null)).exact);
    try testing.expectEqual(mapview.Dtype.f64, (try ints.mean(null)).dtype);
    const uns = try Array.createFrom(u16, s.path("u16.npy"), &.{3}, &.{ 65535, 1, 2 }, null);
    defer uns.close();
    try testing.expectEqual(mapview.array.Exact{ .uint = 65538 }, (try uns.sum(null)).exact);
    try testing.expectEqual(mapview.array.Exact{ .uint = 65535 }, (try uns.max(null)).exact);
    const bools = try Array.createFrom(bool, s.path("b.npy"), &.{3}, &.{ true, false, true }, null);
    defer bools.close();
    try testing.expectEqual(@as(f64, 2), (try bools.sum(null)).float);
    try testing.expectEqual(mapview.array.Exact{ .bool = true }, (try bools.max(null)).exact);
}

test "a read-write array: writes reach the file" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("rw.npy");
    {
        const a = try Array.create(p, .{ .dtype = .i32, .shape = &.{5} }, null, null);
        defer a.close();
        try testing.expectEqual(@as(f64, 0), (try a.sum(null)).float);
    }
    {
        const a = try Array.open(p, .read_write, null, null);
        defer a.close();
        const items = try a.itemsMut(i32, null);
        items[4] = 40;
        try a.flush(.async, null);
        try a.flush(.sync, null);
    }
    const a = try Array.open(p, .read_only, null, null);
    defer a.close();
    try testing.expectEqual(@as(i32, 40), (try a.items(i32, null))[4]);
    try testing.expectError(error.AlreadyExists, Array.create(p, .{ .dtype = .i32, .shape = &.{5} }, null, null));
}

test "raw data: dtype, offset and an inferred shape from the spec" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var data: [3 + 2 * 10]u8 = undefined;
    @memcpy(data[0..3], "HDR");
    for (0..10) |i| std.mem.writeInt(u16, data[3 + 2 * i ..][0..2], @intCast(i * 100), .little);
    const p = try s.write("raw.bin", &data);
    const a = try Array.open(p, .read_only, .{ .format = .raw, .dtype = .u16, .offset = 3, .infer_shape = true }, null);
    defer a.close();
    const info = try a.info(null);
    try testing.expectEqual(mapview.array.Format.raw, info.format);
    try testing.expectEqual(@as(u64, 10), info.count);
    // (info.data_offset is not checked: for a raw file the library maps
    // from the offset and reports 0, though the header says "where the
    // data starts in the file"; see the binding's report.)
    const items = try a.items(u16, null);
    try testing.expectEqual(@as(u16, 900), items[9]);
    try testing.expectEqual(mapview.array.Exact{ .uint = 4500 }, (try a.sum(null)).exact);
    // A 2-d raw shape, Fortran order.
    const f = try Array.open(p, .read_only, .{ .format = .raw, .dtype = .u16, .offset = 3, .shape = &.{ 5, 2 }, .order = .fortran }, null);
    defer f.close();
    try testing.expectEqual(mapview.array.Order.fortran, (try f.info(null)).order);
    // Raw create.
    const r = try Array.create(s.path("raw-new.bin"), .{ .format = .raw, .dtype = .f32, .shape = &.{2} }, std.mem.sliceAsBytes(&[_]f32{ 1.5, 2.5 }), null);
    defer r.close();
    try testing.expectEqual(@as(f64, 4), (try r.sum(null)).float);
}

test "bad arrays: corrupt and unsupported headers, wrong data size, empty min, no dtype" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const arena = s.arena.allocator();
    var diag: mapview.Diagnostics = .{};
    const junk = try s.write("junk.npy", "this is not a numpy file at all, not even close................");
    try h.expectFailure(&diag, error.Corrupt, junk, Array.open(junk, .read_only, null, &diag));
    const be = try s.write("be.npy", try npy(arena, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", &(@as([8]u8, @splat(0)))));
    try h.expectFailure(&diag, error.Unsupported, be, Array.open(be, .read_only, null, &diag));
    const short = try s.write("short.npy", try npy(arena, "{'descr': '<f8', 'fortran_order': False, 'shape': (100,), }", &(@as([8]u8, @splat(0)))));
    try h.expectFailure(&diag, error.Corrupt, short, Array.open(short, .read_only, null, &diag));
    const ok = try s.write("ok.npy", try npy(arena, "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 1), }", &(@as([8]u8, @splat(1)))));
    const good = try Array.open(ok, .read_only, null, null);
    defer good.close();
    try testing.expectEqual(mapview.array.Order.fortran, (try good.info(null)).order);

    try testing.expectError(error.RecordSize, Array.create(s.path("size.npy"), .{ .dtype = .u8, .shape = &.{4} }, "abc", null));
    try testing.expectError(error.NotFound, Array.open(s.path("size.npy"), .read_only, null, null));
    try testing.expectError(error.InvalidArgument, Array.create(s.path("nodtype.npy"), .{ .shape = &.{4} }, null, null));
    const empty = try Array.create(s.path("empty.npy"), .{ .dtype = .f32, .shape = &.{0} }, null, null);
    defer empty.close();
    try testing.expectError(error.InvalidArgument, empty.min(null));
    try testing.expect(std.math.isNan((try empty.mean(null)).float));
    try testing.expectEqual(@as(usize, 0), (try empty.items(f32, null)).len);
    const missing = s.path("missing.npy");
    try h.expectFailure(&diag, error.NotFound, missing, Array.open(missing, .read_only, null, &diag));
}

test "Dtype from the library; closed arrays" {
    try testing.expectEqualStrings("int16", mapview.Dtype.i16.name());
    try testing.expectEqual(@as(usize, 8), mapview.Dtype.f64.size());
    try testing.expectEqualStrings("unknown", @as(mapview.Dtype, @fromBackingInt(@intCast(77))).name());
    var s = try h.Scratch.init();
    defer s.deinit();
    const a = try Array.createFrom(u8, s.path("c.npy"), &.{1}, &.{7}, null);
    try a.tryClose();
    try testing.expectError(error.Closed, a.sum(null));
    try testing.expectError(error.Closed, a.tryClose());
}
