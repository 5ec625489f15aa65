//! Array aggregates and the map cache, side by side with their baselines.
//!
//! - sum / mean / min over a cached float64 `.npy` array: mapview's
//!   kernels against the plain Rust loops one would write over the same
//!   mapped `&[f64]` (`iter().sum()`, a fold with `f64::min`). NumPy is the
//!   other baseline; bindings/python/bench.py measures it in one run with
//!   mapview through the C ABI.
//! - a cache hit (`MapCache::get` of a path already open) against opening
//!   and mapping the file afresh.
//!
//! Like core.rs: best of several interleaved runs, figures and ratios
//! printed, goals reported and never asserted.
//!
//! Environment: `MAPVIEW_BENCH_SIZE_MB` (default 1024) and
//! `MAPVIEW_BENCH_DIR` (default: the system temporary directory).

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mapview::array::{Array, DType, Order};
use mapview::{Map, MapCache};

const RUNS: usize = 7;
const HITS: u32 = 1_000_000;

fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (T, Duration) {
    let mut best = Duration::MAX;
    let mut out = None;
    for _ in 0..runs {
        let t = Instant::now();
        let v = black_box(f());
        best = best.min(t.elapsed());
        out = Some(v);
    }
    (out.expect("at least one run"), best)
}

fn report(name: &str, ours: &str, baseline: &str, ratio: &str, goal: &str, met: bool) {
    let verdict = if met { "goal met" } else { "goal MISSED" };
    println!("{name:<34} {ours:<22} {baseline:<30} {ratio:<10} goal {goal:<10} {verdict}");
}

fn main() {
    let size_mb: usize = std::env::var("MAPVIEW_BENCH_SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&mb| mb > 0)
        .unwrap_or(1024);
    let base = std::env::var_os("MAPVIEW_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(&base).expect("create a temporary directory");
    let path = dir.path().join("data.npy");
    let n = size_mb * (1 << 20) / 8;
    println!(
        "mapview array benchmarks: {size_mb} MiB float64 array ({n} elements) in {}",
        base.display()
    );
    {
        let mut a = Array::create(&path, DType::F64, &[n], Order::C).expect("create the array");
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for v in a.as_mut_slice::<f64>().expect("f64 view") {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *v = (x >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
        }
        a.flush().expect("flush");
    }
    let a = Array::open(&path).expect("open the array");
    a.storage().populate().expect("populate");
    let xs = a.as_slice::<f64>().expect("f64 view");
    let gb = a.nbytes() as f64 / 1e9;

    let mut ours = Duration::MAX;
    let mut plain = Duration::MAX;
    let (mut s_ours, mut s_plain) = (0.0, 0.0);
    for _ in 0..RUNS {
        let (s, t) = best(1, || a.sum().as_f64());
        (s_ours, ours) = (s, ours.min(t));
        let (s, t) = best(1, || xs.iter().sum::<f64>());
        (s_plain, plain) = (s, plain.min(t));
    }
    println!("  sums: mapview {s_ours:.6}, plain loop {s_plain:.6}");
    report(
        "sum, float64",
        &format!("{:.2} GB/s", gb / ours.as_secs_f64()),
        &format!("iter().sum() {:.2} GB/s", gb / plain.as_secs_f64()),
        &format!("{:.2}x", plain.as_secs_f64() / ours.as_secs_f64()),
        ">= 1.0x",
        plain >= ours,
    );

    let mut ours = Duration::MAX;
    let mut plain = Duration::MAX;
    for _ in 0..RUNS {
        ours = ours.min(best(1, || a.mean().as_f64()).1);
        plain = plain.min(best(1, || xs.iter().sum::<f64>() / xs.len() as f64).1);
    }
    report(
        "mean, float64",
        &format!("{:.2} GB/s", gb / ours.as_secs_f64()),
        &format!("sum / n {:.2} GB/s", gb / plain.as_secs_f64()),
        &format!("{:.2}x", plain.as_secs_f64() / ours.as_secs_f64()),
        ">= 1.0x",
        plain >= ours,
    );

    let mut ours = Duration::MAX;
    let mut plain = Duration::MAX;
    for _ in 0..RUNS {
        ours = ours.min(best(1, || a.min().map(|s| s.as_f64())).1);
        plain = plain.min(best(1, || xs.iter().copied().fold(f64::INFINITY, f64::min)).1);
    }
    report(
        "min (NaN-propagating), float64",
        &format!("{:.2} GB/s", gb / ours.as_secs_f64()),
        &format!("fold(f64::min) {:.2} GB/s", gb / plain.as_secs_f64()),
        &format!("{:.2}x", plain.as_secs_f64() / ours.as_secs_f64()),
        ">= 1.0x",
        plain >= ours,
    );

    let mut ours = Duration::MAX;
    for _ in 0..RUNS {
        ours = ours.min(best(1, || a.std(0).as_f64()).1);
    }
    println!(
        "{:<34} {:.2} GB/s (two passes over the data)",
        "std, float64",
        2.0 * gb / ours.as_secs_f64()
    );

    // Cache hits: the same path again and again.
    let small = dir.path().join("small.bin");
    std::fs::write(&small, vec![7u8; 4096]).expect("write small file");
    let cache = MapCache::new(64, 0);
    let first = cache.get(&small).expect("cache get");
    let (_, hit) = best(RUNS, || {
        let mut last = None;
        for _ in 0..HITS {
            last = Some(cache.get(black_box(&small)).expect("hit"));
        }
        last
    });
    assert!(Arc::ptr_eq(&first, &cache.get(&small).expect("hit")));
    let opens = 20_000;
    let (_, open) = best(RUNS, || {
        for _ in 0..opens {
            black_box(Map::open(black_box(&small)).expect("open"));
        }
    });
    let hit_ns = hit.as_nanos() as f64 / f64::from(HITS);
    let open_ns = open.as_nanos() as f64 / f64::from(opens);
    report(
        "cache hit, 4 KiB file",
        &format!("{hit_ns:.1} ns"),
        &format!("open + map + close {open_ns:.0} ns"),
        &format!("{:.0}x", open_ns / hit_ns),
        "<= 200 ns",
        hit_ns <= 200.0,
    );
}
