//! A WebAssembly guest (wasm32-freestanding, no bulk memory) that reads
//! its views in place, for the binding's tests: sums, counts, writes a
//! writable view, echoes names and arguments, and misbehaves on request
//! (trap, store into a read-only view, spin, grow). The guest ABI is in
//! docs/guest-abi.md.

extern "mapview" fn view_count() i32;
extern "mapview" fn view_addr(index: i32) i32;
extern "mapview" fn view_len(index: i32) i32;
extern "mapview" fn view_writable(index: i32) i32;
extern "mapview" fn view_name(index: i32, buf: [*]u8, cap: i32) i32;
extern "mapview" fn view_find(name: [*]const u8, len: i32) i32;
extern "mapview" fn arg_count() i32;
extern "mapview" fn arg_read(index: i32, buf: [*]u8, cap: i32) i32;
extern "mapview" fn output(ptr: [*]const u8, len: i32) void;

fn view(index: i32) []u8 {
    const len = view_len(index);
    if (len < 0) return &.{};
    const addr: usize = @as(u32, @bitCast(view_addr(index)));
    const ptr: [*]u8 = @ptrFromInt(addr);
    return ptr[0..@as(u32, @bitCast(len))];
}

/// The sum of view `index` read as little-endian u64 words, a last
/// partial word zero-padded (wrapping); -1 for no such view.
export fn view_sum(index: i32) i64 {
    if (index < 0 or index >= view_count()) return -1;
    const bytes = view(index);
    var sum: u64 = 0;
    var i: usize = 0;
    while (i + 8 <= bytes.len) : (i += 8) {
        var word: u64 = 0;
        for (0..8) |k| word |= @as(u64, bytes[i + k]) << @intCast(8 * k);
        sum +%= word;
    }
    var last: u64 = 0;
    var k: usize = 0;
    while (i < bytes.len) : ({
        i += 1;
        k += 1;
    }) last |= @as(u64, bytes[i]) << @intCast(8 * k);
    return @bitCast(sum +% last);
}

/// How many bytes of view `index` equal `byte`.
export fn view_count_byte(index: i32, byte: i32) i64 {
    var n: i64 = 0;
    for (view(index)) |b| {
        if (b == @as(u8, @truncate(@as(u32, @bitCast(byte))))) n += 1;
    }
    return n;
}

/// The index of the view named by argument 0, or -1.
export fn find_arg_view() i32 {
    var buf: [256]u8 = undefined;
    const n = arg_read(0, &buf, buf.len);
    if (n < 0) return -1;
    return view_find(&buf, n);
}

/// Sets every byte of view `index` to `byte` (a store into a read-only
/// view traps); returns the number written.
export fn view_fill(index: i32, byte: i32) i32 {
    const bytes = view(index);
    const v: u8 = @truncate(@as(u32, @bitCast(byte)));
    var i: usize = 0;
    while (i < bytes.len) : (i += 1) {
        @as(*volatile u8, &bytes[i]).* = v;
    }
    return @intCast(bytes.len);
}

export fn is_writable(index: i32) i32 {
    return view_writable(index);
}

/// Writes every view's name, each followed by '\n'; returns the count.
export fn view_names() i32 {
    var buf: [512]u8 = undefined;
    const n = view_count();
    var i: i32 = 0;
    while (i < n) : (i += 1) {
        const len = view_name(i, &buf, buf.len - 1);
        buf[@intCast(len)] = '\n';
        output(&buf, len + 1);
    }
    return n;
}

/// Writes every argument, each followed by '\n'; returns the count.
export fn echo_args() i32 {
    var buf: [512]u8 = undefined;
    const n = arg_count();
    var i: i32 = 0;
    while (i < n) : (i += 1) {
        const len = arg_read(i, &buf, buf.len - 1);
        buf[@intCast(len)] = '\n';
        output(&buf, len + 1);
    }
    return n;
}

export fn add(a: i64, b: i32) i64 {
    return a +% b;
}

export fn trap() void {
    @trap();
}

export fn poke(addr: i32, value: i32) void {
    const p: *volatile u8 = @ptrFromInt(@as(u32, @bitCast(addr)));
    p.* = @truncate(@as(u32, @bitCast(value)));
}

export fn spin() void {
    var x: u32 = 0;
    while (true) @as(*volatile u32, &x).* +%= 1;
}

export fn grow(pages: i32) i32 {
    return @wasmMemoryGrow(0, @as(u32, @bitCast(pages)));
}
