//! The client configuration as a record with defaults (named arguments in Kotlin and
//! Swift), and the few objects it refers to.
//!
//! Everything is validated by the core's `ClientConfigBuilder`; this file only renames.
//! The client secret is an object, not a string field: records print all their fields
//! (`data class` `toString`, Swift's default description), objects print `[redacted]`.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use wf_oauth_core::{ApiVersion, ClientConfig, Instance, RedirectUri};
use wf_oauth_http::{Clock, TransportConfig};

use crate::error::{Result, WfOauthError};
use crate::text::Text;

/// A client secret. Prints as `ClientSecret([redacted])`; the value leaves only through
/// [`secret`](Self::secret).
#[derive(uniffi::Object)]
#[uniffi::export(Display, Debug)]
pub struct ClientSecret {
    inner: wf_oauth_core::ClientSecret,
}

#[uniffi::export]
impl ClientSecret {
    /// Wraps the secret issued with the OAuth 2 application.
    #[uniffi::constructor]
    pub fn new(value: Text) -> Arc<Self> {
        Arc::new(Self {
            inner: wf_oauth_core::ClientSecret::new(value),
        })
    }

    /// The secret itself.
    pub fn secret(&self) -> String {
        self.inner.secret().to_owned()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

impl fmt::Display for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.inner, f)
    }
}

/// How a confidential client authenticates to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ClientAuth {
    /// JSON body and `Authorization: Basic base64(client_id:client_secret)`.
    Basic,
    /// Form body with `client_id` and `client_secret`.
    Post,
}

/// Which authorization server issues the tokens. The Workfront API is always reached on
/// the configured instance.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Provider {
    /// Workfront's own OAuth 2 service (custom OAuth 2 applications; `sessionID` tokens).
    WorkfrontLegacy,
    /// Adobe IMS (Adobe Developer Console credentials; Bearer tokens; a scope is required).
    AdobeIms {
        /// The IMS base URL; `null`/`nil` for `https://ims-na1.adobelogin.com`.
        ims_base: Option<Text>,
    },
    /// Any standard OAuth 2 server (Bearer tokens).
    Generic {
        /// The authorization endpoint.
        authorize_url: Text,
        /// The token endpoint.
        token_url: Text,
    },
}

/// What to do with a callback that carries no `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum MissingStatePolicy {
    /// Refuse it (the default): a callback without `state` may be forged.
    Reject,
    /// Accept it, for a server known not to echo `state`.
    Accept,
}

/// A clock that only moves when told to, for tests and demos; clients built with it see
/// no other time.
#[derive(Debug, uniffi::Object)]
pub struct ManualClock {
    pub(crate) inner: wf_oauth_http::ManualClock,
}

#[uniffi::export]
impl ManualClock {
    /// A clock standing at `now_unix` (seconds since 1970).
    #[uniffi::constructor]
    pub fn new(now_unix: u64) -> Arc<Self> {
        Arc::new(Self {
            inner: wf_oauth_http::ManualClock::new(now_unix),
        })
    }

    /// A clock starting at the system's current time.
    #[uniffi::constructor]
    pub fn starting_now() -> Arc<Self> {
        Arc::new(Self {
            inner: wf_oauth_http::ManualClock::starting_now(),
        })
    }

    /// Moves the time forward by `secs` seconds.
    pub fn advance(&self, secs: u64) {
        self.inner.advance(secs);
    }

    /// The time, in Unix seconds.
    pub fn now(&self) -> u64 {
        self.inner.now_unix()
    }
}

