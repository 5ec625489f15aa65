"""mapview for Python: memory-mapped files, NumPy arrays and shared memory
over libmapview (the C ABI), with no copy.

- MmapArray: .npy files (and raw data) as NumPy arrays; sum/mean/std/min/max
  computed by libmapview.
- SharedMemoryArray: arrays in shared memory, usable from multiprocessing.
- save_binary_mmap / load_binary_mmap: headerless data.
- MmapCache: libmapview's cache of open maps.
- mmap_file: a file's bytes, read-only or read-write.
- LogWriter / LogReader / verify: the event log.
- search: directory search (when the library has it).

The library is found through MAPVIEW_LIB, else build/lib of a source
checkout, else the system loader.
"""

from ._lib import (
    AlreadyExistsError,
    BusyError,
    ClosedError,
    CorruptError,
    InvalidArgumentError,
    MapviewError,
    NotFoundError,
    PermissionDeniedError,
    ReadOnlyError,
    UnsupportedError,
    HAS_SEARCH,
    version,
)
from .array import (
    MmapArray,
    MmapArrayInfo,
    SharedMemoryArray,
    load_binary_mmap,
    open_npy,
    save_binary_mmap,
    unlink_shared,
)
from .cache import CacheStats, MmapCache
from .files import MappedFile, mmap_file
from .log import Event, LogReader, LogWriter, VerifyReport, verify
from .search import Match, SearchResult, search

__all__ = [
    "AlreadyExistsError",
    "BusyError",
    "CacheStats",
    "ClosedError",
    "CorruptError",
    "Event",
    "HAS_SEARCH",
    "InvalidArgumentError",
    "LogReader",
    "LogWriter",
    "MappedFile",
    "MapviewError",
    "Match",
    "MmapArray",
    "MmapArrayInfo",
    "MmapCache",
    "NotFoundError",
    "PermissionDeniedError",
    "ReadOnlyError",
    "SearchResult",
    "SharedMemoryArray",
    "UnsupportedError",
    "VerifyReport",
    "load_binary_mmap",
    "mmap_file",
    "open_npy",
    "save_binary_mmap",
    "search",
    "unlink_shared",
    "verify",
    "version",
]
