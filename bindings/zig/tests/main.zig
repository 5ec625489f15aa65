//! The integration tests: the public API of the `mapview` module against
//! libmapview (shared or static, per -Dlink).

test {
    _ = @import("map_test.zig");
    _ = @import("records_test.zig");
    _ = @import("windows_test.zig");
    _ = @import("log_test.zig");
    _ = @import("wasm_test.zig");
    _ = @import("shm_test.zig");
    _ = @import("array_test.zig");
    _ = @import("cache_test.zig");
    _ = @import("search_test.zig");
}
