//! Typed record views: a map seen as a slice of fixed-size plain-old-data
//! records, with size and alignment checked once, up front.

use std::cmp::Ordering;
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::path::Path;

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::error::InvalidReason::{Misaligned, RecordSize};
use crate::error::{Error, Result};
use crate::map::Map;

/// The records of type `T` in a map `M` (a [`Map`] or a
/// [`MapMut`](crate::MapMut)). `T` must be plain old data (zerocopy's
/// `FromBytes`): any bytes are a valid `T`.
///
/// ```
/// # fn main() -> mapview::Result<()> {
/// use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};
/// #[derive(FromBytes, IntoBytes, Immutable, KnownLayout, Clone, Copy)]
/// #[repr(C)]
/// struct Entry { key: u64, value: u64 }
///
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("entries.bin");
/// let entries: Vec<Entry> = (0..100).map(|i| Entry { key: i * 10, value: i }).collect();
/// std::fs::write(&path, entries.as_bytes()).unwrap();
///
/// let records = mapview::Records::<Entry>::open(&path)?;
/// assert_eq!(records.len(), 100);
/// let i = records.binary_search_by_key(&420, |e| e.key).unwrap();
/// assert_eq!(records[i].value, 42);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Records<T, M = Map> {
    map: M,
    _type: PhantomData<T>,
}

impl<T> Records<T, Map>
where
    T: FromBytes + Immutable + KnownLayout,
{
    /// Maps a file read-only and views it as records of `T`.
    pub fn open(path: impl AsRef<Path>) -> Result<Records<T, Map>> {
        Records::new(Map::open(path)?)
    }
}

impl<T, M> Records<T, M>
where
    T: FromBytes + Immutable + KnownLayout,
    M: Deref<Target = [u8]>,
{
    /// Views `map` as records of `T`. Fails if `T` is zero-sized, if the
    /// map's length is not a multiple of `size_of::<T>()`, or if the map's
    /// start is not aligned for `T` (a range at an odd offset can be).
    pub fn new(map: M) -> Result<Records<T, M>> {
        check_layout(&map, std::mem::size_of::<T>(), std::mem::align_of::<T>())?;
        Ok(Records {
            map,
            _type: PhantomData,
        })
    }

    pub fn as_slice(&self) -> &[T] {
        if self.map.is_empty() {
            return &[];
        }
        // The layout was checked in `new` and a map's address and length
        // never change while it is borrowed, so the cast cannot fail.
        <[T]>::ref_from_bytes(&self.map).expect("record layout checked at construction")
    }

    /// Gives the map back.
    pub fn into_inner(self) -> M {
        self.map
    }
}

impl<T, M> Records<T, M>
where
    T: FromBytes + IntoBytes + Immutable + KnownLayout,
    M: DerefMut<Target = [u8]>,
{
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        if self.map.is_empty() {
            return &mut [];
        }
        <[T]>::mut_from_bytes(&mut self.map).expect("record layout checked at construction")
    }

    /// The underlying map, e.g. to flush it after changing records.
    pub fn map(&self) -> &M {
        &self.map
    }
}

impl<T, M> Deref for Records<T, M>
where
    T: FromBytes + Immutable + KnownLayout,
    M: Deref<Target = [u8]>,
{
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T, M> DerefMut for Records<T, M>
where
    T: FromBytes + IntoBytes + Immutable + KnownLayout,
    M: DerefMut<Target = [u8]>,
{
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

fn check_layout(data: &[u8], size: usize, align: usize) -> Result<()> {
    if size == 0 {
        return Err(Error::invalid_because(
            RecordSize,
            "records",
            "record size is zero",
        ));
    }
    if !data.len().is_multiple_of(size) {
        return Err(Error::invalid_because(
            RecordSize,
            "records",
            format!(
                "data length {} is not a multiple of the record size {size}",
                data.len()
            ),
        ));
    }
    // An empty view has no address of its own; it holds no records to misalign.
    if !data.is_empty() && !(data.as_ptr() as usize).is_multiple_of(align) {
        return Err(Error::invalid_because(
            Misaligned,
            "records",
            format!(
                "data does not start on a {align}-byte boundary (map a range at an aligned offset)"
            ),
        ));
    }
    Ok(())
}

/// How the key of a record is compared, for records whose layout is known
/// only at run time (the C ABI and other languages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Bytes compared lexicographically (memcmp).
    Bytes,
    /// An unsigned little-endian integer of 1 to 8 bytes.
    UnsignedLe,
    /// A signed (two's complement) little-endian integer of 1 to 8 bytes.
    SignedLe,
    /// An unsigned big-endian integer of 1 to 8 bytes.
    UnsignedBe,
}

/// A record layout known at run time: its size and where its key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLayout {
    pub record_size: usize,
    pub key_offset: usize,
    pub key_len: usize,
    pub key_kind: KeyKind,
}

