//! Configuration of a mock instance: its options, their defaults and their validation.
//!
//! The same options exist on the command line ([`crate::MockArgs`]) and on
//! [`crate::MockBuilder`]; the args convert into the builder so the binary,
//! `wf-oauth mock` and in-process tests all start the mock the same way.

use std::fmt;
use std::time::Duration;

/// Default confidential client ID.
pub const DEFAULT_CLIENT_ID: &str = "demo-client";
/// Default client secret of the confidential client.
pub const DEFAULT_CLIENT_SECRET: &str = "demo-secret";
/// Default public (PKCE) client ID.
pub const DEFAULT_PUBLIC_CLIENT_ID: &str = "demo-public";
/// Default registered redirect URI.
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";
/// Default application name shown on the consent page.
pub const DEFAULT_APP_NAME: &str = "wf-oauth demo";
/// Default sign-in user name (password [`DEFAULT_PASSWORD`]).
pub const DEFAULT_USERNAME: &str = "demo";
/// Default sign-in password.
pub const DEFAULT_PASSWORD: &str = "demo";
/// Default lifetime of an authorization code (Workfront: 2 minutes).
pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(120);
/// Default session inactivity timeout (Workfront: 8 hours).
pub const DEFAULT_SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);
/// Default cap on concurrent API requests (Workfront: 10 per customer).
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 10;
/// Largest request body the mock reads; larger ones get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Default lifetime of an Adobe IMS access token (IMS answers `"expires_in":86399`).
pub const DEFAULT_ACCESS_TOKEN_TTL: Duration = Duration::from_secs(86_399);

/// Which provider the mock impersonates.
///
/// - [`Mode::WorkfrontLegacy`] (the default): the legacy Workfront OAuth 2 service
///   (`/integrations/oauth2/…`, `sessionID` tokens with a sliding inactivity timeout).
/// - [`Mode::AdobeIms`]: Adobe IMS (`/ims/authorize/v2`, `/ims/token/v3`, Bearer tokens
///   with a real `expires_in`, scopes required, client-credentials grant), with the
///   Workfront API on the same loopback server.
/// - [`Mode::Both`]: both path sets at once (a code or refresh token from one profile is
///   refused by the other's token endpoint).
///
/// On the command line: `--mode legacy|ims|both`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mode {
    /// The legacy Workfront OAuth 2 service of the seed page (`sessionID` tokens).
    #[default]
    WorkfrontLegacy,
    /// Adobe IMS (Adobe Developer Console credentials), the legacy service's successor.
    AdobeIms,
    /// Both of the above on one server.
    Both,
}

impl std::str::FromStr for Mode {
    type Err = String;

    /// Parses `legacy`, `ims` or `both`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "legacy" | "workfront-legacy" => Ok(Mode::WorkfrontLegacy),
            "ims" | "adobe-ims" => Ok(Mode::AdobeIms),
            "both" => Ok(Mode::Both),
            other => Err(format!(
                "unknown mode {other:?}; expected legacy, ims or both"
            )),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::WorkfrontLegacy => "legacy",
            Mode::AdobeIms => "ims",
            Mode::Both => "both",
        })
    }
}

/// The HTTP paths a mode serves.
#[derive(Clone, Copy, Debug)]
pub struct Paths {
    /// The authorization endpoint (browser).
    pub authorize: &'static str,
    /// Where the login form posts.
    pub login: &'static str,
    /// Where the consent form posts.
    pub consent: &'static str,
    /// The token endpoint.
    pub token: &'static str,
    /// Prefix of the Workfront API (`/attask/api`).
    pub api_prefix: &'static str,
}

/// The legacy Workfront OAuth 2 paths.
pub(crate) const LEGACY_PATHS: Paths = Paths {
    authorize: "/integrations/oauth2/authorize",
    login: "/integrations/oauth2/login",
    consent: "/integrations/oauth2/consent",
    token: "/integrations/oauth2/api/v1/token",
    api_prefix: "/attask/api",
};

/// The Adobe IMS paths (login and consent are the fake's own pages).
pub(crate) const IMS_PATHS: Paths = Paths {
    authorize: "/ims/authorize/v2",
    login: "/ims/login",
    consent: "/ims/consent",
    token: "/ims/token/v3",
    api_prefix: "/attask/api",
};

impl Mode {
    /// The paths of the primary profile of this mode (legacy for [`Mode::Both`]).
    pub fn paths(self) -> Paths {
        match self {
            Mode::WorkfrontLegacy | Mode::Both => LEGACY_PATHS,
            Mode::AdobeIms => IMS_PATHS,
        }
    }

    /// The Adobe IMS paths (served in [`Mode::AdobeIms`] and [`Mode::Both`]).
    pub fn ims_paths() -> Paths {
        IMS_PATHS
    }

