//! Line and word counts over every view, printed as
//! "lines words bytes name" per view; returns the total line count.
const mv = @import("mapview.zig");

fn isSpace(b: u8) bool {
    return b == ' ' or b == '\t' or b == '\n' or b == '\r' or b == 0x0b or b == 0x0c;
}

export fn run() i64 {
    var total: u64 = 0;
    var name: [256]u8 = undefined;
    for (0..mv.views()) |i| {
        const bytes = mv.view(i);
        var lines: u64 = 0;
        var words: u64 = 0;
        var in_word = false;
        for (bytes) |b| {
            if (b == '\n') lines += 1;
            const space = isSpace(b);
            if (!space and !in_word) words += 1;
            in_word = !space;
        }
        total += lines;
        mv.printNumber(lines);
        mv.print(" ");
        mv.printNumber(words);
        mv.print(" ");
        mv.printNumber(bytes.len);
        mv.print(" ");
        mv.print(mv.viewName(i, &name));
        mv.print("\n");
    }
    return @intCast(total);
}
