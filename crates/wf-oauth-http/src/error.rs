//! The driver's error: the core's protocol errors plus what only a driver can meet
//! (network, storage, runtime), all mapped onto the core's [`ErrorKind`] categories that
//! every binding uses.

use std::time::Duration;

use wf_oauth_core::ErrorKind;

use crate::runtime::RuntimeError;
use crate::store::StoreError;
use crate::transport::TransportError;

/// Everything a driver operation can fail with.
///
/// Match on the variants, or on [`kind`](Self::kind) for the category shared with the
/// core and the bindings. `Clone`, so one failed refresh can be reported to every caller
/// that waited for it. Display texts never contain a credential.
///
/// ```
/// use wf_oauth_http::{Error, ErrorKind};
/// let e = Error::from(wf_oauth_core::Error::StateMismatch);
/// assert_eq!(e.kind(), ErrorKind::StateMismatch);
/// assert!(!e.is_retryable());
/// ```
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The protocol said no: a callback that does not match, an expired code, a token
    /// endpoint or API error, a malformed answer, `invalid_grant`…
    #[error(transparent)]
    Protocol(#[from] wf_oauth_core::Error),
    /// The request did not complete at the network level.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// The token store failed. For a refresh this means the new tokens were not saved and
    /// not used; the previous ones are still in place.
    #[error(transparent)]
    Storage(#[from] StoreError),
    /// The API kept answering `429 Too Many Requests` (after the retries allowed for
    /// `GET`s; other methods are not retried).
    #[error("rate limited by Workfront{}", retry_hint(*.retry_after))]
    RateLimited {
        /// The server's `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// An API answer could not be turned into the requested Rust type.
    #[error("cannot decode the API answer: {reason}")]
    Decode {
        /// What did not match (serde's message about the shape, not the data).
        reason: String,
    },
    /// The process runtime of the blocking facade failed.
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    /// The operating system's random generator failed.
    #[error("no entropy available from the operating system: {0}")]
    Entropy(String),
}

fn retry_hint(after: Option<u64>) -> String {
    after
        .map(|s| format!("; retry after {s} s"))
        .unwrap_or_default()
}

impl Error {
    /// The category shared with the core and every binding.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Protocol(e) => e.kind(),
            Error::Transport(TransportError::BodyTooLarge { .. })
            | Error::Transport(TransportError::Redirect { .. }) => ErrorKind::Protocol,
            Error::Transport(TransportError::Invalid(_)) => ErrorKind::InvalidArgument,
            Error::Runtime(RuntimeError::TaskLost | RuntimeError::Panicked) => ErrorKind::Internal,
            Error::Transport(_) | Error::Runtime(_) | Error::Entropy(_) => ErrorKind::Transport,
            Error::Storage(_) => ErrorKind::Storage,
            Error::RateLimited { .. } => ErrorKind::Api,
            Error::Decode { .. } => ErrorKind::Protocol,
        }
    }

    /// Whether the user must sign in again (the refresh token was refused, or the stored
    /// credential is marked so).
    pub fn is_reauth_required(&self) -> bool {
        matches!(self, Error::Protocol(e) if e.is_reauth_required())
    }

    /// Whether the same call may succeed later (transient network or server trouble).
    /// The driver has already retried what was safe to retry.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Protocol(e) => e.is_retryable(),
            Error::Transport(e) => matches!(
                e,
                TransportError::Connect(_) | TransportError::Timeout(_) | TransportError::Io(_)
            ),
            Error::RateLimited { .. } => true,
            Error::Storage(StoreError::Conflict { .. }) => true,
            _ => false,
        }
    }

    /// Whether this is Workfront throttling.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
    }

    /// The server's `Retry-After`, if it sent one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Protocol(e) => e.retry_after(),
            Error::RateLimited { retry_after } => *retry_after,
            _ => None,
        }
        .map(Duration::from_secs)
    }

    /// The HTTP status of the answer this error came from, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Protocol(e) => e.status(),
            Error::RateLimited { .. } => Some(429),
            Error::Transport(TransportError::Redirect { status }) => Some(*status),
            _ => None,
        }
    }

    /// The core's error, when the protocol produced this one.
    pub fn as_protocol(&self) -> Option<&wf_oauth_core::Error> {
        match self {
            Error::Protocol(e) => Some(e),
            _ => None,
        }
    }

    pub(crate) fn reauth(reason: impl Into<String>) -> Self {
        Error::Protocol(wf_oauth_core::Error::ReauthRequired {
            reason: reason.into(),
        })
    }
}

/// The driver's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
