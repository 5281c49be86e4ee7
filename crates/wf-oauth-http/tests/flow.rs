//! The whole flow against the fake Workfront over real HTTP on loopback.

mod common;

use common::*;
use futures::TryStreamExt;
use serde_json::json;
use wf_oauth_core::{Method, UnixTime};
use wf_oauth_http::{CredentialStore, Error, ErrorKind, WorkfrontClient};
use wf_oauth_mock::PROJECT_COUNT;

async fn full_flow(style: Style) {
    let mock = mock().await;
    let oauth = oauth(&mock, style);
    let (client, store) = signed_in_client(&oauth).await;

    let projects = client.get("proj/search", &[]).await.expect("search");
    assert!(projects.as_array().is_some_and(|a| !a.is_empty()));

    // The session ends on the server side; the next call refreshes transparently.
    let before = client.current_tokens();
    assert!(mock.expire_all_sessions() > 0);
    let again = client.get("proj/search", &[]).await.expect("after refresh");
    assert_eq!(again, projects);
    assert_eq!(refreshes(&mock), 1);
    let after = client.current_tokens();
    assert_ne!(after.access_token(), before.access_token());
    // Rotation is on: the store holds the new refresh token, saved before use.
    assert_eq!(
        stored_refresh_token(&store, "k").await,
        after.refresh_token().expect("rt").secret()
    );
    assert_eq!(client.generation(), 2);
    mock.shutdown().await;
}

#[tokio::test]
async fn flow_with_basic_client_auth() {
    full_flow(Style::Basic).await;
}

#[tokio::test]
async fn flow_with_form_client_auth() {
    full_flow(Style::Post).await;
}

#[tokio::test]
async fn flow_with_pkce_public_client() {
    full_flow(Style::Pkce).await;
}

#[tokio::test]
async fn manual_clock_session_expiry_refreshes_transparently() {
    let mock = mock_with(|b| b.manual_clock()).await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _store) = signed_in_client(&oauth).await;
    client.get("user/search", &[]).await.expect("first");
    mock.advance_clock(wf_oauth_mock::DEFAULT_SESSION_IDLE + std::time::Duration::from_secs(1));
    client
        .get("user/search", &[])
        .await
        .expect("after idle timeout");
    assert_eq!(refreshes(&mock), 1);
}

#[tokio::test]
async fn known_expiry_refreshes_before_the_call() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Post);
    let tokens = sign_in(&oauth).await;
    // The fake grants sliding sessions (expires_in 0); pretend the server said when.
    let expiring = tokens.with_expires_at(Some(UnixTime::from_secs(oauth.now().as_secs() + 5)));
    let client = WorkfrontClient::from_tokens(oauth.clone(), expiring);
    client.get("proj/search", &[]).await.expect("call");
    let stats = mock.stats();
    assert_eq!(stats.grant("refresh_token"), 1, "refreshed within the skew");
    assert_eq!(stats.status("api", "401"), 0, "no failed call first");
}

#[tokio::test]
async fn search_stream_pages_through_everything() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    let all: Vec<_> = client
        .search_with_page_size("proj", &[], 7)
        .try_collect()
        .await
        .expect("search");
    assert_eq!(all.len(), PROJECT_COUNT);
    let mut ids: Vec<_> = all
        .iter()
        .map(|p| p["ID"].as_str().unwrap().to_owned())
        .collect();
    ids.dedup();
    assert_eq!(ids.len(), PROJECT_COUNT, "no page overlaps");
    let pages = mock.stats().requests("api");
    assert_eq!(
        pages as usize,
        PROJECT_COUNT.div_ceil(7) + usize::from(PROJECT_COUNT.is_multiple_of(7))
    );

    // A bad object code is an error item, not a panic.
    let bad: Result<Vec<_>, _> = client.search("no/pe", &[]).try_collect().await;
    assert_eq!(bad.unwrap_err().kind(), ErrorKind::InvalidArgument);
}

