//! Arrays: .npy files written and read back, raw data, every dtype, both
//! orders, the aggregates against straightforward references, and the
//! errors users meet.
mod common;

use mapview::array::{Array, DType, Format, Order, RawLayout, Value, npy};
use mapview::{ErrorKind, InvalidReason, MapMut};

fn le_bytes<T: Copy, const N: usize>(v: &[T], f: impl Fn(T) -> [u8; N]) -> Vec<u8> {
    v.iter().flat_map(|&x| f(x)).collect()
}

#[test]
fn create_open_round_trip_every_dtype() {
    let dir = tempfile::tempdir().unwrap();
    for (i, dtype) in mapview::array::ALL_DTYPES.iter().copied().enumerate() {
        let path = dir.path().join(format!("a{i}.npy"));
        let shape = [3usize, 5];
        let data: Vec<u8> = (0..15 * dtype.size()).map(|b| (b % 7) as u8).collect();
        let data = if dtype == DType::Bool {
            data.iter().map(|&b| b & 1).collect()
        } else {
            data
        };
        let created =
            Array::create_from_bytes(&path, dtype, &shape, Order::Fortran, &data).unwrap();
        assert_eq!(created.data(), &data[..]);
        drop(created);
        let a = Array::open(&path).unwrap();
        assert_eq!(a.dtype(), dtype);
        assert_eq!(a.shape(), &shape);
        assert_eq!(a.order(), Order::Fortran);
        assert_eq!(a.format(), Format::Npy(1, 0));
        assert_eq!(a.data_offset() % 64, 0);
        assert_eq!(a.len(), 15);
        assert_eq!(a.data(), &data[..]);
        assert_eq!(a.path(), Some(path.as_path()));
    }
}

#[test]
fn written_header_is_numpys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.npy");
    Array::create(&path, DType::F32, &[2, 3], Order::C).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    // What np.save(np.zeros((2, 3), np.float32)) writes.
    let mut expected =
        b"\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
            .to_vec();
    expected.resize(127, b' ');
    expected.push(b'\n');
    expected.extend_from_slice(&[0u8; 24]);
    assert_eq!(bytes, expected);
}

#[test]
fn large_headers_use_version_2() {
    // 64 dimensions of 1 still fit version 1; the writer picks 2.0 only
    // when a 16-bit length cannot hold the header.
    let h = npy::header_bytes(DType::U8, &[1; 64], Order::C);
    assert_eq!(h[6], 1);
    let mut dict = String::from("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), ");
    dict.push_str(&" ".repeat(70_000));
    dict.push('}');
    let mut file = b"\x93NUMPY\x02\x00".to_vec();
    file.extend_from_slice(&(dict.len() as u32 + 1).to_le_bytes());
    file.extend_from_slice(dict.as_bytes());
    file.push(b'\n');
    file.extend_from_slice(&le_bytes(&[1.5f64, 2.5], f64::to_le_bytes));
    let a = Array::from_npy(file).unwrap();
    assert_eq!(a.format(), Format::Npy(2, 0));
    assert_eq!(
        a.as_slice::<f64>()
            .map(<[f64]>::to_vec)
            .unwrap_or_else(|_| {
                a.data()
                    .chunks(8)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect()
            }),
        vec![1.5, 2.5]
    );
}

#[test]
fn read_write_reaches_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rw.npy");
    Array::create(&path, DType::I32, &[4], Order::C).unwrap();
    {
        let mut a = Array::open_read_write(&path).unwrap();
        a.as_mut_slice::<i32>()
            .unwrap()
            .copy_from_slice(&[1, -2, 3, -4]);
        a.flush().unwrap();
    }
    let a = Array::open(&path).unwrap();
    assert_eq!(a.as_slice::<i32>().unwrap(), &[1, -2, 3, -4]);
    assert_eq!(a.sum().value, Value::I64(-2));
    assert_eq!(a.min().unwrap().value, Value::I64(-4));
    assert_eq!(a.max().unwrap().value, Value::I64(3));
    let err = a.as_slice::<f32>().unwrap_err();
    assert!(err.to_string().contains("int32, not float32"), "{err}");
}

