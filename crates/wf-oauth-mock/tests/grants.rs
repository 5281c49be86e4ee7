//! Token endpoint rules: single-use codes, expiry on the manual clock, client
//! authentication, refresh-token rotation, reuse detection and expiry.

mod common;

use std::time::Duration;

use common::*;
use reqwest::StatusCode;

#[tokio::test]
async fn code_is_single_use_and_reuse_revokes_its_tokens() {
    let mock = spawn().await;
    let code = code(&mock);
    let (access, refresh) = tokens(exchange_form(&mock, &code).await).await;
    assert_oauth_error(exchange_form(&mock, &code).await, 400, "invalid_grant").await;
    // RFC 6749 §4.1.2: tokens issued from a replayed code are revoked.
    assert_eq!(
        api_get(&mock, &access, "proj/count").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_oauth_error(refresh_form(&mock, &refresh).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn code_expires_after_its_ttl() {
    let mock = spawn().await;
    let fresh = code(&mock);
    mock.advance_clock(Duration::from_secs(119));
    tokens(exchange_form(&mock, &fresh).await).await;
    let stale = code(&mock);
    mock.advance_clock(Duration::from_secs(121));
    let v = assert_oauth_error(exchange_json(&mock, &stale).await, 400, "invalid_grant").await;
    assert!(v["error_description"].as_str().unwrap().contains("expired"));
}

#[tokio::test]
async fn code_ttl_is_configurable() {
    let mock = builder()
        .code_ttl(Duration::from_secs(5))
        .spawn()
        .await
        .unwrap();
    let c = code(&mock);
    mock.advance_clock(Duration::from_secs(6));
    assert_oauth_error(exchange_form(&mock, &c).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn redirect_uri_must_match_the_authorization_request() {
    let mock = spawn().await;
    let c = code(&mock);
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_WITH_QUERY),
            ("code", &c),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 400, "invalid_grant").await;
}

#[tokio::test]
async fn wrong_secret_is_invalid_client_with_challenge_for_basic() {
    let mock = spawn().await;
    let c = code(&mock);
    let resp = client()
        .post(mock.token_url())
        .header("authorization", basic(CLIENT, "wrong"))
        .json(&serde_json::json!({"code": c, "grant_type": "authorization_code", "redirect_uri": REDIRECT}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.headers()["www-authenticate"],
        "Basic realm=\"workfront\""
    );
    assert_oauth_error(resp, 401, "invalid_client").await;

    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", &c),
            ("client_id", CLIENT),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.headers().get("www-authenticate").is_none());
    assert_oauth_error(resp, 401, "invalid_client").await;
    // Failed client authentication does not burn the code.
    tokens(exchange_form(&mock, &c).await).await;
}

#[tokio::test]
async fn several_secrets_are_valid_at_once() {
    let mock = builder()
        .client_secret("old-secret")
        .client_secret("new-secret")
        .spawn()
        .await
        .unwrap();
    for secret in ["old-secret", "new-secret"] {
        let c = code(&mock);
        let resp = client()
            .post(mock.token_url())
            .header("authorization", basic(CLIENT, secret))
            .json(&serde_json::json!({"code": c, "grant_type": "authorization_code", "redirect_uri": REDIRECT}))
            .send()
            .await
            .unwrap();
        tokens(resp).await;
    }
    // The default secret is no longer valid once others are configured.
    let resp = exchange_form(&mock, &code(&mock)).await;
    assert_oauth_error(resp, 401, "invalid_client").await;
}

#[tokio::test]
async fn basic_credentials_may_be_form_encoded() {
    let mock = builder()
        .client_id("my app")
        .client_secret("s3cr:t+/=")
        .spawn()
        .await
        .unwrap();
    let c = mock.issue_code("my app", REDIRECT, None).unwrap();
    let resp = client()
        .post(mock.token_url())
        .header("authorization", basic("my+app", "s3cr%3At%2B%2F%3D"))
        .json(&serde_json::json!({"code": c, "grant_type": "authorization_code", "redirect_uri": REDIRECT}))
        .send()
        .await
        .unwrap();
    tokens(resp).await;
}

#[tokio::test]
async fn unknown_and_public_clients_cannot_pose_as_confidential() {
    let mock = spawn().await;
    let c = code(&mock);
    // Confidential client without a secret.
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", &c),
            ("client_id", CLIENT),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 401, "invalid_client").await;
    // The public client cannot redeem the confidential client's code.
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", &c),
            ("client_id", PUBLIC),
            ("code_verifier", VERIFIER),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 400, "invalid_grant").await;
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", "x"),
            ("redirect_uri", REDIRECT),
            ("client_id", "nobody"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 401, "invalid_client").await;
    // Client credentials grant is refused for this profile.
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 400, "unauthorized_client").await;
}

