//! The `.npy` format: reading headers of versions 1.0, 2.0 and 3.0 and
//! writing the lowest version that fits, byte for byte as NumPy writes it.
//!
//! A file is the magic `\x93NUMPY`, a major and minor version byte, the
//! header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0),
//! then the header: a Python dict literal such as
//! `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }`, padded
//! with spaces and ended by `\n` so the data starts on a 64-byte boundary.
//! Versions 1.0 and 2.0 encode the header as latin-1, 3.0 as UTF-8.
//!
//! The parser is written for hostile input: it reads only within the
//! bytes it is given, bounds its nesting, checks every number, and
//! answers with a reason rather than a panic.

use super::dtype::{DType, Order};

/// The magic string every `.npy` file starts with.
pub const MAGIC: &[u8; 6] = b"\x93NUMPY";

/// NumPy pads headers so that the data starts on this boundary.
pub const ALIGN: usize = 64;

/// The most dimensions an array may have (NumPy 2's limit).
pub const MAX_DIMS: usize = 64;

/// Spare spaces NumPy leaves after the dict so a header can be rewritten
/// in place when the array grows along its first (C) or last (Fortran) axis.
const GROWTH_AXIS_MAX_DIGITS: usize = 21;

/// Nesting deeper than this in a header is refused (a structured dtype
/// nests a few levels; thousands of brackets are an attack on the stack).
const MAX_NESTING: usize = 32;

/// What a `.npy` header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// (major, minor): (1, 0), (2, 0) or (3, 0).
    pub version: (u8, u8),
    pub dtype: DType,
    pub order: Order,
    pub shape: Vec<usize>,
    /// Where the data starts: the length of magic, version, length field and header.
    pub data_offset: usize,
}

/// Why a header could not be read: `Corrupt` for damage, `Unsupported`
/// for a well-formed header describing something mapview does not map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderError {
    Corrupt(String),
    Unsupported(String),
}

fn corrupt<T>(why: impl Into<String>) -> Result<T, HeaderError> {
    Err(HeaderError::Corrupt(why.into()))
}

/// Number of elements of `shape`, or `None` if it overflows.
pub fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// Bytes of data for `shape` of `dtype`, or `None` if it overflows.
pub fn data_len(dtype: DType, shape: &[usize]) -> Option<usize> {
    element_count(shape)?.checked_mul(dtype.size())
}

/// Reads the header at the start of `bytes` (the whole file or more of
/// it). `bytes` must hold at least the header; whether the data fits is
/// checked by the caller, who knows the file's length.
pub fn parse(bytes: &[u8]) -> Result<Header, HeaderError> {
    if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
        let shown: Vec<String> = bytes.iter().take(6).map(|b| format!("{b:02x}")).collect();
        return corrupt(format!(
            "not a .npy file: bad magic (expected 93 4e 55 4d 50 59, found {})",
            if shown.is_empty() {
                "an empty file".to_string()
            } else {
                shown.join(" ")
            }
        ));
    }
    if bytes.len() < 8 {
        return corrupt(format!(
            "truncated: {} bytes, too short for the version",
            bytes.len()
        ));
    }
    let version = (bytes[6], bytes[7]);
    let (len_size, utf8) = match version {
        (1, 0) => (2, false),
        (2, 0) => (4, false),
        (3, 0) => (4, true),
        (major, minor) => {
            return Err(HeaderError::Unsupported(format!(
                ".npy format version {major}.{minor} (mapview reads 1.0, 2.0 and 3.0)"
            )));
        }
    };
    let prefix = 8 + len_size;
    if bytes.len() < prefix {
        return corrupt(format!(
            "truncated: {} bytes, too short for the header length",
            bytes.len()
        ));
    }
    let header_len = if len_size == 2 {
        usize::from(u16::from_le_bytes([bytes[8], bytes[9]]))
    } else {
        let n = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
        usize::try_from(n).unwrap_or(usize::MAX)
    };
    let Some(data_offset) = prefix
        .checked_add(header_len)
        .filter(|&end| end <= bytes.len())
    else {
        return corrupt(format!(
            "truncated: the header says it is {header_len} bytes long but the file has {} after byte {prefix}",
            bytes.len() - prefix
        ));
    };
    let raw = &bytes[prefix..data_offset];
    let text: String = if utf8 {
        match std::str::from_utf8(raw) {
            Ok(s) => s.to_string(),
            Err(e) => return corrupt(format!("version 3.0 header is not UTF-8 ({e})")),
        }
    } else {
        raw.iter().map(|&b| char::from(b)).collect() // latin-1
    };
    let (dtype, order, shape) = parse_dict(&text)?;
    Ok(Header {
        version,
        dtype,
        order,
        shape,
        data_offset,
    })
}

