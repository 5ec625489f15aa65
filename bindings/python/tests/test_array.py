"""MmapArray: create, open, from_array, views, aggregates and errors."""

import gc

import numpy as np
import pytest

import mapview
from mapview import ClosedError, CorruptError, MmapArray, UnsupportedError

DTYPES = ["?", "u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8", "f2", "f4", "f8"]


def sample(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    n = int(np.prod(shape))
    if dt.kind == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        info = np.iinfo(dt)
        v = rng.integers(max(info.min, -1000), min(info.max, 1000), n, endpoint=True).astype(dt)
    else:
        v = (rng.standard_normal(n) * 10).astype(dt)
    return v.reshape(shape)


def test_create_write_read(tmp_path):
    path = tmp_path / "a.npy"
    arr = MmapArray.create(path, shape=(100,), dtype=np.float64)
    arr[:] = np.arange(100, dtype=np.float64)
    arr.flush()
    arr.close()
    with MmapArray(path) as b:
        assert b[0] == 0.0 and b[99] == 99.0
        assert b.sum() == sum(range(100))
        assert b.info.is_readonly
        assert b.info.format == "npy" and b.info.npy_version == (1, 0)


def test_create_with_fill_value_and_info(tmp_path):
    with MmapArray.create(tmp_path / "f.npy", shape=(50, 2), dtype=np.float32, fill_value=42.0) as a:
        assert a[0, 0] == 42.0 and a[49, 1] == 42.0
        info = a.info
        assert info.shape == (50, 2)
        assert info.dtype == np.float32
        assert info.size_bytes == 400
        assert info.is_readonly is False
        assert info.data_offset == 128
        assert len(a) == 50 and a.ndim == 2 and a.size == 100 and a.nbytes == 400


def test_create_never_overwrites(tmp_path):
    path = tmp_path / "x.npy"
    MmapArray.create(path, (3,)).close()
    with pytest.raises(FileExistsError):
        MmapArray.create(path, (3,))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("order", ["C", "F"])
def test_from_array_round_trip(tmp_path, dtype, order):
    src = sample(dtype, (4, 5, 3))
    src = np.asfortranarray(src) if order == "F" else np.ascontiguousarray(src)
    path = tmp_path / f"r_{dtype}_{order}.npy"
    with MmapArray.from_array(path, src) as a:
        assert a.order == order
        np.testing.assert_array_equal(a.array, src)
    # NumPy reads what mapview wrote, in the same order.
    loaded = np.load(path, mmap_mode="r")
    np.testing.assert_array_equal(loaded, src)
    assert loaded.dtype == src.dtype
    assert loaded.flags.f_contiguous == (order == "F")
    # And np.save writes the same bytes for C order (mapview writes what np.save writes).
    if order == "C":
        ref = tmp_path / f"ref_{dtype}.npy"
        np.save(ref, src)
        assert ref.read_bytes() == path.read_bytes()
    del loaded


@pytest.mark.parametrize("dtype", DTYPES)
def test_aggregates_match_numpy(tmp_path, dtype):
    src = sample(dtype, (1001, 3), seed=7)
    path = tmp_path / "agg.npy"
    np.save(path, src)
    with MmapArray(path) as a:
        for name in ("sum", "mean", "std", "min", "max"):
            got = getattr(a, name)()
            want = getattr(np, name)(src)
            assert np.asarray(got).dtype == np.asarray(want).dtype, (name, got, want)
            if dtype == "f2" and name in ("sum", "mean", "std"):
                # NumPy accumulates float16 reductions in float16 blocks, and
                # its std overflows to inf here; mapview accumulates in
                # float64 and rounds the result (docs/shared-memory-and-arrays.md).
                with np.errstate(over="ignore"):
                    want = getattr(np, name)(src.astype(np.float64)).astype(np.float16)
            if np.dtype(dtype).kind == "f":
                tol = {"f2": 2e-2, "f4": 1e-4, "f8": 1e-10}[dtype]
                np.testing.assert_allclose(float(got), float(want), rtol=tol, atol=tol)
            elif name in ("mean", "std"):
                np.testing.assert_allclose(got, want, rtol=1e-12)
            else:
                assert got == want, (name, got, want)
        ref = src.astype(np.float64) if dtype == "f2" else src
        np.testing.assert_allclose(a.std(ddof=1), np.std(ref, ddof=1), rtol=2e-2 if dtype == "f2" else 1e-6)


def test_f64_sum_close_to_pairwise():
    rng = np.random.default_rng(3)
    src = rng.standard_normal(3_000_001) * 1e6 + 1e9
    import tempfile, os
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "big.npy")
        np.save(p, src)
        with MmapArray(p) as a:
            got = a.sum()
            assert abs(got - np.sum(src)) <= 1e-12 * abs(np.sum(src)) * 10
            assert abs(a.mean() - np.mean(src)) <= 1e-12 * abs(np.mean(src)) * 10
            assert abs(a.std() - np.std(src)) <= 1e-6 * np.std(src)


