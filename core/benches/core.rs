//! Side-by-side benchmarks of mapview against the system calls it replaces.
//!
//! Every benchmark measures mapview and its baseline in the same run, on the
//! same data, interleaving the two so that a noisy moment hits both, and
//! prints one line per comparison: both figures, the ratio, the goal and
//! whether it was met. Timings never fail the run: a missed goal is printed,
//! not asserted, because a loaded machine must not break `cargo bench`.
//! Only a failure to set up (no space for the data file, ...) panics.
//!
//! Environment:
//! - `MAPVIEW_BENCH_SIZE_MB`: size of the data file in MiB (default 1024).
//!   Smaller files are for quick checks only: once the file fits in the
//!   last-level cache the ratios no longer compare memory paths.
//! - `MAPVIEW_BENCH_DIR`: directory for the temporary files (default: the
//!   system temporary directory). It must not be a tmpfs if the file-backed
//!   numbers are to mean anything.

use std::ffi::CString;
use std::fs::File;
use std::hint::black_box;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use mapview::{Map, MapOptions};

/// Random reads per run of the random-read benchmark.
const RANDOM_READS: usize = 2_000_000;
/// Buffer of the `read()` baseline: big enough to amortise the system call,
/// small enough to stay in L2, which is what a careful reader would pick.
const READ_BUF: usize = 128 * 1024;
/// Iterations per run of the open + map + close benchmark.
const OPEN_ITERS: u32 = 200_000;
/// Runs per benchmark; the best one is kept, as noise only ever adds time.
const RUNS: usize = 5;

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
    let data = dir.path().join("data.bin");

    println!(
        "mapview core benchmarks: {size_mb} MiB data file in {}",
        base.display()
    );
    write_data_file(&data, size_mb);
    warm_page_cache(&data);

    // One populated map serves the random and the sequential benchmarks:
    // populate(true) faults every page in up front, so neither measures
    // page faults.
    let map = MapOptions::new()
        .populate(true)
        .open(&data)
        .expect("map the data file");

    random_reads(&map, &data, "after write()");
    sequential_sum(&map, &data);
    drop(map);

    // The same file once more, evicted and read back from disk: now the
    // page cache holds it in large folios that maps use huge entries for.
    evict_and_read_back(&data);
    let map = MapOptions::new()
        .populate(true)
        .open(&data)
        .expect("map the data file");
    random_reads(&map, &data, "read from disk");
    drop(map);

    open_map_close(dir.path());
}

/// A tiny xorshift64 generator: deterministic, fast, no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// Times one call of `f`, keeping its result alive so it is not optimised away.
fn time<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = black_box(f());
    (out, start.elapsed())
}

/// One comparison: mapview's figure, the baseline's, the ratio and the goal.
fn report(name: &str, ours: &str, baseline: &str, ratio: &str, goal: &str, met: bool) {
    let verdict = if met { "goal met" } else { "goal MISSED" };
    println!("{name:<30} {ours:<24} {baseline:<26} {ratio:<18} goal {goal:<10} {verdict}");
}

/// Writes `size_mb` MiB of pseudo-random bytes, 1 MiB at a time, and syncs
/// them so that write-back does not run during the measurements.
fn write_data_file(path: &Path, size_mb: usize) {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut chunk = vec![0u8; 1 << 20];
    let mut file = File::create(path).expect("create the data file");
    for _ in 0..size_mb {
        for word in chunk.chunks_exact_mut(8) {
            word.copy_from_slice(&rng.next().to_le_bytes());
        }
        file.write_all(&chunk).expect("write the data file");
    }
    file.sync_all().expect("sync the data file");
}

/// Reads the whole file once so every benchmark starts from the page cache.
///
/// The pages stay in the folios that write() created, smaller than 2 MiB,
/// so the kernel maps them with 4 KiB page-table entries (smaps shows
/// `FilePmdMapped: 0 kB`). A file read back from disk can instead get 2 MiB
/// folios, mapped with huge entries, which makes random reads through a map
/// markedly faster; see docs/benchmarks.md. This measures the just-written case.
fn warm_page_cache(path: &Path) {
    let mut file = File::open(path).expect("open the data file");
    let mut buf = vec![0u8; 1 << 20];
    while file.read(&mut buf).expect("read the data file") > 0 {}
}

/// Drops the file from the page cache and reads it back, as a file that
/// was not just written would be cached.
fn evict_and_read_back(path: &Path) {
    let file = File::open(path).expect("open the data file");
    // SAFETY: posix_fadvise only advises the kernel about a descriptor we own.
    let rc = unsafe { libc::posix_fadvise(file.as_raw_fd(), 0, 0, libc::POSIX_FADV_DONTNEED) };
    assert_eq!(rc, 0, "posix_fadvise(DONTNEED)");
    warm_page_cache(path);
}

