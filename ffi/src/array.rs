//! Typed arrays through the C ABI: `.npy` files (and headerless data)
//! mapped with no copy, arrays in shared memory, and the aggregates.

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use mapview::array::{ALL_DTYPES, Array, DType, Format, Order, RawLayout, Scalar, Value};
use mapview::{Map, MapMut, SharedMemory};

use crate::args::{self, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;
use crate::map::{
    MAPVIEW_FLUSH_ASYNC, MAPVIEW_MODE_READ_ONLY, MAPVIEW_MODE_READ_WRITE, mapview_mode,
};
use crate::shm::{SHMS, mapview_shm};

/// An array handle (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_array {
    pub id: u64,
}

/// An element type: one of MAPVIEW_DTYPE_*. All are little-endian.
pub type mapview_dtype = i32;
/// Not set: the value mapview_array_spec_init leaves, refused where a
/// type is needed.
pub const MAPVIEW_DTYPE_NONE: mapview_dtype = 0;
/// One byte, 0 false, anything else true (NumPy bool).
pub const MAPVIEW_DTYPE_BOOL: mapview_dtype = 1;
pub const MAPVIEW_DTYPE_U8: mapview_dtype = 2;
pub const MAPVIEW_DTYPE_U16: mapview_dtype = 3;
pub const MAPVIEW_DTYPE_U32: mapview_dtype = 4;
pub const MAPVIEW_DTYPE_U64: mapview_dtype = 5;
pub const MAPVIEW_DTYPE_I8: mapview_dtype = 6;
pub const MAPVIEW_DTYPE_I16: mapview_dtype = 7;
pub const MAPVIEW_DTYPE_I32: mapview_dtype = 8;
pub const MAPVIEW_DTYPE_I64: mapview_dtype = 9;
/// IEEE 754 half precision (NumPy float16).
pub const MAPVIEW_DTYPE_F16: mapview_dtype = 10;
pub const MAPVIEW_DTYPE_F32: mapview_dtype = 11;
pub const MAPVIEW_DTYPE_F64: mapview_dtype = 12;

/// Memory order: one of MAPVIEW_ORDER_*.
pub type mapview_order = i32;
/// Row-major: the last index varies fastest (NumPy's default).
pub const MAPVIEW_ORDER_C: mapview_order = 0;
/// Column-major: the first index varies fastest (fortran_order).
pub const MAPVIEW_ORDER_FORTRAN: mapview_order = 1;

/// How an array is stored: one of MAPVIEW_FORMAT_*.
pub type mapview_array_format = i32;
/// A NumPy .npy file: versions 1.0, 2.0, 3.0 are read; the lowest that
/// fits is written.
pub const MAPVIEW_FORMAT_NPY: mapview_array_format = 0;
/// Headerless data: dtype, shape, order and byte offset come from the spec.
pub const MAPVIEW_FORMAT_RAW: mapview_array_format = 1;

/// mapview_array_spec.flags: (raw, opening) the shape is one dimension
/// holding every whole element after the offset; ndim and shape are ignored.
pub const MAPVIEW_ARRAY_INFER_SHAPE: u32 = 1;

/// The most dimensions an array may have.
pub const MAPVIEW_ARRAY_MAX_DIMS: usize = 64;

/// What a value holds: one of MAPVIEW_VALUE_*.
pub type mapview_value_kind = i32;
/// A signed integer, in `i` (and `f`).
pub const MAPVIEW_VALUE_INT: mapview_value_kind = 1;
/// An unsigned integer, in `u` (and `f`).
pub const MAPVIEW_VALUE_UINT: mapview_value_kind = 2;
/// A floating-point number, in `f`.
pub const MAPVIEW_VALUE_FLOAT: mapview_value_kind = 3;
/// A boolean, as 0 or 1 in `u` (and `i`, `f`).
pub const MAPVIEW_VALUE_BOOL: mapview_value_kind = 4;

