//! `mapview grep [-c] [-n] [-F] [-i] PATTERN DIR`: prints what
//! `rg --no-ignore --hidden` prints when its output is not a terminal,
//! and exits as it does: 0 if anything matched, 1 if nothing did, 2 if
//! any file or directory could not be searched.

use std::io::{self, IsTerminal, Write};
use std::ops::ControlFlow;
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use mapview::search::{Binary, FileMatches, SearchOptions, SearchSummary, Sink, search};

#[derive(clap::Args)]
pub struct GrepArgs {
    /// Print `path:count` (the number of matching lines) for each file
    /// with a match, instead of the lines.
    #[arg(short = 'c', long)]
    pub count: bool,
    /// Print the line number of each line: `path:number:line`.
    #[arg(short = 'n', long = "line-number")]
    pub line_number: bool,
    /// Search for PATTERN as a literal string, not a regular expression.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,
    /// Match without regard to case.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
    /// Follow symbolic links (a link back to an ancestor is an error).
    #[arg(short = 'L', long)]
    pub follow: bool,
    /// Skip what .gitignore, .ignore and .rgignore files exclude, as rg
    /// does by default.
    #[arg(long, overrides_with = "no_ignore")]
    pub ignore: bool,
    /// Search files that ignore files exclude (the default; as `rg --no-ignore`).
    #[arg(long, overrides_with = "ignore")]
    pub no_ignore: bool,
    /// Skip hidden files and directories, as rg does by default.
    #[arg(long, overrides_with = "hidden")]
    pub no_hidden: bool,
    /// Search hidden files and directories (the default; as `rg --hidden`).
    #[arg(long, overrides_with = "no_hidden")]
    pub hidden: bool,
    /// Threads searching; 0 means one per core (at most 12).
    #[arg(short = 'j', long, default_value_t = 0)]
    pub threads: usize,
    /// Files larger than this many bytes are mapped, smaller ones read
    /// (tuning and tests only: the output never depends on it).
    #[arg(long, hide = true, default_value_t = mapview::search::DEFAULT_MMAP_THRESHOLD)]
    pub mmap_threshold: u64,
    /// A regular expression (Rust regex syntax), or with -F a literal.
    pub pattern: String,
    /// The directory to search (or a single file).
    pub dir: PathBuf,
}

