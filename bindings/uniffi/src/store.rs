//! Token stores: the driver's memory and file stores, and stores the application writes
//! in Kotlin or Swift on top of the platform's secure storage (Android Keystore,
//! EncryptedSharedPreferences, the iOS Keychain).
//!
//! The application implements only [`CredentialStorage`], a key → string map. The
//! adapter here gives the driver what its `TokenStore` contract asks for on top of it:
//! the versioned credential document, generation numbers with compare-and-swap, and a
//! per-key refresh lock, so two clients of one process never spend the same rotating
//! refresh token twice. (The lock is per process: a platform store shared by several
//! processes needs its own coordination.)

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use wf_oauth_http::{FileTokenStore, LockGuard, MemoryTokenStore, StoreError, StoredCredential};

use crate::error::Result;
use crate::text::Text;

/// Where the application keeps credential documents: implement it in Kotlin or Swift over
/// the platform's secure storage.
///
/// Each value is an opaque JSON document (it contains the tokens). Called from a
/// background thread, never from the caller's; throwing `WfOauthException` /
/// `WfOauthError` (or anything else) makes the operation fail with a `Storage` error.
#[uniffi::export(with_foreign)]
pub trait CredentialStorage: Send + Sync {
    /// The document stored under `key`, or `null`/`nil`.
    fn load(&self, key: String) -> Result<Option<String>>;
    /// Stores `document` under `key`, replacing any previous one.
    fn save(&self, key: String, document: String) -> Result<()>;
    /// Removes what is stored under `key` (nothing to do if there is nothing).
    fn delete(&self, key: String) -> Result<()>;
}

/// A token store for [`WorkfrontClient`](crate::WorkfrontClient)s: in memory, in files,
/// or the application's own [`CredentialStorage`].
#[derive(uniffi::Object)]
pub struct TokenStore {
    pub(crate) inner: Arc<dyn wf_oauth_http::TokenStore>,
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenStore").field(&self.inner).finish()
    }
}

#[uniffi::export]
impl TokenStore {
    /// A store in process memory: credentials are lost when the process ends.
    #[uniffi::constructor]
    pub fn memory() -> Arc<Self> {
        Arc::new(Self {
            inner: Arc::new(MemoryTokenStore::new()),
        })
    }

    /// One file per key in `directory` (created `0700`; files `0600`, replaced
    /// atomically, shared safely between processes).
    #[uniffi::constructor]
    pub fn file(directory: Text) -> Result<Arc<Self>> {
        Ok(Arc::new(Self {
            inner: Arc::new(FileTokenStore::new(PathBuf::from(String::from(directory)))?),
        }))
    }

    /// The application's own storage.
    #[uniffi::constructor]
    pub fn custom(storage: Arc<dyn CredentialStorage>) -> Arc<Self> {
        Arc::new(Self {
            inner: Arc::new(ForeignTokenStore::new(storage)),
        })
    }
}

/// What the adapter remembers per key.
#[derive(Default)]
struct KeyState {
    /// The highest generation handed out, so a number is never reused after a delete.
    high_water: u64,
    /// Serializes read-compare-write of the key's document.
    write: Arc<tokio::sync::Mutex<()>>,
    /// The refresh lock of the key.
    refresh: Arc<tokio::sync::Mutex<()>>,
}

/// The driver's `TokenStore` over an application's [`CredentialStorage`].
struct ForeignTokenStore {
    storage: Arc<dyn CredentialStorage>,
    keys: Mutex<HashMap<String, KeyState>>,
}

impl fmt::Debug for ForeignTokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ForeignTokenStore").finish_non_exhaustive()
    }
}

/// The refresh lock of one key.
#[derive(Debug)]
struct ForeignLock {
    _guard: tokio::sync::OwnedMutexGuard<()>,
}

impl LockGuard for ForeignLock {}

impl ForeignTokenStore {
    fn new(storage: Arc<dyn CredentialStorage>) -> Self {
        Self {
            storage,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn keys(&self) -> MutexGuard<'_, HashMap<String, KeyState>> {
        // Only counters and lock handles live here; a panic cannot leave them torn.
        self.keys.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls the application's storage on a blocking thread: Keystore and Keychain calls
    /// may block, and must not stall the runtime's workers.
    async fn call<T, F>(&self, op: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn CredentialStorage) -> Result<T> + Send + 'static,
    {
        let storage = Arc::clone(&self.storage);
        match tokio::task::spawn_blocking(move || op(storage.as_ref())).await {
            Ok(result) => result.map_err(|e| StoreError::Backend(e.reason().to_owned())),
            Err(_) => Err(StoreError::Backend(
                "the application's credential storage did not complete".to_owned(),
            )),
        }
    }

    async fn read(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        let key = key.to_owned();
        let document = self.call(move |s| s.load(key)).await?;
        document
            .map(|d| StoredCredential::from_document(d.as_bytes()))
            .transpose()
    }
}

#[async_trait]
impl wf_oauth_http::TokenStore for ForeignTokenStore {
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        self.read(key).await
    }

    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError> {
        let write = Arc::clone(&self.keys().entry(key.to_owned()).or_default().write);
        let _serialized = write.lock().await;
        let found = match self.read(key).await {
            Ok(stored) => stored.map(|c| c.generation),
            // An unreadable document may be overwritten by a new sign-in, not by a writer
            // that expected to see a given version.
            Err(StoreError::Corrupt(_)) if expected_generation.is_none() => None,
            Err(e) => return Err(e),
        };
        if let Some(expected) = expected_generation
            && found != Some(expected)
        {
            return Err(StoreError::Conflict {
                expected: Some(expected),
                found,
            });
        }
        let generation = {
            let keys = self.keys();
            let high_water = keys.get(key).map_or(0, |k| k.high_water);
            high_water.max(found.unwrap_or(0)) + 1
        };
        let mut next = credential.clone();
        next.generation = generation;
        let document = String::from_utf8(next.to_document()?)
            .map_err(|_| StoreError::Corrupt("the credential document is not UTF-8".into()))?;
        let owned_key = key.to_owned();
        self.call(move |s| s.save(owned_key, document)).await?;
        if let Some(state) = self.keys().get_mut(key) {
            state.high_water = state.high_water.max(generation);
        }
        Ok(generation)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let write = Arc::clone(&self.keys().entry(key.to_owned()).or_default().write);
        let _serialized = write.lock().await;
        let owned_key = key.to_owned();
        self.call(move |s| s.delete(owned_key)).await
    }

    async fn lock(&self, key: &str) -> Result<Box<dyn LockGuard>, StoreError> {
        let refresh = Arc::clone(&self.keys().entry(key.to_owned()).or_default().refresh);
        Ok(Box::new(ForeignLock {
            _guard: refresh.lock_owned().await,
        }))
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
