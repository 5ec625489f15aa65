//! Map only part of a large file: any offset (the library handles page
//! alignment), any length.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    // Three pages of digits.
    var content: [3 * 4096]u8 = undefined;
    for (&content, 0..) |*b, i| b.* = '0' + @as(u8, @intCast(i % 10));
    const path = scratch.path("big.dat");
    try std.Io.Dir.cwd().writeFile(init.io, .{ .sub_path = path, .data = &content });

    const m = try mapview.Map.open(path, .read_only, .{ .offset = 5003, .length = 16 }, null);
    defer m.close();
    const info = try m.info(null);
    try out.print("range_map: bytes {d}..{d} of {d} = {s}\n", .{ info.file_offset, info.file_offset + info.len, content.len, try m.bytes(null) });

    // Past the end is an error, not a crash.
    var diag: mapview.Diagnostics = .{};
    _ = mapview.Map.open(path, .read_only, .{ .offset = 20000 }, &diag) catch |err|
        try out.print("range_map: offset 20000 -> error.{t}\n", .{err});
}
