//! `mapview run`: a guest over mapped files, its output and results, and
//! clear errors with a non-zero exit status.

use std::path::PathBuf;
use std::process::{Command, Output};

fn guest(name: &str) -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../wasm-host/guests/rust/target/wasm32-unknown-unknown/release"
    ))
    .join(format!("{name}.wasm"));
    assert!(
        p.exists(),
        "{} is missing: run `make guests` first",
        p.display()
    );
    p
}

fn mapview(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mapview"))
        .args(args)
        .output()
        .expect("run mapview")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn runs_a_guest_over_maps_and_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.txt");
    std::fs::write(&a, "one two\nthree\n").unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/x.txt"), "needle hay needle").unwrap();
    std::fs::write(dir.path().join("corpus/y.txt"), "hay").unwrap();

    let lines = guest("lines");
    let out = mapview(&[
        "run",
        lines.to_str().unwrap(),
        "--map",
        &format!("a={}", a.display()),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "2 3 14 a\n2\n",
        "the guest's output, then its result"
    );

    let search = guest("search");
    let corpus = dir.path().join("corpus");
    let out = mapview(&[
        "run",
        search.to_str().unwrap(),
        "--map-dir",
        corpus.to_str().unwrap(),
        "--",
        "needle",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "x.txt:2\n2\n");

    // Integer parameters come from the arguments.
    let out = mapview(&[
        "run",
        lines.to_str().unwrap(),
        "--invoke",
        "words",
        "--map",
        &format!("a={}", a.display()),
        "--",
        "0",
    ]);
    assert_eq!(text(&out.stdout), "3\n");
}

#[test]
fn a_read_write_view_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("rw.bin");
    std::fs::write(&f, [0u8; 4]).unwrap();
    let wat = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../wasm-host/guests/wat/sum.wat"
    );
    // poke(addr, value): views start on the second wasm page here (65536).
    let out = mapview(&[
        "run",
        wat,
        "--invoke",
        "poke",
        "--map",
        &format!("f={}:rw", f.display()),
        "--",
        "65537",
        "9",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&f).unwrap(), [0, 9, 0, 0]);
    // The same store into a read-only view is a trap.
    let out = mapview(&[
        "run",
        wat,
        "--invoke",
        "poke",
        "--map",
        &format!("f={}", f.display()),
        "--",
        "65537",
        "7",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("trap"), "{}", text(&out.stderr));
    assert_eq!(std::fs::read(&f).unwrap(), [0, 9, 0, 0]);
}

#[test]
fn errors_are_clear_with_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let sum = guest("sum");
    let sum = sum.to_str().unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![format!("{}/missing.wasm", dir.path().display())],
            "not found",
        ),
        (
            vec![sum.into(), "--map".into(), "nameonly".into()],
            "expected NAME=PATH",
        ),
        (
            vec![
                sum.into(),
                "--map".into(),
                format!("x={}/nope.bin", dir.path().display()),
            ],
            "nope.bin",
        ),
        (
            vec![sum.into(), "--invoke".into(), "absent".into()],
            "no function 'absent'",
        ),
        (
            vec![
                sum.into(),
                "--invoke".into(),
                "sum_view".into(),
                "--".into(),
                "zero".into(),
            ],
            "not an integer",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["run".to_string()];
        full.extend(args);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        let out = mapview(&refs);
        assert_eq!(out.status.code(), Some(1), "{refs:?}");
        assert!(
            text(&out.stderr).contains(needle),
            "{refs:?}: {}",
            text(&out.stderr)
        );
    }
    let junk = dir.path().join("junk.wasm");
    std::fs::write(&junk, b"not wasm").unwrap();
    let out = mapview(&["run", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not a valid guest module"),
        "{}",
        text(&out.stderr)
    );
    // A guest that loops forever ends at the time limit.
    let spin = dir.path().join("spin.wat");
    std::fs::write(
        &spin,
        r#"(module (memory (export "memory") 1) (func (export "run") (loop $l (br $l))))"#,
    )
    .unwrap();
    let out = mapview(&["run", spin.to_str().unwrap(), "--timeout-ms", "200"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("time limit"),
        "{}",
        text(&out.stderr)
    );
}
