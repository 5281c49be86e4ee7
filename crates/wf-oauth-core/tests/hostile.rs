//! Hostile input against the core: credentials naming foreign instances, planted pending
//! authorizations, callbacks with damaged codes or another server's `iss`, refused codes.
//! Every case asserts the typed error, and that no request value carrying a credential
//! was produced.

use wf_oauth_core::*;

const T0: UnixTime = UnixTime::from_secs(1_750_000_000);
const REDIRECT: &str = "https://app.example.com/callback";

fn config_for(provider: Provider) -> ClientConfig {
    ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("s3cret-value"))
        .redirect_uri(RedirectUri::parse(REDIRECT).unwrap())
        .scope("openid")
        .provider(provider)
        .build()
        .unwrap()
}

fn config() -> ClientConfig {
    config_for(Provider::WorkfrontLegacy)
}

fn tokens_for(instance: &str) -> TokenSet {
    TokenSet::new(
        AccessToken::new("access-value"),
        Instance::parse(instance).unwrap(),
        T0,
    )
    .with_refresh_token(Some(RefreshToken::new("refresh-value")))
}

fn callback(pending: &PendingAuthorization, rest: &str) -> String {
    format!("{REDIRECT}?state={}&{rest}", pending.state().secret())
}

fn refused(host: &str) -> Error {
    Error::CredentialInstanceNotAllowed { host: host.into() }
}

#[test]
fn tokens_naming_another_instance_are_never_sent_there() {
    for provider in [
        Provider::WorkfrontLegacy,
        Provider::adobe_ims(),
        Provider::generic("https://auth.example.com/a", "https://auth.example.com/t").unwrap(),
    ] {
        let config = config_for(provider);
        for host in [
            "evil.example.com",
            "acme.my.workfront.com.evil.example.com",
            "acme.preview.workfront.com",
            "http://127.0.0.1:9",
            "http://localhost",
        ] {
            let foreign = tokens_for(host);
            let expected = refused(foreign.instance().host());
            assert_eq!(config.refresh_request(&foreign).unwrap_err(), expected);
            assert_eq!(
                config
                    .api_request(&foreign, Method::Get, "proj/search", &[], None)
                    .unwrap_err(),
                expected
            );
            assert_eq!(config.logout_request(&foreign).unwrap_err(), expected);
            assert_eq!(config.credential_headers(&foreign).unwrap_err(), expected);
            assert_eq!(expected.kind(), ErrorKind::InvalidArgument);
            // The message names the host, never a credential.
            let text = expected.to_string();
            assert!(!text.contains("access-value") && !text.contains("refresh-value"));
        }
    }
}

#[test]
fn tokens_from_json_are_bound_like_any_other() {
    let doc = tokens_for("evil.example.com").to_json();
    let planted = TokenSet::from_json(&doc).unwrap();
    assert_eq!(
        config().refresh_request(&planted).unwrap_err(),
        refused("evil.example.com")
    );
    let mut credential = Credential::from_config(&config(), planted);
    let ticket = credential.begin_refresh().unwrap();
    assert_eq!(
        credential.refresh_request(&config(), &ticket).unwrap_err(),
        refused("evil.example.com")
    );
}

#[test]
fn the_allow_list_decides_which_other_instances_are_used() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("s"))
        .instance_policy(
            InstancePolicy::configured_only()
                .allow_suffix("workfront.com")
                .unwrap(),
        )
        .build()
        .unwrap();
    let allowed = tokens_for("beta.preview.workfront.com");
    let request = config.refresh_request(&allowed).unwrap();
    assert_eq!(request.url().host_str(), Some("beta.preview.workfront.com"));
    assert!(
        config
            .refresh_request(&tokens_for("evil-workfront.com"))
            .is_err()
    );
    assert!(
        config
            .refresh_request(&tokens_for("http://127.0.0.1:9"))
            .is_err()
    );
}

