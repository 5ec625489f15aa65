//! The event log's bytes, as docs/event-log-format.md describes them. All
//! integers are little-endian. Everything that reads or writes the layout
//! goes through this file.

use std::sync::atomic::{AtomicU64, Ordering};

pub(crate) const MAGIC: [u8; 8] = *b"MVEVLOG\0";
pub(crate) const VERSION: u32 = 1;
/// Events start here; the header fills the first 128 bytes.
pub(crate) const HEADER_SIZE: u64 = 128;
pub(crate) const OFF_MAGIC: usize = 0;
pub(crate) const OFF_VERSION: usize = 8;
pub(crate) const OFF_HEADER_SIZE: usize = 12;
pub(crate) const OFF_WRITE_OFFSET: usize = 16;
pub(crate) const OFF_EVENT_COUNT: usize = 24;
pub(crate) const OFF_CREATED: usize = 32;
/// End of the events covered by the last completed sync: damage past it
/// after a power loss is a torn tail, damage before it is corruption.
pub(crate) const OFF_SYNCED: usize = 40;

/// Each event: timestamp (u64), payload size (u32), CRC-32 (u32), payload,
/// zero padding to a multiple of 8 bytes.
pub(crate) const EVENT_HEADER: u64 = 16;
pub(crate) const ALIGN: u64 = 8;
/// The largest payload one event may carry.
pub const MAX_PAYLOAD: usize = (u32::MAX as usize) - 64;

/// Bytes an event of `payload` bytes takes in the file.
pub(crate) fn event_len(payload: usize) -> u64 {
    EVENT_HEADER + (payload as u64).div_ceil(ALIGN) * ALIGN
}

/// CRC-32 (IEEE 802.3, as zlib's crc32) over the timestamp and size fields
/// as stored, then the payload.
pub(crate) fn event_crc(timestamp: u64, size: u32, payload: &[u8]) -> u32 {
    let mut h = crc32fast::Hasher::new();
    h.update(&event_head(timestamp, size, 0)[..12]);
    h.update(payload);
    h.finalize()
}

/// An event's 16 header bytes: timestamp, size, CRC.
pub(crate) fn event_head(timestamp: u64, size: u32, crc: u32) -> [u8; EVENT_HEADER as usize] {
    let mut head = [0u8; EVENT_HEADER as usize];
    head[0..8].copy_from_slice(&timestamp.to_le_bytes());
    head[8..12].copy_from_slice(&size.to_le_bytes());
    head[12..16].copy_from_slice(&crc.to_le_bytes());
    head
}

/// A fresh header for a log created at `created_ns`.
pub(crate) fn new_header(created_ns: u64) -> [u8; HEADER_SIZE as usize] {
    let mut h = [0u8; HEADER_SIZE as usize];
    h[OFF_MAGIC..OFF_MAGIC + 8].copy_from_slice(&MAGIC);
    h[OFF_VERSION..OFF_VERSION + 4].copy_from_slice(&VERSION.to_le_bytes());
    h[OFF_HEADER_SIZE..OFF_HEADER_SIZE + 4].copy_from_slice(&(HEADER_SIZE as u32).to_le_bytes());
    h[OFF_WRITE_OFFSET..OFF_WRITE_OFFSET + 8].copy_from_slice(&HEADER_SIZE.to_le_bytes());
    h[OFF_CREATED..OFF_CREATED + 8].copy_from_slice(&created_ns.to_le_bytes());
    h[OFF_SYNCED..OFF_SYNCED + 8].copy_from_slice(&HEADER_SIZE.to_le_bytes());
    h
}

/// The fields of a header, checked against the file it is in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Header {
    pub(crate) write_offset: u64,
    pub(crate) event_count: u64,
    pub(crate) created_ns: u64,
    pub(crate) synced_offset: u64,
}

