//! Adobe IMS and generic OAuth 2 providers against the fake in IMS mode: the code flow
//! (web app with a secret, single-page app with PKCE), Bearer tokens with a real expiry,
//! and Server-to-Server clients whose tokens are re-requested with the client credentials
//! grant — once for any number of concurrent callers.

mod common;

use std::time::Duration;

use common::*;
use wf_oauth_core::{
    ClientAuth, ClientConfig, ClientConfigBuilder, ClientSecret, Instance, Provider, RedirectUri,
    TokenType,
};
use wf_oauth_http::{CredentialStore, ErrorKind, ManualClock, OAuthClient, WorkfrontClient};
use wf_oauth_mock::{
    DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PUBLIC_CLIENT_ID,
    Mode, RunningMock,
};

const SCOPE: &str = "openid AdobeID additional_info.projectedProductContext";

/// The fake in IMS mode on a manual clock.
async fn ims_mock() -> RunningMock {
    mock_with(|b| {
        b.mode(Mode::AdobeIms)
            .allow_loopback_redirects(true)
            .manual_clock()
    })
    .await
}

/// A configuration for the fake's IMS endpoints: Workfront API on the fake too.
fn ims_builder(mock: &RunningMock, client_id: &str) -> ClientConfigBuilder {
    ClientConfig::builder(Instance::parse(&mock.base_url()).unwrap(), client_id)
        .provider(Provider::adobe_ims_at(&mock.ims_base_url()).unwrap())
        .scope(SCOPE)
}

fn with_secret(builder: ClientConfigBuilder) -> ClientConfigBuilder {
    builder.client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
}

/// An OAuth client on a manual clock that starts at the real time (the fake's tokens
/// expire on the fake's own manual clock; both are advanced together).
fn oauth_with_clock(config: ClientConfig) -> (OAuthClient, ManualClock) {
    let clock = ManualClock::starting_now();
    let oauth = OAuthClient::builder(config)
        .clock(clock.clone())
        .build()
        .expect("client");
    (oauth, clock)
}

fn advance(mock: &RunningMock, clock: &ManualClock, by: Duration) {
    mock.advance_clock(by);
    clock.advance(by.as_secs());
}

