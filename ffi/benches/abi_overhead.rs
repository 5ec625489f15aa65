//! What the C ABI adds per call over calling the core crate directly:
//! argument checks, the handle registry, the panic boundary. Measured side
//! by side in one run; goal: at most 100 ns per call.
//!
//! Run with `cargo bench -p mapview-ffi --bench abi_overhead` (part of `make bench`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use mapview_ffi::{
    MAPVIEW_MODE_READ_ONLY, mapview_map, mapview_map_close, mapview_map_data, mapview_map_open,
    mapview_status,
};

const GOAL_NS_PER_CALL: f64 = 100.0;

/// Best of `rounds` timings of `iters` iterations, in ns per iteration:
/// the minimum is the figure least disturbed by the other core's work.
fn best_ns(rounds: usize, iters: u64, mut body: impl FnMut()) -> f64 {
    let mut best = Duration::MAX;
    for _ in 0..rounds {
        let start = Instant::now();
        for _ in 0..iters {
            body();
        }
        best = best.min(start.elapsed());
    }
    best.as_nanos() as f64 / iters as f64
}

fn report(name: &str, core_ns: f64, ffi_ns: f64, calls_per_iter: f64) {
    let per_call = (ffi_ns - core_ns) / calls_per_iter;
    let verdict = if per_call <= GOAL_NS_PER_CALL {
        "goal met"
    } else {
        "goal MISSED"
    };
    println!(
        "{name:<34} core {core_ns:>8.1} ns  C ABI {ffi_ns:>8.1} ns  added {per_call:>6.1} ns/call  \
         (goal <= {GOAL_NS_PER_CALL} ns/call: {verdict})"
    );
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("small.bin");
    std::fs::write(&path, vec![7u8; 4096]).expect("write small file");
    let c_path = std::ffi::CString::new(path.to_str().expect("utf-8 temp path")).expect("no NUL");
    let open_ffi = || {
        let mut map = mapview_map { id: 0 };
        let st = mapview_map_open(
            c_path.as_ptr(),
            mapview_ffi::MAPVIEW_NUL_TERMINATED,
            MAPVIEW_MODE_READ_ONLY,
            std::ptr::null(),
            &mut map,
            std::ptr::null_mut(),
        );
        assert_eq!(st, mapview_status::MAPVIEW_OK);
        map
    };

    // open + close of a small file: two calls through the ABI.
    let iters = 100_000;
    let mut core_ns = f64::MAX;
    let mut ffi_ns = f64::MAX;
    for _ in 0..3 {
        // Interleaved so that both see the same machine state.
        core_ns = core_ns.min(best_ns(3, iters, || {
            // No byte is touched on either side: a first touch is a page
            // fault that costs far more than the call being measured.
            let map = mapview::Map::open(&path).expect("open");
            black_box(&map);
        }));
        ffi_ns = ffi_ns.min(best_ns(3, iters, || {
            let map = open_ffi();
            black_box(map);
            mapview_map_close(map);
        }));
    }
    report("open + close of a 4 KiB file", core_ns, ffi_ns, 2.0);

    // Asking a map for its pointer and length: one call.
    let core_map = mapview::Map::open(&path).expect("open");
    let ffi_map = open_ffi();
    let iters = 5_000_000;
    let core_ns = best_ns(5, iters, || {
        let m = black_box(&core_map);
        black_box((m.as_ptr(), m.len()));
    });
    let ffi_ns = best_ns(5, iters, || {
        let mut ptr = std::ptr::null();
        let mut len = 0usize;
        let st = mapview_map_data(black_box(ffi_map), &mut ptr, &mut len, std::ptr::null_mut());
        black_box((st, ptr, len));
    });
    report("data pointer + length", core_ns, ffi_ns, 1.0);
    mapview_map_close(ffi_map);
}
