//! An append-only event log written through a map: a 128-byte header, then
//! events of timestamp, size, CRC-32 and payload, each 8-byte aligned.
//! docs/event-log-format.md describes every byte.
//!
//! - One [`LogWriter`] at a time (an exclusive lock; a second gets
//!   `ErrorKind::Busy`), any number of [`LogReader`]s, in any process, while
//!   it appends. An append is published by one Release store of the write
//!   offset, so readers never see half an event.
//! - After a crash (even `kill -9` in the middle of an append) reopening
//!   finds every event whose append returned; a torn event past the write
//!   offset is ignored. A damaged event is reported with its offset.
//!
//! ```
//! # fn main() -> mapview::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("events.log");
//! use mapview::log::{LogOptions, LogReader, LogWriter};
//! let mut log = LogWriter::create(&path, &LogOptions::new())?;
//! log.append(b"started")?;
//! log.append_batch([&b"a"[..], b"b"])?;
//! log.sync()?;
//!
//! let reader = LogReader::open(&path)?;
//! let payloads: Vec<&[u8]> = reader.events().map(|e| e.map(|e| e.payload)).collect::<Result<_, _>>()?;
//! assert_eq!(payloads, [&b"started"[..], b"a", b"b"]);
//! # Ok(()) }
//! ```

mod format;
mod reader;
mod writer;

pub use format::MAX_PAYLOAD;
pub use reader::{Damage, Event, Events, FIRST_EVENT, LogReader, VerifyReport};
pub use writer::{LogOptions, LogWriter};
