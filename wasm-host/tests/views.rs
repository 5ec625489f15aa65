//! Views: several per guest, ranges, read-write views, directories, the
//! guest's own heap, sharing one file among guests, and the example guests.
mod common;
use common::*;
use mapview::{Map, MapMut, MapOptions};
use mapview_wasm::WasmErrorKind;

/// A guest that reports its views through the imports and can grow its
/// own heap and write to it.
const INSPECT: &str = r#"(module
  (import "mapview" "view_count" (func $count (result i32)))
  (import "mapview" "view_addr" (func $addr (param i32) (result i32)))
  (import "mapview" "view_len" (func $len (param i32) (result i32)))
  (import "mapview" "view_writable" (func $w (param i32) (result i32)))
  (import "mapview" "view_name" (func $name (param i32 i32 i32) (result i32)))
  (import "mapview" "view_find" (func $find (param i32 i32) (result i32)))
  (import "mapview" "output" (func $out (param i32 i32)))
  (memory (export "memory") 1)
  (func (export "count") (result i32) (call $count))
  (func (export "addr") (param i32) (result i32) (call $addr (local.get 0)))
  (func (export "len") (param i32) (result i32) (call $len (local.get 0)))
  (func (export "writable") (param i32) (result i32) (call $w (local.get 0)))
  ;; Copies view i's name to address 16 and echoes it to the output.
  (func (export "name") (param i32) (result i32) (local $n i32)
    (local.set $n (call $name (local.get 0) (i32.const 16) (i32.const 200)))
    (if (i32.ge_s (local.get $n) (i32.const 0)) (then (call $out (i32.const 16) (local.get $n))))
    (local.get $n))
  ;; view_name into an arbitrary buffer (to test the host's checks).
  (func (export "name_to") (param i32 i32) (result i32) (call $name (local.get 0) (local.get 1) (i32.const 8)))
  ;; Finds the view whose name is stored at 16..16+len.
  (func (export "find") (param i32) (result i32) (call $find (i32.const 16) (local.get 0)))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "echo") (param i32 i32) (call $out (local.get 0) (local.get 1))))"#;

#[test]
fn several_views_with_names_addresses_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.txt", b"alpha");
    let b = write(&dir, "b.txt", &vec![b'b'; 70_000]);
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let va = g.attach_file("first", &a, false).unwrap();
    let vb = g.attach_file("second", &b, false).unwrap();
    assert_eq!(g.call("count", &[]).unwrap(), vec![2]);
    assert_eq!(g.call("addr", &[0]).unwrap(), vec![va.addr as i64]);
    assert_eq!(g.call("addr", &[1]).unwrap(), vec![vb.addr as i64]);
    assert_eq!(g.call("len", &[1]).unwrap(), vec![70_000]);
    assert_eq!(g.call("writable", &[0]).unwrap(), vec![0]);
    assert_eq!(g.call("addr", &[2]).unwrap(), vec![-1], "no such view");
    assert_eq!(
        va.addr % 65536,
        0,
        "views start on wasm pages (the file starts a system page)"
    );
    assert!(vb.addr >= va.addr + 65536, "views do not overlap");
    assert_eq!(g.call("name", &[1]).unwrap(), vec![6]);
    assert_eq!(g.take_output(), b"second");
    assert_eq!(g.call("find", &[6]).unwrap(), vec![1]);
    assert_eq!(
        g.call("load", &[va.addr as i64 + 4]).unwrap(),
        vec![b'a' as i64]
    );
    // Duplicate names are refused.
    let err = g.attach_file("first", &a, false).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::View);
}

#[test]
fn host_imports_refuse_buffers_on_views_or_outside_memory() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(&dir, "a.txt", b"alpha");
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let va = g.attach_file("a", &a, false).unwrap();
    let err = g.call("name_to", &[0, va.addr as i64]).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::Trap);
    assert!(err.message().contains("overlaps view 'a'"), "{err}");
    let err = g.call("name_to", &[0, 0x7FFF_FFF0]).unwrap_err();
    assert!(
        err.message().contains("outside the guest's memory"),
        "{err}"
    );
    // Output may read from a view.
    g.call("echo", &[va.addr as i64, 5]).unwrap();
    assert_eq!(g.take_output(), b"alpha");
}

#[test]
fn ranges_of_a_map_start_at_the_byte_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let bytes: Vec<u8> = (0..20_000u32).map(|i| (i % 251) as u8).collect();
    let path = write(&dir, "r.bin", &bytes);
    let map = Map::open(&path).unwrap();
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let v = g.attach("mid", &map, Some((4097, 10))).unwrap();
    assert_eq!(v.len, 10);
    for k in 0..10 {
        assert_eq!(
            g.call("load", &[v.addr as i64 + k]).unwrap(),
            vec![bytes[4097 + k as usize] as i64]
        );
    }
    let err = g.attach("bad", &map, Some((19_999, 2))).unwrap_err();
    assert_eq!(
        err.kind(),
        WasmErrorKind::Map(mapview::ErrorKind::InvalidArgument)
    );
    // Dropping the host's map does not take the view away.
    drop(map);
    assert_eq!(
        g.call("load", &[v.addr as i64]).unwrap(),
        vec![bytes[4097] as i64]
    );
}

