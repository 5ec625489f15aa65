//! Sums every view as little-endian u64 words (a last partial word is
//! zero-padded), like the Rust sum guest.
const mv = @import("mapview.zig");

fn sumWords(bytes: []const u8) u64 {
    var sum: u64 = 0;
    var i: usize = 0;
    while (i + 8 <= bytes.len) : (i += 8) {
        sum +%= @import("std").mem.readInt(u64, bytes[i..][0..8], .little);
    }
    var last: [8]u8 = @splat(0);
    for (bytes[i..], 0..) |b, k| last[k] = b;
    return sum +% @import("std").mem.readInt(u64, &last, .little);
}

export fn run() i64 {
    var total: u64 = 0;
    for (0..mv.views()) |i| total +%= sumWords(mv.view(i));
    return @bitCast(total);
}