/// A Python literal as found in headers.
#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Str(String),
    Int(Option<u64>), // None: negative or too large for u64
    Bool(bool),
    Nothing,
    Tuple(Vec<Lit>),
    List(Vec<Lit>),
    Dict(Vec<(Lit, Lit)>),
}

impl Lit {
    fn kind(&self) -> &'static str {
        match self {
            Lit::Str(_) => "a string",
            Lit::Int(_) => "an integer",
            Lit::Bool(_) => "a boolean",
            Lit::Nothing => "None",
            Lit::Tuple(_) => "a tuple",
            Lit::List(_) => "a list",
            Lit::Dict(_) => "a dict",
        }
    }
}

fn parse_dict(text: &str) -> Result<(DType, Order, Vec<usize>), HeaderError> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
    };
    p.skip_ws();
    let lit = p.value(0)?;
    p.skip_ws();
    if p.pos != p.s.len() {
        return corrupt(format!(
            "malformed header: unexpected {} after the dict at byte {}",
            p.shown(),
            p.pos
        ));
    }
    let Lit::Dict(items) = lit else {
        return corrupt(format!(
            "malformed header: expected a dict, found {}",
            lit.kind()
        ));
    };
    let mut descr = None;
    let mut fortran = None;
    let mut shape = None;
    for (k, v) in items {
        let Lit::Str(k) = k else {
            return corrupt(format!(
                "malformed header: a key is {}, not a string",
                k.kind()
            ));
        };
        let slot = match k.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran,
            "shape" => &mut shape,
            other => return corrupt(format!("header has an unexpected key '{other}'")),
        };
        if slot.replace(v).is_some() {
            return corrupt(format!("header has the key '{k}' twice"));
        }
    }
    let (Some(descr), Some(fortran), Some(shape)) = (descr, fortran, shape) else {
        return corrupt("header lacks one of the keys 'descr', 'fortran_order', 'shape'");
    };
    let dtype = match descr {
        Lit::Str(s) => DType::from_descr(&s).map_err(HeaderError::Unsupported)?,
        Lit::List(_) => {
            return Err(HeaderError::Unsupported(
                "structured dtype (a record of named fields): mapview maps arrays of one numeric type"
                    .to_string(),
            ));
        }
        other => return corrupt(format!("'descr' is {}, not a type string", other.kind())),
    };
    let order = match fortran {
        Lit::Bool(false) => Order::C,
        Lit::Bool(true) => Order::Fortran,
        other => {
            return corrupt(format!(
                "'fortran_order' is {}, not True or False",
                other.kind()
            ));
        }
    };
    let Lit::Tuple(dims) = shape else {
        return corrupt(format!("'shape' is {}, not a tuple", shape.kind()));
    };
    if dims.len() > MAX_DIMS {
        return corrupt(format!(
            "'shape' has {} dimensions (at most {MAX_DIMS})",
            dims.len()
        ));
    }
    let mut out = Vec::with_capacity(dims.len());
    for d in dims {
        match d {
            Lit::Int(Some(n)) => match usize::try_from(n) {
                Ok(n) => out.push(n),
                Err(_) => {
                    return corrupt(format!("dimension {n} does not fit in the address space"));
                }
            },
            Lit::Int(None) => {
                return corrupt("'shape' has a negative dimension or one too large for 64 bits");
            }
            other => return corrupt(format!("'shape' holds {}, not an integer", other.kind())),
        }
    }
    if data_len(dtype, &out).is_none() {
        return corrupt(format!(
            "shape {} of {} overflows: its size in bytes does not fit in 64 bits",
            shape_repr(&out),
            dtype
        ));
    }
    Ok((dtype, order, out))
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && matches!(self.s[self.pos], b' ' | b'\t' | b'\n' | b'\r') {
            self.pos += 1;
        }
    }

    fn shown(&self) -> String {
        match self.text.get(self.pos..).and_then(|t| t.chars().next()) {
            Some(c) => format!("'{}'", c.escape_default()),
            None if self.pos < self.s.len() => format!("byte {:#04x}", self.s[self.pos]),
            None => "the end of the header".to_string(),
        }
    }

    fn fail<T>(&self, expected: &str) -> Result<T, HeaderError> {
        corrupt(format!(
            "malformed header: expected {expected} at byte {}, found {}",
            self.pos,
            self.shown()
        ))
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip_ws();
        if self.s.get(self.pos) == Some(&c) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Lit, HeaderError> {
        if depth > MAX_NESTING {
            return corrupt(format!(
                "malformed header: nested more than {MAX_NESTING} levels deep"
            ));
        }
        self.skip_ws();
        match self.s.get(self.pos) {
            Some(b'{') => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    if self.eat(b'}') {
                        return Ok(Lit::Dict(items));
                    }
                    let k = self.value(depth + 1)?;
                    if !self.eat(b':') {
                        return self.fail("':'");
                    }
                    let v = self.value(depth + 1)?;
                    items.push((k, v));
                    if self.eat(b',') {
                        continue;
                    }
                    if self.eat(b'}') {
                        return Ok(Lit::Dict(items));
                    }
                    return self.fail("',' or '}'");
                }
            }
            Some(&open @ (b'(' | b'[')) => {
                self.pos += 1;
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                let mut trailing_comma = false;
                loop {
                    if self.eat(close) {
                        break;
                    }
                    items.push(self.value(depth + 1)?);
                    trailing_comma = self.eat(b',');
                    if trailing_comma {
                        continue;
                    }
                    if self.eat(close) {
                        break;
                    }
                    return self.fail(if open == b'(' {
                        "',' or ')'"
                    } else {
                        "',' or ']'"
                    });
                }
                if open == b'(' {
                    // `(3)` is a parenthesised integer in Python, not a tuple.
                    if items.len() == 1 && !trailing_comma {
                        return Ok(items.pop().unwrap_or(Lit::Nothing));
                    }
                    Ok(Lit::Tuple(items))
                } else {
                    Ok(Lit::List(items))
                }
            }
            Some(&q @ (b'\'' | b'"')) => {
                self.pos += 1;
                let start = self.pos;
                let mut out = String::new();
                loop {
                    match self.s.get(self.pos) {
                        None => {
                            self.pos = start;
                            return corrupt(format!(
                                "malformed header: string starting at byte {} is not closed",
                                start - 1
                            ));
                        }
                        Some(&c) if c == q => {
                            self.pos += 1;
                            return Ok(Lit::Str(out));
                        }
                        Some(b'\\') => {
                            // Keep escapes as written: only type strings and
                            // keys are read, and they have none.
                            self.pos += 1;
                            if self.pos >= self.s.len() {
                                continue;
                            }
                            out.push('\\');
                        }
                        Some(_) => {}
                    }
                    let ch_len = self.text[self.pos..]
                        .chars()
                        .next()
                        .map_or(1, char::len_utf8);
                    out.push_str(&self.text[self.pos..self.pos + ch_len]);
                    self.pos += ch_len;
                }
            }
            Some(b'-' | b'0'..=b'9') => {
                let negative = self.s[self.pos] == b'-';
                if negative {
                    self.pos += 1;
                }
                let start = self.pos;
                let mut n: Option<u64> = Some(0);
                while let Some(&c @ b'0'..=b'9') = self.s.get(self.pos) {
                    n = n
                        .and_then(|n| n.checked_mul(10))
                        .and_then(|n| n.checked_add(u64::from(c - b'0')));
                    self.pos += 1;
                }
                if self.pos == start {
                    return self.fail("a digit");
                }
                // Python 2 wrote long integers with an L suffix.
                if matches!(self.s.get(self.pos), Some(b'L' | b'l')) {
                    self.pos += 1;
                }
                Ok(Lit::Int(if negative && n != Some(0) { None } else { n }))
            }
            Some(b'T' | b'F' | b'N') => {
                for (word, lit) in [
                    ("True", Lit::Bool(true)),
                    ("False", Lit::Bool(false)),
                    ("None", Lit::Nothing),
                ] {
                    if self.s[self.pos..].starts_with(word.as_bytes()) {
                        self.pos += word.len();
                        return Ok(lit);
                    }
                }
                self.fail("a value")
            }
            _ => self.fail("a value"),
        }
    }
}

