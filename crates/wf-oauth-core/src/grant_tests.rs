use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;
use crate::authorize::PendingAuthorization;
use crate::config::RedirectUri;
use crate::instance::{Instance, InstancePolicy};
use crate::provider::Provider;
use crate::secret::{AccessToken, RefreshToken};

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn config(secret: Option<&str>, auth: ClientAuth) -> ClientConfig {
    let mut b = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .client_auth(auth);
    if let Some(s) = secret {
        b = b.client_secret(ClientSecret::new(s));
    }
    b.build().unwrap()
}

fn authorized(config: &ClientConfig) -> (PendingAuthorization, AuthorizationResponse) {
    let p = config.authorize(&[1; 64], T0).unwrap();
    let r = p
        .accept_callback(&format!("code=C0DE&state={}", p.state().secret()), T0)
        .unwrap();
    (p, r)
}

fn headers(req: &HttpRequest) -> Vec<(String, String)> {
    req.headers()
        .iter()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect()
}

fn tokens(refresh: Option<&str>) -> TokenSet {
    TokenSet::new(
        AccessToken::new("a"),
        Instance::parse("acme.my.workfront.com").unwrap(),
        T0,
    )
    .with_refresh_token(refresh.map(RefreshToken::new))
}

const TOKEN_URL: &str = "https://acme.my.workfront.com/integrations/oauth2/api/v1/token";

#[test]
fn code_grant_basic_json_shape() {
    let c = config(Some("s3cret"), ClientAuth::Basic);
    let (_, r) = authorized(&c);
    let req = c.code_grant_request(&r, T0).unwrap();
    assert_eq!(req.method(), Method::Post);
    assert_eq!(req.url().as_str(), TOKEN_URL);
    assert_eq!(
        headers(&req),
        h(&[
            (
                "Authorization",
                &format!("Basic {}", STANDARD.encode("cid:s3cret"))
            ),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ])
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"{"code":"C0DE","grant_type":"authorization_code","redirect_uri":"https://app.example.com/callback"}"#
    );
}

#[test]
fn code_grant_post_form_shape() {
    let c = config(Some("s3cret"), ClientAuth::Post);
    let (_, r) = authorized(&c);
    let req = c.code_grant_request(&r, T0).unwrap();
    assert_eq!(
        headers(&req),
        h(&[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Accept", "application/json"),
        ])
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=authorization_code&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback\
         &code=C0DE&client_id=cid&client_secret=s3cret"
    );
}

#[test]
fn code_grant_public_pkce_shape() {
    let c = config(None, ClientAuth::Basic);
    let (p, r) = authorized(&c);
    let req = c.code_grant_request(&r, T0).unwrap();
    assert_eq!(req.headers().get("Authorization"), None);
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        format!(
            "grant_type=authorization_code&client_id=cid\
             &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&code=C0DE&code_verifier={}",
            p.pkce_verifier().unwrap().secret()
        )
    );
}

