//! When a failed request may be sent again, and how long to wait first.
//!
//! Retrying is only safe when repeating the request cannot change the outcome. That depends
//! on what the request does, not only on how it failed:
//!
//! | request | retried after |
//! | --- | --- |
//! | authorization-code exchange | a connection that was never established — nothing else: the code is single-use, a second attempt after the server saw the first fails with `invalid_grant` and hides the real error |
//! | refresh | a connection that was never established, or an explicit `429` (the server refused before processing). Not after a timeout, a dropped connection or a `5xx`: with refresh-token rotation the server may already have rotated, and re-sending the old refresh token would be a reuse that can revoke the whole token family. The old refresh token is kept instead, so the next call simply tries again |
//! | client-credentials grant | any transient failure (it burns nothing) |
//! | API `GET` (and the search pager) | any transient failure: connection errors, timeouts, `5xx`, `429` |
//! | API `POST`/`PUT`/`DELETE` | a connection that was never established; a `429` surfaces as `RateLimited` |
//!
//! Waits grow exponentially with jitter, `Retry-After` is honoured, and both the number of
//! attempts and the total time are bounded by [`RetryPolicy`].

use std::time::{Duration, Instant};

/// Bounds for retrying transient failures.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_http::RetryPolicy;
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

    /// Total attempts including the first (at least 1).
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Replay {
    /// Only when the connection was never established (code exchange, API writes).
    IfNotSent,
    /// Additionally after an explicit refusal (`429`): the refresh grant.
    IfRefused,
    /// After any transient failure (API reads, client credentials).
    Idempotent,
}

/// How one attempt failed, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// No connection was established: the server cannot have seen the request.
    NotSent,
    /// The request may have reached the server (timeout, connection dropped, body cut).
    MaybeSent,
    /// The server answered with a transient error (`5xx`, `429`).
    Transient {
        /// The answer was a `429`.
        rate_limited: bool,
        /// The server's `Retry-After`, if any.
        retry_after: Option<Duration>,
    },
    /// The server answered with an error that repeating will not fix.
    Permanent,
}

/// The retry bookkeeping of one logical request.
#[derive(Debug)]
pub(crate) struct RetryState {
    policy: RetryPolicy,
    replay: Replay,
    started: Instant,
    attempt: u32,
}

impl RetryState {
    pub(crate) fn new(policy: RetryPolicy, replay: Replay) -> Self {
        Self {
            policy,
            replay,
            started: Instant::now(),
            attempt: 1,
        }
    }

    /// The 1-based number of the attempt about to run (or that just ran).
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// Whether `failure` may be retried at all for this kind of request.
    fn allowed(&self, failure: Failure) -> bool {
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
    pub(crate) fn next_delay(&mut self, failure: Failure) -> Option<Duration> {
        if !self.allowed(failure) || self.attempt >= self.policy.max_attempts {
            return None;
        }
        let backoff = self.backoff();
        let delay = match failure {
            // The server said how long; a little jitter on top spreads a crowd of clients.
            Failure::Transient {
                retry_after: Some(after),
                ..
            } => after + jitter(after / 10 + Duration::from_millis(1)),
            _ => backoff,
        };
        // A wait that would end past the budget is pointless: surface the error now.
        if self.started.elapsed() + delay > self.policy.max_elapsed {
            return None;
        }
        self.attempt += 1;
        Some(delay)
    }

    /// Exponential backoff with "equal jitter": half fixed, half random, so waits still grow
    /// while concurrent clients spread out.
    fn backoff(&self) -> Duration {
        let exp = self.attempt.saturating_sub(1).min(16);
        let full = self
            .policy
            .initial_backoff
            .saturating_mul(1u32 << exp)
            .min(self.policy.max_backoff);
        full / 2 + jitter(full / 2)
    }
}

/// A uniformly random duration in `[0, max]`, from the operating system's entropy.
fn jitter(max: Duration) -> Duration {
    let nanos = max.as_nanos().min(u128::from(u64::MAX)) as u64;
    if nanos == 0 {
        return Duration::ZERO;
    }
    // Entropy failure is not worth an error here: no jitter is still a correct wait.
    let r = getrandom::u64().unwrap_or(0);
    Duration::from_nanos(r % (nanos + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn transient(rate_limited: bool, after: Option<u64>) -> Failure {
        Failure::Transient {
            rate_limited,
            retry_after: after.map(Duration::from_secs),
        }
    }

    #[test]
    fn code_exchange_only_retries_unsent() {
        let mut s = RetryState::new(RetryPolicy::default(), Replay::IfNotSent);
        assert_eq!(s.next_delay(Failure::MaybeSent), None);
        assert_eq!(s.next_delay(transient(true, Some(0))), None);
        assert_eq!(s.next_delay(transient(false, None)), None);
        assert!(s.next_delay(Failure::NotSent).is_some());
        assert_eq!(s.attempt(), 2);
    }

    #[test]
    fn refresh_retries_refusals_but_not_ambiguous_failures() {
        let mut s = RetryState::new(RetryPolicy::default(), Replay::IfRefused);
        assert_eq!(s.next_delay(Failure::MaybeSent), None);
        assert_eq!(s.next_delay(transient(false, None)), None);
        assert!(s.next_delay(transient(true, Some(0))).is_some());
    }

    #[test]
    fn idempotent_retries_until_attempts_run_out() {
        let mut s = RetryState::new(
            RetryPolicy::default().with_initial_backoff(Duration::from_millis(1)),
            Replay::Idempotent,
        );
        assert!(s.next_delay(Failure::MaybeSent).is_some());
        assert!(s.next_delay(transient(false, None)).is_some());
        assert_eq!(s.next_delay(Failure::NotSent), None, "3 attempts in total");
        assert_eq!(s.next_delay(Failure::Permanent), None);
    }

    #[test]
    fn retry_after_past_the_budget_gives_up() {
        let policy = RetryPolicy::default().with_max_elapsed(Duration::from_secs(2));
        let mut s = RetryState::new(policy, Replay::Idempotent);
        assert_eq!(s.next_delay(transient(true, Some(5))), None);
        let d = s
            .next_delay(transient(true, Some(1)))
            .expect("within budget");
        assert!(d >= Duration::from_secs(1) && d <= Duration::from_millis(1_200));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::default()
            .with_max_attempts(10)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(400))
            .with_max_elapsed(Duration::from_secs(60));
        let mut s = RetryState::new(policy, Replay::Idempotent);
        let delays: Vec<_> = (0..5)
            .map(|_| s.next_delay(Failure::NotSent).expect("retry"))
            .collect();
        assert!(delays[0] >= Duration::from_millis(50) && delays[0] <= Duration::from_millis(100));
        assert!(delays[2] >= Duration::from_millis(200));
        assert!(delays.iter().all(|d| *d <= Duration::from_millis(400)));
    }
}
