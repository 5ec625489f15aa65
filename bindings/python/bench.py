"""mapview vs NumPy in one run: sum and mean over a cached float64 array.

mapview's kernels (through the C ABI, from Python) against NumPy's own
reductions over np.load(path, mmap_mode='r') of the same file, both maps
warm (faulted in before timing), interleaved, best of N. Also the cost of
a cache hit, from Python and through the C ABI alone.

Environment: MAPVIEW_BENCH_SIZE_MB (default 1024), MAPVIEW_BENCH_DIR
(default: the system temporary directory), MAPVIEW_BENCH_RUNS (default 9).
"""

import ctypes
import os
import platform
import tempfile
import time

import numpy as np

import mapview
from mapview import _lib


def best(fn, runs):
    t = float("inf")
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return out, t


def report(name, ours, base, ratio, goal, met):
    print(f"{name:<34} {ours:<22} {base:<28} {ratio:<9} goal {goal:<8} {'goal met' if met else 'goal MISSED'}")


def main():
    size_mb = int(os.environ.get("MAPVIEW_BENCH_SIZE_MB", "1024"))
    runs = int(os.environ.get("MAPVIEW_BENCH_RUNS", "9"))
    base = os.environ.get("MAPVIEW_BENCH_DIR", tempfile.gettempdir())
    n = size_mb * (1 << 20) // 8
    print(f"mapview vs NumPy {np.__version__} (Python {platform.python_version()}): "
          f"{size_mb} MiB float64 .npy ({n} elements) in {base}, best of {runs}")
    with tempfile.TemporaryDirectory(dir=base) as d:
        path = os.path.join(d, "bench.npy")
        out = np.lib.format.open_memmap(path, mode="w+", dtype=np.float64, shape=(n,))
        rng = np.random.default_rng(1)
        step = 1 << 22
        for i in range(0, n, step):
            out[i : i + step] = rng.standard_normal(min(step, n - i))
        out.flush()
        del out
        ours = mapview.MmapArray(path)
        theirs = np.load(path, mmap_mode="r")
        # Warm: the page cache and both processes' page tables.
        ours.sum(), theirs.sum(), ours.sum(), theirs.sum()
        gb = n * 8 / 1e9
        for name, f_ours, f_theirs in [
            ("sum, float64", ours.sum, theirs.sum),
            ("mean, float64", ours.mean, theirs.mean),
        ]:
            t_ours = t_theirs = float("inf")
            for _ in range(runs):  # interleaved
                v_ours, t = best(f_ours, 1)
                t_ours = min(t_ours, t)
                v_theirs, t = best(f_theirs, 1)
                t_theirs = min(t_theirs, t)
            rel = abs(float(v_ours) - float(v_theirs)) / max(abs(float(v_theirs)), 1e-300)
            print(f"  {name}: mapview {float(v_ours)!r}, NumPy {float(v_theirs)!r} (relative difference {rel:.1e})")
            report(
                name,
                f"{gb / t_ours:.2f} GB/s ({t_ours * 1e3:.1f} ms)",
                f"NumPy {gb / t_theirs:.2f} GB/s ({t_theirs * 1e3:.1f} ms)",
                f"{t_theirs / t_ours:.2f}x",
                ">= 1.0x",
                t_theirs >= t_ours,
            )
        for name, f_ours, f_theirs in [
            ("std, float64", ours.std, theirs.std),
            ("min, float64", ours.min, theirs.min),
        ]:
            _, t_ours = best(f_ours, 3)
            _, t_theirs = best(f_theirs, 3)
            print(f"{name:<34} {gb / t_ours:.2f} GB/s vs NumPy {gb / t_theirs:.2f} GB/s: {t_theirs / t_ours:.2f}x (no goal)")
        ours.close()
        del theirs

        # Cache hits.
        small = os.path.join(d, "small.npy")
        np.save(small, np.arange(512, dtype=np.float64))
        cache = mapview.MmapCache(max_maps=16)
        cache.get(small).close()
        hits = 20000
        _, t = best(lambda: [cache.get(small).close() for _ in range(hits)], 3)
        py_ns = t / hits * 1e9
        h = cache._handle.value
        p = _lib.path_arg(small)
        m = _lib.CachedMap()
        ptr, ln = _lib.out_ptr()
        get, rel = _lib.lib.mapview_cache_get, _lib.lib.mapview_cached_map_release
        ref = ctypes.byref

        def abi_hits():
            for _ in range(hits):
                get(h, p, len(p), ref(m), ref(ptr), ref(ln), None)
                rel(m)

        _, t = best(abi_hits, 3)
        abi_ns = t / hits * 1e9
        _, t = best(lambda: [mapview.MmapArray(small).close() for _ in range(2000)], 3)
        open_ns = t / 2000 * 1e9
        report(
            "cache hit from Python",
            f"{py_ns / 1000:.1f} us (MmapArray)",
            f"open + map + close {open_ns / 1000:.1f} us",
            f"{open_ns / py_ns:.1f}x",
            "faster",
            py_ns < open_ns,
        )
        print(f"{'cache hit through the C ABI':<34} {abi_ns:.0f} ns per get + release (ctypes calls included)")
        cache.close()


if __name__ == "__main__":
    main()
