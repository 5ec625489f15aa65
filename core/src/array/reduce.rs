//! Aggregates over the elements of an array (sum, mean, std, min, max),
//! with NumPy's result types and NaN rules.
//!
//! The kernels read little-endian elements from bytes at any alignment
//! and keep 16 independent accumulators, so the compiler turns the inner
//! loop into SIMD instructions without reassociating anything itself.
//! Floating-point sums run over blocks of 16384 elements whose totals are
//! combined pairwise, so the rounding error grows like NumPy's pairwise
//! summation (O(log n)), not like a running sum (O(n)). Float sums over
//! 32 MiB or more run in 8 fixed parts on up to 8 threads (the result
//! does not depend on the core count).

use super::dtype::{DType, f16_to_f64, round_to_f16};

/// Independent accumulators per kernel: 16 x 8 bytes is four AVX2 or
/// eight SSE2 registers, enough to hide the latency of the adds.
const LANES: usize = 16;

/// Elements summed per block before the block's total joins the pairwise tree.
const BLOCK: usize = 16384;

/// A value of one of the result types.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
}

/// The result of an aggregate: its value and the NumPy dtype the same
/// reduction has in NumPy (`np.sum` of int8 is int64, of float32 is
/// float32, ...). Float results are rounded to that dtype's precision.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scalar {
    pub dtype: DType,
    pub value: Value,
}

impl Scalar {
    /// The value as an `f64` (integers above 2^53 lose precision).
    pub fn as_f64(&self) -> f64 {
        match self.value {
            Value::Bool(b) => f64::from(u8::from(b)),
            Value::I64(v) => v as f64,
            Value::U64(v) => v as f64,
            Value::F64(v) => v,
        }
    }

    fn float(dtype: DType, v: f64) -> Scalar {
        let v = match dtype {
            DType::F16 => round_to_f16(v),
            DType::F32 => v as f32 as f64,
            _ => v,
        };
        Scalar {
            dtype,
            value: Value::F64(v),
        }
    }
}

/// How far ahead of the loads the kernels ask for data (a software
/// prefetch per 128 bytes). Measured on the benchmark machine: 1 KiB helps
/// a little, 4 KiB and more hurt.
const PREFETCH_AHEAD: usize = 1024;

