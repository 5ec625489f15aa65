package mapview

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// wasmGuest is the C tests' guest: sums view 0's bytes, echoes view 0's
// name or an argument, peeks and pokes, grows its memory, spins.
const wasmGuest = `(module
  (import "mapview" "view_count" (func $count (result i32)))
  (import "mapview" "view_addr" (func $addr (param i32) (result i32)))
  (import "mapview" "view_len" (func $len (param i32) (result i32)))
  (import "mapview" "view_name" (func $name (param i32 i32 i32) (result i32)))
  (import "mapview" "arg_read" (func $arg (param i32 i32 i32) (result i32)))
  (import "mapview" "output" (func $out (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "sum") (result i64) (local $p i32) (local $e i32) (local $s i64)
    (local.set $p (call $addr (i32.const 0)))
    (local.set $e (i32.add (local.get $p) (call $len (i32.const 0))))
    (block $d (loop $l (br_if $d (i32.ge_u (local.get $p) (local.get $e)))
      (local.set $s (i64.add (local.get $s) (i64.load8_u (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 1))) (br $l)))
    (local.get $s))
  (func (export "count") (result i32) (call $count))
  (func (export "echo_name") (param i32) (result i32) (local $n i32)
    (local.set $n (call $name (local.get 0) (i32.const 64) (i32.const 100)))
    (call $out (i32.const 64) (local.get $n)) (local.get $n))
  (func (export "echo_arg") (param i32) (result i32) (local $n i32)
    (local.set $n (call $arg (local.get 0) (i32.const 64) (i32.const 100)))
    (call $out (i32.const 64) (local.get $n)) (local.get $n))
  (func (export "add") (param i32 i64) (result i64 i32)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)) (i32.const 7))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "spin") (loop $l (br $l))))
`

func newGuest(t *testing.T, opts *WasmHostOptions) (*WasmHost, *WasmGuest) {
	t.Helper()
	h, err := NewWasmHost(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	g, err := h.Load([]byte(wasmGuest))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	return h, g
}

func TestWasmViewAndCall(t *testing.T) {
	data := make([]byte, 3000)
	var want int64
	for i := range data {
		data[i] = byte(i % 7)
		if i >= 100 && i < 2100 {
			want += int64(data[i])
		}
	}
	_, g := newGuest(t, nil)
	m, err := Open(writeFile(t, "wasm.bin", data))
	if err != nil {
		t.Fatal(err)
	}
	view, err := g.Attach("part", m, 100, 2000, false)
	if err != nil || view.Len != 2000 || view.Writable {
		t.Fatalf("Attach = %+v, %v", view, err)
	}
	mustClose(t, m) // the view outlives the map handle
	if r, err := g.Call("sum"); err != nil || len(r) != 1 || r[0] != want {
		t.Errorf("sum = %v, %v; want %d", r, err, want)
	}
	if r, _ := g.Call("count"); len(r) != 1 || r[0] != 1 {
		t.Errorf("count = %v", r)
	}
	// A store into the read-only view traps; the guest goes on.
	_, err = g.Call("poke", int64(view.Addr), 1)
	wantError(t, err, CodeWasmTrap, "read-only view")
	if r, _ := g.Call("sum"); r[0] != want {
		t.Error("sum changed after the trap")
	}
	if r, err := g.Call("add", -5, 1000000000000); err != nil || len(r) != 2 || r[0] != 999999999995 || r[1] != 7 {
		t.Errorf("add = %v, %v", r, err)
	}
	// Too little room for the results: refused before anything runs, with
	// the count needed.
	one := make([]int64, 1)
	n, err := g.CallInto("add", []int64{1, 2}, one)
	if n != 2 || one[0] != 0 {
		t.Errorf("CallInto with room for 1 = %d, %v", n, one)
	}
	wantError(t, err, CodeInvalidArgument, "room for 1")
	two := make([]int64, 2)
	if n, err := g.CallInto("add", []int64{1, 2}, two); n != 2 || err != nil || two[0] != 3 || two[1] != 7 {
		t.Errorf("CallInto with room for 2 = %d, %v, %v", n, two, err)
	}
	_, err = g.Call("nope")
	wantError(t, err, CodeWasmExport, "nope")
	_, err = g.Call("peek")
	wantError(t, err, CodeWasmSignature, "takes 1")
}

func TestWasmOutputArgsAndDir(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("aaaa"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("bb"), 0o644)
	h, g := newGuest(t, nil)
	if n, err := g.AttachDir(dir, 10); n != 2 || err != nil {
		t.Fatalf("AttachDir = %d, %v", n, err)
	}
	if r, err := g.Call("echo_name", 1); err != nil || r[0] != 5 {
		t.Fatalf("echo_name = %v, %v", r, err)
	}
	if out, err := g.Output(); string(out) != "b.txt" || err != nil {
		t.Errorf("Output = %q, %v", out, err)
	}
	if out, err := g.Output(); len(out) != 0 || err != nil {
		t.Errorf("Output again = %q, %v", out, err)
	}
	if err := g.SetArgs("hello", "", "world"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"hello", "", "world"} {
		if _, err := g.Call("echo_arg", int64(i)); err != nil {
			t.Fatal(err)
		}
		if out, _ := g.Output(); string(out) != want {
			t.Errorf("arg %d = %q", i, out)
		}
	}
	if err := g.SetArgs(); err != nil {
		t.Errorf("no arguments: %v", err)
	}
	g2, err := h.Load([]byte(wasmGuest))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, g2)
	_, err = g2.AttachDir(dir, 1)
	wantError(t, err, CodeWasmView, "limit of 1")
}

