"""The C library, found and declared for ctypes; status codes as exceptions.

Nothing here implements a format or an algorithm: every behaviour is in
libmapview (include/mapview.h), and this module only turns its handles,
status codes and pointer + length pairs into Python.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
from ctypes import (
    POINTER,
    Structure,
    byref,
    c_bool,
    c_char_p,
    c_double,
    c_int32,
    c_size_t,
    c_uint8,
    c_uint32,
    c_uint64,
    c_int64,
    c_void_p,
)
from pathlib import Path

# ---- finding the library ---------------------------------------------------


def _candidates() -> list[str]:
    env = os.environ.get("MAPVIEW_LIB")
    if env:
        return [env]
    here = Path(__file__).resolve().parent
    # A source checkout: bindings/python/mapview -> ../../../build/lib
    built = here.parent.parent.parent / "build" / "lib"
    out = [str(built / "libmapview.so"), str(built / "libmapview.so.0")]
    found = ctypes.util.find_library("mapview")
    if found:
        out.append(found)
    out.append("libmapview.so.0")
    return out


def _load() -> ctypes.CDLL:
    errors = []
    for name in _candidates():
        if os.sep in name and not os.path.exists(name):
            errors.append(f"{name}: no such file")
            continue
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            errors.append(f"{name}: {e}")
    raise ImportError(
        "mapview: cannot load libmapview (set MAPVIEW_LIB to its path, or run "
        "`make lib` in the source tree): " + "; ".join(errors)
    )


lib = _load()

# ---- status codes and exceptions ---------------------------------------------

OK = 0
ERR_NULL_ARGUMENT = 1
ERR_INVALID_HANDLE = 2
ERR_CLOSED = 3
ERR_INVALID_ARGUMENT = 4
ERR_OUT_OF_RANGE = 5
ERR_OVERFLOW = 6
ERR_INVALID_FLAGS = 7
ERR_RECORD_SIZE = 8
ERR_READ_ONLY = 9
ERR_NOT_FOUND = 10
ERR_PERMISSION_DENIED = 11
ERR_ALREADY_EXISTS = 12
ERR_UNSUPPORTED = 13
ERR_OUT_OF_MEMORY = 14
ERR_IO = 15
ERR_MISALIGNED = 16
ERR_PANIC = 17
ERR_BUSY = 18
ERR_CORRUPT = 19


class MapviewError(Exception):
    """An error from libmapview: `code` is its status code, the message
    names the operation, path and range involved."""

    def __init__(self, message: str, code: int = 0):
        super().__init__(message)
        self.code = code


class ClosedError(MapviewError, ValueError):
    """The object (or handle) was closed."""


class NotFoundError(MapviewError, FileNotFoundError):
    pass


class AlreadyExistsError(MapviewError, FileExistsError):
    pass


class PermissionDeniedError(MapviewError, PermissionError):
    pass


class InvalidArgumentError(MapviewError, ValueError):
    """A bad argument: a range past the end, an overflow, a bad name,
    a shape that does not fit, ..."""


class ReadOnlyError(MapviewError, ValueError):
    pass


class UnsupportedError(MapviewError, ValueError):
    """Something mapview does not do (object or big-endian dtypes, ...)."""


class CorruptError(MapviewError, ValueError):
    """Damaged data: a bad .npy header, a checksum mismatch."""


class BusyError(MapviewError, BlockingIOError):
    pass


class MapviewOSError(MapviewError, OSError):
    pass


class MapviewMemoryError(MapviewError, MemoryError):
    pass


_CLASSES = {
    ERR_CLOSED: ClosedError,
    ERR_NOT_FOUND: NotFoundError,
    ERR_ALREADY_EXISTS: AlreadyExistsError,
    ERR_PERMISSION_DENIED: PermissionDeniedError,
    ERR_INVALID_ARGUMENT: InvalidArgumentError,
    ERR_OUT_OF_RANGE: InvalidArgumentError,
    ERR_OVERFLOW: InvalidArgumentError,
    ERR_INVALID_FLAGS: InvalidArgumentError,
    ERR_RECORD_SIZE: InvalidArgumentError,
    ERR_MISALIGNED: InvalidArgumentError,
    ERR_READ_ONLY: ReadOnlyError,
    ERR_UNSUPPORTED: UnsupportedError,
    ERR_CORRUPT: CorruptError,
    ERR_BUSY: BusyError,
    ERR_IO: MapviewOSError,
    ERR_OUT_OF_MEMORY: MapviewMemoryError,
}


class _Error(Structure):
    pass


ErrorPtr = POINTER(_Error)


def call(fn, *args):
    """Calls an export whose last argument is `mapview_error **err` and
    raises the matching exception on failure."""
    err = ErrorPtr()
    status = fn(*args, byref(err))
    if status != OK:
        raise_error(status, err)


def raise_error(status: int, err=None):
    if err:
        message = lib.mapview_error_message(err).decode("utf-8", "replace")
        lib.mapview_error_free(err)
    else:
        message = lib.mapview_status_name(status).decode()
    raise _CLASSES.get(status, MapviewError)(message, status)


def check_status(status: int):
    """For calls that return a status without an error object (close)."""
    if status != OK:
        raise_error(status)


def path_arg(path) -> bytes:
    """A path as the bytes the C API takes (with an explicit length)."""
    return os.fsencode(path)


# ---- types -------------------------------------------------------------------


def _handle(name: str):
    return type(name, (Structure,), {"_fields_": [("id", c_uint64)]})


Map = _handle("mapview_map")
Shm = _handle("mapview_shm")
Array = _handle("mapview_array")
Cache = _handle("mapview_cache")
CachedMap = _handle("mapview_cached_map")
LogWriterH = _handle("mapview_log_writer")
LogReaderH = _handle("mapview_log_reader")


class ArraySpec(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("format", c_int32),
        ("dtype", c_int32),
        ("order", c_int32),
        ("ndim", c_uint32),
        ("flags", c_uint32),
        ("shape", POINTER(c_uint64)),
        ("offset", c_uint64),
    ]


class ArrayInfo(Structure):
    _fields_ = [
        ("dtype", c_int32),
        ("order", c_int32),
        ("format", c_int32),
        ("ndim", c_uint32),
        ("itemsize", c_size_t),
        ("count", c_uint64),
        ("nbytes", c_uint64),
        ("data_offset", c_uint64),
        ("npy_major", c_uint8),
        ("npy_minor", c_uint8),
        ("writable", c_bool),
    ]


class Value(Structure):
    _fields_ = [
        ("dtype", c_int32),
        ("kind", c_int32),
        ("i", c_int64),
        ("u", c_uint64),
        ("f", c_double),
    ]


class ShmInfo(Structure):
    _fields_ = [
        ("kind", c_int32),
        ("seals", c_uint32),
        ("len", c_size_t),
        ("fd", c_int32),
        ("pid", c_int32),
    ]


class CacheStats(Structure):
    _fields_ = [
        ("maps", c_uint64),
        ("bytes", c_uint64),
        ("hits", c_uint64),
        ("misses", c_uint64),
        ("evictions", c_uint64),
    ]


class MapInfo(Structure):
    _fields_ = [
        ("kind", c_int32),
        ("writable", c_bool),
        ("len", c_size_t),
        ("file_offset", c_uint64),
    ]


class LogOptions(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("flags", c_uint32),
        ("capacity", c_uint64),
        ("segment", c_uint64),
    ]


class Bytes(Structure):
    _fields_ = [("data", c_void_p), ("len", c_size_t)]


class LogEvent(Structure):
    _fields_ = [
        ("offset", c_uint64),
        ("next_offset", c_uint64),
        ("timestamp_ns", c_uint64),
        ("payload", c_void_p),
        ("len", c_size_t),
    ]


class LogReport(Structure):
    _fields_ = [
        ("good_events", c_uint64),
        ("header_count", c_uint64),
        ("write_offset", c_uint64),
        ("synced_offset", c_uint64),
        ("damaged_events", c_uint64),
        ("first_damaged_offset", c_uint64),
    ]


class SearchOptions(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("flags", c_uint32),
        ("threads", c_uint32),
        ("on_error", c_void_p),
    ]


class SearchMatch(Structure):
    _fields_ = [
        ("path", c_void_p),
        ("path_len", c_size_t),
        ("line_number", c_uint64),
        ("line", c_void_p),
        ("line_len", c_size_t),
    ]


class SearchFile(Structure):
    _fields_ = [
        ("path", c_void_p),
        ("path_len", c_size_t),
        ("count", c_uint64),
        ("binary", c_int32),
        ("binary_offset", c_uint64),
    ]


class SearchSummary(Structure):
    _fields_ = [
        ("files_searched", c_uint64),
        ("files_matched", c_uint64),
        ("lines_matched", c_uint64),
        ("errors", c_uint64),
        ("stopped", c_bool),
        ("stop_code", c_int32),
    ]


SEARCH_ERROR_FN = ctypes.CFUNCTYPE(c_int32, c_void_p, ErrorPtr)
SEARCH_MATCH_FN = ctypes.CFUNCTYPE(c_int32, c_void_p, POINTER(SearchMatch))
SEARCH_COUNT_FN = ctypes.CFUNCTYPE(c_int32, c_void_p, POINTER(SearchFile))

# ---- declarations --------------------------------------------------------------

E = POINTER(ErrorPtr)
P = c_char_p
N = c_size_t
S = c_int32  # mapview_status


def _declare(name, restype, *argtypes):
    fn = getattr(lib, name, None)
    if fn is None:
        return
    fn.restype = restype
    fn.argtypes = list(argtypes)


_declare("mapview_error_message", c_char_p, ErrorPtr)
_declare("mapview_error_code", S, ErrorPtr)
_declare("mapview_error_free", None, ErrorPtr)
_declare("mapview_status_name", c_char_p, c_int32)
_declare("mapview_version", c_char_p)

# maps (mmap_file)
_declare("mapview_map_open", S, P, N, c_int32, c_void_p, POINTER(Map), E)
_declare("mapview_map_close", S, Map)
_declare("mapview_map_data", S, Map, POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_map_data_mut", S, Map, POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_map_flush", S, Map, c_uint64, c_uint64, c_uint32, E)
_declare("mapview_map_info_get", S, Map, POINTER(MapInfo), E)

# shared memory
_declare("mapview_shm_create", S, P, N, c_uint64, POINTER(Shm), E)
_declare("mapview_shm_create_memfd", S, c_uint64, POINTER(Shm), E)
_declare("mapview_shm_open", S, P, N, POINTER(Shm), E)
_declare("mapview_shm_open_fd", S, c_int32, POINTER(Shm), E)
_declare("mapview_shm_open_proc", S, c_int32, c_int32, POINTER(Shm), E)
_declare("mapview_shm_unlink", S, P, N, E)
_declare("mapview_shm_data", S, Shm, POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_shm_info_get", S, Shm, POINTER(ShmInfo), E)
_declare("mapview_shm_name", S, Shm, POINTER(c_char_p), POINTER(c_size_t), E)
_declare("mapview_shm_close", S, Shm)
_declare("mapview_shm_create_array", S, P, N, POINTER(ArraySpec), POINTER(Shm), E)

# arrays
_declare("mapview_array_spec_init", ArraySpec)
_declare("mapview_array_create", S, P, N, POINTER(ArraySpec), c_void_p, N, POINTER(Array), E)
_declare("mapview_array_open", S, P, N, c_int32, POINTER(ArraySpec), POINTER(Array), E)
_declare("mapview_array_from_shm", S, Shm, POINTER(ArraySpec), POINTER(Array), E)
_declare("mapview_array_info_get", S, Array, POINTER(ArrayInfo), E)
_declare("mapview_array_shape", S, Array, POINTER(c_uint64), N, POINTER(c_size_t), E)
_declare("mapview_array_data", S, Array, POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_array_data_mut", S, Array, POINTER(c_void_p), POINTER(c_size_t), E)
for _agg in ("sum", "mean", "min", "max"):
    _declare(f"mapview_array_{_agg}", S, Array, POINTER(Value), E)
_declare("mapview_array_std", S, Array, c_uint64, POINTER(Value), E)
_declare("mapview_array_flush", S, Array, c_uint32, E)
_declare("mapview_array_close", S, Array)
_declare("mapview_dtype_name", c_char_p, c_int32)

# cache
_declare("mapview_cache_create", S, c_uint64, c_uint64, POINTER(Cache), E)
_declare("mapview_cache_get", S, Cache, P, N, POINTER(CachedMap), POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_cached_map_data", S, CachedMap, POINTER(c_void_p), POINTER(c_size_t), E)
_declare("mapview_cached_map_release", S, CachedMap)
_declare("mapview_cache_get_array", S, Cache, P, N, POINTER(ArraySpec), POINTER(Array), E)
_declare("mapview_cache_stats_get", S, Cache, POINTER(CacheStats), E)
_declare("mapview_cache_contains", S, Cache, P, N, POINTER(c_bool), E)
_declare("mapview_cache_invalidate", S, Cache, P, N, POINTER(c_bool), E)
_declare("mapview_cache_clear", S, Cache, E)
_declare("mapview_cache_trim", S, Cache, E)
_declare("mapview_cache_close", S, Cache)

# event log
_declare("mapview_log_options_init", LogOptions)
_declare("mapview_log_create", S, P, N, POINTER(LogOptions), POINTER(LogWriterH), E)
_declare("mapview_log_open_writer", S, P, N, POINTER(LogWriterH), E)
_declare("mapview_log_append", S, LogWriterH, c_void_p, N, c_uint64, POINTER(c_uint64), E)
_declare("mapview_log_append_batch", S, LogWriterH, POINTER(Bytes), N, E)
_declare("mapview_log_sync", S, LogWriterH, c_uint32, E)
_declare("mapview_log_writer_count", S, LogWriterH, POINTER(c_uint64), POINTER(c_uint64), E)
_declare("mapview_log_writer_close", S, LogWriterH)
_declare("mapview_log_open_reader", S, P, N, POINTER(LogReaderH), E)
_declare("mapview_log_read", S, LogReaderH, c_uint64, POINTER(LogEvent), POINTER(c_bool), E)
_declare("mapview_log_reader_refresh", S, LogReaderH, POINTER(c_bool), E)
_declare("mapview_log_reader_wait", S, LogReaderH, c_uint32, POINTER(c_bool), E)
_declare("mapview_log_reader_count", S, LogReaderH, POINTER(c_uint64), POINTER(c_uint64), E)
_declare("mapview_log_reader_close", S, LogReaderH)
_declare("mapview_log_verify", S, P, N, POINTER(LogReport), E)

# directory search (present when the library has it)
_declare("mapview_search_options_init", SearchOptions)
_declare(
    "mapview_search_dir",
    S,
    P,
    N,
    P,
    N,
    POINTER(SearchOptions),
    SEARCH_MATCH_FN,
    SEARCH_COUNT_FN,
    c_void_p,
    POINTER(SearchSummary),
    E,
)

HAS_SEARCH = hasattr(lib, "mapview_search_dir")


def version() -> str:
    """The running library's version."""
    return lib.mapview_version().decode()


