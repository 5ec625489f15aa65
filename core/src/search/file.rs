//! Searching one file, with ripgrep 13's rules for byte-order marks and
//! binary data, which differ between files found by walking a directory
//! and a file named as the root.

use std::path::PathBuf;

use crate::error::Result;

use super::binary::{PEEKED, RG_BUFFER, searched_before_nul};
use super::lines::{self, LineNumbers};
use super::matcher::Matcher;
use super::report::{Binary, FileMatches};
use super::source::{self, Bom, sniff_bom, utf16_to_utf8};

/// How ripgrep came to the file, which decides how it treats it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Found by walking a directory: read through ripgrep's line buffer,
    /// a UTF-8 byte-order mark removed, searching stopped at binary data.
    Walked,
    /// The root itself: ripgrep maps such a file and searches it whole
    /// (or, with a byte-order mark, reads it), noting binary data but not
    /// stopping at it.
    Named,
}

/// Buffers a worker thread reuses from one file to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    read: Vec<u8>,
    decoded: Vec<u8>,
}

/// The file's matches, or `None` when ripgrep would print nothing for it.
pub(crate) fn search_file(
    path: PathBuf,
    origin: Origin,
    matcher: &Matcher,
    count_only: bool,
    mmap_threshold: u64,
    scratch: &mut Scratch,
) -> Result<Option<FileMatches>> {
    let Scratch { read, decoded } = scratch;
    let contents = source::load(&path, mmap_threshold, read)?;
    let raw = contents.bytes();
    // ripgrep transcodes UTF-16 (by its byte-order mark) to UTF-8 and drops
    // a UTF-8 byte-order mark; without one, its first read returns just the
    // 3 bytes it peeked at.
    let bom = sniff_bom(raw);
    let data = match bom {
        Bom::Utf16Le | Bom::Utf16Be => {
            utf16_to_utf8(&raw[2..], bom == Bom::Utf16Be, decoded);
            &decoded[..]
        }
        Bom::Utf8 => &raw[3..],
        Bom::None => raw,
    };
    let first_read = (bom == Bom::None).then_some(PEEKED);
    let mut found = FileMatches::new(path);
    let report = match origin {
        Origin::Walked => walked(data, first_read, matcher, count_only, &mut found),
        // A named file is mapped and searched in place, unless it has a
        // byte-order mark: then it goes through the reader like a walked one.
        Origin::Named if bom == Bom::None => named_mapped(data, matcher, count_only, &mut found),
        Origin::Named => named_read(data, matcher, count_only, &mut found),
    };
    Ok(report.then_some(found))
}

/// Text without binary data: every matching line, or their count.
fn whole(data: &[u8], matcher: &Matcher, count_only: bool, found: &mut FileMatches) -> bool {
    if count_only {
        found.count = lines::count(matcher, data);
    } else {
        lines::collect(matcher, data, found);
    }
    found.count > 0
}

fn walked(
    data: &[u8],
    first_read: Option<usize>,
    matcher: &Matcher,
    count_only: bool,
    found: &mut FileMatches,
) -> bool {
    match memchr::memchr(0, data) {
        None => return whole(data, matcher, count_only, found),
        // ripgrep drops the count of a binary file rather than print one
        // that stops short.
        Some(_) if count_only => return false,
        Some(nul) => {
            let searched = searched_before_nul(data, nul, first_read);
            lines::collect(matcher, &data[..searched], found);
            if found.count > 0 {
                found.binary = Some(Binary::Stopped { offset: nul as u64 });
            }
        }
    }
    found.count > 0
}

fn named_mapped(data: &[u8], matcher: &Matcher, count_only: bool, found: &mut FileMatches) -> bool {
    if count_only {
        // Counting is not affected by binary data here.
        found.count = lines::count(matcher, data);
        return found.count > 0;
    }
    // ripgrep looks for a NUL in the first 64 KiB up front, then in each
    // matching line; once one is seen, the next matching line ends the
    // report (and is not itself reported).
    let mut nul = memchr::memchr(0, &data[..data.len().min(RG_BUFFER)]);
    let mut numbers = LineNumbers::default();
    let mut pos = 0;
    let mut matched_after_nul = false;
    while let Some((start, end)) = matcher.next_line(data, pos) {
        if nul.is_none() {
            nul = memchr::memchr(0, &data[start..end]).map(|i| start + i);
        }
        if nul.is_some() {
            matched_after_nul = true;
            break;
        }
        found.push_line(numbers.at(data, start), &data[start..end]);
        pos = end + 1;
    }
    if found.count == 0 && !matched_after_nul {
        return false;
    }
    if let Some(offset) = nul {
        found.binary = Some(Binary::Matches {
            offset: offset as u64,
        });
    }
    true
}

/// A named file with a byte-order mark. ripgrep reads it like a walked
/// file but turns each NUL into a line end instead of stopping: matching
/// lines are reported up to the buffer that brought in the first NUL, and
/// the first match from there on ends the report.
fn named_read(data: &[u8], matcher: &Matcher, count_only: bool, found: &mut FileMatches) -> bool {
    let Some(nul) = memchr::memchr(0, data) else {
        return whole(data, matcher, count_only, found);
    };
    let converted: Vec<u8> = data
        .iter()
        .map(|&b| if b == 0 { b'\n' } else { b })
        .collect();
    if count_only {
        found.count = lines::count(matcher, &converted);
        return found.count > 0;
    }
    // The buffers before the NUL's hold no NUL, so they are the same
    // converted or not; `searched` is a line start in both.
    let searched = searched_before_nul(data, nul, None);
    lines::collect(matcher, &data[..searched], found);
    let matched_after_nul = matcher.next_line(&converted[searched..], 0).is_some();
    if found.count == 0 && !matched_after_nul {
        return false;
    }
    found.binary = Some(Binary::Matches { offset: nul as u64 });
    true
}
