#!/usr/bin/env bash
# `make bench` for shared memory, arrays and the cache: the core array
# benchmark (cargo) and mapview vs NumPy from Python, in one run each.
# Prints figures and `goal met` / `goal MISSED`; never fails on a slow machine.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
make -s -C "$repo" lib
(cd "$repo" && cargo bench -q -p mapview --bench array)
MAPVIEW_LIB="$repo/build/lib/libmapview.so" PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}" \
  python3 "$here/bench.py"
