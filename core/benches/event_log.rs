//! The event-log table: 1 KiB messages written (a) with one write() per
//! message, (b) through a 64 KiB buffer, (c) into a mapview log, CRC-32
//! included, all in one run. Every writer stores the same bytes per message:
//! a 16-byte header (timestamp, size, checksum field) and the payload;
//! only mapview computes the CRC.
//!
//! Run with `cargo bench -p mapview --bench event_log` (part of `make bench`).
//! MAPVIEW_BENCH_DIR picks the directory (default: the temp dir).

use std::fs::File;
use std::hint::black_box;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mapview::log::{LogOptions, LogWriter};

const MSG: usize = 1024;

fn bench_dir() -> tempfile::TempDir {
    let base = std::env::var_os("MAPVIEW_BENCH_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    tempfile::tempdir_in(base).expect("bench dir")
}

/// A producer's message buffer, reused: each message differs in its first
/// 8 bytes (its number), as every writer below sees it.
fn message(buf: &mut [u8; MSG], i: u64) -> &[u8; MSG] {
    buf[..8].copy_from_slice(&i.to_le_bytes());
    buf
}

fn frame(i: u64) -> [u8; 16] {
    let mut h = [0u8; 16];
    h[..8].copy_from_slice(&i.to_le_bytes());
    h[8..12].copy_from_slice(&(MSG as u32).to_le_bytes());
    h
}

/// One write() per message (header and payload in one buffer).
fn write_per_message(path: &Path, n: u64) -> Duration {
    let mut f = File::create(path).expect("create");
    let start = Instant::now();
    let mut buf = [b'm'; 16 + MSG];
    for i in 0..n {
        buf[..16].copy_from_slice(&frame(i));
        buf[16..24].copy_from_slice(&i.to_le_bytes());
        f.write_all(&buf).expect("write");
    }
    start.elapsed()
}

/// Writes through a 64 KiB buffer.
fn buffered(path: &Path, n: u64) -> Duration {
    let f = File::create(path).expect("create");
    let start = Instant::now();
    let mut w = BufWriter::with_capacity(64 << 10, f);
    let mut buf = [b'm'; MSG];
    for i in 0..n {
        w.write_all(&frame(i)).expect("write");
        w.write_all(message(&mut buf, i)).expect("write");
    }
    w.flush().expect("flush");
    start.elapsed()
}

/// The mapview log, created with room for all messages (preallocated and
/// pre-faulted at create time, which is timed separately).
fn mapview_log(path: &Path, n: u64) -> (Duration, Duration) {
    let t = Instant::now();
    let mut log = LogWriter::create(
        path,
        LogOptions::new().capacity(128 + n * (16 + MSG as u64)),
    )
    .expect("create log");
    let create = t.elapsed();
    let mut buf = [b'm'; MSG];
    let start = Instant::now();
    for i in 0..n {
        log.append_at(i, message(&mut buf, i)).expect("append");
    }
    let appends = start.elapsed();
    black_box(log.count());
    (create, appends)
}

/// The mapview log growing by its default segments while appending.
fn mapview_log_growing(path: &Path, n: u64) -> Duration {
    let mut buf = [b'm'; MSG];
    let start = Instant::now();
    let mut log = LogWriter::create(path, &LogOptions::new()).expect("create log");
    for i in 0..n {
        log.append_at(i, message(&mut buf, i)).expect("append");
    }
    start.elapsed()
}

fn rate(n: u64, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64() / 1e6
}

fn run(n: u64, rounds: usize) {
    let dir = bench_dir();
    let p = |name: &str| dir.path().join(name);
    let (mut wpm, mut buf, mut mv, mut mv_create, mut grow) = (
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
        Duration::MAX,
    );
    for round in 0..rounds {
        // Fresh files each round, and the order rotates, so that no writer
        // always runs right after another one's files were written or freed.
        for k in 0..4 {
            match (round + k) % 4 {
                0 => wpm = wpm.min(write_per_message(&p("write.bin"), n)),
                1 => buf = buf.min(buffered(&p("buffered.bin"), n)),
                2 => {
                    let (c, a) = mapview_log(&p("mapview.log"), n);
                    mv = mv.min(a);
                    mv_create = mv_create.min(c);
                }
                _ => grow = grow.min(mapview_log_growing(&p("growing.log"), n)),
            }
        }
        for f in ["write.bin", "buffered.bin", "mapview.log", "growing.log"] {
            let _ = std::fs::remove_file(p(f));
        }
    }
    let (r_wpm, r_buf, r_mv, r_grow) = (rate(n, wpm), rate(n, buf), rate(n, mv), rate(n, grow));
    println!("{n} messages of 1 KiB (best of {rounds}):");
    println!("  one write() per message     {r_wpm:>7.2} M msgs/s");
    println!("  buffered (64 KiB)           {r_buf:>7.2} M msgs/s");
    println!(
        "  mapview log, CRC-32         {r_mv:>7.2} M msgs/s  ({:.2}x buffered, goal >= 2x: {}; create + prefault took {:.1?})",
        r_mv / r_buf,
        if r_mv / r_buf >= 2.0 {
            "goal met"
        } else {
            "goal MISSED"
        },
        mv_create
    );
    println!(
        "  mapview log, growing        {r_grow:>7.2} M msgs/s  ({:.2}x buffered; default options, create included)",
        r_grow / r_buf
    );
    if n == 10_000 {
        println!(
            "  10k goal: mapview log >= 5.65 M msgs/s: {}",
            if r_mv >= 5.65 {
                "goal met"
            } else {
                "goal MISSED"
            }
        );
    }
}

fn main() {
    run(10_000, 20);
    run(1_000_000, 3);
}