func TestWasmReadWriteView(t *testing.T) {
	path := writeFile(t, "rw.bin", []byte(".........."))
	_, g := newGuest(t, nil)
	rw, err := OpenReadWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, rw)
	ro, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, ro)
	_, err = g.Attach("ro", ro, 0, ToEnd, true)
	wantError(t, err, CodeReadOnly)
	view, err := g.Attach("rw", rw, 0, ToEnd, true)
	if err != nil || !view.Writable {
		t.Fatalf("Attach = %+v, %v", view, err)
	}
	if _, err := g.Call("poke", int64(view.Addr)+2, 'W'); err != nil {
		t.Fatal(err)
	}
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "..W......." {
		t.Errorf("file = %q", got)
	}
	if rw.Bytes()[2] != 'W' { // the same pages
		t.Error("the map does not see the guest's write")
	}
	anon, _ := Anonymous(4096, false, nil)
	defer mustClose(t, anon)
	_, err = g.Attach("anon", anon, 0, ToEnd, false)
	wantError(t, err, CodeWasmView, "shared")
}

func TestWasmLimits(t *testing.T) {
	_, g := newGuest(t, &WasmHostOptions{Timeout: 100 * time.Millisecond})
	_, err := g.Call("spin")
	wantError(t, err, CodeWasmTimeout, "time limit")
	if _, err := g.Call("count"); err != nil {
		t.Errorf("guest unusable after a timeout: %v", err)
	}
	_, g = newGuest(t, &WasmHostOptions{Fuel: 100000})
	_, err = g.Call("spin")
	wantError(t, err, CodeWasmTimeout, "fuel")
	_, g = newGuest(t, &WasmHostOptions{MaxMemory: 1 << 20})
	_, err = g.Call("grow", 64)
	wantError(t, err, CodeWasmMemoryLimit, "limit")
	if r, err := g.Call("grow", 1); err != nil || r[0] != 1 {
		t.Errorf("grow 1 = %v, %v", r, err)
	}
	_, err = g.Call("peek", 0x7FFFFFF0)
	wantError(t, err, CodeWasmTrap, "out-of-bounds")
}

func TestWasmModulesAndMisuse(t *testing.T) {
	h, err := NewWasmHost(nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.Load([]byte("junk"))
	wantError(t, err, CodeWasmModule, "not a valid guest module")
	_, err = h.Load([]byte(`(module (func (export "f")))`))
	wantError(t, err, CodeWasmExport, "memory")
	missing := filepath.Join(t.TempDir(), "missing.wasm")
	_, err = h.LoadFile(missing)
	wantError(t, err, CodeNotFound, missing)
	g, err := h.LoadFile(writeFile(t, "guest.wat", []byte(wasmGuest)))
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, g)
	if err := g.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second guest Close: %v", err)
	}
	for name, call := range map[string]func() error{
		"Call":      func() error { _, err := g.Call("sum"); return err },
		"Output":    func() error { _, err := g.Output(); return err },
		"Flush":     g.Flush,
		"SetArgs":   func() error { return g.SetArgs("x") },
		"AttachDir": func() error { _, err := g.AttachDir(t.TempDir(), 1); return err },
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s on a closed guest: %v", name, err)
		}
	}
	mustClose(t, h)
	if err := h.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second host Close: %v", err)
	}
	_, err = h.Load([]byte(wasmGuest))
	wantError(t, err, CodeClosed, "closed")
}

// The host installs signal handlers (wasmtime's, and a SIGBUS guard for
// views of truncated files). Go's own handling of a fault must still work
// once a host exists: ReadAt on a truncated file still returns an error.
func TestWasmHostKeepsGoFaultHandling(t *testing.T) {
	_, g := newGuest(t, nil)
	if _, err := g.Call("count"); err != nil {
		t.Fatal(err)
	}
	path := writeFile(t, "shrink.bin", pattern(8*PageSize()))
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = m.ReadAt(make([]byte, 16), int64(4*PageSize()))
	wantError(t, err, CodeIO, "memory fault")
}
