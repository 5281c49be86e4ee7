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
    let basic = config(Some("s"), ClientAuth::Basic);
    let req = basic.client_credentials_request().unwrap();
    assert_eq!(
        std::str::from_utf8(req.body()).unwrap(),
        "grant_type=client_credentials"
    );
    assert!(req.headers().get("authorization").is_some());
    assert!(matches!(
        config(None, ClientAuth::Post).client_credentials_request(),
        Err(Error::InvalidConfig { .. })
    ));
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
