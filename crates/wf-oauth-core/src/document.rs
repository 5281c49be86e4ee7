//! The stored form of a credential: a versioned JSON document that every token store
//! keeps (the file store on disk, Redis, the application's own stores in Python, Kotlin,
//! Swift or C), and that every store reads back through this one parser.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::token::{TokenSet, stored_data_error};

/// The `format` member of a stored credential document.
pub const DOCUMENT_FORMAT: &str = "wf-oauth-credential";
/// The `version` of the stored credential document this version writes and reads.
pub const DOCUMENT_VERSION: u32 = 1;
/// Documents larger than this (64 KiB) are refused unread: a credential is a few hundred
/// bytes, and a store that hands back megabytes is broken or hostile.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// A credential as a store keeps it: the tokens plus the bookkeeping that makes sharing
/// safe. Every store (memory, files, Redis, an application's own in Python, Kotlin, Swift
/// or C) keeps it as [`to_document`](Self::to_document) writes it and hands it back to
/// [`from_document`](Self::from_document).
///
/// ```
/// use wf_oauth_core::{AccessToken, Instance, StoredCredential, TokenSet, UnixTime};
/// let tokens = TokenSet::new(
///     AccessToken::new("sess"),
///     Instance::parse("acme.my.workfront.com")?,
///     UnixTime::from_secs(1_700_000_000),
/// );
/// let mut stored = StoredCredential::new(tokens, 1_700_000_000);
/// stored.generation = 3;
/// let bytes = stored.to_document();
/// assert_eq!(StoredCredential::from_document(&bytes)?, stored);
/// assert!(StoredCredential::from_document(b"{").is_err());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct StoredCredential {
    /// The tokens (access, refresh, expiry, `wid`, instance).
    pub tokens: TokenSet,
    /// The store's generation of this document: the compare-and-swap token.
    pub generation: u64,
    /// Set when the refresh token was refused for good: the user must sign in again.
    pub reauth_required: bool,
    /// When this version was written (Unix seconds).
    pub updated_at: u64,
}

#[derive(Serialize, Deserialize)]
struct Wire {
    format: String,
    version: u32,
    generation: u64,
    #[serde(default)]
    reauth_required: bool,
    #[serde(default)]
    updated_at: u64,
    tokens: TokenSet,
}

impl StoredCredential {
    /// A credential holding `tokens`, written at `updated_at` (Unix seconds); the store
    /// assigns the generation when saving.
    pub fn new(tokens: TokenSet, updated_at: u64) -> Self {
        StoredCredential {
            tokens,
            generation: 0,
            reauth_required: false,
            updated_at,
        }
    }

    /// The same credential marked as needing a new sign-in.
    #[must_use]
    pub fn needing_sign_in(mut self) -> Self {
        self.reauth_required = true;
        self
    }

    /// Refuses a credential whose tokens name an instance `config` does not allow
    /// ([`Error::CredentialInstanceNotAllowed`]): a document planted in a store must not
    /// send its tokens, or the client secret with a refresh, to a host of its choosing.
    pub fn check_instance(&self, config: &crate::ClientConfig) -> Result<(), Error> {
        config.check_credential_instance(&self.tokens)
    }

    /// The versioned JSON document (it contains the tokens: keep it somewhere private).
    pub fn to_document(&self) -> Vec<u8> {
        let wire = Wire {
            format: DOCUMENT_FORMAT.to_owned(),
            version: DOCUMENT_VERSION,
            generation: self.generation,
            reauth_required: self.reauth_required,
            updated_at: self.updated_at,
            tokens: self.tokens.clone(),
        };
        serde_json::to_vec_pretty(&wire).expect("a credential document always serializes")
    }

    /// Reads a document written by [`to_document`](Self::to_document). A torn, empty, oversized
    /// or foreign document is [`Error::InvalidStoredData`] (and a newer version
    /// [`Error::UnsupportedStoredFormat`]), never a panic; messages never quote the
    /// document's content.
    pub fn from_document(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_DOCUMENT_BYTES {
            return Err(Error::InvalidStoredData {
                reason: format!(
                    "the document is {} bytes, more than the {MAX_DOCUMENT_BYTES} accepted",
                    bytes.len()
                ),
            });
        }
        let wire: Wire = serde_json::from_slice(bytes).map_err(stored_data_error)?;
        if wire.format != DOCUMENT_FORMAT {
            return Err(Error::InvalidStoredData {
                reason: format!("the document's format is not {DOCUMENT_FORMAT:?}"),
            });
        }
        if wire.version != DOCUMENT_VERSION {
            return Err(Error::UnsupportedStoredFormat {
                found: u64::from(wire.version),
                supported: u64::from(DOCUMENT_VERSION),
            });
        }
        Ok(StoredCredential {
            tokens: wire.tokens,
            generation: wire.generation,
            reauth_required: wire.reauth_required,
            updated_at: wire.updated_at,
        })
    }
}

/// The `generation` member of a stored document (plain or sealed), without reading the
/// rest: what a store that compares generations (compare-and-swap) needs to know about
/// the document it holds. A document without one is [`Error::InvalidStoredData`].
///
/// ```
/// assert_eq!(wf_oauth_core::document_generation(br#"{"generation":7,"x":[]}"#)?, 7);
/// assert!(wf_oauth_core::document_generation(b"[]").is_err());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
pub fn document_generation(bytes: &[u8]) -> Result<u64, Error> {
    #[derive(Deserialize)]
    struct Probe {
        generation: u64,
    }
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::InvalidStoredData {
            reason: "the document is larger than a credential document can be".into(),
        });
    }
    serde_json::from_slice::<Probe>(bytes)
        .map(|p| p.generation)
        .map_err(stored_data_error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AccessToken, Instance, UnixTime};

    fn doc() -> StoredCredential {
        let tokens = TokenSet::new(
            AccessToken::new("sess-secret"),
            Instance::parse("acme.my.workfront.com").unwrap(),
            UnixTime::from_secs(1),
        );
        let mut stored = StoredCredential::new(tokens, 5).needing_sign_in();
        stored.generation = 9;
        stored
    }

    #[test]
    fn round_trips() {
        let d = doc();
        assert_eq!(
            StoredCredential::from_document(&d.to_document()).unwrap(),
            d
        );
    }

    #[test]
    fn broken_documents_are_typed_and_never_quote_content() {
        let good = String::from_utf8(doc().to_document()).unwrap();
        for bad in [
            String::new(),
            "{".into(),
            "[]".into(),
            good.replace("wf-oauth-credential", "sess-secret"),
            good.replace("\"version\": 1", "\"version\": \"sess-secret\""),
            good.replace("https://acme.my.workfront.com", "http://sess-secret.com"),
            good[..good.len() / 2].to_owned(),
            "x".repeat(MAX_DOCUMENT_BYTES + 1),
        ] {
            let e = StoredCredential::from_document(bad.as_bytes()).unwrap_err();
            assert!(!e.to_string().contains("sess-secret"), "{e}");
        }
        let newer = good.replace("\"version\": 1", "\"version\": 2");
        assert_eq!(
            StoredCredential::from_document(newer.as_bytes()),
            Err(Error::UnsupportedStoredFormat {
                found: 2,
                supported: 1
            })
        );
    }
}
