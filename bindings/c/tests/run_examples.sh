#!/usr/bin/env bash
# Runs the C examples (count_lines, record_lookup, window_scan) on data made
# in a temporary directory and checks their output against an independent
# computation (wc -l, python3). Prints `ok - ...` / `FAIL - ...` per check
# and ends with `N passed, N failed`; exits non-zero if any check failed.
#
# Usage: bash bindings/c/tests/run_examples.sh [BUILD_DIR]   (default build/c)
set -euo pipefail

bin=${1:-build/c}
for prog in count_lines record_lookup window_scan; do
    if [[ ! -x "$bin/$prog" ]]; then
        echo "run_examples.sh: $bin/$prog is missing (run \`make c-examples\`)" >&2
        exit 2
    fi
done
command -v python3 >/dev/null || { echo "run_examples.sh: python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mapview-examples.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
bad() { echo "FAIL - $1: $2"; failed=$((failed + 1)); }

# run CMD...: sets OUT (stdout), ERR (stderr) and RC (exit status) without
# tripping `set -e` when the command fails.
run() {
    set +e
    OUT=$("$@" 2>"$tmp/.stderr")
    RC=$?
    set -e
    ERR=$(cat "$tmp/.stderr")
}

# expect DESC WANT_OUT WANT_RC: checks the last run.
expect() {
    if [[ "$OUT" == "$2" && "$RC" == "$3" ]]; then
        ok "$1"
    else
        bad "$1" "got '$OUT' (exit $RC), want '$2' (exit $3)${ERR:+; stderr: $ERR}"
    fi
}

# expect_failure DESC NEEDLE: the last run failed and said NEEDLE on stderr.
expect_failure() {
    if [[ "$RC" != 0 && "$ERR" == *"$2"* ]]; then
        ok "$1"
    else
        bad "$1" "exit $RC, stderr '$ERR' (want non-zero and a message naming '$2')"
    fi
}

# ---- count_lines ------------------------------------------------------------

python3 - "$tmp" <<'EOF'
import random, sys
d = sys.argv[1]
rnd = random.Random(1)
open(f"{d}/lines.txt", "w").write("".join(f"line {i}\n" for i in range(10000)))
open(f"{d}/no-final-newline.txt", "w").write("one\ntwo\nthree")
open(f"{d}/empty.txt", "w").write("")
open(f"{d}/only-newlines.txt", "w").write("\n" * 777)
# Binary data, several pages, newlines at random places (incl. the ends).
data = bytearray(rnd.randrange(256) for _ in range(300000))
data[0] = data[-1] = 10
open(f"{d}/binary.bin", "wb").write(data)
EOF

for f in lines.txt no-final-newline.txt empty.txt only-newlines.txt binary.bin; do
    path="$tmp/$f"
    want="$(wc -l <"$path" | tr -d ' ') $path"
    run "$bin/count_lines" "$path"
    expect "count_lines $f matches wc -l" "$want" 0
done
run "$bin/count_lines" "$tmp/no-such-file.txt"
expect_failure "count_lines on a missing file fails and names it" "$tmp/no-such-file.txt"
run "$bin/count_lines"
expect_failure "count_lines without arguments prints usage" "usage: count_lines FILE"
run "$bin/count_lines" "$tmp"
expect_failure "count_lines on a directory fails and names it" "$tmp"

# ---- record_lookup ----------------------------------------------------------

records="$tmp/records.bin"
run "$bin/record_lookup" --make "$records" 1000
expect "record_lookup --make writes 1000 records" "wrote 1000 records to $records" 0

# The file, read independently: 1000 records {key i*2, value i*i}, LE.
run python3 - "$records" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
recs = [struct.unpack_from("<QQ", data, o) for o in range(0, len(data), 16)]
ok = len(data) == 16000 and recs == [(i * 2, i * i) for i in range(1000)]
print("good" if ok else f"bad: {len(data)} bytes, first {recs[:3]}")
EOF
expect "record_lookup --make file has the right bytes" "good" 0

# Expected answers from a Python binary search over the file's keys.
python3 - "$records" >"$tmp/expected-lookups" <<'EOF'
import bisect, struct, sys
data = open(sys.argv[1], "rb").read()
keys = [struct.unpack_from("<Q", data, o)[0] for o in range(0, len(data), 16)]
vals = [struct.unpack_from("<Q", data, o + 8)[0] for o in range(0, len(data), 16)]
for k in [0, 2, 1000, 1998, 1, 999, 1997, 1999, 2000, 18446744073709551615]:
    i = bisect.bisect_left(keys, k)
    if i < len(keys) and keys[i] == k:
        print(f"{k}\t0\tfound {k} at {i} value {vals[i]}")
    else:
        print(f"{k}\t1\tnot found {k} (would be at {i})")
EOF
while IFS=$'\t' read -r key want_rc want_out <&3; do
    run "$bin/record_lookup" "$records" "$key"
    expect "record_lookup key $key" "$want_out" "$want_rc"
done 3<"$tmp/expected-lookups"

run "$bin/record_lookup" --make "$tmp/no-records.bin" 0
expect "record_lookup --make 0 records" "wrote 0 records to $tmp/no-records.bin" 0
run "$bin/record_lookup" "$tmp/no-records.bin" 5
expect "record_lookup in an empty file" "not found 5 (would be at 0)" 1

before=$(cksum <"$records")
run "$bin/record_lookup" --make "$records" 5
expect_failure "record_lookup --make refuses an existing file" "$records"
if [[ "$(cksum <"$records")" == "$before" ]]; then
    ok "record_lookup --make left the existing file unchanged"
else
    bad "record_lookup --make left the existing file unchanged" "the file changed"
fi
run "$bin/record_lookup" "$tmp/no-such-records.bin" 1
expect_failure "record_lookup on a missing file fails and names it" "$tmp/no-such-records.bin"
if [[ "$RC" == 2 ]]; then ok "record_lookup error exit status is 2 (not 1)"; else bad "record_lookup error exit status is 2 (not 1)" "exit $RC"; fi
printf '0123456789' >"$tmp/not-records.bin"
run "$bin/record_lookup" "$tmp/not-records.bin" 1
expect_failure "record_lookup on a file of partial records fails" "not a multiple"
run "$bin/record_lookup" "$records" "-1"
expect_failure "record_lookup rejects a negative key" "KEY must be"
run "$bin/record_lookup"
expect_failure "record_lookup without arguments prints usage" "usage: record_lookup"

# ---- window_scan ------------------------------------------------------------

# Files with patterns planted across window boundaries, and the expected
# counts (every start position, overlapping ones too) from Python.
python3 - "$tmp" >"$tmp/expected-scans" <<'EOF'
import random, re, sys
d = sys.argv[1]
rnd = random.Random(7)

def count(data, pat):
    return len(re.findall(b"(?=" + re.escape(pat) + b")", data))

def windows(n, w, ov):
    return 0 if n == 0 else 1 if n <= w else 1 + -(-(n - w) // (w - ov))

def ends(n, w, ov):
    """The file offsets where windows (other than the last) end."""
    start, out = 0, []
    while start + w < n:
        out.append(start + w)
        start += w - ov
    return out

cases = []

# 1. 4 KiB windows over ~5.3 windows' worth of letters; NEEDLE planted so it
#    straddles window ends in every possible split, plus at both file ends.
w, pat = 4096, b"NEEDLE"
data = bytearray(rnd.choice(b"abcdefghij") for _ in range(5 * w + 1234))
e = ends(len(data), w, len(pat) - 1)
for k, split in enumerate([3, 1, 5, 6, 0, 2]):
    if k < len(e):
        at = e[k] - split       # `split` bytes of it inside the ending window
        data[at:at + len(pat)] = pat
data[0:6] = pat
data[-6:] = pat
open(f"{d}/needles.txt", "wb").write(data)
cases.append(("needles.txt", pat, w, data))

# 2. Self-overlapping patterns over runs that cross many small windows.
data = (b"ab" * 500 + b"x" + b"aaaa" * 300 + b"y") * 3
open(f"{d}/runs.txt", "wb").write(data)
for pat, w in [(b"abab", 10), (b"aa", 7), (b"aaaa", 4), (b"ba", 2), (b"x", 1), (b"abababab", 50)]:
    cases.append(("runs.txt", pat, w, data))

# 3. The default 1 MiB window over 3.5 MiB, with planted boundary matches.
w, pat = 1 << 20, b"boundary!"
data = bytearray((b"the quick brown fox jumps over the lazy dog\n" * 90000)[: (7 << 20) // 2])
for k, at in enumerate(ends(len(data), w, len(pat) - 1)):
    at -= 4 + k
    data[at:at + len(pat)] = pat
open(f"{d}/big.txt", "wb").write(data)
cases.append(("big.txt", pat, None, data))
cases.append(("big.txt", b"fox", None, data))

# 4. Nothing to find, and an empty file.
cases.append(("needles.txt", b"absent-pattern", 4096, open(f"{d}/needles.txt", "rb").read()))
open(f"{d}/empty.bin", "wb").write(b"")
cases.append(("empty.bin", b"x", 100, b""))

for name, pat, w, data in cases:
    wsize = w if w is not None else 1 << 20
    want = f"{count(data, pat)} occurrences in {windows(len(data), wsize, len(pat) - 1)} windows"
    print(f"{name}\t{pat.decode()}\t{'default' if w is None else w}\t{want}")
EOF

while IFS=$'\t' read -r name pat window want <&3; do
    if [[ "$window" != default ]]; then
        run "$bin/window_scan" "$tmp/$name" "$pat" "$window"
    else
        run "$bin/window_scan" "$tmp/$name" "$pat"
    fi
    expect "window_scan $name '$pat' window $window" "$want" 0
done 3<"$tmp/expected-scans"

# The planted needles really straddle boundaries: without the overlap (a
# plain per-window count) some would be missed.
run python3 - "$tmp/needles.txt" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
w = 4096
per_window = sum(data[o:o + w].count(b"NEEDLE") for o in range(0, len(data), w))
print("straddling" if per_window < data.count(b"NEEDLE") else "not straddling")
EOF
expect "window_scan test data has boundary-straddling matches" "straddling" 0

run "$bin/window_scan" "$tmp/no-such-scan.bin" "x"
expect_failure "window_scan on a missing file fails and names it" "$tmp/no-such-scan.bin"
run "$bin/window_scan" "$tmp/needles.txt" "NEEDLE" 3
expect_failure "window_scan rejects a window shorter than the pattern" "WINDOW_BYTES"
run "$bin/window_scan" "$tmp/needles.txt" ""
expect_failure "window_scan rejects an empty pattern" "PATTERN"
run "$bin/window_scan" "$tmp/needles.txt"
expect_failure "window_scan without a pattern prints usage" "usage: window_scan"

echo "$passed passed, $failed failed"
[[ "$failed" == 0 ]]
