//! Token sets and the state of an authorization in progress, as objects whose printed
//! form (`toString` in Kotlin, `description` in Swift) never shows a secret.

use std::fmt;
use std::sync::Arc;

use crate::error::Result;
use crate::text::Text;

/// The tokens of one sign-in: access token, refresh token, expiry, `wid`.
///
/// Prints with fingerprints only (`[redacted 1a2b3c4d]`); the values leave through
/// [`access_token`](Self::access_token) and [`refresh_token`](Self::refresh_token).
/// [`to_json`](Self::to_json) is the versioned stored form (it contains the tokens: keep
/// it in the platform's secure storage).
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct TokenSet {
    pub(crate) inner: wf_oauth_core::TokenSet,
}

impl TokenSet {
    pub(crate) fn wrap(inner: wf_oauth_core::TokenSet) -> Arc<Self> {
        Arc::new(Self { inner })
    }
}

#[uniffi::export]
impl TokenSet {
    /// Reads the stored form written by [`to_json`](Self::to_json).
    #[uniffi::constructor]
    pub fn from_json(json: Text) -> Result<Arc<Self>> {
        Ok(Self::wrap(wf_oauth_core::TokenSet::from_json(&json)?))
    }

    /// The stored form: versioned JSON containing the tokens.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The access token (a Workfront `sessionID`, or a Bearer token). Secret.
    pub fn access_token(&self) -> String {
        self.inner.access_token().secret().to_owned()
    }

    /// The refresh token, if the server issued one. Secret.
    pub fn refresh_token(&self) -> Option<String> {
        self.inner.refresh_token().map(|t| t.secret().to_owned())
    }

    /// `sessionID`, `Bearer`, or what the server said.
    pub fn token_type(&self) -> String {
        self.inner.token_type().as_str().to_owned()
    }

    /// When the access token expires (Unix seconds); `null`/`nil` when unknown or sliding
    /// (Workfront's `expires_in: 0`).
    pub fn expires_at(&self) -> Option<u64> {
        self.inner.expires_at().map(|t| t.as_secs())
    }

    /// When the tokens were obtained (Unix seconds).
    pub fn obtained_at(&self) -> u64 {
        self.inner.obtained_at().as_secs()
    }

    /// Workfront's `wid` (opaque).
    pub fn wid(&self) -> Option<String> {
        self.inner.wid().map(str::to_owned)
    }

    /// The origin of the Workfront instance the tokens belong to.
    pub fn instance(&self) -> String {
        self.inner.instance().origin().to_owned()
    }

    /// The scope granted, when the server said.
    pub fn scope(&self) -> Option<String> {
        self.inner.scope().map(str::to_owned)
    }

    /// A short digest of the access token, safe to log.
    pub fn access_token_fingerprint(&self) -> String {
        self.inner.access_token().fingerprint()
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// A login in progress: the URL to open in the system browser, and what checking the
/// callback needs (`state`, PKCE verifier).
///
/// A mobile app may be killed while the browser is in front: save
/// [`to_json`](Self::to_json) (it contains the PKCE verifier: use private storage) and
/// restore it with [`from_json`](Self::from_json) when the callback arrives.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct PendingAuthorization {
    pub(crate) inner: wf_oauth_core::PendingAuthorization,
}

#[uniffi::export]
impl PendingAuthorization {
    /// Restores a pending authorization saved with [`to_json`](Self::to_json).
    #[uniffi::constructor]
    pub fn from_json(json: Text) -> Result<Arc<Self>> {
        Ok(Arc::new(Self {
            inner: wf_oauth_core::PendingAuthorization::from_json(&json)?,
        }))
    }

    /// The versioned JSON form (contains `state` and the PKCE verifier).
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The URL to open in the system browser.
    pub fn url(&self) -> String {
        self.inner.url().to_owned()
    }

    /// The redirect URI the callback must arrive at.
    pub fn redirect_uri(&self) -> String {
        self.inner.redirect_uri().as_str().to_owned()
    }

    /// The origin of the configured instance.
    pub fn instance(&self) -> String {
        self.inner.instance().origin().to_owned()
    }

    /// When the authorization was started (Unix seconds).
    pub fn created_at(&self) -> u64 {
        self.inner.created_at().as_secs()
    }

    /// Whether the authorization uses PKCE.
    pub fn uses_pkce(&self) -> bool {
        self.inner.pkce_verifier().is_some()
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// A callback that passed every check (`state`, redirect URI, instance), holding the
/// authorization code until it is exchanged; for apps that check the callback in one place
/// and exchange the code in another. The code lives two minutes.
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct AuthorizationResponse {
    pub(crate) inner: wf_oauth_core::AuthorizationResponse,
}

#[uniffi::export]
impl AuthorizationResponse {
    /// The origin of the instance the code was issued by.
    pub fn instance(&self) -> String {
        self.inner.instance().origin().to_owned()
    }

    /// When the callback was accepted (Unix seconds); the code expires two minutes later.
    pub fn received_at(&self) -> u64 {
        self.inner.received_at().as_secs()
    }
}

impl fmt::Debug for AuthorizationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for AuthorizationResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}
