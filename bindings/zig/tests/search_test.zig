//! Directory search: matches, counts, options, stopping, errors.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const search = mapview.search;

fn tree(s: *h.Scratch) ![]const u8 {
    const root = try s.mkdir("tree");
    _ = try s.mkdir("tree/sub");
    _ = try s.mkdir("tree/.hidden");
    _ = try s.write("tree/a.txt", "one\ntwo\nthree\n");
    _ = try s.write("tree/sub/b.txt", "Two two\nfour\r\nt.o");
    _ = try s.write("tree/.hidden/c.txt", "two");
    _ = try s.write("tree/bin.dat", "two\x00two\n");
    return root;
}

/// Collects "rel:line:text" per match and "rel=count" per file, sorted.
const Collect = struct {
    root_len: usize,
    arena: std.mem.Allocator,
    got: std.ArrayList([]const u8) = .empty,
    files: std.ArrayList(search.File) = .empty,
    failures: std.ArrayList([]const u8) = .empty,
    stop_after: ?usize = null,

    fn rel(self: *Collect, path: []const u8) []const u8 {
        return path[self.root_len + 1 ..];
    }

    pub fn onMatch(self: *Collect, m: search.Match) search.Control {
        const line = std.fmt.allocPrint(self.arena, "{s}:{d}:{s}", .{ self.rel(m.path), m.line_number, m.line }) catch @panic("OOM");
        self.got.append(self.arena, line) catch @panic("OOM");
        if (self.stop_after) |n| if (self.got.items.len >= n) return .stop;
        return .go_on;
    }

    pub fn onFile(self: *Collect, f: search.File) search.Control {
        const line = std.fmt.allocPrint(self.arena, "{s}={d}", .{ self.rel(f.path), f.count }) catch @panic("OOM");
        self.got.append(self.arena, line) catch @panic("OOM");
        var copy = f;
        copy.path = self.arena.dupe(u8, f.path) catch @panic("OOM");
        self.files.append(self.arena, copy) catch @panic("OOM");
        return .go_on;
    }

    pub fn onError(self: *Collect, f: search.Failure) search.Control {
        self.failures.append(self.arena, self.arena.dupe(u8, f.message) catch @panic("OOM")) catch @panic("OOM");
        return .go_on;
    }

    fn sorted(self: *Collect) []const []const u8 {
        std.mem.sort([]const u8, self.got.items, {}, lessThan);
        return self.got.items;
    }

    fn lessThan(_: void, a: []const u8, b: []const u8) bool {
        return std.mem.lessThan(u8, a, b);
    }
};

/// Counts only (no onMatch).
const CountOnly = struct {
    inner: *Collect,
    pub fn onFile(self: *CountOnly, f: search.File) search.Control {
        return self.inner.onFile(f);
    }
};

fn expectLines(want: []const []const u8, got: []const []const u8) !void {
    if (want.len != got.len) {
        std.debug.print("want {any}\ngot  {any}\n", .{ want, got });
        return error.TestExpectedEqual;
    }
    for (want, got) |w, g| try testing.expectEqualStrings(w, g);
}

test "search a tree: matches, counts, summary" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const root = try tree(&s);
    var col: Collect = .{ .root_len = root.len, .arena = s.arena.allocator() };
    const sum = try search.searchDir(root, "two", .{}, &col, null);
    try expectLines(&.{ ".hidden/c.txt:1:two", ".hidden/c.txt=1", "a.txt:2:two", "a.txt=1", "sub/b.txt:1:Two two", "sub/b.txt=1" }, col.sorted());
    // bin.dat has a NUL in its first block: searched, not reported.
    try testing.expectEqual(@as(u64, 4), sum.files_searched);
    try testing.expectEqual(@as(u64, 3), sum.files_matched);
    try testing.expectEqual(@as(u64, 3), sum.lines_matched);
    try testing.expectEqual(@as(u64, 0), sum.errors);
    try testing.expect(!sum.stopped);
}

