package mapview

// #include "mapview.h"
import "C"

import (
	"io"
	"runtime"
	"runtime/debug"
	"unsafe"
)

// Map is a memory map of a file, of a byte range of a file, or of
// anonymous memory. Its methods may be called from any goroutine.
//
// Close it when done. Bytes gives the mapped memory itself: see the
// package documentation for how long such a slice is valid and what the
// garbage collector does with a Map that was never closed.
type Map struct {
	state   *handleState
	cleanup runtime.Cleanup
	// region holds the pointer from mapview_map_data(_mut). Its lock
	// orders this package's own accesses to the bytes (ReadAt, WriteAt,
	// Records.At, handing out Bytes) before the calls that unmap or move
	// them (Close, Resize). The C ABI orders its own calls; the lock exists
	// because Go code here dereferences the pointer after the C call
	// returned.
	region
	writable bool
}

func (m *Map) handle() C.mapview_map { return C.mapview_map{id: C.uint64_t(m.state.id)} }

// closeUnexposedMap is the garbage collector's safety net for a Map that
// was never closed. It closes the handle only if no memory of the map was
// ever handed out; otherwise it leaks the mapping on purpose, because
// unmapping under a live slice would turn a forgotten Close into a crash.
func closeUnexposedMap(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_map_close(C.mapview_map{id: C.uint64_t(s.id)})
	}
}

// Open maps a whole file read-only.
func Open(path string) (*Map, error) { return OpenFile(path, ModeReadOnly, nil) }

// OpenReadWrite maps a whole file read-write and shared: writes reach the
// file (on disk after Flush).
func OpenReadWrite(path string) (*Map, error) { return OpenFile(path, ModeReadWrite, nil) }

// OpenPrivate maps a whole file copy-on-write: writable, but writes never
// reach the file.
func OpenPrivate(path string) (*Map, error) { return OpenFile(path, ModePrivate, nil) }

