//! Shared memory through the C ABI: named regions (in /dev/shm) and
//! sealed memfd regions, opened by name, by descriptor or through
//! /proc/<pid>/fd/<fd>.

use std::ffi::{CStr, CString, c_char};
use std::os::fd::{AsRawFd, BorrowedFd};

use mapview::{SharedMemory, ShmKind};

use crate::args::{MAPVIEW_NUL_TERMINATED, null, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;

/// A shared-memory region handle (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_shm {
    pub id: u64,
}

/// What kind of region: one of MAPVIEW_SHM_*.
pub type mapview_shm_kind = i32;
/// A file in /dev/shm, found by name (mapview_shm_open).
pub const MAPVIEW_SHM_NAMED: mapview_shm_kind = 0;
/// A memfd (or any region opened from a descriptor): handed over by
/// descriptor or by /proc/<pid>/fd/<fd>.
pub const MAPVIEW_SHM_MEMFD: mapview_shm_kind = 1;

/// mapview_shm_info.seals: nobody can make the region smaller.
pub const MAPVIEW_SHM_SEAL_SHRINK: u32 = 1;
/// mapview_shm_info.seals: nobody can make the region larger.
pub const MAPVIEW_SHM_SEAL_GROW: u32 = 2;
/// mapview_shm_info.seals: nobody can write to the region.
pub const MAPVIEW_SHM_SEAL_WRITE: u32 = 4;
/// mapview_shm_info.seals: the seals can no longer change.
pub const MAPVIEW_SHM_SEAL_SEAL: u32 = 8;

/// The longest region name, in bytes.
pub const MAPVIEW_SHM_MAX_NAME: usize = 255;

/// What a region is and how to hand it to another process.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_shm_info {
    /// MAPVIEW_SHM_NAMED or MAPVIEW_SHM_MEMFD.
    pub kind: mapview_shm_kind,
    /// MAPVIEW_SHM_SEAL_* bits (0 for a named region).
    pub seals: u32,
    /// Length of the region in bytes.
    pub len: usize,
    /// The region's descriptor in this process (close-on-exec; owned by
    /// the handle: do not close it). Another process of the same user can
    /// open the region as /proc/<pid>/fd/<fd> while this handle is open.
    pub fd: i32,
    /// This process's id, for the /proc path.
    pub pid: i32,
}

/// The region and its name as a C string (for mapview_shm_name).
pub(crate) struct ShmEntry {
    pub(crate) shm: SharedMemory,
    name: Option<CString>,
}

impl ShmEntry {
    pub(crate) fn new(shm: SharedMemory, name: Option<CString>) -> ShmEntry {
        ShmEntry { shm, name }
    }
}

pub(crate) static SHMS: Registry<ShmEntry> = Registry::new(6, "shared memory");

fn register(shm: SharedMemory, out_shm: &mut mapview_shm) {
    let name = shm.name().and_then(|n| CString::new(n).ok());
    out_shm.id = SHMS.insert(ShmEntry::new(shm, name));
}

/// A region name given as (ptr, len) or NUL-terminated; must be UTF-8.
/// The rules on names themselves are checked by the core library.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes (or a NUL-terminated
/// string when `len` is MAPVIEW_NUL_TERMINATED).
pub(crate) unsafe fn name<'a>(ptr: *const c_char, len: usize) -> Result<&'a str, Failure> {
    if ptr.is_null() {
        return Err(null("name"));
    }
    let bytes: &[u8] = if len == MAPVIEW_NUL_TERMINATED {
        // SAFETY: the caller promised a NUL-terminated string.
        unsafe { CStr::from_ptr(ptr) }.to_bytes()
    } else {
        // SAFETY: the caller promised `len` readable bytes.
        unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }
    };
    std::str::from_utf8(bytes).map_err(|_| {
        Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            format!(
                "shared memory name '{}' is not UTF-8",
                String::from_utf8_lossy(bytes)
            ),
        )
    })
}

pub(crate) fn size(size: u64) -> Result<usize, Failure> {
    crate::args::to_usize(size, "size")
}

/// Creates a named region of `size` zero bytes (mode 0600), found by other
/// processes with mapview_shm_open. A name is 1 to 255 bytes of UTF-8
/// without '/' or NUL (MAPVIEW_ERR_INVALID_ARGUMENT otherwise); a name
/// already in use gives MAPVIEW_ERR_ALREADY_EXISTS; size 0 is refused.
/// The region outlives every handle until mapview_shm_unlink.
///
/// - name, name_len: the name; name_len may be MAPVIEW_NUL_TERMINATED.
///
/// Ownership: the caller closes the handle with mapview_shm_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_create(
    name: *const c_char,
    name_len: usize,
    size: u64,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        let name = unsafe { self::name(name, name_len) }?;
        register(SharedMemory::create(name, self::size(size)?)?, out_shm);
        Ok(())
    })
}

/// Creates an anonymous region of `size` zero bytes in a memfd sealed
/// against shrinking and growing, so no process can truncate it under a
/// reader. Hand it over by descriptor (mapview_shm_info's fd: inherited
/// across fork, or exec once close-on-exec is cleared on a dup, or sent
/// with SCM_RIGHTS) or by the path /proc/<pid>/fd/<fd> (mapview_shm_open_proc).
///
/// Ownership and thread-safety: as mapview_shm_create.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_create_memfd(
    size: u64,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        register(SharedMemory::create_memfd(self::size(size)?)?, out_shm);
        Ok(())
    })
}