#[test]
fn confidential_client_with_pkce_adds_the_verifier() {
    for auth in [ClientAuth::Basic, ClientAuth::Post] {
        let c = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
            .client_secret(ClientSecret::new("s"))
            .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
            .client_auth(auth)
            .pkce(true)
            .build()
            .unwrap();
        let (p, r) = authorized(&c);
        let body =
            String::from_utf8(c.code_grant_request(&r, T0).unwrap().body().to_vec()).unwrap();
        let v = p.pkce_verifier().unwrap().secret();
        match auth {
            ClientAuth::Basic => assert!(
                body.ends_with(&format!(r#","code_verifier":"{v}"}}"#)),
                "{body}"
            ),
            ClientAuth::Post => assert!(
                body.ends_with(&format!("&client_secret=s&code_verifier={v}")),
                "{body}"
            ),
        }
    }
}

#[test]
fn code_expires_after_120_seconds() {
    let c = config(Some("s"), ClientAuth::Basic);
    let (_, r) = authorized(&c);
    assert!(c.code_grant_request(&r, T0.plus_secs(119)).is_ok());
    assert_eq!(
        c.code_grant_request(&r, T0.plus_secs(120)),
        Err(Error::CodeExpired {
            age_secs: 120,
            lifetime_secs: 120
        })
    );
    // A clock that stepped back is not an expiry.
    assert!(c.code_grant_request(&r, UnixTime::from_secs(0)).is_ok());
}

#[test]
fn code_of_another_client_is_refused() {
    let (_, r) = authorized(&config(Some("s"), ClientAuth::Basic));
    let other = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "other")
        .client_secret(ClientSecret::new("s"))
        .build()
        .unwrap();
    assert!(matches!(
        other.code_grant_request(&r, T0),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn code_goes_to_the_allowed_callback_instance() {
    let c = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .instance_policy(
            InstancePolicy::configured_only()
                .allow_suffix("workfront.com")
                .unwrap(),
        )
        .build()
        .unwrap();
    let p = c.authorize(&[1; 64], T0).unwrap();
    let r = p
        .accept_callback(
            &format!(
                "code=C&domain=acme&lane=preview&state={}",
                p.state().secret()
            ),
            T0,
        )
        .unwrap();
    let req = c.code_grant_request(&r, T0).unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://acme.preview.workfront.com/integrations/oauth2/api/v1/token"
    );
}

#[test]
fn refresh_basic_json_shape() {
    let c = config(Some("s3cret"), ClientAuth::Basic);
    let req = c.refresh_request(&tokens(Some("R1"))).unwrap();
    assert_eq!(req.url().as_str(), TOKEN_URL);
    assert_eq!(
        headers(&req),
        h(&[
            (
                "Authorization",
                &format!("Basic {}", STANDARD.encode("cid:s3cret"))
            ),
            ("Content-Type", "application/json"),
            ("Accept", "application/json"),
        ])
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        r#"{"grant_type":"refresh_token","refresh_token":"R1"}"#
    );
}

#[test]
fn refresh_post_form_shape() {
    let c = config(Some("s3cret"), ClientAuth::Post);
    let req = c.refresh_request(&tokens(Some("R1"))).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=refresh_token&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback\
         &refresh_token=R1&client_id=cid&client_secret=s3cret"
    );
    assert_eq!(
        req.headers().get("content-type"),
        Some("application/x-www-form-urlencoded")
    );
}

#[test]
fn refresh_public_form_shape() {
    let c = config(None, ClientAuth::Basic);
    let req = c.refresh_request(&tokens(Some("R1"))).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=refresh_token&client_id=cid\
         &redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback&refresh_token=R1"
    );
}

#[test]
fn refresh_without_refresh_token_requires_reauth() {
    let c = config(Some("s"), ClientAuth::Basic);
    let e = c.refresh_request(&tokens(None)).unwrap_err();
    assert!(matches!(e, Error::ReauthRequired { .. }));
    assert!(e.is_reauth_required());
}

#[test]
fn client_credentials_shapes() {
    let c = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "s2s")
        .client_secret(ClientSecret::new("p8-secret"))
        .provider(Provider::adobe_ims())
        .scope("openid AdobeID")
        .build()
        .unwrap();
    let req = c.client_credentials_request().unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://ims-na1.adobelogin.com/ims/token/v3"
    );
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=client_credentials&client_id=s2s&client_secret=p8-secret&scope=openid+AdobeID"
    );
    let basic = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "s2s")
        .client_secret(ClientSecret::new("s"))
        .provider(generic())
        .build()
        .unwrap();
    let req = basic.client_credentials_request().unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=client_credentials"
    );
    assert!(req.headers().get("authorization").is_some());
    let public = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "p")
        .provider(generic())
        .build()
        .unwrap();
    assert!(matches!(
        public.client_credentials_request(),
        Err(Error::InvalidConfig { .. })
    ));
}

#[test]
fn the_legacy_service_has_no_client_credentials_grant() {
    for auth in [ClientAuth::Basic, ClientAuth::Post] {
        let e = config(Some("s"), auth)
            .client_credentials_request()
            .unwrap_err();
        assert!(
            matches!(&e, Error::InvalidConfig { reason } if reason.contains("Server-to-Server")),
            "{e}"
        );
    }
}

fn generic() -> Provider {
    Provider::generic(
        "https://auth.example.com/authorize",
        "https://auth.example.com/token",
    )
    .unwrap()
}

