//! The one adapter between clients and every store backend.
//!
//! A backend keeps opaque documents with generations (and maybe leases); this adapter adds
//! what every store needs, once: the credential document format, the generation numbers
//! and their compare-and-swap, the corrupt-document rule, in-process locking (which also
//! makes a backend without compare-and-swap safe within one process), and access to the
//! refresh lease. Documents pass through it in buffers that are wiped when dropped.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use wf_oauth_core::{LeaseGrant, StoredCredential};

use super::{
    FileTokenStore, Guarantees, MemoryTokenStore, SaveOutcome, StoreBackend, StoreEntry, StoreError,
};

/// What the adapter keeps per key, within this process.
#[derive(Default)]
struct KeyState {
    /// Serializes this process's read-compare-write of the key (a backend without
    /// compare-and-swap relies on it).
    write: Arc<AsyncMutex<()>>,
    /// Serializes this process's renewals of the key (one per expiry even when several
    /// clients of the process share the store).
    renew: Arc<AsyncMutex<()>>,
    /// The highest generation this process wrote, so that numbers keep growing after a
    /// delete.
    high_water: u64,
}

struct Adapter {
    backend: Arc<dyn StoreBackend>,
    keys: Mutex<HashMap<String, KeyState>>,
    /// This adapter's part of lease owner ids (random), and a counter for the rest.
    owner_prefix: String,
    owners: AtomicU64,
}

/// Where clients keep credentials: a [`StoreBackend`] behind the one adapter that gives
/// every backend the same behaviour (document format, generations with compare-and-swap,
/// corrupt-document rule, in-process locking, the refresh lease).
///
/// Cheap to clone; clones share the backend and the in-process locks, so clients that
/// share a credential in one process should share one `CredentialStore` (or clones of it).
///
/// ```
/// use wf_oauth_http::{CredentialStore, MemoryTokenStore, Sharing};
/// let store = CredentialStore::new(MemoryTokenStore::new());
/// assert_eq!(store.guarantees().safe_sharing(), Sharing::Process);
/// ```
#[derive(Clone)]
pub struct CredentialStore {
    inner: Arc<Adapter>,
}

impl fmt::Debug for CredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialStore")
            .field("backend", &self.inner.backend)
            .finish_non_exhaustive()
    }
}

impl<B: StoreBackend + 'static> From<B> for CredentialStore {
    fn from(backend: B) -> Self {
        CredentialStore::new(backend)
    }
}

/// A [`CredentialStore`] that may be gone: see [`CredentialStore::downgrade`].
#[derive(Clone)]
pub struct WeakCredentialStore {
    inner: std::sync::Weak<Adapter>,
}

impl fmt::Debug for WeakCredentialStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WeakCredentialStore")
    }
}

impl WeakCredentialStore {
    /// The store, if it still exists.
    pub fn upgrade(&self) -> Option<CredentialStore> {
        self.inner.upgrade().map(|inner| CredentialStore { inner })
    }

    /// Whether the store still exists.
    pub fn is_alive(&self) -> bool {
        self.inner.strong_count() > 0
    }
}

/// Refuses a stored credential naming an instance `config` does not allow.
pub(crate) fn refuse_foreign(
    config: &wf_oauth_core::ClientConfig,
    stored: Option<StoredCredential>,
) -> Result<Option<StoredCredential>, StoreError> {
    match stored {
        Some(s) if s.check_instance(config).is_err() => Err(StoreError::ForeignInstance {
            host: s.tokens.instance().host().to_owned(),
        }),
        other => Ok(other),
    }
}

impl CredentialStore {
    /// A store over `backend`.
    pub fn new(backend: impl StoreBackend + 'static) -> Self {
        Self::from_backend(Arc::new(backend))
    }

    /// A store over a shared backend.
    pub fn from_backend(backend: Arc<dyn StoreBackend>) -> Self {
        let random = getrandom::u64().unwrap_or_else(|_| u64::from(std::process::id()));
        CredentialStore {
            inner: Arc::new(Adapter {
                backend,
                keys: Mutex::new(HashMap::new()),
                owner_prefix: format!("{}-{random:016x}", std::process::id()),
                owners: AtomicU64::new(0),
            }),
        }
    }

    /// A store in this process's memory.
    pub fn memory() -> Self {
        Self::new(MemoryTokenStore::new())
    }

    /// A store of files in `dir` (see [`FileTokenStore::new`]).
    pub fn file(dir: impl Into<std::path::PathBuf>) -> Result<Self, StoreError> {
        Ok(Self::new(FileTokenStore::new(dir)?))
    }

