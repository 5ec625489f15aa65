package mapview

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// pattern returns n bytes that differ from one offset to the next.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

func TestOpenBytesNoCopy(t *testing.T) {
	want := pattern(10000)
	m, err := Open(writeFile(t, "data.bin", want))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	b := m.Bytes()
	if !bytes.Equal(b, want) || m.Len() != len(want) {
		t.Fatalf("Bytes: %d bytes, Len %d; want %d", len(b), m.Len(), len(want))
	}
	// Two calls give the same memory, not copies.
	if &m.Bytes()[0] != &b[0] {
		t.Error("Bytes returned different memory on a second call")
	}
	info, err := m.Info()
	if err != nil {
		t.Fatal(err)
	}
	if info != (Info{Kind: KindReadOnly, Writable: false, Len: len(want), FileOffset: 0}) {
		t.Errorf("Info = %+v", info)
	}
}

func TestOpenMissingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no-such-file.bin")
	m, err := Open(path)
	if m != nil {
		t.Error("got a map for a missing file")
	}
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotFound and fs.ErrNotExist", err)
	}
	wantError(t, err, CodeNotFound, path)
	for _, open := range []func(string) (*Map, error){OpenReadWrite, OpenPrivate} {
		_, err := open(path)
		wantError(t, err, CodeNotFound, path)
	}
}

func TestOpenBadPaths(t *testing.T) {
	dir := t.TempDir()
	_, err := Open(dir)
	wantError(t, err, CodeInvalidArgument, dir, "directory")
	_, err = Open("")
	wantError(t, err, CodeInvalidArgument, "empty")
	_, err = Open("bad\x00path")
	wantError(t, err, CodeInvalidArgument)
	if os.Geteuid() != 0 {
		p := writeFile(t, "secret.bin", []byte("x"))
		if err := os.Chmod(p, 0); err != nil {
			t.Fatal(err)
		}
		_, err = Open(p)
		if !errors.Is(err, ErrPermission) || !errors.Is(err, fs.ErrPermission) {
			t.Errorf("unreadable file: %v", err)
		}
	}
}

func TestOpenRange(t *testing.T) {
	data := pattern(100000)
	path := writeFile(t, "range.bin", data)
	m, err := OpenFile(path, ModeReadOnly, &Options{Offset: 10007, Length: 64, Advice: AdviceRandom})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if !bytes.Equal(m.Bytes(), data[10007:10007+64]) {
		t.Error("range bytes differ")
	}
	info, _ := m.Info()
	if info.FileOffset != 10007 || info.Len != 64 {
		t.Errorf("Info = %+v", info)
	}
	// Length 0 and ToEnd both mean to the end.
	for _, length := range []uint64{0, ToEnd} {
		m2, err := OpenFile(path, ModeReadOnly, &Options{Offset: 99990, Length: length})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(m2.Bytes(), data[99990:]) {
			t.Errorf("length %d: bytes differ", length)
		}
		mustClose(t, m2)
	}
}

func TestOpenRangeErrors(t *testing.T) {
	path := writeFile(t, "small.bin", pattern(1000))
	_, err := OpenFile(path, ModeReadOnly, &Options{Offset: 990, Length: 20})
	wantError(t, err, CodeOutOfRange, path)
	_, err = OpenFile(path, ModeReadOnly, &Options{Offset: 5000})
	wantError(t, err, CodeOutOfRange)
	_, err = OpenFile(path, ModeReadOnly, &Options{Offset: math.MaxUint64 - 1, Length: 10})
	wantError(t, err, CodeOverflow)
	_, err = OpenFile(path, Mode(7), nil)
	wantError(t, err, CodeInvalidFlags)
	_, err = OpenFile(path, ModeReadOnly, &Options{Advice: Advice(99)})
	wantError(t, err, CodeInvalidFlags)
	_, err = OpenFile(path, ModeReadOnly, &Options{HugePages: HugePages(-1)})
	wantError(t, err, CodeInvalidFlags)
}

func TestOpenWithOptions(t *testing.T) {
	data := pattern(3 * PageSize())
	path := writeFile(t, "opts.bin", data)
	m, err := OpenFile(path, ModeReadOnly, &Options{Populate: true, HugePages: HugePagesTransparent,
		Advice: AdviceSequential})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(m.Bytes(), data) {
		t.Error("bytes differ")
	}
	mustClose(t, m)
	m, err = OpenFile(path, ModeReadOnly, &Options{Lock: true})
	if err != nil {
		// mlock may be refused by RLIMIT_MEMLOCK; the code says so.
		if !errors.Is(err, ErrOutOfMemory) && !errors.Is(err, ErrPermission) {
			t.Fatal(err)
		}
		t.Logf("Lock refused: %v", err)
		return
	}
	mustClose(t, m)
}

