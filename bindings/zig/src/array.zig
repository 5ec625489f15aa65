//! N-dimensional arrays in .npy files, headerless files and shared
//! memory (`mapview_array_*`). The .npy format and the aggregates live in
//! the library; this turns them into Zig types.

const std = @import("std");
const c = @import("c");
const errors = @import("errors.zig");
const map_mod = @import("map.zig");

const Error = errors.Error;
const Diagnostics = errors.Diagnostics;
const Call = errors.Call;
const SyncMode = map_mod.SyncMode;

/// The most dimensions an array may have.
pub const max_dims = c.MAPVIEW_ARRAY_MAX_DIMS;

/// An element type (`MAPVIEW_DTYPE_*`), named as in Zig; all
/// little-endian. Non-exhaustive: a newer library may know more.
pub const Dtype = enum(i32) {
    /// One byte, 0 false, anything else true (NumPy bool).
    bool = c.MAPVIEW_DTYPE_BOOL,
    u8 = c.MAPVIEW_DTYPE_U8,
    u16 = c.MAPVIEW_DTYPE_U16,
    u32 = c.MAPVIEW_DTYPE_U32,
    u64 = c.MAPVIEW_DTYPE_U64,
    i8 = c.MAPVIEW_DTYPE_I8,
    i16 = c.MAPVIEW_DTYPE_I16,
    i32 = c.MAPVIEW_DTYPE_I32,
    i64 = c.MAPVIEW_DTYPE_I64,
    f16 = c.MAPVIEW_DTYPE_F16,
    f32 = c.MAPVIEW_DTYPE_F32,
    f64 = c.MAPVIEW_DTYPE_F64,
    _,

    /// NumPy's name ("float64", "bool", ...), from the library.
    pub fn name(d: Dtype) [:0]const u8 {
        return std.mem.span(c.mapview_dtype_name(@backingInt(d)));
    }

    /// Bytes per element, from the library (0 for an unknown dtype).
    pub fn size(d: Dtype) usize {
        return c.mapview_dtype_size(@backingInt(d));
    }

    /// The dtype of a Zig element type.
    pub fn of(comptime T: type) Dtype {
        return switch (T) {
            bool => .bool,
            u8 => .u8,
            u16 => .u16,
            u32 => .u32,
            u64 => .u64,
            i8 => .i8,
            i16 => .i16,
            i32 => .i32,
            i64 => .i64,
            f16 => .f16,
            f32 => .f32,
            f64 => .f64,
            else => @compileError("no mapview dtype for " ++ @typeName(T)),
        };
    }
};

/// Memory order (`MAPVIEW_ORDER_*`).
pub const Order = enum(i32) {
    /// Row-major: the last index varies fastest (NumPy's default).
    c = c.MAPVIEW_ORDER_C,
    /// Column-major: the first index varies fastest.
    fortran = c.MAPVIEW_ORDER_FORTRAN,
    _,
};

/// How an array is stored (`MAPVIEW_FORMAT_*`).
pub const Format = enum(i32) {
    /// A NumPy .npy file (versions 1.0, 2.0, 3.0 read).
    npy = c.MAPVIEW_FORMAT_NPY,
    /// Headerless data described by the spec.
    raw = c.MAPVIEW_FORMAT_RAW,
    _,
};

/// `mapview_array_spec`: an array to create, or how to read headerless
/// data.
pub const Spec = struct {
    format: Format = .npy,
    /// Required to create, and for raw data.
    dtype: ?Dtype = null,
    order: Order = .c,
    /// The dimensions (empty: a 0-d array of one element). Not kept.
    shape: []const u64 = &.{},
    /// Raw data, opening: one dimension of every whole element after
    /// `offset` (MAPVIEW_ARRAY_INFER_SHAPE); `shape` is then ignored.
    infer_shape: bool = false,
    /// Raw data: byte offset in the file or region.
    offset: u64 = 0,

    /// The C struct; borrows `shape`.
    pub fn toC(s: Spec) c.mapview_array_spec {
        var out = c.mapview_array_spec_init();
        out.format = @backingInt(s.format);
        out.dtype = if (s.dtype) |d| @backingInt(d) else c.MAPVIEW_DTYPE_NONE;
        out.order = @backingInt(s.order);
        out.ndim = std.math.cast(u32, s.shape.len) orelse std.math.maxInt(u32);
        out.shape = if (s.shape.len == 0) null else s.shape.ptr;
        out.flags = if (s.infer_shape) c.MAPVIEW_ARRAY_INFER_SHAPE else 0;
        out.offset = s.offset;
        return out;
    }
};

pub fn specPtr(spec: ?Spec, storage: *c.mapview_array_spec) [*c]const c.mapview_array_spec {
    if (spec) |s| {
        storage.* = s.toC();
        return storage;
    }
    return null;
}