/// Records of a run-time layout over borrowed bytes.
#[derive(Debug, Clone, Copy)]
pub struct RecordView<'a> {
    data: &'a [u8],
    layout: RecordLayout,
}

impl<'a> RecordView<'a> {
    /// Checks the layout against the data: a record size of zero, a size
    /// that does not divide the data, a key outside the record, or an
    /// integer key wider than 8 bytes are refused. A `key_len` of 0 means
    /// the records have no key: counting and getting work, searching does
    /// not.
    pub fn new(data: &'a [u8], layout: RecordLayout) -> Result<RecordView<'a>> {
        check_layout(data, layout.record_size, 1)?;
        let key_end = layout.key_offset.checked_add(layout.key_len);
        if key_end.is_none_or(|end| end > layout.record_size) {
            return Err(Error::invalid(
                "records",
                format!(
                    "key at offset {} of length {} does not fit in a {}-byte record",
                    layout.key_offset, layout.key_len, layout.record_size
                ),
            ));
        }
        if layout.key_kind != KeyKind::Bytes && layout.key_len > 8 {
            return Err(Error::invalid(
                "records",
                format!("an integer key has 1 to 8 bytes, not {}", layout.key_len),
            ));
        }
        Ok(RecordView { data, layout })
    }

    pub fn layout(&self) -> RecordLayout {
        self.layout
    }

    pub fn len(&self) -> usize {
        self.data.len() / self.layout.record_size
    }

    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Record `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<&'a [u8]> {
        let size = self.layout.record_size;
        let start = i.checked_mul(size)?;
        self.data.get(start..start.checked_add(size)?)
    }

    /// The key bytes of record `i`.
    pub fn key(&self, i: usize) -> Option<&'a [u8]> {
        let l = self.layout;
        self.get(i)
            .map(|r| &r[l.key_offset..l.key_offset + l.key_len])
    }

    /// Binary search over records sorted by key, ascending. `key` has the
    /// key's length. `Ok(i)`: record `i` has the key (any one of equal
    /// keys); `Err(i)`: where it would be inserted.
    pub fn binary_search(&self, key: &[u8]) -> Result<std::result::Result<usize, usize>> {
        if self.layout.key_len == 0 {
            return Err(Error::invalid(
                "search",
                "the record layout has no key (key_len is 0)",
            ));
        }
        if key.len() != self.layout.key_len {
            return Err(Error::invalid(
                "search",
                format!(
                    "the key has {} bytes; records have {}-byte keys",
                    key.len(),
                    self.layout.key_len
                ),
            ));
        }
        let kind = self.layout.key_kind;
        let mut lo = 0;
        let mut hi = self.len();
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let k = self.key(mid).expect("mid < len");
            match compare_keys(kind, k, key) {
                Ordering::Less => lo = mid + 1,
                Ordering::Greater => hi = mid,
                Ordering::Equal => return Ok(Ok(mid)),
            }
        }
        Ok(Err(lo))
    }
}

fn compare_keys(kind: KeyKind, a: &[u8], b: &[u8]) -> Ordering {
    match kind {
        KeyKind::Bytes => a.cmp(b),
        KeyKind::UnsignedLe => le_u64(a).cmp(&le_u64(b)),
        KeyKind::SignedLe => le_i64(a).cmp(&le_i64(b)),
        KeyKind::UnsignedBe => a.cmp(b), // big-endian unsigned orders like bytes
    }
}

fn le_u64(b: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf[..b.len()].copy_from_slice(b);
    u64::from_le_bytes(buf)
}

fn le_i64(b: &[u8]) -> i64 {
    let shift = 64 - 8 * b.len() as u32;
    // Shift the sign bit of the narrow value up to bit 63, then back down.
    ((le_u64(b) << shift) as i64) >> shift
}
