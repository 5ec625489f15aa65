//! `MapOptions`: how a map is made (range, populate, lock, huge pages,
//! advice) and the constructors for every kind of map.

use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::path::Path;

use memmap2::{Mmap, MmapMut, MmapOptions};

use crate::error::{Error, ErrorKind, InvalidReason, Result};
use crate::file::{Access, check_range, open_regular};
use crate::map::Map;
use crate::map_mut::{MapKind, MapMut};
use crate::region::Advice;

/// Huge-page policy for a new map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HugePages {
    /// Whatever the system does by default.
    #[default]
    Default,
    /// Ask for transparent huge pages (MADV_HUGEPAGE). Always available for
    /// anonymous maps when THP is enabled; for files it depends on the file
    /// system. An error if the kernel refuses the advice.
    Transparent,
    /// Explicit hugetlb pages (MAP_HUGETLB / MFD_HUGETLB). Anonymous maps
    /// only, or files on hugetlbfs. Fails with `OutOfMemory` when no huge
    /// pages are reserved (`vm.nr_hugepages` is 0) and with `Unsupported`
    /// for a file that is not on hugetlbfs. An anonymous map's length is
    /// rounded up to whole huge pages (the kernel can neither size nor
    /// unmap part of one); `len()` reports the rounded length.
    Explicit,
    /// `Explicit` where it works, else normal pages with `Transparent`
    /// advice. Never fails for lack of a hugetlb pool.
    ExplicitOrTransparent,
}

/// Builder for maps. The defaults map the whole file, lazily, with normal
/// pages and no advice.
///
/// ```
/// # fn main() -> mapview::Result<()> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("data.bin");
/// # std::fs::write(&path, b"hello, mapped world").unwrap();
/// use mapview::{Advice, MapOptions};
/// let map = MapOptions::new()
///     .range(7, 6)               // any byte offset; alignment is handled inside
///     .advice(Advice::Sequential)
///     .populate(true)
///     .open(&path)?;
/// assert_eq!(&map[..], b"mapped");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MapOptions {
    offset: u64,
    len: Option<u64>,
    populate: bool,
    lock: bool,
    huge: HugePages,
    advice: Option<Advice>,
}

const HUGETLBFS_MAGIC: i64 = 0x958458f6;

impl MapOptions {
    pub fn new() -> MapOptions {
        MapOptions::default()
    }

    /// Maps `len` bytes starting at byte `offset` of the file (any offset:
    /// the view starts exactly there). File maps only.
    pub fn range(&mut self, offset: u64, len: u64) -> &mut Self {
        self.offset = offset;
        self.len = Some(len);
        self
    }

    /// Maps from byte `offset` to the end of the file. File maps only.
    pub fn offset(&mut self, offset: u64) -> &mut Self {
        self.offset = offset;
        self
    }

    /// Faults every page in up front and reports errors now rather than
    /// as page faults later (see [`Map::populate`]).
    pub fn populate(&mut self, yes: bool) -> &mut Self {
        self.populate = yes;
        self
    }

    /// Locks the pages in RAM (mlock) once mapped.
    pub fn lock(&mut self, yes: bool) -> &mut Self {
        self.lock = yes;
        self
    }

    pub fn huge_pages(&mut self, huge: HugePages) -> &mut Self {
        self.huge = huge;
        self
    }

    /// Access advice given to the kernel right after mapping.
    pub fn advice(&mut self, advice: Advice) -> &mut Self {
        self.advice = Some(advice);
        self
    }

    fn has_range(&self) -> bool {
        self.offset != 0 || self.len.is_some()
    }

    fn refuse_range(&self, op: &'static str) -> Result<()> {
        if self.has_range() {
            return Err(Error::invalid_because(
                InvalidReason::Conflict,
                op,
                "a byte range applies to maps of existing files only",
            )
            .with_range(self.offset, self.len.unwrap_or(0)));
        }
        Ok(())
    }

    /// Maps a file read-only. Writing through the result is impossible by
    /// type: [`Map`] hands out `&[u8]` only.
    pub fn open(&self, path: impl AsRef<Path>) -> Result<Map> {
        let path = path.as_ref();
        let (file, file_len) = open_regular(path, Access::Read)?;
        self.map_read_only(&file, file_len, Some(path))
    }

    /// Maps an already open file read-only (used by the window iterator).
    pub(crate) fn map_read_only(
        &self,
        file: &File,
        file_len: u64,
        path: Option<&Path>,
    ) -> Result<Map> {
        let len = check_range("map", path, file_len, self.offset, self.len)?;
        self.check_file_huge(file, path)?;
        let mmap = if len == 0 {
            None
        } else {
            let mut o = MmapOptions::new();
            o.offset(self.offset).len(len as usize);
            // SAFETY: the file is a regular file opened for reading and the
            // range lies inside it (checked above). mapview documents the one
            // hazard it cannot rule out: another process truncating or
            // rewriting the file while it is mapped (see the crate docs).
            let m: Mmap = unsafe { o.map(file) }.map_err(|e| {
                Error::io("map", e)
                    .with_path(path)
                    .with_range(self.offset, len)
            })?;
            Some(m)
        };
        let map = Map::from_parts(mmap, path, self.offset);
        self.finish(map.region(), false)?;
        Ok(map)
    }