/// A hint that `p` will be read soon. Never faults, whatever `p` is.
#[inline(always)]
fn prefetch(p: *const u8) {
    // SAFETY: SSE is part of the x86-64 baseline, and a prefetch only
    // hints the cache: it never dereferences or faults on `p`.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// `acc` folded over `data` as elements of `S` bytes, in `LANES`
/// independent lanes plus one for the tail.
#[inline(always)]
fn fold<const S: usize, A: Copy>(
    data: &[u8],
    init: A,
    f: impl Fn(A, [u8; S]) -> A,
) -> ([A; LANES], A) {
    let mut acc = [init; LANES];
    let mut chunks = data.chunks_exact(S * LANES);
    for c in &mut chunks {
        prefetch(c.as_ptr().wrapping_add(PREFETCH_AHEAD));
        for (i, a) in acc.iter_mut().enumerate() {
            let mut e = [0u8; S];
            e.copy_from_slice(&c[i * S..(i + 1) * S]);
            *a = f(*a, e);
        }
    }
    let mut tail = init;
    for c in chunks.remainder().chunks_exact(S) {
        let mut e = [0u8; S];
        e.copy_from_slice(c);
        tail = f(tail, e);
    }
    (acc, tail)
}

/// Sums the lanes pairwise.
fn tree(acc: [f64; LANES]) -> f64 {
    let mut v = acc;
    let mut n = LANES;
    while n > 1 {
        n /= 2;
        for i in 0..n {
            v[i] += v[i + n];
        }
    }
    v[0]
}

/// Combines block totals pairwise: a binary counter of partial sums, so
/// each total is added to others of the same weight.
#[derive(Default)]
struct Pairwise {
    stack: Vec<(u32, f64)>,
}

impl Pairwise {
    fn push(&mut self, mut x: f64) {
        let mut level = 0;
        while let Some(&(l, y)) = self.stack.last() {
            if l != level {
                break;
            }
            self.stack.pop();
            x += y;
            level += 1;
        }
        self.stack.push((level, x));
    }

    fn total(self) -> f64 {
        self.stack.iter().rev().fold(0.0, |s, &(_, x)| s + x)
    }
}

/// Sum of `f(element)` over all elements, in f64 with blocks combined pairwise.
#[inline(always)]
fn float_sum<const S: usize>(data: &[u8], f: impl Fn([u8; S]) -> f64 + Copy + Sync) -> f64 {
    in_parts(data, BLOCK * S, |part| float_sum_serial::<S>(part, f))
}

#[inline(always)]
fn float_sum_serial<const S: usize>(data: &[u8], f: impl Fn([u8; S]) -> f64 + Copy) -> f64 {
    let mut p = Pairwise::default();
    for block in data.chunks(BLOCK * S) {
        let (acc, tail) = fold::<S, f64>(block, 0.0, |a, e| a + f(e));
        p.push(tree(acc) + tail);
    }
    p.total()
}

/// Arrays at least this big are summed by several threads.
const PARALLEL_MIN: usize = 32 << 20;

/// Large data is summed in this many contiguous parts (split on block
/// boundaries), whatever the number of cores: the parts' totals are
/// combined in the same order on every machine, so results do not depend
/// on the core count.
const PARTS: usize = 8;

/// `sum(data)` for data below PARALLEL_MIN; above it, the sum of `sum`
/// over PARTS parts computed by up to PARTS threads (one per core), the
/// totals added pairwise. A thread that cannot be started leaves its
/// parts to the calling thread.
fn in_parts(data: &[u8], block_bytes: usize, sum: impl Fn(&[u8]) -> f64 + Sync) -> f64 {
    if data.len() < PARALLEL_MIN {
        return sum(data);
    }
    let blocks = data.len().div_ceil(block_bytes);
    let per_part = blocks.div_ceil(PARTS) * block_bytes;
    let parts: Vec<&[u8]> = data.chunks(per_part).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(parts.len());
    let mut totals = vec![0.0f64; parts.len()];
    if threads <= 1 {
        for (t, p) in totals.iter_mut().zip(&parts) {
            *t = sum(p);
        }
    } else {
        let sum = &sum;
        let parts = &parts;
        std::thread::scope(|scope| {
            // Thread k takes parts k, k + threads, ...; the caller takes k = 0.
            let work = move |k: usize| -> Vec<(usize, f64)> {
                (k..parts.len())
                    .step_by(threads)
                    .map(|i| (i, sum(parts[i])))
                    .collect()
            };
            let handles: Vec<_> = (1..threads)
                .map(|k| {
                    (
                        k,
                        std::thread::Builder::new().spawn_scoped(scope, move || work(k)),
                    )
                })
                .collect();
            let mut results = work(0);
            for (k, h) in handles {
                match h.map_err(drop).and_then(|h| h.join().map_err(drop)) {
                    Ok(r) => results.extend(r),
                    Err(()) => results.extend(work(k)),
                }
            }
            for (i, t) in results {
                totals[i] = t;
            }
        });
    }
    tree_of(&totals)
}

/// Pairwise sum of a few totals, in order.
fn tree_of(v: &[f64]) -> f64 {
    match v.len() {
        0 => 0.0,
        1 => v[0],
        n => tree_of(&v[..n / 2]) + tree_of(&v[n / 2..]),
    }
}

/// The float64 sum, the kernel the benchmarks measure: on x86-64 with
/// AVX2 the same code compiled for 256-bit vectors, chosen at run time.
fn f64_sum(data: &[u8]) -> f64 {
    in_parts(data, BLOCK * 8, f64_sum_serial)
}

fn f64_sum_serial(data: &[u8]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx2")]
        fn avx2(data: &[u8]) -> f64 {
            float_sum_serial::<8>(data, f64::from_le_bytes)
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2 (checked just above), the only
            // requirement of a function compiled with it enabled.
            return unsafe { avx2(data) };
        }
    }
    float_sum_serial::<8>(data, f64::from_le_bytes)
}

