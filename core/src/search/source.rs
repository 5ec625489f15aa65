//! A file's bytes: small files are read into a buffer the worker reuses,
//! large ones are mapped. Mapping costs a system call and page faults that
//! only pay off on large files (docs/benchmarks.md, "Directory search").

use std::fs::File;
use std::io::{ErrorKind as IoKind, Read};
use std::path::Path;

use crate::error::{Error, Result};
use crate::{Map, MapOptions};

/// The first size of a worker's read buffer; it grows as files need,
/// up to the mmap threshold.
const INITIAL_BUFFER: usize = 64 * 1024;

/// A file's contents, borrowed from the worker's buffer or mapped.
pub(crate) enum Contents<'b> {
    Read(&'b [u8]),
    Mapped(Map),
}

impl Contents<'_> {
    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Contents::Read(b) => b,
            Contents::Mapped(m) => m,
        }
    }
}

/// Reads `path` into `buf`, or maps it once it proves larger than
/// `threshold` bytes. Reading first and mapping only past the threshold
/// spares small files an fstat; the bytes read before mapping are
/// wasted, at most `threshold` per large file.
pub(crate) fn load<'b>(path: &Path, threshold: u64, buf: &'b mut Vec<u8>) -> Result<Contents<'b>> {
    let fail = |e| Error::io("read", e).with_path(Some(path));
    let mut file = File::open(path).map_err(fail)?;
    let limit = usize::try_from(threshold).unwrap_or(usize::MAX);
    let mut filled = 0;
    let mut may_map = true;
    loop {
        if may_map && filled > limit {
            let len = file.metadata().map_err(fail)?.len();
            // A file that says it is shorter than what we already read
            // (procfs, or one still growing) is read to the end instead.
            if len >= filled as u64 {
                return Ok(Contents::Mapped(MapOptions::new().map_read_only(
                    &file,
                    len,
                    Some(path),
                )?));
            }
            may_map = false;
        }
        // Read at most one byte past the threshold before deciding.
        let cap = if may_map {
            limit.saturating_add(1)
        } else {
            usize::MAX
        };
        if filled == buf.len() {
            let grown = buf.len().saturating_mul(2).max(INITIAL_BUFFER).min(cap);
            buf.resize(grown.max(filled + 1), 0);
        }
        let end = buf.len().min(cap);
        match file.read(&mut buf[filled..end]) {
            Ok(0) => return Ok(Contents::Read(&buf[..filled])),
            Ok(n) => filled += n,
            Err(e) if e.kind() == IoKind::Interrupted => {}
            Err(e) => return Err(fail(e)),
        }
    }
}

/// A byte-order mark at the start of a file, which ripgrep acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bom {
    None,
    Utf8,
    Utf16Le,
    Utf16Be,
}

pub(crate) fn sniff_bom(data: &[u8]) -> Bom {
    if data.starts_with(b"\xEF\xBB\xBF") {
        Bom::Utf8
    } else if data.starts_with(b"\xFF\xFE") {
        Bom::Utf16Le
    } else if data.starts_with(b"\xFE\xFF") {
        Bom::Utf16Be
    } else {
        Bom::None
    }
}

/// UTF-16 (after its byte-order mark) as UTF-8, as ripgrep transcodes such
/// files before searching them: unpaired surrogates and an odd last byte
/// become U+FFFD.
pub(crate) fn utf16_to_utf8(data: &[u8], big_endian: bool, out: &mut Vec<u8>) {
    out.clear();
    let units = data.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut utf8 = [0; 4];
    for c in char::decode_utf16(units) {
        let c = c.unwrap_or(char::REPLACEMENT_CHARACTER);
        out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }
    if data.len() % 2 == 1 {
        out.extend_from_slice("\u{FFFD}".as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_is_transcoded_with_replacement_characters() {
        let mut le = Vec::new();
        for u in [0x66u16, 0xD800, 0x42, 0xD83D, 0xDE00, 0x0A] {
            le.extend_from_slice(&u.to_le_bytes());
        }
        le.push(0x41);
        let mut out = Vec::new();
        utf16_to_utf8(&le, false, &mut out);
        assert_eq!(out, "f\u{FFFD}B\u{1F600}\n\u{FFFD}".as_bytes());
        utf16_to_utf8(&[0, 0x66, 0, 0x0A], true, &mut out);
        assert_eq!(out, b"f\n");
    }

    #[test]
    fn small_files_are_read_and_large_ones_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let data: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, &data).unwrap();
        let mut buf = Vec::new();
        match load(&path, 1 << 20, &mut buf).unwrap() {
            Contents::Read(b) => assert_eq!(b, &data[..]),
            Contents::Mapped(_) => panic!("a file under the threshold was mapped"),
        }
        match load(&path, 100_000, &mut buf).unwrap() {
            Contents::Mapped(m) => assert_eq!(&m[..], &data[..]),
            Contents::Read(_) => panic!("a file over the threshold was read"),
        }
        assert_eq!(load(&path, 0, &mut buf).unwrap().bytes(), &data[..]);
    }
}