pub fn run(args: GrepArgs) -> mapview::Result<ExitCode> {
    let mut options = SearchOptions::new();
    options
        .fixed_strings(args.fixed_strings)
        .ignore_case(args.ignore_case)
        .count_only(args.count)
        .follow_links(args.follow)
        .respect_ignore_files(args.ignore)
        .skip_hidden(args.no_hidden)
        .skip_stdout(true)
        .threads(args.threads)
        .mmap_threshold(args.mmap_threshold);
    // rg prints no path when its one path is a file.
    let with_path = !args.dir.is_file();
    let stdout = io::stdout();
    let mut printer = Printer {
        out: io::BufWriter::with_capacity(64 * 1024, stdout.lock()),
        with_path,
        count_only: args.count,
        line_numbers: args.line_number,
        failed: false,
        write_error: None,
        progress: Progress::new(),
    };
    let summary = search(&args.dir, &args.pattern, &options, &mut printer);
    printer.progress.finish();
    let summary = summary?;
    if let Err(e) = printer.out.flush() {
        printer.note_write_error(e);
    }
    if let Some(e) = printer.write_error {
        return Err(mapview::Error::io("write", e));
    }
    let matched = summary.files_matched > 0;
    Ok(if printer.failed || summary.errors > 0 {
        ExitCode::from(2)
    } else if matched {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Writes results the way rg does with its output in a pipe.
struct Printer<W: Write> {
    out: W,
    with_path: bool,
    count_only: bool,
    line_numbers: bool,
    /// A file or directory could not be searched.
    failed: bool,
    /// Writing stdout failed (other than the reader going away).
    write_error: Option<io::Error>,
    progress: Progress,
}

impl<W: Write> Printer<W> {
    fn write_file(&mut self, file: &FileMatches) -> io::Result<()> {
        let path = file.path().as_os_str().as_bytes();
        let out = &mut self.out;
        if self.count_only {
            if self.with_path {
                out.write_all(path)?;
                out.write_all(b":")?;
            }
            return write_number(out, file.count(), b'\n');
        }
        for line in file.lines() {
            if self.with_path {
                out.write_all(path)?;
                out.write_all(b":")?;
            }
            if self.line_numbers {
                write_number(out, line.number, b':')?;
            }
            out.write_all(line.text)?;
            out.write_all(b"\n")?;
        }
        if let Some(binary) = file.binary() {
            if self.with_path {
                out.write_all(path)?;
                out.write_all(b": ")?;
            }
            match binary {
                Binary::Stopped { offset } => write!(
                    out,
                    "WARNING: stopped searching binary file after match \
                     (found \"\\0\" byte around offset {offset})"
                )?,
                Binary::Matches { offset } => write!(
                    out,
                    "binary file matches (found \"\\0\" byte around offset {offset})"
                )?,
            }
            out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn note_write_error(&mut self, e: io::Error) {
        // A reader that went away (`| head`) is not an error, as for rg.
        if e.kind() != io::ErrorKind::BrokenPipe && self.write_error.is_none() {
            self.write_error = Some(e);
        }
    }
}

impl<W: Write> Sink for Printer<W> {
    fn file(&mut self, file: FileMatches) -> ControlFlow<()> {
        match self.write_file(&file) {
            Ok(()) => ControlFlow::Continue(()),
            Err(e) => {
                self.note_write_error(e);
                ControlFlow::Break(())
            }
        }
    }

    fn error(&mut self, error: mapview::Error) -> ControlFlow<()> {
        self.failed = true;
        self.progress.suspend(|| eprintln!("mapview: {error}"));
        ControlFlow::Continue(())
    }

    fn progress(&mut self, so_far: &SearchSummary) {
        self.progress.update(so_far);
    }
}

/// `n` in decimal followed by `end`, without the formatting machinery:
/// with -n this runs once per printed line.
fn write_number(out: &mut impl Write, mut n: u64, end: u8) -> io::Result<()> {
    let mut buf = [0u8; 21];
    let mut i = buf.len() - 1;
    buf[i] = end;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.write_all(&buf[i..])
}

/// A progress line on stderr: only when stderr is a terminal and stdout is
/// not (on a terminal the matches themselves show progress, and would tear
/// the bar), and only once the search has run for a second.
struct Progress {
    enabled: bool,
    started: Instant,
    bar: Option<ProgressBar>,
}

const PROGRESS_AFTER: Duration = Duration::from_secs(1);

impl Progress {
    fn new() -> Progress {
        Progress {
            enabled: io::stderr().is_terminal() && !io::stdout().is_terminal(),
            started: Instant::now(),
            bar: None,
        }
    }

    fn update(&mut self, so_far: &SearchSummary) {
        if !self.enabled || self.started.elapsed() < PROGRESS_AFTER {
            return;
        }
        let bar = self.bar.get_or_insert_with(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed} {msg}") {
                bar.set_style(style);
            }
            bar
        });
        bar.set_message(format!(
            "{} files searched, {} with matches, {} lines",
            so_far.files_searched, so_far.files_matched, so_far.lines_matched
        ));
        bar.tick();
    }

    fn suspend(&self, f: impl FnOnce()) {
        match &self.bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_in_decimal() {
        let mut out = Vec::new();
        for n in [0, 7, 10, 65_536, u64::MAX] {
            write_number(&mut out, n, b':').unwrap();
        }
        assert_eq!(out, b"0:7:10:65536:18446744073709551615:");
    }
}
