//! The host survives every guest and every file: each failure below is a
//! clear error, and the host and its other guests go on.
mod common;
use std::time::Duration;

use common::*;
use mapview_wasm::{Host, HostConfig, WasmErrorKind};

/// After a failure the same guest and a fresh one still work.
fn still_works(host: &Host, guest: &mut mapview_wasm::Guest, expected_sum: i64) {
    assert_eq!(guest.call("run", &[]).unwrap(), vec![expected_sum]);
    let mut other = sum_wat(host);
    assert_eq!(
        other.call("run", &[]).unwrap(),
        vec![-1],
        "a guest without views"
    );
}

#[test]
fn out_of_bounds_access_traps() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.bin", &[5; 100]);
    let host = host();
    let mut g = sum_wat(&host);
    g.attach_file("d", &path, false).unwrap();
    for addr in [0xFFFF_FFF0u32 as i64, 0x8000_0000, g.memory_size() as i64] {
        let err = g.call("peek", &[addr]).unwrap_err();
        assert_eq!(err.kind(), WasmErrorKind::Trap, "{err}");
        assert!(err.message().contains("out-of-bounds"), "{err}");
    }
    still_works(&host, &mut g, 500);
}

#[test]
fn a_store_into_a_read_only_view_traps_and_the_file_is_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.bin", b"read only");
    let host = host();
    let mut g = sum_wat(&host);
    let v = g.attach_file("d", &path, false).unwrap();
    let err = g.call("poke", &[v.addr as i64, 0x41]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::Trap);
    assert!(err.message().contains("read-only view"), "{err}");
    drop(g);
    assert_eq!(std::fs::read(&path).unwrap(), b"read only");
}

#[test]
fn a_read_past_the_file_end_inside_its_last_wasm_page_traps() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.bin", &[1; 5000]); // two system pages, one wasm page
    let host = host();
    let mut g = sum_wat(&host);
    let v = g.attach_file("d", &path, false).unwrap();
    let start = v.addr as i64;
    // Inside the file's last system page, past its end: zeros, as mmap gives.
    assert_eq!(g.call("peek", &[start + 5000]).unwrap(), vec![0]);
    assert_eq!(g.call("peek", &[start + 8191]).unwrap(), vec![0]);
    // Past that page, still inside the view's wasm page: a trap, not SIGBUS.
    for addr in [start + 8192, start + 30_000, start + 65_535] {
        let err = g.call("peek", &[addr]).unwrap_err();
        assert_eq!(err.kind(), WasmErrorKind::Trap, "{err}");
    }
    still_works(&host, &mut g, 5000);
}

#[test]
fn a_file_truncated_by_another_process_while_viewed_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "big.bin", &vec![1u8; 1 << 20]);
    let keep = write(&dir, "keep.bin", &[2u8; 10]);
    let host = host();
    let mut g = sum_wat(&host);
    g.attach_file("big", &path, false).unwrap();
    let mut other = sum_wat(&host);
    other.attach_file("keep", &keep, false).unwrap();
    assert_eq!(g.call("run", &[]).unwrap(), vec![1 << 20]);
    // A real truncate, by another process.
    let status = std::process::Command::new("truncate")
        .args(["-s", "4096"])
        .arg(&path)
        .status()
        .unwrap();
    assert!(status.success());
    let err = g.call("run", &[]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::ViewTruncated, "{err}");
    assert!(
        err.message().contains("big.bin") && err.message().contains("truncated"),
        "{err}"
    );
    // The host and the other guest go on; so does this guest (zeros now).
    assert_eq!(other.call("run", &[]).unwrap(), vec![20]);
    assert_eq!(
        g.call("run", &[]).unwrap(),
        vec![4096],
        "the remaining page, then zeros"
    );
}

const SPIN: &str = r#"(module (memory (export "memory") 1)
  (func (export "spin") (loop $l (br $l))))"#;

#[test]
fn an_infinite_loop_ends_at_the_time_limit() {
    let host = Host::new(HostConfig {
        timeout: Some(Duration::from_millis(200)),
        ..HostConfig::default()
    })
    .unwrap();
    let mut g = wat_guest(&host, SPIN);
    let t = std::time::Instant::now();
    let err = g.call("spin", &[]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::Timeout, "{err}");
    assert!(err.message().contains("time limit"), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10));
    let mut ok = sum_wat(&host);
    assert_eq!(ok.call("run", &[]).unwrap(), vec![-1]);
}

