use serde_json::json;

use super::*;
use crate::config::ApiVersion;
use crate::instance::{Instance, InstancePolicy};
use crate::provider::Provider;
use crate::secret::AccessToken;

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn setup(provider: Provider) -> (ClientConfig, TokenSet) {
    let instance = Instance::parse("acme.my.workfront.com").unwrap();
    let mut b = ClientConfig::builder(instance.clone(), "cid").provider(provider.clone());
    if provider.requires_scope() {
        b = b.scope("openid");
    }
    let tokens = TokenSet::new(AccessToken::new("tok"), instance, T0);
    (b.build().unwrap(), tokens)
}

fn respond(status: u16, body: &str) -> HttpResponse {
    HttpResponse::new(status, Headers::new(), body.as_bytes().to_vec())
}

#[test]
fn session_id_header_for_legacy() {
    let (c, t) = setup(Provider::WorkfrontLegacy);
    let req = c
        .api_request(
            &t,
            Method::Put,
            "task/5f00aa/assignUser",
            &[("userID", "u 1")],
            Some(&json!({"x": 1})),
        )
        .unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://acme.my.workfront.com/attask/api/v20.0/task/5f00aa/assignUser?userID=u+1"
    );
    assert_eq!(req.method(), Method::Put);
    assert_eq!(req.headers().get("sessionID"), Some("tok"));
    assert_eq!(req.headers().get("Authorization"), None);
    assert_eq!(req.headers().get("content-type"), Some("application/json"));
    assert_eq!(req.body(), br#"{"x":1}"#);
}

