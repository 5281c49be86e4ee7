use super::*;
use crate::config::ClientAuth;
use crate::provider::Provider;
use crate::secret::ClientSecret;

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn entropy() -> [u8; 64] {
    let mut e = [0u8; 64];
    for (i, b) in e.iter_mut().enumerate() {
        *b = i as u8;
    }
    e
}

fn confidential() -> ClientConfig {
    ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("sec"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .client_auth(ClientAuth::Basic)
        .build()
        .unwrap()
}

fn pending() -> PendingAuthorization {
    confidential().authorize(&entropy(), T0).unwrap()
}

fn callback(p: &PendingAuthorization, extra: &str) -> String {
    format!(
        "https://app.example.com/callback?code=abc&state={}{extra}",
        p.state().secret()
    )
}

#[test]
fn authorize_url_is_the_seed_pages_byte_for_byte() {
    let p = pending();
    assert_eq!(
        p.url(),
        "https://acme.my.workfront.com/integrations/oauth2/authorize?client_id=cid\
         &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&response_type=code\
         &state=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
    );
    assert_eq!(p.state().secret().len(), 43);
    assert!(p.pkce_verifier().is_none());
    assert_eq!(p.created_at(), T0);
}

#[test]
fn authorize_url_with_scope_and_pkce() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "spa")
        .redirect_uri(RedirectUri::parse("http://127.0.0.1:8765/cb").unwrap())
        .scope("offline_access openid")
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let verifier = p.pkce_verifier().unwrap();
    assert_eq!(verifier.secret().len(), 43);
    assert_eq!(
        p.url(),
        format!(
            "https://acme.my.workfront.com/integrations/oauth2/authorize?client_id=spa\
             &redirect_uri=http%3A%2F%2F127.0.0.1%3A8765%2Fcb&response_type=code\
             &state=AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8&scope=offline_access+openid\
             &code_challenge={}&code_challenge_method=S256",
            verifier.challenge()
        )
    );
}

#[test]
fn authorize_on_ims_and_generic_endpoints() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "ims")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .provider(Provider::adobe_ims())
        .scope("openid")
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    assert!(
        p.url()
            .starts_with("https://ims-na1.adobelogin.com/ims/authorize/v2?client_id=ims&")
    );
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "g")
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .provider(
            Provider::generic(
                "https://auth.example.com/authorize?tenant=x",
                "https://auth.example.com/token",
            )
            .unwrap(),
        )
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    assert!(
        p.url()
            .starts_with("https://auth.example.com/authorize?tenant=x&client_id=g&")
    );
}

