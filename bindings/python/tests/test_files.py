"""mmap_file: raw bytes, read-only and read-write."""

import pytest

from mapview import ClosedError, ReadOnlyError, mmap_file


def test_read(tmp_path):
    p = tmp_path / "r.bin"
    p.write_bytes(b"Hello, mmap world!")
    with mmap_file(p) as mm:
        assert mm[:5] == b"Hello"
        assert mm[7:11] == b"mmap"
        assert mm[0] == ord("H")
        assert len(mm) == 18
        with pytest.raises(ReadOnlyError):
            mm[0:1] = b"J"


def test_write(tmp_path):
    p = tmp_path / "w.bin"
    p.write_bytes(b"0" * 100)
    with mmap_file(p, mode="r+") as mm:
        mm[0:5] = b"HELLO"
        mm[99] = ord("!")
        mm.flush()
    assert p.read_bytes()[:5] == b"HELLO" and p.read_bytes()[-1:] == b"!"


def test_views_and_close(tmp_path):
    p = tmp_path / "v.bin"
    p.write_bytes(b"abcdef")
    mm = mmap_file(p, "r+")
    v = mm.view
    v[0] = ord("z")
    with pytest.raises(BufferError):
        mm.close()
    v.release()
    del v
    mm.close()
    with pytest.raises(ClosedError):
        mm[0]
    assert p.read_bytes() == b"zbcdef"


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        mmap_file(tmp_path / "missing")
    with pytest.raises(ValueError):
        mmap_file(tmp_path / "missing", mode="w")
    with pytest.raises(ValueError, match="directory"):
        mmap_file(tmp_path)
