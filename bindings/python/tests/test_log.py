"""The event log through the C ABI."""

import multiprocessing as mp

import pytest

from mapview import BusyError, ClosedError, CorruptError, LogReader, LogWriter, verify


def test_append_read_verify(tmp_path):
    p = tmp_path / "e.log"
    with LogWriter.create(p, capacity=1 << 16) as w:
        off = w.append(b"first", timestamp_ns=123)
        w.append_batch([b"a", b"", b"c" * 1000])
        w.sync()
        assert w.count == 4 and w.write_offset > off
    with LogReader(p) as r:
        events = list(r)
        assert [e.payload for e in events] == [b"first", b"a", b"", b"c" * 1000]
        assert events[0].timestamp_ns == 123 and events[0].offset == off
        assert r.read(events[-1].next_offset) is None
        assert r.count == 4
    rep = verify(p)
    assert rep.ok and rep.good_events == 4


def _append_more(path, n):
    with LogWriter.open(path) as w:
        for i in range(n):
            w.append(f"child {i}".encode())


def test_reader_follows_a_writer_process(tmp_path):
    p = tmp_path / "f.log"
    LogWriter.create(p).close()
    r = LogReader(p)
    proc = mp.get_context("spawn").Process(target=_append_more, args=(p, 200))
    proc.start()
    proc.join(60)
    assert proc.exitcode == 0
    r.refresh()
    assert [e.payload for e in r][-1] == b"child 199"
    r.close()


def test_errors(tmp_path):
    p = tmp_path / "x.log"
    w = LogWriter.create(p)
    with pytest.raises(BusyError):
        LogWriter.open(p)
    with pytest.raises(FileExistsError):
        LogWriter.create(p)
    w.close()
    with pytest.raises(ClosedError):
        w.append(b"late")
    (tmp_path / "junk").write_bytes(b"junk" * 100)
    with pytest.raises(CorruptError):
        LogReader(tmp_path / "junk")
    with pytest.raises(CorruptError):
        verify(tmp_path / "junk")
    with pytest.raises(FileNotFoundError):
        LogReader(tmp_path / "missing")
