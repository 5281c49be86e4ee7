//! One tokio runtime per process for the blocking facade and the language bindings.
//!
//! Bindings call the driver from threads that tokio does not know (a Python thread, a
//! Kotlin coroutine dispatcher, a C caller). They all share one lazily created
//! multi-thread runtime, so connection pools and the single-flight refresh are shared too.
//!
//! Two hazards shape this file:
//! - **fork**: a child process inherits the runtime's memory but not its threads. The
//!   runtime remembers the process id that created it; in a child a new runtime is built.
//!   The old one is never dropped (dropping would try to join threads that do not exist),
//!   it is leaked, which is also why every runtime here is `&'static`.
//! - **nested runtimes**: `Runtime::block_on` panics when the calling thread already runs
//!   inside a runtime. [`block_on`] detects that and instead spawns the work onto our
//!   runtime and waits on a channel, inside `block_in_place` when the caller's runtime
//!   allows it.

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::runtime::{Handle, Runtime, RuntimeFlavor};

/// The runtime and the process that built it.
static RUNTIME: Mutex<Option<(u32, &'static Runtime)>> = Mutex::new(None);

/// The process-wide runtime used by the [`blocking`](crate::blocking) facade, created on
/// first use (and again in a forked child).
///
/// Bindings that expose async APIs (Python asyncio, Kotlin suspend functions) spawn the
/// driver's futures here.
///
/// ```
/// let rt = wf_oauth_http::runtime()?;
/// assert_eq!(rt.block_on(async { 1 + 1 }), 2);
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn runtime() -> std::io::Result<&'static Runtime> {
    let pid = std::process::id();
    // A poisoned lock only means another thread panicked while holding it; the value (a
    // pointer to a leaked runtime) is still valid.
    let mut slot = RUNTIME.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((owner, rt)) = *slot
        && owner == pid
    {
        return Ok(rt);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("wf-oauth-rt")
        .build()?;
    // Leaked on purpose: see the module documentation (fork safety, `'static` handles).
    let rt: &'static Runtime = Box::leak(Box::new(rt));
    *slot = Some((pid, rt));
    Ok(rt)
}

/// Why a blocking call could not produce a result.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RuntimeError {
    /// The runtime could not be created (the OS refused threads or an event queue).
    #[error("cannot start the tokio runtime: {0}")]
    Start(#[source] Arc<std::io::Error>),
    /// The task running the call ended without a result (it panicked).
    #[error("the background task ended without a result")]
    TaskLost,
    /// A panic inside the library was caught before it could reach the caller (a defect of
    /// the library: nothing a caller sends should cause one). The panic's message is not
    /// kept: it is not guaranteed to be free of credentials.
    #[error("an internal error (a panic) was caught inside wf-oauth; please report it")]
    Panicked,
}

/// Runs `future`, turning a panic inside it into [`RuntimeError::Panicked`] instead of
/// unwinding into the caller — for the language bindings, whose callers (a Python event
/// loop, a Kotlin coroutine, a C program) must get a typed error, never an unwinding
/// Rust panic.
///
/// ```
/// # wf_oauth_http::runtime().unwrap().block_on(async {
/// use wf_oauth_http::{RuntimeError, catch_panic};
/// assert_eq!(catch_panic(async { 7 }).await.unwrap(), 7);
/// let caught = catch_panic(async {
///     if std::process::id() != 0 {
///         panic!("a defect");
///     }
/// })
/// .await;
/// assert!(matches!(caught, Err(RuntimeError::Panicked)));
/// # });
/// ```
pub async fn catch_panic<F: Future>(future: F) -> Result<F::Output, RuntimeError> {
    use futures::FutureExt;
    std::panic::AssertUnwindSafe(future)
        .catch_unwind()
        .await
        .map_err(|_| RuntimeError::Panicked)
}

/// Runs `future` to completion on the process runtime from synchronous code, whether or not
/// the calling thread is itself inside a tokio runtime. A panic inside `future` is
/// [`RuntimeError::Panicked`] (see [`catch_panic`]), never an unwinding panic.
pub fn block_on<F>(future: F) -> Result<F::Output, RuntimeError>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let rt = runtime().map_err(|e| RuntimeError::Start(Arc::new(e)))?;
    let future = catch_panic(future);
    let Ok(current) = Handle::try_current() else {
        return rt.block_on(future);
    };
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        // The receiver only disappears if the caller is gone; nothing to report then.
        let _ = tx.send(future.await);
    });
    let wait = move || {
        rx.recv()
            .map_err(|_| RuntimeError::TaskLost)
            .and_then(|r| r)
    };
    match current.runtime_flavor() {
        // Tell the caller's scheduler this worker will block, so its other tasks move on.
        RuntimeFlavor::MultiThread => tokio::task::block_in_place(wait),
        // A current-thread runtime cannot hand its tasks elsewhere; the work runs on our
        // runtime's threads, so waiting here cannot deadlock on it.
        _ => wait(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_runtime_within_a_process() {
        let a = runtime().expect("runtime") as *const Runtime;
        let b = runtime().expect("runtime") as *const Runtime;
        assert_eq!(a, b);
    }

    #[test]
    fn block_on_from_a_plain_thread() {
        let v = std::thread::spawn(|| block_on(async { 7 }).expect("result"))
            .join()
            .expect("thread");
        assert_eq!(v, 7);
    }

    #[test]
    fn block_on_inside_current_thread_runtime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("rt");
        let v = rt.block_on(async {
            block_on(async {
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                8
            })
        });
        assert_eq!(v.expect("result"), 8);
    }

    #[test]
    fn block_on_inside_multi_thread_runtime_and_on_our_own() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("rt");
        assert_eq!(rt.block_on(async { block_on(async { 9 }) }).expect("r"), 9);
        // From a task already running on the process runtime.
        let nested = runtime()
            .expect("runtime")
            .block_on(async { tokio::spawn(async { block_on(async { 10 }) }).await });
        assert_eq!(nested.expect("join").expect("result"), 10);
    }

    #[test]
    fn a_panicking_task_is_an_error_not_a_hang() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let r = rt.block_on(async {
            block_on(async {
                if std::process::id() != 0 {
                    panic!("boom");
                }
            })
        });
        assert!(matches!(r, Err(RuntimeError::Panicked)));
        // Without an outer runtime too.
        let r = std::thread::spawn(|| {
            block_on(async {
                if std::process::id() != 0 {
                    panic!("boom");
                }
            })
        })
        .join()
        .expect("the panic did not unwind into the caller");
        assert!(matches!(r, Err(RuntimeError::Panicked)));
    }
}