#[test]
fn read_write_views_write_through_and_are_flushed() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "rw.bin", &[b'.'; 100]);
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let v = g.attach_file("rw", &path, true).unwrap();
    assert!(v.writable);
    assert_eq!(g.call("writable", &[0]).unwrap(), vec![1]);
    g.call("store", &[v.addr as i64 + 3, b'X' as i64]).unwrap();
    g.flush().unwrap();
    assert_eq!(std::fs::read(&path).unwrap()[3], b'X');
    g.call("store", &[v.addr as i64 + 4, b'Y' as i64]).unwrap();
    drop(g); // flushed when the instance ends
    let back = std::fs::read(&path).unwrap();
    assert_eq!(&back[3..5], b"XY");
    assert_eq!(back.len(), 100);

    // A read-only view of a writable map is read-only.
    let map = MapMut::open(&path).unwrap();
    let mut g = wat_guest(&host, INSPECT);
    let v = g.attach_mut("ro", &map, None, false).unwrap();
    assert_eq!(
        g.call("store", &[v.addr as i64, 1]).unwrap_err().kind(),
        WasmErrorKind::Trap
    );
    // Private and anonymous-private maps cannot be viewed.
    let private = MapOptions::new().open_private(&path).unwrap();
    assert_eq!(
        g.attach_mut("p", &private, None, false).unwrap_err().kind(),
        WasmErrorKind::View
    );
    let anon = MapMut::anonymous(4096).unwrap();
    assert_eq!(
        g.attach_mut("a", &anon, None, false).unwrap_err().kind(),
        WasmErrorKind::View
    );
    // Anonymous shared memory can: the host sees the guest's writes.
    let shared = MapMut::anonymous_shared(4096).unwrap();
    let v = g.attach_mut("shm", &shared, None, true).unwrap();
    g.call("store", &[v.addr as i64 + 9, 77]).unwrap();
    assert_eq!(shared[9], 77);
}

#[test]
fn the_guest_heap_keeps_working_and_grows_after_views() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "d.bin", &[9u8; 1000]);
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let v = g.attach_file("d", &path, false).unwrap();
    g.call("store", &[100, 42]).unwrap(); // the guest's own first page
    let old_pages = g.call("grow", &[2]).unwrap()[0];
    assert!(
        old_pages * 65536 > v.addr as i64,
        "new heap pages come after the view"
    );
    let fresh = old_pages * 65536 + 10;
    g.call("store", &[fresh, 7]).unwrap();
    assert_eq!(g.call("load", &[fresh]).unwrap(), vec![7]);
    assert_eq!(g.call("load", &[100]).unwrap(), vec![42]);
    assert_eq!(g.call("load", &[v.addr as i64]).unwrap(), vec![9]);
}

#[test]
fn a_directory_as_views_up_to_a_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir, "one.txt", b"1");
    write(&dir, "sub/two.txt", b"22");
    write(&dir, "sub/deeper/three.txt", b"333");
    write(&dir, "empty", b"");
    let host = host();
    let mut g = wat_guest(&host, INSPECT);
    let views = g.attach_dir(dir.path(), 10).unwrap();
    let names: Vec<_> = views.iter().map(|v| (v.name.as_str(), v.len)).collect();
    assert_eq!(
        names,
        [
            ("empty", 0),
            ("one.txt", 1),
            ("sub/deeper/three.txt", 3),
            ("sub/two.txt", 2)
        ]
    );
    let mut g2 = wat_guest(&host, INSPECT);
    let err = g2.attach_dir(dir.path(), 3).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::View);
    assert!(err.message().contains("limit of 3"), "{err}");
    let err = g2.attach_dir(dir.path().join("missing"), 3).unwrap_err();
    assert_eq!(err.kind(), WasmErrorKind::Map(mapview::ErrorKind::NotFound));
}

#[test]
fn guests_share_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "shared.bin", &[3u8; 10_000]);
    let host = host();
    let mut guests: Vec<_> = (0..4).map(|_| sum_wat(&host)).collect();
    for g in &mut guests {
        g.attach_file("data", &path, false).unwrap();
    }
    for g in &mut guests {
        assert_eq!(g.call("run", &[]).unwrap(), vec![30_000]);
    }
    // A write to the file is seen by every guest: the same pages.
    let mut rw = MapMut::open(&path).unwrap();
    rw[0] = 13;
    for g in &mut guests {
        assert_eq!(g.call("run", &[]).unwrap(), vec![30_010]);
    }
}

