//! The IMS mode's other faithful parts: userinfo, RFC 7009 revocation, `offline_access`
//! with `prompt=consent`, authorization parameters on the wire, the Adobe gateway headers
//! and the `https` rule for web-application redirect URIs.

mod common;

use std::time::Duration;

use common::ims::*;
use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use wf_oauth_mock::{MockWorkfront, Mode};

/// A fresh grant with `openid`: (access, refresh, id_token claims).
async fn openid_grant(mock: &wf_oauth_mock::RunningMock) -> (String, String, Value) {
    let v = redeem(mock, &ims_code(mock, OPENID, &[])).await;
    let claims = valid_claims(mock, v["id_token"].as_str().unwrap()).await;
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
        claims,
    )
}

/// Form fields or headers, as name/value pairs.
type Pairs<'a> = &'a [(&'a str, &'a str)];

async fn assert_bearer_refusal(resp: reqwest::Response, status: u16, error: &str) {
    assert_eq!(resp.status().as_u16(), status);
    let challenge = resp.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(challenge.contains(error), "{challenge}");
    let (_, v) = json(resp).await;
    assert_eq!(v["error"], error, "{v}");
}

#[tokio::test]
async fn userinfo_describes_the_signed_in_user() {
    let mock = spawn_ims().await;
    let (access, _, claims) = openid_grant(&mock).await;
    let resp = userinfo(&mock, &access).await;
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let (status, u) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{u}");
    // OpenID Connect Core §5.3.2: the same subject as the id_token.
    assert_eq!(u["sub"], claims["sub"]);
    assert_eq!(u["email"], "demo@mock.example");
    assert_eq!(u["name"], "Demo User");
    assert_eq!(u["given_name"], "Demo");
    assert_eq!(u["family_name"], "User");
    assert_eq!(u["email_verified"], true);
    // POST works as well (Core §5.3.1).
    let resp = client()
        .post(mock.ims_userinfo_url())
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(mock.stats().requests("userinfo"), 2);
}

#[tokio::test]
async fn userinfo_refusals() {
    let mock = spawn_ims().await;
    let no_token = client().get(mock.ims_userinfo_url()).send().await.unwrap();
    assert_bearer_refusal(no_token, 401, "invalid_token").await;
    assert_bearer_refusal(userinfo(&mock, "not-a-token").await, 401, "invalid_token").await;
    // A grant without openid, and client credentials, are not for userinfo.
    let v = redeem(&mock, &ims_code(&mock, "AdobeID", &[])).await;
    let no_openid = userinfo(&mock, v["access_token"].as_str().unwrap()).await;
    assert_bearer_refusal(no_openid, 403, "insufficient_scope").await;
    let (_, cc) = json(client_credentials(&mock, OPENID).await).await;
    let cc_info = userinfo(&mock, cc["access_token"].as_str().unwrap()).await;
    assert_bearer_refusal(cc_info, 403, "insufficient_scope").await;
    // An expired access token.
    let (access, _, _) = openid_grant(&mock).await;
    mock.advance_clock(Duration::from_secs(86_399));
    assert_bearer_refusal(userinfo(&mock, &access).await, 401, "invalid_token").await;
}

