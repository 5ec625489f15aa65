//! Guest linear memories that own their whole reservation: 4 GiB plus a
//! guard, reserved PROT_NONE up front and never moved. Because the base
//! never moves, the host can place views (file pages) inside a memory at
//! fixed addresses, and the compiled guest code needs no bounds checks.

use wasmtime::{LinearMemory, MemoryCreator, MemoryType};

/// Creates [`ReservedMemory`]s. Installed with `Config::with_host_memory`.
pub(crate) struct ReservedMemoryCreator;

// SAFETY: every memory this creator returns reserves `reserved + guard`
// bytes, keeps everything past `byte_size` inaccessible (PROT_NONE), never
// moves its base, and zero-fills memory it makes accessible: the contract
// wasmtime's JIT code relies on for eliding bounds checks.
unsafe impl MemoryCreator for ReservedMemoryCreator {
    fn new_memory(
        &self,
        _ty: MemoryType,
        minimum: usize,
        _maximum: Option<usize>,
        reserved: Option<usize>,
        guard: usize,
    ) -> Result<Box<dyn LinearMemory>, String> {
        let reserved = reserved
            .ok_or("guest memories need a fixed reservation (Config::memory_reservation)")?;
        let total = reserved
            .checked_add(guard)
            .ok_or("reservation + guard overflows")?;
        // SAFETY: a fresh anonymous reservation; nothing else refers to it.
        let base = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                total,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if base == libc::MAP_FAILED {
            return Err(format!(
                "reserving {total} bytes of address space: {}",
                std::io::Error::last_os_error()
            ));
        }
        let mut memory = ReservedMemory {
            base: base as usize,
            total,
            reserved,
            size: 0,
        };
        memory
            .make_accessible(0, minimum)
            .map_err(|e| e.to_string())?;
        memory.size = minimum;
        Ok(Box::new(memory))
    }
}

/// One guest memory: `size` accessible bytes at `base`, inside a
/// reservation of `total` bytes that this object unmaps when dropped.
pub(crate) struct ReservedMemory {
    base: usize,
    total: usize,
    reserved: usize,
    size: usize,
}

impl ReservedMemory {
    /// Maps fresh zeroed read-write pages over `[from, to)` of the reservation.
    fn make_accessible(&mut self, from: usize, to: usize) -> std::io::Result<()> {
        if to <= from {
            return Ok(());
        }
        // SAFETY: [from, to) lies inside our own reservation (to <= reserved,
        // checked by the callers); MAP_FIXED replaces PROT_NONE pages that no
        // one can be using, with new zeroed ones.
        let p = unsafe {
            libc::mmap(
                (self.base + from) as *mut libc::c_void,
                to - from,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(())
        }
    }
}

// SAFETY: see ReservedMemoryCreator: the base never moves, bytes past
// byte_size stay PROT_NONE up to the end of reservation + guard, and grown
// bytes are zero.
unsafe impl LinearMemory for ReservedMemory {
    fn byte_size(&self) -> usize {
        self.size
    }

    fn byte_capacity(&self) -> usize {
        self.reserved
    }

    fn grow_to(&mut self, new_size: usize) -> wasmtime::Result<()> {
        if new_size > self.reserved {
            wasmtime::bail!(
                "memory of {new_size} bytes would not fit the {}-byte reservation",
                self.reserved
            );
        }
        self.make_accessible(self.size, new_size)?;
        self.size = new_size;
        Ok(())
    }

    fn as_ptr(&self) -> *mut u8 {
        self.base as *mut u8
    }
}

impl Drop for ReservedMemory {
    fn drop(&mut self) {
        // SAFETY: base/total is the reservation made in new_memory; wasmtime
        // drops the memory only when no instance can touch it any more. The
        // views placed inside it go with it.
        unsafe { libc::munmap(self.base as *mut libc::c_void, self.total) };
    }
}
