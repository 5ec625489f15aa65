//! The one writer of an event log: appends through a shared map, publishes
//! each append with one Release store of the write offset, and grows the
//! file by pre-faulted segments so appends do not page-fault.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::format::{
    self, EVENT_HEADER, HEADER_SIZE, MAX_PAYLOAD, OFF_EVENT_COUNT, OFF_SYNCED, OFF_WRITE_OFFSET,
};
use super::reader::{Walk, walk};
use crate::error::{Error, ErrorKind, Result};
use crate::map_mut::MapMut;
use crate::options::MapOptions;
use crate::region;

/// How a new log is laid out.
#[derive(Debug, Clone)]
pub struct LogOptions {
    capacity: u64,
    segment: u64,
    prefault: bool,
}

impl Default for LogOptions {
    fn default() -> LogOptions {
        LogOptions {
            capacity: 1 << 20,
            segment: 64 << 20,
            prefault: true,
        }
    }
}

impl LogOptions {
    pub fn new() -> LogOptions {
        LogOptions::default()
    }

    /// Bytes to preallocate when the log is created (default 1 MiB). A log
    /// expected to hold N bytes of events appends fastest when created with
    /// that capacity: no growth happens while appending.
    pub fn capacity(&mut self, bytes: u64) -> &mut Self {
        self.capacity = bytes;
        self
    }

    /// The most the file grows by at once when an append does not fit
    /// (default 64 MiB). Growth doubles the file up to this step, so small
    /// logs stay small; an event bigger than the step grows it by what it
    /// needs.
    pub fn segment(&mut self, bytes: u64) -> &mut Self {
        self.segment = bytes;
        self
    }

    /// Fault preallocated and grown space in up front (default on), so
    /// that appends copy into memory that is already there.
    pub fn prefault(&mut self, yes: bool) -> &mut Self {
        self.prefault = yes;
        self
    }
}

/// The writer of an event log. Only one exists per log at a time, across
/// processes (an exclusive `flock`); readers need no lock.
#[derive(Debug)]
pub struct LogWriter {
    map: MapMut,
    /// Holds the writer lock for as long as the writer lives.
    _lock: File,
    path: PathBuf,
    write_offset: u64,
    count: u64,
    segment: u64,
    prefault: bool,
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn lock_writer(path: &Path) -> Result<File> {
    let file = File::open(path).map_err(|e| Error::io("lock", e).with_path(Some(path)))?;
    // SAFETY: flock on a descriptor we own; it only takes an advisory lock.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() == Some(libc::EWOULDBLOCK) {
            return Err(Error::new(
                ErrorKind::Busy,
                "open log",
                "another writer has this log open",
            )
            .with_path(Some(path)));
        }
        return Err(Error::io("lock", e).with_path(Some(path)));
    }
    Ok(file)
}

