//! Scripted conversations between a client and Workfront, step by step, with an injected
//! clock. Each line of a transcript is one protocol event.

use serde_json::json;
use wf_oauth_core::*;

/// The injected clock.
struct Clock(UnixTime);

impl Clock {
    fn start() -> Self {
        Clock(UnixTime::from_secs(1_750_000_000))
    }
    fn now(&self) -> UnixTime {
        self.0
    }
    fn advance(&mut self, secs: u64) {
        self.0 = self.0.plus_secs(secs);
    }
}

/// What Workfront answers, as values.
fn json_response(status: u16, body: serde_json::Value) -> HttpResponse {
    let headers: Headers = [("Content-Type", "application/json")].into_iter().collect();
    HttpResponse::new(status, headers, serde_json::to_vec(&body).unwrap())
}

fn token_response(access: &str, refresh: Option<&str>) -> HttpResponse {
    let mut body = json!({
        "token_type": "sessionID",
        "access_token": access,
        "expires_in": 0,
        "wid": "wid-1",
    });
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    json_response(200, body)
}

fn body_str(request: &HttpRequest) -> &str {
    std::str::from_utf8(request.body()).unwrap()
}

fn entropy(seed: u8) -> [u8; 64] {
    [seed; 64]
}

#[test]
fn confidential_client_from_login_to_rotated_refresh() {
    let mut clock = Clock::start();
    let config = ClientConfig::builder(
        Instance::parse("acme.my.workfront.com").unwrap(),
        "client-1",
    )
    .client_secret(ClientSecret::new("secret-1"))
    .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
    .client_auth(ClientAuth::Basic)
    .build()
    .unwrap();

    // client → browser: authorize URL
    let pending = config.authorize(&entropy(9), clock.now()).unwrap();
    assert!(pending
        .url()
        .starts_with("https://acme.my.workfront.com/integrations/oauth2/authorize?client_id=client-1&redirect_uri="));

    // the session store keeps the pending authorization across the redirect
    let stored = pending.to_json();
    clock.advance(20);
    let pending = PendingAuthorization::from_json(&stored).unwrap();

    // Workfront → browser → client: callback with code, domain, lane, state
    let callback = format!(
        "https://app.example.com/callback?code=code-1&domain=acme&lane=my&state={}",
        pending.state().secret()
    );
    let authorization = pending.accept_callback(&callback, clock.now()).unwrap();
    assert_eq!(authorization.instance().host(), "acme.my.workfront.com");

    // client → Workfront: code grant, 3 s later
    clock.advance(3);
    let request = config
        .code_grant_request(&authorization, clock.now())
        .unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://acme.my.workfront.com/integrations/oauth2/api/v1/token"
    );
    assert_eq!(
        body_str(&request),
        r#"{"code":"code-1","grant_type":"authorization_code","redirect_uri":"https://app.example.com/callback"}"#
    );

    // Workfront → client: tokens
    let tokens = config
        .parse_code_response(
            &authorization,
            &token_response("session-1", Some("refresh-1")),
            clock.now(),
        )
        .unwrap();
    assert_eq!(tokens.expires_at(), None);
    let mut credential = Credential::from_config(&config, tokens);

    // client → Workfront: API call with sessionID header
    let Decision::Use { generation } = credential.decide(clock.now()) else {
        panic!()
    };
    let call = config
        .api_request(credential.tokens(), Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(call.headers().get("sessionID"), Some("session-1"));
    let answer = json_response(200, json!({"data": [{"ID": "p1"}]}));
    assert_eq!(
        classify_api_response(&answer, clock.now()),
        ApiOutcome::Ok(json!([{"ID": "p1"}]))
    );

    // 9 hours later the session has timed out: 401
    clock.advance(9 * 3600);
    let refused = HttpResponse::new(401, Headers::new(), b"Unauthorized".to_vec());
    assert!(classify_api_response(&refused, clock.now()).is_auth_failure());
    assert_eq!(
        credential.on_auth_failure(generation),
        Decision::RefreshFirst { generation: 0 }
    );

    // and a concurrent call sees the 200-with-AuthenticationException form of the same thing
    let refused_200 = json_response(
        200,
        json!({"error": {"class": "com.attask.common.AuthenticationException", "message": "You are not currently logged in"}}),
    );
    assert!(classify_api_response(&refused_200, clock.now()).is_auth_failure());

    // client → Workfront: one refresh (the second failure waits for it)
    let ticket = credential.begin_refresh().unwrap();
    assert_eq!(
        credential.on_auth_failure(generation),
        Decision::WaitForRefresh
    );
    let refresh = credential.refresh_request(&config, &ticket).unwrap();
    assert_eq!(
        body_str(&refresh),
        r#"{"grant_type":"refresh_token","refresh_token":"refresh-1"}"#
    );

    // Workfront → client: new tokens, rotated refresh token
    let renewed = credential
        .parse_refresh_response(
            &config,
            &ticket,
            &token_response("session-2", Some("refresh-2")),
            clock.now(),
        )
        .unwrap();
    assert_eq!(renewed.refresh_token().unwrap().secret(), "refresh-2");
    let generation = credential.complete_refresh(ticket, renewed, 1).unwrap(); // saved as generation 1
    assert_eq!(generation, 1);

    // client → Workfront: the retried API call carries the new token
    assert_eq!(
        credential.decide(clock.now()),
        Decision::Use { generation: 1 }
    );
    let call = config
        .api_request(credential.tokens(), Method::Get, "proj/search", &[], None)
        .unwrap();
    assert_eq!(call.headers().get("sessionID"), Some("session-2"));

    // the late failure of the old token does not refresh again
    assert_eq!(
        credential.on_auth_failure(0),
        Decision::Use { generation: 1 }
    );

    // logout
    let logout = config.logout_request(credential.tokens()).unwrap();
    assert_eq!(
        logout.url().as_str(),
        "https://acme.my.workfront.com/attask/api/v20.0/logout"
    );
}

