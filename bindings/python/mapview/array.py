"""Memory-mapped NumPy arrays over libmapview: .npy files and raw data
(MmapArray), arrays in shared memory (SharedMemoryArray), and the raw
save/load helpers.

Views and closing: `.array` (and indexing) gives NumPy arrays that point
into the mapping, with no copy. Every such array, every view of it and
every memoryview of one keeps the mapping alive. `close()` refuses with
BufferError while any of them still exists (as Python's own mmap module
does), so no view can outlive the mapping: delete the views (or copy what
you need) and close again. An object that is garbage collected without
close() unmaps only once the last view is gone. A closed object raises
ClosedError (a ValueError) when touched.
"""

from __future__ import annotations

import ctypes
import os
import weakref
from ctypes import byref, c_size_t, c_uint64, c_void_p
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import _lib
from ._lib import ClosedError, call, lib

# MAPVIEW_DTYPE_* codes and the NumPy dtypes they are.
_CODES = {
    1: "|b1",
    2: "|u1",
    3: "<u2",
    4: "<u4",
    5: "<u8",
    6: "|i1",
    7: "<i2",
    8: "<i4",
    9: "<i8",
    10: "<f2",
    11: "<f4",
    12: "<f8",
}
_BY_DTYPE = {np.dtype(v): k for k, v in _CODES.items()}

MODE_READ_ONLY = 0
MODE_READ_WRITE = 1
FORMAT_NPY = 0
FORMAT_RAW = 1
ORDER_C = 0
ORDER_FORTRAN = 1
INFER_SHAPE = 1
MAX_DIMS = 64


def dtype_code(dtype) -> int:
    """The MAPVIEW_DTYPE_* code of a NumPy dtype (little-endian only)."""
    dt = np.dtype(dtype)
    if dt.byteorder == "=" or dt.byteorder == "|":
        dt = dt.newbyteorder("<") if dt.itemsize > 1 else dt
    code = _BY_DTYPE.get(dt)
    if code is None:
        raise _lib.UnsupportedError(
            f"dtype {np.dtype(dtype)!r} is not supported (supported: bool, uint8-64, "
            "int8-64, float16, float32, float64, little-endian)",
            _lib.ERR_UNSUPPORTED,
        )
    return code


def _order_code(order: str) -> int:
    if order in ("C", "c"):
        return ORDER_C
    if order in ("F", "f", "Fortran"):
        return ORDER_FORTRAN
    raise ValueError(f"order must be 'C' or 'F', not {order!r}")


def _mode_code(mode: str) -> int:
    if mode == "r":
        return MODE_READ_ONLY
    if mode in ("r+", "w+", "rw"):
        return MODE_READ_WRITE
    raise ValueError(f"mode must be 'r' or 'r+', not {mode!r}")


def _spec(dtype=None, shape=None, order="C", raw=False, offset=0):
    """A mapview_array_spec (and the shape buffer it points to)."""
    spec = lib.mapview_array_spec_init()
    spec.format = FORMAT_RAW if raw else FORMAT_NPY
    if dtype is not None:
        spec.dtype = dtype_code(dtype)
    spec.order = _order_code(order)
    spec.offset = offset
    dims = None
    if shape is None:
        spec.flags = INFER_SHAPE
    else:
        shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
        if any(int(d) < 0 for d in shape):
            raise ValueError(f"negative dimension in shape {shape}")
        dims = (c_uint64 * max(len(shape), 1))(*[int(d) for d in shape])
        spec.ndim = len(shape)
        spec.shape = ctypes.cast(dims, ctypes.POINTER(c_uint64))
    return spec, dims


@dataclass(frozen=True)
class MmapArrayInfo:
    """What a mapped array is."""

    path: Path | None
    shape: tuple[int, ...]
    dtype: np.dtype
    size_bytes: int
    is_readonly: bool
    order: str
    format: str  # "npy" or "raw"
    npy_version: tuple[int, int] | None
    data_offset: int


def _to_numpy(value: _lib.Value):
    """A mapview_value as the NumPy scalar NumPy's own reduction returns."""
    dt = np.dtype(_CODES[value.dtype])
    if value.kind == 1:
        return dt.type(value.i)
    if value.kind == 2:
        return dt.type(value.u)
    if value.kind == 4:
        return np.bool_(value.u != 0)
    return dt.type(value.f)