#[test]
fn create_refuses_overwrite_and_wrong_lengths() {
    let dir = tempfile::tempdir().unwrap();
    let path = common::file_with(&dir, "exists.npy", b"x");
    let err = Array::create(&path, DType::U8, &[1], Order::C).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists);
    let other = dir.path().join("short.npy");
    let err = Array::create_from_bytes(&other, DType::U16, &[3], Order::C, &[0; 5]).unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::RecordSize),
        "{err}"
    );
    assert!(!other.exists(), "a refused create leaves no file");
    let err = Array::create(&other, DType::F64, &[usize::MAX, 2], Order::C).unwrap_err();
    assert_eq!(err.invalid_reason(), Some(InvalidReason::Overflow), "{err}");
    let err = Array::create(&other, DType::F64, &[1; 65], Order::C).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
}

#[test]
fn raw_mode_with_offsets_and_inferred_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let values: Vec<f64> = (0..10).map(f64::from).collect();
    let mut bytes = b"HDR!".to_vec();
    bytes.extend_from_slice(&le_bytes(&values, f64::to_le_bytes));
    let path = common::file_with(&dir, "raw.bin", &bytes);
    let a = Array::open_raw(&path, &RawLayout::new(DType::F64).offset(4)).unwrap();
    assert_eq!(a.shape(), &[10]);
    assert_eq!(a.format(), Format::Raw);
    assert_eq!(a.sum().as_f64(), 45.0, "unaligned data sums");
    assert_eq!(a.max().unwrap().as_f64(), 9.0);
    let err = a.as_slice::<f64>().unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::Misaligned),
        "{err}"
    );
    let b = Array::open_raw(
        &path,
        &RawLayout::new(DType::F64)
            .offset(4)
            .shape(&[2, 5])
            .order(Order::Fortran),
    )
    .unwrap();
    assert_eq!((b.shape(), b.order()), (&[2usize, 5][..], Order::Fortran));
    let err = Array::open_raw(&path, &RawLayout::new(DType::F64).offset(3)).unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::RecordSize),
        "{err}"
    );
    let err =
        Array::open_raw(&path, &RawLayout::new(DType::F64).offset(4).shape(&[11])).unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::OutOfRange),
        "{err}"
    );
    let err = Array::open_raw(&path, &RawLayout::new(DType::F64).offset(1000)).unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::OutOfRange),
        "{err}"
    );
    let err = Array::open_raw(dir.path().join("missing"), &RawLayout::new(DType::U8)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let out = dir.path().join("saved.bin");
    let data = le_bytes(&[7u16, 8, 9], u16::to_le_bytes);
    let mut c = Array::create_raw(&out, DType::U16, &[3], Order::C, Some(&data)).unwrap();
    c.as_mut_slice::<u16>().unwrap()[0] = 70;
    c.flush().unwrap();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        le_bytes(&[70u16, 8, 9], u16::to_le_bytes)
    );
    let mut w = Array::open_raw_read_write(&out, &RawLayout::new(DType::U16)).unwrap();
    w.as_mut_slice::<u16>().unwrap()[2] = 90;
    drop(w);
    assert_eq!(
        std::fs::read(&out).unwrap(),
        le_bytes(&[70u16, 8, 90], u16::to_le_bytes)
    );
}

/// Deterministic values with NaN-free floats.
fn values(n: usize) -> Vec<f64> {
    let mut x = 0x1234_5678_9abc_def1u64;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            ((x >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 200.0
        })
        .collect()
}

