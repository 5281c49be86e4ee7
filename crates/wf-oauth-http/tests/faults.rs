//! Fault matrix: every fault the fake can inject, on the code exchange, the refresh and
//! API calls, each with its documented typed outcome — and afterwards the store still holds
//! a refresh token the fake accepts, unless the fake revoked it, which surfaces as a
//! re-authorization error and nothing else.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::*;
use serde_json::json;
use wf_oauth_http::{
    CredentialStore, Error, ErrorKind, StoreBackend, TransportError, WorkfrontClient,
};
use wf_oauth_mock::{Fault, FaultSpec, FaultTarget, RunningMock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// A second sign-in's code exchange (the stored credential must not suffer).
    Exchange,
    /// The refresh after the server ended the session.
    Refresh,
    /// `GET proj/search`.
    Get,
    /// `POST proj`.
    Post,
    /// A stale copy of a rotated-away refresh token is presented.
    ReuseRotated,
}

/// What the operation must end with.
type Check = fn(&Result<(), Error>) -> bool;

/// What must hold afterwards.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum After {
    /// A new session comes from the stored refresh token.
    StoredTokenWorks,
    /// Calls fail fast with a re-authorization error, the store says so.
    ReauthRequired,
}

struct Case {
    name: &'static str,
    op: Op,
    fault: Option<(Fault, u32)>,
    rotation: bool,
    check: Check,
    /// Requests the fake sees for the operation's endpoint (grant type or API).
    requests: u64,
    after: After,
}

fn ok(r: &Result<(), Error>) -> bool {
    r.is_ok()
}

fn status(s: u16) -> Fault {
    Fault::Status {
        status: s,
        body: None,
        retry_after: None,
    }
}

fn throttled() -> Fault {
    Fault::Status {
        status: 429,
        body: None,
        retry_after: Some(1),
    }
}

fn html() -> Fault {
    Fault::Html {
        status: 502,
        body: None,
    }
}

fn malformed() -> Fault {
    Fault::MalformedJson { status: 200 }
}

fn ok_with_error() -> Fault {
    Fault::OkWithError {
        error: None,
        class: None,
        message: None,
    }
}

/// Past the tests' 800 ms request timeout.
fn slow() -> Fault {
    Fault::Delay { ms: 1_500 }
}

fn is_timeout(r: &Result<(), Error>) -> bool {
    matches!(r, Err(Error::Transport(TransportError::Timeout(_))))
}

fn is_transport_after_send(r: &Result<(), Error>) -> bool {
    matches!(r, Err(Error::Transport(e)) if e.may_have_been_sent())
        && r.as_ref().unwrap_err().kind() == ErrorKind::Transport
}

fn token_endpoint(status: u16) -> impl Fn(&Result<(), Error>) -> bool {
    move |r| matches!(r, Err(e) if e.kind() == ErrorKind::TokenEndpoint && e.status() == Some(status))
}

fn target(op: Op) -> FaultTarget {
    match op {
        Op::Exchange => FaultTarget::AuthorizationCode,
        Op::Refresh | Op::ReuseRotated => FaultTarget::RefreshToken,
        Op::Get | Op::Post => FaultTarget::Api,
    }
}

/// Attempts the fake saw. A delayed request is only counted by the fake once answered
/// (never, if the client hung up first), so for delays the applied faults are counted
/// instead — those rows use enough faults that every attempt meets one.
fn counted(mock: &RunningMock, op: Op, delayed: bool) -> u64 {
    let stats = mock.stats();
    if delayed {
        return stats.faults_applied;
    }
    match op {
        Op::Exchange => stats.grant("authorization_code"),
        Op::Refresh | Op::ReuseRotated => stats.grant("refresh_token"),
        Op::Get | Op::Post => stats.requests("api"),
    }
}

