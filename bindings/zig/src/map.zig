//! Maps of files and anonymous memory (`mapview_map_*`).

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const records_mod = @import("records.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// How a file is mapped (`MAPVIEW_MODE_*`).
pub const Mode = enum(i32) {
    /// The bytes can only be read; `bytesMut` fails with error.ReadOnly.
    read_only = c.MAPVIEW_MODE_READ_ONLY,
    /// Read-write and shared: writes reach the file.
    read_write = c.MAPVIEW_MODE_READ_WRITE,
    /// Copy-on-write: writable, but writes never reach the file.
    private = c.MAPVIEW_MODE_PRIVATE,
};

/// Access advice (`MAPVIEW_ADVICE_*`).
pub const Advice = enum(i32) {
    normal = c.MAPVIEW_ADVICE_NORMAL,
    random = c.MAPVIEW_ADVICE_RANDOM,
    sequential = c.MAPVIEW_ADVICE_SEQUENTIAL,
    will_need = c.MAPVIEW_ADVICE_WILL_NEED,
    /// Refused (error.InvalidFlags) on private and anonymous maps.
    dont_need = c.MAPVIEW_ADVICE_DONT_NEED,
};

/// Huge-page policy (`MAPVIEW_HUGE_PAGES_*`).
pub const HugePages = enum(i32) {
    default = c.MAPVIEW_HUGE_PAGES_DEFAULT,
    /// Transparent huge-page advice (MADV_HUGEPAGE).
    transparent = c.MAPVIEW_HUGE_PAGES_TRANSPARENT,
    /// hugetlb pages: anonymous maps or hugetlbfs files only;
    /// error.OutOfMemory when none are reserved.
    explicit = c.MAPVIEW_HUGE_PAGES_EXPLICIT,
    explicit_or_transparent = c.MAPVIEW_HUGE_PAGES_EXPLICIT_OR_TRANSPARENT,
};

/// What a map is (`MAPVIEW_KIND_*`).
pub const Kind = enum(i32) {
    read_only = c.MAPVIEW_KIND_READ_ONLY,
    shared = c.MAPVIEW_KIND_SHARED,
    private = c.MAPVIEW_KIND_PRIVATE,
    anonymous_private = c.MAPVIEW_KIND_ANONYMOUS_PRIVATE,
    anonymous_shared = c.MAPVIEW_KIND_ANONYMOUS_SHARED,
    _,
};

/// How `populate` faulted the pages in (`MAPVIEW_POPULATE_*`).
pub const PopulateMethod = enum(i32) {
    /// MADV_POPULATE_READ/WRITE: errors were reported.
    madvise = c.MAPVIEW_POPULATE_MADVISE,
    /// Older kernel: one read per page (a truncated file raises SIGBUS).
    touch = c.MAPVIEW_POPULATE_TOUCH,
    /// The map is empty.
    nothing = c.MAPVIEW_POPULATE_NOTHING,
    _,
};

/// Whether a flush waits for the write-back or only starts it.
pub const SyncMode = enum {
    /// Wait until the data is on disk (msync MS_SYNC).
    sync,
    /// Start the write-back and return (MS_ASYNC).
    async,

    pub fn flags(m: SyncMode) u32 {
        return switch (m) {
            .sync => 0,
            .async => c.MAPVIEW_FLUSH_ASYNC,
        };
    }
};

/// A byte range of a map; `length` null means "to the end".
pub const Range = struct {
    offset: u64 = 0,
    length: ?u64 = null,
};

pub fn toEnd(length: ?u64) u64 {
    return length orelse c.MAPVIEW_TO_END;
}

/// `mapview_map_options` as a Zig struct: every field has its default,
/// so `.{}` is "the whole file, lazily, normal pages, no advice".
pub const Options = struct {
    /// First byte of the file to map (any offset). Files only.
    offset: u64 = 0,
    /// Bytes to map; null maps to the end of the file. Files only.
    length: ?u64 = null,
    /// Fault every page in now, reporting errors now (MAPVIEW_MAP_POPULATE).
    populate: bool = false,
    /// Lock the pages in RAM (MAPVIEW_MAP_LOCK).
    lock: bool = false,
    huge_pages: HugePages = .default,
    /// Advice applied at map time; null gives none.
    advice: ?Advice = null,

    /// The C struct, from mapview_map_options_init() (so `struct_size`
    /// is the one this binding was compiled with).
    pub fn toC(o: Options) c.mapview_map_options {
        var out = c.mapview_map_options_init();
        var flags: u32 = 0;
        if (o.populate) flags |= c.MAPVIEW_MAP_POPULATE;
        if (o.lock) flags |= c.MAPVIEW_MAP_LOCK;
        out.flags = flags;
        out.offset = o.offset;
        out.length = toEnd(o.length);
        out.huge_pages = @backingInt(o.huge_pages);
        out.advice = if (o.advice) |a| @backingInt(a) else c.MAPVIEW_ADVICE_NONE;
        return out;
    }
};

/// What a map is and where it lies.
pub const Info = struct {
    kind: Kind,
    /// Whether `bytesMut` is allowed.
    writable: bool,
    /// Length of the view in bytes.
    len: usize,
    /// Where the view starts in its file (0 for anonymous maps).
    file_offset: u64,
};

/// Which processes see an anonymous map's writes.
pub const Sharing = enum {
    /// This process only.
    private,
    /// Shared with child processes made by fork.
    shared,
};

pub const FlushOptions = struct {
    offset: u64 = 0,
    /// Bytes to write back; null to the end of the map.
    length: ?u64 = null,
    mode: SyncMode = .sync,
};

/// A map handle: a small value (copy it freely) naming a map inside the
/// library. Every slice obtained from it (`bytes`, `bytesMut`, records,
/// views) is valid until `close` or `resize` on this map and no longer.
/// A closed handle stays detectably closed: using it gives error.Closed.
///
/// ```
/// const m = try mapview.Map.open("data.bin", .read_only, .{}, null);
/// defer m.close();
/// const data = try m.bytes(null);
/// ```
pub const Map = struct {
    handle: c.mapview_map,

    /// Maps a file (or the byte range `options.offset`/`options.length` of
    /// it). The path is bytes, need not be NUL-terminated, and is not kept.
    pub fn open(path: []const u8, mode: Mode, options: Options, diag: ?*Diagnostics) Error!Map {
        const o = options.toC();
        var out: c.mapview_map = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_map_open(path.ptr, path.len, @backingInt(mode), &o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Creates a new file of `size` zero bytes and maps it read-write.
    /// Never overwrites a file (error.AlreadyExists); a failed call leaves
    /// no file behind. `options.offset`/`length` must stay at their
    /// defaults (error.InvalidFlags).
    pub fn create(path: []const u8, size: u64, options: Options, diag: ?*Diagnostics) Error!Map {
        const o = options.toC();
        var out: c.mapview_map = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_map_create(path.ptr, path.len, size, &o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Creates a new file holding a copy of `contents` and maps it
    /// read-write. Never overwrites a file (error.AlreadyExists).
    pub fn createFromBytes(path: []const u8, contents: []const u8, options: Options, diag: ?*Diagnostics) Error!Map {
        const o = options.toC();
        var out: c.mapview_map = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_map_create_from_bytes(path.ptr, path.len, contents.ptr, contents.len, &o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Maps `len` zero bytes of anonymous memory, private to this process
    /// or shared with children made by fork.
    pub fn anonymous(len: usize, sharing: Sharing, options: Options, diag: ?*Diagnostics) Error!Map {
        const o = options.toC();
        var out: c.mapview_map = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_map_anonymous(len, sharing == .shared, &o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Closes the map (for `defer m.close()`): unmaps it once no other
    /// thread is inside a call on it. Errors (a handle already closed)
    /// are ignored, as std.fs.File.close does; use `tryClose` to see them.
    /// Writes to a shared map reach the file through the page cache:
    /// `flush` first to have them on disk.
    pub fn close(m: Map) void {
        m.tryClose() catch {};
    }

    /// Closes the map; error.Closed if it already was, error.InvalidHandle
    /// for a handle that is not a map.
    pub fn tryClose(m: Map) Error!void {
        return errors.checkStatus(c.mapview_map_close(m.handle));
    }

    /// The map's bytes, valid until `close` or `resize`.
    pub fn bytes(m: Map, diag: ?*Diagnostics) Error![]const u8 {
        var ptr: [*c]const u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_map_data(m.handle, &ptr, &len, call.out()));
        if (len == 0) return &.{};
        return ptr[0..len];
    }

    /// The map's bytes for writing; error.ReadOnly for a read-only map.
    pub fn bytesMut(m: Map, diag: ?*Diagnostics) Error![]u8 {
        var ptr: [*c]u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_map_data_mut(m.handle, &ptr, &len, call.out()));
        if (len == 0) return &.{};
        return ptr[0..len];
    }

    pub fn info(m: Map, diag: ?*Diagnostics) Error!Info {
        var out: c.mapview_map_info = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_map_info_get(m.handle, &out, call.out()));
        return .{
            .kind = @fromBackingInt(@intCast(out.kind)),
            .writable = out.writable,
            .len = out.len,
            .file_offset = out.file_offset,
        };
    }

    /// Writes a range of the map (all of it by default) to its file,
    /// waiting or not (`mode`). Anonymous maps: nothing to do. Private
    /// maps: error.Unsupported. Read-only maps: error.ReadOnly.
    pub fn flush(m: Map, options: FlushOptions, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_map_flush(m.handle, options.offset, toEnd(options.length), options.mode.flags(), call.out()));
    }

    /// Gives access advice for a range of the map (`.{}`: all of it).
    pub fn advise(m: Map, advice: Advice, range: Range, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_map_advise(m.handle, @backingInt(advice), range.offset, toEnd(range.length), call.out()));
    }

    /// Faults every page in now, reporting errors (a file truncated under
    /// the map) instead of a SIGBUS later, where the kernel can.
    pub fn populate(m: Map, diag: ?*Diagnostics) Error!PopulateMethod {
        var method: c.mapview_populate_method = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_map_populate(m.handle, &method, call.out()));
        return @fromBackingInt(@intCast(method));
    }

    /// Locks the pages in RAM (mlock; limited by RLIMIT_MEMLOCK).
    pub fn lock(m: Map, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_map_lock(m.handle, call.out()));
    }

    pub fn unlock(m: Map, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_map_unlock(m.handle, call.out()));
    }

    /// Resizes the map, and its file with it for a shared map of a whole
    /// file. The map may move: every slice obtained before is invalid.
    /// Read-only maps: error.ReadOnly; private maps and file ranges:
    /// error.InvalidFlags.
    pub fn resize(m: Map, new_len: usize, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_map_resize(m.handle, new_len, call.out()));
    }

    /// The map as records of type T (see `Records`).
    pub fn records(m: Map, comptime T: type, diag: ?*Diagnostics) Error!records_mod.Records(T) {
        return records_mod.Records(T).init(m, diag);
    }
};

