//! The WebAssembly host through the C ABI: hosts, guests, views of map
//! handles, calls with integer arguments.

use std::ffi::c_char;
use std::sync::Mutex;
use std::time::Duration;

use mapview_wasm::{Guest, Host, HostConfig};

use crate::args::{self, out};
use crate::boundary::{guard, guard_status};
use crate::error::{Failure, mapview_error, mapview_status};
use crate::handles::Registry;
use crate::map::{MAPVIEW_TO_END, MapObj, mapview_map, with_map};

/// A WebAssembly host (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_wasm_host {
    pub id: u64,
}

/// A guest instance (a value; 0 is never valid).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct mapview_wasm_guest {
    pub id: u64,
}

/// Limits every guest of a host runs under. Initialise with
/// mapview_wasm_host_options_init(); may grow later (struct_size).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_wasm_host_options {
    /// sizeof(mapview_wasm_host_options) as the caller was compiled.
    pub struct_size: u32,
    /// The most views one guest may have (default 1024).
    pub max_views: u32,
    /// Fuel per call, roughly instructions; 0 for no fuel limit (default).
    pub fuel: u64,
    /// Wall-clock limit per call in milliseconds; 0 for none (default).
    pub timeout_ms: u64,
    /// The most the guest's own memory (not its views) may grow to, in
    /// bytes (default 256 MiB).
    pub max_memory: u64,
    /// The most output bytes per call (default 64 MiB).
    pub max_output: u64,
}

const HOST_OPTIONS_V1_SIZE: usize = std::mem::size_of::<mapview_wasm_host_options>();

/// mapview_wasm_guest_attach flags: the view is read-write (the map must be
/// a read-write shared map); writes reach the file.
pub const MAPVIEW_VIEW_WRITABLE: u32 = 1;

/// Where a view landed in the guest.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct mapview_wasm_view_info {
    /// Guest address of the view's first byte.
    pub addr: u32,
    /// Its length in bytes.
    pub len: u32,
    pub writable: bool,
}

static HOSTS: Registry<Host> = Registry::new(7, "wasm host");
static GUESTS: Registry<Mutex<Guest>> = Registry::new(8, "wasm guest");

/// Default host options.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_host_options_init() -> mapview_wasm_host_options {
    let d = HostConfig::default();
    mapview_wasm_host_options {
        struct_size: HOST_OPTIONS_V1_SIZE as u32,
        max_views: d.max_views as u32,
        fuel: 0,
        timeout_ms: 0,
        max_memory: d.max_memory as u64,
        max_output: d.max_output as u64,
    }
}

/// Creates a host. options: NULL for defaults.
///
/// Ownership: the caller closes it with mapview_wasm_host_close; guests
/// made from it may outlive it. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_host_create(
    options: *const mapview_wasm_host_options,
    out_host: *mut mapview_wasm_host,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_host = unsafe { out(out_host, "out_host") }?;
        out_host.id = 0;
        // SAFETY: options is NULL or readable (documented above).
        let o = unsafe {
            args::versioned(
                options,
                mapview_wasm_host_options_init(),
                HOST_OPTIONS_V1_SIZE,
                "mapview_wasm_host_options",
            )
        }?;
        let config = HostConfig {
            fuel: (o.fuel > 0).then_some(o.fuel),
            timeout: (o.timeout_ms > 0).then(|| Duration::from_millis(o.timeout_ms)),
            max_memory: args::to_usize(o.max_memory, "max_memory")?,
            max_views: o.max_views as usize,
            max_output: args::to_usize(o.max_output, "max_output")?,
        };
        out_host.id = HOSTS.insert(Host::new(config)?);
        Ok(())
    })
}

/// Closes a host. Its guests keep working. MAPVIEW_ERR_CLOSED if already
/// closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_host_close(host: mapview_wasm_host) -> mapview_status {
    guard_status(|| HOSTS.remove(host.id).map(drop))
}

fn instantiate(
    host: mapview_wasm_host,
    load: impl FnOnce(&Host) -> mapview_wasm::Result<mapview_wasm::GuestModule>,
) -> Result<u64, Failure> {
    let host = HOSTS.get(host.id)?;
    let module = load(&host)?;
    Ok(GUESTS.insert(Mutex::new(host.instantiate(&module)?)))
}