fn i64_sum<const S: usize>(data: &[u8], f: impl Fn([u8; S]) -> i64) -> i64 {
    let (acc, tail) = fold::<S, i64>(data, 0, |a, e| a.wrapping_add(f(e)));
    acc.iter().fold(tail, |s, &a| s.wrapping_add(a))
}

fn u64_sum<const S: usize>(data: &[u8], f: impl Fn([u8; S]) -> u64) -> u64 {
    let (acc, tail) = fold::<S, u64>(data, 0, |a, e| a.wrapping_add(f(e)));
    acc.iter().fold(tail, |s, &a| s.wrapping_add(a))
}

/// Calls `$body` with `$load`: a function from an element's bytes to a
/// number of the kind NumPy accumulates it in (i64, u64 or f64).
macro_rules! dispatch {
    ($dtype:expr, $data:expr, |$load_i:ident| $int:expr, |$load_u:ident| $uint:expr, |$load_f:ident| $float:expr) => {
        match $dtype {
            DType::Bool => {
                let $load_i = |e: [u8; 1]| i64::from(e[0] != 0);
                $int
            }
            DType::I8 => {
                let $load_i = |e: [u8; 1]| i64::from(i8::from_le_bytes(e));
                $int
            }
            DType::I16 => {
                let $load_i = |e: [u8; 2]| i64::from(i16::from_le_bytes(e));
                $int
            }
            DType::I32 => {
                let $load_i = |e: [u8; 4]| i64::from(i32::from_le_bytes(e));
                $int
            }
            DType::I64 => {
                let $load_i = |e: [u8; 8]| i64::from_le_bytes(e);
                $int
            }
            DType::U8 => {
                let $load_u = |e: [u8; 1]| u64::from(e[0]);
                $uint
            }
            DType::U16 => {
                let $load_u = |e: [u8; 2]| u64::from(u16::from_le_bytes(e));
                $uint
            }
            DType::U32 => {
                let $load_u = |e: [u8; 4]| u64::from(u32::from_le_bytes(e));
                $uint
            }
            DType::U64 => {
                let $load_u = |e: [u8; 8]| u64::from_le_bytes(e);
                $uint
            }
            DType::F16 => {
                let $load_f = |e: [u8; 2]| f16_to_f64(u16::from_le_bytes(e));
                $float
            }
            DType::F32 => {
                let $load_f = |e: [u8; 4]| f64::from(f32::from_le_bytes(e));
                $float
            }
            DType::F64 => {
                let $load_f = |e: [u8; 8]| f64::from_le_bytes(e);
                $float
            }
        }
    };
}

/// The sum, as `np.sum` computes it: bool and signed integers in int64,
/// unsigned integers in uint64 (both wrapping on overflow, as NumPy's
/// do), floats in their own type (mapview accumulates them in f64 and
/// rounds the total, so float16/float32 results are at least as exact).
/// An empty array sums to 0.
pub fn sum(dtype: DType, data: &[u8]) -> Scalar {
    dispatch!(
        dtype,
        data,
        |load| Scalar {
            dtype: DType::I64,
            value: Value::I64(i64_sum(data, load))
        },
        |load| Scalar {
            dtype: DType::U64,
            value: Value::U64(u64_sum(data, load))
        },
        |load| Scalar::float(
            dtype,
            if dtype == DType::F64 {
                f64_sum(data)
            } else {
                float_sum(data, load)
            }
        )
    )
}

