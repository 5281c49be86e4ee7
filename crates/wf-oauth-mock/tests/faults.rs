//! Every fault kind, the admin HTTP interface and the counters.

mod common;

use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use wf_oauth_mock::{Fault, FaultSpec, FaultTarget, RunningMock};

fn inject(mock: &RunningMock, endpoint: FaultTarget, count: u32, fault: Fault) {
    mock.inject_fault(FaultSpec::new(endpoint, count, fault))
        .unwrap();
}

/// Sends a raw HTTP/1.1 request and reads until the server closes; returns what came back.
async fn raw(mock: &RunningMock, request: &str) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(mock.addr()).await?;
    s.write_all(request.as_bytes()).await?;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out))
        .await
        .expect("the server closes the connection")?;
    Ok(out)
}

fn refresh_request(refresh: &str) -> String {
    let body = format!(
        "grant_type=refresh_token&refresh_token={refresh}&client_id={CLIENT}&client_secret={SECRET}"
    );
    format!(
        "POST /integrations/oauth2/api/v1/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

#[tokio::test]
async fn status_fault_with_retry_after_and_body() {
    let mock = spawn().await;
    let (_, r) = grant(&mock).await;
    inject(
        &mock,
        FaultTarget::RefreshToken,
        1,
        Fault::Status {
            status: 503,
            body: None,
            retry_after: Some(7),
        },
    );
    inject(
        &mock,
        FaultTarget::Token,
        1,
        Fault::Status {
            status: 429,
            body: Some(json!({"custom": true})),
            retry_after: None,
        },
    );
    let resp = refresh_form(&mock, &r).await;
    assert_eq!(resp.headers()["retry-after"], "7");
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(v["error"], "temporarily_unavailable");
    let (status, v) = json(refresh_form(&mock, &r).await).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v, json!({"custom": true}));
    // Faults are used up: the refresh token was never consumed.
    tokens(refresh_form(&mock, &r).await).await;
    let stats = mock.stats();
    assert_eq!(stats.faults_applied, 2);
    assert_eq!(stats.grant("refresh_token"), 3);
    assert_eq!(stats.grant_status("refresh_token", "503"), 1);
    assert_eq!(stats.grant_status("refresh_token", "200"), 1);
}

#[tokio::test]
async fn grant_specific_faults_leave_other_grants_alone() {
    let mock = spawn().await;
    inject(
        &mock,
        FaultTarget::RefreshToken,
        1,
        Fault::Status {
            status: 500,
            body: None,
            retry_after: None,
        },
    );
    let (_, r) = grant(&mock).await; // the code grant is not affected
    assert_eq!(
        refresh_form(&mock, &r).await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert!(mock.pending_faults().is_empty());
}

#[tokio::test]
async fn html_malformed_and_ok_with_error_faults() {
    let mock = spawn().await;
    let (s, r) = grant(&mock).await;

    inject(
        &mock,
        FaultTarget::Token,
        1,
        Fault::Html {
            status: 502,
            body: None,
        },
    );
    let resp = refresh_form(&mock, &r).await;
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert!(resp.text().await.unwrap().contains("502 Bad Gateway"));

    inject(
        &mock,
        FaultTarget::Api,
        1,
        Fault::Html {
            status: 504,
            body: Some("<p>gone</p>".into()),
        },
    );
    let resp = api_get(&mock, &s, "proj/search").await;
    assert_eq!(resp.status(), StatusCode::GATEWAY_TIMEOUT);
    assert_eq!(resp.text().await.unwrap(), "<p>gone</p>");

    inject(
        &mock,
        FaultTarget::Token,
        1,
        Fault::MalformedJson { status: 200 },
    );
    let resp = refresh_form(&mock, &r).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(serde_json::from_str::<Value>(&resp.text().await.unwrap()).is_err());

    inject(
        &mock,
        FaultTarget::Api,
        1,
        Fault::MalformedJson { status: 200 },
    );
    let resp = api_get(&mock, &s, "proj/search").await;
    assert!(serde_json::from_str::<Value>(&resp.text().await.unwrap()).is_err());

    inject(
        &mock,
        FaultTarget::Token,
        1,
        Fault::OkWithError {
            error: Some("invalid_grant".into()),
            class: None,
            message: None,
        },
    );
    let (status, v) = json(refresh_form(&mock, &r).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["error"], "invalid_grant");

    inject(
        &mock,
        FaultTarget::Api,
        1,
        Fault::OkWithError {
            error: None,
            class: Some("com.attask.common.AuthenticationException".into()),
            message: Some("You are not currently logged in".into()),
        },
    );
    let (status, v) = json(api_get(&mock, &s, "proj/search").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        v["error"]["class"],
        "com.attask.common.AuthenticationException"
    );

    inject(
        &mock,
        FaultTarget::Authorize,
        1,
        Fault::Html {
            status: 502,
            body: None,
        },
    );
    let resp = client().get(mock.authorize_url()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_GATEWAY);
    // The refresh token survived every fault.
    tokens(refresh_form(&mock, &r).await).await;
}

#[tokio::test]
async fn delay_fault_delays_then_answers() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    inject(&mock, FaultTarget::Api, 1, Fault::Delay { ms: 300 });
    let t = Instant::now();
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::OK
    );
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::OK
    );
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn dropped_connection_sends_no_bytes() {
    let mock = spawn().await;
    let (s, r) = grant(&mock).await;
    inject(&mock, FaultTarget::Token, 1, Fault::Drop);
    match raw(&mock, &refresh_request(&r)).await {
        Ok(bytes) => assert!(
            bytes.is_empty(),
            "got {:?}",
            String::from_utf8_lossy(&bytes)
        ),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted
            ),
            "{e}"
        ),
    }
    // A real HTTP client sees a transport error.
    inject(&mock, FaultTarget::Api, 1, Fault::Drop);
    let err = client()
        .get(format!("{}/proj/count", mock.api_url("v14.0")))
        .header("sessionID", &s)
        .send()
        .await
        .unwrap_err();
    assert!(!err.is_status(), "{err}");
    // Nothing was processed: the refresh token still works.
    tokens(refresh_form(&mock, &r).await).await;
    let stats = mock.stats();
    assert_eq!(stats.status("token", "dropped"), 1);
    assert_eq!(stats.status("api", "dropped"), 1);
    assert_eq!(stats.grant_status("refresh_token", "dropped"), 1);
}

