//! The map cache: hits return the same map, least recently used maps go
//! first, held maps are never closed, limits on count and bytes, and many
//! threads at once.
mod common;

use std::sync::{Arc, Barrier};

use mapview::array::Array;
use mapview::{ErrorKind, MapCache};

fn files(dir: &tempfile::TempDir, n: usize, len: usize) -> Vec<std::path::PathBuf> {
    (0..n)
        .map(|i| common::file_with(dir, &format!("f{i}"), &vec![i as u8; len]))
        .collect()
}

#[test]
fn a_hit_returns_the_same_map() {
    let dir = tempfile::tempdir().unwrap();
    let p = files(&dir, 1, 100);
    let cache = MapCache::new(4, 0);
    let a = cache.get(&p[0]).unwrap();
    let b = cache.get(&p[0]).unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(a.as_ptr(), b.as_ptr());
    let s = cache.stats();
    assert_eq!(
        (s.maps, s.bytes, s.hits, s.misses, s.evictions),
        (1, 100, 1, 1, 0)
    );
    assert!(cache.contains(&p[0]));
}

#[test]
fn least_recently_used_goes_first() {
    let dir = tempfile::tempdir().unwrap();
    let p = files(&dir, 4, 10);
    let cache = MapCache::new(3, 0);
    for f in &p[..3] {
        drop(cache.get(f).unwrap());
    }
    drop(cache.get(&p[0]).unwrap()); // p0 is now the most recent
    drop(cache.get(&p[3]).unwrap()); // evicts p1, the least recent
    assert!(cache.contains(&p[0]) && !cache.contains(&p[1]));
    assert!(cache.contains(&p[2]) && cache.contains(&p[3]));
    assert_eq!(cache.stats().evictions, 1);
}

#[test]
fn held_maps_are_never_closed() {
    let dir = tempfile::tempdir().unwrap();
    let p = files(&dir, 4, 10);
    let cache = MapCache::new(2, 0);
    let held: Vec<_> = p[..3].iter().map(|f| cache.get(f).unwrap()).collect();
    // Three held maps in a cache of two: none could be closed.
    assert_eq!(cache.stats().maps, 3);
    assert!(
        held.iter()
            .enumerate()
            .all(|(i, m)| m.iter().all(|&b| b == i as u8))
    );
    drop(held);
    cache.trim();
    assert_eq!(cache.stats().maps, 2);
    // The most recent two survived the trim.
    assert!(!cache.contains(&p[0]) && cache.contains(&p[2]));
}

#[test]
fn byte_limit() {
    let dir = tempfile::tempdir().unwrap();
    let p = files(&dir, 5, 4096);
    let cache = MapCache::new(0, 3 * 4096);
    for f in &p {
        drop(cache.get(f).unwrap());
    }
    let s = cache.stats();
    assert_eq!((s.maps, s.bytes, s.evictions), (3, 3 * 4096, 2));
    assert!(cache.invalidate(&p[4]));
    assert!(!cache.invalidate(&p[4]));
    assert_eq!(cache.stats().bytes, 2 * 4096);
    cache.clear();
    assert_eq!(cache.stats().maps, 0);
    assert_eq!(cache.max_bytes(), 3 * 4096);
    assert_eq!(cache.max_maps(), usize::MAX);
}

#[test]
fn invalidate_sees_a_replaced_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = common::file_with(&dir, "v", b"old");
    let cache = MapCache::new(8, 0);
    let old = cache.get(&p).unwrap();
    std::fs::remove_file(&p).unwrap();
    std::fs::write(&p, b"new!").unwrap();
    assert_eq!(
        &cache.get(&p).unwrap()[..],
        b"old",
        "the cache does not watch files"
    );
    cache.invalidate(&p);
    assert_eq!(&cache.get(&p).unwrap()[..], b"new!");
    assert_eq!(&old[..], b"old", "a held map stays valid");
}

#[test]
fn errors_are_not_cached() {
    let dir = tempfile::tempdir().unwrap();
    let cache = MapCache::new(8, 0);
    let missing = dir.path().join("missing");
    assert_eq!(cache.get(&missing).unwrap_err().kind(), ErrorKind::NotFound);
    std::fs::write(&missing, b"here now").unwrap();
    assert_eq!(&cache.get(&missing).unwrap()[..], b"here now");
}

#[test]
fn arrays_over_cached_maps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.npy");
    let data: Vec<u8> = [1.0f64, 2.0, 3.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    Array::create_from_bytes(
        &path,
        mapview::array::DType::F64,
        &[3],
        Default::default(),
        &data,
    )
    .unwrap();
    let cache = MapCache::new(8, 0);
    let a = Array::from_npy(cache.get(&path).unwrap()).unwrap();
    let b = Array::from_npy(cache.get(&path).unwrap()).unwrap();
    assert_eq!(a.data().as_ptr(), b.data().as_ptr());
    assert_eq!(a.sum().as_f64(), 6.0);
}

#[test]
fn many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let p = Arc::new(files(&dir, 16, 512));
    let cache = Arc::new(MapCache::new(6, 0));
    let threads = 8;
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let (p, cache, barrier) = (Arc::clone(&p), Arc::clone(&cache), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                let mut x = t as u64 + 1;
                let mut held = Vec::new();
                for round in 0..20_000 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    // Skewed towards the first files, so there are hits.
                    let i = ((x % 16) * (x % 16) / 16) as usize;
                    let m = cache.get(&p[i]).unwrap();
                    assert_eq!(m.len(), 512);
                    assert!(
                        m[0] == i as u8 && m[511] == i as u8,
                        "the map of the right file"
                    );
                    if round % 97 == 0 {
                        held.push(m); // hold some for a while
                    }
                    if held.len() > 3 {
                        held.remove(0);
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    // Maps held at the end of the run were released without a later get;
    // a trim closes them down to the limit.
    assert!(cache.stats().maps <= 6 + threads * 4);
    cache.trim();
    let s = cache.stats();
    assert!(
        s.maps <= 6,
        "held maps were released, so the cache is back within its limit: {s:?}"
    );
    assert_eq!(s.hits + s.misses, 8 * 20_000);
    assert!(s.hits > s.misses, "{s:?}");
    // Same path from many threads at once: all get the same map.
    let q = Arc::new(common::file_with(&dir, "same", b"same"));
    let fresh = Arc::new(MapCache::new(2, 0));
    let barrier = Arc::new(Barrier::new(threads));
    // Spawn them all before joining any: each waits at the barrier.
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let (q, fresh, barrier) = (Arc::clone(&q), Arc::clone(&fresh), Arc::clone(&barrier));
            std::thread::spawn(move || {
                barrier.wait();
                fresh.get(&*q).unwrap()
            })
        })
        .collect();
    let maps: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(maps.windows(2).all(|w| Arc::ptr_eq(&w[0], &w[1])));
}