    /// Maps a file read-write and shared: writes reach the file (after a
    /// flush or when the kernel writes back).
    pub fn open_read_write(&self, path: impl AsRef<Path>) -> Result<MapMut> {
        let path = path.as_ref();
        let (file, file_len) = open_regular(path, Access::ReadWrite)?;
        self.map_file_mut(file, file_len, path, MapKind::Shared)
    }

    /// Maps a file copy-on-write: the map is writable, but writes stay in
    /// this process and never reach the file.
    pub fn open_private(&self, path: impl AsRef<Path>) -> Result<MapMut> {
        let path = path.as_ref();
        let (file, file_len) = open_regular(path, Access::Read)?;
        self.map_file_mut(file, file_len, path, MapKind::Private)
    }

    /// Creates a new file of `size` zero bytes and maps it read-write.
    /// Fails with `AlreadyExists` rather than overwrite an existing file.
    pub fn create(&self, path: impl AsRef<Path>, size: u64) -> Result<MapMut> {
        let path = path.as_ref();
        self.refuse_range("create")?;
        let (file, _) = open_regular(path, Access::CreateNew)?;
        let made = file
            .set_len(size)
            .map_err(|e| {
                Error::io("create", e)
                    .with_path(Some(path))
                    .with_range(0, size)
            })
            .and_then(|()| self.map_file_mut(file, size, path, MapKind::Shared));
        remove_on_error(made, path)
    }

    /// Creates a new file holding `bytes` and maps it read-write.
    /// Fails with `AlreadyExists` rather than overwrite an existing file.
    pub fn create_from_bytes(&self, path: impl AsRef<Path>, bytes: &[u8]) -> Result<MapMut> {
        let path = path.as_ref();
        self.refuse_range("create")?;
        let (mut file, _) = open_regular(path, Access::CreateNew)?;
        let made = file
            .write_all(bytes)
            .map_err(|e| Error::io("create", e).with_path(Some(path)))
            .and_then(|()| self.map_file_mut(file, bytes.len() as u64, path, MapKind::Shared));
        remove_on_error(made, path)
    }

    fn map_file_mut(
        &self,
        file: File,
        file_len: u64,
        path: &Path,
        kind: MapKind,
    ) -> Result<MapMut> {
        let len = check_range("map", Some(path), file_len, self.offset, self.len)?;
        self.check_file_huge(&file, Some(path))?;
        let mmap = if len == 0 {
            None
        } else {
            let mut o = MmapOptions::new();
            o.offset(self.offset).len(len as usize);
            // SAFETY: a regular file, opened with the access the map needs,
            // and a range inside it. External truncation is the documented
            // hazard (crate docs).
            let made = unsafe {
                match kind {
                    MapKind::Private => o.map_copy(&file),
                    _ => o.map_mut(&file),
                }
            };
            Some(made.map_err(|e| {
                Error::io("map", e)
                    .with_path(Some(path))
                    .with_range(self.offset, len)
            })?)
        };
        let whole_file = self.offset == 0 && len == file_len;
        let map = MapMut::from_parts(mmap, kind, Some(file), Some(path), self.offset, whole_file);
        self.finish(map.region(), false)?;
        Ok(map)
    }

    /// An anonymous private map of `len` zero bytes: memory that belongs to
    /// this process alone (a child after fork gets a copy).
    pub fn anonymous(&self, len: usize) -> Result<MapMut> {
        self.refuse_range("map anonymous")?;
        let mmap = if len == 0 {
            None
        } else {
            Some(self.map_anon_private(len)?)
        };
        let map = MapMut::from_parts(mmap, MapKind::AnonymousPrivate, None, None, 0, true);
        self.finish(map.region(), true)?;
        Ok(map)
    }

    fn map_anon_private(&self, len: usize) -> Result<MmapMut> {
        let huge_len = round_to_huge_pages(len);
        let plain = || {
            MmapOptions::new()
                .len(len)
                .map_anon()
                .map_err(|e| Error::io("map anonymous", e).with_range(0, len as u64))
        };
        match self.huge {
            HugePages::Explicit | HugePages::ExplicitOrTransparent => {
                match MmapOptions::new().len(huge_len?).huge(None).map_anon() {
                    Ok(m) => Ok(m),
                    Err(e) if self.huge == HugePages::Explicit => Err(no_hugetlb(e, len)),
                    Err(_) => plain(),
                }
            }
            _ => plain(),
        }
    }

