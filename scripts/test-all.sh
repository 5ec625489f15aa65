#!/usr/bin/env bash
# `make test`: every suite of the project, one after another. Each suite's
# own counts are added up; a check that is not a counted suite (header
# freshness, install) counts as one test. The last line is
# `N passed, N failed`; the exit status is non-zero if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
log_dir=$(mktemp -d /tmp/mapview-test-logs.XXXXXX)

note() { printf '\n==> %s\n' "$*"; }

# check NAME CMD...: one test that passes when CMD exits 0.
check() {
  local name=$1; shift
  note "$name"
  if "$@" >"$log_dir/step.log" 2>&1; then
    passed=$((passed + 1)); echo "ok - $name"
  else
    failed=$((failed + 1)); failures+=("$name"); cat "$log_dir/step.log"; echo "FAIL - $name"
  fi
}

# suite NAME PARSER CMD...: runs CMD, shows its output, and adds the counts
# PARSER finds in it. A suite that fails without counting a failure
# (a build error, a crash) counts as one failure.
suite() {
  local name=$1 parser=$2; shift 2
  note "$name"
  local out="$log_dir/suite.log" rc p f
  "$@" 2>&1 | tee "$out"
  rc=${PIPESTATUS[0]}
  read -r p f < <($parser "$out")
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    failed=$((failed + 1)); f=1
  fi
  if [ "$f" -ne 0 ]; then failures+=("$name"); fi
}

cargo_counts() {
  awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$1"
}
plain_counts() { # the suite's own closing `N passed, N failed` line
  awk '/^[0-9]+ passed, [0-9]+ failed/ { p = $1; f = $3 } END { print p + 0, f + 0 }' "$1"
}

check "cargo fmt --check" cargo fmt --all -- --check
check "cargo clippy -D warnings" cargo clippy --release --workspace --all-targets -q -- -D warnings
check "build the example WebAssembly guests" make -s guests
suite "Rust tests (core, ffi, wasm host, command)" cargo_counts cargo test --release --workspace
check "include/mapview.h is fresh (cbindgen --verify)" make -s header-check
for std in c99 c11; do
  check "header compiles as $std with gcc" gcc -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/mapview.h
done
for std in c++11 c++17; do
  check "header compiles as $std with g++" g++ -std=$std -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ include/mapview.h
done
if command -v clang >/dev/null; then
  check "header compiles as c11 with clang" clang -std=c11 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c include/mapview.h
  check "header compiles as c++17 with clang++" clang++ -std=c++17 -Wall -Wextra -Werror -pedantic -fsyntax-only -x c++ include/mapview.h
else
  echo "(clang not installed: header checked with gcc only)"
fi
check "build the C library, tests and examples" make -s c-tests
suite "C tests" plain_counts build/c/test_mapview
# valgrind cannot emulate how the wasm host places views (mremap of a
# shared mapping with old_size 0) nor the JIT's guard pages: those tests run
# above and under the sanitizers below, not here.
suite "C tests under valgrind (wasm host tests skipped)" plain_counts \
  env MAPVIEW_TEST_SKIP=wasm_ valgrind -q --leak-check=full --show-possibly-lost=no --errors-for-leak-kinds=definite,indirect --error-exitcode=99 build/c/test_mapview
suite "C tests under AddressSanitizer + UndefinedBehaviorSanitizer" plain_counts build/c/test_mapview_asan
suite "C examples" plain_counts bash bindings/c/tests/run_examples.sh build/c
suite "install + pkg-config (shared, static)" plain_counts bash bindings/c/tests/install_test.sh
# Each binding's own script runs its suite and ends with `N passed, N failed`.
for binding in go python zig; do
  if [ -f "bindings/$binding/test.sh" ]; then
    suite "$binding binding" plain_counts bash "bindings/$binding/test.sh"
  fi
done

rm -rf "$log_dir"
echo
if [ "$failed" -ne 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
