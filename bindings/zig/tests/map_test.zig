//! Maps: every way to make one, every call on one, and the bad inputs.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Map = mapview.Map;
const Diagnostics = mapview.Diagnostics;

test "open read-only: bytes and info" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("ro.txt", "hello, mapview");
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    try testing.expectEqualStrings("hello, mapview", try m.bytes(null));
    const info = try m.info(null);
    try testing.expectEqual(mapview.Kind.read_only, info.kind);
    try testing.expect(!info.writable);
    try testing.expectEqual(@as(usize, 14), info.len);
    try testing.expectEqual(@as(u64, 0), info.file_offset);
}

test "a missing file is error.NotFound, the path in the diagnostics" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("missing.bin");
    var diag: Diagnostics = .{};
    inline for (.{ mapview.Mode.read_only, .read_write, .private }) |mode| {
        diag.reset();
        try h.expectFailure(&diag, error.NotFound, p, Map.open(p, mode, .{}, &diag));
    }
    // Without diagnostics the error alone comes back.
    try testing.expectError(error.NotFound, Map.open(p, .read_only, .{}, null));
    // Opening never creates.
    try testing.expectError(error.NotFound, Map.open(p, .read_write, .{}, null));
    // A missing directory on the way to a file to create.
    const nested = s.path("no/such/dir/file.bin");
    try h.expectFailure(&diag, error.NotFound, nested, Map.create(nested, 10, .{}, &diag));
}

test "a directory is error.InvalidArgument; creating over it error.AlreadyExists" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, s.dir(), Map.open(s.dir(), .read_only, .{}, &diag));
    try h.expectFailure(&diag, error.AlreadyExists, s.dir(), Map.create(s.dir(), 1, .{}, &diag));
}

test "bad paths: empty, a NUL inside" {
    var diag: Diagnostics = .{};
    try testing.expectError(error.InvalidArgument, Map.open("", .read_only, .{}, &diag));
    try h.expectFailure(&diag, error.InvalidArgument, "NUL", Map.open("a\x00b", .read_only, .{}, &diag));
}

test "range map: any offset, file offset in info" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("range.txt", "0123456789");
    const m = try Map.open(p, .read_only, .{ .offset = 3, .length = 4 }, null);
    defer m.close();
    try testing.expectEqualStrings("3456", try m.bytes(null));
    const info = try m.info(null);
    try testing.expectEqual(@as(u64, 3), info.file_offset);
    try testing.expectEqual(@as(usize, 4), info.len);
    // To the end.
    const tail = try Map.open(p, .private, .{ .offset = 7 }, null);
    defer tail.close();
    try testing.expectEqualStrings("789", try tail.bytes(null));
    // A page-sized file, a range across a page boundary.
    var big: [10000]u8 = undefined;
    for (&big, 0..) |*b, i| b.* = @truncate(i);
    const bp = try s.write("big.bin", &big);
    const r = try Map.open(bp, .read_write, .{ .offset = 4090, .length = 20 }, null);
    defer r.close();
    try testing.expectEqualSlices(u8, big[4090..4110], try r.bytes(null));
}

test "range past the end is error.OutOfRange; offset + length overflowing error.Overflow" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("short.bin", "0123456789");
    var diag: Diagnostics = .{};
    inline for (.{ mapview.Mode.read_only, .read_write, .private }) |mode| {
        try h.expectFailure(&diag, error.OutOfRange, p, Map.open(p, mode, .{ .offset = 11 }, &diag));
        try h.expectFailure(&diag, error.OutOfRange, "offset 1000000", Map.open(p, mode, .{ .offset = 1000000, .length = 1 }, &diag));
        try h.expectFailure(&diag, error.Overflow, "overflow", Map.open(p, mode, .{ .offset = std.math.maxInt(u64) - 5, .length = 10 }, &diag));
    }
    try h.expectFailure(&diag, error.OutOfRange, "length 11", Map.open(p, .read_only, .{ .length = 11 }, &diag));
    // A failed read-write open does not grow the file.
    try testing.expectEqual(@as(usize, 10), (try s.read("short.bin")).len);
}

test "read-write map: writes reach the file (flush sync, async, range)" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("rw.txt", "AAAAAAAA");
    {
        const m = try Map.open(p, .read_write, .{}, null);
        defer m.close();
        const info = try m.info(null);
        try testing.expectEqual(mapview.Kind.shared, info.kind);
        try testing.expect(info.writable);
        const w = try m.bytesMut(null);
        w[0] = 'B';
        try m.flush(.{}, null);
        w[1] = 'C';
        try m.flush(.{ .mode = .async }, null);
        w[6] = 'D';
        try m.flush(.{ .offset = 4, .length = 4 }, null);
        // A flush range past the end.
        var diag: Diagnostics = .{};
        try testing.expectError(error.OutOfRange, m.flush(.{ .offset = 9, .length = 1 }, &diag));
    }
    try testing.expectEqualStrings("BCAAAADA", try s.read("rw.txt"));
}

