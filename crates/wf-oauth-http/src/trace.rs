//! The `tracing` spans of the driver, in one place so every span has the same field names.
//!
//! Fields: `instance` (host), `grant`, `method`, `path` (never the query), `status`,
//! `attempt`, `duration_ms`, and at most a token *fingerprint* (a short SHA-256 prefix).
//! No span or event ever carries a token, code, verifier or client secret: values that are
//! secrets only travel inside the core's redacting newtypes.

use std::time::Instant;

use tracing::Span;
use tracing::field::Empty;

/// Span of one token-endpoint operation (`authorize`, `exchange`, `refresh`, …).
pub(crate) fn token_span(operation: &'static str, instance: &str, grant: &'static str) -> Span {
    tracing::info_span!(
        "wf_oauth",
        operation,
        instance,
        grant,
        status = Empty,
        attempt = Empty,
        duration_ms = Empty,
        token = Empty,
    )
}

/// Span of one authorized API call.
pub(crate) fn api_span(instance: &str, method: &str, path: &str) -> Span {
    tracing::info_span!(
        "wf_oauth_api",
        instance,
        method,
        path,
        status = Empty,
        attempt = Empty,
        duration_ms = Empty,
        token = Empty,
        generation = Empty,
    )
}

/// Measures one HTTP attempt and records its outcome on the current span.
#[derive(Debug)]
pub(crate) struct Attempt {
    /// When the attempt started, if anything will see its duration.
    started: Option<Instant>,
}

impl Attempt {
    /// Starts attempt number `attempt` of the operation in `span`.
    pub(crate) fn start(span: &Span, attempt: u32) -> Self {
        span.record("attempt", attempt);
        // Reading the clock twice per request costs more than the rest of this module when
        // nobody listens; only time what will be reported.
        let observed = !span.is_disabled() || tracing::enabled!(tracing::Level::DEBUG);
        Self {
            started: observed.then(Instant::now),
        }
    }

    /// Records the HTTP status (if a response arrived) and the elapsed time.
    pub(crate) fn finish(self, span: &Span, status: Option<u16>) {
        let Some(started) = self.started else {
            return;
        };
        let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        span.record("duration_ms", ms);
        if let Some(status) = status {
            span.record("status", status);
        }
        tracing::debug!(parent: span, status, duration_ms = ms, "http attempt finished");
    }
}
