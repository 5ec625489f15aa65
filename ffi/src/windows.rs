//! Windowed iteration over a file bigger than one wants mapped at once.

use std::ffi::c_char;
use std::sync::Mutex;

use mapview::{Window, Windows};

use crate::args::{self, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;

/// A window iterator handle (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_windows {
    pub id: u64,
}

/// One window of a file.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_window {
    /// The window's bytes; valid until the next mapview_windows_next or
    /// mapview_windows_close on the same iterator.
    pub data: *const u8,
    pub len: usize,
    /// Where the window starts in the file.
    pub file_offset: u64,
    /// 0 for the first window, then 1, 2, ...
    pub index: u64,
}

struct Cursor {
    windows: Windows,
    /// The window handed out last; kept mapped until the next call.
    current: Option<Window>,
}

static WINDOWS: Registry<Mutex<Cursor>> = Registry::new(2, "windows");

/// Opens `path` for reading in windows of `window_size` bytes, each after
/// the first starting `overlap` bytes before the previous one ended (so a
/// pattern of up to overlap + 1 bytes always lies inside one window).
/// window_size must be at least 1 and overlap smaller than it.
///
/// Ownership: the caller closes the handle with mapview_windows_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_windows_open(
    path: *const c_char,
    path_len: usize,
    window_size: u64,
    overlap: u64,
    out_windows: *mut mapview_windows,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_windows = unsafe { out(out_windows, "out_windows") }?;
        out_windows.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let windows = Windows::open(path, window_size, overlap)?;
        out_windows.id = WINDOWS.insert(Mutex::new(Cursor {
            windows,
            current: None,
        }));
        Ok(())
    })
}

/// Maps the next window. *out_has_window is false (and *out_window zeroed)
/// once the file is exhausted; an empty file has no windows. The previous
/// window is unmapped.
///
/// Thread-safety: any thread; calls on one iterator are serialised.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_windows_next(
    windows: mapview_windows,
    out_window: *mut mapview_window,
    out_has_window: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_window = unsafe { out(out_window, "out_window") }?;
        let out_has_window = unsafe { out(out_has_window, "out_has_window") }?;
        *out_window = mapview_window {
            data: std::ptr::null(),
            len: 0,
            file_offset: 0,
            index: 0,
        };
        *out_has_window = false;
        let entry = WINDOWS.get(windows.id)?;
        let mut cursor = entry.lock().unwrap_or_else(|e| e.into_inner());
        cursor.current = None;
        let Some(next) = cursor.windows.next() else {
            return Ok(());
        };
        let w = next.map_err(Failure::from)?;
        *out_window = mapview_window {
            data: w.as_ptr(),
            len: w.len(),
            file_offset: w.file_offset(),
            index: w.index(),
        };
        *out_has_window = true;
        cursor.current = Some(w);
        Ok(())
    })
}

/// How many windows the whole file gives (for progress reports).
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_windows_count(
    windows: mapview_windows,
    out_total: *mut u64,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_total = unsafe { out(out_total, "out_total") }?;
        let entry = WINDOWS.get(windows.id)?;
        *out_total = entry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .windows
            .count_total();
        Ok(())
    })
}

/// Closes the iterator and unmaps its current window.
/// MAPVIEW_ERR_CLOSED if already closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_windows_close(windows: mapview_windows) -> mapview_status {
    guard_status(|| WINDOWS.remove(windows.id).map(drop))
}
