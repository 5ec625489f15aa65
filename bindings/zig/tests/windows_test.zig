//! Windows: a file read in mapped windows with overlap.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Windows = mapview.Windows;

test "windows cover the file, each overlapping the previous" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var data: [10000]u8 = undefined;
    for (&data, 0..) |*b, i| b.* = @truncate(i * 7);
    const p = try s.write("w.bin", &data);
    var it = try Windows.open(p, 4096, 100, null);
    defer it.close();
    const total = try it.count(null);
    var n: u64 = 0;
    var end: u64 = 0;
    while (try it.next(null)) |w| : (n += 1) {
        try testing.expectEqual(n, w.index);
        if (n > 0) try testing.expectEqual(end - 100, w.file_offset);
        try testing.expectEqualSlices(u8, data[w.file_offset..][0..w.data.len], w.data);
        end = w.file_offset + w.data.len;
    }
    try testing.expectEqual(total, n);
    try testing.expectEqual(@as(u64, data.len), end);
    // Exhausted: null again.
    try testing.expectEqual(@as(?mapview.Window, null), try it.next(null));
}

test "a pattern straddling two windows lies inside one of them" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var data: [300]u8 = @splat('.');
    @memcpy(data[126..134], "NEEDLE!!");
    const p = try s.write("needle.bin", &data);
    var it = try Windows.open(p, 128, 7, null);
    defer it.close();
    var found: usize = 0;
    while (try it.next(null)) |w| {
        if (std.mem.indexOf(u8, w.data, "NEEDLE!!") != null) found += 1;
    }
    try testing.expect(found >= 1);
}

test "an empty file has no windows" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var it = try Windows.open(try s.write("empty", ""), 16, 0, null);
    defer it.close();
    try testing.expectEqual(@as(u64, 0), try it.count(null));
    try testing.expectEqual(@as(?mapview.Window, null), try it.next(null));
}

test "bad arguments, a missing file, a directory, a closed iterator" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("bad.bin", "0123456789");
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, "window size", Windows.open(p, 0, 0, &diag));
    try h.expectFailure(&diag, error.InvalidArgument, "overlap 4", Windows.open(p, 4, 4, &diag));
    const missing = s.path("missing.bin");
    try h.expectFailure(&diag, error.NotFound, missing, Windows.open(missing, 4, 0, &diag));
    try h.expectFailure(&diag, error.InvalidArgument, s.dir(), Windows.open(s.dir(), 4, 0, &diag));
    // Huge windows are clamped to the file.
    const big = try Windows.open(p, std.math.maxInt(u64), std.math.maxInt(u64) - 1, null);
    try testing.expectEqualStrings("0123456789", (try big.next(null)).?.data);
    try big.tryClose();
    try testing.expectError(error.Closed, big.next(null));
    try testing.expectError(error.Closed, big.count(null));
    try testing.expectError(error.Closed, big.tryClose());
}
