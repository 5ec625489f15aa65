//! `make demo`: makes its own data file, maps it, and shows random access,
//! a record lookup by binary search and a windowed scan.
//!
//! Run with `cargo run --release -p mapview --example demo [DIR]`.

use std::time::Instant;

use mapview::{Advice, MapOptions, Records, Windows};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

/// One fixed-size record: sorted by `id`, as a lookup table on disk would be.
#[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy)]
#[repr(C)]
struct Reading {
    id: u64,
    sensor: u32,
    celsius_milli: i32,
}

const RECORDS: u64 = 2_000_000; // 32 MB of records

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // With a directory argument the data file stays there (the rest of
    // `make demo` uses it); without one it goes in a temporary directory.
    let keep = std::env::args().nth(1);
    let dir = match &keep {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join(format!("mapview-demo-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("readings.bin");
    let _ = std::fs::remove_file(&path);

    // 1. Make the data: a file created and filled through a read-write map.
    let t = Instant::now();
    let size = RECORDS * std::mem::size_of::<Reading>() as u64;
    {
        let mut map = MapOptions::new().create(&path, size)?;
        for (i, r) in Records::<Reading, _>::new(&mut *map)?
            .iter_mut()
            .enumerate()
        {
            let i = i as u64;
            *r = Reading {
                id: i * 7 + 3,
                sensor: (i % 64) as u32,
                celsius_milli: ((i * 37) % 50_000) as i32 - 10_000,
            };
        }
        map.flush()?;
    }
    println!(
        "made {} ({} records, {} MB) in {:.1?}",
        path.display(),
        RECORDS,
        size >> 20,
        t.elapsed()
    );

    // 2. Random access: read records at scattered positions straight from the map.
    let map = MapOptions::new().advice(Advice::Random).open(&path)?;
    let records = Records::<Reading>::new(map)?;
    let t = Instant::now();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut checksum = 0i64;
    for _ in 0..1_000_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        checksum += i64::from(records[(x % RECORDS) as usize].celsius_milli);
    }
    println!(
        "random access: 1,000,000 record reads in {:.1?} (checksum {checksum})",
        t.elapsed()
    );

    // 3. Binary search by key over the sorted records.
    let wanted = 7 * 1_234_567 + 3;
    let t = Instant::now();
    match records.binary_search_by_key(&wanted, |r| r.id) {
        Ok(i) => println!(
            "binary search: id {wanted} is record {i} (sensor {}, {:.3} C) in {:.1?}",
            records[i].sensor,
            f64::from(records[i].celsius_milli) / 1000.0,
            t.elapsed()
        ),
        Err(_) => println!("binary search: id {wanted} not found"),
    }
    let missing = 7 * 10 + 4;
    println!(
        "binary search: id {missing} found: {}",
        records.binary_search_by_key(&missing, |r| r.id).is_ok()
    );

    // 4. Windowed scan: 4 MiB windows with a 16-byte overlap, counting
    //    records of sensor 42 whose temperature is above 30 C.
    let t = Instant::now();
    let windows = Windows::open(&path, 4 << 20, 16)?;
    let total = windows.count_total();
    let mut hot = 0u64;
    let mut next_record = 0u64; // first record not yet counted (windows overlap)
    for w in windows {
        let w = w?;
        let rec = std::mem::size_of::<Reading>() as u64;
        let first = w.file_offset().div_ceil(rec).max(next_record);
        let end = (w.file_offset() + w.len() as u64) / rec;
        for i in first..end {
            let at = (i * rec - w.file_offset()) as usize;
            let r = Reading::read_from_bytes(&w[at..at + rec as usize]).expect("whole record");
            hot += u64::from(r.sensor == 42 && r.celsius_milli > 30_000);
        }
        next_record = end;
    }
    println!(
        "windowed scan: {total} windows of 4 MiB, {hot} hot readings from sensor 42 in {:.1?}",
        t.elapsed()
    );

    // 5. A bad request gets an error that names what was wrong.
    if let Err(e) = mapview::Map::open_range(&path, size - 8, 16) {
        println!("as expected: {e}");
    }
    if keep.is_none() {
        std::fs::remove_dir_all(&dir)?;
    }
    Ok(())
}