test "read-only map: writing is error.ReadOnly" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("ro.bin", "read only");
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    var diag: Diagnostics = .{};
    try testing.expectError(error.ReadOnly, m.bytesMut(&diag));
    try testing.expectEqual(mapview.Status.read_only, diag.status);
    try testing.expect(diag.message().len > 0);
    try testing.expectError(error.ReadOnly, m.flush(.{}, null));
    try testing.expectError(error.ReadOnly, m.resize(100, null));
    try testing.expectError(error.ReadOnly, (try m.records(u8, null)).sliceMut(null));
}

test "private map: copy-on-write, never reaches the file" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("private.txt", "original");
    const m = try Map.open(p, .private, .{}, null);
    defer m.close();
    try testing.expectEqual(mapview.Kind.private, (try m.info(null)).kind);
    const w = try m.bytesMut(null);
    @memcpy(w[0..4], "EDIT");
    try testing.expectEqualStrings("EDITinal", try m.bytes(null));
    try testing.expectEqualStrings("original", try s.read("private.txt"));
    var diag: Diagnostics = .{};
    try testing.expectError(error.Unsupported, m.flush(.{}, &diag));
    try testing.expectError(error.InvalidFlags, m.resize(4, null));
    try testing.expectError(error.InvalidFlags, m.advise(.dont_need, .{}, null));
}

test "create and createFromBytes never overwrite" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("new.bin");
    {
        const m = try Map.create(p, 100, .{}, null);
        defer m.close();
        const b = try m.bytes(null);
        try testing.expectEqual(@as(usize, 100), b.len);
        try testing.expect(std.mem.allEqual(u8, b, 0));
        (try m.bytesMut(null))[99] = 1;
    }
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.AlreadyExists, p, Map.create(p, 10, .{}, &diag));
    try h.expectFailure(&diag, error.AlreadyExists, p, Map.createFromBytes(p, "x", .{}, &diag));
    try testing.expectEqual(@as(usize, 100), (try s.read("new.bin")).len);
    // offset/length are for opening only.
    const q = s.path("ranged.bin");
    try testing.expectError(error.InvalidFlags, Map.create(q, 10, .{ .offset = 1 }, null));
    try testing.expectError(error.NotFound, Map.open(q, .read_only, .{}, null));
    const f = try Map.createFromBytes(q, "copied", .{}, null);
    defer f.close();
    try testing.expectEqualStrings("copied", try f.bytes(null));
    try testing.expectEqualStrings("copied", try s.read("ranged.bin"));
    // An empty file maps to an empty slice.
    const e = try Map.createFromBytes(s.path("empty.bin"), "", .{}, null);
    defer e.close();
    try testing.expectEqual(@as(usize, 0), (try e.bytes(null)).len);
    try testing.expectEqual(mapview.PopulateMethod.nothing, try e.populate(null));
}

test "anonymous maps, private and shared" {
    const p = try Map.anonymous(8192, .private, .{}, null);
    defer p.close();
    const sh = try Map.anonymous(100, .shared, .{}, null);
    defer sh.close();
    try testing.expectEqual(mapview.Kind.anonymous_private, (try p.info(null)).kind);
    try testing.expectEqual(mapview.Kind.anonymous_shared, (try sh.info(null)).kind);
    const w = try sh.bytesMut(null);
    @memset(w, 7);
    try testing.expectEqual(@as(u8, 7), (try sh.bytes(null))[99]);
    // Nothing to flush; DONT_NEED would discard the contents.
    try sh.flush(.{}, null);
    try testing.expectError(error.InvalidFlags, sh.advise(.dont_need, .{}, null));
    try sh.resize(10000, null);
    try testing.expectEqual(@as(usize, 10000), (try sh.bytes(null)).len);
    try testing.expectEqual(@as(u8, 7), (try sh.bytes(null))[99]);
}

test "advice, populate, lock and unlock" {
    var s = try h.Scratch.init();
    defer s.deinit();
    var data: [3 * 4096]u8 = @splat('z');
    const p = try s.write("advice.bin", &data);
    const m = try Map.open(p, .read_only, .{}, null);
    defer m.close();
    inline for (.{ mapview.Advice.normal, .random, .sequential, .will_need, .dont_need }) |a| {
        try m.advise(a, .{}, null);
        try m.advise(a, .{ .offset = 4096, .length = 100 }, null);
    }
    try testing.expectError(error.OutOfRange, m.advise(.normal, .{ .offset = 99999 }, null));
    const method = try m.populate(null);
    try testing.expect(method == .madvise or method == .touch);
    try m.lock(null);
    try m.unlock(null);
}

