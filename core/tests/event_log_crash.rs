//! Crash safety: a real writer process is killed with SIGKILL at random
//! moments, many times over the same log. After each kill, reopening must
//! find every event acknowledged by a completed sync, every event intact
//! and in sequence, and appending must go on from there.

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use mapview::log::{LogOptions, LogReader, LogWriter};

const CHILD_ENV: &str = "MAPVIEW_CRASH_WRITER_LOG";

/// Payload of event `seq`: its number, then a length and fill that vary.
fn payload(seq: u64) -> Vec<u8> {
    let mut p = seq.to_le_bytes().to_vec();
    p.extend(std::iter::repeat_n(
        (seq % 251) as u8,
        (seq * 37 % 700) as usize,
    ));
    p
}

/// Runs only in the child process: appends forever, syncing every 16
/// events and reporting each completed sync on stdout.
#[test]
fn crash_writer_child() {
    let Some(path) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let mut w = match LogWriter::open(&path) {
        Ok(w) => w,
        Err(_) => {
            LogWriter::create(&path, LogOptions::new().capacity(8192).segment(64 << 10)).unwrap()
        }
    };
    let mut seq = w.count();
    loop {
        if seq % 5 == 0 {
            let batch: Vec<Vec<u8>> = (seq..seq + 3).map(payload).collect();
            w.append_batch(batch.iter().map(Vec::as_slice)).unwrap();
            seq += 3;
        } else {
            w.append(&payload(seq)).unwrap();
            seq += 1;
        }
        if seq % 16 < 3 {
            w.sync().unwrap();
            println!("synced {}", w.count());
        }
    }
}

fn check_log(path: &std::path::Path) -> u64 {
    let r = LogReader::open(path).unwrap();
    let mut n = 0;
    for e in r.events() {
        let e = e.unwrap_or_else(|err| panic!("after a crash the log returned an error: {err}"));
        assert_eq!(
            e.payload,
            &payload(n)[..],
            "event {n} is intact and in sequence"
        );
        n += 1;
    }
    let report = r.verify();
    assert!(report.damaged.is_empty(), "{report:?}");
    n
}

#[test]
fn killed_writers_lose_no_synced_event() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.log");
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    let mut last_synced = 0;
    for round in 0..40 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_writer_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let acks = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| {
                    l.strip_prefix("synced ")
                        .and_then(|n| n.parse::<u64>().ok())
                })
                .max()
        });
        // Let it start (and recover), then kill it at a random moment.
        std::thread::sleep(Duration::from_micros(20_000 + rng % 40_000));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(libc::SIGKILL),
            "round {round}: the writer died of the kill"
        );
        if let Some(n) = acks.join().unwrap() {
            last_synced = last_synced.max(n);
        }
        let recovered = check_log(&path);
        assert!(
            recovered >= last_synced,
            "round {round}: {recovered} events, but {last_synced} were synced"
        );
    }
    assert!(
        last_synced > 0,
        "the writer never got to a sync: the test exercised nothing"
    );
    eprintln!("40 kills: {last_synced} events acknowledged by a sync, all recovered");
    // The log is still appendable and whole after all of it.
    let mut w = LogWriter::open(&path).unwrap();
    let n = w.count();
    w.append(&payload(n)).unwrap();
    assert_eq!(check_log(&path), n + 1);
}
