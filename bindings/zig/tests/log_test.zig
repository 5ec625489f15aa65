//! The event log: writer, reader and its iterator, verify, bad files.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const LogWriter = mapview.LogWriter;
const LogReader = mapview.LogReader;

test "append, append at a time, batches; read them back in order" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("events.log");
    const w = try LogWriter.create(p, .{ .capacity = 64 * 1024 }, null);
    defer w.close();
    const first = try w.append("first", null);
    const second = try w.appendAt("second", 1234, null);
    try testing.expect(second > first);
    try w.appendBatch(&.{ .of("b1"), .of(""), .of("b3") }, null);
    try w.appendBatchAlloc(testing.allocator, &.{ "c1", "c2" }, null);
    try w.sync(.sync, null);
    try w.sync(.async, null);
    const counts = try w.count(null);
    try testing.expectEqual(@as(u64, 7), counts.count);

    const r = try LogReader.open(p, null);
    defer r.close();
    try testing.expectEqual(counts, try r.count(null));
    var it = r.iterator();
    const want = [_][]const u8{ "first", "second", "b1", "", "b3", "c1", "c2" };
    var i: usize = 0;
    while (try it.next(null)) |ev| : (i += 1) {
        try testing.expectEqualStrings(want[i], ev.payload);
        if (i == 0) try testing.expectEqual(first, ev.offset);
        if (i == 1) {
            try testing.expectEqual(second, ev.offset);
            try testing.expectEqual(@as(u64, 1234), ev.timestamp_ns);
        }
        if (i == 0) try testing.expect(ev.timestamp_ns > 1_500_000_000 * std.time.ns_per_s);
    }
    try testing.expectEqual(want.len, i);
    // read() by offset.
    const ev = (try r.read(second, null)).?;
    try testing.expectEqualStrings("second", ev.payload);
    try testing.expectEqualStrings("b1", (try r.read(ev.next_offset, null)).?.payload);
    try testing.expectEqual(@as(?mapview.LogEvent, null), try r.read(counts.write_offset, null));
}

test "a reader sees new events after refresh and wait" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("tail.log");
    const w = try LogWriter.create(p, .{ .prefault = false }, null);
    defer w.close();
    _ = try w.append("one", null);
    const r = try LogReader.open(p, null);
    defer r.close();
    var it = r.iterator();
    try testing.expectEqualStrings("one", (try it.next(null)).?.payload);
    try testing.expectEqual(@as(?mapview.LogEvent, null), try it.next(null));
    try testing.expect(!try r.refresh(null));
    _ = try w.append("two", null);
    try testing.expect(try r.refresh(null));
    try testing.expectEqualStrings("two", (try it.next(null)).?.payload);
    _ = try w.append("three", null);
    try testing.expect(try r.wait(1000, null));
    try testing.expectEqualStrings("three", (try it.next(null)).?.payload);
    try testing.expect(!try r.wait(5, null));
    // iteratorFrom an event's offset.
    var from = r.iteratorFrom((try r.read(0, null)).?.next_offset);
    try testing.expectEqualStrings("two", (try from.next(null)).?.payload);
}

test "one writer at a time (error.Busy); reopening appends" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("busy.log");
    {
        const w = try LogWriter.create(p, .{}, null);
        defer w.close();
        _ = try w.append("a", null);
        var diag: mapview.Diagnostics = .{};
        try h.expectFailure(&diag, error.Busy, "another writer", LogWriter.open(p, &diag));
        try h.expectFailure(&diag, error.AlreadyExists, p, LogWriter.create(p, .{}, &diag));
    }
    const w = try LogWriter.open(p, null);
    defer w.close();
    _ = try w.append("b", null);
    try testing.expectEqual(@as(u64, 2), (try w.count(null)).count);
}

test "verify a sound log" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("sound.log");
    const w = try LogWriter.create(p, .{}, null);
    for (0..20) |_| _ = try w.append("payload", null);
    try w.sync(.sync, null);
    const counts = try w.count(null);
    w.close();
    const rep = try mapview.log.verify(p, null);
    try testing.expect(rep.isSound());
    try testing.expectEqual(@as(u64, 20), rep.good_events);
    try testing.expectEqual(@as(u64, 20), rep.header_count);
    try testing.expectEqual(counts.write_offset, rep.write_offset);
    try testing.expectEqual(@as(u64, 0), rep.first_damaged_offset);
}

test "a file that is not a log is error.Corrupt; bad offsets; missing files" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var junk: [200]u8 = @splat(0);
    @memcpy(junk[0..24], "this is not an event log");
    const p = try s.write("not-a-log", &junk);
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.Corrupt, "bad magic", LogReader.open(p, &diag));
    try h.expectFailure(&diag, error.Corrupt, "bad magic", LogWriter.open(p, &diag));
    try h.expectFailure(&diag, error.Corrupt, p, mapview.log.verify(p, &diag));
    const missing = s.path("missing.log");
    try h.expectFailure(&diag, error.NotFound, missing, LogReader.open(missing, &diag));
    try h.expectFailure(&diag, error.NotFound, missing, LogWriter.open(missing, &diag));
    try h.expectFailure(&diag, error.NotFound, missing, mapview.log.verify(missing, &diag));

    const lp = s.path("ok.log");
    const w = try LogWriter.create(lp, .{}, null);
    defer w.close();
    _ = try w.append("x", null);
    const r = try LogReader.open(lp, null);
    defer r.close();
    try testing.expectError(error.InvalidArgument, r.read(3, null));
    try testing.expectError(error.InvalidArgument, r.read(1 << 40, null));
}

test "a damaged event: verify reports it, the writer refuses the log" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("damaged.log");
    var victim: u64 = 0;
    {
        const w = try LogWriter.create(p, .{ .capacity = 16 * 1024 }, null);
        defer w.close();
        for (0..10) |i| {
            const off = try w.append("some payload bytes", null);
            if (i == 4) victim = off;
        }
        try w.sync(.sync, null);
    }
    // Flip a byte of the victim's payload (through a read-write map).
    {
        const m = try mapview.Map.open(p, .read_write, .{}, null);
        defer m.close();
        const b = try m.bytesMut(null);
        const at = std.mem.indexOfPos(u8, b, @intCast(victim), "some payload").?;
        b[at] ^= 0xff;
        try m.flush(.{}, null);
    }
    const rep = try mapview.log.verify(p, null);
    try testing.expect(!rep.isSound());
    try testing.expectEqual(@as(u64, 1), rep.damaged_events);
    try testing.expectEqual(victim, rep.first_damaged_offset);
    var diag: mapview.Diagnostics = .{};
    var num: [24]u8 = undefined;
    try h.expectFailure(&diag, error.Corrupt, try std.fmt.bufPrint(&num, "{d}", .{victim}), LogWriter.open(p, &diag));
    const r = try LogReader.open(p, null);
    defer r.close();
    try h.expectFailure(&diag, error.Corrupt, "checksum", r.read(victim, &diag));
}

test "closed writers and readers" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("closed.log");
    const w = try LogWriter.create(p, .{}, null);
    const r = try LogReader.open(p, null);
    try w.tryClose();
    try r.tryClose();
    try testing.expectError(error.Closed, w.append("x", null));
    try testing.expectError(error.Closed, w.sync(.sync, null));
    try testing.expectError(error.Closed, r.read(0, null));
    try testing.expectError(error.Closed, r.refresh(null));
    try testing.expectError(error.Closed, w.tryClose());
    try testing.expectError(error.Closed, r.tryClose());
}
