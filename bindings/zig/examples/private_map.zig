//! A private (copy-on-write) map: writable, but the file never changes.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    const path = scratch.path("template.txt");
    try std.Io.Dir.cwd().writeFile(init.io, .{ .sub_path = path, .data = "template" });

    const m = try mapview.Map.open(path, .private, .{}, null);
    defer m.close();
    const data = try m.bytesMut(null);
    @memcpy(data[0..4], "TEMP");

    var buf: [16]u8 = undefined;
    const file = try std.Io.Dir.cwd().readFile(init.io, path, &buf);
    try out.print("private_map: map sees {s}, file still holds {s}\n", .{ data, file });
    // Flushing a private map makes no sense, and says so.
    m.flush(.{}, null) catch |err| try out.print("private_map: flush -> error.{t}\n", .{err});
}
