//! Why a store operation failed.

use std::sync::Arc;

/// Why a store operation failed.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A save expected a generation that is not the stored one: somebody else wrote first.
    /// Re-read and decide again.
    #[error(
        "stored credential changed concurrently (expected generation {expected:?}, found {found:?})"
    )]
    Conflict {
        /// The generation the writer expected.
        expected: Option<u64>,
        /// The generation actually stored (`None`: nothing stored).
        found: Option<u64>,
    },
    /// The stored document cannot be read (torn, empty, foreign or newer format, or
    /// encrypted with a key this client does not have).
    #[error("stored credential is unreadable: {0}")]
    Corrupt(String),
    /// An operating-system error (permissions, disk full…).
    #[error("token store I/O error: {0}")]
    Io(#[source] Arc<std::io::Error>),
    /// Any other failure of a backend (foreign stores and network stores report theirs
    /// here; the message never contains a password or a token).
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
    /// Another worker has held the credential's refresh lease for longer than a renewal
    /// can take; this call gave up waiting (a later one tries again).
    #[error("another worker has been renewing this credential for {waited_ms} ms; gave up waiting")]
    LeaseWaitExceeded {
        /// How long this call waited.
        waited_ms: u64,
    },
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Io(Arc::new(e))
    }
}

impl StoreError {
    /// A document the core could not read, described without its content.
    pub(crate) fn corrupt(e: &wf_oauth_core::Error) -> StoreError {
        StoreError::Corrupt(e.to_string())
    }
}
