package mapview_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"mapview.dev/mapview"
)

// tempDir makes a scratch directory for an example.
func tempDir() string {
	dir, err := os.MkdirTemp("", "mapview-example-")
	if err != nil {
		panic(err)
	}
	return dir
}

func ExampleOpen() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "hello.txt")
	os.WriteFile(path, []byte("hello\nmapped\nworld\n"), 0o644)

	m, err := mapview.Open(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	data := m.Bytes() // the file's pages, no copy
	fmt.Println(m.Len(), "bytes,", bytes.Count(data, []byte("\n")), "lines")
	fmt.Printf("%s\n", data[6:12])
	// Output:
	// 19 bytes, 3 lines
	// mapped
}

func ExampleOpen_notFound() {
	_, err := mapview.Open("/no/such/file.bin")
	fmt.Println(errors.Is(err, mapview.ErrNotFound), errors.Is(err, fs.ErrNotExist))
	var e *mapview.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, "/", e.Code == mapview.CodeNotFound)
	}
	// Output:
	// true true
	// not found / true
}

func ExampleOpenFile_range() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "data.bin")
	os.WriteFile(path, []byte("0123456789abcdefghij"), 0o644)

	// Any offset, not only a page boundary.
	m, err := mapview.OpenFile(path, mapview.ModeReadOnly, &mapview.Options{Offset: 10, Length: 6})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	fmt.Printf("%s\n", m.Bytes())
	// Output: abcdef
}

// Fixed-size records, sorted by ID, searched by the library's binary search.
func ExampleRecords_SearchUint() {
	type user struct {
		ID    uint64
		Score uint32
		Age   uint32
	}
	dir := tempDir()
	defer os.RemoveAll(dir)
	m, err := mapview.Create(filepath.Join(dir, "users.bin"), 4*16, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()

	key, _ := mapview.FieldKey[user]("ID", mapview.KeyUnsignedLE)
	users, err := mapview.NewRecords[user](m, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	all, _ := users.Slice() // a []user over the file
	for i := range all {
		all[i] = user{ID: uint64(100 * (i + 1)), Score: uint32(10 * i), Age: uint32(20 + i)}
	}

	i, found, _ := users.SearchUint(300)
	u, _ := users.At(i)
	fmt.Println(i, found, u.Score, u.Age)
	i, found, _ = users.SearchUint(250)
	fmt.Println(i, found)
	// Output:
	// 2 true 20 22
	// 2 false
}

func ExampleAllWindows() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "big.txt")
	os.WriteFile(path, bytes.Repeat([]byte("line\n"), 1000), 0o644)

	// 1 KiB windows: one small mapping at a time, whatever the file's size.
	lines := 0
	for win, err := range mapview.AllWindows(path, 1024, 0) {
		if err != nil {
			fmt.Println(err)
			return
		}
		lines += bytes.Count(win.Data, []byte("\n"))
	}
	fmt.Println(lines, "lines")
	// Output: 1000 lines
}

func ExampleCreateLog() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "events.log")

	w, err := mapview.CreateLog(path, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer w.Close()
	w.Append([]byte("started"))
	w.AppendBatch([][]byte{[]byte("step 1"), []byte("step 2")})

	r, err := mapview.OpenLogReader(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	for ev, err := range r.All() {
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("%d: %s\n", ev.Offset, ev.Payload)
	}
	rep, _ := mapview.VerifyLog(path)
	fmt.Println(rep.GoodEvents, "good,", rep.DamagedEvents, "damaged")
	// Output:
	// 128: started
	// 152: step 1
	// 176: step 2
	// 3 good, 0 damaged
}

func ExampleMap_Close() {
	m, _ := mapview.Anonymous(4096, false, nil)
	fmt.Println(m.Close())
	err := m.Close() // a second Close is harmless and says so
	fmt.Println(errors.Is(err, mapview.ErrClosed), errors.Is(err, fs.ErrClosed))
	_, err = m.Info()
	fmt.Println(errors.Is(err, mapview.ErrClosed))
	// Output:
	// <nil>
	// true true
	// true
}

func ExampleSearchDir() {
	dir := tempDir()
	defer os.RemoveAll(dir)
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("one\ntwo\nthree\n"), 0o644)

	sum, err := mapview.SearchDir(dir, "t[wh]", &mapview.SearchOptions{
		OnMatch: func(m mapview.SearchMatch) error {
			fmt.Printf("%s:%d:%s\n", filepath.Base(m.Path), m.LineNumber, m.Line)
			return nil
		},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(sum.FilesMatched, "file,", sum.LinesMatched, "lines")
	// Output:
	// a.txt:2:two
	// a.txt:3:three
	// 1 file, 2 lines
}

func ExampleCreateArray() {
	dir := tempDir()
	defer os.RemoveAll(dir)

	// A .npy file that np.load reads: float64, shape (2, 3), zeros.
	a, err := mapview.CreateArray(filepath.Join(dir, "x.npy"),
		mapview.ArraySpec{DType: mapview.DTypeFloat64, Shape: []uint64{2, 3}}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer a.Close()
	x, _ := mapview.Elements[float64](a) // a []float64 over the file
	for i := range x {
		x[i] = float64(i)
	}
	sum, _ := a.Sum()
	mean, _ := a.Mean()
	fmt.Println(sum, mean, sum.DType)
	// Output: 15 2.5 float64
}
