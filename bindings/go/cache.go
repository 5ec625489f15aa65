package mapview

// #include "mapview.h"
import "C"

import (
	"runtime"
	"unsafe"
)

// Cache keeps read-only maps of files open for reuse: a second Get of the
// same path is answered by the map already open. It closes the least
// recently used maps to stay within its limits, but never one that is
// held (by a CachedMap not yet released, or an Array from GetArray not yet
// closed). Its methods may be called from any goroutine.
//
// A Cache hands out no memory itself (what Get returns stays valid after
// the cache is closed), so its cleanup always closes it.
type Cache struct {
	id      uint64
	cleanup runtime.Cleanup
}

func (c *Cache) handle() C.mapview_cache { return C.mapview_cache{id: C.uint64_t(c.id)} }

func closeCache(id uint64) { C.mapview_cache_close(C.mapview_cache{id: C.uint64_t(id)}) }

// NewCache makes a cache of at most maxMaps open maps and maxBytes mapped
// bytes (0: no limit).
func NewCache(maxMaps, maxBytes uint64) (*Cache, error) {
	var h C.mapview_cache
	var cerr *C.mapview_error
	if err := takeError(C.mapview_cache_create(C.uint64_t(maxMaps), C.uint64_t(maxBytes), &h, &cerr), cerr); err != nil {
		return nil, err
	}
	c := &Cache{id: uint64(h.id)}
	c.cleanup = runtime.AddCleanup(c, closeCache, c.id)
	return c, nil
}

// CachedMap is a read-only map of a whole file taken from a Cache. While
// it is not released, the cache does not close the map.
type CachedMap struct {
	state   *handleState
	cleanup runtime.Cleanup
	region
}

func (m *CachedMap) handle() C.mapview_cached_map {
	return C.mapview_cached_map{id: C.uint64_t(m.state.id)}
}

func releaseUnexposedCachedMap(s *handleState) {
	if !s.exposed.Load() {
		C.mapview_cached_map_release(C.mapview_cached_map{id: C.uint64_t(s.id)})
	}
}

// Get returns the read-only map of the whole file at path: the one the
// cache has open (the same memory as before), or a new one that joins the
// cache. Paths are compared as given. Release it when done.
func (c *Cache) Get(path string) (*CachedMap, error) {
	p, n := cPath(path)
	var h C.mapview_cached_map
	var cerr *C.mapview_error
	// The bytes are fetched below with mapview_cached_map_data.
	st := C.mapview_cache_get(c.handle(), p, n, &h, nil, nil, &cerr)
	runtime.KeepAlive(c)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	m := &CachedMap{state: &handleState{id: uint64(h.id)}}
	var data *C.uint8_t
	var size C.size_t
	if err := takeError(C.mapview_cached_map_data(h, &data, &size, &cerr), cerr); err != nil {
		C.mapview_cached_map_release(h)
		return nil, err
	}
	m.data, m.n = unsafe.Pointer(data), int(size)
	m.cleanup = runtime.AddCleanup(m, releaseUnexposedCachedMap, m.state)
	return m, nil
}

// Bytes returns the file's bytes, valid until Release (nil afterwards),
// even if the cache is cleared or closed meanwhile. They are read-only:
// writing to them crashes the program.
func (m *CachedMap) Bytes() []byte { return m.bytes(m.state) }

// Len is the map's length in bytes (0 once released).
func (m *CachedMap) Len() int { return m.len() }

// Release hands the map back: the cache may close it from now on, and
// Bytes slices must not be used any more. A second Release returns an
// error matching ErrClosed.
func (m *CachedMap) Release() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := C.mapview_cached_map_release(m.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		m.markClosed()
		m.cleanup.Stop()
	}
	return statusError(st, "release cached map")
}

// Close is Release, for io.Closer.
func (m *CachedMap) Close() error { return m.Release() }

// GetArray returns a read-only array over the cached map of path (spec nil
// for a .npy file, or a raw spec as for OpenArray). The array holds the
// map until it is closed.
func (c *Cache) GetArray(path string, spec *ArraySpec) (*Array, error) {
	var pin runtime.Pinner
	defer pin.Unpin()
	p, n := cPath(path)
	var h C.mapview_array
	var cerr *C.mapview_error
	st := C.mapview_cache_get_array(c.handle(), p, n, spec.toC(&pin), &h, &cerr)
	runtime.KeepAlive(c)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	return wrapArray(h)
}

// CacheStats are a cache's counters (mapview_cache_stats).
type CacheStats struct {
	Maps      uint64 // maps in the cache
	Bytes     uint64 // their bytes
	Hits      uint64 // gets answered by a map already open
	Misses    uint64 // gets that opened a map
	Evictions uint64 // maps closed to stay within the limits
}

// Stats returns the cache's counters.
func (c *Cache) Stats() (CacheStats, error) {
	var s C.mapview_cache_stats
	var cerr *C.mapview_error
	st := C.mapview_cache_stats_get(c.handle(), &s, &cerr)
	runtime.KeepAlive(c)
	if err := takeError(st, cerr); err != nil {
		return CacheStats{}, err
	}
	return CacheStats{Maps: uint64(s.maps), Bytes: uint64(s.bytes), Hits: uint64(s.hits),
		Misses: uint64(s.misses), Evictions: uint64(s.evictions)}, nil
}

// Invalidate drops the cache's map of path (holders keep theirs), so the
// next Get maps the file afresh, e.g. after it was replaced. It reports
// whether there was one.
func (c *Cache) Invalidate(path string) (bool, error) {
	p, n := cPath(path)
	var removed C.bool
	var cerr *C.mapview_error
	st := C.mapview_cache_invalidate(c.handle(), p, n, &removed, &cerr)
	runtime.KeepAlive(c)
	return bool(removed), takeError(st, cerr)
}

// Contains tells whether the cache holds a map of path (as given).
func (c *Cache) Contains(path string) (bool, error) {
	p, n := cPath(path)
	var found C.bool
	var cerr *C.mapview_error
	st := C.mapview_cache_contains(c.handle(), p, n, &found, &cerr)
	runtime.KeepAlive(c)
	return bool(found), takeError(st, cerr)
}

// Clear drops every map from the cache; holders keep theirs.
func (c *Cache) Clear() error {
	var cerr *C.mapview_error
	st := C.mapview_cache_clear(c.handle(), &cerr)
	runtime.KeepAlive(c)
	return takeError(st, cerr)
}

// Trim closes least recently used maps nobody holds until the cache is
// within its limits.
func (c *Cache) Trim() error {
	var cerr *C.mapview_error
	st := C.mapview_cache_trim(c.handle(), &cerr)
	runtime.KeepAlive(c)
	return takeError(st, cerr)
}

// Close closes the cache. Cached maps and arrays still held stay valid
// until released or closed. A second Close returns an error matching
// ErrClosed.
func (c *Cache) Close() error {
	st := C.mapview_cache_close(c.handle())
	if st == C.MAPVIEW_OK || Code(st) == CodeClosed {
		c.cleanup.Stop()
	}
	return statusError(st, "close cache")
}
