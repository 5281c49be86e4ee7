//! Adobe IMS mode: `/ims/authorize/v2`, `/ims/token/v3`, Bearer tokens with a real
//! expiry, the client-credentials grant, and the Workfront API behind them.

mod common;

use std::time::Duration;

use common::ims::{client_credentials, ims_token, spawn_ims};
use common::*;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use wf_oauth_mock::{Fault, FaultSpec, FaultTarget, Mode, RunningMock};

const SCOPE: &str = "openid,AdobeID,additional_info.projectedProductContext";

/// Asserts an IMS success body; returns it.
async fn ims_ok(resp: Response, with_refresh: bool) -> Value {
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["token_type"], "bearer", "{v}");
    assert_eq!(v["expires_in"], 86_399, "{v}");
    assert!(v["access_token"].is_string(), "{v}");
    assert_eq!(v["refresh_token"].is_string(), with_refresh, "{v}");
    assert!(v.get("wid").is_none(), "{v}");
    v
}

async fn api_bearer(mock: &RunningMock, token: &str, path: &str) -> Response {
    client()
        .get(format!("{}/{path}", mock.api_url("v14.0")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn assert_not_logged_in(resp: Response) {
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.text().await.unwrap(), NOT_LOGGED_IN);
}

#[tokio::test]
async fn urls_and_paths() {
    let mock = spawn_ims().await;
    assert_eq!(mock.ims_base_url(), mock.base_url());
    assert_eq!(
        mock.ims_authorize_url(),
        format!("{}/ims/authorize/v2", mock.base_url())
    );
    assert_eq!(
        mock.ims_token_url(),
        format!("{}/ims/token/v3", mock.base_url())
    );
    // The primary profile of IMS mode is IMS.
    assert_eq!(mock.authorize_url(), mock.ims_authorize_url());
    assert_eq!(mock.token_url(), mock.ims_token_url());
    // Legacy endpoints are not served in IMS mode.
    let resp = client()
        .post(format!(
            "{}/integrations/oauth2/api/v1/token",
            mock.base_url()
        ))
        .form(&[("grant_type", "authorization_code")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn legacy_mode_does_not_serve_ims() {
    let mock = spawn().await;
    assert_eq!(
        client_credentials(&mock, SCOPE).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(mock.issue_ims_code(CLIENT, REDIRECT, None, SCOPE).is_err());
}

#[tokio::test]
async fn code_flow_with_secret_through_the_pages() {
    let mock = spawn_ims().await;
    let query = authorize_query(CLIENT, &format!("&scope={SCOPE}&state=xyz"));
    let back = ims_browser_flow(&mock, &query).await;
    let pairs: Vec<(String, String)> = back.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    // IMS reports neither domain nor lane.
    assert_eq!(names, ["code", "state"]);
    assert_eq!(pairs[1].1, "xyz");
    let code = &pairs[0].1;

    // Credentials in HTTP Basic, form body.
    let resp = client()
        .post(mock.ims_token_url())
        .header("authorization", basic(CLIENT, SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    let v = ims_ok(resp, true).await;
    let access = v["access_token"].as_str().unwrap();
    assert_eq!(
        api_bearer(&mock, access, "proj/count").await.status(),
        StatusCode::OK
    );
    // An IMS token is a Bearer token, not a sessionID.
    assert_not_logged_in(api_get(&mock, access, "proj/count").await).await;
    let s = mock.stats();
    assert_eq!(s.grant_status("authorization_code", "200"), 1);
    assert_eq!(s.requests("authorize"), 2);
    assert_eq!(s.requests("login"), 1);
    assert_eq!(s.requests("consent"), 1);
}

#[tokio::test]
async fn code_flow_with_secret_in_the_form_and_refresh() {
    let mock = spawn_ims().await;
    let code = mock.issue_ims_code(CLIENT, REDIRECT, None, SCOPE).unwrap();
    let v = ims_ok(
        ims_token(
            &mock,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", REDIRECT),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await,
        true,
    )
    .await;
    let refresh = v["refresh_token"].as_str().unwrap();
    let r = ims_ok(
        ims_token(
            &mock,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", refresh),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await,
        true,
    )
    .await;
    let access = r["access_token"].as_str().unwrap();
    assert_ne!(access, v["access_token"].as_str().unwrap());
    assert_eq!(
        api_bearer(&mock, access, "proj/count").await.status(),
        StatusCode::OK
    );
    // Refresh tokens rotate as configured; the old one is now spent.
    let again = ims_token(
        &mock,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_oauth_error(again, 400, "invalid_grant").await;
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
}

#[tokio::test]
async fn pkce_public_client() {
    let mock = spawn_ims().await;
    // A public client without PKCE gets the error page.
    let page = client()
        .get(format!(
            "{}?{}",
            mock.ims_authorize_url(),
            authorize_query(PUBLIC, &format!("&scope={SCOPE}"))
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);

    let query = authorize_query(
        PUBLIC,
        &format!("&scope={SCOPE}&code_challenge={CHALLENGE}&code_challenge_method=S256"),
    );
    let code = code_of(&ims_browser_flow(&mock, &query).await);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
        ("client_id", PUBLIC),
        ("code_verifier", VERIFIER),
    ];
    let v = ims_ok(ims_token(&mock, &form).await, true).await;
    let r = ims_token(
        &mock,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", v["refresh_token"].as_str().unwrap()),
            ("client_id", PUBLIC),
        ],
    )
    .await;
    ims_ok(r, true).await;
    // Wrong verifier.
    let code = mock
        .issue_ims_code(PUBLIC, REDIRECT, Some(CHALLENGE), SCOPE)
        .unwrap();
    let bad = ims_token(
        &mock,
        &[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT),
            ("client_id", PUBLIC),
            ("code_verifier", &"a".repeat(43)),
        ],
    )
    .await;
    assert_oauth_error(bad, 400, "invalid_grant").await;
    // Public clients cannot use client credentials.
    let cc = ims_token(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", PUBLIC),
            ("scope", SCOPE),
        ],
    )
    .await;
    assert_oauth_error(cc, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn client_credentials_token_expires_on_the_mock_clock() {
    let mock = spawn_ims().await;
    let v = ims_ok(client_credentials(&mock, SCOPE).await, false).await;
    let access = v["access_token"].as_str().unwrap().to_owned();
    assert_eq!(
        api_bearer(&mock, &access, "proj/count").await.status(),
        StatusCode::OK
    );
    // Use does not extend an IMS token: it dies expires_in after issuance.
    mock.advance_clock(Duration::from_secs(86_398));
    assert_eq!(
        api_bearer(&mock, &access, "proj/count").await.status(),
        StatusCode::OK
    );
    mock.advance_clock(Duration::from_secs(1));
    assert_not_logged_in(api_bearer(&mock, &access, "proj/count").await).await;
    // A new grant works.
    let v = ims_ok(client_credentials(&mock, SCOPE).await, false).await;
    let fresh = v["access_token"].as_str().unwrap();
    assert_ne!(fresh, access);
    assert_eq!(
        api_bearer(&mock, fresh, "proj/count").await.status(),
        StatusCode::OK
    );
    let s = mock.stats();
    assert_eq!(s.grant("client_credentials"), 2);
    assert_eq!(s.grant_status("client_credentials", "200"), 2);
    assert_eq!(s.status("api", "401"), 1);
    assert_eq!(s.live.sessions, 1);
}

#[tokio::test]
async fn client_credentials_with_basic_and_configurable_ttl() {
    let mock = builder()
        .mode(Mode::AdobeIms)
        .access_token_ttl(Duration::from_secs(60))
        .spawn()
        .await
        .unwrap();
    let resp = client()
        .post(mock.ims_token_url())
        .header("authorization", basic(CLIENT, SECRET))
        .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["expires_in"], 60);
    let access = v["access_token"].as_str().unwrap();
    mock.advance_clock(Duration::from_secs(60));
    assert_not_logged_in(api_bearer(&mock, access, "proj/count").await).await;
}

#[tokio::test]
async fn scope_is_required() {
    let mock = spawn_ims().await;
    let page = client()
        .get(format!(
            "{}?{}",
            mock.ims_authorize_url(),
            authorize_query(CLIENT, "&state=s")
        ))
        .send()
        .await
        .unwrap();
    // An error page, never a redirect.
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.headers().get("location").is_none());
    assert!(page.text().await.unwrap().contains("scope is required"));

    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_oauth_error(resp, 400, "invalid_scope").await;
}

#[tokio::test]
async fn wrong_secret_is_invalid_client() {
    let mock = spawn_ims().await;
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", "wrong"),
            ("scope", SCOPE),
        ],
    )
    .await;
    assert_oauth_error(resp, 401, "invalid_client").await;
    let resp = client()
        .post(mock.ims_token_url())
        .header("authorization", basic(CLIENT, "wrong"))
        .form(&[("grant_type", "client_credentials"), ("scope", SCOPE)])
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Basic")
    );
    assert_oauth_error(resp, 401, "invalid_client").await;
    let code = mock.issue_ims_code(CLIENT, REDIRECT, None, SCOPE).unwrap();
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_oauth_error(resp, 401, "invalid_client").await;
    let resp = ims_token(&mock, &[("grant_type", "password"), ("client_id", CLIENT)]).await;
    assert_oauth_error(resp, 401, "invalid_client").await;
    let resp = ims_token(&mock, &[("grant_type", "implicit")]).await;
    assert_oauth_error(resp, 400, "unsupported_grant_type").await;
}

#[tokio::test]
async fn faults_and_stats_cover_the_ims_token_endpoint() {
    let mock = spawn_ims().await;
    mock.inject_fault(FaultSpec::new(
        FaultTarget::ClientCredentials,
        1,
        Fault::Status {
            status: 503,
            body: None,
            retry_after: Some(2),
        },
    ))
    .unwrap();
    mock.inject_fault(FaultSpec::new(FaultTarget::Token, 1, Fault::Drop))
        .unwrap();
    let first = client_credentials(&mock, SCOPE).await;
    assert_eq!(first.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(first.headers()["retry-after"], "2");
    let dropped = client()
        .post(mock.ims_token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("scope", SCOPE),
        ])
        .send()
        .await;
    assert!(dropped.is_err(), "{dropped:?}");
    ims_ok(client_credentials(&mock, SCOPE).await, false).await;
    let s = mock.stats();
    assert_eq!(s.faults_applied, 2);
    assert_eq!(s.grant_status("client_credentials", "503"), 1);
    assert_eq!(s.grant_status("client_credentials", "dropped"), 1);
    assert_eq!(s.grant_status("client_credentials", "200"), 1);
    assert_eq!(s.requests("token"), 3);
}

#[tokio::test]
async fn both_mode_serves_both_profiles_and_keeps_them_apart() {
    let mock = builder()
        .mode(Mode::Both)
        .allow_loopback_redirects(true)
        .spawn()
        .await
        .unwrap();
    assert_eq!(
        mock.authorize_url(),
        format!("{}/integrations/oauth2/authorize", mock.base_url())
    );
    // A legacy grant still works as in legacy mode, sessionID header included.
    let (session, legacy_refresh) = grant(&mock).await;
    assert_eq!(
        api_get(&mock, &session, "proj/count").await.status(),
        StatusCode::OK
    );
    // An IMS code is refused by the legacy token endpoint and vice versa.
    let ims_code = mock.issue_ims_code(CLIENT, REDIRECT, None, SCOPE).unwrap();
    assert_oauth_error(exchange_form(&mock, &ims_code).await, 400, "invalid_grant").await;
    let legacy_code = code(&mock);
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "authorization_code"),
            ("code", &legacy_code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_oauth_error(resp, 400, "invalid_grant").await;
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", &legacy_refresh),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_oauth_error(resp, 400, "invalid_grant").await;
    // Client credentials: IMS only.
    ims_ok(client_credentials(&mock, SCOPE).await, false).await;
    let legacy_cc = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(legacy_cc, 400, "unauthorized_client").await;
    let s = mock.stats();
    assert_eq!(s.grant("client_credentials"), 1);
    assert_eq!(s.grant("other"), 1);
}

#[tokio::test]
async fn ims_token_requests_are_forms_only() {
    let mock = spawn_ims().await;
    let resp = client()
        .post(mock.ims_token_url())
        .basic_auth(CLIENT, Some(SECRET))
        .json(&serde_json::json!({"grant_type": "client_credentials", "scope": SCOPE}))
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{v}");
    assert_eq!(v["error"], "invalid_request", "{v}");
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .contains("x-www-form-urlencoded"),
        "{v}"
    );
}
