"""Files NumPy writes open in mapview with the right values; hostile
headers give clear errors."""

import numpy as np
import pytest

from mapview import CorruptError, MmapArray, UnsupportedError, open_npy

from test_array import DTYPES, sample


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (7,), (3, 4), (2, 3, 4, 1)])
@pytest.mark.parametrize("order", ["C", "F"])
def test_np_save_opens(tmp_path, dtype, shape, order):
    src = sample(dtype, shape)
    src = np.asfortranarray(src) if order == "F" else np.ascontiguousarray(src)
    path = tmp_path / "n.npy"
    np.save(path, src)
    with MmapArray(path) as a:
        assert a.shape == src.shape and a.dtype == src.dtype
        expect_f = order == "F" and len(shape) > 1 and not src.flags.c_contiguous
        assert a.order == ("F" if expect_f else "C")
        np.testing.assert_array_equal(a.array, src)


@pytest.mark.parametrize("version", [(1, 0), (2, 0), (3, 0)])
@pytest.mark.parametrize("dtype", ["f8", "i2", "?", "f2"])
def test_forced_versions(tmp_path, version, dtype):
    src = sample(dtype, (5, 6))
    path = tmp_path / f"v{version[0]}.npy"
    with open(path, "wb") as f:
        np.lib.format.write_array(f, np.asfortranarray(src), version=version)
    with MmapArray(path) as a:
        assert a.info.npy_version == version
        np.testing.assert_array_equal(a.array, src)
        assert a.sum() == np.sum(src) or np.isclose(float(a.sum()), float(np.sum(src)), rtol=1e-2)


def test_versions_numpy_picks_for_itself(tmp_path):
    # NumPy writes 3.0 when the header has non-latin-1 characters (field
    # names) and 2.0 when it is longer than 65535 bytes: both happen only
    # with structured dtypes, which mapview reports as unsupported.
    s3 = np.zeros(3, dtype=[("\u4e2d", "<f8")])
    np.save(tmp_path / "v3.npy", s3)
    assert (tmp_path / "v3.npy").read_bytes()[6] == 3
    with pytest.raises(UnsupportedError, match="structured"):
        MmapArray(tmp_path / "v3.npy")
    s2 = np.zeros(1, dtype=[(f"field{i:05d}", "<f8") for i in range(3000)])
    np.save(tmp_path / "v2.npy", s2)
    assert (tmp_path / "v2.npy").read_bytes()[6] == 2
    with pytest.raises(UnsupportedError, match="structured"):
        MmapArray(tmp_path / "v2.npy")


def test_open_npy_returns_a_plain_view(tmp_path):
    np.save(tmp_path / "p.npy", np.arange(10))
    a = open_npy(tmp_path / "p.npy")
    assert isinstance(a, np.ndarray) and a.sum() == 45
    assert not a.flags.writeable


def header(dict_text, version=1):
    body = dict_text.encode("latin1") + b"\n"
    if version == 1:
        return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body
    return b"\x93NUMPY" + bytes([version, 0]) + len(body).to_bytes(4, "little") + body


HOSTILE = [
    (b"NUMPY\x01\x00garbage", CorruptError, "bad magic"),
    (b"\x93NUMPY\x01", CorruptError, "malformed"),
    (b"\x93NUMPY\x01\x00\xff\xff{'descr'", CorruptError, "truncated"),
    (b"\x93NUMPY\x07\x00\x00\x00", UnsupportedError, "version 7.0"),
    (header("{'descr': '<f8', 'fortran_order': False, 'shape': (100000000000,), }"), CorruptError, "needs"),
    (header("{'descr': '<f8', 'fortran_order': False, 'shape': (9223372036854775807, 9223372036854775807), }"), CorruptError, "overflows"),
    (header("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }"), CorruptError, "too large"),
    (header("{'descr': '<q9', 'fortran_order': False, 'shape': (1,), }"), UnsupportedError, "unsupported dtype"),
    (header("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }"), UnsupportedError, "big-endian"),
    (header("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }"), UnsupportedError, "object"),
    (header("{'descr': '<f8', 'fortran_order': False, 'shape': (1,}"), CorruptError, "malformed"),
    (header("{'descr': '<f8' 'fortran_order': False, 'shape': (1,), }"), CorruptError, "malformed"),
    (header("{'descr': '<f8', 'fortran_order': False, 'shape': [1], }"), CorruptError, "not a tuple"),
    (header("__import__('os').system('true')"), CorruptError, "malformed"),
    (header("(" * 5000), CorruptError, "nested"),
]


@pytest.mark.parametrize("data,exc,needle", HOSTILE)
def test_hostile_headers(tmp_path, data, exc, needle):
    path = tmp_path / "bad.npy"
    path.write_bytes(data + b"\0" * 64)
    with pytest.raises(exc, match=needle) as e:
        MmapArray(path)
    assert str(path) in str(e.value)


def test_many_mutated_numpy_headers(tmp_path):
    """Bytes of real np.save headers changed at random: a clean error or a
    valid array, never a crash."""
    rng = np.random.default_rng(11)
    path = tmp_path / "m.npy"
    base = tmp_path / "base.npy"
    np.save(base, np.arange(24, dtype="<i4").reshape(4, 6))
    good = base.read_bytes()
    outcomes = {"ok": 0, "error": 0}
    for i in range(600):
        b = bytearray(good)
        for _ in range(rng.integers(1, 4)):
            pos = int(rng.integers(0, 128))
            b[pos] = int(rng.integers(0, 256))
        path.write_bytes(bytes(b))
        try:
            with MmapArray(path) as a:
                a.sum()
            outcomes["ok"] += 1
        except (CorruptError, UnsupportedError):
            outcomes["error"] += 1
    assert outcomes["error"] > 100
