//! The event log through the C ABI: one writer handle, any number of
//! reader handles, verify.

use std::ffi::{c_char, c_void};
use std::sync::{Mutex, RwLock};
use std::time::Duration;

use mapview::log::{LogOptions, LogReader, LogWriter};

use crate::args::{self, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;
use crate::map::MAPVIEW_FLUSH_ASYNC;

/// The writer of an event log (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_log_writer {
    pub id: u64,
}

/// A reader of an event log (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_log_reader {
    pub id: u64,
}

/// mapview_log_options.flags: do not pre-fault preallocated space.
pub const MAPVIEW_LOG_NO_PREFAULT: u32 = 1;

/// Pass as the timestamp to stamp an event with the current time.
pub const MAPVIEW_LOG_NOW: u64 = u64::MAX;

/// How a new log is laid out. Initialise with mapview_log_options_init().
/// May grow in later versions (struct_size).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_log_options {
    /// sizeof(mapview_log_options) as the caller was compiled; set by init.
    pub struct_size: u32,
    /// MAPVIEW_LOG_NO_PREFAULT; other bits are refused.
    pub flags: u32,
    /// Bytes to preallocate (default 1 MiB). A log created with room for
    /// what it will hold appends fastest.
    pub capacity: u64,
    /// The most the file grows by at once (default 64 MiB).
    pub segment: u64,
}

const LOG_OPTIONS_V1_SIZE: usize = std::mem::size_of::<mapview_log_options>();

/// A byte buffer: `len` bytes at `data` (NULL allowed when len is 0).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_bytes {
    pub data: *const u8,
    pub len: usize,
}

/// One event, borrowed from a reader.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_log_event {
    /// Where the event starts in the file.
    pub offset: u64,
    /// Where the next event starts (pass it to mapview_log_read).
    pub next_offset: u64,
    pub timestamp_ns: u64,
    /// The payload; valid until mapview_log_reader_refresh, _wait or _close
    /// on this reader.
    pub payload: *const u8,
    pub len: usize,
}

/// What mapview_log_verify found.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_log_report {
    /// Events whose checksum is right.
    pub good_events: u64,
    /// The event count the header claims.
    pub header_count: u64,
    /// End of the committed events.
    pub write_offset: u64,
    /// End of the events covered by the writer's last completed sync.
    pub synced_offset: u64,
    /// Damaged events found (0 for a sound log).
    pub damaged_events: u64,
    /// Offset of the first damaged event (0 when there is none).
    pub first_damaged_offset: u64,
}

static WRITERS: Registry<Mutex<LogWriter>> = Registry::new(3, "log writer");
static READERS: Registry<RwLock<LogReader>> = Registry::new(4, "log reader");

/// Default log options.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_options_init() -> mapview_log_options {
    mapview_log_options {
        struct_size: LOG_OPTIONS_V1_SIZE as u32,
        flags: 0,
        capacity: 1 << 20,
        segment: 64 << 20,
    }
}

/// # Safety
/// `opts` is NULL or points to a readable struct of at least its struct_size.
unsafe fn parse_log_options(opts: *const mapview_log_options) -> Result<LogOptions, Failure> {
    // SAFETY: forwarded contract.
    let o = unsafe {
        args::versioned(
            opts,
            mapview_log_options_init(),
            LOG_OPTIONS_V1_SIZE,
            "mapview_log_options",
        )
    }?;
    args::known_flags(o.flags, MAPVIEW_LOG_NO_PREFAULT, "log")?;
    let mut options = LogOptions::new();
    options
        .capacity(o.capacity)
        .segment(o.segment)
        .prefault(o.flags & MAPVIEW_LOG_NO_PREFAULT == 0);
    Ok(options)
}

/// Creates a new event log (never overwrites a file) and opens it for
/// writing. options: NULL for defaults.
///
/// Ownership: the caller closes the writer with mapview_log_writer_close,
/// which releases the writer lock. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_create(
    path: *const c_char,
    path_len: usize,
    options: *const mapview_log_options,
    out_writer: *mut mapview_log_writer,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_writer = unsafe { out(out_writer, "out_writer") }?;
        out_writer.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let options = unsafe { parse_log_options(options) }?;
        out_writer.id = WRITERS.insert(Mutex::new(LogWriter::create(path, &options)?));
        Ok(())
    })
}

