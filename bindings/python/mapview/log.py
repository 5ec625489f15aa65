"""The event log (libmapview's mapview_log_*): one writer, many readers,
in any process; payloads are bytes."""

from __future__ import annotations

import ctypes
from ctypes import byref, c_bool, c_uint64
from dataclasses import dataclass
from typing import Iterable, Iterator

from . import _lib
from ._lib import ClosedError, call, lib

NOW = (1 << 64) - 1
NO_PREFAULT = 1
FLUSH_ASYNC = 1


@dataclass(frozen=True)
class Event:
    offset: int
    next_offset: int
    timestamp_ns: int
    payload: bytes


@dataclass(frozen=True)
class VerifyReport:
    good_events: int
    header_count: int
    write_offset: int
    synced_offset: int
    damaged_events: int
    first_damaged_offset: int

    @property
    def ok(self) -> bool:
        return self.damaged_events == 0


class LogWriter:
    """The one writer of a log (BusyError if another process has it)."""

    def __init__(self, handle: _lib.LogWriterH, path):
        self._handle = _lib.Handle(handle, lib.mapview_log_writer_close)
        self.path = path

    @classmethod
    def create(cls, path, capacity: int = 1 << 20, segment: int = 64 << 20, prefault: bool = True):
        o = lib.mapview_log_options_init()
        o.capacity, o.segment = capacity, segment
        o.flags = 0 if prefault else NO_PREFAULT
        h = _lib.LogWriterH()
        p = _lib.path_arg(path)
        call(lib.mapview_log_create, p, len(p), byref(o), byref(h))
        return cls(h, path)

    @classmethod
    def open(cls, path):
        h = _lib.LogWriterH()
        p = _lib.path_arg(path)
        call(lib.mapview_log_open_writer, p, len(p), byref(h))
        return cls(h, path)

    def _h(self):
        if self._handle.closed:
            raise ClosedError("LogWriter is closed", _lib.ERR_CLOSED)
        return self._handle.value

    def append(self, payload: bytes, timestamp_ns: int | None = None) -> int:
        """Appends one event; returns its offset."""
        data = bytes(payload)
        off = c_uint64()
        ts = NOW if timestamp_ns is None else timestamp_ns
        call(lib.mapview_log_append, self._h(), data, len(data), ts, byref(off))
        return off.value

    def append_batch(self, payloads: Iterable[bytes]) -> None:
        """Appends events all at once: readers see all or none."""
        items = [bytes(p) for p in payloads]
        arr = (_lib.Bytes * max(len(items), 1))()
        keep = []
        for i, p in enumerate(items):
            buf = ctypes.create_string_buffer(p, len(p))
            keep.append(buf)
            arr[i].data = ctypes.addressof(buf)
            arr[i].len = len(p)
        call(lib.mapview_log_append_batch, self._h(), arr, len(items))

    def sync(self, wait: bool = True) -> None:
        call(lib.mapview_log_sync, self._h(), 0 if wait else FLUSH_ASYNC)

    @property
    def count(self) -> int:
        n = c_uint64()
        call(lib.mapview_log_writer_count, self._h(), byref(n), None)
        return n.value

    @property
    def write_offset(self) -> int:
        w = c_uint64()
        call(lib.mapview_log_writer_count, self._h(), None, byref(w))
        return w.value

    def close(self) -> None:
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class LogReader:
    """A reader of a log; iterating gives every committed event (payloads copied)."""

    def __init__(self, path):
        h = _lib.LogReaderH()
        p = _lib.path_arg(path)
        call(lib.mapview_log_open_reader, p, len(p), byref(h))
        self._handle = _lib.Handle(h, lib.mapview_log_reader_close)
        self.path = path

    def _h(self):
        if self._handle.closed:
            raise ClosedError("LogReader is closed", _lib.ERR_CLOSED)
        return self._handle.value

    def read(self, offset: int = 0) -> Event | None:
        """The event at `offset` (0: the first), or None at the end."""
        e = _lib.LogEvent()
        has = c_bool()
        call(lib.mapview_log_read, self._h(), offset, byref(e), byref(has))
        if not has.value:
            return None
        payload = ctypes.string_at(e.payload, e.len) if e.len else b""
        return Event(e.offset, e.next_offset, e.timestamp_ns, payload)

    def __iter__(self) -> Iterator[Event]:
        off = 0
        while (e := self.read(off)) is not None:
            yield e
            off = e.next_offset

    def refresh(self) -> bool:
        """Picks up new events; whether there are any."""
        grew = c_bool()
        call(lib.mapview_log_reader_refresh, self._h(), byref(grew))
        return grew.value

    def wait(self, timeout_ms: int) -> bool:
        grew = c_bool()
        call(lib.mapview_log_reader_wait, self._h(), timeout_ms, byref(grew))
        return grew.value

    @property
    def count(self) -> int:
        n = c_uint64()
        call(lib.mapview_log_reader_count, self._h(), byref(n), None)
        return n.value

    def close(self) -> None:
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def verify(path) -> VerifyReport:
    """Checks every event of a log (CorruptError if it is not a log)."""
    r = _lib.LogReport()
    p = _lib.path_arg(path)
    call(lib.mapview_log_verify, p, len(p), byref(r))
    return VerifyReport(
        r.good_events, r.header_count, r.write_offset, r.synced_offset, r.damaged_events, r.first_damaged_offset
    )