/// What an array is.
pub const Info = struct {
    dtype: Dtype,
    order: Order,
    format: Format,
    ndim: u32,
    /// Bytes per element.
    itemsize: usize,
    /// Number of elements.
    count: u64,
    /// Bytes of element data.
    nbytes: u64,
    /// Where the data starts in the file or region.
    data_offset: u64,
    /// .npy version read (0.0 for raw data).
    npy_version: [2]u8,
    writable: bool,
};

/// What a value holds exactly (`MAPVIEW_VALUE_*`).
pub const Exact = union(enum) {
    int: i64,
    uint: u64,
    float: f64,
    bool: bool,
};

/// The result of an aggregate, typed as NumPy types the same reduction.
pub const Value = struct {
    /// The result's dtype (np.sum of int8 is int64, np.mean of ints float64...).
    dtype: Dtype,
    exact: Exact,
    /// The value as a double, whatever its type.
    float: f64,

    fn fromC(v: c.mapview_value) Value {
        return .{
            .dtype = @fromBackingInt(@intCast(v.dtype)),
            .float = v.f,
            .exact = switch (v.kind) {
                c.MAPVIEW_VALUE_INT => .{ .int = v.i },
                c.MAPVIEW_VALUE_UINT => .{ .uint = v.u },
                c.MAPVIEW_VALUE_BOOL => .{ .bool = v.u != 0 },
                else => .{ .float = v.f },
            },
        };
    }
};