/// Opens an existing log for appending, after checking its events:
/// MAPVIEW_ERR_BUSY if another writer (in any process) has it open,
/// MAPVIEW_ERR_CORRUPT (with the offset) if a synced event is damaged. A
/// torn tail left by a crash is cut off.
///
/// Ownership and thread-safety: as mapview_log_create.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_open_writer(
    path: *const c_char,
    path_len: usize,
    out_writer: *mut mapview_log_writer,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_writer = unsafe { out(out_writer, "out_writer") }?;
        out_writer.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        out_writer.id = WRITERS.insert(Mutex::new(LogWriter::open(path)?));
        Ok(())
    })
}

/// Appends one event of `len` bytes (`payload` may be NULL only when len
/// is 0), stamped with `timestamp_ns`, or the current time for
/// MAPVIEW_LOG_NOW. out_offset (may be NULL) receives where it starts.
/// Readers see the event once this returns.
///
/// Ownership: the payload is copied. Thread-safety: any thread; appends on
/// one writer are serialised.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_append(
    writer: mapview_log_writer,
    payload: *const c_void,
    len: usize,
    timestamp_ns: u64,
    out_offset: *mut u64,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let payload = unsafe { args::bytes(payload.cast(), len, "payload") }?;
        let entry = WRITERS.get(writer.id)?;
        let mut w = entry.lock().unwrap_or_else(|e| e.into_inner());
        let offset = if timestamp_ns == MAPVIEW_LOG_NOW {
            w.append(payload)?
        } else {
            w.append_at(timestamp_ns, payload)?
        };
        // SAFETY: out_offset is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_offset.as_mut() } {
            *slot = offset;
        }
        Ok(())
    })
}

/// Appends `count` events (payloads[i].data may be NULL when .len is 0),
/// all stamped now, and commits them at once: readers see all or none. On
/// failure none of them is in the log.
///
/// Ownership: the payloads are copied. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_append_batch(
    writer: mapview_log_writer,
    payloads: *const mapview_bytes,
    count: usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: payloads points to `count` readable mapview_bytes (documented).
        let items = unsafe { args::slice(payloads, count, "payloads") }?;
        let mut slices = Vec::with_capacity(items.len());
        for (i, b) in items.iter().enumerate() {
            // SAFETY: each item describes `len` readable bytes (documented).
            slices.push(unsafe { args::bytes(b.data, b.len, &format!("payloads[{i}].data")) }?);
        }
        let entry = WRITERS.get(writer.id)?;
        let mut w = entry.lock().unwrap_or_else(|e| e.into_inner());
        w.append_batch(slices)?;
        Ok(())
    })
}

/// Writes the appended events to disk: waits (flags 0) or only starts the
/// write-back (MAPVIEW_FLUSH_ASYNC). After a completed synchronous sync,
/// the events survive a power loss.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_sync(
    writer: mapview_log_writer,
    flags: u32,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        args::known_flags(flags, MAPVIEW_FLUSH_ASYNC, "sync")?;
        let entry = WRITERS.get(writer.id)?;
        let mut w = entry.lock().unwrap_or_else(|e| e.into_inner());
        if flags & MAPVIEW_FLUSH_ASYNC != 0 {
            w.sync_async()?
        } else {
            w.sync()?
        }
        Ok(())
    })
}

/// The number of events in the log and the end of the last one.
/// Either out-parameter may be NULL.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_writer_count(
    writer: mapview_log_writer,
    out_count: *mut u64,
    out_write_offset: *mut u64,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let entry = WRITERS.get(writer.id)?;
        let w = entry.lock().unwrap_or_else(|e| e.into_inner());
        // SAFETY (both): NULL or writable (documented above).
        if let Some(slot) = unsafe { out_count.as_mut() } {
            *slot = w.count();
        }
        if let Some(slot) = unsafe { out_write_offset.as_mut() } {
            *slot = w.write_offset();
        }
        Ok(())
    })
}

/// Closes the writer and releases the writer lock. Events already appended
/// stay in the page cache and reach the disk with the kernel's write-back;
/// call mapview_log_sync first to wait for that. MAPVIEW_ERR_CLOSED if
/// already closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_writer_close(writer: mapview_log_writer) -> mapview_status {
    guard_status(|| WRITERS.remove(writer.id).map(drop))
}

/// Opens a log for reading. Readers need no lock and see appends as the
/// writer commits them (after mapview_log_reader_refresh).
///
/// Ownership: the caller closes it with mapview_log_reader_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_open_reader(
    path: *const c_char,
    path_len: usize,
    out_reader: *mut mapview_log_reader,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_reader = unsafe { out(out_reader, "out_reader") }?;
        out_reader.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        out_reader.id = READERS.insert(RwLock::new(LogReader::open(path)?));
        Ok(())
    })
}

