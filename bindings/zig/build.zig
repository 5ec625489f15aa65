//! The mapview Zig package: the `mapview` module (a wrapper over
//! include/mapview.h, translated here with addTranslateC), its tests, the
//! examples, and a WebAssembly guest the tests run through the binding.
//!
//!   zig build                      examples -> zig-out/bin, guest -> zig-out/guest
//!   zig build test --summary all   unit + integration tests (shared library)
//!   zig build test -Dlink=static   the same against libmapview.a
//!   zig build run-examples         runs every example
//!
//! libmapview comes from ../../build/lib and its header from ../../include
//! (run `make lib` at the repository root first), or from -Dlib-dir and
//! -Dinclude-dir (e.g. an installed prefix).

const std = @import("std");

pub const Link = enum {
    /// libmapview.so, found at run time through an rpath to lib-dir.
    shared,
    /// libmapview.a, with the unwinder (gcc_s), pthread, dl and m.
    static,
};

/// The example programs (examples/<name>.zig), one per recipe.
pub const examples = [_][]const u8{
    "read_only",
    "read_write_msync",
    "private_map",
    "range_map",
    "struct_file",
    "binary_search",
    "windowed",
    "advice",
    "anonymous",
};

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{});
    const link = b.option(Link, "link", "Link libmapview shared (default) or static") orelse .shared;
    const lib_dir_opt = b.option([]const u8, "lib-dir", "Directory holding libmapview.so and libmapview.a (default ../../build/lib)");
    const lib_dir: std.Build.LazyPath = if (lib_dir_opt) |p| .{ .cwd_relative = p } else b.path("../../build/lib");
    const include_dir: std.Build.LazyPath = if (b.option([]const u8, "include-dir", "Directory holding mapview.h (default ../../include)")) |p|
        .{ .cwd_relative = p }
    else
        b.path("../../include");

    // The C ABI, translated from the header.
    const translate = b.addTranslateC(.{
        .root_source_file = include_dir.path(b, "mapview.h"),
        .target = target,
        .optimize = optimize,
    });
    translate.addIncludePath(include_dir);
    const c_mod = translate.createModule();

    // The wrapper, with the library linked in: whoever imports `mapview`
    // links libmapview.
    const mapview = b.addModule("mapview", .{
        .root_source_file = b.path("src/mapview.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .imports = &.{.{ .name = "c", .module = c_mod }},
    });
    // Link through the absolute path when the directory exists: Zig also
    // turns library directories into rpath entries, and a relative one
    // would be resolved against the working directory at run time.
    const lib_dir_abs = absoluteLibDir(b, lib_dir_opt);
    // Not there yet (before `make lib`): configure again when the repository
    // root changes (make lib creates build/ in it).
    if (lib_dir_abs == null and lib_dir_opt == null) b.dependOnDirectoryMetadata(b.path("../.."));
    linkMapview(b, mapview, link, if (lib_dir_abs) |p| .{ .cwd_relative = p } else lib_dir, lib_dir_abs);

    // The guest: wasm32-freestanding without bulk memory or reference
    // types (the host refuses them), with simd128, no entry point, every
    // export kept, memory exported (wasm-host/guests/zig/build.sh).
    const wasm_target = b.resolveTargetQuery(.{
        .cpu_arch = .wasm32,
        .os_tag = .freestanding,
        .cpu_model = .{ .explicit = &std.Target.wasm.cpu.generic },
        .cpu_features_add = std.Target.wasm.featureSet(&.{.simd128}),
        .cpu_features_sub = std.Target.wasm.featureSet(&.{ .bulk_memory, .bulk_memory_opt, .reference_types }),
    });
    // Our own guest, and the project's Zig example guest (sum.zig).
    const probe = addGuest(b, wasm_target, "probe", b.path("guest/probe.zig"));
    const sum_guest = addGuest(b, wasm_target, "sum", b.path("../../wasm-host/guests/zig/sum.zig"));

    // Tests: the wrapper's own unit tests, and tests/ through the public
    // API (with the guest's path).
    const test_step = b.step("test", "Run the unit and integration tests");
    const unit = b.addTest(.{ .name = "unit", .root_module = mapview });
    test_step.dependOn(&b.addRunArtifact(unit).step);

    const test_options = b.addOptions();
    test_options.addOptionPath("probe_wasm", probe.getEmittedBin());
    test_options.addOptionPath("sum_wasm", sum_guest.getEmittedBin());
    test_options.addOption(Link, "link", link);
    const integration = b.addTest(.{
        .name = "integration",
        .root_module = b.createModule(.{
            .root_source_file = b.path("tests/main.zig"),
            .target = target,
            .optimize = optimize,
            .imports = &.{
                .{ .name = "mapview", .module = mapview },
                .{ .name = "build_options", .module = test_options.createModule() },
            },
        }),
    });
    test_step.dependOn(&b.addRunArtifact(integration).step);
    // Installed so test.sh can check what the binaries link against.
    const tests_install_step = b.step("install-tests", "Install the test binaries to zig-out/test");
    for ([_]*std.Build.Step.Compile{ unit, integration }) |t| {
        const inst = b.addInstallArtifact(t, .{ .dest_dir = .{ .override = .{ .custom = "test" } } });
        tests_install_step.dependOn(&inst.step);
    }

    // Examples.
    const run_examples = b.step("run-examples", "Run every example");
    for (examples) |name| {
        const exe = b.addExecutable(.{
            .name = name,
            .root_module = b.createModule(.{
                .root_source_file = b.path(b.fmt("examples/{s}.zig", .{name})),
                .target = target,
                .optimize = optimize,
                .imports = &.{.{ .name = "mapview", .module = mapview }},
            }),
        });
        b.installArtifact(exe);
        const run = b.addRunArtifact(exe);
        run_examples.dependOn(&run.step);
    }
}

