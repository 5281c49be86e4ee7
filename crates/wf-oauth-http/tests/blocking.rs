//! The blocking facade from a plain thread and from inside tokio runtimes.

mod common;

use common::*;
use wf_oauth_http::{CredentialStore, ErrorKind, blocking};

/// Signs in and calls the API with the blocking facade only.
fn blocking_flow(base_url: &str) {
    let oauth = blocking::OAuthClient::from_async(
        oauth_builder_for(base_url, Style::Pkce)
            .build()
            .expect("client"),
    );
    let pending = oauth.authorize().expect("authorize");
    // The browser stand-in is async; run it on the process runtime too.
    let url = pending.url().to_owned();
    let callback = wf_oauth_http::block_on(async move { browser_callback(&url).await }).unwrap();
    let tokens = oauth.exchange(&pending, &callback).expect("exchange");
    let store = CredentialStore::memory();
    let client = blocking::WorkfrontClient::login(&oauth, store.clone(), "k", tokens.clone())
        .expect("login");
    let users = client.search_all("user", &[]).expect("search");
    assert_eq!(users.len(), wf_oauth_mock::USER_COUNT);
    let first_two: Vec<_> = client.search("user", &[]).take(2).collect();
    assert_eq!(first_two.len(), 2);
    client.refresh().expect("refresh");
    let renewed = oauth
        .refresh(&client.current_tokens())
        .expect("oauth refresh");
    assert!(renewed.refresh_token().is_some());
    // The client's refresh token was rotated away by the direct refresh above.
    let e = blocking::WorkfrontClient::from_tokens(&oauth, client.current_tokens())
        .refresh()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReauthRequired);
}

#[test]
fn from_a_plain_thread() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mock = rt.block_on(mock());
    let url = mock.base_url();
    std::thread::spawn(move || blocking_flow(&url))
        .join()
        .expect("thread");
    rt.block_on(mock.shutdown());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_inside_a_multi_thread_runtime() {
    let mock = mock().await;
    blocking_flow(&mock.base_url());
}

#[tokio::test(flavor = "current_thread")]
async fn from_inside_a_current_thread_runtime() {
    // The fake must not run on this (blocked) thread: it runs on the process runtime.
    let mock = wf_oauth_http::block_on(mock()).expect("fake starts");
    blocking_flow(&mock.base_url());
    wf_oauth_http::block_on(mock.shutdown()).expect("shutdown");
}