/// An array handle. Slices from it are valid until `close`.
pub const Array = struct {
    handle: c.mapview_array,

    /// Creates a new array file (never overwrites one) and maps it
    /// read-write: .npy (spec.format .npy) or headerless (.raw, offset 0).
    /// `data` holds exactly count * itemsize bytes (error.RecordSize
    /// otherwise), or null for zeros. A failed call leaves no file.
    pub fn create(path: []const u8, spec: Spec, data: ?[]const u8, diag: ?*Diagnostics) Error!Array {
        const s = spec.toC();
        var out: c.mapview_array = .{};
        var call: Call = .init(diag);
        const d = data orelse &[_]u8{};
        try call.check(c.mapview_array_create(path.ptr, path.len, &s, if (data == null) null else d.ptr, d.len, &out, call.out()));
        return .{ .handle = out };
    }

    /// Creates a .npy file from typed elements (dtype from T, C order).
    pub fn createFrom(comptime T: type, path: []const u8, dims: []const u64, elements: []const T, diag: ?*Diagnostics) Error!Array {
        return create(path, .{ .dtype = .of(T), .shape = dims }, std.mem.sliceAsBytes(elements), diag);
    }

    /// Maps an array file: a .npy file (spec null or .npy), or raw data
    /// described by `spec`. `mode` is .read_only or .read_write. A damaged
    /// .npy header is error.Corrupt; one mapview does not map (object,
    /// complex, big-endian dtypes...) error.Unsupported.
    pub fn open(path: []const u8, mode: map_mod.Mode, spec: ?Spec, diag: ?*Diagnostics) Error!Array {
        var storage: c.mapview_array_spec = undefined;
        var out: c.mapview_array = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_open(path.ptr, path.len, @backingInt(mode), specPtr(spec, &storage), &out, call.out()));
        return .{ .handle = out };
    }

    /// The array in a shared-memory region (same as `Shm.array`).
    pub fn fromShm(region: @import("shm.zig").Shm, spec: ?Spec, diag: ?*Diagnostics) Error!Array {
        return region.array(spec, diag);
    }

    pub fn info(a: Array, diag: ?*Diagnostics) Error!Info {
        var i: c.mapview_array_info = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_info_get(a.handle, &i, call.out()));
        return .{
            .dtype = @fromBackingInt(@intCast(i.dtype)),
            .order = @fromBackingInt(@intCast(i.order)),
            .format = @fromBackingInt(@intCast(i.format)),
            .ndim = i.ndim,
            .itemsize = i.itemsize,
            .count = i.count,
            .nbytes = i.nbytes,
            .data_offset = i.data_offset,
            .npy_version = .{ i.npy_major, i.npy_minor },
            .writable = i.writable,
        };
    }

    /// The dimensions, stored in `buf` (error.InvalidArgument when it is
    /// too small; `max_dims` entries always suffice).
    pub fn shape(a: Array, buf: []u64, diag: ?*Diagnostics) Error![]u64 {
        var ndim: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_array_shape(a.handle, if (buf.len == 0) null else buf.ptr, buf.len, &ndim, call.out()));
        return buf[0..ndim];
    }

    /// The element data (little-endian, in the array's order).
    pub fn bytes(a: Array, diag: ?*Diagnostics) Error![]const u8 {
        var ptr: ?*const anyopaque = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_array_data(a.handle, &ptr, &len, call.out()));
        if (len == 0 or ptr == null) return &.{};
        return @as([*]const u8, @ptrCast(ptr.?))[0..len];
    }

    /// The element data for writing (error.ReadOnly for arrays opened
    /// read-only or taken from a cache).
    pub fn bytesMut(a: Array, diag: ?*Diagnostics) Error![]u8 {
        var ptr: ?*anyopaque = null;
        var len: usize = 0;
        var call: Call = .init(diag);
        try call.check(c.mapview_array_data_mut(a.handle, &ptr, &len, call.out()));
        if (len == 0 or ptr == null) return &.{};
        return @as([*]u8, @ptrCast(ptr.?))[0..len];
    }

    fn checkDtype(a: Array, comptime T: type, diag: ?*Diagnostics) Error!void {
        const i = try a.info(diag);
        if (i.dtype != Dtype.of(T)) {
            if (diag) |d| d.setFormatted(.invalid_argument, "the array holds {s}, not {s}", .{ i.dtype.name(), @typeName(T) });
            return error.InvalidArgument;
        }
    }

    /// The elements as a slice of T, which must be the array's dtype
    /// (error.InvalidArgument otherwise). Raw data may start at any
    /// offset, hence align(1).
    pub fn items(a: Array, comptime T: type, diag: ?*Diagnostics) Error![]align(1) const T {
        try a.checkDtype(T, diag);
        const b = try a.bytes(diag);
        return std.mem.bytesAsSlice(T, b);
    }

    pub fn itemsMut(a: Array, comptime T: type, diag: ?*Diagnostics) Error![]align(1) T {
        try a.checkDtype(T, diag);
        const b = try a.bytesMut(diag);
        return std.mem.bytesAsSlice(T, b);
    }

    /// np.sum: ints in int64/uint64 (wrapping), floats in their type.
    pub fn sum(a: Array, diag: ?*Diagnostics) Error!Value {
        var v: c.mapview_value = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_sum(a.handle, &v, call.out()));
        return .fromC(v);
    }

    /// np.mean (NaN for an empty array).
    pub fn mean(a: Array, diag: ?*Diagnostics) Error!Value {
        var v: c.mapview_value = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_mean(a.handle, &v, call.out()));
        return .fromC(v);
    }

    /// np.std(a, ddof=ddof).
    pub fn stdDev(a: Array, ddof: u64, diag: ?*Diagnostics) Error!Value {
        var v: c.mapview_value = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_std(a.handle, ddof, &v, call.out()));
        return .fromC(v);
    }

    /// The smallest element (error.InvalidArgument for an empty array).
    pub fn min(a: Array, diag: ?*Diagnostics) Error!Value {
        var v: c.mapview_value = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_min(a.handle, &v, call.out()));
        return .fromC(v);
    }

    pub fn max(a: Array, diag: ?*Diagnostics) Error!Value {
        var v: c.mapview_value = .{};
        var call: Call = .init(diag);
        try call.check(c.mapview_array_max(a.handle, &v, call.out()));
        return .fromC(v);
    }

    /// Writes a file-backed array's changes to its file. Shared memory:
    /// nothing to write. Read-only and cached arrays: error.ReadOnly.
    pub fn flush(a: Array, mode: SyncMode, diag: ?*Diagnostics) Error!void {
        var call: Call = .init(diag);
        try call.check(c.mapview_array_flush(a.handle, mode.flags(), call.out()));
    }

    /// Closes the array; errors ignored (see `tryClose`).
    pub fn close(a: Array) void {
        a.tryClose() catch {};
    }

    pub fn tryClose(a: Array) Error!void {
        return errors.checkStatus(c.mapview_array_close(a.handle));
    }
};

test "Dtype names and sizes come from the library" {
    try std.testing.expectEqualStrings("float64", Dtype.f64.name());
    try std.testing.expectEqualStrings("bool", Dtype.bool.name());
    try std.testing.expectEqual(@as(usize, 2), Dtype.of(i16).size());
    try std.testing.expectEqual(@as(usize, 0), @as(Dtype, @fromBackingInt(@intCast(99))).size());
    try std.testing.expectEqual(Dtype.u32, Dtype.of(u32));
}

test "Spec.toC" {
    const shape = [_]u64{ 2, 3 };
    const s = (Spec{ .dtype = .f32, .order = .fortran, .shape = &shape }).toC();
    try std.testing.expectEqual(@as(u32, 2), s.ndim);
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_DTYPE_F32), s.dtype);
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_ORDER_FORTRAN), s.order);
    const d = (Spec{}).toC();
    try std.testing.expectEqual(@as(i32, c.MAPVIEW_DTYPE_NONE), d.dtype);
    try std.testing.expect(d.shape == null);
}
