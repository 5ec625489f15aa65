package mapview

// #include "mapview.h"
import "C"

import (
	"math"
	"unsafe"
)

// ToEnd as a length means "to the end of the file or map" (MAPVIEW_TO_END).
const ToEnd uint64 = math.MaxUint64

// Mode is how OpenFile maps a file.
type Mode int32

const (
	ModeReadOnly  Mode = C.MAPVIEW_MODE_READ_ONLY  // the bytes can only be read
	ModeReadWrite Mode = C.MAPVIEW_MODE_READ_WRITE // shared: writes reach the file
	ModePrivate   Mode = C.MAPVIEW_MODE_PRIVATE    // copy-on-write: writes never reach the file
)

// Advice is access advice for the kernel (madvise).
type Advice int32

const (
	AdviceNone       Advice = C.MAPVIEW_ADVICE_NONE // no advice at map time (Options only)
	AdviceNormal     Advice = C.MAPVIEW_ADVICE_NORMAL
	AdviceRandom     Advice = C.MAPVIEW_ADVICE_RANDOM
	AdviceSequential Advice = C.MAPVIEW_ADVICE_SEQUENTIAL
	AdviceWillNeed   Advice = C.MAPVIEW_ADVICE_WILL_NEED
	// AdviceDontNeed is refused (ErrInvalidFlags) on private and anonymous
	// maps, whose contents it would discard.
	AdviceDontNeed Advice = C.MAPVIEW_ADVICE_DONT_NEED
)

// HugePages is the huge-page policy of a map.
type HugePages int32

const (
	HugePagesDefault     HugePages = C.MAPVIEW_HUGE_PAGES_DEFAULT
	HugePagesTransparent HugePages = C.MAPVIEW_HUGE_PAGES_TRANSPARENT // MADV_HUGEPAGE
	// HugePagesExplicit uses hugetlb pages: anonymous maps or hugetlbfs
	// files only; ErrOutOfMemory when no huge pages are reserved.
	HugePagesExplicit              HugePages = C.MAPVIEW_HUGE_PAGES_EXPLICIT
	HugePagesExplicitOrTransparent HugePages = C.MAPVIEW_HUGE_PAGES_EXPLICIT_OR_TRANSPARENT
)

// Options mirrors mapview_map_options. The zero value (and a nil *Options)
// means the library's defaults: the whole file, lazy, normal pages, no
// advice.
type Options struct {
	// Offset is the first byte of the file to map (any offset, not only a
	// page boundary). Files only.
	Offset uint64
	// Length is the number of bytes to map; 0 or ToEnd means to the end of
	// the file. Files only.
	Length uint64
	// Populate faults every page in at map time, reporting errors now
	// (MAPVIEW_MAP_POPULATE).
	Populate bool
	// Lock locks the pages in RAM (MAPVIEW_MAP_LOCK, mlock).
	Lock bool
	// HugePages is the huge-page policy.
	HugePages HugePages
	// Advice is applied at map time (AdviceNone: none).
	Advice Advice
}

// toC fills a mapview_map_options from the library's initializer (which
// sets struct_size and the defaults), so fields added in later versions
// keep their defaults. nil stays nil: the C ABI's "all defaults".
func (o *Options) toC() *C.mapview_map_options {
	if o == nil {
		return nil
	}
	c := C.mapview_map_options_init()
	if o.Populate {
		c.flags |= C.MAPVIEW_MAP_POPULATE
	}
	if o.Lock {
		c.flags |= C.MAPVIEW_MAP_LOCK
	}
	c.offset = C.uint64_t(o.Offset)
	if o.Length != 0 {
		c.length = C.uint64_t(o.Length)
	}
	c.huge_pages = C.mapview_huge_pages(o.HugePages)
	c.advice = C.mapview_advice(o.Advice)
	return &c
}

// emptyPath gives the C ABI a non-NULL pointer for the path "", so that it
// reports an empty path as such rather than as a NULL argument.
var emptyPath [1]C.char

// cPath passes a Go string as the pointer + length the C ABI takes. The
// bytes are only read during the call (the ABI never keeps a path), so no
// copy and no NUL terminator are needed; a NUL inside the path is refused
// by the library as an invalid argument.
func cPath(path string) (*C.char, C.size_t) {
	if len(path) == 0 {
		return &emptyPath[0], 0
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(path))), C.size_t(len(path))
}
