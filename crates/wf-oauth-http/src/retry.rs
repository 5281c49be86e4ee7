//! Retrying, as the core decides it: this module only supplies what a pure decision
//! cannot — the time elapsed since the first attempt and the entropy for the jitter.
//!
//! Which request may be re-sent after which failure, and how long to wait, is
//! [`wf_oauth_core::RetryState`]'s rule (see [`wf_oauth_core::Replay`] for the table);
//! every wait is saturating and bounded by the [`RetryPolicy`], whatever `Retry-After` a
//! server sends.

use std::time::{Duration, Instant};

pub use wf_oauth_core::RetryPolicy;
pub(crate) use wf_oauth_core::{Failure, Replay};

/// The retry bookkeeping of one logical request, on the wall clock.
#[derive(Debug)]
pub(crate) struct RetryState {
    decision: wf_oauth_core::RetryState,
    started: Instant,
}

impl RetryState {
    pub(crate) fn new(policy: RetryPolicy, replay: Replay) -> Self {
        Self {
            decision: wf_oauth_core::RetryState::new(policy, replay),
            started: Instant::now(),
        }
    }

    /// The 1-based number of the attempt about to run (or that just ran).
    pub(crate) fn attempt(&self) -> u32 {
        self.decision.attempt()
    }

    /// The wait before the next attempt, or `None` to give up and surface the failure.
    pub(crate) fn next_delay(&mut self, failure: Failure) -> Option<Duration> {
        // Entropy failure is not worth an error here: no jitter is still a correct wait.
        let random = getrandom::u64().unwrap_or(0);
        self.decision
            .next_delay(failure, self.started.elapsed(), random)
    }
}
