//! What every example needs besides mapview: a scratch directory of its
//! own and a stdout writer.

const std = @import("std");

extern "c" fn mkdtemp(template: [*:0]u8) ?[*:0]u8;

/// A fresh directory under /tmp, removed by deinit.
pub const Scratch = struct {
    io: std.Io,
    buf: [64]u8 = undefined,
    len: usize = 0,
    path_buf: [256]u8 = undefined,

    pub fn init(io: std.Io) !Scratch {
        var s: Scratch = .{ .io = io };
        const template = "/tmp/mapview-zig-example.XXXXXX";
        @memcpy(s.buf[0..template.len], template);
        s.buf[template.len] = 0;
        const p = mkdtemp(s.buf[0..template.len :0]) orelse return error.MkdtempFailed;
        s.len = std.mem.len(p);
        return s;
    }

    pub fn deinit(s: *Scratch) void {
        std.Io.Dir.cwd().deleteTree(s.io, s.buf[0..s.len]) catch {};
    }

    /// dir/name, valid until the next call.
    pub fn path(s: *Scratch, name: []const u8) []const u8 {
        return std.fmt.bufPrint(&s.path_buf, "{s}/{s}", .{ s.buf[0..s.len], name }) catch unreachable;
    }
};

/// A buffered stdout; flush it before returning.
pub const Stdout = struct {
    buf: [4096]u8 = undefined,
    writer: std.Io.File.Writer = undefined,

    pub fn init(s: *Stdout, io: std.Io) *std.Io.Writer {
        s.writer = std.Io.File.stdout().writerStreaming(io, &s.buf);
        return &s.writer.interface;
    }
};
