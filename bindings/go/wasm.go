package mapview

// #include <stdlib.h>
// #include "mapview.h"
import "C"

import (
	"runtime"
	"time"
	"unsafe"
)

// The WebAssembly host: guests (wasm modules) that see mapped files as
// zero-copy views inside their linear memory, under fuel, time and memory
// limits. The host, the views and the guest ABI (docs/guest-abi.md) are
// the library's; this file only wraps the calls. No memory of a guest is
// handed to Go, so the cleanups of WasmHost and WasmGuest always close.

// WasmHostOptions are the limits every guest of a host runs under
// (mapview_wasm_host_options). Zero fields mean the library's defaults.
type WasmHostOptions struct {
	MaxViews  uint32        // the most views one guest may have (default 1024)
	Fuel      uint64        // fuel per call, roughly instructions (default: no limit)
	Timeout   time.Duration // wall-clock limit per call, in whole milliseconds (default: none)
	MaxMemory uint64        // the most a guest's own memory may grow to, in bytes (default 256 MiB)
	MaxOutput uint64        // the most output bytes per call (default 64 MiB)
}

func (o *WasmHostOptions) toC() *C.mapview_wasm_host_options {
	if o == nil {
		return nil
	}
	c := C.mapview_wasm_host_options_init()
	if o.MaxViews != 0 {
		c.max_views = C.uint32_t(o.MaxViews)
	}
	if o.Fuel != 0 {
		c.fuel = C.uint64_t(o.Fuel)
	}
	if o.Timeout > 0 {
		c.timeout_ms = C.uint64_t(max(o.Timeout.Milliseconds(), 1))
	}
	if o.MaxMemory != 0 {
		c.max_memory = C.uint64_t(o.MaxMemory)
	}
	if o.MaxOutput != 0 {
		c.max_output = C.uint64_t(o.MaxOutput)
	}
	return &c
}

// WasmHost compiles and instantiates guests. Its methods may be called
// from any goroutine.
type WasmHost struct {
	id      uint64
	cleanup runtime.Cleanup
}

func (h *WasmHost) handle() C.mapview_wasm_host { return C.mapview_wasm_host{id: C.uint64_t(h.id)} }

func closeWasmHost(id uint64) { C.mapview_wasm_host_close(C.mapview_wasm_host{id: C.uint64_t(id)}) }