/// The dtype NumPy gives a mean or standard deviation: float64 for bool
/// and integers, the array's own type for floats.
fn float_result(dtype: DType) -> DType {
    if dtype.is_float() { dtype } else { DType::F64 }
}

/// Sum of all elements as f64 (integers converted first, as `np.mean` does).
fn sum_f64(dtype: DType, data: &[u8]) -> f64 {
    dispatch!(
        dtype,
        data,
        |load| float_sum(data, move |e| load(e) as f64),
        |load| float_sum(data, move |e| load(e) as f64),
        |load| if dtype == DType::F64 {
            f64_sum(data)
        } else {
            float_sum(data, load)
        }
    )
}

/// The mean (`np.mean`): NaN for an empty array, as NumPy's (which also warns).
pub fn mean(dtype: DType, data: &[u8]) -> Scalar {
    let n = data.len() / dtype.size();
    Scalar::float(float_result(dtype), sum_f64(dtype, data) / n as f64)
}

/// The standard deviation with `ddof` delta degrees of freedom
/// (`np.std(a, ddof=ddof)`): two passes, the mean first, then the squared
/// deviations. Divides by max(n - ddof, 0), so too few elements give
/// infinity or NaN as in NumPy.
pub fn std(dtype: DType, data: &[u8], ddof: u64) -> Scalar {
    let n = data.len() / dtype.size();
    let m = sum_f64(dtype, data) / n as f64;
    let sq = |x: f64| (x - m) * (x - m);
    let ss = dispatch!(
        dtype,
        data,
        |load| float_sum(data, move |e| sq(load(e) as f64)),
        |load| float_sum(data, move |e| sq(load(e) as f64)),
        |load| float_sum(data, move |e| sq(load(e)))
    );
    let dof = (n as u64).saturating_sub(ddof) as f64;
    Scalar::float(float_result(dtype), (ss / dof).sqrt())
}

/// Which extreme `extreme` finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extreme {
    Min,
    Max,
}

/// The minimum or maximum (`np.min` / `np.max`), in the array's dtype. A
/// NaN anywhere makes the result NaN, as in NumPy. `None` for an empty
/// array, which has neither.
pub fn extreme(dtype: DType, data: &[u8], which: Extreme) -> Option<Scalar> {
    if data.len() < dtype.size() {
        return None;
    }
    let max = which == Extreme::Max;
    let value = dispatch!(
        dtype,
        data,
        |load| {
            let init = if max { i64::MIN } else { i64::MAX };
            let (acc, tail) = fold(data, init, |a, e| {
                let x = load(e);
                if max { a.max(x) } else { a.min(x) }
            });
            let v = acc
                .iter()
                .fold(tail, |s, &a| if max { s.max(a) } else { s.min(a) });
            if dtype == DType::Bool {
                Value::Bool(v != 0)
            } else {
                Value::I64(v)
            }
        },
        |load| {
            let init = if max { 0 } else { u64::MAX };
            let (acc, tail) = fold(data, init, |a, e| {
                let x = load(e);
                if max { a.max(x) } else { a.min(x) }
            });
            Value::U64(
                acc.iter()
                    .fold(tail, |s, &a| if max { s.max(a) } else { s.min(a) }),
            )
        },
        |load| Value::F64(float_extreme(data, load, max))
    );
    Some(Scalar { dtype, value })
}