#[test]
fn bearer_header_for_ims() {
    let (c, t) = setup(Provider::adobe_ims());
    let req = c
        .api_request(&t, Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(req.headers().get("Authorization"), Some("Bearer tok"));
    assert_eq!(req.headers().get("sessionID"), None);
    assert!(
        req.url()
            .as_str()
            .starts_with("https://acme.my.workfront.com/attask/api/")
    );
}

#[test]
fn seed_version_is_honoured() {
    let instance = Instance::parse("acme.my.workfront.com").unwrap();
    let c = ClientConfig::builder(instance.clone(), "cid")
        .api_version(ApiVersion::parse("v14.0").unwrap())
        .build()
        .unwrap();
    let t = TokenSet::new(AccessToken::new("tok"), instance, T0);
    let req = c
        .api_request(&t, Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://acme.my.workfront.com/attask/api/v14.0/proj/search"
    );
}

#[test]
fn paths_that_could_leave_the_api_are_refused() {
    let (c, t) = setup(Provider::WorkfrontLegacy);
    for path in [
        "",
        "/proj/search",
        "//evil.com/x",
        "https://evil.com/x",
        "http:evil.com",
        "../logout",
        "proj/../../x",
        "proj/./search",
        "%2e%2e/x",
        "proj//search",
        "proj/search?x=1",
        "proj#x",
        "proj\\search",
        "proj search",
        "proj/search/",
        "@evil.com",
    ] {
        assert!(
            matches!(
                c.api_request(&t, Method::Get, path, &[], None),
                Err(Error::InvalidArgument { .. })
            ),
            "{path}"
        );
    }
    assert!(
        c.api_request(&t, Method::Get, "proj/$$metadata", &[], None)
            .is_ok()
    );
}

#[test]
fn credential_query_parameters_are_refused() {
    let (c, t) = setup(Provider::WorkfrontLegacy);
    for name in ["sessionID", "SESSIONID", "apiKey", "access_token", ""] {
        assert!(
            matches!(
                c.api_request(&t, Method::Get, "proj/search", &[(name, "x")], None),
                Err(Error::InvalidArgument { .. })
            ),
            "{name}"
        );
    }
}

#[test]
fn logout_request() {
    let (c, t) = setup(Provider::WorkfrontLegacy);
    let req = c.logout_request(&t).unwrap();
    assert_eq!(req.method(), Method::Get);
    assert_eq!(
        req.url().as_str(),
        "https://acme.my.workfront.com/attask/api/v20.0/logout"
    );
}

#[test]
fn classify_success() {
    assert_eq!(
        classify_api_response(&respond(200, r#"{"data":{"ID":"1"}}"#), T0),
        ApiOutcome::Ok(json!({"ID": "1"}))
    );
    assert_eq!(
        classify_api_response(&respond(200, r#"{"other":1}"#), T0),
        ApiOutcome::Ok(json!({"other": 1}))
    );
    assert_eq!(
        classify_api_response(&respond(204, ""), T0),
        ApiOutcome::Ok(serde_json::Value::Null)
    );
}

#[test]
fn classify_auth_failures() {
    let body = r#"{"error":{"class":"com.attask.common.AuthenticationException","message":"You are not currently logged in"}}"#;
    for status in [200, 401, 500] {
        assert!(
            classify_api_response(&respond(status, body), T0).is_auth_failure(),
            "{status}"
        );
    }
    let message_only = r#"{"error":{"message":"You are not currently logged in"}}"#;
    assert!(classify_api_response(&respond(200, message_only), T0).is_auth_failure());
    assert!(classify_api_response(&respond(401, "Unauthorized"), T0).is_auth_failure());
    assert!(classify_api_response(&respond(401, "{}"), T0).is_auth_failure());
}

#[test]
fn classify_errors() {
    let mut headers = Headers::new();
    headers.append("Retry-After", "12");
    let limited = HttpResponse::new(429, headers, b"slow down".to_vec());
    assert_eq!(
        classify_api_response(&limited, T0),
        ApiOutcome::RateLimited {
            retry_after: Some(12)
        }
    );
    let body = r#"{"error":{"class":"com.attask.common.InvalidParameterException","message":"bad field"}}"#;
    match classify_api_response(&respond(200, body), T0) {
        ApiOutcome::ApiError {
            status: 200,
            class,
            message,
            ..
        } => {
            assert_eq!(
                class.as_deref(),
                Some("com.attask.common.InvalidParameterException")
            );
            assert_eq!(message.as_deref(), Some("bad field"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        classify_api_response(&respond(404, "{}"), T0),
        ApiOutcome::ApiError { status: 404, .. }
    ));
    match classify_api_response(&respond(502, "<html>Bad Gateway</html>"), T0) {
        ApiOutcome::Unexpected(e) => assert!(e.is_retryable()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn outcomes_convert_to_errors() {
    let e = ApiOutcome::RateLimited {
        retry_after: Some(3),
    }
    .into_result()
    .unwrap_err();
    assert_eq!(
        (e.status(), e.retry_after(), e.kind()),
        (Some(429), Some(3), crate::ErrorKind::Api)
    );
    assert_eq!(ApiOutcome::Ok(json!(1)).into_result(), Ok(json!(1)));
}

/// A search page of 2,000 objects is well over the 1 MiB token-response limit.
fn big_search_page() -> String {
    let objects: Vec<_> = (0..2_000)
        .map(|i| json!({"ID": format!("{i:032x}"), "name": "x".repeat(600), "objCode": "PROJ"}))
        .collect();
    json!({ "data": objects }).to_string()
}

#[test]
fn api_bodies_over_the_token_limit_classify() {
    let body = big_search_page();
    assert!(body.len() > crate::MAX_RESPONSE_BYTES);
    match classify_api_response(&respond(200, &body), T0) {
        ApiOutcome::Ok(serde_json::Value::Array(items)) => assert_eq!(items.len(), 2_000),
        other => panic!("{:?}", other.is_auth_failure()),
    }
}

#[test]
fn api_bodies_over_the_given_limit_are_refused() {
    let body = big_search_page();
    match classify_api_response_with_limit(&respond(200, &body), T0, 1024) {
        ApiOutcome::Unexpected(Error::ResponseTooLarge { size, limit: 1024 }) => {
            assert_eq!(size, body.len())
        }
        other => panic!("{:?}", other.is_auth_failure()),
    }
    let over = vec![b' '; MAX_API_RESPONSE_BYTES + 1];
    let response = HttpResponse::new(500, Headers::new(), over);
    assert!(matches!(
        classify_api_response(&response, T0),
        ApiOutcome::Unexpected(Error::ResponseTooLarge { .. })
    ));
}

#[test]
fn api_base_is_built_once_and_tokens_of_another_instance_get_their_own() {
    let (c, t) = setup(Provider::WorkfrontLegacy);
    assert_eq!(
        c.derived.api_base,
        api_base_url(c.instance(), c.api_version()),
        "the configured instance's API base is cached"
    );
    let req = c
        .api_request(&t, Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://acme.my.workfront.com/attask/api/v20.0/proj/search"
    );
    let other = Instance::parse("beta.my.workfront.com").unwrap();
    let t2 = TokenSet::new(AccessToken::new("tok"), other.clone(), T0);
    // Not allowed by this configuration: refused before any request exists.
    assert_eq!(
        c.api_request(&t2, Method::Get, "proj/search", &[], None),
        Err(Error::CredentialInstanceNotAllowed {
            host: "beta.my.workfront.com".into()
        })
    );
    let multi = ClientConfig::builder(c.instance().clone(), "cid")
        .instance_policy(InstancePolicy::configured_only().allow_instance(other))
        .build()
        .unwrap();
    let req = multi
        .api_request(&t2, Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://beta.my.workfront.com/attask/api/v20.0/proj/search"
    );
}

#[test]
fn credential_headers_are_those_api_requests_carry() {
    for (provider, name, value) in [
        (Provider::WorkfrontLegacy, "sessionID", "tok"),
        (Provider::adobe_ims(), "Authorization", "Bearer tok"),
    ] {
        let (c, t) = setup(provider);
        let headers = c.credential_headers(&t).unwrap();
        let pairs: Vec<_> = headers.iter().collect();
        assert_eq!(pairs, vec![(name, value)]);
        let req = c
            .api_request(&t, Method::Get, "proj/search", &[], None)
            .unwrap();
        let sensitive: Vec<_> = req
            .headers()
            .iter()
            .filter(|(n, _)| crate::is_sensitive_header(n))
            .collect();
        assert_eq!(sensitive, pairs);
    }
}
