//! The host's error type: what went wrong with a module, a call or a view,
//! in kinds a caller (and the C ABI) can match.

use std::fmt;

/// What kind of failure, for matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum WasmErrorKind {
    /// Not a WebAssembly module, or one that does not validate (including
    /// one that uses bulk-memory instructions; see docs/guest-abi.md).
    InvalidModule,
    /// The module does not export what the host needs (a memory named
    /// `memory`, or the function asked for).
    MissingExport,
    /// An export has a type the host cannot call (non-integer parameters or
    /// results, or the wrong number of arguments).
    WrongSignature,
    /// The guest trapped: out-of-bounds access, a store into a read-only
    /// view, unreachable, division by zero, ...
    Trap,
    /// The guest ran out of fuel or past its time limit.
    Timeout,
    /// The guest tried to grow its memory past the configured limit.
    MemoryLimit,
    /// A viewed file was truncated by another process during the call; the
    /// guest read zeros where the file's bytes were, so its results are void.
    ViewTruncated,
    /// A view could not be attached (unsupported kind of map, too many
    /// views, no address space left in the guest).
    View,
    /// An error of the mapping library (opening a file, ...).
    Map(mapview::ErrorKind),
}

/// An error of the WebAssembly host.
#[derive(Debug)]
pub struct WasmError {
    kind: WasmErrorKind,
    message: String,
}

pub type Result<T, E = WasmError> = std::result::Result<T, E>;

impl WasmError {
    pub fn new(kind: WasmErrorKind, message: impl Into<String>) -> WasmError {
        WasmError {
            kind,
            message: message.into(),
        }
    }

    pub fn kind(&self) -> WasmErrorKind {
        self.kind
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for WasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WasmError {}

impl From<mapview::Error> for WasmError {
    fn from(err: mapview::Error) -> WasmError {
        WasmError {
            kind: WasmErrorKind::Map(err.kind()),
            message: err.to_string(),
        }
    }
}
