//! One renewal for every holder of a credential, across processes and machines: the
//! refresh lease.
//!
//! Workers that share a credential through a store (files on one machine, Redis for a
//! fleet) must not all renew it when it expires: with refresh-token rotation the second
//! refresh would reuse a dead refresh token, and the server revokes the whole grant; a
//! Server-to-Server fleet would request one token per worker. So before renewing, a
//! holder takes a *lease* on the credential in the store — atomically, with an owner id
//! and a time-to-live longer than a token request can take — and the others wait and
//! adopt the stored result as soon as its generation advances.
//!
//! The protocol, step by step (a driver runs it; [`RenewalPlan::next`] decides each step):
//! 1. try to take the lease, and read the stored credential;
//! 2. the store holds other tokens than the ones this holder saw → adopt them (another
//!    holder renewed; the lease, if taken, is released);
//! 3. the stored credential needs a new sign-in (marked, or removed) → stop;
//! 4. the lease is this holder's (or the store has none: then an in-process lock stands in
//!    for it) → renew now, and save with a compare-and-swap on the generation seen: a
//!    holder whose lease expired meanwhile can never save over a newer generation (fencing
//!    by generation);
//! 5. another holder has it → wait a little and look again, for at most
//!    [`LeasePolicy::max_wait`] (longer than a lease lives, so a crashed holder's lease
//!    expires first and a waiting holder takes over).
//!
//! A holder that crashes after the server rotated the refresh token, but before saving,
//! leaves the store with a dead refresh token: the next holder's refresh is refused and
//! the credential is marked for re-authorization — a bounded, visible outcome, never a
//! hang or a retry loop.

use std::time::Duration;

use crate::document::StoredCredential;
use crate::secret::AccessToken;

/// How long leases live and how long holders wait for one another.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_core::LeasePolicy;
/// // Token requests time out after 30 s: leases outlive them, waits outlive leases.
/// let policy = LeasePolicy::for_request_timeout(Duration::from_secs(30));
/// assert!(policy.ttl() > Duration::from_secs(30));
/// assert!(policy.max_wait() > policy.ttl());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeasePolicy {
    ttl: Duration,
    max_wait: Duration,
    first_poll: Duration,
    max_poll: Duration,
}

impl LeasePolicy {
    /// Leases that outlive a token request of `request_timeout` (twice it, plus five
    /// seconds), and waits that outlive a lease by the same margin.
    pub fn for_request_timeout(request_timeout: Duration) -> LeasePolicy {
        let ttl = request_timeout
            .saturating_mul(2)
            .saturating_add(Duration::from_secs(5));
        LeasePolicy {
            ttl,
            max_wait: ttl.saturating_add(Duration::from_secs(5)),
            first_poll: Duration::from_millis(20),
            max_poll: Duration::from_millis(250),
        }
    }

    /// A lease of `ttl`; waits outlive it by at least one poll.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> LeasePolicy {
        self.ttl = ttl;
        self.max_wait = self.max_wait.max(ttl.saturating_add(self.max_poll));
        self
    }

    /// How long a holder waits for another one at most.
    #[must_use]
    pub fn with_max_wait(mut self, max_wait: Duration) -> LeasePolicy {
        self.max_wait = max_wait;
        self
    }

    /// How long a lease lives if its holder never releases it.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// How long a holder waits for another one before giving up.
    pub fn max_wait(&self) -> Duration {
        self.max_wait
    }

    /// The pause before looking again, after `waited`: short at first (a renewal by
    /// another holder usually takes one token request), longer later.
    fn poll_after(&self, waited: Duration) -> Duration {
        let grown = self.first_poll.saturating_add(waited / 4);
        grown.min(self.max_poll)
    }
}

impl Default for LeasePolicy {
    /// For the default 30-second token request timeout.
    fn default() -> Self {
        LeasePolicy::for_request_timeout(Duration::from_secs(30))
    }
}

/// What asking the store for the lease gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LeaseGrant {
    /// The lease is this holder's until it releases it or its time-to-live passes.
    Acquired,
    /// Another holder has it; it may say for how much longer.
    HeldByOther {
        /// The lease's remaining time, when the store knows it.
        remaining: Option<Duration>,
    },
    /// The store has no leases: only holders in this process are coordinated (by an
    /// in-process lock the driver holds instead).
    Unsupported,
}