test "Options.toC" {
    const d = (Options{}).toC();
    try std.testing.expectEqual(@as(u32, @sizeOf(c.mapview_map_options)), d.struct_size);
    try std.testing.expectEqual(@as(u64, c.MAPVIEW_TO_END), d.length);
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_ADVICE_NONE), d.advice);
    const o = (Options{ .offset = 5, .length = 7, .populate = true, .lock = true, .huge_pages = .transparent, .advice = .random }).toC();
    try std.testing.expectEqual(@as(u32, c.MAPVIEW_MAP_POPULATE | c.MAPVIEW_MAP_LOCK), o.flags);
    try std.testing.expectEqual(@as(u64, 5), o.offset);
    try std.testing.expectEqual(@as(u64, 7), o.length);
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_HUGE_PAGES_TRANSPARENT), o.huge_pages);
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_ADVICE_RANDOM), o.advice);
}

test "anonymous map: write, read, info, resize" {
    const m = try Map.anonymous(4096, .private, .{}, null);
    defer m.close();
    const w = try m.bytesMut(null);
    @memset(w, 0xab);
    const r = try m.bytes(null);
    try std.testing.expectEqual(@as(usize, 4096), r.len);
    try std.testing.expectEqual(@as(u8, 0xab), r[4095]);
    const i = try m.info(null);
    try std.testing.expectEqual(Kind.anonymous_private, i.kind);
    try std.testing.expect(i.writable);
    try m.resize(8192, null);
    try std.testing.expectEqual(@as(usize, 8192), (try m.bytes(null)).len);
}

test "a closed map says so" {
    const m = try Map.anonymous(16, .shared, .{}, null);
    try m.tryClose();
    try std.testing.expectError(error.Closed, m.tryClose());
    var diag: Diagnostics = .{};
    try std.testing.expectError(error.Closed, m.bytes(&diag));
    try std.testing.expectEqual(errors.Status.closed, diag.status);
    try std.testing.expect(diag.message().len > 0);
}
