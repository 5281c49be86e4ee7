//! Waiting for SIGINT/SIGTERM.
//!
//! Handlers are registered when [`shutdown_signal`] is called, not when its future is
//! first polled: a supervisor may send SIGTERM as soon as it has read the
//! `listening on …` line, and the default action (death by signal, no graceful
//! shutdown, non-zero status) must not win that race.

use std::future::Future;

/// Registers SIGINT and (on Unix) SIGTERM handlers now; the returned future completes
/// when either signal arrives. Must be called inside a tokio runtime.
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let int = signal(SignalKind::interrupt());
        let term = signal(SignalKind::terminate());
        async move {
            match (int, term) {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                (Ok(mut int), Err(_)) => {
                    int.recv().await;
                }
                (Err(_), Ok(mut term)) => {
                    term.recv().await;
                }
                (Err(_), Err(_)) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async move {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