/// Describes an array to create, or how to read headerless data.
/// Initialise with mapview_array_spec_init(); may grow (struct_size).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_array_spec {
    /// sizeof(mapview_array_spec) as the caller was compiled; set by init.
    pub struct_size: u32,
    /// MAPVIEW_FORMAT_NPY (default) or MAPVIEW_FORMAT_RAW.
    pub format: mapview_array_format,
    /// One of MAPVIEW_DTYPE_* (init leaves MAPVIEW_DTYPE_NONE).
    pub dtype: mapview_dtype,
    /// MAPVIEW_ORDER_C (default) or MAPVIEW_ORDER_FORTRAN.
    pub order: mapview_order,
    /// Number of entries in `shape` (0 for a 0-d array of one element).
    pub ndim: u32,
    /// MAPVIEW_ARRAY_INFER_SHAPE; other bits are refused.
    pub flags: u32,
    /// `ndim` dimensions (may be NULL when ndim is 0). Not kept.
    pub shape: *const u64,
    /// Raw format: byte offset of the data in the file (any offset).
    pub offset: u64,
}

const SPEC_V1_SIZE: usize = std::mem::size_of::<mapview_array_spec>();

/// What an array is. Its dimensions come from mapview_array_shape.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_array_info {
    pub dtype: mapview_dtype,
    pub order: mapview_order,
    pub format: mapview_array_format,
    /// Number of dimensions.
    pub ndim: u32,
    /// Bytes per element.
    pub itemsize: usize,
    /// Number of elements (the product of the dimensions).
    pub count: u64,
    /// Bytes of element data (count * itemsize).
    pub nbytes: u64,
    /// Where the data starts in the file or region (the .npy header's length).
    pub data_offset: u64,
    /// .npy format version read (0.0 for raw data).
    pub npy_major: u8,
    pub npy_minor: u8,
    /// Whether mapview_array_data_mut is allowed.
    pub writable: bool,
}

/// A result of an aggregate. `dtype` is the type NumPy gives the same
/// reduction (np.sum of int8 is int64, of float32 is float32, np.mean of
/// integers is float64, ...); float results are rounded to it. `f` always
/// holds the value as a double; `i` or `u` hold integers exactly.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_value {
    pub dtype: mapview_dtype,
    /// One of MAPVIEW_VALUE_*: which field is exact.
    pub kind: mapview_value_kind,
    pub i: i64,
    pub u: u64,
    pub f: f64,
}

pub(crate) enum ArrayObj {
    ReadOnly(Array<Map>),
    Writable(Array<MapMut>),
    Shared(Array<SharedMemory>),
    Cached(Array<Arc<Map>>),
}

/// Runs `$body` with `$a` bound to the array, whatever its storage.
macro_rules! each {
    ($obj:expr, $a:ident => $body:expr) => {
        match $obj {
            ArrayObj::ReadOnly($a) => $body,
            ArrayObj::Writable($a) => $body,
            ArrayObj::Shared($a) => $body,
            ArrayObj::Cached($a) => $body,
        }
    };
}

pub(crate) static ARRAYS: Registry<ArrayObj> = Registry::new(7, "typed array");

pub(crate) fn register(obj: ArrayObj, out_array: &mut mapview_array) {
    out_array.id = ARRAYS.insert(obj);
}

fn dtype_code(t: DType) -> mapview_dtype {
    ALL_DTYPES
        .iter()
        .position(|&x| x == t)
        .map_or(MAPVIEW_DTYPE_NONE, |i| i as i32 + 1)
}

fn dtype_of(code: mapview_dtype) -> Option<DType> {
    usize::try_from(code)
        .ok()
        .and_then(|c| c.checked_sub(1))
        .and_then(|i| ALL_DTYPES.get(i).copied())
}

fn bad(code: mapview_status, message: String) -> Failure {
    Failure::new(code, message)
}

