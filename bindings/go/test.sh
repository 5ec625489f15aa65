#!/usr/bin/env bash
# The Go binding's test suite, run by `make test` (scripts/test-all.sh).
# Builds the library, then: gofmt, go vet, a check that every function of
# include/mapview.h is wrapped, the tests with -race against the shared
# and the static library, the static binary's dependencies, and a module
# outside this one that uses the binding through a `replace` line.
# Works from any directory and offline. The last line is
# `N passed, N failed` (N counts top-level tests and examples of each
# `go test` run, and each other check as one); the exit status is non-zero
# if anything failed.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH="/usr/local/go/bin:$PATH" GOPROXY=off GOTOOLCHAIN=local GOFLAGS=-mod=mod

passed=0
failed=0
failures=()
tmp=$(mktemp -d /tmp/mapview-go-test.XXXXXX)
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

# gotest NAME ARGS...: `go test -v ARGS`, counting top-level tests and
# examples (`--- PASS:` / `--- FAIL:` at the start of a line; subtests are
# indented). A run that fails without a failing test (a build error, a
# crash) counts as one failure.
gotest() {
  local name=$1; shift
  note "$name"
  go test -v "$@" 2>&1 | tee "$tmp/gotest.log"
  local rc=${PIPESTATUS[0]} p f
  p=$(grep -c '^--- PASS: ' "$tmp/gotest.log")
  f=$(grep -c '^--- FAIL: ' "$tmp/gotest.log")
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  passed=$((passed + p)); failed=$((failed + f))
  if [ "$f" -ne 0 ]; then failures+=("$name"); fi
  echo "$name: $p passed, $f failed"
}

gofmt_clean() {
  local files; files=$(gofmt -l .)
  [ -z "$files" ] || { echo "not gofmt'ed: $files"; return 1; }
}

# Every function the header declares is called somewhere in the binding.
header_wrapped() {
  grep -oE '\bmapview_[a-z0-9_]+\(' "$root/include/mapview.h" | tr -d '(' | sort -u >"$tmp/header.txt"
  grep -ohE 'C\.mapview_[a-z0-9_]+\(' ./*.go | sed 's/^C\.//; s/($//' | sort -u >"$tmp/wrapped.txt"
  local missing; missing=$(comm -23 "$tmp/header.txt" "$tmp/wrapped.txt")
  echo "$(wc -l <"$tmp/header.txt") functions in include/mapview.h"
  [ -z "$missing" ] || { echo "not wrapped by the Go binding:"; echo "$missing"; return 1; }
}

# needs BINARY yes|no: whether BINARY records libmapview.so.0 as NEEDED.
needs_libmapview() {
  readelf -d "$1" | grep NEEDED
  if [ "$2" = yes ]; then
    readelf -d "$1" | grep -q 'NEEDED.*\[libmapview\.so\.0\]'
  else
    ! readelf -d "$1" | grep -q 'libmapview' && ! ldd "$1" | grep -q libmapview
  fi
}

static_test_binary() {
  go test -c -tags mapview_static -o "$tmp/static.test" . && needs_libmapview "$tmp/static.test" no
}

shared_test_binary() {
  go test -c -o "$tmp/shared.test" . && needs_libmapview "$tmp/shared.test" yes
}

# A separate module that requires the binding through a replace line,
# built and run offline, with the shared or (tag mapview_static) the
# static library.
replace_module() {
  local tags=$1 mod="$tmp/usemod-${1:-shared}"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<MOD
module example.com/usemapview

go 1.24

require mapview.dev/mapview v0.0.0

replace mapview.dev/mapview => $here
MOD
  cat >"$mod/main.go" <<'SRC'
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"mapview.dev/mapview"
)

func main() {
	dir, err := os.MkdirTemp("", "usemapview-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.txt")
	w, err := mapview.CreateFromBytes(path, []byte("alpha\nbeta\ngamma\n"), nil)
	if err != nil {
		panic(err)
	}
	w.Close()
	m, err := mapview.Open(path)
	if err != nil {
		panic(err)
	}
	defer m.Close()
	fmt.Println("library", mapview.Version(), "lines", bytes.Count(m.Bytes(), []byte("\n")))
	_, err = mapview.Open(filepath.Join(dir, "missing"))
	fmt.Println("missing:", errors.Is(err, fs.ErrNotExist))
	sum, err := mapview.SearchDir(dir, "m+a$", nil) // through the library's callbacks
	fmt.Println("search:", sum.LinesMatched, err)
}
SRC
  (cd "$mod" && go build ${tags:+-tags "$tags"} -o usemapview . && ./usemapview) >"$tmp/replace.out" || return 1
  cat "$tmp/replace.out"
  printf 'library %s lines 3\nmissing: true\nsearch: 1 <nil>\n' "$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)" >"$tmp/replace.want"
  diff -u "$tmp/replace.want" "$tmp/replace.out" || return 1
  if [ -n "$tags" ]; then needs_libmapview "$mod/usemapview" no; else needs_libmapview "$mod/usemapview" yes; fi
}

note "build the library (make lib)"
if ! make -C "$root" lib; then
  echo "make lib failed"
  echo "0 passed, 1 failed"
  exit 1
fi
cd "$here" || exit 1

check "gofmt" gofmt_clean
check "go vet (shared library)" go vet ./...
check "go vet (static library, -tags mapview_static)" go vet -tags mapview_static ./...
check "every function in include/mapview.h is wrapped" header_wrapped
gotest "go test -race (shared library)" -race -count=1 ./...
gotest "go test -race -tags mapview_static (static library)" -race -tags mapview_static -count=1 ./...
check "static test binary does not depend on libmapview.so" static_test_binary
check "shared test binary depends on libmapview.so.0" shared_test_binary
check "module using the binding through replace (shared)" replace_module ""
check "module using the binding through replace (static)" replace_module mapview_static

echo
if [ "$failed" -ne 0 ]; then
  printf 'failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
