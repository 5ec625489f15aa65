//! Tell the kernel how a map will be used; fault pages in; lock them.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    const path = scratch.path("advice.dat");
    (try mapview.Map.create(path, 16 * 4096, .{}, null)).close();

    // Advice at map time...
    const m = try mapview.Map.open(path, .read_only, .{ .advice = .sequential }, null);
    defer m.close();
    // ...and later, for the whole map or a range.
    try m.advise(.will_need, .{}, null);
    try m.advise(.random, .{ .offset = 4096, .length = 8192 }, null);
    try m.advise(.normal, .{}, null);
    try m.advise(.dont_need, .{ .offset = 8 * 4096 }, null);
    const method = try m.populate(null);
    try out.print("advice: sequential, will_need, random (range), normal, dont_need (range) given; populated by {t}\n", .{method});
    if (m.lock(null)) {
        try m.unlock(null);
        try out.print("advice: locked and unlocked {d} bytes\n", .{(try m.info(null)).len});
    } else |err| {
        try out.print("advice: lock refused: error.{t}\n", .{err});
    }
}
