//! The host: a wasmtime engine set up so that guests' memories can hold
//! views, plus the limits every guest runs under.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::{Config, Engine, Linker, Module};

use crate::error::{Result, WasmError, WasmErrorKind};
use crate::instance::{Guest, GuestState};
use crate::memory::ReservedMemoryCreator;
use crate::{abi, sigbus};

/// How often the epoch ticks: the granularity of time limits.
pub(crate) const TICK: Duration = Duration::from_millis(10);

/// Limits every guest of a host runs under.
#[derive(Debug, Clone)]
pub struct HostConfig {
    /// Fuel per call (roughly, instructions); `None` for no fuel limit.
    /// Fuel costs speed: a time limit is cheaper.
    pub fuel: Option<u64>,
    /// Wall-clock limit per call (and for instantiation); `None` for none.
    pub timeout: Option<Duration>,
    /// The most the guest's own memory (its heap and stack, not its views)
    /// may grow to, in bytes.
    pub max_memory: usize,
    /// The most views one guest may have.
    pub max_views: usize,
    /// The most bytes a guest may write through `mapview.output` per call.
    pub max_output: usize,
}

impl Default for HostConfig {
    fn default() -> HostConfig {
        HostConfig {
            fuel: None,
            timeout: None,
            max_memory: 256 << 20,
            max_views: 1024,
            max_output: 64 << 20,
        }
    }
}

/// Ticks the engine's epoch for time limits; stops when the last host or
/// guest holding it is dropped.
pub(crate) struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = t.join();
        }
    }
}

/// A WebAssembly host: compiles modules and makes guests.
pub struct Host {
    engine: Engine,
    linker: Linker<GuestState>,
    config: HostConfig,
    ticker: Arc<Ticker>,
}

/// A compiled guest module, ready to instantiate any number of times.
#[derive(Clone)]
pub struct GuestModule {
    pub(crate) module: Module,
}

impl std::fmt::Debug for GuestModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestModule")
            .field("name", &self.module.name())
            .finish()
    }
}

impl Host {
    pub fn new(config: HostConfig) -> Result<Host> {
        sigbus::install().map_err(|e| {
            WasmError::new(
                WasmErrorKind::View,
                format!("installing the SIGBUS guard: {e}"),
            )
        })?;
        let mut c = Config::new();
        // Memories the host can place views in: a fixed 4 GiB reservation,
        // never moving; initial data copied in (the copy-on-write image
        // path panics with a custom memory creator in this version).
        c.with_host_memory(Arc::new(ReservedMemoryCreator))
            .memory_reservation(1 << 32)
            .memory_reservation_for_growth(0)
            .memory_may_move(false)
            .memory_init_cow(false)
            // Bulk-memory instructions run as host code, where a fault on a
            // read-only view would kill the process instead of trapping:
            // guests are built without them (docs/guest-abi.md).
            .wasm_bulk_memory(false)
            .consume_fuel(config.fuel.is_some())
            .epoch_interruption(true);
        let engine = Engine::new(&c).map_err(|e| {
            WasmError::new(
                WasmErrorKind::InvalidModule,
                format!("setting up the engine: {e}"),
            )
        })?;
        let mut linker = Linker::new(&engine);
        abi::define(&mut linker)
            .map_err(|e| WasmError::new(WasmErrorKind::InvalidModule, e.to_string()))?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::Builder::new()
                .name("mapview-wasm-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Acquire) {
                        std::thread::sleep(TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| {
                    WasmError::new(
                        WasmErrorKind::View,
                        format!("starting the epoch thread: {e}"),
                    )
                })?
        };
        let ticker = Arc::new(Ticker {
            stop,
            thread: Mutex::new(Some(thread)),
        });
        Ok(Host {
            engine,
            linker,
            config,
            ticker,
        })
    }

    pub fn config(&self) -> &HostConfig {
        &self.config
    }

    /// Compiles a module from its binary form (or WebAssembly text).
    pub fn load(&self, wasm: &[u8]) -> Result<GuestModule> {
        Module::new(&self.engine, wasm)
            .map(|module| GuestModule { module })
            .map_err(|e| {
                WasmError::new(
                    WasmErrorKind::InvalidModule,
                    format!("not a valid guest module: {e:#}"),
                )
            })
    }

    /// Compiles the module in a file.
    pub fn load_file(&self, path: impl AsRef<Path>) -> Result<GuestModule> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| {
            WasmError::from(mapview::Error::io("read module", e).with_path(Some(path)))
        })?;
        self.load(&bytes)
            .map_err(|e| WasmError::new(e.kind(), format!("{}: {}", path.display(), e.message())))
    }

    /// A new guest: an instance of `module` with its own memory and no views.
    pub fn instantiate(&self, module: &GuestModule) -> Result<Guest> {
        Guest::new(
            &self.engine,
            &self.linker,
            &module.module,
            self.config.clone(),
            self.ticker.clone(),
        )
    }
}
