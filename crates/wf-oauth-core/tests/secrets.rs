//! No Debug or Display output of any secret-bearing value contains a secret.

use serde_json::json;
use wf_oauth_core::*;

const CLIENT_SECRET: &str = "cs-Z9x8W7v6U5t4S3r2";
const CODE: &str = "code-Q1w2E3r4T5y6U7i8";
const ACCESS: &str = "sess-A1b2C3d4E5f6G7h8";
const REFRESH: &str = "ref-H8g7F6e5D4c3B2a1";

fn assert_clean(what: &str, shown: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(!shown.contains(s), "{what} leaks {s}: {shown}");
    }
}

fn both<T: std::fmt::Debug + std::fmt::Display>(v: &T) -> String {
    format!("{v} {v:?} {v:#?}")
}

#[test]
fn nothing_prints_a_secret() {
    let all = [CLIENT_SECRET, CODE, ACCESS, REFRESH];
    let now = UnixTime::from_secs(1_700_000_000);

    for s in [
        both(&ClientSecret::new(CLIENT_SECRET)),
        both(&AuthorizationCode::new(CODE)),
        both(&AccessToken::new(ACCESS)),
        both(&RefreshToken::new(REFRESH)),
        both(&PkceVerifier::new(CODE)),
        both(&State::new(CODE)),
        both(&IdToken::new(CODE)),
        both(&Nonce::new(CODE)),
    ] {
        assert_clean("secret newtype", &s, &all);
    }

    for auth in [ClientAuth::Basic, ClientAuth::Post] {
        let config =
            ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
                .client_secret(ClientSecret::new(CLIENT_SECRET))
                .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
                .client_auth(auth)
                .pkce(true)
                .build()
                .unwrap();
        assert_clean("config", &format!("{config:?}"), &all);

        let pending = config.authorize(&[5; 64], now).unwrap();
        let verifier = pending.pkce_verifier().unwrap().secret().to_owned();
        let state = pending.state().secret().to_owned();
        assert_clean("pending", &format!("{pending:?}"), &[&verifier, &state]);

        let authorization = pending
            .accept_callback(&format!("code={CODE}&state={state}"), now)
            .unwrap();
        assert_clean(
            "authorization",
            &format!("{authorization:?}"),
            &[CODE, &verifier],
        );

        let request = config.code_grant_request(&authorization, now).unwrap();
        assert_clean(
            "code request",
            &format!("{request:?}"),
            &[CLIENT_SECRET, CODE, &verifier],
        );

        let response = HttpResponse::new(
            200,
            Headers::new(),
            serde_json::to_vec(&json!({"access_token": ACCESS, "refresh_token": REFRESH})).unwrap(),
        );
        assert_clean("response", &format!("{response:?}"), &all);
        let tokens = config
            .parse_code_response(&authorization, &response, now)
            .unwrap();
        assert_clean("tokens", &format!("{tokens:?}"), &all);

        let refresh = config.refresh_request(&tokens).unwrap();
        assert_clean("refresh request", &format!("{refresh:?}"), &all);
        let api = config
            .api_request(&tokens, Method::Get, "proj/search", &[], None)
            .unwrap();
        assert_clean("api request", &format!("{api:?}"), &all);

        let credential = Credential::from_config(&config, tokens);
        assert_clean("credential", &format!("{credential:?}"), &all);
    }
}

#[test]
fn errors_from_failing_inputs_print_no_secret() {
    let now = UnixTime::from_secs(1_700_000_000);
    let instance = Instance::parse("acme.my.workfront.com").unwrap();
    let all = [CLIENT_SECRET, CODE, ACCESS, REFRESH];
    let bodies: Vec<(u16, String)> = vec![
        (400, json!({"error": "invalid_grant", "error_description": format!("code {CODE} expired")}).to_string()),
        (400, json!({"error": "invalid_client", "error_description": format!("client_secret={CLIENT_SECRET}")}).to_string()),
        (401, json!({"error": {"class": "x", "message": format!("refresh token {REFRESH} revoked")}}).to_string()),
        (502, format!("<html><body>upstream said access_token={ACCESS}&refresh_token={REFRESH}</body></html>")),
        (500, format!("Internal error while handling {{\"code\":\"{CODE}\",\"client_secret\":\"{CLIENT_SECRET}\"}}")),
        (200, format!("sessionID: {ACCESS}\nAuthorization: Basic {REFRESH}")),
        (429, format!("rate limited for token {ACCESS}")),
    ];
    for (status, body) in bodies {
        let response = HttpResponse::new(status, Headers::new(), body.clone().into_bytes());
        let error =
            parse_token_response(&response, &Provider::WorkfrontLegacy, &instance, now, None)
                .expect_err(&body);
        assert_clean("token error", &format!("{error} {error:?}"), &all);
        let outcome = classify_api_response(&response, now);
        assert_clean("api outcome", &format!("{outcome:?}"), &all);
        if let Err(e) = outcome.into_result() {
            assert_clean("api error", &format!("{e} {e:?}"), &all);
        }
    }

    let config = ClientConfig::builder(instance.clone(), "cid")
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .build()
        .unwrap();
    let pending = config.authorize(&[5; 64], now).unwrap();
    for callback in [
        format!("code={CODE}&state=forged"),
        format!("code={CODE}"),
        format!("code={CODE}&code={CODE}"),
        format!(
            "https://evil.example.com/cb?code={CODE}&state={}",
            pending.state().secret()
        ),
        format!(
            "error=server_error&error_description=bad+code+{CODE}&state={}",
            pending.state().secret()
        ),
        format!(
            "code={CODE}&domain=evil&lane=my&state={}",
            pending.state().secret()
        ),
    ] {
        let error = pending.accept_callback(&callback, now).unwrap_err();
        assert_clean("callback error", &format!("{error} {error:?}"), &all);
    }
    let authorization = pending
        .accept_callback(
            &format!("code={CODE}&state={}", pending.state().secret()),
            now,
        )
        .unwrap();
    let error = config
        .code_grant_request(&authorization, now.plus_secs(500))
        .unwrap_err();
    assert_clean("expired", &format!("{error} {error:?}"), &all);

    let stored = format!(
        r#"{{"format":1,"access_token":{{"x":"{ACCESS}"}},"instance":"https://a.b.com","token_type":"x","obtained_at":1}}"#
    );
    let error = TokenSet::from_json(&stored).unwrap_err();
    assert_clean("stored", &format!("{error} {error:?}"), &all);
}
