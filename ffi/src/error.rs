//! Status codes and the error object.

use std::ffi::{CString, c_char};

use mapview::{ErrorKind, InvalidReason};

/// The result of a fallible call. 0 is success; every other value names
/// one kind of failure and is stable across 0.x releases (new codes may be
/// added, existing ones never change meaning).
#[repr(i32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum mapview_status {
    /// Success.
    MAPVIEW_OK = 0,
    /// A required pointer argument was NULL.
    MAPVIEW_ERR_NULL_ARGUMENT = 1,
    /// The handle is zero, forged, or of another type (e.g. a
    /// mapview_windows where a mapview_map was expected).
    MAPVIEW_ERR_INVALID_HANDLE = 2,
    /// The handle was closed: used after mapview_*_close, or closed twice.
    MAPVIEW_ERR_CLOSED = 3,
    /// An argument has a value that does not fit (other than the cases below).
    MAPVIEW_ERR_INVALID_ARGUMENT = 4,
    /// An offset or range lies past the end of the file or map.
    MAPVIEW_ERR_OUT_OF_RANGE = 5,
    /// offset + length overflows.
    MAPVIEW_ERR_OVERFLOW = 6,
    /// Unknown flag bits, an unknown enum value, or a combination of
    /// options that cannot go together.
    MAPVIEW_ERR_INVALID_FLAGS = 7,
    /// A record size of zero, or one that does not divide the data.
    MAPVIEW_ERR_RECORD_SIZE = 8,
    /// Write access asked of a read-only map.
    MAPVIEW_ERR_READ_ONLY = 9,
    /// The file or directory does not exist.
    MAPVIEW_ERR_NOT_FOUND = 10,
    /// The operating system refused access.
    MAPVIEW_ERR_PERMISSION_DENIED = 11,
    /// A file that create would have overwritten exists.
    MAPVIEW_ERR_ALREADY_EXISTS = 12,
    /// The kernel, file system or kind of map cannot do it.
    MAPVIEW_ERR_UNSUPPORTED = 13,
    /// Out of memory or address space (including no huge pages reserved).
    MAPVIEW_ERR_OUT_OF_MEMORY = 14,
    /// Any other I/O error.
    MAPVIEW_ERR_IO = 15,
    /// The data does not start on the alignment the records need.
    MAPVIEW_ERR_MISALIGNED = 16,
    /// A bug in mapview: a panic was caught at the C boundary. Please report it.
    MAPVIEW_ERR_PANIC = 17,
    /// Someone else holds it: e.g. another writer has the event log open.
    MAPVIEW_ERR_BUSY = 18,
    /// The data is damaged (checksum mismatch, bad magic, impossible header);
    /// the message gives the offset.
    MAPVIEW_ERR_CORRUPT = 19,
    /// Not a valid guest module (not wasm, fails validation, uses
    /// bulk-memory instructions, or imports what the host does not provide).
    MAPVIEW_ERR_WASM_MODULE = 20,
    /// The guest lacks an export the call needs (its memory, the function).
    MAPVIEW_ERR_WASM_EXPORT = 21,
    /// The function cannot be called with integers (its types, the count).
    MAPVIEW_ERR_WASM_SIGNATURE = 22,
    /// The guest trapped; the message says how.
    MAPVIEW_ERR_WASM_TRAP = 23,
    /// The guest ran out of fuel or past its time limit.
    MAPVIEW_ERR_WASM_TIMEOUT = 24,
    /// The guest tried to grow its memory past the limit.
    MAPVIEW_ERR_WASM_MEMORY_LIMIT = 25,
    /// A viewed file was truncated by another process during the call.
    MAPVIEW_ERR_WASM_VIEW_TRUNCATED = 26,
    /// A view could not be attached (kind of map, limits, address space).
    MAPVIEW_ERR_WASM_VIEW = 27,
}

use mapview_status::*;

