//! Records(T): counting, reading, writing, and binary search in the
//! library by a key field named at compile time.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Map = mapview.Map;

const Entry = extern struct {
    id: u64,
    score: i32,
    name: [8]u8,
    value: f32,
};

fn makeEntries(s: *h.Scratch, name: []const u8, n: usize) ![]const u8 {
    const list = try s.arena.allocator().alloc(Entry, n);
    for (list, 0..) |*e, i| {
        var nm: [8]u8 = @splat(' ');
        _ = std.fmt.bufPrint(&nm, "n{d:0>4}", .{i}) catch unreachable;
        e.* = .{ .id = i * 10, .score = @as(i32, @intCast(i)) - 50, .name = nm, .value = @floatFromInt(i) };
    }
    return s.write(name, std.mem.sliceAsBytes(list));
}

test "count, get, ptr and slice" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try makeEntries(&s, "entries.bin", 100);
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    const recs = try m.records(Entry, null);
    try testing.expectEqual(@as(usize, 100), try recs.count(null));
    try testing.expectEqual(@as(u64, 420), (try recs.get(42, null)).id);
    try testing.expectEqual(@as(i32, -8), (try recs.ptr(42, null)).score);
    const all = try recs.slice(null);
    try testing.expectEqual(@as(usize, 100), all.len);
    try testing.expectEqualStrings("n0099   ", &all[99].name);
    try testing.expectEqual(@as(f32, 7), all[7].value);
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.OutOfRange, "record 100", recs.get(100, &diag));
}

test "search by an unsigned, a signed and a bytes key" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try makeEntries(&s, "search.bin", 100);
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    const recs = try mapview.Records(Entry).init(m, null);
    try testing.expectEqual(mapview.SearchResult{ .index = 37, .found = true }, try recs.search("id", 370, null));
    try testing.expectEqual(mapview.SearchResult{ .index = 38, .found = false }, try recs.search("id", 375, null));
    try testing.expectEqual(mapview.SearchResult{ .index = 100, .found = false }, try recs.search("id", 5000, null));
    // Signed keys order negatives first.
    try testing.expectEqual(mapview.SearchResult{ .index = 10, .found = true }, try recs.search("score", -40, null));
    try testing.expectEqual(mapview.SearchResult{ .index = 0, .found = false }, try recs.search("score", -1000, null));
    // Bytes compare lexicographically.
    try testing.expectEqual(mapview.SearchResult{ .index = 12, .found = true }, try recs.search("name", "n0012   ".*, null));
    try testing.expectEqual(@as(f32, 99), (try recs.find("id", 990, null)).?.value);
    try testing.expectEqual(@as(?Entry, null), try recs.find("id", 991, null));
}

test "search by a key given by offset: big-endian inside bytes" {
    const Row = extern struct { tag: [4]u8, be: [4]u8 };
    var s = try h.Scratch.init();
    defer s.deinit();
    var rows: [50]Row = undefined;
    for (&rows, 0..) |*r, i| {
        r.tag = "row_".*;
        std.mem.writeInt(u32, &r.be, @intCast(i * 1000), .big);
    }
    const p = try s.write("be.bin", std.mem.sliceAsBytes(&rows));
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    const recs = try m.records(Row, null);
    const key: mapview.Key = .{ .offset = 4, .len = 4, .kind = .unsigned_be };
    var k: [4]u8 = undefined;
    std.mem.writeInt(u32, &k, 23000, .big);
    try testing.expectEqual(mapview.SearchResult{ .index = 23, .found = true }, try recs.searchKey(key, &k, null));
    std.mem.writeInt(u32, &k, 23001, .big);
    try testing.expectEqual(mapview.SearchResult{ .index = 24, .found = false }, try recs.searchKey(key, &k, null));
    // The key length must be the layout's.
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, "4-byte keys", recs.searchKey(key, k[0..2], &diag));
    // A key that does not fit the record.
    try testing.expectError(error.InvalidArgument, recs.searchKey(.{ .offset = 6, .len = 4, .kind = .bytes }, &k, null));
    // Integer keys have 1 to 8 bytes.
    const R16 = extern struct { k: [16]u8 };
    const m16 = try Map.anonymous(64, .private, .{}, null);
    defer m16.close();
    const r16 = try m16.records(R16, null);
    try testing.expectError(error.InvalidArgument, r16.searchKey(.{ .offset = 0, .len = 16, .kind = .unsigned_le }, &(@as([16]u8, @splat(0))), null));
}

test "a record size that does not divide the map is error.RecordSize" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("odd.bin", "0123456789"); // 10 bytes
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.RecordSize, "", m.records(u64, &diag));
    try testing.expectError(error.RecordSize, mapview.Records([3]u8).init(m, null));
    const ok = try m.records([5]u8, null);
    try testing.expectEqual(@as(usize, 2), try ok.count(null));
    try testing.expectEqualStrings("56789", &(try ok.get(1, null)));
}

test "writing records through a read-write map" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try makeEntries(&s, "rw.bin", 10);
    {
        const m = try Map.open(p, .read_write, .{}, null);
        defer m.close();
        const recs = try m.records(Entry, null);
        const all = try recs.sliceMut(null);
        all[3].value = 1234.5;
        try m.flush(.{}, null);
    }
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    try testing.expectEqual(@as(f32, 1234.5), (try (try m.records(Entry, null)).get(3, null)).value);
}

test "an empty map has no records; search says where the key would go" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const m = try Map.open(try s.write("empty.bin", ""), .read_only, .{}, null);
    defer m.close();
    const recs = try m.records(Entry, null);
    try testing.expectEqual(@as(usize, 0), try recs.count(null));
    try testing.expectEqual(@as(usize, 0), (try recs.slice(null)).len);
    try testing.expectEqual(mapview.SearchResult{ .index = 0, .found = false }, try recs.search("id", 1, null));
}

test "records on a closed map" {
    const m = try Map.anonymous(64, .private, .{}, null);
    const recs = try m.records(u64, null);
    m.close();
    try testing.expectError(error.Closed, recs.count(null));
    try testing.expectError(error.Closed, recs.get(0, null));
    const zero: u64 = 0;
    try testing.expectError(error.Closed, recs.searchKey(.{ .offset = 0, .len = 8, .kind = .unsigned_le }, std.mem.asBytes(&zero), null));
}

test "many threads search one map at once" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try makeEntries(&s, "threads.bin", 1000);
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    const recs = try m.records(Entry, null);
    const Worker = struct {
        fn run(r: mapview.Records(Entry), seed: u64, failures: *std.atomic.Value(u32)) void {
            var i: u64 = seed;
            while (i < 1000) : (i += 7) {
                const hit = r.search("id", i * 10, null) catch {
                    _ = failures.fetchAdd(1, .monotonic);
                    return;
                };
                if (!hit.found or hit.index != i) _ = failures.fetchAdd(1, .monotonic);
            }
        }
    };
    var failures: std.atomic.Value(u32) = .init(0);
    var threads: [4]std.Thread = undefined;
    for (&threads, 0..) |*t, i| t.* = try std.Thread.spawn(.{}, Worker.run, .{ recs, i, &failures });
    for (threads) |t| t.join();
    try testing.expectEqual(@as(u32, 0), failures.load(.monotonic));
}
