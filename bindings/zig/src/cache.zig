//! A cache of read-only maps (`mapview_cache_*`): many lookups of the
//! same files share one map each, within limits on maps and bytes.

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const array_mod = @import("array.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// A cache's counters.
pub const Stats = struct {
    /// Maps in the cache.
    maps: u64,
    /// Their bytes.
    bytes: u64,
    /// Gets answered by a map already open.
    hits: u64,
    /// Gets that opened a map.
    misses: u64,
    /// Maps closed to stay within the limits.
    evictions: u64,
};

/// The limits; null (or 0) is no limit.
pub const Limits = struct {
    max_maps: ?u64 = null,
    max_bytes: ?u64 = null,
};

/// A map taken from a cache: `data` stays valid until `release`, even if
/// the cache is cleared or closed.
pub const CachedMap = struct {
    handle: c.mapview_cached_map,
    data: []const u8,

    /// The bytes, asked of the library again.
    pub fn bytes(m: CachedMap, diag: ?*Diagnostics) Error![]const u8 {
        var ptr: [*c]const u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_cached_map_data(m.handle, &ptr, &len, call.out()));
        if (len == 0) return &.{};
        return ptr[0..len];
    }

    /// Lets the cache close the map from now on; errors ignored (see
    /// `tryRelease`).
    pub fn release(m: CachedMap) void {
        m.tryRelease() catch {};
    }

    /// error.Closed if already released.
    pub fn tryRelease(m: CachedMap) Error!void {
        return errors.checkStatus(c.mapview_cached_map_release(m.handle));
    }
};

/// A cache handle. Any thread may use it.
///
/// ```
/// const cache = try mapview.Cache.create(.{ .max_maps = 64 }, null);
/// defer cache.close();
/// const m = try cache.get("words.txt", null);
/// defer m.release();
/// use(m.data);
/// ```
pub const Cache = struct {
    handle: c.mapview_cache,

    /// The least recently used maps nobody holds are closed first when a
    /// limit is passed; held maps may keep the cache over its limits.
    pub fn create(limits: Limits, diag: ?*Diagnostics) Error!Cache {
        var out: c.mapview_cache = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_create(limits.max_maps orelse 0, limits.max_bytes orelse 0, &out, call.out()));
        return .{ .handle = out };
    }

    /// The read-only map of the whole file at `path` (paths compared as
    /// given): the one open already, or a new one. Release it.
    pub fn get(cache: Cache, path: []const u8, diag: ?*Diagnostics) Error!CachedMap {
        var out: c.mapview_cached_map = .{};
        var ptr: [*c]const u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_get(cache.handle, path.ptr, path.len, &out, &ptr, &len, call.out()));
        return .{ .handle = out, .data = if (len == 0) &.{} else ptr[0..len] };
    }

    /// A read-only array over the cached map of `path` (spec null for
    /// .npy). The array holds the map until it is closed.
    pub fn getArray(cache: Cache, path: []const u8, spec: ?array_mod.Spec, diag: ?*Diagnostics) Error!array_mod.Array {
        var storage: c.mapview_array_spec = undefined;
        var out: c.mapview_array = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_get_array(cache.handle, path.ptr, path.len, array_mod.specPtr(spec, &storage), &out, call.out()));
        return .{ .handle = out };
    }

    pub fn stats(cache: Cache, diag: ?*Diagnostics) Error!Stats {
        var s: c.mapview_cache_stats = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_stats_get(cache.handle, &s, call.out()));
        return .{ .maps = s.maps, .bytes = s.bytes, .hits = s.hits, .misses = s.misses, .evictions = s.evictions };
    }

    /// Drops the cache's map of `path` (holders keep theirs); returns
    /// whether there was one.
    pub fn invalidate(cache: Cache, path: []const u8, diag: ?*Diagnostics) Error!bool {
        var removed = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_invalidate(cache.handle, path.ptr, path.len, &removed, call.out()));
        return removed;
    }

    /// Whether the cache has a map of `path` (compared as given); does not
    /// count as a use.
    pub fn contains(cache: Cache, path: []const u8, diag: ?*Diagnostics) Error!bool {
        var found = false;
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_contains(cache.handle, path.ptr, path.len, &found, call.out()));
        return found;
    }

    /// Drops every map (holders keep theirs).
    pub fn clear(cache: Cache, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_clear(cache.handle, call.out()));
    }

    /// Closes unheld maps until the cache is within its limits.
    pub fn trim(cache: Cache, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_cache_trim(cache.handle, call.out()));
    }

    /// Closes the cache (held maps and arrays stay valid); errors ignored.
    pub fn close(cache: Cache) void {
        cache.tryClose() catch {};
    }

    pub fn tryClose(cache: Cache) Error!void {
        return errors.checkStatus(c.mapview_cache_close(cache.handle));
    }
};
