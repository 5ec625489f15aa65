//! Shared by the host tests: guests and a host with test limits.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use mapview_wasm::{Guest, Host, HostConfig};

pub fn host() -> Host {
    Host::new(HostConfig {
        timeout: Some(Duration::from_secs(20)),
        ..HostConfig::default()
    })
    .unwrap()
}

/// A guest from WebAssembly text.
pub fn wat_guest(host: &Host, wat: &str) -> Guest {
    let module = host.load(wat.as_bytes()).unwrap();
    host.instantiate(&module).unwrap()
}

pub fn guest_file(rel: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/guests")).join(rel)
}

/// A Rust example guest, built by `make guests` (which `make test` runs first).
pub fn rust_guest(name: &str) -> PathBuf {
    let p = guest_file(&format!(
        "rust/target/wasm32-unknown-unknown/release/{name}.wasm"
    ));
    assert!(
        p.exists(),
        "{} is missing: run `make guests` first",
        p.display()
    );
    p
}

/// The WAT guest that sums view 0 and can peek/poke any address.
pub fn sum_wat(host: &Host) -> Guest {
    let module = host.load_file(guest_file("wat/sum.wat")).unwrap();
    host.instantiate(&module).unwrap()
}

pub fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.path().join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    p
}
