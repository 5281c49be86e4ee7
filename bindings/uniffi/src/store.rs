//! Token stores: the driver's memory and file stores, and stores the application writes
//! in Kotlin or Swift on top of the platform's secure storage (Android Keystore,
//! EncryptedSharedPreferences, the iOS Keychain) or of something shared (a database).
//!
//! The application implements only the backend: [`CredentialStorage`], a key → document
//! map (safe within one process), or [`SharedCredentialStorage`], which adds an atomic
//! compare-and-swap and leases (safe across processes and machines). The driver's one
//! adapter does everything else: the versioned credential document, generation numbers,
//! the refresh lease protocol, the corrupt-document rule, in-process locking.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use wf_oauth_core::{LeaseGrant, document_generation};
use wf_oauth_http::{
    CredentialStore, FileTokenStore, Guarantees, MemoryTokenStore, SaveOutcome, Sharing,
    StoreBackend, StoreEntry, StoreError,
};

use crate::error::Result;
use crate::runtime::{block, spawn};
use crate::text::Text;

/// Where the application keeps credential documents: implement it in Kotlin or Swift over
/// the platform's secure storage. Safe for the clients of one process.
///
/// Each value is an opaque JSON document (it contains the tokens, and its own
/// `"generation"`). Called from a background thread, never from the caller's; throwing
/// `WfOauthException` / `WfOauthError` (or anything else) makes the operation fail with a
/// `Storage` error.
#[uniffi::export(with_foreign)]
pub trait CredentialStorage: Send + Sync {
    /// The document stored under `key`, or `null`/`nil`.
    fn load(&self, key: String) -> Result<Option<String>>;
    /// Stores `document` under `key`, replacing any previous one.
    fn save(&self, key: String, document: String) -> Result<()>;
    /// Removes what is stored under `key` (nothing to do if there is nothing).
    fn delete(&self, key: String) -> Result<()>;
}

/// A [`CredentialStorage`] that several processes or machines can share: it adds an
/// atomic compare-and-swap and an atomic lease with a time-to-live (over a database, a
/// cache…). With them, one refresh per expiry holds across every process using it.
#[uniffi::export(with_foreign)]
pub trait SharedCredentialStorage: Send + Sync {
    /// The document stored under `key`, or `null`/`nil`.
    fn load(&self, key: String) -> Result<Option<String>>;
    /// Stores `document` under `key` unconditionally (a new sign-in); the stored generation
    /// is then the document's own `"generation"`.
    fn save(&self, key: String, document: String) -> Result<()>;
    /// Removes what is stored under `key`.
    fn delete(&self, key: String) -> Result<()>;
    /// Stores `document` (saved as `generation`) only if the stored generation is
    /// `expected_generation` (`null`/`nil`: nothing stored), atomically; whether it did.
    fn compare_and_swap(
        &self,
        key: String,
        document: String,
        generation: u64,
        expected_generation: Option<u64>,
    ) -> Result<bool>;
    /// Takes the lease of `key` for `owner` for `ttl_ms` milliseconds, atomically, unless
    /// another owner holds an unexpired one; whether `owner` holds it now.
    fn acquire_lease(&self, key: String, owner: String, ttl_ms: u64) -> Result<bool>;
    /// Releases the lease of `key` if `owner` still holds it.
    fn release_lease(&self, key: String, owner: String) -> Result<()>;
}

/// A token store for [`WorkfrontClient`](crate::WorkfrontClient)s: in memory, in files,
/// or the application's own storage. Clients given the same `TokenStore` share its
/// in-process locks.
#[derive(uniffi::Object)]
pub struct TokenStore {
    pub(crate) inner: CredentialStore,
}

impl fmt::Debug for TokenStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("TokenStore").field(&self.inner).finish()
    }
}

/// One check of [`TokenStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreCheck {
    /// What was checked.
    pub name: String,
    /// Why it failed; `null`/`nil` when it passed.
    pub failure: Option<String>,
}

/// The outcome of [`TokenStore::verify`].
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct StoreReport {
    /// Whether every check passed.
    pub passed: bool,
    /// Each check.
    pub checks: Vec<StoreCheck>,
    /// Checks that did not apply (compare-and-swap or leases the store does not have).
    pub skipped: Vec<String>,
    /// The report as text.
    pub report: String,
}

#[uniffi::export]
impl TokenStore {
    /// A store in process memory: credentials are lost when the process ends.
    #[uniffi::constructor]
    pub fn memory() -> Arc<Self> {
        Self::over(MemoryTokenStore::new())
    }

    /// One file per key in `directory` (created `0700`; files `0600`, replaced
    /// atomically, shared safely between the processes of one machine).
    #[uniffi::constructor]
    pub fn file(directory: Text) -> Result<Arc<Self>> {
        Ok(Self::over(FileTokenStore::new(PathBuf::from(
            String::from(directory),
        ))?))
    }

    /// The application's own storage, for the clients of one process.
    #[uniffi::constructor]
    pub fn custom(storage: Arc<dyn CredentialStorage>) -> Arc<Self> {
        Self::over(Foreign::Plain(storage))
    }

