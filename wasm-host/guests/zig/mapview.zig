//! The mapview guest ABI (docs/guest-abi.md) for Zig guests: views as
//! slices, arguments, output.

extern "mapview" fn view_count() i32;
extern "mapview" fn view_addr(index: i32) i32;
extern "mapview" fn view_len(index: i32) i32;
extern "mapview" fn view_name(index: i32, buf: [*]u8, cap: i32) i32;
extern "mapview" fn arg_count() i32;
extern "mapview" fn arg_read(index: i32, buf: [*]u8, cap: i32) i32;
extern "mapview" fn output(ptr: [*]const u8, len: i32) void;

pub fn views() usize {
    return @intCast(view_count());
}

/// View `i`'s bytes, read in place from the mapped pages.
pub fn view(i: usize) []const u8 {
    const len = view_len(@intCast(i));
    if (len < 0) return &[_]u8{};
    const addr: usize = @as(u32, @bitCast(view_addr(@intCast(i))));
    const ptr: [*]const u8 = @ptrFromInt(addr);
    return ptr[0..@as(u32, @bitCast(len))];
}

pub fn viewName(i: usize, buf: []u8) []const u8 {
    const n = view_name(@intCast(i), buf.ptr, @intCast(buf.len));
    return buf[0..@intCast(@max(n, 0))];
}

pub fn args() usize {
    return @intCast(arg_count());
}

pub fn arg(i: usize, buf: []u8) []const u8 {
    const n = arg_read(@intCast(i), buf.ptr, @intCast(buf.len));
    return buf[0..@intCast(@max(n, 0))];
}

pub fn print(bytes: []const u8) void {
    output(bytes.ptr, @intCast(bytes.len));
}

pub fn printNumber(value: u64) void {
    var buf: [20]u8 = undefined;
    var i: usize = buf.len;
    var n = value;
    while (true) {
        i -= 1;
        buf[i] = '0' + @as(u8, @intCast(n % 10));
        n /= 10;
        if (n == 0) break;
    }
    print(buf[i..]);
}