/// Opens the named region `name` read-write: MAPVIEW_ERR_NOT_FOUND if
/// there is none.
///
/// Ownership and thread-safety: as mapview_shm_create.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_open(
    name: *const c_char,
    name_len: usize,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        let name = unsafe { self::name(name, name_len) }?;
        register(SharedMemory::open(name)?, out_shm);
        Ok(())
    })
}

/// Opens a region from a descriptor this process holds (inherited or
/// received with SCM_RIGHTS), open read-write. The descriptor is
/// duplicated: the caller still owns `fd` and closes it when it likes.
///
/// Ownership and thread-safety: as mapview_shm_create.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_open_fd(
    fd: i32,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        if fd < 0 {
            return Err(Failure::new(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!("descriptor {fd} is negative"),
            ));
        }
        // SAFETY: the descriptor is only borrowed for the duplication,
        // which fails cleanly (EBADF) if it is not open.
        let fd = unsafe { BorrowedFd::borrow_raw(fd) };
        register(SharedMemory::open_fd(fd)?, out_shm);
        Ok(())
    })
}

/// Opens the region process `pid` holds as descriptor `fd`, through
/// /proc/<pid>/fd/<fd>: how a memfd region is found by a process that was
/// told two numbers. Works while that process keeps the descriptor open,
/// for the same user (or root).
///
/// Ownership and thread-safety: as mapview_shm_create.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_open_proc(
    pid: i32,
    fd: i32,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        if pid <= 0 || fd < 0 {
            return Err(Failure::new(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!("pid {pid} and descriptor {fd} do not name a process's descriptor"),
            ));
        }
        register(SharedMemory::open_proc(pid as u32, fd)?, out_shm);
        Ok(())
    })
}

/// Removes the name of a named region (MAPVIEW_ERR_NOT_FOUND if there is
/// none). Handles already open keep working; the memory is freed when
/// the last one is closed.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_unlink(
    name: *const c_char,
    name_len: usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let name = unsafe { self::name(name, name_len) }?;
        SharedMemory::unlink(name)?;
        Ok(())
    })
}

/// The region's bytes, writable: *out_data and *out_len.
///
/// Ownership: the memory belongs to the handle; the pointer is valid until
/// mapview_shm_close. Thread-safety: any thread; other processes and
/// threads write the same memory, and ordering those accesses (atomics, a
/// lock, a message) is the caller's job.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_data(
    shm: mapview_shm,
    out_data: *mut *mut u8,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        let entry = SHMS.get(shm.id)?;
        // The region is shared memory that C writes through a raw pointer;
        // the library never holds a reference into it across calls.
        *out_data = entry.shm.as_ptr().cast_mut();
        *out_len = entry.shm.len();
        Ok(())
    })
}

/// What the region is: kind, seals, length, descriptor and pid.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_info_get(
    shm: mapview_shm,
    out_info: *mut mapview_shm_info,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_info = unsafe { out(out_info, "out_info") }?;
        let entry = SHMS.get(shm.id)?;
        let s = entry.shm.seals();
        let bit = |on: bool, b: u32| if on { b } else { 0 };
        *out_info = mapview_shm_info {
            kind: match entry.shm.kind() {
                ShmKind::Named => MAPVIEW_SHM_NAMED,
                ShmKind::Memfd => MAPVIEW_SHM_MEMFD,
            },
            seals: bit(s.shrink, MAPVIEW_SHM_SEAL_SHRINK)
                | bit(s.grow, MAPVIEW_SHM_SEAL_GROW)
                | bit(s.write, MAPVIEW_SHM_SEAL_WRITE)
                | bit(s.seal, MAPVIEW_SHM_SEAL_SEAL),
            len: entry.shm.len(),
            fd: entry.shm.as_fd().as_raw_fd(),
            pid: std::process::id() as i32,
        };
        Ok(())
    })
}

/// The name of a named region: NUL-terminated in *out_name, its length
/// (without the NUL) in *out_len (may be NULL). For a memfd region
/// *out_name is NULL and *out_len 0.
///
/// Ownership: the string belongs to the handle and is valid until
/// mapview_shm_close. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_name(
    shm: mapview_shm,
    out_name: *mut *const c_char,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_name = unsafe { out(out_name, "out_name") }?;
        let entry = SHMS.get(shm.id)?;
        let (ptr, len) = match &entry.name {
            Some(n) => (n.as_ptr(), n.as_bytes().len()),
            None => (std::ptr::null(), 0),
        };
        *out_name = ptr;
        // SAFETY: out_len is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_len.as_mut() } {
            *slot = len;
        }
        Ok(())
    })
}

/// Closes the handle: unmaps the region and closes its descriptor. The
/// region itself lives on while other handles (in any process) have it,
/// and a named region until mapview_shm_unlink. Pointers from
/// mapview_shm_data are invalid afterwards. MAPVIEW_ERR_CLOSED if already
/// closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_close(shm: mapview_shm) -> mapview_status {
    guard_status(|| SHMS.remove(shm.id).map(drop))
}
