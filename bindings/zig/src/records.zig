//! Fixed-size records in a map (`mapview_records_*`), typed with a Zig
//! extern struct: the record size is @sizeOf(T) and a search key is a
//! field named at compile time (@offsetOf, @sizeOf, its type giving how
//! keys compare). The search itself runs in the library.

const std = @import("std");
const builtin = @import("builtin");
const c = @import("c");
const errors = @import("errors.zig");
const Map = @import("map.zig").Map;

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// How keys compare (`MAPVIEW_KEY_*`).
pub const KeyKind = enum(i32) {
    /// Bytes compared lexicographically (memcmp).
    bytes = c.MAPVIEW_KEY_BYTES,
    /// Unsigned little-endian integer, 1 to 8 bytes.
    unsigned_le = c.MAPVIEW_KEY_UNSIGNED_LE,
    /// Signed little-endian integer, 1 to 8 bytes.
    signed_le = c.MAPVIEW_KEY_SIGNED_LE,
    /// Unsigned big-endian integer, 1 to 8 bytes.
    unsigned_be = c.MAPVIEW_KEY_UNSIGNED_BE,
};

/// Where a key lies in a record and how it compares.
pub const Key = struct {
    offset: usize,
    len: usize,
    kind: KeyKind,

    /// The key of field `field` of the extern struct T: its offset and
    /// size, and the comparison its type implies (unsigned and signed
    /// native integers, enums by their tag, bool, [N]u8 as bytes).
    pub fn field(comptime T: type, comptime name: []const u8) Key {
        comptime checkRecordType(T);
        if (@typeInfo(T) != .@"struct") @compileError("a key field needs a struct record type, not " ++ @typeName(T));
        const F = @FieldType(T, name);
        return comptime .{ .offset = @offsetOf(T, name), .len = @sizeOf(F), .kind = kindOf(F) };
    }
};

/// The comparison a field type implies; a compile error for types whose
/// in-memory bytes do not compare as the value does.
pub fn kindOf(comptime F: type) KeyKind {
    switch (@typeInfo(F)) {
        .int => |i| {
            if (i.bits == 0 or i.bits > 64 or i.bits != @sizeOf(F) * 8)
                @compileError("an integer key must have 8 to 64 bits in whole bytes, not " ++ @typeName(F));
            return switch (builtin.cpu.arch.endian()) {
                .little => if (i.signedness == .signed) .signed_le else .unsigned_le,
                .big => if (i.signedness == .signed)
                    @compileError("signed big-endian keys are not supported by mapview")
                else
                    .unsigned_be,
            };
        },
        .@"enum" => |e| return kindOf(e.tag_type),
        .bool => return kindOf(u8),
        .array => |a| {
            if (a.child != u8) @compileError("an array key must be [N]u8, not " ++ @typeName(F));
            return .bytes;
        },
        else => @compileError("cannot search by a field of type " ++ @typeName(F)),
    }
}

fn checkRecordType(comptime T: type) void {
    switch (@typeInfo(T)) {
        .@"struct" => |s| if (s.layout != .@"extern")
            @compileError("records must be an extern struct (a defined layout), not " ++ @typeName(T)),
        .int, .float, .array => {},
        else => @compileError("cannot read records of type " ++ @typeName(T)),
    }
    if (@sizeOf(T) == 0) @compileError("records cannot be zero-sized");
}

/// Where a key was found, or where it would go.
pub const SearchResult = struct {
    /// The record with the key (any one of equal keys) when `found`,
    /// otherwise the index where it would be inserted.
    index: usize,
    found: bool,
};

