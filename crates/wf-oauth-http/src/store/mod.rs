//! Where credentials live between calls and between processes.
//!
//! Workfront does not keep the refresh token for the application, and with refresh-token
//! rotation every refresh replaces it: losing the newest one means the user must sign in
//! again. The driver therefore saves every new token set through a [`TokenStore`] *before*
//! any caller uses the new access token, with a compare-and-swap on a generation number so
//! two writers never silently overwrite each other.
//!
//! The trait is deliberately small and object-safe: the language bindings let applications
//! implement it in Python, Kotlin, Swift or C (Keychain, Android Keystore, a database…).

mod file;
mod memory;
mod secure;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use wf_oauth_core::{
    ClientConfig, Credential, CredentialDocument, CredentialState, TokenSet, UnixTime,
};

pub use file::FileTokenStore;
pub use memory::MemoryTokenStore;

pub use wf_oauth_core::{DOCUMENT_FORMAT, DOCUMENT_VERSION};

/// One credential as stored: the tokens plus the bookkeeping that makes sharing safe.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct StoredCredential {
    /// The tokens (access, refresh, expiry, `wid`).
    pub tokens: TokenSet,
    /// Incremented by the store on every save; the compare-and-swap token.
    pub generation: u64,
    /// Set when the refresh token was rejected for good (`invalid_grant`): the user must
    /// authorize again. Calls fail fast until new tokens are saved.
    pub reauth_required: bool,
    /// When this version was written (Unix seconds).
    pub updated_at: u64,
}

impl StoredCredential {
    /// Whether this credential, as a Server-to-Server token (client credentials grant), can
    /// be used as it is: not marked for re-authorization, for `config`'s instance, and fresh
    /// by the core's lifecycle at `now`. Otherwise a new token is requested.
    pub fn usable_for_client_credentials(&self, config: &ClientConfig, now: UnixTime) -> bool {
        !self.reauth_required
            && Credential::for_client_credentials(self.tokens.clone(), config.refresh_skew_secs())
                .state(now)
                == CredentialState::Fresh
    }

    /// This credential, if its tokens are for an instance `config` allows; otherwise
    /// [`StoreError::ForeignInstance`]. Every credential a client loads passes here before
    /// its tokens can be used, so a document planted in a store cannot send them (or the
    /// client secret, with a refresh) to a host of its choosing.
    pub fn for_config(self, config: &ClientConfig) -> Result<Self, StoreError> {
        if config.allows_instance(self.tokens.instance()) {
            Ok(self)
        } else {
            Err(StoreError::ForeignInstance {
                host: self.tokens.instance().host().to_owned(),
            })
        }
    }

    /// A credential holding `tokens`, written at `updated_at`; the store assigns the
    /// generation when saving.
    pub fn new(tokens: TokenSet, updated_at: u64) -> Self {
        Self {
            tokens,
            generation: 0,
            reauth_required: false,
            updated_at,
        }
    }

    /// The versioned JSON document holding this credential (it contains the tokens: keep it
    /// somewhere private): [`CredentialDocument`]'s format.
    ///
    /// Foreign stores that only keep opaque strings can save this and give it back to
    /// [`from_document`](Self::from_document).
    pub fn to_document(&self) -> Result<Vec<u8>, StoreError> {
        Ok(CredentialDocument::new(
            self.tokens.clone(),
            self.generation,
            self.reauth_required,
            self.updated_at,
        )
        .to_bytes())
    }

