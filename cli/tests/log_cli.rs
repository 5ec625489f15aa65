//! `mapview log append|cat|tail|verify`, run as a user would, and the log
//! format checked by an independent reader written from the format document.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn mapview(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mapview"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mapview");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("mapview output")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The payload column of `cat`/`tail` output.
fn payloads(out: &Output) -> Vec<String> {
    text(&out.stdout)
        .lines()
        .map(|l| l.splitn(3, '\t').nth(2).unwrap_or("").to_string())
        .collect()
}

#[test]
fn append_cat_tail_verify() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("app.log");
    let log = log.to_str().unwrap();
    let out = mapview(&["log", "append", log, "first", "second"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = mapview(&["log", "append", log], Some("third\nfourth\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("4 in"), "{}", text(&out.stderr));

    let out = mapview(&["log", "cat", log], None);
    assert!(out.status.success());
    assert_eq!(payloads(&out), ["first", "second", "third", "fourth"]);
    let first_line = text(&out.stdout).lines().next().unwrap().to_string();
    assert!(
        first_line.starts_with("128\t"),
        "offset column: {first_line}"
    );

    let out = mapview(&["log", "tail", "-n", "2", "--no-follow", log], None);
    assert_eq!(payloads(&out), ["third", "fourth"]);
    let out = mapview(&["log", "tail", "-n", "0", "--no-follow", log], None);
    assert!(payloads(&out).is_empty());
    let out = mapview(&["log", "tail", "-n", "99", "--no-follow", log], None);
    assert_eq!(payloads(&out).len(), 4);

    let out = mapview(&["log", "verify", log], None);
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("4 good event(s)"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn tail_follows_a_growing_log() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("follow.log");
    let log = log.to_str().unwrap();
    assert!(
        mapview(&["log", "append", log, "before"], None)
            .status
            .success()
    );
    let mut tail = Command::new(env!("CARGO_BIN_EXE_mapview"))
        .args(["log", "tail", "-n", "1", log])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert!(
        mapview(&["log", "append", log, "after"], None)
            .status
            .success()
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    tail.kill().unwrap();
    let out = tail.wait_with_output().unwrap();
    assert_eq!(payloads(&out), ["before", "after"]);
}

#[test]
fn verify_reports_damage_with_its_offset_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.log");
    let log = path.to_str().unwrap();
    assert!(
        mapview(&["log", "append", log, "aaaa", "bbbb", "cccc"], None)
            .status
            .success()
    );
    let mut bytes = std::fs::read(&path).unwrap();
    // Second event: 128 + 16 + 8 = 152; flip a payload byte.
    bytes[152 + 17] ^= 1;
    std::fs::write(&path, bytes).unwrap();
    let out = mapview(&["log", "verify", log], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("damaged event at offset 152"),
        "{}",
        text(&out.stdout)
    );
    let out = mapview(&["log", "cat", log], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        payloads(&out),
        ["aaaa"],
        "the intact event before the damage is printed"
    );
    assert!(
        text(&out.stderr).contains("offset 152"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn errors_are_clear_with_exit_status_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.log");
    let out = mapview(&["log", "cat", missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("missing.log") && text(&out.stderr).contains("not found"),
        "{}",
        text(&out.stderr)
    );
    let not_log = dir.path().join("plain.txt");
    std::fs::write(&not_log, vec![b'x'; 500]).unwrap();
    let out = mapview(&["log", "verify", not_log.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("not a mapview event log"),
        "{}",
        text(&out.stderr)
    );
    let out = mapview(&["log", "append", not_log.to_str().unwrap(), "x"], None);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(&not_log).unwrap(),
        vec![b'x'; 500],
        "a file that is not a log is left alone"
    );
}

#[test]
fn an_independent_reader_built_from_the_format_document_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("doc.log");
    let log = path.to_str().unwrap();
    let messages: Vec<String> = (0..300)
        .map(|i| format!("message {i} {}", "é".repeat(i % 11)))
        .collect();
    let input = messages.join("\n") + "\n";
    assert!(
        mapview(&["log", "append", log], Some(&input))
            .status
            .success()
    );
    let reader = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/event_log/read_log.py"
    );
    let out = Command::new("python3")
        .arg(reader)
        .arg(log)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let ours = mapview(&["log", "cat", log], None);
    assert_eq!(
        text(&out.stdout),
        text(&ours.stdout),
        "both readers print the same events"
    );
    assert_eq!(payloads(&ours), messages);
    // The independent reader sees damage too.
    let mut bytes = std::fs::read(&path).unwrap();
    let n = bytes.len();
    let end = u64::from_le_bytes(bytes[16..24].try_into().unwrap()) as usize;
    assert!(end <= n);
    bytes[end - 9] ^= 0x10;
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("python3")
        .arg(reader)
        .arg(log)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("damaged event at offset"));
}