impl mapview_status {
    pub(crate) fn name(self) -> &'static std::ffi::CStr {
        match self {
            MAPVIEW_OK => c"ok",
            MAPVIEW_ERR_NULL_ARGUMENT => c"null argument",
            MAPVIEW_ERR_INVALID_HANDLE => c"invalid handle",
            MAPVIEW_ERR_CLOSED => c"closed handle",
            MAPVIEW_ERR_INVALID_ARGUMENT => c"invalid argument",
            MAPVIEW_ERR_OUT_OF_RANGE => c"out of range",
            MAPVIEW_ERR_OVERFLOW => c"offset + length overflows",
            MAPVIEW_ERR_INVALID_FLAGS => c"invalid flags",
            MAPVIEW_ERR_RECORD_SIZE => c"bad record size",
            MAPVIEW_ERR_READ_ONLY => c"read-only map",
            MAPVIEW_ERR_NOT_FOUND => c"not found",
            MAPVIEW_ERR_PERMISSION_DENIED => c"permission denied",
            MAPVIEW_ERR_ALREADY_EXISTS => c"already exists",
            MAPVIEW_ERR_UNSUPPORTED => c"unsupported",
            MAPVIEW_ERR_OUT_OF_MEMORY => c"out of memory",
            MAPVIEW_ERR_IO => c"I/O error",
            MAPVIEW_ERR_MISALIGNED => c"misaligned",
            MAPVIEW_ERR_PANIC => c"internal error (panic)",
            MAPVIEW_ERR_BUSY => c"busy",
            MAPVIEW_ERR_CORRUPT => c"corrupt data",
            MAPVIEW_ERR_WASM_MODULE => c"invalid guest module",
            MAPVIEW_ERR_WASM_EXPORT => c"missing guest export",
            MAPVIEW_ERR_WASM_SIGNATURE => c"wrong guest signature",
            MAPVIEW_ERR_WASM_TRAP => c"guest trap",
            MAPVIEW_ERR_WASM_TIMEOUT => c"guest timeout",
            MAPVIEW_ERR_WASM_MEMORY_LIMIT => c"guest memory limit",
            MAPVIEW_ERR_WASM_VIEW_TRUNCATED => c"view truncated",
            MAPVIEW_ERR_WASM_VIEW => c"view error",
        }
    }
}

/// A failure inside the library, before it becomes a status and an
/// optional error object.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: mapview_status,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: mapview_status, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
        }
    }

    /// An unknown enum value, or options that cannot go together.
    pub(crate) fn invalid_flags(message: impl Into<String>) -> Failure {
        Failure::new(MAPVIEW_ERR_INVALID_FLAGS, message)
    }
}

impl From<mapview_wasm::WasmError> for Failure {
    fn from(err: mapview_wasm::WasmError) -> Failure {
        use mapview_wasm::WasmErrorKind as K;
        let code = match err.kind() {
            K::InvalidModule => MAPVIEW_ERR_WASM_MODULE,
            K::MissingExport => MAPVIEW_ERR_WASM_EXPORT,
            K::WrongSignature => MAPVIEW_ERR_WASM_SIGNATURE,
            K::Trap => MAPVIEW_ERR_WASM_TRAP,
            K::Timeout => MAPVIEW_ERR_WASM_TIMEOUT,
            K::MemoryLimit => MAPVIEW_ERR_WASM_MEMORY_LIMIT,
            K::ViewTruncated => MAPVIEW_ERR_WASM_VIEW_TRUNCATED,
            K::View => MAPVIEW_ERR_WASM_VIEW,
            K::Map(kind) => Failure::from(mapview::Error::new(kind, "", "")).code,
            _ => MAPVIEW_ERR_INVALID_ARGUMENT,
        };
        Failure {
            code,
            message: err.to_string(),
        }
    }
}

impl From<mapview::Error> for Failure {
    fn from(err: mapview::Error) -> Failure {
        let code = match (err.kind(), err.invalid_reason()) {
            (ErrorKind::InvalidArgument, Some(InvalidReason::OutOfRange)) => {
                MAPVIEW_ERR_OUT_OF_RANGE
            }
            (ErrorKind::InvalidArgument, Some(InvalidReason::Overflow)) => MAPVIEW_ERR_OVERFLOW,
            (ErrorKind::InvalidArgument, Some(InvalidReason::RecordSize)) => {
                MAPVIEW_ERR_RECORD_SIZE
            }
            (ErrorKind::InvalidArgument, Some(InvalidReason::Misaligned)) => MAPVIEW_ERR_MISALIGNED,
            (ErrorKind::InvalidArgument, Some(InvalidReason::Conflict)) => {
                MAPVIEW_ERR_INVALID_FLAGS
            }
            (ErrorKind::NotFound, _) => MAPVIEW_ERR_NOT_FOUND,
            (ErrorKind::PermissionDenied, _) => MAPVIEW_ERR_PERMISSION_DENIED,
            (ErrorKind::AlreadyExists, _) => MAPVIEW_ERR_ALREADY_EXISTS,
            (ErrorKind::Unsupported, _) => MAPVIEW_ERR_UNSUPPORTED,
            (ErrorKind::OutOfMemory, _) => MAPVIEW_ERR_OUT_OF_MEMORY,
            (ErrorKind::Io, _) => MAPVIEW_ERR_IO,
            (ErrorKind::Busy, _) => MAPVIEW_ERR_BUSY,
            (ErrorKind::Corrupt, _) => MAPVIEW_ERR_CORRUPT,
            _ => MAPVIEW_ERR_INVALID_ARGUMENT,
        };
        Failure {
            code,
            message: err.to_string(),
        }
    }
}