class _ArrayBase:
    """An array handle and the NumPy view over it."""

    def __init__(self, handle: _lib.Array, path=None):
        self._handle = _lib.Handle(handle, lib.mapview_array_close)
        self._path = Path(path) if path is not None else None
        info = _lib.ArrayInfo()
        call(lib.mapview_array_info_get, handle, byref(info))
        dims = (c_uint64 * MAX_DIMS)()
        ndim = c_size_t()
        call(lib.mapview_array_shape, handle, dims, MAX_DIMS, byref(ndim))
        self._info = info
        self._shape = tuple(int(dims[i]) for i in range(ndim.value))
        self._dtype = np.dtype(_CODES[info.dtype])
        self._order = "F" if info.order == ORDER_FORTRAN else "C"
        self._writable = bool(info.writable)
        self._array: np.ndarray | None = None
        self._exporter_ref: weakref.ref | None = None

    # -- the NumPy view ----------------------------------------------------

    def _check_open(self):
        if self._handle.closed:
            raise ClosedError(f"{type(self).__name__} is closed", _lib.ERR_CLOSED)

    def _make_view(self) -> np.ndarray:
        exporter = self._exporter_ref() if self._exporter_ref is not None else None
        if exporter is None:
            ptr, n = c_void_p(), c_size_t()
            fn = lib.mapview_array_data_mut if self._writable else lib.mapview_array_data
            call(fn, self._handle.value, byref(ptr), byref(n))
            exporter = _lib.Exporter(
                self._handle, ptr.value or 0, n.value, self._dtype.str, self._writable
            )
            self._exporter_ref = weakref.ref(exporter)
        flat = np.asarray(exporter)
        return flat.reshape(self._shape, order=self._order)

    @property
    def array(self) -> np.ndarray:
        """The elements as a NumPy array that points into the mapping (no
        copy). Read-only arrays give a non-writeable view."""
        self._check_open()
        if self._array is None:
            self._array = self._make_view()
        return self._array

    def close(self) -> None:
        """Unmaps the array. Raises BufferError while NumPy views of it
        (or memoryviews of those) still exist; closing twice is a no-op."""
        if self._handle.closed:
            return
        self._array = None
        if self._exporter_ref is not None and self._exporter_ref() is not None:
            raise BufferError(
                f"cannot close {type(self).__name__}: NumPy views of its mapping still "
                "exist (delete them, or copy what you need, then close)"
            )
        self._handle.close()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- what it is -------------------------------------------------------------

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    @property
    def size(self) -> int:
        return int(self._info.count)

    @property
    def nbytes(self) -> int:
        return int(self._info.nbytes)

    @property
    def order(self) -> str:
        return self._order

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def writable(self) -> bool:
        return self._writable

    @property
    def info(self) -> MmapArrayInfo:
        i = self._info
        return MmapArrayInfo(
            path=self._path,
            shape=self._shape,
            dtype=self._dtype,
            size_bytes=int(i.nbytes),
            is_readonly=not self._writable,
            order=self._order,
            format="raw" if i.format == FORMAT_RAW else "npy",
            npy_version=None if i.format == FORMAT_RAW else (i.npy_major, i.npy_minor),
            data_offset=int(i.data_offset),
        )

    # -- array protocol -----------------------------------------------------------

    def __getitem__(self, key):
        return self.array[key]

    def __setitem__(self, key, value):
        self.array[key] = value

    def __len__(self) -> int:
        if not self._shape:
            raise TypeError("len() of a 0-d array")
        return self._shape[0]

    def __iter__(self):
        return iter(self.array)

    def __array__(self, dtype=None, copy=None):
        a = self.array
        if dtype is not None and np.dtype(dtype) != a.dtype:
            return a.astype(dtype)
        if copy:
            return a.copy()
        return a

    def __repr__(self) -> str:
        state = "closed" if self.closed else ("rw" if self._writable else "r")
        where = f" {str(self._path)!r}" if self._path else ""
        return f"<{type(self).__name__}{where} shape={self._shape} dtype={self._dtype} {state}>"

    # -- aggregates: computed by libmapview over the mapping ------------------------

    def _aggregate(self, name, *args):
        self._check_open()
        v = _lib.Value()
        call(getattr(lib, f"mapview_array_{name}"), self._handle.value, *args, byref(v))
        return _to_numpy(v)

    def _numpy_fallback(self, name, axis, kwargs):
        # Reductions along an axis (or with NumPy options) are NumPy's: the
        # whole-array reductions below are mapview's own kernels.
        return getattr(self.array, name)(axis=axis, **kwargs)

    def sum(self, axis=None, **kwargs):
        """Sum of all elements (np.sum's result type), by libmapview."""
        if axis is not None or kwargs:
            return self._numpy_fallback("sum", axis, kwargs)
        return self._aggregate("sum")

    def mean(self, axis=None, **kwargs):
        if axis is not None or kwargs:
            return self._numpy_fallback("mean", axis, kwargs)
        return self._aggregate("mean")

    def std(self, axis=None, ddof: int = 0, **kwargs):
        if axis is not None or kwargs:
            return self._numpy_fallback("std", axis, dict(kwargs, ddof=ddof))
        if ddof < 0:
            raise ValueError("ddof must be >= 0")
        return self._aggregate("std", int(ddof))

    def min(self, axis=None, **kwargs):
        if axis is not None or kwargs:
            return self._numpy_fallback("min", axis, kwargs)
        return self._aggregate("min")

    def max(self, axis=None, **kwargs):
        if axis is not None or kwargs:
            return self._numpy_fallback("max", axis, kwargs)
        return self._aggregate("max")

    def flush(self) -> None:
        """Writes changes to the file and waits (nothing to do in shared
        memory). A read-only array raises ReadOnlyError."""
        self._check_open()
        call(lib.mapview_array_flush, self._handle.value, 0)

    def __del__(self):
        # Never unmap under a live view: the Handle closes itself when the
        # last view (which holds it through the exporter) is gone.
        self._array = None


