//! mapview-wasm: a wasmtime host that shows mapped files to WebAssembly
//! guests as zero-copy views inside their linear memory.
//!
//! A guest reads a view with plain loads, at memory speed, inside the
//! sandbox; every guest viewing a file shares one physical copy of it.
//! docs/guest-abi.md specifies what a guest sees and imports.
//!
//! ```no_run
//! # fn main() -> Result<(), mapview_wasm::WasmError> {
//! use mapview_wasm::{Host, HostConfig};
//! let host = Host::new(HostConfig::default())?;
//! let module = host.load_file("sum.wasm")?;
//! let mut guest = host.instantiate(&module)?;
//! guest.attach_file("data", "data.bin", false)?;
//! let sum = guest.call("run", &[])?;
//! # Ok(()) }
//! ```
//!
//! How the host survives every guest and every file:
//! - out-of-bounds accesses, stores into read-only views and reads past a
//!   file's end inside its last wasm page trap (the bytes past the view are
//!   inaccessible pages); bulk-memory instructions, which run as host code
//!   and would crash on such a fault, are refused at load time;
//! - a file truncated by another process while viewed reads as zeros and
//!   fails the call with `ViewTruncated` (a SIGBUS guard, see `sigbus.rs`);
//! - infinite loops end at the fuel or time limit, memory growth at the
//!   memory limit, bad modules at load with a clear error.

mod abi;
mod error;
mod host;
mod instance;
mod memory;
mod sigbus;
mod view;

pub use error::{Result, WasmError, WasmErrorKind};
pub use host::{GuestModule, Host, HostConfig};
pub use instance::{Guest, GuestState, Range};
pub use view::ViewInfo;
