//! `MapMut`: writable maps. Shared file maps write through to the file;
//! private maps are copy-on-write; anonymous maps are plain memory, private
//! to the process or shared with its children.

use std::fs::File;
use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use memmap2::{MmapMut, MmapOptions, RemapOptions};

use crate::error::{Error, ErrorKind, InvalidReason, Result};
use crate::file::check_range;
use crate::map::Region;
use crate::options::MapOptions;
use crate::region::{Advice, PopulateMethod};

/// What a writable map is backed by and where its writes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapKind {
    /// A file, shared: writes reach the file.
    Shared,
    /// A file, copy-on-write: writes stay in this process.
    Private,
    /// Zeroed memory private to this process.
    AnonymousPrivate,
    /// Zeroed memory shared with child processes made by fork.
    AnonymousShared,
}

/// A writable map. Derefs to `[u8]` and `mut [u8]`.
#[derive(Debug)]
pub struct MapMut {
    mmap: Option<MmapMut>,
    kind: MapKind,
    /// Kept for resize: the file (or memfd) the map belongs to.
    file: Option<File>,
    path: Option<PathBuf>,
    offset: u64,
    /// The map covers the whole file, so resizing it can resize the file.
    whole_file: bool,
}

impl MapMut {
    /// Maps a whole file read-write; writes reach the file.
    pub fn open(path: impl AsRef<Path>) -> Result<MapMut> {
        MapOptions::new().open_read_write(path)
    }

    /// Maps a whole file copy-on-write; writes never reach the file.
    pub fn open_private(path: impl AsRef<Path>) -> Result<MapMut> {
        MapOptions::new().open_private(path)
    }

    /// Creates a file of `size` zero bytes and maps it (never overwrites).
    pub fn create(path: impl AsRef<Path>, size: u64) -> Result<MapMut> {
        MapOptions::new().create(path, size)
    }

    /// Creates a file holding `bytes` and maps it (never overwrites).
    pub fn create_from_bytes(path: impl AsRef<Path>, bytes: &[u8]) -> Result<MapMut> {
        MapOptions::new().create_from_bytes(path, bytes)
    }

    /// Zeroed memory private to this process.
    pub fn anonymous(len: usize) -> Result<MapMut> {
        MapOptions::new().anonymous(len)
    }

    /// Zeroed memory shared with child processes made by fork.
    pub fn anonymous_shared(len: usize) -> Result<MapMut> {
        MapOptions::new().anonymous_shared(len)
    }

    pub(crate) fn from_parts(
        mmap: Option<MmapMut>,
        kind: MapKind,
        file: Option<File>,
        path: Option<&Path>,
        offset: u64,
        whole_file: bool,
    ) -> MapMut {
        MapMut {
            mmap,
            kind,
            file,
            path: path.map(Path::to_path_buf),
            offset,
            whole_file,
        }
    }

    pub fn kind(&self) -> MapKind {
        self.kind
    }

    pub fn as_slice(&self) -> &[u8] {
        self.mmap.as_deref().unwrap_or(&[])
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        self.mmap.as_deref_mut().unwrap_or(&mut [])
    }

    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn file_offset(&self) -> u64 {
        self.offset
    }

