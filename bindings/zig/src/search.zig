//! Directory search (`mapview_search_dir`): what `rg --no-ignore
//! --hidden` reports, searched by the library over mapped files, with
//! results handed to Zig methods.

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// `mapview_search_options`: flags (`MAPVIEW_SEARCH_*`) and threads.
pub const Options = struct {
    /// The pattern is a literal, not a regular expression (`rg -F`).
    fixed_strings: bool = false,
    /// Unicode simple case folding (`rg -i`).
    ignore_case: bool = false,
    /// Count matching lines per file (`rg -c`); the handler must then
    /// have no onMatch (error.InvalidFlags).
    count_only: bool = false,
    /// Follow symbolic links (`rg -L`).
    follow_links: bool = false,
    /// Skip what .gitignore, .ignore, .rgignore exclude.
    respect_ignore_files: bool = false,
    /// Skip names starting with a dot.
    skip_hidden: bool = false,
    /// Threads searching; 0 is one per core (at most 12).
    threads: u32 = 0,

    pub fn toC(o: Options) c.mapview_search_options {
        var out = c.mapview_search_options_init();
        var flags: u32 = 0;
        if (o.fixed_strings) flags |= c.MAPVIEW_SEARCH_FIXED_STRINGS;
        if (o.ignore_case) flags |= c.MAPVIEW_SEARCH_IGNORE_CASE;
        if (o.count_only) flags |= c.MAPVIEW_SEARCH_COUNT_ONLY;
        if (o.follow_links) flags |= c.MAPVIEW_SEARCH_FOLLOW_LINKS;
        if (o.respect_ignore_files) flags |= c.MAPVIEW_SEARCH_RESPECT_IGNORE_FILES;
        if (o.skip_hidden) flags |= c.MAPVIEW_SEARCH_SKIP_HIDDEN;
        out.flags = flags;
        out.threads = o.threads;
        return out;
    }
};

/// What a callback tells the search: go on, or stop (any value other than
/// `.go_on` stops it and becomes `Summary.stop_code`).
pub const Control = enum(i32) {
    go_on = 0,
    stop = 1,
    _,
};

/// One matching line; every slice is valid only during the callback.
pub const Match = struct {
    /// The directory argument joined with the path below it (raw bytes).
    path: []const u8,
    /// 1 for the first line.
    line_number: u64,
    /// The line without its `\n` (a `\r` before it is kept).
    line: []const u8,
};

/// How binary data (a NUL byte) shaped a file's report (ripgrep's rules).
pub const Binary = enum(i32) {
    none = c.MAPVIEW_SEARCH_BINARY_NONE,
    /// Found by the walk: reading stopped at the NUL's buffer.
    stopped = c.MAPVIEW_SEARCH_BINARY_STOPPED,
    /// The argument named this file: lines reported until binary data.
    matches = c.MAPVIEW_SEARCH_BINARY_MATCHES,
    _,
};

/// A file with matches, after its lines; valid only during the callback.
pub const File = struct {
    path: []const u8,
    /// Matching lines (the whole file's count with `count_only`).
    count: u64,
    binary: Binary,
    /// Where the NUL is, unless binary is .none.
    binary_offset: u64,
};

/// A file or directory that could not be searched; `message` (naming the
/// path) is valid only during the callback.
pub const Failure = struct {
    status: errors.Status,
    err: Error,
    message: []const u8,
};

/// What a search did.
pub const Summary = struct {
    files_searched: u64,
    files_matched: u64,
    lines_matched: u64,
    /// Files and directories that could not be searched.
    errors: u64,
    /// A callback stopped the search...
    stopped: bool,
    /// ...returning this (0 if none stopped it).
    stop_code: i32,
};