// OpenFile maps a file, or the byte range opts.Offset, opts.Length of it,
// with the given mode and options (nil for the defaults).
func OpenFile(path string, mode Mode, opts *Options) (*Map, error) {
	p, n := cPath(path)
	var h C.mapview_map
	var cerr *C.mapview_error
	st := C.mapview_map_open(p, n, C.mapview_mode(mode), opts.toC(), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapMap(h)
}

// Create creates a new file of size zero bytes and maps it read-write. It
// never overwrites a file (ErrAlreadyExists); a failed call leaves no file
// behind. opts.Offset and opts.Length must be left at zero.
func Create(path string, size int64, opts *Options) (*Map, error) {
	if size < 0 {
		return nil, newError(CodeInvalidArgument, "create '%s': negative size %d", path, size)
	}
	p, n := cPath(path)
	var h C.mapview_map
	var cerr *C.mapview_error
	st := C.mapview_map_create(p, n, C.uint64_t(size), opts.toC(), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapMap(h)
}

// CreateFromBytes creates a new file holding a copy of data and maps it
// read-write. It never overwrites a file (ErrAlreadyExists).
func CreateFromBytes(path string, data []byte, opts *Options) (*Map, error) {
	p, n := cPath(path)
	var h C.mapview_map
	var cerr *C.mapview_error
	// The bytes are copied by the library during the call and not kept.
	st := C.mapview_map_create_from_bytes(p, n, (*C.uint8_t)(unsafe.SliceData(data)),
		C.size_t(len(data)), opts.toC(), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapMap(h)
}

// Anonymous maps size zero bytes of memory backed by no file: private to
// this process, or (shared) shared with child processes made by fork.
func Anonymous(size int, shared bool, opts *Options) (*Map, error) {
	if size < 0 {
		return nil, newError(CodeInvalidArgument, "anonymous map: negative size %d", size)
	}
	var h C.mapview_map
	var cerr *C.mapview_error
	st := C.mapview_map_anonymous(C.size_t(size), C.bool(shared), opts.toC(), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapMap(h)
}

// wrapMap takes ownership of a fresh handle: it reads the pointer and
// length once and registers the safety-net cleanup.
func wrapMap(h C.mapview_map) (*Map, error) {
	m := &Map{state: &handleState{id: uint64(h.id)}}
	if err := m.load(); err != nil {
		C.mapview_map_close(h)
		return nil, err
	}
	m.cleanup = runtime.AddCleanup(m, closeUnexposedMap, m.state)
	return m, nil
}

// load fetches the map's pointer and length from the library. It runs when
// the map is made and after a resize, the only times they change, so
// Bytes, Len and ReadAt need no C call. Writable maps use
// mapview_map_data_mut so that the pointer handed out may be written to.
func (m *Map) load() error {
	h := m.handle()
	var info C.mapview_map_info
	var cerr *C.mapview_error
	if err := takeError(C.mapview_map_info_get(h, &info, &cerr), cerr); err != nil {
		return err
	}
	var p *C.uint8_t
	var n C.size_t
	var st C.mapview_status
	if info.writable {
		st = C.mapview_map_data_mut(h, &p, &n, &cerr)
	} else {
		st = C.mapview_map_data(h, &p, &n, &cerr)
	}
	if err := takeError(st, cerr); err != nil {
		return err
	}
	m.data, m.n, m.writable = unsafe.Pointer(p), int(n), bool(info.writable)
	return nil
}

// Close unmaps the map. Slices from Bytes and pointers from Records are
// invalid afterwards: touching them may crash the program. Writes to a
// shared map reach the file through the page cache; call Flush first to
// have them on disk.
//
// Close is not idempotent in its result, like os.File.Close: the first
// call returns nil, every later one an error matching ErrClosed (and
// fs.ErrClosed), which the library reports for a handle closed twice.
// Calling it twice is harmless.
func (m *Map) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := C.mapview_map_close(m.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		m.markClosed()
		m.cleanup.Stop()
	}
	return statusError(st, "close map")
}

// closedError returns the library's own error for this closed handle
// (code and message), asking it rather than making one up here.
func (m *Map) closedError() error {
	var info C.mapview_map_info
	var cerr *C.mapview_error
	err := takeError(C.mapview_map_info_get(m.handle(), &info, &cerr), cerr)
	runtime.KeepAlive(m)
	if err == nil { // cannot happen: Close succeeded on this handle
		err = newError(CodeClosed, "map is closed")
	}
	return err
}

// Bytes returns the mapped memory itself, without copying: reads and
// writes through the slice are reads and writes of the file's pages.
//
// The slice is valid until Close or Resize. Writing to the slice of a
// read-only map crashes the program (the pages are mapped read-only);
// check Info().Writable, or use WriteAt, which returns ErrReadOnly.
// Bytes returns nil after Close.
//
// Once Bytes has been called, the garbage collector never unmaps this
// map: forgetting Close then leaks the mapping instead of crashing.
func (m *Map) Bytes() []byte { return m.bytes(m.state) }

// Len is the map's length in bytes (0 once closed).
func (m *Map) Len() int { return m.len() }

// ReadAt copies len(p) bytes from offset off of the map into p, as
// io.ReaderAt: fewer bytes and io.EOF at the end of the map. If the file
// was truncated under the map, the fault is caught and returned as an
// error (ErrIO) instead of killing the program.
func (m *Map) ReadAt(p []byte, off int64) (n int, err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, m.closedError()
	}
	if off < 0 {
		return 0, newError(CodeInvalidArgument, "read at offset %d: negative offset", off)
	}
	if off >= int64(m.n) {
		return 0, io.EOF
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(&err, "read", off)
	n = copy(p, unsafe.Slice((*byte)(m.data), m.n)[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt copies p into the map at offset off, as io.WriterAt. A map never
// grows by writing: a write past the end writes nothing and returns
// ErrOutOfRange (Resize first). A read-only map returns ErrReadOnly.
func (m *Map) WriteAt(p []byte, off int64) (n int, err error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, m.closedError()
	}
	if !m.writable {
		// Ask the library, which refuses write access to a read-only map
		// with its own error.
		var data *C.uint8_t
		var size C.size_t
		var cerr *C.mapview_error
		err := takeError(C.mapview_map_data_mut(m.handle(), &data, &size, &cerr), cerr)
		runtime.KeepAlive(m)
		if err == nil {
			err = newError(CodeReadOnly, "write at offset %d: the map is read-only", off)
		}
		return 0, err
	}
	if off < 0 {
		return 0, newError(CodeInvalidArgument, "write at offset %d: negative offset", off)
	}
	if off > int64(m.n) || int64(len(p)) > int64(m.n)-off {
		return 0, newError(CodeOutOfRange,
			"write of %d bytes at offset %d: past the end of the %d-byte map", len(p), off, m.n)
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer recoverFault(&err, "write", off)
	return copy(unsafe.Slice((*byte)(m.data), m.n)[off:], p), nil
}

// recoverFault turns a memory fault inside ReadAt/WriteAt (SIGBUS when the
// file was truncated under the map; debug.SetPanicOnFault makes it a
// panic) into an error. Any other panic goes on.
func recoverFault(err *error, op string, off int64) {
	r := recover()
	if r == nil {
		return
	}
	if fault, ok := r.(interface{ Addr() uintptr }); ok {
		*err = newError(CodeIO, "%s at offset %d: memory fault at %#x (was the file truncated under the map?)",
			op, off, fault.Addr())
		return
	}
	panic(r)
}

// Flush writes the whole map to its file and waits (msync MS_SYNC). Anonymous
// maps: nothing to do. Private maps: ErrUnsupported. Read-only: ErrReadOnly.
func (m *Map) Flush() error { return m.flush(0, ToEnd, 0) }

// FlushAsync starts writing the whole map to its file and returns.
func (m *Map) FlushAsync() error { return m.flush(0, ToEnd, C.MAPVIEW_FLUSH_ASYNC) }

// FlushRange writes length bytes from offset off (ToEnd: to the end) and waits.
func (m *Map) FlushRange(off, length uint64) error { return m.flush(off, length, 0) }

// FlushRangeAsync starts writing length bytes from offset off and returns.
func (m *Map) FlushRangeAsync(off, length uint64) error {
	return m.flush(off, length, C.MAPVIEW_FLUSH_ASYNC)
}

func (m *Map) flush(off, length uint64, flags C.uint32_t) error {
	var cerr *C.mapview_error
	st := C.mapview_map_flush(m.handle(), C.uint64_t(off), C.uint64_t(length), flags, &cerr)
	runtime.KeepAlive(m)
	return takeError(st, cerr)
}

// Advise gives access advice for length bytes from offset off (ToEnd: to
// the end of the map). AdviceNone is refused.
func (m *Map) Advise(advice Advice, off, length uint64) error {
	var cerr *C.mapview_error
	st := C.mapview_map_advise(m.handle(), C.mapview_advice(advice),
		C.uint64_t(off), C.uint64_t(length), &cerr)
	runtime.KeepAlive(m)
	return takeError(st, cerr)
}

// PopulateMethod says how Populate faulted the pages in.
type PopulateMethod int32

const (
	PopulateMadvise PopulateMethod = C.MAPVIEW_POPULATE_MADVISE // MADV_POPULATE_*: errors were reported
	PopulateTouch   PopulateMethod = C.MAPVIEW_POPULATE_TOUCH   // older kernel: one read per page
	PopulateNothing PopulateMethod = C.MAPVIEW_POPULATE_NOTHING // the map is empty
)

// Populate faults every page of the map in now, reporting errors (such as
// a file truncated under the map) where the kernel has MADV_POPULATE_*.
func (m *Map) Populate() (PopulateMethod, error) {
	var method C.mapview_populate_method
	var cerr *C.mapview_error
	st := C.mapview_map_populate(m.handle(), &method, &cerr)
	runtime.KeepAlive(m)
	return PopulateMethod(method), takeError(st, cerr)
}

// Lock locks the map's pages in RAM (mlock; limited by RLIMIT_MEMLOCK).
func (m *Map) Lock() error {
	var cerr *C.mapview_error
	st := C.mapview_map_lock(m.handle(), &cerr)
	runtime.KeepAlive(m)
	return takeError(st, cerr)
}

// Unlock unlocks the map's pages (munlock).
func (m *Map) Unlock() error {
	var cerr *C.mapview_error
	st := C.mapview_map_unlock(m.handle(), &cerr)
	runtime.KeepAlive(m)
	return takeError(st, cerr)
}

// Kind is what a map is.
type Kind int32

const (
	KindReadOnly         Kind = C.MAPVIEW_KIND_READ_ONLY
	KindShared           Kind = C.MAPVIEW_KIND_SHARED
	KindPrivate          Kind = C.MAPVIEW_KIND_PRIVATE
	KindAnonymousPrivate Kind = C.MAPVIEW_KIND_ANONYMOUS_PRIVATE
	KindAnonymousShared  Kind = C.MAPVIEW_KIND_ANONYMOUS_SHARED
)

// Info is what a map is and where it lies (mapview_map_info).
type Info struct {
	Kind       Kind
	Writable   bool   // whether the bytes may be written
	Len        int    // length of the view in bytes
	FileOffset uint64 // where the view starts in its file (0 for anonymous maps)
}

// Info asks the library what the map is.
func (m *Map) Info() (Info, error) {
	var info C.mapview_map_info
	var cerr *C.mapview_error
	st := C.mapview_map_info_get(m.handle(), &info, &cerr)
	runtime.KeepAlive(m)
	if err := takeError(st, cerr); err != nil {
		return Info{}, err
	}
	return Info{Kind: Kind(info.kind), Writable: bool(info.writable),
		Len: int(info.len), FileOffset: uint64(info.file_offset)}, nil
}

// Resize changes the map's length to newLen bytes, and its file's with it
// for a shared map of a whole file (anonymous maps too). The map may move:
// every slice from Bytes and pointer from Records is invalid afterwards.
// Read-only maps: ErrReadOnly; private maps and maps of a range:
// ErrInvalidFlags. On failure the map and file are unchanged.
func (m *Map) Resize(newLen int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if newLen < 0 {
		return newError(CodeInvalidArgument, "resize to %d bytes: negative length", newLen)
	}
	var cerr *C.mapview_error
	st := C.mapview_map_resize(m.handle(), C.size_t(newLen), &cerr)
	if err := takeError(st, cerr); err != nil {
		return err
	}
	m.state.exposed.Store(false)
	return m.load()
}
