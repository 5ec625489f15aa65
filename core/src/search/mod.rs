//! Directory search: every regular file under a directory, searched for a
//! regular expression or a literal, with ripgrep's output semantics.
//!
//! The defaults are those of `rg --no-ignore --hidden`, and the lines and
//! counts reported are the ones ripgrep 13 prints for the same tree:
//!
//! - Lines end at `\n`. A `\r` before it is part of the line; a last line
//!   without `\n` counts; bytes are reported as they are, UTF-8 or not.
//! - A match never spans lines: `\s` or `[^a]` do not match `\n`, and a
//!   pattern with a literal newline is refused.
//! - With count-only, a count is of matching lines, not matches, and files
//!   without a match are not reported.
//! - Files with a NUL byte are binary and handled as ripgrep does (see
//!   [`Binary`]); a UTF-16 file (by its byte-order mark) is searched as
//!   UTF-8, and a UTF-8 byte-order mark is not part of the first line.
//! - Symbolic links are not followed unless asked; the root is searched
//!   whatever it is called. The root may also be a single file.
//!
//! Small files are read and large ones mapped with [`Map`](crate::Map); the
//! walk and the search run on every core.
//!
//! ```
//! # fn main() -> mapview::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # std::fs::write(dir.path().join("a.txt"), "one\ntwo\nthree\n").unwrap();
//! use std::ops::ControlFlow;
//! use mapview::search::{search, FileMatches, SearchOptions, Sink};
//!
//! struct Print;
//! impl Sink for Print {
//!     fn file(&mut self, file: FileMatches) -> ControlFlow<()> {
//!         for line in file.lines() {
//!             println!("{}:{}:{}", file.path().display(), line.number,
//!                      String::from_utf8_lossy(line.text));
//!         }
//!         ControlFlow::Continue(())
//!     }
//! }
//!
//! let summary = search(dir.path(), "t[wh]", &SearchOptions::new(), &mut Print)?;
//! assert_eq!((summary.files_matched, summary.lines_matched), (1, 2));
//! # Ok(()) }
//! ```

mod binary;
mod file;
mod lines;
mod matcher;
mod options;
mod prefilter;
mod report;
mod source;
mod walk;

use std::path::Path;

use crate::error::{Error, Result};

pub use options::{DEFAULT_MMAP_THRESHOLD, SearchOptions};
pub use report::{Binary, FileMatches, Line, SearchSummary, Sink};

use file::{Origin, Scratch, search_file};
use matcher::Matcher;

/// Searches every regular file under `root` for `pattern` and hands the
/// results to `sink`, on this thread (see [`Sink`]).
///
/// Fails before searching anything when the pattern is not a valid regex,
/// or contains a newline (`InvalidArgument`, naming the pattern), or when
/// `root` cannot be searched: missing (`NotFound`), unreadable, or neither
/// a directory nor a regular file (each naming the path). A file or
/// directory below the root that cannot be read is passed to
/// [`Sink::error`] and the search goes on.
///
/// When `root` is a file, it is searched as ripgrep searches a file named
/// on its command line (see [`Binary::Matches`]).
pub fn search(
    root: impl AsRef<Path>,
    pattern: &str,
    options: &SearchOptions,
    sink: &mut dyn Sink,
) -> Result<SearchSummary> {
    let root = root.as_ref();
    let matcher = Matcher::new(pattern, options)?;
    let fail = |e| Error::io("search", e).with_path(Some(root));
    let meta = std::fs::metadata(root).map_err(fail)?;
    if meta.is_dir() {
        // An unreadable root is the caller's mistake, not one file among
        // many: report it like a missing one.
        std::fs::read_dir(root).map_err(fail)?;
        return Ok(walk::walk_dir(root, &matcher, options, sink));
    }
    if !meta.is_file() {
        return Err(
            Error::invalid("search", "is neither a directory nor a regular file")
                .with_path(Some(root)),
        );
    }
    let found = search_file(
        root.to_path_buf(),
        Origin::Named,
        &matcher,
        options.count_only,
        options.mmap_threshold,
        &mut Scratch::default(),
    )?;
    let mut summary = SearchSummary {
        files_searched: 1,
        ..SearchSummary::default()
    };
    if let Some(file) = found {
        summary.files_matched = 1;
        summary.lines_matched = file.count();
        summary.stopped = sink.file(file).is_break();
    }
    Ok(summary)
}
