#!/usr/bin/env bash
# `make demo`: mapview at work on data it makes itself, in build/demo.
set -euo pipefail
cd "$(dirname "$0")/.."
demo=build/demo
rm -rf "$demo" && mkdir -p "$demo/corpus"
mapview=target/release/mapview
step() { printf '\n== %s\n' "$*"; }

step "Maps: random access, binary search over records, a windowed scan"
cargo run --release -q -p mapview --example demo -- "$demo"

step "An event log written through a map"
for i in $(seq 1 5); do echo "sensor reading $i"; done | $mapview log append "$demo/events.log"
$mapview log append "$demo/events.log" "calibrated" "shutdown"
$mapview log cat "$demo/events.log"
$mapview log verify "$demo/events.log"

step "WebAssembly guests reading mapped files in place (no copies)"
# A small corpus: the project's own sources and docs.
cp README.md docs/*.md "$demo/corpus/"
cp core/src/*.rs "$demo/corpus/"
rust=wasm-host/guests/rust/target/wasm32-unknown-unknown/release
echo "- line and word counts (Rust guest):"
$mapview run "$rust/lines.wasm" --map-dir "$demo/corpus" | tail -5
echo "- the files that mention 'mmap' (Zig guest):"
$mapview run wasm-host/guests/zig/zig-out/search.wasm --map-dir "$demo/corpus" -- mmap
echo "- the 32 MB record file summed as u64 words by a guest (Rust):"
$mapview run "$rust/sum.wasm" --map "readings=$demo/readings.bin"
echo "- a guest storing into a read-only view is stopped with a trap:"
$mapview run wasm-host/guests/wat/sum.wat --invoke poke --map "readings=$demo/readings.bin" -- 65536 1 || true

step "Searching every file of a directory (ripgrep's output, mapped or read by size)"
echo "- lines per file that mention 'mmap':"
$mapview grep -c mmap "$demo/corpus" | sort
echo "- where a regex matches, with line numbers:"
$mapview grep -n 'fn (open|create)_?[a-z]*\(' "$demo/corpus" | head -5

printf '\nThe demo files are in %s.\n' "$demo"
