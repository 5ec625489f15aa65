//! The mapview guest ABI (docs/guest-abi.md) for `no_std` Rust guests:
//! views as `&'static [u8]`, arguments, output.
#![no_std]

#[link(wasm_import_module = "mapview")]
unsafe extern "C" {
    fn view_count() -> i32;
    fn view_addr(index: i32) -> i32;
    fn view_len(index: i32) -> i32;
    fn view_writable(index: i32) -> i32;
    fn view_name(index: i32, buf: *mut u8, cap: i32) -> i32;
    fn view_name_len(index: i32) -> i32;
    fn arg_count() -> i32;
    fn arg_len(index: i32) -> i32;
    fn arg_read(index: i32, buf: *mut u8, cap: i32) -> i32;
    fn output(ptr: *const u8, len: i32);
}

/// How many views the host attached.
pub fn views() -> usize {
    // SAFETY: a host import without arguments.
    unsafe { view_count() as usize }
}

/// View `i`'s bytes, read in place.
pub fn view(i: usize) -> &'static [u8] {
    // SAFETY: the host reports each view's address and length in this
    // memory; a view's pages stay in place for the whole instance, and a
    // read-only view is never written by anyone the guest can see.
    unsafe {
        let len = view_len(i as i32);
        if len < 0 {
            return &[];
        }
        core::slice::from_raw_parts(
            view_addr(i as i32) as usize as *const u8,
            len as u32 as usize,
        )
    }
}

/// View `i`'s bytes for writing, if it is a read-write view.
pub fn view_mut(i: usize) -> Option<&'static mut [u8]> {
    // SAFETY: as `view`; the host allows writes only to read-write views,
    // and a guest is single-threaded, so this is the only reference when
    // the caller takes it once.
    unsafe {
        if view_writable(i as i32) != 1 {
            return None;
        }
        let len = view_len(i as i32) as u32 as usize;
        Some(core::slice::from_raw_parts_mut(
            view_addr(i as i32) as usize as *mut u8,
            len,
        ))
    }
}

/// Copies view `i`'s name into `buf`; returns the part written.
pub fn view_name_into(i: usize, buf: &mut [u8]) -> &[u8] {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { view_name(i as i32, buf.as_mut_ptr(), buf.len() as i32) };
    &buf[..n.max(0) as usize]
}

pub fn view_name_length(i: usize) -> usize {
    // SAFETY: a host import taking an integer.
    unsafe { view_name_len(i as i32).max(0) as usize }
}

pub fn args() -> usize {
    // SAFETY: a host import without arguments.
    unsafe { arg_count() as usize }
}

/// Copies argument `i` into `buf`; returns the part written.
pub fn arg_into(i: usize, buf: &mut [u8]) -> &[u8] {
    // SAFETY: the host writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { arg_read(i as i32, buf.as_mut_ptr(), buf.len() as i32) };
    &buf[..n.max(0) as usize]
}

pub fn arg_length(i: usize) -> usize {
    // SAFETY: a host import taking an integer.
    unsafe { arg_len(i as i32).max(0) as usize }
}

/// Writes bytes to the host's output.
pub fn print(bytes: &[u8]) {
    // SAFETY: the host reads `len` bytes at `ptr` from this memory.
    unsafe { output(bytes.as_ptr(), bytes.len() as i32) }
}

/// Writes a decimal number.
pub fn print_u64(mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    print(&buf[i..]);
}

/// Small fixed buffers instead of a heap: these guests need no allocator.
pub struct NameBuf(pub [u8; 256]);

impl NameBuf {
    pub const fn new() -> NameBuf {
        NameBuf([0; 256])
    }
}

impl Default for NameBuf {
    fn default() -> NameBuf {
        NameBuf::new()
    }
}

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}