#[test]
fn the_rust_example_guests_agree_with_native_code() {
    let dir = tempfile::tempdir().unwrap();
    let text = "the quick brown fox\njumps over\n\nthe lazy dog the end\n";
    let a = write(&dir, "a.txt", text.as_bytes());
    let data: Vec<u8> = (0..100_003u32).map(|i| (i * 7) as u8).collect();
    let b = write(&dir, "b.bin", &data);
    let host = host();

    let mut sum = host
        .instantiate(&host.load_file(rust_guest("sum")).unwrap())
        .unwrap();
    sum.attach_file("b", &b, false).unwrap();
    let mut native = 0u64;
    for chunk in data.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        native = native.wrapping_add(u64::from_le_bytes(w));
    }
    assert_eq!(sum.call("run", &[]).unwrap(), vec![native as i64]);

    let mut lines = host
        .instantiate(&host.load_file(rust_guest("lines")).unwrap())
        .unwrap();
    lines.attach_file("a.txt", &a, false).unwrap();
    assert_eq!(lines.call("run", &[]).unwrap(), vec![4]);
    assert_eq!(
        String::from_utf8(lines.take_output()).unwrap(),
        format!("4 11 {} a.txt\n", text.len())
    );
    assert_eq!(lines.call("words", &[0]).unwrap(), vec![11]);

    let mut search = host
        .instantiate(&host.load_file(rust_guest("search")).unwrap())
        .unwrap();
    search.attach_file("a.txt", &a, false).unwrap();
    search.attach_file("b.bin", &b, false).unwrap();
    search.set_args(vec![b"the".to_vec()]);
    assert_eq!(search.call("run", &[]).unwrap(), vec![3]);
    assert_eq!(
        String::from_utf8(search.take_output()).unwrap(),
        "a.txt:3\n"
    );
}

#[test]
fn the_zig_example_guests_agree_with_the_rust_ones() {
    let dir = tempfile::tempdir().unwrap();
    let text = "alpha beta\ngamma\n\ndelta alpha\n";
    let a = write(&dir, "a.txt", text.as_bytes());
    let data: Vec<u8> = (0..50_001u32).map(|i| (i * 13) as u8).collect();
    let b = write(&dir, "b.bin", &data);
    let host = host();
    for name in ["sum", "lines", "search"] {
        let zig = guest_file(&format!("zig/zig-out/{name}.wasm"));
        assert!(
            zig.exists(),
            "{} is missing: run `make guests` first",
            zig.display()
        );
        let mut results = Vec::new();
        for module in [zig, rust_guest(name)] {
            let mut g = host.instantiate(&host.load_file(&module).unwrap()).unwrap();
            g.attach_file("a.txt", &a, false).unwrap();
            g.attach_file("b.bin", &b, false).unwrap();
            g.set_args(vec![b"alpha".to_vec()]);
            let r = g.call("run", &[]).unwrap();
            results.push((r, String::from_utf8(g.take_output()).unwrap()));
        }
        assert_eq!(results[0], results[1], "{name}: Zig and Rust guests agree");
    }
}

#[test]
fn the_wat_example_guests_agree_with_the_rust_ones() {
    let dir = tempfile::tempdir().unwrap();
    let text = "one two  three\nfour\n\n five six\tseven\n end";
    let a = write(&dir, "a.txt", text.as_bytes());
    let b = write(&dir, "b.txt", b"aaaa aa\naaa");
    let host = host();
    let run = |module: std::path::PathBuf, func: &str, args: &[i64], arg: &[u8]| {
        let mut g = host.instantiate(&host.load_file(module).unwrap()).unwrap();
        g.attach_file("a.txt", &a, false).unwrap();
        g.attach_file("b.txt", &b, false).unwrap();
        g.set_args(vec![arg.to_vec()]);
        g.call(func, args).unwrap()
    };
    let wat = |n: &str| guest_file(&format!("wat/{n}.wat"));
    assert_eq!(
        run(wat("lines"), "run", &[], b""),
        run(rust_guest("lines"), "run", &[], b"")
    );
    for v in [0, 1] {
        assert_eq!(
            run(wat("lines"), "words", &[v], b""),
            run(rust_guest("lines"), "words", &[v], b"")
        );
        assert_eq!(
            run(wat("lines"), "lines", &[v], b""),
            run(rust_guest("lines"), "lines", &[v], b"")
        );
    }
    for pattern in [&b"aa"[..], b"e", b"two  three", b"zzz"] {
        assert_eq!(
            run(wat("search"), "run", &[], pattern),
            run(rust_guest("search"), "run", &[], pattern),
            "{pattern:?}"
        );
    }
    assert_eq!(
        run(wat("search"), "run", &[], b"aa"),
        vec![6],
        "overlapping: 3 in aaaa, 1 in aa, 2 in aaa"
    );
}