#[tokio::test]
async fn writes_and_typed_reads() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    let created = client
        .post("proj", &[], &json!({"name": "Launch"}))
        .await
        .expect("create");
    let id = created["ID"].as_str().expect("ID").to_owned();
    client
        .put(&format!("proj/{id}"), &[], &json!({"name": "Launch 2"}))
        .await
        .expect("update");

    #[derive(serde::Deserialize)]
    struct Project {
        name: String,
    }
    let p: Project = client
        .get_json(&format!("proj/{id}"), &[])
        .await
        .expect("typed");
    assert_eq!(p.name, "Launch 2");
    let wrong: Result<Vec<u32>, _> = client.get_json(&format!("proj/{id}"), &[]).await;
    assert!(matches!(wrong, Err(Error::Decode { .. })));
    client
        .request(Method::Delete, &format!("proj/{id}"), &[], None)
        .await
        .expect("delete");
    let gone = client.get(&format!("proj/{id}"), &[]).await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::Api);
}

#[tokio::test]
async fn logout_ends_the_session_and_forgets_the_credential() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, store) = signed_in_client(&oauth).await;
    client.logout().await.expect("logout");
    assert!(store.load("k").await.expect("load").is_none());
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReauthRequired);
    assert!(client.reauth_required());

    // A new sign-in brings the client back.
    client
        .replace_tokens(sign_in(&oauth).await)
        .await
        .expect("replace");
    client.get("proj/search", &[]).await.expect("works again");
}

#[tokio::test]
async fn open_needs_a_stored_credential() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let store = CredentialStore::memory();
    let e = WorkfrontClient::open(oauth.clone(), store.clone(), "nobody")
        .await
        .unwrap_err();
    assert!(e.is_reauth_required());

    let tokens = sign_in(&oauth).await;
    WorkfrontClient::login(oauth.clone(), store.clone(), "somebody", tokens)
        .await
        .expect("login");
    let reopened = WorkfrontClient::open(oauth, store, "somebody")
        .await
        .expect("open");
    reopened.get("proj/search", &[]).await.expect("call");
}

#[tokio::test]
async fn callback_problems_are_typed() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let pending = oauth.authorize().expect("authorize");
    let other = oauth.authorize().expect("authorize");
    let callback = browser_callback(other.url()).await;
    let e = oauth.exchange(&pending, &callback).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::StateMismatch);
    assert!(matches!(
        e,
        Error::Protocol(wf_oauth_core::Error::StateMismatch)
    ));

    // The code is single-use: a second exchange of the same callback is refused.
    oauth
        .exchange(&other, &callback)
        .await
        .expect("first exchange");
    let e = oauth.exchange(&other, &callback).await.unwrap_err();
    // A refused code is a failed sign-in, not a lost session.
    assert_eq!(
        e.kind(),
        ErrorKind::AuthorizationFailed,
        "invalid_grant: {e}"
    );
    assert!(
        matches!(e, Error::Protocol(wf_oauth_core::Error::CodeRejected { status: 400, ref error, .. }) if error == "invalid_grant"),
        "{e:?}"
    );
    assert_eq!(mock.stats().grant("authorization_code"), 2, "never retried");
}

#[tokio::test]
async fn the_code_expires_after_two_minutes() {
    let mock = mock().await;
    let clock = wf_oauth_http::ManualClock::starting_now();
    let oauth = oauth_builder(&mock, Style::Basic)
        .clock(clock.clone())
        .build()
        .expect("client");
    let pending = oauth.authorize().expect("authorize");
    let callback = browser_callback(pending.url()).await;
    let authorization = pending
        .accept_callback(&callback, oauth.now())
        .expect("callback");
    clock.advance(121);
    let e = oauth.exchange_code(&authorization).await.unwrap_err();
    assert!(matches!(
        e,
        Error::Protocol(wf_oauth_core::Error::CodeExpired { .. })
    ));
    assert_eq!(
        mock.stats().grant("authorization_code"),
        0,
        "refused before sending"
    );
}

#[tokio::test]
async fn explicit_refresh_and_oauth_level_refresh() {
    let mock = mock_with(|b| b.rotate_refresh_tokens(false)).await;
    let oauth = oauth(&mock, Style::Pkce);
    let tokens = sign_in(&oauth).await;
    let renewed = oauth.refresh(&tokens).await.expect("refresh");
    assert_ne!(renewed.access_token(), tokens.access_token());
    assert_eq!(
        renewed.refresh_token(),
        tokens.refresh_token(),
        "no rotation"
    );

    let client = WorkfrontClient::from_tokens(oauth, renewed);
    client.refresh().await.expect("client refresh");
    assert_eq!(refreshes(&mock), 2);
    client.get("proj/search", &[]).await.expect("call");
}
