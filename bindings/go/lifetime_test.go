package mapview

import (
	"bytes"
	"errors"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// collect runs the garbage collector until cond holds (cleanups run on
// their own goroutine after a collection) or five seconds have passed.
func collect(cond func() bool) bool {
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		runtime.GC()
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return false
}

// probeMap is a Map for an existing handle id with no cleanup of its own,
// to ask the library whether the handle is still open.
func probeMap(id uint64) *Map { return &Map{state: &handleState{id: id}} }

func TestCleanupClosesUnexposedMap(t *testing.T) {
	path := writeFile(t, "drop.bin", pattern(4096))
	var ids []uint64
	for range 3 {
		m, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		// Calls that copy (ReadAt) or ask (Info) hand out no memory.
		if _, err := m.ReadAt(make([]byte, 8), 0); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.state.id)
	}
	for _, id := range ids {
		if !collect(func() bool { _, err := probeMap(id).Info(); return errors.Is(err, ErrClosed) }) {
			t.Errorf("map %#x was not closed by its cleanup", id)
		}
	}
}

// The rule that keeps Bytes safe: once memory has been handed out, the
// cleanup never unmaps it, even when the Map itself is garbage.
func TestCleanupNeverUnmapsExposedMap(t *testing.T) {
	want := pattern(1 << 20)
	path := writeFile(t, "keep.bin", want)
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	id := m.state.id
	b := m.Bytes()
	m = nil
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if !bytes.Equal(b, want) { // would fault if the cleanup had unmapped
		t.Fatal("slice changed")
	}
	probe := probeMap(id)
	if _, err := probe.Info(); err != nil {
		t.Fatalf("exposed map was closed: %v", err)
	}
	mustClose(t, probe) // the leak the rule accepts, undone by hand
}

func TestCleanupNeverUnmapsRecordPointer(t *testing.T) {
	path := writeFile(t, "rec.bin", u64Records(100))
	id, rec := func() (uint64, *pair) {
		m, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		r, err := NewRecords[pair](m, Key{Size: 8, Kind: KeyUnsignedLE})
		if err != nil {
			t.Fatal(err)
		}
		p, err := r.Get(7)
		if err != nil {
			t.Fatal(err)
		}
		return m.state.id, p
	}()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if rec.Key != 21 || rec.Value != 49 {
		t.Errorf("record = %+v", *rec)
	}
	mustClose(t, probeMap(id))
}