fn addGuest(b: *std.Build, target: std.Build.ResolvedTarget, name: []const u8, root: std.Build.LazyPath) *std.Build.Step.Compile {
    const guest = b.addExecutable(.{
        .name = name,
        .root_module = b.createModule(.{
            .root_source_file = root,
            .target = target,
            .optimize = .ReleaseFast,
        }),
    });
    guest.entry = .disabled;
    guest.rdynamic = true;
    guest.export_memory = true;
    const install = b.addInstallArtifact(guest, .{ .dest_dir = .{ .override = .{ .custom = "guest" } } });
    b.getInstallStep().dependOn(&install.step);
    return guest;
}

/// The library directory as an absolute path for the rpath, so programs
/// run from any directory find libmapview.so.0 (null: not found yet,
/// e.g. before `make lib`; the relative path is used then).
fn absoluteLibDir(b: *std.Build, lib_dir_opt: ?[]const u8) ?[]const u8 {
    const io = b.graph.io;
    if (lib_dir_opt) |p| {
        return std.Io.Dir.cwd().realPathFileAlloc(io, p, b.allocator) catch null;
    }
    const rel = b.pathJoin(&.{ if (b.root.sub_path.len == 0) "." else b.root.sub_path, "../../build/lib" });
    return b.root.root_dir.handle.realPathFileAlloc(io, rel, b.allocator) catch null;
}

fn linkMapview(b: *std.Build, mod: *std.Build.Module, link: Link, lib_dir: std.Build.LazyPath, rpath: ?[]const u8) void {
    switch (link) {
        .shared => {
            mod.addLibraryPath(lib_dir);
            mod.linkSystemLibrary("mapview", .{
                .preferred_link_mode = .dynamic,
                .search_strategy = .no_fallback,
                .use_pkg_config = .no,
            });
            // Programs find libmapview.so.0 where it was built.
            if (rpath) |p| mod.addRPathSpecial(p) else mod.addRPath(lib_dir);
        },
        .static => {
            mod.addObjectFile(lib_dir.path(b, "libmapview.a"));
            // The Rust code needs the unwinder from libgcc_s, and libc's
            // threads, dynamic loading and maths (docs/c-api.md).
            for ([_][]const u8{ "gcc_s", "pthread", "dl", "m" }) |lib| {
                mod.linkSystemLibrary(lib, .{ .use_pkg_config = .no });
            }
        },
    }
}
