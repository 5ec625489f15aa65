//! Status codes, the error set they map to, and `Diagnostics`: how the
//! message of a failed call reaches a Zig caller.

const std = @import("std");
const c = @import("c");

/// Every way a mapview call can fail. One error per `mapview_status` code
/// of include/mapview.h (`MAPVIEW_ERR_IO` is `error.InputOutput`, as in
/// std); `error.Unexpected` stands for a code this binding does not know
/// (a newer library). The message naming the path, range or argument is
/// in the `Diagnostics` passed to the call.
pub const Error = error{
    NullArgument,
    InvalidHandle,
    Closed,
    InvalidArgument,
    OutOfRange,
    Overflow,
    InvalidFlags,
    RecordSize,
    ReadOnly,
    NotFound,
    PermissionDenied,
    AlreadyExists,
    Unsupported,
    OutOfMemory,
    InputOutput,
    Misaligned,
    Panic,
    Busy,
    Corrupt,
    WasmModule,
    WasmExport,
    WasmSignature,
    WasmTrap,
    WasmTimeout,
    WasmMemoryLimit,
    WasmViewTruncated,
    WasmView,
    Unexpected,
};

/// The C ABI's `mapview_status` as an enum. Non-exhaustive: a newer
/// library may return codes this binding does not name.
pub const Status = enum(i32) {
    ok = c.MAPVIEW_OK,
    null_argument = c.MAPVIEW_ERR_NULL_ARGUMENT,
    invalid_handle = c.MAPVIEW_ERR_INVALID_HANDLE,
    closed = c.MAPVIEW_ERR_CLOSED,
    invalid_argument = c.MAPVIEW_ERR_INVALID_ARGUMENT,
    out_of_range = c.MAPVIEW_ERR_OUT_OF_RANGE,
    overflow = c.MAPVIEW_ERR_OVERFLOW,
    invalid_flags = c.MAPVIEW_ERR_INVALID_FLAGS,
    record_size = c.MAPVIEW_ERR_RECORD_SIZE,
    read_only = c.MAPVIEW_ERR_READ_ONLY,
    not_found = c.MAPVIEW_ERR_NOT_FOUND,
    permission_denied = c.MAPVIEW_ERR_PERMISSION_DENIED,
    already_exists = c.MAPVIEW_ERR_ALREADY_EXISTS,
    unsupported = c.MAPVIEW_ERR_UNSUPPORTED,
    out_of_memory = c.MAPVIEW_ERR_OUT_OF_MEMORY,
    io = c.MAPVIEW_ERR_IO,
    misaligned = c.MAPVIEW_ERR_MISALIGNED,
    panic = c.MAPVIEW_ERR_PANIC,
    busy = c.MAPVIEW_ERR_BUSY,
    corrupt = c.MAPVIEW_ERR_CORRUPT,
    wasm_module = c.MAPVIEW_ERR_WASM_MODULE,
    wasm_export = c.MAPVIEW_ERR_WASM_EXPORT,
    wasm_signature = c.MAPVIEW_ERR_WASM_SIGNATURE,
    wasm_trap = c.MAPVIEW_ERR_WASM_TRAP,
    wasm_timeout = c.MAPVIEW_ERR_WASM_TIMEOUT,
    wasm_memory_limit = c.MAPVIEW_ERR_WASM_MEMORY_LIMIT,
    wasm_view_truncated = c.MAPVIEW_ERR_WASM_VIEW_TRUNCATED,
    wasm_view = c.MAPVIEW_ERR_WASM_VIEW,
    _,

    /// The library's short description ("not found", "closed handle", ...).
    pub fn name(s: Status) [:0]const u8 {
        return std.mem.span(c.mapview_status_name(@backingInt(s)));
    }

    /// The error for a failure code; null for `.ok`.
    pub fn toError(s: Status) ?Error {
        return switch (s) {
            .ok => null,
            .null_argument => error.NullArgument,
            .invalid_handle => error.InvalidHandle,
            .closed => error.Closed,
            .invalid_argument => error.InvalidArgument,
            .out_of_range => error.OutOfRange,
            .overflow => error.Overflow,
            .invalid_flags => error.InvalidFlags,
            .record_size => error.RecordSize,
            .read_only => error.ReadOnly,
            .not_found => error.NotFound,
            .permission_denied => error.PermissionDenied,
            .already_exists => error.AlreadyExists,
            .unsupported => error.Unsupported,
            .out_of_memory => error.OutOfMemory,
            .io => error.InputOutput,
            .misaligned => error.Misaligned,
            .panic => error.Panic,
            .busy => error.Busy,
            .corrupt => error.Corrupt,
            .wasm_module => error.WasmModule,
            .wasm_export => error.WasmExport,
            .wasm_signature => error.WasmSignature,
            .wasm_trap => error.WasmTrap,
            .wasm_timeout => error.WasmTimeout,
            .wasm_memory_limit => error.WasmMemoryLimit,
            .wasm_view_truncated => error.WasmViewTruncated,
            .wasm_view => error.WasmView,
            _ => error.Unexpected,
        };
    }

    /// The status an error stands for. `.ok` is never returned;
    /// `error.Unexpected` has no code of its own and gives -1, a value no
    /// code uses.
    pub fn fromError(e: Error) Status {
        return switch (e) {
            error.NullArgument => .null_argument,
            error.InvalidHandle => .invalid_handle,
            error.Closed => .closed,
            error.InvalidArgument => .invalid_argument,
            error.OutOfRange => .out_of_range,
            error.Overflow => .overflow,
            error.InvalidFlags => .invalid_flags,
            error.RecordSize => .record_size,
            error.ReadOnly => .read_only,
            error.NotFound => .not_found,
            error.PermissionDenied => .permission_denied,
            error.AlreadyExists => .already_exists,
            error.Unsupported => .unsupported,
            error.OutOfMemory => .out_of_memory,
            error.InputOutput => .io,
            error.Misaligned => .misaligned,
            error.Panic => .panic,
            error.Busy => .busy,
            error.Corrupt => .corrupt,
            error.WasmModule => .wasm_module,
            error.WasmExport => .wasm_export,
            error.WasmSignature => .wasm_signature,
            error.WasmTrap => .wasm_trap,
            error.WasmTimeout => .wasm_timeout,
            error.WasmMemoryLimit => .wasm_memory_limit,
            error.WasmViewTruncated => .wasm_view_truncated,
            error.WasmView => .wasm_view,
            error.Unexpected => @fromBackingInt(@intCast(-1)),
        };
    }
};

