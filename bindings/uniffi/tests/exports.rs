//! The exported API driven from Rust the way the generated code drives it: async methods
//! polled by an executor that is not tokio (as uniffi does from a Kotlin dispatcher or a
//! Swift task), blocking twins, and printed forms without secrets. The fake Workfront runs
//! in-process on 127.0.0.1, port 0, on its own runtime.

use std::sync::Arc;

use futures::executor::block_on;
use wf_oauth_mock::{DEFAULT_ACCESS_TOKEN_TTL, MockBuilder, MockWorkfront, Mode, RunningMock};
use wf_oauth_uniffi::{
    ClientOptions, ClientSecret, ManualClock, OAuthClient, PendingAuthorization, Provider,
    TokenSet, TokenStore, WfOauthError, WorkfrontClient,
};

const REDIRECT: &str = "http://127.0.0.1:9/callback";

struct Fake {
    runtime: tokio::runtime::Runtime,
    mock: Option<RunningMock>,
}

impl Fake {
    fn start() -> Self {
        Self::start_with(|b| b)
    }

    fn start_with(tweak: impl FnOnce(MockBuilder) -> MockBuilder) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let mock = runtime
            .block_on(tweak(MockWorkfront::builder().redirect_uri(REDIRECT)).spawn())
            .expect("mock");
        Self {
            runtime,
            mock: Some(mock),
        }
    }

    fn mock(&self) -> &RunningMock {
        self.mock.as_ref().expect("running")
    }

    /// The callback the browser would bring back for `pending`.
    fn callback(&self, pending: &PendingAuthorization) -> String {
        let code = self
            .mock()
            .issue_code("demo-client", REDIRECT, None)
            .expect("code");
        let url = pending.url();
        let state = url
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix("state="))
            .expect("state");
        format!("{REDIRECT}?code={code}&domain=mock&lane=my&state={state}")
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(mock) = self.mock.take() {
            self.runtime.block_on(mock.shutdown());
        }
    }
}

fn options(instance: String) -> ClientOptions {
    ClientOptions {
        instance: instance.into(),
        client_id: "demo-client".into(),
        client_secret: Some(ClientSecret::new("demo-secret".into())),
        redirect_uri: Some(REDIRECT.into()),
        client_auth: None,
        api_version: None,
        scope: None,
        provider: None,
        pkce: false,
        refresh_skew_secs: None,
        missing_state: None,
        request_timeout_secs: Some(10),
        clock: None,
        issuer: None,
        require_issuer: false,
    }
}

