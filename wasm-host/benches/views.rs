//! The WebAssembly host's three figures, each against its baseline in the
//! same run: attaching a 1 GiB view vs copying the file into the guest; a
//! guest summing the view vs native Rust summing the same map; and the Pss
//! of 4 guests viewing one file vs 4 guests holding copies.
//!
//! Run with `cargo bench -p mapview-wasm --bench views` (part of `make
//! bench`; it builds the guests first). MAPVIEW_BENCH_SIZE_MB (default
//! 1024) and MAPVIEW_BENCH_DIR as for the core benchmarks.

use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mapview::{Map, MapOptions};
use mapview_wasm::{Guest, Host, HostConfig};

const ROUNDS: usize = 5;

fn sum_guest_path() -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/guests/rust/target/wasm32-unknown-unknown/release/sum.wasm"
    ));
    assert!(p.exists(), "{} is missing: run `make guests`", p.display());
    p
}

/// The same loop the guest runs (guests/rust/sum), compiled natively.
#[inline(never)]
fn native_sum(bytes: &[u8]) -> u64 {
    let body = &bytes[..bytes.len() / 8 * 8];
    let tail = &bytes[body.len()..];
    let mut lanes = [0u64; 4];
    let mut chunks = body.chunks_exact(32);
    for c in &mut chunks {
        for (k, lane) in lanes.iter_mut().enumerate() {
            *lane = lane.wrapping_add(u64::from_le_bytes(
                c[k * 8..k * 8 + 8].try_into().unwrap_or([0; 8]),
            ));
        }
    }
    let mut sum = lanes.iter().fold(0u64, |a, &l| a.wrapping_add(l));
    for w in chunks.remainder().chunks_exact(8) {
        sum = sum.wrapping_add(u64::from_le_bytes(w.try_into().unwrap_or([0; 8])));
    }
    let mut last = [0u8; 8];
    last[..tail.len()].copy_from_slice(tail);
    sum.wrapping_add(u64::from_le_bytes(last))
}

fn make_file(dir: &Path, mb: usize) -> PathBuf {
    let path = dir.join("view-bench.bin");
    let mut f = std::fs::File::create(&path).expect("create");
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    let mut chunk = vec![0u8; 1 << 20];
    for _ in 0..mb {
        for w in chunk.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            w.copy_from_slice(&x.to_le_bytes());
        }
        f.write_all(&chunk).expect("write");
    }
    f.sync_all().expect("sync");
    path
}

fn pss_kib() -> u64 {
    let text = std::fs::read_to_string("/proc/self/smaps_rollup").expect("smaps_rollup");
    text.lines()
        .find(|l| l.starts_with("Pss:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .expect("Pss line")
}

/// A guest holding its own copy of `bytes` in fresh memory (the baseline:
/// what a host without views must do). Returns the guest and the address.
fn copy_in(host: &Host, module: &mapview_wasm::GuestModule, bytes: &[u8]) -> Guest {
    let mut g = host.instantiate(module).expect("instantiate");
    g.copy_in_for_baseline("copy", bytes).expect("copy in");
    g
}

fn main() {
    let mb: usize = std::env::var("MAPVIEW_BENCH_SIZE_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1024);
    let base = std::env::var_os("MAPVIEW_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base).expect("temp dir");
    let path = make_file(dir.path(), mb);
    let host = Host::new(HostConfig {
        max_memory: 64 << 20,
        ..HostConfig::default()
    })
    .expect("host");
    let module = host.load_file(sum_guest_path()).expect("sum guest");
    let map = MapOptions::new().populate(true).open(&path).expect("map");
    println!("WebAssembly host: {mb} MiB file");

    // 1. Making the file visible to a guest: attach vs copy in.
    let (mut attach, mut copy) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let mut g = host.instantiate(&module).expect("instantiate");
        let t = Instant::now();
        g.attach("data", &map, None).expect("attach");
        attach = attach.min(t.elapsed());
        let t = Instant::now();
        let c = copy_in(&host, &module, &map);
        copy = copy.min(t.elapsed());
        drop((g, c));
    }
    let ratio = copy.as_secs_f64() / attach.as_secs_f64();
    println!(
        "attach a view {attach:>10.1?}   copy in {copy:>10.1?}   copy/attach {ratio:>10.0}x   (goal >= 10000x: {})",
        if ratio >= 10_000.0 {
            "goal met"
        } else {
            "goal MISSED"
        }
    );

    // 2. Reading it: a guest's sum over the view vs native over the map.
    let mut g = host.instantiate(&module).expect("instantiate");
    g.attach("data", &map, None).expect("attach");
    let want = native_sum(&map);
    let (mut guest_t, mut native_t) = (Duration::MAX, Duration::MAX);
    for _ in 0..ROUNDS {
        let t = Instant::now();
        let got = g.call("sum_view", &[0]).expect("guest sum")[0] as u64;
        guest_t = guest_t.min(t.elapsed());
        assert_eq!(got, want, "the guest and native sums agree");
        let t = Instant::now();
        black_box(native_sum(black_box(&map)));
        native_t = native_t.min(t.elapsed());
    }
    let ratio = guest_t.as_secs_f64() / native_t.as_secs_f64();
    let gbps = |d: Duration| map.len() as f64 / d.as_secs_f64() / 1e9;
    println!(
        "guest sum {guest_t:>10.1?} ({:.1} GB/s)   native sum {native_t:>10.1?} ({:.1} GB/s)   guest/native {ratio:.2}x   (goal <= 1.2x: {})",
        gbps(guest_t),
        gbps(native_t),
        if ratio <= 1.2 {
            "goal met"
        } else {
            "goal MISSED"
        }
    );
    drop(g);
    drop(map);

    // 3. Memory: 4 guests viewing the file vs 4 guests holding copies.
    // Nothing maps the file now, so the difference in Pss is what the
    // guests cost; the host's own map is dropped once the views are placed.
    let before = pss_kib();
    let mut viewers = Vec::new();
    for i in 0..4 {
        let mut g = host.instantiate(&module).expect("instantiate");
        let file = Map::open(&path).expect("map");
        g.attach(&format!("v{i}"), &file, None).expect("attach");
        drop(file);
        g.call("sum_view", &[0]).expect("touch every page");
        viewers.push(g);
    }
    let views_pss = pss_kib().saturating_sub(before);
    drop(viewers);
    let before = pss_kib();
    let file = Map::open(&path).expect("map");
    let copies: Vec<Guest> = (0..4).map(|_| copy_in(&host, &module, &file)).collect();
    drop(file);
    let copies_pss = pss_kib().saturating_sub(before);
    drop(copies);
    let gib = |kib: u64| kib as f64 / (1 << 20) as f64;
    let goal = (mb as f64 / 1024.0) * 1.1;
    println!(
        "Pss of 4 guests: views {:.2} GiB   copies {:.2} GiB   (goal <= {goal:.2} GiB for views: {})",
        gib(views_pss),
        gib(copies_pss),
        if gib(views_pss) <= goal {
            "goal met"
        } else {
            "goal MISSED"
        }
    );
}
