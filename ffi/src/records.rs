//! Records of a layout known at run time over a map: count, get, binary
//! search. Stateless: each call checks the layout against the map as it is
//! now (a resized map may no longer divide into records).

use std::ffi::c_void;

use mapview::{KeyKind, RecordLayout, RecordView};

use crate::args::{self, input, out};
use crate::boundary::guard;
use crate::error::{Failure, mapview_error, mapview_status};
use crate::map::{mapview_map, with_map};

/// How record keys compare: one of MAPVIEW_KEY_*.
pub type mapview_key_kind = i32;
/// Bytes compared lexicographically (memcmp).
pub const MAPVIEW_KEY_BYTES: mapview_key_kind = 0;
/// Unsigned little-endian integer, 1 to 8 bytes.
pub const MAPVIEW_KEY_UNSIGNED_LE: mapview_key_kind = 1;
/// Signed (two's complement) little-endian integer, 1 to 8 bytes.
pub const MAPVIEW_KEY_SIGNED_LE: mapview_key_kind = 2;
/// Unsigned big-endian integer, 1 to 8 bytes.
pub const MAPVIEW_KEY_UNSIGNED_BE: mapview_key_kind = 3;

/// The layout of fixed-size records: their size and where their key is.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_record_layout {
    /// Bytes per record; must be non-zero and divide the map's length.
    pub record_size: usize,
    /// Where the key starts inside a record.
    pub key_offset: usize,
    /// Key length in bytes (1 to 8 for integer keys); 0 for records without
    /// a key, which can be counted and got but not searched.
    pub key_len: usize,
    /// One of MAPVIEW_KEY_*.
    pub key_kind: mapview_key_kind,
}

fn parse_layout(l: &mapview_record_layout) -> Result<RecordLayout, Failure> {
    let key_kind = match l.key_kind {
        MAPVIEW_KEY_BYTES => KeyKind::Bytes,
        MAPVIEW_KEY_UNSIGNED_LE => KeyKind::UnsignedLe,
        MAPVIEW_KEY_SIGNED_LE => KeyKind::SignedLe,
        MAPVIEW_KEY_UNSIGNED_BE => KeyKind::UnsignedBe,
        other => {
            return Err(Failure::invalid_flags(format!(
                "key_kind {other} is not one of MAPVIEW_KEY_*"
            )));
        }
    };
    Ok(RecordLayout {
        record_size: l.record_size,
        key_offset: l.key_offset,
        key_len: l.key_len,
        key_kind,
    })
}

/// Runs `f` on the map's records under `layout`.
///
/// # Safety
/// `layout` is NULL or points to a readable mapview_record_layout.
unsafe fn with_records<R>(
    map: mapview_map,
    layout: *const mapview_record_layout,
    f: impl FnOnce(RecordView<'_>) -> Result<R, Failure>,
) -> Result<R, Failure> {
    // SAFETY: forwarded contract.
    let layout = parse_layout(unsafe { input(layout, "layout") }?)?;
    with_map(map, |m| f(RecordView::new(m.bytes(), layout)?))
}

/// The number of records in the map. MAPVIEW_ERR_RECORD_SIZE when the
/// record size is 0 or does not divide the map's length.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_records_count(
    map: mapview_map,
    layout: *const mapview_record_layout,
    out_count: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_count = unsafe { out(out_count, "out_count") }?;
        *out_count = unsafe { with_records(map, layout, |v| Ok(v.len())) }?;
        Ok(())
    })
}

/// A pointer to record `index` (record_size bytes). MAPVIEW_ERR_OUT_OF_RANGE
/// past the last record.
///
/// Ownership and validity: the record belongs to the map; the pointer is
/// valid until mapview_map_close or mapview_map_resize. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_records_get(
    map: mapview_map,
    layout: *const mapview_record_layout,
    index: usize,
    out_record: *mut *const u8,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_record = unsafe { out(out_record, "out_record") }?;
        *out_record = unsafe {
            with_records(map, layout, |v| {
                v.get(index).map(<[u8]>::as_ptr).ok_or_else(|| {
                    Failure::new(
                        mapview_status::MAPVIEW_ERR_OUT_OF_RANGE,
                        format!(
                            "record {index} is past the last record ({} records)",
                            v.len()
                        ),
                    )
                })
            })
        }?;
        Ok(())
    })
}

/// Binary search over records sorted by key, ascending. `key` has
/// `key_len` bytes (the layout's key length) in the key's own encoding.
/// *out_found tells whether a record has that key; *out_index is then its
/// index (any one of equal keys), otherwise where the key would go.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_records_search(
    map: mapview_map,
    layout: *const mapview_record_layout,
    key: *const c_void,
    key_len: usize,
    out_index: *mut usize,
    out_found: *mut bool,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all): pointer contracts are documented above.
        let out_index = unsafe { out(out_index, "out_index") }?;
        let out_found = unsafe { out(out_found, "out_found") }?;
        if key.is_null() {
            return Err(args::null("key"));
        }
        let key = unsafe { args::bytes(key.cast(), key_len, "key") }?;
        let found = unsafe { with_records(map, layout, |v| Ok(v.binary_search(key)?)) }?;
        (*out_found, *out_index) = match found {
            Ok(i) => (true, i),
            Err(i) => (false, i),
        };
        Ok(())
    })
}
