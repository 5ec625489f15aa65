"""MmapCache: libmapview's cache of open maps, from Python."""

from __future__ import annotations

from ctypes import byref, c_bool
from dataclasses import dataclass

from . import _lib
from ._lib import ClosedError, call, lib
from .array import MmapArray, _spec


@dataclass(frozen=True)
class CacheStats:
    maps: int
    bytes: int
    hits: int
    misses: int
    evictions: int


class MmapCache:
    """At most `max_maps` maps and `max_bytes` mapped bytes (0: no limit)
    kept open by libmapview. A hit gives an array over the very same
    mapping; the least recently used maps are closed first, but never
    one an open array still uses. Paths are compared as given. Safe from
    many threads."""

    def __init__(self, max_maps: int = 100, max_bytes: int = 0, *, max_size: int | None = None):
        if max_size is not None:  # pyz3's name for max_maps
            max_maps = max_size
        if max_maps < 0 or max_bytes < 0:
            raise ValueError("limits must be >= 0")
        handle = _lib.Cache()
        call(lib.mapview_cache_create, max_maps, max_bytes, byref(handle))
        self._handle = _lib.Handle(handle, lib.mapview_cache_close)
        self.max_maps = max_maps
        self.max_bytes = max_bytes

    def _h(self):
        if self._handle.closed:
            raise ClosedError("MmapCache is closed", _lib.ERR_CLOSED)
        return self._handle.value

    def get(self, path, dtype=None, shape=None, offset: int = 0, order: str = "C") -> MmapArray:
        """A read-only MmapArray over the cached map of `path`: a .npy file,
        or raw data when dtype is given (as MmapArray)."""
        h = self._h()
        raw = dtype is not None
        spec, _dims = _spec(dtype, shape, order, raw=raw, offset=offset)
        arr = _lib.Array()
        p = _lib.path_arg(path)
        call(lib.mapview_cache_get_array, h, p, len(p), byref(spec) if raw else None, byref(arr))
        return MmapArray(path, _handle=arr)

    def get_or_create(self, path, shape=None, dtype=None, mode: str = "r") -> MmapArray:
        """pyz3's spelling of get (read-only maps only)."""
        if mode != "r":
            raise ValueError("the cache maps files read-only (mode 'r')")
        return self.get(path, dtype=dtype, shape=shape)

    def get_bytes(self, path) -> memoryview:
        """The cached map's bytes, read-only, with no copy; the memoryview
        keeps the map open (the cache never closes a held map)."""
        h = self._h()
        m = _lib.CachedMap()
        ptr, n = _lib.out_ptr()
        p = _lib.path_arg(path)
        call(lib.mapview_cache_get, h, p, len(p), byref(m), byref(ptr), byref(n))
        owner = _lib.Handle(m, lib.mapview_cached_map_release)
        import numpy as np

        exporter = _lib.Exporter(owner, ptr.value or 0, n.value, "|u1", False)
        return memoryview(np.asarray(exporter))

    def __contains__(self, path) -> bool:
        found = c_bool()
        p = _lib.path_arg(path)
        call(lib.mapview_cache_contains, self._h(), p, len(p), byref(found))
        return found.value

    def invalidate(self, path) -> bool:
        """Drops the cache's map of `path` (arrays using it keep it)."""
        removed = c_bool()
        p = _lib.path_arg(path)
        call(lib.mapview_cache_invalidate, self._h(), p, len(p), byref(removed))
        return removed.value

    def clear(self) -> None:
        call(lib.mapview_cache_clear, self._h())

    def trim(self) -> None:
        call(lib.mapview_cache_trim, self._h())

    @property
    def stats(self) -> CacheStats:
        s = _lib.CacheStats()
        call(lib.mapview_cache_stats_get, self._h(), byref(s))
        return CacheStats(int(s.maps), int(s.bytes), int(s.hits), int(s.misses), int(s.evictions))

    def __len__(self) -> int:
        return self.stats.maps

    def close(self) -> None:
        """Closes the cache; arrays taken from it stay valid."""
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
