//! Command-line options, shared by the `wf-oauth-mock` binary and `wf-oauth mock`.

use std::time::Duration;

use crate::builder::MockBuilder;
use crate::clock::MockClock;
use crate::config::{
    DEFAULT_APP_NAME, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PUBLIC_CLIENT_ID,
    DEFAULT_REDIRECT_URI, Mode, UserAccount,
};

/// Options of a mock instance, for embedding in a clap parser with
/// `#[command(flatten)]`. Convert with [`MockArgs::into_builder`] (or `From`).
#[derive(clap::Args, Clone, Debug)]
pub struct MockArgs {
    /// Provider to impersonate: `legacy` (Workfront OAuth 2), `ims` (Adobe IMS) or
    /// `both`.
    #[arg(long, default_value = "legacy", value_name = "legacy|ims|both")]
    pub mode: Mode,

    /// Port on 127.0.0.1 (0 = chosen by the OS).
    #[arg(long, default_value_t = 0)]
    pub port: u16,

    /// Client ID of the confidential (web application) client.
    #[arg(long, default_value = DEFAULT_CLIENT_ID)]
    pub client_id: String,

    /// A valid client secret; repeat to accept several at once (secret rotation).
    #[arg(long = "client-secret", value_name = "SECRET", default_value = DEFAULT_CLIENT_SECRET)]
    pub client_secrets: Vec<String>,

    /// A registered redirect URI (exact match); repeatable.
    #[arg(long = "redirect-uri", value_name = "URI", default_value = DEFAULT_REDIRECT_URI)]
    pub redirect_uris: Vec<String>,

    /// Client ID of the public (single-page, PKCE, no secret) client; empty disables it.
    #[arg(long, default_value = DEFAULT_PUBLIC_CLIENT_ID)]
    pub public_client_id: String,

    /// Accept loopback redirect URIs on any port (RFC 8252; Workfront does not).
    #[arg(long)]
    pub allow_loopback_any_port: bool,

    /// Application name shown on the consent page.
    #[arg(long, default_value = DEFAULT_APP_NAME)]
    pub app_name: String,

    /// Lifetime of authorization codes, in seconds.
    #[arg(long, default_value_t = 120)]
    pub code_ttl_secs: u64,

    /// Session (access token) inactivity timeout, in seconds.
    #[arg(long, default_value_t = 28_800)]
    pub session_idle_secs: u64,

    /// Lifetime of Adobe IMS access tokens, in seconds (`expires_in`).
    #[arg(long, default_value_t = 86_399)]
    pub access_token_ttl_secs: u64,

    /// Issue a new refresh token on every refresh (`--rotate-refresh-tokens=false` to stop).
    #[arg(
        long,
        default_value_t = true,
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "true",
        action = clap::ArgAction::Set
    )]
    pub rotate_refresh_tokens: bool,

    /// Refresh tokens expire this many seconds after the original grant.
    #[arg(long)]
    pub refresh_absolute_secs: Option<u64>,

    /// Refresh tokens expire after this many seconds without a refresh.
    #[arg(long)]
    pub refresh_idle_secs: Option<u64>,

    /// `domain` reported in the callback.
    #[arg(long, default_value = "mock")]
    pub domain: String,

    /// `lane` reported in the callback.
    #[arg(long, default_value = "my")]
    pub lane: String,

    /// Skip the login and consent pages (headless demos).
    #[arg(long)]
    pub auto_approve: bool,

    /// A user who can sign in, as `name:password`; repeatable.
    #[arg(
        long = "user",
        value_name = "NAME:PASSWORD",
        default_value = "demo:demo"
    )]
    pub users: Vec<UserAccount>,

    /// Concurrent API requests allowed (0 = unlimited).
    #[arg(long, default_value_t = 10)]
    pub max_concurrent_requests: usize,

    /// Disable the `/__mock/` fault-injection and introspection endpoints.
    #[arg(long)]
    pub no_admin: bool,

    /// Freeze the mock's clock: time only moves through `POST /__mock/clock/advance`.
    #[arg(long)]
    pub manual_clock: bool,

    /// Adobe IMS: accept `http` loopback redirect URIs for the web-application client
    /// (a test switch: IMS requires `https` redirect URIs for OAuth Web App credentials).
    #[arg(long)]
    pub allow_loopback_redirects: bool,

    /// Adobe IMS: refuse API calls without the gateway headers `x-api-key` (the client
    /// ID) and, with `--ims-org-id`, `x-gw-ims-org-id` (403).
    #[arg(long)]
    pub require_gateway_headers: bool,

    /// Adobe IMS organization ID expected in `x-gw-ims-org-id`.
    #[arg(long, value_name = "ORG@AdobeOrg")]
    pub ims_org_id: Option<String>,

    /// Adobe IMS: issue refresh tokens only when the scope holds `offline_access` and the
    /// authorization request had `prompt=consent`.
    #[arg(long)]
    pub refresh_requires_offline_access: bool,
}

