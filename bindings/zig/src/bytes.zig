//! `mapview_bytes`: a pointer and a length, for calls that take a list
//! of byte strings (log batches, guest arguments).

const std = @import("std");
const c = @import("c");

/// A byte string as the C ABI takes it in a list. Build one with
/// `Bytes.of(slice)`; it borrows the slice.
pub const Bytes = extern struct {
    data: ?[*]const u8,
    len: usize,

    pub fn of(s: []const u8) Bytes {
        return .{ .data = if (s.len == 0) null else s.ptr, .len = s.len };
    }

    pub fn slice(b: Bytes) []const u8 {
        return if (b.data) |p| p[0..b.len] else &.{};
    }

    comptime {
        std.debug.assert(@sizeOf(Bytes) == @sizeOf(c.mapview_bytes));
        std.debug.assert(@offsetOf(Bytes, "len") == @offsetOf(c.mapview_bytes, "len"));
    }

    pub fn asC(list: []const Bytes) [*c]const c.mapview_bytes {
        return @ptrCast(list.ptr);
    }
};

/// Converts slices to a Bytes list with `gpa` (freed by the caller).
pub fn fromSlices(gpa: std.mem.Allocator, slices: []const []const u8) error{OutOfMemory}![]Bytes {
    const list = try gpa.alloc(Bytes, slices.len);
    for (list, slices) |*b, s| b.* = .of(s);
    return list;
}
