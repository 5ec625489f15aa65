"""SharedMemoryArray: create/open/unlink, and real processes (multiprocessing
with spawn) writing and reading the same memory."""

import multiprocessing as mp
import os
import pickle
import time

import numpy as np
import pytest

import mapview
from mapview import SharedMemoryArray, unlink_shared

CTX = mp.get_context("spawn")


def test_create_open_unlink(shm_name):
    a = SharedMemoryArray.create((100,), dtype=np.float64, name=shm_name)
    a[:] = np.arange(100)
    b = SharedMemoryArray.open(shm_name)
    assert b.shape == (100,) and b.dtype == np.float64
    assert b[99] == 99.0
    b[0] = -1.0
    assert a[0] == -1.0
    assert a.sum() == b.sum() == np.arange(100).sum() - 1
    with pytest.raises(FileExistsError):
        SharedMemoryArray.create((3,), name=shm_name)
    a.unlink()
    with pytest.raises(FileNotFoundError):
        SharedMemoryArray.open(shm_name)
    assert b[50] == 50.0  # open mappings survive the unlink
    a.close()
    b.close()


def test_memfd_region_is_sealed():
    with SharedMemoryArray.create((4, 4), dtype=np.int32) as a:
        assert a.name is None and a.sealed
        a.unlink()  # nothing to remove


def test_bad_names(shm_name):
    for bad in ["", "a/b", "x" * 256]:
        with pytest.raises(mapview.InvalidArgumentError):
            SharedMemoryArray.create((3,), name=bad)
    with pytest.raises(FileNotFoundError):
        SharedMemoryArray.open(shm_name)
    with pytest.raises(FileNotFoundError):
        unlink_shared(shm_name)
    with pytest.raises(mapview.UnsupportedError):
        SharedMemoryArray.create((3,), dtype=np.complex128)


def test_closed_and_views(shm_name):
    a = SharedMemoryArray.create((10,), dtype=np.uint8, name=shm_name)
    v = a.array[2:5]
    with pytest.raises(BufferError):
        a.close()
    del v
    a.close()
    with pytest.raises(mapview.ClosedError):
        a[0]
    with pytest.raises(mapview.ClosedError):
        pickle.dumps(a)
    unlink_shared(shm_name)


# ---- workers (module level, so spawned processes can import them) ----------


def _writer(arr, rounds):
    # Round r: fill slot 1.. with r, then publish r in slot 0.
    for r in range(1, rounds + 1):
        arr[1:] = r
        arr[0] = r
    arr.close()


def _reader(arr, rounds, idx, results):
    seen = 0
    deadline = time.time() + 60
    while seen < rounds and time.time() < deadline:
        r = int(arr[0])
        if r > seen:
            seen = r
    results[idx] = (seen, int(arr.sum()))
    arr.close()


def _child_writes(name, value):
    with SharedMemoryArray.open(name) as a:
        a[:] = value
        return None


def _child_sum_by_name(name, q):
    with SharedMemoryArray.open(name) as a:
        q.put((float(a.sum()), a.shape, str(a.dtype)))


@pytest.mark.parametrize("named", [True, False])
def test_writer_and_readers_across_processes(shm_name, named):
    rounds = 50
    arr = SharedMemoryArray.create((1000,), dtype=np.int64, name=shm_name if named else None)
    manager_results = CTX.Manager().dict()
    readers = [CTX.Process(target=_reader, args=(arr, rounds, i, manager_results)) for i in range(3)]
    for p in readers:
        p.start()
    time.sleep(0.5)
    writer = CTX.Process(target=_writer, args=(arr, rounds))
    writer.start()
    writer.join(60)
    for p in readers:
        p.join(60)
    assert writer.exitcode == 0
    assert all(p.exitcode == 0 for p in readers)
    for i in range(3):
        seen, _total = manager_results[i]
        assert seen == rounds
    # The parent sees the writer's last round.
    assert arr[0] == rounds and (arr.array[1:] == rounds).all()
    arr.close()
    if named:
        unlink_shared(shm_name)


def test_parent_sees_child_writes_and_child_sees_parent(shm_name):
    a = SharedMemoryArray.create((5, 5), dtype=np.float32, name=shm_name)
    a[:] = 1.5
    q = CTX.Queue()
    p = CTX.Process(target=_child_sum_by_name, args=(shm_name, q))
    p.start()
    total, shape, dtype = q.get(timeout=60)
    p.join(60)
    assert (total, shape, dtype) == (37.5, (5, 5), "float32")
    p = CTX.Process(target=_child_writes, args=(shm_name, 7.0))
    p.start()
    p.join(60)
    assert p.exitcode == 0
    assert float(a.sum()) == 175.0
    a.close()
    unlink_shared(shm_name)


def test_pool_over_memfd_region():
    a = SharedMemoryArray.create((8,), dtype=np.int32)
    a[:] = np.arange(8)
    with CTX.Pool(2) as pool:
        sums = pool.starmap(_sum_slice, [(a, 0, 4), (a, 4, 8)])
    assert sums == [6, 22]
    a.close()


def _sum_slice(arr, lo, hi):
    out = int(arr.array[lo:hi].sum())
    return out


def test_stdlib_shared_memory_interop(shm_name):
    # A named region is a file in /dev/shm: Python's own shared_memory opens it.
    from multiprocessing import shared_memory, resource_tracker

    a = SharedMemoryArray.create((16,), dtype=np.uint8, name=shm_name)
    a[:] = 9
    s = shared_memory.SharedMemory(name=shm_name)
    try:
        raw = np.frombuffer(s.buf, dtype=np.uint8)
        assert raw[:6].tobytes() == b"\x93NUMPY"
        assert raw[-16:].sum() == 9 * 16
        del raw
    finally:
        s.close()
        resource_tracker.unregister(s._name, "shared_memory")
    a.close()
    unlink_shared(shm_name)
    assert not os.path.exists(f"/dev/shm/{shm_name}")
