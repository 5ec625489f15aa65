//! Maps: open, create, anonymous, data, flush, advice, populate, lock,
//! resize, close.

use std::ffi::c_char;
use std::sync::{Arc, RwLock, RwLockReadGuard};

use mapview::{Advice, HugePages, Map, MapKind, MapMut, MapOptions, Mapping, PopulateMethod};

use crate::args::{self, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;

/// A map handle. A value, not a pointer: copy it freely. 0 is never a
/// valid handle. Closed handles stay detectably closed (their ids are never
/// reused).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_map {
    pub id: u64,
}

/// How mapview_map_open maps a file: one of MAPVIEW_MODE_*.
pub type mapview_mode = i32;
/// Read-only: the data can only be read (mapview_map_data_mut fails).
pub const MAPVIEW_MODE_READ_ONLY: mapview_mode = 0;
/// Read-write and shared: writes reach the file.
pub const MAPVIEW_MODE_READ_WRITE: mapview_mode = 1;
/// Copy-on-write: writable, but writes never reach the file.
pub const MAPVIEW_MODE_PRIVATE: mapview_mode = 2;

/// Access advice: one of MAPVIEW_ADVICE_*.
pub type mapview_advice = i32;
/// No advice at map time (options only).
pub const MAPVIEW_ADVICE_NONE: mapview_advice = 0;
pub const MAPVIEW_ADVICE_NORMAL: mapview_advice = 1;
pub const MAPVIEW_ADVICE_RANDOM: mapview_advice = 2;
pub const MAPVIEW_ADVICE_SEQUENTIAL: mapview_advice = 3;
pub const MAPVIEW_ADVICE_WILL_NEED: mapview_advice = 4;
/// Refused (MAPVIEW_ERR_INVALID_FLAGS) on private and anonymous maps,
/// whose contents it would discard.
pub const MAPVIEW_ADVICE_DONT_NEED: mapview_advice = 5;

/// Huge-page policy: one of MAPVIEW_HUGE_PAGES_*.
pub type mapview_huge_pages = i32;
pub const MAPVIEW_HUGE_PAGES_DEFAULT: mapview_huge_pages = 0;
/// Transparent huge-page advice (MADV_HUGEPAGE).
pub const MAPVIEW_HUGE_PAGES_TRANSPARENT: mapview_huge_pages = 1;
/// Explicit hugetlb pages: anonymous maps or hugetlbfs files only;
/// MAPVIEW_ERR_OUT_OF_MEMORY when no huge pages are reserved.
pub const MAPVIEW_HUGE_PAGES_EXPLICIT: mapview_huge_pages = 2;
/// Explicit where possible, else normal pages with transparent advice.
pub const MAPVIEW_HUGE_PAGES_EXPLICIT_OR_TRANSPARENT: mapview_huge_pages = 3;

/// mapview_map_options.flags: fault every page in at map time, reporting
/// errors now (MADV_POPULATE_READ/WRITE where the kernel has them).
pub const MAPVIEW_MAP_POPULATE: u32 = 1;
/// mapview_map_options.flags: lock the pages in RAM (mlock).
pub const MAPVIEW_MAP_LOCK: u32 = 2;
const MAP_FLAGS_KNOWN: u32 = MAPVIEW_MAP_POPULATE | MAPVIEW_MAP_LOCK;

/// mapview_map_flush flags: start the write-back and return (MS_ASYNC).
pub const MAPVIEW_FLUSH_ASYNC: u32 = 1;

/// A length meaning "to the end of the file or map".
pub const MAPVIEW_TO_END: u64 = u64::MAX;

/// What a map is: one of MAPVIEW_KIND_*.
pub type mapview_kind = i32;
pub const MAPVIEW_KIND_READ_ONLY: mapview_kind = 0;
pub const MAPVIEW_KIND_SHARED: mapview_kind = 1;
pub const MAPVIEW_KIND_PRIVATE: mapview_kind = 2;
pub const MAPVIEW_KIND_ANONYMOUS_PRIVATE: mapview_kind = 3;
pub const MAPVIEW_KIND_ANONYMOUS_SHARED: mapview_kind = 4;