#[test]
fn aggregates_match_references_for_every_dtype() {
    let n = 10_007; // not a multiple of the lanes or blocks
    let v = values(n);
    let check = |dtype: DType, bytes: Vec<u8>, as_f64: &dyn Fn(usize) -> f64| {
        let a = Array::from_raw(bytes, &RawLayout::new(dtype)).unwrap();
        let xs: Vec<f64> = (0..n).map(as_f64).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        let tol = |x: f64| {
            if dtype == DType::F16 {
                1e-2 * x.abs().max(1.0)
            } else if dtype == DType::F32 {
                1e-5 * x.abs().max(1.0)
            } else {
                1e-9 * x.abs().max(1.0)
            }
        };
        assert!(
            (a.mean().as_f64() - mean).abs() <= tol(mean),
            "{dtype} mean {} vs {mean}",
            a.mean().as_f64()
        );
        assert!(
            (a.std(0).as_f64() - var.sqrt()).abs() <= tol(var.sqrt()),
            "{dtype} std"
        );
        let ddof1 = (var * n as f64 / (n - 1) as f64).sqrt();
        assert!(
            (a.std(1).as_f64() - ddof1).abs() <= tol(ddof1),
            "{dtype} std ddof 1"
        );
        let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
        let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        assert_eq!(a.min().unwrap().as_f64(), min, "{dtype} min");
        assert_eq!(a.max().unwrap().as_f64(), max, "{dtype} max");
        assert_eq!(a.min().unwrap().dtype, dtype);
        let sum = xs.iter().sum::<f64>();
        assert!(
            (a.sum().as_f64() - sum).abs() <= tol(sum) * 10.0,
            "{dtype} sum {} vs {sum}",
            a.sum().as_f64()
        );
        a.sum()
    };
    let i8s: Vec<i8> = v.iter().map(|&x| x as i8).collect();
    let s = check(DType::I8, le_bytes(&i8s, i8::to_le_bytes), &|i| {
        f64::from(i8s[i])
    });
    assert_eq!(s.dtype, DType::I64);
    let i16s: Vec<i16> = v.iter().map(|&x| (x * 100.0) as i16).collect();
    check(DType::I16, le_bytes(&i16s, i16::to_le_bytes), &|i| {
        f64::from(i16s[i])
    });
    let i32s: Vec<i32> = v.iter().map(|&x| (x * 1e6) as i32).collect();
    check(DType::I32, le_bytes(&i32s, i32::to_le_bytes), &|i| {
        f64::from(i32s[i])
    });
    let i64s: Vec<i64> = v.iter().map(|&x| (x * 1e9) as i64).collect();
    let s = check(DType::I64, le_bytes(&i64s, i64::to_le_bytes), &|i| {
        i64s[i] as f64
    });
    assert_eq!(s.value, Value::I64(i64s.iter().sum()));
    let u8s: Vec<u8> = v.iter().map(|&x| (x + 100.0) as u8).collect();
    let s = check(DType::U8, u8s.clone(), &|i| f64::from(u8s[i]));
    assert_eq!(
        (s.dtype, s.value),
        (
            DType::U64,
            Value::U64(u8s.iter().map(|&x| u64::from(x)).sum())
        )
    );
    let u16s: Vec<u16> = v.iter().map(|&x| ((x + 100.0) * 300.0) as u16).collect();
    check(DType::U16, le_bytes(&u16s, u16::to_le_bytes), &|i| {
        f64::from(u16s[i])
    });
    let u32s: Vec<u32> = v.iter().map(|&x| ((x + 100.0) * 1e7) as u32).collect();
    check(DType::U32, le_bytes(&u32s, u32::to_le_bytes), &|i| {
        f64::from(u32s[i])
    });
    let u64s: Vec<u64> = v.iter().map(|&x| ((x + 100.0) * 1e12) as u64).collect();
    check(DType::U64, le_bytes(&u64s, u64::to_le_bytes), &|i| {
        u64s[i] as f64
    });
    let f32s: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let s = check(DType::F32, le_bytes(&f32s, f32::to_le_bytes), &|i| {
        f64::from(f32s[i])
    });
    assert_eq!(s.dtype, DType::F32);
    let s = check(DType::F64, le_bytes(&v, f64::to_le_bytes), &|i| v[i]);
    assert_eq!(s.dtype, DType::F64);
    // float16: small integers are exact.
    let halfs: Vec<u16> = (0..n).map(|i| half_bits((i % 41) as f64 - 20.0)).collect();
    check(DType::F16, le_bytes(&halfs, u16::to_le_bytes), &|i| {
        (i % 41) as f64 - 20.0
    });
    let bools: Vec<u8> = (0..n).map(|i| u8::from(i % 3 == 0)).collect();
    let s = check(DType::Bool, bools.clone(), &|i| f64::from(bools[i]));
    assert_eq!(
        s.value,
        Value::I64(bools.iter().map(|&b| i64::from(b)).sum())
    );
}

/// Half-precision bits of a small integer.
fn half_bits(x: f64) -> u16 {
    if x == 0.0 {
        return 0;
    }
    let sign = if x < 0.0 { 0x8000 } else { 0 };
    let a = x.abs();
    let e = a.log2().floor() as i32;
    let m = ((a / 2f64.powi(e) - 1.0) * 1024.0).round() as u16;
    sign | (((e + 15) as u16) << 10) | m
}