func TestEmptyFile(t *testing.T) {
	m, err := Open(writeFile(t, "empty.bin", nil))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if b := m.Bytes(); b == nil || len(b) != 0 || m.Len() != 0 {
		t.Errorf("Bytes = %v (nil: %v), Len %d", b, b == nil, m.Len())
	}
	if n, err := m.ReadAt(make([]byte, 1), 0); n != 0 || err != io.EOF {
		t.Errorf("ReadAt = %d, %v", n, err)
	}
	method, err := m.Populate()
	if err != nil || method != PopulateNothing {
		t.Errorf("Populate = %v, %v", method, err)
	}
}

func TestReadAt(t *testing.T) {
	data := pattern(5000)
	m, err := Open(writeFile(t, "readat.bin", data))
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	var _ io.ReaderAt = m
	buf := make([]byte, 100)
	if n, err := m.ReadAt(buf, 1234); n != 100 || err != nil || !bytes.Equal(buf, data[1234:1334]) {
		t.Errorf("ReadAt = %d, %v", n, err)
	}
	if n, err := m.ReadAt(buf, 4950); n != 50 || err != io.EOF || !bytes.Equal(buf[:50], data[4950:]) {
		t.Errorf("ReadAt at the end = %d, %v", n, err)
	}
	if n, err := m.ReadAt(buf, 5000); n != 0 || err != io.EOF {
		t.Errorf("ReadAt past the end = %d, %v", n, err)
	}
	_, err = m.ReadAt(buf, -1)
	wantError(t, err, CodeInvalidArgument, "negative")
	// io.SectionReader works over it.
	got, err := io.ReadAll(io.NewSectionReader(m, 0, int64(m.Len())))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("SectionReader: %d bytes, %v", len(got), err)
	}
}

func TestWriteAtReadOnly(t *testing.T) {
	path := writeFile(t, "ro.bin", pattern(100))
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	n, err := m.WriteAt([]byte("x"), 0)
	if n != 0 || !errors.Is(err, ErrReadOnly) {
		t.Errorf("WriteAt on a read-only map = %d, %v", n, err)
	}
	for _, call := range []func() error{m.Flush, m.FlushAsync, func() error { return m.Resize(10) }} {
		if err := call(); !errors.Is(err, ErrReadOnly) {
			t.Errorf("got %v, want ErrReadOnly", err)
		}
	}
}

func TestReadWriteFlush(t *testing.T) {
	path := writeFile(t, "rw.bin", make([]byte, 3*PageSize()))
	m, err := OpenReadWrite(path)
	if err != nil {
		t.Fatal(err)
	}
	var _ io.WriterAt = m
	if n, err := m.WriteAt([]byte("hello"), 100); n != 5 || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	copy(m.Bytes()[PageSize():], "through Bytes")
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := m.FlushAsync(); err != nil {
		t.Fatal(err)
	}
	if err := m.FlushRange(uint64(PageSize()), 13); err != nil {
		t.Fatal(err)
	}
	if err := m.FlushRangeAsync(0, ToEnd); err != nil {
		t.Fatal(err)
	}
	err = m.FlushRange(uint64(3*PageSize()), 1)
	wantError(t, err, CodeOutOfRange)
	err = m.FlushRange(10, math.MaxUint64-5)
	wantError(t, err, CodeOverflow)
	_, err = m.WriteAt([]byte("too long"), int64(m.Len()-3))
	wantError(t, err, CodeOutOfRange, "past the end")
	_, err = m.WriteAt([]byte("x"), -2)
	wantError(t, err, CodeInvalidArgument)
	info, _ := m.Info()
	if info.Kind != KindShared || !info.Writable {
		t.Errorf("Info = %+v", info)
	}
	mustClose(t, m)
	got, _ := os.ReadFile(path)
	if string(got[100:105]) != "hello" || string(got[PageSize():PageSize()+13]) != "through Bytes" {
		t.Error("writes did not reach the file")
	}
}