def test_nan_and_integer_semantics(tmp_path):
    f = np.array([1.0, np.nan, 3.0])
    np.save(tmp_path / "nan.npy", f)
    with MmapArray(tmp_path / "nan.npy") as a:
        for name in ("sum", "mean", "std", "min", "max"):
            assert np.isnan(getattr(a, name)()), name
    big = np.array([np.iinfo(np.int64).max, 1], dtype=np.int64)
    np.save(tmp_path / "wrap.npy", big)
    with MmapArray(tmp_path / "wrap.npy") as a:
        with np.errstate(over="ignore"):
            assert a.sum() == np.sum(big)  # both wrap
    u = np.full(1000, 255, dtype=np.uint8)
    np.save(tmp_path / "u8.npy", u)
    with MmapArray(tmp_path / "u8.npy") as a:
        s = a.sum()
        assert s == 255000 and s.dtype == np.uint64
    e = np.zeros((0, 3), dtype=np.int16)
    np.save(tmp_path / "e.npy", e)
    with MmapArray(tmp_path / "e.npy") as a:
        assert a.sum() == 0
        with pytest.warns(RuntimeWarning):
            want = np.mean(e)
        assert np.isnan(a.mean()) and np.isnan(want)
        with pytest.raises(ValueError, match="zero-size"):
            a.min()
        with pytest.raises(ValueError):
            np.min(e)


def test_axis_reductions_are_numpys(tmp_path):
    src = sample("i4", (6, 7))
    with MmapArray.from_array(tmp_path / "ax.npy", src) as a:
        np.testing.assert_array_equal(a.sum(axis=0), src.sum(axis=0))
        np.testing.assert_array_equal(a.max(axis=1), src.max(axis=1))
        np.testing.assert_allclose(a.std(axis=0, ddof=1), src.std(axis=0, ddof=1))


def test_slicing_is_zero_copy(tmp_path):
    with MmapArray.create(tmp_path / "s.npy", (10, 10), dtype=np.int32) as a:
        a[2:4, :] = 7
        view = a[2:4]
        assert np.shares_memory(view, a.array)
        view[0, 0] = 99
        assert a[2, 0] == 99
        del view
        assert a.array.ctypes.data == a.array.ctypes.data


def test_read_only_cannot_be_written(tmp_path):
    MmapArray.create(tmp_path / "ro.npy", (10,)).close()
    with MmapArray(tmp_path / "ro.npy", mode="r") as a:
        with pytest.raises(ValueError):
            a[0] = 1.0
        with pytest.raises(ValueError):
            a.array.flags.writeable = True
        with pytest.raises(mapview.ReadOnlyError):
            a.flush()


def test_read_write_reaches_the_file(tmp_path):
    path = tmp_path / "rw.npy"
    np.save(path, np.zeros(5, dtype=np.int16))
    with MmapArray.open(path, mode="r+") as a:
        a[1] = 11
        a.flush()
    assert np.load(path)[1] == 11


def test_close_refuses_while_views_exist(tmp_path):
    a = MmapArray.create(tmp_path / "v.npy", (100,))
    view = a.array[10:20]
    mv = memoryview(a.array)
    with pytest.raises(BufferError):
        a.close()
    assert not a.closed
    a[0] = 5.0  # still usable after the refusal
    del view
    with pytest.raises(BufferError):
        a.close()
    mv.release()
    del mv
    a.close()
    assert a.closed
    a.close()  # twice is fine


def test_closed_array_raises_clearly(tmp_path):
    a = MmapArray.create(tmp_path / "c.npy", (4,))
    a.close()
    for touch in (lambda: a.array, lambda: a[0], lambda: a.sum(), lambda: a.mean(),
                  lambda: a.std(), lambda: a.min(), lambda: a.max(), a.flush,
                  lambda: a.__setitem__(0, 1.0), lambda: np.asarray(a)):
        with pytest.raises(ClosedError, match="closed"):
            touch()
    assert "closed" in repr(a)


def test_views_keep_the_mapping_alive_after_the_object_goes(tmp_path):
    a = MmapArray.create(tmp_path / "g.npy", (1000,), fill_value=3.0)
    view = a.array[500:]
    del a
    gc.collect()
    assert view.sum() == 1500.0  # still mapped: the view holds it


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npy"):
        MmapArray(tmp_path / "missing.npy")
    (tmp_path / "junk.npy").write_bytes(b"definitely not numpy")
    with pytest.raises(CorruptError, match="bad magic") as e:
        MmapArray(tmp_path / "junk.npy")
    assert str(tmp_path / "junk.npy") in str(e.value)
    with pytest.raises(UnsupportedError, match="complex"):
        MmapArray.create(tmp_path / "c.npy", (3,), dtype=np.complex64)
    with pytest.raises(UnsupportedError):
        MmapArray.create(tmp_path / "o.npy", (3,), dtype=object)
    with pytest.raises(UnsupportedError, match="big-endian|not supported"):
        MmapArray.create(tmp_path / "b.npy", (3,), dtype=">f8")
    with pytest.raises(ValueError, match="negative"):
        MmapArray.create(tmp_path / "n.npy", (-1,))
    with pytest.raises(mapview.InvalidArgumentError, match="too large"):
        MmapArray.create(tmp_path / "h.npy", (2**62, 8))
    with pytest.raises(ValueError, match="mode"):
        MmapArray(tmp_path / "junk.npy", mode="w")
    with pytest.raises(ValueError, match="order"):
        MmapArray.create(tmp_path / "o2.npy", (3,), order="X")
    with pytest.raises(ValueError, match="shape is for raw"):
        MmapArray(tmp_path / "junk.npy", shape=(3,))


def test_zero_d_and_empty(tmp_path):
    with MmapArray.from_array(tmp_path / "z.npy", np.float64(2.5)) as a:
        assert a.shape == () and a.sum() == 2.5
        with pytest.raises(TypeError):
            len(a)
    assert np.load(tmp_path / "z.npy") == 2.5
    with MmapArray.create(tmp_path / "e.npy", (0, 4), dtype=np.uint16) as e:
        assert e.array.shape == (0, 4) and e.size == 0
    assert np.load(tmp_path / "e.npy").shape == (0, 4)
