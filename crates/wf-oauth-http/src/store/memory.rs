//! A token store in process memory: for tests, short-lived programs, and clients created
//! from a token set the caller persists by other means.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use wf_oauth_core::LeaseGrant;

use super::{Guarantees, SaveOutcome, Sharing, StoreBackend, StoreEntry, StoreError};

/// What the store keeps per key.
#[derive(Debug, Default)]
struct Slot {
    entry: Option<StoreEntry>,
    /// The lease: its owner and when it expires.
    lease: Option<(String, Instant)>,
}

/// Token store in memory, shared by the clients of one process; clones share the same
/// contents. Compare-and-swap and leases are exact.
///
/// ```
/// use wf_oauth_http::{CredentialStore, MemoryTokenStore};
/// # wf_oauth_http::runtime().unwrap().block_on(async {
/// let store = CredentialStore::new(MemoryTokenStore::new());
/// assert!(store.load("alice").await.unwrap().is_none());
/// # });
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryTokenStore {
    slots: Arc<Mutex<HashMap<String, Slot>>>,
}

impl MemoryTokenStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `entry` under `key` unconditionally, synchronously (for a client created from
    /// a token set, which owns its store).
    pub(crate) fn insert(&self, key: &str, entry: StoreEntry) {
        self.slots().entry(key.to_owned()).or_default().entry = Some(entry);
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        // Nothing here can be left half-updated by a panic; keep serving after poisoning.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl StoreBackend for MemoryTokenStore {
    fn guarantees(&self) -> Guarantees {
        Guarantees {
            compare_and_swap: true,
            leases: true,
            shared_by: Sharing::Process,
        }
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        Ok(self.slots().get(key).and_then(|s| s.entry.clone()))
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        let mut slots = self.slots();
        let slot = slots.entry(key.to_owned()).or_default();
        let found = slot.entry.as_ref().map(|e| e.generation);
        if expected.is_some_and(|g| found != Some(g)) {
            return Ok(SaveOutcome::Conflict { found });
        }
        slot.entry = Some(entry.clone());
        Ok(SaveOutcome::Saved)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if let Some(slot) = self.slots().get_mut(key) {
            slot.entry = None;
        }
        Ok(())
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        let now = Instant::now();
        let mut slots = self.slots();
        let slot = slots.entry(key.to_owned()).or_default();
        match &slot.lease {
            Some((holder, until)) if holder != owner && *until > now => {
                Ok(LeaseGrant::HeldByOther {
                    remaining: Some(*until - now),
                })
            }
            _ => {
                let until = now
                    .checked_add(ttl)
                    .unwrap_or(now + Duration::from_secs(86_400));
                slot.lease = Some((owner.to_owned(), until));
                Ok(LeaseGrant::Acquired)
            }
        }
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        if let Some(slot) = self.slots().get_mut(key)
            && slot
                .lease
                .as_ref()
                .is_some_and(|(holder, _)| holder == owner)
        {
            slot.lease = None;
        }
        Ok(())
    }
}