    pub(crate) fn region(&self) -> Region<'_> {
        let s = self.as_slice();
        Region {
            ptr: s.as_ptr(),
            len: s.len(),
            path: self.path.as_deref(),
            discardable: self.kind != MapKind::Shared,
        }
    }

    /// Writes the whole map to its file and waits (msync MS_SYNC).
    pub fn flush(&self) -> Result<()> {
        self.flush_impl(0, self.len(), false)
    }

    /// Starts writing the whole map to its file without waiting (MS_ASYNC).
    pub fn flush_async(&self) -> Result<()> {
        self.flush_impl(0, self.len(), true)
    }

    /// Writes `len` bytes from `offset` of the map to the file and waits.
    pub fn flush_range(&self, offset: usize, len: usize) -> Result<()> {
        self.flush_impl(offset, len, false)
    }

    /// Starts writing `len` bytes from `offset` of the map without waiting.
    pub fn flush_async_range(&self, offset: usize, len: usize) -> Result<()> {
        self.flush_impl(offset, len, true)
    }

    /// Flushing means something only for shared file maps. Anonymous maps
    /// have no file: flushing them succeeds and writes nothing. A private
    /// map is refused, because its changes can never reach the file and a
    /// quiet success would hide that.
    fn flush_impl(&self, offset: usize, len: usize, asynchronous: bool) -> Result<()> {
        check_range(
            "flush",
            self.path(),
            self.len() as u64,
            offset as u64,
            Some(len as u64),
        )?;
        match self.kind {
            MapKind::AnonymousPrivate | MapKind::AnonymousShared => return Ok(()),
            MapKind::Private => {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    "flush",
                    "a private copy-on-write map never writes to its file",
                )
                .with_path(self.path()));
            }
            MapKind::Shared => {}
        }
        let Some(m) = &self.mmap else { return Ok(()) };
        let done = if asynchronous {
            m.flush_async_range(offset, len)
        } else {
            m.flush_range(offset, len)
        };
        done.map_err(|e| {
            Error::io("flush", e)
                .with_path(self.path())
                .with_range(offset as u64, len as u64)
        })
    }

    /// Changes the length of the map, and of its file for a shared map of a
    /// whole file. Growing zero-fills; shrinking drops the tail (of the file
    /// too). The map may move: slices taken before are gone (the borrow
    /// checker enforces it). Private file maps and maps of a file range
    /// cannot be resized (the file would not follow, or would lose data).
    pub fn resize(&mut self, new_len: usize) -> Result<()> {
        let old_len = self.len();
        if new_len == old_len {
            return Ok(());
        }
        match self.kind {
            MapKind::Private => {
                return Err(Error::invalid_because(
                    InvalidReason::Conflict,
                    "resize",
                    "a private copy-on-write map cannot be resized with its file",
                )
                .with_path(self.path()));
            }
            MapKind::Shared if !self.whole_file => {
                return Err(Error::invalid_because(
                    InvalidReason::Conflict,
                    "resize",
                    "only a map of a whole file can be resized with its file",
                )
                .with_path(self.path())
                .with_range(self.offset, old_len as u64));
            }
            _ => {}
        }
        // Grow the file before the map (no page past its end), shrink it after.
        if new_len > old_len {
            self.set_file_len(new_len)?;
        }
        if let Err(e) = self.remap(new_len) {
            if new_len > old_len {
                // Put the file back as it was: the call failed as a whole.
                let _ = self.set_file_len(old_len);
            }
            return Err(e);
        }
        if new_len < old_len {
            self.set_file_len(new_len)?;
        }
        Ok(())
    }

    fn set_file_len(&self, len: usize) -> Result<()> {
        match &self.file {
            Some(f) if self.kind != MapKind::AnonymousPrivate => {
                f.set_len(len as u64).map_err(|e| {
                    Error::io("resize", e)
                        .with_path(self.path())
                        .with_range(0, len as u64)
                })
            }
            _ => Ok(()),
        }
    }

    fn remap(&mut self, new_len: usize) -> Result<()> {
        let err = |e, path: Option<&Path>| {
            Error::io("resize", e)
                .with_path(path)
                .with_range(0, new_len as u64)
        };
        if new_len == 0 {
            self.mmap = None;
            return Ok(());
        }
        match (&mut self.mmap, &self.file) {
            (Some(m), _) => {
                // SAFETY: we hold `&mut self`, so no slice into the old
                // mapping is alive; for file maps the file already covers
                // `new_len` (grown above, or shrunk after).
                unsafe { m.remap(new_len, RemapOptions::new().may_move(true)) }
                    .map_err(|e| err(e, self.path.as_deref()))
            }
            (None, Some(file)) => {
                // SAFETY: the file was just sized to cover `new_len`.
                let m = unsafe { MmapOptions::new().len(new_len).map_mut(file) }
                    .map_err(|e| err(e, self.path.as_deref()))?;
                self.mmap = Some(m);
                Ok(())
            }
            (None, None) => {
                let m = MmapOptions::new()
                    .len(new_len)
                    .map_anon()
                    .map_err(|e| err(e, None))?;
                self.mmap = Some(m);
                Ok(())
            }
        }
    }

    pub fn advise(&self, advice: Advice) -> Result<()> {
        self.region().advise_range(advice, 0, self.len())
    }

    pub fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()> {
        self.region().advise_range(advice, offset, len)
    }

    /// Faults every page in now. File maps are populated for reading (a
    /// write-populate would mark every page of the file dirty, or copy a
    /// whole private map); anonymous maps for writing.
    pub fn populate(&self) -> Result<PopulateMethod> {
        let write = matches!(
            self.kind,
            MapKind::AnonymousPrivate | MapKind::AnonymousShared
        );
        self.region().populate(write)
    }

    pub fn lock(&self) -> Result<()> {
        self.region().lock()
    }

    pub fn unlock(&self) -> Result<()> {
        self.region().unlock()
    }
}

impl crate::map::Mapping for MapMut {
    fn advise_range(&self, advice: Advice, offset: usize, len: usize) -> Result<()> {
        MapMut::advise_range(self, advice, offset, len)
    }
    fn populate(&self) -> Result<PopulateMethod> {
        MapMut::populate(self)
    }
    fn lock(&self) -> Result<()> {
        MapMut::lock(self)
    }
    fn unlock(&self) -> Result<()> {
        MapMut::unlock(self)
    }
}

impl Deref for MapMut {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl DerefMut for MapMut {
    fn deref_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}

impl AsRef<[u8]> for MapMut {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsMut<[u8]> for MapMut {
    fn as_mut(&mut self) -> &mut [u8] {
        self.as_mut_slice()
    }
}
