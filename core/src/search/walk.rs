//! The parallel walk: `ignore`'s worker threads each search the files they
//! find and send what they found down a bounded channel; the calling
//! thread takes it from there and hands it to the sink. So the sink needs
//! no locking, runs on the caller's thread (which C callers rely on), and
//! a slow sink slows the workers instead of piling up results.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::error::{Error, ErrorKind};

use super::file::{Origin, Scratch, search_file};
use super::matcher::Matcher;
use super::options::SearchOptions;
use super::report::{FileMatches, SearchSummary, Sink};

/// Batches in flight between the workers and the caller. Enough to keep
/// the workers busy while the caller writes; few enough to bound memory.
const CHANNEL_CAPACITY: usize = 16;

/// A worker sends what it found in batches: one send per file woke the
/// caller thousands of times a second (a context switch each), which cost
/// more than the search of a small file.
const BATCH_FILES: usize = 64;
const BATCH_BYTES: usize = 256 * 1024;

/// How often `Sink::progress` is called.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

enum Found {
    File(FileMatches),
    Error(Error),
}

/// Searches the files under the directory `root`.
pub(crate) fn walk_dir(
    root: &Path,
    matcher: &Matcher,
    options: &SearchOptions,
    sink: &mut dyn Sink,
) -> SearchSummary {
    let walker = builder(root, options).build_parallel();
    let quit = AtomicBool::new(false);
    let searched = AtomicU64::new(0);
    let (tx, rx) = mpsc::sync_channel(CHANNEL_CAPACITY);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            walker.run(|| {
                let mut worker = Worker {
                    matcher: matcher.clone(),
                    scratch: Scratch::default(),
                    batch: Vec::new(),
                    batch_bytes: 0,
                    tx: tx.clone(),
                    quit: &quit,
                    searched: &searched,
                    count_only: options.count_only,
                    mmap_threshold: options.mmap_threshold,
                };
                Box::new(move |entry| worker.visit(entry))
            });
            drop(tx);
        });
        // Stops the workers however this closure ends, a panicking sink
        // included; dropping `rx` then fails any send they are blocked in.
        let _stop = SetOnDrop(&quit);
        deliver(rx, &searched, sink)
    })
}

fn builder(root: &Path, options: &SearchOptions) -> WalkBuilder {
    let mut b = WalkBuilder::new(root);
    b.standard_filters(false)
        .hidden(options.skip_hidden)
        .follow_links(options.follow_links)
        .skip_stdout(options.skip_stdout)
        .threads(options.threads);
    if options.respect_ignore_files {
        // ripgrep's defaults without --no-ignore.
        b.ignore(true)
            .git_ignore(true)
            .git_global(true)
            .git_exclude(true)
            .parents(true)
            .require_git(true)
            .add_custom_ignore_filename(".rgignore");
    }
    b
}

/// The caller's side: hands each result to the sink, and progress now and
/// then, until the workers are done or the sink says stop.
fn deliver(
    rx: mpsc::Receiver<Vec<Found>>,
    searched: &AtomicU64,
    sink: &mut dyn Sink,
) -> SearchSummary {
    let mut summary = SearchSummary::default();
    let mut last_progress = Instant::now();
    loop {
        let flow = match rx.recv_timeout(PROGRESS_EVERY) {
            Ok(batch) => hand_over(batch, &mut summary, sink),
            Err(RecvTimeoutError::Timeout) => ControlFlow::Continue(()),
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if flow.is_break() {
            summary.stopped = true;
            break;
        }
        if last_progress.elapsed() >= PROGRESS_EVERY {
            summary.files_searched = searched.load(Ordering::Relaxed);
            sink.progress(&summary);
            last_progress = Instant::now();
        }
    }
    // On a stop the count is of the files searched so far.
    summary.files_searched = searched.load(Ordering::Relaxed);
    summary
}

fn hand_over(
    batch: Vec<Found>,
    summary: &mut SearchSummary,
    sink: &mut dyn Sink,
) -> ControlFlow<()> {
    for found in batch {
        match found {
            Found::File(file) => {
                summary.files_matched += 1;
                summary.lines_matched += file.count();
                sink.file(file)?;
            }
            Found::Error(err) => {
                summary.errors += 1;
                sink.error(err)?;
            }
        }
    }
    ControlFlow::Continue(())
}

struct SetOnDrop<'a>(&'a AtomicBool);

impl Drop for SetOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// One walker thread's state.
struct Worker<'a> {
    matcher: Matcher,
    scratch: Scratch,
    batch: Vec<Found>,
    batch_bytes: usize,
    tx: SyncSender<Vec<Found>>,
    quit: &'a AtomicBool,
    searched: &'a AtomicU64,
    count_only: bool,
    mmap_threshold: u64,
}

impl Worker<'_> {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        if self.quit.load(Ordering::Relaxed) {
            return WalkState::Quit;
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => return self.send(Found::Error(walk_error(err, None))),
        };
        // Regular files only: not directories, FIFOs or devices, and not
        // symbolic links unless they are followed (then the type is the
        // target's).
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            return WalkState::Continue;
        }
        self.searched.fetch_add(1, Ordering::Relaxed);
        let found = search_file(
            entry.into_path(),
            Origin::Walked,
            &self.matcher,
            self.count_only,
            self.mmap_threshold,
            &mut self.scratch,
        );
        match found {
            Ok(Some(file)) => self.send(Found::File(file)),
            Ok(None) => WalkState::Continue,
            Err(err) => self.send(Found::Error(err)),
        }
    }

    fn send(&mut self, found: Found) -> WalkState {
        if let Found::File(file) = &found {
            self.batch_bytes += file.text.len();
        }
        self.batch.push(found);
        if self.batch.len() < BATCH_FILES && self.batch_bytes < BATCH_BYTES {
            return WalkState::Continue;
        }
        self.flush()
    }

    fn flush(&mut self) -> WalkState {
        self.batch_bytes = 0;
        // A failed send means the caller stopped listening.
        match self.tx.send(std::mem::take(&mut self.batch)) {
            Ok(()) => WalkState::Continue,
            Err(_) => WalkState::Quit,
        }
    }
}

/// The walk drops each worker when it is done: what is left goes then.
impl Drop for Worker<'_> {
    fn drop(&mut self) {
        if !self.batch.is_empty() {
            self.flush();
        }
    }
}

/// An error from the walk (a directory that cannot be read, a link loop,
/// a dangling link when following links) as a mapview error naming the path.
fn walk_error(err: ignore::Error, path: Option<PathBuf>) -> Error {
    match err {
        ignore::Error::WithPath { path, err } => walk_error(*err, Some(path)),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            walk_error(*err, path)
        }
        ignore::Error::Partial(mut errs) if errs.len() == 1 => walk_error(errs.remove(0), path),
        ignore::Error::Loop { ancestor, child } => Error::new(
            ErrorKind::Io,
            "walk",
            format!(
                "file system loop: the link points to its ancestor '{}'",
                ancestor.display()
            ),
        )
        .with_path(Some(&child)),
        ignore::Error::Io(e) => Error::io("walk", e).with_path(path.as_deref()),
        other => Error::new(ErrorKind::Io, "walk", other.to_string()).with_path(path.as_deref()),
    }
}
