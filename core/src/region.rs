//! Operations on a mapped region that do not depend on how it was mapped:
//! access advice, populating page tables, locking in RAM. They work on a
//! pointer and length taken from a live map; the page rounding is done here.

use std::io;

/// How the program will access a map, passed to the kernel as madvise(2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advice {
    /// No special treatment (MADV_NORMAL).
    Normal,
    /// Random access: read ahead less (MADV_RANDOM).
    Random,
    /// Sequential access: read ahead more, drop pages behind (MADV_SEQUENTIAL).
    Sequential,
    /// The range will be needed soon: start reading it in (MADV_WILLNEED).
    WillNeed,
    /// The range is not needed now: the kernel may free its pages
    /// (MADV_DONTNEED). For file-backed shared maps nothing is lost: the
    /// pages are read back from the file. Private and anonymous maps would
    /// lose their contents, so mapview refuses it there.
    DontNeed,
}

impl Advice {
    pub(crate) fn to_raw(self) -> libc::c_int {
        match self {
            Advice::Normal => libc::MADV_NORMAL,
            Advice::Random => libc::MADV_RANDOM,
            Advice::Sequential => libc::MADV_SEQUENTIAL,
            Advice::WillNeed => libc::MADV_WILLNEED,
            Advice::DontNeed => libc::MADV_DONTNEED,
        }
    }
}

/// How `populate` faulted the pages in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PopulateMethod {
    /// MADV_POPULATE_READ / MADV_POPULATE_WRITE (Linux 5.14+): errors such
    /// as a range beyond the end of a truncated file are reported.
    Madvise,
    /// Older kernels: one read per page. An I/O error or a truncated file
    /// raises SIGBUS instead of an error; see the crate documentation.
    Touch,
    /// Nothing to populate (empty map).
    Nothing,
}

pub(crate) fn page_size() -> usize {
    // SAFETY: sysconf has no preconditions; _SC_PAGESIZE always succeeds on Linux.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as usize } else { 4096 }
}

/// Rounds `[ptr, ptr+len)` out to whole pages, as madvise and mlock want.
fn page_span(ptr: *const u8, len: usize) -> (*mut libc::c_void, usize) {
    let page = page_size();
    let addr = ptr as usize;
    let start = addr & !(page - 1);
    (start as *mut libc::c_void, len + (addr - start))
}

/// madvise over a live range.
///
/// The caller passes a range inside one of its live mappings, and never
/// MADV_DONTNEED for a private or anonymous mapping (that would zero it).
pub(crate) fn advise(ptr: *const u8, len: usize, advice: libc::c_int) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let (start, span) = page_span(ptr, len);
    // SAFETY: the span covers whole pages of a live mapping owned by the
    // caller (rounding down stays inside the same mapping, which starts on a
    // page boundary). The advice values we pass never change memory contents
    // except DONTNEED, which callers only use on shared file maps, where
    // the pages are read back from the file.
    let rc = unsafe { libc::madvise(start, span, advice) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Faults the pages of a live range in, for reading or for writing.
pub(crate) fn populate(ptr: *const u8, len: usize, write: bool) -> io::Result<PopulateMethod> {
    if len == 0 {
        return Ok(PopulateMethod::Nothing);
    }
    let advice = if write {
        libc::MADV_POPULATE_WRITE
    } else {
        libc::MADV_POPULATE_READ
    };
    match advise(ptr, len, advice) {
        Ok(()) => Ok(PopulateMethod::Madvise),
        // EINVAL: the kernel does not know the advice (before 5.14).
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            touch_pages(ptr, len);
            Ok(PopulateMethod::Touch)
        }
        Err(e) => Err(e),
    }
}

fn touch_pages(ptr: *const u8, len: usize) {
    let page = page_size();
    let mut off = 0;
    while off < len {
        // SAFETY: off < len, so ptr+off is inside the live mapping; a
        // volatile read keeps the compiler from dropping the access.
        unsafe { std::ptr::read_volatile(ptr.add(off)) };
        off += page;
    }
}

pub(crate) fn lock(ptr: *const u8, len: usize) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let (start, span) = page_span(ptr, len);
    // SAFETY: mlock only pins pages of the caller's live mapping in RAM; it
    // never changes their contents.
    let rc = unsafe { libc::mlock(start, span) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

pub(crate) fn unlock(ptr: *const u8, len: usize) -> io::Result<()> {
    if len == 0 {
        return Ok(());
    }
    let (start, span) = page_span(ptr, len);
    // SAFETY: munlock only unpins pages of the caller's live mapping.
    let rc = unsafe { libc::munlock(start, span) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