    /// A handle that does not keep the store alive (for registries of stores, such as a
    /// binding mapping each foreign store object to its one adapter).
    pub fn downgrade(&self) -> WeakCredentialStore {
        WeakCredentialStore {
            inner: Arc::downgrade(&self.inner),
        }
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn StoreBackend> {
        &self.inner.backend
    }

    /// What the backend guarantees (see [`Guarantees::safe_sharing`] for who can share a
    /// credential through it).
    pub fn guarantees(&self) -> Guarantees {
        self.inner.backend.guarantees()
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, KeyState>> {
        // Only lock handles and counters live here; a panic cannot leave them torn.
        self.inner.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn write_lock(&self, key: &str) -> Arc<AsyncMutex<()>> {
        Arc::clone(&self.keys().entry(key.to_owned()).or_default().write)
    }

    /// Holds this process's renewal lock of `key`: one renewal at a time within the
    /// process, whatever the backend.
    pub(crate) async fn renewal_lock(&self, key: &str) -> OwnedMutexGuard<()> {
        let lock = Arc::clone(&self.keys().entry(key.to_owned()).or_default().renew);
        lock.lock_owned().await
    }

    /// The credential stored under `key`, if any. An unreadable document (torn, foreign,
    /// newer) is [`StoreError::Corrupt`], never a panic and never a partial credential.
    pub async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        match self.inner.backend.load(key).await? {
            None => Ok(None),
            Some(entry) => self.decode(&entry).map(Some),
        }
    }

    /// [`load`](Self::load), refusing a credential whose tokens name an instance `config`
    /// does not allow ([`StoreError::ForeignInstance`]; the document is left as it is):
    /// what every client loads before using stored tokens.
    pub async fn load_for(
        &self,
        key: &str,
        config: &wf_oauth_core::ClientConfig,
    ) -> Result<Option<StoredCredential>, StoreError> {
        refuse_foreign(config, self.load(key).await?)
    }

    fn decode(&self, entry: &StoreEntry) -> Result<StoredCredential, StoreError> {
        let mut stored = StoredCredential::from_document(&entry.document)
            .map_err(|e| StoreError::corrupt(&e))?;
        // The backend's generation is the one compare-and-swap works with.
        stored.generation = entry.generation;
        Ok(stored)
    }

    fn encode(&self, credential: &StoredCredential, generation: u64) -> StoreEntry {
        let mut stored = credential.clone();
        stored.generation = generation;
        StoreEntry::new(generation, stored.to_document())
    }

    /// Saves `credential` under `key` if the stored generation is `expected` (else
    /// [`StoreError::Conflict`]), or unconditionally for `None` (a new sign-in, which also
    /// replaces an unreadable document); returns the new generation, larger than any this
    /// process saw for the key. `credential.generation` is ignored.
    pub async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected: Option<u64>,
    ) -> Result<u64, StoreError> {
        let write = self.write_lock(key);
        let _write = write.lock().await;
        let cas = self.guarantees().compare_and_swap;
        let found = match (expected, cas) {
            // A compare-and-swap backend compares atomically itself.
            (Some(g), true) => Some(g),
            // Without it the comparison happens here, under this process's lock; and an
            // unconditional save needs the stored generation to go beyond it. A new
            // sign-in replaces an unreadable document.
            _ => match self.inner.backend.load(key).await {
                Ok(entry) => entry.map(|e| e.generation),
                Err(StoreError::Corrupt(_)) if expected.is_none() => None,
                Err(e) => return Err(e),
            },
        };
        if let Some(g) = expected
            && found != Some(g)
        {
            return Err(StoreError::Conflict { expected, found });
        }
        let high_water = self.keys().get(key).map_or(0, |k| k.high_water);
        let generation = found.unwrap_or(0).max(high_water) + 1;
        let entry = self.encode(credential, generation);
        let condition = if cas { expected } else { None };
        match self.inner.backend.save(key, &entry, condition).await? {
            SaveOutcome::Saved => {
                let mut keys = self.keys();
                let state = keys.entry(key.to_owned()).or_default();
                state.high_water = state.high_water.max(generation);
                Ok(generation)
            }
            SaveOutcome::Conflict { found } => Err(StoreError::Conflict { expected, found }),
        }
    }

    /// Removes the credential stored under `key` (no error if there is none).
    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let write = self.write_lock(key);
        let _write = write.lock().await;
        self.inner.backend.delete(key).await
    }

    /// A new lease owner id: unique to this process, this store and this attempt.
    pub(crate) fn new_lease_owner(&self) -> String {
        let n = self.inner.owners.fetch_add(1, Ordering::Relaxed);
        format!("{}-{n}", self.inner.owner_prefix)
    }

    /// Asks the backend for `key`'s refresh lease.
    pub(crate) async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        self.inner.backend.acquire_lease(key, owner, ttl).await
    }

    /// Releases `key`'s lease if `owner` still holds it.
    pub(crate) async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        self.inner.backend.release_lease(key, owner).await
    }
}
