//! A guest: one instance with its own memory, its views, its arguments
//! and output, called with integer arguments.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mapview::{Map, MapKind, MapMut, MapOptions};
use wasmtime::{
    Engine, Instance, Linker, Memory, Module, ResourceLimiter, Store, Trap, Val, ValType,
};

use crate::error::{Result, WasmError, WasmErrorKind};
use crate::host::{HostConfig, TICK, Ticker};
use crate::view::{self, PlacedView, Source, ViewInfo, WASM_PAGE};

/// What a guest's store holds: its views, arguments, output and limits.
pub struct GuestState {
    pub(crate) views: Vec<PlacedView>,
    pub(crate) args: Vec<Vec<u8>>,
    pub(crate) output: Vec<u8>,
    pub(crate) max_output: usize,
    max_memory: usize,
    /// Bytes of memory that views occupy (not charged to the guest).
    view_bytes: usize,
    /// Set while the host itself grows the memory to place a view.
    host_growing: bool,
    memory_limit_hit: bool,
}

impl ResourceLimiter for GuestState {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if self.host_growing {
            return Ok(true);
        }
        let own = desired.saturating_sub(self.view_bytes);
        if own > self.max_memory {
            self.memory_limit_hit = true;
            wasmtime::bail!(
                "the guest's memory would grow to {own} bytes, past its limit of {} bytes",
                self.max_memory
            );
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1 << 20)
    }
}

/// A guest instance. Views stay in place until the guest is dropped;
/// read-write views are flushed then.
pub struct Guest {
    store: Store<GuestState>,
    instance: Instance,
    memory: Memory,
    config: HostConfig,
    _ticker: Arc<Ticker>,
}

/// A byte range of a map to view: `None` for the whole map.
pub type Range = Option<(usize, usize)>;

impl Guest {
    pub(crate) fn new(
        engine: &Engine,
        linker: &Linker<GuestState>,
        module: &Module,
        config: HostConfig,
        ticker: Arc<Ticker>,
    ) -> Result<Guest> {
        let state = GuestState {
            views: Vec::new(),
            args: Vec::new(),
            output: Vec::new(),
            max_output: config.max_output,
            max_memory: config.max_memory,
            view_bytes: 0,
            host_growing: false,
            memory_limit_hit: false,
        };
        let mut store = Store::new(engine, state);
        store.limiter(|s| s as &mut dyn ResourceLimiter);
        arm_limits(&mut store, &config)?;
        let instance = linker
            .instantiate(&mut store, module)
            .map_err(|e| classify(&store, e, "instantiating the guest"))?;
        let memory = instance.get_memory(&mut store, "memory").ok_or_else(|| {
            WasmError::new(
                WasmErrorKind::MissingExport,
                "the guest exports no memory named 'memory' (views go in memory 0)",
            )
        })?;
        Ok(Guest {
            store,
            instance,
            memory,
            config,
            _ticker: ticker,
        })
    }

    /// Views a read-only map (or `range` of it) under `name`.
    pub fn attach(&mut self, name: &str, map: &Map, range: Range) -> Result<ViewInfo> {
        let bytes = slice(map, range, name)?;
        self.place(
            name,
            Source {
                bytes,
                writable: false,
                path: map.path().map(Path::to_path_buf),
            },
            false,
        )
    }