    /// Whether the legacy Workfront OAuth 2 endpoints are served.
    pub fn serves_legacy(self) -> bool {
        matches!(self, Mode::WorkfrontLegacy | Mode::Both)
    }

    /// Whether the Adobe IMS endpoints are served.
    pub fn serves_ims(self) -> bool {
        matches!(self, Mode::AdobeIms | Mode::Both)
    }
}

/// A user who can sign in on the login page.
#[derive(Clone, PartialEq, Eq)]
pub struct UserAccount {
    /// The user name typed into the login form.
    pub username: String,
    /// The password.
    pub password: String,
}

impl fmt::Debug for UserAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UserAccount")
            .field("username", &self.username)
            .field("password", &"[redacted]")
            .finish()
    }
}

impl std::str::FromStr for UserAccount {
    type Err = String;

    /// Parses `name:password`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once(':') {
            Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok(UserAccount {
                username: u.to_owned(),
                password: p.to_owned(),
            }),
            _ => Err("expected `name:password` with both parts non-empty".to_owned()),
        }
    }
}

/// The complete, validated configuration of a mock instance.
#[derive(Clone)]
pub struct MockConfig {
    /// Provider profile.
    pub mode: Mode,
    /// TCP port on 127.0.0.1; 0 lets the OS choose.
    pub port: u16,
    /// The confidential client's ID.
    pub client_id: String,
    /// Every currently valid secret of the confidential client.
    pub client_secrets: Vec<String>,
    /// The public (PKCE, no secret) client's ID, if any.
    pub public_client_id: Option<String>,
    /// Registered redirect URIs (exact match), shared by both clients.
    pub redirect_uris: Vec<String>,
    /// Accept any port on loopback redirect URIs (RFC 8252 §7.3). Workfront does not.
    pub allow_loopback_any_port: bool,
    /// Application name shown on the consent page.
    pub app_name: String,
    /// Lifetime of authorization codes.
    pub code_ttl: Duration,
    /// Inactivity timeout of sessions (access tokens) and browser sign-ins.
    pub session_idle: Duration,
    /// Lifetime of Adobe IMS access tokens (`expires_in`), counted from issuance, not
    /// sliding. Legacy sessions ignore it.
    pub access_token_ttl: Duration,
    /// Issue a new refresh token on every refresh.
    pub rotate_refresh_tokens: bool,
    /// Refresh tokens stop working this long after the original grant.
    pub refresh_absolute: Option<Duration>,
    /// Refresh tokens stop working after this long without a refresh.
    pub refresh_idle: Option<Duration>,
    /// `domain` reported in the callback.
    pub domain: String,
    /// `lane` reported in the callback.
    pub lane: String,
    /// Skip the login and consent pages (sign in as the first user, allow).
    pub auto_approve: bool,
    /// Users who can sign in; the first is used by `auto_approve`.
    pub users: Vec<UserAccount>,
    /// Concurrent API requests allowed; 0 means unlimited.
    pub max_concurrent_requests: usize,
    /// Serve `/__mock/` (fault injection and introspection).
    pub admin: bool,
    /// Adobe IMS: accept plain-`http` loopback redirect URIs (`127.0.0.1`, `[::1]`,
    /// `localhost`) for the confidential (web application) client. Adobe requires `https`
    /// redirect URIs for OAuth Web App credentials, so without this test switch the IMS
    /// authorization endpoint refuses any non-`https` redirect URI of that client.
    pub allow_loopback_redirects: bool,
    /// Adobe IMS: refuse API calls made with an IMS access token unless they carry the
    /// Adobe gateway headers: `x-api-key` equal to the token's client ID and, when
    /// [`ims_org_id`](Self::ims_org_id) is set, `x-gw-ims-org-id` equal to it (403
    /// otherwise).
    pub require_gateway_headers: bool,
    /// Adobe IMS organization ID (`…@AdobeOrg`) the gateway check expects in
    /// `x-gw-ims-org-id`.
    pub ims_org_id: Option<String>,
    /// Adobe IMS: issue refresh tokens only to grants whose scope holds `offline_access`
    /// (granted with `prompt=consent`), as IMS does. Off by default: the fake then also
    /// issues a refresh token to grants that did not ask for `offline_access`.
    pub refresh_requires_offline_access: bool,
}