async fn code_flow(style: Style) {
    let mock = ims_mock().await;
    let redirect = RedirectUri::parse(REDIRECT).unwrap();
    let config = match style {
        Style::Pkce => ims_builder(&mock, DEFAULT_PUBLIC_CLIENT_ID),
        Style::Basic => {
            with_secret(ims_builder(&mock, DEFAULT_CLIENT_ID)).client_auth(ClientAuth::Basic)
        }
        Style::Post => with_secret(ims_builder(&mock, DEFAULT_CLIENT_ID)),
    }
    .redirect_uri(redirect)
    .build()
    .unwrap();
    let (oauth, clock) = oauth_with_clock(config);

    let pending = oauth.authorize().unwrap();
    assert!(
        pending.url().starts_with(&mock.ims_authorize_url()),
        "{}",
        pending.url()
    );
    assert!(pending.url().contains("scope=openid+AdobeID"));
    let callback = browser_callback(pending.url()).await;
    let tokens = oauth.exchange(&pending, &callback).await.expect("exchange");
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    let lifetime = tokens.expires_at().expect("IMS says when").as_secs() - oauth.now().as_secs();
    assert_eq!(lifetime, DEFAULT_ACCESS_TOKEN_TTL.as_secs());
    assert!(tokens.refresh_token().is_some());

    let store = CredentialStore::memory();
    let client = WorkfrontClient::login(oauth.clone(), store, "k", tokens.clone())
        .await
        .unwrap();
    let projects = client.get("proj/search", &[]).await.expect("Bearer call");
    assert!(projects.as_array().is_some_and(|a| !a.is_empty()));

    // A day later the token is past its expiry: refreshed before the call, never refused.
    advance(&mock, &clock, DEFAULT_ACCESS_TOKEN_TTL);
    client.get("proj/search", &[]).await.expect("after expiry");
    let stats = mock.stats();
    assert_eq!(stats.grant_status("refresh_token", "200"), 1);
    assert_eq!(stats.status("api", "401"), 0, "refreshed before, not after");
    assert_ne!(
        client.current_tokens().access_token(),
        tokens.access_token()
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn ims_web_app_with_secret_in_the_form() {
    code_flow(Style::Post).await;
}

#[tokio::test]
async fn ims_web_app_with_basic_and_a_form_body() {
    code_flow(Style::Basic).await;
}

#[tokio::test]
async fn ims_single_page_app_with_pkce() {
    code_flow(Style::Pkce).await;
}

/// A Server-to-Server configuration for the fake.
fn s2s_config(mock: &RunningMock) -> ClientConfig {
    with_secret(ims_builder(mock, DEFAULT_CLIENT_ID))
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_to_server_re_requests_once_for_all_callers() {
    let mock = ims_mock().await;
    let (oauth, clock) = oauth_with_clock(s2s_config(&mock));
    let client = WorkfrontClient::client_credentials(oauth)
        .await
        .expect("s2s");
    assert!(client.current_tokens().refresh_token().is_none());
    client.get("user/search", &[]).await.expect("first call");
    assert_eq!(mock.stats().grant("client_credentials"), 1);

    // Past the expiry: 50 concurrent calls, one new token.
    advance(&mock, &clock, DEFAULT_ACCESS_TOKEN_TTL);
    let calls = (0..50).map(|_| client.get("proj/search", &[]));
    for result in futures::future::join_all(calls).await {
        result.expect("call after expiry");
    }
    let stats = mock.stats();
    assert_eq!(stats.grant_status("client_credentials", "200"), 2);
    assert_eq!(stats.status("api", "401"), 0);

    // Revoked on the server before its expiry: refused once, re-requested once.
    assert!(mock.expire_all_sessions() > 0);
    let calls = (0..50).map(|_| client.get("proj/search", &[]));
    for result in futures::future::join_all(calls).await {
        result.expect("call after revocation");
    }
    assert_eq!(mock.stats().grant_status("client_credentials", "200"), 3);
    assert!(!client.reauth_required());
    mock.shutdown().await;
}

#[tokio::test]
async fn server_to_server_processes_share_one_stored_token() {
    let mock = ims_mock().await;
    let dir = tempfile::tempdir().unwrap();
    let store = CredentialStore::file(dir.path()).unwrap();
    let (oauth, clock) = oauth_with_clock(s2s_config(&mock));

    let first = WorkfrontClient::open_client_credentials(oauth.clone(), store.clone(), "s2s")
        .await
        .unwrap();
    let second = WorkfrontClient::open_client_credentials(oauth.clone(), store.clone(), "s2s")
        .await
        .unwrap();
    assert_eq!(
        first.current_tokens().access_token(),
        second.current_tokens().access_token()
    );
    assert_eq!(
        mock.stats().grant("client_credentials"),
        1,
        "the stored one is reused"
    );

    // Expired: the first renews and saves; the second adopts what is stored.
    advance(&mock, &clock, DEFAULT_ACCESS_TOKEN_TTL);
    first.get("user/search", &[]).await.unwrap();
    second.get("user/search", &[]).await.unwrap();
    assert_eq!(mock.stats().grant("client_credentials"), 2);
    assert_eq!(
        first.current_tokens().access_token(),
        second.current_tokens().access_token()
    );

    // A removed credential is requested again, not a sign-in matter.
    store.delete("s2s").await.unwrap();
    advance(&mock, &clock, DEFAULT_ACCESS_TOKEN_TTL);
    first.get("user/search", &[]).await.expect("re-requested");
    assert!(store.load("s2s").await.unwrap().is_some());
    assert_eq!(mock.stats().grant("client_credentials"), 3);

    // A stored token that has expired is not reused by a new client.
    advance(&mock, &clock, DEFAULT_ACCESS_TOKEN_TTL);
    WorkfrontClient::open_client_credentials(oauth, store, "s2s")
        .await
        .unwrap();
    assert_eq!(mock.stats().grant("client_credentials"), 4);
    mock.shutdown().await;
}

#[tokio::test]
async fn server_to_server_errors_are_typed() {
    let mock = ims_mock().await;

    // Workfront's legacy service has no client credentials grant.
    let legacy = config(&mock, Style::Post);
    let e = WorkfrontClient::client_credentials(OAuthClient::new(legacy).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");

    // A public client has no credentials to present.
    let public = ims_builder(&mock, DEFAULT_PUBLIC_CLIENT_ID)
        .build()
        .unwrap();
    let e = WorkfrontClient::client_credentials(OAuthClient::new(public).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");

    // A wrong secret is the token endpoint's invalid_client, and is not printed.
    let wrong = ims_builder(&mock, DEFAULT_CLIENT_ID)
        .client_secret(ClientSecret::new("not-the-secret-4711"))
        .build()
        .unwrap();
    let e = WorkfrontClient::client_credentials(OAuthClient::new(wrong).unwrap())
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TokenEndpoint, "{e}");
    assert!(!format!("{e} {e:?}").contains("not-the-secret-4711"));

    // IMS without a scope is refused before anything is sent.
    let e = ClientConfig::builder(Instance::parse(&mock.base_url()).unwrap(), "x")
        .provider(Provider::adobe_ims_at(&mock.ims_base_url()).unwrap())
        .build()
        .unwrap_err();
    assert_eq!(e.kind(), wf_oauth_core::ErrorKind::InvalidArgument);
    assert_eq!(
        mock.stats().grant("client_credentials"),
        1,
        "only the wrong secret was sent"
    );
    mock.shutdown().await;
}

#[tokio::test]
async fn generic_provider_with_basic_sends_the_rfc_form() {
    // The fake's IMS endpoints are standard enough to stand in for any OAuth 2 server.
    let mock = ims_mock().await;
    let provider = Provider::generic(&mock.ims_authorize_url(), &mock.ims_token_url()).unwrap();
    let config = ClientConfig::builder(
        Instance::parse(&mock.base_url()).unwrap(),
        DEFAULT_CLIENT_ID,
    )
    .client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
    .provider(provider)
    .scope(SCOPE)
    .redirect_uri(RedirectUri::parse(REDIRECT).unwrap())
    .build()
    .unwrap();
    assert_eq!(config.client_auth(), ClientAuth::Basic);
    let oauth = OAuthClient::new(config).unwrap();
    let tokens = sign_in(&oauth).await;
    let client = WorkfrontClient::from_tokens(oauth.clone(), tokens);
    client.get("proj/search", &[]).await.expect("Bearer call");
    client
        .refresh()
        .await
        .expect("refresh with Basic and a form");
    client.get("proj/search", &[]).await.expect("after refresh");
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    let s2s = WorkfrontClient::client_credentials(oauth)
        .await
        .expect("s2s");
    s2s.get("user/search", &[]).await.unwrap();
    mock.shutdown().await;
}

#[tokio::test]
async fn ims_tokens_are_refused_as_session_ids_and_legacy_as_bearer() {
    // Token placement comes from the provider: an IMS token sent as a sessionID (or a
    // legacy session as Bearer) is not accepted by the fake, so the placement is tested.
    let mock = mock_with(|b| b.mode(Mode::Both)).await;
    let ims = OAuthClient::new(s2s_config(&mock)).unwrap();
    let tokens = ims.client_credentials().await.unwrap();
    let headers = ims.config().credential_headers(&tokens).unwrap();
    assert!(
        headers
            .get("authorization")
            .is_some_and(|v| v.starts_with("Bearer "))
    );
    assert!(headers.get("sessionid").is_none());
    let legacy = oauth(&mock, Style::Post);
    let legacy_headers = legacy.config().credential_headers(&tokens).unwrap();
    assert!(legacy_headers.get("sessionid").is_some());
    let as_session = WorkfrontClient::from_tokens(legacy, tokens.clone());
    let e = as_session.get("user/search", &[]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReauthRequired, "{e}");
    WorkfrontClient::from_tokens(ims, tokens)
        .get("user/search", &[])
        .await
        .expect("Bearer accepted");
    mock.shutdown().await;
}
