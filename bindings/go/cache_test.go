package mapview

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestCache(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("f%d.bin", i))
		if err := os.WriteFile(p, pattern(1000*(i+1)), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	c, err := NewCache(2, 0)
	if err != nil {
		t.Fatal(err)
	}
	a1, err := c.Get(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	a2, err := c.Get(paths[0])
	if err != nil {
		t.Fatal(err)
	}
	if &a1.Bytes()[0] != &a2.Bytes()[0] || a1.Len() != 1000 {
		t.Error("a hit did not give the same memory")
	}
	b, _ := c.Get(paths[1])
	d, _ := c.Get(paths[2])
	// All three are held: the cache goes over its limit rather than close one.
	if s, err := c.Stats(); err != nil || s.Maps != 3 || s.Hits != 1 || s.Misses != 3 || s.Bytes != 6000 {
		t.Errorf("Stats = %+v, %v", s, err)
	}
	for _, m := range []*CachedMap{a1, a2, b, d} {
		mustClose(t, m)
	}
	if err := a1.Release(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Release: %v", err)
	}
	if a1.Bytes() != nil {
		t.Error("Bytes after Release")
	}
	if err := c.Trim(); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Stats(); s.Maps != 2 || s.Evictions != 1 {
		t.Errorf("after Trim: %+v", s)
	}
	if in, err := c.Contains(paths[2]); !in || err != nil {
		t.Errorf("Contains before Invalidate = %v, %v", in, err)
	}
	if removed, err := c.Invalidate(paths[2]); !removed || err != nil {
		t.Errorf("Invalidate = %v, %v", removed, err)
	}
	if in, _ := c.Contains(paths[2]); in {
		t.Error("Contains after Invalidate")
	}
	if removed, _ := c.Invalidate(paths[2]); removed {
		t.Error("second Invalidate removed something")
	}
	held, _ := c.Get(paths[1])
	if err := c.Clear(); err != nil {
		t.Fatal(err)
	}
	if s, _ := c.Stats(); s.Maps != 0 {
		t.Errorf("after Clear: %+v", s)
	}
	_, err = c.Get(filepath.Join(dir, "missing"))
	wantError(t, err, CodeNotFound, "missing")

	// Held maps outlive the cache.
	mustClose(t, c)
	if err := c.Close(); !errors.Is(err, ErrClosed) {
		t.Errorf("second Close: %v", err)
	}
	if string(held.Bytes()[:10]) != string(pattern(10)) {
		t.Error("held map changed after the cache closed")
	}
	mustClose(t, held)
	for name, call := range map[string]func() error{
		"Get":        func() error { _, err := c.Get(paths[0]); return err },
		"GetArray":   func() error { _, err := c.GetArray(paths[0], nil); return err },
		"Stats":      func() error { _, err := c.Stats(); return err },
		"Invalidate": func() error { _, err := c.Invalidate(paths[0]); return err },
		"Contains":   func() error { _, err := c.Contains(paths[0]); return err },
		"Clear":      c.Clear,
		"Trim":       c.Trim,
	} {
		if err := call(); !errors.Is(err, ErrClosed) {
			t.Errorf("%s on a closed cache: %v", name, err)
		}
	}
}

func TestCacheArray(t *testing.T) {
	path := writeFile(t, "c.npy", npyFile("<f8", "(3,)", f64Bytes(1, 2, 4)))
	c, err := NewCache(0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, c)
	a, err := c.GetArray(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := a.Sum(); v.Float != 7 {
		t.Errorf("sum = %v", v)
	}
	if info, _ := a.Info(); info.Writable {
		t.Error("a cached array is writable")
	}
	wantError(t, a.Flush(), CodeReadOnly)
	if s, _ := c.Stats(); s.Maps != 1 {
		t.Errorf("Stats = %+v", s)
	}
	raw, err := c.GetArray(path, &ArraySpec{Format: FormatRaw, DType: DTypeUint8, InferShape: true})
	if err != nil {
		t.Fatal(err)
	}
	if info, _ := raw.Info(); info.Count != uint64(raw.Len()) || raw.Len() < 24 {
		t.Errorf("raw view: %+v", info)
	}
	mustClose(t, raw)
	mustClose(t, a)
}