#[test]
fn authorize_without_redirect_uri_is_a_config_error() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .build()
        .unwrap();
    assert!(matches!(
        config.authorize(&entropy(), T0),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn accepts_full_url_bare_query_and_question_mark() {
    let p = pending();
    let state = p.state().secret().to_owned();
    for input in [
        callback(&p, ""),
        format!("code=abc&state={state}"),
        format!("?code=abc&state={state}"),
        format!("  https://app.example.com:443/callback?state={state}&code=abc&x=1#frag \n"),
        format!("/callback?code=abc&state={state}"),
    ] {
        let r = p.accept_callback(&input, T0.plus_secs(3)).unwrap();
        assert_eq!(r.code().secret(), "abc", "{input}");
        assert_eq!(r.received_at(), T0.plus_secs(3));
        assert_eq!(r.instance().host(), "acme.my.workfront.com");
        assert_eq!(r.client_id(), "cid");
    }
}

#[test]
fn percent_encoded_values_are_decoded() {
    let p = pending();
    let url = format!(
        "https://app.example.com/callback?code=a%2Bb%3D&state={}",
        p.state().secret()
    );
    assert_eq!(p.accept_callback(&url, T0).unwrap().code().secret(), "a+b=");
}

#[test]
fn callback_to_another_endpoint_is_refused() {
    let p = pending();
    let state = p.state().secret().to_owned();
    for url in [
        format!("https://evil.example.com/callback?code=abc&state={state}"),
        format!("http://app.example.com/callback?code=abc&state={state}"),
        format!("https://app.example.com:8443/callback?code=abc&state={state}"),
        format!("https://app.example.com/other?code=abc&state={state}"),
        format!("//evil.example.com/callback?code=abc&state={state}"),
    ] {
        assert!(
            matches!(
                p.accept_callback(&url, T0),
                Err(Error::RedirectMismatch { .. })
            ),
            "{url}"
        );
    }
}

#[test]
fn duplicate_parameters_are_refused() {
    let p = pending();
    for name in [
        "code",
        "state",
        "error",
        "domain",
        "lane",
        "error_description",
        "error_uri",
    ] {
        let url = callback(&p, &format!("&{name}=x&{name}=y"));
        let url = if name == "code" || name == "state" {
            callback(&p, &format!("&{name}=x"))
        } else {
            url
        };
        match p.accept_callback(&url, T0) {
            Err(Error::DuplicateParameter { name: n }) => assert_eq!(n, name),
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn state_mismatch_and_missing() {
    let p = pending();
    assert_eq!(
        p.accept_callback("code=abc&state=forged", T0),
        Err(Error::StateMismatch)
    );
    assert_eq!(
        p.accept_callback("code=abc&state=", T0),
        Err(Error::StateMismatch)
    );
    assert_eq!(p.accept_callback("code=abc", T0), Err(Error::StateMissing));
}

#[test]
fn missing_state_can_be_accepted_by_policy() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("sec"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .missing_state(MissingStatePolicy::Accept)
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    assert!(p.accept_callback("code=abc", T0).is_ok());
    // A state that is present must still match.
    assert_eq!(
        p.accept_callback("code=abc&state=x", T0),
        Err(Error::StateMismatch)
    );
}

#[test]
fn state_is_checked_before_error() {
    let p = pending();
    assert_eq!(
        p.accept_callback("error=access_denied&state=forged", T0),
        Err(Error::StateMismatch)
    );
    assert_eq!(
        p.accept_callback("error=access_denied", T0),
        Err(Error::StateMissing)
    );
}

#[test]
fn authorization_errors() {
    let p = pending();
    let state = p.state().secret().to_owned();
    assert_eq!(
        p.accept_callback(
            &format!("error=access_denied&error_description=User+said+no&state={state}"),
            T0
        ),
        Err(Error::AuthorizationDenied {
            description: Some("User said no".into())
        })
    );
    match p.accept_callback(
        &format!("error=server_error&error_description=Oops%0A&error_uri=https%3A%2F%2Fx.example%2Fe&state={state}"),
        T0,
    ) {
        Err(Error::AuthorizationError {
            error,
            description,
            uri,
        }) => {
            assert_eq!(error, "server_error");
            assert_eq!(description.as_deref(), Some("Oops"));
            assert_eq!(uri.as_deref(), Some("https://x.example/e"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn missing_or_empty_code() {
    let p = pending();
    let state = p.state().secret().to_owned();
    assert_eq!(
        p.accept_callback(&format!("state={state}"), T0),
        Err(Error::MissingCode)
    );
    assert_eq!(
        p.accept_callback(&format!("code=&state={state}"), T0),
        Err(Error::MissingCode)
    );
    assert_eq!(p.accept_callback("", T0), Err(Error::StateMissing));
}

#[test]
fn overlong_callback_is_malformed() {
    let p = pending();
    let long = format!("code={}", "a".repeat(20_000));
    assert!(matches!(
        p.accept_callback(&long, T0),
        Err(Error::CallbackMalformed { .. })
    ));
}

#[test]
fn domain_and_lane() {
    let p = pending();
    let ok = p
        .accept_callback(&callback(&p, "&domain=acme&lane=my"), T0)
        .unwrap();
    assert_eq!(ok.instance().origin(), "https://acme.my.workfront.com");
    for extra in [
        "&domain=acme",
        "&lane=my",
        "&domain=acme.evil.com&lane=my",
        "&domain=acme&lane=my%2Fx",
        "&domain=&lane=my",
        "&domain=-x&lane=my",
    ] {
        assert!(
            matches!(
                p.accept_callback(&callback(&p, extra), T0),
                Err(Error::InvalidInstance { .. })
            ),
            "{extra}"
        );
    }
    match p.accept_callback(&callback(&p, "&domain=other&lane=my"), T0) {
        Err(Error::InstanceNotAllowed { host }) => assert_eq!(host, "other.my.workfront.com"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        p.accept_callback(&callback(&p, "&domain=acme&lane=preview"), T0),
        Err(Error::InstanceNotAllowed { .. })
    ));
}

#[test]
fn allow_list_admits_other_instances() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("sec"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .instance_policy(
            InstancePolicy::configured_only()
                .allow_suffix("preview.workfront.com")
                .unwrap(),
        )
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let r = p
        .accept_callback(&callback(&p, "&domain=acme&lane=preview"), T0)
        .unwrap();
    assert_eq!(r.instance().host(), "acme.preview.workfront.com");
    assert!(matches!(
        p.accept_callback(&callback(&p, "&domain=acme&lane=sb01"), T0),
        Err(Error::InstanceNotAllowed { .. })
    ));
}

#[test]
fn unified_shell_instance_is_named_by_domain_and_lane() {
    let config = ClientConfig::builder(
        Instance::parse("acme.my.workfront.adobe.com").unwrap(),
        "cid",
    )
    .client_secret(ClientSecret::new("sec"))
    .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
    .build()
    .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let r = p
        .accept_callback(&callback(&p, "&domain=acme&lane=my"), T0)
        .unwrap();
    assert_eq!(r.instance().host(), "acme.my.workfront.adobe.com");
}

#[test]
fn loopback_instance_stands_for_the_named_one() {
    let config = ClientConfig::builder(Instance::parse("http://127.0.0.1:9000").unwrap(), "cid")
        .client_secret(ClientSecret::new("sec"))
        .redirect_uri(RedirectUri::parse("http://127.0.0.1:9001/cb").unwrap())
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let url = format!(
        "http://127.0.0.1:9001/cb?code=c&domain=acme&lane=my&state={}",
        p.state().secret()
    );
    let r = p.accept_callback(&url, T0).unwrap();
    assert_eq!(r.instance().origin(), "http://127.0.0.1:9000");
    let bad = format!(
        "http://127.0.0.1:9001/cb?code=c&domain=a.b&lane=my&state={}",
        p.state().secret()
    );
    assert!(matches!(
        p.accept_callback(&bad, T0),
        Err(Error::InvalidInstance { .. })
    ));
}

#[test]
fn custom_scheme_redirect() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "app")
        .redirect_uri(RedirectUri::parse("com.example.app:/callback").unwrap())
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let ok = format!(
        "com.example.app:/callback?code=c&state={}",
        p.state().secret()
    );
    assert!(p.accept_callback(&ok, T0).is_ok());
    let bad = format!("com.evil.app:/callback?code=c&state={}", p.state().secret());
    assert!(matches!(
        p.accept_callback(&bad, T0),
        Err(Error::RedirectMismatch { .. })
    ));
}

#[test]
fn stored_form_round_trips_and_is_versioned() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "spa")
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let json = p.to_json();
    assert!(json.starts_with(r#"{"format":1,"#));
    let back = PendingAuthorization::from_json(&json).unwrap();
    assert_eq!(back, p);
    assert_eq!(back.pkce_verifier(), p.pkce_verifier());
    let future = json.replacen(r#""format":1"#, r#""format":7"#, 1);
    assert_eq!(
        PendingAuthorization::from_json(&future),
        Err(Error::UnsupportedStoredFormat {
            found: 7,
            supported: 1
        })
    );
    assert!(matches!(
        PendingAuthorization::from_json("{\"format\":1}"),
        Err(Error::InvalidStoredData { .. })
    ));
    assert!(matches!(
        PendingAuthorization::from_json("nope"),
        Err(Error::InvalidStoredData { .. })
    ));
}

#[test]
fn debug_redacts_state_and_verifier() {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "spa")
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .build()
        .unwrap();
    let p = config.authorize(&entropy(), T0).unwrap();
    let dbg = format!("{p:?}");
    assert!(!dbg.contains(p.pkce_verifier().unwrap().secret()), "{dbg}");
    let r = p
        .accept_callback(
            &format!("code=the-code-1234&state={}", p.state().secret()),
            T0,
        )
        .unwrap();
    let dbg = format!("{r:?}");
    assert!(!dbg.contains("the-code-1234") && !dbg.contains(p.pkce_verifier().unwrap().secret()));
}

#[test]
fn a_pasted_bare_code_is_accepted_on_the_configured_instance() {
    let p = pending();
    let auth = p.accept_code("  c0de-123_x.y~Z\n", T0).unwrap();
    assert_eq!(auth.code().secret(), "c0de-123_x.y~Z");
    assert_eq!(auth.instance(), p.instance());
    assert_eq!(auth.received_at(), T0);
    assert_eq!(auth.redirect_uri(), p.redirect_uri());
    assert_eq!(auth.pkce_verifier(), p.pkce_verifier());
    // The same as a callback carrying that code and this sign-in's state.
    let via_callback = p
        .accept_callback(
            &format!("?code=c0de-123_x.y~Z&state={}", p.state().secret()),
            T0,
        )
        .unwrap();
    assert_eq!(auth, via_callback);
}

#[test]
fn a_pasted_code_that_is_not_a_code_is_refused() {
    let p = pending();
    assert_eq!(p.accept_code("", T0).unwrap_err(), Error::MissingCode);
    assert_eq!(p.accept_code(" \n\t", T0).unwrap_err(), Error::MissingCode);
    let long = "a".repeat(4097);
    for bad in [
        "two words",
        "tab\there",
        "nul\0",
        "bell\u{7}",
        "caf\u{e9}",
        "a&b",
        "%41",
        "x#y",
        "?code",
        "code=abc",
        long.as_str(),
    ] {
        assert!(
            matches!(p.accept_code(bad, T0), Err(Error::CallbackMalformed { .. })),
            "{bad:?}"
        );
    }
    assert!(p.accept_code(&"a".repeat(4096), T0).is_ok());
}