    /// The application's own shared storage (compare-and-swap and leases): safe across
    /// processes and machines.
    #[uniffi::constructor]
    pub fn shared(storage: Arc<dyn SharedCredentialStorage>) -> Arc<Self> {
        Self::over(Foreign::Shared(storage))
    }

    /// Checks that this store keeps the token-store contract, with the driver's
    /// conformance suite (the one every built-in store passes), under keys that start
    /// with `key_prefix` plus a random part, removed afterwards.
    pub async fn verify(&self, key_prefix: Text) -> Result<StoreReport> {
        let backend = Arc::clone(self.inner.backend());
        spawn(verify(backend, key_prefix.into())).await
    }

    /// [`verify`](Self::verify), blocking the calling thread.
    pub fn verify_blocking(&self, key_prefix: Text) -> Result<StoreReport> {
        let backend = Arc::clone(self.inner.backend());
        block(verify(backend, key_prefix.into()))
    }
}

impl TokenStore {
    fn over(backend: impl StoreBackend + 'static) -> Arc<Self> {
        Arc::new(Self {
            inner: CredentialStore::new(backend),
        })
    }
}

async fn verify(backend: Arc<dyn StoreBackend>, prefix: String) -> Result<StoreReport, StoreError> {
    let report = wf_oauth_http::verify_backend(backend, &prefix).await;
    Ok(StoreReport {
        passed: report.passed(),
        checks: report
            .checks
            .iter()
            .map(|(name, failure)| StoreCheck {
                name: name.clone(),
                failure: failure.clone(),
            })
            .collect(),
        skipped: report.skipped.clone(),
        report: report.to_string(),
    })
}

/// The application's storage, as a [`StoreBackend`].
enum Foreign {
    Plain(Arc<dyn CredentialStorage>),
    Shared(Arc<dyn SharedCredentialStorage>),
}

impl fmt::Debug for Foreign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Foreign::Plain(_) => "CredentialStorage",
            Foreign::Shared(_) => "SharedCredentialStorage",
        })
    }
}

/// Calls the application's storage on a blocking thread: Keystore, Keychain and database
/// calls may block, and must not stall the runtime's workers.
async fn on_blocking_thread<T: Send + 'static>(
    op: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T, StoreError> {
    match tokio::task::spawn_blocking(op).await {
        Ok(result) => result.map_err(|e| StoreError::Backend(e.reason().to_owned())),
        Err(_) => Err(StoreError::Backend(
            "the application's credential storage did not complete".to_owned(),
        )),
    }
}

fn document_text(entry: &StoreEntry) -> Result<String, StoreError> {
    String::from_utf8(entry.document.to_vec())
        .map_err(|_| StoreError::Corrupt("the credential document is not UTF-8".into()))
}

impl Foreign {
    async fn load_text(&self, key: String) -> Result<Option<String>, StoreError> {
        match self {
            Foreign::Plain(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.load(key)).await
            }
            Foreign::Shared(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.load(key)).await
            }
        }
    }

    async fn save_text(&self, key: String, document: String) -> Result<(), StoreError> {
        match self {
            Foreign::Plain(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.save(key, document)).await
            }
            Foreign::Shared(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.save(key, document)).await
            }
        }
    }
}

#[async_trait]
impl StoreBackend for Foreign {
    fn guarantees(&self) -> Guarantees {
        match self {
            Foreign::Plain(_) => Guarantees::SINGLE_PROCESS,
            Foreign::Shared(_) => Guarantees {
                compare_and_swap: true,
                leases: true,
                shared_by: Sharing::Network,
            },
        }
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        let Some(text) = self.load_text(key.to_owned()).await? else {
            return Ok(None);
        };
        let generation =
            document_generation(text.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(StoreEntry::new(generation, text.into_bytes())))
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        let document = document_text(entry)?;
        match (self, expected) {
            (Foreign::Shared(s), Some(_)) => {
                let (s, key_owned, generation) = (Arc::clone(s), key.to_owned(), entry.generation);
                let saved = on_blocking_thread(move || {
                    s.compare_and_swap(key_owned, document, generation, expected)
                })
                .await?;
                if saved {
                    Ok(SaveOutcome::Saved)
                } else {
                    let found = self.load(key).await.ok().flatten().map(|e| e.generation);
                    Ok(SaveOutcome::Conflict { found })
                }
            }
            _ => self
                .save_text(key.to_owned(), document)
                .await
                .map(|()| SaveOutcome::Saved),
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        match self {
            Foreign::Plain(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.delete(key)).await
            }
            Foreign::Shared(s) => {
                let s = Arc::clone(s);
                on_blocking_thread(move || s.delete(key)).await
            }
        }
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        let Foreign::Shared(s) = self else {
            return Ok(LeaseGrant::Unsupported);
        };
        let (s, key, owner) = (Arc::clone(s), key.to_owned(), owner.to_owned());
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let held = on_blocking_thread(move || s.acquire_lease(key, owner, ttl_ms)).await?;
        Ok(if held {
            LeaseGrant::Acquired
        } else {
            LeaseGrant::HeldByOther { remaining: None }
        })
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        let Foreign::Shared(s) = self else {
            return Ok(());
        };
        let (s, key, owner) = (Arc::clone(s), key.to_owned(), owner.to_owned());
        on_blocking_thread(move || s.release_lease(key, owner)).await
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