/// How mapview_map_populate faulted pages in: one of MAPVIEW_POPULATE_*.
pub type mapview_populate_method = i32;
/// MADV_POPULATE_READ/WRITE: errors were reported.
pub const MAPVIEW_POPULATE_MADVISE: mapview_populate_method = 0;
/// Older kernel: one read per page; a truncated file raises SIGBUS instead.
pub const MAPVIEW_POPULATE_TOUCH: mapview_populate_method = 1;
/// The map is empty.
pub const MAPVIEW_POPULATE_NOTHING: mapview_populate_method = 2;

/// Options for making a map. Initialise with mapview_map_options_init(),
/// then change fields. The struct may grow in later versions: struct_size
/// tells the library which fields the caller knows.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_map_options {
    /// sizeof(mapview_map_options) as the caller was compiled; set by init.
    pub struct_size: u32,
    /// MAPVIEW_MAP_POPULATE | MAPVIEW_MAP_LOCK; other bits are refused.
    pub flags: u32,
    /// First byte of the file to map (any offset). Files only; 0 otherwise.
    pub offset: u64,
    /// Bytes to map, or MAPVIEW_TO_END. Files only; MAPVIEW_TO_END otherwise.
    pub length: u64,
    /// One of MAPVIEW_HUGE_PAGES_*.
    pub huge_pages: mapview_huge_pages,
    /// One of MAPVIEW_ADVICE_*, applied at map time (MAPVIEW_ADVICE_NONE: none).
    pub advice: mapview_advice,
}

const OPTIONS_V1_SIZE: usize = std::mem::size_of::<mapview_map_options>();

/// What a map is and where it lies.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_map_info {
    /// One of MAPVIEW_KIND_*.
    pub kind: mapview_kind,
    /// Whether mapview_map_data_mut is allowed.
    pub writable: bool,
    /// Length of the view in bytes.
    pub len: usize,
    /// Where the view starts in its file (0 for anonymous maps).
    pub file_offset: u64,
}

/// Default options: whole file, lazy, normal pages, no advice.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_options_init() -> mapview_map_options {
    mapview_map_options {
        struct_size: OPTIONS_V1_SIZE as u32,
        flags: 0,
        offset: 0,
        length: MAPVIEW_TO_END,
        huge_pages: MAPVIEW_HUGE_PAGES_DEFAULT,
        advice: MAPVIEW_ADVICE_NONE,
    }
}

pub(crate) enum MapObj {
    ReadOnly(Map),
    Writable(MapMut),
}

impl MapObj {
    pub(crate) fn bytes(&self) -> &[u8] {
        self.mapping()
    }

    /// What every kind of map can do (advice, populate, lock).
    pub(crate) fn mapping(&self) -> &dyn Mapping {
        match self {
            MapObj::ReadOnly(m) => m,
            MapObj::Writable(m) => m,
        }
    }
}

/// A registered map. The lock lets resize (which may move the map) wait
/// for calls that are reading it.
pub(crate) type MapEntry = RwLock<MapObj>;

pub(crate) static MAPS: Registry<MapEntry> = Registry::new(1, "map");

/// Runs `f` on the map behind a handle, holding a read lock.
pub(crate) fn with_map<R>(
    map: mapview_map,
    f: impl FnOnce(&MapObj) -> Result<R, Failure>,
) -> Result<R, Failure> {
    let entry: Arc<MapEntry> = MAPS.get(map.id)?;
    let guard: RwLockReadGuard<'_, MapObj> = entry.read().unwrap_or_else(|e| e.into_inner());
    f(&guard)
}

fn parse_advice(advice: mapview_advice) -> Result<Option<Advice>, Failure> {
    Ok(Some(match advice {
        MAPVIEW_ADVICE_NONE => return Ok(None),
        MAPVIEW_ADVICE_NORMAL => Advice::Normal,
        MAPVIEW_ADVICE_RANDOM => Advice::Random,
        MAPVIEW_ADVICE_SEQUENTIAL => Advice::Sequential,
        MAPVIEW_ADVICE_WILL_NEED => Advice::WillNeed,
        MAPVIEW_ADVICE_DONT_NEED => Advice::DontNeed,
        other => {
            return Err(Failure::invalid_flags(format!(
                "advice {other} is not one of MAPVIEW_ADVICE_*"
            )));
        }
    }))
}