#[test]
fn public_client_with_pkce() {
    let mut clock = Clock::start();
    let config = ClientConfig::builder(
        Instance::parse("acme.preview.workfront.com").unwrap(),
        "spa-1",
    )
    .redirect_uri(RedirectUri::parse("http://127.0.0.1:8765/callback").unwrap())
    .build()
    .unwrap();
    assert!(config.is_public() && config.uses_pkce());

    let pending = config.authorize(&entropy(3), clock.now()).unwrap();
    let verifier = pending.pkce_verifier().unwrap().clone();
    let url = pending.url().to_owned();
    assert!(url.ends_with(&format!(
        "&code_challenge={}&code_challenge_method=S256",
        verifier.challenge()
    )));

    // the user pastes the query string of the redirect (headless login)
    clock.advance(30);
    let pasted = format!(
        "?code=c-2&domain=acme&lane=preview&state={}\n",
        pending.state().secret()
    );
    let authorization = pending.accept_callback(&pasted, clock.now()).unwrap();

    clock.advance(10);
    let request = config
        .code_grant_request(&authorization, clock.now())
        .unwrap();
    assert_eq!(request.headers().get("authorization"), None);
    assert_eq!(
        body_str(&request),
        format!(
            "grant_type=authorization_code&client_id=spa-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&code=c-2&code_verifier={}",
            verifier.secret()
        )
    );

    let tokens = config
        .parse_code_response(
            &authorization,
            &token_response("s-1", Some("r-1")),
            clock.now(),
        )
        .unwrap();
    let refresh = config.refresh_request(&tokens).unwrap();
    assert_eq!(
        body_str(&refresh),
        "grant_type=refresh_token&client_id=spa-1&redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcallback&refresh_token=r-1"
    );
}

#[test]
fn code_lives_exactly_two_minutes() {
    let clock = Clock::start();
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "c")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .build()
        .unwrap();
    let pending = config.authorize(&entropy(1), clock.now()).unwrap();
    let authorization = pending
        .accept_callback(
            &format!("code=c&state={}", pending.state().secret()),
            clock.now(),
        )
        .unwrap();
    assert!(
        config
            .code_grant_request(&authorization, clock.now().plus_secs(119))
            .is_ok()
    );
    let expired = config
        .code_grant_request(&authorization, clock.now().plus_secs(120))
        .unwrap_err();
    assert!(matches!(expired, Error::CodeExpired { age_secs: 120, .. }));
    assert_eq!(expired.kind(), ErrorKind::CodeExpired);
}