#[test]
fn ims_and_generic_token_endpoints_are_the_configured_ones() {
    let multi = |provider| {
        ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
            .client_secret(ClientSecret::new("s"))
            .scope("openid")
            .provider(provider)
            .instance_policy(
                InstancePolicy::configured_only()
                    .allow_suffix("workfront.com")
                    .unwrap(),
            )
            .build()
            .unwrap()
    };
    let tokens = tokens_for("beta.my.workfront.com");
    let ims = multi(Provider::adobe_ims())
        .refresh_request(&tokens)
        .unwrap();
    assert_eq!(
        ims.url().as_str(),
        "https://ims-na1.adobelogin.com/ims/token/v3"
    );
    let generic = multi(
        Provider::generic("https://auth.example.com/a", "https://auth.example.com/t").unwrap(),
    )
    .refresh_request(&tokens)
    .unwrap();
    assert_eq!(generic.url().as_str(), "https://auth.example.com/t");
}

#[test]
fn a_planted_pending_authorization_cannot_widen_the_allow_list() {
    let config = config();
    let pending = config.authorize(&[3; 64], T0).unwrap();
    // The application's session store was tampered with: its copy now allows every
    // instance a callback's `domain` and `lane` can name.
    let mut doc: serde_json::Value = serde_json::from_str(&pending.to_json()).unwrap();
    doc["instance_policy"] = serde_json::json!({"instances": [], "suffixes": ["workfront.com"]});
    let planted_wf = PendingAuthorization::from_json(&doc.to_string()).unwrap();
    let answer = planted_wf
        .accept_callback(&callback(&planted_wf, "code=c0de&domain=evil&lane=my"), T0)
        .expect("the planted copy lets the callback through");
    assert_eq!(answer.instance().host(), "evil.my.workfront.com");
    assert_eq!(
        config.code_grant_request(&answer, T0).unwrap_err(),
        Error::InstanceNotAllowed {
            host: "evil.my.workfront.com".into()
        }
    );
}

#[test]
fn damaged_codes_are_refused_before_any_request() {
    let config = config();
    let pending = config.authorize(&[4; 64], T0).unwrap();
    for code in [
        "%FF%FE",
        "ab%C0%AFcd",
        "%ED%A0%80",
        "a%0Db",
        "a%0Ab",
        "a%00b",
        "a%20b",
        "a+b",
        "%20",
        "a%09b",
        "%7F",
        "caf%C3%A9",
        "%E2%80%8B",
    ] {
        let e = pending
            .accept_callback(&callback(&pending, &format!("code={code}")), T0)
            .unwrap_err();
        assert!(
            matches!(e, Error::CallbackMalformed { .. }),
            "{code}: {e:?}"
        );
        assert_eq!(e.kind(), ErrorKind::Protocol);
    }
    let long = "x".repeat(4097);
    assert!(matches!(
        pending.accept_callback(&callback(&pending, &format!("code={long}")), T0),
        Err(Error::CallbackMalformed { .. })
    ));
    // Every printable ASCII character but the space is fine, percent-encoded or not.
    let ok = pending
        .accept_callback(&callback(&pending, "code=a%21~%7E-_.%2Fb"), T0)
        .unwrap();
    assert_eq!(ok.code().secret(), "a!~~-_./b");
    // Pasted codes follow the same rule.
    for pasted in ["a\u{0}b", "a\rb", "café", "\u{fffd}"] {
        assert!(pending.accept_code(pasted, T0).is_err(), "{pasted:?}");
    }
}

