//! Shared memory between processes: a region of memory that several
//! processes map at once, each seeing the others' writes.
//!
//! Two kinds, documented in docs/shared-memory-and-arrays.md:
//!
//! - **Sealed memfd** ([`SharedMemory::create_memfd`]), the preferred kind.
//!   The region has no name in any directory; it is sealed against
//!   shrinking and growing (`F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL`), so
//!   no process, however it got hold of the region, can truncate it under
//!   a reader and make its accesses fault with SIGBUS. Another process gets
//!   it by being handed the descriptor: inherited across fork (and exec,
//!   once close-on-exec is cleared), passed over a Unix socket with
//!   SCM_RIGHTS ([`SharedMemory::open_fd`] takes either), or by opening
//!   `/proc/<pid>/fd/<fd>` of the creating process while that process
//!   holds it ([`SharedMemory::open_proc`]; the same user, or root).
//! - **Named** ([`SharedMemory::create`]), the fallback when a process must
//!   find the region by name alone: a file in `/dev/shm`, where
//!   `shm_open(3)` (and Python's `multiprocessing.shared_memory`) look.
//!   Creating one is atomic: the region is sized and initialised under a
//!   temporary name and then linked to its name, so a process opening it
//!   by name never sees it half made. A named region cannot be sealed: a
//!   process with write access could truncate it. It lives until
//!   [`SharedMemory::unlink`] (or a reboot), even after every process has
//!   closed it.
//!
//! A name is 1 to 255 bytes, without `/` or NUL, and not `.` or `..`.

use std::fs::{File, OpenOptions};
use std::io;
use std::ops::{Deref, DerefMut};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use memmap2::{MmapMut, MmapOptions};

use crate::error::{Error, ErrorKind, Result};

/// Where named regions live (the directory glibc's shm_open uses).
pub const SHM_DIR: &str = "/dev/shm";

/// The longest name, in bytes (NAME_MAX).
pub const MAX_NAME_LEN: usize = 255;

/// Which kind of region a [`SharedMemory`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShmKind {
    /// A file in `/dev/shm`, found by name.
    Named,
    /// A memfd (or any descriptor handed over), found by descriptor.
    Memfd,
}

/// The seals on a region (see `memfd_create(2)`). A named region has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seals {
    /// No process can make it smaller.
    pub shrink: bool,
    /// No process can make it larger.
    pub grow: bool,
    /// No process can write to it.
    pub write: bool,
    /// The seals can no longer change.
    pub seal: bool,
}

/// A shared-memory region mapped read-write. Derefs to `[u8]` and
/// `mut [u8]`; unmapped (and the descriptor closed) on drop. Ordering
/// reads and writes between processes is the caller's to do (atomics in
/// the region, a lock, a pipe), as for any shared memory.
#[derive(Debug)]
pub struct SharedMemory {
    mmap: MmapMut,
    file: File,
    kind: ShmKind,
    name: Option<String>,
    /// For messages: /dev/shm/NAME, or how the region was opened.
    path: PathBuf,
}

/// Checks a region name: 1 to 255 bytes, no '/', no NUL, not "." or "..".
pub fn validate_name(name: &str) -> Result<()> {
    let why = if name.is_empty() {
        "the name is empty"
    } else if name.contains('/') {
        "a name may not contain '/' (regions live directly in /dev/shm)"
    } else if name.contains('\0') {
        "a name may not contain a NUL byte"
    } else if name == "." || name == ".." {
        "'.' and '..' are not names"
    } else if name.len() > MAX_NAME_LEN {
        "a name is at most 255 bytes long"
    } else {
        return Ok(());
    };
    // A NUL would cut the message short in C: show it escaped.
    let shown = name.replace('\0', "\\0");
    Err(Error::invalid(
        "shared memory name",
        format!("'{shown}': {why}"),
    ))
}

fn named_path(name: &str) -> PathBuf {
    Path::new(SHM_DIR).join(name)
}

fn zero_size(op: &'static str) -> Error {
    Error::invalid(op, "a shared memory region of size zero cannot be mapped")
}

/// Maps the whole of `file` (`len` bytes) shared and read-write.
fn map_region(file: &File, len: u64, op: &'static str, path: &Path) -> Result<MmapMut> {
    if len == 0 {
        return Err(zero_size(op).with_path(Some(path)));
    }
    let len = usize::try_from(len).map_err(|_| {
        Error::invalid(op, "the region does not fit in the address space").with_path(Some(path))
    })?;
    // SAFETY: the file is a shared-memory object (or a file handed to us as
    // one) at least `len` bytes long. Memfds we make are sealed against
    // shrinking; for named regions, truncation by another process is the
    // hazard the module documents.
    unsafe { MmapOptions::new().len(len).map_mut(file) }.map_err(|e| {
        Error::io(op, e)
            .with_path(Some(path))
            .with_range(0, len as u64)
    })
}

