//! Scratch directories and small utilities for the integration tests.

const std = @import("std");
const mapview = @import("mapview");

pub const io = std.testing.io;
pub const gpa = std.testing.allocator;

extern "c" fn mkdtemp(template: [*:0]u8) ?[*:0]u8;
extern "c" fn getpid() c_int;

pub fn pid() i32 {
    return getpid();
}

/// A fresh directory under /tmp, removed by deinit.
pub const Scratch = struct {
    dir_buf: [64]u8,
    dir_len: usize,
    arena: std.heap.ArenaAllocator,

    pub fn init() !Scratch {
        var s: Scratch = .{ .dir_buf = undefined, .dir_len = 0, .arena = .init(std.heap.page_allocator) };
        const template = "/tmp/mapview-zig-test.XXXXXX";
        @memcpy(s.dir_buf[0..template.len], template);
        s.dir_buf[template.len] = 0;
        const p = mkdtemp(s.dir_buf[0..template.len :0]) orelse return error.MkdtempFailed;
        s.dir_len = std.mem.len(p);
        return s;
    }

    pub fn deinit(s: *Scratch) void {
        std.Io.Dir.cwd().deleteTree(io, s.dir()) catch {};
        s.arena.deinit();
    }

    pub fn dir(s: *const Scratch) []const u8 {
        return s.dir_buf[0..s.dir_len];
    }

    /// dir/name (lives as long as the scratch directory).
    pub fn path(s: *Scratch, name: []const u8) []const u8 {
        return std.fs.path.join(s.arena.allocator(), &.{ s.dir(), name }) catch @panic("OOM");
    }

    /// Writes a file and returns its path.
    pub fn write(s: *Scratch, name: []const u8, data: []const u8) ![]const u8 {
        const p = s.path(name);
        try std.Io.Dir.cwd().writeFile(io, .{ .sub_path = p, .data = data });
        return p;
    }

    pub fn mkdir(s: *Scratch, name: []const u8) ![]const u8 {
        const p = s.path(name);
        try std.Io.Dir.cwd().createDir(io, p, .default_dir);
        return p;
    }

    pub fn read(s: *Scratch, name: []const u8) ![]u8 {
        return std.Io.Dir.cwd().readFileAlloc(io, s.path(name), s.arena.allocator(), .limited(1 << 30));
    }
};

/// Expects `err` from `result` and that `diag` says so with `needle` in
/// its message.
pub fn expectFailure(diag: *const mapview.Diagnostics, want: mapview.Error, needle: []const u8, result: anytype) !void {
    if (result) |_| {
        std.debug.print("expected error.{t}, the call succeeded\n", .{want});
        return error.TestExpectedError;
    } else |got| {
        if (got != want) {
            std.debug.print("expected error.{t}, got error.{t}: {s}\n", .{ want, got, diag.message() });
            return error.TestUnexpectedError;
        }
    }
    try std.testing.expectEqual(mapview.Status.fromError(want), diag.status);
    if (std.mem.indexOf(u8, diag.message(), needle) == null) {
        std.debug.print("message \"{s}\" does not contain \"{s}\"\n", .{ diag.message(), needle });
        return error.TestUnexpectedMessage;
    }
}
