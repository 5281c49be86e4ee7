use super::*;
use crate::http::Headers;

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn instance() -> Instance {
    Instance::parse("acme.my.workfront.com").unwrap()
}

fn respond(status: u16, content_type: Option<&str>, body: &str) -> HttpResponse {
    let mut headers = Headers::new();
    if let Some(ct) = content_type {
        headers.append("Content-Type", ct.to_owned());
    }
    HttpResponse::new(status, headers, body.as_bytes().to_vec())
}

fn parse(r: &HttpResponse) -> Result<TokenSet, Error> {
    parse_token_response(r, &Provider::WorkfrontLegacy, &instance(), T0, None)
}

#[test]
fn seed_page_response() {
    let r = respond(
        200,
        Some("application/json"),
        r#"{"token_type":"sessionID","access_token":"sess","refresh_token":"ref","expires_in":0,"wid":"w-9"}"#,
    );
    let t = parse(&r).unwrap();
    assert_eq!(t.access_token().secret(), "sess");
    assert_eq!(t.refresh_token().unwrap().secret(), "ref");
    assert_eq!(t.token_type(), &TokenType::SessionId);
    assert_eq!(t.expires_at(), None);
    assert_eq!(t.wid(), Some("w-9"));
    assert_eq!(t.obtained_at(), T0);
    assert_eq!(t.instance(), &instance());
}