/// Default spec: .npy format, no dtype, C order, no dimensions, offset 0.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_spec_init() -> mapview_array_spec {
    mapview_array_spec {
        struct_size: SPEC_V1_SIZE as u32,
        format: MAPVIEW_FORMAT_NPY,
        dtype: MAPVIEW_DTYPE_NONE,
        order: MAPVIEW_ORDER_C,
        ndim: 0,
        flags: 0,
        shape: std::ptr::null(),
        offset: 0,
    }
}

/// A spec read from C and checked.
pub(crate) struct Spec {
    pub(crate) format: mapview_array_format,
    pub(crate) dtype: Option<DType>,
    pub(crate) order: Order,
    pub(crate) shape: Option<Vec<usize>>,
    pub(crate) offset: u64,
}

impl Spec {
    pub(crate) fn dtype(&self) -> Result<DType, Failure> {
        self.dtype.ok_or_else(|| {
            bad(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                "spec.dtype is MAPVIEW_DTYPE_NONE: set it to one of MAPVIEW_DTYPE_*".to_string(),
            )
        })
    }

    pub(crate) fn shape(&self) -> Result<&[usize], Failure> {
        self.shape.as_deref().ok_or_else(|| {
            bad(
                mapview_status::MAPVIEW_ERR_INVALID_FLAGS,
                "MAPVIEW_ARRAY_INFER_SHAPE applies to opening raw data only".to_string(),
            )
        })
    }

    pub(crate) fn layout(&self) -> Result<RawLayout, Failure> {
        Ok(RawLayout {
            dtype: self.dtype()?,
            shape: self.shape.clone(),
            order: self.order,
            offset: self.offset,
        })
    }

    pub(crate) fn raw(&self) -> bool {
        self.format == MAPVIEW_FORMAT_RAW
    }
}

/// Reads and checks a spec (NULL: the defaults).
///
/// # Safety
/// `spec` is NULL or points to a readable mapview_array_spec of at least
/// its struct_size, whose `shape` points to `ndim` readable u64s.
pub(crate) unsafe fn parse_spec(spec: *const mapview_array_spec) -> Result<Spec, Failure> {
    // SAFETY: forwarded contract.
    let s = unsafe {
        args::versioned(
            spec,
            mapview_array_spec_init(),
            SPEC_V1_SIZE,
            "mapview_array_spec",
        )
    }?;
    if s.format != MAPVIEW_FORMAT_NPY && s.format != MAPVIEW_FORMAT_RAW {
        return Err(Failure::invalid_flags(format!(
            "format {} is not one of MAPVIEW_FORMAT_*",
            s.format
        )));
    }
    args::known_flags(s.flags, MAPVIEW_ARRAY_INFER_SHAPE, "array")?;
    let order = match s.order {
        MAPVIEW_ORDER_C => Order::C,
        MAPVIEW_ORDER_FORTRAN => Order::Fortran,
        other => {
            return Err(Failure::invalid_flags(format!(
                "order {other} is not one of MAPVIEW_ORDER_*"
            )));
        }
    };
    let dtype = match s.dtype {
        MAPVIEW_DTYPE_NONE => None,
        code => Some(dtype_of(code).ok_or_else(|| {
            bad(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!("dtype {code} is not one of MAPVIEW_DTYPE_*"),
            )
        })?),
    };
    let shape = if s.flags & MAPVIEW_ARRAY_INFER_SHAPE != 0 {
        None
    } else {
        let ndim = s.ndim as usize;
        if ndim > MAPVIEW_ARRAY_MAX_DIMS {
            return Err(bad(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!("spec.ndim is {ndim} (at most {MAPVIEW_ARRAY_MAX_DIMS})"),
            ));
        }
        // SAFETY: shape points to `ndim` readable u64s (contract above).
        let dims = unsafe { args::slice(s.shape, ndim, "spec.shape") }?;
        Some(
            dims.iter()
                .map(|&d| args::to_usize(d, "dimension"))
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    Ok(Spec {
        format: s.format,
        dtype,
        order,
        shape,
        offset: s.offset,
    })
}

/// Creates a new array file (never overwrites one) and maps it
/// read-write: a .npy file (spec->format MAPVIEW_FORMAT_NPY, which
/// np.load reads) or headerless data (MAPVIEW_FORMAT_RAW; spec->offset
/// must be 0). spec gives dtype, order and shape. `data` holds the
/// elements (little-endian, in spec->order): exactly
/// count * itemsize bytes (MAPVIEW_ERR_RECORD_SIZE otherwise), or NULL
/// with data_len 0 for zeros. A failed call leaves no file behind.
///
/// Ownership: data is copied. The caller closes the handle with
/// mapview_array_close. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_create(
    path: *const c_char,
    path_len: usize,
    spec: *const mapview_array_spec,
    data: *const c_void,
    data_len: usize,
    out_array: *mut mapview_array,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all four): pointer contracts are documented above.
        let out_array = unsafe { out(out_array, "out_array") }?;
        out_array.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        if spec.is_null() {
            return Err(args::null("spec"));
        }
        let spec = unsafe { parse_spec(spec) }?;
        let data = if data.is_null() && data_len == 0 {
            None
        } else {
            Some(unsafe { args::bytes(data.cast(), data_len, "data") }?)
        };
        let (dtype, shape) = (spec.dtype()?, spec.shape()?);
        let a = if spec.raw() {
            if spec.offset != 0 {
                return Err(bad(
                    mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                    "spec.offset must be 0 when creating raw data".to_string(),
                ));
            }
            Array::create_raw(path, dtype, shape, spec.order, data)?
        } else {
            match data {
                Some(d) => Array::create_from_bytes(path, dtype, shape, spec.order, d)?,
                None => Array::create(path, dtype, shape, spec.order)?,
            }
        };
        register(ArrayObj::Writable(a), out_array);
        Ok(())
    })
}

