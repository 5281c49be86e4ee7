//! The client configuration: who the client is, where it talks, and which choices it made.

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use url::Url;

use crate::error::Error;
use crate::instance::{Instance, InstancePolicy};
use crate::provider::{Provider, is_loopback_url};
use crate::secret::ClientSecret;
use crate::token::TokenSet;

/// Default proactive refresh margin, in seconds.
pub const DEFAULT_REFRESH_SKEW_SECS: u64 = 60;

/// The registered redirect URI.
///
/// Accepted forms:
/// - `https://…` (web applications);
/// - `http://` to a loopback host, `127.0.0.1`, `[::1]` or `localhost`, any port
///   (native and command-line applications, RFC 8252 §7.3);
/// - a private-use scheme containing a dot, such as `com.example.app:/callback`
///   (native applications, RFC 8252 §7.1).
///
/// No fragment and no user information. The text is kept exactly as given, because the
/// server compares it byte for byte with the registered one.
///
/// ```
/// use wf_oauth_core::RedirectUri;
/// assert!(RedirectUri::parse("https://app.example.com/callback").is_ok());
/// assert!(RedirectUri::parse("http://127.0.0.1:8765/callback").is_ok());
/// assert!(RedirectUri::parse("com.example.app:/callback").is_ok());
/// assert!(RedirectUri::parse("http://app.example.com/callback").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedirectUri {
    // Shared: copied into every pending authorization and authorization response.
    inner: Arc<(String, Url)>,
}

impl RedirectUri {
    /// Parses and validates a redirect URI.
    pub fn parse(input: &str) -> Result<RedirectUri, Error> {
        let bad = |reason: &str| Error::InvalidRedirectUri {
            reason: reason.to_owned(),
        };
        if input.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("it contains whitespace or control characters"));
        }
        let url = Url::parse(input).map_err(|_| bad("it is not an absolute URI"))?;
        if url.fragment().is_some() {
            return Err(bad("it may not contain a fragment"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("it may not contain user information"));
        }
        match url.scheme() {
            "https" => {}
            "http" if is_loopback_url(&url) => {}
            "http" => {
                return Err(bad(
                    "plain http is only accepted for loopback hosts (127.0.0.1, [::1], localhost)",
                ));
            }
            scheme if scheme.contains('.') => {}
            _ => {
                return Err(bad(
                    "use https, http on a loopback host, or a private-use scheme such as com.example.app:/callback",
                ));
            }
        }
        Ok(RedirectUri {
            inner: Arc::new((input.to_owned(), url)),
        })
    }

    /// The URI exactly as registered.
    pub fn as_str(&self) -> &str {
        &self.inner.0
    }

    /// The parsed URI.
    pub fn url(&self) -> &Url {
        &self.inner.1
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedirectUri({})", self.as_str())
    }
}

impl fmt::Display for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for RedirectUri {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RedirectUri {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        RedirectUri::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// How a confidential client authenticates to the token endpoint.
///
/// Chosen by configuration, never detected by trial: a failed attempt would burn the
/// single-use authorization code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClientAuth {
    /// JSON body and `Authorization: Basic base64(id:secret)` (the seed page's first form).
    ///
    /// The id and secret are form-urlencoded before base64, as RFC 6749 §2.3.1 requires.
    /// Workfront's page writes plain `base64(client_id:client_secret)`; the two coincide for
    /// the letters and digits Workfront issues, and the RFC form stays unambiguous when a
    /// secret contains `:` or `%`.
    Basic,
    /// Form body carrying `client_id` and `client_secret` (the seed page's second form,
    /// and what Adobe IMS expects).
    Post,
}

/// What to do when a callback comes back without `state`.
///
/// Workfront's documentation does not say whether its authorize endpoint echoes `state`.
/// Rejecting is the safe default (it defeats login CSRF); `Accept` is for servers known
/// not to echo it, and gives up that protection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum MissingStatePolicy {
    /// A callback without `state` is refused with [`Error::StateMissing`].
    #[default]
    Reject,
    /// A callback without `state` is accepted. A `state` that is present must still match.
    Accept,
}

/// A Workfront API version, `vX.Y`.
///
/// ```
/// use wf_oauth_core::ApiVersion;
/// assert_eq!(ApiVersion::default().as_str(), "v20.0");
/// assert!(ApiVersion::parse("v14.0").is_ok());
/// assert!(ApiVersion::parse("20").is_err());
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ApiVersion(String);

impl ApiVersion {
    /// The default version, supported into 2028.
    pub const DEFAULT: &'static str = "v20.0";

