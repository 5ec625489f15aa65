//! Reading a file in mapped windows (`mapview_windows_*`): files larger
//! than the address space, or than one wants mapped at once.

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// One window of a file. `data` is valid until the next `next` or `close`
/// on the iterator that gave it.
pub const Window = struct {
    data: []const u8,
    /// Where the window starts in the file.
    file_offset: u64,
    /// 0 for the first window, then 1, 2, ...
    index: u64,
};

/// An iterator over a file's windows: each `window_size` bytes (the last
/// may be shorter), each after the first starting `overlap` bytes before
/// the previous one ended, so a pattern of up to overlap + 1 bytes always
/// lies inside one window.
///
/// ```
/// var it = try mapview.Windows.open(path, 1 << 20, 15, null);
/// defer it.close();
/// while (try it.next(null)) |w| process(w.data);
/// ```
pub const Windows = struct {
    handle: c.mapview_windows,

    /// window_size must be at least 1 and overlap smaller than it
    /// (error.InvalidArgument otherwise).
    pub fn open(path: []const u8, window_size: u64, overlap: u64, diag: ?*Diagnostics) Error!Windows {
        var out: c.mapview_windows = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_windows_open(path.ptr, path.len, window_size, overlap, &out, call.out()));
        return .{ .handle = out };
    }

    /// Maps the next window (unmapping the previous one); null once the
    /// file is exhausted. An empty file has no windows.
    pub fn next(self: Windows, diag: ?*Diagnostics) Error!?Window {
        var w: c.mapview_window = .{};
        var has = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_windows_next(self.handle, &w, &has, call.out()));
        if (!has) return null;
        return .{
            .data = if (w.len == 0) &.{} else w.data[0..w.len],
            .file_offset = w.file_offset,
            .index = w.index,
        };
    }

    /// How many windows the whole file gives.
    pub fn count(self: Windows, diag: ?*Diagnostics) Error!u64 {
        var n: u64 = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_windows_count(self.handle, &n, call.out()));
        return n;
    }

    /// Closes the iterator and unmaps its window; errors ignored (see
    /// `tryClose`).
    pub fn close(self: Windows) void {
        self.tryClose() catch {};
    }

    /// error.Closed if already closed.
    pub fn tryClose(self: Windows) Error!void {
        return errors.checkStatus(c.mapview_windows_close(self.handle));
    }
};