class MmapArray(_ArrayBase):
    """A NumPy array stored in a file and mapped with no copy.

    - ``MmapArray(path)`` / ``MmapArray.open(path, mode="r")`` maps a .npy
      file (versions 1.0, 2.0, 3.0), read-only (``"r"``) or read-write
      (``"r+"``).
    - With ``dtype`` (and optionally ``shape``, ``offset``, ``order``) the
      file is headerless raw data, as ``np.memmap`` reads it.
    - ``MmapArray.create(path, shape, dtype)`` writes a new .npy file that
      ``np.load(path, mmap_mode="r")`` reads; ``from_array`` copies an array in.
    """

    def __init__(
        self,
        path,
        shape=None,
        dtype=None,
        mode: str = "r",
        offset: int = 0,
        order: str = "C",
        *,
        _handle: _lib.Array | None = None,
    ):
        if _handle is None:
            raw = dtype is not None
            if shape is not None and not raw:
                raise ValueError("shape is for raw data: give dtype too (a .npy header has its own)")
            spec, _dims = _spec(dtype, shape, order, raw=raw, offset=offset)
            handle = _lib.Array()
            p = _lib.path_arg(path)
            call(
                lib.mapview_array_open,
                p,
                len(p),
                _mode_code(mode),
                byref(spec) if raw else None,
                byref(handle),
            )
            _handle = handle
        super().__init__(_handle, path)
        self.mode = "r" if not self._writable else "r+"

    @classmethod
    def open(cls, path, mode: str = "r", *, dtype=None, shape=None, offset: int = 0, order: str = "C"):
        """Maps an existing file: a .npy file, or raw data when dtype is given."""
        return cls(path, shape=shape, dtype=dtype, mode=mode, offset=offset, order=order)

    @classmethod
    def create(
        cls,
        path,
        shape,
        dtype=np.float64,
        fill_value=None,
        order: str = "C",
        raw: bool = False,
    ) -> "MmapArray":
        """Creates a new file (never overwrites one: FileExistsError) of
        zeros, mapped read-write: a .npy file, or raw data with raw=True."""
        spec, _dims = _spec(dtype, shape, order, raw=raw)
        handle = _lib.Array()
        p = _lib.path_arg(path)
        call(lib.mapview_array_create, p, len(p), byref(spec), None, 0, byref(handle))
        arr = cls(path, _handle=handle)
        if fill_value is not None:
            arr.array.fill(fill_value)
        return arr

    @classmethod
    def from_array(cls, path, array, raw: bool = False) -> "MmapArray":
        """Creates a new file holding a copy of `array` (its order kept:
        a Fortran-ordered array is stored with fortran_order True)."""
        a = np.asarray(array)
        order = "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"
        a = np.require(a, requirements="F" if order == "F" else "C")
        spec, _dims = _spec(a.dtype, a.shape, order, raw=raw)
        handle = _lib.Array()
        p = _lib.path_arg(path)
        data = a.ctypes.data if a.nbytes else None
        call(lib.mapview_array_create, p, len(p), byref(spec), data, a.nbytes, byref(handle))
        return cls(path, _handle=handle)


