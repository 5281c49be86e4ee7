//! When a failed request may be sent again, and how long to wait first.
//!
//! Retrying is only safe when repeating the request cannot change the outcome. That depends
//! on what the request does, not only on how it failed:
//!
//! | request | retried after |
//! | --- | --- |
//! | authorization-code exchange | a connection that was never established — nothing else: the code is single-use, a second attempt after the server saw the first fails with `invalid_grant` and hides the real error |
//! | refresh | a connection that was never established, or an explicit `429` (the server refused before processing). Not after a timeout, a dropped connection or a `5xx`: with refresh-token rotation the server may already have rotated, and re-sending the old refresh token would be a reuse that can revoke the whole token family |
//! | client-credentials grant | any transient failure (it burns nothing) |
//! | API `GET` (and the search pager) | any transient failure: connection errors, timeouts, `5xx`, `429` |
//! | API `POST`/`PUT`/`DELETE` | a connection that was never established |
//!
//! Waits grow exponentially with jitter, `Retry-After` is honoured, and both the number of
//! attempts and the total time are bounded by [`RetryPolicy`]. Everything here is a pure
//! function of its inputs — the time elapsed and a random number are passed in — and
//! every wait is computed with saturating arithmetic: no value a server sends
//! (`Retry-After: 18446744073709551615`, a date in the year 9999) can overflow it.

use std::time::Duration;

/// Bounds for retrying transient failures.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_core::RetryPolicy;
/// let policy = RetryPolicy::default()
///     .with_max_attempts(5)
///     .with_max_elapsed(Duration::from_secs(10));
/// assert_eq!(policy.max_attempts(), 5);
/// assert_eq!(RetryPolicy::none().max_attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// Three attempts, 200 ms doubling up to 5 s, at most 30 s in total.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Total attempts including the first (at least 1: 0 counts as 1).
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The wait before the first retry; later waits double.
    pub fn with_initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest computed wait between two attempts (a `Retry-After` may ask for more,
    /// within [`with_max_elapsed`](Self::with_max_elapsed)).
    pub fn with_max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// No retry starts (or waits) past this much time after the first attempt.
    pub fn with_max_elapsed(mut self, elapsed: Duration) -> Self {
        self.max_elapsed = elapsed;
        self
    }

    /// Total attempts including the first.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before the first retry.
    pub fn initial_backoff(&self) -> Duration {
        self.initial_backoff
    }

    /// The longest computed wait.
    pub fn max_backoff(&self) -> Duration {
        self.max_backoff
    }

    /// The total time budget.
    pub fn max_elapsed(&self) -> Duration {
        self.max_elapsed
    }
}

/// What re-sending a request could do, decided by the kind of request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Replay {
    /// Only when the connection was never established (code exchange, API writes).
    IfNotSent,
    /// Additionally after an explicit refusal (`429`): the refresh grant.
    IfRefused,
    /// After any transient failure (API reads, client credentials).
    Idempotent,
}

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Failure {
    /// No connection was established: the server cannot have seen the request.
    NotSent,
    /// The request may have reached the server (timeout, connection dropped, body cut).
    MaybeSent,
    /// The server answered with a transient error (`5xx`, `408`, `429`).
    Transient {
        /// The answer was a `429`.
        rate_limited: bool,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// The server answered with an error that repeating will not fix.
    Permanent,
}

impl Failure {
    /// How retrying sees an error the core read from an answer: transient when
    /// [`Error::is_retryable`](crate::Error::is_retryable) says so (with its status and
    /// `Retry-After`), permanent otherwise.
    pub fn of(error: &crate::Error) -> Failure {
        if error.is_retryable() {
            Failure::Transient {
                rate_limited: error.status() == Some(429),
                retry_after: error.retry_after().map(Duration::from_secs),
            }
        } else {
            Failure::Permanent
        }
    }
}

/// The retry bookkeeping of one logical request.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_core::{Failure, Replay, RetryPolicy, RetryState};
/// let mut retry = RetryState::new(RetryPolicy::default(), Replay::Idempotent);
/// let huge = Failure::Transient { rate_limited: true, retry_after: Some(Duration::MAX) };
/// // A server asking for an absurd wait gets no retry, and nothing overflows.
/// assert_eq!(retry.next_delay(huge, Duration::ZERO, u64::MAX), None);
/// let wait = retry.next_delay(Failure::NotSent, Duration::ZERO, 7).expect("retried");
/// assert!(wait <= RetryPolicy::default().max_backoff());
/// assert_eq!(retry.attempt(), 2);
/// ```
#[derive(Debug, Clone)]
pub struct RetryState {
    policy: RetryPolicy,
    replay: Replay,
    attempt: u32,
}

impl RetryState {
    /// The bookkeeping of a request of kind `replay`, before its first attempt.
    pub fn new(policy: RetryPolicy, replay: Replay) -> Self {
        Self {
            policy,
            replay,
            attempt: 1,
        }
    }

    /// The 1-based number of the attempt about to run (or that just ran).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether `failure` may be retried at all for this kind of request.
    pub fn allows(&self, failure: Failure) -> bool {
        match (self.replay, failure) {
            (_, Failure::Permanent) => false,
            (_, Failure::NotSent) => true,
            (Replay::Idempotent, _) => true,
            (Replay::IfRefused, Failure::Transient { rate_limited, .. }) => rate_limited,
            (Replay::IfRefused, Failure::MaybeSent) | (Replay::IfNotSent, _) => false,
        }
    }

    /// The wait before the next attempt, or `None` to give up and surface the failure.
    /// Advances the attempt counter when it returns `Some`.
    ///
    /// `elapsed` is the time since the first attempt started; `random` is a uniformly
    /// random number (the jitter that spreads a crowd of clients). A wait that would end
    /// past [`RetryPolicy::max_elapsed`] is never returned: the failure surfaces at once.
    pub fn next_delay(
        &mut self,
        failure: Failure,
        elapsed: Duration,
        random: u64,
    ) -> Option<Duration> {
        if !self.allows(failure) || self.attempt >= self.policy.max_attempts {
            return None;
        }
        let delay = match failure {
            // The server said how long; a little jitter on top spreads a crowd of clients.
            Failure::Transient {
                retry_after: Some(after),
                ..
            } => after.saturating_add(jitter(after / 10 + Duration::from_millis(1), random)),
            _ => self.backoff(random),
        };
        if elapsed.saturating_add(delay) > self.policy.max_elapsed {
            return None;
        }
        self.attempt += 1;
        Some(delay)
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so waits still grow
    /// while concurrent clients spread out.
    fn backoff(&self, random: u64) -> Duration {
        let exp = self.attempt.saturating_sub(1).min(16);
        let full = self
            .policy
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.policy.max_backoff);
        (full / 2).saturating_add(jitter(full / 2, random))
    }
}

/// A duration in `[0, max]` picked by `random`.
fn jitter(max: Duration, random: u64) -> Duration {
    let nanos = u64::try_from(max.as_nanos()).unwrap_or(u64::MAX);
    match nanos.checked_add(1) {
        Some(span) => Duration::from_nanos(random % span),
        None => Duration::from_nanos(random),
    }
}

#[cfg(test)]
#[path = "retry_tests.rs"]
mod tests;