fn file_len(file: &File, op: &'static str, path: &Path) -> Result<u64> {
    let meta = file
        .metadata()
        .map_err(|e| Error::io(op, e).with_path(Some(path)))?;
    if !meta.file_type().is_file() {
        return Err(
            Error::invalid(op, "not a shared-memory region (not a regular file)")
                .with_path(Some(path)),
        );
    }
    Ok(meta.len())
}

fn set_len(file: &File, size: u64, op: &'static str, path: &Path) -> Result<()> {
    file.set_len(size)
        .map_err(|e| Error::io(op, e).with_path(Some(path)).with_range(0, size))
}

impl SharedMemory {
    /// Creates a named region of `size` zero bytes, readable and writable
    /// by this user only (mode 0600). `AlreadyExists` if the name is taken.
    pub fn create(name: &str, size: usize) -> Result<SharedMemory> {
        SharedMemory::create_with(name, size, |_| {})
    }

    /// Like [`create`](SharedMemory::create), with `init` filling the
    /// region before any other process can open it by name.
    pub fn create_with(
        name: &str,
        size: usize,
        init: impl FnOnce(&mut [u8]),
    ) -> Result<SharedMemory> {
        const OP: &str = "create shared memory";
        validate_name(name)?;
        let path = named_path(name);
        if size == 0 {
            return Err(zero_size(OP).with_path(Some(&path)));
        }
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let tmp = Path::new(SHM_DIR).join(format!(
            ".mapview-{}-{}.tmp",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(|e| {
                let err = Error::io(OP, e).with_path(Some(&path));
                if err.kind() == ErrorKind::NotFound {
                    err.with_detail("named shared memory needs the directory /dev/shm")
                } else {
                    err
                }
            })?;
        let made = (|| {
            set_len(&file, size as u64, OP, &path)?;
            let mut mmap = map_region(&file, size as u64, OP, &path)?;
            init(&mut mmap);
            // Publish: the link fails if the name exists, atomically.
            std::fs::hard_link(&tmp, &path).map_err(|e| Error::io(OP, e).with_path(Some(&path)))?;
            Ok(mmap)
        })();
        let _ = std::fs::remove_file(&tmp);
        Ok(SharedMemory {
            mmap: made?,
            file,
            kind: ShmKind::Named,
            name: Some(name.to_string()),
            path,
        })
    }

    /// Opens the named region `name` read-write.
    pub fn open(name: &str) -> Result<SharedMemory> {
        const OP: &str = "open shared memory";
        validate_name(name)?;
        let path = named_path(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW)
            .open(&path)
            .map_err(|e| Error::io(OP, e).with_path(Some(&path)))?;
        let len = file_len(&file, OP, &path)?;
        let mmap = map_region(&file, len, OP, &path)?;
        Ok(SharedMemory {
            mmap,
            file,
            kind: ShmKind::Named,
            name: Some(name.to_string()),
            path,
        })
    }

    /// Removes the name of a named region. Processes that have it open
    /// keep using it; the memory is freed when the last one closes it.
    pub fn unlink(name: &str) -> Result<()> {
        validate_name(name)?;
        let path = named_path(name);
        std::fs::remove_file(&path)
            .map_err(|e| Error::io("unlink shared memory", e).with_path(Some(&path)))
    }

    /// Creates an anonymous region of `size` zero bytes in a memfd sealed
    /// against shrinking and growing. Hand it to other processes by its
    /// descriptor ([`as_fd`](SharedMemory::as_fd)) or by
    /// [`proc_path`](SharedMemory::proc_path).
    pub fn create_memfd(size: usize) -> Result<SharedMemory> {
        SharedMemory::create_memfd_with(size, |_| {})
    }

    /// Like [`create_memfd`](SharedMemory::create_memfd), with `init`
    /// filling the region before it is sealed.
    pub fn create_memfd_with(size: usize, init: impl FnOnce(&mut [u8])) -> Result<SharedMemory> {
        const OP: &str = "create shared memory";
        let path = PathBuf::from("memfd:mapview-shm");
        if size == 0 {
            return Err(zero_size(OP));
        }
        // SAFETY: the name is a NUL-terminated literal; memfd_create
        // returns a new descriptor or -1.
        let fd = unsafe {
            libc::memfd_create(
                c"mapview-shm".as_ptr(),
                libc::MFD_CLOEXEC | libc::MFD_ALLOW_SEALING,
            )
        };
        if fd < 0 {
            return Err(Error::io(OP, io::Error::last_os_error()));
        }
        // SAFETY: fd is a fresh descriptor that nothing else owns.
        let file = unsafe { File::from_raw_fd(fd) };
        set_len(&file, size as u64, OP, &path)?;
        let mut mmap = map_region(&file, size as u64, OP, &path)?;
        init(&mut mmap);
        let seals = libc::F_SEAL_SHRINK | libc::F_SEAL_GROW | libc::F_SEAL_SEAL;
        // SAFETY: fcntl on a descriptor we own, with an integer argument.
        if unsafe { libc::fcntl(file.as_raw_fd(), libc::F_ADD_SEALS, seals) } != 0 {
            return Err(
                Error::io(OP, io::Error::last_os_error()).with_detail("sealing the memfd failed")
            );
        }
        Ok(SharedMemory {
            mmap,
            file,
            kind: ShmKind::Memfd,
            name: None,
            path,
        })
    }

    /// Opens a region from a descriptor this process holds (inherited, or
    /// received with SCM_RIGHTS). The descriptor is duplicated: the caller
    /// keeps and closes its own. It must be open read-write.
    pub fn open_fd(fd: BorrowedFd<'_>) -> Result<SharedMemory> {
        const OP: &str = "open shared memory";
        let path = PathBuf::from(format!("fd {}", fd.as_raw_fd()));
        let owned: OwnedFd = fd
            .try_clone_to_owned()
            .map_err(|e| Error::io(OP, e).with_path(Some(&path)))?;
        SharedMemory::adopt(File::from(owned), path, OP)
    }

    /// Opens the region another process holds as descriptor `fd`, through
    /// `/proc/<pid>/fd/<fd>`: a memfd handed over by number. Works while
    /// that process keeps the descriptor open, for the same user (or root).
    pub fn open_proc(pid: u32, fd: i32) -> Result<SharedMemory> {
        const OP: &str = "open shared memory";
        let path = PathBuf::from(format!("/proc/{pid}/fd/{fd}"));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(OP, e).with_path(Some(&path)))?;
        SharedMemory::adopt(file, path, OP)
    }

    fn adopt(file: File, path: PathBuf, op: &'static str) -> Result<SharedMemory> {
        let len = file_len(&file, op, &path)?;
        let mmap = map_region(&file, len, op, &path)?;
        Ok(SharedMemory {
            mmap,
            file,
            kind: ShmKind::Memfd,
            name: None,
            path,
        })
    }

    /// Another mapping of the same region, with its own descriptor: the
    /// two can be closed independently.
    pub fn try_clone(&self) -> Result<SharedMemory> {
        const OP: &str = "clone shared memory";
        let file = self
            .file
            .try_clone()
            .map_err(|e| Error::io(OP, e).with_path(Some(&self.path)))?;
        let mmap = map_region(&file, self.len() as u64, OP, &self.path)?;
        Ok(SharedMemory {
            mmap,
            file,
            kind: self.kind,
            name: self.name.clone(),
            path: self.path.clone(),
        })
    }

    pub fn kind(&self) -> ShmKind {
        self.kind
    }

    /// The name of a named region.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// `/dev/shm/NAME` for a named region; for others, how it was opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path another process of the same user can open this region by
    /// while this one keeps it: `/proc/<this pid>/fd/<fd>`.
    pub fn proc_path(&self) -> PathBuf {
        PathBuf::from(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            self.file.as_raw_fd()
        ))
    }