/// The same random reads through a raw mmap(2), for reference: mapview
/// should cost nothing on top of it.
fn raw_map_reads(path: &Path, offsets: &[u64]) -> (u64, Duration) {
    let file = File::open(path).expect("open the data file");
    let len = file.metadata().expect("stat").len() as usize;
    // SAFETY: a read-only shared map of a file we hold open, unmapped below;
    // nothing writes the file meanwhile.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED | libc::MAP_POPULATE,
            file.as_raw_fd(),
            0,
        )
    };
    assert_ne!(ptr, libc::MAP_FAILED, "mmap");
    // SAFETY: the mapping is live and `len` bytes long until munmap below.
    let bytes = unsafe { std::slice::from_raw_parts(ptr as *const u8, len) };
    let out = time(|| {
        offsets.iter().fold(0u64, |acc, &off| {
            let off = off as usize;
            let word: [u8; 8] = bytes[off..off + 8].try_into().expect("8 bytes");
            acc.wrapping_add(u64::from_le_bytes(word))
        })
    });
    // SAFETY: ptr/len are the live mapping made above; `bytes` is not used again.
    unsafe { libc::munmap(ptr, len) };
    out
}

/// Benchmark 1: random 8-byte reads through the map vs pread(2) at the same
/// offsets. The map pays a cache (and TLB) miss per read; pread pays that
/// plus a system call and a copy. The reads are independent of each other,
/// so the CPU overlaps the map's misses: this is throughput, not latency.
fn random_reads(map: &Map, path: &Path, cached: &str) {
    let words = (map.len() / 8) as u64;
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    // The same offsets for both, generated up front so the loops time only the reads.
    let offsets: Vec<u64> = (0..RANDOM_READS)
        .map(|_| (rng.next() % words) * 8)
        .collect();
    let file = File::open(path).expect("open the data file");

    let via_map = || {
        offsets.iter().fold(0u64, |acc, &off| {
            let off = off as usize;
            let word: [u8; 8] = map[off..off + 8].try_into().expect("8 bytes");
            acc.wrapping_add(u64::from_le_bytes(word))
        })
    };
    let via_pread = || {
        let mut word = [0u8; 8];
        offsets.iter().fold(0u64, |acc, &off| {
            file.read_exact_at(&mut word, off).expect("pread");
            acc.wrapping_add(u64::from_le_bytes(word))
        })
    };

    // Fewer runs than the others: pread of 2 million words takes seconds.
    let (mut best_map, mut best_pread, mut best_raw) =
        (Duration::MAX, Duration::MAX, Duration::MAX);
    for _ in 0..3 {
        let (sum_map, t_map) = time(via_map);
        let (sum_pread, t_pread) = time(via_pread);
        let (sum_raw, t_raw) = raw_map_reads(path, &offsets);
        if sum_map != sum_pread || sum_map != sum_raw {
            println!(
                "ERROR: random reads disagree: map {sum_map:#x}, pread {sum_pread:#x}, raw mmap {sum_raw:#x}"
            );
        }
        best_map = best_map.min(t_map);
        best_pread = best_pread.min(t_pread);
        best_raw = best_raw.min(t_raw);
    }

    let ns_map = best_map.as_nanos() as f64 / RANDOM_READS as f64;
    let ns_pread = best_pread.as_nanos() as f64 / RANDOM_READS as f64;
    let ns_raw = best_raw.as_nanos() as f64 / RANDOM_READS as f64;
    let ratio = ns_pread / ns_map;
    println!(
        "  (cached {cached}: raw mmap {ns_raw:.1} ns/read, pread/raw mmap {:.1}x)",
        ns_pread / ns_raw
    );
    report(
        &format!("random read, cached {cached}"),
        &format!("map {ns_map:.1} ns/read"),
        &format!("pread {ns_pread:.1} ns/read"),
        &format!("pread/map {ratio:.1}x"),
        ">= 20x",
        ratio >= 20.0,
    );
}

/// The one summing loop all three sequential variants use, so that they
/// differ only in where the bytes come from. Plain safe code that LLVM
/// vectorises (packed 64-bit adds); trailing bytes short of a word are
/// ignored, and every length summed here is a multiple of 8.
#[inline(never)]
fn sum_words(bytes: &[u8]) -> u64 {
    bytes
        .chunks_exact(8)
        .map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
        .fold(0u64, u64::wrapping_add)
}

/// Sums a file through read(2) into a reused buffer, filling the buffer
/// completely each time so that words never straddle two reads.
fn sum_by_read(path: &Path, buf: &mut [u8]) -> u64 {
    let mut file = File::open(path).expect("open the data file");
    let mut total = 0u64;
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            match file.read(&mut buf[filled..]).expect("read the data file") {
                0 => break,
                n => filled += n,
            }
        }
        if filled == 0 {
            return total;
        }
        total = total.wrapping_add(sum_words(&buf[..filled]));
    }
}