/// Maps an array file: a .npy file (spec NULL, or format
/// MAPVIEW_FORMAT_NPY), whose header gives dtype, shape and order; or
/// headerless data (format MAPVIEW_FORMAT_RAW) described by spec: dtype,
/// order, offset and shape (or MAPVIEW_ARRAY_INFER_SHAPE).
///
/// - mode: MAPVIEW_MODE_READ_ONLY or MAPVIEW_MODE_READ_WRITE.
/// - A .npy header that is damaged or hostile gives MAPVIEW_ERR_CORRUPT
///   (bad magic, truncated, malformed, a shape the file cannot hold);
///   one describing what mapview does not map gives
///   MAPVIEW_ERR_UNSUPPORTED (object, structured, complex, big-endian
///   dtypes, unknown versions). The message names the path and the fault.
///
/// Ownership: the caller closes the handle with mapview_array_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_open(
    path: *const c_char,
    path_len: usize,
    mode: mapview_mode,
    spec: *const mapview_array_spec,
    out_array: *mut mapview_array,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_array = unsafe { out(out_array, "out_array") }?;
        out_array.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let spec = unsafe { parse_spec(spec) }?;
        let obj = match (mode, spec.raw()) {
            (MAPVIEW_MODE_READ_ONLY, false) => ArrayObj::ReadOnly(Array::open(path)?),
            (MAPVIEW_MODE_READ_ONLY, true) => {
                ArrayObj::ReadOnly(Array::open_raw(path, &spec.layout()?)?)
            }
            (MAPVIEW_MODE_READ_WRITE, false) => ArrayObj::Writable(Array::open_read_write(path)?),
            (MAPVIEW_MODE_READ_WRITE, true) => {
                ArrayObj::Writable(Array::open_raw_read_write(path, &spec.layout()?)?)
            }
            (other, _) => {
                return Err(bad(
                    mapview_status::MAPVIEW_ERR_INVALID_FLAGS,
                    format!("mode {other} is not MAPVIEW_MODE_READ_ONLY or _READ_WRITE"),
                ));
            }
        };
        register(obj, out_array);
        Ok(())
    })
}

