package mapview

// #include "mapview.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// SharedKind is what kind of shared-memory region a SharedMemory is.
type SharedKind int32

const (
	// SharedNamed is a named region (POSIX shared memory), found by other
	// processes by its name until UnlinkSharedMemory.
	SharedNamed SharedKind = C.MAPVIEW_SHM_NAMED
	// SharedMemfd is an anonymous region (a memfd, or any region opened
	// from a descriptor), handed over by descriptor or /proc path.
	SharedMemfd SharedKind = C.MAPVIEW_SHM_MEMFD
)

// Seals are the MAPVIEW_SHM_SEAL_* bits of a memfd region.
type Seals uint32

const (
	SealShrink Seals = C.MAPVIEW_SHM_SEAL_SHRINK // nobody can make the region smaller
	SealGrow   Seals = C.MAPVIEW_SHM_SEAL_GROW   // nobody can make it larger
	SealWrite  Seals = C.MAPVIEW_SHM_SEAL_WRITE  // nobody can write to it
	SealSeal   Seals = C.MAPVIEW_SHM_SEAL_SEAL   // the seals can no longer change
)

// MaxSharedName is the longest region name, in bytes.
const MaxSharedName = C.MAPVIEW_SHM_MAX_NAME

// SharedInfo is what a region is and how to hand it to another process
// (mapview_shm_info).
type SharedInfo struct {
	Kind  SharedKind
	Seals Seals // 0 for a named region
	Len   int
	// Fd is the region's descriptor in this process, owned by the handle:
	// do not close it. Another process of the same user can open the
	// region as /proc/<Pid>/fd/<Fd> (OpenSharedMemoryProc) while the
	// handle is open.
	Fd  int
	Pid int
}

// SharedMemory is a region of memory shared between processes, mapped
// read-write. Its methods may be called from any goroutine; other
// processes write the same memory, and ordering those accesses (atomics,
// a lock, a message) is the caller's job. Lifetimes are as for Map: Bytes
// is valid until Close, and a region whose Bytes were handed out is never
// closed by the garbage collector.
type SharedMemory struct {
	state   *handleState
	cleanup runtime.Cleanup
	region
}

func (s *SharedMemory) handle() C.mapview_shm { return C.mapview_shm{id: C.uint64_t(s.state.id)} }

func closeUnexposedShm(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_shm_close(C.mapview_shm{id: C.uint64_t(s.id)})
	}
}

// wrapShm takes ownership of a fresh handle and reads its memory's
// pointer and length once (a region never changes size under a handle).
func wrapShm(h C.mapview_shm) (*SharedMemory, error) {
	s := &SharedMemory{state: &handleState{id: uint64(h.id)}}
	var p *C.uint8_t
	var n C.size_t
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_data(h, &p, &n, &cerr), cerr); err != nil {
		C.mapview_shm_close(h)
		return nil, err
	}
	s.data, s.n = unsafe.Pointer(p), int(n)
	s.cleanup = runtime.AddCleanup(s, closeUnexposedShm, s.state)
	return s, nil
}

// CreateSharedMemory creates a named region of size zero bytes (mode
// 0600), which other processes open with OpenSharedMemory. A name is 1 to
// 255 bytes without '/' or NUL; a name in use is ErrAlreadyExists. The
// region outlives every handle until UnlinkSharedMemory.
func CreateSharedMemory(name string, size int64) (*SharedMemory, error) {
	if size < 0 {
		return nil, newError(CodeInvalidArgument, "create shared memory '%s': negative size %d", name, size)
	}
	p, n := cPath(name)
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_create(p, n, C.uint64_t(size), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// CreateMemfd creates an anonymous region of size zero bytes in a memfd
// sealed against shrinking and growing, so no process can truncate it
// under a reader. Hand it over by descriptor (Info().Fd) or by the path
// /proc/<pid>/fd/<fd> (OpenSharedMemoryProc).
func CreateMemfd(size int64) (*SharedMemory, error) {
	if size < 0 {
		return nil, newError(CodeInvalidArgument, "create memfd: negative size %d", size)
	}
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_create_memfd(C.uint64_t(size), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// OpenSharedMemory opens the named region name read-write (ErrNotFound if
// there is none).
func OpenSharedMemory(name string) (*SharedMemory, error) {
	p, n := cPath(name)
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_open(p, n, &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// OpenSharedMemoryFd opens a region from a descriptor this process holds
// (inherited, or received with SCM_RIGHTS). The descriptor is duplicated:
// the caller still owns fd.
func OpenSharedMemoryFd(fd int) (*SharedMemory, error) {
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_open_fd(C.int32_t(fd), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// OpenSharedMemoryProc opens the region process pid holds as descriptor
// fd, through /proc/<pid>/fd/<fd>: how a memfd region is found by a
// process that was told two numbers.
func OpenSharedMemoryProc(pid, fd int) (*SharedMemory, error) {
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_open_proc(C.int32_t(pid), C.int32_t(fd), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// UnlinkSharedMemory removes the name of a named region (ErrNotFound if
// there is none). Open handles keep working; the memory is freed when the
// last one is closed.
func UnlinkSharedMemory(name string) error {
	p, n := cPath(name)
	var cerr *C.mapview_error
	return takeError(C.mapview_shm_unlink(p, n, &cerr), cerr)
}

// Bytes returns the region's memory itself, writable, valid until Close
// (nil once closed). Once it has been called, the garbage collector never
// closes the region.
func (s *SharedMemory) Bytes() []byte { return s.bytes(s.state) }

// Len is the region's length in bytes (0 once closed).
func (s *SharedMemory) Len() int { return s.len() }

// Info asks the library what the region is.
func (s *SharedMemory) Info() (SharedInfo, error) {
	var info C.mapview_shm_info
	var cerr *C.mapview_error
	st := C.mapview_shm_info_get(s.handle(), &info, &cerr)
	runtime.KeepAlive(s)
	if err := takeError(st, cerr); err != nil {
		return SharedInfo{}, err
	}
	return SharedInfo{Kind: SharedKind(info.kind), Seals: Seals(info.seals), Len: int(info.len),
		Fd: int(info.fd), Pid: int(info.pid)}, nil
}

// Name is the name of a named region ("" for a memfd region).
func (s *SharedMemory) Name() (string, error) {
	// The string belongs to the handle: hold off Close until it is copied.
	s.mu.RLock()
	defer s.mu.RUnlock()
	var name *C.char
	var n C.size_t
	var cerr *C.mapview_error
	st := C.mapview_shm_name(s.handle(), &name, &n, &cerr)
	if err := takeError(st, cerr); err != nil {
		return "", err
	}
	return C.GoStringN(name, C.int(n)), nil
}

// Close unmaps the region and closes its descriptor; the region lives on
// while other handles have it (and a named one until unlinked). Slices
// from Bytes are invalid afterwards. A second Close returns an error
// matching ErrClosed.
func (s *SharedMemory) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := C.mapview_shm_close(s.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		s.markClosed()
		s.cleanup.Stop()
	}
	return statusError(st, "close shared memory")
}
