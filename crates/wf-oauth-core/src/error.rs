//! The one error type of the crate, and the categories bindings map it to.

use thiserror::Error as ThisError;

/// Everything that can go wrong while running the protocol.
///
/// Display messages say what happened and what to do about it, and never contain a
/// credential: text received from servers is bounded and redacted before it is stored
/// here.
#[derive(Debug, Clone, PartialEq, Eq, ThisError)]
#[non_exhaustive]
pub enum Error {
    /// A Workfront instance host (or callback `domain`/`lane`) is not acceptable.
    #[error("invalid Workfront instance: {reason}")]
    InvalidInstance {
        /// Why the host was refused.
        reason: String,
    },

    /// The callback named an instance that the configuration does not allow.
    #[error(
        "the authorization came back from instance {host}, which is not allowed by this \
         configuration; add it to the instance allow-list if it is expected"
    )]
    InstanceNotAllowed {
        /// The host the callback named.
        host: String,
    },

    /// The client configuration is incomplete or inconsistent.
    #[error("invalid client configuration: {reason}")]
    InvalidConfig {
        /// What is wrong.
        reason: String,
    },

    /// The redirect URI is not acceptable.
    #[error("invalid redirect URI: {reason}")]
    InvalidRedirectUri {
        /// Why it was refused.
        reason: String,
    },

    /// An argument passed to the library is not acceptable (an API path, a page size…).
    #[error("invalid argument: {reason}")]
    InvalidArgument {
        /// What is wrong.
        reason: String,
    },

    /// The callback could not be understood.
    #[error("malformed authorization callback: {reason}")]
    CallbackMalformed {
        /// What is wrong.
        reason: String,
    },

    /// A protocol parameter appears more than once in the callback (RFC 6749 §3.1).
    #[error("malformed authorization callback: parameter `{name}` appears more than once")]
    DuplicateParameter {
        /// The repeated parameter.
        name: String,
    },

    /// The callback URL does not point at the registered redirect URI.
    #[error("the callback was sent to {found}, not to the redirect URI {expected}")]
    RedirectMismatch {
        /// The redirect URI of the authorization (without query).
        expected: String,
        /// Scheme, host, port and path of the callback that was received.
        found: String,
    },

    /// The callback's `state` is not the one this authorization sent: the callback belongs
    /// to another login attempt or was forged. Start the login again.
    #[error(
        "the callback's state does not match this login attempt (stale or forged callback); \
         start the login again"
    )]
    StateMismatch,

    /// The callback has no `state` and the configuration requires one.
    #[error(
        "the callback carries no state; if the server is known not to echo it, configure \
         MissingStatePolicy::Accept"
    )]
    StateMissing,

    /// The user (or the server on their behalf) refused the authorization (`access_denied`).
    #[error("the authorization was denied{}", display_opt(.description))]
    AuthorizationDenied {
        /// The server's `error_description`, sanitized.
        description: Option<String>,
    },

    /// The authorization endpoint reported an error other than `access_denied`.
    #[error("the authorization server reported `{error}`{}", display_opt(.description))]
    AuthorizationError {
        /// The `error` code, sanitized.
        error: String,
        /// The `error_description`, sanitized.
        description: Option<String>,
        /// The `error_uri`, sanitized.
        uri: Option<String>,
    },

    /// The callback carries neither a `code` nor an `error`.
    #[error("the callback carries no authorization code")]
    MissingCode,

    /// The authorization code is older than its two-minute lifetime. Start the login again.
    #[error(
        "the authorization code is {age_secs} s old and codes live {lifetime_secs} s; \
         start the login again"
    )]
    CodeExpired {
        /// How old the code was.
        age_secs: u64,
        /// How long codes live.
        lifetime_secs: u64,
    },

    /// The token endpoint answered with an RFC 6749 §5.2 error.
    #[error("the token endpoint answered {status} `{error}`{}", display_opt(.description))]
    TokenEndpoint {
        /// HTTP status.
        status: u16,
        /// The `error` code, sanitized.
        error: String,
        /// The `error_description`, sanitized.
        description: Option<String>,
        /// The `error_uri`, sanitized.
        uri: Option<String>,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after: Option<u64>,
    },

    /// The token endpoint answered with a Workfront error object (`{"error":{"class","message"}}`).
    #[error("Workfront answered {status}{}{}", display_opt(.class), display_opt(.message))]
    Workfront {
        /// HTTP status.
        status: u16,
        /// The Java exception class Workfront reports, sanitized.
        class: Option<String>,
        /// The message, sanitized.
        message: Option<String>,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after: Option<u64>,
    },

    /// A Workfront API call failed (see [`ApiOutcome`](crate::ApiOutcome)).
    #[error("the Workfront API answered {status}{}{}", display_opt(.class), display_opt(.message))]
    Api {
        /// HTTP status.
        status: u16,
        /// The Java exception class Workfront reports, sanitized.
        class: Option<String>,
        /// The message, sanitized.
        message: Option<String>,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after: Option<u64>,
    },

    /// The server answered with something that is not the expected JSON (an HTML gateway
    /// page, a proxy's plain-text 429…).
    #[error("unexpected response {status} ({}): {snippet}", .content_type.as_deref().unwrap_or("no content type"))]
    UnexpectedResponse {
        /// HTTP status.
        status: u16,
        /// The `Content-Type` header, sanitized.
        content_type: Option<String>,
        /// The start of the body: bounded, control characters removed, credentials redacted.
        snippet: String,
        /// `Retry-After`, in seconds, when the server sent one.
        retry_after: Option<u64>,
    },

    /// The response body is larger than the library accepts.
    #[error("the response body is {size} bytes, more than the {limit} bytes accepted")]
    ResponseTooLarge {
        /// The body size.
        size: usize,
        /// The limit.
        limit: usize,
    },

    /// A success response from the token endpoint lacks what a token response must carry.
    #[error("invalid token response: {reason}")]
    InvalidTokenResponse {
        /// What is missing or wrong.
        reason: String,
    },

    /// The credential cannot be renewed without the user signing in again.
    #[error("re-authorization required: {reason}")]
    ReauthRequired {
        /// Why.
        reason: String,
    },

    /// A refresh was requested while another one is in progress.
    #[error("a token refresh is already in progress; wait for it")]
    RefreshInProgress,

    /// Stored data (a token set, a pending authorization) uses a format this version does
    /// not know, typically written by a newer version of the library.
    #[error("stored data has format {found}; this version reads format {supported}")]
    UnsupportedStoredFormat {
        /// The format found.
        found: u64,
        /// The format this version reads and writes.
        supported: u64,
    },

    /// Stored data could not be read.
    #[error("stored data is invalid: {reason}")]
    InvalidStoredData {
        /// What is wrong (never the data itself).
        reason: String,
    },

    /// The network failed (created by drivers; the core does no I/O).
    #[error("transport error: {message}")]
    Transport {
        /// What failed.
        message: String,
    },

    /// The token store failed (created by drivers and stores).
    #[error("token storage error: {message}")]
    Storage {
        /// What failed.
        message: String,
    },

    /// A credential names an instance the configuration does not allow. Its tokens are
    /// never sent there: no refresh, API or logout request is built for them.
    #[error(
        "the credential is for instance {host}, which this configuration does not allow; \
         its tokens are only ever sent to the configured instance or one its allow-list \
         names (sign in again, or add the instance to the allow-list)"
    )]
    CredentialInstanceNotAllowed {
        /// The host the credential names.
        host: String,
    },

    /// The token endpoint refused the authorization code (`invalid_grant`, or Workfront's
    /// equivalent, on a code exchange): the code is unknown, used, expired or was issued
    /// for another client or redirect URI. The sign-in failed; start it again.
    #[error(
        "the token endpoint refused the authorization code ({status} `{error}`{}); start the \
         sign-in again",
        display_opt(.description)
    )]
    CodeRejected {
        /// HTTP status.
        status: u16,
        /// The `error` code (or Workfront's error class), sanitized.
        error: String,
        /// The `error_description` (or Workfront's message), sanitized.
        description: Option<String>,
        /// The `error_uri`, sanitized.
        uri: Option<String>,
    },

    /// The callback's `iss` (RFC 9207) is not the issuer the authorization was sent to: the
    /// answer comes from another authorization server (a mix-up attack, or a
    /// misconfiguration). Nothing is sent.
    #[error(
        "the callback was issued by {found}, not by {}; start the sign-in again (configure \
         the provider's issuer if this server is expected)",
        .expected.as_deref().unwrap_or("a known issuer (none is configured)")
    )]
    IssuerMismatch {
        /// The issuer the authorization expects, if one is known.
        expected: Option<String>,
        /// The `iss` the callback carries, sanitized.
        found: String,
    },

    /// The configuration requires `iss` in callbacks (RFC 9207) and this one has none.
    #[error(
        "the callback carries no `iss` and this configuration requires one (RFC 9207); \
         start the sign-in again"
    )]
    IssuerMissing,

    /// An id_token failed a validation check: the sign-in it reports must not be trusted
    /// (a forged, replayed, expired or misdirected token, or a wrongly configured issuer
    /// or client ID). Sign in again.
    #[error("the id_token was rejected ({check}): {reason}")]
    IdTokenRejected {
        /// Which check failed.
        check: crate::oidc::IdTokenCheck,
        /// Details (claim values from the token, sanitized; never the token).
        reason: String,
    },

    /// The id_token is not a well-formed compact JWS carrying a JSON claims object.
    #[error("malformed id_token: {reason}")]
    IdTokenMalformed {
        /// What is wrong.
        reason: String,
    },

    /// The id_token's `kid` names a key the JWKS does not list. The provider may have
    /// rotated its keys: fetch the JWKS again (once) and validate again; if the key is
    /// still unknown, the token is not from the provider.
    #[error(
        "the id_token is signed with key `{kid}`, which the provider's JWKS does not list; \
         fetch the JWKS again"
    )]
    IdTokenUnknownKey {
        /// The `kid` of the token's header (sanitized).
        kid: String,
    },

    /// A JWKS document is not usable.
    #[error("invalid JWKS document: {reason}")]
    JwksInvalid {
        /// What is wrong.
        reason: String,
    },

    /// An OpenID provider discovery document is not usable.
    #[error("invalid OpenID provider metadata: {reason}")]
    DiscoveryInvalid {
        /// What is wrong.
        reason: String,
    },

    /// A discovery document names another issuer than the one it was fetched for
    /// (OpenID Connect Discovery §4.3): it must not be used.
    #[error("the discovery document is for issuer {found}, not {expected}; it must not be used")]
    DiscoveryIssuerMismatch {
        /// The issuer the document was fetched for.
        expected: String,
        /// The issuer it names (sanitized).
        found: String,
    },

    /// A userinfo response is not a JSON object with a `sub`.
    #[error("invalid userinfo response: {reason}")]
    UserinfoInvalid {
        /// What is wrong.
        reason: String,
    },

    /// The userinfo response is about another subject than the id_token (OpenID Connect
    /// Core §5.3.2): it must not be used.
    #[error("the userinfo response is about another user than the id_token; it must not be used")]
    UserinfoSubjectMismatch,
}

