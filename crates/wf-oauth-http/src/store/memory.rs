//! A token store in process memory: for tests, short-lived programs, and clients created
//! from a token set the caller persists by other means.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use wf_oauth_core::TokenSet;

use super::{LockGuard, StoreError, StoredCredential, TokenStore};

/// What the store keeps per key.
#[derive(Debug, Default)]
struct Slot {
    credential: Option<StoredCredential>,
    /// The highest generation ever handed out for the key, kept across deletes so a
    /// generation number is never reused (a client holding an old one must see a conflict).
    high_water: u64,
    /// The refresh lock of the key, shared by every client using this store.
    lock: Arc<tokio::sync::Mutex<()>>,
}

/// Token store in memory; clones share the same contents.
///
/// ```
/// use wf_oauth_http::{MemoryTokenStore, TokenStore};
/// # wf_oauth_http::runtime().unwrap().block_on(async {
/// let store = MemoryTokenStore::new();
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

    /// Stores `tokens` under `key` unconditionally, synchronously (for clients created
    /// from a token set); returns the stored credential with its generation.
    pub(crate) fn insert(&self, key: &str, tokens: TokenSet, now: u64) -> StoredCredential {
        let mut slots = self.slots();
        let slot = slots.entry(key.to_owned()).or_default();
        slot.high_water += 1;
        let mut credential = StoredCredential::new(tokens, now);
        credential.generation = slot.high_water;
        slot.credential = Some(credential.clone());
        credential
    }

    fn slots(&self) -> MutexGuard<'_, HashMap<String, Slot>> {
        // Nothing here can be left half-updated by a panic; keep serving after poisoning.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The refresh lock of one key in a [`MemoryTokenStore`].
#[derive(Debug)]
struct MemoryLock {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl LockGuard for MemoryLock {}

#[async_trait]
impl TokenStore for MemoryTokenStore {
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        Ok(self.slots().get(key).and_then(|s| s.credential.clone()))
    }

    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError> {
        let mut slots = self.slots();
        let slot = slots.entry(key.to_owned()).or_default();
        let found = slot.credential.as_ref().map(|c| c.generation);
        if expected_generation.is_some_and(|expected| found != Some(expected)) {
            return Err(StoreError::Conflict {
                expected: expected_generation,
                found,
            });
        }
        slot.high_water += 1;
        let mut next = credential.clone();
        next.generation = slot.high_water;
        slot.credential = Some(next);
        Ok(slot.high_water)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if let Some(slot) = self.slots().get_mut(key) {
            slot.credential = None;
        }
        Ok(())
    }

    async fn lock(&self, key: &str) -> Result<Box<dyn LockGuard>, StoreError> {
        let lock = Arc::clone(&self.slots().entry(key.to_owned()).or_default().lock);
        Ok(Box::new(MemoryLock {
            _guard: lock.lock_owned().await,
        }))
    }
}