#[test]
fn f64_sum_is_as_good_as_pairwise() {
    // Ill-conditioned: large values cancelling, small ones left over.
    let n = 1_000_003;
    let v: Vec<f64> = (0..n)
        .map(|i| {
            if i % 2 == 0 {
                1e8 + (i as f64) * 1e-3
            } else {
                -1e8
            }
        })
        .collect();
    let exact: f64 = (0..n).step_by(2).map(|i| (i as f64) * 1e-3).sum::<f64>() + 1e8;
    let a = Array::from_raw(le_bytes(&v, f64::to_le_bytes), &RawLayout::new(DType::F64)).unwrap();
    let got = a.sum().as_f64();
    assert!((got - exact).abs() / exact.abs() < 1e-9, "{got} vs {exact}");
}

#[test]
fn nan_empty_and_zero_d() {
    let v = [1.0f64, 2.0, f64::NAN, 4.0];
    let a = Array::from_raw(le_bytes(&v, f64::to_le_bytes), &RawLayout::new(DType::F64)).unwrap();
    for s in [
        a.sum(),
        a.mean(),
        a.std(0),
        a.min().unwrap(),
        a.max().unwrap(),
    ] {
        assert!(s.as_f64().is_nan(), "{s:?}");
    }
    let inf = [1.0f64, f64::INFINITY, -3.0];
    let b = Array::from_raw(
        le_bytes(&inf, f64::to_le_bytes),
        &RawLayout::new(DType::F64),
    )
    .unwrap();
    assert_eq!(b.max().unwrap().as_f64(), f64::INFINITY);
    assert_eq!(b.min().unwrap().as_f64(), -3.0, "an infinity is not a NaN");
    let empty = Array::from_raw(Vec::new(), &RawLayout::new(DType::I16)).unwrap();
    assert_eq!(empty.sum().value, Value::I64(0));
    assert!(empty.mean().as_f64().is_nan());
    let err = empty.min().unwrap_err();
    assert!(err.to_string().contains("zero-size"), "{err}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zero_d.npy");
    let mut z = Array::create(&path, DType::F64, &[], Order::C).unwrap();
    z.as_mut_slice::<f64>().unwrap()[0] = 2.5;
    assert_eq!((z.len(), z.sum().as_f64()), (1, 2.5));
    let e = Array::create(dir.path().join("empty.npy"), DType::F64, &[0, 3], Order::C).unwrap();
    assert!(e.is_empty());
}

#[test]
fn init_npy_in_anonymous_memory() {
    let map = MapMut::anonymous(4096).unwrap();
    let mut a = Array::init_npy(map, DType::U32, &[10], Order::C).unwrap();
    a.as_mut_slice::<u32>().unwrap()[3] = 3;
    assert_eq!(a.sum().value, Value::U64(3));
    let small = MapMut::anonymous(100).unwrap();
    let err = Array::init_npy(small, DType::F64, &[100], Order::C).unwrap_err();
    assert_eq!(
        err.invalid_reason(),
        Some(InvalidReason::OutOfRange),
        "{err}"
    );
}

