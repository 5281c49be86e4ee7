//! The one error type of the bindings: `WfOauthException` in Kotlin, `WfOauthError` in
//! Swift.
//!
//! Each variant is one category of the core's [`ErrorKind`], so an application handles
//! "sign in again" or "try later" the same way in every language. The fields carry what
//! the driver knows and may show: its message (which never contains a credential), the
//! HTTP status, the server's error code, `Retry-After`, and whether retrying can help.

use wf_oauth_core::ErrorKind;
use wf_oauth_http::{Error as DriverError, RuntimeError, StoreError};

/// Everything a call of the wf-oauth bindings can fail with, one variant per category.
///
/// Every variant carries the same fields; `reason` is a human-readable explanation that
/// never contains a secret (client secret, code, verifier or token).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum WfOauthError {
    /// A bad argument or configuration: a programming or setup mistake.
    #[error("invalid argument: {reason}")]
    InvalidArgument {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The callback does not belong to this login attempt (state, redirect URI or instance
    /// mismatch): start the login again.
    #[error("state mismatch: {reason}")]
    StateMismatch {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The user refused the authorization (`access_denied`).
    #[error("authorization denied: {reason}")]
    AuthorizationDenied {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The authorization endpoint reported an error other than `access_denied`.
    #[error("authorization failed: {reason}")]
    AuthorizationFailed {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The authorization code expired (two minutes) before it was exchanged.
    #[error("authorization code expired: {reason}")]
    CodeExpired {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The user must sign in again (refresh token refused, nothing stored, logged out).
    #[error("re-authorization required: {reason}")]
    ReauthRequired {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The token endpoint refused the request (`invalid_client`…).
    #[error("token endpoint error: {reason}")]
    TokenEndpoint {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// A Workfront API call failed (including throttling: status 429).
    #[error("Workfront API error: {reason}")]
    Api {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The network failed (connection refused, timeout, connection closed).
    #[error("transport error: {reason}")]
    Transport {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// The token store failed (including an exception thrown by an application's
    /// `CredentialStorage`). For a refresh this means the new tokens were not used.
    #[error("token storage error: {reason}")]
    Storage {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// A server broke the protocol (malformed callback, HTML instead of JSON…).
    #[error("protocol error: {reason}")]
    Protocol {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// A defect inside the library: a panic was caught before it reached the application.
    /// Nothing an application sends should cause one; please report it.
    #[error("internal error: {reason}")]
    Internal {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
    /// A category added to the core after these bindings were written.
    #[error("error: {reason}")]
    Other {
        /// What is wrong.
        reason: String,
        /// The HTTP status of the answer the error came from, if any.
        status: Option<u16>,
        /// The server's error code (`invalid_grant`…) or Workfront exception class.
        code: Option<String>,
        /// The server's `Retry-After`, in seconds.
        retry_after_secs: Option<u64>,
        /// Whether the same call may succeed later.
        retryable: bool,
    },
}

/// The fields every variant shares, before the category picks the variant.
struct Details {
    reason: String,
    status: Option<u16>,
    code: Option<String>,
    retry_after_secs: Option<u64>,
    retryable: bool,
}

impl WfOauthError {
    fn from_parts(kind: ErrorKind, d: Details) -> Self {
        let Details {
            reason,
            status,
            code,
            retry_after_secs,
            retryable,
        } = d;
        macro_rules! variant {
            ($v:ident) => {
                WfOauthError::$v {
                    reason,
                    status,
                    code,
                    retry_after_secs,
                    retryable,
                }
            };
        }
        match kind {
            ErrorKind::InvalidArgument => variant!(InvalidArgument),
            ErrorKind::StateMismatch => variant!(StateMismatch),
            ErrorKind::AuthorizationDenied => variant!(AuthorizationDenied),
            ErrorKind::AuthorizationFailed => variant!(AuthorizationFailed),
            ErrorKind::CodeExpired => variant!(CodeExpired),
            ErrorKind::ReauthRequired => variant!(ReauthRequired),
            ErrorKind::TokenEndpoint => variant!(TokenEndpoint),
            ErrorKind::Api => variant!(Api),
            ErrorKind::Transport => variant!(Transport),
            ErrorKind::Storage => variant!(Storage),
            ErrorKind::Protocol => variant!(Protocol),
            ErrorKind::Internal => variant!(Internal),
            _ => variant!(Other),
        }
    }

    /// An error of `kind` raised by the bindings themselves (bad JSON from the caller…).
    pub(crate) fn local(kind: ErrorKind, reason: impl Into<String>) -> Self {
        Self::from_parts(
            kind,
            Details {
                reason: reason.into(),
                status: None,
                code: None,
                retry_after_secs: None,
                retryable: false,
            },
        )
    }

    /// An invalid-argument error raised by the bindings.
    pub(crate) fn invalid_argument(reason: impl Into<String>) -> Self {
        Self::local(ErrorKind::InvalidArgument, reason)
    }

    /// The explanation (never containing a secret).
    pub fn reason(&self) -> &str {
        match self {
            WfOauthError::InvalidArgument { reason, .. }
            | WfOauthError::StateMismatch { reason, .. }
            | WfOauthError::AuthorizationDenied { reason, .. }
            | WfOauthError::AuthorizationFailed { reason, .. }
            | WfOauthError::CodeExpired { reason, .. }
            | WfOauthError::ReauthRequired { reason, .. }
            | WfOauthError::TokenEndpoint { reason, .. }
            | WfOauthError::Api { reason, .. }
            | WfOauthError::Transport { reason, .. }
            | WfOauthError::Storage { reason, .. }
            | WfOauthError::Protocol { reason, .. }
            | WfOauthError::Internal { reason, .. }
            | WfOauthError::Other { reason, .. } => reason,
        }
    }
}

/// The error code a server sent, or the Workfront exception class.
fn server_code(e: &wf_oauth_core::Error) -> Option<String> {
    use wf_oauth_core::Error as E;
    match e {
        E::TokenEndpoint { error, .. }
        | E::AuthorizationError { error, .. }
        | E::CodeRejected { error, .. } => Some(error.clone()),
        E::AuthorizationDenied { .. } => Some("access_denied".to_owned()),
        E::Workfront { class, .. } | E::Api { class, .. } => class.clone(),
        _ => None,
    }
}

impl From<DriverError> for WfOauthError {
    fn from(e: DriverError) -> Self {
        let details = Details {
            // The driver's and the core's Display texts are written to be shown: they hold
            // no credential (server text is bounded and redacted by the core).
            reason: e.to_string(),
            status: e.status(),
            code: e.as_protocol().and_then(server_code),
            retry_after_secs: e.retry_after().map(|d| d.as_secs()),
            retryable: e.is_retryable(),
        };
        Self::from_parts(e.kind(), details)
    }
}

impl From<wf_oauth_core::Error> for WfOauthError {
    fn from(e: wf_oauth_core::Error) -> Self {
        DriverError::from(e).into()
    }
}

impl From<StoreError> for WfOauthError {
    fn from(e: StoreError) -> Self {
        DriverError::from(e).into()
    }
}

impl From<RuntimeError> for WfOauthError {
    fn from(e: RuntimeError) -> Self {
        DriverError::from(e).into()
    }
}

impl From<uniffi::UnexpectedUniFFICallbackError> for WfOauthError {
    /// An application's `CredentialStorage` threw something other than a
    /// `WfOauthException`/`WfOauthError`: still a storage failure, never a panic.
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::local(
            ErrorKind::Storage,
            format!("the application's credential storage failed: {}", e.reason),
        )
    }
}

/// The result type of the bindings.
pub type Result<T, E = WfOauthError> = std::result::Result<T, E>;

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