impl LogWriter {
    /// Creates a new log file (never overwrites one).
    pub fn create(path: impl AsRef<Path>, options: &LogOptions) -> Result<LogWriter> {
        let path = path.as_ref();
        if options.segment == 0 {
            return Err(Error::invalid("create log", "segment size is zero").with_path(Some(path)));
        }
        let capacity = options.capacity.max(HEADER_SIZE);
        let mut map = MapOptions::new().create(path, capacity)?;
        let lock = match lock_writer(path) {
            Ok(l) => l,
            Err(e) => {
                drop(map);
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        };
        map[..HEADER_SIZE as usize].copy_from_slice(&format::new_header(now_ns()));
        let mut w = LogWriter {
            map,
            _lock: lock,
            path: path.to_path_buf(),
            write_offset: HEADER_SIZE,
            count: 0,
            segment: options.segment,
            prefault: options.prefault,
        };
        w.prefault_from(0)?;
        Ok(w)
    }

    /// Opens an existing log for appending. Every committed event is
    /// checked first: a damaged one is reported (`Corrupt`, with its
    /// offset) rather than appended after. Damage past the last completed
    /// sync is a torn tail left by a crash and is cut off.
    pub fn open(path: impl AsRef<Path>) -> Result<LogWriter> {
        let path = path.as_ref();
        let lock = lock_writer(path)?;
        let mut map = MapMut::open(path)?;
        let header = format::parse_header(&map, map.len() as u64)
            .map_err(|why| Error::new(ErrorKind::Corrupt, "open log", why).with_path(Some(path)))?;
        let Walk {
            good_end,
            count,
            damage,
        } = walk(&map, HEADER_SIZE, header.write_offset);
        if let Some((offset, reason)) = damage
            && offset < header.synced_offset
        {
            return Err(Error::new(
                ErrorKind::Corrupt,
                "open log",
                format!("damaged event: {reason}"),
            )
            .with_path(Some(path))
            .with_range(offset, header.write_offset - offset));
        }
        // Commit what survived: the write offset goes back to the last good event.
        format::store_u64(&mut map, OFF_EVENT_COUNT, count);
        format::store_u64(&mut map, OFF_WRITE_OFFSET, good_end);
        let mut w = LogWriter {
            map,
            _lock: lock,
            path: path.to_path_buf(),
            write_offset: good_end,
            count,
            segment: LogOptions::default().segment,
            prefault: true,
        };
        w.prefault_from(good_end as usize)?;
        Ok(w)
    }

    fn prefault_from(&mut self, from: usize) -> Result<()> {
        if !self.prefault || from >= self.map.len() {
            return Ok(());
        }
        let ptr = self.map[from..].as_ptr();
        region::populate(ptr, self.map.len() - from, true)
            .map(drop)
            .map_err(|e| Error::io("prefault log", e).with_path(Some(&self.path)))
    }

    /// Makes room for `len` more bytes, growing the file by at least one
    /// segment. Readers keep their own maps and are not held up.
    fn ensure(&mut self, len: u64) -> Result<()> {
        let needed = self.write_offset.checked_add(len).ok_or_else(|| {
            Error::invalid("append", "log would exceed 2^64 bytes").with_path(Some(&self.path))
        })?;
        let have = self.map.len() as u64;
        if needed <= have {
            return Ok(());
        }
        let step = have.clamp(HEADER_SIZE, self.segment);
        let new_len = needed.max(have.saturating_add(step));
        let new_len = usize::try_from(new_len).map_err(|_| {
            Error::invalid("append", "log exceeds the address space").with_path(Some(&self.path))
        })?;
        self.map.resize(new_len)?;
        self.prefault_from(have as usize)
    }

    /// Appends one event stamped with the current time; returns its offset.
    pub fn append(&mut self, payload: &[u8]) -> Result<u64> {
        self.append_at(now_ns(), payload)
    }

    /// Appends one event with a timestamp of the caller's (ns since the
    /// Unix epoch, or any clock the caller chooses).
    pub fn append_at(&mut self, timestamp_ns: u64, payload: &[u8]) -> Result<u64> {
        let offset = self.write_event(timestamp_ns, payload)?;
        self.publish();
        Ok(offset)
    }

    /// Appends several events, all stamped now, and publishes them at once:
    /// readers see all of them or none.
    pub fn append_batch<'a>(
        &mut self,
        payloads: impl IntoIterator<Item = &'a [u8]>,
    ) -> Result<usize> {
        let ts = now_ns();
        let start = (self.write_offset, self.count);
        let mut n = 0;
        for p in payloads {
            if let Err(e) = self.write_event(ts, p) {
                // Nothing of the batch was published: forget it whole.
                (self.write_offset, self.count) = start;
                return Err(e);
            }
            n += 1;
        }
        self.publish();
        Ok(n)
    }

    /// Writes an event past the write offset, not yet visible to readers.
    fn write_event(&mut self, timestamp_ns: u64, payload: &[u8]) -> Result<u64> {
        if payload.len() > MAX_PAYLOAD {
            return Err(Error::invalid(
                "append",
                format!("payload of {} bytes exceeds {MAX_PAYLOAD}", payload.len()),
            )
            .with_path(Some(&self.path)));
        }
        let len = format::event_len(payload.len());
        self.ensure(len)?;
        let at = self.write_offset as usize;
        let size = payload.len() as u32;
        let crc = format::event_crc(timestamp_ns, size, payload);
        let event = &mut self.map[at..at + len as usize];
        let body = EVENT_HEADER as usize;
        event[..body].copy_from_slice(&format::event_head(timestamp_ns, size, crc));
        event[body..body + payload.len()].copy_from_slice(payload);
        // Padding may hold bytes of an event torn by a crash: zero it.
        event[body + payload.len()..].fill(0);
        self.write_offset += len;
        self.count += 1;
        Ok(at as u64)
    }

    /// The commit: count first, then the write offset with Release order.
    fn publish(&mut self) {
        format::store_u64(&mut self.map, OFF_EVENT_COUNT, self.count);
        format::store_u64(&mut self.map, OFF_WRITE_OFFSET, self.write_offset);
    }

    /// Writes the events appended so far to disk and waits; then records
    /// them as synced in the header. After a power loss, every event
    /// appended before the last completed sync is recovered.
    pub fn sync(&mut self) -> Result<()> {
        let end = self.write_offset as usize;
        self.map.flush_range(0, end)?;
        format::store_u64(&mut self.map, OFF_SYNCED, self.write_offset);
        self.map.flush_range(0, HEADER_SIZE as usize)
    }

    /// Starts writing the events appended so far to disk without waiting.
    pub fn sync_async(&self) -> Result<()> {
        self.map.flush_async_range(0, self.write_offset as usize)
    }

    /// Events in the log.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Where the next event will go; the end of the committed events.
    pub fn write_offset(&self) -> u64 {
        self.write_offset
    }

    /// Bytes the file has room for before it must grow.
    pub fn capacity(&self) -> u64 {
        self.map.len() as u64
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