    /// The region's descriptor, close-on-exec. To hand it to a program
    /// started with exec, duplicate it without close-on-exec in the child.
    pub fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }

    /// The seals on the region (none for a named region).
    pub fn seals(&self) -> Seals {
        // SAFETY: fcntl F_GET_SEALS on a descriptor we own; it returns the
        // seal bits, or -1 (EINVAL) for files that cannot be sealed.
        let bits = unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_GET_SEALS) };
        if bits < 0 {
            return Seals::default();
        }
        Seals {
            shrink: bits & libc::F_SEAL_SHRINK != 0,
            grow: bits & libc::F_SEAL_GROW != 0,
            write: bits & libc::F_SEAL_WRITE != 0,
            seal: bits & libc::F_SEAL_SEAL != 0,
        }
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.mmap
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.mmap
    }

    pub fn len(&self) -> usize {
        self.mmap.len()
    }

    /// Always false: regions of size zero are refused.
    pub fn is_empty(&self) -> bool {
        self.mmap.is_empty()
    }
}

impl Deref for SharedMemory {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.mmap
    }
}

impl DerefMut for SharedMemory {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.mmap
    }
}

impl AsRef<[u8]> for SharedMemory {
    fn as_ref(&self) -> &[u8] {
        &self.mmap
    }
}

impl AsMut<[u8]> for SharedMemory {
    fn as_mut(&mut self) -> &mut [u8] {
        &mut self.mmap
    }
}
