//! Process a file in mapped windows, never mapping all of it at once;
//! windows overlap so a pattern on a boundary is still found.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    // 1 MiB of dots with "needle" at three places, one across a 64 KiB boundary.
    const size = 1 << 20;
    const path = scratch.path("large.dat");
    {
        const m = try mapview.Map.create(path, size, .{}, null);
        defer m.close();
        const data = try m.bytesMut(null);
        @memset(data, '.');
        for ([_]usize{ 1000, 65536 - 3, 900_000 }) |at| @memcpy(data[at..][0..6], "needle");
        try m.flush(.{}, null);
    }

    const needle = "needle";
    const window = 64 * 1024;
    var it = try mapview.Windows.open(path, window, needle.len - 1, null);
    defer it.close();
    const total = try it.count(null);
    var found: usize = 0;
    var bytes: u64 = 0;
    while (try it.next(null)) |w| {
        bytes += w.data.len;
        var pos: usize = 0;
        // The overlap (needle.len - 1 bytes) cannot hold a whole match, so
        // no match is seen twice, and none on a boundary is missed.
        while (std.mem.indexOfPos(u8, w.data, pos, needle)) |i| : (pos = i + 1) found += 1;
    }
    try out.print("windowed: {d} windows of {d} KiB over {d} bytes, found \"needle\" {d} times\n", .{ total, window / 1024, size, found });
}
