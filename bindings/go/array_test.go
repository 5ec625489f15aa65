package mapview

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// npyFile builds a version 1.0 .npy file by hand (magic, header length,
// header dict padded to a multiple of 64) around data, to test files this
// package did not write.
func npyFile(descr, shape string, data []byte) []byte {
	header := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	for (10+len(header)+1)%64 != 0 {
		header += " "
	}
	header += "\n"
	out := append([]byte("\x93NUMPY\x01\x00"), byte(len(header)), byte(len(header)>>8))
	return append(append(out, header...), data...)
}

func f64Bytes(vals ...float64) []byte {
	b := make([]byte, 0, 8*len(vals))
	for _, v := range vals {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	return b
}

func TestArrayCreateAndAggregate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.npy")
	spec := ArraySpec{DType: DTypeFloat64, Shape: []uint64{2, 3}}
	a, err := CreateArray(path, spec, f64Bytes(1, 2, 3, 4, 5, 6))
	if err != nil {
		t.Fatal(err)
	}
	info, err := a.Info()
	if err != nil || info.DType != DTypeFloat64 || info.NDim != 2 || info.Count != 6 || info.NBytes != 48 ||
		info.ItemSize != 8 || !info.Writable || info.Format != FormatNPY || info.Order != OrderC || info.NpyMajor < 1 {
		t.Errorf("Info = %+v, %v", info, err)
	}
	if shape, err := a.Shape(); err != nil || fmt.Sprint(shape) != "[2 3]" {
		t.Errorf("Shape = %v, %v", shape, err)
	}
	vals, err := Elements[float64](a)
	if err != nil || fmt.Sprint(vals) != "[1 2 3 4 5 6]" {
		t.Fatalf("Elements = %v, %v", vals, err)
	}
	vals[5] = 60 // writes the file
	for name, c := range map[string]struct {
		f    func() (Value, error)
		want float64
	}{
		"sum": {a.Sum, 75}, "mean": {a.Mean, 12.5}, "min": {a.Min, 1}, "max": {a.Max, 60},
		"std": {func() (Value, error) { return a.Std(0) }, math.Sqrt((11.5*11.5 + 10.5*10.5 + 9.5*9.5 + 8.5*8.5 + 7.5*7.5 + 47.5*47.5) / 6)},
	} {
		v, err := c.f()
		if err != nil || v.Kind != ValueFloat || v.DType != DTypeFloat64 || math.Abs(v.Float-c.want) > 1e-9 {
			t.Errorf("%s = %+v, %v; want %v", name, v, err, c.want)
		}
	}
	if _, err := Elements[int32](a); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("float64 array as []int32: %v", err)
	}
	if err := a.Flush(); err != nil {
		t.Error(err)
	}
	if err := a.FlushAsync(); err != nil {
		t.Error(err)
	}
	mustClose(t, a)

	file, _ := os.ReadFile(path)
	if !bytes.HasPrefix(file, []byte("\x93NUMPY")) || !bytes.HasSuffix(file, f64Bytes(60)) {
		t.Error("not a .npy file holding the data")
	}
	ro, err := OpenArray(path, ModeReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, ro)
	if v, _ := ro.Max(); v.Float != 60 {
		t.Errorf("reopened max = %v", v)
	}
	if info, _ := ro.Info(); info.Writable {
		t.Error("read-only array is writable")
	}
	wantError(t, ro.Flush(), CodeReadOnly)
	_, err = CreateArray(path, spec, nil)
	wantError(t, err, CodeAlreadyExists, path)
}

