//! `Map`: a read-only view of a file, and `Region`, the operations every
//! kind of map shares (advice, populate, lock).

use std::ops::Deref;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::error::{Error, ErrorKind, InvalidReason, Result};
use crate::file::check_range;
use crate::options::MapOptions;
use crate::region::{self, Advice, PopulateMethod};

/// A read-only map of a file, or of a byte range of one. It derefs to
/// `[u8]` and hands out no mutable access: writing through it does not
/// compile.
///
/// ```compile_fail
/// let map = mapview::Map::open("Cargo.toml").unwrap();
/// map[0] = b'x'; // a read-only map has no DerefMut
/// ```
#[derive(Debug)]
pub struct Map {
    /// `None` for an empty view: mmap cannot map zero bytes.
    mmap: Option<Mmap>,
    path: Option<PathBuf>,
    offset: u64,
}

impl Map {
    /// Maps a whole file read-only. An empty file gives an empty view.
    pub fn open(path: impl AsRef<Path>) -> Result<Map> {
        MapOptions::new().open(path)
    }

    /// Maps `len` bytes from byte `offset` (any offset) read-only.
    pub fn open_range(path: impl AsRef<Path>, offset: u64, len: u64) -> Result<Map> {
        MapOptions::new().range(offset, len).open(path)
    }

    pub(crate) fn from_parts(mmap: Option<Mmap>, path: Option<&Path>, offset: u64) -> Map {
        Map {
            mmap,
            path: path.map(Path::to_path_buf),
            offset,
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        self.mmap.as_deref().unwrap_or(&[])
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The path the map was opened from.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Where in the file the view starts.
    pub fn file_offset(&self) -> u64 {
        self.offset
    }

    pub(crate) fn region(&self) -> Region<'_> {
        let s = self.as_slice();
        Region {
            ptr: s.as_ptr(),
            len: s.len(),
            path: self.path.as_deref(),
            discardable: false,
        }
    }

    /// Gives access advice for the whole map.
    pub fn advise(&self, advice: Advice) -> Result<()> {
        self.region().advise_range(advice, 0, self.len())
    }

    /// Gives access advice for `len` bytes from `offset` of the map.
    pub fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()> {
        self.region().advise_range(advice, offset, len)
    }

    /// Faults every page in now. With MADV_POPULATE_READ (Linux 5.14+) an
    /// error such as a truncated file is returned here instead of SIGBUS
    /// later; older kernels fall back to touching each page (see
    /// [`PopulateMethod::Touch`]).
    pub fn populate(&self) -> Result<PopulateMethod> {
        self.region().populate(false)
    }

    /// Locks the map's pages in RAM (mlock).
    pub fn lock(&self) -> Result<()> {
        self.region().lock()
    }

    pub fn unlock(&self) -> Result<()> {
        self.region().unlock()
    }
}

impl Deref for Map {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Map {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

/// What every kind of map ([`Map`], [`MapMut`](crate::MapMut)) can do, for
/// code that takes any of them.
pub trait Mapping: Deref<Target = [u8]> {
    /// Gives access advice for `len` bytes from `offset` of the map.
    fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()>;
    /// Faults every page in now (see [`Map::populate`]).
    fn populate(&self) -> Result<PopulateMethod>;
    /// Locks the map's pages in RAM.
    fn lock(&self) -> Result<()>;
    /// Unlocks them.
    fn unlock(&self) -> Result<()>;
}

impl Mapping for Map {
    fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()> {
        Map::advise_range(self, advice, offset, len)
    }
    fn populate(&self) -> Result<PopulateMethod> {
        Map::populate(self)
    }
    fn lock(&self) -> Result<()> {
        Map::lock(self)
    }
    fn unlock(&self) -> Result<()> {
        Map::unlock(self)
    }
}

/// The live range of some map plus what errors need to name. Borrowing the
/// map keeps it alive while an operation runs.
#[derive(Clone, Copy)]
pub(crate) struct Region<'a> {
    pub(crate) ptr: *const u8,
    pub(crate) len: usize,
    pub(crate) path: Option<&'a Path>,
    /// Private and anonymous maps: MADV_DONTNEED would throw their contents away.
    pub(crate) discardable: bool,
}

impl Region<'_> {
    pub(crate) fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()> {
        check_range(
            "advise",
            self.path,
            self.len as u64,
            offset as u64,
            Some(len as u64),
        )?;
        if advice == Advice::DontNeed && self.discardable {
            return Err(Error::invalid_because(
                InvalidReason::Conflict,
                "advise",
                "dont-need would discard the contents of a private or anonymous map",
            )
            .with_path(self.path)
            .with_range(offset as u64, len as u64));
        }
        // `offset + len <= self.len` was checked, so the pointer stays in the map.
        let ptr = self.ptr.wrapping_add(offset);
        region::advise(ptr, len, advice.to_raw()).map_err(|e| {
            Error::io("advise", e)
                .with_path(self.path)
                .with_range(offset as u64, len as u64)
        })
    }

    pub(crate) fn raw_advise(&self, op: &'static str, advice: libc::c_int) -> Result<()> {
        region::advise(self.ptr, self.len, advice).map_err(|e| {
            let err = Error::io(op, e).with_path(self.path);
            if err.kind() == ErrorKind::InvalidArgument {
                Error::new(
                    ErrorKind::Unsupported,
                    op,
                    "the kernel refused the huge-page advice for this map",
                )
                .with_path(self.path)
            } else {
                err
            }
        })
    }

    pub(crate) fn populate(&self, write: bool) -> Result<PopulateMethod> {
        region::populate(self.ptr, self.len, write).map_err(|e| {
            let err = Error::io("populate", e)
                .with_path(self.path)
                .with_range(0, self.len as u64);
            if err.os_error().and_then(|e| e.raw_os_error()) == Some(libc::EFAULT) {
                err.with_detail("part of the range is not backed by the file (was it truncated?)")
            } else {
                err
            }
        })
    }

    pub(crate) fn lock(&self) -> Result<()> {
        region::lock(self.ptr, self.len).map_err(|e| {
            let err = Error::io("lock", e)
                .with_path(self.path)
                .with_range(0, self.len as u64);
            match err.kind() {
                ErrorKind::OutOfMemory | ErrorKind::PermissionDenied => {
                    err.with_detail("locked memory is limited by RLIMIT_MEMLOCK (ulimit -l)")
                }
                _ => err,
            }
        })
    }

    pub(crate) fn unlock(&self) -> Result<()> {
        region::unlock(self.ptr, self.len).map_err(|e| {
            Error::io("unlock", e)
                .with_path(self.path)
                .with_range(0, self.len as u64)
        })
    }
}
