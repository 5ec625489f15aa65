//! The library's version, as macros in the header and as a string at run
//! time (which may differ from the header a program was built with).

use std::ffi::c_char;

pub const MAPVIEW_VERSION_MAJOR: u32 = 0;
pub const MAPVIEW_VERSION_MINOR: u32 = 1;
pub const MAPVIEW_VERSION_PATCH: u32 = 0;
/// The version as one number: major * 10000 + minor * 100 + patch.
pub const MAPVIEW_VERSION_NUMBER: u32 = 100;

/// The version of the library that is running, e.g. "0.1.0". Static; never
/// NULL, never to be freed.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// The size of a memory page on this system, in bytes.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_page_size() -> usize {
    mapview::page_size()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_macros_match_the_crate_version() {
        let v = format!("{MAPVIEW_VERSION_MAJOR}.{MAPVIEW_VERSION_MINOR}.{MAPVIEW_VERSION_PATCH}");
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            MAPVIEW_VERSION_NUMBER,
            MAPVIEW_VERSION_MAJOR * 10000 + MAPVIEW_VERSION_MINOR * 100 + MAPVIEW_VERSION_PATCH
        );
        // SAFETY: mapview_version returns a static NUL-terminated string.
        let s = unsafe { std::ffi::CStr::from_ptr(mapview_version()) };
        assert_eq!(s.to_str().unwrap(), v);
    }
}
