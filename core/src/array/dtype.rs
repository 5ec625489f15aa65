//! Element types and memory orders of arrays, with their NumPy names.

use std::fmt;

/// The element type of an array. Every type is stored little-endian, as
/// NumPy stores it on every common machine; big-endian data is refused
/// when a file is opened (see [`DType::from_descr`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// One byte, 0 false and anything else true (NumPy `bool`, `|b1`).
    Bool,
    U8,
    U16,
    U32,
    U64,
    I8,
    I16,
    I32,
    I64,
    /// IEEE 754 half precision (NumPy `float16`, `<f2`).
    F16,
    F32,
    F64,
}

/// Every element type, in the order of the C ABI's `MAPVIEW_DTYPE_*` codes.
pub const ALL_DTYPES: [DType; 12] = [
    DType::Bool,
    DType::U8,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::F32,
    DType::F64,
];

/// How the elements of an N-dimensional array are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Order {
    /// Row-major: the last index varies fastest (NumPy's default).
    #[default]
    C,
    /// Column-major: the first index varies fastest (`fortran_order: True`).
    Fortran,
}

impl DType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::U16 | DType::I16 | DType::F16 => 2,
            DType::U32 | DType::I32 | DType::F32 => 4,
            DType::U64 | DType::I64 | DType::F64 => 8,
        }
    }

    /// NumPy's name for the type (`"float64"`, `"bool"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::F32 => "float32",
            DType::F64 => "float64",
        }
    }

    /// The `.npy` type string (`descr`) mapview writes: `"<f8"`, `"|b1"`, ...
    pub fn descr(self) -> &'static str {
        match self {
            DType::Bool => "|b1",
            DType::U8 => "|u1",
            DType::U16 => "<u2",
            DType::U32 => "<u4",
            DType::U64 => "<u8",
            DType::I8 => "|i1",
            DType::I16 => "<i2",
            DType::I32 => "<i4",
            DType::I64 => "<i8",
            DType::F16 => "<f2",
            DType::F32 => "<f4",
            DType::F64 => "<f8",
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DType::F16 | DType::F32 | DType::F64)
    }

    pub fn is_signed(self) -> bool {
        matches!(self, DType::I8 | DType::I16 | DType::I32 | DType::I64)
    }

    pub fn is_unsigned(self) -> bool {
        matches!(self, DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }

    /// Parses a NumPy type string as found in a `.npy` header (`"<f8"`,
    /// `"|u1"`, `"=i4"`, `"b1"`, ...) or a NumPy type name (`"float64"`).
    ///
    /// The error says why a string is refused, in words meant for the
    /// message of an `Unsupported` or `Corrupt` error: big-endian data,
    /// object arrays, complex numbers, strings, dates and other types
    /// mapview does not map.
    pub fn from_descr(descr: &str) -> Result<DType, String> {
        if let Some(t) = ALL_DTYPES.iter().find(|t| t.name() == descr) {
            return Ok(*t);
        }
        let (order, code) = match descr.as_bytes().first() {
            Some(b'<' | b'>' | b'|' | b'=') => (descr.as_bytes()[0], &descr[1..]),
            _ => (b'=', descr),
        };
        let t = match code {
            "b1" | "?" => DType::Bool,
            "u1" | "B" => DType::U8,
            "u2" | "H" => DType::U16,
            "u4" | "I" => DType::U32,
            "u8" | "Q" => DType::U64,
            "i1" | "b" => DType::I8,
            "i2" | "h" => DType::I16,
            "i4" | "i" => DType::I32,
            "i8" | "q" => DType::I64,
            "f2" | "e" => DType::F16,
            "f4" | "f" => DType::F32,
            "f8" | "d" => DType::F64,
            _ => return Err(unsupported_descr(descr, code)),
        };
        let big_endian = order == b'>' || (order == b'=' && cfg!(target_endian = "big"));
        if big_endian && t.size() > 1 {
            return Err(format!(
                "big-endian dtype '{descr}' ({}): mapview maps little-endian data only \
                 (convert with a.astype('{}'))",
                t.name(),
                t.descr()
            ));
        }
        Ok(t)
    }
}

