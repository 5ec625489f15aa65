"""mmap_file: a whole file's bytes, mapped read-only or read-write."""

from __future__ import annotations

import weakref
from ctypes import byref

import numpy as np

from . import _lib
from ._lib import ClosedError, call, lib


class MappedFile:
    """A file mapped by libmapview. Indexing and slicing copy out like
    Python's mmap (``mf[0:5]`` is bytes); assignment writes through (mode
    "r+"); ``view`` is a zero-copy memoryview. ``close()`` refuses with
    BufferError while views exist."""

    def __init__(self, path, mode: str = "r"):
        if mode not in ("r", "r+"):
            raise ValueError(f"mode must be 'r' or 'r+', not {mode!r}")
        h = _lib.Map()
        p = _lib.path_arg(path)
        call(lib.mapview_map_open, p, len(p), 0 if mode == "r" else 1, None, byref(h))
        self._handle = _lib.Handle(h, lib.mapview_map_close)
        self.path = path
        self.mode = mode
        self._bytes: np.ndarray | None = None
        self._exporter_ref = None

    def _array(self) -> np.ndarray:
        if self._handle.closed:
            raise ClosedError("MappedFile is closed", _lib.ERR_CLOSED)
        if self._bytes is None:
            exporter = self._exporter_ref() if self._exporter_ref else None
            if exporter is None:
                ptr, n = _lib.out_ptr()
                fn = lib.mapview_map_data_mut if self.mode == "r+" else lib.mapview_map_data
                call(fn, self._handle.value, byref(ptr), byref(n))
                exporter = _lib.Exporter(self._handle, ptr.value or 0, n.value, "|u1", self.mode == "r+")
                self._exporter_ref = weakref.ref(exporter)
            self._bytes = np.asarray(exporter)
        return self._bytes

    @property
    def view(self) -> memoryview:
        """The bytes with no copy (writable in mode "r+")."""
        return memoryview(self._array())

    def __len__(self) -> int:
        return len(self._array())

    def __getitem__(self, key):
        a = self._array()[key]
        return int(a) if isinstance(key, int) else a.tobytes()

    def __setitem__(self, key, value):
        if self.mode != "r+":
            raise _lib.ReadOnlyError("the file is mapped read-only", _lib.ERR_READ_ONLY)
        a = self._array()
        if isinstance(key, int):
            a[key] = value
        else:
            a[key] = np.frombuffer(bytes(value), dtype=np.uint8)

    def flush(self) -> None:
        """Writes changes to the file and waits (mode "r+")."""
        if self._handle.closed:
            raise ClosedError("MappedFile is closed", _lib.ERR_CLOSED)
        call(lib.mapview_map_flush, self._handle.value, 0, (1 << 64) - 1, 0)

    def close(self) -> None:
        if self._handle.closed:
            return
        self._bytes = None
        if self._exporter_ref is not None and self._exporter_ref() is not None:
            raise BufferError("cannot close MappedFile: views of its bytes still exist")
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def mmap_file(path, mode: str = "r") -> MappedFile:
    """Maps a whole file: ``with mmap_file(path) as mm: mm[:5]``."""
    return MappedFile(path, mode)
