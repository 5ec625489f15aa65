//! The C ABI of mapview. Every export checks its arguments, converts them,
//! calls the `mapview` crate and maps its errors; no behaviour lives here.
//! Each export runs inside a panic boundary (`boundary::guard`), so no
//! panic crosses into C.
#![allow(non_camel_case_types)]
// The exports are called from C, where an `unsafe` marker on the Rust side
// means nothing. Each one documents its pointer contract in its doc comment
// (carried into the header), rejects NULL with MAPVIEW_ERR_NULL_ARGUMENT,
// and does its raw-pointer work in `unsafe` blocks with SAFETY comments.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

mod args;
mod array;
mod boundary;
mod cache;
mod error;
mod handles;
mod log;
mod map;
mod records;
mod search;
mod shm;
mod version;
mod wasm;
mod windows;

pub use args::MAPVIEW_NUL_TERMINATED;
pub use array::*;
pub use cache::*;
pub use error::*;
pub use log::*;
pub use map::*;
pub use records::*;
pub use search::*;
pub use shm::*;
pub use version::*;
pub use wasm::*;
pub use windows::*;