/// What went wrong in the last failed call it was passed to: the status
/// code and the library's message (naming the path, byte range or
/// argument), copied out of the `mapview_error` before it is freed.
///
/// Zig errors carry no payload, so every fallible function of this
/// binding takes a `diag: ?*Diagnostics` last, as `std.zon.parse` does.
/// Pass null when the error alone is enough (the library then builds no
/// message at all). A call writes the diagnostics only when it fails;
/// they hold no allocation and need no deinit. Messages longer than
/// `capacity` bytes are cut (`truncated` is then set).
///
/// ```
/// var diag: mapview.Diagnostics = .{};
/// const m = mapview.Map.open(path, .read_only, .{}, &diag) catch |err| {
///     std.log.err("{t}: {s}", .{ err, diag.message() });
///     return err;
/// };
/// ```
pub const Diagnostics = struct {
    status: Status = .ok,
    truncated: bool = false,
    len: usize = 0,
    buf: [capacity]u8 = undefined,

    pub const capacity = 4096 + 512;

    /// The message (empty before any failure).
    pub fn message(d: *const Diagnostics) []const u8 {
        return d.buf[0..d.len];
    }

    /// The error of the recorded failure, or null.
    pub fn err(d: *const Diagnostics) ?Error {
        return d.status.toError();
    }

    /// Forgets the recorded failure.
    pub fn reset(d: *Diagnostics) void {
        d.* = .{};
    }

    /// Prints the message, or the status name when there is none
    /// (`{f}` in a format string).
    pub fn format(d: *const Diagnostics, w: *std.Io.Writer) std.Io.Writer.Error!void {
        if (d.len > 0) {
            try w.writeAll(d.message());
            if (d.truncated) try w.writeAll("...");
        } else {
            try w.writeAll(d.status.name());
        }
    }

    /// Records a failure: code and message (copied, cut to capacity).
    pub fn set(d: *Diagnostics, status: Status, msg: []const u8) void {
        d.status = status;
        const n = @min(msg.len, capacity);
        @memcpy(d.buf[0..n], msg[0..n]);
        d.len = n;
        d.truncated = n < msg.len;
    }

    /// Records a failure with a message formatted by the binding (for the
    /// few checks the binding makes itself, e.g. a dtype that does not
    /// match the Zig element type asked for).
    pub fn setFormatted(d: *Diagnostics, status: Status, comptime fmt: []const u8, args: anytype) void {
        d.status = status;
        d.truncated = false;
        const out = std.fmt.bufPrint(&d.buf, fmt, args) catch blk: {
            d.truncated = true;
            break :blk d.buf[0..];
        };
        d.len = out.len;
    }
};

