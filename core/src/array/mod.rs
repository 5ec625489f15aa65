//! Typed N-dimensional arrays over maps, stored as NumPy `.npy` files (or
//! raw, headerless bytes) and read with no copy.
//!
//! - [`Array::open`] maps a `.npy` file (format 1.0, 2.0 or 3.0) and checks
//!   its header against the file: a damaged or hostile header is an error
//!   (`Corrupt` or `Unsupported`, naming the path and what is wrong), never
//!   a read outside the file.
//! - [`Array::create`] and [`Array::create_from_bytes`] write a new `.npy`
//!   file byte for byte as `np.save` would (the lowest version that fits),
//!   so `np.load(path, mmap_mode='r')` reads it.
//! - [`Array::open_raw`] maps headerless data with a dtype, shape and byte
//!   offset given by the caller (`np.memmap`'s job).
//! - [`Array::create_shared`] puts an array in [shared memory](crate::SharedMemory).
//! - [`Array::sum`], [`mean`](Array::mean), [`std`](Array::std),
//!   [`min`](Array::min), [`max`](Array::max) reduce all elements with
//!   NumPy's result types and NaN rules (see [`reduce`]).
//!
//! ```
//! # fn main() -> mapview::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("a.npy");
//! use mapview::array::{Array, DType, Order};
//! let values: Vec<u8> = [1.5f64, 2.5, 3.0].iter().flat_map(|v| v.to_le_bytes()).collect();
//! Array::create_from_bytes(&path, DType::F64, &[3], Order::C, &values)?;
//!
//! let a = Array::open(&path)?;
//! assert_eq!(a.shape(), &[3]);
//! assert_eq!(a.as_slice::<f64>()?, &[1.5, 2.5, 3.0]);
//! assert_eq!(a.sum().as_f64(), 7.0);
//! # Ok(()) }
//! ```

mod dtype;
pub mod npy;
pub mod reduce;

use std::ops::{Deref, DerefMut};
use std::path::{Path, PathBuf};

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

pub use dtype::{ALL_DTYPES, DType, Order};
pub use reduce::{Extreme, Scalar, Value};

use crate::error::{Error, ErrorKind, InvalidReason, Result};
use crate::file::check_range;
use crate::map::Map;
use crate::map_mut::MapMut;
use crate::options::MapOptions;
use crate::shm::SharedMemory;
use npy::HeaderError;

/// How an array's bytes are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A `.npy` file of this (major, minor) version.
    Npy(u8, u8),
    /// Headerless data at a caller-given offset.
    Raw,
}

/// How to read headerless data: what [`Array::open_raw`] needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLayout {
    pub dtype: DType,
    /// `None`: one dimension holding every whole element after `offset`
    /// (the data's length must then be a multiple of the element size).
    pub shape: Option<Vec<usize>>,
    pub order: Order,
    /// Where the data starts, in bytes (any offset; unaligned data is fine
    /// for everything but the typed slices).
    pub offset: u64,
}

impl RawLayout {
    /// One dimension of every element from byte 0, C order.
    pub fn new(dtype: DType) -> RawLayout {
        RawLayout {
            dtype,
            shape: None,
            order: Order::C,
            offset: 0,
        }
    }

    pub fn shape(mut self, shape: &[usize]) -> RawLayout {
        self.shape = Some(shape.to_vec());
        self
    }

    pub fn order(mut self, order: Order) -> RawLayout {
        self.order = order;
        self
    }

    pub fn offset(mut self, offset: u64) -> RawLayout {
        self.offset = offset;
        self
    }
}

/// Rust types an array can be viewed as a slice of.
pub trait Element: FromBytes + IntoBytes + Immutable + KnownLayout + Copy {
    const DTYPE: DType;
}

macro_rules! element {
    ($($t:ty => $d:ident),*) => { $(impl Element for $t { const DTYPE: DType = DType::$d; })* };
}
element!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16, i32 => I32,
    i64 => I64, f32 => F32, f64 => F64);

