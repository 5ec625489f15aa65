//! Readers of an event log: any number, in any process, while the writer
//! appends. A reader sees events up to the write offset it last loaded and
//! never a half-written one; `refresh` picks up new events.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::format::{self, Framed, HEADER_SIZE, OFF_WRITE_OFFSET};
use crate::error::{Error, ErrorKind, Result};
use crate::map::Map;

/// Where the first event of every log starts (right after the header).
pub const FIRST_EVENT: u64 = HEADER_SIZE;

/// One event, borrowed from the reader's map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event<'a> {
    /// Where the event starts in the file (pass it to `events_from`).
    pub offset: u64,
    pub timestamp_ns: u64,
    pub payload: &'a [u8],
}

impl Event<'_> {
    /// Where the next event starts.
    pub fn next_offset(&self) -> u64 {
        self.offset + format::event_len(self.payload.len())
    }
}

/// A damaged event found by [`LogReader::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub offset: u64,
    pub reason: String,
}

/// What [`LogReader::verify`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Events whose checksum is right.
    pub good_events: u64,
    /// The event count the header claims.
    pub header_count: u64,
    /// End of the committed events (the write offset).
    pub write_offset: u64,
    /// End of the events covered by the last completed sync.
    pub synced_offset: u64,
    /// Every damaged event that could be framed, in file order.
    pub damaged: Vec<Damage>,
}

impl VerifyReport {
    pub fn is_ok(&self) -> bool {
        self.damaged.is_empty() && self.good_events == self.header_count
    }
}

/// The result of walking events from `start` to `end`.
pub(crate) struct Walk {
    /// End of the last good event before the first damage.
    pub(crate) good_end: u64,
    /// Good events before the first damage.
    pub(crate) count: u64,
    pub(crate) damage: Option<(u64, String)>,
}

/// Walks events, stopping at the first damaged one.
pub(crate) fn walk(bytes: &[u8], start: u64, end: u64) -> Walk {
    let mut at = start;
    let mut count = 0;
    while at < end {
        match format::frame(bytes, at, end) {
            Framed::Good { len, .. } => {
                at += len;
                count += 1;
            }
            Framed::Damaged { reason, .. } => {
                return Walk {
                    good_end: at,
                    count,
                    damage: Some((at, reason)),
                };
            }
        }
    }
    Walk {
        good_end: at,
        count,
        damage: None,
    }
}

/// A reader of an event log.
#[derive(Debug)]
pub struct LogReader {
    map: Map,
    path: PathBuf,
    end: u64,
    header_count: u64,
    synced: u64,
    created_ns: u64,
}

impl LogReader {
    pub fn open(path: impl AsRef<Path>) -> Result<LogReader> {
        let path = path.as_ref();
        let map = Map::open(path)?;
        let header = format::parse_header(&map, map.len() as u64)
            .map_err(|why| Error::new(ErrorKind::Corrupt, "open log", why).with_path(Some(path)))?;
        Ok(LogReader {
            map,
            path: path.to_path_buf(),
            end: header.write_offset,
            header_count: header.event_count,
            synced: header.synced_offset,
            created_ns: header.created_ns,
        })
    }

    /// Loads the write offset again, remapping if the file grew. Returns
    /// whether there are events this reader had not seen.
    pub fn refresh(&mut self) -> Result<bool> {
        let end = format::load_u64(&self.map, OFF_WRITE_OFFSET);
        if end == self.end {
            return Ok(false);
        }
        if end > self.map.len() as u64 || end < self.end {
            // The writer grew the file (or a new writer cut a torn tail):
            // map the file as it is now.
            let fresh = LogReader::open(&self.path)?;
            let grew = fresh.end != self.end;
            *self = fresh;
            return Ok(grew);
        }
        self.end = end;
        self.header_count = format::load_u64(&self.map, format::OFF_EVENT_COUNT);
        Ok(true)
    }