fn unsupported_descr(descr: &str, code: &str) -> String {
    let what = match code.as_bytes().first() {
        Some(b'O') => "object arrays hold Python object pointers, not data",
        Some(b'c') => "complex numbers are not supported",
        Some(b'U') | Some(b'S') | Some(b'a') => "strings are not supported",
        Some(b'V') => "void / structured records are not supported",
        Some(b'M') | Some(b'm') => "dates and time deltas are not supported",
        Some(b'f') => "only 2-, 4- and 8-byte floats are supported",
        Some(b'i') | Some(b'u') => "only 1-, 2-, 4- and 8-byte integers are supported",
        _ => "not a NumPy type mapview knows",
    };
    format!(
        "unsupported dtype '{descr}': {what} (supported: bool, uint8-64, int8-64, float16, float32, float64)"
    )
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Rounds an `f64` to the nearest `f16` value (ties to even), returned as
/// an `f64`; out-of-range values become infinities, as in NumPy.
pub(crate) fn round_to_f16(x: f64) -> f64 {
    f16_to_f64(f64_to_f16_bits(x))
}

/// Decodes IEEE 754 half-precision bits exactly.
pub(crate) fn f16_to_f64(bits: u16) -> f64 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = i32::from((bits >> 10) & 0x1f);
    let frac = f64::from(bits & 0x3ff);
    match exp {
        0 => sign * frac * (2f64).powi(-24),
        31 if frac == 0.0 => sign * f64::INFINITY,
        31 => f64::NAN,
        _ => sign * (1.0 + frac / 1024.0) * (2f64).powi(exp - 15),
    }
}

/// Encodes an `f64` as half-precision bits, rounding to nearest, ties to even.
pub(crate) fn f64_to_f16_bits(x: f64) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    if x.is_nan() {
        return sign | 0x7e00;
    }
    let a = x.abs();
    if a >= 65520.0 {
        // 65520 is halfway between the largest half (65504) and 2^16: it
        // and everything above round to infinity.
        return sign | 0x7c00;
    }
    if a < (2f64).powi(-14) {
        // Subnormal (or zero): units of 2^-24, rounded half to even.
        let units = a * (2f64).powi(24);
        return sign | round_half_even(units) as u16;
    }
    let exp = a.log2().floor() as i32;
    // log2 can be off by one near powers of two; correct it.
    let exp = if (2f64).powi(exp) > a {
        exp - 1
    } else if (2f64).powi(exp + 1) <= a {
        exp + 1
    } else {
        exp
    };
    let mant = a / (2f64).powi(exp) - 1.0; // in [0, 1)
    let m = round_half_even(mant * 1024.0);
    // A mantissa that rounds up to 1024 carries into the exponent; the bit
    // pattern addition handles it.
    let e = (exp + 15) as u64;
    sign | ((e << 10) + m) as u16
}

fn round_half_even(v: f64) -> u64 {
    let floor = v.floor();
    let diff = v - floor;
    let f = floor as u64;
    if diff > 0.5 || (diff == 0.5 && f % 2 == 1) {
        f + 1
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descr_round_trips_and_aliases() {
        for t in ALL_DTYPES {
            assert_eq!(DType::from_descr(t.descr()), Ok(t));
            assert_eq!(DType::from_descr(t.name()), Ok(t));
        }
        assert_eq!(DType::from_descr("=f8"), Ok(DType::F64));
        assert_eq!(DType::from_descr("<u1"), Ok(DType::U8));
        assert_eq!(DType::from_descr(">u1"), Ok(DType::U8));
        assert!(DType::from_descr(">f8").unwrap_err().contains("big-endian"));
        assert!(DType::from_descr("|O").unwrap_err().contains("object"));
        assert!(DType::from_descr("<c16").unwrap_err().contains("complex"));
        assert!(DType::from_descr("<U10").unwrap_err().contains("string"));
        assert!(DType::from_descr("").is_err());
    }

    #[test]
    fn half_precision_conversions() {
        for bits in 0u16..=0xffff {
            let v = f16_to_f64(bits);
            if v.is_nan() {
                assert!(f16_to_f64(f64_to_f16_bits(v)).is_nan());
                continue;
            }
            assert_eq!(f64_to_f16_bits(v), bits, "bits {bits:#x} value {v}");
        }
        assert_eq!(round_to_f16(65504.0), 65504.0);
        assert_eq!(round_to_f16(65519.0), 65504.0);
        assert_eq!(round_to_f16(65520.0), f64::INFINITY);
        assert_eq!(round_to_f16(1.0 + 1.0 / 2048.0), 1.0); // tie to even
        assert_eq!(round_to_f16(1.0 + 3.0 / 2048.0), 1.0 + 2.0 / 1024.0);
        assert_eq!(round_to_f16(0.1), 0.0999755859375);
    }
}