/// An error: a status code and a message naming what was wrong (the
/// path, the byte range, the argument). Owned by the caller, who frees it
/// with mapview_error_free. Immutable, so it may be read from any thread.
pub struct mapview_error {
    code: mapview_status,
    message: CString,
}

impl mapview_error {
    pub(crate) fn boxed(failure: Failure) -> *mut mapview_error {
        // A message with an inner NUL (from a path) keeps the part before it.
        let message = CString::new(failure.message).unwrap_or_else(|e| {
            let end = e.nul_position();
            let mut bytes = e.into_vec();
            bytes.truncate(end);
            CString::new(bytes).unwrap_or_default()
        });
        Box::into_raw(Box::new(mapview_error {
            code: failure.code,
            message,
        }))
    }
}

/// The status code of an error. Returns MAPVIEW_ERR_NULL_ARGUMENT for NULL.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_error_code(err: *const mapview_error) -> mapview_status {
    // SAFETY: a non-NULL err is, by the API contract, an error object this
    // library returned and the caller has not freed.
    match unsafe { err.as_ref() } {
        Some(e) => e.code,
        None => MAPVIEW_ERR_NULL_ARGUMENT,
    }
}

/// The message of an error: UTF-8 (paths as given), NUL-terminated. The
/// string belongs to the error and is valid until mapview_error_free.
/// Returns a static empty string for NULL.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_error_message(err: *const mapview_error) -> *const c_char {
    // SAFETY: as in mapview_error_code.
    match unsafe { err.as_ref() } {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Frees an error. NULL is allowed and does nothing. Freeing the same
/// error twice is undefined behaviour, as with free().
///
/// Thread-safety: any thread, once per error.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_error_free(err: *mut mapview_error) {
    if err.is_null() {
        return;
    }
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: err came from mapview_error::boxed (Box::into_raw) and, by
        // the contract above, has not been freed.
        drop(unsafe { Box::from_raw(err) });
    });
}

/// A short, static, NUL-terminated description of a status code ("not
/// found", "closed handle", ...); "unknown status" for values this version
/// does not know. Never NULL, never to be freed.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_status_name(status: i32) -> *const c_char {
    let all = [
        MAPVIEW_OK,
        MAPVIEW_ERR_NULL_ARGUMENT,
        MAPVIEW_ERR_INVALID_HANDLE,
        MAPVIEW_ERR_CLOSED,
        MAPVIEW_ERR_INVALID_ARGUMENT,
        MAPVIEW_ERR_OUT_OF_RANGE,
        MAPVIEW_ERR_OVERFLOW,
        MAPVIEW_ERR_INVALID_FLAGS,
        MAPVIEW_ERR_RECORD_SIZE,
        MAPVIEW_ERR_READ_ONLY,
        MAPVIEW_ERR_NOT_FOUND,
        MAPVIEW_ERR_PERMISSION_DENIED,
        MAPVIEW_ERR_ALREADY_EXISTS,
        MAPVIEW_ERR_UNSUPPORTED,
        MAPVIEW_ERR_OUT_OF_MEMORY,
        MAPVIEW_ERR_IO,
        MAPVIEW_ERR_MISALIGNED,
        MAPVIEW_ERR_PANIC,
        MAPVIEW_ERR_BUSY,
        MAPVIEW_ERR_CORRUPT,
        MAPVIEW_ERR_WASM_MODULE,
        MAPVIEW_ERR_WASM_EXPORT,
        MAPVIEW_ERR_WASM_SIGNATURE,
        MAPVIEW_ERR_WASM_TRAP,
        MAPVIEW_ERR_WASM_TIMEOUT,
        MAPVIEW_ERR_WASM_MEMORY_LIMIT,
        MAPVIEW_ERR_WASM_VIEW_TRUNCATED,
        MAPVIEW_ERR_WASM_VIEW,
    ];
    match all.iter().find(|s| **s as i32 == status) {
        Some(s) => s.name().as_ptr(),
        None => c"unknown status".as_ptr(),
    }
}