#[tokio::test]
async fn revoking_the_refresh_token_ends_the_whole_grant() {
    let mock = spawn_ims().await;
    let (access, refresh_token, _) = openid_grant(&mock).await;
    let resp = revoke(
        &mock,
        &[
            ("token", &refresh_token),
            ("token_type_hint", "refresh_token"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    assert!(resp.text().await.unwrap().is_empty());
    assert_oauth_error(refresh(&mock, &refresh_token).await, 400, "invalid_grant").await;
    let api = api_call(&mock, &access, &[]).await;
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(api.text().await.unwrap(), NOT_LOGGED_IN);
    assert_bearer_refusal(userinfo(&mock, &access).await, 401, "invalid_token").await;
    // Revoking again, or an unknown token, is still 200 (RFC 7009 §2.2).
    for token in [refresh_token.as_str(), "never-issued"] {
        let again = revoke(
            &mock,
            &[
                ("token", token),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
        )
        .await;
        assert_eq!(again.status(), StatusCode::OK);
    }
    assert_eq!(mock.stats().status("revoke", "200"), 3);
}

#[tokio::test]
async fn revoking_the_access_token_ends_it_alone() {
    let mock = spawn_ims().await;
    let (access, refresh_token, _) = openid_grant(&mock).await;
    // Client authentication with HTTP Basic, as at the token endpoint.
    let resp = client()
        .post(mock.ims_revoke_url())
        .header("authorization", basic(CLIENT, SECRET))
        .form(&[
            ("token", access.as_str()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(api_call(&mock, &access, &[]).await.status(), 401);
    assert_eq!(userinfo(&mock, &access).await.status(), 401);
    // The grant lives on: the refresh token still works.
    let (status, v) = json(refresh(&mock, &refresh_token).await).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    // A wrong hint does not hide the token (the hint only orders the search).
    let (access2, _, _) = openid_grant(&mock).await;
    let resp = revoke(
        &mock,
        &[
            ("token", &access2),
            ("token_type_hint", "refresh_token"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(api_call(&mock, &access2, &[]).await.status(), 401);
}

#[tokio::test]
async fn public_clients_revoke_with_their_client_id() {
    let mock = spawn_ims().await;
    let code = mock
        .issue_ims_code(PUBLIC, REDIRECT, Some(CHALLENGE), OPENID)
        .unwrap();
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("client_id", PUBLIC),
            ("code_verifier", VERIFIER),
        ],
    )
    .await;
    let (_, v) = json(resp).await;
    let refresh_token = v["refresh_token"].as_str().unwrap();
    // Another client cannot revoke it: refused, and the token keeps working.
    let foreign = revoke(
        &mock,
        &[
            ("token", refresh_token),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    assert_oauth_error(foreign, 400, "invalid_grant").await;
    let ok = revoke(&mock, &[("token", refresh_token), ("client_id", PUBLIC)]).await;
    assert_eq!(ok.status(), StatusCode::OK);
    let resp = ims_token(
        &mock,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", PUBLIC),
        ],
    )
    .await;
    assert_oauth_error(resp, 400, "invalid_grant").await;
}

#[tokio::test]
async fn revocation_request_errors() {
    let mock = spawn_ims().await;
    let (access, _, _) = openid_grant(&mock).await;
    let cases: [(Pairs<'_>, u16, &str); 4] = [
        (
            &[("client_id", CLIENT), ("client_secret", SECRET)],
            400,
            "invalid_request",
        ),
        (
            &[
                ("token", "x"),
                ("token_type_hint", "id_token"),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
            ],
            400,
            "unsupported_token_type",
        ),
        (
            &[
                ("token", &access),
                ("client_id", CLIENT),
                ("client_secret", "wrong"),
            ],
            401,
            "invalid_client",
        ),
        (&[("token", &access)], 401, "invalid_client"),
    ];
    for (form, status, error) in cases {
        assert_oauth_error(revoke(&mock, form).await, status, error).await;
    }
    // JSON bodies are refused as at the IMS token endpoint.
    let resp = client()
        .post(mock.ims_revoke_url())
        .basic_auth(CLIENT, Some(SECRET))
        .json(&serde_json::json!({"token": access}))
        .send()
        .await
        .unwrap();
    assert_oauth_error(resp, 400, "invalid_request").await;
    // GET is not allowed.
    let resp = client().get(mock.ims_revoke_url()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    // Nothing was revoked by the refused requests.
    assert_eq!(api_call(&mock, &access, &[]).await.status(), 200);
}

#[tokio::test]
async fn offline_access_needs_prompt_consent() {
    let mock = spawn_ims().await;
    let scope = "openid,AdobeID,offline_access";
    let without = code_through_pages(&mock, CLIENT, &format!("&scope={scope}")).await;
    let v = redeem(&mock, &without).await;
    assert!(v.get("refresh_token").is_none(), "{v}");
    assert!(v["access_token"].is_string() && v["id_token"].is_string());
    let with = code_through_pages(&mock, CLIENT, &format!("&scope={scope}&prompt=consent")).await;
    let v = redeem(&mock, &with).await;
    assert!(v["refresh_token"].is_string(), "{v}");
    // `prompt` is a space-separated list.
    let listed = ims_code(&mock, scope, &[("prompt", "login consent")]);
    assert!(redeem(&mock, &listed).await["refresh_token"].is_string());
    // Without offline_access the fake keeps issuing refresh tokens by default…
    assert!(redeem(&mock, &ims_code(&mock, OPENID, &[])).await["refresh_token"].is_string());
    // …and not when it behaves as IMS does.
    let strict = builder()
        .mode(Mode::AdobeIms)
        .allow_loopback_redirects(true)
        .refresh_requires_offline_access(true)
        .spawn()
        .await
        .unwrap();
    let v = redeem(
        &strict,
        &ims_code(&strict, OPENID, &[("prompt", "consent")]),
    )
    .await;
    assert!(v.get("refresh_token").is_none(), "{v}");
    let v = redeem(&strict, &ims_code(&strict, scope, &[("prompt", "consent")])).await;
    assert!(v["refresh_token"].is_string(), "{v}");
}

#[tokio::test]
async fn authorization_parameters_are_recorded_as_sent() {
    let mock = spawn_ims().await;
    let extra = format!(
        "&scope={OPENID}&nonce=n1&prompt=login%20consent&login_hint=ann%40example.com\
         &max_age=300&ui_locales=fr-CA%20en&acr_values=urn%3Amfa&custom=1"
    );
    code_through_pages(&mock, CLIENT, &extra).await;
    let recorded = mock.authorize_requests();
    // The first GET and the return from the login page.
    assert_eq!(recorded.len(), 2);
    let r = &recorded[0];
    assert_eq!(r.path, "/ims/authorize/v2");
    for (name, value) in [
        ("client_id", CLIENT),
        ("nonce", "n1"),
        ("prompt", "login consent"),
        ("login_hint", "ann@example.com"),
        ("max_age", "300"),
        ("ui_locales", "fr-CA en"),
        ("acr_values", "urn:mfa"),
        ("custom", "1"),
    ] {
        assert_eq!(r.param(name), Some(value), "{name}");
    }
    // Over the admin API.
    let resp = client()
        .get(format!("{}/__mock/requests", mock.base_url()))
        .send()
        .await
        .unwrap();
    let (_, v) = json(resp).await;
    let params = &v["data"]["authorize"][0]["params"];
    assert!(
        params
            .as_array()
            .unwrap()
            .contains(&serde_json::json!(["login_hint", "ann@example.com"])),
        "{params}"
    );
    let cleared = client()
        .delete(format!("{}/__mock/requests", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), StatusCode::OK);
    assert!(mock.authorize_requests().is_empty());
    // Refused requests are recorded too: they still arrived.
    let page = client()
        .get(format!("{}?client_id=nobody", mock.ims_authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        mock.authorize_requests()[0].param("client_id"),
        Some("nobody")
    );
}

#[tokio::test]
async fn gateway_headers_can_be_required() {
    let org = "0123456789ABCDEF@AdobeOrg";
    let mock = builder()
        .mode(Mode::AdobeIms)
        .allow_loopback_redirects(true)
        .require_gateway_headers(true)
        .ims_org_id(Some(org.to_owned()))
        .spawn()
        .await
        .unwrap();
    let (access, _, _) = openid_grant(&mock).await;
    let cases: [(Pairs<'_>, Option<&str>); 5] = [
        (&[], Some("403000")),
        (
            &[("x-api-key", "someone-else"), ("x-gw-ims-org-id", org)],
            Some("403003"),
        ),
        (&[("x-api-key", CLIENT)], Some("403000")),
        (
            &[("x-api-key", CLIENT), ("x-gw-ims-org-id", "OTHER@AdobeOrg")],
            Some("403010"),
        ),
        (&[("x-api-key", CLIENT), ("x-gw-ims-org-id", org)], None),
    ];
    for (headers, refusal) in cases {
        let resp = api_call(&mock, &access, headers).await;
        match refusal {
            Some(code) => {
                let (status, v) = json(resp).await;
                assert_eq!(status, StatusCode::FORBIDDEN, "{headers:?}");
                assert_eq!(v["error_code"], code, "{v}");
                assert!(v["message"].is_string(), "{v}");
            }
            None => assert_eq!(resp.status(), StatusCode::OK, "{headers:?}"),
        }
    }
    // Missing credentials are still 401 first.
    let anon = client()
        .get(format!("{}/proj/count", mock.api_url("v14.0")))
        .header("x-api-key", CLIENT)
        .send()
        .await
        .unwrap();
    assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);
    let calls = mock.api_calls();
    assert_eq!(calls.len(), 6);
    assert_eq!(calls[4].api_key.as_deref(), Some(CLIENT));
    assert_eq!(calls[4].ims_org_id.as_deref(), Some(org));
    assert_eq!(calls[0].api_key, None);
    assert_eq!(calls[4].method, "GET");
    assert!(calls[4].path.ends_with("/proj/count"));
}

#[tokio::test]
async fn gateway_headers_are_recorded_but_not_required_by_default() {
    let mock = spawn_ims().await;
    let (access, _, _) = openid_grant(&mock).await;
    let resp = api_call(&mock, &access, &[("x-api-key", CLIENT)]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(api_call(&mock, &access, &[]).await.status(), StatusCode::OK);
    let calls = mock.api_calls();
    assert_eq!(calls[0].api_key.as_deref(), Some(CLIENT));
    assert_eq!(calls[1].api_key, None);
    let (_, v) = json(
        client()
            .get(format!("{}/__mock/requests", mock.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(v["data"]["api"][0]["api_key"], CLIENT);
}

#[tokio::test]
async fn web_app_redirects_must_be_https_without_the_loopback_switch() {
    let https = "https://app.example/callback";
    let mock = MockWorkfront::builder()
        .mode(Mode::AdobeIms)
        .redirect_uri(REDIRECT)
        .redirect_uri(https)
        .auto_approve(true)
        .spawn()
        .await
        .unwrap();
    let page = client()
        .get(format!(
            "{}?{}",
            mock.ims_authorize_url(),
            authorize_query(CLIENT, &format!("&scope={OPENID}"))
        ))
        .send()
        .await
        .unwrap();
    // An error page, never a redirect to the http URI.
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    assert!(page.headers().get("location").is_none());
    assert!(page.text().await.unwrap().contains("https"));
    assert!(mock.issue_ims_code(CLIENT, REDIRECT, None, OPENID).is_err());
    // The https URI works.
    let encoded: String = url::form_urlencoded::byte_serialize(https.as_bytes()).collect();
    let page = client()
        .get(format!(
            "{}?client_id={CLIENT}&redirect_uri={encoded}&response_type=code&scope=openid",
            mock.ims_authorize_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::FOUND);
    assert!(
        page.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("https://app.example/callback?code=")
    );
    // The public client (single-page or native app) is not restricted.
    assert!(
        mock.issue_ims_code(PUBLIC, REDIRECT, Some(CHALLENGE), OPENID)
            .is_ok()
    );
    // The legacy service keeps its loopback redirect URIs.
    let both = MockWorkfront::builder()
        .mode(Mode::Both)
        .redirect_uri(REDIRECT)
        .spawn()
        .await
        .unwrap();
    assert!(both.issue_code(CLIENT, REDIRECT, None).is_ok());
    assert!(both.issue_ims_code(CLIENT, REDIRECT, None, OPENID).is_err());
}
