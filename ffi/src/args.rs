//! Argument checks shared by every export: NULL pointers, paths as bytes,
//! byte buffers, options structs that grow by size.

use std::ffi::{CStr, OsStr, c_char};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use crate::error::{Failure, mapview_status};

/// Pass as a path length to say "the path is NUL-terminated". The header
/// defines it as SIZE_MAX from ffi/cbindgen.toml, because cbindgen cannot
/// translate `usize::MAX`; the C tests check that the two agree.
/// cbindgen:ignore
pub const MAPVIEW_NUL_TERMINATED: usize = usize::MAX;

pub(crate) fn null(name: &str) -> Failure {
    Failure::new(
        mapview_status::MAPVIEW_ERR_NULL_ARGUMENT,
        format!("argument '{name}' is NULL"),
    )
}

/// A writable out-parameter.
///
/// # Safety
/// `p` is NULL or points to writable storage for a `T` (the API contract).
pub(crate) unsafe fn out<'a, T>(p: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: per this function's contract.
    unsafe { p.as_mut() }.ok_or_else(|| null(name))
}

/// A read-only in-parameter.
///
/// # Safety
/// `p` is NULL or points to a readable, initialised `T`.
pub(crate) unsafe fn input<'a, T>(p: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: per this function's contract.
    unsafe { p.as_ref() }.ok_or_else(|| null(name))
}

/// A path given as bytes: `len` bytes at `ptr`, or a NUL-terminated string
/// when `len` is MAPVIEW_NUL_TERMINATED. Paths are bytes on Linux; any
/// bytes but NUL are accepted.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes (or a NUL-terminated
/// string when `len` is MAPVIEW_NUL_TERMINATED).
pub(crate) unsafe fn path<'a>(ptr: *const c_char, len: usize) -> Result<&'a Path, Failure> {
    if ptr.is_null() {
        return Err(null("path"));
    }
    let bytes: &[u8] = if len == MAPVIEW_NUL_TERMINATED {
        // SAFETY: the caller promised a NUL-terminated string.
        unsafe { CStr::from_ptr(ptr) }.to_bytes()
    } else {
        // SAFETY: the caller promised `len` readable bytes.
        unsafe { std::slice::from_raw_parts(ptr.cast::<u8>(), len) }
    };
    if bytes.is_empty() {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            "the path is empty",
        ));
    }
    if bytes.contains(&0) {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            format!(
                "the path '{}' contains a NUL byte",
                String::from_utf8_lossy(bytes).replace('\0', "\\0")
            ),
        ));
    }
    Ok(Path::new(OsStr::from_bytes(bytes)))
}

/// `len` bytes at `ptr`; NULL is allowed only with `len` 0.
///
/// # Safety
/// `ptr` is NULL or points to `len` readable bytes.
pub(crate) unsafe fn bytes<'a>(
    ptr: *const u8,
    len: usize,
    name: &str,
) -> Result<&'a [u8], Failure> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_OVERFLOW,
            format!("'{name}' length {len} is too large"),
        ));
    }
    // SAFETY: the caller promised `len` readable bytes at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len) })
}

/// `count` items at `ptr`; NULL is allowed only with `count` 0.
///
/// # Safety
/// `ptr` is NULL or points to `count` readable, initialised items.
pub(crate) unsafe fn slice<'a, T>(
    ptr: *const T,
    count: usize,
    name: &str,
) -> Result<&'a [T], Failure> {
    if count == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(null(name));
    }
    if count
        .checked_mul(std::mem::size_of::<T>())
        .is_none_or(|b| b > isize::MAX as usize)
    {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_OVERFLOW,
            format!("'{name}' count {count} is too large"),
        ));
    }
    // SAFETY: the caller promised `count` readable items at `ptr`.
    Ok(unsafe { std::slice::from_raw_parts(ptr, count) })
}

/// Refuses flag bits outside `known`, naming them ("unknown map flags 0x8").
pub(crate) fn known_flags(flags: u32, known: u32, what: &str) -> Result<(), Failure> {
    if flags & !known != 0 {
        return Err(Failure::invalid_flags(format!(
            "unknown {what} flags {:#x}",
            flags & !known
        )));
    }
    Ok(())
}

/// A u64 from C that must fit in usize.
pub(crate) fn to_usize(v: u64, name: &str) -> Result<usize, Failure> {
    usize::try_from(v).map_err(|_| {
        Failure::new(
            mapview_status::MAPVIEW_ERR_OVERFLOW,
            format!("'{name}' {v} does not fit in the address space"),
        )
    })
}

/// Reads a versioned options struct: NULL gives `defaults`; otherwise the
/// struct's first field is `struct_size: u32`, checked by [`struct_size`],
/// and the fields the caller's version has replace the defaults.
///
/// # Safety
/// `p` is NULL or points to a readable struct of at least its struct_size
/// bytes, whose first field is a u32 struct_size.
pub(crate) unsafe fn versioned<T: Copy>(
    p: *const T,
    defaults: T,
    oldest: usize,
    name: &str,
) -> Result<T, Failure> {
    let mut out = defaults;
    if p.is_null() {
        return Ok(out);
    }
    // SAFETY: the first field, a u32, is readable (contract above).
    let size = unsafe { p.cast::<u32>().read() };
    let size = struct_size(size, oldest, std::mem::size_of::<T>(), name)?;
    // SAFETY: the caller's struct has `size` readable bytes, no more than
    // ours; every field of T is plain data, valid for any bytes the caller
    // could have written through its own declaration of the struct.
    unsafe { std::ptr::copy_nonoverlapping(p.cast::<u8>(), (&raw mut out).cast::<u8>(), size) };
    Ok(out)
}

/// Checks a versioned options struct: `struct_size` is how big the
/// caller's struct is. Sizes from `oldest` (the first version) up to ours
/// are accepted; fields the caller's version lacks keep their defaults.
pub(crate) fn struct_size(
    got: u32,
    oldest: usize,
    ours: usize,
    name: &str,
) -> Result<usize, Failure> {
    let got = got as usize;
    if got == 0 {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            format!("{name}.struct_size is 0: initialise the struct with {name}_init()"),
        ));
    }
    if got < oldest || got > ours {
        return Err(Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            format!("{name}.struct_size is {got}; this library accepts {oldest} to {ours}"),
        ));
    }
    Ok(got)
}
