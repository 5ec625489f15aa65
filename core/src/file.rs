//! Opening files for mapping: refuse what cannot be mapped (directories,
//! FIFOs, devices) with a clear error, and check byte ranges against the file.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use crate::error::InvalidReason::{OutOfRange, Overflow};
use crate::error::{Error, ErrorKind, Result};

/// How a file is opened before it is mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    Read,
    ReadWrite,
    /// Create a new file; fail if one exists (never overwrite data).
    CreateNew,
}

/// Opens `path` and returns it with its length. Only regular files pass.
pub(crate) fn open_regular(path: &Path, access: Access) -> Result<(File, u64)> {
    let mut opts = OpenOptions::new();
    match access {
        Access::Read => opts.read(true),
        Access::ReadWrite => opts.read(true).write(true),
        Access::CreateNew => opts.read(true).write(true).create_new(true),
    };
    // O_NONBLOCK: opening a FIFO must not hang waiting for a writer; it is
    // refused below. On regular files the flag changes nothing.
    opts.custom_flags(libc::O_NONBLOCK);
    let file = opts
        .open(path)
        .map_err(|e| Error::io("open", e).with_path(Some(path)))?;
    let meta = file
        .metadata()
        .map_err(|e| Error::io("stat", e).with_path(Some(path)))?;
    let ft = meta.file_type();
    if !ft.is_file() {
        let what = if ft.is_dir() {
            "is a directory, not a regular file"
        } else if ft.is_fifo() {
            "is a FIFO, not a regular file"
        } else if ft.is_socket() {
            "is a socket, not a regular file"
        } else if ft.is_char_device() || ft.is_block_device() {
            "is a device, not a regular file"
        } else {
            "is not a regular file"
        };
        return Err(Error::new(ErrorKind::InvalidArgument, "open", what).with_path(Some(path)));
    }
    Ok((file, meta.len()))
}

/// Resolves a requested range against a file or map of `total` bytes.
/// `len: None` means "to the end". Returns the checked length.
pub(crate) fn check_range(
    op: &'static str,
    path: Option<&Path>,
    total: u64,
    offset: u64,
    len: Option<u64>,
) -> Result<u64> {
    let shown_len = len.unwrap_or(total.saturating_sub(offset));
    let fail = |reason, detail: String| {
        Err(Error::invalid_because(reason, op, detail)
            .with_path(path)
            .with_range(offset, shown_len))
    };
    let len = match len {
        None if offset > total => {
            return fail(
                OutOfRange,
                format!("offset is past the end ({total} bytes)"),
            );
        }
        None => total - offset,
        Some(len) => len,
    };
    let Some(end) = offset.checked_add(len) else {
        return fail(Overflow, "offset + length overflows".to_string());
    };
    if end > total {
        return fail(
            OutOfRange,
            format!("range ends past the end ({total} bytes)"),
        );
    }
    if usize::try_from(len).is_err() {
        return fail(
            Overflow,
            "length does not fit in the address space".to_string(),
        );
    }
    Ok(len)
}