/// The next step of a renewal shared through a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RenewalStep {
    /// Renew now: this holder has the lease and the store still holds the tokens it saw.
    /// Save the result with a compare-and-swap on [`RenewalPlan::seen_generation`].
    Renew,
    /// The store holds other tokens (another holder renewed, or the user signed in
    /// again): adopt them ([`Credential::adopt`](crate::Credential::adopt)).
    Adopt,
    /// Another holder is renewing: look again after this pause.
    Wait(Duration),
    /// Another holder kept the lease longer than [`LeasePolicy::max_wait`]: give up this
    /// call (a storage error; a later call tries again).
    GiveUp,
    /// The stored credential needs a new sign-in (marked, or removed).
    ReauthRequired,
}

/// The decisions of one shared renewal: what this holder saw when it decided to renew,
/// and the rules of the protocol.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_core::*;
/// let t0 = UnixTime::from_secs(1_000);
/// let instance = Instance::parse("acme.my.workfront.com")?;
/// let mut stored = StoredCredential::new(TokenSet::new(AccessToken::new("a1"), instance.clone(), t0), 1_000);
/// stored.generation = 4;
/// let plan = RenewalPlan::new(4, stored.tokens.access_token().clone(), false, LeasePolicy::default());
///
/// // Another worker holds the lease: wait.
/// let held = LeaseGrant::HeldByOther { remaining: None };
/// assert!(matches!(plan.next(Some(&stored), held, Duration::ZERO), RenewalStep::Wait(_)));
/// // It saved generation 5: adopt, do not renew.
/// let mut renewed = StoredCredential::new(TokenSet::new(AccessToken::new("a2"), instance, t0), 1_001);
/// renewed.generation = 5;
/// assert_eq!(plan.next(Some(&renewed), held, Duration::from_millis(300)), RenewalStep::Adopt);
/// // The lease is ours and nothing changed: renew.
/// assert_eq!(plan.next(Some(&stored), LeaseGrant::Acquired, Duration::ZERO), RenewalStep::Renew);
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RenewalPlan {
    seen_generation: u64,
    seen_access_token: AccessToken,
    client_credentials: bool,
    policy: LeasePolicy,
}

impl RenewalPlan {
    /// A renewal of the tokens of `seen_generation` (whose access token is
    /// `seen_access_token`); `client_credentials` for a Server-to-Server credential, which
    /// is requested anew when the store holds none.
    pub fn new(
        seen_generation: u64,
        seen_access_token: AccessToken,
        client_credentials: bool,
        policy: LeasePolicy,
    ) -> RenewalPlan {
        RenewalPlan {
            seen_generation,
            seen_access_token,
            client_credentials,
            policy,
        }
    }

    /// The generation the renewed tokens replace: the `expected` generation of the
    /// compare-and-swap that saves them.
    pub fn seen_generation(&self) -> u64 {
        self.seen_generation
    }

    /// The lease rules in use.
    pub fn policy(&self) -> &LeasePolicy {
        &self.policy
    }

    /// The next step, given what the store holds now, what asking for the lease gave, and
    /// how long this holder has waited so far.
    pub fn next(
        &self,
        stored: Option<&StoredCredential>,
        lease: LeaseGrant,
        waited: Duration,
    ) -> RenewalStep {
        match stored {
            Some(s)
                if s.generation != self.seen_generation
                    || s.tokens.access_token() != &self.seen_access_token =>
            {
                return if s.reauth_required {
                    RenewalStep::ReauthRequired
                } else {
                    RenewalStep::Adopt
                };
            }
            Some(s) if s.reauth_required => return RenewalStep::ReauthRequired,
            None if !self.client_credentials => return RenewalStep::ReauthRequired,
            _ => {}
        }
        match lease {
            LeaseGrant::Acquired | LeaseGrant::Unsupported => RenewalStep::Renew,
            LeaseGrant::HeldByOther { remaining } => {
                if waited >= self.policy.max_wait {
                    return RenewalStep::GiveUp;
                }
                let pause = self.policy.poll_after(waited);
                RenewalStep::Wait(
                    remaining.map_or(pause, |r| pause.min(r.max(Duration::from_millis(1)))),
                )
            }
        }
    }
}

#[cfg(test)]
#[path = "lease_tests.rs"]
mod tests;