    /// An anonymous shared map of `len` zero bytes: a child process made by
    /// fork sees the parent's writes and the parent sees the child's. Backed
    /// by a memfd, so it can also be resized.
    pub fn anonymous_shared(&self, len: usize) -> Result<MapMut> {
        self.refuse_range("map anonymous")?;
        let (file, mmap) = match self.huge {
            HugePages::Explicit => shared_anon(true, round_to_huge_pages(len)?)?,
            HugePages::ExplicitOrTransparent => round_to_huge_pages(len)
                .and_then(|huge_len| shared_anon(true, huge_len))
                .or_else(|_| shared_anon(false, len))?,
            _ => shared_anon(false, len)?,
        };
        let map = MapMut::from_parts(mmap, MapKind::AnonymousShared, Some(file), None, 0, true);
        self.finish(map.region(), true)?;
        Ok(map)
    }

    /// Explicit huge pages on a file need hugetlbfs; on any other file the
    /// fallback policy degrades to transparent advice, the strict one fails.
    fn check_file_huge(&self, file: &File, path: Option<&Path>) -> Result<()> {
        if self.huge != HugePages::Explicit || on_hugetlbfs(file) {
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Unsupported,
            "map",
            "explicit huge pages need a file on hugetlbfs; other files take transparent \
             huge pages, or the explicit-or-transparent policy",
        )
        .with_path(path))
    }

    /// Applies the options that act on a made map: huge-page advice, access
    /// advice, populate, lock.
    fn finish(&self, region: crate::map::Region<'_>, anonymous: bool) -> Result<()> {
        if matches!(
            self.huge,
            HugePages::Transparent | HugePages::ExplicitOrTransparent
        ) {
            region.raw_advise("map", libc::MADV_HUGEPAGE)?;
        }
        if let Some(advice) = self.advice {
            region.advise_range(advice, 0, region.len)?;
        }
        if self.populate {
            region.populate(anonymous)?;
        }
        if self.lock {
            region.lock()?;
        }
        Ok(())
    }
}

/// The system's default huge page size (Hugepagesize in /proc/meminfo).
fn huge_page_size() -> usize {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("Hugepagesize:"))?;
            let kb: usize = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })
        .unwrap_or(2 << 20)
}

/// `len` rounded up to whole huge pages.
fn round_to_huge_pages(len: usize) -> Result<usize> {
    let huge = huge_page_size();
    len.checked_next_multiple_of(huge).ok_or_else(|| {
        Error::invalid_because(
            InvalidReason::Overflow,
            "map anonymous",
            format!("length rounded up to {huge}-byte huge pages overflows"),
        )
        .with_range(0, len as u64)
    })
}

fn on_hugetlbfs(file: &File) -> bool {
    use std::os::fd::AsRawFd;
    let mut st = std::mem::MaybeUninit::<libc::statfs>::uninit();
    // SAFETY: fstatfs writes a statfs struct into the buffer we own; the fd
    // is open for the duration of the call.
    let rc = unsafe { libc::fstatfs(file.as_raw_fd(), st.as_mut_ptr()) };
    // SAFETY: rc == 0 means the kernel filled the struct.
    rc == 0 && unsafe { st.assume_init() }.f_type == HUGETLBFS_MAGIC
}

fn no_hugetlb(e: std::io::Error, len: usize) -> Error {
    let err = Error::io("map anonymous", e).with_range(0, len as u64);
    if err.kind() == ErrorKind::OutOfMemory {
        err.with_detail(
            "no explicit huge pages available (is vm.nr_hugepages 0?); \
             the explicit-or-transparent policy falls back to normal pages",
        )
    } else {
        err
    }
}

/// A memfd of `len` bytes and its shared mapping, optionally on hugetlb
/// pages. The memfd has no path, so no other process can truncate it.
fn shared_anon(huge: bool, len: usize) -> Result<(File, Option<MmapMut>)> {
    let fail = |e: std::io::Error| {
        if huge {
            no_hugetlb(e, len)
        } else {
            Error::io("map anonymous", e).with_range(0, len as u64)
        }
    };
    let mut flags = libc::MFD_CLOEXEC;
    if huge {
        flags |= libc::MFD_HUGETLB;
    }
    // SAFETY: the name is a NUL-terminated literal; memfd_create returns a
    // new descriptor or -1.
    let fd = unsafe { libc::memfd_create(c"mapview-anon".as_ptr(), flags) };
    if fd < 0 {
        return Err(fail(std::io::Error::last_os_error()));
    }
    // SAFETY: fd is a fresh descriptor that nothing else owns.
    let file = unsafe { File::from_raw_fd(fd) };
    file.set_len(len as u64).map_err(fail)?;
    if len == 0 {
        return Ok((file, None));
    }
    // SAFETY: the memfd is ours alone and has just been sized to `len`.
    let mmap = unsafe { MmapOptions::new().len(len).map_mut(&file) }.map_err(fail)?;
    Ok((file, Some(mmap)))
}

/// A file `create` made is removed again if mapping it failed, so a failed
/// call leaves nothing behind.
fn remove_on_error(made: Result<MapMut>, path: &Path) -> Result<MapMut> {
    if made.is_err() {
        let _ = std::fs::remove_file(path);
    }
    made
}