#[inline(always)]
fn float_extreme<const S: usize>(data: &[u8], load: impl Fn([u8; S]) -> f64, max: bool) -> f64 {
    // Each lane keeps its extreme with a plain compare-and-select (which
    // never picks NaN: comparisons with NaN are false), and a probe sums
    // `x * 0.0`, which stays 0 unless x is NaN or infinite. Both vectorise.
    // Only when a probe is not 0 is the data scanned once more for a NaN.
    let init = if max {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    let mut best = [init; LANES];
    let mut probe = [0.0f64; LANES];
    let mut chunks = data.chunks_exact(S * LANES);
    for c in &mut chunks {
        for i in 0..LANES {
            let mut e = [0u8; S];
            e.copy_from_slice(&c[i * S..(i + 1) * S]);
            let x = load(e);
            let better = if max { x > best[i] } else { x < best[i] };
            best[i] = if better { x } else { best[i] };
            probe[i] += x * 0.0;
        }
    }
    let mut m = init;
    let mut p = 0.0;
    let pick = |m: f64, x: f64| {
        if (max && x > m) || (!max && x < m) {
            x
        } else {
            m
        }
    };
    for c in chunks.remainder().chunks_exact(S) {
        let mut e = [0u8; S];
        e.copy_from_slice(c);
        let x = load(e);
        m = pick(m, x);
        p += x * 0.0;
    }
    for i in 0..LANES {
        m = pick(m, best[i]);
        p += probe[i];
    }
    if p != 0.0
        && data.chunks_exact(S).any(|c| {
            let mut e = [0u8; S];
            e.copy_from_slice(c);
            load(e).is_nan()
        })
    {
        return f64::NAN;
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes_f64(v: &[f64]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn float_sum_matches_exact_sum_closely() {
        let v: Vec<f64> = (0..100_003)
            .map(|i| (i as f64 * 0.37).sin() * 1e3)
            .collect();
        let b = bytes_f64(&v);
        let exact: f64 = {
            // Kahan as reference.
            let (mut s, mut c) = (0.0f64, 0.0f64);
            for &x in &v {
                let y = x - c;
                let t = s + y;
                c = (t - s) - y;
                s = t;
            }
            s
        };
        let got = sum(DType::F64, &b).as_f64();
        assert!(
            (got - exact).abs() <= 1e-9 * exact.abs().max(1.0),
            "{got} vs {exact}"
        );
    }

    #[test]
    fn nan_propagates_and_empty_arrays() {
        let b = bytes_f64(&[1.0, f64::NAN, -3.0]);
        assert!(sum(DType::F64, &b).as_f64().is_nan());
        assert!(
            extreme(DType::F64, &b, Extreme::Min)
                .unwrap()
                .as_f64()
                .is_nan()
        );
        assert!(
            extreme(DType::F64, &b, Extreme::Max)
                .unwrap()
                .as_f64()
                .is_nan()
        );
        assert_eq!(sum(DType::F64, &[]).as_f64(), 0.0);
        assert!(mean(DType::F64, &[]).as_f64().is_nan());
        assert!(extreme(DType::I32, &[], Extreme::Min).is_none());
    }

    #[test]
    fn integer_results_and_wrapping() {
        let b: Vec<u8> = [i64::MAX, 1].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(sum(DType::I64, &b).value, Value::I64(i64::MIN));
        let u = vec![255u8; 1000];
        let s = sum(DType::U8, &u);
        assert_eq!((s.dtype, s.value), (DType::U64, Value::U64(255_000)));
        let i: Vec<u8> = (0..37i8).map(|x| (x - 20) as u8).collect();
        assert_eq!(
            extreme(DType::I8, &i, Extreme::Min).unwrap().value,
            Value::I64(-20)
        );
        assert_eq!(
            extreme(DType::I8, &i, Extreme::Max).unwrap().value,
            Value::I64(16)
        );
        assert_eq!(sum(DType::Bool, &[0, 1, 2, 0]).value, Value::I64(2));
        assert_eq!(
            extreme(DType::Bool, &[1, 1, 0], Extreme::Min)
                .unwrap()
                .value,
            Value::Bool(false)
        );
        let st = std(DType::I32, &[1, 0, 0, 0, 3, 0, 0, 0], 0);
        assert_eq!((st.dtype, st.value), (DType::F64, Value::F64(1.0)));
        assert_eq!(
            std(DType::I32, &[1, 0, 0, 0, 3, 0, 0, 0], 3).as_f64(),
            f64::INFINITY
        );
    }
}
