//! Shared by the integration tests: a fake Workfront on loopback, client configurations
//! for its three client styles, and a browser stand-in for the authorize step.
#![allow(dead_code)]

pub mod hostile;

use std::time::Duration;

use wf_oauth_core::{ClientAuth, ClientConfig, ClientSecret, Instance, RedirectUri, TokenSet};
use wf_oauth_http::{
    CredentialStore, OAuthClient, OAuthClientBuilder, RetryPolicy, TransportConfig, WorkfrontClient,
};
use wf_oauth_mock::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PUBLIC_CLIENT_ID, MockBuilder, MockWorkfront,
    RunningMock,
};

/// Registered with the fake; nothing listens there (the test reads the redirect itself).
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";

/// How the client authenticates at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// JSON body + HTTP Basic.
    Basic,
    /// Form body with `client_id`/`client_secret`.
    Post,
    /// Public client with PKCE, no secret.
    Pkce,
}

/// The fake with auto-approve and our redirect URI; `tweak` adds the rest.
pub async fn mock_with(tweak: impl FnOnce(MockBuilder) -> MockBuilder) -> RunningMock {
    tweak(
        MockWorkfront::builder()
            .redirect_uri(REDIRECT)
            .auto_approve(true),
    )
    .spawn()
    .await
    .expect("the fake Workfront starts")
}

/// The fake with defaults (rotation on, 10 concurrent API requests).
pub async fn mock() -> RunningMock {
    mock_with(|b| b).await
}

/// The client configuration for the fake, in `style`.
pub fn config(mock: &RunningMock, style: Style) -> ClientConfig {
    config_for(&mock.base_url(), style)
}

/// The client configuration for a fake at `base_url` (e.g. in a child process).
pub fn config_for(base_url: &str, style: Style) -> ClientConfig {
    let instance = Instance::parse(base_url).expect("loopback instance");
    let redirect = RedirectUri::parse(REDIRECT).expect("redirect");
    let builder = match style {
        Style::Pkce => ClientConfig::builder(instance, DEFAULT_PUBLIC_CLIENT_ID).pkce(true),
        Style::Basic => ClientConfig::builder(instance, DEFAULT_CLIENT_ID)
            .client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
            .client_auth(ClientAuth::Basic),
        Style::Post => ClientConfig::builder(instance, DEFAULT_CLIENT_ID)
            .client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
            .client_auth(ClientAuth::Post),
    };
    builder.redirect_uri(redirect).build().expect("config")
}

/// Test defaults: short timeouts and back-offs so failures are quick.
pub fn oauth_builder(mock: &RunningMock, style: Style) -> OAuthClientBuilder {
    oauth_builder_for(&mock.base_url(), style)
}

/// [`oauth_builder`] for a fake at `base_url`.
pub fn oauth_builder_for(base_url: &str, style: Style) -> OAuthClientBuilder {
    OAuthClient::builder(config_for(base_url, style))
        .transport_config(
            TransportConfig::default()
                .with_connect_timeout(Duration::from_secs(2))
                .with_request_timeout(Duration::from_millis(800)),
        )
        .retry_policy(
            RetryPolicy::default()
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(50))
                .with_max_elapsed(Duration::from_secs(5)),
        )
}

/// An OAuth client for the fake.
pub fn oauth(mock: &RunningMock, style: Style) -> OAuthClient {
    oauth_builder(mock, style).build().expect("client")
}

/// Plays the browser: opens the authorize URL without following redirects and returns
/// the `Location` the fake redirects to (the callback URL).
pub async fn browser_callback(authorize_url: &str) -> String {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let resp = browser
        .get(authorize_url)
        .send()
        .await
        .expect("authorize page");
    assert_eq!(resp.status().as_u16(), 302, "auto-approve redirects");
    resp.headers()
        .get("location")
        .expect("Location")
        .to_str()
        .expect("ascii")
        .to_owned()
}

/// The whole sign-in: authorize, "browser", exchange.
pub async fn sign_in(oauth: &OAuthClient) -> TokenSet {
    let pending = oauth.authorize().expect("authorize");
    let callback = browser_callback(pending.url()).await;
    oauth.exchange(&pending, &callback).await.expect("exchange")
}

/// A signed-in client over a fresh memory store (key `"k"`).
pub async fn signed_in_client(oauth: &OAuthClient) -> (WorkfrontClient, CredentialStore) {
    let tokens = sign_in(oauth).await;
    let store = CredentialStore::memory();
    let client = WorkfrontClient::login(oauth.clone(), store.clone(), "k", tokens)
        .await
        .expect("login");
    (client, store)
}

/// The refresh token stored under `key`.
pub async fn stored_refresh_token(store: &CredentialStore, key: &str) -> String {
    store
        .load(key)
        .await
        .expect("load")
        .expect("stored")
        .tokens
        .refresh_token()
        .expect("refresh token")
        .secret()
        .to_owned()
}

/// Number of refresh grants the fake has seen.
pub fn refreshes(mock: &RunningMock) -> u64 {
    mock.stats().grant("refresh_token")
}
