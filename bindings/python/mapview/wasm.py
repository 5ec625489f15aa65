"""The WebAssembly host (libmapview's mapview_wasm_*): guests that read
mapped files in place, as views inside their own linear memory
(docs/guest-abi.md)."""

from __future__ import annotations

import ctypes
from ctypes import POINTER, Structure, byref, c_bool, c_int64, c_size_t, c_uint8, c_uint32, c_uint64, c_void_p
from dataclasses import dataclass
from typing import Iterable, Sequence

from . import _lib
from ._lib import ClosedError, MapviewError, call, lib

ERR_WASM_MODULE = 20
ERR_WASM_EXPORT = 21
ERR_WASM_SIGNATURE = 22
ERR_WASM_TRAP = 23
ERR_WASM_TIMEOUT = 24
ERR_WASM_MEMORY_LIMIT = 25
ERR_WASM_VIEW_TRUNCATED = 26
ERR_WASM_VIEW = 27
VIEW_WRITABLE = 1
TO_END = (1 << 64) - 1


class WasmError(MapviewError):
    """An error of the WebAssembly host; `code` tells which."""


class WasmModuleError(WasmError, ValueError):
    """Not a valid guest module (or one using bulk-memory instructions)."""


class WasmTrap(WasmError, RuntimeError):
    """The guest trapped: out-of-bounds, a store into a read-only view, ..."""


class WasmTimeout(WasmError, TimeoutError):
    """The guest ran out of fuel or past its time limit."""


class WasmViewTruncated(WasmError, RuntimeError):
    """A viewed file was truncated by another process during the call."""


_lib._CLASSES.update(
    {
        ERR_WASM_MODULE: WasmModuleError,
        ERR_WASM_EXPORT: WasmError,
        ERR_WASM_SIGNATURE: WasmError,
        ERR_WASM_TRAP: WasmTrap,
        ERR_WASM_TIMEOUT: WasmTimeout,
        ERR_WASM_MEMORY_LIMIT: WasmError,
        ERR_WASM_VIEW_TRUNCATED: WasmViewTruncated,
        ERR_WASM_VIEW: WasmError,
    }
)

HostH = _lib._handle("mapview_wasm_host")
GuestH = _lib._handle("mapview_wasm_guest")


class HostOptions(Structure):
    _fields_ = [
        ("struct_size", c_uint32),
        ("max_views", c_uint32),
        ("fuel", c_uint64),
        ("timeout_ms", c_uint64),
        ("max_memory", c_uint64),
        ("max_output", c_uint64),
    ]


class ViewInfoC(Structure):
    _fields_ = [("addr", c_uint32), ("len", c_uint32), ("writable", c_bool)]


_S, _P, _N, _E = _lib.S, _lib.P, _lib.N, _lib.E
_lib._declare("mapview_wasm_host_options_init", HostOptions)
_lib._declare("mapview_wasm_host_create", _S, POINTER(HostOptions), POINTER(HostH), _E)
_lib._declare("mapview_wasm_host_close", _S, HostH)
_lib._declare("mapview_wasm_guest_load", _S, HostH, c_void_p, c_size_t, POINTER(GuestH), _E)
_lib._declare("mapview_wasm_guest_load_file", _S, HostH, _P, _N, POINTER(GuestH), _E)
_lib._declare(
    "mapview_wasm_guest_attach", _S, GuestH, _P, _N, _lib.Map, c_uint64, c_uint64, c_uint32, POINTER(ViewInfoC), _E
)
_lib._declare("mapview_wasm_guest_attach_dir", _S, GuestH, _P, _N, c_uint32, POINTER(c_size_t), _E)
_lib._declare("mapview_wasm_guest_set_args", _S, GuestH, POINTER(_lib.Bytes), _N, _E)
_lib._declare(
    "mapview_wasm_guest_call", _S, GuestH, _P, _N, POINTER(c_int64), _N, POINTER(c_int64), _N, POINTER(c_size_t), _E
)
_lib._declare("mapview_wasm_guest_output", _S, GuestH, POINTER(c_uint8), _N, POINTER(c_size_t), _E)
_lib._declare("mapview_wasm_guest_flush", _S, GuestH, _E)
_lib._declare("mapview_wasm_guest_close", _S, GuestH)


@dataclass(frozen=True)
class View:
    name: str
    addr: int
    len: int
    writable: bool