/// Benchmark 2: summing the whole file through the map vs read(2) into a
/// 128 KiB buffer vs a Vec already in RAM. The map should beat read(2),
/// which copies every byte once more, and come close to plain memory.
fn sequential_sum(map: &Map, path: &Path) {
    let ram: Vec<u8> = std::fs::read(path).expect("read the data file into RAM");
    let mut buf = vec![0u8; READ_BUF];
    let gb = map.len() as f64 / 1e9;

    let mut best = [Duration::MAX; 3];
    for _ in 0..RUNS {
        // Interleaved, so a noisy moment does not favour one variant.
        let (s_map, t_map) = time(|| sum_words(map));
        let (s_read, t_read) = time(|| sum_by_read(path, &mut buf));
        let (s_ram, t_ram) = time(|| sum_words(&ram));
        if s_map != s_read || s_map != s_ram {
            println!("ERROR: sums disagree: map {s_map:#x}, read {s_read:#x}, in-RAM {s_ram:#x}");
        }
        for (b, t) in best.iter_mut().zip([t_map, t_read, t_ram]) {
            *b = (*b).min(t);
        }
    }

    let [map_gbs, read_gbs, ram_gbs] = best.map(|t| gb / t.as_secs_f64());
    let vs_read = map_gbs / read_gbs;
    let vs_ram = map_gbs / ram_gbs;
    report(
        "sequential u64 sum vs read",
        &format!("map {map_gbs:.2} GB/s"),
        &format!("read {read_gbs:.2} GB/s"),
        &format!("map/read {vs_read:.2}x"),
        ">= 1.4x",
        vs_read >= 1.4,
    );
    report(
        "sequential u64 sum vs RAM",
        &format!("map {map_gbs:.2} GB/s"),
        &format!("in-RAM {ram_gbs:.2} GB/s"),
        &format!("map/RAM {vs_ram:.2}x"),
        ">= 0.95x",
        vs_ram >= 0.95,
    );
}

/// mapview's whole path for a small file: open, check, map, unmap, close.
fn open_map_close_mapview(path: &Path) -> u8 {
    let map = Map::open(path).expect("map the small file");
    map[0]
}

/// The least the system needs for the same thing, with no checks at all.
fn open_map_close_raw(path: &CString) -> u8 {
    // SAFETY: `path` is a valid NUL-terminated string; open has no other
    // preconditions and returns -1 on failure, which is checked.
    let fd = unsafe { libc::open(path.as_ptr(), libc::O_RDONLY | libc::O_CLOEXEC) };
    assert!(fd >= 0, "open: {}", std::io::Error::last_os_error());
    let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: fd is open and `st` is a buffer of the right type for fstat
    // to fill; the result is checked before the buffer is read.
    let rc = unsafe { libc::fstat(fd, st.as_mut_ptr()) };
    assert_eq!(rc, 0, "fstat: {}", std::io::Error::last_os_error());
    // SAFETY: fstat returned 0, so it filled the struct.
    let len = unsafe { st.assume_init() }.st_size as usize;
    // SAFETY: a fresh read-only shared mapping of a regular file we opened,
    // at an address of the kernel's choosing; nothing else is affected.
    let ptr = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_SHARED,
            fd,
            0,
        )
    };
    assert_ne!(ptr, libc::MAP_FAILED, "mmap");
    // SAFETY: the mapping is live and at least one byte long (len is 4 KiB).
    let byte = unsafe { std::ptr::read_volatile(ptr as *const u8) };
    // SAFETY: ptr/len is exactly the mapping made above, nothing borrows it
    // any more, and fd is ours to close.
    unsafe {
        libc::munmap(ptr, len);
        libc::close(fd);
    }
    byte
}

/// Benchmark 3: open + map + close of a 4 KiB file, mapview vs raw libc.
/// Both touch one byte so that the mapping is really made and used; the
/// difference is mapview's checks, its error plumbing and the path it keeps.
fn open_map_close(dir: &Path) {
    let small = dir.join("small.bin");
    std::fs::write(&small, [0xA5u8; 4096]).expect("write the small file");
    let c_path = CString::new(small.as_os_str().as_bytes()).expect("path without NUL");

    let mut best_mapview = Duration::MAX;
    let mut best_raw = Duration::MAX;
    for _ in 0..RUNS {
        let (_, t) = time(|| {
            (0..OPEN_ITERS).fold(0u8, |acc, _| {
                acc ^ black_box(open_map_close_mapview(&small))
            })
        });
        best_mapview = best_mapview.min(t);
        let (_, t) = time(|| {
            (0..OPEN_ITERS).fold(0u8, |acc, _| acc ^ black_box(open_map_close_raw(&c_path)))
        });
        best_raw = best_raw.min(t);
    }

    let ns_mapview = best_mapview.as_nanos() as f64 / f64::from(OPEN_ITERS);
    let ns_raw = best_raw.as_nanos() as f64 / f64::from(OPEN_ITERS);
    let extra = ns_mapview - ns_raw;
    report(
        "open+map+close 4 KiB",
        &format!("mapview {ns_mapview:.0} ns"),
        &format!("raw libc {ns_raw:.0} ns"),
        &format!("{extra:+.0} ns"),
        "<= +1000 ns",
        extra <= 1000.0,
    );
}
