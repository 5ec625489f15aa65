"""save_binary_mmap / load_binary_mmap and raw MmapArray: headerless data."""

import numpy as np
import pytest

from mapview import InvalidArgumentError, MmapArray, load_binary_mmap, save_binary_mmap


def test_save_and_load(tmp_path):
    path = tmp_path / "b.bin"
    src = np.random.default_rng(0).standard_normal(1000)
    save_binary_mmap(path, src)
    assert path.read_bytes() == src.tobytes()
    loaded = load_binary_mmap(path, dtype=np.float64)
    np.testing.assert_array_equal(loaded, src)
    assert not loaded.flags.writeable


def test_load_with_shape_and_order(tmp_path):
    path = tmp_path / "s.bin"
    src = np.arange(100, dtype=np.float32).reshape(10, 10)
    save_binary_mmap(path, src.flatten())
    np.testing.assert_array_equal(load_binary_mmap(path, dtype=np.float32, shape=(10, 10)), src)
    f = load_binary_mmap(path, dtype=np.float32, shape=(10, 10), order="F")
    np.testing.assert_array_equal(f, src.flatten().reshape(10, 10, order="F"))
    np.testing.assert_array_equal(f, np.memmap(path, dtype=np.float32, shape=(10, 10), order="F"))


def test_load_with_unaligned_offset(tmp_path):
    path = tmp_path / "o.bin"
    data = np.arange(10, dtype=np.float64)
    with open(path, "wb") as f:
        f.write(b"HDR!")
        data.tofile(f)
    loaded = load_binary_mmap(path, dtype=np.float64, offset=4)
    np.testing.assert_array_equal(loaded, data)
    with MmapArray(path, dtype=np.float64, offset=4) as a:
        assert a.sum() == 45.0 and a.max() == 9.0  # unaligned data, mapview's kernels
        assert a.info.format == "raw"


def test_raw_read_write(tmp_path):
    path = tmp_path / "rw.bin"
    save_binary_mmap(path, np.zeros(8, dtype=np.int16))
    a = load_binary_mmap(path, dtype=np.int16, mode="r+")
    a[3] = 33
    del a
    assert np.fromfile(path, dtype=np.int16)[3] == 33


def test_raw_errors(tmp_path):
    path = tmp_path / "e.bin"
    path.write_bytes(b"x" * 10)
    with pytest.raises(InvalidArgumentError, match="whole number"):
        load_binary_mmap(path, dtype=np.float64)
    with pytest.raises(InvalidArgumentError, match="needs"):
        load_binary_mmap(path, dtype=np.uint8, shape=(11,))
    with pytest.raises(InvalidArgumentError, match="past the end"):
        load_binary_mmap(path, dtype=np.uint8, offset=11)
    with pytest.raises(FileNotFoundError):
        load_binary_mmap(tmp_path / "missing.bin")
    with pytest.raises(FileExistsError):
        save_binary_mmap(path, np.zeros(3))
    with pytest.raises(ValueError):
        load_binary_mmap(path, dtype="U3")
