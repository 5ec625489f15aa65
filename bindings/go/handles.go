package mapview

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// handleState is the part of a wrapped handle its cleanup needs. It is a
// separate allocation because a cleanup must not reach the object it is
// attached to (runtime.AddCleanup).
type handleState struct {
	id uint64
	// exposed is set once memory of the handle has been handed out as a
	// slice or pointer (Bytes, Records.Get, a window, an event payload).
	// From then on the cleanup must not close the handle, because closing
	// unmaps memory a live slice may still point into; it leaks it
	// instead. Calls that invalidate every earlier pointer by contract
	// (Map.Resize, Windows.Next, LogReader.Refresh) clear it.
	exposed atomic.Bool
}

// region is the pointer and length of a handle's memory, fetched from the
// library once (they change only at a resize), so that Bytes and Len need
// no C call. mu orders this package's own reads of the memory (and
// handing out slices) before Close, which takes it exclusively.
type region struct {
	mu     sync.RWMutex
	data   unsafe.Pointer
	n      int
	closed bool
}

// bytes hands out the memory (nil once closed) and marks it exposed.
func (r *region) bytes(s *handleState) []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return nil
	}
	s.exposed.Store(true)
	return unsafe.Slice((*byte)(r.data), r.n)
}

func (r *region) len() int {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.n
}

// markClosed forgets the memory; the caller holds mu.
func (r *region) markClosed() {
	r.closed, r.data, r.n = true, nil, 0
}