/// Python's repr of a shape tuple: `()`, `(3,)`, `(3, 4)`.
pub fn shape_repr(shape: &[usize]) -> String {
    match shape {
        [] => "()".to_string(),
        [n] => format!("({n},)"),
        _ => {
            let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
            format!("({})", dims.join(", "))
        }
    }
}

/// The header NumPy's `np.save` writes for this array, in the lowest
/// version that can hold it: magic, version, length and padded dict.
/// Its length is a multiple of 64.
pub fn header_bytes(dtype: DType, shape: &[usize], order: Order) -> Vec<u8> {
    let fortran = order == Order::Fortran;
    let mut dict = format!(
        "{{'descr': '{}', 'fortran_order': {}, 'shape': {}, }}",
        dtype.descr(),
        if fortran { "True" } else { "False" },
        shape_repr(shape)
    );
    if !shape.is_empty() {
        let growth_axis = if fortran {
            shape[shape.len() - 1]
        } else {
            shape[0]
        };
        let digits = growth_axis.to_string().len();
        dict.extend(std::iter::repeat_n(
            ' ',
            GROWTH_AXIS_MAX_DIGITS.saturating_sub(digits),
        ));
    }
    // Our dicts are ASCII, so latin-1 always fits and 3.0 is never needed;
    // 2.0 is for headers longer than a 16-bit length can say.
    let body = dict.into_bytes();
    wrap(&body, 1).unwrap_or_else(|| wrap(&body, 2).unwrap_or_default())
}