// After Resize the earlier slices are invalid by contract, so a map that
// was exposed before a Resize and not after may be closed by its cleanup.
func TestCleanupAfterResize(t *testing.T) {
	m, err := Anonymous(4096, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = m.Bytes()
	if err := m.Resize(8192); err != nil {
		t.Fatal(err)
	}
	id := m.state.id
	m = nil
	if !collect(func() bool { _, err := probeMap(id).Info(); return errors.Is(err, ErrClosed) }) {
		t.Error("map not closed by its cleanup after Resize")
	}
}

func TestCleanupClosesLogWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "drop.log")
	func() {
		w, err := CreateLog(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Append([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}()
	// The dropped writer held the writer lock; its cleanup releases it.
	var w *LogWriter
	if !collect(func() bool {
		var err error
		w, err = OpenLogWriter(path)
		return err == nil
	}) {
		t.Fatal("the dropped writer's lock was never released")
	}
	mustClose(t, w)
}

func TestCleanupWindows(t *testing.T) {
	data := pattern(10000)
	path := writeFile(t, "win.bin", data)
	// Exhausted: no window is live, so the cleanup closes the iterator.
	id := func() uint64 {
		w, err := OpenWindows(path, 4096, 0)
		if err != nil {
			t.Fatal(err)
		}
		for w.Next() {
		}
		return w.state.id
	}()
	probe := &Windows{state: &handleState{id: id}}
	if !collect(func() bool { _, err := probe.Count(); return errors.Is(err, ErrClosed) }) {
		t.Error("exhausted iterator not closed by its cleanup")
	}
	// A window handed out stays mapped when its iterator is dropped.
	var win Window
	id = func() uint64 {
		w, err := OpenWindows(path, 4096, 0)
		if err != nil {
			t.Fatal(err)
		}
		w.Next()
		win = w.Window()
		return w.state.id
	}()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if !bytes.Equal(win.Data, data[:4096]) {
		t.Error("window changed")
	}
	mustClose(t, &Windows{state: &handleState{id: id}})
}

func TestCleanupLogReaderKeepsPayload(t *testing.T) {
	path := filepath.Join(t.TempDir(), "payload.log")
	w, err := CreateLog(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, w)
	if _, err := w.Append([]byte("still here")); err != nil {
		t.Fatal(err)
	}
	var payload []byte
	id := func() uint64 {
		r, err := OpenLogReader(path)
		if err != nil {
			t.Fatal(err)
		}
		ev, ok, err := r.Read(0)
		if !ok || err != nil {
			t.Fatal(ok, err)
		}
		payload = ev.Payload
		return r.state.id
	}()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if string(payload) != "still here" {
		t.Errorf("payload = %q", payload)
	}
	mustClose(t, &LogReader{state: &handleState{id: id}})
	// A reader that never handed out a payload is closed by its cleanup.
	id = func() uint64 {
		r, err := OpenLogReader(path)
		if err != nil {
			t.Fatal(err)
		}
		return r.state.id
	}()
	probe := &LogReader{state: &handleState{id: id}}
	if !collect(func() bool { _, _, err := probe.Count(); return errors.Is(err, ErrClosed) }) {
		t.Error("reader not closed by its cleanup")
	}
}

// The same rule for the other handles that hand out memory: shared
// memory, arrays and cached maps are closed by their cleanup only if
// their memory was never handed out.
func TestCleanupSharedMemoryArrayCachedMap(t *testing.T) {
	closedBy := func(probe func() error) bool {
		return collect(func() bool { return errors.Is(probe(), ErrClosed) })
	}
	// Unexposed: closed.
	id := func() uint64 { s, _ := CreateMemfd(4096); return s.state.id }()
	if !closedBy(func() error { _, err := (&SharedMemory{state: &handleState{id: id}}).Info(); return err }) {
		t.Error("shared memory not closed by its cleanup")
	}
	path := filepath.Join(t.TempDir(), "a.npy")
	id = func() uint64 {
		a, err := CreateArray(path, ArraySpec{DType: DTypeUint8, Shape: []uint64{8}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return a.state.id
	}()
	if !closedBy(func() error { _, err := (&Array{state: &handleState{id: id}}).Info(); return err }) {
		t.Error("array not closed by its cleanup")
	}
	c, err := NewCache(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, c)
	id = func() uint64 { m, _ := c.Get(path); return m.state.id }()
	if !closedBy(func() error { return (&CachedMap{state: &handleState{id: id}}).Release() }) {
		t.Error("cached map not released by its cleanup")
	}

	// Exposed: left alone, the memory stays readable.
	var shm, arr, cached []byte
	ids := func() [3]uint64 {
		s, _ := CreateMemfd(4096)
		copy(s.Bytes(), "shm")
		shm = s.Bytes()
		a, _ := OpenArray(path, ModeReadWrite, nil)
		copy(a.Bytes(), "arr")
		arr = a.Bytes()
		m, _ := c.Get(path)
		cached = m.Bytes()
		return [3]uint64{s.state.id, a.state.id, m.state.id}
	}()
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if string(shm[:3]) != "shm" || string(arr[:3]) != "arr" || len(cached) != 128+8 {
		t.Errorf("exposed memory changed: %q %q %d", shm[:3], arr[:3], len(cached))
	}
	mustClose(t, &SharedMemory{state: &handleState{id: ids[0]}})
	mustClose(t, &Array{state: &handleState{id: ids[1]}})
	mustClose(t, &CachedMap{state: &handleState{id: ids[2]}})
}