fn standard_config(provider: Provider, auth: ClientAuth, secret: Option<&str>) -> ClientConfig {
    let mut b = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .provider(provider)
        .scope("openid AdobeID")
        .client_auth(auth);
    if let Some(s) = secret {
        b = b.client_secret(ClientSecret::new(s));
    }
    b.build().unwrap()
}

#[test]
fn standard_servers_get_form_bodies_with_basic() {
    for (provider, url) in [
        (
            Provider::adobe_ims(),
            "https://ims-na1.adobelogin.com/ims/token/v3",
        ),
        (generic(), "https://auth.example.com/token"),
    ] {
        let c = standard_config(provider, ClientAuth::Basic, Some("s3cret"));
        let (_, r) = authorized(&c);
        let req = c.code_grant_request(&r, T0).unwrap();
        assert_eq!(req.url().as_str(), url);
        assert_eq!(
            headers(&req),
            h(&[
                (
                    "Authorization",
                    &format!("Basic {}", STANDARD.encode("cid:s3cret"))
                ),
                ("Content-Type", "application/x-www-form-urlencoded"),
                ("Accept", "application/json"),
            ])
        );
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            "grant_type=authorization_code&code=C0DE&redirect_uri=https%3A%2F%2Fapp.example.com%2Fcallback"
        );
        let req = c.refresh_request(&tokens(Some("R1"))).unwrap();
        assert_eq!(
            std::str::from_utf8(req.body()).unwrap(),
            "grant_type=refresh_token&refresh_token=R1"
        );
        assert_eq!(
            req.headers().get("content-type"),
            Some("application/x-www-form-urlencoded")
        );
    }
}

#[test]
fn standard_servers_get_the_rfc_refresh_parameters_only() {
    let ims = standard_config(Provider::adobe_ims(), ClientAuth::Post, Some("s"));
    let req = ims.refresh_request(&tokens(Some("R1"))).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=refresh_token&refresh_token=R1&client_id=cid&client_secret=s"
    );
    let public = standard_config(generic(), ClientAuth::Post, None);
    let req = public.refresh_request(&tokens(Some("R1"))).unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=refresh_token&client_id=cid&refresh_token=R1"
    );
    // The legacy service lists redirect_uri among the refresh parameters: it keeps it.
    let legacy = config(Some("s"), ClientAuth::Post);
    let body = legacy.refresh_request(&tokens(Some("R1"))).unwrap();
    assert!(
        std::str::from_utf8(body.body())
            .unwrap()
            .contains("redirect_uri=")
    );
}

#[test]
fn ims_pkce_code_grant_is_a_public_form() {
    let c = standard_config(Provider::adobe_ims(), ClientAuth::Post, None);
    let (p, r) = authorized(&c);
    assert!(p.url().contains("scope=openid+AdobeID"), "{}", p.url());
    assert!(p.url().contains("code_challenge_method=S256"));
    let req = c.code_grant_request(&r, T0).unwrap();
    let body = std::str::from_utf8(req.body()).unwrap();
    assert!(
        body.starts_with("grant_type=authorization_code&client_id=cid&"),
        "{body}"
    );
    assert!(body.contains("&code_verifier="), "{body}");
    assert!(req.headers().get("authorization").is_none());
}

#[test]
fn secrets_with_colon_and_percent_are_encoded_one_way() {
    let c = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "id:1")
        .client_secret(ClientSecret::new("a:b%c"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
        .build()
        .unwrap();
    let req = c.refresh_request(&tokens(Some("R"))).unwrap();
    assert_eq!(
        req.headers().get("authorization"),
        Some(format!("Basic {}", STANDARD.encode("id%3A1:a%3Ab%25c")).as_str())
    );
}

#[test]
fn request_debug_has_no_secrets() {
    let c = config(Some("s3cret-zz"), ClientAuth::Post);
    let (_, r) = authorized(&c);
    let dbg = format!("{:?}", c.code_grant_request(&r, T0).unwrap());
    assert!(!dbg.contains("s3cret-zz") && !dbg.contains("C0DE"), "{dbg}");
    let c = config(Some("s3cret-zz"), ClientAuth::Basic);
    let dbg = format!("{:?}", c.refresh_request(&tokens(Some("R-tok"))).unwrap());
    assert!(
        !dbg.contains(&STANDARD.encode("cid:s3cret-zz")) && !dbg.contains("R-tok"),
        "{dbg}"
    );
}
