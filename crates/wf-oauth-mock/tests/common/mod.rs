//! Helpers shared by the integration tests: a client that never follows redirects, and
//! short-hands for the authorization steps.
#![allow(dead_code)]

use base64::Engine as _;
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use url::Url;
use wf_oauth_mock::{MockBuilder, MockWorkfront, RunningMock};

/// Redirect URI registered by [`builder`].
pub const REDIRECT: &str = "http://127.0.0.1:9/callback";
/// Second registered redirect URI, with a query of its own.
pub const REDIRECT_WITH_QUERY: &str = "http://127.0.0.1:9/cb?tenant=a";
/// Confidential client.
pub const CLIENT: &str = "demo-client";
/// Its secret.
pub const SECRET: &str = "demo-secret";
/// Public client.
pub const PUBLIC: &str = "demo-public";
/// RFC 7636 Appendix B verifier and challenge.
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// Workfront's answer for a missing or expired session.
pub const NOT_LOGGED_IN: &str = r#"{"error":{"class":"com.attask.common.AuthenticationException","message":"You are not currently logged in"}}"#;

/// The test configuration: manual clock, two redirect URIs.
pub fn builder() -> MockBuilder {
    MockWorkfront::builder()
        .redirect_uri(REDIRECT)
        .redirect_uri(REDIRECT_WITH_QUERY)
        .manual_clock()
}

pub async fn spawn() -> RunningMock {
    builder().spawn().await.expect("mock starts")
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub fn basic(id: &str, secret: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}

/// A code for the confidential client, bypassing the browser.
pub fn code(mock: &RunningMock) -> String {
    mock.issue_code(CLIENT, REDIRECT, None).expect("code")
}

/// A PKCE code for the public client.
pub fn public_code(mock: &RunningMock) -> String {
    mock.issue_code(PUBLIC, REDIRECT, Some(CHALLENGE))
        .expect("code")
}

/// Body as JSON, asserting the content type says JSON.
pub async fn json(resp: Response) -> (StatusCode, Value) {
    let status = resp.status();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = resp.text().await.expect("body");
    assert!(ct.starts_with("application/json"), "{status} {ct}: {text}");
    let v = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    (status, v)
}

/// Exchanges a code with a form body and body credentials.
pub async fn exchange_form(mock: &RunningMock, code: &str) -> Response {
    client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT),
            ("code", code),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .expect("token request")
}

/// Exchanges a code with a JSON body and Basic credentials.
pub async fn exchange_json(mock: &RunningMock, code: &str) -> Response {
    client()
        .post(mock.token_url())
        .header("authorization", basic(CLIENT, SECRET))
        .json(&serde_json::json!({
            "code": code, "grant_type": "authorization_code", "redirect_uri": REDIRECT
        }))
        .send()
        .await
        .expect("token request")
}

/// (access, refresh) from a successful token answer.
pub async fn tokens(resp: Response) -> (String, String) {
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    (
        v["access_token"].as_str().unwrap().to_owned(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// A fresh grant: (access, refresh).
pub async fn grant(mock: &RunningMock) -> (String, String) {
    tokens(exchange_form(mock, &code(mock)).await).await
}

/// Refresh with a form body and body credentials.
pub async fn refresh_form(mock: &RunningMock, refresh: &str) -> Response {
    client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .expect("refresh request")
}

/// Refresh with a JSON body and Basic credentials.
pub async fn refresh_json(mock: &RunningMock, refresh: &str) -> Response {
    client()
        .post(mock.token_url())
        .header("authorization", basic(CLIENT, SECRET))
        .json(&serde_json::json!({"grant_type": "refresh_token", "refresh_token": refresh}))
        .send()
        .await
        .expect("refresh request")
}

/// `GET {api}/{path}` with the session header.
pub async fn api_get(mock: &RunningMock, session: &str, path: &str) -> Response {
    client()
        .get(format!("{}/{path}", mock.api_url("v14.0")))
        .header("sessionID", session)
        .send()
        .await
        .expect("api request")
}

/// Asserts an RFC 6749 error.
pub async fn assert_oauth_error(resp: Response, status: u16, error: &str) -> Value {
    assert_eq!(
        resp.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
    let (s, v) = json(resp).await;
    assert_eq!(s.as_u16(), status, "{v}");
    assert_eq!(v["error"], error, "{v}");
    assert!(v["error_description"].is_string(), "{v}");
    v
}

pub fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("hidden field") + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

pub fn authorize_query(client_id: &str, extra: &str) -> String {
    let redirect: String = url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect();
    format!("client_id={client_id}&redirect_uri={redirect}&response_type=code{extra}")
}

/// Login + consent on the IMS pages; returns the callback URL.
pub async fn ims_browser_flow(mock: &RunningMock, query: &str) -> Url {
    let c = client();
    let page = c
        .get(format!("{}?{query}", mock.ims_authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("action=\"/ims/login\""), "{page}");
    let return_to = hidden(&page, "return_to");
    assert!(return_to.starts_with("/ims/authorize/v2?"));
    let ok = c
        .post(format!("{}/ims/login", mock.ims_base_url()))
        .form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("return_to", &return_to),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let consent = c
        .get(format!("{}{return_to}", mock.ims_base_url()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(consent.contains("action=\"/ims/consent\""), "{consent}");
    let token = hidden(&consent, "consent_token");
    let decided = c
        .post(format!("{}/ims/consent", mock.ims_base_url()))
        .header("cookie", &cookie)
        .form(&[("consent_token", token.as_str()), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::FOUND);
    Url::parse(decided.headers()["location"].to_str().unwrap()).unwrap()
}

/// The `code` parameter of a callback URL.
pub fn code_of(callback: &Url) -> String {
    callback
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code in the callback")
        .1
        .into_owned()
}

pub mod ims;
