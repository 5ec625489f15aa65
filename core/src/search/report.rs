//! What a search hands back: the matches of one file, the totals, and the
//! `Sink` that receives them.

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use crate::error::Error;

/// One matching line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    /// 1 for the first line of the file.
    pub number: u64,
    /// The line without its `\n` (a `\r` before it is kept, as ripgrep
    /// does). Raw bytes: not necessarily UTF-8.
    pub text: &'a [u8],
}

/// A file that contains a NUL byte, and what the search did about it. These
/// are ripgrep 13's rules, followed exactly so that output matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Binary {
    /// A file found by walking a directory. ripgrep reads such a file 64 KiB
    /// at a time and stops at the first read that brings in a NUL, so only
    /// the lines it had read before that are reported. `offset` is where
    /// the NUL is. (With count-only, such a file is not reported at all:
    /// ripgrep drops its count rather than show a partial one.)
    Stopped { offset: u64 },
    /// The root itself is a file. The whole file is searched (and counted,
    /// with count-only), but matching lines are reported only until ripgrep
    /// has seen binary data, and the first match after that ends the report
    /// (it is not itself reported). ripgrep maps such a file and looks for
    /// a NUL in its first 64 KiB and then in each matching line; a file with
    /// a byte-order mark it reads as it reads walked files, seeing the first
    /// NUL when the buffer holding it is filled. `offset` is that NUL; rg
    /// prints "binary file matches" for it.
    Matches { offset: u64 },
}

/// The matches of one file. A file is reported only when ripgrep would
/// print something for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileMatches {
    pub(crate) path: PathBuf,
    pub(crate) count: u64,
    /// The reported lines' bytes, one after the other.
    pub(crate) text: Vec<u8>,
    /// (line number, end of the line in `text`) for each reported line.
    pub(crate) lines: Vec<(u64, usize)>,
    pub(crate) binary: Option<Binary>,
}

impl FileMatches {
    pub(crate) fn new(path: PathBuf) -> FileMatches {
        FileMatches {
            path,
            count: 0,
            text: Vec::new(),
            lines: Vec::new(),
            binary: None,
        }
    }

    pub(crate) fn push_line(&mut self, number: u64, text: &[u8]) {
        self.text.extend_from_slice(text);
        self.lines.push((number, self.text.len()));
        self.count += 1;
    }

    /// The path: the root joined with the path below it, as ripgrep prints
    /// it (`dir/sub/file` for root `dir`, `dir//file` for root `dir//`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How many matching lines: the number of [`lines`](Self::lines), or
    /// with count-only, the count of the whole file.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The matching lines in file order; none with count-only.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = Line<'_>> + '_ {
        let mut start = 0;
        self.lines.iter().map(move |&(number, end)| {
            let text = &self.text[start..end];
            start = end;
            Line { number, text }
        })
    }

    /// Set when the file contains binary data (a NUL byte) and that changed
    /// what was reported.
    pub fn binary(&self) -> Option<Binary> {
        self.binary
    }
}

/// Totals for a search, also passed to [`Sink::progress`] as it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchSummary {
    /// Regular files opened and searched (binary ones included).
    pub files_searched: u64,
    /// Files handed to [`Sink::file`].
    pub files_matched: u64,
    /// The sum of their [`FileMatches::count`].
    pub lines_matched: u64,
    /// Errors handed to [`Sink::error`].
    pub errors: u64,
    /// The sink asked to stop before the search was complete.
    pub stopped: bool,
}

/// Receives the results of [`search`](super::search). Every method is
/// called on the thread that called `search`, one call at a time, however
/// many threads search; files arrive in no particular order. Returning
/// `ControlFlow::Break(())` stops the search.
pub trait Sink {
    /// A file with matches (see [`FileMatches`] for when one is reported).
    fn file(&mut self, file: FileMatches) -> ControlFlow<()>;

    /// A file or directory that could not be searched (unreadable, a
    /// symbolic-link loop, ...). The search goes on without it unless this
    /// returns `Break`. The default ignores the error.
    fn error(&mut self, error: Error) -> ControlFlow<()> {
        let _ = error;
        ControlFlow::Continue(())
    }

    /// Running totals, about ten times a second while the search runs
    /// (for progress displays). The default does nothing.
    fn progress(&mut self, so_far: &SearchSummary) {
        let _ = so_far;
    }
}
