package mapview

// #include "mapview.h"
import "C"

import (
	"encoding/binary"
	"reflect"
	"runtime"
	"unsafe"
)

// KeyKind is how record keys compare (MAPVIEW_KEY_*).
type KeyKind int32

const (
	KeyBytes      KeyKind = C.MAPVIEW_KEY_BYTES       // bytes, lexicographically (memcmp)
	KeyUnsignedLE KeyKind = C.MAPVIEW_KEY_UNSIGNED_LE // unsigned little-endian integer, 1 to 8 bytes
	KeySignedLE   KeyKind = C.MAPVIEW_KEY_SIGNED_LE   // two's complement little-endian, 1 to 8 bytes
	KeyUnsignedBE KeyKind = C.MAPVIEW_KEY_UNSIGNED_BE // unsigned big-endian integer, 1 to 8 bytes
)

// Key says where a record's sort key lies and how it compares.
type Key struct {
	Offset uintptr // where the key starts inside the record
	Size   uintptr // key length in bytes
	Kind   KeyKind
}

// FieldKey returns the Key for the field of T called name (a field of T
// itself, not of a nested struct), compared as kind. A native Go integer
// field on this little-endian platform is KeyUnsignedLE or KeySignedLE; a
// byte array is KeyBytes or, holding a big-endian number, KeyUnsignedBE.
func FieldKey[T any](name string, kind KeyKind) (Key, error) {
	t := reflect.TypeFor[T]()
	if t.Kind() != reflect.Struct {
		return Key{}, newError(CodeInvalidArgument, "key field '%s': %v is not a struct", name, t)
	}
	f, ok := t.FieldByName(name)
	if !ok || len(f.Index) != 1 {
		return Key{}, newError(CodeInvalidArgument, "key field '%s': %v has no such field", name, t)
	}
	return Key{Offset: f.Offset, Size: f.Type.Size(), Kind: kind}, nil
}

// Records is a view of a map as an array of fixed-size records of type T:
// the record size is unsafe.Sizeof(T), and the map's length must be a
// multiple of it. T must hold no Go pointers (no pointers, strings, slices,
// maps, interfaces, channels or funcs): its bytes come from the file.
// Fields are in the platform's byte order, laid out as Go lays out T.
//
// Counting, fetching and searching are done by the library (mapview_records_*);
// Records only turns its pointers into *T. A Records may be used from any
// goroutine. It does not own the map: close the Map when done.
type Records[T any] struct {
	m      *Map
	layout C.mapview_record_layout
	align  uintptr
}

// NewRecords views m as records of type T, searched by key. A zero Key
// means the whole record, compared as bytes. The library checks the layout
// now: ErrRecordSize if the record size does not divide the map's length,
// ErrInvalidArgument if the key does not fit in the record.
func NewRecords[T any](m *Map, key Key) (*Records[T], error) {
	t := reflect.TypeFor[T]()
	if err := checkRecordType(t); err != nil {
		return nil, err
	}
	if key == (Key{}) {
		key = Key{Size: t.Size(), Kind: KeyBytes}
	}
	r := &Records[T]{m: m, align: uintptr(t.Align()), layout: C.mapview_record_layout{
		record_size: C.size_t(t.Size()),
		key_offset:  C.size_t(key.Offset),
		key_len:     C.size_t(key.Size),
		key_kind:    C.mapview_key_kind(key.Kind),
	}}
	if _, err := r.Count(); err != nil {
		return nil, err
	}
	return r, nil
}

// checkRecordType refuses types whose values hold Go pointers: reading
// one from a file would hand the garbage collector a forged pointer.
func checkRecordType(t reflect.Type) error {
	var walk func(reflect.Type) bool
	walk = func(t reflect.Type) bool {
		switch t.Kind() {
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
			reflect.Uintptr, reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
			return true
		case reflect.Array:
			return walk(t.Elem())
		case reflect.Struct:
			for i := range t.NumField() {
				if !walk(t.Field(i).Type) {
					return false
				}
			}
			return true
		}
		return false
	}
	if !walk(t) {
		return newError(CodeInvalidArgument, "records of %v: the type holds Go pointers (pointer, string, slice, map, interface, chan or func)", t)
	}
	return nil
}

// Layout returns the record layout passed to the library.
func (r *Records[T]) Layout() (recordSize uintptr, key Key) {
	return uintptr(r.layout.record_size), Key{Offset: uintptr(r.layout.key_offset),
		Size: uintptr(r.layout.key_len), Kind: KeyKind(r.layout.key_kind)}
}

// Count is the number of records, with the library's error if the map is
// closed or its length (after a Resize) is no longer a multiple of the
// record size.
func (r *Records[T]) Count() (int, error) {
	layout := r.layout
	var n C.size_t
	var cerr *C.mapview_error
	st := C.mapview_records_count(r.m.handle(), &layout, &n, &cerr)
	runtime.KeepAlive(r.m)
	return int(n), takeError(st, cerr)
}