#[test]
fn any_2xx_and_any_content_type() {
    for (status, ct) in [
        (200, None),
        (201, Some("text/html")),
        (203, Some("text/plain")),
    ] {
        let r = respond(status, ct, r#"{"access_token":"a"}"#);
        assert!(parse(&r).is_ok(), "{status}");
    }
}

#[test]
fn expires_in_forms() {
    for (value, expected) in [
        ("3600", Some(3600)),
        ("\"3600\"", Some(3600)),
        ("\" 86399 \"", Some(86399)),
        ("3600.9", Some(3600)),
        ("\"3600.5\"", Some(3600)),
        ("0", None),
        ("\"0\"", None),
        ("-5", None),
        ("\"-5\"", None),
        ("0.5", None),
        ("\"soon\"", None),
        ("null", None),
        ("true", None),
        ("[1]", None),
        ("1e10", Some(10_000_000_000)),
        ("\"NaN\"", None),
        ("\"inf\"", None),
        ("18446744073709551615", Some(u64::MAX)),
    ] {
        let r = respond(
            200,
            None,
            &format!(r#"{{"access_token":"a","expires_in":{value}}}"#),
        );
        let t = parse(&r).unwrap_or_else(|e| panic!("{value}: {e}"));
        assert_eq!(t.expires_at(), expected.map(|s| T0.plus_secs(s)), "{value}");
    }
    let r = respond(200, None, r#"{"access_token":"a"}"#);
    assert_eq!(parse(&r).unwrap().expires_at(), None);
}

#[test]
fn token_type_in_any_case_or_missing() {
    for (value, expected) in [
        (r#","token_type":"SESSIONID""#, TokenType::SessionId),
        (r#","token_type":"bearer""#, TokenType::Bearer),
        (r#","token_type":"mac""#, TokenType::Other("mac".into())),
        ("", TokenType::SessionId),
        (r#","token_type":"""#, TokenType::SessionId),
    ] {
        let r = respond(200, None, &format!(r#"{{"access_token":"a"{value}}}"#));
        assert_eq!(parse(&r).unwrap().token_type(), &expected, "{value}");
    }
    let r = respond(200, None, r#"{"access_token":"a"}"#);
    let t = parse_token_response(&r, &Provider::adobe_ims(), &instance(), T0, None).unwrap();
    assert_eq!(t.token_type(), &TokenType::Bearer);
}

#[test]
fn numeric_wid_and_scope() {
    let r = respond(
        200,
        None,
        r#"{"access_token":"a","wid":42,"scope":"openid"}"#,
    );
    let t = parse(&r).unwrap();
    assert_eq!(t.wid(), Some("42"));
    assert_eq!(t.scope(), Some("openid"));
}

#[test]
fn error_body_on_200_is_an_error() {
    let r = respond(
        200,
        None,
        r#"{"error":"invalid_grant","error_description":"Code expired","error_uri":"https://x.example/e"}"#,
    );
    assert_eq!(
        parse(&r),
        Err(Error::TokenEndpoint {
            status: 200,
            error: "invalid_grant".into(),
            description: Some("Code expired".into()),
            uri: Some("https://x.example/e".into()),
            retry_after: None,
        })
    );
}

#[test]
fn rfc6749_error_with_status() {
    let r = respond(
        400,
        Some("application/json"),
        r#"{"error":"invalid_client"}"#,
    );
    match parse(&r) {
        Err(e @ Error::TokenEndpoint { status: 400, .. }) => {
            assert!(!e.is_retryable() && !e.is_reauth_required());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn workfront_error_object() {
    let r = respond(
        401,
        None,
        r#"{"error":{"class":"com.attask.common.AuthenticationException","message":"Refresh token is invalid"}}"#,
    );
    match parse(&r) {
        Err(e @ Error::Workfront { status: 401, .. }) => {
            assert!(e.is_reauth_required());
            if let Error::Workfront { class, message, .. } = &e {
                assert_eq!(
                    class.as_deref(),
                    Some("com.attask.common.AuthenticationException")
                );
                assert_eq!(message.as_deref(), Some("Refresh token is invalid"));
            }
        }
        other => panic!("{other:?}"),
    }
    let r = respond(200, None, r#"{"error":true}"#);
    assert!(matches!(parse(&r), Err(Error::TokenEndpoint { .. })));
}

#[test]
fn access_token_must_be_a_non_empty_string() {
    for body in [
        r#"{}"#,
        r#"{"access_token":""}"#,
        r#"{"access_token":5}"#,
        r#"{"access_token":null}"#,
        r#"{"access_token":"a","refresh_token":7}"#,
    ] {
        assert!(
            matches!(
                parse(&respond(200, None, body)),
                Err(Error::InvalidTokenResponse { .. })
            ),
            "{body}"
        );
    }
}

#[test]
fn too_large_bodies_are_refused() {
    let body = format!(r#"{{"access_token":"{}"}}"#, "a".repeat(MAX_RESPONSE_BYTES));
    assert!(matches!(
        parse(&respond(200, None, &body)),
        Err(Error::ResponseTooLarge {
            limit: MAX_RESPONSE_BYTES,
            ..
        })
    ));
}

#[test]
fn gateway_pages_become_unexpected_response_with_retry_after() {
    let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1>\
                <p>request code=abcdef access_token=9f86d081884c7d659a2feaa0</p></body></html>";
    let r = respond(502, Some("text/html"), html);
    match parse(&r) {
        Err(e @ Error::UnexpectedResponse { status: 502, .. }) => {
            assert!(e.is_retryable());
            let Error::UnexpectedResponse {
                snippet,
                content_type,
                ..
            } = &e
            else {
                unreachable!()
            };
            assert_eq!(content_type.as_deref(), Some("text/html"));
            assert!(snippet.starts_with("502 Bad Gateway"), "{snippet}");
            assert!(
                !snippet.contains("abcdef") && !snippet.contains("9f86d0"),
                "{snippet}"
            );
            assert!(!snippet.contains('<'));
        }
        other => panic!("{other:?}"),
    }
    let mut headers = Headers::new();
    headers.append("Retry-After", "30");
    let r = HttpResponse::new(429, headers, b"Too Many Requests".to_vec());
    match parse(&r) {
        Err(e) => {
            assert_eq!(e.retry_after(), Some(30));
            assert!(e.is_retryable());
        }
        Ok(_) => panic!("429 parsed"),
    }
    let mut headers = Headers::new();
    headers.append("Retry-After", "30");
    let r = HttpResponse::new(
        503,
        headers,
        br#"{"error":"temporarily_unavailable"}"#.to_vec(),
    );
    assert_eq!(parse(&r).unwrap_err().retry_after(), Some(30));
}

#[test]
fn non_object_json_and_json_without_error_on_failure() {
    for (status, body) in [
        (200, "[]"),
        (200, "\"x\""),
        (200, "null"),
        (200, ""),
        (500, "{}"),
    ] {
        assert!(
            matches!(
                parse(&respond(status, None, body)),
                Err(Error::UnexpectedResponse { .. })
            ),
            "{status} {body}"
        );
    }
}

#[test]
fn refresh_keeps_or_rotates_the_refresh_token() {
    let previous = TokenSet::new(AccessToken::new("a0"), instance(), T0)
        .with_refresh_token(Some(RefreshToken::new("r0")))
        .with_scope(Some("s".into()));
    let kept = parse_token_response(
        &respond(200, None, r#"{"access_token":"a1"}"#),
        &Provider::WorkfrontLegacy,
        &instance(),
        T0,
        Some(&previous),
    )
    .unwrap();
    assert_eq!(kept.refresh_token().unwrap().secret(), "r0");
    assert_eq!(kept.scope(), Some("s"));
    let rotated = parse_token_response(
        &respond(200, None, r#"{"access_token":"a1","refresh_token":"r1"}"#),
        &Provider::WorkfrontLegacy,
        &instance(),
        T0,
        Some(&previous),
    )
    .unwrap();
    assert_eq!(rotated.refresh_token().unwrap().secret(), "r1");
}

#[test]
fn error_descriptions_echoing_secrets_are_redacted() {
    let r = respond(
        400,
        None,
        r#"{"error":"invalid_grant","error_description":"code 7Hq2Lm9XbZ4kP1sV8nR3 is invalid; refresh_token=short"}"#,
    );
    let e = parse(&r).unwrap_err();
    let shown = format!("{e} {e:?}");
    assert!(
        !shown.contains("7Hq2Lm9XbZ4kP1sV8nR3") && !shown.contains("short"),
        "{shown}"
    );
}