/// Creates a shared-memory region holding a zeroed .npy array (spec:
/// format MAPVIEW_FORMAT_NPY, dtype, order, shape): named when `name` is
/// not NULL (found with mapview_shm_open; the header is written before the
/// name appears, so no process sees the region without it), else a sealed
/// memfd. Map the array with mapview_array_from_shm; hand the region over
/// as mapview_shm_create / _create_memfd describe.
///
/// Ownership: the caller closes the region handle with mapview_shm_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_shm_create_array(
    name: *const c_char,
    name_len: usize,
    spec: *const mapview_array_spec,
    out_shm: *mut mapview_shm,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_shm = unsafe { out(out_shm, "out_shm") }?;
        out_shm.id = 0;
        let name = if name.is_null() {
            None
        } else {
            Some(unsafe { crate::shm::name(name, name_len) }?)
        };
        if spec.is_null() {
            return Err(args::null("spec"));
        }
        let spec = unsafe { parse_spec(spec) }?;
        if spec.raw() {
            return Err(bad(
                mapview_status::MAPVIEW_ERR_INVALID_FLAGS,
                "an array in shared memory is stored as .npy (MAPVIEW_FORMAT_NPY)".to_string(),
            ));
        }
        let a = Array::create_shared(name, spec.dtype()?, spec.shape()?, spec.order)?;
        let shm = a.into_storage();
        let name = shm.name().and_then(|n| std::ffi::CString::new(n).ok());
        out_shm.id = SHMS.insert(crate::shm::ShmEntry::new(shm, name));
        Ok(())
    })
}

/// Maps the array in a shared-memory region, read-write: the .npy array
/// at its start (spec NULL or MAPVIEW_FORMAT_NPY), or headerless data
/// described by spec (MAPVIEW_FORMAT_RAW; offset counts from the region's
/// start). The array has its own mapping: closing the region handle does
/// not affect it.
///
/// Ownership: the caller closes the array with mapview_array_close.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_from_shm(
    shm: mapview_shm,
    spec: *const mapview_array_spec,
    out_array: *mut mapview_array,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_array = unsafe { out(out_array, "out_array") }?;
        out_array.id = 0;
        let spec = unsafe { parse_spec(spec) }?;
        let region = SHMS.get(shm.id)?.shm.try_clone()?;
        let a = if spec.raw() {
            Array::from_raw(region, &spec.layout()?)?
        } else {
            Array::from_npy(region)?
        };
        register(ArrayObj::Shared(a), out_array);
        Ok(())
    })
}

/// What the array is: dtype, order, format, ndim, sizes, data offset,
/// .npy version, writability.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_info_get(
    array: mapview_array,
    out_info: *mut mapview_array_info,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_info = unsafe { out(out_info, "out_info") }?;
        let obj = ARRAYS.get(array.id)?;
        let writable = matches!(*obj, ArrayObj::Writable(_) | ArrayObj::Shared(_));
        *out_info = each!(&*obj, a => {
            let (npy_major, npy_minor) = match a.format() {
                Format::Npy(major, minor) => (major, minor),
                Format::Raw => (0, 0),
            };
            mapview_array_info {
                dtype: dtype_code(a.dtype()),
                order: match a.order() {
                    Order::C => MAPVIEW_ORDER_C,
                    Order::Fortran => MAPVIEW_ORDER_FORTRAN,
                },
                format: if npy_major == 0 { MAPVIEW_FORMAT_RAW } else { MAPVIEW_FORMAT_NPY },
                ndim: a.shape().len() as u32,
                itemsize: a.dtype().size(),
                count: a.len() as u64,
                nbytes: a.nbytes() as u64,
                data_offset: a.data_offset() as u64,
                npy_major,
                npy_minor,
                writable,
            }
        });
        Ok(())
    })
}