impl MockArgs {
    /// The builder these options describe.
    pub fn into_builder(self) -> MockBuilder {
        let mut b = MockBuilder::new()
            .mode(self.mode)
            .port(self.port)
            .client_id(self.client_id)
            .public_client_id(Some(self.public_client_id).filter(|s| !s.is_empty()))
            .allow_loopback_any_port(self.allow_loopback_any_port)
            .app_name(self.app_name)
            .code_ttl(Duration::from_secs(self.code_ttl_secs))
            .session_idle(Duration::from_secs(self.session_idle_secs))
            .access_token_ttl(Duration::from_secs(self.access_token_ttl_secs))
            .rotate_refresh_tokens(self.rotate_refresh_tokens)
            .refresh_absolute(self.refresh_absolute_secs.map(Duration::from_secs))
            .refresh_idle(self.refresh_idle_secs.map(Duration::from_secs))
            .domain(self.domain)
            .lane(self.lane)
            .auto_approve(self.auto_approve)
            .max_concurrent_requests(self.max_concurrent_requests)
            .admin(!self.no_admin)
            .allow_loopback_redirects(self.allow_loopback_redirects)
            .require_gateway_headers(self.require_gateway_headers)
            .ims_org_id(self.ims_org_id)
            .refresh_requires_offline_access(self.refresh_requires_offline_access);
        for s in self.client_secrets {
            b = b.client_secret(s);
        }
        for r in self.redirect_uris {
            b = b.redirect_uri(r);
        }
        for u in self.users {
            b = b.user(u.username, u.password);
        }
        if self.manual_clock {
            b = b.clock(MockClock::manual());
        }
        b
    }
}

impl From<MockArgs> for MockBuilder {
    fn from(args: MockArgs) -> Self {
        args.into_builder()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser, Debug)]
    struct Cli {
        #[command(flatten)]
        mock: MockArgs,
    }

    #[test]
    fn defaults_match_the_builder_defaults() {
        let cli = Cli::try_parse_from(["x"]).unwrap();
        let b = cli.mock.into_builder();
        let c = b.config();
        assert_eq!(c.client_id, DEFAULT_CLIENT_ID);
        assert_eq!(c.client_secrets, vec![DEFAULT_CLIENT_SECRET.to_owned()]);
        assert_eq!(c.users.len(), 1);
        assert!(c.rotate_refresh_tokens);
        assert!(c.admin);
        assert_eq!(c.max_concurrent_requests, 10);
        assert_eq!(c.mode, Mode::WorkfrontLegacy);
        assert_eq!(c.access_token_ttl, crate::config::DEFAULT_ACCESS_TOKEN_TTL);
    }

    #[test]
    fn mode_flag() {
        for (flag, mode) in [
            ("legacy", Mode::WorkfrontLegacy),
            ("ims", Mode::AdobeIms),
            ("both", Mode::Both),
        ] {
            let cli = Cli::try_parse_from(["x", "--mode", flag, "--access-token-ttl-secs", "60"])
                .unwrap();
            let b = cli.mock.into_builder();
            assert_eq!(b.config().mode, mode);
            assert_eq!(b.config().access_token_ttl, Duration::from_secs(60));
            assert_eq!(mode.to_string(), flag);
        }
        assert!(Cli::try_parse_from(["x", "--mode", "oidc"]).is_err());
    }

    #[test]
    fn repeatable_and_boolean_flags() {
        let cli = Cli::try_parse_from([
            "x",
            "--client-secret",
            "a",
            "--client-secret",
            "b",
            "--rotate-refresh-tokens=false",
            "--user",
            "ann:pw",
            "--public-client-id",
            "",
            "--no-admin",
        ])
        .unwrap();
        let c = cli.mock.into_builder();
        let c = c.config();
        assert_eq!(c.client_secrets, vec!["a".to_owned(), "b".to_owned()]);
        assert!(!c.rotate_refresh_tokens);
        assert_eq!(c.users[0].username, "ann");
        assert_eq!(c.public_client_id, None);
        assert!(!c.admin);
        let cli = Cli::try_parse_from(["x", "--rotate-refresh-tokens"]).unwrap();
        assert!(cli.mock.rotate_refresh_tokens);
        assert!(Cli::try_parse_from(["x", "--user", "nopassword"]).is_err());
    }

    #[test]
    fn ims_oidc_flags() {
        let c = Cli::try_parse_from(["x"]).unwrap().mock.into_builder();
        let c = c.config();
        assert!(!c.allow_loopback_redirects);
        assert!(!c.require_gateway_headers);
        assert_eq!(c.ims_org_id, None);
        assert!(!c.refresh_requires_offline_access);
        let cli = Cli::try_parse_from([
            "x",
            "--mode",
            "ims",
            "--allow-loopback-redirects",
            "--require-gateway-headers",
            "--ims-org-id",
            "ABC123@AdobeOrg",
            "--refresh-requires-offline-access",
        ])
        .unwrap();
        let b = cli.mock.into_builder();
        let c = b.config();
        assert!(c.allow_loopback_redirects);
        assert!(c.require_gateway_headers);
        assert_eq!(c.ims_org_id.as_deref(), Some("ABC123@AdobeOrg"));
        assert!(c.refresh_requires_offline_access);
        assert!(c.validate().is_ok());
        for bad in ["", "has space@AdobeOrg"] {
            let cli = Cli::try_parse_from(["x", "--ims-org-id", bad]).unwrap();
            assert!(
                cli.mock.into_builder().config().validate().is_err(),
                "{bad:?}"
            );
        }
    }
}