// NewWasmHost creates a host; opts may be nil.
func NewWasmHost(opts *WasmHostOptions) (*WasmHost, error) {
	var h C.mapview_wasm_host
	var cerr *C.mapview_error
	if err := takeError(C.mapview_wasm_host_create(opts.toC(), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	host := &WasmHost{id: uint64(h.id)}
	host.cleanup = runtime.AddCleanup(host, closeWasmHost, host.id)
	return host, nil
}

// Close closes the host; its guests keep working. A second Close returns
// an error matching ErrClosed.
func (h *WasmHost) Close() error {
	st := C.mapview_wasm_host_close(h.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		h.cleanup.Stop()
	}
	return statusError(st, "close wasm host")
}

// WasmGuest is an instance of a guest module. Calls on one guest are
// serialised by the library; its methods may be called from any
// goroutine.
type WasmGuest struct {
	id      uint64
	cleanup runtime.Cleanup
}

func (g *WasmGuest) handle() C.mapview_wasm_guest {
	return C.mapview_wasm_guest{id: C.uint64_t(g.id)}
}

func closeWasmGuest(id uint64) { C.mapview_wasm_guest_close(C.mapview_wasm_guest{id: C.uint64_t(id)}) }

func newWasmGuest(h C.mapview_wasm_guest) *WasmGuest {
	g := &WasmGuest{id: uint64(h.id)}
	g.cleanup = runtime.AddCleanup(g, closeWasmGuest, g.id)
	return g
}

// Load compiles a module (binary, or WebAssembly text) and instantiates
// it as a new guest with no views. The bytes are not kept.
func (h *WasmHost) Load(module []byte) (*WasmGuest, error) {
	var g C.mapview_wasm_guest
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_load(h.handle(), (*C.uint8_t)(unsafe.SliceData(module)), C.size_t(len(module)), &g, &cerr)
	runtime.KeepAlive(h)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return newWasmGuest(g), nil
}

// LoadFile is Load with the module read from a file.
func (h *WasmHost) LoadFile(path string) (*WasmGuest, error) {
	p, n := cPath(path)
	var g C.mapview_wasm_guest
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_load_file(h.handle(), p, n, &g, &cerr)
	runtime.KeepAlive(h)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return newWasmGuest(g), nil
}

// WasmView is where a view landed in the guest's memory.
type WasmView struct {
	Addr     uint32 // guest address of the view's first byte
	Len      uint32
	Writable bool
}

// Attach views length bytes from offset off of m (ToEnd: to its end) in
// the guest under name, read-only or (writable, for a read-write shared
// map) read-write. The guest reads the map's own pages; the view stays
// valid after m is closed. Only shared maps can be viewed (ErrWasmView).
func (g *WasmGuest) Attach(name string, m *Map, off, length uint64, writable bool) (WasmView, error) {
	p, n := cPath(name)
	var flags C.uint32_t
	if writable {
		flags = C.MAPVIEW_VIEW_WRITABLE
	}
	var info C.mapview_wasm_view_info
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_attach(g.handle(), p, n, m.handle(), C.uint64_t(off), C.uint64_t(length),
		flags, &info, &cerr)
	runtime.KeepAlive(g)
	runtime.KeepAlive(m)
	if err := takeError(st, cerr); err != nil {
		return WasmView{}, err
	}
	return WasmView{Addr: uint32(info.addr), Len: uint32(info.len), Writable: bool(info.writable)}, nil
}

// AttachDir views every regular file under dir (recursively; links not
// followed), read-only, named by their path relative to dir, and returns
// how many. More than limit files is ErrWasmView.
func (g *WasmGuest) AttachDir(dir string, limit uint32) (int, error) {
	p, n := cPath(dir)
	var count C.size_t
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_attach_dir(g.handle(), p, n, C.uint32_t(limit), &count, &cerr)
	runtime.KeepAlive(g)
	return int(count), takeError(st, cerr)
}

// SetArgs sets the arguments the guest reads with mapview.arg_*.
func (g *WasmGuest) SetArgs(args ...string) error {
	// The array of mapview_bytes and the bytes go in C memory: Go memory
	// holding pointers to Go strings could not be handed to C without
	// pinning each one. Arguments are small, and the library copies them.
	total := 0
	for _, a := range args {
		total += len(a)
	}
	cArr := C.calloc(C.size_t(max(len(args), 1)), C.size_t(unsafe.Sizeof(C.mapview_bytes{})))
	cBuf := C.malloc(C.size_t(max(total, 1)))
	defer C.free(cArr)
	defer C.free(cBuf)
	arr := unsafe.Slice((*C.mapview_bytes)(cArr), max(len(args), 1))
	buf := unsafe.Slice((*byte)(cBuf), max(total, 1))
	at := 0
	for i, a := range args {
		arr[i].len = C.size_t(len(a))
		if len(a) > 0 { // data stays NULL for an empty argument
			copy(buf[at:], a)
			arr[i].data = (*C.uint8_t)(unsafe.Pointer(&buf[at]))
			at += len(a)
		}
	}
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_set_args(g.handle(), &arr[0], C.size_t(len(args)), &cerr)
	runtime.KeepAlive(g)
	return takeError(st, cerr)
}

// maxCallResults is how many results Call collects; CallInto takes any.
const maxCallResults = 16

// Call calls the guest's exported function fn with integer arguments (each
// passed as the parameter's type, i32 or i64) and returns its integer
// results. A trap, a timeout, a memory limit or a truncated view fails the
// call with its own code (ErrWasmTrap, ...); the guest stays usable. A
// function with more than 16 results needs CallInto.
func (g *WasmGuest) Call(fn string, args ...int64) ([]int64, error) {
	var results [maxCallResults]int64
	n, err := g.CallInto(fn, args, results[:])
	if err != nil {
		return nil, err
	}
	if n > maxCallResults {
		return nil, newError(CodeInvalidArgument, "call '%s': %d results, more than Call collects (use CallInto)", fn, n)
	}
	return append([]int64(nil), results[:n]...), nil
}

// CallInto is Call storing the results in results and returning how many
// the function returned. If results is too small, nothing is called: the
// error matches ErrInvalidArgument and the count says how many are needed.
func (g *WasmGuest) CallInto(fn string, args []int64, results []int64) (int, error) {
	p, n := cPath(fn)
	var nres C.size_t
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_call(g.handle(), p, n,
		(*C.int64_t)(unsafe.SliceData(args)), C.size_t(len(args)),
		(*C.int64_t)(unsafe.SliceData(results)), C.size_t(len(results)), &nres, &cerr)
	runtime.KeepAlive(g)
	return int(nres), takeError(st, cerr)
}

// Output takes what the guest wrote with mapview.output since the last
// Output.
func (g *WasmGuest) Output() ([]byte, error) {
	var waiting C.size_t
	var cerr *C.mapview_error
	if err := takeError(C.mapview_wasm_guest_output(g.handle(), nil, 0, &waiting, &cerr), cerr); err != nil {
		return nil, err
	}
	buf := make([]byte, int(waiting))
	var got C.size_t
	st := C.mapview_wasm_guest_output(g.handle(), (*C.uint8_t)(unsafe.SliceData(buf)), C.size_t(len(buf)), &got, &cerr)
	runtime.KeepAlive(g)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return buf[:int(got)], nil
}

// Flush writes the guest's read-write views to their files and waits.
func (g *WasmGuest) Flush() error {
	var cerr *C.mapview_error
	st := C.mapview_wasm_guest_flush(g.handle(), &cerr)
	runtime.KeepAlive(g)
	return takeError(st, cerr)
}

// Close ends the guest: flushes its read-write views and frees its
// memory. A second Close returns an error matching ErrClosed.
func (g *WasmGuest) Close() error {
	st := C.mapview_wasm_guest_close(g.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		g.cleanup.Stop()
	}
	return statusError(st, "close wasm guest")
}