/// The dimensions: *out_ndim receives the number of dimensions, and
/// out_shape (capacity entries; may be NULL when capacity is 0) the
/// dimensions. A capacity smaller than ndim gives
/// MAPVIEW_ERR_INVALID_ARGUMENT, with *out_ndim still set so the caller
/// can retry; MAPVIEW_ARRAY_MAX_DIMS entries always suffice.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_shape(
    array: mapview_array,
    out_shape: *mut u64,
    capacity: usize,
    out_ndim: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_ndim = unsafe { out(out_ndim, "out_ndim") }?;
        let obj = ARRAYS.get(array.id)?;
        let shape: &[usize] = each!(&*obj, a => a.shape());
        *out_ndim = shape.len();
        if capacity < shape.len() {
            return Err(bad(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!(
                    "capacity {capacity} is less than the {} dimensions",
                    shape.len()
                ),
            ));
        }
        if shape.is_empty() {
            return Ok(());
        }
        if out_shape.is_null() {
            return Err(args::null("out_shape"));
        }
        for (i, &d) in shape.iter().enumerate() {
            // SAFETY: out_shape has `capacity` >= shape.len() writable entries.
            unsafe { out_shape.add(i).write(d as u64) };
        }
        Ok(())
    })
}

/// The element data (little-endian, in the array's order): *out_data and
/// *out_len bytes. For an empty array *out_data must not be read.
///
/// Ownership: the memory belongs to the array; valid until
/// mapview_array_close. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_data(
    array: mapview_array,
    out_data: *mut *const c_void,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        let obj = ARRAYS.get(array.id)?;
        let d: &[u8] = each!(&*obj, a => a.data());
        *out_data = d.as_ptr().cast();
        *out_len = d.len();
        Ok(())
    })
}

/// The element data for writing. MAPVIEW_ERR_READ_ONLY for arrays opened
/// read-only or taken from a cache.
///
/// Ownership and validity: as mapview_array_data; ordering writes with
/// other threads and processes is the caller's job.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_data_mut(
    array: mapview_array,
    out_data: *mut *mut c_void,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        let obj = ARRAYS.get(array.id)?;
        let d: &[u8] = match &*obj {
            ArrayObj::Writable(a) => a.data(),
            ArrayObj::Shared(a) => a.data(),
            _ => return Err(read_only()),
        };
        // A writable map handed out as a raw pointer, as mapview_map_data_mut does.
        *out_data = d.as_ptr().cast_mut().cast();
        *out_len = d.len();
        Ok(())
    })
}

fn read_only() -> Failure {
    bad(
        mapview_status::MAPVIEW_ERR_READ_ONLY,
        "the array is read-only".to_string(),
    )
}

fn to_value(s: Scalar) -> mapview_value {
    let (kind, i, u) = match s.value {
        Value::Bool(b) => (MAPVIEW_VALUE_BOOL, i64::from(b), u64::from(b)),
        Value::I64(v) => (MAPVIEW_VALUE_INT, v, v as u64),
        Value::U64(v) => (MAPVIEW_VALUE_UINT, v as i64, v),
        Value::F64(_) => (MAPVIEW_VALUE_FLOAT, 0, 0),
    };
    mapview_value {
        dtype: dtype_code(s.dtype),
        kind,
        i,
        u,
        f: s.as_f64(),
    }
}

fn aggregate(
    array: mapview_array,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
    f: impl Fn(&ArrayObj) -> Result<Scalar, Failure>,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented by each caller.
        let out_value = unsafe { out(out_value, "out_value") }?;
        let obj = ARRAYS.get(array.id)?;
        *out_value = to_value(f(&obj)?);
        Ok(())
    })
}

