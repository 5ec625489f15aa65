//! Shared memory between processes (`mapview_shm_*`): named regions in
//! /dev/shm and sealed memfd regions handed over by descriptor.

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const array_mod = @import("array.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;

/// What kind of region (`MAPVIEW_SHM_*`).
pub const Kind = enum(i32) {
    /// A file in /dev/shm, found by name.
    named = c.MAPVIEW_SHM_NAMED,
    /// A memfd (or any region opened from a descriptor).
    memfd = c.MAPVIEW_SHM_MEMFD,
    _,
};

/// `MAPVIEW_SHM_SEAL_*` bits.
pub const Seals = packed struct(u32) {
    /// Nobody can make the region smaller.
    shrink: bool = false,
    /// Nobody can make it larger.
    grow: bool = false,
    /// Nobody can write to it.
    write: bool = false,
    /// The seals can no longer change.
    seal: bool = false,
    _: u28 = 0,

    comptime {
        std.debug.assert(@as(u32, @bitCast(Seals{ .shrink = true })) == c.MAPVIEW_SHM_SEAL_SHRINK);
        std.debug.assert(@as(u32, @bitCast(Seals{ .grow = true })) == c.MAPVIEW_SHM_SEAL_GROW);
        std.debug.assert(@as(u32, @bitCast(Seals{ .write = true })) == c.MAPVIEW_SHM_SEAL_WRITE);
        std.debug.assert(@as(u32, @bitCast(Seals{ .seal = true })) == c.MAPVIEW_SHM_SEAL_SEAL);
    }
};

/// What a region is and how to hand it to another process.
pub const Info = struct {
    kind: Kind,
    seals: Seals,
    len: usize,
    /// The region's descriptor in this process (close-on-exec, owned by
    /// the handle: do not close it). Another process of the same user
    /// opens it as /proc/<pid>/fd/<fd> (`Shm.openProc`).
    fd: i32,
    /// This process's id.
    pid: i32,
};

/// A shared-memory region handle. `bytes` is valid until `close`; other
/// processes write the same memory, and ordering those accesses is the
/// caller's job.
pub const Shm = struct {
    handle: c.mapview_shm,

    /// The longest name, in bytes.
    pub const max_name_len = c.MAPVIEW_SHM_MAX_NAME;

    /// Creates a named region of `size` zero bytes (mode 0600): a name is
    /// 1 to 255 bytes without '/' (error.InvalidArgument); one in use is
    /// error.AlreadyExists. It outlives every handle until `unlink`.
    pub fn create(region_name: []const u8, size: u64, diag: ?*Diagnostics) Error!Shm {
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_create(region_name.ptr, region_name.len, size, &out, call.out()));
        return .{ .handle = out };
    }

    /// Creates an anonymous region in a memfd sealed against shrinking
    /// and growing; hand it over by descriptor or /proc path.
    pub fn createMemfd(size: u64, diag: ?*Diagnostics) Error!Shm {
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_create_memfd(size, &out, call.out()));
        return .{ .handle = out };
    }

    /// Creates a region holding a zeroed .npy array (`spec`: dtype, order,
    /// shape): named when `region_name` is not null, else a sealed memfd. Map
    /// the array with `array`.
    pub fn createArray(region_name: ?[]const u8, spec: array_mod.Spec, diag: ?*Diagnostics) Error!Shm {
        const s = spec.toC();
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        const n = region_name orelse &[_]u8{};
        try call.check(c.mapview_shm_create_array(if (region_name == null) null else n.ptr, n.len, &s, &out, call.out()));
        return .{ .handle = out };
    }

    /// Opens the named region read-write (error.NotFound if none).
    pub fn open(region_name: []const u8, diag: ?*Diagnostics) Error!Shm {
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_open(region_name.ptr, region_name.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// Opens a region from a descriptor this process holds; the
    /// descriptor is duplicated (the caller still owns `fd`).
    pub fn openFd(fd: i32, diag: ?*Diagnostics) Error!Shm {
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_open_fd(fd, &out, call.out()));
        return .{ .handle = out };
    }

    /// Opens the region process `pid` holds as descriptor `fd`, through
    /// /proc/<pid>/fd/<fd>.
    pub fn openProc(pid: i32, fd: i32, diag: ?*Diagnostics) Error!Shm {
        var out: c.mapview_shm = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_open_proc(pid, fd, &out, call.out()));
        return .{ .handle = out };
    }

    /// Removes a region's name (error.NotFound if none). Open handles
    /// keep working.
    pub fn unlink(region_name: []const u8, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_unlink(region_name.ptr, region_name.len, call.out()));
    }

    /// The region's bytes, writable, valid until `close`.
    pub fn bytes(s: Shm, diag: ?*Diagnostics) Error![]u8 {
        var ptr: [*c]u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_data(s.handle, &ptr, &len, call.out()));
        if (len == 0) return &.{};
        return ptr[0..len];
    }

    pub fn info(s: Shm, diag: ?*Diagnostics) Error!Info {
        var i: c.mapview_shm_info = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_info_get(s.handle, &i, call.out()));
        return .{
            .kind = @fromBackingInt(@intCast(i.kind)),
            .seals = @bitCast(i.seals),
            .len = i.len,
            .fd = i.fd,
            .pid = i.pid,
        };
    }

    /// The name of a named region (valid until `close`); null for a
    /// memfd region.
    pub fn name(s: Shm, diag: ?*Diagnostics) Error!?[:0]const u8 {
        var ptr: [*c]const u8 = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_shm_name(s.handle, &ptr, &len, call.out()));
        if (ptr == null) return null;
        return ptr[0..len :0];
    }

    /// Maps the array in the region, read-write: the .npy array at its
    /// start (spec null) or raw data described by `spec`. The array has
    /// its own mapping and outlives this handle.
    pub fn array(s: Shm, spec: ?array_mod.Spec, diag: ?*Diagnostics) Error!array_mod.Array {
        var storage: c.mapview_array_spec = undefined;
        var out: c.mapview_array = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_from_shm(s.handle, array_mod.specPtr(spec, &storage), &out, call.out()));
        return .{ .handle = out };
    }

    /// Closes the handle (the region lives on while others hold it, and
    /// a named one until `unlink`); errors ignored (see `tryClose`).
    pub fn close(s: Shm) void {
        s.tryClose() catch {};
    }

    pub fn tryClose(s: Shm) Error!void {
        return errors.checkStatus(c.mapview_shm_close(s.handle));
    }
};
