//! Provider profiles: where to authorize, where to get tokens, how to present them.
//!
//! Profiles are data. The same machinery serves Workfront's legacy OAuth 2 service (the
//! default, retired on 2027-02-01), Adobe IMS (its successor) and any standard OAuth 2
//! server.

use std::fmt;

use url::Url;

use crate::config::ClientAuth;
use crate::error::Error;
use crate::instance::Instance;
use crate::token::TokenType;

/// The default Adobe IMS base URL.
pub const DEFAULT_IMS_BASE: &str = "https://ims-na1.adobelogin.com";

/// A validated endpoint URL: `https`, or `http` to an explicitly written loopback host;
/// no user information, no fragment.
///
/// ```
/// use wf_oauth_core::Endpoint;
/// assert!(Endpoint::parse("https://ims-na1.adobelogin.com").is_ok());
/// assert!(Endpoint::parse("http://127.0.0.1:9000/token").is_ok());
/// assert!(Endpoint::parse("http://auth.example.com/token").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Endpoint(Url);

impl Endpoint {
    /// Parses and validates an endpoint URL.
    pub fn parse(input: &str) -> Result<Endpoint, Error> {
        let bad = |reason: &str| Error::invalid_config(format!("endpoint URL: {reason}"));
        let url = Url::parse(input).map_err(|_| bad("not an absolute URL"))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("user information is not allowed"));
        }
        if url.fragment().is_some() {
            return Err(bad("a fragment is not allowed"));
        }
        match url.scheme() {
            "https" if url.host().is_some() => {}
            "http" if is_loopback_url(&url) => {}
            "http" => {
                return Err(bad(
                    "plain http is only accepted for loopback hosts (127.0.0.1, [::1], localhost)",
                ));
            }
            _ => return Err(bad("only https endpoints are accepted")),
        }
        Ok(Endpoint(url))
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        &self.0
    }

    fn join_path(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        let base = url.path().trim_end_matches('/').to_owned();
        url.set_path(&format!("{base}{path}"));
        url
    }
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Endpoint({})", self.0)
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// Whether a URL's host is one of the loopback hosts the http exception covers.
pub(crate) fn is_loopback_url(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// How an access token is attached to API requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenPlacement {
    /// `sessionID: <token>` (Workfront legacy OAuth 2: the token is a session ID).
    SessionIdHeader,
    /// `Authorization: Bearer <token>` (Adobe IMS and standard OAuth 2 servers).
    BearerHeader,
}

/// Which authorization server issues the tokens.
///
/// Whatever the provider, the Workfront API itself is always reached on the configured
/// Workfront instance (`{instance}/attask/api/{version}/`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Provider {
    /// Workfront's own OAuth 2 service (custom OAuth 2 applications): authorize at
    /// `{instance}/integrations/oauth2/authorize`, tokens at
    /// `{instance}/integrations/oauth2/api/v1/token`, token sent as a `sessionID` header.
    #[default]
    WorkfrontLegacy,
    /// Adobe IMS (Adobe Developer Console credentials): authorize at
    /// `{ims_base}/ims/authorize/v2`, tokens at `{ims_base}/ims/token/v3`, Bearer tokens,
    /// scopes required.
    AdobeIms {
        /// The IMS base URL, [`DEFAULT_IMS_BASE`] unless a region or test server is used.
        ims_base: Endpoint,
    },
    /// Any standard OAuth 2 server, with Bearer tokens.
    Generic {
        /// The authorization endpoint.
        authorize_url: Endpoint,
        /// The token endpoint.
        token_url: Endpoint,
    },
}

impl Provider {
    /// Adobe IMS at [`DEFAULT_IMS_BASE`].
    pub fn adobe_ims() -> Provider {
        Provider::AdobeIms {
            ims_base: Endpoint::parse(DEFAULT_IMS_BASE).expect("the default IMS base is valid"),
        }
    }

