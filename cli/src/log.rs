//! `mapview log append|cat|tail|verify FILE`.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use mapview::log::{Event, LogOptions, LogReader, LogWriter};

#[derive(Subcommand)]
pub enum LogCommand {
    /// Append events: each MESSAGE argument, or else each line of stdin.
    /// Creates the log if it does not exist.
    Append {
        file: PathBuf,
        messages: Vec<String>,
    },
    /// Print every event: offset, timestamp (ns since the Unix epoch), payload.
    Cat { file: PathBuf },
    /// Print the last events, then follow the log as it grows (Ctrl-C stops).
    Tail {
        file: PathBuf,
        /// How many of the existing events to print first.
        #[arg(short = 'n', long, default_value_t = 10)]
        lines: usize,
        /// Print and exit instead of following.
        #[arg(long)]
        no_follow: bool,
    },
    /// Check every event's checksum; exit status 1 if any is damaged.
    Verify { file: PathBuf },
}

pub fn run(cmd: LogCommand) -> mapview::Result<ExitCode> {
    match cmd {
        LogCommand::Append { file, messages } => append(file, messages),
        LogCommand::Cat { file } => {
            let reader = LogReader::open(&file)?;
            let mut out = io::stdout().lock();
            for e in reader.events() {
                print_event(&mut out, &e?);
            }
            Ok(ExitCode::SUCCESS)
        }
        LogCommand::Tail {
            file,
            lines,
            no_follow,
        } => tail(file, lines, no_follow),
        LogCommand::Verify { file } => verify(file),
    }
}

fn append(file: PathBuf, messages: Vec<String>) -> mapview::Result<ExitCode> {
    let mut log = match LogWriter::open(&file) {
        Ok(log) => log,
        Err(e) if e.kind() == mapview::ErrorKind::NotFound => {
            LogWriter::create(&file, &LogOptions::new())?
        }
        Err(e) => return Err(e),
    };
    let mut n = 0;
    if messages.is_empty() {
        for line in io::stdin().lock().lines() {
            let line = line.map_err(|e| mapview::Error::io("read stdin", e))?;
            log.append(line.as_bytes())?;
            n += 1;
        }
    } else {
        n = log.append_batch(messages.iter().map(|m| m.as_bytes()))?;
    }
    log.sync()?;
    eprintln!(
        "appended {n} event(s); {} in {}",
        log.count(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn print_event(out: &mut impl Write, e: &Event<'_>) {
    let _ = writeln!(
        out,
        "{}\t{}\t{}",
        e.offset,
        e.timestamp_ns,
        String::from_utf8_lossy(e.payload)
    );
}

fn tail(file: PathBuf, lines: usize, no_follow: bool) -> mapview::Result<ExitCode> {
    let mut reader = LogReader::open(&file)?;
    let offsets: Vec<u64> = reader
        .events()
        .map(|e| e.map(|e| e.offset))
        .collect::<Result<_, _>>()?;
    // Start `lines` events from the end (or at the end for 0).
    let mut from = offsets
        .get(offsets.len().saturating_sub(lines))
        .copied()
        .unwrap_or(reader.write_offset());
    let mut out = io::stdout().lock();
    loop {
        for e in reader.events_from(from)? {
            print_event(&mut out, &e?);
        }
        from = reader.write_offset();
        let _ = out.flush();
        if no_follow {
            return Ok(ExitCode::SUCCESS);
        }
        reader.wait_for_more(Duration::from_millis(50), Duration::from_secs(3600))?;
    }
}

fn verify(file: PathBuf) -> mapview::Result<ExitCode> {
    let reader = LogReader::open(&file)?;
    // A bar only for work long enough to watch, and only for a person.
    let bar = (io::stderr().is_terminal() && reader.write_offset() > 256 << 20).then(|| {
        let bar = ProgressBar::new(reader.write_offset());
        bar.set_style(
            ProgressStyle::with_template("verifying {bar:40} {bytes}/{total_bytes} {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let report = reader.verify_with_progress(|at| {
        if let Some(bar) = &bar {
            bar.set_position(at);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut out = io::stdout().lock();
    for d in &report.damaged {
        let _ = writeln!(out, "damaged event at offset {}: {}", d.offset, d.reason);
    }
    let _ = writeln!(
        out,
        "{}: {} good event(s), header says {}, {} damaged, {} bytes committed, {} synced",
        file.display(),
        report.good_events,
        report.header_count,
        report.damaged.len(),
        report.write_offset,
        report.synced_offset
    );
    Ok(if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