fn Trampolines(comptime H: type) type {
    const Child = @typeInfo(H).pointer.child;
    return struct {
        // A pointer to a zero-sized value carries no address to pass.
        var zst: Child = undefined;

        fn handler(user_data: ?*anyopaque) H {
            if (comptime @sizeOf(Child) == 0) return &zst;
            return @ptrCast(@alignCast(user_data));
        }

        fn onMatch(user_data: ?*anyopaque, found: [*c]const c.mapview_search_match) callconv(.c) i32 {
            const m = found.*;
            const r: Control = handler(user_data).onMatch(.{
                .path = m.path[0..m.path_len],
                .line_number = m.line_number,
                .line = if (m.line_len == 0) "" else m.line[0..m.line_len],
            });
            return @backingInt(r);
        }

        fn onFile(user_data: ?*anyopaque, file: [*c]const c.mapview_search_file) callconv(.c) i32 {
            const f = file.*;
            const r: Control = handler(user_data).onFile(.{
                .path = f.path[0..f.path_len],
                .count = f.count,
                .binary = @fromBackingInt(@intCast(f.binary)),
                .binary_offset = f.binary_offset,
            });
            return @backingInt(r);
        }

        fn onError(user_data: ?*anyopaque, e: ?*const c.mapview_error) callconv(.c) i32 {
            const b = errors.borrowed(e);
            const r: Control = handler(user_data).onError(.{
                .status = b.status,
                .err = b.status.toError() orelse error.Unexpected,
                .message = b.message,
            });
            return @backingInt(r);
        }
    };
}

/// Searches every regular file under `dir` (or the one file `dir` names)
/// for `pattern`, reporting what `rg --no-ignore --hidden` (ripgrep 13)
/// reports. `handler` is `{}` (only the summary) or a pointer to a value
/// whose type may declare any of
///
///     pub fn onMatch(self, m: mapview.search.Match) mapview.search.Control
///     pub fn onFile(self, f: mapview.search.File) mapview.search.Control
///     pub fn onError(self, f: mapview.search.Failure) mapview.search.Control
///
/// They are called on the calling thread, one at a time; files come in
/// no particular order. Files that cannot be searched do not fail the
/// call: they go to onError and `Summary.errors`. An invalid regex is
/// error.InvalidArgument (message names it), a missing dir
/// error.NotFound.
pub fn searchDir(dir: []const u8, pattern: []const u8, options: Options, handler: anytype, diag: ?*Diagnostics) Error!Summary {
    const H = @TypeOf(handler);
    var o = options.toC();
    var match_fn: c.mapview_search_match_fn = null;
    var count_fn: c.mapview_search_count_fn = null;
    var user_data: ?*anyopaque = null;
    if (H != void) {
        const info = @typeInfo(H);
        if (info != .pointer or info.pointer.size != .one)
            @compileError("searchDir: handler must be {} or a pointer, not " ++ @typeName(H));
        const T = info.pointer.child;
        const tr = Trampolines(H);
        if (@hasDecl(T, "onMatch")) match_fn = &tr.onMatch;
        if (@hasDecl(T, "onFile")) count_fn = &tr.onFile;
        if (@hasDecl(T, "onError")) o.on_error = &tr.onError;
        if (@sizeOf(T) > 0) user_data = @ptrCast(@constCast(handler));
    }
    var summary: c.mapview_search_summary = .{};
    var call: Call = .init(diag);
    try call.check(c.mapview_search_dir(dir.ptr, dir.len, pattern.ptr, pattern.len, &o, match_fn, count_fn, user_data, &summary, call.out()));
    return .{
        .files_searched = summary.files_searched,
        .files_matched = summary.files_matched,
        .lines_matched = summary.lines_matched,
        .errors = summary.errors,
        .stopped = summary.stopped,
        .stop_code = summary.stop_code,
    };
}

test "Options.toC sets one flag per field" {
    const o = (Options{ .fixed_strings = true, .ignore_case = true, .count_only = true, .follow_links = true, .respect_ignore_files = true, .skip_hidden = true, .threads = 3 }).toC();
    try std.testing.expectEqual(@as(u32, 63), o.flags);
    try std.testing.expectEqual(@as(u32, 3), o.threads);
    try std.testing.expectEqual(@as(u32, 0), (Options{}).toC().flags);
}