impl fmt::Debug for MockConfig {
    // Hand-written so secrets never reach a log through `{:?}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockConfig")
            .field("mode", &self.mode)
            .field("port", &self.port)
            .field("client_id", &self.client_id)
            .field(
                "client_secrets",
                &format_args!("[{} redacted]", self.client_secrets.len()),
            )
            .field("public_client_id", &self.public_client_id)
            .field("redirect_uris", &self.redirect_uris)
            .field("allow_loopback_any_port", &self.allow_loopback_any_port)
            .field("app_name", &self.app_name)
            .field("code_ttl", &self.code_ttl)
            .field("session_idle", &self.session_idle)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("rotate_refresh_tokens", &self.rotate_refresh_tokens)
            .field("refresh_absolute", &self.refresh_absolute)
            .field("refresh_idle", &self.refresh_idle)
            .field("domain", &self.domain)
            .field("lane", &self.lane)
            .field("auto_approve", &self.auto_approve)
            .field("users", &self.users)
            .field("max_concurrent_requests", &self.max_concurrent_requests)
            .field("admin", &self.admin)
            .field("allow_loopback_redirects", &self.allow_loopback_redirects)
            .field("require_gateway_headers", &self.require_gateway_headers)
            .field("ims_org_id", &self.ims_org_id)
            .field(
                "refresh_requires_offline_access",
                &self.refresh_requires_offline_access,
            )
            .finish()
    }
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            mode: Mode::default(),
            port: 0,
            client_id: DEFAULT_CLIENT_ID.to_owned(),
            client_secrets: vec![DEFAULT_CLIENT_SECRET.to_owned()],
            public_client_id: Some(DEFAULT_PUBLIC_CLIENT_ID.to_owned()),
            redirect_uris: vec![DEFAULT_REDIRECT_URI.to_owned()],
            allow_loopback_any_port: false,
            app_name: DEFAULT_APP_NAME.to_owned(),
            code_ttl: DEFAULT_CODE_TTL,
            session_idle: DEFAULT_SESSION_IDLE,
            access_token_ttl: DEFAULT_ACCESS_TOKEN_TTL,
            rotate_refresh_tokens: true,
            refresh_absolute: None,
            refresh_idle: None,
            domain: "mock".to_owned(),
            lane: "my".to_owned(),
            auto_approve: false,
            users: vec![UserAccount {
                username: DEFAULT_USERNAME.to_owned(),
                password: DEFAULT_PASSWORD.to_owned(),
            }],
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            admin: true,
            allow_loopback_redirects: false,
            require_gateway_headers: false,
            ims_org_id: None,
            refresh_requires_offline_access: false,
        }
    }
}

impl MockConfig {
    /// Checks the configuration; the mock refuses to start with a bad one.
    pub fn validate(&self) -> Result<(), MockError> {
        let bad = |m: String| Err(MockError::InvalidConfig(m));
        if self.client_id.is_empty() {
            return bad("client ID must not be empty".into());
        }
        if self.client_secrets.is_empty() || self.client_secrets.iter().any(String::is_empty) {
            return bad("at least one non-empty client secret is required".into());
        }
        if self.public_client_id.as_deref() == Some(self.client_id.as_str()) {
            return bad("the public client ID must differ from the confidential one".into());
        }
        if self.redirect_uris.is_empty() {
            return bad("at least one redirect URI is required".into());
        }
        for uri in &self.redirect_uris {
            match url::Url::parse(uri) {
                Ok(u) if u.fragment().is_some() => {
                    return bad(format!("redirect URI {uri} must not have a fragment"));
                }
                Ok(u) if u.cannot_be_a_base() => {
                    return bad(format!("redirect URI {uri} is not a hierarchical URL"));
                }
                Ok(_) => {}
                Err(e) => return bad(format!("redirect URI {uri} is not absolute: {e}")),
            }
        }
        for (what, v) in [("domain", &self.domain), ("lane", &self.lane)] {
            let ok = !v.is_empty()
                && v.len() <= 63
                && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return bad(format!("{what} must be a DNS label, got {v:?}"));
            }
        }
        if self.users.is_empty() {
            return bad("at least one user is required".into());
        }
        if self.code_ttl.is_zero() || self.session_idle.is_zero() {
            return bad("code TTL and session idle time must be positive".into());
        }
        if self.access_token_ttl.is_zero() {
            return bad("access token TTL must be positive".into());
        }
        if self
            .ims_org_id
            .as_deref()
            .is_some_and(|o| o.is_empty() || !o.bytes().all(|b| b.is_ascii_graphic()))
        {
            return bad("the IMS organization ID must be non-empty printable ASCII".into());
        }
        Ok(())
    }
}

/// Why a mock could not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum MockError {
    /// The configuration is inconsistent.
    InvalidConfig(String),
    /// Binding the listening socket failed.
    Io(std::io::Error),
}

impl fmt::Display for MockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MockError::InvalidConfig(m) => write!(f, "invalid mock configuration: {m}"),
            MockError::Io(e) => write!(f, "mock I/O error: {e}"),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Io(e) => Some(e),
            MockError::InvalidConfig(_) => None,
        }
    }
}

impl From<std::io::Error> for MockError {
    fn from(e: std::io::Error) -> Self {
        MockError::Io(e)
    }
}