    /// Views a writable map, read-write (writes reach the file) or
    /// read-only. Only shared maps (of a file, or anonymous shared) can be
    /// viewed: a private map's pages belong to the host process alone.
    pub fn attach_mut(
        &mut self,
        name: &str,
        map: &MapMut,
        range: Range,
        writable: bool,
    ) -> Result<ViewInfo> {
        if !matches!(map.kind(), MapKind::Shared | MapKind::AnonymousShared) {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!(
                    "view '{name}': a {:?} map cannot be viewed; only shared maps can",
                    map.kind()
                ),
            ));
        }
        let bytes = slice(map, range, name)?;
        self.place(
            name,
            Source {
                bytes,
                writable: true,
                path: map.path().map(Path::to_path_buf),
            },
            writable,
        )
    }

    /// Maps the file at `path` and views all of it.
    pub fn attach_file(
        &mut self,
        name: &str,
        path: impl AsRef<Path>,
        writable: bool,
    ) -> Result<ViewInfo> {
        let path = path.as_ref();
        if writable {
            let map = MapOptions::new().open_read_write(path)?;
            self.attach_mut(name, &map, None, true)
        } else {
            let map = Map::open(path)?;
            self.attach(name, &map, None)
        }
    }

    /// Copies `bytes` into fresh pages of the guest's memory, as a host
    /// without views would have to. For the benchmark baseline only:
    /// a view is what to use.
    #[doc(hidden)]
    pub fn copy_in_for_baseline(&mut self, _name: &str, bytes: &[u8]) -> Result<usize> {
        let pages = bytes.len().div_ceil(WASM_PAGE) as u64;
        self.store.data_mut().host_growing = true;
        let grown = self.memory.grow(&mut self.store, pages);
        self.store.data_mut().host_growing = false;
        let offset = grown.map_err(|e| WasmError::new(WasmErrorKind::View, e.to_string()))?
            as usize
            * WASM_PAGE;
        self.memory
            .write(&mut self.store, offset, bytes)
            .map_err(|e| WasmError::new(WasmErrorKind::View, e.to_string()))?;
        Ok(offset)
    }

    /// Views every regular file under `dir` (recursively, links not
    /// followed), read-only, named by their path relative to `dir`, in path
    /// order. More than `limit` files is an error that names the limit.
    pub fn attach_dir(&mut self, dir: impl AsRef<Path>, limit: usize) -> Result<Vec<ViewInfo>> {
        let dir = dir.as_ref();
        let mut files = Vec::new();
        collect_files(dir, dir, &mut files)?;
        files.sort();
        if files.len() > limit {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!(
                    "{} holds {} files, more than the limit of {limit} views",
                    dir.display(),
                    files.len()
                ),
            ));
        }
        let mut infos = Vec::with_capacity(files.len());
        for (rel, path) in files {
            infos.push(self.attach_file(&rel, &path, false)?);
        }
        Ok(infos)
    }

    fn place(&mut self, name: &str, source: Source<'_>, writable: bool) -> Result<ViewInfo> {
        if self.store.data().views.len() >= self.config.max_views {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!(
                    "view '{name}': the guest already has the most views allowed ({})",
                    self.config.max_views
                ),
            ));
        }
        if self.store.data().views.iter().any(|v| v.info.name == name) {
            return Err(WasmError::new(
                WasmErrorKind::View,
                format!("view '{name}': the guest already has a view of that name"),
            ));
        }
        let delta = source.bytes.as_ptr() as usize % 4096;
        let span = view::guest_span(delta, source.bytes.len());
        let pages = (span / WASM_PAGE) as u64;
        self.store.data_mut().host_growing = true;
        let grown = self.memory.grow(&mut self.store, pages);
        self.store.data_mut().host_growing = false;
        let old_pages = grown.map_err(|e| {
            WasmError::new(
                WasmErrorKind::View,
                format!(
                    "view '{name}': no room in the guest's 4 GiB memory for {span} more bytes: {e}"
                ),
            )
        })?;
        let offset = old_pages as usize * WASM_PAGE;
        let base = self.memory.data_ptr(&self.store);
        let placed = view::place(name, source, writable, base, offset)?;
        let info = placed.info.clone();
        let state = self.store.data_mut();
        state.view_bytes += span;
        state.views.push(placed);
        Ok(info)
    }

    pub fn views(&self) -> Vec<ViewInfo> {
        self.store
            .data()
            .views
            .iter()
            .map(|v| v.info.clone())
            .collect()
    }

    /// Arguments the guest reads with `mapview.arg_*`.
    pub fn set_args(&mut self, args: Vec<Vec<u8>>) {
        self.store.data_mut().args = args;
    }

    /// How many parameters the exported function takes.
    pub fn param_count(&mut self, func: &str) -> Result<usize> {
        Ok(self.func_type(func)?.params().len())
    }

    /// How many results the exported function returns.
    pub fn result_count(&mut self, func: &str) -> Result<usize> {
        Ok(self.func_type(func)?.results().len())
    }

    fn func_type(&mut self, func: &str) -> Result<wasmtime::FuncType> {
        let f = self
            .instance
            .get_func(&mut self.store, func)
            .ok_or_else(|| {
                WasmError::new(
                    WasmErrorKind::MissingExport,
                    format!("the guest exports no function '{func}'"),
                )
            })?;
        Ok(f.ty(&self.store))
    }

    /// Calls an exported function with integer arguments (each converted
    /// to the parameter's type, i32 or i64) and returns its integer results.
    pub fn call(&mut self, func: &str, args: &[i64]) -> Result<Vec<i64>> {
        let f = self
            .instance
            .get_func(&mut self.store, func)
            .ok_or_else(|| {
                WasmError::new(
                    WasmErrorKind::MissingExport,
                    format!("the guest exports no function '{func}'"),
                )
            })?;
        let ty = f.ty(&self.store);
        let params: Vec<ValType> = ty.params().collect();
        if params.len() != args.len() {
            return Err(WasmError::new(
                WasmErrorKind::WrongSignature,
                format!(
                    "'{func}' takes {} arguments, {} given",
                    params.len(),
                    args.len()
                ),
            ));
        }
        let mut vals = Vec::with_capacity(args.len());
        for (i, (p, &a)) in params.iter().zip(args).enumerate() {
            vals.push(match p {
                ValType::I32 => Val::I32(i32::try_from(a).or_else(|_| u32::try_from(a).map(|u| u as i32)).map_err(|_| {
                    WasmError::new(WasmErrorKind::WrongSignature, format!("argument {i} of '{func}' ({a}) does not fit in an i32"))
                })?),
                ValType::I64 => Val::I64(a),
                other => {
                    return Err(WasmError::new(
                        WasmErrorKind::WrongSignature,
                        format!("parameter {i} of '{func}' is {other}; only i32 and i64 parameters can be passed"),
                    ));
                }
            });
        }
        let mut results: Vec<Val> = ty
            .results()
            .map(|r| Val::default_for_ty(&r).unwrap_or(Val::I64(0)))
            .collect();
        if let Some(bad) = ty
            .results()
            .find(|r| !matches!(r, ValType::I32 | ValType::I64))
        {
            return Err(WasmError::new(
                WasmErrorKind::WrongSignature,
                format!("'{func}' returns {bad}; only i32 and i64 results can be read"),
            ));
        }
        arm_limits(&mut self.store, &self.config)?;
        self.store.data_mut().memory_limit_hit = false;
        let outcome = f.call(&mut self.store, &vals, &mut results);
        let truncated: Vec<String> = self
            .store
            .data()
            .views
            .iter()
            .filter(|v| v.take_truncated())
            .map(|v| match &v.info.path {
                Some(p) => format!("'{}' ({})", v.info.name, p.display()),
                None => format!("'{}'", v.info.name),
            })
            .collect();
        if !truncated.is_empty() {
            return Err(WasmError::new(
                WasmErrorKind::ViewTruncated,
                format!(
                    "{func}: view {} was truncated by another process during the call; the guest read zeros for the missing bytes, so its result is void",
                    truncated.join(", ")
                ),
            ));
        }
        outcome.map_err(|e| classify(&self.store, e, func))?;
        Ok(results
            .iter()
            .map(|v| match v {
                Val::I32(x) => i64::from(*x),
                Val::I64(x) => *x,
                _ => 0,
            })
            .collect())
    }

    /// What the guest wrote with `mapview.output`, taken out.
    pub fn take_output(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.store.data_mut().output)
    }

    /// Returns output bytes taken with `take_output` but not consumed, in
    /// front of anything written since.
    pub fn put_back_output(&mut self, mut bytes: Vec<u8>) {
        let state = self.store.data_mut();
        bytes.append(&mut state.output);
        state.output = bytes;
    }

    /// Writes every read-write view to its file and waits.
    pub fn flush(&self) -> Result<()> {
        self.store
            .data()
            .views
            .iter()
            .try_for_each(PlacedView::flush)
    }

    /// Bytes of guest memory, views included.
    pub fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        // Read-write views reach their files when the instance ends; then
        // the views are unregistered before their memory goes away.
        let _ = self.flush();
        self.store.data_mut().views.clear();
    }
}