/// The sum of all elements, as np.sum: bool and signed integers in int64,
/// unsigned integers in uint64 (wrapping on overflow, as NumPy's do),
/// floats in their own type (accumulated in double, pairwise over
/// blocks); NaN propagates. 0 for an empty array.
///
/// Thread-safety: any thread. Writers racing with the sum make its
/// result undefined, not unsafe.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_sum(
    array: mapview_array,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
) -> mapview_status {
    aggregate(array, out_value, err, |o| Ok(each!(o, a => a.sum())))
}

/// The mean, as np.mean: float64 for bool and integers, the array's own
/// type for floats. NaN for an empty array.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_mean(
    array: mapview_array,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
) -> mapview_status {
    aggregate(array, out_value, err, |o| Ok(each!(o, a => a.mean())))
}

/// The standard deviation with `ddof` delta degrees of freedom, as
/// np.std(a, ddof=ddof): types as mapview_array_mean; divides by
/// max(count - ddof, 0), so too few elements give infinity or NaN.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_std(
    array: mapview_array,
    ddof: u64,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
) -> mapview_status {
    aggregate(array, out_value, err, |o| Ok(each!(o, a => a.std(ddof))))
}

/// The smallest element, in the array's dtype; NaN if any element is NaN.
/// An empty array has none: MAPVIEW_ERR_INVALID_ARGUMENT.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_min(
    array: mapview_array,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
) -> mapview_status {
    aggregate(array, out_value, err, |o| Ok(each!(o, a => a.min())?))
}

/// The largest element, as mapview_array_min.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_max(
    array: mapview_array,
    out_value: *mut mapview_value,
    err: *mut *mut mapview_error,
) -> mapview_status {
    aggregate(array, out_value, err, |o| Ok(each!(o, a => a.max())?))
}

/// Writes a file-backed array's changes to its file: waits (flags 0) or
/// only starts (MAPVIEW_FLUSH_ASYNC). Arrays in shared memory: succeeds,
/// nothing to write. Read-only and cached arrays: MAPVIEW_ERR_READ_ONLY.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_flush(
    array: mapview_array,
    flags: u32,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        args::known_flags(flags, MAPVIEW_FLUSH_ASYNC, "flush")?;
        let obj = ARRAYS.get(array.id)?;
        match &*obj {
            ArrayObj::Writable(a) if flags & MAPVIEW_FLUSH_ASYNC != 0 => {
                Ok(a.storage().flush_async()?)
            }
            ArrayObj::Writable(a) => Ok(a.flush()?),
            ArrayObj::Shared(_) => Ok(()),
            _ => Err(read_only()),
        }
    })
}

/// Closes an array: unmaps it once no other thread is inside a call on
/// it. Pointers from mapview_array_data are invalid afterwards.
/// MAPVIEW_ERR_CLOSED if already closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_array_close(array: mapview_array) -> mapview_status {
    guard_status(|| ARRAYS.remove(array.id).map(drop))
}

/// NumPy's name of a dtype ("float64", "bool", ...): a static string, or
/// "unknown" for a value that is not a MAPVIEW_DTYPE_*.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_dtype_name(dtype: mapview_dtype) -> *const c_char {
    let name: &'static std::ffi::CStr = match dtype_of(dtype) {
        Some(DType::Bool) => c"bool",
        Some(DType::U8) => c"uint8",
        Some(DType::U16) => c"uint16",
        Some(DType::U32) => c"uint32",
        Some(DType::U64) => c"uint64",
        Some(DType::I8) => c"int8",
        Some(DType::I16) => c"int16",
        Some(DType::I32) => c"int32",
        Some(DType::I64) => c"int64",
        Some(DType::F16) => c"float16",
        Some(DType::F32) => c"float32",
        Some(DType::F64) => c"float64",
        None => c"unknown",
    };
    name.as_ptr()
}

/// Bytes per element of a dtype; 0 for a value that is not a MAPVIEW_DTYPE_*.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_dtype_size(dtype: mapview_dtype) -> usize {
    dtype_of(dtype).map_or(0, DType::size)
}
