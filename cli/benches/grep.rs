//! `mapview grep` against ripgrep on /usr/include: whole-process wall time,
//! best of N, both tools interleaved in the same run, output drained
//! through a pipe as a real pipeline would. Prints the ratio mapview/rg
//! for each case; the goal is at most 1.0x.
//!
//! Run with `cargo bench -p mapview-cli --bench grep`. Cargo builds the
//! `mapview` binary for the bench (CARGO_BIN_EXE_mapview, release
//! settings). MAPVIEW_BENCH_RUNS (default 15) sets N; MAPVIEW_BENCH_DIR
//! searches another tree.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RG: &str = "/usr/bin/rg";
const GOAL: f64 = 1.0;

/// (flags, pattern): literal and regex, counting and printing lines.
const CASES: &[(&[&str], &str)] = &[
    (&["-c"], "define"),
    (&["-n"], "define"),
    (&["-c", "-i"], "define"),
    (&["-n", "-F"], "struct stat"),
    (&["-c"], r"u?int(8|16|32|64)_t"),
    (&["-n"], r"u?int(8|16|32|64)_t"),
    (&["-n"], r"^#include <[a-z]+\.h>"),
    (&["-c"], r"\bfoo\w*"),
];

fn main() {
    let root = std::env::var("MAPVIEW_BENCH_DIR").unwrap_or_else(|_| "/usr/include".into());
    let runs: usize = std::env::var("MAPVIEW_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(15);
    if !Path::new(RG).is_file() {
        eprintln!(
            "{RG} is missing: install ripgrep (scripts/bootstrap.sh); nothing to compare with"
        );
        std::process::exit(1);
    }
    let mapview = env!("CARGO_BIN_EXE_mapview");
    println!("mapview grep vs rg --no-ignore --hidden on {root}: best of {runs}, interleaved");
    println!(
        "{:<34} {:>10} {:>10} {:>7}  goal",
        "case", "mapview", "rg", "ratio"
    );
    let mut missed = 0;
    for (flags, pattern) in CASES {
        let mine = || {
            let mut c = Command::new(mapview);
            c.arg("grep").args(*flags).arg(pattern).arg(&root);
            c
        };
        let theirs = || {
            let mut c = Command::new(RG);
            c.args(["--no-ignore", "--hidden"])
                .args(*flags)
                .arg(pattern)
                .arg(&root);
            c
        };
        // One untimed run each: the page cache, and a check that the two
        // print as much as each other (the tests compare the content).
        let (a, b) = (time(&mut mine()), time(&mut theirs()));
        if a.1 != b.1 {
            println!(
                "  (output differs: {} bytes from mapview, {} from rg)",
                a.1, b.1
            );
        }
        let (mut best_mine, mut best_theirs) = (Duration::MAX, Duration::MAX);
        for i in 0..runs {
            // Alternate which goes first, so neither always runs warm.
            if i % 2 == 0 {
                best_mine = best_mine.min(time(&mut mine()).0);
                best_theirs = best_theirs.min(time(&mut theirs()).0);
            } else {
                best_theirs = best_theirs.min(time(&mut theirs()).0);
                best_mine = best_mine.min(time(&mut mine()).0);
            }
        }
        let ratio = best_mine.as_secs_f64() / best_theirs.as_secs_f64();
        let met = ratio <= GOAL;
        missed += usize::from(!met);
        println!(
            "{:<34} {:>8.1}ms {:>8.1}ms {:>6.2}x  <= {GOAL:.1}x {}",
            format!("{} {pattern}", flags.join(" ")),
            ms(best_mine),
            ms(best_theirs),
            ratio,
            if met { "goal met" } else { "goal MISSED" }
        );
    }
    println!("{} of {} goals met", CASES.len() - missed, CASES.len());
}

/// Wall time of the whole process, its output read through a pipe, and
/// how many bytes it printed.
fn time(cmd: &mut Command) -> (Duration, usize) {
    let start = Instant::now();
    let out = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .output()
        .expect("spawn");
    (start.elapsed(), out.stdout.len())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}
