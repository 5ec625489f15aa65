//! mapview for Zig: memory-mapped files, shared memory, records, arrays,
//! an event log, a map cache, directory search and a WebAssembly host,
//! through libmapview's C ABI (include/mapview.h, translated at build
//! time).
//!
//! Conventions:
//! - Handles (`Map`, `Windows`, `LogWriter`, `Host`, ...) are small values
//!   naming objects inside the library; copy them freely. `close()`
//!   returns void, for `defer x.close()`, and ignores a second close;
//!   `tryClose()` reports it (error.Closed). A closed handle is never a
//!   crash: its calls fail with error.Closed.
//! - Every fallible function returns `Error!T` and takes, last, a
//!   `?*Diagnostics` that receives the status and the library's message
//!   (naming the path, range or argument) when the call fails.
//! - Slices into a map are valid until that map is closed or resized;
//!   other lifetimes are given where they differ.
//! - Paths, names and patterns are byte slices (no NUL needed).
//!
//! The binding is thin: formats, searches and checks live in the
//! library; nothing here reimplements them.

const std = @import("std");

/// The C ABI as translated from include/mapview.h, for what the wrapper
/// does not cover.
pub const c = @import("c");

const errors = @import("errors.zig");
pub const Error = errors.Error;
pub const Status = errors.Status;
pub const Diagnostics = errors.Diagnostics;

const map = @import("map.zig");
pub const Map = map.Map;
pub const Mode = map.Mode;
pub const Options = map.Options;
pub const Advice = map.Advice;
pub const HugePages = map.HugePages;
pub const Kind = map.Kind;
pub const Info = map.Info;
pub const Sharing = map.Sharing;
pub const SyncMode = map.SyncMode;
pub const Range = map.Range;
pub const FlushOptions = map.FlushOptions;
pub const PopulateMethod = map.PopulateMethod;

const records = @import("records.zig");
pub const Records = records.Records;
pub const Key = records.Key;
pub const KeyKind = records.KeyKind;
pub const SearchResult = records.SearchResult;

const windows = @import("windows.zig");
pub const Windows = windows.Windows;
pub const Window = windows.Window;

pub const Bytes = @import("bytes.zig").Bytes;

/// The event log: `log.Writer`, `log.Reader`, `log.verify`.
pub const log = @import("log.zig");
pub const LogWriter = log.Writer;
pub const LogReader = log.Reader;
pub const LogOptions = log.Options;
pub const LogEvent = log.Event;
pub const LogReport = log.Report;

const wasm = @import("wasm.zig");
pub const Host = wasm.Host;
pub const Guest = wasm.Guest;
pub const ViewInfo = wasm.ViewInfo;
pub const AttachOptions = wasm.AttachOptions;

/// Shared memory: `Shm`, its `Kind`, `Seals` and `Info`.
pub const shm = @import("shm.zig");
pub const Shm = shm.Shm;

/// Arrays: `Array`, `Dtype`, `Spec`, `Value`, ...
pub const array = @import("array.zig");
pub const Array = array.Array;
pub const Dtype = array.Dtype;
pub const ArraySpec = array.Spec;

const cache = @import("cache.zig");
pub const Cache = cache.Cache;
pub const CachedMap = cache.CachedMap;
pub const CacheStats = cache.Stats;
pub const CacheLimits = cache.Limits;

/// Directory search: `search.searchDir`, `search.Options`, `search.Match`, ...
pub const search = @import("search.zig");
pub const searchDir = search.searchDir;

/// The version of the header this binding was built with.
pub const header_version: std.SemanticVersion = .{
    .major = c.MAPVIEW_VERSION_MAJOR,
    .minor = c.MAPVIEW_VERSION_MINOR,
    .patch = c.MAPVIEW_VERSION_PATCH,
};

/// The version of the library that is running, e.g. "0.1.0".
pub fn version() [:0]const u8 {
    return std.mem.span(c.mapview_version());
}

/// The size of a memory page, in bytes.
pub fn pageSize() usize {
    return c.mapview_page_size();
}

/// A short description of a status code ("not found", ...).
pub fn statusName(code: i32) [:0]const u8 {
    return std.mem.span(c.mapview_status_name(code));
}

/// Makes the compiler analyse every public declaration of a file and of
/// the containers in it (the translated header excepted), so the unit
/// test build type-checks the whole wrapper.
fn refAllDeep(comptime T: type) void {
    inline for (comptime std.meta.declarations(T)) |d| {
        const v = @field(T, d);
        if (@TypeOf(v) == type) {
            switch (@typeInfo(v)) {
                .@"struct", .@"enum", .@"union" => refAllDeep(v),
                else => {},
            }
        }
    }
}

test {
    inline for (.{ errors, map, records, windows, @import("bytes.zig"), log, wasm, shm, array, cache, search }) |file| {
        refAllDeep(file);
    }
}

test "the running library is the header's version" {
    var buf: [32]u8 = undefined;
    const want = try std.fmt.bufPrint(&buf, "{f}", .{header_version});
    try std.testing.expectEqualStrings(want, version());
    try std.testing.expect(std.math.isPowerOfTwo(pageSize()));
    try std.testing.expectEqualStrings("closed handle", statusName(c.MAPVIEW_ERR_CLOSED));
}