func TestPrivate(t *testing.T) {
	path := writeFile(t, "private.bin", []byte("original"))
	m, err := OpenPrivate(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if _, err := m.WriteAt([]byte("CHANGED!"), 0); err != nil {
		t.Fatal(err)
	}
	if string(m.Bytes()) != "CHANGED!" {
		t.Errorf("map holds %q", m.Bytes())
	}
	if got, _ := os.ReadFile(path); string(got) != "original" {
		t.Errorf("file changed to %q", got)
	}
	if err := m.Flush(); !errors.Is(err, ErrUnsupported) || !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("Flush of a private map: %v", err)
	}
	wantError(t, m.Resize(100), CodeInvalidFlags)
	info, _ := m.Info()
	if info.Kind != KindPrivate || !info.Writable {
		t.Errorf("Info = %+v", info)
	}
}

func TestCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.bin")
	m, err := Create(path, 8192, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Len() != 8192 || !bytes.Equal(m.Bytes(), make([]byte, 8192)) {
		t.Error("new map is not 8192 zero bytes")
	}
	copy(m.Bytes(), "created")
	if err := m.Flush(); err != nil {
		t.Fatal(err)
	}
	mustClose(t, m)
	if got, _ := os.ReadFile(path); len(got) != 8192 || string(got[:7]) != "created" {
		t.Error("file content wrong")
	}
	_, err = Create(path, 10, nil)
	if !errors.Is(err, ErrAlreadyExists) || !errors.Is(err, fs.ErrExist) {
		t.Errorf("Create over an existing file: %v", err)
	}
	wantError(t, err, CodeAlreadyExists, path)
	_, err = CreateFromBytes(path, []byte("x"), nil)
	wantError(t, err, CodeAlreadyExists, path)
	fresh := filepath.Join(t.TempDir(), "neg.bin")
	_, err = Create(fresh, -1, nil)
	wantError(t, err, CodeInvalidArgument)
	_, err = Create(fresh, 10, &Options{Offset: 1})
	wantError(t, err, CodeInvalidFlags)
	if _, err := os.Stat(fresh); !errors.Is(err, fs.ErrNotExist) {
		t.Error("a failed Create left a file behind")
	}
	_, err = Create(filepath.Join(t.TempDir(), "no-dir", "x.bin"), 10, nil)
	wantError(t, err, CodeNotFound, "no-dir")
}

