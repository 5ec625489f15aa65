//! Map a file read-only and read it as a slice; what a failure looks like.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};
    var scratch = try common.Scratch.init(init.io);
    defer scratch.deinit();

    const path = scratch.path("hello.txt");
    try std.Io.Dir.cwd().writeFile(init.io, .{ .sub_path = path, .data = "Hello, Memory Map!\nsecond line\nthird line\n" });

    const m = try mapview.Map.open(path, .read_only, .{}, null);
    defer m.close();
    const data = try m.bytes(null);
    const lines = std.mem.count(u8, data, "\n");
    try out.print("read_only: mapped {d} bytes, counted {d} lines, first: {s}\n", .{ data.len, lines, data[0..std.mem.indexOfScalar(u8, data, '\n').?] });

    // Errors: a named error, and the library's message in Diagnostics.
    var diag: mapview.Diagnostics = .{};
    if (mapview.Map.open(scratch.path("missing.txt"), .read_only, .{}, &diag)) |other| {
        other.close();
    } else |err| {
        try out.print("read_only: missing file -> error.{t}: {f}\n", .{ err, diag });
    }
}
