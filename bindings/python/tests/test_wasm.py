"""The WebAssembly host from Python: guests reading files in place."""

import os
import subprocess
from pathlib import Path

import pytest

from mapview.wasm import Host, WasmError, WasmModuleError, WasmTimeout, WasmTrap, WasmViewTruncated
from mapview import ClosedError, NotFoundError

ROOT = Path(__file__).resolve().parents[3]
GUESTS = ROOT / "wasm-host" / "guests"
RUST = GUESTS / "rust" / "target" / "wasm32-unknown-unknown" / "release"

PEEK = b"""(module
  (import "mapview" "view_addr" (func $addr (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "addr") (param i32) (result i32) (call $addr (local.get 0)))
  (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "poke") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "spin") (loop $l (br $l))))"""


def guest_module(name):
    p = RUST / f"{name}.wasm"
    assert p.exists(), f"{p} is missing: run `make guests`"
    return p


def test_rust_guests_over_files_and_a_directory(tmp_path):
    (tmp_path / "a.txt").write_text("alpha beta\ngamma\n")
    (tmp_path / "b.txt").write_text("beta beta\n")
    with Host() as host:
        with host.load_file(guest_module("lines")) as g:
            v = g.attach_file("a.txt", tmp_path / "a.txt")
            assert v.len == 17 and not v.writable and v.addr % 65536 == 0
            assert g.call("run") == [2]
            assert g.output() == b"2 3 17 a.txt\n"
        with host.load_file(guest_module("search")) as g:
            assert g.attach_dir(tmp_path) == 2
            g.set_args(["beta"])
            assert g.call("run") == [3]
            assert g.output() == b"a.txt:1\nb.txt:2\n"


def test_ranges_read_write_views_and_traps(tmp_path):
    f = tmp_path / "data.bin"
    f.write_bytes(bytes(range(256)) * 20)
    with Host() as host, host.load(PEEK) as g:
        v = g.attach_file("part", f, offset=4100, length=16)
        assert g.call("peek", v.addr) == [4100 % 256]
        with pytest.raises(WasmTrap, match="read-only view"):
            g.call("poke", v.addr, 1)
        rw = g.attach_file("rw", f, writable=True)
        g.call("poke", rw.addr + 3, 0xAB)
        g.flush()
        assert f.read_bytes()[3] == 0xAB
        with pytest.raises(WasmTrap):
            g.call("peek", 0x7FFFFFF0)
        assert g.call("peek", v.addr + 1) == [4101 % 256], "the guest goes on after traps"


def test_limits_and_bad_modules(tmp_path):
    with Host(timeout_ms=100) as host, host.load(PEEK) as g:
        with pytest.raises(WasmTimeout, match="time limit"):
            g.call("spin")
    with Host() as host:
        with pytest.raises(WasmModuleError, match="not a valid guest module"):
            host.load(b"not wasm")
        with pytest.raises(NotFoundError):
            host.load_file(tmp_path / "missing.wasm")
        with host.load(PEEK) as g:
            with pytest.raises(WasmError, match="no function"):
                g.call("absent")
            with pytest.raises(NotFoundError):
                g.attach_file("x", tmp_path / "missing.bin")
        g.close()
        g.close()  # idempotent
        with pytest.raises(ClosedError):
            g.call("peek", 0)


def test_a_file_truncated_by_another_process_is_an_error(tmp_path):
    f = tmp_path / "big.bin"
    f.write_bytes(b"\x01" * (1 << 20))
    with Host() as host, host.load_file(guest_module("sum")) as g:
        g.attach_file("big", f)
        words = (1 << 20) // 8
        total = words * 0x0101010101010101 % (1 << 64)
        signed = total - (1 << 64) if total >= 1 << 63 else total
        assert g.call("sum_view", 0) == [signed]
        subprocess.run(["truncate", "-s", "4096", str(f)], check=True)
        with pytest.raises(WasmViewTruncated, match="truncated"):
            g.call("run")
