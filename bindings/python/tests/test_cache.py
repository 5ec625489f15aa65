"""MmapCache: hits are the same mapping, LRU eviction, threads."""

import threading

import numpy as np
import pytest

from mapview import ClosedError, CorruptError, MmapCache


def make(tmp_path, n):
    paths = []
    for i in range(n):
        p = tmp_path / f"c{i}.npy"
        np.save(p, np.full(100, i, dtype=np.int32))
        paths.append(p)
    return paths


def test_hit_returns_the_same_mapping(tmp_path):
    (p,) = make(tmp_path, 1)
    cache = MmapCache(max_maps=10)
    a = cache.get(p)
    b = cache.get(p)
    assert a.array.ctypes.data == b.array.ctypes.data
    assert a.sum() == 0 and not a.writable
    assert len(cache) == 1 and p in cache
    s = cache.stats
    assert (s.hits, s.misses) == (1, 1)
    a.close()
    b.close()
    cache.close()


def test_lru_eviction(tmp_path):
    paths = make(tmp_path, 3)
    cache = MmapCache(max_size=2)
    for p in paths[:2]:
        cache.get_or_create(p).close()
    assert len(cache) == 2 and paths[0] in cache and paths[1] in cache
    cache.get_or_create(paths[2]).close()
    assert len(cache) == 2
    assert paths[0] not in cache and paths[1] in cache and paths[2] in cache
    assert cache.stats.evictions == 1
    cache.clear()
    assert len(cache) == 0


def test_held_arrays_are_not_evicted(tmp_path):
    paths = make(tmp_path, 3)
    cache = MmapCache(max_maps=1)
    held = cache.get(paths[0])
    cache.get(paths[1]).close()
    assert paths[0] in cache  # held: never closed
    assert held.max() == 0
    held.close()
    cache.trim()
    assert paths[0] not in cache


def test_raw_bytes_and_invalidate(tmp_path):
    p = tmp_path / "raw.bin"
    p.write_bytes(b"hello cache")
    cache = MmapCache(max_maps=4, max_bytes=1 << 20)
    mv = cache.get_bytes(p)
    assert bytes(mv) == b"hello cache"
    raw = cache.get(p, dtype=np.uint8)
    assert raw.shape == (11,)
    raw.close()
    assert cache.invalidate(p) and not cache.invalidate(p)
    assert bytes(mv) == b"hello cache"  # the view still holds the map
    del mv


def test_errors(tmp_path):
    cache = MmapCache(4)
    with pytest.raises(FileNotFoundError):
        cache.get(tmp_path / "missing.npy")
    (tmp_path / "bad.npy").write_bytes(b"not numpy at all")
    with pytest.raises(CorruptError, match="bad.npy"):
        cache.get(tmp_path / "bad.npy")
    with pytest.raises(ValueError):
        MmapCache(-1)
    with pytest.raises(ValueError):
        cache.get_or_create(tmp_path / "x", mode="r+")
    cache.close()
    with pytest.raises(ClosedError):
        cache.get(tmp_path / "bad.npy")
    with pytest.raises(ClosedError):
        len(cache)


def test_threads(tmp_path):
    paths = make(tmp_path, 8)
    cache = MmapCache(max_maps=3)
    problems = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(300):
            i = int(rng.integers(0, 8))
            a = cache.get(paths[i])
            if a.max() != i:
                problems.append(i)
            a.close()

    threads = [threading.Thread(target=work, args=(s,)) for s in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    cache.trim()
    assert len(cache) <= 3
    s = cache.stats
    assert s.hits + s.misses == 1800
