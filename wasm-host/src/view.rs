//! Views: the pages of a map placed inside a guest's linear memory. The
//! host grows the guest's memory by whole 64 KiB wasm pages and then makes
//! the new pages show the map's own pages, with `mremap(old_size = 0)`,
//! which creates a second mapping of the same shared pages: no copy, one
//! physical copy of the data for every guest that views it.

use std::path::PathBuf;

use crate::error::{Result, WasmError, WasmErrorKind};
use crate::sigbus;

pub(crate) const WASM_PAGE: usize = 64 * 1024;
const PAGE: usize = 4096;

/// Bytes a view of `len` bytes starting `delta` bytes into a system page
/// takes in the guest: whole wasm pages.
pub(crate) fn guest_span(delta: usize, len: usize) -> usize {
    (delta + len).div_ceil(WASM_PAGE) * WASM_PAGE
}

/// What a guest sees of one view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewInfo {
    pub name: String,
    /// Guest address of the first byte.
    pub addr: u32,
    pub len: u32,
    pub writable: bool,
    /// The file the view shows, when known.
    pub path: Option<PathBuf>,
}

/// A placed view, owned by its instance.
pub(crate) struct PlacedView {
    pub(crate) info: ViewInfo,
    /// Host address and length of the duplicated file pages (page-aligned).
    host_start: usize,
    host_len: usize,
    /// Guest byte range covered, whole wasm pages, for overlap checks.
    pub(crate) guest_start: usize,
    pub(crate) guest_end: usize,
    guard: sigbus::Guard,
}

/// Where the source bytes are: a live shared mapping the host owns.
pub(crate) struct Source<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) writable: bool,
    pub(crate) path: Option<PathBuf>,
}

/// Places `source` at `guest_base + guest_offset` (page-aligned offsets of
/// a memory the host just grew by `guest_span` bytes).
pub(crate) fn place(
    name: &str,
    source: Source<'_>,
    writable: bool,
    memory_base: *mut u8,
    guest_offset: usize,
) -> Result<PlacedView> {
    if writable && !source.writable {
        return Err(WasmError::new(
            WasmErrorKind::View,
            format!("view '{name}': a read-write view needs a read-write shared map"),
        ));
    }
    let len = source.bytes.len();
    let src = source.bytes.as_ptr() as usize;
    let src_page = src & !(PAGE - 1);
    let delta = src - src_page;
    let span = guest_span(delta, len);
    let host_len = (delta + len).div_ceil(PAGE) * PAGE;
    let dest = memory_base as usize + guest_offset;
    if len > 0 {
        // SAFETY: `dest..dest+span` is inside the guest's reservation and
        // was just made accessible by growing the memory, so nothing else
        // lives there; the source pages belong to a live shared mapping that
        // `source.bytes` borrows. mremap with old_size 0 maps the same pages
        // a second time at `dest` (MAP_FIXED semantics, via MREMAP_FIXED).
        let p = unsafe {
            libc::mremap(
                src_page as *mut libc::c_void,
                0,
                host_len,
                libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED,
                dest as *mut libc::c_void,
            )
        };
        if p == libc::MAP_FAILED {
            let e = std::io::Error::last_os_error();
            let hint = if e.raw_os_error() == Some(libc::EINVAL) {
                " (only shared maps can be viewed: a private or anonymous-private map's pages belong to the host alone)"
            } else {
                ""
            };
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!("view '{name}': mapping it into the guest: {e}{hint}"),
            ));
        }
        if !writable {
            // SAFETY: the range is the mapping made just above.
            let rc =
                unsafe { libc::mprotect(dest as *mut libc::c_void, host_len, libc::PROT_READ) };
            if rc != 0 {
                return Err(WasmError::new(
                    WasmErrorKind::View,
                    format!(
                        "view '{name}': making it read-only: {}",
                        std::io::Error::last_os_error()
                    ),
                ));
            }
        }
    }
    // The rest of the last wasm page lies past the file: no access at all,
    // so a read there traps instead of raising SIGBUS.
    let tail_start = dest + host_len;
    let tail_end = dest + span;
    if tail_end > tail_start {
        // SAFETY: the tail is inside the pages just grown for this view.
        let rc = unsafe {
            libc::mprotect(
                tail_start as *mut libc::c_void,
                tail_end - tail_start,
                libc::PROT_NONE,
            )
        };
        if rc != 0 {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!("view '{name}': {}", std::io::Error::last_os_error()),
            ));
        }
    }
    let guard = sigbus::register(dest, dest + host_len.max(1)).ok_or_else(|| {
        WasmError::new(
            WasmErrorKind::View,
            format!(
                "view '{name}': more than {} views are open in this process",
                sigbus::MAX_VIEWS
            ),
        )
    })?;
    let addr = guest_offset + delta;
    Ok(PlacedView {
        info: ViewInfo {
            name: name.to_string(),
            addr: u32::try_from(addr).map_err(|_| too_far(name))?,
            len: u32::try_from(len).map_err(|_| too_far(name))?,
            writable,
            path: source.path,
        },
        host_start: dest,
        host_len,
        guest_start: guest_offset,
        guest_end: guest_offset + span,
        guard,
    })
}

fn too_far(name: &str) -> WasmError {
    WasmError::new(
        WasmErrorKind::View,
        format!("view '{name}' does not fit in the guest's 4 GiB address space"),
    )
}

impl PlacedView {
    /// Writes a read-write view's pages to its file and waits.
    pub(crate) fn flush(&self) -> Result<()> {
        if !self.info.writable || self.info.len == 0 {
            return Ok(());
        }
        // SAFETY: msync over the view's own live mapping.
        let rc = unsafe {
            libc::msync(
                self.host_start as *mut libc::c_void,
                self.host_len,
                libc::MS_SYNC,
            )
        };
        if rc != 0 {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!(
                    "flushing view '{}': {}",
                    self.info.name,
                    std::io::Error::last_os_error()
                ),
            ));
        }
        Ok(())
    }

    /// Whether the file was truncated under the view since last asked.
    pub(crate) fn take_truncated(&self) -> bool {
        self.guard.take_truncated()
    }

    /// Whether `[start, end)` of guest memory overlaps this view's pages.
    pub(crate) fn overlaps(&self, start: usize, end: usize) -> bool {
        start < self.guest_end && self.guest_start < end
    }
}
