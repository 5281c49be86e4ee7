//! The uniffi bindings generator, pinned to the uniffi version of `wf-oauth-uniffi`.
//!
//! `just uniffi-generate` runs it as
//! `cargo run -p uniffi-bindgen -- generate --library <cdylib> --language kotlin|swift …`.
#![forbid(unsafe_code)]

fn main() {
    uniffi::uniffi_bindgen_main()
}