    /// Parses `vX.Y` (digits, at most 4 each).
    pub fn parse(input: &str) -> Result<ApiVersion, Error> {
        let digits =
            |s: &str| !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit());
        match input.strip_prefix('v').and_then(|r| r.split_once('.')) {
            Some((major, minor)) if digits(major) && digits(minor) => {
                Ok(ApiVersion(input.to_owned()))
            }
            _ => Err(Error::invalid_config(
                "the API version must look like v20.0",
            )),
        }
    }

    /// The version as written in URLs.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ApiVersion {
    fn default() -> Self {
        ApiVersion(Self::DEFAULT.to_owned())
    }
}

impl fmt::Debug for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiVersion({})", self.0)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks a space-separated scope list (RFC 6749 §3.3) and normalizes its spacing.
fn normalize_scope(scope: &str) -> Result<String, Error> {
    let scope_char = |b: u8| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b);
    let tokens: Vec<&str> = scope.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return Err(Error::invalid_config("the scope is empty"));
    }
    if tokens.iter().any(|t| !t.bytes().all(scope_char)) {
        return Err(Error::invalid_config(
            "a scope may only contain printable ASCII other than '\"' and '\\', separated by spaces",
        ));
    }
    Ok(tokens.join(" "))
}

/// Everything the protocol needs to know about the client, validated.
///
/// Built with [`ClientConfig::builder`].
///
/// ```
/// use wf_oauth_core::{ClientAuth, ClientConfig, ClientSecret, Instance, RedirectUri};
/// let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "my-client-id")
///     .client_secret(ClientSecret::new("my-secret"))
///     .redirect_uri(RedirectUri::parse("https://app.example.com/callback")?)
///     .client_auth(ClientAuth::Basic)
///     .build()?;
/// assert!(!config.is_public());
/// assert_eq!(config.api_version().as_str(), "v20.0");
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub(crate) instance: Instance,
    pub(crate) client_id: Arc<str>,
    pub(crate) client_secret: Option<ClientSecret>,
    pub(crate) redirect_uri: Option<RedirectUri>,
    pub(crate) client_auth: ClientAuth,
    pub(crate) api_version: ApiVersion,
    pub(crate) scope: Option<String>,
    pub(crate) provider: Provider,
    pub(crate) pkce: bool,
    pub(crate) refresh_skew_secs: u64,
    pub(crate) missing_state: MissingStatePolicy,
    pub(crate) instance_policy: InstancePolicy,
    pub(crate) issuer: Option<String>,
    pub(crate) require_issuer: bool,
    pub(crate) derived: Derived,
}

/// Values computed once from the configuration instead of on every request.
#[derive(Debug, Clone)]
pub(crate) struct Derived {
    /// The authorize URL up to and including `&state=`.
    pub(crate) authorize_prefix: String,
    /// The scope, form-urlencoded.
    pub(crate) scope_encoded: Option<String>,
    /// The token endpoint of the configured instance.
    pub(crate) token_url: Url,
    /// `Basic …` for confidential clients.
    pub(crate) basic_header: Option<ClientSecret>,
    /// The API base of the configured instance (`{instance}/attask/api/{version}/`).
    pub(crate) api_base: Url,
}

/// Builds a [`ClientConfig`]; see [`ClientConfig::builder`].
#[derive(Debug, Clone)]
pub struct ClientConfigBuilder {
    instance: Instance,
    client_id: String,
    client_secret: Option<ClientSecret>,
    redirect_uri: Option<RedirectUri>,
    client_auth: Option<ClientAuth>,
    api_version: ApiVersion,
    scope: Option<String>,
    provider: Provider,
    pkce: bool,
    refresh_skew_secs: u64,
    missing_state: MissingStatePolicy,
    instance_policy: InstancePolicy,
    issuer: Option<String>,
    require_issuer: bool,
}

impl ClientConfig {
    /// Starts a configuration for `client_id` on `instance`.
    pub fn builder(instance: Instance, client_id: impl Into<String>) -> ClientConfigBuilder {
        ClientConfigBuilder {
            instance,
            client_id: client_id.into(),
            client_secret: None,
            redirect_uri: None,
            client_auth: None,
            api_version: ApiVersion::default(),
            scope: None,
            provider: Provider::default(),
            pkce: false,
            refresh_skew_secs: DEFAULT_REFRESH_SKEW_SECS,
            missing_state: MissingStatePolicy::default(),
            instance_policy: InstancePolicy::default(),
            issuer: None,
            require_issuer: false,
        }
    }

    /// The configured Workfront instance.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// The client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret (`None` for a public client).
    pub fn client_secret(&self) -> Option<&ClientSecret> {
        self.client_secret.as_ref()
    }

