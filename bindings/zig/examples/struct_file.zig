//! A file of fixed-size records read as Zig structs in place.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

const Point = extern struct {
    x: f32,
    y: f32,
    z: f32,
    id: u32,
};

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    var points: [1000]Point = undefined;
    for (&points, 0..) |*p, i| {
        const f: f32 = @floatFromInt(i);
        p.* = .{ .x = f, .y = f * 2, .z = f * 3, .id = @intCast(i) };
    }
    const path = scratch.path("points.dat");
    (try mapview.Map.createFromBytes(path, std.mem.sliceAsBytes(&points), .{}, null)).close();

    const m = try mapview.Map.open(path, .read_only, .{}, null);
    defer m.close();
    const recs = try m.records(Point, null);
    const p = try recs.get(500, null);
    var sum_z: f64 = 0;
    for (try recs.slice(null)) |q| sum_z += q.z;
    try out.print("struct_file: {d} records of {d} bytes, #500 = ({d}, {d}, {d}) id {d}, sum of z {d}\n", .{ try recs.count(null), @sizeOf(Point), p.x, p.y, p.z, p.id, sum_z });
    _ = recs.get(1000, null) catch |err| try out.print("struct_file: record 1000 -> error.{t}\n", .{err});
}