async fn run(case: &Case) {
    let mock = mock_with(|b| b.rotate_refresh_tokens(case.rotation)).await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, store) = signed_in_client(&oauth).await;
    client.get("proj/search", &[]).await.expect("warm-up call");

    // Set up the operation before the counters are read.
    let mut stale = None;
    let mut pending = None;
    match case.op {
        Op::Exchange => pending = Some(oauth.authorize().expect("authorize")),
        Op::Refresh => {
            mock.expire_all_sessions();
        }
        Op::ReuseRotated => {
            stale = Some(client.current_tokens());
            client.refresh().await.expect("rotating refresh");
            mock.expire_all_sessions();
        }
        Op::Get | Op::Post => {}
    }
    let callback = match &pending {
        Some(p) => Some(browser_callback(p.url()).await),
        None => None,
    };
    if let Some((fault, count)) = &case.fault {
        mock.inject_fault(FaultSpec::new(target(case.op), *count, fault.clone()))
            .expect("fault");
    }
    let delayed = matches!(case.fault, Some((Fault::Delay { .. }, _)));
    let before = counted(&mock, case.op, delayed);

    let result: Result<(), Error> = match case.op {
        Op::Exchange => oauth
            .exchange(pending.as_ref().unwrap(), callback.as_ref().unwrap())
            .await
            .map(drop),
        Op::Refresh | Op::Get => client.get("proj/search", &[]).await.map(drop),
        Op::Post => client
            .post("proj", &[], &json!({"name": "fault matrix"}))
            .await
            .map(drop),
        Op::ReuseRotated => {
            let copy = WorkfrontClient::from_tokens(oauth.clone(), stale.take().unwrap());
            copy.get("proj/search", &[]).await.map(drop)
        }
    };
    assert!(
        (case.check)(&result),
        "{}: unexpected outcome {result:?}",
        case.name
    );
    assert_eq!(
        counted(&mock, case.op, delayed) - before,
        case.requests,
        "{}: requests seen by the fake",
        case.name
    );
    mock.clear_faults();

    match case.after {
        After::StoredTokenWorks => {
            mock.expire_all_sessions();
            client
                .get("proj/search", &[])
                .await
                .unwrap_or_else(|e| panic!("{}: stored token refused afterwards: {e}", case.name));
            assert_eq!(
                stored_refresh_token(&store, "k").await,
                client.current_tokens().refresh_token().unwrap().secret(),
                "{}: store and memory agree",
                case.name
            );
        }
        After::ReauthRequired => {
            mock.expire_all_sessions();
            let e = client.get("proj/search", &[]).await.unwrap_err();
            assert_eq!(e.kind(), ErrorKind::ReauthRequired, "{}: {e}", case.name);
            assert!(
                store.load("k").await.unwrap().unwrap().reauth_required,
                "{}: the store is marked",
                case.name
            );
            // Fail fast: no further token request, no retry loop.
            let grants = mock.stats().grant("refresh_token");
            let e = client.get("proj/search", &[]).await.unwrap_err();
            assert!(e.is_reauth_required(), "{}: {e}", case.name);
            assert_eq!(mock.stats().grant("refresh_token"), grants, "{}", case.name);
        }
    }
    mock.shutdown().await;
}

async fn run_all(cases: &[Case]) {
    for case in cases {
        run(case).await;
    }
}