/// Sets the fuel and the time limit for the next piece of guest code.
fn arm_limits(store: &mut Store<GuestState>, config: &HostConfig) -> Result<()> {
    if let Some(fuel) = config.fuel {
        store
            .set_fuel(fuel)
            .map_err(|e| WasmError::new(WasmErrorKind::Timeout, e.to_string()))?;
    }
    let ticks = config.timeout.map_or(u64::MAX / 2, |t| {
        (t.as_millis() / TICK.as_millis()).max(1) as u64 + 1
    });
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    Ok(())
}

fn classify(store: &Store<GuestState>, e: wasmtime::Error, what: &str) -> WasmError {
    if store.data().memory_limit_hit {
        return WasmError::new(WasmErrorKind::MemoryLimit, format!("{what}: {e:#}"));
    }
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => WasmError::new(
            WasmErrorKind::Timeout,
            format!("{what}: the guest ran out of fuel"),
        ),
        Some(Trap::Interrupt) => WasmError::new(
            WasmErrorKind::Timeout,
            format!("{what}: the guest ran past its time limit"),
        ),
        Some(Trap::MemoryOutOfBounds) => WasmError::new(
            WasmErrorKind::Trap,
            format!(
                "{what}: trap: out-of-bounds memory access (outside the guest's memory, past the end of a view, or a store into a read-only view)"
            ),
        ),
        Some(trap) => WasmError::new(WasmErrorKind::Trap, format!("{what}: trap: {trap}")),
        None if e.to_string().contains("unknown import")
            || e.to_string().contains("incompatible import") =>
        {
            WasmError::new(WasmErrorKind::InvalidModule, format!("{what}: {e:#}"))
        }
        None => WasmError::new(WasmErrorKind::Trap, format!("{what}: {e:#}")),
    }
}

fn slice<'a>(map: &'a [u8], range: Range, name: &str) -> Result<&'a [u8]> {
    let Some((offset, len)) = range else {
        return Ok(map);
    };
    offset
        .checked_add(len)
        .filter(|&end| end <= map.len())
        .map(|end| &map[offset..end])
        .ok_or_else(|| {
            WasmError::new(
                WasmErrorKind::Map(mapview::ErrorKind::InvalidArgument),
                format!(
                    "view '{name}': range at {offset} of {len} bytes does not fit a {}-byte map",
                    map.len()
                ),
            )
        })
}

fn collect_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        WasmError::from(mapview::Error::io("read directory", e).with_path(Some(dir)))
    })?;
    for entry in entries {
        let entry = entry.map_err(|e| {
            WasmError::from(mapview::Error::io("read directory", e).with_path(Some(dir)))
        })?;
        let path = entry.path();
        let ft = entry
            .file_type()
            .map_err(|e| WasmError::from(mapview::Error::io("stat", e).with_path(Some(&path))))?;
        if ft.is_dir() {
            collect_files(root, &path, out)?;
        } else if ft.is_file() {
            let rel = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            out.push((rel, path));
        }
    }
    Ok(())
}