    /// Whether this is a public client (no secret; PKCE always on).
    pub fn is_public(&self) -> bool {
        self.client_secret.is_none()
    }

    /// The redirect URI, if configured (the code flow needs one; client credentials do not).
    pub fn redirect_uri(&self) -> Option<&RedirectUri> {
        self.redirect_uri.as_ref()
    }

    /// How the client authenticates to the token endpoint.
    pub fn client_auth(&self) -> ClientAuth {
        self.client_auth
    }

    /// The Workfront API version.
    pub fn api_version(&self) -> &ApiVersion {
        &self.api_version
    }

    /// The requested scope.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// The provider profile.
    pub fn provider(&self) -> &Provider {
        &self.provider
    }

    /// Whether PKCE is used (always for public clients).
    pub fn uses_pkce(&self) -> bool {
        self.pkce
    }

    /// How long before a known expiry the token is refreshed.
    pub fn refresh_skew_secs(&self) -> u64 {
        self.refresh_skew_secs
    }

    /// What happens to callbacks without `state`.
    pub fn missing_state_policy(&self) -> MissingStatePolicy {
        self.missing_state
    }

    /// Which other instances a callback may name.
    pub fn instance_policy(&self) -> &InstancePolicy {
        &self.instance_policy
    }

    /// The authorization server's issuer identifier, compared with the `iss` of callbacks
    /// (RFC 9207): the configured one, else the one the provider implies — the IMS base
    /// URL for Adobe IMS (`https://ims-na1.adobelogin.com`), the instance's origin for
    /// Workfront's legacy service. `None` for a generic server without a configured issuer:
    /// a callback carrying `iss` is then refused, since it cannot be checked.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Whether callbacks must carry `iss` (RFC 9207).
    pub fn requires_issuer(&self) -> bool {
        self.require_issuer
    }

    /// Whether a credential for `instance` may be used with this configuration: the
    /// configured instance, or one the instance policy allows. Tokens are only ever sent
    /// to such an instance, whatever produced them (a sign-in, JSON, a store document).
    ///
    /// ```
    /// use wf_oauth_core::{ClientConfig, Instance};
    /// let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "cid").build()?;
    /// assert!(config.allows_instance(&Instance::parse("acme.my.workfront.com")?));
    /// assert!(!config.allows_instance(&Instance::parse("evil.example.com")?));
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn allows_instance(&self, instance: &Instance) -> bool {
        self.instance_policy.allows(&self.instance, instance)
    }

    /// Refuses tokens naming an instance this configuration does not allow
    /// ([`Error::CredentialInstanceNotAllowed`]). Every request that carries a credential
    /// (refresh, API call, logout) is checked this way before it is built.
    pub fn check_credential_instance(&self, tokens: &TokenSet) -> Result<(), Error> {
        if self.allows_instance(tokens.instance()) {
            Ok(())
        } else {
            Err(Error::CredentialInstanceNotAllowed {
                host: tokens.instance().host().to_owned(),
            })
        }
    }

    /// The `Authorization: Basic` value for this client (RFC 6749 §2.3.1 encoding).
    /// The token endpoint for `instance` (cached for the configured one).
    pub(crate) fn token_endpoint_for(&self, instance: &Instance) -> Url {
        if *instance == self.instance {
            self.derived.token_url.clone()
        } else {
            self.provider.token_endpoint(instance)
        }
    }
}

fn basic_authorization(client_id: &str, secret: &ClientSecret) -> String {
    let mut pair = zeroize::Zeroizing::new(String::with_capacity(
        client_id.len() + secret.secret().len() + 1,
    ));
    pair.extend(form_urlencoded::byte_serialize(client_id.as_bytes()));
    pair.push(':');
    pair.extend(form_urlencoded::byte_serialize(secret.secret().as_bytes()));
    format!("Basic {}", STANDARD.encode(pair.as_bytes()))
}

fn check_text(what: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_config(format!("the {what} is empty")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid_config(format!(
            "the {what} contains control characters"
        )));
    }
    Ok(())
}

impl ClientConfigBuilder {
    /// The client secret; without one the client is public and PKCE is forced on.
    #[must_use]
    pub fn client_secret(mut self, secret: ClientSecret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    /// The registered redirect URI (required for the authorization code flow).
    #[must_use]
    pub fn redirect_uri(mut self, redirect_uri: RedirectUri) -> Self {
        self.redirect_uri = Some(redirect_uri);
        self
    }

    /// How a confidential client authenticates. Default: `Post` for Adobe IMS, `Basic`
    /// otherwise.
    #[must_use]
    pub fn client_auth(mut self, client_auth: ClientAuth) -> Self {
        self.client_auth = Some(client_auth);
        self
    }

    /// The Workfront API version (default `v20.0`).
    #[must_use]
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = version;
        self
    }

