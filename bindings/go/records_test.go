package mapview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"testing"
	"unsafe"
)

// pair is the record of the C tests: {u64 key = 3i, u64 value = i*i}.
type pair struct {
	Key   uint64
	Value uint64
}

func u64Records(n int) []byte {
	b := make([]byte, 16*n)
	for i := range n {
		binary.LittleEndian.PutUint64(b[16*i:], uint64(3*i))
		binary.LittleEndian.PutUint64(b[16*i+8:], uint64(i*i))
	}
	return b
}

func openPairs(t *testing.T, n int) (*Map, *Records[pair]) {
	t.Helper()
	m, err := Open(writeFile(t, "pairs.bin", u64Records(n)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	key, err := FieldKey[pair]("Key", KeyUnsignedLE)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRecords[pair](m, key)
	if err != nil {
		t.Fatal(err)
	}
	return m, r
}

func TestRecordsGet(t *testing.T) {
	m, r := openPairs(t, 100)
	if r.Len() != 100 {
		t.Fatalf("Len = %d", r.Len())
	}
	size, key := r.Layout()
	if size != 16 || key != (Key{Offset: 0, Size: 8, Kind: KeyUnsignedLE}) {
		t.Errorf("Layout = %d, %+v", size, key)
	}
	data := m.Bytes()
	for i := range 100 {
		p, err := r.Get(i)
		if err != nil {
			t.Fatal(err)
		}
		if *p != (pair{uint64(3 * i), uint64(i * i)}) {
			t.Fatalf("record %d = %+v", i, *p)
		}
		v, err := r.At(i)
		if err != nil || v != *p {
			t.Fatalf("At(%d) = %+v, %v", i, v, err)
		}
		if i == 42 && p != (*pair)(unsafe.Pointer(&data[16*42])) {
			t.Error("Get copied the record")
		}
	}
	all, err := r.Slice()
	if err != nil || len(all) != 100 || all[99] != (pair{297, 9801}) {
		t.Errorf("Slice: %d records, %v", len(all), err)
	}
	_, err = r.Get(100)
	wantError(t, err, CodeOutOfRange, "record 100")
	_, err = r.At(1000)
	wantError(t, err, CodeOutOfRange)
	_, err = r.Get(-1)
	wantError(t, err, CodeOutOfRange)
}

func TestRecordsSearchUnsignedLE(t *testing.T) {
	_, r := openPairs(t, 100)
	for i := range 100 {
		idx, found, err := r.SearchUint(uint64(3 * i))
		if err != nil || !found || idx != i {
			t.Fatalf("SearchUint(%d) = %d, %v, %v", 3*i, idx, found, err)
		}
		idx, found, _ = r.SearchUint(uint64(3*i + 1))
		if found || idx != i+1 {
			t.Fatalf("SearchUint(%d) = %d, %v", 3*i+1, idx, found)
		}
	}
	if idx, found, _ := r.SearchUint(math.MaxUint64); found || idx != 100 {
		t.Errorf("SearchUint(max) = %d, %v", idx, found)
	}
	// The raw form: the key in its own encoding.
	key := binary.LittleEndian.AppendUint64(nil, 30)
	if idx, found, err := r.Search(key); err != nil || !found || idx != 10 {
		t.Errorf("Search(30) = %d, %v, %v", idx, found, err)
	}
	_, _, err := r.Search(key[:4])
	wantError(t, err, CodeInvalidArgument)
	_, _, err = r.Search(nil)
	if err == nil {
		t.Error("Search(nil) succeeded")
	}
	_, _, err = r.SearchInt(5)
	wantError(t, err, CodeInvalidArgument, "not a signed")
}

func TestRecordsSearchSignedLE(t *testing.T) {
	type rec struct {
		K int64
		V int64
	}
	b := make([]byte, 16*100)
	for i := range 100 {
		binary.LittleEndian.PutUint64(b[16*i:], uint64(int64((i-50)*7)))
	}
	m, err := Open(writeFile(t, "signed.bin", b))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	r, err := NewRecords[rec](m, Key{Size: 8, Kind: KeySignedLE})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		k     int64
		idx   int
		found bool
	}{{-350, 0, true}, {-1, 50, false}, {0, 50, true}, {343, 99, true}, {344, 100, false},
		{math.MinInt64, 0, false}, {math.MaxInt64, 100, false}} {
		idx, found, err := r.SearchInt(c.k)
		if err != nil || idx != c.idx || found != c.found {
			t.Errorf("SearchInt(%d) = %d, %v, %v; want %d, %v", c.k, idx, found, err, c.idx, c.found)
		}
	}
	_, _, err = r.SearchUint(3)
	wantError(t, err, CodeInvalidArgument, "not an unsigned")
	// A 2-byte signed key: values outside int16 are refused here.
	r2, err := NewRecords[rec](m, Key{Offset: 8, Size: 2, Kind: KeySignedLE})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = r2.SearchInt(40000)
	wantError(t, err, CodeInvalidArgument, "does not fit")
}

func TestRecordsSearchUnsignedBEAndBytes(t *testing.T) {
	type rec struct {
		Pad  [4]byte
		Key  [4]byte // big-endian
		Name [8]byte
	}
	keys := []uint32{1, 0xFF, 0x100, 0x1FF, 0x10000, 0xFF000000}
	names := []string{"apple", "apricot", "banana", "cherry", "date", "zebra"}
	b := make([]byte, 16*len(keys))
	for i, k := range keys {
		binary.BigEndian.PutUint32(b[16*i+4:], k)
		copy(b[16*i+8:], names[i])
	}
	m, err := Open(writeFile(t, "be.bin", b))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	key, _ := FieldKey[rec]("Key", KeyUnsignedBE)
	r, err := NewRecords[rec](m, key)
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keys {
		if idx, found, err := r.SearchUint(uint64(k)); err != nil || !found || idx != i {
			t.Errorf("SearchUint(%#x) = %d, %v, %v", k, idx, found, err)
		}
	}
	if idx, found, _ := r.SearchUint(0x101); found || idx != 3 {
		t.Errorf("SearchUint(0x101) = %d, %v", idx, found)
	}
	_, _, err = r.SearchUint(1 << 32)
	wantError(t, err, CodeInvalidArgument, "does not fit")

	nameKey, _ := FieldKey[rec]("Name", KeyBytes)
	byName, err := NewRecords[rec](m, nameKey)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range names {
		k := make([]byte, 8)
		copy(k, name)
		if idx, found, err := byName.Search(k); err != nil || !found || idx != i {
			t.Errorf("Search(%q) = %d, %v, %v", name, idx, found, err)
		}
	}
	if idx, found, _ := byName.Search([]byte("b\x00\x00\x00\x00\x00\x00\x00")); found || idx != 2 {
		t.Errorf("Search(b) = %d, %v", idx, found)
	}
	_, _, err = byName.SearchUint(1)
	wantError(t, err, CodeInvalidArgument)
}

func TestRecordsWritable(t *testing.T) {
	m, err := Anonymous(64, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	r, err := NewRecords[pair](m, Key{Size: 8, Kind: KeyUnsignedLE})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := r.Slice()
	for i := range all {
		all[i] = pair{uint64(10 + i), uint64(i)}
	}
	if binary.LittleEndian.Uint64(m.Bytes()[32:]) != 12 {
		t.Error("a write through Slice did not reach the map")
	}
	if idx, found, _ := r.SearchUint(12); !found || idx != 2 {
		t.Errorf("SearchUint(12) = %d, %v", idx, found)
	}
	// A length the records no longer divide: the library says so.
	if err := m.Resize(40); err != nil {
		t.Fatal(err)
	}
	_, err = r.Count()
	wantError(t, err, CodeRecordSize, "40")
	if r.Len() != 0 {
		t.Error("Len of a broken layout")
	}
}

func TestRecordsBadLayouts(t *testing.T) {
	b := u64Records(100)
	m, err := Open(writeFile(t, "bad.bin", append(b, 1, 2, 3)))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	_, err = NewRecords[pair](m, Key{})
	wantError(t, err, CodeRecordSize, "record size")

	good, err := Open(writeFile(t, "good.bin", b))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, good)
	_, err = NewRecords[pair](good, Key{Offset: 12, Size: 8, Kind: KeyUnsignedLE})
	wantError(t, err, CodeInvalidArgument, "does not fit")
	_, err = NewRecords[pair](good, Key{Size: 8, Kind: KeyKind(9)})
	wantError(t, err, CodeInvalidFlags, "key_kind")
	_, err = NewRecords[pair](good, Key{Size: 16, Kind: KeyUnsignedLE})
	wantError(t, err, CodeInvalidArgument, "1 to 8 bytes")
	_, err = NewRecords[struct{}](good, Key{})
	wantError(t, err, CodeRecordSize)
	// Types holding Go pointers are refused before the library is asked.
	_, err = NewRecords[string](good, Key{})
	wantError(t, err, CodeInvalidArgument, "Go pointers")
	_, err = NewRecords[struct {
		A uint64
		B *int
	}](good, Key{})
	wantError(t, err, CodeInvalidArgument, "Go pointers")
	_, err = NewRecords[[2][]byte](good, Key{})
	wantError(t, err, CodeInvalidArgument, "Go pointers")
	// A zero Key is the whole record compared as bytes.
	r, err := NewRecords[[16]byte](good, Key{})
	if err != nil {
		t.Fatal(err)
	}
	if idx, found, _ := r.Search(b[16*5 : 16*6]); !found || idx != 5 {
		t.Errorf("whole-record search = %d, %v", idx, found)
	}

	if _, err := FieldKey[pair]("Nope", KeyBytes); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("FieldKey of a missing field: %v", err)
	}
	if _, err := FieldKey[uint64]("Key", KeyBytes); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("FieldKey of a non-struct: %v", err)
	}
}

// A map of a file range can start anywhere; records of a type that needs
// alignment are refused there instead of being read misaligned.
func TestRecordsMisaligned(t *testing.T) {
	b := append([]byte{0, 0, 0, 0}, u64Records(10)...)
	m, err := OpenFile(writeFile(t, "shifted.bin", b), ModeReadOnly, &Options{Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	r, err := NewRecords[pair](m, Key{Size: 8, Kind: KeyUnsignedLE})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Get(1)
	wantError(t, err, CodeMisaligned)
	_, err = r.Slice()
	wantError(t, err, CodeMisaligned)
	// The search runs in the library, which does not care about alignment.
	if idx, found, err := r.SearchUint(9); err != nil || !found || idx != 3 {
		t.Errorf("SearchUint(9) = %d, %v, %v", idx, found, err)
	}
	// Byte records have no alignment to keep.
	rb, err := NewRecords[[16]byte](m, Key{Size: 8, Kind: KeyUnsignedLE})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := rb.Get(1); err != nil || !bytes.Equal(p[:], b[4+16:4+32]) {
		t.Errorf("byte record: %v", err)
	}
}