/// The event starting at `offset`: 0 means the first event, otherwise an
/// offset a previous event's next_offset (or offset) gave. *out_has_event
/// is false at the end of the committed events. An offset past the end or
/// not a multiple of 8 gives MAPVIEW_ERR_INVALID_ARGUMENT; an offset where
/// no intact event starts (a damaged event, or the middle of one) gives
/// MAPVIEW_ERR_CORRUPT with the offset.
///
/// Validity: the payload pointer lives until mapview_log_reader_refresh,
/// _wait or _close on this reader. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_read(
    reader: mapview_log_reader,
    offset: u64,
    out_event: *mut mapview_log_event,
    out_has_event: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_event = unsafe { out(out_event, "out_event") }?;
        let out_has_event = unsafe { out(out_has_event, "out_has_event") }?;
        *out_has_event = false;
        *out_event = mapview_log_event {
            offset: 0,
            next_offset: 0,
            timestamp_ns: 0,
            payload: std::ptr::null(),
            len: 0,
        };
        let entry = READERS.get(reader.id)?;
        let r = entry.read().unwrap_or_else(|e| e.into_inner());
        let at = if offset == 0 {
            mapview::log::FIRST_EVENT
        } else {
            offset
        };
        if let Some(e) = r.event_at(at)? {
            *out_event = mapview_log_event {
                offset: e.offset,
                next_offset: e.next_offset(),
                timestamp_ns: e.timestamp_ns,
                payload: e.payload.as_ptr(),
                len: e.payload.len(),
            };
            *out_has_event = true;
        }
        Ok(())
    })
}

/// Picks up events committed since the reader opened or last refreshed
/// (remapping if the file grew). *out_grew (may be NULL) tells whether
/// there are new events. Invalidates payload pointers from this reader.
///
/// Thread-safety: any thread; waits for reads on the same reader.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_reader_refresh(
    reader: mapview_log_reader,
    out_grew: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    mapview_log_reader_wait(reader, 0, out_grew, err)
}

/// Like mapview_log_reader_refresh, but waits up to `timeout_ms` for new
/// events (polling every 2 ms), to follow the tail of a log.
///
/// Thread-safety: any thread; holds up other calls on the same reader
/// while it waits.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_reader_wait(
    reader: mapview_log_reader,
    timeout_ms: u32,
    out_grew: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let entry = READERS.get(reader.id)?;
        let mut r = entry.write().unwrap_or_else(|e| e.into_inner());
        let grew = r.wait_for_more(
            Duration::from_millis(2),
            Duration::from_millis(u64::from(timeout_ms)),
        )?;
        // SAFETY: out_grew is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_grew.as_mut() } {
            *slot = grew;
        }
        Ok(())
    })
}

/// The event count in the header and the end of the committed events, as
/// of the last refresh. Either out-parameter may be NULL.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_reader_count(
    reader: mapview_log_reader,
    out_count: *mut u64,
    out_write_offset: *mut u64,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let entry = READERS.get(reader.id)?;
        let r = entry.read().unwrap_or_else(|e| e.into_inner());
        // SAFETY (both): NULL or writable (documented above).
        if let Some(slot) = unsafe { out_count.as_mut() } {
            *slot = r.count();
        }
        if let Some(slot) = unsafe { out_write_offset.as_mut() } {
            *slot = r.write_offset();
        }
        Ok(())
    })
}

/// Closes a reader. MAPVIEW_ERR_CLOSED if already closed.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_reader_close(reader: mapview_log_reader) -> mapview_status {
    guard_status(|| READERS.remove(reader.id).map(drop))
}

/// Checks every event of the log at `path`. A damaged log is not an error:
/// the report says what is damaged (and the call returns MAPVIEW_OK); a
/// file that is not a log at all gives MAPVIEW_ERR_CORRUPT.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_log_verify(
    path: *const c_char,
    path_len: usize,
    out_report: *mut mapview_log_report,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_report = unsafe { out(out_report, "out_report") }?;
        let path = unsafe { args::path(path, path_len) }?;
        let report = LogReader::open(path)?.verify();
        *out_report = mapview_log_report {
            good_events: report.good_events,
            header_count: report.header_count,
            write_offset: report.write_offset,
            synced_offset: report.synced_offset,
            damaged_events: report.damaged.len() as u64,
            first_damaged_offset: report.damaged.first().map_or(0, |d| d.offset),
        };
        Ok(())
    })
}