#[test]
fn iss_must_name_the_issuer_the_authorization_went_to() {
    let ims = config_for(Provider::adobe_ims());
    assert_eq!(ims.issuer(), Some("https://ims-na1.adobelogin.com"));
    let pending = ims.authorize(&[5; 64], T0).unwrap();
    let good = "iss=https%3A%2F%2Fims-na1.adobelogin.com&code=c0de";
    assert!(
        pending
            .accept_callback(&callback(&pending, good), T0)
            .is_ok()
    );
    for iss in [
        "https%3A%2F%2Fevil.example.com",
        "https%3A%2F%2Fims-na1.adobelogin.com%2F",
        "https%3A%2F%2FIMS-NA1.adobelogin.com",
        "",
    ] {
        let e = pending
            .accept_callback(&callback(&pending, &format!("iss={iss}&code=c0de")), T0)
            .unwrap_err();
        assert!(matches!(e, Error::IssuerMismatch { .. }), "{iss}: {e:?}");
        assert_eq!(e.kind(), ErrorKind::StateMismatch);
        // An error answer in another server's name is a mix-up too.
        let e = pending
            .accept_callback(
                &callback(&pending, &format!("iss={iss}&error=access_denied")),
                T0,
            )
            .unwrap_err();
        assert!(matches!(e, Error::IssuerMismatch { .. }), "{iss}: {e:?}");
    }
    let twice = "iss=https%3A%2F%2Fims-na1.adobelogin.com&iss=x&code=c0de";
    assert!(matches!(
        pending.accept_callback(&callback(&pending, twice), T0),
        Err(Error::DuplicateParameter { .. })
    ));
    // Without `iss` the callback is accepted, unless the configuration requires it.
    assert!(
        pending
            .accept_callback(&callback(&pending, "code=c0de"), T0)
            .is_ok()
    );
    let strict = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse(REDIRECT).unwrap())
        .scope("openid")
        .provider(Provider::adobe_ims())
        .require_issuer(true)
        .build()
        .unwrap();
    let pending = strict.authorize(&[6; 64], T0).unwrap();
    assert_eq!(
        pending.accept_callback(&callback(&pending, "code=c0de"), T0),
        Err(Error::IssuerMissing)
    );
    // The requirement survives the pending authorization's stored form.
    let restored = PendingAuthorization::from_json(&pending.to_json()).unwrap();
    assert_eq!(
        restored.accept_callback(&callback(&restored, "code=c0de"), T0),
        Err(Error::IssuerMissing)
    );
}

#[test]
fn issuers_per_provider() {
    assert_eq!(config().issuer(), Some("https://acme.my.workfront.com"));
    let generic = config_for(
        Provider::generic("https://auth.example.com/a", "https://auth.example.com/t").unwrap(),
    );
    assert_eq!(generic.issuer(), None);
    // An unknown issuer cannot vouch for any `iss`.
    let pending = generic.authorize(&[7; 64], T0).unwrap();
    assert!(matches!(
        pending.accept_callback(
            &callback(&pending, "iss=https%3A%2F%2Fauth.example.com&code=c"),
            T0
        ),
        Err(Error::IssuerMismatch { expected: None, .. })
    ));
    let builder = || {
        ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid").provider(
            Provider::generic("https://auth.example.com/a", "https://auth.example.com/t").unwrap(),
        )
    };
    assert_eq!(
        builder()
            .issuer("https://auth.example.com")
            .build()
            .unwrap()
            .issuer(),
        Some("https://auth.example.com")
    );
    for bad in [
        "http://auth.example.com",
        "https://auth.example.com?x=1",
        "https://auth.example.com#f",
        "auth",
    ] {
        assert!(
            matches!(
                builder().issuer(bad).build(),
                Err(Error::InvalidConfig { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        builder().require_issuer(true).build(),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn a_refused_code_is_a_failed_sign_in_and_a_refused_refresh_is_a_lost_session() {
    let config = config();
    let pending = config.authorize(&[8; 64], T0).unwrap();
    let answer = pending
        .accept_callback(&callback(&pending, "code=c0de"), T0)
        .unwrap();
    let invalid_grant = HttpResponse::new(
        400,
        Headers::new(),
        br#"{"error":"invalid_grant","error_description":"code already used"}"#.to_vec(),
    );
    let e = config
        .parse_code_response(&answer, &invalid_grant, T0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthorizationFailed);
    assert!(!e.is_reauth_required());
    assert_eq!(
        e,
        Error::CodeRejected {
            status: 400,
            error: "invalid_grant".into(),
            description: Some("code already used".into()),
            uri: None
        }
    );
    let workfront = HttpResponse::new(
        400,
        Headers::new(),
        br#"{"error":{"class":"com.attask.common.InvalidGrantException","message":"invalid_grant"}}"#
            .to_vec(),
    );
    let e = config
        .parse_code_response(&answer, &workfront, T0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::AuthorizationFailed, "{e:?}");
    // Other refusals keep their kind.
    let invalid_client = HttpResponse::new(
        401,
        Headers::new(),
        br#"{"error":"invalid_client"}"#.to_vec(),
    );
    assert_eq!(
        config
            .parse_code_response(&answer, &invalid_client, T0)
            .unwrap_err()
            .kind(),
        ErrorKind::TokenEndpoint
    );
    // The same answer to a refresh means the user must sign in again.
    let tokens = tokens_for("acme.my.workfront.com");
    let e = config
        .parse_refresh_response(&tokens, &invalid_grant, T0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReauthRequired);
}
