//! The small interface a token store implements: documents with generations, and
//! optionally leases. Everything else is the [`CredentialStore`](super::CredentialStore)
//! adapter's.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use wf_oauth_core::LeaseGrant;
use zeroize::Zeroizing;

use super::StoreError;

/// A document as a backend keeps it: opaque bytes (a credential document, perhaps
/// encrypted — it contains tokens: keep it private) and the generation it was saved as.
#[derive(Clone)]
pub struct StoreEntry {
    /// The generation the adapter assigned when saving; compare-and-swap compares it.
    pub generation: u64,
    /// The document (wiped from memory when dropped).
    pub document: Zeroizing<Vec<u8>>,
}

impl StoreEntry {
    /// An entry holding `document` as `generation`.
    pub fn new(generation: u64, document: Vec<u8>) -> StoreEntry {
        StoreEntry {
            generation,
            document: Zeroizing::new(document),
        }
    }
}

impl fmt::Debug for StoreEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreEntry")
            .field("generation", &self.generation)
            .field("document", &format_args!("[{} bytes]", self.document.len()))
            .finish()
    }
}

/// What a conditional save did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SaveOutcome {
    /// The entry was written.
    Saved,
    /// The stored generation was not the expected one (`None`: nothing stored); nothing
    /// was written.
    Conflict {
        /// The generation stored now.
        found: Option<u64>,
    },
}

/// Who can share a credential through a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sharing {
    /// The clients of one process.
    Process,
    /// The processes of one machine.
    Machine,
    /// Processes on any machine that reaches the backend.
    Network,
}

/// What a backend guarantees, and so what the adapter must add.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Guarantees {
    /// `save` with an expected generation is atomic against every other writer. Without
    /// it, the adapter compares and writes under an in-process lock: safe for the clients
    /// of one process only.
    pub compare_and_swap: bool,
    /// `acquire_lease` / `release_lease` are implemented (atomic, with a time-to-live).
    /// Without them, one renewal per expiry holds within one process only.
    pub leases: bool,
    /// Who can see the same documents.
    pub shared_by: Sharing,
}

impl Guarantees {
    /// What a backend without compare-and-swap or leases (a plain key-value map, an
    /// application's keychain) guarantees: one process.
    pub const SINGLE_PROCESS: Guarantees = Guarantees {
        compare_and_swap: false,
        leases: false,
        shared_by: Sharing::Process,
    };

    /// Who can safely share one credential through this backend, all guarantees
    /// considered: without compare-and-swap and leases, one process only.
    pub fn safe_sharing(&self) -> Sharing {
        if self.compare_and_swap && self.leases {
            self.shared_by
        } else {
            Sharing::Process
        }
    }
}

/// Where credential documents are kept, keyed by a caller-chosen string (e.g. user and
/// host). Implement it over any storage; give it to [`CredentialStore::new`], which does
/// the rest.
///
/// Contract (checked by [`verify_backend`](super::verify_backend)):
/// - `load` returns an entry exactly as a `save` wrote it, never a partial one. The
///   document carries its own generation (the top-level `"generation"` of its JSON, plain
///   or sealed, always equal to the entry's): a backend may read it from there
///   ([`document_generation`](wf_oauth_core::document_generation)) instead of keeping it
///   beside the document;
/// - `save` with `expected: Some(g)` writes only if the stored generation is `g`, with
///   `None` unconditionally; a backend without compare-and-swap says so in
///   [`guarantees`](Self::guarantees) and may write unconditionally;
/// - `delete` removes the entry (no error when there is none);
/// - `acquire_lease` takes the key's lease for `owner` if nobody else holds it (or theirs
///   expired), atomically, for `ttl`; `release_lease` gives it up only if `owner` still
///   holds it. Backends without leases keep the defaults ([`LeaseGrant::Unsupported`]).
///
/// ```
/// use async_trait::async_trait;
/// use wf_oauth_http::{Guarantees, SaveOutcome, StoreBackend, StoreEntry, StoreError};
///
/// /// An application database table `tokens(key, generation, document)` (sketch).
/// #[derive(Debug)]
/// struct AppDb;
///
/// #[async_trait]
/// impl StoreBackend for AppDb {
///     fn guarantees(&self) -> Guarantees {
///         // UPDATE … WHERE generation = ? is atomic: compare-and-swap, no leases.
///         Guarantees { compare_and_swap: true, ..Guarantees::SINGLE_PROCESS }
///     }
///     async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
///         Ok(None) // SELECT generation, document FROM tokens WHERE key = ?
///     }
///     async fn save(&self, key: &str, entry: &StoreEntry, expected: Option<u64>)
///         -> Result<SaveOutcome, StoreError> {
///         // UPDATE tokens SET generation = ?, document = ? WHERE key = ? AND generation = ?
///         Ok(SaveOutcome::Saved)
///     }
///     async fn delete(&self, key: &str) -> Result<(), StoreError> {
///         Ok(()) // DELETE FROM tokens WHERE key = ?
///     }
/// }
/// ```
#[async_trait]
pub trait StoreBackend: Send + Sync + fmt::Debug {
    /// What this backend guarantees.
    fn guarantees(&self) -> Guarantees;

    /// The entry stored under `key`, if any.
    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError>;

    /// Stores `entry` under `key` if the stored generation is `expected` (`None`: write
    /// unconditionally).
    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError>;

    /// Removes the entry stored under `key` (no error if there is none).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Takes the lease of `key` for `owner`, for `ttl`, unless another owner holds an
    /// unexpired one.
    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        let _ = (key, owner, ttl);
        Ok(LeaseGrant::Unsupported)
    }

    /// Releases the lease of `key` if `owner` still holds it.
    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        let _ = (key, owner);
        Ok(())
    }
}

/// A shared backend is a backend.
#[async_trait]
impl<B: StoreBackend + ?Sized> StoreBackend for std::sync::Arc<B> {
    fn guarantees(&self) -> Guarantees {
        (**self).guarantees()
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        (**self).load(key).await
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        (**self).save(key, entry, expected).await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        (**self).delete(key).await
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        (**self).acquire_lease(key, owner, ttl).await
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        (**self).release_lease(key, owner).await
    }
}
