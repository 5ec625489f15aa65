package mapview

// #include "mapview.h"
import "C"

import (
	"fmt"
	"runtime"
	"strconv"
	"unsafe"
)

// N-dimensional arrays in .npy files (which NumPy's np.load reads) or in
// headerless files, in shared memory, or from a map cache. The .npy
// header is read and written by the library; the aggregates are computed
// by it with NumPy's types and rounding. This file only wraps the calls.

// DType is an element type (MAPVIEW_DTYPE_*); all are little-endian.
type DType int32

const (
	DTypeNone    DType = C.MAPVIEW_DTYPE_NONE
	DTypeBool    DType = C.MAPVIEW_DTYPE_BOOL
	DTypeUint8   DType = C.MAPVIEW_DTYPE_U8
	DTypeUint16  DType = C.MAPVIEW_DTYPE_U16
	DTypeUint32  DType = C.MAPVIEW_DTYPE_U32
	DTypeUint64  DType = C.MAPVIEW_DTYPE_U64
	DTypeInt8    DType = C.MAPVIEW_DTYPE_I8
	DTypeInt16   DType = C.MAPVIEW_DTYPE_I16
	DTypeInt32   DType = C.MAPVIEW_DTYPE_I32
	DTypeInt64   DType = C.MAPVIEW_DTYPE_I64
	DTypeFloat16 DType = C.MAPVIEW_DTYPE_F16
	DTypeFloat32 DType = C.MAPVIEW_DTYPE_F32
	DTypeFloat64 DType = C.MAPVIEW_DTYPE_F64
)

// String is NumPy's name of the dtype ("float64", "bool", ...), or
// "unknown".
func (d DType) String() string {
	return C.GoString(C.mapview_dtype_name(C.mapview_dtype(d))) // static: nothing to free
}

// Size is the bytes per element; 0 for a value that is not a dtype.
func (d DType) Size() int { return int(C.mapview_dtype_size(C.mapview_dtype(d))) }

// Order is the memory order of an array's elements.
type Order int32

const (
	OrderC       Order = C.MAPVIEW_ORDER_C       // row-major (the default)
	OrderFortran Order = C.MAPVIEW_ORDER_FORTRAN // column-major
)

// ArrayFormat is how an array is stored.
type ArrayFormat int32

const (
	FormatNPY ArrayFormat = C.MAPVIEW_FORMAT_NPY // a .npy file: header, then the data
	FormatRaw ArrayFormat = C.MAPVIEW_FORMAT_RAW // headerless data described by an ArraySpec
)

// MaxArrayDims is the most dimensions an array may have.
const MaxArrayDims = C.MAPVIEW_ARRAY_MAX_DIMS

// ArraySpec describes an array to create, or how to read headerless data
// (mapview_array_spec). The zero value is a .npy array in C order with no
// dtype and no dimensions.
type ArraySpec struct {
	Format ArrayFormat
	DType  DType
	Order  Order
	// Shape is the dimensions (none: a 0-d array of one element).
	Shape []uint64
	// InferShape (raw data, opening): one dimension holding every whole
	// element after Offset; Shape is ignored.
	InferShape bool
	// Offset (raw data) is where the data starts in the file or region.
	Offset uint64
}

// toC fills a mapview_array_spec from the library's initializer. The
// struct points at Shape's Go memory, so the slice is pinned (cgo lets C
// read Go memory holding a Go pointer only when it is pinned) until the
// caller unpins pin, after the C call.
func (s *ArraySpec) toC(pin *runtime.Pinner) *C.mapview_array_spec {
	if s == nil {
		return nil
	}
	c := C.mapview_array_spec_init()
	c.format = C.mapview_array_format(s.Format)
	c.dtype = C.mapview_dtype(s.DType)
	c.order = C.mapview_order(s.Order)
	c.ndim = C.uint32_t(len(s.Shape))
	if len(s.Shape) > 0 {
		pin.Pin(&s.Shape[0])
		c.shape = (*C.uint64_t)(unsafe.Pointer(&s.Shape[0]))
	}
	if s.InferShape {
		c.flags |= C.MAPVIEW_ARRAY_INFER_SHAPE
	}
	c.offset = C.uint64_t(s.Offset)
	return &c
}