/// Converts C options (NULL means defaults) into core options.
///
/// # Safety
/// `opts` is NULL or points to a readable mapview_map_options of at least
/// `struct_size` bytes.
unsafe fn parse_options(opts: *const mapview_map_options) -> Result<MapOptions, Failure> {
    // SAFETY: forwarded contract.
    let o = unsafe {
        args::versioned(
            opts,
            mapview_map_options_init(),
            OPTIONS_V1_SIZE,
            "mapview_map_options",
        )
    }?;
    args::known_flags(o.flags, MAP_FLAGS_KNOWN, "map")?;
    let huge = match o.huge_pages {
        MAPVIEW_HUGE_PAGES_DEFAULT => HugePages::Default,
        MAPVIEW_HUGE_PAGES_TRANSPARENT => HugePages::Transparent,
        MAPVIEW_HUGE_PAGES_EXPLICIT => HugePages::Explicit,
        MAPVIEW_HUGE_PAGES_EXPLICIT_OR_TRANSPARENT => HugePages::ExplicitOrTransparent,
        other => {
            return Err(Failure::invalid_flags(format!(
                "huge_pages {other} is not one of MAPVIEW_HUGE_PAGES_*"
            )));
        }
    };
    let mut options = MapOptions::new();
    if o.length == MAPVIEW_TO_END {
        options.offset(o.offset);
    } else {
        options.range(o.offset, o.length);
    }
    options
        .populate(o.flags & MAPVIEW_MAP_POPULATE != 0)
        .lock(o.flags & MAPVIEW_MAP_LOCK != 0)
        .huge_pages(huge);
    if let Some(advice) = parse_advice(o.advice)? {
        options.advice(advice);
    }
    Ok(options)
}

fn register(obj: MapObj, out_map: &mut mapview_map) {
    out_map.id = MAPS.insert(RwLock::new(obj));
}

/// Maps a file (or a byte range of it, per options->offset/length).
///
/// - path, path_len: the path as bytes; path_len may be
///   MAPVIEW_NUL_TERMINATED for a NUL-terminated string.
/// - mode: MAPVIEW_MODE_READ_ONLY, _READ_WRITE or _PRIVATE.
/// - options: NULL for defaults, or a struct from mapview_map_options_init.
/// - out_map: receives the new handle (0 on failure).
/// - err: NULL, or receives an error object on failure.
///
/// Ownership: the caller owns the handle and closes it with
/// mapview_map_close. The path is not kept. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_open(
    path: *const c_char,
    path_len: usize,
    mode: mapview_mode,
    options: *const mapview_map_options,
    out_map: *mut mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_map = unsafe { out(out_map, "out_map") }?;
        out_map.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let options = unsafe { parse_options(options) }?;
        let obj = match mode {
            MAPVIEW_MODE_READ_ONLY => MapObj::ReadOnly(options.open(path)?),
            MAPVIEW_MODE_READ_WRITE => MapObj::Writable(options.open_read_write(path)?),
            MAPVIEW_MODE_PRIVATE => MapObj::Writable(options.open_private(path)?),
            other => {
                return Err(Failure::invalid_flags(format!(
                    "mode {other} is not one of MAPVIEW_MODE_*"
                )));
            }
        };
        register(obj, out_map);
        Ok(())
    })
}

/// Creates a new file of `size` zero bytes and maps it read-write. Fails
/// with MAPVIEW_ERR_ALREADY_EXISTS rather than overwrite a file; a failed
/// call leaves no file behind. options->offset/length must be left at
/// their defaults (MAPVIEW_ERR_INVALID_FLAGS otherwise).
///
/// Ownership and thread-safety: as mapview_map_open.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_create(
    path: *const c_char,
    path_len: usize,
    size: u64,
    options: *const mapview_map_options,
    out_map: *mut mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all three): pointer contracts are documented above.
        let out_map = unsafe { out(out_map, "out_map") }?;
        out_map.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let options = unsafe { parse_options(options) }?;
        register(MapObj::Writable(options.create(path, size)?), out_map);
        Ok(())
    })
}

