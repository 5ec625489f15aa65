//! Surviving a viewed file that another process truncates. Touching a
//! mapped page past the file's new end raises SIGBUS, which wasmtime does
//! not handle on Linux and which would kill the process. This handler looks
//! the faulting address up among the registered views; if it is in one, it
//! maps a zero page there (the access is retried and reads zeros), marks the
//! view as truncated, and returns. The host then fails the call with
//! `ViewTruncated`. Faults outside views go to the previous handler.
//!
//! The table is a fixed array of atomics: a signal handler can read it
//! without locks or allocation.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Once, OnceLock};

/// Views registered at once, across every guest of the process.
pub(crate) const MAX_VIEWS: usize = 8192;

struct Slot {
    start: AtomicUsize,
    end: AtomicUsize,
    truncated: AtomicBool,
}

static SLOTS: [Slot; MAX_VIEWS] = [const {
    Slot {
        start: AtomicUsize::new(0),
        end: AtomicUsize::new(0),
        truncated: AtomicBool::new(false),
    }
}; MAX_VIEWS];

static INSTALL: Once = Once::new();
/// The action SIGBUS had before ours, for faults that are not ours.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

/// Installs the handler once per process.
pub(crate) fn install() -> std::io::Result<()> {
    let mut result = Ok(());
    INSTALL.call_once(|| {
        // SAFETY: sigaction with a zeroed struct, our handler and
        // SA_SIGINFO|SA_ONSTACK|SA_NODEFER; both structs are ours.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            let mut previous: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK | libc::SA_NODEFER;
            libc::sigemptyset(&mut action.sa_mask);
            if libc::sigaction(libc::SIGBUS, &action, &mut previous) != 0 {
                result = Err(std::io::Error::last_os_error());
            } else {
                let _ = PREVIOUS.set(previous);
            }
        }
    });
    result
}

/// A registered view range; unregistered on drop.
pub(crate) struct Guard {
    slot: usize,
}

/// Registers `[start, end)`. Fails when every slot is taken.
pub(crate) fn register(start: usize, end: usize) -> Option<Guard> {
    for (i, slot) in SLOTS.iter().enumerate() {
        if slot.end.load(Ordering::Relaxed) == 0
            && slot
                .start
                .compare_exchange(0, start, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            slot.truncated.store(false, Ordering::Relaxed);
            slot.end.store(end, Ordering::Release);
            return Some(Guard { slot: i });
        }
    }
    None
}

impl Guard {
    /// Whether a SIGBUS hit this view since the last call to this method.
    pub(crate) fn take_truncated(&self) -> bool {
        SLOTS[self.slot].truncated.swap(false, Ordering::AcqRel)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let slot = &SLOTS[self.slot];
        slot.end.store(0, Ordering::Release);
        slot.start.store(0, Ordering::Release);
    }
}

extern "C" fn on_sigbus(
    signal: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers.
    let addr = unsafe { (*info).si_addr() } as usize;
    for slot in &SLOTS {
        let end = slot.end.load(Ordering::Acquire);
        let start = slot.start.load(Ordering::Acquire);
        if end != 0 && start <= addr && addr < end {
            let page = addr & !(4096 - 1);
            // SAFETY: the page lies inside a view that this process mapped
            // and still has registered; replacing it with a read-only zero
            // page is what the guest sees for a truncated file. mmap is a
            // plain system call, safe to make from a signal handler.
            let p = unsafe {
                libc::mmap(
                    page as *mut libc::c_void,
                    4096,
                    libc::PROT_READ,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                    -1,
                    0,
                )
            };
            if p != libc::MAP_FAILED {
                slot.truncated.store(true, Ordering::Release);
                return;
            }
        }
    }
    // Not ours: hand it to whoever handled SIGBUS before us, or die as the
    // default action would.
    // SAFETY: the previous action is a handler the process installed (or
    // SIG_DFL/SIG_IGN, values 0 and 1); calling it is what the kernel would
    // have done without us.
    unsafe {
        let Some(prev) = PREVIOUS.get() else {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
            return;
        };
        if prev.sa_flags & libc::SA_SIGINFO != 0 && prev.sa_sigaction > 1 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(prev.sa_sigaction);
            f(signal, info, context);
        } else if prev.sa_sigaction > 1 {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(prev.sa_sigaction);
            f(signal);
        } else {
            libc::signal(signal, libc::SIG_DFL);
            libc::raise(signal);
        }
    }
}