func TestCreateFromBytes(t *testing.T) {
	data := pattern(12345)
	path := filepath.Join(t.TempDir(), "from.bin")
	m, err := CreateFromBytes(path, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if !bytes.Equal(m.Bytes(), data) {
		t.Error("map differs from the bytes")
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, data) {
		t.Error("file differs from the bytes")
	}
	empty, err := CreateFromBytes(filepath.Join(t.TempDir(), "empty.bin"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if empty.Len() != 0 {
		t.Error("empty map has bytes")
	}
	mustClose(t, empty)
}

func TestAnonymous(t *testing.T) {
	for _, shared := range []bool{false, true} {
		m, err := Anonymous(10000, shared, nil)
		if err != nil {
			t.Fatal(err)
		}
		info, _ := m.Info()
		wantKind := KindAnonymousPrivate
		if shared {
			wantKind = KindAnonymousShared
		}
		if info.Kind != wantKind || !info.Writable || info.Len != 10000 {
			t.Errorf("Info = %+v", info)
		}
		b := m.Bytes()
		b[9999] = 42
		if err := m.Flush(); err != nil {
			t.Errorf("Flush of an anonymous map: %v", err)
		}
		if err := m.Advise(AdviceDontNeed, 0, ToEnd); !errors.Is(err, ErrInvalidFlags) {
			t.Errorf("DontNeed on an anonymous map: %v", err)
		}
		if err := m.Resize(20000); err != nil {
			t.Fatal(err)
		}
		if m.Len() != 20000 || m.Bytes()[9999] != 42 {
			t.Error("resize lost the data")
		}
		mustClose(t, m)
	}
	_, err := Anonymous(-1, false, nil)
	wantError(t, err, CodeInvalidArgument)
	_, err = Anonymous(10, false, &Options{Offset: 4})
	wantError(t, err, CodeInvalidFlags)
	m, err := Anonymous(1<<20, false, &Options{HugePages: HugePagesExplicit})
	if err == nil {
		mustClose(t, m)
	} else if !errors.Is(err, ErrOutOfMemory) {
		t.Errorf("explicit huge pages: %v", err)
	}
}

func TestResize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grow.bin")
	m, err := Create(path, 100, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	copy(m.Bytes(), "keep me")
	for _, size := range []int{5 * PageSize(), 10, 0, 1 << 20} {
		if err := m.Resize(size); err != nil {
			t.Fatal(err)
		}
		st, _ := os.Stat(path)
		if m.Len() != size || len(m.Bytes()) != size || st.Size() != int64(size) {
			t.Errorf("after Resize(%d): Len %d, file %d", size, m.Len(), st.Size())
		}
	}
	wantError(t, m.Resize(-1), CodeInvalidArgument)
	r, err := OpenFile(writeFile(t, "r.bin", pattern(100)), ModeReadWrite, &Options{Offset: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, r)
	wantError(t, r.Resize(200), CodeInvalidFlags)
}

func TestAdviseAndPopulate(t *testing.T) {
	path := writeFile(t, "advise.bin", pattern(4*PageSize()))
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	for _, a := range []Advice{AdviceNormal, AdviceRandom, AdviceSequential, AdviceWillNeed, AdviceDontNeed} {
		if err := m.Advise(a, 0, ToEnd); err != nil {
			t.Errorf("advice %d: %v", a, err)
		}
	}
	if err := m.Advise(AdviceWillNeed, 100, 50); err != nil {
		t.Errorf("advice on a range: %v", err)
	}
	wantError(t, m.Advise(AdviceNone, 0, ToEnd), CodeInvalidFlags)
	wantError(t, m.Advise(AdviceNormal, uint64(5*PageSize()), 1), CodeOutOfRange)
	wantError(t, m.Advise(AdviceNormal, uint64(5*PageSize()), ToEnd), CodeOutOfRange)
	wantError(t, m.Advise(AdviceNormal, 2, math.MaxUint64-1), CodeOverflow)
	method, err := m.Populate()
	if err != nil || (method != PopulateMadvise && method != PopulateTouch) {
		t.Errorf("Populate = %v, %v", method, err)
	}
	if err := m.Lock(); err != nil {
		if !errors.Is(err, ErrOutOfMemory) && !errors.Is(err, ErrPermission) {
			t.Fatal(err)
		}
		t.Logf("Lock refused: %v", err)
	} else if err := m.Unlock(); err != nil {
		t.Error(err)
	}
}

// Every method of a closed map returns the library's closed-handle error.
func TestClosedMap(t *testing.T) {
	m, err := OpenReadWrite(writeFile(t, "closed.bin", pattern(64)))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// A second Close is harmless and says so.
	err = m.Close()
	if !errors.Is(err, ErrClosed) || !errors.Is(err, fs.ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if m.Bytes() != nil || m.Len() != 0 {
		t.Error("Bytes or Len after Close")
	}
	calls := map[string]func() error{
		"Flush":           m.Flush,
		"FlushAsync":      m.FlushAsync,
		"FlushRange":      func() error { return m.FlushRange(0, 1) },
		"FlushRangeAsync": func() error { return m.FlushRangeAsync(0, 1) },
		"Advise":          func() error { return m.Advise(AdviceNormal, 0, ToEnd) },
		"Populate":        func() error { _, err := m.Populate(); return err },
		"Lock":            m.Lock,
		"Unlock":          m.Unlock,
		"Info":            func() error { _, err := m.Info(); return err },
		"Resize":          func() error { return m.Resize(128) },
		"ReadAt":          func() error { _, err := m.ReadAt(make([]byte, 1), 0); return err },
		"WriteAt":         func() error { _, err := m.WriteAt([]byte{1}, 0); return err },
		"NewRecords":      func() error { _, err := NewRecords[uint64](m, Key{}); return err },
	}
	for name, call := range calls {
		err := call()
		var e *Error
		if !errors.As(err, &e) || e.Code != CodeClosed || e.Message == "" {
			t.Errorf("%s on a closed map: %v", name, err)
		}
	}
}

// ReadAt racing with Close never touches unmapped memory: each read gets
// the data or the closed error.
func TestReadAtRacingClose(t *testing.T) {
	data := pattern(1 << 16)
	path := writeFile(t, "race.bin", data)
	for range 20 {
		m, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for g := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 512)
				for i := 0; ; i++ {
					off := int64((g*4099 + i*512) % (len(data) - 512))
					_, err := m.ReadAt(buf, off)
					if errors.Is(err, ErrClosed) {
						return
					}
					if err != nil || !bytes.Equal(buf, data[off:off+512]) {
						t.Errorf("ReadAt(%d): %v", off, err)
						return
					}
				}
			}()
		}
		mustClose(t, m)
		wg.Wait()
	}
}

// A file truncated under the map: ReadAt reports the fault as an error
// instead of the program dying of SIGBUS.
func TestReadAtTruncatedFile(t *testing.T) {
	path := writeFile(t, "shrink.bin", pattern(8*PageSize()))
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, m)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err = m.ReadAt(make([]byte, 16), int64(4*PageSize()))
	wantError(t, err, CodeIO, "memory fault", "truncated")
}
