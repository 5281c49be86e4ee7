//! The authorization code flow end to end over HTTP: pages, redirects, both client
//! authentication shapes, PKCE, and the first API call.

mod common;

use common::*;
use reqwest::StatusCode;
use url::Url;

/// Extracts `name="…" value="…"` of a hidden input.
fn hidden(page: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = page.find(&marker).expect("hidden field") + marker.len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].replace("&amp;", "&")
}

fn query(url: &Url) -> Vec<(String, String)> {
    url.query_pairs().into_owned().collect()
}

fn param<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str())
}

/// Drives login + consent like a browser; returns the final redirect.
async fn browser_flow(
    mock: &wf_oauth_mock::RunningMock,
    authorize_query: &str,
    decision: &str,
) -> Url {
    let c = client();
    let url = format!("{}?{authorize_query}", mock.authorize_url());
    let page = c.get(&url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("id=\"username\"") && page.contains("id=\"login\""));
    let return_to = hidden(&page, "return_to");

    // Wrong password: the login page again, with a message.
    let login = format!("{}/integrations/oauth2/login", mock.base_url());
    let bad = c
        .post(&login)
        .form(&[
            ("username", "demo"),
            ("password", "nope"),
            ("return_to", &return_to),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::OK);
    assert!(bad.headers().get("set-cookie").is_none());
    assert!(
        bad.text()
            .await
            .unwrap()
            .contains("Invalid username or password")
    );

    let ok = c
        .post(&login)
        .form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("return_to", &return_to),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    let cookie = ok.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let back = ok.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(back, return_to);

    let consent = c
        .get(format!("{}{back}", mock.base_url()))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(consent.status(), StatusCode::OK);
    let consent = consent.text().await.unwrap();
    assert!(consent.contains("id=\"allow\"") && consent.contains("wf-oauth demo"));
    let token = hidden(&consent, "consent_token");

    let decided = c
        .post(format!("{}/integrations/oauth2/consent", mock.base_url()))
        .header("cookie", &cookie)
        .form(&[("consent_token", token.as_str()), ("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::FOUND);
    let location = Url::parse(decided.headers()["location"].to_str().unwrap()).unwrap();

    // The consent form is single-use.
    let again = c
        .post(format!("{}/integrations/oauth2/consent", mock.base_url()))
        .header("cookie", &cookie)
        .form(&[("consent_token", token.as_str()), ("decision", decision)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    location
}

fn authorize_query(client_id: &str, redirect: &str, extra: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect)
        .append_pair("response_type", "code");
    for (k, v) in extra {
        s.append_pair(k, v);
    }
    s.finish()
}

#[tokio::test]
async fn login_consent_allow_then_json_basic_exchange_and_api_call() {
    let mock = spawn().await;
    let q = authorize_query(
        CLIENT,
        REDIRECT,
        &[("state", "xyz 1"), ("scope", "offline_access")],
    );
    let back = browser_flow(&mock, &q, "allow").await;
    assert_eq!(back.as_str().split('?').next().unwrap(), REDIRECT);
    let p = query(&back);
    assert_eq!(param(&p, "domain"), Some("mock"));
    assert_eq!(param(&p, "lane"), Some("my"));
    assert_eq!(param(&p, "state"), Some("xyz 1"));
    let code = param(&p, "code").unwrap().to_owned();

    let resp = exchange_json(&mock, &code).await;
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["token_type"], "sessionID");
    assert_eq!(v["expires_in"], 0);
    assert!(v["wid"].as_str().is_some_and(|w| w.len() == 32));
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5);
    let access = v["access_token"].as_str().unwrap();
    assert_ne!(access, v["refresh_token"].as_str().unwrap());

    let (status, data) = json(api_get(&mock, access, "proj/search").await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data["data"].as_array().unwrap().len(), 100);
    let stats = mock.stats();
    assert_eq!(stats.grant_status("authorization_code", "200"), 1);
    assert_eq!(stats.status("consent", "302"), 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn deny_redirects_with_access_denied_and_state() {
    let mock = spawn().await;
    let q = authorize_query(CLIENT, REDIRECT_WITH_QUERY, &[("state", "s1")]);
    let back = browser_flow(&mock, &q, "deny").await;
    let p = query(&back);
    assert_eq!(param(&p, "tenant"), Some("a"), "existing query kept");
    assert_eq!(param(&p, "error"), Some("access_denied"));
    assert!(param(&p, "error_description").is_some());
    assert_eq!(param(&p, "state"), Some("s1"));
    assert_eq!(param(&p, "code"), None);
}

#[tokio::test]
async fn auto_approve_redirects_at_once_and_appends_to_existing_query() {
    let mock = builder().auto_approve(true).spawn().await.unwrap();
    let q = authorize_query(CLIENT, REDIRECT_WITH_QUERY, &[]);
    let resp = client()
        .get(format!("{}?{q}", mock.authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let loc = resp.headers()["location"].to_str().unwrap();
    assert!(
        loc.starts_with("http://127.0.0.1:9/cb?tenant=a&code="),
        "{loc}"
    );
    let back = Url::parse(loc).unwrap();
    let p = query(&back);
    assert_eq!(param(&p, "state"), None, "no state sent, none returned");
    let code = param(&p, "code").unwrap();
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_WITH_QUERY),
            ("code", code),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ])
        .send()
        .await
        .unwrap();
    tokens(resp).await;
}

#[tokio::test]
async fn form_exchange_and_both_refresh_shapes() {
    let mock = spawn().await;
    let (access, refresh) = tokens(exchange_form(&mock, &code(&mock)).await).await;
    let (access2, refresh2) = tokens(refresh_json(&mock, &refresh).await).await;
    assert_ne!(refresh, refresh2, "rotation is on by default");
    let (access3, _) = tokens(refresh_form(&mock, &refresh2).await).await;
    // Older sessions stay valid after a refresh.
    for a in [&access, &access2, &access3] {
        assert_eq!(
            api_get(&mock, a, "proj/count").await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 2);
}

#[tokio::test]
async fn pkce_public_client_flow() {
    let mock = builder().auto_approve(true).spawn().await.unwrap();
    // Public clients must send a challenge.
    let q = authorize_query(PUBLIC, REDIRECT, &[]);
    let resp = client()
        .get(format!("{}?{q}", mock.authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(resp.headers().get("location").is_none());

    let q = authorize_query(
        PUBLIC,
        REDIRECT,
        &[
            ("code_challenge", CHALLENGE),
            ("code_challenge_method", "S256"),
            ("state", "p"),
        ],
    );
    let resp = client()
        .get(format!("{}?{q}", mock.authorize_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    let back = Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let p = query(&back);
    let code = param(&p, "code").unwrap().to_owned();

    let exchange = |code: String, verifier: &'static str| {
        let url = mock.token_url();
        async move {
            client()
                .post(url)
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", PUBLIC),
                    ("redirect_uri", REDIRECT),
                    ("code", &code),
                    ("code_verifier", verifier),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let wrong = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    assert_oauth_error(exchange(code.clone(), wrong).await, 400, "invalid_grant").await;
    // The failed attempt burned the code.
    assert_oauth_error(exchange(code, VERIFIER).await, 400, "invalid_grant").await;

    let (_, refresh) = tokens(exchange(public_code(&mock), VERIFIER).await).await;
    let resp = client()
        .post(mock.token_url())
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", PUBLIC),
            ("redirect_uri", REDIRECT),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap();
    tokens(resp).await;
}

#[tokio::test]
async fn confidential_client_may_use_pkce_too() {
    let mock = spawn().await;
    let code = mock.issue_code(CLIENT, REDIRECT, Some(CHALLENGE)).unwrap();
    // Without the verifier the code is refused.
    let resp = exchange_form(&mock, &code).await;
    assert_oauth_error(resp, 400, "invalid_grant").await;
    let code = mock.issue_code(CLIENT, REDIRECT, Some(CHALLENGE)).unwrap();
    let resp = client()
        .post(mock.token_url())
        .header("authorization", basic(CLIENT, SECRET))
        .json(&serde_json::json!({
            "code": code, "grant_type": "authorization_code",
            "redirect_uri": REDIRECT, "code_verifier": VERIFIER
        }))
        .send()
        .await
        .unwrap();
    tokens(resp).await;
}

#[tokio::test]
async fn authorize_errors_are_html_pages_never_redirects() {
    let mock = spawn().await;
    let cases = [
        authorize_query("unknown", REDIRECT, &[]),
        authorize_query(CLIENT, "http://evil.example/cb", &[]),
        authorize_query(CLIENT, "http://127.0.0.1:9/callback/", &[]),
        authorize_query(
            CLIENT,
            REDIRECT,
            &[
                ("code_challenge", CHALLENGE),
                ("code_challenge_method", "plain"),
            ],
        ),
        authorize_query(
            CLIENT,
            REDIRECT,
            &[
                ("code_challenge", "short"),
                ("code_challenge_method", "S256"),
            ],
        ),
        authorize_query(CLIENT, REDIRECT, &[("state", "a"), ("state", "b")]),
        format!(
            "client_id={CLIENT}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback&response_type=token"
        ),
        format!("client_id={CLIENT}&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback"),
        format!("client_id={CLIENT}&response_type=code"),
        String::new(),
    ];
    for q in cases {
        let resp = client()
            .get(format!("{}?{q}", mock.authorize_url()))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{q}");
        assert!(resp.headers().get("location").is_none());
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        assert!(resp.text().await.unwrap().contains("id=\"error\""));
    }
    // A login form that tries to bounce elsewhere is refused.
    let resp = client()
        .post(format!("{}/integrations/oauth2/login", mock.base_url()))
        .form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("return_to", "http://evil.example/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    // A consent post without a sign-in is refused.
    let resp = client()
        .post(format!("{}/integrations/oauth2/consent", mock.base_url()))
        .form(&[("consent_token", "x"), ("decision", "allow")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn sign_in_expires_after_idle_time() {
    let mock = spawn().await;
    let q = authorize_query(CLIENT, REDIRECT, &[]);
    let page = client()
        .get(format!("{}?{q}", mock.authorize_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let return_to = hidden(&page, "return_to");
    let ok = client()
        .post(format!("{}/integrations/oauth2/login", mock.base_url()))
        .form(&[
            ("username", "demo"),
            ("password", "demo"),
            ("return_to", &return_to),
        ])
        .send()
        .await
        .unwrap();
    let cookie = ok.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    mock.advance_clock(mock.config().session_idle + std::time::Duration::from_secs(1));
    let page = client()
        .get(format!("{}{return_to}", mock.base_url()))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"password\""), "back to the login page");
}