/// Why a header is not a valid log header.
pub(crate) fn parse_header(bytes: &[u8], file_len: u64) -> Result<Header, String> {
    if bytes.len() < HEADER_SIZE as usize || file_len < HEADER_SIZE {
        return Err(format!(
            "file is {file_len} bytes, shorter than the {HEADER_SIZE}-byte log header"
        ));
    }
    if bytes[OFF_MAGIC..OFF_MAGIC + 8] != MAGIC {
        return Err("not a mapview event log (bad magic)".to_string());
    }
    let version = u32_at(bytes, OFF_VERSION);
    if version != VERSION {
        return Err(format!(
            "log format version {version} is not supported (this library reads {VERSION})"
        ));
    }
    let header_size = u32_at(bytes, OFF_HEADER_SIZE);
    if u64::from(header_size) != HEADER_SIZE {
        return Err(format!("header size {header_size} is not {HEADER_SIZE}"));
    }
    let write_offset = load_u64(bytes, OFF_WRITE_OFFSET);
    if write_offset < HEADER_SIZE || write_offset > file_len || !write_offset.is_multiple_of(ALIGN)
    {
        return Err(format!(
            "write offset {write_offset} does not fit a {file_len}-byte file"
        ));
    }
    Ok(Header {
        write_offset,
        event_count: load_u64(bytes, OFF_EVENT_COUNT),
        created_ns: u64::from_le_bytes(
            bytes[OFF_CREATED..OFF_CREATED + 8]
                .try_into()
                .expect("8 bytes"),
        ),
        synced_offset: load_u64(bytes, OFF_SYNCED).clamp(HEADER_SIZE, write_offset),
    })
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// The commit point: readers in any process load the write offset with
/// Acquire; the writer stores it with Release after the event's bytes.
/// `bytes` is the start of a live map, 8-aligned (page-aligned in fact).
pub(crate) fn load_u64(bytes: &[u8], at: usize) -> u64 {
    assert!(at + 8 <= bytes.len() && (bytes.as_ptr() as usize + at).is_multiple_of(8));
    // SAFETY: in bounds and 8-aligned (asserted); the word is shared with
    // a writer that only ever stores to it atomically, and an AtomicU64 has
    // the layout of a u64. Little-endian targets only (see lib.rs).
    let word = unsafe { &*(bytes.as_ptr().add(at) as *const AtomicU64) };
    u64::from_le(word.load(Ordering::Acquire))
}

pub(crate) fn store_u64(bytes: &mut [u8], at: usize, value: u64) {
    assert!(at + 8 <= bytes.len() && (bytes.as_ptr() as usize + at).is_multiple_of(8));
    // SAFETY: as in load_u64; we hold the only mutable view in this process.
    let word = unsafe { &*(bytes.as_mut_ptr().add(at) as *const AtomicU64) };
    word.store(value.to_le(), Ordering::Release);
}

/// What is wrong with the event at `offset`, if anything, and its length.
pub(crate) enum Framed<'a> {
    Good {
        timestamp: u64,
        payload: &'a [u8],
        len: u64,
    },
    /// Damaged; `next` is where the following event would start if the
    /// size field can be believed.
    Damaged { reason: String, next: Option<u64> },
}

/// Reads the event at `offset` of `bytes`, which holds committed events up
/// to `end`.
pub(crate) fn frame(bytes: &[u8], offset: u64, end: u64) -> Framed<'_> {
    if offset + EVENT_HEADER > end {
        return Framed::Damaged {
            reason: format!(
                "{} bytes left before the write offset, less than an event header",
                end - offset
            ),
            next: None,
        };
    }
    let at = offset as usize;
    let timestamp = u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let size = u32_at(bytes, at + 8);
    let stored_crc = u32_at(bytes, at + 12);
    let len = event_len(size as usize);
    if offset + len > end {
        return Framed::Damaged {
            reason: format!("size {size} runs past the write offset {end}"),
            next: None,
        };
    }
    let payload = &bytes[at + EVENT_HEADER as usize..at + EVENT_HEADER as usize + size as usize];
    let crc = event_crc(timestamp, size, payload);
    if crc != stored_crc {
        return Framed::Damaged {
            reason: format!("checksum mismatch (stored {stored_crc:#010x}, computed {crc:#010x})"),
            next: Some(offset + len),
        };
    }
    let padding = &bytes[at + EVENT_HEADER as usize + size as usize..at + len as usize];
    if padding.iter().any(|&b| b != 0) {
        return Framed::Damaged {
            reason: "non-zero padding after the payload".to_string(),
            next: Some(offset + len),
        };
    }
    Framed::Good {
        timestamp,
        payload,
        len,
    }
}
