//! [`MockBuilder`]: sets the options of a [`MockConfig`] one by one, then starts the mock.

use std::time::Duration;

use crate::clock::MockClock;
use crate::config::{MockConfig, MockError, Mode, UserAccount};
use crate::server::{self, RunningMock};

/// Builds and starts a mock; see [`crate::MockWorkfront::builder`].
///
/// List options (`client_secret`, `redirect_uri`, `user`) start from the defaults; the
/// first call of each replaces the default list, later calls add to it.
#[derive(Debug, Default)]
pub struct MockBuilder {
    config: MockConfig,
    clock: MockClock,
    secrets_set: bool,
    redirects_set: bool,
    users_set: bool,
}

impl MockBuilder {
    /// A builder with the default configuration and a system clock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Port on 127.0.0.1 (0, the default, lets the OS choose).
    pub fn port(mut self, port: u16) -> Self {
        self.config.port = port;
        self
    }

    /// Confidential client ID.
    pub fn client_id(mut self, id: impl Into<String>) -> Self {
        self.config.client_id = id.into();
        self
    }

    /// Adds a valid client secret (the first call replaces the default one).
    pub fn client_secret(mut self, secret: impl Into<String>) -> Self {
        if !self.secrets_set {
            self.config.client_secrets.clear();
            self.secrets_set = true;
        }
        self.config.client_secrets.push(secret.into());
        self
    }

    /// Adds a registered redirect URI (the first call replaces the default one).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        if !self.redirects_set {
            self.config.redirect_uris.clear();
            self.redirects_set = true;
        }
        self.config.redirect_uris.push(uri.into());
        self
    }

    /// Public (PKCE) client ID; `None` disables the public client.
    pub fn public_client_id(mut self, id: Option<String>) -> Self {
        self.config.public_client_id = id;
        self
    }

    /// Accept any port for loopback redirect URIs (not Workfront behaviour).
    pub fn allow_loopback_any_port(mut self, on: bool) -> Self {
        self.config.allow_loopback_any_port = on;
        self
    }

    /// Application name shown on the consent page.
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.config.app_name = name.into();
        self
    }

    /// Lifetime of authorization codes.
    pub fn code_ttl(mut self, ttl: Duration) -> Self {
        self.config.code_ttl = ttl;
        self
    }

    /// Inactivity timeout of sessions.
    pub fn session_idle(mut self, idle: Duration) -> Self {
        self.config.session_idle = idle;
        self
    }

    /// Lifetime of Adobe IMS access tokens (default [`DEFAULT_ACCESS_TOKEN_TTL`](crate::DEFAULT_ACCESS_TOKEN_TTL)).
    pub fn access_token_ttl(mut self, ttl: Duration) -> Self {
        self.config.access_token_ttl = ttl;
        self
    }

    /// Rotate refresh tokens on every refresh (default on).
    pub fn rotate_refresh_tokens(mut self, on: bool) -> Self {
        self.config.rotate_refresh_tokens = on;
        self
    }

    /// Absolute refresh-token lifetime, counted from the original grant.
    pub fn refresh_absolute(mut self, limit: Option<Duration>) -> Self {
        self.config.refresh_absolute = limit;
        self
    }

    /// Refresh-token inactivity limit, counted from the last grant or refresh.
    pub fn refresh_idle(mut self, limit: Option<Duration>) -> Self {
        self.config.refresh_idle = limit;
        self
    }

    /// `domain` reported in the callback.
    pub fn domain(mut self, domain: impl Into<String>) -> Self {
        self.config.domain = domain.into();
        self
    }

    /// `lane` reported in the callback.
    pub fn lane(mut self, lane: impl Into<String>) -> Self {
        self.config.lane = lane.into();
        self
    }

    /// Skip the login and consent pages.
    pub fn auto_approve(mut self, on: bool) -> Self {
        self.config.auto_approve = on;
        self
    }

    /// Adds a user who can sign in (the first call replaces the default `demo:demo`).
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        if !self.users_set {
            self.config.users.clear();
            self.users_set = true;
        }
        self.config.users.push(UserAccount {
            username: username.into(),
            password: password.into(),
        });
        self
    }

    /// Concurrent API requests allowed (0 = unlimited).
    pub fn max_concurrent_requests(mut self, n: usize) -> Self {
        self.config.max_concurrent_requests = n;
        self
    }

    /// Serve `/__mock/` (default on).
    pub fn admin(mut self, on: bool) -> Self {
        self.config.admin = on;
        self
    }

    /// Adobe IMS: accept `http` loopback redirect URIs for the confidential client (a
    /// test switch; see [`MockConfig::allow_loopback_redirects`]).
    pub fn allow_loopback_redirects(mut self, on: bool) -> Self {
        self.config.allow_loopback_redirects = on;
        self
    }

    /// Adobe IMS: require the gateway headers on API calls (see
    /// [`MockConfig::require_gateway_headers`]).
    pub fn require_gateway_headers(mut self, on: bool) -> Self {
        self.config.require_gateway_headers = on;
        self
    }

    /// Adobe IMS organization ID expected in `x-gw-ims-org-id`.
    pub fn ims_org_id(mut self, org: Option<String>) -> Self {
        self.config.ims_org_id = org;
        self
    }

    /// Adobe IMS: refresh tokens only for `offline_access` granted with `prompt=consent`
    /// (see [`MockConfig::refresh_requires_offline_access`]).
    pub fn refresh_requires_offline_access(mut self, on: bool) -> Self {
        self.config.refresh_requires_offline_access = on;
        self
    }

    /// Provider profile (default [`Mode::WorkfrontLegacy`]).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.config.mode = mode;
        self
    }

    /// Uses this clock (e.g. [`MockClock::manual`]) instead of the system clock.
    pub fn clock(mut self, clock: MockClock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses a fresh manual clock; reach it with [`RunningMock::clock`].
    pub fn manual_clock(self) -> Self {
        self.clock(MockClock::manual())
    }

    /// The configuration built so far.
    pub fn config(&self) -> &MockConfig {
        &self.config
    }

    /// Validates the configuration, binds 127.0.0.1 and starts serving on the current
    /// tokio runtime.
    pub async fn spawn(self) -> Result<RunningMock, MockError> {
        self.config.validate()?;
        server::spawn(self.config, self.clock).await
    }
}
