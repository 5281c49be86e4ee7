//! Malformed requests get a clear 4xx JSON answer, never a 500.

mod common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

/// (why, content type, authorization, body, status, error code).
type Case<'a> = (
    &'a str,
    Option<&'a str>,
    Option<String>,
    String,
    u16,
    &'a str,
);

#[tokio::test]
async fn token_endpoint_bad_input() {
    let mock = spawn().await;
    let c = client();
    let url = mock.token_url();
    let form = "application/x-www-form-urlencoded";
    let good = format!(
        "grant_type=authorization_code&code=x&redirect_uri=r&client_id={CLIENT}&client_secret={SECRET}"
    );
    let big = "a".repeat(70 * 1024);
    let cases: Vec<Case<'_>> = vec![
        (
            "no content type",
            None,
            None,
            good.clone(),
            400,
            "invalid_request",
        ),
        (
            "text/plain",
            Some("text/plain"),
            None,
            good.clone(),
            400,
            "invalid_request",
        ),
        (
            "invalid JSON",
            Some("application/json"),
            None,
            "{\"grant_type\":".into(),
            400,
            "invalid_request",
        ),
        (
            "JSON array",
            Some("application/json"),
            None,
            "[]".into(),
            400,
            "invalid_request",
        ),
        (
            "JSON nested value",
            Some("application/json"),
            None,
            r#"{"grant_type":{"a":1}}"#.into(),
            400,
            "invalid_request",
        ),
        (
            "duplicate JSON key",
            Some("application/json"),
            None,
            r#"{"grant_type":"refresh_token","grant_type":"x"}"#.into(),
            400,
            "invalid_request",
        ),
        (
            "duplicate form param",
            Some(form),
            None,
            format!("{good}&code=y"),
            400,
            "invalid_request",
        ),
        (
            "missing grant_type",
            Some(form),
            None,
            format!("code=x&client_id={CLIENT}&client_secret={SECRET}"),
            400,
            "invalid_request",
        ),
        (
            "empty body",
            Some(form),
            None,
            String::new(),
            400,
            "invalid_request",
        ),
        (
            "unknown grant type",
            Some(form),
            None,
            "grant_type=magic".into(),
            400,
            "unsupported_grant_type",
        ),
        (
            "missing code",
            Some(form),
            None,
            format!(
                "grant_type=authorization_code&redirect_uri=r&client_id={CLIENT}&client_secret={SECRET}"
            ),
            400,
            "invalid_request",
        ),
        (
            "missing redirect_uri",
            Some(form),
            None,
            format!(
                "grant_type=authorization_code&code=x&client_id={CLIENT}&client_secret={SECRET}"
            ),
            400,
            "invalid_request",
        ),
        (
            "missing refresh_token",
            Some(form),
            None,
            format!("grant_type=refresh_token&client_id={CLIENT}&client_secret={SECRET}"),
            400,
            "invalid_request",
        ),
        (
            "unknown code",
            Some(form),
            None,
            good.clone(),
            400,
            "invalid_grant",
        ),
        (
            "no client auth",
            Some(form),
            None,
            "grant_type=refresh_token&refresh_token=x".into(),
            401,
            "invalid_client",
        ),
        (
            "basic not base64",
            Some("application/json"),
            Some("Basic !!!notbase64".into()),
            r#"{"grant_type":"refresh_token","refresh_token":"x"}"#.into(),
            400,
            "invalid_request",
        ),
        (
            "basic without colon",
            Some("application/json"),
            Some("Basic ZGVtby1jbGllbnQ=".into()),
            r#"{"grant_type":"refresh_token","refresh_token":"x"}"#.into(),
            400,
            "invalid_request",
        ),
        (
            "basic plus body secret",
            Some(form),
            Some(basic(CLIENT, SECRET)),
            format!("grant_type=refresh_token&refresh_token=x&client_secret={SECRET}"),
            400,
            "invalid_request",
        ),
        (
            "oversized body",
            Some(form),
            None,
            format!("grant_type=refresh_token&refresh_token={big}"),
            413,
            "invalid_request",
        ),
    ];
    for (why, ct, auth, body, status, error) in cases {
        let mut req = c.post(&url).body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), status, "{why}");
        let (_, v) = json(resp).await;
        assert_eq!(v["error"], error, "{why}: {v}");
        assert!(
            v["error_description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{why}"
        );
    }
    let resp = c.get(&url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(resp.headers()["allow"], "POST");
    json(resp).await;
    assert_eq!(mock.stats().status_totals.get("500"), None);
}