/// Compiles a module (binary, or WebAssembly text) and instantiates it as
/// a new guest with no views.
///
/// Ownership: the bytes are not kept; the caller closes the guest with
/// mapview_wasm_guest_close. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_load(
    host: mapview_wasm_host,
    wasm: *const u8,
    wasm_len: usize,
    out_guest: *mut mapview_wasm_guest,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_guest = unsafe { out(out_guest, "out_guest") }?;
        out_guest.id = 0;
        if wasm.is_null() {
            return Err(args::null("wasm"));
        }
        let bytes = unsafe { args::bytes(wasm, wasm_len, "wasm") }?;
        out_guest.id = instantiate(host, |h| h.load(bytes))?;
        Ok(())
    })
}

/// Like mapview_wasm_guest_load, with the module read from a file.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_load_file(
    host: mapview_wasm_host,
    path: *const c_char,
    path_len: usize,
    out_guest: *mut mapview_wasm_guest,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY (both): pointer contracts are documented above.
        let out_guest = unsafe { out(out_guest, "out_guest") }?;
        out_guest.id = 0;
        let path = unsafe { args::path(path, path_len) }?;
        out_guest.id = instantiate(host, |h| h.load_file(path))?;
        Ok(())
    })
}

fn name_arg<'a>(name: *const c_char, name_len: usize) -> Result<&'a str, Failure> {
    if name.is_null() {
        return Err(args::null("name"));
    }
    // SAFETY: `name` points to name_len readable bytes (or a C string).
    let path = unsafe { args::path(name, name_len) }?;
    path.to_str().ok_or_else(|| {
        Failure::new(
            mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
            "the name is not UTF-8",
        )
    })
}

/// Views `length` bytes from `offset` of a map (MAPVIEW_TO_END: to its end)
/// in the guest under `name`: read-only, or read-write with
/// MAPVIEW_VIEW_WRITABLE. The guest reads the map's own pages (no copy);
/// the view stays valid after the map handle is closed. Only shared maps
/// can be viewed (MAPVIEW_ERR_WASM_VIEW for private ones). out_info may
/// be NULL.
///
/// Thread-safety: any thread; calls on one guest are serialised.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_attach(
    guest: mapview_wasm_guest,
    name: *const c_char,
    name_len: usize,
    map: mapview_map,
    offset: u64,
    length: u64,
    flags: u32,
    out_info: *mut mapview_wasm_view_info,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let name = name_arg(name, name_len)?;
        args::known_flags(flags, MAPVIEW_VIEW_WRITABLE, "view")?;
        let writable = flags & MAPVIEW_VIEW_WRITABLE != 0;
        let entry = GUESTS.get(guest.id)?;
        let mut g = entry.lock().unwrap_or_else(|e| e.into_inner());
        let info = with_map(map, |m| {
            let total = m.bytes().len();
            let offset = args::to_usize(offset, "offset")?;
            let len = if length == MAPVIEW_TO_END {
                total.saturating_sub(offset)
            } else {
                args::to_usize(length, "length")?
            };
            let range = Some((offset, len));
            Ok(match m {
                MapObj::ReadOnly(_) if writable => {
                    return Err(Failure::new(
                        mapview_status::MAPVIEW_ERR_READ_ONLY,
                        "a read-only map cannot be viewed read-write",
                    ));
                }
                MapObj::ReadOnly(r) => g.attach(name, r, range)?,
                MapObj::Writable(w) => g.attach_mut(name, w, range, writable)?,
            })
        })?;
        // SAFETY: out_info is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_info.as_mut() } {
            *slot = mapview_wasm_view_info {
                addr: info.addr,
                len: info.len,
                writable: info.writable,
            };
        }
        Ok(())
    })
}

/// Views every regular file under `dir` (recursively; links not followed),
/// read-only, named by their path relative to dir. More than `limit` files
/// is MAPVIEW_ERR_WASM_VIEW. out_count (may be NULL) receives the number.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_attach_dir(
    guest: mapview_wasm_guest,
    dir: *const c_char,
    dir_len: usize,
    limit: u32,
    out_count: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let dir = unsafe { args::path(dir, dir_len) }?;
        let entry = GUESTS.get(guest.id)?;
        let views = entry
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .attach_dir(dir, limit as usize)?;
        // SAFETY: out_count is NULL or writable (documented above).
        if let Some(slot) = unsafe { out_count.as_mut() } {
            *slot = views.len();
        }
        Ok(())
    })
}