/// An N-dimensional array of one element type over a map `M`: a [`Map`]
/// (read-only), a [`MapMut`] (read-write), a [`SharedMemory`] region, an
/// `Arc<Map>` from a [`MapCache`](crate::MapCache), or any bytes.
#[derive(Debug)]
pub struct Array<M = Map> {
    storage: M,
    dtype: DType,
    shape: Vec<usize>,
    order: Order,
    format: Format,
    data_offset: usize,
    data_len: usize,
    path: Option<PathBuf>,
}

fn header_error(op: &'static str, path: Option<&Path>, e: HeaderError) -> Error {
    match e {
        HeaderError::Corrupt(why) => Error::new(ErrorKind::Corrupt, op, why),
        HeaderError::Unsupported(why) => Error::new(ErrorKind::Unsupported, op, why),
    }
    .with_path(path)
}

fn overflow(op: &'static str, path: Option<&Path>, dtype: DType, shape: &[usize]) -> Error {
    Error::invalid_because(
        InvalidReason::Overflow,
        op,
        format!(
            "shape {} of {dtype} is too large to address",
            npy::shape_repr(shape)
        ),
    )
    .with_path(path)
}

fn check_shape(
    op: &'static str,
    path: Option<&Path>,
    dtype: DType,
    shape: &[usize],
) -> Result<usize> {
    if shape.len() > npy::MAX_DIMS {
        return Err(Error::invalid(
            op,
            format!("{} dimensions (at most {})", shape.len(), npy::MAX_DIMS),
        )
        .with_path(path));
    }
    npy::data_len(dtype, shape)
        .filter(|&n| n <= isize::MAX as usize)
        .ok_or_else(|| overflow(op, path, dtype, shape))
}

impl Array<Map> {
    /// Maps a `.npy` file read-only.
    pub fn open(path: impl AsRef<Path>) -> Result<Array<Map>> {
        let path = path.as_ref();
        located(Array::from_npy(Map::open(path)?), path)
    }

    /// Maps headerless data read-only (see [`RawLayout`]).
    pub fn open_raw(path: impl AsRef<Path>, layout: &RawLayout) -> Result<Array<Map>> {
        let path = path.as_ref();
        let file_len = std::fs::metadata(path)
            .map_err(|e| Error::io("open array", e).with_path(Some(path)))?
            .len();
        let (shape, len) = raw_extent(path, layout, file_len)?;
        let map = MapOptions::new()
            .range(layout.offset, len as u64)
            .open(path)?;
        located(Array::raw_parts(map, layout, shape, 0), path)
    }
}

/// Attaches the path to an array made from a file, or to its error.
fn located<M>(made: Result<Array<M>>, path: &Path) -> Result<Array<M>> {
    match made {
        Ok(mut a) => {
            a.path = Some(path.to_path_buf());
            Ok(a)
        }
        Err(e) => Err(e.with_path(Some(path))),
    }
}

impl Array<MapMut> {
    /// Maps a `.npy` file read-write: writes reach the file.
    pub fn open_read_write(path: impl AsRef<Path>) -> Result<Array<MapMut>> {
        let path = path.as_ref();
        located(Array::from_npy(MapMut::open(path)?), path)
    }

    /// Maps headerless data read-write (see [`RawLayout`]).
    pub fn open_raw_read_write(
        path: impl AsRef<Path>,
        layout: &RawLayout,
    ) -> Result<Array<MapMut>> {
        let path = path.as_ref();
        let file_len = std::fs::metadata(path)
            .map_err(|e| Error::io("open array", e).with_path(Some(path)))?
            .len();
        let (shape, len) = raw_extent(path, layout, file_len)?;
        let map = MapOptions::new()
            .range(layout.offset, len as u64)
            .open_read_write(path)?;
        located(Array::raw_parts(map, layout, shape, 0), path)
    }

    /// Creates a new `.npy` file of zeros (never overwrites a file) and
    /// maps it read-write.
    pub fn create(
        path: impl AsRef<Path>,
        dtype: DType,
        shape: &[usize],
        order: Order,
    ) -> Result<Array<MapMut>> {
        Array::create_impl(path.as_ref(), dtype, shape, order, None)
    }

