//! Anonymous memory: a private scratch buffer, and a shared one a forked
//! child writes into.

const std = @import("std");
const mapview = @import("mapview");
const common = @import("common.zig");

extern "c" fn fork() c_int;
extern "c" fn waitpid(pid: c_int, status: *c_int, options: c_int) c_int;
extern "c" fn _exit(code: c_int) noreturn;

pub fn main(init: std.process.Init) !void {
    var stdout: common.Stdout = .{};
    const out = stdout.init(init.io);
    defer out.flush() catch {};

    const scratch = try mapview.Map.anonymous(1 << 20, .private, .{}, null);
    defer scratch.close();
    const buf = try scratch.bytesMut(null);
    for (buf, 0..) |*b, i| b.* = @truncate(i);
    try out.print("anonymous: private buffer of {d} bytes, kind {t}\n", .{ buf.len, (try scratch.info(null)).kind });

    const shared = try mapview.Map.anonymous(4096, .shared, .{}, null);
    defer shared.close();
    const mem = try shared.bytesMut(null);
    try out.flush();
    const pid = fork();
    if (pid == 0) {
        @memcpy(mem[0..16], "written by child");
        _exit(0);
    }
    var status: c_int = 0;
    _ = waitpid(pid, &status, 0);
    try out.print("anonymous: shared map after the child exited: {s}\n", .{mem[0..16]});
}