// ArrayInfo is what an array is (mapview_array_info); its dimensions come
// from Array.Shape.
type ArrayInfo struct {
	DType      DType
	Order      Order
	Format     ArrayFormat
	NDim       int
	ItemSize   int    // bytes per element
	Count      uint64 // number of elements
	NBytes     uint64 // bytes of element data
	DataOffset uint64 // where the data starts in the file or region
	NpyMajor   uint8  // .npy format version read (0.0 for raw data)
	NpyMinor   uint8
	Writable   bool
}

// Array is a mapped N-dimensional array. Its methods may be called from
// any goroutine. Lifetimes are as for Map: Bytes and Elements are valid
// until Close, and an array whose memory was handed out is never closed
// by the garbage collector.
type Array struct {
	state   *handleState
	cleanup runtime.Cleanup
	region
}

func (a *Array) handle() C.mapview_array { return C.mapview_array{id: C.uint64_t(a.state.id)} }

func closeUnexposedArray(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_array_close(C.mapview_array{id: C.uint64_t(s.id)})
	}
}

// wrapArray takes ownership of a fresh handle and reads its data pointer
// once (mapview_array_data_mut when writable, so the bytes handed out may
// be written).
func wrapArray(h C.mapview_array) (*Array, error) {
	a := &Array{state: &handleState{id: uint64(h.id)}}
	var info C.mapview_array_info
	var cerr *C.mapview_error
	err := takeError(C.mapview_array_info_get(h, &info, &cerr), cerr)
	var p unsafe.Pointer
	var n C.size_t
	if err == nil && info.writable {
		err = takeError(C.mapview_array_data_mut(h, &p, &n, &cerr), cerr)
	} else if err == nil {
		err = takeError(C.mapview_array_data(h, &p, &n, &cerr), cerr)
	}
	if err != nil {
		C.mapview_array_close(h)
		return nil, err
	}
	a.data, a.n = p, int(n)
	a.cleanup = runtime.AddCleanup(a, closeUnexposedArray, a.state)
	return a, nil
}

