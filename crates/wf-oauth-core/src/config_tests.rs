use super::*;

fn builder() -> ClientConfigBuilder {
    ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
}

#[test]
fn public_client_forces_pkce() {
    let c = builder().pkce(false).build().unwrap();
    assert!(c.is_public() && c.uses_pkce());
    let c = builder()
        .client_secret(ClientSecret::new("s"))
        .build()
        .unwrap();
    assert!(!c.uses_pkce());
    assert_eq!(c.client_auth(), ClientAuth::Basic);
}

#[test]
fn bad_client_ids_and_secrets() {
    for id in ["", "a\nb", "a\u{0}b"] {
        let r = ClientConfig::builder(Instance::parse("a.my.workfront.com").unwrap(), id).build();
        assert!(matches!(r, Err(Error::InvalidConfig { .. })), "{id:?}");
    }
    for secret in ["", "x\ry"] {
        let r = builder().client_secret(ClientSecret::new(secret)).build();
        assert!(matches!(r, Err(Error::InvalidConfig { .. })));
    }
}

#[test]
fn ims_requires_scope_and_defaults_to_post() {
    let r = builder().provider(Provider::adobe_ims()).build();
    assert!(matches!(r, Err(Error::InvalidConfig { .. })));
    let c = builder()
        .provider(Provider::adobe_ims())
        .scope("  openid   AdobeID ")
        .build()
        .unwrap();
    assert_eq!(c.scope(), Some("openid AdobeID"));
    assert_eq!(c.client_auth(), ClientAuth::Post);
}

#[test]
fn bad_scopes() {
    for scope in ["", "   ", "a\"b", "a\\b", "é", "a\tb"] {
        assert!(
            matches!(
                builder().scope(scope).build(),
                Err(Error::InvalidConfig { .. })
            ),
            "{scope:?}"
        );
    }
}

#[test]
fn api_versions() {
    for ok in ["v20.0", "v14.0", "v21.1"] {
        assert_eq!(ApiVersion::parse(ok).unwrap().as_str(), ok);
    }
    for bad in [
        "", "20.0", "v20", "v.0", "v20.", "vx.0", "v20.0/..", "V20.0", "v12345.0",
    ] {
        assert!(
            matches!(ApiVersion::parse(bad), Err(Error::InvalidConfig { .. })),
            "{bad}"
        );
    }
}

#[test]
fn redirect_uris() {
    for ok in [
        "https://app.example.com/callback",
        "https://app.example.com",
        "https://app.example.com/cb?tenant=1",
        "http://127.0.0.1:8765/callback",
        "http://[::1]:8765/callback",
        "http://localhost/callback",
        "com.example.app:/callback",
    ] {
        let r = RedirectUri::parse(ok).unwrap();
        assert_eq!(r.as_str(), ok);
    }
    for bad in [
        "",
        "/callback",
        "http://app.example.com/callback",
        "https://app.example.com/cb#frag",
        "https://user:pw@app.example.com/cb",
        "javascript:alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "https://app.example.com/c b",
        "myapp:/callback",
    ] {
        assert!(
            matches!(
                RedirectUri::parse(bad),
                Err(Error::InvalidRedirectUri { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn basic_authorization_encoding() {
    // Letters and digits: identical to the seed page's base64(id:secret).
    assert_eq!(
        basic_authorization("cid", &ClientSecret::new("abc123")),
        format!("Basic {}", STANDARD.encode("cid:abc123"))
    );
    // ':' and '%' are form-urlencoded first (RFC 6749 §2.3.1).
    assert_eq!(
        basic_authorization("cid", &ClientSecret::new("a:b%c d")),
        format!("Basic {}", STANDARD.encode("cid:a%3Ab%25c+d"))
    );
}