test "options at map time: populate, lock, huge pages, advice" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("opts.bin", "options!");
    const m = try Map.open(p, .read_only, .{ .populate = true, .lock = true, .advice = .sequential, .huge_pages = .transparent }, null);
    defer m.close();
    try testing.expectEqualStrings("options!", try m.bytes(null));
    const a = try Map.anonymous(1 << 21, .private, .{ .huge_pages = .transparent, .populate = true }, null);
    defer a.close();
    try testing.expectEqual(@as(usize, 1 << 21), (try a.bytes(null)).len);
    // Offsets are for files.
    try testing.expectError(error.InvalidFlags, Map.anonymous(10, .private, .{ .offset = 4 }, null));
}

test "resize a shared map of a whole file grows the file; a range cannot" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("grow.bin", "abc");
    {
        const m = try Map.open(p, .read_write, .{}, null);
        defer m.close();
        try m.resize(4096 + 5, null);
        const w = try m.bytesMut(null);
        try testing.expectEqual(@as(usize, 4101), w.len);
        try testing.expectEqualStrings("abc", w[0..3]);
        w[4100] = '!';
        try m.flush(.{}, null);
        const r = try Map.open(p, .read_write, .{ .offset = 1, .length = 2 }, null);
        defer r.close();
        try testing.expectError(error.InvalidFlags, r.resize(10, null));
    }
    const back = try s.read("grow.bin");
    try testing.expectEqual(@as(usize, 4101), back.len);
    try testing.expectEqual(@as(u8, '!'), back[4100]);
}

test "closed handles, double close, forged and foreign handles" {
    const m = try Map.anonymous(64, .private, .{}, null);
    try m.tryClose();
    var diag: Diagnostics = .{};
    try h.expectFailure(&diag, error.Closed, "closed", m.bytes(&diag));
    try testing.expectError(error.Closed, m.info(null));
    try testing.expectError(error.Closed, m.flush(.{}, null));
    try testing.expectError(error.Closed, m.tryClose());
    m.close(); // a third close: ignored, never a crash
    const zero: Map = .{ .handle = .{ .id = 0 } };
    try testing.expectError(error.InvalidHandle, zero.bytes(null));
    try testing.expectError(error.InvalidHandle, zero.tryClose());
    const forged: Map = .{ .handle = .{ .id = 0x0100_0000_dead_beef } };
    try testing.expect(forged.bytes(null) == error.InvalidHandle or forged.bytes(null) == error.Closed);
    // A handle of another type.
    var s = try h.Scratch.init();
    defer s.deinit();
    const w = try mapview.Windows.open(try s.write("w.bin", "windows"), 4, 0, null);
    defer w.close();
    const foreign: Map = .{ .handle = .{ .id = w.handle.id } };
    try h.expectFailure(&diag, error.InvalidHandle, "", foreign.bytes(&diag));
}

test "bad options from the C side: unknown mode" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = try s.write("mode.bin", "mode");
    // A mode outside the enum, through the raw C ABI the module re-exports.
    const c = mapview.c;
    var out: c.mapview_map = .{};
    var err: ?*c.mapview_error = null;
    try testing.expectEqual(@as(c.mapview_status, c.MAPVIEW_ERR_INVALID_FLAGS), c.mapview_map_open(p.ptr, p.len, 3, null, &out, &err));
    try testing.expect(std.mem.indexOf(u8, std.mem.span(c.mapview_error_message(err)), "mode") != null);
    c.mapview_error_free(err);
}

test "Diagnostics: the message of the last failure, printable with {f}" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const p = s.path("nope");
    var diag: Diagnostics = .{};
    _ = Map.open(p, .read_only, .{}, &diag) catch {};
    var buf: [Diagnostics.capacity]u8 = undefined;
    const text = try std.fmt.bufPrint(&buf, "{f}", .{diag});
    try testing.expect(std.mem.indexOf(u8, text, p) != null);
    try testing.expect(std.mem.indexOf(u8, text, "not found") != null);
    try testing.expectEqual(@as(?mapview.Error, error.NotFound), diag.err());
    // A success leaves it as it was.
    const m = try Map.anonymous(1, .private, .{}, &diag);
    m.close();
    try testing.expectEqual(mapview.Status.not_found, diag.status);
}

test "version and page size" {
    try testing.expect(mapview.version().len > 0);
    try testing.expect(mapview.pageSize() >= 4096);
    try testing.expectEqualStrings("not found", mapview.statusName(@backingInt(mapview.Status.not_found)));
}
