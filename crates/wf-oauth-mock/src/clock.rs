//! The mock's notion of time.
//!
//! Every expiry in the mock (code TTL, session idle time, refresh-token lifetimes) reads
//! this clock instead of the OS, so tests can expire things by advancing it rather than
//! sleeping. Network-level delays (the `delay` fault) deliberately use real time: they
//! exist to exercise client timeouts, which run on real time too.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A clock shared by a running mock and the tests that drive it.
///
/// Two flavours exist:
/// - [`MockClock::system`]: follows real time, plus any amount added with
///   [`advance`](MockClock::advance) (so even a real-time mock can be pushed forward);
/// - [`MockClock::manual`]: stands still until [`advance`](MockClock::advance) is called.
///
/// Clones share the same time.
#[derive(Clone, Debug)]
pub struct MockClock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    start: Instant,
    manual: bool,
    /// Nanoseconds added by `advance`; an atomic keeps `now()` lock-free on the hot path.
    offset_nanos: AtomicU64,
}

impl MockClock {
    /// A clock that follows real time (the default).
    pub fn system() -> Self {
        Self::new(false)
    }

    /// A clock that only moves when [`advance`](MockClock::advance) is called.
    pub fn manual() -> Self {
        Self::new(true)
    }

    fn new(manual: bool) -> Self {
        Self {
            inner: Arc::new(Inner {
                start: Instant::now(),
                manual,
                offset_nanos: AtomicU64::new(0),
            }),
        }
    }

    /// Whether this clock stands still between calls to [`advance`](MockClock::advance).
    pub fn is_manual(&self) -> bool {
        self.inner.manual
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let nanos = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // fetch_update with saturating_add: a huge advance must not wrap time backwards.
        let _ = self
            .inner
            .offset_nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |old| {
                Some(old.saturating_add(nanos))
            });
    }

    /// Time elapsed since the clock was created, as seen by the mock.
    pub fn elapsed(&self) -> Duration {
        let offset = Duration::from_nanos(self.inner.offset_nanos.load(Ordering::SeqCst));
        if self.inner.manual {
            offset
        } else {
            self.inner.start.elapsed().saturating_add(offset)
        }
    }

    /// The current instant of this clock.
    ///
    /// Only differences between two results are meaningful (like [`Instant`]).
    pub fn now(&self) -> MockInstant {
        MockInstant(self.elapsed())
    }
}

impl Default for MockClock {
    fn default() -> Self {
        Self::system()
    }
}

/// A point in time of a [`MockClock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MockInstant(Duration);

impl MockInstant {
    /// Time elapsed from `earlier` to `self` (zero if `earlier` is later).
    pub fn since(self, earlier: MockInstant) -> Duration {
        self.0.saturating_sub(earlier.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_only_moves_when_advanced() {
        let clock = MockClock::manual();
        let t0 = clock.now();
        assert_eq!(clock.now().since(t0), Duration::ZERO);
        clock.advance(Duration::from_secs(121));
        assert_eq!(clock.now().since(t0), Duration::from_secs(121));
        assert_eq!(t0.since(clock.now()), Duration::ZERO);
    }

    #[test]
    fn system_clock_can_be_pushed_forward() {
        let clock = MockClock::system();
        let t0 = clock.now();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now().since(t0) >= Duration::from_secs(3600));
        assert!(!clock.is_manual());
    }
}