    /// The scope to request, space-separated (required for Adobe IMS; optional for
    /// Workfront, e.g. `offline_access`).
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// The provider profile (default: Workfront legacy).
    #[must_use]
    pub fn provider(mut self, provider: Provider) -> Self {
        self.provider = provider;
        self
    }

    /// Uses PKCE with a confidential client too (public clients always use it).
    #[must_use]
    pub fn pkce(mut self, pkce: bool) -> Self {
        self.pkce = pkce;
        self
    }

    /// How long before a known expiry the token is refreshed (default 60 s).
    #[must_use]
    pub fn refresh_skew_secs(mut self, secs: u64) -> Self {
        self.refresh_skew_secs = secs;
        self
    }

    /// What to do with callbacks without `state` (default: reject).
    #[must_use]
    pub fn missing_state(mut self, policy: MissingStatePolicy) -> Self {
        self.missing_state = policy;
        self
    }

    /// Which other instances a callback may name (default: none).
    #[must_use]
    pub fn instance_policy(mut self, policy: InstancePolicy) -> Self {
        self.instance_policy = policy;
        self
    }

    /// The authorization server's issuer identifier (RFC 8414), compared exactly with the
    /// `iss` parameter of callbacks (RFC 9207). Default: the IMS base URL for Adobe IMS,
    /// the instance's origin for Workfront's legacy service, none for a generic server.
    #[must_use]
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires `iss` in every callback (RFC 9207), for servers known to send it; a
    /// callback without one is refused with [`Error::IssuerMissing`]. Needs a known issuer.
    #[must_use]
    pub fn require_issuer(mut self, required: bool) -> Self {
        self.require_issuer = required;
        self
    }

    /// Validates and builds the configuration.
    pub fn build(self) -> Result<ClientConfig, Error> {
        check_text("client id", &self.client_id)?;
        if let Some(secret) = &self.client_secret {
            check_text("client secret", secret.secret())?;
        }
        let scope = self.scope.as_deref().map(normalize_scope).transpose()?;
        if self.provider.requires_scope() && scope.is_none() {
            return Err(Error::invalid_config("Adobe IMS requires a scope"));
        }
        let client_auth = self
            .client_auth
            .unwrap_or_else(|| self.provider.default_client_auth());
        let issuer = match self.issuer {
            Some(issuer) => Some(check_issuer(issuer)?),
            None => self.provider.issuer(&self.instance),
        };
        if self.require_issuer && issuer.is_none() {
            return Err(Error::invalid_config(
                "requiring `iss` in callbacks needs the provider's issuer",
            ));
        }
        let mut prefix = self.provider.authorize_endpoint(&self.instance);
        if let Some(redirect_uri) = &self.redirect_uri {
            prefix
                .query_pairs_mut()
                .append_pair("client_id", &self.client_id)
                .append_pair("redirect_uri", redirect_uri.as_str())
                .append_pair("response_type", "code")
                .append_pair("state", "");
        }
        let derived = Derived {
            authorize_prefix: prefix.into(),
            scope_encoded: scope
                .as_deref()
                .map(|s| form_urlencoded::byte_serialize(s.as_bytes()).collect()),
            token_url: self.provider.token_endpoint(&self.instance),
            api_base: crate::api::api_base_url(&self.instance, &self.api_version),
            basic_header: self
                .client_secret
                .as_ref()
                .map(|secret| ClientSecret::new(basic_authorization(&self.client_id, secret))),
        };
        Ok(ClientConfig {
            pkce: self.pkce || self.client_secret.is_none(),
            instance: self.instance,
            client_id: self.client_id.into(),
            derived,
            client_secret: self.client_secret,
            redirect_uri: self.redirect_uri,
            client_auth,
            api_version: self.api_version,
            scope,
            provider: self.provider,
            refresh_skew_secs: self.refresh_skew_secs,
            missing_state: self.missing_state,
            instance_policy: self.instance_policy,
            issuer,
            require_issuer: self.require_issuer,
        })
    }
}

/// An issuer identifier: an `https` URL (or `http` to loopback) without query or fragment
/// (RFC 8414 §2), kept exactly as written since RFC 9207 compares it as a string.
fn check_issuer(issuer: String) -> Result<String, Error> {
    let endpoint = crate::provider::Endpoint::parse(&issuer)
        .map_err(|_| Error::invalid_config("the issuer must be an https URL"))?;
    if endpoint.url().query().is_some() || issuer.contains('?') {
        return Err(Error::invalid_config("the issuer may not contain a query"));
    }
    Ok(issuer)
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