// CreateArray creates a new array file (never overwriting one) and maps it
// read-write: a .npy file (spec.Format FormatNPY) or headerless data
// (FormatRaw, Offset 0). data holds the elements, little-endian in
// spec.Order, exactly Count*ItemSize bytes (ErrRecordSize otherwise), or
// nil for zeros. A failed call leaves no file behind.
func CreateArray(path string, spec ArraySpec, data []byte) (*Array, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	p, n := cPath(path)
	var h C.mapview_array
	var cerr *C.mapview_error
	st := C.mapview_array_create(p, n, spec.toC(&pin), unsafe.Pointer(unsafe.SliceData(data)),
		C.size_t(len(data)), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapArray(h)
}

// OpenArray maps an array file: a .npy file (spec nil, or Format
// FormatNPY), whose header gives dtype, shape and order; or headerless
// data described by spec (FormatRaw). mode is ModeReadOnly or
// ModeReadWrite. A damaged or hostile .npy header is ErrCorrupt; one
// describing what mapview does not map (object, structured, complex,
// big-endian dtypes) is ErrUnsupported.
func OpenArray(path string, mode Mode, spec *ArraySpec) (*Array, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	p, n := cPath(path)
	var h C.mapview_array
	var cerr *C.mapview_error
	st := C.mapview_array_open(p, n, C.mapview_mode(mode), spec.toC(&pin), &h, &cerr)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapArray(h)
}

// CreateSharedArray creates a shared-memory region holding a zeroed .npy
// array (spec: dtype, order, shape): named when name is not "" (the
// header is written before the name appears), else a sealed memfd. Map
// the array with SharedMemory.Array.
func CreateSharedArray(name string, spec ArraySpec) (*SharedMemory, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	var p *C.char // NULL: a memfd region
	var n C.size_t
	if name != "" {
		p, n = cPath(name)
	}
	var h C.mapview_shm
	var cerr *C.mapview_error
	if err := takeError(C.mapview_shm_create_array(p, n, spec.toC(&pin), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	return wrapShm(h)
}

// Array maps the array in the region, read-write: the .npy array at its
// start (spec nil), or headerless data described by spec (FormatRaw;
// Offset counts from the region's start). The array has its own mapping:
// closing the region does not affect it.
func (s *SharedMemory) Array(spec *ArraySpec) (*Array, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	var h C.mapview_array
	var cerr *C.mapview_error
	st := C.mapview_array_from_shm(s.handle(), spec.toC(&pin), &h, &cerr)
	runtime.KeepAlive(s)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapArray(h)
}

// Info asks the library what the array is.
func (a *Array) Info() (ArrayInfo, error) {
	var i C.mapview_array_info
	var cerr *C.mapview_error
	st := C.mapview_array_info_get(a.handle(), &i, &cerr)
	runtime.KeepAlive(a)
	if err := takeError(st, cerr); err != nil {
		return ArrayInfo{}, err
	}
	return ArrayInfo{DType: DType(i.dtype), Order: Order(i.order), Format: ArrayFormat(i.format),
		NDim: int(i.ndim), ItemSize: int(i.itemsize), Count: uint64(i.count), NBytes: uint64(i.nbytes),
		DataOffset: uint64(i.data_offset), NpyMajor: uint8(i.npy_major), NpyMinor: uint8(i.npy_minor),
		Writable: bool(i.writable)}, nil
}

// Shape is the array's dimensions.
func (a *Array) Shape() ([]uint64, error) {
	var shape [MaxArrayDims]C.uint64_t // always enough, as the header promises
	var ndim C.size_t
	var cerr *C.mapview_error
	st := C.mapview_array_shape(a.handle(), &shape[0], MaxArrayDims, &ndim, &cerr)
	runtime.KeepAlive(a)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	out := make([]uint64, int(ndim))
	for i := range out {
		out[i] = uint64(shape[i])
	}
	return out, nil
}

// Bytes returns the element data itself (little-endian, in the array's
// order), without copying; writable when the array is. Valid until Close;
// nil once closed.
func (a *Array) Bytes() []byte { return a.bytes(a.state) }

// Len is the length of the element data in bytes (0 once closed).
func (a *Array) Len() int { return a.len() }

// Element is a Go type Elements can view array data as.
type Element interface {
	uint8 | uint16 | uint32 | uint64 | int8 | int16 | int32 | int64 | float32 | float64
}

// Elements views the array's data as a []T without copying: T must match
// the dtype (bool arrays are []uint8 of 0 and 1, float16 arrays []uint16
// holding the half-precision bits). The elements are in the array's
// memory order: for OrderFortran the first index varies fastest. Validity
// as for Bytes.
func Elements[T Element](a *Array) ([]T, error) {
	var want []DType
	switch any(*new(T)).(type) {
	case uint8:
		want = []DType{DTypeUint8, DTypeBool}
	case uint16:
		want = []DType{DTypeUint16, DTypeFloat16}
	case uint32:
		want = []DType{DTypeUint32}
	case uint64:
		want = []DType{DTypeUint64}
	case int8:
		want = []DType{DTypeInt8}
	case int16:
		want = []DType{DTypeInt16}
	case int32:
		want = []DType{DTypeInt32}
	case int64:
		want = []DType{DTypeInt64}
	case float32:
		want = []DType{DTypeFloat32}
	case float64:
		want = []DType{DTypeFloat64}
	}
	info, err := a.Info()
	if err != nil {
		return nil, err
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.closed {
		return nil, newError(CodeClosed, "array is closed")
	}
	var zero T
	if info.DType != want[0] && (len(want) == 1 || info.DType != want[1]) {
		return nil, newError(CodeInvalidArgument, "array of %v viewed as []%T", info.DType, zero)
	}
	if uintptr(a.data)%unsafe.Alignof(zero) != 0 {
		return nil, newError(CodeMisaligned, "array data at %p: not aligned to %d bytes for %T",
			a.data, unsafe.Alignof(zero), zero)
	}
	a.state.exposed.Store(true)
	return unsafe.Slice((*T)(a.data), a.n/int(unsafe.Sizeof(zero))), nil
}

// ValueKind says which field of a Value is exact.
type ValueKind int32

const (
	ValueInt   ValueKind = C.MAPVIEW_VALUE_INT
	ValueUint  ValueKind = C.MAPVIEW_VALUE_UINT
	ValueFloat ValueKind = C.MAPVIEW_VALUE_FLOAT
	ValueBool  ValueKind = C.MAPVIEW_VALUE_BOOL
)

// Value is the result of an aggregate (mapview_value). DType is the type
// NumPy gives the same reduction (np.sum of int8 is int64, np.mean of
// integers float64, ...); Float always holds the value as a float64, and
// Int or Uint hold integers exactly, as Kind says.
type Value struct {
	DType DType
	Kind  ValueKind
	Int   int64
	Uint  uint64
	Float float64
}

// String formats the exact field.
func (v Value) String() string {
	switch v.Kind {
	case ValueInt:
		return strconv.FormatInt(v.Int, 10)
	case ValueUint:
		return strconv.FormatUint(v.Uint, 10)
	case ValueBool:
		return strconv.FormatBool(v.Uint != 0 || v.Int != 0 || v.Float != 0)
	}
	return fmt.Sprint(v.Float)
}

func goValue(v C.mapview_value) Value {
	return Value{DType: DType(v.dtype), Kind: ValueKind(v.kind), Int: int64(v.i), Uint: uint64(v.u), Float: float64(v.f)}
}

// Sum is the sum of all elements, as np.sum (integers wrap as NumPy's do;
// NaN propagates; 0 for an empty array).
func (a *Array) Sum() (Value, error) {
	var v C.mapview_value
	var cerr *C.mapview_error
	st := C.mapview_array_sum(a.handle(), &v, &cerr)
	runtime.KeepAlive(a)
	return goValue(v), takeError(st, cerr)
}

// Mean is the mean, as np.mean (NaN for an empty array).
func (a *Array) Mean() (Value, error) {
	var v C.mapview_value
	var cerr *C.mapview_error
	st := C.mapview_array_mean(a.handle(), &v, &cerr)
	runtime.KeepAlive(a)
	return goValue(v), takeError(st, cerr)
}

// Std is the standard deviation with ddof delta degrees of freedom, as
// np.std(a, ddof=ddof).
func (a *Array) Std(ddof uint64) (Value, error) {
	var v C.mapview_value
	var cerr *C.mapview_error
	st := C.mapview_array_std(a.handle(), C.uint64_t(ddof), &v, &cerr)
	runtime.KeepAlive(a)
	return goValue(v), takeError(st, cerr)
}

// Min is the smallest element (NaN if any is NaN); an empty array is
// ErrInvalidArgument.
func (a *Array) Min() (Value, error) {
	var v C.mapview_value
	var cerr *C.mapview_error
	st := C.mapview_array_min(a.handle(), &v, &cerr)
	runtime.KeepAlive(a)
	return goValue(v), takeError(st, cerr)
}

// Max is the largest element, as Min.
func (a *Array) Max() (Value, error) {
	var v C.mapview_value
	var cerr *C.mapview_error
	st := C.mapview_array_max(a.handle(), &v, &cerr)
	runtime.KeepAlive(a)
	return goValue(v), takeError(st, cerr)
}

// Flush writes a file-backed array's changes to its file and waits. Arrays
// in shared memory: nothing to write. Read-only and cached arrays:
// ErrReadOnly.
func (a *Array) Flush() error { return a.flush(0) }

// FlushAsync starts writing the changes and returns.
func (a *Array) FlushAsync() error { return a.flush(C.MAPVIEW_FLUSH_ASYNC) }

func (a *Array) flush(flags C.uint32_t) error {
	var cerr *C.mapview_error
	st := C.mapview_array_flush(a.handle(), flags, &cerr)
	runtime.KeepAlive(a)
	return takeError(st, cerr)
}

// Close unmaps the array; Bytes and Elements slices are invalid
// afterwards. A second Close returns an error matching ErrClosed.
func (a *Array) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := C.mapview_array_close(a.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		a.markClosed()
		a.cleanup.Stop()
	}
	return statusError(st, "close array")
}