/// Creates a new file holding `bytes_len` bytes copied from `bytes` and
/// maps it read-write. `bytes` may be NULL only when bytes_len is 0.
/// Never overwrites a file (MAPVIEW_ERR_ALREADY_EXISTS).
///
/// Ownership: the bytes are copied, not kept. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_create_from_bytes(
    path: *const c_char,
    path_len: usize,
    bytes: *const u8,
    bytes_len: usize,
    options: *const mapview_map_options,
    out_map: *mut mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (all four): pointer contracts are documented above.
        let out_map = unsafe { out(out_map, "out_map") }?;
        out_map.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        let bytes = unsafe { args::bytes(bytes, bytes_len, "bytes") }?;
        let options = unsafe { parse_options(options) }?;
        register(
            MapObj::Writable(options.create_from_bytes(path, bytes)?),
            out_map,
        );
        Ok(())
    })
}

/// Maps `len` zero bytes of anonymous memory: private to this process, or
/// (shared = true) shared with child processes made by fork.
///
/// Ownership and thread-safety: as mapview_map_open.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_anonymous(
    len: usize,
    shared: bool,
    options: *const mapview_map_options,
    out_map: *mut mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_map = unsafe { out(out_map, "out_map") }?;
        out_map.id = 0;
        let options = unsafe { parse_options(options) }?;
        let map = if shared {
            options.anonymous_shared(len)?
        } else {
            options.anonymous(len)?
        };
        register(MapObj::Writable(map), out_map);
        Ok(())
    })
}

/// Closes a map: unmaps it once no other thread is inside a call on it.
/// Pointers obtained from the map are invalid afterwards. Writes to a
/// shared map reach the file through the page cache; call
/// mapview_map_flush first to have them on disk.
///
/// Returns MAPVIEW_ERR_CLOSED if already closed, MAPVIEW_ERR_INVALID_HANDLE
/// for 0 or a handle that is not a map. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_close(map: mapview_map) -> mapview_status {
    guard_status(|| MAPS.remove(map.id).map(drop))
}

/// The map's bytes: *out_data and *out_len. For an empty map *out_data is
/// a non-NULL pointer that must not be read, and *out_len is 0.
///
/// Ownership: the memory belongs to the map; the pointer stays valid until
/// mapview_map_close or mapview_map_resize on this map. Thread-safety: any
/// thread; reads racing with writes through another pointer are the
/// caller's to order.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_data(
    map: mapview_map,
    out_data: *mut *const u8,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        with_map(map, |m| {
            let b = m.bytes();
            *out_data = b.as_ptr();
            *out_len = b.len();
            Ok(())
        })
    })
}

/// The map's bytes for writing. MAPVIEW_ERR_READ_ONLY for a map opened
/// with MAPVIEW_MODE_READ_ONLY.
///
/// Ownership and validity: as mapview_map_data.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_data_mut(
    map: mapview_map,
    out_data: *mut *mut u8,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_data = unsafe { out(out_data, "out_data") }?;
        let out_len = unsafe { out(out_len, "out_len") }?;
        with_map(map, |m| match m {
            MapObj::ReadOnly(m) => Err(Failure::new(
                mapview_status::MAPVIEW_ERR_READ_ONLY,
                match m.path() {
                    Some(p) => format!("map of '{}' is read-only", p.display()),
                    None => "the map is read-only".to_string(),
                },
            )),
            MapObj::Writable(w) => {
                // Writable maps hand out a mutable pointer under a shared
                // lock: the pointer is raw, and C owns the ordering of
                // accesses through it (documented above).
                *out_data = w.as_ptr().cast_mut();
                *out_len = w.len();
                Ok(())
            }
        })
    })
}

/// What the map is (kind, writable, length, file offset).
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_info_get(
    map: mapview_map,
    out_info: *mut mapview_map_info,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_info = unsafe { out(out_info, "out_info") }?;
        with_map(map, |m| {
            *out_info = match m {
                MapObj::ReadOnly(r) => mapview_map_info {
                    kind: MAPVIEW_KIND_READ_ONLY,
                    writable: false,
                    len: r.len(),
                    file_offset: r.file_offset(),
                },
                MapObj::Writable(w) => mapview_map_info {
                    kind: match w.kind() {
                        MapKind::Shared => MAPVIEW_KIND_SHARED,
                        MapKind::Private => MAPVIEW_KIND_PRIVATE,
                        MapKind::AnonymousPrivate => MAPVIEW_KIND_ANONYMOUS_PRIVATE,
                        _ => MAPVIEW_KIND_ANONYMOUS_SHARED,
                    },
                    writable: true,
                    len: w.len(),
                    file_offset: w.file_offset(),
                },
            };
            Ok(())
        })
    })
}

