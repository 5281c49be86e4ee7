//! A thousand concurrent calls on an expired session share one refresh.

mod common;

use common::*;
use wf_oauth_core::UnixTime;
use wf_oauth_http::WorkfrontClient;

const CALLERS: usize = 1_000;

async fn storm(client: &WorkfrontClient) {
    let calls = (0..CALLERS).map(|i| {
        let client = client.clone();
        tokio::spawn(async move {
            let path = if i % 2 == 0 {
                "proj/search"
            } else {
                "user/search"
            };
            client.get(path, &[("$$LIMIT", "1")]).await
        })
    });
    for result in futures::future::join_all(calls).await {
        result.expect("task").expect("every call succeeds");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_side_expiry_storm_refreshes_once() {
    // Both sides at Workfront's limit of 10 requests in flight.
    let mock = mock_with(|b| b.max_concurrent_requests(10)).await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    client.get("proj/search", &[]).await.expect("warm-up");
    mock.expire_all_sessions();
    storm(&client).await;
    let stats = mock.stats();
    assert_eq!(stats.grant("refresh_token"), 1, "exactly one refresh");
    assert_eq!(stats.status("api", "429"), 0, "never over the limit");
    assert!(
        stats.status("api", "401") <= 10,
        "only calls already in flight were refused"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn known_expiry_storm_refreshes_once_before_any_call() {
    let mock = mock_with(|b| b.max_concurrent_requests(10)).await;
    let oauth = oauth(&mock, Style::Basic);
    let tokens = sign_in(&oauth).await;
    let expired = tokens.with_expires_at(Some(UnixTime::from_secs(oauth.now().as_secs() - 1)));
    let client = WorkfrontClient::from_tokens(oauth, expired);
    storm(&client).await;
    let stats = mock.stats();
    assert_eq!(stats.grant("refresh_token"), 1);
    assert_eq!(stats.status("api", "401"), 0);
    assert_eq!(stats.requests("api"), CALLERS as u64);
}
