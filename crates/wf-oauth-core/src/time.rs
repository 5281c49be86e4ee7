//! Wall-clock time as the protocol sees it: Unix seconds passed in by the caller.

use serde::{Deserialize, Serialize};

/// A point in wall-clock time, in seconds since the Unix epoch.
///
/// The core never reads a clock: every operation that depends on time takes a `UnixTime`.
/// Wall-clock (not monotonic) time is used because expiry instants are stored with tokens
/// and must mean the same thing after a restart.
///
/// ```
/// use wf_oauth_core::UnixTime;
/// let t = UnixTime::from_secs(1_700_000_000);
/// assert_eq!(t.plus_secs(60).secs_since(t), 60);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UnixTime(u64);

impl UnixTime {
    /// The instant `secs` seconds after the epoch.
    pub const fn from_secs(secs: u64) -> Self {
        UnixTime(secs)
    }

    /// Seconds since the epoch.
    pub const fn as_secs(self) -> u64 {
        self.0
    }

    /// The instant `secs` seconds later (saturating).
    #[must_use]
    pub const fn plus_secs(self, secs: u64) -> Self {
        UnixTime(self.0.saturating_add(secs))
    }

    /// Seconds from `earlier` to `self`, or 0 if `earlier` is later (clocks step back).
    pub const fn secs_since(self, earlier: UnixTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl std::fmt::Display for UnixTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