/// Resolves (offset, length-or-MAPVIEW_TO_END) against a map of `total` bytes.
/// The range itself is checked by the core library.
fn span(offset: u64, length: u64, total: usize) -> Result<(usize, usize), Failure> {
    let offset = args::to_usize(offset, "offset")?;
    let length = if length == MAPVIEW_TO_END {
        total.saturating_sub(offset)
    } else {
        args::to_usize(length, "length")?
    };
    Ok((offset, length))
}

/// Writes `length` bytes from `offset` of the map (MAPVIEW_TO_END: to its
/// end) to the file: synchronously, or with MAPVIEW_FLUSH_ASYNC started
/// and not waited for. Anonymous maps: succeeds, writes nothing. Private
/// maps: MAPVIEW_ERR_UNSUPPORTED (their writes never reach the file).
/// Read-only maps: MAPVIEW_ERR_READ_ONLY.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_flush(
    map: mapview_map,
    offset: u64,
    length: u64,
    flags: u32,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        args::known_flags(flags, MAPVIEW_FLUSH_ASYNC, "flush")?;
        with_map(map, |m| match m {
            MapObj::ReadOnly(_) => Err(Failure::new(
                mapview_status::MAPVIEW_ERR_READ_ONLY,
                "a read-only map has nothing to flush",
            )),
            MapObj::Writable(w) => {
                let (off, len) = span(offset, length, w.len())?;
                if flags & MAPVIEW_FLUSH_ASYNC != 0 {
                    w.flush_async_range(off, len)?;
                } else {
                    w.flush_range(off, len)?;
                }
                Ok(())
            }
        })
    })
}

/// Gives access advice (MAPVIEW_ADVICE_*, not _NONE) for `length` bytes
/// from `offset` of the map (MAPVIEW_TO_END: to its end).
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_advise(
    map: mapview_map,
    advice: mapview_advice,
    offset: u64,
    length: u64,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let Some(advice) = parse_advice(advice)? else {
            return Err(Failure::invalid_flags(
                "MAPVIEW_ADVICE_NONE is not advice".to_string(),
            ));
        };
        with_map(map, |m| {
            let (off, len) = span(offset, length, m.bytes().len())?;
            Ok(m.mapping().advise_range(advice, off, len)?)
        })
    })
}

/// Faults every page of the map in now, reporting errors (such as a file
/// truncated under the map) instead of raising SIGBUS later, where the
/// kernel has MADV_POPULATE_*. out_method (may be NULL) receives how.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_populate(
    map: mapview_map,
    out_method: *mut mapview_populate_method,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let method = with_map(map, |m| Ok(m.mapping().populate()?))?;
        // SAFETY: out_method is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_method.as_mut() } {
            *slot = match method {
                PopulateMethod::Madvise => MAPVIEW_POPULATE_MADVISE,
                PopulateMethod::Touch => MAPVIEW_POPULATE_TOUCH,
                PopulateMethod::Nothing => MAPVIEW_POPULATE_NOTHING,
            };
        }
        Ok(())
    })
}

/// Locks the map's pages in RAM (mlock). Limited by RLIMIT_MEMLOCK.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_lock(
    map: mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || with_map(map, |m| Ok(m.mapping().lock()?)))
}

/// Unlocks the map's pages (munlock).
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_unlock(
    map: mapview_map,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || with_map(map, |m| Ok(m.mapping().unlock()?)))
}

/// Resizes a map to `new_len` bytes, and its file with it for a shared map
/// of a whole file (anonymous maps too). The map may move: every pointer
/// obtained before is invalid afterwards. Read-only maps:
/// MAPVIEW_ERR_READ_ONLY; private maps and maps of a file range:
/// MAPVIEW_ERR_INVALID_FLAGS. On failure the map and file are unchanged.
///
/// Thread-safety: any thread; waits for other calls on the same map.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_map_resize(
    map: mapview_map,
    new_len: usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let entry = MAPS.get(map.id)?;
        let mut obj = entry.write().unwrap_or_else(|e| e.into_inner());
        match &mut *obj {
            MapObj::ReadOnly(_) => Err(Failure::new(
                mapview_status::MAPVIEW_ERR_READ_ONLY,
                "a read-only map cannot be resized",
            )),
            MapObj::Writable(w) => Ok(w.resize(new_len)?),
        }
    })
}