#[test]
fn async_exports_run_on_an_executor_that_is_not_tokio() {
    let fake = Fake::start();
    let oauth = OAuthClient::new(options(fake.mock().base_url())).expect("client");
    let pending = oauth.authorize().expect("authorize");
    let tokens = block_on(oauth.exchange(pending.clone(), fake.callback(&pending).into()))
        .expect("exchange");
    let client =
        block_on(oauth.login(TokenStore::memory(), "alice".into(), tokens)).expect("login");
    let count = block_on(client.get("proj/count".into(), None)).expect("get");
    assert_eq!(count, r#"{"count":250}"#);

    fake.mock().expire_all_sessions();
    let page = block_on(client.search("proj".into(), None, Some(7)).next_page()).expect("page");
    assert_eq!(page.map(|p| p.len()), Some(7));
    assert_eq!(fake.mock().stats().grants.get("refresh_token"), Some(&1));
    block_on(client.logout()).expect("logout");
    assert!(matches!(
        block_on(client.get("proj/count".into(), None)),
        Err(WfOauthError::ReauthRequired { .. })
    ));
}

#[test]
fn blocking_exports_work_inside_a_current_thread_runtime() {
    let fake = Fake::start();
    let oauth = OAuthClient::new(options(fake.mock().base_url())).expect("client");
    let caller = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    caller.block_on(async {
        let pending = oauth.authorize().expect("authorize");
        let tokens = oauth
            .exchange_blocking(pending.clone(), fake.callback(&pending).into())
            .expect("exchange");
        let client = oauth.client_for(tokens);
        assert_eq!(
            client
                .search_all_blocking("proj".into(), None)
                .expect("search")
                .len(),
            250
        );
    });
}

#[test]
fn printed_forms_hold_no_secret() {
    let fake = Fake::start();
    let opts = options(fake.mock().base_url());
    assert!(!format!("{opts:?}").contains("demo-secret"));
    let oauth = OAuthClient::new(opts).expect("client");
    assert!(!format!("{oauth:?}").contains("demo-secret"));
    let pending = oauth.authorize().expect("authorize");
    let callback = fake.callback(&pending);
    let state = callback.rsplit("state=").next().expect("state").to_owned();
    assert!(!pending.to_string().contains(&state));
    let authorization = oauth
        .accept_callback(&pending, callback.clone().into())
        .expect("accept");
    let code = callback
        .split("code=")
        .nth(1)
        .and_then(|s| s.split('&').next())
        .expect("code");
    assert!(!authorization.to_string().contains(code));
    let tokens = block_on(oauth.exchange_code(authorization)).expect("exchange");
    let (access, refresh) = (
        tokens.access_token(),
        tokens.refresh_token().expect("refresh"),
    );
    for printed in [tokens.to_string(), format!("{tokens:?}")] {
        assert!(
            !printed.contains(&access) && !printed.contains(&refresh),
            "{printed}"
        );
        assert!(printed.contains("redacted"));
    }
    let secret = ClientSecret::new("s3cr3t".into());
    assert_eq!(secret.to_string(), "ClientSecret([redacted])");
    assert_eq!(secret.secret(), "s3cr3t");
}

/// One change that makes otherwise valid options invalid.
type Spoil = fn(&mut ClientOptions);

#[test]
fn bad_inputs_are_typed_errors() {
    let cases: [Spoil; 8] = [
        |o| o.instance = "http://acme.my.workfront.com".into(),
        |o| o.redirect_uri = Some("not a uri".into()),
        |o| o.api_version = Some("latest".into()),
        |o| o.request_timeout_secs = Some(0),
        |o| o.client_id = String::new().into(),
        |o| o.provider = Some(Provider::AdobeIms { ims_base: None }),
        |o| {
            o.provider = Some(Provider::Generic {
                authorize_url: "ftp://x".into(),
                token_url: "https://x/token".into(),
            })
        },
        |o| o.scope = Some("  ".into()),
    ];
    for spoil in cases {
        let mut o = options("acme.my.workfront.com".into());
        spoil(&mut o);
        let e = OAuthClient::new(o).expect_err("refused");
        assert!(matches!(e, WfOauthError::InvalidArgument { .. }), "{e:?}");
    }
    assert!(matches!(
        TokenSet::from_json("{}".into()),
        Err(WfOauthError::InvalidArgument { .. })
    ));
    assert!(matches!(
        PendingAuthorization::from_json(r#"{"format":99}"#.into()),
        Err(WfOauthError::InvalidArgument { .. })
    ));

    let fake = Fake::start();
    let oauth = OAuthClient::new(options(fake.mock().base_url())).expect("client");
    let pending = oauth.authorize().expect("authorize");
    let client = oauth.client_for(
        block_on(oauth.exchange(pending.clone(), fake.callback(&pending).into()))
            .expect("exchange"),
    );
    assert!(matches!(
        block_on(client.post("proj".into(), "{oops".into(), None)),
        Err(WfOauthError::InvalidArgument { .. })
    ));
    let empty: Arc<TokenStore> = TokenStore::memory();
    assert!(matches!(
        block_on(oauth.open(empty, "nobody".into())),
        Err(WfOauthError::ReauthRequired { .. })
    ));
}

#[test]
fn client_credentials_refused_and_tokens_replaced() {
    let fake = Fake::start();
    let oauth = OAuthClient::new(options(fake.mock().base_url())).expect("client");
    // Workfront's legacy service has no client-credentials grant: refused before sending.
    let refused = oauth.client_credentials_blocking().expect_err("refused");
    assert!(
        matches!(refused, WfOauthError::InvalidArgument { .. }),
        "{refused:?}"
    );
    assert_eq!(fake.mock().stats().grants.get("client_credentials"), None);

    let pending = oauth.authorize().expect("authorize");
    assert_eq!(pending.instance(), fake.mock().base_url());
    assert!(!pending.uses_pkce());
    let first = oauth
        .exchange_blocking(pending.clone(), fake.callback(&pending).into())
        .expect("exchange");
    assert_eq!(first.token_type(), "sessionID");
    assert_eq!(
        first.expires_at(),
        None,
        "expires_in 0 is sliding, not expired"
    );
    assert!(first.wid().is_some());
    let client = oauth
        .login_blocking(TokenStore::memory(), "alice".into(), first.clone())
        .expect("login");
    let second_pending = oauth.authorize().expect("authorize");
    let second = oauth
        .exchange_blocking(
            second_pending.clone(),
            fake.callback(&second_pending).into(),
        )
        .expect("exchange");
    block_on(client.replace_tokens(second.clone())).expect("replace");
    assert_eq!(
        client.current_tokens().access_token(),
        second.access_token()
    );
    assert_eq!(client.key(), "alice");
}

/// Server-to-Server options for the fake in IMS mode.
fn s2s_options(fake: &Fake, clock: &Arc<ManualClock>) -> ClientOptions {
    let base = fake.mock().base_url();
    ClientOptions {
        scope: Some("openid AdobeID".into()),
        provider: Some(Provider::AdobeIms {
            ims_base: Some(base.clone().into()),
        }),
        clock: Some(clock.clone()),
        redirect_uri: None,
        ..options(base)
    }
}

#[test]
fn server_to_server_constructors_async_and_blocking() {
    let fake = Fake::start_with(|b| b.mode(Mode::AdobeIms).manual_clock());
    let clock = ManualClock::starting_now();
    let oauth = OAuthClient::new(s2s_options(&fake, &clock)).expect("client");

    let client = block_on(WorkfrontClient::client_credentials(oauth.clone())).expect("s2s");
    assert!(client.current_tokens().refresh_token().is_none());
    assert_eq!(client.current_tokens().token_type(), "Bearer");
    block_on(client.get("user/search".into(), None)).expect("Bearer call");
    let grants = || {
        fake.mock()
            .stats()
            .grants
            .get("client_credentials")
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(grants(), 1);

    // Past the expiry on both clocks: renewed by the grant, not by a refresh token.
    fake.mock().advance_clock(DEFAULT_ACCESS_TOKEN_TTL);
    clock.advance(DEFAULT_ACCESS_TOKEN_TTL.as_secs());
    client
        .get_blocking("user/search".into(), None)
        .expect("after expiry");
    assert_eq!(grants(), 2);

    // Stored: a second client reuses the token, async or blocking.
    let store = TokenStore::memory();
    let first = block_on(WorkfrontClient::open_client_credentials(
        oauth.clone(),
        store.clone(),
        "s2s".into(),
    ))
    .expect("open");
    let second =
        WorkfrontClient::open_client_credentials_blocking(oauth.clone(), store, "s2s".into())
            .expect("open blocking");
    assert_eq!(
        first.current_tokens().access_token(),
        second.current_tokens().access_token()
    );
    assert_eq!(first.key(), "s2s");
    assert_eq!(grants(), 3);

    // A wrong secret is the token endpoint's refusal, printed without the secret.
    let wrong = OAuthClient::new(ClientOptions {
        client_secret: Some(ClientSecret::new("not-the-secret-4711".into())),
        ..s2s_options(&fake, &clock)
    })
    .expect("client");
    let e = WorkfrontClient::client_credentials_blocking(wrong).expect_err("refused");
    assert!(matches!(e, WfOauthError::TokenEndpoint { .. }), "{e:?}");
    assert!(!format!("{e} {e:?}").contains("not-the-secret-4711"));

    // A public client has nothing to present: refused before anything is sent.
    let public = OAuthClient::new(ClientOptions {
        client_id: "demo-public".into(),
        client_secret: None,
        ..s2s_options(&fake, &clock)
    })
    .expect("client");
    let e = block_on(WorkfrontClient::client_credentials(public)).expect_err("refused");
    assert!(matches!(e, WfOauthError::InvalidArgument { .. }), "{e:?}");
    assert_eq!(grants(), 4, "only the wrong secret was sent since");
}
