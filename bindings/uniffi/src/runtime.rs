//! Where the driver's futures run.
//!
//! uniffi polls an exported `async fn` on the foreign side's executor (a Kotlin coroutine
//! dispatcher, a Swift task), outside any tokio runtime; reqwest and tokio timers would
//! panic there ("there is no reactor running"). Every async export therefore spawns its
//! work on the driver's one process-wide runtime and awaits the `JoinHandle`, which any
//! executor may poll. Blocking exports go through the driver's `block_on`, which also
//! copes with callers that are themselves inside a runtime.
//!
//! A call whose foreign coroutine is cancelled drops only the `JoinHandle`: the work
//! finishes on the runtime, so a refresh already sent still saves its rotated tokens.

use std::future::Future;
use std::sync::Arc;

use wf_oauth_http::RuntimeError;

use crate::error::{Result, WfOauthError};

/// Runs `future` on the driver's runtime and waits for it without blocking the caller.
pub(crate) async fn spawn<T, E, F>(future: F) -> Result<T>
where
    F: Future<Output = std::result::Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Into<WfOauthError> + Send + 'static,
{
    let runtime = wf_oauth_http::runtime()
        .map_err(|e| WfOauthError::from(RuntimeError::Start(Arc::new(e))))?;
    match runtime.spawn(future).await {
        Ok(result) => result.map_err(Into::into),
        // The task panicked (or the runtime is shutting down): report, never unwind into
        // the foreign caller.
        Err(e) if e.is_panic() => Err(RuntimeError::Panicked.into()),
        Err(_) => Err(RuntimeError::TaskLost.into()),
    }
}

/// Panics inside the library on purpose, through the path every blocking call takes
/// (`asynchronous`: every suspend/async call), so that an application's tests — and ours —
/// can check that a panic reaches Kotlin and Swift as `WfOauthError.Internal`, never as
/// uniffi's generic exception. It has no other use.
#[uniffi::export]
pub async fn self_test_panic(asynchronous: bool) -> Result<()> {
    async fn defect() -> Result<()> {
        if std::process::id() != 0 {
            panic!("a deliberate panic, for the tests");
        }
        Ok(())
    }
    if asynchronous {
        spawn(defect()).await
    } else {
        block(defect())
    }
}

/// Runs `future` on the driver's runtime and blocks the calling thread until it is done.
pub(crate) fn block<T, E, F>(future: F) -> Result<T>
where
    F: Future<Output = std::result::Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Into<WfOauthError> + Send + 'static,
{
    wf_oauth_http::block_on(future)?.map_err(Into::into)
}