// Len is the number of records; 0 when Count fails.
func (r *Records[T]) Len() int {
	n, err := r.Count()
	if err != nil {
		return 0
	}
	return n
}

// pointer asks the library for record i and checks it is aligned for T
// (a map of a file range may start anywhere).
func (r *Records[T]) pointer(i int) (*T, error) {
	if i < 0 {
		return nil, newError(CodeOutOfRange, "record %d: negative index", i)
	}
	layout := r.layout
	var rec *C.uint8_t
	var cerr *C.mapview_error
	st := C.mapview_records_get(r.m.handle(), &layout, C.size_t(i), &rec, &cerr)
	runtime.KeepAlive(r.m)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	if uintptr(unsafe.Pointer(rec))%r.align != 0 {
		return nil, newError(CodeMisaligned, "record %d at %p: not aligned to %d bytes for %v",
			i, rec, r.align, reflect.TypeFor[T]())
	}
	return (*T)(unsafe.Pointer(rec)), nil
}

// Get returns a pointer to record i inside the map: no copy, and writes
// through it (on a writable map) write the file. It is valid until the map
// is closed or resized, like a slice from Map.Bytes, and like it makes the
// map exempt from unmapping by the garbage collector.
func (r *Records[T]) Get(i int) (*T, error) {
	p, err := r.pointer(i)
	if err == nil {
		r.m.state.exposed.Store(true)
	}
	return p, err
}

// At returns a copy of record i. Nothing of the map is handed out.
func (r *Records[T]) At(i int) (T, error) {
	var v T
	// Hold the map's read lock so Close cannot unmap between the library
	// returning the pointer and the copy.
	r.m.mu.RLock()
	defer r.m.mu.RUnlock()
	p, err := r.pointer(i)
	if err != nil {
		return v, err
	}
	return *p, nil
}

// Slice returns every record as a []T over the map (no copy). Validity as
// for Get.
func (r *Records[T]) Slice() ([]T, error) {
	n, err := r.Count()
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return []T{}, nil
	}
	p, err := r.Get(0)
	if err != nil {
		return nil, err
	}
	return unsafe.Slice(p, n), nil
}

// Search finds key among records sorted by key, ascending, by binary
// search in the library. key is in the key's own encoding and as long as
// the key. found tells whether a record has that key; index is then its
// index (any one of equal keys), otherwise where the key would go.
func (r *Records[T]) Search(key []byte) (index int, found bool, err error) {
	layout := r.layout
	var idx C.size_t
	var ok C.bool
	var cerr *C.mapview_error
	st := C.mapview_records_search(r.m.handle(), &layout, unsafe.Pointer(unsafe.SliceData(key)),
		C.size_t(len(key)), &idx, &ok, &cerr)
	runtime.KeepAlive(r.m)
	if err := takeError(st, cerr); err != nil {
		return 0, false, err
	}
	return int(idx), bool(ok), nil
}

// SearchUint is Search for an unsigned integer key (KeyUnsignedLE or
// KeyUnsignedBE): k is encoded in the key's size and byte order.
func (r *Records[T]) SearchUint(k uint64) (index int, found bool, err error) {
	size := int(r.layout.key_len)
	if size < 1 || size > 8 || (size < 8 && k>>(8*size) != 0) {
		return 0, false, newError(CodeInvalidArgument, "search for %d: does not fit the %d-byte key", k, size)
	}
	var buf [8]byte
	switch KeyKind(r.layout.key_kind) {
	case KeyUnsignedLE:
		binary.LittleEndian.PutUint64(buf[:], k)
		return r.Search(buf[:size])
	case KeyUnsignedBE:
		binary.BigEndian.PutUint64(buf[:], k)
		return r.Search(buf[8-size:])
	}
	return 0, false, newError(CodeInvalidArgument, "search for %d: the key is not an unsigned integer (kind %d)", k, r.layout.key_kind)
}

// SearchInt is Search for a KeySignedLE key: k is encoded in the key's size.
func (r *Records[T]) SearchInt(k int64) (index int, found bool, err error) {
	size := int(r.layout.key_len)
	if KeyKind(r.layout.key_kind) != KeySignedLE {
		return 0, false, newError(CodeInvalidArgument, "search for %d: the key is not a signed integer (kind %d)", k, r.layout.key_kind)
	}
	if size < 1 || size > 8 || (size < 8 && (k < -1<<(8*size-1) || k >= 1<<(8*size-1))) {
		return 0, false, newError(CodeInvalidArgument, "search for %d: does not fit the %d-byte key", k, size)
	}
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(k))
	return r.Search(buf[:size])
}