fn wrap(body: &[u8], major: u8) -> Option<Vec<u8>> {
    let len_size = if major == 1 { 2 } else { 4 };
    let hlen = body.len() + 1; // + '\n'
    let padlen = ALIGN - ((MAGIC.len() + 2 + len_size + hlen) % ALIGN);
    let total_header = hlen + padlen;
    let mut out = Vec::with_capacity(MAGIC.len() + 2 + len_size + total_header);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&[major, 0]);
    if major == 1 {
        out.extend_from_slice(&u16::try_from(total_header).ok()?.to_le_bytes());
    } else {
        out.extend_from_slice(&u32::try_from(total_header).ok()?.to_le_bytes());
    }
    out.extend_from_slice(body);
    out.extend(std::iter::repeat_n(b' ', padlen));
    out.push(b'\n');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_numpy_writes() {
        let h = header_bytes(DType::F64, &[3], Order::C);
        assert_eq!(h.len(), 128);
        let expected_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        assert_eq!(&h[..10], b"\x93NUMPY\x01\x00\x76\x00");
        assert!(h[10..].starts_with(expected_dict.as_bytes()));
        assert_eq!(*h.last().unwrap(), b'\n');
        let parsed = parse(&h).unwrap();
        assert_eq!(parsed.shape, vec![3]);
        assert_eq!(parsed.dtype, DType::F64);
        assert_eq!(parsed.data_offset, 128);
        assert_eq!(parsed.version, (1, 0));
    }

    #[test]
    fn parses_variants() {
        let cases: &[(&str, Vec<usize>, Order)] = &[
            (
                "{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3), }",
                vec![2, 3],
                Order::Fortran,
            ),
            (
                "{\"shape\": (), \"descr\": \"|b1\", \"fortran_order\": False}",
                vec![],
                Order::C,
            ),
            (
                "{'descr':'<u2','fortran_order':False,'shape':(5L,)}",
                vec![5],
                Order::C,
            ),
            (
                "{'descr': '<f2', 'fortran_order': False, 'shape': (0, 4), }",
                vec![0, 4],
                Order::C,
            ),
        ];
        for (dict, shape, order) in cases {
            let mut file = b"\x93NUMPY\x01\x00".to_vec();
            file.extend_from_slice(&(dict.len() as u16 + 1).to_le_bytes());
            file.extend_from_slice(dict.as_bytes());
            file.push(b'\n');
            let h = parse(&file).unwrap_or_else(|e| panic!("{dict}: {e:?}"));
            assert_eq!(&h.shape, shape);
            assert_eq!(h.order, *order);
        }
    }

    #[test]
    fn refuses_bad_headers() {
        let bad = |dict: &str| {
            let mut file = b"\x93NUMPY\x01\x00".to_vec();
            file.extend_from_slice(&(dict.len() as u16).to_le_bytes());
            file.extend_from_slice(dict.as_bytes());
            parse(&file).unwrap_err()
        };
        assert!(matches!(
            bad("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}"),
            HeaderError::Corrupt(_)
        ));
        assert!(matches!(
            bad("{'descr': '|O', 'fortran_order': False, 'shape': (1,)}"),
            HeaderError::Unsupported(_)
        ));
        assert!(matches!(
            bad("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,)}"),
            HeaderError::Unsupported(_)
        ));
        assert!(matches!(
            bad("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999, 99999999999)}"),
            HeaderError::Corrupt(_)
        ));
        assert!(matches!(
            bad("{'descr': '<f8', 'fortran_order': False"),
            HeaderError::Corrupt(_)
        ));
        assert!(matches!(bad(&"(".repeat(10000)), HeaderError::Corrupt(_)));
    }
}