    /// Waits until the log has events this reader has not seen, polling
    /// every `poll`, for at most `timeout`. Returns whether it grew.
    pub fn wait_for_more(&mut self, poll: Duration, timeout: Duration) -> Result<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            if self.refresh()? {
                return Ok(true);
            }
            if Instant::now() >= deadline {
                return Ok(false);
            }
            std::thread::sleep(poll);
        }
    }

    /// Events from the first one.
    pub fn events(&self) -> Events<'_> {
        Events {
            reader: self,
            at: HEADER_SIZE,
            failed: false,
        }
    }

    /// Events from `offset`, which must be where an event starts (an
    /// offset `Event::offset` gave, or `write_offset()` to see only new ones).
    /// An offset outside the committed events or not 8-aligned is
    /// `InvalidArgument`; one where no intact event starts is `Corrupt`.
    pub fn events_from(&self, offset: u64) -> Result<Events<'_>> {
        if offset < HEADER_SIZE || offset > self.end || !offset.is_multiple_of(format::ALIGN) {
            return Err(
                Error::invalid("read log", "offset is not where an event starts")
                    .with_path(Some(&self.path))
                    .with_range(offset, 0),
            );
        }
        // An aligned offset inside the committed events either starts an
        // intact event or not; a reader cannot tell a damaged event from an
        // offset in the middle of one, so the error names both.
        if offset < self.end
            && let Framed::Damaged { reason, .. } = format::frame(&self.map, offset, self.end)
        {
            return Err(Error::new(
                ErrorKind::Corrupt,
                "read log",
                format!(
                    "no intact event here ({reason}): the event is damaged, or the offset is not where one starts"
                ),
            )
            .with_path(Some(&self.path))
            .with_range(offset, 0));
        }
        Ok(Events {
            reader: self,
            at: offset,
            failed: false,
        })
    }

    /// The event that starts at `offset`, or `None` at the write offset.
    /// `offset` must be where an event starts, as for `events_from`.
    pub fn event_at(&self, offset: u64) -> Result<Option<Event<'_>>> {
        self.events_from(offset)?.next().transpose()
    }

    /// The event count the header holds (as of the last refresh).
    pub fn count(&self) -> u64 {
        self.header_count
    }

    /// End of the committed events as of the last refresh.
    pub fn write_offset(&self) -> u64 {
        self.end
    }

    pub fn created_ns(&self) -> u64 {
        self.created_ns
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Checks every event's checksum. A damaged event whose size field
    /// still frames it is reported and checking goes on after it; one that
    /// cannot be framed ends the walk.
    pub fn verify(&self) -> VerifyReport {
        self.verify_with_progress(|_| {})
    }

    /// `verify`, calling `progress` with the offset reached every few MiB
    /// (for progress bars on big logs).
    pub fn verify_with_progress(&self, mut progress: impl FnMut(u64)) -> VerifyReport {
        const EVERY: u64 = 8 << 20;
        let mut next_report = EVERY;
        let mut report = VerifyReport {
            good_events: 0,
            header_count: self.header_count,
            write_offset: self.end,
            synced_offset: self.synced,
            damaged: Vec::new(),
        };
        let mut at = HEADER_SIZE;
        while at < self.end {
            if at >= next_report {
                progress(at);
                next_report = at + EVERY;
            }
            match format::frame(&self.map, at, self.end) {
                Framed::Good { len, .. } => {
                    report.good_events += 1;
                    at += len;
                }
                Framed::Damaged { reason, next } => {
                    report.damaged.push(Damage { offset: at, reason });
                    match next {
                        Some(n) if n > at => at = n,
                        _ => break,
                    }
                }
            }
        }
        report
    }
}

/// Iterator over a reader's events. At a damaged event it yields a
/// `Corrupt` error naming the offset, and then ends: what follows cannot
/// be trusted to be framed right (`verify` looks further).
#[derive(Debug)]
pub struct Events<'a> {
    reader: &'a LogReader,
    at: u64,
    failed: bool,
}

impl<'a> Iterator for Events<'a> {
    type Item = Result<Event<'a>>;

    fn next(&mut self) -> Option<Result<Event<'a>>> {
        if self.failed || self.at >= self.reader.end {
            return None;
        }
        let offset = self.at;
        match format::frame(&self.reader.map, offset, self.reader.end) {
            Framed::Good {
                timestamp,
                payload,
                len,
            } => {
                self.at += len;
                Some(Ok(Event {
                    offset,
                    timestamp_ns: timestamp,
                    payload,
                }))
            }
            Framed::Damaged { reason, .. } => {
                self.failed = true;
                Some(Err(Error::new(
                    ErrorKind::Corrupt,
                    "read log",
                    format!("damaged event: {reason}"),
                )
                .with_path(Some(&self.reader.path))
                .with_range(offset, self.reader.end - offset)))
            }
        }
    }
}