test "search options: ignore case, skip hidden, count only, fixed strings, \\r kept, ignore files" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const root = try tree(&s);
    const arena = s.arena.allocator();
    {
        var col: Collect = .{ .root_len = root.len, .arena = arena };
        var counts: CountOnly = .{ .inner = &col };
        _ = try search.searchDir(root, "two", .{ .ignore_case = true, .skip_hidden = true, .count_only = true }, &counts, null);
        try expectLines(&.{ "a.txt=1", "sub/b.txt=1" }, col.sorted());
    }
    {
        var col: Collect = .{ .root_len = root.len, .arena = arena };
        _ = try search.searchDir(root, "t.o", .{ .fixed_strings = true, .threads = 1 }, &col, null);
        try expectLines(&.{ "sub/b.txt:3:t.o", "sub/b.txt=1" }, col.sorted());
    }
    {
        var col: Collect = .{ .root_len = root.len, .arena = arena };
        _ = try search.searchDir(root, "four\\r$", .{}, &col, null);
        try expectLines(&.{ "sub/b.txt:2:four\r", "sub/b.txt=1" }, col.sorted());
    }
    {
        _ = try s.write("tree/.ignore", "sub/\n");
        var col: Collect = .{ .root_len = root.len, .arena = arena };
        var counts: CountOnly = .{ .inner = &col };
        _ = try search.searchDir(root, "two", .{ .respect_ignore_files = true, .count_only = true }, &counts, null);
        try expectLines(&.{ ".hidden/c.txt=1", "a.txt=1" }, col.sorted());
    }
}

test "a single binary file: binary data ends the report" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const root = try tree(&s);
    const bin = s.path("tree/bin.dat");
    var col: Collect = .{ .root_len = root.len, .arena = s.arena.allocator() };
    _ = try search.searchDir(bin, "two", .{}, &col, null);
    try testing.expectEqual(@as(usize, 1), col.files.items.len);
    const f = col.files.items[0];
    try testing.expectEqual(search.Binary.matches, f.binary);
    try testing.expectEqual(@as(u64, 3), f.binary_offset);
    try testing.expectEqual(@as(u64, 0), f.count);
}

test "a callback stops the search with its code; {} gives the summary only" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const root = try tree(&s);
    var col: Collect = .{ .root_len = root.len, .arena = s.arena.allocator(), .stop_after = 1 };
    const sum = try search.searchDir(root, "t", .{}, &col, null);
    try testing.expect(sum.stopped);
    try testing.expectEqual(@as(i32, 1), sum.stop_code);
    const Stopper = struct {
        pub fn onFile(_: *const @This(), _: search.File) search.Control {
            return @fromBackingInt(@intCast(42));
        }
    };
    const stopped = try search.searchDir(root, "t", .{}, &Stopper{}, null);
    try testing.expect(stopped.stopped);
    try testing.expectEqual(@as(i32, 42), stopped.stop_code);
    try testing.expectEqual(@as(u64, 1), stopped.files_matched);
    const plain = try search.searchDir(root, "two", .{}, {}, null);
    try testing.expectEqual(@as(u64, 3), plain.lines_matched);
    try testing.expect(!plain.stopped);
}

test "search errors: bad regex, newline, missing dir, count only with onMatch, link loop" {
    var s = try h.Scratch.init();
    defer s.deinit();
    const root = try tree(&s);
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.InvalidArgument, "(", search.searchDir(root, "(", .{}, {}, &diag));
    try testing.expectError(error.InvalidArgument, search.searchDir(root, "a\nb", .{}, {}, null));
    const missing = s.path("missing");
    try h.expectFailure(&diag, error.NotFound, missing, search.searchDir(missing, "x", .{}, {}, &diag));
    var col: Collect = .{ .root_len = root.len, .arena = s.arena.allocator() };
    try testing.expectError(error.InvalidFlags, search.searchDir(root, "x", .{ .count_only = true }, &col, null));

    // A link to an ancestor, followed: reported to onError; the search goes on.
    try std.Io.Dir.cwd().symLink(h.io, "..", s.path("tree/sub/loop"), .{});
    var col2: Collect = .{ .root_len = root.len, .arena = s.arena.allocator() };
    const sum = try search.searchDir(root, "two", .{ .follow_links = true }, &col2, null);
    try testing.expectEqual(@as(u64, 1), sum.errors);
    try testing.expectEqual(@as(u64, 3), sum.files_matched);
    try testing.expectEqual(@as(usize, 1), col2.failures.items.len);
    try testing.expect(std.mem.indexOf(u8, col2.failures.items[0], "loop") != null);
}