/// The categories every binding maps errors to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A bad argument or configuration: a programming or setup mistake.
    InvalidArgument,
    /// The callback does not belong to this login attempt (state or redirect mismatch).
    StateMismatch,
    /// The user refused the authorization.
    AuthorizationDenied,
    /// The authorization endpoint reported another error.
    AuthorizationFailed,
    /// The authorization code expired before it was exchanged.
    CodeExpired,
    /// The user must sign in again.
    ReauthRequired,
    /// The token endpoint refused the request.
    TokenEndpoint,
    /// A Workfront API call failed.
    Api,
    /// The network failed.
    Transport,
    /// The token store failed.
    Storage,
    /// A server broke the protocol (malformed callback, unexpected body…).
    Protocol,
    /// A defect inside the library (a caught panic). Nothing a caller sent can cause it;
    /// please report it.
    Internal,
}

impl Error {
    /// Builds a transport error; for drivers.
    pub fn transport(message: impl Into<String>) -> Self {
        Error::Transport {
            message: message.into(),
        }
    }

    /// Builds a storage error; for token stores.
    pub fn storage(message: impl Into<String>) -> Self {
        Error::Storage {
            message: message.into(),
        }
    }

    pub(crate) fn invalid_argument(reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid_config(reason: impl Into<String>) -> Self {
        Error::InvalidConfig {
            reason: reason.into(),
        }
    }

    /// The category of this error.
    ///
    /// ```
    /// use wf_oauth_core::{Error, ErrorKind};
    /// assert_eq!(Error::StateMismatch.kind(), ErrorKind::StateMismatch);
    /// assert_eq!(Error::transport("timed out").kind(), ErrorKind::Transport);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::InvalidInstance { .. }
            | Error::InvalidConfig { .. }
            | Error::InvalidRedirectUri { .. }
            | Error::InvalidArgument { .. }
            | Error::RefreshInProgress
            | Error::UnsupportedStoredFormat { .. }
            | Error::InvalidStoredData { .. }
            | Error::CredentialInstanceNotAllowed { .. } => ErrorKind::InvalidArgument,
            Error::StateMismatch
            | Error::StateMissing
            | Error::RedirectMismatch { .. }
            | Error::InstanceNotAllowed { .. }
            | Error::IssuerMismatch { .. }
            | Error::IssuerMissing => ErrorKind::StateMismatch,
            Error::AuthorizationDenied { .. } => ErrorKind::AuthorizationDenied,
            Error::AuthorizationError { .. } | Error::CodeRejected { .. } => {
                ErrorKind::AuthorizationFailed
            }
            Error::CodeExpired { .. } => ErrorKind::CodeExpired,
            Error::ReauthRequired { .. } => ErrorKind::ReauthRequired,
            Error::TokenEndpoint { .. } | Error::Workfront { .. } => {
                if self.is_reauth_required() {
                    ErrorKind::ReauthRequired
                } else {
                    ErrorKind::TokenEndpoint
                }
            }
            Error::Api { .. } => ErrorKind::Api,
            Error::Transport { .. } => ErrorKind::Transport,
            Error::Storage { .. } => ErrorKind::Storage,
            Error::CallbackMalformed { .. }
            | Error::DuplicateParameter { .. }
            | Error::MissingCode
            | Error::UnexpectedResponse { .. }
            | Error::ResponseTooLarge { .. }
            | Error::InvalidTokenResponse { .. } => ErrorKind::Protocol,
            // A token that fails a check is a failed sign-in (possibly an attack); a
            // document that is not even well-formed is the server breaking the protocol.
            Error::IdTokenRejected { .. }
            | Error::IdTokenUnknownKey { .. }
            | Error::UserinfoSubjectMismatch => ErrorKind::AuthorizationFailed,
            Error::IdTokenMalformed { .. }
            | Error::JwksInvalid { .. }
            | Error::DiscoveryInvalid { .. }
            | Error::DiscoveryIssuerMismatch { .. }
            | Error::UserinfoInvalid { .. } => ErrorKind::Protocol,
        }
    }

    /// Whether the same request may succeed if sent again later: HTTP 5xx, 408 and 429,
    /// `temporarily_unavailable`/`server_error`, gateway pages, transport failures.
    ///
    /// A code grant must still not be retried blindly once the server may have consumed
    /// the code; drivers retry refreshes and API calls.
    pub fn is_retryable(&self) -> bool {
        let status_retryable = |s: u16| s >= 500 || s == 408 || s == 429;
        match self {
            Error::TokenEndpoint { status, error, .. } => {
                status_retryable(*status)
                    || error == "temporarily_unavailable"
                    || error == "server_error"
            }
            Error::Workfront { status, .. }
            | Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. } => status_retryable(*status),
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// Whether the user must sign in again: `invalid_grant` (expired, revoked or already
    /// used refresh token), a Workfront refusal of the refresh token, or no refresh token
    /// to use.
    pub fn is_reauth_required(&self) -> bool {
        match self {
            Error::ReauthRequired { .. } => true,
            Error::TokenEndpoint { error, .. } => error == "invalid_grant",
            Error::Workfront {
                status,
                class,
                message,
                ..
            } => {
                let text = format!(
                    "{} {}",
                    class.as_deref().unwrap_or(""),
                    message.as_deref().unwrap_or("")
                )
                .to_ascii_lowercase();
                (*status == 400 || *status == 401)
                    && (text.contains("invalid_grant")
                        || text.contains("invalidgrant")
                        || (text.contains("refresh") && text.contains("token")))
            }
            _ => false,
        }
    }

    /// The server's `Retry-After`, in seconds, if it sent one.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TokenEndpoint { retry_after, .. }
            | Error::Workfront { retry_after, .. }
            | Error::Api { retry_after, .. }
            | Error::UnexpectedResponse { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// The HTTP status of the response this error came from, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::TokenEndpoint { status, .. }
            | Error::Workfront { status, .. }
            | Error::Api { status, .. }
            | Error::UnexpectedResponse { status, .. }
            | Error::CodeRejected { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The error a refused code exchange becomes: a refusal of the code
    /// (`invalid_grant`, or Workfront's refusal of the grant) is a failed sign-in
    /// ([`Error::CodeRejected`]), not a lost session. Everything else is unchanged.
    pub(crate) fn for_code_exchange(self) -> Error {
        if !self.is_reauth_required() {
            return self;
        }
        match self {
            Error::TokenEndpoint {
                status,
                error,
                description,
                uri,
                ..
            } => Error::CodeRejected {
                status,
                error,
                description,
                uri,
            },
            Error::Workfront {
                status,
                class,
                message,
                ..
            } => Error::CodeRejected {
                status,
                error: class.unwrap_or_else(|| "invalid_grant".into()),
                description: message,
                uri: None,
            },
            other => other,
        }
    }
}

fn display_opt(value: &Option<String>) -> String {
    match value {
        Some(v) if !v.is_empty() => format!(": {v}"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token_error(status: u16, error: &str) -> Error {
        Error::TokenEndpoint {
            status,
            error: error.into(),
            description: None,
            uri: None,
            retry_after: None,
        }
    }

    #[test]
    fn invalid_grant_requires_reauth() {
        let e = token_error(400, "invalid_grant");
        assert!(e.is_reauth_required());
        assert!(!e.is_retryable());
        assert_eq!(e.kind(), ErrorKind::ReauthRequired);
    }

    #[test]
    fn server_errors_are_retryable() {
        assert!(token_error(503, "whatever").is_retryable());
        assert!(token_error(400, "temporarily_unavailable").is_retryable());
        assert!(!token_error(400, "invalid_client").is_retryable());
        assert_eq!(
            token_error(400, "invalid_client").kind(),
            ErrorKind::TokenEndpoint
        );
        let gateway = Error::UnexpectedResponse {
            status: 502,
            content_type: Some("text/html".into()),
            snippet: "Bad Gateway".into(),
            retry_after: None,
        };
        assert!(gateway.is_retryable());
        assert_eq!(gateway.status(), Some(502));
    }

    #[test]
    fn workfront_refresh_token_refusal_requires_reauth() {
        let e = Error::Workfront {
            status: 400,
            class: Some("com.attask.common.InvalidParameterException".into()),
            message: Some("Refresh token is expired".into()),
            retry_after: None,
        };
        assert!(e.is_reauth_required());
    }

    #[test]
    fn retry_after_is_exposed() {
        let e = Error::Api {
            status: 429,
            class: None,
            message: None,
            retry_after: Some(7),
        };
        assert_eq!(e.retry_after(), Some(7));
        assert!(e.is_retryable());
        assert_eq!(Error::MissingCode.retry_after(), None);
    }

    #[test]
    fn openid_error_kinds() {
        use crate::oidc::IdTokenCheck;
        let rejected = Error::IdTokenRejected {
            check: IdTokenCheck::Signature,
            reason: "x".into(),
        };
        assert_eq!(rejected.kind(), ErrorKind::AuthorizationFailed);
        assert!(!rejected.is_retryable() && !rejected.is_reauth_required());
        assert_eq!(
            Error::IdTokenUnknownKey { kid: "k".into() }.kind(),
            ErrorKind::AuthorizationFailed
        );
        assert_eq!(
            Error::UserinfoSubjectMismatch.kind(),
            ErrorKind::AuthorizationFailed
        );
        for protocol in [
            Error::IdTokenMalformed { reason: "x".into() },
            Error::JwksInvalid { reason: "x".into() },
            Error::DiscoveryInvalid { reason: "x".into() },
            Error::DiscoveryIssuerMismatch {
                expected: "a".into(),
                found: "b".into(),
            },
            Error::UserinfoInvalid { reason: "x".into() },
        ] {
            assert_eq!(protocol.kind(), ErrorKind::Protocol, "{protocol}");
        }
    }

    #[test]
    fn driver_errors() {
        assert!(Error::transport("connection refused").is_retryable());
        assert_eq!(Error::storage("disk full").kind(), ErrorKind::Storage);
    }
}
