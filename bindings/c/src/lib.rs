//! The C interface of wf-oauth: `libwf_oauth` (`.so` and `.a`) and `wf_oauth.h`.
//!
//! C programs — and every language that calls C (Go, Ruby, Lua, Swift on Linux, C#) — get
//! the same engine as the Rust crates: the protocol of [`wf_oauth_core`] driven by the
//! blocking facade of [`wf_oauth_http`]. This crate only translates: C strings and handles
//! in, results and C strings out. Every protocol decision stays in the core.
//!
//! The conventions follow rustls-ffi:
//! - every symbol starts with `wf_`; handles are opaque, made by a constructor and released
//!   by the matching `_free` (which accepts NULL);
//! - every fallible function returns a [`wf_result`] mapped from the core's
//!   [`ErrorKind`](wf_oauth_core::ErrorKind); out-parameters come last and are written only
//!   on success; [`wf_last_error_message`] describes the last failure of the calling thread;
//! - strings returned by the library are released with [`wf_string_free`];
//! - every entry point catches panics and reports [`wf_result::WF_PANIC`] instead of
//!   unwinding into C.
//!
//! The header `include/wf_oauth.h` is generated from these sources by cbindgen.
#![deny(missing_docs)]
// The C names are the API: `wf_config`, `WF_OK`… are what C programs write.
#![allow(non_camel_case_types)]

// Panics are turned into `WF_PANIC` by catching them; with `panic = "abort"` there would be
// nothing to catch and a bug would kill the host process.
#[cfg(panic = "abort")]
compile_error!("wf-oauth-c must be built with panic = \"unwind\"");

mod client;
mod config;
mod error;
mod ffi;
mod oauth;
mod store;
mod tokens;

pub use client::*;
pub use config::*;
pub use error::*;
pub use ffi::{wf_string_free, wf_version};
pub use oauth::*;
pub use store::*;
pub use tokens::*;
