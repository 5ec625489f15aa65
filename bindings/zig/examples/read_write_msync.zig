//! Map a file read-write, change it in place, and sync it to disk
//! (synchronously, asynchronously, and a range).

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    const path = scratch.path("rw.dat");
    // A new file holding "AAAA" (create never overwrites).
    (try mapview.Map.createFromBytes(path, "AAAA", .{}, null)).close();

    {
        const m = try mapview.Map.open(path, .read_write, .{}, null);
        defer m.close();
        const data = try m.bytesMut(null);
        data[0] = 'B';
        try m.flush(.{ .mode = .async }, null); // start the write-back
        data[1] = 'B';
        try m.flush(.{ .offset = 0, .length = 2 }, null); // msync(MS_SYNC) of a range
        try m.flush(.{}, null); // the whole map, waiting
    }

    var buf: [16]u8 = undefined;
    const file = try std.Io.Dir.cwd().readFile(init.io, path, &buf);
    try out.print("read_write_msync: wrote through the map, file now holds {s}\n", .{file});
}