#[tokio::test]
async fn revoked_refresh_token_is_invalid_grant() {
    let mock = spawn().await;
    let (access, refresh) = grant(&mock).await;
    assert!(mock.revoke_refresh_token(&refresh));
    assert_oauth_error(refresh_form(&mock, &refresh).await, 400, "invalid_grant").await;
    // Revoking a refresh token leaves the session alone.
    assert_eq!(
        api_get(&mock, &access, "proj/count").await.status(),
        StatusCode::OK
    );
    let (_, refresh2) = grant(&mock).await;
    assert_eq!(mock.revoke_all_refresh_tokens(), 1);
    assert_oauth_error(refresh_json(&mock, &refresh2).await, 400, "invalid_grant").await;
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_family() {
    let mock = spawn().await;
    let (access1, r1) = grant(&mock).await;
    let (other_access, other_refresh) = grant(&mock).await;
    let (access2, r2) = tokens(refresh_form(&mock, &r1).await).await;
    let (access3, r3) = tokens(refresh_json(&mock, &r2).await).await;
    // Replay of r1: the whole family goes.
    assert_oauth_error(refresh_form(&mock, &r1).await, 400, "invalid_grant").await;
    for a in [&access1, &access2, &access3] {
        let resp = api_get(&mock, a, "proj/count").await;
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(resp.text().await.unwrap(), NOT_LOGGED_IN);
    }
    assert_oauth_error(refresh_form(&mock, &r3).await, 400, "invalid_grant").await;
    // Another grant is untouched.
    assert_eq!(
        api_get(&mock, &other_access, "proj/count").await.status(),
        StatusCode::OK
    );
    tokens(refresh_form(&mock, &other_refresh).await).await;
}

#[tokio::test]
async fn without_rotation_the_refresh_token_stays_the_same() {
    let mock = builder()
        .rotate_refresh_tokens(false)
        .spawn()
        .await
        .unwrap();
    let (_, r) = grant(&mock).await;
    for _ in 0..3 {
        let (_, again) = tokens(refresh_form(&mock, &r).await).await;
        assert_eq!(again, r);
    }
}

#[tokio::test]
async fn refresh_absolute_expiry() {
    let mock = builder()
        .refresh_absolute(Some(Duration::from_secs(3600)))
        .spawn()
        .await
        .unwrap();
    let (_, r) = grant(&mock).await;
    mock.advance_clock(Duration::from_secs(3000));
    let (_, r) = tokens(refresh_form(&mock, &r).await).await;
    mock.advance_clock(Duration::from_secs(601));
    let v = assert_oauth_error(refresh_form(&mock, &r).await, 400, "invalid_grant").await;
    assert!(
        v["error_description"]
            .as_str()
            .unwrap()
            .contains("absolute")
    );
}

#[tokio::test]
async fn refresh_idle_expiry_is_reset_by_each_refresh() {
    let mock = builder()
        .refresh_idle(Some(Duration::from_secs(100)))
        .spawn()
        .await
        .unwrap();
    let (_, mut r) = grant(&mock).await;
    for _ in 0..3 {
        mock.advance_clock(Duration::from_secs(90));
        r = tokens(refresh_form(&mock, &r).await).await.1;
    }
    mock.advance_clock(Duration::from_secs(101));
    let v = assert_oauth_error(refresh_form(&mock, &r).await, 400, "invalid_grant").await;
    assert!(v["error_description"].as_str().unwrap().contains("unused"));
}

#[tokio::test]
async fn refresh_with_a_foreign_redirect_uri_is_refused() {
    let mock = spawn().await;
    let (_, r) = grant(&mock).await;
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", r.as_str()),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("redirect_uri", REDIRECT_WITH_QUERY),
        ])
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 400, "invalid_grant").await;
}

#[tokio::test]
async fn tokens_are_distinct_per_grant() {
    let mock = spawn().await;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..5 {
        let (a, r) = grant(&mock).await;
        assert!(seen.insert(a.clone()) && seen.insert(r.clone()));
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        );
    }
}