#[test]
fn corrupt_files_name_the_path_and_the_fault() {
    let dir = tempfile::tempdir().unwrap();
    let good = npy::header_bytes(DType::F64, &[4], Order::C);
    let mut full = good.clone();
    full.extend_from_slice(&[0u8; 32]);
    let cases: Vec<(&str, Vec<u8>, ErrorKind, &str)> = vec![
        (
            "magic",
            b"NOTNUMPY\x01\x00".to_vec(),
            ErrorKind::Corrupt,
            "bad magic",
        ),
        ("empty", Vec::new(), ErrorKind::Corrupt, "bad magic"),
        (
            "truncated",
            full[..9].to_vec(),
            ErrorKind::Corrupt,
            "truncated",
        ),
        (
            "short header",
            full[..60].to_vec(),
            ErrorKind::Corrupt,
            "truncated",
        ),
        (
            "short data",
            full[..good.len() + 31].to_vec(),
            ErrorKind::Corrupt,
            "needs 32 bytes",
        ),
        (
            "version",
            [&b"\x93NUMPY\x04\x00"[..], &full[8..]].concat(),
            ErrorKind::Unsupported,
            "version 4.0",
        ),
    ];
    for (name, bytes, kind, needle) in cases {
        let path = common::file_with(&dir, name, &bytes);
        let err = Array::open(&path).unwrap_err();
        assert_eq!(err.kind(), kind, "{name}: {err}");
        let text = err.to_string();
        assert!(text.contains(needle), "{name}: {text}");
        assert!(text.contains(&path.display().to_string()), "{name}: {text}");
    }
    let dict_cases = [
        (
            "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }",
            ErrorKind::Unsupported,
            "big-endian",
        ),
        (
            "{'descr': '|O', 'fortran_order': False, 'shape': (1,), }",
            ErrorKind::Unsupported,
            "object",
        ),
        (
            "{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }",
            ErrorKind::Unsupported,
            "complex",
        ),
        (
            "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (1,), }",
            ErrorKind::Unsupported,
            "structured",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",
            ErrorKind::Corrupt,
            "overflows",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }",
            ErrorKind::Corrupt,
            "needs 8000000000000 bytes",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }",
            ErrorKind::Corrupt,
            "negative",
        ),
        (
            "{'descr': '<f8', 'fortran_order': 0, 'shape': (1,), }",
            ErrorKind::Corrupt,
            "fortran_order",
        ),
        (
            "{'descr': '<f8', 'shape': (1,), }",
            ErrorKind::Corrupt,
            "lacks",
        ),
        (
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'extra': 1}",
            ErrorKind::Corrupt,
            "unexpected key",
        ),
        (
            "{'descr': '<f8' 'fortran_order': False}",
            ErrorKind::Corrupt,
            "malformed",
        ),
        (
            "{'descr': '<f8, 'fortran_order': False, 'shape': (1,)}",
            ErrorKind::Corrupt,
            "malformed",
        ),
        ("[1, 2, 3]", ErrorKind::Corrupt, "expected a dict"),
    ];
    for (i, (dict, kind, needle)) in dict_cases.iter().enumerate() {
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(dict.len() as u16 + 1).to_le_bytes());
        bytes.extend_from_slice(dict.as_bytes());
        bytes.push(b'\n');
        bytes.extend_from_slice(&[0u8; 64]);
        let path = common::file_with(&dir, &format!("dict{i}.npy"), &bytes);
        let err = Array::open(&path).unwrap_err();
        assert_eq!(err.kind(), *kind, "{dict}: {err}");
        assert!(err.to_string().contains(needle), "{dict}: {err}");
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}

#[test]
fn large_arrays_sum_in_parallel_parts_with_the_same_results() {
    // 48 MiB: above the size where the sum is split into parts.
    let n = 6 << 20;
    let v: Vec<f64> = (0..n)
        .map(|i| ((i as f64) * 0.001).sin() * 1e3 + 1e6)
        .collect();
    let bytes = le_bytes(&v, f64::to_le_bytes);
    let a = Array::from_raw(bytes, &RawLayout::new(DType::F64)).unwrap();
    let exact: f64 = {
        let (mut s, mut c) = (0.0f64, 0.0f64);
        for &x in &v {
            let y = x - c;
            let t = s + y;
            c = (t - s) - y;
            s = t;
        }
        s
    };
    let got = a.sum().as_f64();
    assert!((got - exact).abs() / exact < 1e-13, "{got} vs {exact}");
    assert_eq!(a.sum().as_f64(), got, "the same result every time");
    let mean = a.mean().as_f64();
    assert!((mean - exact / n as f64).abs() / mean < 1e-13);
    let std = a.std(0).as_f64();
    let m = exact / n as f64;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
    assert!(
        (std - var.sqrt()).abs() / var.sqrt() < 1e-9,
        "{std} vs {}",
        var.sqrt()
    );
    let f32s: Vec<f32> = v.iter().map(|&x| x as f32).collect();
    let b = Array::from_raw(
        le_bytes(&f32s, f32::to_le_bytes),
        &RawLayout::new(DType::F32).shape(&[n]),
    )
    .unwrap();
    let want: f64 = f32s.iter().map(|&x| f64::from(x)).sum();
    assert!((b.sum().as_f64() - want).abs() / want < 1e-6);
}