/// One C call's error slot. Usage (the status is evaluated, so the C call
/// has returned, before `check` reads the slot):
///
///     var call: Call = .init(diag);
///     try call.check(c.<function>(..., call.out()));
pub const Call = struct {
    diag: ?*Diagnostics,
    err: ?*c.mapview_error = null,

    pub fn init(diag: ?*Diagnostics) Call {
        return .{ .diag = diag };
    }

    /// The `err` argument for the C call: NULL when nobody wants the
    /// message, so the library does not build one.
    pub fn out(call: *Call) [*c]?*c.mapview_error {
        return if (call.diag != null) &call.err else null;
    }

    pub fn check(call: *Call, status: c.mapview_status) Error!void {
        if (status == c.MAPVIEW_OK) return;
        const s: Status = @fromBackingInt(@intCast(status));
        if (call.diag) |d| {
            if (call.err) |e| {
                d.set(s, std.mem.span(c.mapview_error_message(e)));
            } else {
                d.set(s, "");
            }
        }
        if (call.err) |e| c.mapview_error_free(e);
        call.err = null;
        return s.toError() orelse error.Unexpected;
    }
};

/// For the close functions, which take no error object.
pub fn checkStatus(status: c.mapview_status) Error!void {
    if (status == c.MAPVIEW_OK) return;
    const s: Status = @fromBackingInt(@intCast(status));
    return s.toError() orelse error.Unexpected;
}

/// Turns a borrowed `mapview_error` (search's on_error callback) into
/// its status and message; the message lives as long as the error.
pub fn borrowed(e: ?*const c.mapview_error) struct { status: Status, message: []const u8 } {
    return .{
        .status = @fromBackingInt(@intCast(c.mapview_error_code(e))),
        .message = std.mem.span(c.mapview_error_message(e)),
    };
}

test "every status maps to its own error and back" {
    var i: i32 = 1;
    while (i <= c.MAPVIEW_ERR_WASM_VIEW) : (i += 1) {
        const s: Status = @fromBackingInt(@intCast(i));
        const e = s.toError().?;
        try std.testing.expect(e != error.Unexpected);
        try std.testing.expectEqual(s, Status.fromError(e));
    }
    try std.testing.expectEqual(@as(?Error, null), Status.ok.toError());
    try std.testing.expectEqual(@as(?Error, error.Unexpected), @as(Status, @fromBackingInt(@intCast(999))).toError());
    try std.testing.expectEqual(@as(?Error, error.InputOutput), Status.io.toError());
}

test "status names come from the library" {
    try std.testing.expectEqualStrings("not found", Status.not_found.name());
    try std.testing.expectEqualStrings("unknown status", @as(Status, @fromBackingInt(@intCast(999))).name());
}

test "Diagnostics copies and cuts messages" {
    var d: Diagnostics = .{};
    try std.testing.expectEqualStrings("", d.message());
    d.set(.not_found, "open 'x': not found");
    try std.testing.expectEqual(@as(?Error, error.NotFound), d.err());
    try std.testing.expectEqualStrings("open 'x': not found", d.message());
    try std.testing.expect(!d.truncated);
    const long: [Diagnostics.capacity + 10]u8 = @splat('y');
    d.set(.io, &long);
    try std.testing.expect(d.truncated);
    try std.testing.expectEqual(Diagnostics.capacity, d.message().len);
    var buf: [64]u8 = undefined;
    d.reset();
    d.set(.closed, "");
    try std.testing.expectEqualStrings("closed handle", try std.fmt.bufPrint(&buf, "{f}", .{d}));
}

test "Call with no diagnostics passes NULL for err" {
    var call: Call = .init(null);
    try std.testing.expect(call.out() == null);
    try call.check(c.MAPVIEW_OK);
    try std.testing.expectError(error.Closed, call.check(c.MAPVIEW_ERR_CLOSED));
}