#[tokio::test]
async fn oversized_body_without_content_length_is_refused_too() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mock = spawn().await;
    // A chunked body has no Content-Length; the limit must still hold while streaming.
    let mut s = tokio::net::TcpStream::connect(mock.addr()).await.unwrap();
    let head = "POST /integrations/oauth2/api/v1/token HTTP/1.1\r\nHost: x\r\n\
                Content-Type: application/x-www-form-urlencoded\r\n\
                Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    s.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("2000\r\n{}\r\n", "a".repeat(0x2000));
    for _ in 0..10 {
        if s.write_all(chunk.as_bytes()).await.is_err() {
            break; // the server may stop reading once it has answered
        }
    }
    let _ = s.write_all(b"0\r\n\r\n").await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), s.read_to_end(&mut out)).await;
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"error\":\"invalid_request\""), "{text}");
}

#[tokio::test]
async fn api_bad_input() {
    let mock = spawn().await;
    let (s, _) = grant(&mock).await;
    let c = client();
    let base = mock.api_url("v14.0");
    let cases = [
        (
            c.get(format!("{base}/proj/search?$$LIMIT=1&$$LIMIT=2")),
            400,
        ),
        (
            c.get(format!(
                "{base}/proj/search?$$LIMIT=99999999999999999999999"
            )),
            400,
        ),
        (
            c.post(format!("{base}/proj"))
                .header("content-type", "application/json")
                .body("{not json"),
            400,
        ),
        (
            c.post(format!("{base}/proj"))
                .header("content-type", "text/plain")
                .body("name=x"),
            400,
        ),
        (c.post(format!("{base}/proj")).json(&json!([1, 2])), 400),
        (
            c.post(format!("{base}/proj"))
                .header("content-type", "application/json")
                .body(format!("{{\"name\":\"{}\"}}", "x".repeat(70_000))),
            413,
        ),
        (
            c.put(format!("{base}/proj/search"))
                .json(&json!({"name": "x"})),
            404,
        ),
        (c.patch(format!("{base}/proj/x")), 405),
        (c.get(format!("{base}/")), 404),
        (c.get(format!("{base}/proj/a/b/c")), 404),
    ];
    for (i, (req, status)) in cases.into_iter().enumerate() {
        let resp = req.header("sessionID", &s).send().await.unwrap();
        let (st, v) = json(resp).await;
        assert_eq!(st.as_u16(), status, "case {i}: {v}");
        assert!(v["error"]["message"].is_string(), "case {i}: {v}");
    }
    let resp = c
        .get(format!("{}/nothing/here", mock.base_url()))
        .send()
        .await
        .unwrap();
    let (st, _) = json(resp).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(mock.stats().status_totals.get("500"), None);
}

#[tokio::test]
async fn admin_bad_input() {
    let mock = spawn().await;
    let c = client();
    let admin = |p: &str| format!("{}/__mock/{p}", mock.base_url());
    for (path, body) in [
        ("faults", "{".to_owned()),
        ("faults", "{}".to_owned()),
        ("sessions/expire", r#"{"nope":1}"#.to_owned()),
        (
            "sessions/expire",
            r#"{"access_token":"a","fingerprint":"b"}"#.to_owned(),
        ),
        ("refresh-tokens/revoke", "[]".to_owned()),
        ("clock/advance", "{}".to_owned()),
        ("clock/advance", r#"{"secs":1,"ms":1}"#.to_owned()),
        ("clock/advance", r#"{"secs":-1}"#.to_owned()),
    ] {
        let resp = c
            .post(admin(path))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (st, v) = json(resp).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{path} {body}: {v}");
    }
}