    /// Adobe IMS at another base URL (another region, or a fake server on loopback).
    pub fn adobe_ims_at(ims_base: &str) -> Result<Provider, Error> {
        Ok(Provider::AdobeIms {
            ims_base: Endpoint::parse(ims_base)?,
        })
    }

    /// A standard OAuth 2 server.
    pub fn generic(authorize_url: &str, token_url: &str) -> Result<Provider, Error> {
        Ok(Provider::Generic {
            authorize_url: Endpoint::parse(authorize_url)?,
            token_url: Endpoint::parse(token_url)?,
        })
    }

    /// The authorization endpoint for `instance`.
    ///
    /// ```
    /// use wf_oauth_core::{Instance, Provider};
    /// let i = Instance::parse("acme.my.workfront.com")?;
    /// assert_eq!(
    ///     Provider::WorkfrontLegacy.authorize_endpoint(&i).as_str(),
    ///     "https://acme.my.workfront.com/integrations/oauth2/authorize"
    /// );
    /// assert_eq!(
    ///     Provider::adobe_ims().authorize_endpoint(&i).as_str(),
    ///     "https://ims-na1.adobelogin.com/ims/authorize/v2"
    /// );
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn authorize_endpoint(&self, instance: &Instance) -> Url {
        match self {
            Provider::WorkfrontLegacy => {
                let mut url = instance.base_url();
                url.set_path("/integrations/oauth2/authorize");
                url
            }
            Provider::AdobeIms { ims_base } => ims_base.join_path("/ims/authorize/v2"),
            Provider::Generic { authorize_url, .. } => authorize_url.url().clone(),
        }
    }

    /// The token endpoint for `instance`.
    ///
    /// ```
    /// use wf_oauth_core::{Instance, Provider};
    /// let i = Instance::parse("acme.my.workfront.com")?;
    /// assert_eq!(
    ///     Provider::WorkfrontLegacy.token_endpoint(&i).as_str(),
    ///     "https://acme.my.workfront.com/integrations/oauth2/api/v1/token"
    /// );
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn token_endpoint(&self, instance: &Instance) -> Url {
        match self {
            Provider::WorkfrontLegacy => {
                let mut url = instance.base_url();
                url.set_path("/integrations/oauth2/api/v1/token");
                url
            }
            Provider::AdobeIms { ims_base } => ims_base.join_path("/ims/token/v3"),
            Provider::Generic { token_url, .. } => token_url.url().clone(),
        }
    }

    /// How access tokens are attached to API requests.
    pub fn token_placement(&self) -> TokenPlacement {
        match self {
            Provider::WorkfrontLegacy => TokenPlacement::SessionIdHeader,
            Provider::AdobeIms { .. } | Provider::Generic { .. } => TokenPlacement::BearerHeader,
        }
    }

    /// The token type assumed when a token response does not say.
    pub fn default_token_type(&self) -> TokenType {
        match self.token_placement() {
            TokenPlacement::SessionIdHeader => TokenType::SessionId,
            TokenPlacement::BearerHeader => TokenType::Bearer,
        }
    }

    /// How a confidential client authenticates unless configured otherwise: the form
    /// (`Post`) for Adobe IMS, which documents `client_id` and `client_secret` in the body;
    /// HTTP Basic for Workfront's legacy service and for standard servers (RFC 6749 §2.3.1:
    /// the method every server must support).
    pub fn default_client_auth(&self) -> ClientAuth {
        match self {
            Provider::AdobeIms { .. } => ClientAuth::Post,
            Provider::WorkfrontLegacy | Provider::Generic { .. } => ClientAuth::Basic,
        }
    }

    /// Whether authorization requests must carry a scope.
    pub fn requires_scope(&self) -> bool {
        matches!(self, Provider::AdobeIms { .. })
    }

    /// Whether a client authenticating with HTTP Basic sends a JSON body.
    ///
    /// Only Workfront's legacy service documents that shape; every other server takes the
    /// form body of RFC 6749 §4.1.3 and §6, with Basic as one of its client
    /// authentication methods (§2.3.1).
    pub fn json_body_with_basic(&self) -> bool {
        matches!(self, Provider::WorkfrontLegacy)
    }

