//! Fuzz-style test of the .npy reader: many mutations of valid files
//! (bit flips, byte changes, insertions, deletions, truncations, changed
//! length fields, spliced-in tokens). Every one must give an array whose
//! data lies inside the bytes, or an error of a documented kind; never a
//! panic, never a read outside the buffer.

use mapview::ErrorKind;
use mapview::array::{Array, DType, Order, npy};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (dtype, shape, order) in [
        (DType::F64, vec![3usize], Order::C),
        (DType::I16, vec![2, 3, 4], Order::Fortran),
        (DType::Bool, vec![], Order::C),
        (DType::U8, vec![0, 5], Order::C),
        (DType::F16, vec![7, 1], Order::Fortran),
    ] {
        let mut f = npy::header_bytes(dtype, &shape, order);
        let n = npy::data_len(dtype, &shape).unwrap();
        f.extend((0..n).map(|i| i as u8));
        out.push(f);
    }
    // A version 3.0 file (its header is UTF-8; mutations add non-ASCII bytes).
    let dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }";
    let mut f = b"\x93NUMPY\x03\x00".to_vec();
    f.extend_from_slice(&(dict.len() as u32 + 1).to_le_bytes());
    f.extend_from_slice(dict.as_bytes());
    f.push(b'\n');
    f.extend_from_slice(&[1, 0, 2, 0]);
    out.push(f);
    out
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "'",
    "\"",
    ",",
    ":",
    "-",
    "L",
    "True",
    "False",
    "None",
    "99999999999999999999999",
    "18446744073709551615",
    "4294967296",
    "'|O'",
    "'>f8'",
    "'<c16'",
    "[('a','<f8')]",
    "'shape'",
    "'descr'",
    "\\",
    "\0",
    "\u{ff}",
];

fn mutate(rng: &mut Rng, f: &mut Vec<u8>) {
    match rng.below(8) {
        0 => {
            let i = rng.below(f.len());
            if let Some(b) = f.get_mut(i) {
                *b ^= 1 << rng.below(8);
            }
        }
        1 => {
            let i = rng.below(f.len());
            if let Some(b) = f.get_mut(i) {
                *b = rng.next() as u8;
            }
        }
        2 => {
            let i = rng.below(f.len() + 1);
            f.insert(i.min(f.len()), rng.next() as u8);
        }
        3 => {
            if !f.is_empty() {
                let i = rng.below(f.len());
                f.remove(i);
            }
        }
        4 => {
            let n = rng.below(f.len() + 1);
            f.truncate(n);
        }
        5 => {
            // Rewrite the length field with something plausible or hostile.
            if f.len() >= 12 {
                let v = [0u32, 1, 64, 118, 65535, 65536, u32::MAX, rng.next() as u32][rng.below(8)];
                if f[6] == 1 {
                    f[8..10].copy_from_slice(&(v as u16).to_le_bytes());
                } else {
                    f[8..12].copy_from_slice(&v.to_le_bytes());
                }
            }
        }
        6 => {
            // Splice a token into the header region.
            let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
            let end = f.len().min(128);
            let i = 10 + rng.below(end.saturating_sub(10));
            let i = i.min(f.len());
            let cut = rng.below(4).min(f.len() - i);
            f.splice(i..i + cut, t.iter().copied());
        }
        _ => {
            if f.len() > 6 {
                f[6] = [1u8, 2, 3, 0, 4][rng.below(5)];
            }
        }
    }
}

#[test]
fn mutated_headers_never_crash() {
    let mut rng = Rng(0x5DEE_CE66_D1CE_F00D);
    let mut ok = 0;
    let mut kinds = std::collections::HashMap::new();
    for seed in seeds() {
        if let Err(e) = Array::from_npy(seed.clone()) {
            panic!("seed must parse: {e}");
        }
        for _ in 0..4000 {
            let mut f = seed.clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut f);
            }
            let len = f.len();
            match Array::from_npy(f) {
                Ok(a) => {
                    ok += 1;
                    assert!(
                        a.data_offset() + a.nbytes() <= len,
                        "data inside the buffer"
                    );
                    // Touch every element through the aggregates.
                    let _ = (a.sum(), a.mean(), a.std(0), a.min(), a.max());
                }
                Err(e) => {
                    assert!(
                        matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::Unsupported),
                        "unexpected kind: {e}"
                    );
                    assert!(!e.to_string().is_empty());
                    *kinds.entry(e.kind()).or_insert(0) += 1;
                }
            }
        }
    }
    assert!(
        kinds.get(&ErrorKind::Corrupt).copied().unwrap_or(0) > 1000,
        "{kinds:?}"
    );
    assert!(ok > 100, "some mutations leave valid files: {ok}");
}

#[test]
fn hostile_nesting_and_sizes() {
    for dict in [
        "(".repeat(100_000),
        "[".repeat(50_000) + &"]".repeat(50_000),
        format!(
            "{{'descr': '<f8', 'fortran_order': False, 'shape': ({}), }}",
            "1, ".repeat(1000)
        ),
        format!(
            "{{'descr': '{}', 'fortran_order': False, 'shape': (1,), }}",
            "x".repeat(100_000)
        ),
        "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), ".to_string() + &"'a".repeat(1000),
    ] {
        let mut f = b"\x93NUMPY\x02\x00".to_vec();
        f.extend_from_slice(&(dict.len() as u32).to_le_bytes());
        f.extend_from_slice(dict.as_bytes());
        let e = Array::from_npy(f).unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::Unsupported),
            "{e}"
        );
    }
}
