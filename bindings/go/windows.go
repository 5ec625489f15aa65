package mapview

// #include "mapview.h"
import "C"

import (
	"iter"
	"runtime"
	"unsafe"
)

// Window is one window of a file.
type Window struct {
	// Data is the window's bytes, mapped (no copy). It is valid until the
	// next call to Next or Close on the iterator, or the next step of the
	// loop over All.
	Data []byte
	// FileOffset is where the window starts in the file.
	FileOffset uint64
	// Index is 0 for the first window, then 1, 2, ...
	Index uint64
}

// Windows walks a file in windows of a fixed size, mapping one at a time,
// for files larger than one wants mapped at once. Use it like
// bufio.Scanner:
//
//	w, err := mapview.OpenWindows(path, 1<<20, 15)
//	...
//	defer w.Close()
//	for w.Next() {
//		win := w.Window()
//		...
//	}
//	if err := w.Err(); err != nil { ... }
//
// or range over All, or over the package-level AllWindows, which also
// opens and closes. A Windows is not meant for concurrent use by several
// goroutines (there is one current window).
type Windows struct {
	// state.exposed is set while a window's bytes may be held by the
	// caller: from a Next that produced a window until the next call to
	// Next. The cleanup closes the iterator (unmapping its window) only
	// when it is clear.
	state   *handleState
	cleanup runtime.Cleanup
	cur     Window
	err     error
}

func (w *Windows) handle() C.mapview_windows {
	return C.mapview_windows{id: C.uint64_t(w.state.id)}
}

func closeUnexposedWindows(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_windows_close(C.mapview_windows{id: C.uint64_t(s.id)})
	}
}

// OpenWindows opens path for reading in windows of size bytes, each after
// the first starting overlap bytes before the previous one ended, so that
// a pattern of up to overlap+1 bytes always lies whole inside one window.
// size must be at least 1 and overlap smaller than size.
func OpenWindows(path string, size, overlap uint64) (*Windows, error) {
	p, n := cPath(path)
	var h C.mapview_windows
	var cerr *C.mapview_error
	st := C.mapview_windows_open(p, n, C.uint64_t(size), C.uint64_t(overlap), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	w := &Windows{state: &handleState{id: uint64(h.id)}}
	w.cleanup = runtime.AddCleanup(w, closeUnexposedWindows, w.state)
	return w, nil
}

// Next maps the next window (unmapping the previous one) and reports
// whether there is one. It returns false at the end of the file or on an
// error, which Err then returns.
func (w *Windows) Next() bool {
	if w.err != nil {
		return false
	}
	var win C.mapview_window
	var has C.bool
	var cerr *C.mapview_error
	st := C.mapview_windows_next(w.handle(), &win, &has, &cerr)
	runtime.KeepAlive(w)
	// Whatever the outcome, the library has unmapped the previous window.
	w.state.exposed.Store(bool(has))
	if err := takeError(st, cerr); err != nil {
		w.err, w.cur = err, Window{}
		return false
	}
	if !has {
		w.cur = Window{}
		return false
	}
	w.cur = Window{
		Data:       unsafe.Slice((*byte)(unsafe.Pointer(win.data)), int(win.len)),
		FileOffset: uint64(win.file_offset),
		Index:      uint64(win.index),
	}
	return true
}

// Window is the current window (the zero Window before the first Next and
// after the last).
func (w *Windows) Window() Window { return w.cur }

// Err is the error that stopped Next, if any.
func (w *Windows) Err() error { return w.err }

// Count is how many windows the whole file gives (for progress reports).
func (w *Windows) Count() (uint64, error) {
	var total C.uint64_t
	var cerr *C.mapview_error
	st := C.mapview_windows_count(w.handle(), &total, &cerr)
	runtime.KeepAlive(w)
	return uint64(total), takeError(st, cerr)
}

// Close unmaps the current window and closes the iterator. As for
// Map.Close, a second Close returns an error matching ErrClosed.
func (w *Windows) Close() error {
	st := C.mapview_windows_close(w.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		w.cur = Window{}
		w.state.exposed.Store(false)
		w.cleanup.Stop()
	}
	return statusError(st, "close windows")
}

// All yields the remaining windows, then, if Next failed, one last pair
// with the error. It does not close w.
func (w *Windows) All() iter.Seq2[Window, error] {
	return func(yield func(Window, error) bool) {
		for w.Next() {
			if !yield(w.cur, nil) {
				return
			}
		}
		if w.err != nil {
			yield(Window{}, w.err)
		}
	}
}

// AllWindows opens path in windows (as OpenWindows), yields each, and
// closes the iterator when the loop ends, however it ends. An error
// opening or reading is yielded as the last pair.
//
//	for win, err := range mapview.AllWindows(path, 1<<20, 0) {
//		if err != nil { return err }
//		n += bytes.Count(win.Data, []byte("\n"))
//	}
func AllWindows(path string, size, overlap uint64) iter.Seq2[Window, error] {
	return func(yield func(Window, error) bool) {
		w, err := OpenWindows(path, size, overlap)
		if err != nil {
			yield(Window{}, err)
			return
		}
		defer w.Close()
		w.All()(yield)
	}
}
