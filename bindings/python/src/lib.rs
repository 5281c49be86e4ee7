//! Python bindings of wf-oauth: the extension module `wf_oauth._wf_oauth`.
//!
//! Everything here translates between Python and the driver ([`wf_oauth_http`]) or the
//! protocol core ([`wf_oauth_core`]); no protocol decision is taken in this crate. The
//! Python package `wf_oauth` (in `python/`) re-exports these classes, adds the exception
//! hierarchy and the `httpx` / `requests` adapters.
//!
//! Conventions of the module:
//! - every call that may wait on the network or a store releases the GIL
//!   ([`Python::detach`]); asynchronous variants run on the driver's process-wide runtime
//!   and complete an `asyncio` future;
//! - secrets never appear in `repr`, `str` or exception messages: they leave only through
//!   explicit accessors such as `TokenSet.access_token()`;
//! - the objects notice a `fork()`: a child rebuilds its HTTP connection pool instead of
//!   reusing the parent's connections.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod aio;
mod client;
mod errors;
mod json;
mod options;
mod session;
mod store;
mod text;
mod tokens;

use pyo3::prelude::*;

/// The compiled part of the `wf_oauth` package.
#[pymodule]
fn _wf_oauth(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<tokens::PyTokenSet>()?;
    m.add_class::<tokens::PyPendingAuthorization>()?;
    m.add_class::<tokens::PyAuthorization>()?;
    m.add_class::<tokens::PyManualClock>()?;
    m.add_class::<client::PyClient>()?;
    m.add_class::<session::PySession>()?;
    m.add_class::<session::PySearchIterator>()?;
    m.add_class::<aio::PyAsyncClient>()?;
    m.add_class::<aio::PyAsyncSession>()?;
    m.add_class::<aio::PyAsyncSearchIterator>()?;
    m.add_class::<store::PyMemoryTokenStore>()?;
    m.add_class::<store::PyFileTokenStore>()?;
    m.add_function(wrap_pyfunction!(session::is_auth_failure, m)?)?;
    m.add_function(wrap_pyfunction!(store::verify_store, m)?)?;
    m.add_function(wrap_pyfunction!(aio::panic_for_tests, m)?)?;
    Ok(())
}
