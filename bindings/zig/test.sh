#!/usr/bin/env bash
# The Zig binding's test suite, run by `make test` (scripts/test-all.sh).
# Builds the library, then: zig fmt, a check that every function of
# include/mapview.h is wrapped, `zig build test` against the shared and
# the static library (unit tests in src/ and tests/, which run Zig
# WebAssembly guests through the binding's Host/Guest), what the test
# binaries link against, and every example (shared and static), each
# checked for exit status 0 and its key line.
# Works from any directory. Zig is $ZIG, or `python3 -m ziglang`.
# The last line is `N passed, N failed` (N counts each test that
# `zig build test` ran, each example run, and each other check as one);
# the exit status is non-zero if anything failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ -n "${ZIG:-}" ]; then
  read -r -a zig <<<"$ZIG"
else
  zig=(python3 -m ziglang)
fi

passed=0
failed=0
failures=()
tmp=$(mktemp -d /tmp/mapview-zig-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

note() { printf '\n--> %s\n' "$*"; }

# check NAME CMD...: one test that passes when CMD exits 0.
check() {
  local name=$1; shift
  note "$name"
  if "$@" >"$tmp/step.log" 2>&1; then
    passed=$((passed + 1)); cat "$tmp/step.log"; echo "ok - $name"
  else
    failed=$((failed + 1)); failures+=("$name"); cat "$tmp/step.log"; echo "FAIL - $name"
  fi
}

# zigtest NAME ARGS...: `zig build test --summary all ARGS`, counting the
# tests from its "Build Summary: ...; P/T tests passed" line. A run that
# fails without a failing test (a compile error, a crash) counts as one
# failure.
zigtest() {
  local name=$1; shift
  note "$name"
  "${zig[@]}" build test --summary all "$@" 2>&1 | tee "$tmp/zigtest.log"
  local rc=${PIPESTATUS[0]} p=0 t=0 f
  local line; line=$(grep -E '^Build Summary:.* [0-9]+/[0-9]+ tests passed' "$tmp/zigtest.log" | tail -1)
  if [ -n "$line" ]; then
    p=$(sed -E 's/.* ([0-9]+)\/([0-9]+) tests passed.*/\1/' <<<"$line")
    t=$(sed -E 's/.* ([0-9]+)\/([0-9]+) tests passed.*/\2/' <<<"$line")
  fi
  f=$((t - p))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  if [ "$t" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "no tests ran"; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then failures+=("$name"); fi
  echo "$name: $p passed, $f failed"
}

fmt_clean() {
  "${zig[@]}" fmt --check build.zig build.zig.zon src tests examples guest
}

# Every function the header declares is called by the wrapper (src/,
# comment lines aside).
header_wrapped() {
  grep -oE '\bmapview_[a-z0-9_]+\(' "$root/include/mapview.h" | tr -d '(' | sort -u >"$tmp/header.txt"
  grep -hvE '^\s*//' src/*.zig | grep -oE '\bc\.mapview_[a-z0-9_]+\(' | sed 's/^c\.//; s/($//' | sort -u >"$tmp/wrapped.txt"
  local missing; missing=$(comm -23 "$tmp/header.txt" "$tmp/wrapped.txt")
  echo "$(wc -l <"$tmp/header.txt") functions in include/mapview.h, $(wc -l <"$tmp/wrapped.txt") called by src/"
  [ -z "$missing" ] || { echo "not wrapped by the Zig binding:"; echo "$missing"; return 1; }
}

# links BINARY yes|no: whether BINARY records libmapview.so.0 as NEEDED.
links_libmapview() {
  readelf -d "$1" | grep NEEDED
  if [ "$2" = yes ]; then
    readelf -d "$1" | grep -q 'NEEDED.*\[libmapview\.so\.0\]'
  else
    ! readelf -d "$1" | grep -q 'libmapview' && ! ldd "$1" | grep -q libmapview
  fi
}

# install LINK: the test binaries and examples built with -Dlink=LINK
# into $tmp/LINK (bin/, test/), against the snapshot of the library.
install_link() {
  "${zig[@]}" build install install-tests -Dlink="$1" "${libdir[@]}" -p "$tmp/$1"
}

tests_link() {
  local link=$1 want=$2
  install_link "$link" || return 1
  links_libmapview "$tmp/$link/test/integration" "$want" &&
    links_libmapview "$tmp/$link/test/unit" "$want" &&
    links_libmapview "$tmp/$link/bin/read_only" "$want"
}

# example LINK NAME KEY: runs the example from another directory; it must
# exit 0 and print KEY (a fixed string).
example() {
  local link=$1 name=$2 key=$3
  (cd / && "$tmp/$link/bin/$name") >"$tmp/example.out" 2>&1
  local rc=$?
  cat "$tmp/example.out"
  [ "$rc" -eq 0 ] || { echo "exit status $rc"; return 1; }
  grep -qF -- "$key" "$tmp/example.out" || { echo "missing: $key"; return 1; }
}

# A package outside this one that depends on the binding by path, built
# with the shared or the static library and run from another directory.
consumer() {
  local link=$1 dir="$tmp/consumer-$1"
  mkdir -p "$dir/src"
  cat >"$dir/build.zig.zon" <<ZON
.{
    .name = .usemapview,
    .version = "0.0.0",
    .fingerprint = 0xad6d12e2acd3f030,
    .minimum_zig_version = "0.17.1",
    .dependencies = .{ .mapview = .{ .path = "$(realpath --relative-to="$dir" "$here")" } },
    .paths = .{""},
}
ZON
  cat >"$dir/build.zig" <<'BUILD'
const std = @import("std");
pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const link = b.option([]const u8, "link", "shared or static") orelse "shared";
    const lib_dir = b.option([]const u8, "lib-dir", "libmapview's directory") orelse "";
    const dep = if (lib_dir.len == 0)
        b.dependency("mapview", .{ .target = target, .link = link })
    else
        b.dependency("mapview", .{ .target = target, .link = link, .@"lib-dir" = lib_dir });
    const exe = b.addExecutable(.{ .name = "usemapview", .root_module = b.createModule(.{
        .root_source_file = b.path("src/main.zig"),
        .target = target,
        .imports = &.{.{ .name = "mapview", .module = dep.module("mapview") }},
    }) });
    b.installArtifact(exe);
}
BUILD
  cat >"$dir/src/main.zig" <<'MAIN'
const std = @import("std");
const mapview = @import("mapview");
pub fn main() !void {
    const m = try mapview.Map.anonymous(4096, .private, .{}, null);
    defer m.close();
    var diag: mapview.Diagnostics = .{};
    const missing = mapview.Map.open("/nonexistent/x", .read_only, .{}, &diag);
    std.debug.print("library {s} bytes {d} missing {any} {s}\n", .{ mapview.version(), (try m.bytes(null)).len, missing, @tagName(diag.status) });
}
MAIN
  (cd "$dir" && "${zig[@]}" build -Dlink="$link" "${libdir[@]}") || return 1
  (cd / && "$dir/zig-out/bin/usemapview") >"$tmp/consumer.out" 2>&1 || { cat "$tmp/consumer.out"; return 1; }
  cat "$tmp/consumer.out"
  grep -qF "library $(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1) bytes 4096 missing error.NotFound not_found" "$tmp/consumer.out" || return 1
  if [ "$link" = static ]; then links_libmapview "$dir/zig-out/bin/usemapview" no; else links_libmapview "$dir/zig-out/bin/usemapview" yes; fi
}

# A private copy of build/lib for this run: others may run `make lib`
# meanwhile, and `cp -f` rewrites the files in place. A copy caught
# mid-write is taken again.
snapshot_lib() {
  local i
  for i in 1 2 3 4 5; do
    rm -rf "$tmp/lib"
    cp -a "$root/build/lib" "$tmp/lib" &&
      ar t "$tmp/lib/libmapview.a" >/dev/null 2>&1 &&
      readelf -d "$tmp/lib/libmapview.so.0" 2>/dev/null | grep -q 'SONAME.*libmapview\.so\.0' &&
      cmp -s "$tmp/lib/libmapview.a" "$root/build/lib/libmapview.a" && return 0
    sleep 5
  done
  return 1
}

note "build the library (make lib)"
if ! make -C "$root" lib || ! snapshot_lib; then
  echo "make lib failed"
  echo "0 passed, 1 failed"
  exit 1
fi
cd "$here" || exit 1
libdir=(-Dlib-dir="$tmp/lib")

check "zig fmt --check" fmt_clean
check "every function in include/mapview.h is wrapped" header_wrapped
zigtest "zig build test (shared libmapview.so)" -Dlink=shared "${libdir[@]}"
zigtest "zig build test -Dlink=static (libmapview.a)" -Dlink=static "${libdir[@]}"
check "shared test binaries and examples depend on libmapview.so.0" tests_link shared yes
check "static test binaries and examples do not depend on libmapview.so" tests_link static no
check "a package depending on the binding by path (shared)" consumer shared
check "a package depending on the binding by path (static)" consumer static

keys=(
  "read_only|read_only: mapped 42 bytes, counted 3 lines"
  "read_only|read_only: missing file -> error.NotFound: open '/tmp/"
  "read_write_msync|read_write_msync: wrote through the map, file now holds BBAA"
  "private_map|private_map: map sees TEMPlate, file still holds template"
  "range_map|range_map: bytes 5003..5019 of 12288 = 3456789012345678"
  "struct_file|struct_file: 1000 records of 16 bytes, #500 = (500, 1000, 1500) id 500"
  "binary_search|binary_search: key 4242 found=true at index 2121, value 4498641"
  "windowed|windowed: 17 windows of 64 KiB over 1048576 bytes, found \"needle\" 3 times"
  "advice|advice: sequential, will_need, random (range), normal, dont_need (range) given; populated by"
  "anonymous|anonymous: shared map after the child exited: written by child"
)
for link in shared static; do
  if [ ! -x "$tmp/$link/bin/read_only" ]; then
    check "examples ($link) were built" false
    continue
  fi
  for entry in "${keys[@]}"; do
    name=${entry%%|*}
    key=${entry#*|}
    check "example $name ($link): $key" example "$link" "$name" "$key"
  done
done

echo
if [ "$failed" -ne 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