#[test]
fn refresh_without_new_refresh_token_keeps_the_previous_one() {
    let mut clock = Clock::start();
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "c")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .client_auth(ClientAuth::Post)
        .build()
        .unwrap();
    let tokens = TokenSet::new(
        AccessToken::new("s-1"),
        config.instance().clone(),
        clock.now(),
    )
    .with_refresh_token(Some(RefreshToken::new("r-1")));
    let mut credential = Credential::from_config(&config, tokens);
    clock.advance(600);
    assert_eq!(
        credential.on_auth_failure(0),
        Decision::RefreshFirst { generation: 0 }
    );
    let ticket = credential.begin_refresh().unwrap();
    let request = credential.refresh_request(&config, &ticket).unwrap();
    assert_eq!(
        body_str(&request),
        "grant_type=refresh_token&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcb&refresh_token=r-1&client_id=c&client_secret=s"
    );
    let renewed = credential
        .parse_refresh_response(&config, &ticket, &token_response("s-2", None), clock.now())
        .unwrap();
    credential.complete_refresh(ticket, renewed, 1).unwrap();
    assert_eq!(credential.tokens().access_token().secret(), "s-2");
    assert_eq!(credential.tokens().refresh_token().unwrap().secret(), "r-1");
    assert_eq!(credential.tokens().obtained_at(), clock.now());
}

#[test]
fn revoked_refresh_token_leads_to_reauth() {
    let clock = Clock::start();
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "c")
        .client_secret(ClientSecret::new("s"))
        .build()
        .unwrap();
    let tokens = TokenSet::new(
        AccessToken::new("s-1"),
        config.instance().clone(),
        clock.now(),
    )
    .with_refresh_token(Some(RefreshToken::new("r-1")));
    let mut credential = Credential::from_config(&config, tokens);
    let ticket = credential.begin_refresh().unwrap();
    let refused = json_response(
        400,
        json!({"error": "invalid_grant", "error_description": "refresh token revoked"}),
    );
    let error = credential
        .parse_refresh_response(&config, &ticket, &refused, clock.now())
        .unwrap_err();
    assert!(error.is_reauth_required());
    assert_eq!(error.kind(), ErrorKind::ReauthRequired);
    credential.fail_refresh(ticket, &error);
    assert_eq!(credential.decide(clock.now()), Decision::ReauthRequired);
}

#[test]
fn adobe_ims_server_to_server() {
    let mut clock = Clock::start();
    let config = ClientConfig::builder(
        Instance::parse("acme.my.workfront.adobe.com").unwrap(),
        "s2s",
    )
    .client_secret(ClientSecret::new("p8-abc"))
    .provider(Provider::adobe_ims())
    .scope("openid,AdobeID")
    .build()
    .unwrap();
    let request = config.client_credentials_request().unwrap();
    assert_eq!(
        request.url().as_str(),
        "https://ims-na1.adobelogin.com/ims/token/v3"
    );
    let response = json_response(
        200,
        json!({"access_token": "eyJ.x.y", "token_type": "bearer", "expires_in": 86399}),
    );
    let tokens = config
        .parse_client_credentials_response(&response, clock.now())
        .unwrap();
    assert_eq!(tokens.token_type(), &TokenType::Bearer);
    let mut credential = Credential::for_client_credentials(tokens, config.refresh_skew_secs());
    let call = config
        .api_request(credential.tokens(), Method::Get, "user/search", &[], None)
        .unwrap();
    assert_eq!(call.headers().get("Authorization"), Some("Bearer eyJ.x.y"));
    assert!(
        call.url()
            .as_str()
            .starts_with("https://acme.my.workfront.adobe.com/attask/api/v20.0/")
    );
    clock.advance(86399 - 60);
    assert_eq!(
        credential.decide(clock.now()),
        Decision::RefreshFirst { generation: 0 }
    );
    let ticket = credential.begin_refresh().unwrap();
    let again = credential.refresh_request(&config, &ticket).unwrap();
    assert!(body_str(&again).starts_with("grant_type=client_credentials&"));
}
