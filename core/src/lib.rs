//! mapview: memory-mapped files with safe defaults and errors that say what
//! went wrong.
//!
//! - [`Map`]: a read-only map of a file or of any byte range of one (the
//!   view starts exactly at the byte asked for; page alignment is handled
//!   inside). It hands out `&[u8]` only, so writing through it does not
//!   compile.
//! - [`MapMut`]: shared read-write file maps (writes reach the file; flush
//!   whole or a range, synchronously or not), private copy-on-write maps,
//!   anonymous maps (private, or shared with children), creating files, and
//!   resizing a map together with its file.
//! - [`MapOptions`]: range, populate, lock, huge pages, advice.
//! - [`Records`]: a map as a slice of plain-old-data records, with binary
//!   search; [`RecordView`] does the same for layouts known at run time.
//! - [`Windows`]: a file processed one (optionally overlapping) window at a time.
//!
//! Every error is an [`Error`] whose [`ErrorKind`] a caller can match, and
//! whose message names the operation, the path and the byte range.
//!
//! # Mapped files and other processes
//!
//! A map shows the file as it is in the page cache. If another process
//! writes the file, the map sees the new bytes; if another process
//! truncates it, touching a page past the new end raises SIGBUS. No mapping
//! library can prevent either. mapview maps only regular files, checks
//! every range against the file's length when mapping, and offers
//! [`Map::populate`] to fault pages in with errors reported (Linux 5.14+)
//! instead of signals. Share files you map only with cooperating processes,
//! or use shared memory sealed against shrinking.
//!
//! # Empty files
//!
//! A zero-length file (or range) maps to an empty view without error; no
//! system mapping is made, since mmap cannot map zero bytes.

pub mod array;
mod cache;
mod error;
mod file;
pub mod log;
mod map;
mod map_mut;
mod options;
mod records;
mod region;
pub mod search;
mod shm;
mod windows;

pub use cache::{CacheStats, MapCache};
pub use error::{ByteRange, Error, ErrorKind, InvalidReason, Result};
pub use map::{Map, Mapping};
pub use map_mut::{MapKind, MapMut};
pub use options::{HugePages, MapOptions};
pub use records::{KeyKind, RecordLayout, RecordView, Records};
pub use region::{Advice, PopulateMethod};
pub use shm::{
    MAX_NAME_LEN, SHM_DIR, Seals, SharedMemory, ShmKind, validate_name as validate_shm_name,
};
pub use windows::{Window, Windows};

/// The size of a page on this system, in bytes.
pub fn page_size() -> usize {
    region::page_size()
}
