//! Shared memory: named and memfd regions, seals, handing over, arrays
//! in a region; anonymous shared maps across fork.

const std = @import("std");
const mapview = @import("mapview");
const h = @import("helpers.zig");

const testing = std.testing;
const Shm = mapview.Shm;

extern "c" fn fork() c_int;
extern "c" fn waitpid(pid: c_int, status: *c_int, options: c_int) c_int;
extern "c" fn _exit(code: c_int) noreturn;

fn uniqueName(buf: []u8, what: []const u8) []const u8 {
    var r: [4]u8 = undefined;
    h.io.random(&r);
    return std.fmt.bufPrint(buf, "mapview-zig-{s}-{d}-{x}", .{ what, h.pid(), std.mem.readInt(u32, &r, .little) }) catch unreachable;
}

/// Runs `child` in a forked process; it must not call into mapview.
fn inChild(child: *const fn () void) !void {
    const pid = fork();
    if (pid < 0) return error.ForkFailed;
    if (pid == 0) {
        child();
        _exit(0);
    }
    var status: c_int = 0;
    _ = waitpid(pid, &status, 0);
    try testing.expectEqual(@as(c_int, 0), status);
}

test "a named region: two handles, info, name, unlink" {
    var buf: [96]u8 = undefined;
    const name = uniqueName(&buf, "named");
    const a = try Shm.create(name, 4096, null);
    defer a.close();
    const info = try a.info(null);
    try testing.expectEqual(mapview.shm.Kind.named, info.kind);
    try testing.expectEqual(@as(usize, 4096), info.len);
    try testing.expectEqual(h.pid(), info.pid);
    try testing.expectEqualStrings(name, (try a.name(null)).?);
    const b = try Shm.open(name, null);
    defer b.close();
    @memcpy((try a.bytes(null))[0..5], "hello");
    try testing.expectEqualStrings("hello", (try b.bytes(null))[0..5]);
    var diag: mapview.Diagnostics = .{};
    try h.expectFailure(&diag, error.AlreadyExists, name, Shm.create(name, 10, &diag));
    try Shm.unlink(name, null);
    try h.expectFailure(&diag, error.NotFound, name, Shm.open(name, &diag));
    try testing.expectError(error.NotFound, Shm.unlink(name, null));
    // Handles keep working after unlink.
    try testing.expectEqualStrings("hello", (try b.bytes(null))[0..5]);
}

test "bad names and sizes" {
    var diag: mapview.Diagnostics = .{};
    try testing.expectError(error.InvalidArgument, Shm.create("a/b", 10, &diag));
    try testing.expectError(error.InvalidArgument, Shm.create("", 10, null));
    const long: [Shm.max_name_len + 1]u8 = @splat('n');
    try testing.expectError(error.InvalidArgument, Shm.create(&long, 10, null));
    var buf: [96]u8 = undefined;
    try testing.expectError(error.InvalidArgument, Shm.create(uniqueName(&buf, "zero"), 0, null));
}

test "a memfd region: sealed, opened by descriptor and by /proc path" {
    const m = try Shm.createMemfd(8192, null);
    defer m.close();
    const info = try m.info(null);
    try testing.expectEqual(mapview.shm.Kind.memfd, info.kind);
    try testing.expect(info.seals.shrink and info.seals.grow);
    try testing.expect(!info.seals.write);
    try testing.expectEqual(@as(?[:0]const u8, null), try m.name(null));
    @memcpy((try m.bytes(null))[0..3], "abc");
    const by_fd = try Shm.openFd(info.fd, null);
    defer by_fd.close();
    try testing.expectEqualStrings("abc", (try by_fd.bytes(null))[0..3]);
    const by_proc = try Shm.openProc(info.pid, info.fd, null);
    defer by_proc.close();
    try testing.expectEqualStrings("abc", (try by_proc.bytes(null))[0..3]);
    try testing.expectError(error.NotFound, Shm.openProc(info.pid, 987654, null));
}

var child_target: []u8 = &.{};

fn childWrites() void {
    @memcpy(child_target[0..10], "from child");
}

test "another process writes a region mapped before fork" {
    const m = try Shm.createMemfd(4096, null);
    defer m.close();
    child_target = try m.bytes(null);
    try inChild(&childWrites);
    try testing.expectEqualStrings("from child", (try m.bytes(null))[0..10]);
}

test "an anonymous shared map is shared with a forked child; a private one is not" {
    const shared = try mapview.Map.anonymous(4096, .shared, .{}, null);
    defer shared.close();
    const private = try mapview.Map.anonymous(4096, .private, .{}, null);
    defer private.close();
    child_target = try shared.bytesMut(null);
    try inChild(&childWrites);
    try testing.expectEqualStrings("from child", (try shared.bytes(null))[0..10]);
    child_target = try private.bytesMut(null);
    try inChild(&childWrites);
    try testing.expect(std.mem.allEqual(u8, (try private.bytes(null))[0..10], 0));
}

test "an array in shared memory, named and memfd" {
    const shape = [_]u64{ 3, 4 };
    var buf: [96]u8 = undefined;
    const name = uniqueName(&buf, "array");
    const region = try Shm.createArray(name, .{ .dtype = .f32, .shape = &shape }, null);
    defer region.close();
    defer Shm.unlink(name, null) catch {};
    const a = try region.array(null, null);
    defer a.close();
    const items = try a.itemsMut(f32, null);
    try testing.expectEqual(@as(usize, 12), items.len);
    for (items, 0..) |*x, i| x.* = @floatFromInt(i);
    // Another process would open it by name; a second mapping here.
    const other = try Shm.open(name, null);
    defer other.close();
    const b = try mapview.Array.fromShm(other, null, null);
    defer b.close();
    try testing.expectEqual(@as(f64, 66), (try b.sum(null)).float);
    var dims: [mapview.array.max_dims]u64 = undefined;
    try testing.expectEqualSlices(u64, &shape, try b.shape(&dims, null));

    const anon = try Shm.createArray(null, .{ .dtype = .u8, .shape = &.{16} }, null);
    defer anon.close();
    const c = try anon.array(null, null);
    defer c.close();
    try testing.expectEqual(@as(u64, 16), (try c.info(null)).count);
    // Raw data in a region: the bytes after the .npy header, as u16.
    const raw = try anon.array(.{ .format = .raw, .dtype = .u16, .offset = (try c.info(null)).data_offset, .infer_shape = true }, null);
    defer raw.close();
    try testing.expectEqual(@as(u64, 8), (try raw.info(null)).count);
}

test "closed regions" {
    const m = try Shm.createMemfd(4096, null);
    try m.tryClose();
    try testing.expectError(error.Closed, m.bytes(null));
    try testing.expectError(error.Closed, m.info(null));
    try testing.expectError(error.Closed, m.tryClose());
}
