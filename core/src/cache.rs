//! `MapCache`: a bounded set of open read-only maps, shared by path.
//!
//! A hit returns the very map already open (the same `Arc<Map>`). When a
//! new map takes the cache past its limits (a number of maps, a number of
//! mapped bytes), the least recently used maps are closed first, but
//! never one that someone still holds: a held map stays open, and
//! counted, until it is released and a later call trims the cache. So
//! the limits can be exceeded only by maps callers are using.
//!
//! Maps are keyed by the path exactly as given (`a/b` and `./a/b` are two
//! entries of the same file). The cache does not watch the files: a file
//! replaced on disk is seen after [`MapCache::invalidate`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::error::Result;
use crate::map::Map;

/// Counters of a cache, as of one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Maps in the cache.
    pub maps: usize,
    /// Their bytes.
    pub bytes: u64,
    /// Gets answered by a map already open.
    pub hits: u64,
    /// Gets that opened a map.
    pub misses: u64,
    /// Maps closed to stay within the limits.
    pub evictions: u64,
}

struct Entry {
    map: Arc<Map>,
    last_used: u64,
}

struct Inner {
    entries: HashMap<PathBuf, Entry>,
    bytes: u64,
    tick: u64,
    stats: CacheStats,
}

/// A thread-safe cache of open read-only maps (see the module docs).
///
/// ```
/// # fn main() -> mapview::Result<()> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("data.bin");
/// # std::fs::write(&path, b"cached bytes").unwrap();
/// use std::sync::Arc;
/// let cache = mapview::MapCache::new(64, 1 << 30); // 64 maps, 1 GiB
/// let a = cache.get(&path)?;
/// let b = cache.get(&path)?;
/// assert!(Arc::ptr_eq(&a, &b));
/// assert_eq!(&a[..], b"cached bytes");
/// # Ok(()) }
/// ```
pub struct MapCache {
    max_maps: usize,
    max_bytes: u64,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for MapCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MapCache")
            .field("max_maps", &self.max_maps)
            .field("max_bytes", &self.max_bytes)
            .field("stats", &self.stats())
            .finish()
    }
}

impl MapCache {
    /// A cache of at most `max_maps` maps and `max_bytes` mapped bytes
    /// (0 means no limit for either).
    pub fn new(max_maps: usize, max_bytes: u64) -> MapCache {
        MapCache {
            max_maps: if max_maps == 0 { usize::MAX } else { max_maps },
            max_bytes: if max_bytes == 0 { u64::MAX } else { max_bytes },
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                bytes: 0,
                tick: 0,
                stats: CacheStats::default(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while the lock is held in a way that leaves the
        // table inconsistent, so a poisoned lock is still usable.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The map of `path`: the cached one, or a new read-only map of the
    /// whole file, which then joins the cache (closing the least recently
    /// used maps nobody holds if the limits are exceeded).
    pub fn get(&self, path: impl AsRef<Path>) -> Result<Arc<Map>> {
        let path = path.as_ref();
        {
            let mut inner = self.lock();
            inner.tick += 1;
            let tick = inner.tick;
            if let Some(e) = inner.entries.get_mut(path) {
                e.last_used = tick;
                let map = Arc::clone(&e.map);
                inner.stats.hits += 1;
                return Ok(map);
            }
        }
        // Open without holding the lock: other threads' hits go on. Two
        // threads missing the same path both open it; the first to insert
        // wins and the other's map is dropped, so both get the same map.
        let opened = Arc::new(Map::open(path)?);
        let mut inner = self.lock();
        inner.tick += 1;
        let tick = inner.tick;
        if let Some(e) = inner.entries.get_mut(path) {
            e.last_used = tick;
            let map = Arc::clone(&e.map);
            inner.stats.hits += 1;
            return Ok(map);
        }
        inner.stats.misses += 1;
        inner.bytes += opened.len() as u64;
        inner.entries.insert(
            path.to_path_buf(),
            Entry {
                map: Arc::clone(&opened),
                last_used: tick,
            },
        );
        self.trim_locked(&mut inner);
        Ok(opened)
    }

    /// Closes least recently used maps that nobody holds until the cache is
    /// within its limits (or only held maps are left).
    pub fn trim(&self) {
        let mut inner = self.lock();
        self.trim_locked(&mut inner);
    }

    fn trim_locked(&self, inner: &mut Inner) {
        while inner.entries.len() > self.max_maps || inner.bytes > self.max_bytes {
            // The cache's own reference is the only one: nobody holds it.
            let victim = inner
                .entries
                .iter()
                .filter(|(_, e)| Arc::strong_count(&e.map) == 1)
                .min_by_key(|(_, e)| e.last_used)
                .map(|(p, _)| p.clone());
            let Some(victim) = victim else { break };
            if let Some(e) = inner.entries.remove(&victim) {
                inner.bytes -= e.map.len() as u64;
                inner.stats.evictions += 1;
            }
        }
    }

    /// Drops the cache's map of `path` (holders keep theirs); the next get
    /// maps the file afresh. Whether there was one.
    pub fn invalidate(&self, path: impl AsRef<Path>) -> bool {
        let mut inner = self.lock();
        match inner.entries.remove(path.as_ref()) {
            Some(e) => {
                inner.bytes -= e.map.len() as u64;
                true
            }
            None => false,
        }
    }

    /// Drops every map from the cache (holders keep theirs).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.bytes = 0;
    }

    /// Whether `path` has a map in the cache.
    pub fn contains(&self, path: impl AsRef<Path>) -> bool {
        self.lock().entries.contains_key(path.as_ref())
    }

    pub fn stats(&self) -> CacheStats {
        let inner = self.lock();
        CacheStats {
            maps: inner.entries.len(),
            bytes: inner.bytes,
            ..inner.stats
        }
    }

    /// The most maps the cache keeps (`usize::MAX`: no limit).
    pub fn max_maps(&self) -> usize {
        self.max_maps
    }

    /// The most bytes the cache keeps mapped (`u64::MAX`: no limit).
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }
}