/// The configuration of an [`OAuthClient`](crate::OAuthClient). Only `instance` and
/// `client_id` are required.
///
/// A mobile or desktop app is a public client: leave `client_secret` out; PKCE is then
/// always on.
#[derive(Debug, Clone, uniffi::Record)]
pub struct ClientOptions {
    /// The Workfront instance: a host (`acme.my.workfront.com`), an `https://` origin, or
    /// an explicit `http://127.0.0.1:PORT`/`http://localhost:PORT` for a local fake server.
    pub instance: Text,
    /// The OAuth 2 application's client id.
    pub client_id: Text,
    /// The client secret of a confidential client; `null`/`nil` for a public client.
    #[uniffi(default = None)]
    pub client_secret: Option<Arc<ClientSecret>>,
    /// The registered redirect URI (needed for the authorization code flow).
    #[uniffi(default = None)]
    pub redirect_uri: Option<Text>,
    /// How a confidential client authenticates (default: `Basic`, `Post` for Adobe IMS).
    #[uniffi(default = None)]
    pub client_auth: Option<ClientAuth>,
    /// The Workfront API version, e.g. `v20.0` (the default) or `v14.0`.
    #[uniffi(default = None)]
    pub api_version: Option<Text>,
    /// The scope to request, space-separated (required by Adobe IMS; optional for
    /// Workfront, e.g. `offline_access`).
    #[uniffi(default = None)]
    pub scope: Option<Text>,
    /// The provider profile (default: Workfront legacy).
    #[uniffi(default = None)]
    pub provider: Option<Provider>,
    /// Use PKCE with a confidential client too (public clients always do).
    #[uniffi(default = false)]
    pub pkce: bool,
    /// Refresh this many seconds before a known expiry (default 60).
    #[uniffi(default = None)]
    pub refresh_skew_secs: Option<u64>,
    /// What to do with callbacks without `state` (default: reject).
    #[uniffi(default = None)]
    pub missing_state: Option<MissingStatePolicy>,
    /// Time allowed for one HTTP request, in seconds (default 30).
    #[uniffi(default = None)]
    pub request_timeout_secs: Option<u64>,
    /// The clock to use instead of the system's (tests and demos).
    #[uniffi(default = None)]
    pub clock: Option<Arc<ManualClock>>,
    /// The authorization server's issuer identifier, compared with the `iss` of callbacks
    /// (RFC 9207). Default: the IMS base URL for Adobe IMS, the instance for Workfront's
    /// legacy service, none for a generic server (a callback with `iss` is then refused).
    #[uniffi(default = None)]
    pub issuer: Option<Text>,
    /// Refuse callbacks without `iss` (for servers known to send it).
    #[uniffi(default = false)]
    pub require_issuer: bool,
}

impl ClientOptions {
    /// The core's validated configuration.
    pub(crate) fn to_config(&self) -> Result<ClientConfig> {
        let instance = Instance::parse(&self.instance)?;
        let mut builder = ClientConfig::builder(instance, self.client_id.clone());
        if let Some(secret) = &self.client_secret {
            builder = builder.client_secret(secret.inner.clone());
        }
        if let Some(uri) = &self.redirect_uri {
            builder = builder.redirect_uri(RedirectUri::parse(uri)?);
        }
        if let Some(auth) = self.client_auth {
            builder = builder.client_auth(match auth {
                ClientAuth::Basic => wf_oauth_core::ClientAuth::Basic,
                ClientAuth::Post => wf_oauth_core::ClientAuth::Post,
            });
        }
        if let Some(version) = &self.api_version {
            builder = builder.api_version(ApiVersion::parse(version)?);
        }
        if let Some(scope) = &self.scope {
            builder = builder.scope(scope.clone());
        }
        if let Some(provider) = &self.provider {
            builder = builder.provider(provider.to_core()?);
        }
        if let Some(skew) = self.refresh_skew_secs {
            builder = builder.refresh_skew_secs(skew);
        }
        if let Some(issuer) = &self.issuer {
            builder = builder.issuer(issuer.clone());
        }
        builder = builder.require_issuer(self.require_issuer);
        if let Some(policy) = self.missing_state {
            builder = builder.missing_state(match policy {
                MissingStatePolicy::Reject => wf_oauth_core::MissingStatePolicy::Reject,
                MissingStatePolicy::Accept => wf_oauth_core::MissingStatePolicy::Accept,
            });
        }
        Ok(builder.pkce(self.pkce).build()?)
    }

    /// The HTTP settings these options ask for.
    pub(crate) fn transport_config(&self) -> Result<TransportConfig> {
        let config = TransportConfig::default();
        Ok(match self.request_timeout_secs {
            Some(0) => {
                return Err(WfOauthError::invalid_argument(
                    "request_timeout_secs must be at least 1",
                ));
            }
            Some(secs) => config.with_request_timeout(Duration::from_secs(secs)),
            None => config,
        })
    }
}

impl Provider {
    fn to_core(&self) -> Result<wf_oauth_core::Provider> {
        Ok(match self {
            Provider::WorkfrontLegacy => wf_oauth_core::Provider::WorkfrontLegacy,
            Provider::AdobeIms { ims_base: None } => wf_oauth_core::Provider::adobe_ims(),
            Provider::AdobeIms {
                ims_base: Some(base),
            } => wf_oauth_core::Provider::adobe_ims_at(base)?,
            Provider::Generic {
                authorize_url,
                token_url,
            } => wf_oauth_core::Provider::generic(authorize_url, token_url)?,
        })
    }
}