#[tokio::test]
async fn exchange_faults_are_never_retried() {
    let rows = [
        Case {
            name: "exchange 500",
            op: Op::Exchange,
            fault: Some((status(500), 1)),
            rotation: true,
            check: |r| token_endpoint(500)(r),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange 502 html",
            op: Op::Exchange,
            fault: Some((html(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Protocol && e.status() == Some(502) && e.is_retryable()),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange 429",
            op: Op::Exchange,
            fault: Some((throttled(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.status() == Some(429) && e.retry_after() == Some(Duration::from_secs(1))),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange malformed json",
            op: Op::Exchange,
            fault: Some((malformed(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Protocol),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange 200 with error",
            op: Op::Exchange,
            fault: Some((ok_with_error(), 1)),
            rotation: true,
            check: |r| token_endpoint(200)(r),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange timeout",
            op: Op::Exchange,
            fault: Some((slow(), 2)),
            rotation: true,
            check: is_timeout,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange dropped connection",
            op: Op::Exchange,
            fault: Some((Fault::Drop, 1)),
            rotation: true,
            check: is_transport_after_send,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "exchange answer lost",
            op: Op::Exchange,
            fault: Some((Fault::DropAfterProcessing, 1)),
            rotation: true,
            check: is_transport_after_send,
            requests: 1,
            after: After::StoredTokenWorks,
        },
    ];
    run_all(&rows).await;
}

#[tokio::test]
async fn refresh_faults_keep_a_usable_refresh_token() {
    let rows = [
        Case {
            name: "refresh 500",
            op: Op::Refresh,
            fault: Some((status(500), 1)),
            rotation: true,
            check: |r| token_endpoint(500)(r),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh 502 html",
            op: Op::Refresh,
            fault: Some((html(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Protocol && e.status() == Some(502)),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh 429 is retried after Retry-After",
            op: Op::Refresh,
            fault: Some((throttled(), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh malformed json",
            op: Op::Refresh,
            fault: Some((malformed(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Protocol),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh 200 with error",
            op: Op::Refresh,
            fault: Some((ok_with_error(), 1)),
            rotation: true,
            check: |r| token_endpoint(200)(r),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh timeout (no rotation)",
            op: Op::Refresh,
            fault: Some((slow(), 2)),
            rotation: false,
            check: is_timeout,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh dropped connection",
            op: Op::Refresh,
            fault: Some((Fault::Drop, 1)),
            rotation: true,
            check: is_transport_after_send,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "refresh answer lost (no rotation)",
            op: Op::Refresh,
            fault: Some((Fault::DropAfterProcessing, 1)),
            rotation: false,
            check: is_transport_after_send,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        // The one loss no client can prevent: the server rotated, the answer never came.
        // It must surface as re-authorization, not as a retry loop.
        Case {
            name: "refresh answer lost (rotation)",
            op: Op::Refresh,
            fault: Some((Fault::DropAfterProcessing, 1)),
            rotation: true,
            check: is_transport_after_send,
            requests: 1,
            after: After::ReauthRequired,
        },
    ];
    run_all(&rows).await;
}

#[tokio::test]
async fn refused_refresh_tokens_require_reauthorization() {
    // Revoked by the server.
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, store) = signed_in_client(&oauth).await;
    mock.revoke_all_refresh_tokens();
    mock.expire_all_sessions();
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(e.is_reauth_required(), "{e}");
    assert_eq!(e.kind(), ErrorKind::ReauthRequired);
    assert_eq!(refreshes(&mock), 1);
    assert!(store.load("k").await.unwrap().unwrap().reauth_required);
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(matches!(
        e,
        Error::Protocol(wf_oauth_core::Error::ReauthRequired { .. })
    ));
    assert_eq!(refreshes(&mock), 1, "fails fast");
    // A fresh client on the same store fails fast too.
    let reopened = WorkfrontClient::open(oauth.clone(), store.clone(), "k")
        .await
        .unwrap();
    assert!(
        reopened
            .get("proj/search", &[])
            .await
            .unwrap_err()
            .is_reauth_required()
    );
    assert_eq!(refreshes(&mock), 1);
    // New tokens saved by anyone bring it back.
    let fresh = sign_in(&oauth).await;
    WorkfrontClient::login(oauth.clone(), store.clone(), "k", fresh)
        .await
        .unwrap();
    client
        .get("proj/search", &[])
        .await
        .expect("adopts the new sign-in");

    // A stale copy of a rotated-away refresh token.
    run(&Case {
        name: "reused rotated refresh token",
        op: Op::ReuseRotated,
        fault: None,
        rotation: true,
        check: |r| matches!(r, Err(e) if e.is_reauth_required()),
        requests: 1,
        after: After::ReauthRequired,
    })
    .await;
}

#[tokio::test]
async fn api_faults_on_get_are_retried() {
    let auth_exception = Fault::OkWithError {
        error: None,
        class: Some(wf_oauth_core::AUTHENTICATION_EXCEPTION.into()),
        message: Some("You are not currently logged in".into()),
    };
    let rows = [
        Case {
            name: "get 500 once",
            op: Op::Get,
            fault: Some((status(500), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 500 always",
            op: Op::Get,
            fault: Some((status(500), 10)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Api && e.status() == Some(500)),
            requests: 3,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 502 html once",
            op: Op::Get,
            fault: Some((html(), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 429 once",
            op: Op::Get,
            fault: Some((throttled(), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 429 always",
            op: Op::Get,
            fault: Some((throttled(), 10)),
            rotation: true,
            check: |r| {
                matches!(
                    r,
                    Err(Error::RateLimited {
                        retry_after: Some(1)
                    })
                ) && r.as_ref().unwrap_err().is_rate_limited()
            },
            requests: 3,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get malformed json",
            op: Op::Get,
            fault: Some((malformed(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Protocol),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 200 with error",
            op: Op::Get,
            fault: Some((ok_with_error(), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Api && e.status() == Some(200)),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 200 with AuthenticationException refreshes and replays",
            op: Op::Get,
            fault: Some((auth_exception, 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get 401 refreshes and replays",
            op: Op::Get,
            fault: Some((status(401), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get timeouts are retried",
            op: Op::Get,
            fault: Some((slow(), 2)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get dropped connection",
            op: Op::Get,
            fault: Some((Fault::Drop, 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "get answer lost",
            op: Op::Get,
            fault: Some((Fault::DropAfterProcessing, 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
    ];
    run_all(&rows).await;
}

#[tokio::test]
async fn api_faults_on_writes_are_not_retried() {
    let rows = [
        Case {
            name: "post 429",
            op: Op::Post,
            fault: Some((throttled(), 1)),
            rotation: true,
            check: |r| {
                matches!(
                    r,
                    Err(Error::RateLimited {
                        retry_after: Some(1)
                    })
                )
            },
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "post 500",
            op: Op::Post,
            fault: Some((status(500), 1)),
            rotation: true,
            check: |r| matches!(r, Err(e) if e.kind() == ErrorKind::Api && e.status() == Some(500)),
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "post dropped connection",
            op: Op::Post,
            fault: Some((Fault::Drop, 1)),
            rotation: true,
            check: is_transport_after_send,
            requests: 1,
            after: After::StoredTokenWorks,
        },
        Case {
            name: "post 401 refreshes and replays",
            op: Op::Post,
            fault: Some((status(401), 1)),
            rotation: true,
            check: ok,
            requests: 2,
            after: After::StoredTokenWorks,
        },
    ];
    run_all(&rows).await;
}

#[tokio::test]
async fn connection_refused_is_retried_then_typed() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    mock.shutdown().await;
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(
        matches!(e, Error::Transport(TransportError::Connect(_))),
        "{e:?}"
    );
    assert!(e.is_retryable());
    assert!(!matches!(&e, Error::Transport(t) if t.may_have_been_sent()));
}

#[tokio::test]
async fn oversized_bodies_are_cut_off() {
    let mock = mock().await;
    let oauth = oauth_builder(&mock, Style::Basic)
        .transport_config(wf_oauth_http::TransportConfig::default().with_api_body_limit(1024))
        .build()
        .unwrap();
    let (client, _) = signed_in_client(&oauth).await;
    let e = client
        .get("proj/search", &[("$$LIMIT", "500")])
        .await
        .unwrap_err();
    assert!(matches!(
        e,
        Error::Transport(TransportError::BodyTooLarge { limit: 1024 })
    ));
    assert_eq!(e.kind(), ErrorKind::Protocol);
}

/// A search page over the core's 1 MiB token-response limit is read and classified: the
/// driver's API body cap (32 MiB by default) is the one that applies.
#[tokio::test]
async fn api_bodies_over_one_mebibyte_are_accepted() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    let objects: Vec<_> = (0..2_000)
        .map(|i| json!({"ID": format!("{i:032x}"), "name": "x".repeat(600), "objCode": "PROJ"}))
        .collect();
    let body = json!({ "data": objects });
    assert!(body.to_string().len() > wf_oauth_core::MAX_RESPONSE_BYTES);
    mock.inject_fault(FaultSpec::new(
        FaultTarget::Api,
        1,
        Fault::Status {
            status: 200,
            body: Some(body),
            retry_after: None,
        },
    ))
    .unwrap();
    let page = client.get("proj/search", &[]).await.unwrap();
    assert_eq!(page.as_array().map(Vec::len), Some(2_000));
}

/// A backend whose saves fail while `failing` is set (a full disk, say).
#[derive(Debug)]
struct FlakyStore {
    inner: Arc<dyn StoreBackend>,
    failing: AtomicBool,
}

#[wf_oauth_http::async_trait]
impl StoreBackend for FlakyStore {
    fn guarantees(&self) -> wf_oauth_http::Guarantees {
        self.inner.guarantees()
    }
    async fn load(
        &self,
        key: &str,
    ) -> Result<Option<wf_oauth_http::StoreEntry>, wf_oauth_http::StoreError> {
        self.inner.load(key).await
    }
    async fn save(
        &self,
        key: &str,
        entry: &wf_oauth_http::StoreEntry,
        expected: Option<u64>,
    ) -> Result<wf_oauth_http::SaveOutcome, wf_oauth_http::StoreError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(wf_oauth_http::StoreError::Backend("disk full".into()));
        }
        self.inner.save(key, entry, expected).await
    }
    async fn delete(&self, key: &str) -> Result<(), wf_oauth_http::StoreError> {
        self.inner.delete(key).await
    }
}

/// A backend over `store`'s whose saves fail until told otherwise.
fn failing_store(store: &CredentialStore) -> Arc<FlakyStore> {
    Arc::new(FlakyStore {
        inner: Arc::clone(store.backend()),
        failing: AtomicBool::new(true),
    })
}

#[tokio::test]
async fn storage_failure_keeps_the_old_tokens() {
    let mock = mock_with(|b| b.rotate_refresh_tokens(false)).await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, memory) = signed_in_client(&oauth).await;
    let before = client.current_tokens();
    let client = WorkfrontClient::open(oauth.clone(), failing_store(&memory), "k")
        .await
        .unwrap();
    mock.expire_all_sessions();
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(
        matches!(e, Error::Storage(wf_oauth_http::StoreError::Backend(_))),
        "{e:?}"
    );
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert_eq!(client.current_tokens(), before, "new tokens not used");
    assert_eq!(
        stored_refresh_token(&memory, "k").await,
        before.refresh_token().unwrap().secret()
    );
}

/// With rotation, the refresh token is dead once the server has answered: renewed tokens
/// that could not be saved are kept (unused) and saved by the next refresh, which does not
/// ask the server again. The credential survives a passing storage failure.
#[tokio::test]
async fn rotated_tokens_that_could_not_be_saved_are_saved_by_the_next_refresh() {
    let mock = mock().await;
    assert!(
        mock.config().rotate_refresh_tokens,
        "the fake rotates by default"
    );
    let oauth = oauth(&mock, Style::Basic);
    let (signed_in, memory) = signed_in_client(&oauth).await;
    let before = signed_in.current_tokens();
    let flaky = failing_store(&memory);
    let client = WorkfrontClient::open(oauth.clone(), flaky.clone(), "k")
        .await
        .unwrap();
    let refreshes_before = refreshes(&mock);

    mock.expire_all_sessions();
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(matches!(e, Error::Storage(_)), "{e:?}");
    assert_eq!(refreshes(&mock), refreshes_before + 1);
    assert_eq!(
        client.current_tokens(),
        before,
        "unsaved tokens are not used"
    );
    assert_eq!(
        stored_refresh_token(&memory, "k").await,
        before.refresh_token().unwrap().secret()
    );

    // Still failing: the kept tokens are tried again, the server is not asked again.
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(matches!(e, Error::Storage(_)), "{e:?}");
    assert_eq!(refreshes(&mock), refreshes_before + 1);

    flaky.failing.store(false, Ordering::SeqCst);
    client
        .get("proj/search", &[])
        .await
        .expect("the kept tokens are saved and used");
    assert_eq!(refreshes(&mock), refreshes_before + 1, "no second refresh");
    let stored = stored_refresh_token(&memory, "k").await;
    assert_ne!(stored, before.refresh_token().unwrap().secret());
    assert_eq!(
        stored,
        client.current_tokens().refresh_token().unwrap().secret()
    );

    // The saved refresh token is the live one: the next expiry refreshes normally.
    mock.expire_all_sessions();
    client
        .get("proj/search", &[])
        .await
        .expect("refresh with the saved token");
    assert_eq!(refreshes(&mock), refreshes_before + 2);
    assert!(!client.reauth_required());
}