# ---- lifetimes -----------------------------------------------------------------


class Handle:
    """Owns one C handle and closes it once: explicitly, or when the last
    reference goes (NumPy views hold one through their exporter, so a
    mapping outlives every view of it)."""

    __slots__ = ("value", "_close", "closed", "__weakref__")

    def __init__(self, value, close):
        self.value = value
        self._close = close
        self.closed = False

    def close(self):
        if not self.closed:
            self.closed = True
            check_status(self._close(self.value))

    def __del__(self):
        try:
            if not self.closed:
                self.closed = True
                self._close(self.value)
        except Exception:
            pass


class Exporter:
    """Hands NumPy a pointer into a mapping through __array_interface__.
    Every array (and view, and memoryview of one) made from it keeps it,
    and so the mapping's Handle, alive."""

    __slots__ = ("__array_interface__", "owner", "__weakref__")

    def __init__(self, owner, ptr: int, nbytes: int, typestr: str, writable: bool):
        self.owner = owner
        itemsize = int(typestr[2:]) if typestr[2:].isdigit() else 1
        self.__array_interface__ = {
            "data": (ptr, not writable),
            "shape": (nbytes // itemsize,),
            "typestr": typestr,
            "version": 3,
        }


def out_ptr():
    return c_void_p(), c_size_t()
