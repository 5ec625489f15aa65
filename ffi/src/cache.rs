//! The map cache through the C ABI: a cache handle, and cached-map
//! handles that hold a map open (so the cache never closes it) until
//! released.

use std::ffi::c_char;
use std::sync::Arc;

use mapview::array::Array;
use mapview::{Map, MapCache};

use crate::args::{self, out};
use crate::array::{ArrayObj, mapview_array, mapview_array_spec, parse_spec, register};
use crate::boundary::{guard, guard_status};
use crate::error::{mapview_error, mapview_status};
use crate::handles::Registry;

/// A map cache handle (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_cache {
    pub id: u64,
}

/// A map taken from a cache (a value; 0 is never valid). While it is not
/// released, the cache does not close the map.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_cached_map {
    pub id: u64,
}

/// A cache's counters.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_cache_stats {
    /// Maps in the cache.
    pub maps: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Gets answered by a map already open.
    pub hits: u64,
    /// Gets that opened a map.
    pub misses: u64,
    /// Maps closed to stay within the limits.
    pub evictions: u64,
}

static CACHES: Registry<MapCache> = Registry::new(8, "cache");
static CACHED: Registry<Arc<Map>> = Registry::new(9, "cached map");

/// Creates a cache of at most `max_maps` open maps and `max_bytes` mapped
/// bytes (0: no limit). The least recently used maps are closed first
/// when a new one exceeds a limit, but never one that is held (by a
/// mapview_cached_map or an array from mapview_cache_get_array): held
/// maps may keep the cache over its limits until they are released.
///
/// Ownership: the caller closes the cache with mapview_cache_close.
/// Thread-safety: any thread; one cache may be used by many threads.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_create(
    max_maps: u64,
    max_bytes: u64,
    out_cache: *mut mapview_cache,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_cache = unsafe { out(out_cache, "out_cache") }?;
        out_cache.id = 0;
        let max_maps = usize::try_from(max_maps).unwrap_or(usize::MAX);
        out_cache.id = CACHES.insert(MapCache::new(max_maps, max_bytes));
        Ok(())
    })
}

/// The read-only map of the whole file at `path`: the one the cache has
/// open (a hit: the same memory as before), or a new one that joins the
/// cache. Paths are compared as given. out_data and out_len (either may
/// be NULL) receive the bytes.
///
/// Ownership: the caller releases *out_map with
/// mapview_cached_map_release; the bytes stay valid until then, even if
/// the cache is cleared or closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_get(
    cache: mapview_cache,
    path: *const c_char,
    path_len: usize,
    out_map: *mut mapview_cached_map,
    out_data: *mut *const u8,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_map = unsafe { out(out_map, "out_map") }?;
        out_map.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let map = CACHES.get(cache.id)?.get(path)?;
        // SAFETY (both): NULL or writable (documented above).
        if let Some(slot) = unsafe { out_data.as_mut() } {
            *slot = map.as_ptr();
        }
        if let Some(slot) = unsafe { out_len.as_mut() } {
            *slot = map.len();
        }
        out_map.id = CACHED.insert(map);
        Ok(())
    })
}

/// The bytes of a cached map.
///
/// Validity: until mapview_cached_map_release. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cached_map_data(
    map: mapview_cached_map,
    out_data: *mut *const u8,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        let m = CACHED.get(map.id)?;
        *out_data = m.as_ptr();
        *out_len = m.len();
        Ok(())
    })
}

/// Releases a cached map: the cache may close it from now on (if nothing
/// else holds it). MAPVIEW_ERR_CLOSED if already released.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cached_map_release(map: mapview_cached_map) -> mapview_status {
    guard_status(|| CACHED.remove(map.id).map(drop))
}

/// A read-only array over the cached map of `path` (spec NULL for a .npy
/// file, or a raw spec as for mapview_array_open). The array holds the
/// map until mapview_array_close.
///
/// Ownership: the caller closes the array. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_get_array(
    cache: mapview_cache,
    path: *const c_char,
    path_len: usize,
    spec: *const mapview_array_spec,
    out_array: *mut mapview_array,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_array = unsafe { out(out_array, "out_array") }?;
        out_array.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let spec = unsafe { parse_spec(spec) }?;
        let map = CACHES.get(cache.id)?.get(path)?;
        let made = if spec.raw() {
            Array::from_raw(map, &spec.layout()?)
        } else {
            Array::from_npy(map)
        };
        let a = made.map_err(|e| e.with_path(Some(path)))?;
        register(ArrayObj::Cached(a), out_array);
        Ok(())
    })
}

/// The cache's counters: maps and bytes held now, hits, misses, evictions.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_stats_get(
    cache: mapview_cache,
    out_stats: *mut mapview_cache_stats,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_stats = unsafe { out(out_stats, "out_stats") }?;
        let s = CACHES.get(cache.id)?.stats();
        *out_stats = mapview_cache_stats {
            maps: s.maps as u64,
            bytes: s.bytes,
            hits: s.hits,
            misses: s.misses,
            evictions: s.evictions,
        };
        Ok(())
    })
}

/// Drops the cache's map of `path` (holders keep theirs), so the next get
/// maps the file afresh, e.g. after it was replaced. *out_removed (may be
/// NULL) tells whether there was one.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_invalidate(
    cache: mapview_cache,
    path: *const c_char,
    path_len: usize,
    out_removed: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let path = unsafe { args::path(path, path_len) }?;
        let removed = CACHES.get(cache.id)?.invalidate(path);
        // SAFETY: NULL or writable (documented above).
        if let Some(slot) = unsafe { out_removed.as_mut() } {
            *slot = removed;
        }
        Ok(())
    })
}

/// Whether the cache has a map of `path` (compared as given), in
/// *out_contains. Does not count as a use.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_contains(
    cache: mapview_cache,
    path: *const c_char,
    path_len: usize,
    out_contains: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_contains = unsafe { out(out_contains, "out_contains") }?;
        let path = unsafe { args::path(path, path_len) }?;
        *out_contains = CACHES.get(cache.id)?.contains(path);
        Ok(())
    })
}

/// Drops every map from the cache; holders keep theirs.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_clear(
    cache: mapview_cache,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        CACHES.get(cache.id)?.clear();
        Ok(())
    })
}

/// Closes least recently used maps nobody holds until the cache is within
/// its limits (released maps are otherwise trimmed at the next get).
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_trim(
    cache: mapview_cache,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        CACHES.get(cache.id)?.trim();
        Ok(())
    })
}

/// Closes the cache. Cached maps and arrays still held stay valid until
/// released or closed. MAPVIEW_ERR_CLOSED if already closed.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_cache_close(cache: mapview_cache) -> mapview_status {
    guard_status(|| CACHES.remove(cache.id).map(drop))
}