    /// Parses a document written by [`to_document`](Self::to_document). A torn, empty,
    /// oversized or foreign file is a [`StoreError::Corrupt`], never a panic.
    pub fn from_document(bytes: &[u8]) -> Result<Self, StoreError> {
        let doc =
            CredentialDocument::parse(bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Self {
            tokens: doc.tokens,
            generation: doc.generation,
            reauth_required: doc.reauth_required,
            updated_at: doc.updated_at,
        })
    }
}

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// `save` was given an expected generation that is not the stored one: somebody else
    /// wrote first. Re-read and decide again.
    #[error(
        "stored credential changed concurrently (expected generation {expected:?}, found {found:?})"
    )]
    Conflict {
        /// The generation the writer expected.
        expected: Option<u64>,
        /// The generation actually stored (`None`: nothing stored).
        found: Option<u64>,
    },
    /// The stored document cannot be parsed (torn, empty, foreign or newer format).
    #[error("stored credential is unreadable: {0}")]
    Corrupt(String),
    /// An operating-system error (permissions, disk full…).
    #[error("token store I/O error: {0}")]
    Io(#[source] Arc<std::io::Error>),
    /// Any other failure of a store implementation (foreign stores report theirs here).
    #[error("token store error: {0}")]
    Backend(String),
    /// The store's directory or one of its files is unsafe to use: writable by other users,
    /// owned by another user, or a symbolic link. Nothing was read or written through it.
    #[error("the token store path {} is unsafe: {reason}", .path.display())]
    Insecure {
        /// The directory or file.
        path: std::path::PathBuf,
        /// What is wrong with it, and the fix.
        reason: String,
    },
    /// The stored document names an instance the client's configuration does not allow
    /// (a planted or misplaced document): it is refused and left untouched, and none of
    /// its tokens is sent anywhere.
    #[error(
        "the stored credential is for instance {host}, which this client's configuration does \
         not allow; it was left untouched (remove it, or sign in again under another key)"
    )]
    ForeignInstance {
        /// The host the document names.
        host: String,
    },
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(Arc::new(e))
    }
}

/// Held while a credential is being refreshed; dropping it releases the lock.
///
/// Implementations release their lock in `Drop`.
pub trait LockGuard: Send + Sync + fmt::Debug {}

/// A lock guard that locks nothing, for stores used by a single process.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoLock;

impl LockGuard for NoLock {}

/// Persistent storage for credentials, keyed by a caller-chosen string (e.g. user + host).
///
/// Contract:
/// - `save` with `expected_generation: Some(g)` succeeds only if the stored generation is
///   `g` ([`StoreError::Conflict`] otherwise); `None` saves unconditionally (a new login).
///   The store assigns and returns the new generation, always larger than any generation it
///   handed out before for that key; `credential.generation` is ignored on input.
/// - `load` returns a whole credential as some `save` wrote it, never a partial one.
/// - `lock` serializes refreshes of one key across every client (and, for stores shared
///   between processes, across processes). The default implementation locks nothing, which
///   is right for a store used by one client at a time.
///
/// ```
/// use async_trait::async_trait;
/// use wf_oauth_http::{StoreError, StoredCredential, TokenStore};
///
/// /// Keeps one document per key in an application database (sketch).
/// #[derive(Debug)]
/// struct AppDb;
///
/// #[async_trait]
/// impl TokenStore for AppDb {
///     async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
///         let bytes: Option<Vec<u8>> = None; // SELECT document FROM tokens WHERE key = ?
///         bytes.map(|b| StoredCredential::from_document(&b)).transpose()
///     }
///     async fn save(
///         &self,
///         key: &str,
///         credential: &StoredCredential,
///         expected_generation: Option<u64>,
///     ) -> Result<u64, StoreError> {
///         // UPDATE … SET document = ?, generation = generation + 1
///         //   WHERE key = ? AND generation = ?   (0 rows → StoreError::Conflict)
///         Err(StoreError::Backend("sketch".into()))
///     }
///     async fn delete(&self, key: &str) -> Result<(), StoreError> {
///         Ok(())
///     }
/// }
/// ```
#[async_trait]
pub trait TokenStore: Send + Sync + fmt::Debug {
    /// The credential stored under `key`, if any.
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError>;

    /// Stores `credential` under `key` if the stored generation is `expected_generation`
    /// (or unconditionally for `None`); returns the new generation.
    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError>;

    /// Removes the credential stored under `key` (no error if there is none).
    async fn delete(&self, key: &str) -> Result<(), StoreError>;

    /// Takes the refresh lock of `key`, waiting for it.
    async fn lock(&self, key: &str) -> Result<Box<dyn LockGuard>, StoreError> {
        let _ = key;
        Ok(Box::new(NoLock))
    }
}
