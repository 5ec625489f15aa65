//! What `mapview grep` does beyond matching rg's output: its messages,
//! and how it behaves in pipes.

mod common;

use std::io::Read;
use std::process::Stdio;

use common::{mapview, run};

#[test]
fn errors_name_the_path_or_the_pattern_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let out = run(mapview().args(["grep", "foo"]).arg(&missing));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(&missing.display().to_string()),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("not found"), "{}", out.stderr);

    let out = run(mapview().args(["grep", "-n", "(unclosed"]).arg(dir.path()));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("'(unclosed'"), "{}", out.stderr);
    assert!(out.stdout.is_empty());

    // A file that cannot be read: reported, the rest still searched, exit 2.
    std::fs::write(dir.path().join("good"), "foo\n").unwrap();
    std::os::unix::fs::symlink("/proc/self/mem", dir.path().join("bad")).unwrap();
    let out = run(mapview().args(["grep", "-L", "-c", "foo"]).arg(dir.path()));
    assert_eq!(out.code, 2);
    assert_eq!(
        common::text(&out),
        format!("{}/good:1\n", dir.path().display())
    );
    assert!(out.stderr.contains("/bad"), "{}", out.stderr);
}

#[test]
fn exit_status_is_0_on_a_match_and_1_without() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "foo\n").unwrap();
    assert_eq!(run(mapview().args(["grep", "foo"]).arg(dir.path())).code, 0);
    let out = run(mapview().args(["grep", "bar"]).arg(dir.path()));
    assert_eq!((out.code, out.stdout.len(), out.stderr.len()), (1, 0, 0));
}

#[test]
fn a_reader_that_goes_away_is_not_an_error() {
    // Like `mapview grep -n define /usr/include | head -1`.
    let mut child = mapview()
        .args(["grep", "-n", "define", "/usr/include"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn output_redirected_into_the_tree_is_not_searched() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("f"), "foo\n").unwrap();
    let out_path = dir.path().join("out.txt");
    // `>>` onto a file that already matches: searched, it would show up.
    std::fs::write(&out_path, "foo from before\n").unwrap();
    let append = std::fs::OpenOptions::new()
        .append(true)
        .open(&out_path)
        .unwrap();
    let status = mapview()
        .args(["grep", "-n", "foo"])
        .arg(dir.path())
        .stdout(append)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let printed = std::fs::read_to_string(&out_path).unwrap();
    assert_eq!(
        printed,
        format!("foo from before\n{}/f:1:foo\n", dir.path().display())
    );
}

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    // /usr/include takes long enough for progress to be reported to the
    // printer (every 100 ms) on a slow machine; none may reach stderr.
    let out = run(mapview().args(["grep", "-c", "-i", r"\w+_t\b", "/usr/include"]));
    assert_eq!(out.code, 0);
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}