class SharedMemoryArray(_ArrayBase):
    """A NumPy array in shared memory, stored in .npy layout, mapped by
    every process that opens it.

    - ``SharedMemoryArray.create(shape, dtype, name="x")`` makes a named
      region (in /dev/shm) that ``SharedMemoryArray.open("x")`` finds from
      any process, in any language; ``unlink()`` removes the name.
    - With ``name=None`` the region is a memfd sealed against shrinking,
      handed to other processes by pickling the object (multiprocessing
      does this for arguments): the receiver opens /proc/<pid>/fd/<fd> of
      the creator, which must keep the region open meanwhile.
    """

    def __init__(self, shm: _lib.Shm, name: str | None = None):
        self._shm = _lib.Handle(shm, lib.mapview_shm_close)
        handle = _lib.Array()
        try:
            call(lib.mapview_array_from_shm, shm, None, byref(handle))
        except BaseException:
            self._shm.close()
            raise
        super().__init__(handle)
        info = _lib.ShmInfo()
        call(lib.mapview_shm_info_get, shm, byref(info))
        self._shm_info = (int(info.pid), int(info.fd), int(info.kind), int(info.seals))
        self.name = name

    @classmethod
    def create(cls, shape, dtype=np.float64, name: str | None = None, order: str = "C"):
        """A new zeroed array in shared memory: named (FileExistsError if
        the name is taken), or a sealed memfd when name is None."""
        spec, _dims = _spec(dtype, shape, order)
        shm = _lib.Shm()
        if name is None:
            call(lib.mapview_shm_create_array, None, 0, byref(spec), byref(shm))
        else:
            n = name.encode()
            call(lib.mapview_shm_create_array, n, len(n), byref(spec), byref(shm))
        return cls(shm, name)

    @classmethod
    def open(cls, name: str):
        """Opens the named array another process created."""
        shm = _lib.Shm()
        n = name.encode()
        call(lib.mapview_shm_open, n, len(n), byref(shm))
        return cls(shm, name)

    @classmethod
    def _attach(cls, name, pid, fd):
        if name is not None:
            return cls.open(name)
        shm = _lib.Shm()
        call(lib.mapview_shm_open_proc, pid, fd, byref(shm))
        return cls(shm, None)

    def __reduce__(self):
        self._check_open()
        pid, fd, _kind, _seals = self._shm_info
        return (SharedMemoryArray._attach, (self.name, pid, fd))

    @property
    def sealed(self) -> bool:
        """Whether no process can shrink the region (memfd regions)."""
        return bool(self._shm_info[3] & 1)

    def unlink(self) -> None:
        """Removes the name of a named region (the memory lives on while
        processes have it open). Nothing to do for a memfd region."""
        if self.name is not None:
            unlink_shared(self.name)

    def close(self) -> None:
        super().close()
        self._shm.close()


def unlink_shared(name: str) -> None:
    """Removes the named shared-memory region `name`."""
    n = name.encode()
    call(lib.mapview_shm_unlink, n, len(n))


def save_binary_mmap(path, array, order: str = "C") -> None:
    """Writes `array` to a new headerless file (its elements only, in
    `order`), as ndarray.tofile does. Never overwrites a file."""
    a = np.asarray(array)
    a = np.require(a, requirements="F" if order == "F" else "C")
    spec, _dims = _spec(a.dtype, a.shape, order, raw=True)
    handle = _lib.Array()
    p = _lib.path_arg(path)
    data = a.ctypes.data if a.nbytes else None
    call(lib.mapview_array_create, p, len(p), byref(spec), data, a.nbytes, byref(handle))
    _lib.check_status(lib.mapview_array_close(handle))


def load_binary_mmap(path, dtype=np.float64, shape=None, offset: int = 0, mode: str = "r", order: str = "C") -> np.ndarray:
    """Maps headerless data as a NumPy array (no copy): `dtype`, `shape`
    (None: one dimension of every whole element after `offset`), byte
    `offset`, `order`. The mapping lives as long as the array and its views."""
    m = MmapArray(path, shape=shape, dtype=dtype, mode=mode, offset=offset, order=order)
    a = m.array
    m._array = None  # the returned view keeps the mapping alive by itself
    return a


def open_npy(path, mode: str = "r") -> np.ndarray:
    """Maps a .npy file as a NumPy array (no copy); the mapping lives as
    long as the array and its views."""
    m = MmapArray(path, mode=mode)
    a = m.array
    m._array = None
    return a


_ = (os, Any)