#[tokio::test]
async fn drop_after_processing_loses_the_rotated_token() {
    let mock = spawn().await;
    let (_, r1) = grant(&mock).await;
    inject(
        &mock,
        FaultTarget::RefreshToken,
        1,
        Fault::DropAfterProcessing,
    );
    let result = raw(&mock, &refresh_request(&r1)).await;
    assert!(result.map(|b| b.is_empty()).unwrap_or(true));
    // The server did rotate: r1 is now "used", and presenting it again is a replay that
    // revokes the grant. This is the loss window a client has to live with.
    let stats = mock.stats();
    assert_eq!(stats.grant_status("refresh_token", "dropped"), 1);
    assert_eq!(stats.live.refresh_tokens, 1, "a new refresh token exists");
    assert_eq!(stats.live.sessions, 2);
    assert_oauth_error(refresh_form(&mock, &r1).await, 400, "invalid_grant").await;
    assert_eq!(mock.stats().live.sessions, 0);
}

#[tokio::test]
async fn admin_http_interface() {
    let mock = spawn().await;
    let c = client();
    let admin = |p: &str| format!("{}/__mock/{p}", mock.base_url());
    let (s, r) = grant(&mock).await;

    let resp = c
        .post(admin("faults"))
        .json(&json!([
            {"endpoint": "api", "count": 2, "fault": {"kind": "status", "status": 500}},
            {"endpoint": "refresh_token", "fault": {"kind": "ok_with_error", "error": "server_error"}}
        ]))
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["queued"], 2);
    let (_, v) = json(c.get(admin("faults")).send().await.unwrap()).await;
    assert_eq!(v["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
    let (_, v) = json(c.delete(admin("faults")).send().await.unwrap()).await;
    assert_eq!(v["data"]["cleared"], 2);
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::OK
    );

    for bad in [
        json!({"endpoint": "nowhere", "fault": {"kind": "drop"}}),
        json!({"endpoint": "api", "count": 0, "fault": {"kind": "drop"}}),
        json!({"endpoint": "api", "fault": {"kind": "status", "status": 99}}),
        json!({"endpoint": "api", "fault": {"kind": "teleport"}}),
    ] {
        let (status, v) = json(c.post(admin("faults")).json(&bad).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {v}");
    }

    let fp = wf_oauth_mock::fingerprint(&s);
    let (_, v) = json(
        c.post(admin("sessions/expire"))
            .json(&json!({"fingerprint": fp}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["data"]["expired"], 1);
    assert_eq!(
        api_get(&mock, &s, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let (_, v) = json(
        c.post(admin("refresh-tokens/revoke"))
            .json(&json!({"refresh_token": r}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["data"]["revoked"], 1);
    let (s2, _) = grant(&mock).await;
    let (_, v) = json(c.post(admin("sessions/expire")).send().await.unwrap()).await;
    assert_eq!(v["data"]["expired"], 1);
    assert_eq!(
        api_get(&mock, &s2, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );

    let (_, v) = json(
        c.post(admin("clock/advance"))
            .json(&json!({"secs": 121}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["data"]["manual"], true);
    assert_eq!(v["data"]["elapsed_ms"], 121_000);

    let (_, v) = json(c.get(admin("stats")).send().await.unwrap()).await;
    assert!(v["requests"]["token"].as_u64().unwrap() >= 2);
    assert!(v["requests"].get("__mock").is_none());
    assert!(v["grants"]["authorization_code"].as_u64().unwrap() >= 2);
    assert!(v["status_totals"]["401"].as_u64().unwrap() >= 2);
    json(c.post(admin("reset-stats")).send().await.unwrap()).await;
    let (_, v) = json(c.get(admin("stats")).send().await.unwrap()).await;
    assert_eq!(v["requests"], json!({}));
}

#[tokio::test]
async fn admin_can_be_disabled() {
    let mock = builder().admin(false).spawn().await.unwrap();
    let resp = client()
        .get(format!("{}/__mock/stats", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn stats_count_exactly() {
    let mock = spawn().await;
    let (s, r) = grant(&mock).await;
    mock.reset_stats();
    tokens(refresh_json(&mock, &r).await).await;
    api_get(&mock, &s, "proj/search").await;
    api_get(&mock, "nope", "proj/search").await;
    let stats = mock.stats();
    assert_eq!(stats.grant("refresh_token"), 1);
    assert_eq!(stats.grant("authorization_code"), 0);
    assert_eq!(stats.requests("token"), 1);
    assert_eq!(stats.requests("api"), 2);
    assert_eq!(stats.status("api", "200"), 1);
    assert_eq!(stats.status("api", "401"), 1);
    assert_eq!(stats.status_totals["200"], 2);
}
