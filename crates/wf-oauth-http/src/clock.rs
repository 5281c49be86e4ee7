//! Wall-clock time for the protocol core.
//!
//! The core never reads the clock: every decision that depends on time (is the
//! authorization code older than two minutes, is the access token due for a refresh)
//! takes `now` as Unix seconds. The driver supplies it through a [`Clock`], so tests and
//! bindings can move time by hand instead of sleeping.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// A source of wall-clock time in Unix seconds.
///
/// Wall-clock rather than monotonic time, because token expiry is stored on disk and must
/// mean the same thing in another process or after a reboot.
///
/// ```
/// use wf_oauth_http::{Clock, SystemClock};
/// assert!(SystemClock.now_unix() > 1_700_000_000);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time in seconds since 1970-01-01T00:00:00Z.
    fn now_unix(&self) -> u64;
}

/// The operating system's clock (the default).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_unix(&self) -> u64 {
        // A clock set before 1970 is a broken machine; report the epoch rather than panic.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to; clones share the same time.
///
/// ```
/// use wf_oauth_http::{Clock, ManualClock};
/// let clock = ManualClock::new(1_000);
/// let seen_by_client = clock.clone();
/// clock.advance(3_600);
/// assert_eq!(seen_by_client.now_unix(), 4_600);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManualClock {
    now: Arc<AtomicU64>,
}

impl ManualClock {
    /// A clock standing at `now` (Unix seconds).
    pub fn new(now: u64) -> Self {
        Self {
            now: Arc::new(AtomicU64::new(now)),
        }
    }

    /// A clock starting at the system's current time.
    pub fn starting_now() -> Self {
        Self::new(SystemClock.now_unix())
    }

    /// Sets the time to `now` (Unix seconds).
    pub fn set(&self, now: u64) {
        self.now.store(now, Ordering::SeqCst);
    }

    /// Moves the time forward by `secs` seconds.
    pub fn advance(&self, secs: u64) {
        self.now.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_unix(&self) -> u64 {
        self.now.load(Ordering::SeqCst)
    }
}