    /// Creates a new `.npy` file holding `data`: the elements' bytes in
    /// `order`, little-endian, exactly `count * dtype.size()` of them.
    pub fn create_from_bytes(
        path: impl AsRef<Path>,
        dtype: DType,
        shape: &[usize],
        order: Order,
        data: &[u8],
    ) -> Result<Array<MapMut>> {
        Array::create_impl(path.as_ref(), dtype, shape, order, Some(data))
    }

    fn create_impl(
        path: &Path,
        dtype: DType,
        shape: &[usize],
        order: Order,
        data: Option<&[u8]>,
    ) -> Result<Array<MapMut>> {
        let len = check_shape("create array", Some(path), dtype, shape)?;
        check_data_len(Some(path), dtype, shape, len, data)?;
        let header = npy::header_bytes(dtype, shape, order);
        let total = header.len() as u64 + len as u64;
        let mut map = MapOptions::new().create(path, total)?;
        map[..header.len()].copy_from_slice(&header);
        if let Some(data) = data {
            map[header.len()..].copy_from_slice(data);
        }
        located(Array::from_npy(map), path)
    }

    /// Creates a new headerless file of `shape` elements: zeros, or a copy
    /// of `data` (never overwrites a file).
    pub fn create_raw(
        path: impl AsRef<Path>,
        dtype: DType,
        shape: &[usize],
        order: Order,
        data: Option<&[u8]>,
    ) -> Result<Array<MapMut>> {
        let path = path.as_ref();
        let len = check_shape("create array", Some(path), dtype, shape)?;
        check_data_len(Some(path), dtype, shape, len, data)?;
        let map = match data {
            Some(d) => MapOptions::new().create_from_bytes(path, d)?,
            None => MapOptions::new().create(path, len as u64)?,
        };
        let layout = RawLayout {
            dtype,
            shape: Some(shape.to_vec()),
            order,
            offset: 0,
        };
        located(Array::raw_parts(map, &layout, shape.to_vec(), 0), path)
    }

    /// Writes the array's changes to its file and waits.
    pub fn flush(&self) -> Result<()> {
        self.storage.flush()
    }
}

impl Array<SharedMemory> {
    /// Creates a shared-memory region holding a zeroed `.npy` array: named
    /// (`Some(name)`, found by [`SharedMemory::open`]) or a sealed memfd
    /// (`None`, handed over as [`SharedMemory`] explains). The header is
    /// written before the region is published, so a process opening it by
    /// name never sees a region without one.
    pub fn create_shared(
        name: Option<&str>,
        dtype: DType,
        shape: &[usize],
        order: Order,
    ) -> Result<Array<SharedMemory>> {
        let len = check_shape("create array", None, dtype, shape)?;
        let header = npy::header_bytes(dtype, shape, order);
        let total = header
            .len()
            .checked_add(len)
            .ok_or_else(|| overflow("create array", None, dtype, shape))?;
        let init = |bytes: &mut [u8]| bytes[..header.len()].copy_from_slice(&header);
        let shm = match name {
            Some(name) => SharedMemory::create_with(name, total, init)?,
            None => SharedMemory::create_memfd_with(total, init)?,
        };
        Array::from_npy(shm)
    }
}

fn check_data_len(
    path: Option<&Path>,
    dtype: DType,
    shape: &[usize],
    len: usize,
    data: Option<&[u8]>,
) -> Result<()> {
    match data {
        Some(d) if d.len() != len => Err(Error::invalid_because(
            InvalidReason::RecordSize,
            "create array",
            format!(
                "{} bytes of data given; shape {} of {dtype} needs {len}",
                d.len(),
                npy::shape_repr(shape)
            ),
        )
        .with_path(path)),
        _ => Ok(()),
    }
}

/// The shape and byte length of raw data in a file of `file_len` bytes.
fn raw_extent(path: &Path, layout: &RawLayout, file_len: u64) -> Result<(Vec<usize>, usize)> {
    let available = check_range("open array", Some(path), file_len, layout.offset, None)?;
    raw_shape(Some(path), layout, available)
}