/// Sets the arguments the guest reads with mapview.arg_* (docs/guest-abi.md).
/// The bytes are copied. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_set_args(
    guest: mapview_wasm_guest,
    guest_args: *const crate::log::mapview_bytes,
    count: usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: guest_args points to `count` readable items (documented).
        let items = unsafe { args::slice(guest_args, count, "args") }?;
        let mut owned = Vec::with_capacity(items.len());
        for (i, b) in items.iter().enumerate() {
            // SAFETY: each item describes `len` readable bytes.
            owned.push(unsafe { args::bytes(b.data, b.len, &format!("args[{i}].data")) }?.to_vec());
        }
        GUESTS
            .get(guest.id)?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .set_args(owned);
        Ok(())
    })
}

/// Calls the guest's exported function `func` with `nargs` integer
/// arguments (each passed as the parameter's type, i32 or i64) and stores
/// its integer results in `results`, which has room for `results_cap`;
/// *out_nresults gets how many it returned. If results_cap is smaller than
/// the number of results, nothing is called: the call fails with
/// MAPVIEW_ERR_INVALID_ARGUMENT and *out_nresults says how many are needed. A trap, a
/// timeout, a memory limit or a truncated view fails the call with its
/// own code and a message; the guest stays usable.
///
/// Thread-safety: any thread; calls on one guest are serialised.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_call(
    guest: mapview_wasm_guest,
    func: *const c_char,
    func_len: usize,
    call_args: *const i64,
    nargs: usize,
    results: *mut i64,
    results_cap: usize,
    out_nresults: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        let func = name_arg(func, func_len).map_err(|f| Failure {
            message: f.message.replace("name", "func"),
            ..f
        })?;
        // SAFETY (all): pointer contracts are documented above.
        let out_nresults = unsafe { out(out_nresults, "out_nresults") }?;
        *out_nresults = 0;
        let call_args = unsafe { args::slice(call_args, nargs, "args") }?;
        if results.is_null() && results_cap > 0 {
            return Err(args::null("results"));
        }
        let entry = GUESTS.get(guest.id)?;
        let mut g = entry.lock().unwrap_or_else(|e| e.into_inner());
        // Refuse before running: the function may have side effects, so
        // its results must not be dropped after the fact.
        let wanted = g.result_count(func)?;
        if wanted > results_cap {
            *out_nresults = wanted;
            return Err(Failure::new(
                mapview_status::MAPVIEW_ERR_INVALID_ARGUMENT,
                format!(
                    "'{func}' returns {wanted} results; results has room for {results_cap}; nothing was called"
                ),
            ));
        }
        let got = g.call(func, call_args)?;
        *out_nresults = got.len();
        for (i, v) in got.iter().take(results_cap).enumerate() {
            // SAFETY: results has room for results_cap values (documented).
            unsafe { results.add(i).write(*v) };
        }
        Ok(())
    })
}

/// Takes the guest's output (what it wrote with mapview.output): copies up
/// to `cap` bytes into `buf` and removes them; *out_len gets the number
/// copied. With buf NULL, *out_len gets the number waiting and nothing is
/// taken.
///
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_output(
    guest: mapview_wasm_guest,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        // SAFETY: pointer contract documented above.
        let out_len = unsafe { out(out_len, "out_len") }?;
        let entry = GUESTS.get(guest.id)?;
        let mut g = entry.lock().unwrap_or_else(|e| e.into_inner());
        let mut pending = g.take_output();
        if buf.is_null() {
            *out_len = pending.len();
        } else {
            let n = pending.len().min(cap);
            // SAFETY: buf has room for cap bytes (documented); n <= cap.
            unsafe { std::ptr::copy_nonoverlapping(pending.as_ptr(), buf, n) };
            *out_len = n;
            pending.drain(..n);
        }
        g.put_back_output(pending);
        Ok(())
    })
}

/// Writes the guest's read-write views to their files and waits.
/// Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_flush(
    guest: mapview_wasm_guest,
    err: *mut *mut mapview_error,
) -> mapview_status {
    guard(err, || {
        Ok(GUESTS
            .get(guest.id)?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .flush()?)
    })
}

/// Ends a guest: flushes its read-write views and frees its memory.
/// MAPVIEW_ERR_CLOSED if already closed. Thread-safety: any thread.
#[unsafe(no_mangle)]
pub extern "C" fn mapview_wasm_guest_close(guest: mapview_wasm_guest) -> mapview_status {
    guard_status(|| GUESTS.remove(guest.id).map(drop))
}
