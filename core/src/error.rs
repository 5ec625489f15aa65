//! The one error type of mapview: a kind a caller can match, the operation,
//! and the path and byte range involved.

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong, in a form a caller can match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The file or directory does not exist.
    NotFound,
    /// The operating system refused access (file mode, RLIMIT_MEMLOCK, ...).
    PermissionDenied,
    /// A file that `create` would have overwritten already exists.
    AlreadyExists,
    /// The arguments do not fit: a range past the end, an offset + length that
    /// overflows, a record size that does not divide the data, a directory
    /// where a file was expected, ...
    InvalidArgument,
    /// The kernel, the file system or this kind of map cannot do it.
    Unsupported,
    /// Out of memory or address space (ENOMEM, no huge pages reserved, ...).
    OutOfMemory,
    /// Any other I/O error; the source error is attached.
    Io,
    /// Someone else holds it: e.g. another writer has the event log open.
    Busy,
    /// The data is damaged: a checksum mismatch, a bad magic number, a
    /// header that contradicts the file.
    Corrupt,
}

impl ErrorKind {
    /// A short lower-case name, stable across versions.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not found",
            ErrorKind::PermissionDenied => "permission denied",
            ErrorKind::AlreadyExists => "already exists",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::OutOfMemory => "out of memory",
            ErrorKind::Io => "I/O error",
            ErrorKind::Busy => "busy",
            ErrorKind::Corrupt => "corrupt data",
        }
    }

    /// Classifies an operating-system error.
    pub fn from_io(err: &io::Error) -> ErrorKind {
        match err.raw_os_error() {
            Some(libc::ENOMEM) | Some(libc::EAGAIN) | Some(libc::EOVERFLOW) => {
                return ErrorKind::OutOfMemory;
            }
            Some(libc::EINVAL) | Some(libc::EISDIR) | Some(libc::ENOTDIR) => {
                return ErrorKind::InvalidArgument;
            }
            Some(libc::ENODEV) | Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => {
                return ErrorKind::Unsupported;
            }
            Some(libc::EACCES) | Some(libc::EPERM) | Some(libc::EROFS) => {
                return ErrorKind::PermissionDenied;
            }
            _ => {}
        }
        match err.kind() {
            io::ErrorKind::NotFound => ErrorKind::NotFound,
            io::ErrorKind::PermissionDenied => ErrorKind::PermissionDenied,
            io::ErrorKind::AlreadyExists => ErrorKind::AlreadyExists,
            io::ErrorKind::InvalidInput => ErrorKind::InvalidArgument,
            io::ErrorKind::Unsupported => ErrorKind::Unsupported,
            io::ErrorKind::OutOfMemory => ErrorKind::OutOfMemory,
            _ => ErrorKind::Io,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an argument was invalid, for the cases callers (and the C ABI) tell
/// apart. Only set on `ErrorKind::InvalidArgument` errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InvalidReason {
    /// The range starts or ends past the end of the file or map.
    OutOfRange,
    /// Offset + length does not fit in 64 bits (or in the address space).
    Overflow,
    /// A record size of zero, or one that does not divide the data.
    RecordSize,
    /// The data does not start on the record type's alignment.
    Misaligned,
    /// Options that cannot go together (a byte range for an anonymous map,
    /// dont-need advice on a private map, ...).
    Conflict,
}

/// A byte range of a file or map: `offset` and `len`, kept as given so that
/// an overflowing pair can still be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub len: u64,
}

/// An error from mapview. `kind()` is for matching, `Display` is for people:
/// it names the operation, the path and the byte range involved.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    op: &'static str,
    path: Option<PathBuf>,
    range: Option<ByteRange>,
    reason: Option<InvalidReason>,
    detail: Cow<'static, str>,
    source: Option<io::Error>,
}

/// mapview's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` during `op`, with a human-readable `detail`.
    pub fn new(kind: ErrorKind, op: &'static str, detail: impl Into<Cow<'static, str>>) -> Error {
        Error {
            kind,
            op,
            path: None,
            range: None,
            reason: None,
            detail: detail.into(),
            source: None,
        }
    }

    /// An error from the operating system during `op`.
    pub fn io(op: &'static str, err: io::Error) -> Error {
        Error {
            kind: ErrorKind::from_io(&err),
            op,
            path: None,
            range: None,
            reason: None,
            detail: Cow::Borrowed(""),
            source: Some(err),
        }
    }

    /// An invalid-argument error during `op`.
    pub fn invalid(op: &'static str, detail: impl Into<Cow<'static, str>>) -> Error {
        Error::new(ErrorKind::InvalidArgument, op, detail)
    }

    /// An invalid-argument error for one of the reasons callers tell apart.
    pub fn invalid_because(
        reason: InvalidReason,
        op: &'static str,
        detail: impl Into<Cow<'static, str>>,
    ) -> Error {
        let mut err = Error::invalid(op, detail);
        err.reason = Some(reason);
        err
    }

    /// Attaches the path involved.
    pub fn with_path(mut self, path: Option<&Path>) -> Error {
        self.path = path.map(Path::to_path_buf);
        self
    }

    /// Attaches the byte range involved.
    pub fn with_range(mut self, offset: u64, len: u64) -> Error {
        self.range = Some(ByteRange { offset, len });
        self
    }

    /// Adds a human-readable detail (kept in front of the OS message).
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Error {
        self.detail = detail.into();
        self
    }

    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Why the argument was invalid, where it is one of the cases in
    /// [`InvalidReason`].
    pub fn invalid_reason(&self) -> Option<InvalidReason> {
        self.reason
    }

    /// The operation that failed ("open", "map", "flush", ...).
    pub fn op(&self) -> &'static str {
        self.op
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn range(&self) -> Option<ByteRange> {
        self.range
    }

    /// The operating-system error, when there was one.
    pub fn os_error(&self) -> Option<&io::Error> {
        self.source.as_ref()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.op)?;
        if let Some(path) = &self.path {
            write!(f, " '{}'", path.display())?;
        }
        if let Some(r) = self.range {
            write!(f, " (offset {}, length {})", r.offset, r.len)?;
        }
        write!(f, ": {}", self.kind)?;
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        if let Some(src) = &self.source {
            write!(f, ": {src}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match err.kind {
            ErrorKind::NotFound => io::ErrorKind::NotFound,
            ErrorKind::PermissionDenied => io::ErrorKind::PermissionDenied,
            ErrorKind::AlreadyExists => io::ErrorKind::AlreadyExists,
            ErrorKind::InvalidArgument => io::ErrorKind::InvalidInput,
            ErrorKind::Unsupported => io::ErrorKind::Unsupported,
            ErrorKind::OutOfMemory => io::ErrorKind::OutOfMemory,
            ErrorKind::Io => io::ErrorKind::Other,
            ErrorKind::Busy => io::ErrorKind::WouldBlock,
            ErrorKind::Corrupt => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, err)
    }
}
