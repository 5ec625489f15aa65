//! The WebAssembly host (`mapview_wasm_*`): guests that read mapped files
//! as zero-copy views in their linear memory (docs/guest-abi.md).

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const bytes_mod = @import("bytes.zig");
const map_mod = @import("map.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;
const Bytes = bytes_mod.Bytes;
const Map = map_mod.Map;

/// A host: the engine and the limits every guest made from it runs under.
///
/// ```
/// const host = try mapview.Host.create(.{ .fuel = 1_000_000 }, null);
/// defer host.close();
/// const guest = try host.loadFile("sum.wasm", null);
/// defer guest.close();
/// _ = try guest.attach("data", map, .{}, null);
/// var out: [1]i64 = undefined;
/// const results = try guest.call("run", &.{}, &out, null);
/// ```
pub const Host = struct {
    handle: c.mapview_wasm_host,

    /// `mapview_wasm_host_options`; null fields keep the defaults.
    pub const Options = struct {
        /// The most views one guest may have (default 1024).
        max_views: ?u32 = null,
        /// Fuel per call, roughly instructions (default: no limit).
        fuel: ?u64 = null,
        /// Wall-clock limit per call in milliseconds (default: none).
        timeout_ms: ?u64 = null,
        /// The most the guest's own memory may grow to (default 256 MiB).
        max_memory: ?u64 = null,
        /// The most output bytes per call (default 64 MiB).
        max_output: ?u64 = null,

        pub fn toC(o: Options) c.mapview_wasm_host_options {
            var out = c.mapview_wasm_host_options_init();
            if (o.max_views) |v| out.max_views = v;
            if (o.fuel) |v| out.fuel = v;
            if (o.timeout_ms) |v| out.timeout_ms = v;
            if (o.max_memory) |v| out.max_memory = v;
            if (o.max_output) |v| out.max_output = v;
            return out;
        }
    };

    pub fn create(options: Options, diag: ?*Diagnostics) Error!Host {
        const o = options.toC();
        var out: c.mapview_wasm_host = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_wasm_host_create(&o, &out, call.out()));
        return .{ .handle = out };
    }

    /// Compiles a module (binary or WebAssembly text) and instantiates it
    /// as a new guest with no views. The bytes are not kept.
    pub fn load(h: Host, module: []const u8, diag: ?*Diagnostics) Error!Guest {
        var out: c.mapview_wasm_guest = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_wasm_guest_load(h.handle, module.ptr, module.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// `load` with the module read from a file.
    pub fn loadFile(h: Host, path: []const u8, diag: ?*Diagnostics) Error!Guest {
        var out: c.mapview_wasm_guest = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_wasm_guest_load_file(h.handle, path.ptr, path.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// Closes the host; its guests keep working. Errors ignored (see
    /// `tryClose`).
    pub fn close(h: Host) void {
        h.tryClose() catch {};
    }

    pub fn tryClose(h: Host) Error!void {
        return errors.checkStatus(c.mapview_wasm_host_close(h.handle));
    }
};

/// Where a view landed in the guest's memory.
pub const ViewInfo = struct {
    /// Guest address of the view's first byte.
    addr: u32,
    len: u32,
    writable: bool,
};

pub const AttachOptions = struct {
    /// First byte of the map to view.
    offset: u64 = 0,
    /// Bytes to view; null to the end of the map.
    length: ?u64 = null,
    /// Read-write view (the map must be a read-write shared map); writes
    /// reach the file.
    writable: bool = false,
};

/// A guest instance. Calls on one guest are serialised by the library.
pub const Guest = struct {
    handle: c.mapview_wasm_guest,

    /// Views a range of `map` in the guest under `name`, without copying.
    /// The view stays valid after the map handle is closed. Only shared
    /// maps can be viewed (error.WasmView for private ones).
    pub fn attach(g: Guest, name: []const u8, map: Map, options: AttachOptions, diag: ?*Diagnostics) Error!ViewInfo {
        var out: c.mapview_wasm_view_info = .{};
        var cx: Call = .init(diag);
        const flags: u32 = if (options.writable) c.MAPVIEW_VIEW_WRITABLE else 0;
        try cx.check(c.mapview_wasm_guest_attach(g.handle, name.ptr, name.len, map.handle, options.offset, map_mod.toEnd(options.length), flags, &out, cx.out()));
        return .{ .addr = out.addr, .len = out.len, .writable = out.writable };
    }

    /// Views every regular file under `dir` (recursively), read-only,
    /// named by the path relative to `dir`; returns how many. More than
    /// `limit` files is error.WasmView.
    pub fn attachDir(g: Guest, dir: []const u8, limit: u32, diag: ?*Diagnostics) Error!usize {
        var n: usize = 0;
        var cx: Call = .init(diag);
        try cx.check(c.mapview_wasm_guest_attach_dir(g.handle, dir.ptr, dir.len, limit, &n, cx.out()));
        return n;
    }

    /// Sets the arguments the guest reads with mapview.arg_* (copied).
    pub fn setArgs(g: Guest, args: []const Bytes, diag: ?*Diagnostics) Error!void {
        var cx: Call = .init(diag);
        try cx.check(c.mapview_wasm_guest_set_args(g.handle, Bytes.asC(args), args.len, cx.out()));
    }

    /// `setArgs` for a list of slices (the pointer list is built with
    /// `gpa` and freed before returning).
    pub fn setArgsAlloc(g: Guest, gpa: std.mem.Allocator, args: []const []const u8, diag: ?*Diagnostics) Error!void {
        const list = try bytes_mod.fromSlices(gpa, args);
        defer gpa.free(list);
        return g.setArgs(list, diag);
    }

    /// Calls an exported function with integer arguments; returns its
    /// results, stored in `results`. `results` must have room for all of
    /// them: if it does not, nothing is called and the error is
    /// error.InvalidArgument (the diagnostics say how many are needed).
    pub fn call(g: Guest, func: []const u8, args: []const i64, results: []i64, diag: ?*Diagnostics) Error![]i64 {
        const n = try g.callCount(func, args, results, diag);
        return results[0..@min(n, results.len)];
    }

    /// `call`, returning how many results the function returned.
    pub fn callCount(g: Guest, func: []const u8, args: []const i64, results: []i64, diag: ?*Diagnostics) Error!usize {
        var n: usize = 0;
        var cx: Call = .init(diag);
        try cx.check(c.mapview_wasm_guest_call(g.handle, func.ptr, func.len, args.ptr, args.len, results.ptr, results.len, &n, cx.out()));
        return n;
    }

    /// The number of output bytes waiting (written with mapview.output).
    pub fn outputLen(g: Guest, diag: ?*Diagnostics) Error!usize {
        var n: usize = 0;
        var cx: Call = .init(diag);
        try cx.check(c.mapview_wasm_guest_output(g.handle, null, 0, &n, cx.out()));
        return n;
    }

    /// Takes up to buf.len bytes of the guest's output into `buf`;
    /// returns the part filled.
    pub fn output(g: Guest, buf: []u8, diag: ?*Diagnostics) Error![]u8 {
        var n: usize = 0;
        var cx: Call = .init(diag);
        // A zero-length buffer must not be NULL: NULL means "how many".
        var empty: [1]u8 = undefined;
        const ptr: [*]u8 = if (buf.len == 0) &empty else buf.ptr;
        try cx.check(c.mapview_wasm_guest_output(g.handle, ptr, buf.len, &n, cx.out()));
        return buf[0..n];
    }

    /// Takes all the waiting output into memory from `gpa` (the caller
    /// frees it).
    pub fn outputAlloc(g: Guest, gpa: std.mem.Allocator, diag: ?*Diagnostics) Error![]u8 {
        const n = try g.outputLen(diag);
        const buf = try gpa.alloc(u8, n);
        errdefer gpa.free(buf);
        const got = try g.output(buf, diag);
        if (got.len == buf.len) return buf;
        // Another thread took some of it meanwhile.
        defer gpa.free(buf);
        return gpa.dupe(u8, got);
    }

    /// Writes the guest's read-write views to their files and waits.
    pub fn flush(g: Guest, diag: ?*Diagnostics) Error!void {
        var cx: Call = .init(diag);
        try cx.check(c.mapview_wasm_guest_flush(g.handle, cx.out()));
    }

    /// Ends the guest: flushes its read-write views, frees its memory.
    /// Errors ignored (see `tryClose`).
    pub fn close(g: Guest) void {
        g.tryClose() catch {};
    }

    pub fn tryClose(g: Guest) Error!void {
        return errors.checkStatus(c.mapview_wasm_guest_close(g.handle));
    }
};

test "Host.Options.toC keeps the library's defaults" {
    const d = c.mapview_wasm_host_options_init();
    const o = (Host.Options{}).toC();
    try std.testing.expectEqual(d.max_views, o.max_views);
    try std.testing.expectEqual(d.max_memory, o.max_memory);
    const f = (Host.Options{ .fuel = 10, .timeout_ms = 20, .max_views = 3 }).toC();
    try std.testing.expectEqual(@as(u64, 10), f.fuel);
    try std.testing.expectEqual(@as(u64, 20), f.timeout_ms);
    try std.testing.expectEqual(@as(u32, 3), f.max_views);
}

test "a guest from WebAssembly text" {
    const host = try Host.create(.{}, null);
    defer host.close();
    const g = try host.load(
        \\(module (memory (export "memory") 1)
        \\  (func (export "add") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1))))
    , null);
    defer g.close();
    var out: [2]i64 = undefined;
    const r = try g.call("add", &.{ 40, 2 }, &out, null);
    try std.testing.expectEqualSlices(i64, &.{42}, r);
}