#[test]
fn an_infinite_loop_ends_when_fuel_runs_out() {
    let host = Host::new(HostConfig {
        fuel: Some(1_000_000),
        ..HostConfig::default()
    })
    .unwrap();
    let mut g = wat_guest(&host, SPIN);
    let err = g.call("spin", &[]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::Timeout, "{err}");
    assert!(err.message().contains("fuel"), "{err}");
    // Fuel is refilled per call: a short call works afterwards.
    let mut ok = sum_wat(&host);
    assert_eq!(ok.call("run", &[]).unwrap(), vec![-1]);
}

#[test]
fn memory_growth_past_the_limit_is_an_error_and_views_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "four-mib.bin", &vec![0u8; 4 << 20]);
    let host = Host::new(HostConfig {
        max_memory: 1 << 20,
        ..HostConfig::default()
    })
    .unwrap();
    let wat = r#"(module (memory (export "memory") 1)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let mut g = wat_guest(&host, wat);
    // A 4 MiB view is fine under a 1 MiB limit: views are not the guest's memory.
    g.attach_file("big", &path, false).unwrap();
    assert_eq!(
        g.call("grow", &[4]).unwrap().len(),
        1,
        "64 KiB -> 320 KiB of own memory is allowed"
    );
    let err = g.call("grow", &[100]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::MemoryLimit, "{err}");
    assert!(err.message().contains("limit"), "{err}");
    assert_eq!(g.call("grow", &[1]).unwrap().len(), 1, "the guest goes on");
}

#[test]
fn bad_modules_are_refused_with_clear_errors() {
    let host = host();
    let err = host.load(b"\x7fELF this is not wasm").unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::InvalidModule);
    assert!(err.message().contains("not a valid guest module"), "{err}");
    let err = host.load_file("/no/such/guest.wasm").unwrap_err();
    assert_eq!(
        err.kind(),
        WasmErrorKind::Map(mapview::ErrorKind::NotFound),
        "{err}"
    );

    // No exported memory.
    let m = host
        .load(br#"(module (func (export "run") (result i64) i64.const 1))"#)
        .unwrap();
    let err = host.instantiate(&m).err().unwrap();
    assert_eq!(err.kind(), WasmErrorKind::MissingExport);
    assert!(err.message().contains("memory"), "{err}");

    // Missing function, wrong signatures, wrong argument count.
    let mut g = wat_guest(
        &host,
        r#"(module (memory (export "memory") 1)
          (func (export "float") (param f32) (result f32) local.get 0)
          (func (export "two") (param i32 i64) (result i64) local.get 1))"#,
    );
    assert_eq!(
        g.call("nope", &[]).unwrap_err().kind(),
        WasmErrorKind::MissingExport
    );
    let err = g.call("float", &[1]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::WrongSignature);
    assert!(err.message().contains("f32"), "{err}");
    assert_eq!(
        g.call("two", &[1]).unwrap_err().kind(),
        WasmErrorKind::WrongSignature
    );
    assert_eq!(
        g.call("two", &[1 << 40, 7]).unwrap_err().kind(),
        WasmErrorKind::WrongSignature
    );
    assert_eq!(g.call("two", &[1, 7]).unwrap(), vec![7]);

    // An import the host does not provide.
    let m = host
        .load(br#"(module (import "env" "nope" (func)) (memory (export "memory") 1))"#)
        .unwrap();
    assert_eq!(
        host.instantiate(&m).err().unwrap().kind(),
        WasmErrorKind::InvalidModule
    );

    // Bulk-memory instructions are refused at load time.
    let err = host
        .load(
            br#"(module (memory (export "memory") 1)
            (func (export "fill") (memory.fill (i32.const 0) (i32.const 1) (i32.const 10))))"#,
        )
        .unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::InvalidModule);
    assert!(err.message().contains("bulk memory"), "{err}");
}

#[test]
fn a_trap_in_the_start_function_is_an_error() {
    let host = host();
    let m = host
        .load(br#"(module (memory (export "memory") 1) (func $s unreachable) (start $s))"#)
        .unwrap();
    let err = host.instantiate(&m).err().unwrap();
    assert_eq!(err.kind(), WasmErrorKind::Trap);
    assert!(err.message().contains("unreachable"), "{err}");
}