    /// Whether the server has a client credentials grant (RFC 6749 §4.4).
    ///
    /// Workfront's legacy service only documents the authorization code flow; Adobe IMS
    /// Server-to-Server credentials are exactly this grant.
    pub fn supports_client_credentials(&self) -> bool {
        !matches!(self, Provider::WorkfrontLegacy)
    }

    /// Whether a refresh request repeats the redirect URI.
    ///
    /// Workfront's legacy page lists `redirect_uri` among the refresh parameters; RFC 6749
    /// §6 has none, so standard servers get exactly the RFC's parameters.
    pub fn refresh_carries_redirect_uri(&self) -> bool {
        matches!(self, Provider::WorkfrontLegacy)
    }

    /// A short name for logs and saved profiles: `workfront-legacy`, `adobe-ims` or
    /// `generic`.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Provider::WorkfrontLegacy => "workfront-legacy",
            Provider::AdobeIms { .. } => "adobe-ims",
            Provider::Generic { .. } => "generic",
        }
    }

    /// The issuer identifier the provider implies (RFC 8414), for the RFC 9207 `iss` check:
    /// the IMS base URL without a trailing `/` for Adobe IMS (`https://ims-na1.adobelogin.com`),
    /// the instance's origin for Workfront's legacy service (its authorization server lives
    /// there), none for a generic server (configure it).
    pub fn issuer(&self, instance: &Instance) -> Option<String> {
        match self {
            Provider::WorkfrontLegacy => Some(instance.origin().to_owned()),
            Provider::AdobeIms { ims_base } => {
                Some(ims_base.url().as_str().trim_end_matches('/').to_owned())
            }
            Provider::Generic { .. } => None,
        }
    }

    /// Whether the token endpoint lives on the Workfront instance (so that a callback
    /// naming another instance would redirect the code there).
    pub fn token_endpoint_on_instance(&self) -> bool {
        matches!(self, Provider::WorkfrontLegacy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ims_endpoints() {
        let i = Instance::parse("acme.my.workfront.com").unwrap();
        let p = Provider::adobe_ims();
        assert_eq!(
            p.token_endpoint(&i).as_str(),
            "https://ims-na1.adobelogin.com/ims/token/v3"
        );
        assert_eq!(p.token_placement(), TokenPlacement::BearerHeader);
        assert!(p.requires_scope());
        let local = Provider::adobe_ims_at("http://127.0.0.1:7000/").unwrap();
        assert_eq!(
            local.authorize_endpoint(&i).as_str(),
            "http://127.0.0.1:7000/ims/authorize/v2"
        );
    }

    #[test]
    fn legacy_endpoints_on_loopback_instance() {
        let i = Instance::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(
            Provider::WorkfrontLegacy.token_endpoint(&i).as_str(),
            "http://127.0.0.1:8080/integrations/oauth2/api/v1/token"
        );
        assert_eq!(
            Provider::WorkfrontLegacy.default_token_type(),
            TokenType::SessionId
        );
    }

    #[test]
    fn generic_endpoints_are_validated() {
        let p = Provider::generic(
            "https://auth.example.com/authorize",
            "https://auth.example.com/token",
        )
        .unwrap();
        assert_eq!(p.default_token_type(), TokenType::Bearer);
        for (a, t) in [
            ("http://auth.example.com/a", "https://auth.example.com/t"),
            ("https://auth.example.com/a", "ftp://auth.example.com/t"),
            (
                "https://u:p@auth.example.com/a",
                "https://auth.example.com/t",
            ),
            ("https://auth.example.com/a#f", "https://auth.example.com/t"),
            ("/relative", "https://auth.example.com/t"),
            ("http://10.0.0.1/a", "https://auth.example.com/t"),
        ] {
            assert!(
                matches!(Provider::generic(a, t), Err(Error::InvalidConfig { .. })),
                "{a} {t}"
            );
        }
        assert!(Provider::generic("http://[::1]:1/a", "http://localhost/t").is_ok());
    }
}
