//! Counts (possibly overlapping) occurrences of argument 0 in every view;
//! prints "name:count" for views that have it, returns the total.
const mv = @import("mapview.zig");
const std = @import("std");

export fn run() i64 {
    if (mv.args() == 0) {
        mv.print("usage: search PATTERN\n");
        return -1;
    }
    var pattern_buf: [256]u8 = undefined;
    const needle = mv.arg(0, &pattern_buf);
    if (needle.len == 0) return 0;
    var name: [256]u8 = undefined;
    var total: u64 = 0;
    for (0..mv.views()) |i| {
        const hay = mv.view(i);
        var n: u64 = 0;
        var at: usize = 0;
        while (std.mem.indexOfPos(u8, hay, at, needle)) |k| {
            n += 1;
            at = k + 1;
        }
        if (n > 0) {
            mv.print(mv.viewName(i, &name));
            mv.print(":");
            mv.printNumber(n);
            mv.print("\n");
        }
        total += n;
    }
    return @intCast(total);
}