func TestArrayIntegerTypes(t *testing.T) {
	dir := t.TempDir()
	// np.sum of int8 is int64 (no wrap at 127); of uint64 wraps.
	a, err := CreateArray(filepath.Join(dir, "i8.npy"), ArraySpec{DType: DTypeInt8, Shape: []uint64{4}}, []byte{100, 100, 0x80, 1})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, a)
	if v, err := a.Sum(); err != nil || v.Kind != ValueInt || v.Int != 73 || v.DType != DTypeInt64 || v.String() != "73" {
		t.Errorf("int8 sum = %+v, %v", v, err)
	}
	if v, _ := a.Min(); v.Int != -128 || v.DType != DTypeInt8 {
		t.Errorf("int8 min = %+v", v)
	}
	if v, _ := a.Mean(); v.DType != DTypeFloat64 || v.Float != 18.25 {
		t.Errorf("int8 mean = %+v", v)
	}
	u, err := CreateArray(filepath.Join(dir, "u64.npy"), ArraySpec{DType: DTypeUint64, Shape: []uint64{2}},
		binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(nil, math.MaxUint64), 2))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, u)
	if v, _ := u.Sum(); v.Kind != ValueUint || v.Uint != 1 {
		t.Errorf("uint64 sum = %+v", v)
	}
	b, err := CreateArray(filepath.Join(dir, "b.npy"), ArraySpec{DType: DTypeBool, Shape: []uint64{3}}, []byte{1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, b)
	if v, _ := b.Sum(); v.Int != 2 {
		t.Errorf("bool sum = %+v", v)
	}
	if els, err := Elements[uint8](b); err != nil || fmt.Sprint(els) != "[1 0 1]" {
		t.Errorf("bool elements = %v, %v", els, err)
	}
	for d, want := range map[DType]string{DTypeFloat64: "float64 8", DTypeBool: "bool 1", DTypeFloat16: "float16 2",
		DTypeInt32: "int32 4", DType(99): "unknown 0"} {
		if got := fmt.Sprint(d.String(), " ", d.Size()); got != want {
			t.Errorf("dtype %d: %s, want %s", d, got, want)
		}
	}
}

