//! Windowed processing of files bigger than one wants mapped at once: the
//! file is mapped one window at a time, optionally overlapping so that a
//! pattern straddling two windows is seen whole in one of them.

use std::fs::File;
use std::ops::Deref;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::file::{Access, open_regular};
use crate::map::Map;
use crate::options::MapOptions;
use crate::region::Advice;

/// One window: a read-only map of part of the file.
#[derive(Debug)]
pub struct Window {
    map: Map,
    index: u64,
}

impl Window {
    /// Where the window starts in the file.
    pub fn file_offset(&self) -> u64 {
        self.map.file_offset()
    }

    /// 0 for the first window, 1 for the next, ...
    pub fn index(&self) -> u64 {
        self.index
    }

    pub fn map(&self) -> &Map {
        &self.map
    }

    pub fn into_map(self) -> Map {
        self.map
    }
}

impl Deref for Window {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.map
    }
}

/// Iterates a file in windows of `window` bytes; each window after the
/// first starts `overlap` bytes before the previous one ended. A pattern of
/// up to `overlap + 1` bytes is therefore always inside one window. An
/// empty file has no windows.
///
/// ```
/// # fn main() -> mapview::Result<()> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("big.txt");
/// # std::fs::write(&path, b"aaaaNEEDLEbbbb").unwrap();
/// let mut found = false;
/// for w in mapview::Windows::open(&path, 8, 5)? {
///     let w = w?;
///     found |= w.windows(6).any(|s| s == b"NEEDLE");
/// }
/// assert!(found);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Windows {
    file: File,
    path: PathBuf,
    file_len: u64,
    window: u64,
    overlap: u64,
    next: u64,
    index: u64,
    done: bool,
}

impl Windows {
    /// Opens `path` for windowed reading. `window` must be at least 1 and
    /// `overlap` less than `window`.
    pub fn open(path: impl AsRef<Path>, window: u64, overlap: u64) -> Result<Windows> {
        let path = path.as_ref();
        if window == 0 {
            return Err(Error::invalid("windows", "window size is zero").with_path(Some(path)));
        }
        if overlap >= window {
            return Err(Error::invalid(
                "windows",
                format!("overlap {overlap} must be smaller than the window size {window}"),
            )
            .with_path(Some(path)));
        }
        let (file, file_len) = open_regular(path, Access::Read)?;
        Ok(Windows {
            file,
            path: path.to_path_buf(),
            file_len,
            window,
            overlap,
            next: 0,
            index: 0,
            done: file_len == 0,
        })
    }

    /// The file's length when it was opened.
    pub fn file_len(&self) -> u64 {
        self.file_len
    }

    /// How many windows the whole file gives.
    pub fn count_total(&self) -> u64 {
        if self.file_len <= self.window {
            return u64::from(self.file_len > 0);
        }
        let step = self.window - self.overlap;
        1 + (self.file_len - self.window).div_ceil(step)
    }
}

impl Iterator for Windows {
    type Item = Result<Window>;

    fn next(&mut self) -> Option<Result<Window>> {
        if self.done {
            return None;
        }
        let start = self.next;
        let end = start.saturating_add(self.window).min(self.file_len);
        let made = MapOptions::new()
            .range(start, end - start)
            .advice(Advice::Sequential)
            .map_read_only(&self.file, self.file_len, Some(&self.path));
        if end == self.file_len {
            self.done = true;
        } else {
            self.next = end - self.overlap;
        }
        let index = self.index;
        self.index += 1;
        match made {
            Ok(map) => Some(Ok(Window { map, index })),
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}
