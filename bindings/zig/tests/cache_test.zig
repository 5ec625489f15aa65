//! The map cache: hits and misses, holding, limits, arrays.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Cache = mapview.Cache;

test "a second get is a hit on the same memory" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("words.txt", "alpha beta");
    const cache = try Cache.create(.{}, null);
    defer cache.close();
    const a = try cache.get(p, null);
    defer a.release();
    const b = try cache.get(p, null);
    defer b.release();
    try testing.expectEqualStrings("alpha beta", a.data);
    try testing.expectEqual(a.data.ptr, b.data.ptr);
    try testing.expectEqual(a.data.ptr, (try b.bytes(null)).ptr);
    const st = try cache.stats(null);
    try testing.expectEqual(@as(u64, 1), st.hits);
    try testing.expectEqual(@as(u64, 1), st.misses);
    try testing.expectEqual(@as(u64, 1), st.maps);
    try testing.expectEqual(@as(u64, 10), st.bytes);
}

test "limits evict released maps; invalidate, clear, trim" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p1 = try s.write("1.txt", "one");
    const p2 = try s.write("2.txt", "two");
    const cache = try Cache.create(.{ .max_maps = 1 }, null);
    defer cache.close();
    const one = try cache.get(p1, null);
    // Held: the cache goes over its limit rather than close it.
    const two = try cache.get(p2, null);
    try testing.expectEqual(@as(u64, 2), (try cache.stats(null)).maps);
    try testing.expectEqualStrings("one", one.data);
    one.release();
    try cache.trim(null);
    const st = try cache.stats(null);
    try testing.expectEqual(@as(u64, 1), st.maps);
    try testing.expect(st.evictions >= 1);
    try testing.expectEqualStrings("two", two.data);
    try testing.expect(try cache.contains(p2, null));
    try testing.expect(!try cache.contains(p1, null));
    try testing.expect(try cache.invalidate(p2, null));
    try testing.expect(!try cache.contains(p2, null));
    try testing.expect(!try cache.invalidate(p2, null));
    // The holder keeps its bytes.
    try testing.expectEqualStrings("two", two.data);
    two.release();
    const again = try cache.get(p1, null);
    again.release();
    try cache.clear(null);
    try testing.expectEqual(@as(u64, 0), (try cache.stats(null)).maps);
    try testing.expectError(error.Closed, again.tryRelease());
}

test "a cached map outlives its cache; arrays from a cache are read-only" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("a.npy");
    {
        const a = try mapview.Array.createFrom(u32, p, &.{3}, &.{ 1, 2, 3 }, null);
        a.close();
    }
    const cache = try Cache.create(.{ .max_bytes = 1 << 20 }, null);
    const arr = try cache.getArray(p, null, null);
    defer arr.close();
    const held = try cache.get(p, null);
    defer held.release();
    try cache.tryClose();
    try testing.expectError(error.Closed, cache.tryClose());
    try testing.expectError(error.Closed, cache.get(p, null));
    try testing.expectError(error.Closed, cache.contains(p, null));
    try testing.expectEqual(mapview.array.Exact{ .uint = 6 }, (try arr.sum(null)).exact);
    try testing.expectError(error.ReadOnly, arr.bytesMut(null));
    try testing.expectError(error.ReadOnly, arr.flush(.sync, null));
    try testing.expect(held.data.len > 12);
}

test "a missing file is error.NotFound with its path" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const cache = try Cache.create(.{}, null);
    defer cache.close();
    const missing = s.path("missing.txt");
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.NotFound, missing, cache.get(missing, &diag));
    try h.expectFailure(&diag, error.NotFound, missing, cache.getArray(missing, null, &diag));
}