/// A map read as records of type T (an extern struct, integer, float or
/// array), each @sizeOf(T) bytes. The map's length must be a multiple of
/// that (error.RecordSize otherwise). Records may lie at any address (a
/// range map starts anywhere), so pointers are `align(1)`.
///
/// ```
/// const Entry = extern struct { id: u64, value: f64 };
/// const recs = try map.records(Entry, null);
/// const hit = try recs.search("id", 42, null);
/// if (hit.found) std.debug.print("{}\n", .{(try recs.get(hit.index, null)).value});
/// ```
pub fn Records(comptime T: type) type {
    comptime checkRecordType(T);
    return struct {
        map: Map,

        const Self = @This();
        pub const Record = T;
        pub const record_size = @sizeOf(T);

        /// Checks (through the library) that the map holds whole records.
        pub fn init(map: Map, diag: ?*Diagnostics) Error!Self {
            const self: Self = .{ .map = map };
            _ = try self.count(diag);
            return self;
        }

        /// Calls that do not compare keys still pass a valid key (the
        /// library checks it): the whole record, as bytes.
        const whole_record: Key = .{ .offset = 0, .len = record_size, .kind = .bytes };

        fn layout(key: ?Key) c.mapview_record_layout {
            const k = key orelse whole_record;
            return .{
                .record_size = record_size,
                .key_offset = k.offset,
                .key_len = k.len,
                .key_kind = @backingInt(k.kind),
            };
        }

        /// The number of records.
        pub fn count(self: Self, diag: ?*Diagnostics) Error!usize {
            const l = layout(null);
            var n: usize = 0;
            var call: Call = .init(diag);
            try call.check(c.mapview_records_count(self.map.handle, &l, &n, call.out()));
            return n;
        }

        /// A pointer to record `index` (error.OutOfRange past the last),
        /// valid until the map is closed or resized.
        pub fn ptr(self: Self, index: usize, diag: ?*Diagnostics) Error!*align(1) const T {
            const l = layout(null);
            var rec: [*c]const u8 = null;
            var call: Call = .init(diag);
            try call.check(c.mapview_records_get(self.map.handle, &l, index, &rec, call.out()));
            return @ptrCast(rec);
        }

        /// A copy of record `index`.
        pub fn get(self: Self, index: usize, diag: ?*Diagnostics) Error!T {
            return (try self.ptr(index, diag)).*;
        }

        /// Every record, in place.
        pub fn slice(self: Self, diag: ?*Diagnostics) Error![]align(1) const T {
            const n = try self.count(diag);
            if (n == 0) return &.{};
            const first = try self.ptr(0, diag);
            return @as([*]align(1) const T, @ptrCast(first))[0..n];
        }

        /// Every record, in place, for writing (error.ReadOnly for a
        /// read-only map).
        pub fn sliceMut(self: Self, diag: ?*Diagnostics) Error![]align(1) T {
            const n = try self.count(diag);
            const data = try self.map.bytesMut(diag);
            if (n == 0) return &.{};
            return @as([*]align(1) T, @ptrCast(data.ptr))[0..n];
        }

        /// Binary search (in the library) over records sorted ascending by
        /// the field `field`.
        pub fn search(self: Self, comptime field: []const u8, key: @FieldType(T, field), diag: ?*Diagnostics) Error!SearchResult {
            const k = comptime Key.field(T, field);
            return self.searchKey(k, std.mem.asBytes(&key), diag);
        }

        /// The record whose `field` equals `key`, or null.
        pub fn find(self: Self, comptime field: []const u8, key: @FieldType(T, field), diag: ?*Diagnostics) Error!?T {
            const r = try self.search(field, key, diag);
            if (!r.found) return null;
            return try self.get(r.index, diag);
        }

        /// Binary search by a key given by offset, length and kind, with
        /// `key_bytes` in the key's own encoding (e.g. a big-endian u32
        /// inside a byte array: `.{ .offset = 4, .len = 4, .kind = .unsigned_be }`).
        pub fn searchKey(self: Self, key: Key, key_bytes: []const u8, diag: ?*Diagnostics) Error!SearchResult {
            const l = layout(key);
            var index: usize = 0;
            var found: bool = false;
            var call: Call = .init(diag);
            try call.check(c.mapview_records_search(self.map.handle, &l, key_bytes.ptr, key_bytes.len, &index, &found, call.out()));
            return .{ .index = index, .found = found };
        }
    };
}

test "Key.field infers offset, length and kind" {
    const R = extern struct {
        tag: [4]u8,
        id: u32,
        delta: i16,
        kind: enum(u8) { a, b },
        flag: bool,
        value: f64,
    };
    const tag = Key.field(R, "tag");
    try std.testing.expectEqual(Key{ .offset = 0, .len = 4, .kind = .bytes }, tag);
    try std.testing.expectEqual(Key{ .offset = 4, .len = 4, .kind = .unsigned_le }, Key.field(R, "id"));
    try std.testing.expectEqual(Key{ .offset = 8, .len = 2, .kind = .signed_le }, Key.field(R, "delta"));
    try std.testing.expectEqual(Key{ .offset = 10, .len = 1, .kind = .unsigned_le }, Key.field(R, "kind"));
    try std.testing.expectEqual(Key{ .offset = 11, .len = 1, .kind = .unsigned_le }, Key.field(R, "flag"));
    try std.testing.expectEqual(@as(usize, 24), Records(R).record_size);
}

test "records over an anonymous map" {
    const R = extern struct { id: u64, value: u64 };
    const m = try Map.anonymous(10 * @sizeOf(R), .private, .{}, null);
    defer m.close();
    const recs = try m.records(R, null);
    for (try recs.sliceMut(null), 0..) |*r, i| r.* = .{ .id = i * 3, .value = i };
    try std.testing.expectEqual(@as(usize, 10), try recs.count(null));
    try std.testing.expectEqual(@as(u64, 7), (try recs.find("id", 21, null)).?.value);
    try std.testing.expectEqual(@as(?R, null), try recs.find("id", 22, null));
    const miss = try recs.search("id", 22, null);
    try std.testing.expectEqual(SearchResult{ .index = 8, .found = false }, miss);
    try std.testing.expectError(error.OutOfRange, recs.get(10, null));
}