func TestArrayRawAndFortran(t *testing.T) {
	dir := t.TempDir()
	raw := filepath.Join(dir, "data.raw")
	a, err := CreateArray(raw, ArraySpec{Format: FormatRaw, DType: DTypeInt32, Shape: []uint64{5}},
		[]byte{1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0})
	if err != nil {
		t.Fatal(err)
	}
	mustClose(t, a)
	if st, _ := os.Stat(raw); st.Size() != 20 {
		t.Errorf("raw file is %d bytes", st.Size())
	}
	r, err := OpenArray(raw, ModeReadOnly, &ArraySpec{Format: FormatRaw, DType: DTypeInt32, InferShape: true, Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	if els, err := Elements[int32](r); err != nil || fmt.Sprint(els) != "[2 3 4 5]" {
		t.Errorf("raw elements = %v, %v", els, err)
	}
	// int64 elements 4 bytes into the file cannot be aligned.
	r64, err := OpenArray(raw, ModeReadOnly, &ArraySpec{Format: FormatRaw, DType: DTypeInt64, Shape: []uint64{2}, Offset: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r64)
	_, err = Elements[int64](r64)
	wantError(t, err, CodeMisaligned)
	if v, err := r64.Sum(); err != nil || v.Int != 2+3<<32+4+5<<32 {
		t.Errorf("sum of misaligned int64 = %+v, %v", v, err)
	}

	f, err := CreateArray(filepath.Join(dir, "f.npy"), ArraySpec{DType: DTypeInt16, Order: OrderFortran, Shape: []uint64{2, 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, f)
	if info, _ := f.Info(); info.Order != OrderFortran {
		t.Errorf("order = %v", info.Order)
	}
	if els, _ := Elements[int16](f); fmt.Sprint(els) != "[0 0 0 0]" {
		t.Errorf("zeros = %v", els)
	}
}

func TestArrayErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := CreateArray(filepath.Join(dir, "short.npy"), ArraySpec{DType: DTypeFloat64, Shape: []uint64{3}}, f64Bytes(1, 2))
	wantError(t, err, CodeRecordSize)
	if _, err := os.Stat(filepath.Join(dir, "short.npy")); !errors.Is(err, os.ErrNotExist) {
		t.Error("a failed CreateArray left a file")
	}
	_, err = CreateArray(filepath.Join(dir, "nodtype.npy"), ArraySpec{Shape: []uint64{3}}, nil)
	if err == nil {
		t.Error("an array without dtype was created")
	}
	_, err = OpenArray(writeFile(t, "junk.npy", []byte("definitely not numpy")), ModeReadOnly, nil)
	wantError(t, err, CodeCorrupt, "junk.npy")
	_, err = OpenArray(writeFile(t, "complex.npy", npyFile("<c16", "(1,)", make([]byte, 16))), ModeReadOnly, nil)
	wantError(t, err, CodeUnsupported, "complex.npy")
	_, err = OpenArray(writeFile(t, "big.npy", npyFile("<f8", "(1000,)", make([]byte, 16))), ModeReadOnly, nil)
	wantError(t, err, CodeCorrupt)
	good, err := OpenArray(writeFile(t, "good.npy", npyFile("<f8", "(2,)", f64Bytes(1.5, 2.5))), ModeReadOnly, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := good.Sum(); v.Float != 4 {
		t.Errorf("sum of a hand-made .npy = %v", v)
	}
	mustClose(t, good)
	missing := filepath.Join(dir, "missing.npy")
	_, err = OpenArray(missing, ModeReadOnly, nil)
	wantError(t, err, CodeNotFound, missing)

	empty, err := CreateArray(filepath.Join(dir, "empty.npy"), ArraySpec{DType: DTypeFloat32, Shape: []uint64{0}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = empty.Min()
	wantError(t, err, CodeInvalidArgument)
	if v, err := empty.Mean(); err != nil || !math.IsNaN(v.Float) {
		t.Errorf("mean of nothing = %v, %v", v, err)
	}
	mustClose(t, empty)
	if err := empty.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	for name, call := range map[string]func() error{
		"Info":     func() error { _, err := empty.Info(); return err },
		"Shape":    func() error { _, err := empty.Shape(); return err },
		"Sum":      func() error { _, err := empty.Sum(); return err },
		"Std":      func() error { _, err := empty.Std(1); return err },
		"Max":      func() error { _, err := empty.Max(); return err },
		"Flush":    empty.Flush,
		"Elements": func() error { _, err := Elements[float32](empty); return err },
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s on a closed array: %v", name, err)
		}
	}
	if empty.Bytes() != nil || empty.Len() != 0 {
		t.Error("Bytes after Close")
	}
}

func TestSharedArray(t *testing.T) {
	for _, name := range []string{"", shmName(t)} {
		s, err := CreateSharedArray(name, ArraySpec{DType: DTypeUint32, Shape: []uint64{4, 4}})
		if err != nil {
			t.Fatal(err)
		}
		if name != "" {
			defer UnlinkSharedMemory(name)
		}
		if !bytes.HasPrefix(s.Bytes(), []byte("\x93NUMPY")) {
			t.Error("region does not start with a .npy header")
		}
		a, err := s.Array(nil)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Array(nil)
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, s) // the arrays have their own mappings
		els, err := Elements[uint32](a)
		if err != nil || len(els) != 16 {
			t.Fatalf("Elements = %d, %v", len(els), err)
		}
		for i := range els {
			els[i] = uint32(i)
		}
		if v, _ := b.Sum(); v.Uint != 120 {
			t.Errorf("%q: sum through the other mapping = %+v", name, v)
		}
		if err := a.Flush(); err != nil {
			t.Errorf("Flush of a shared array: %v", err)
		}
		mustClose(t, a)
		mustClose(t, b)
	}
	_, err := CreateSharedArray("", ArraySpec{Format: FormatNPY, DType: DTypeNone, Shape: []uint64{1}})
	if err == nil {
		t.Error("a shared array without dtype was created")
	}
	if !strings.Contains(fmt.Sprint(err), "dtype") {
		t.Logf("no dtype: %v", err)
	}
}
