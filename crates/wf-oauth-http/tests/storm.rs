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

/// Sends `GET proj/search` through a plain reqwest client with the driver's credential
/// headers, as a foreign HTTP stack would; returns whether the core reads the answer as
/// an authentication failure.
async fn foreign_get(client: &WorkfrontClient, headers: &wf_oauth_core::Headers) -> bool {
    let tokens = client.current_tokens();
    let url = client
        .oauth()
        .config()
        .api_request(
            &tokens,
            wf_oauth_core::Method::Get,
            "proj/search",
            &[],
            None,
        )
        .unwrap()
        .url()
        .clone();
    let mut request = reqwest::Client::new().get(url.as_str());
    for (name, value) in headers.iter() {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("sent");
    let status = response.status().as_u16();
    let body = response.bytes().await.expect("body").to_vec();
    let response = wf_oauth_core::HttpResponse::new(status, wf_oauth_core::Headers::new(), body);
    wf_oauth_core::classify_api_response(&response, client.oauth().now()).is_auth_failure()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_stacks_refresh_through_the_same_single_flight_path() {
    let mock = mock_with(|b| b.max_concurrent_requests(0)).await;
    let oauth = oauth(&mock, Style::Basic);
    let (client, _) = signed_in_client(&oauth).await;
    let first = client.credential_headers().await.unwrap();
    assert_eq!(
        first.headers(),
        &oauth
            .config()
            .credential_headers(&client.current_tokens())
            .unwrap(),
        "the header choice is the core's"
    );
    assert!(!foreign_get(&client, first.headers()).await);

    // The server ends the session: every foreign caller that sent the old token reports
    // it, and exactly one refresh happens.
    mock.expire_all_sessions();
    assert!(foreign_get(&client, first.headers()).await);
    let reports = (0..100).map(|_| {
        let client = client.clone();
        let generation = first.generation();
        tokio::spawn(async move { client.on_auth_failure(generation).await })
    });
    for result in futures::future::join_all(reports).await {
        result.expect("task").expect("report");
    }
    assert_eq!(refreshes(&mock), 1, "exactly one refresh");
    let second = client.credential_headers().await.unwrap();
    assert_ne!(second.generation(), first.generation());
    assert_ne!(second.headers(), first.headers());
    assert!(!foreign_get(&client, second.headers()).await);

    // A late report about the old token changes nothing.
    client.on_auth_failure(first.generation()).await.unwrap();
    assert_eq!(refreshes(&mock), 1);
    assert_eq!(client.credential_headers().await.unwrap(), second);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_stacks_get_headers_refreshed_first_when_due() {
    let mock = mock().await;
    let oauth = oauth(&mock, Style::Basic);
    let tokens = sign_in(&oauth).await;
    let expired = tokens.with_expires_at(Some(UnixTime::from_secs(oauth.now().as_secs() - 1)));
    let client = WorkfrontClient::from_tokens(oauth.clone(), expired.clone());
    let calls = (0..50).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.credential_headers().await })
    });
    let all: Vec<_> = futures::future::join_all(calls)
        .await
        .into_iter()
        .map(|r| r.expect("task").expect("headers"))
        .collect();
    assert_eq!(
        refreshes(&mock),
        1,
        "one refresh before any header is handed out"
    );
    assert!(all.iter().all(|h| h == &all[0]));
    assert_ne!(
        all[0].headers(),
        &oauth.config().credential_headers(&expired).unwrap()
    );
    assert!(!foreign_get(&client, all[0].headers()).await);
}

#[test]
fn the_blocking_facade_serves_foreign_stacks_too() {
    let (mock, client) = wf_oauth_http::block_on(async {
        let mock = mock().await;
        let oauth = oauth(&mock, Style::Basic);
        let (client, _) = signed_in_client(&oauth).await;
        (mock, client)
    })
    .unwrap();
    let blocking = wf_oauth_http::blocking::WorkfrontClient::from_async(client);
    let first = blocking.credential_headers().unwrap();
    mock.expire_all_sessions();
    blocking.on_auth_failure(first.generation()).unwrap();
    blocking.on_auth_failure(first.generation()).unwrap();
    let second = blocking.credential_headers().unwrap();
    assert_ne!(second.generation(), first.generation());
    assert_eq!(refreshes(&mock), 1);
}
