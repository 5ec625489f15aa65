package mapview

import (
	"bytes"
	"errors"
	"path/filepath"
	"testing"
)

func TestWindowsWalk(t *testing.T) {
	data := pattern(100003)
	path := writeFile(t, "walk.bin", data)
	for _, c := range []struct{ size, overlap uint64 }{{4096, 0}, {4096, 15}, {1, 0}, {100003, 0}, {1 << 20, 7}, {1000, 999}} {
		w, err := OpenWindows(path, c.size, c.overlap)
		if err != nil {
			t.Fatal(err)
		}
		total, err := w.Count()
		if err != nil {
			t.Fatal(err)
		}
		var n, next uint64
		for w.Next() {
			win := w.Window()
			end := min(next+c.size, uint64(len(data)))
			if win.Index != n || win.FileOffset != next || !bytes.Equal(win.Data, data[next:end]) {
				t.Fatalf("%+v: window %d at %d, %d bytes", c, win.Index, win.FileOffset, len(win.Data))
			}
			n++
			if end == uint64(len(data)) {
				next = end
			} else {
				next = end - c.overlap
			}
		}
		if err := w.Err(); err != nil {
			t.Fatal(err)
		}
		if n != total || next != uint64(len(data)) {
			t.Errorf("%+v: %d windows, Count %d, ended at %d", c, n, total, next)
		}
		if w.Next() || w.Window().Data != nil {
			t.Error("Next after the end")
		}
		mustClose(t, w)
	}
}

// With overlap = len(pattern)-1, every occurrence lies whole in a window,
// including those that straddle a boundary.
func TestWindowsOverlapFindsStraddlingPattern(t *testing.T) {
	data := bytes.Repeat([]byte{'.'}, 10000)
	needle := []byte("NEEDLE")
	at := []int{0, 4093, 4096 - 3, 8190, 10000 - 6}
	for _, a := range at {
		copy(data[a:], needle)
	}
	path := writeFile(t, "needle.bin", data)
	found := map[uint64]bool{}
	for win, err := range AllWindows(path, 4096, uint64(len(needle)-1)) {
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; {
			j := bytes.Index(win.Data[i:], needle)
			if j < 0 {
				break
			}
			found[win.FileOffset+uint64(i+j)] = true
			i += j + 1
		}
	}
	for _, a := range at {
		if !found[uint64(a)] {
			t.Errorf("occurrence at %d not found", a)
		}
	}
}

func TestWindowsEmptyAndErrors(t *testing.T) {
	w, err := OpenWindows(writeFile(t, "empty.bin", nil), 4096, 0)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := w.Count(); n != 0 || err != nil {
		t.Errorf("Count = %d, %v", n, err)
	}
	if w.Next() || w.Err() != nil {
		t.Error("an empty file gave a window")
	}
	mustClose(t, w)

	path := writeFile(t, "small.bin", pattern(100))
	_, err = OpenWindows(path, 0, 0)
	wantError(t, err, CodeInvalidArgument)
	_, err = OpenWindows(path, 10, 10)
	wantError(t, err, CodeInvalidArgument)
	missing := filepath.Join(t.TempDir(), "missing.bin")
	_, err = OpenWindows(missing, 10, 0)
	wantError(t, err, CodeNotFound, missing)
	for _, err := range AllWindows(missing, 10, 0) {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("AllWindows of a missing file: %v", err)
		}
	}

	// Closed: every method reports it.
	w, err = OpenWindows(path, 10, 0)
	if err != nil {
		t.Fatal(err)
	}
	w.Next()
	mustClose(t, w)
	if err := w.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if w.Next() || !errors.Is(w.Err(), ErrClosed) {
		t.Errorf("Next after Close: %v", w.Err())
	}
	if _, err := w.Count(); !errors.Is(err, ErrClosed) {
		t.Errorf("Count after Close: %v", err)
	}
	n := 0
	for _, err := range w.All() {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("All after Close: %v", err)
		}
		n++
	}
	if n != 1 {
		t.Errorf("All after Close yielded %d pairs", n)
	}
}

func TestWindowsAllBreakAndResume(t *testing.T) {
	data := pattern(10 * 1000)
	w, err := OpenWindows(writeFile(t, "resume.bin", data), 1000, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, w)
	for win := range w.All() {
		if win.Index == 2 {
			break
		}
	}
	// The iterator goes on from where the loop stopped.
	if !w.Next() || w.Window().Index != 3 {
		t.Errorf("after break: window %d", w.Window().Index)
	}
}
