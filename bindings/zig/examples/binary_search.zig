//! Binary search in a sorted file of records, run by the library, with
//! the key field named in Zig.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

const Entry = extern struct {
    key: u64,
    value: u64,
};

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    var entries: [10000]Entry = undefined;
    for (&entries, 0..) |*e, i| e.* = .{ .key = i * 2, .value = i * i };
    const path = scratch.path("sorted.dat");
    (try mapview.Map.createFromBytes(path, std.mem.sliceAsBytes(&entries), .{}, null)).close();

    const m = try mapview.Map.open(path, .read_only, .{ .advice = .random }, null);
    defer m.close();
    const recs = try m.records(Entry, null);
    const hit = try recs.search("key", 4242, null);
    const e = try recs.get(hit.index, null);
    try out.print("binary_search: key 4242 found={} at index {d}, value {d}\n", .{ hit.found, hit.index, e.value });
    const miss = try recs.search("key", 4243, null);
    try out.print("binary_search: key 4243 found={} would go at index {d}\n", .{ miss.found, miss.index });
}
