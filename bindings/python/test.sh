#!/usr/bin/env bash
# The Python binding's test suite: builds libmapview, runs pytest over
# bindings/python/tests, and ends with exactly one line `N passed, N failed`
# (pytest's failures and errors count as failed; no tests at all is a
# failure). Exits non-zero on any failure. Works from any directory.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

if ! make -s -C "$repo" lib >/tmp/mapview-python-lib.$$ 2>&1; then
  cat /tmp/mapview-python-lib.$$
  rm -f /tmp/mapview-python-lib.$$
  echo "0 passed, 1 failed"
  exit 1
fi
rm -f /tmp/mapview-python-lib.$$

export MAPVIEW_LIB="$repo/build/lib/libmapview.so"
export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
out="$(mktemp /tmp/mapview-pytest.XXXXXX)"
( cd "$here" && python3 -m pytest -q -p no:cacheprovider tests ) 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}

summary="$(grep -E '^(=+ )?[0-9]+ (passed|failed|errors?|skipped|deselected)' "$out" | tail -1)"
rm -f "$out"
count() { grep -oE "[0-9]+ $1" <<<"$summary" | head -1 | cut -d' ' -f1; }
passed=$(count passed); passed=${passed:-0}
failed=$(count failed); failed=${failed:-0}
errors=$(count 'errors?'); errors=${errors:-0}
failed=$((failed + errors))
if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # pytest failed without a counted failure: exit 5 (no tests), a crash,
  # a collection or usage error.
  failed=1
fi
echo "$passed passed, $failed failed"
[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ]
