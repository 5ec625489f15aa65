// Package mapview is the Go binding of mapview: memory-mapped files
// (Map), fixed-size record views with binary search (Records), windowed
// scans of large files (Windows), an append-only event log (LogWriter,
// LogReader), shared memory between processes (SharedMemory), NumPy
// arrays in files or shared memory (Array), a cache of open maps (Cache),
// directory search with ripgrep's semantics (SearchDir) and a WebAssembly
// host whose guests see mapped files in their memory (WasmHost).
//
// It is a thin layer over libmapview's C ABI (include/mapview.h): every
// behaviour — argument checks, the record search, the log format — lives
// in the library, and this package turns its handles, status codes and
// pointer + length pairs into Go values, errors and slices.
//
//	m, err := mapview.Open("data.bin")
//	if err != nil {
//		return err // errors.Is(err, fs.ErrNotExist) for a missing file
//	}
//	defer m.Close()
//	data := m.Bytes() // the file's pages themselves, no copy
//
// # Linking
//
// By default the package links build/lib/libmapview.so (built by
// `make lib` at the repository root) and records that directory as an
// rpath. With the build tag mapview_static it links build/lib/libmapview.a
// instead, and the program does not depend on the shared library.
//
// # Errors
//
// Every failure is an *Error carrying a Code and the library's message,
// which names the operation and the path, range or argument. Match kinds
// with errors.Is and the Err* sentinels; ErrNotFound also matches
// fs.ErrNotExist, ErrPermission fs.ErrPermission, ErrAlreadyExists
// fs.ErrExist and ErrClosed fs.ErrClosed. The library returns each error
// as an object owned by the caller, which this package copies and frees
// before returning, so a message always belongs to its own call, whichever
// OS thread the goroutine ran on.
//
// # Memory and lifetimes
//
// Map.Bytes, Records.Get, Records.Slice, Window.Data, Event.Payload,
// SharedMemory.Bytes, Array.Bytes, Elements and CachedMap.Bytes point
// into mapped memory that Go does not own. Such memory stays valid until
// the object it came from is closed (and, for a Map, resized; for a
// window, until the next window; for a log event, until the reader's
// Refresh or Wait; for a cached map, until Release). SearchMatch.Line is
// valid only during the callback that receives it. Using such memory
// after that may crash the program: the garbage collector does not know
// about these slices and cannot keep the mapping alive for them. Copy
// what must outlive its object.
//
// Close every object when done (Release a CachedMap). Close is safe to
// call twice: the second call returns an error matching ErrClosed, as
// os.File does. Every other method of a closed object returns the
// library's closed-handle error (Bytes returns nil and Len 0).
//
// As a safety net, an object that becomes unreachable without Close is
// closed by a cleanup (runtime.AddCleanup) — but only if it never handed
// out mapped memory. Once Bytes (or Records.Get, Records.Slice, Elements)
// has been called, or a window or payload handed out and not yet
// superseded, the cleanup leaves the mapping in place, because a slice
// may still point into it: a forgotten Close then leaks address space
// rather than turning into a crash far away. LogWriter, Cache, WasmHost
// and WasmGuest hand out no memory and are always closed by their
// cleanups.
//
// Reads and writes through ReadAt and WriteAt are checked and copy; if the
// file is truncated under the map, they return an error instead of dying
// of SIGBUS (debug.SetPanicOnFault). Direct access through Bytes has no
// such protection.
//
// # Goroutines
//
// Every type but Windows may be used from any number of goroutines at
// once: the library serialises what must be serialised. The bytes of a
// writable map are plain shared memory: ordering reads and writes between
// goroutines (and processes) is the caller's job, as for any []byte. A
// Windows iterator has one current window and is for one goroutine at a
// time. SearchDir runs its callbacks on the calling goroutine, one at a
// time, however many threads search.
package mapview