class Host:
    """Compiles guest modules and makes guests; every guest runs under the
    host's limits. A context manager; close() is idempotent."""

    def __init__(
        self,
        *,
        fuel: int = 0,
        timeout_ms: int = 0,
        max_memory: int | None = None,
        max_views: int | None = None,
        max_output: int | None = None,
    ):
        o = lib.mapview_wasm_host_options_init()
        o.fuel, o.timeout_ms = fuel, timeout_ms
        if max_memory is not None:
            o.max_memory = max_memory
        if max_views is not None:
            o.max_views = max_views
        if max_output is not None:
            o.max_output = max_output
        h = HostH()
        call(lib.mapview_wasm_host_create, byref(o), byref(h))
        self._handle = _lib.Handle(h, lib.mapview_wasm_host_close)

    def _h(self):
        if self._handle.closed:
            raise ClosedError("Host is closed", _lib.ERR_CLOSED)
        return self._handle.value

    def load(self, wasm: bytes) -> "Guest":
        """A new guest from a module's bytes (binary, or WebAssembly text)."""
        data = bytes(wasm)
        g = GuestH()
        call(lib.mapview_wasm_guest_load, self._h(), data, len(data), byref(g))
        return Guest(g)

    def load_file(self, path) -> "Guest":
        p = _lib.path_arg(path)
        g = GuestH()
        call(lib.mapview_wasm_guest_load_file, self._h(), p, len(p), byref(g))
        return Guest(g)

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Guest:
    """A guest instance: views of files, arguments, calls with integers,
    output. Its read-write views are flushed when it closes."""

    def __init__(self, handle):
        self._handle = _lib.Handle(handle, lib.mapview_wasm_guest_close)

    def _h(self):
        if self._handle.closed:
            raise ClosedError("Guest is closed", _lib.ERR_CLOSED)
        return self._handle.value

    def attach_file(self, name: str, path, writable: bool = False, offset: int = 0, length: int | None = None) -> View:
        """Views `length` bytes from `offset` of the file at `path` (all of
        it by default) under `name`. The guest reads the file's own pages."""
        p = _lib.path_arg(path)
        m = _lib.Map()
        call(lib.mapview_map_open, p, len(p), 1 if writable else 0, None, byref(m))
        try:
            n = name.encode()
            info = ViewInfoC()
            flags = VIEW_WRITABLE if writable else 0
            call(lib.mapview_wasm_guest_attach, self._h(), n, len(n), m, offset, TO_END if length is None else length, flags, byref(info))
        finally:
            # The view stays after the map handle goes.
            lib.mapview_map_close(m)
        return View(name, info.addr, info.len, info.writable)

    def attach_dir(self, path, limit: int = 1024) -> int:
        """Views every regular file under `path`; returns how many."""
        p = _lib.path_arg(path)
        n = c_size_t()
        call(lib.mapview_wasm_guest_attach_dir, self._h(), p, len(p), limit, byref(n))
        return n.value

    def set_args(self, args: Iterable[str | bytes]) -> None:
        items = [a.encode() if isinstance(a, str) else bytes(a) for a in args]
        keep = [ctypes.create_string_buffer(b, len(b)) for b in items]
        arr = (_lib.Bytes * max(len(items), 1))()
        for i, (b, buf) in enumerate(zip(items, keep)):
            arr[i].data = ctypes.cast(buf, c_void_p)
            arr[i].len = len(b)
        call(lib.mapview_wasm_guest_set_args, self._h(), arr, len(items))

    def call(self, func: str, *args: int) -> list[int]:
        """Calls an exported function with integer arguments; returns its
        integer results."""
        f = func.encode()
        argv = (c_int64 * max(len(args), 1))(*args)
        results = (c_int64 * 16)()
        n = c_size_t()
        call(lib.mapview_wasm_guest_call, self._h(), f, len(f), argv, len(args), results, 16, byref(n))
        return list(results[: n.value])

    def output(self) -> bytes:
        """Takes what the guest wrote with mapview.output."""
        n = c_size_t()
        call(lib.mapview_wasm_guest_output, self._h(), None, 0, byref(n))
        buf = (c_uint8 * max(n.value, 1))()
        got = c_size_t()
        call(lib.mapview_wasm_guest_output, self._h(), buf, n.value, byref(got))
        return bytes(buf[: got.value])

    def flush(self) -> None:
        call(lib.mapview_wasm_guest_flush, self._h())

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
