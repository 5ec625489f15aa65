#!/usr/bin/env bash
# Builds the Zig example guests into zig-out/ (called by `make guests`).
# wasm32-freestanding without bulk memory or reference types: the host
# refuses bulk-memory instructions (docs/guest-abi.md).
set -euo pipefail
cd "$(dirname "$0")"
zig=${ZIG:-"python3 -m ziglang"}
mkdir -p zig-out
for g in sum lines search; do
  $zig build-exe "$g.zig" -target wasm32-freestanding -mcpu=generic-bulk_memory-bulk_memory_opt-reference_types+simd128 \
    -O ReleaseFast -fno-entry -rdynamic --export-memory -femit-bin="zig-out/$g.wasm"
done