fn raw_shape(
    path: Option<&Path>,
    layout: &RawLayout,
    available: u64,
) -> Result<(Vec<usize>, usize)> {
    let size = layout.dtype.size() as u64;
    let shape = match &layout.shape {
        Some(s) => s.clone(),
        None => {
            if !available.is_multiple_of(size) {
                return Err(Error::invalid_because(
                    InvalidReason::RecordSize,
                    "open array",
                    format!(
                        "{available} bytes after offset {} are not a whole number of {}-byte {} elements",
                        layout.offset, size, layout.dtype
                    ),
                )
                .with_path(path));
            }
            vec![
                usize::try_from(available / size)
                    .map_err(|_| overflow("open array", path, layout.dtype, &[]))?,
            ]
        }
    };
    let len = check_shape("open array", path, layout.dtype, &shape)?;
    if len as u64 > available {
        return Err(Error::invalid_because(
            InvalidReason::OutOfRange,
            "open array",
            format!(
                "shape {} of {} needs {len} bytes but only {available} follow offset {}",
                npy::shape_repr(&shape),
                layout.dtype,
                layout.offset
            ),
        )
        .with_path(path)
        .with_range(layout.offset, len as u64));
    }
    Ok((shape, len))
}

impl<M> Array<M>
where
    M: Deref<Target: AsRef<[u8]>>,
{
    /// Reads the `.npy` header at the start of `storage` and checks that
    /// the data it describes fits.
    pub fn from_npy(storage: M) -> Result<Array<M>> {
        let bytes: &[u8] = (*storage).as_ref();
        let h = npy::parse(bytes).map_err(|e| header_error("open array", None, e))?;
        let data_len = npy::data_len(h.dtype, &h.shape).unwrap_or(usize::MAX);
        let available = bytes.len() - h.data_offset;
        if data_len > available {
            return Err(Error::new(
                ErrorKind::Corrupt,
                "open array",
                format!(
                    "shape {} of {} needs {data_len} bytes of data but the file has {available} after the {}-byte header",
                    npy::shape_repr(&h.shape),
                    h.dtype,
                    h.data_offset
                ),
            ));
        }
        Ok(Array {
            storage,
            dtype: h.dtype,
            shape: h.shape,
            order: h.order,
            format: Format::Npy(h.version.0, h.version.1),
            data_offset: h.data_offset,
            data_len,
            path: None,
        })
    }

    /// Views headerless bytes of `storage` as an array (see [`RawLayout`]);
    /// `layout.offset` counts from the start of `storage`.
    pub fn from_raw(storage: M, layout: &RawLayout) -> Result<Array<M>> {
        let total = (*storage).as_ref().len() as u64;
        let available = check_range("open array", None, total, layout.offset, None)?;
        let (shape, _) = raw_shape(None, layout, available)?;
        let offset = layout.offset as usize; // <= total, which is a usize
        Array::raw_parts(storage, layout, shape, offset)
    }

    fn raw_parts(
        storage: M,
        layout: &RawLayout,
        shape: Vec<usize>,
        offset: usize,
    ) -> Result<Array<M>> {
        let data_len = check_shape("open array", None, layout.dtype, &shape)?;
        Ok(Array {
            storage,
            dtype: layout.dtype,
            shape,
            order: layout.order,
            format: Format::Raw,
            data_offset: offset,
            data_len,
            path: None,
        })
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }

    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    pub fn order(&self) -> Order {
        self.order
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// Number of elements (the product of the shape; 1 for a 0-d array).
    pub fn len(&self) -> usize {
        self.data_len / self.dtype.size()
    }

    pub fn is_empty(&self) -> bool {
        self.data_len == 0
    }

    /// Bytes of element data.
    pub fn nbytes(&self) -> usize {
        self.data_len
    }

    /// Where the data starts in the storage (the header length for `.npy`).
    pub fn data_offset(&self) -> usize {
        self.data_offset
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The element data: little-endian elements in the array's order.
    pub fn data(&self) -> &[u8] {
        let bytes: &[u8] = (*self.storage).as_ref();
        &bytes[self.data_offset..self.data_offset + self.data_len]
    }

    /// The elements as a slice of `T`, which must be the array's dtype.
    /// Data that does not start on `T`'s alignment (raw data at an odd
    /// offset) gives a `Misaligned` error; [`data`](Array::data) still works.
    pub fn as_slice<T: Element>(&self) -> Result<&[T]> {
        self.check_element::<T>()?;
        <[T]>::ref_from_bytes(self.data()).map_err(|_| self.misaligned::<T>())
    }

    fn check_element<T: Element>(&self) -> Result<()> {
        if T::DTYPE != self.dtype {
            return Err(Error::invalid(
                "array view",
                format!("the array holds {}, not {}", self.dtype, T::DTYPE),
            )
            .with_path(self.path()));
        }
        Ok(())
    }

    fn misaligned<T>(&self) -> Error {
        Error::invalid_because(
            InvalidReason::Misaligned,
            "array view",
            format!(
                "the data does not start on a {}-byte boundary (offset {})",
                std::mem::align_of::<T>(),
                self.data_offset
            ),
        )
        .with_path(self.path())
    }

    /// The storage (e.g. to read the map's other bytes).
    pub fn storage(&self) -> &M {
        &self.storage
    }

    pub fn into_storage(self) -> M {
        self.storage
    }

    /// Sum of all elements, as `np.sum` (see [`reduce::sum`]).
    pub fn sum(&self) -> Scalar {
        reduce::sum(self.dtype, self.data())
    }

    /// Mean of all elements, as `np.mean`; NaN for an empty array.
    pub fn mean(&self) -> Scalar {
        reduce::mean(self.dtype, self.data())
    }

    /// Standard deviation with `ddof` delta degrees of freedom, as `np.std`.
    pub fn std(&self, ddof: u64) -> Scalar {
        reduce::std(self.dtype, self.data(), ddof)
    }

    /// Smallest element (NaN if any element is NaN); an error for an empty array.
    pub fn min(&self) -> Result<Scalar> {
        self.extreme(Extreme::Min)
    }

    /// Largest element (NaN if any element is NaN); an error for an empty array.
    pub fn max(&self) -> Result<Scalar> {
        self.extreme(Extreme::Max)
    }

    fn extreme(&self, which: Extreme) -> Result<Scalar> {
        reduce::extreme(self.dtype, self.data(), which).ok_or_else(|| {
            Error::invalid(
                if which == Extreme::Min { "min" } else { "max" },
                "a zero-size array has no minimum or maximum",
            )
            .with_path(self.path())
        })
    }
}

impl<M> Array<M>
where
    M: DerefMut<Target: AsMut<[u8]> + AsRef<[u8]>>,
{
    /// Creates an array in writable storage (a shared-memory region, an
    /// anonymous map, a `Vec`): writes the `.npy` header at its start. The
    /// storage must hold the header and the data (see [`npy::header_bytes`]).
    pub fn init_npy(
        mut storage: M,
        dtype: DType,
        shape: &[usize],
        order: Order,
    ) -> Result<Array<M>> {
        let len = check_shape("create array", None, dtype, shape)?;
        let header = npy::header_bytes(dtype, shape, order);
        let have = (*storage).as_ref().len();
        if header.len().checked_add(len).is_none_or(|need| need > have) {
            return Err(Error::invalid_because(
                InvalidReason::OutOfRange,
                "create array",
                format!(
                    "shape {} of {dtype} needs {} bytes with its header; the storage has {have}",
                    npy::shape_repr(shape),
                    header.len().saturating_add(len)
                ),
            ));
        }
        (*storage).as_mut()[..header.len()].copy_from_slice(&header);
        Array::from_npy(storage)
    }

    /// The element data, writable.
    pub fn data_mut(&mut self) -> &mut [u8] {
        let (start, len) = (self.data_offset, self.data_len);
        &mut (*self.storage).as_mut()[start..start + len]
    }

    /// The elements as a mutable slice of `T` (see [`as_slice`](Array::as_slice)).
    pub fn as_mut_slice<T: Element>(&mut self) -> Result<&mut [T]> {
        self.check_element::<T>()?;
        let err = self.misaligned::<T>();
        <[T]>::mut_from_bytes(self.data_mut()).map_err(|_| err)
    }
}
