//! The browser side: `GET /integrations/oauth2/authorize` (legacy) or
//! `GET /ims/authorize/v2` (Adobe IMS), the login form and the consent form.
//!
//! Both profiles share the pages. IMS additionally requires `scope`, and its callback
//! carries only `code` (and `state`), no `domain`/`lane`.
//!
//! Parameter errors (unknown client, unregistered `redirect_uri`, bad `response_type`,
//! bad PKCE parameters, repeated parameters) give an HTML error page: the mock never
//! redirects anywhere it has not validated. Only the user's decision is reported back
//! to the client by redirect.

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};

use crate::config::MockConfig;
use crate::faults::{Dialect, FaultTarget, Plan, drop_connection, plan};
use crate::html;
use crate::net::ConnInfo;
use crate::params::{Params, cookie, media_type, read_body};
use crate::server::Shared;
use crate::state::{AuthorizeRequest, Profile};
use crate::tokens::{constant_time_eq, fingerprint, is_pkce_string};

/// Name of the browser sign-in cookie.
pub const LOGIN_COOKIE: &str = "wf_mock_login";

fn error_page(status: StatusCode, message: &str) -> Response {
    html::respond(status, html::error_page(message))
}

fn bad_request(message: &str) -> Response {
    error_page(StatusCode::BAD_REQUEST, message)
}

/// A `302 Found` to `location`.
fn found(location: &str) -> Response {
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::FOUND;
    if let Ok(v) = HeaderValue::from_str(location) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Whether `candidate` is one of the registered redirect URIs.
fn redirect_registered(cfg: &MockConfig, candidate: &str) -> bool {
    if cfg.redirect_uris.iter().any(|r| r == candidate) {
        return true;
    }
    if !cfg.allow_loopback_any_port {
        return false;
    }
    let Ok(c) = url::Url::parse(candidate) else {
        return false;
    };
    let loopback = |u: &url::Url| {
        u.scheme() == "http" && matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"))
    };
    loopback(&c)
        && cfg
            .redirect_uris
            .iter()
            .filter_map(|r| url::Url::parse(r).ok())
            .any(|mut r| {
                let mut c = c.clone();
                let _ = r.set_port(None);
                let _ = c.set_port(None);
                loopback(&r) && r == c
            })
}

/// Adobe requires `https` redirect URIs for OAuth Web App credentials (the confidential
/// client here); only the loopback test switch lets plain-`http` loopback URIs through.
/// The public client (single-page or native app) is not restricted.
pub(crate) fn check_ims_redirect(
    cfg: &MockConfig,
    public: bool,
    redirect_uri: &str,
) -> Result<(), String> {
    if public {
        return Ok(());
    }
    let url = url::Url::parse(redirect_uri).map_err(|_| "redirect_uri is not a URL")?;
    let loopback = matches!(
        url.host(),
        Some(url::Host::Ipv4(ip)) if ip.is_loopback()
    ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
        || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback && cfg.allow_loopback_redirects => Ok(()),
        _ => Err(format!(
            "redirect_uri {redirect_uri:?} must use https for a web application \
             (plain-http loopback URIs need --allow-loopback-redirects)"
        )),
    }
}

/// Validates the query of an authorization request.
fn validate(cfg: &MockConfig, query: &str, profile: Profile) -> Result<AuthorizeRequest, String> {
    let p = Params::from_form(query.as_bytes()).map_err(|e| e.to_string())?;
    let client_id = p.get("client_id").ok_or("client_id is required")?;
    let public = cfg.public_client_id.as_deref() == Some(client_id);
    if client_id != cfg.client_id && !public {
        return Err(format!("unknown client_id {client_id:?}"));
    }
    let redirect_uri = p.get("redirect_uri").ok_or("redirect_uri is required")?;
    if !redirect_registered(cfg, redirect_uri) {
        return Err(format!(
            "redirect_uri {redirect_uri:?} is not registered for this application"
        ));
    }
    if profile == Profile::Ims {
        check_ims_redirect(cfg, public, redirect_uri)?;
    }
    match p.get("response_type") {
        Some("code") => {}
        Some(other) => {
            return Err(format!(
                "response_type {other:?} is not supported; use code"
            ));
        }
        None => return Err("response_type=code is required".into()),
    }
    let challenge = match (p.get("code_challenge"), p.get("code_challenge_method")) {
        (None, None) => None,
        (Some(c), Some("S256")) => {
            if c.len() != 43 || !is_pkce_string(c) {
                return Err(
                    "code_challenge must be the 43-character base64url SHA-256 of the verifier"
                        .into(),
                );
            }
            Some(c.to_owned())
        }
        (Some(_), None) => {
            return Err("code_challenge_method=S256 is required (plain is not supported)".into());
        }
        (None, Some(_)) => return Err("code_challenge_method given without code_challenge".into()),
        (Some(_), Some(m)) => {
            return Err(format!(
                "code_challenge_method {m:?} is not supported; use S256"
            ));
        }
    };
    if public && challenge.is_none() {
        return Err(
            "this application requires PKCE: send code_challenge and code_challenge_method=S256"
                .into(),
        );
    }
    let scope = p.get("scope").map(str::to_owned);
    if profile == Profile::Ims && scope.is_none() {
        return Err(
            "invalid_scope: scope is required (e.g. openid,AdobeID,additional_info.projectedProductContext)"
                .into(),
        );
    }
    Ok(AuthorizeRequest {
        client_id: client_id.to_owned(),
        redirect_uri: redirect_uri.to_owned(),
        state: p.get("state").map(str::to_owned),
        code_challenge: challenge,
        scope,
        nonce: p.get("nonce").map(str::to_owned),
        prompt: p.get("prompt").map(str::to_owned),
        profile,
    })
}

/// Sends the browser back to the client with these parameters (appended to any query
/// the registered URI already has).
fn redirect_back(req: &AuthorizeRequest, pairs: &[(&str, &str)]) -> Response {
    let Ok(mut url) = url::Url::parse(&req.redirect_uri) else {
        return bad_request("the redirect URI cannot be parsed");
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(state) = &req.state {
            q.append_pair("state", state);
        }
    }
    found(url.as_str())
}

fn approve(shared: &Shared, req: AuthorizeRequest, user: usize) -> Response {
    let cfg = &shared.config;
    let code = shared
        .auth()
        .issue_code(req.clone(), user, shared.clock.now(), cfg);
    tracing::info!(
        client = %req.client_id,
        code = %fingerprint(&code),
        scope = req.scope.as_deref().unwrap_or(""),
        "authorization code issued"
    );
    match req.profile {
        Profile::Legacy => redirect_back(
            &req,
            &[
                ("code", &code),
                ("domain", &cfg.domain),
                ("lane", &cfg.lane),
            ],
        ),
        Profile::Ims => redirect_back(&req, &[("code", &code)]),
    }
}

fn consent(shared: &Shared, login: &str, user: usize, req: AuthorizeRequest) -> Response {
    let cfg = &shared.config;
    let consent_path = shared.paths_for(req.profile).consent;
    let token = shared
        .auth()
        .create_consent(login, req, shared.clock.now(), cfg);
    let host = format!("{}.{}.workfront.com", cfg.domain, cfg.lane);
    html::respond(
        StatusCode::OK,
        html::consent_page(
            consent_path,
            &cfg.app_name,
            &cfg.users[user].username,
            &host,
            &token,
        ),
    )
}

/// The signed-in user behind the request's cookie, if any.
fn signed_in(shared: &Shared, headers: &http::HeaderMap) -> Option<(String, usize)> {
    let c = cookie(headers, LOGIN_COOKIE)?;
    let user = shared
        .auth()
        .login_user(c, shared.clock.now(), &shared.config)?;
    Some((c.to_owned(), user))
}

/// `GET` of the authorization endpoint.
pub(crate) async fn show(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|c| c.0.clone());
    let mut drop_after = false;
    if let Some(fault) = shared.faults.take(&[FaultTarget::Authorize]) {
        shared.stats.record_fault();
        match plan(fault, Dialect::Html, conn.as_ref()) {
            Plan::Respond(r) => return r,
            Plan::Delay(d) => tokio::time::sleep(d).await,
            Plan::DropAfter => drop_after = true,
            Plan::IdToken(_) => {}
        }
    }
    let query = req.uri().query().unwrap_or("");
    shared.recorder.authorize(req.uri().path(), query);
    let profile = shared.profile_of(req.uri().path());
    let paths = shared.paths_for(profile);
    let resp = match validate(&shared.config, query, profile) {
        Err(msg) => bad_request(&msg),
        Ok(areq) if shared.config.auto_approve => approve(&shared, areq, 0),
        Ok(areq) => match signed_in(&shared, req.headers()) {
            Some((login, user)) => consent(&shared, &login, user, areq),
            None => {
                let return_to = format!("{}?{query}", paths.authorize);
                html::respond(
                    StatusCode::OK,
                    html::login_page(paths.login, &return_to, None),
                )
            }
        },
    };
    if drop_after {
        return drop_connection(conn.as_ref());
    }
    resp
}

async fn form(req: Request) -> Result<(http::HeaderMap, Params), Response> {
    let (parts, body) = req.into_parts();
    if media_type(&parts.headers).as_deref() != Some("application/x-www-form-urlencoded") {
        return Err(bad_request("expected a submitted HTML form"));
    }
    let bytes = read_body(&parts.headers, body).await.map_err(|e| match e {
        crate::params::InputError::TooLarge => {
            error_page(StatusCode::PAYLOAD_TOO_LARGE, "the form is too large")
        }
        other => bad_request(&other.to_string()),
    })?;
    let params = Params::from_form(&bytes).map_err(|e| bad_request(&e.to_string()))?;
    Ok((parts.headers, params))
}

/// `POST` of the login form.
pub(crate) async fn login(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let paths = shared.paths_for(shared.profile_of(req.uri().path()));
    let (_, p) = match form(req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let prefix = format!("{}?", paths.authorize);
    let Some(return_to) = p.get("return_to").filter(|r| r.starts_with(&prefix)) else {
        return bad_request("the login form lost track of the authorization request; start again");
    };
    let cfg = &shared.config;
    let (username, password) = (
        p.get("username").unwrap_or(""),
        p.get("password").unwrap_or(""),
    );
    let user = cfg
        .users
        .iter()
        .position(|u| u.username == username && constant_time_eq(&u.password, password));
    let Some(user) = user else {
        tracing::info!(username, "sign-in refused");
        return html::respond(
            StatusCode::OK,
            html::login_page(
                paths.login,
                return_to,
                Some("Invalid username or password."),
            ),
        );
    };
    let cookie = shared.auth().create_login(user, shared.clock.now(), cfg);
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::SEE_OTHER;
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(return_to) {
        h.insert(header::LOCATION, v);
    }
    let set = format!("{LOGIN_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Lax");
    if let Ok(v) = HeaderValue::from_str(&set) {
        h.insert(header::SET_COOKIE, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `POST` of the consent form.
pub(crate) async fn decide(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (headers, p) = match form(req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some((login, user)) = signed_in(&shared, &headers) else {
        return bad_request("your sign-in has expired; start the authorization again");
    };
    let Some(token) = p.get("consent_token") else {
        return bad_request("the consent form is incomplete");
    };
    let Some(areq) = shared
        .auth()
        .take_consent(token, &login, shared.clock.now())
    else {
        return bad_request("this consent form has expired or was already used; start again");
    };
    match p.get("decision") {
        Some("allow") => approve(&shared, areq, user),
        Some("deny") => redirect_back(
            &areq,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The user denied access to the application",
                ),
            ],
        ),
        _ => bad_request("choose Allow or Deny"),
    }
}

/// Anything but the expected method on the browser endpoints.
pub(crate) async fn method_not_allowed() -> Response {
    error_page(StatusCode::METHOD_NOT_ALLOWED, "method not allowed")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> MockConfig {
        MockConfig {
            redirect_uris: vec![
                "http://127.0.0.1:9/cb".into(),
                "https://app.example/cb?x=1".into(),
            ],
            ..MockConfig::default()
        }
    }

    fn validate_l(c: &MockConfig, q: &str) -> Result<AuthorizeRequest, String> {
        validate(c, q, Profile::Legacy)
    }

    #[test]
    fn ims_requires_https_for_the_web_app_client() {
        let mut c = cfg();
        let q = |client: &str, uri: &str, extra: &str| {
            let uri: String = url::form_urlencoded::byte_serialize(uri.as_bytes()).collect();
            format!("client_id={client}&redirect_uri={uri}&response_type=code&scope=openid{extra}")
        };
        let http = "http://127.0.0.1:9/cb";
        let err = validate(&c, &q("demo-client", http, ""), Profile::Ims).unwrap_err();
        assert!(err.contains("https"), "{err}");
        // The legacy profile and the public client are not restricted.
        assert!(validate(&c, &q("demo-client", http, ""), Profile::Legacy).is_ok());
        let pkce = "&code_challenge=E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM&code_challenge_method=S256";
        assert!(validate(&c, &q("demo-public", http, pkce), Profile::Ims).is_ok());
        assert!(
            validate(
                &c,
                &q("demo-client", "https://app.example/cb?x=1", ""),
                Profile::Ims
            )
            .is_ok()
        );
        c.allow_loopback_redirects = true;
        assert!(validate(&c, &q("demo-client", http, ""), Profile::Ims).is_ok());
        // The switch is for loopback only.
        c.redirect_uris.push("http://app.example/cb".into());
        assert!(
            validate(
                &c,
                &q("demo-client", "http://app.example/cb", ""),
                Profile::Ims
            )
            .is_err()
        );
        assert!(check_ims_redirect(&c, false, "http://localhost:1/cb").is_ok());
        assert!(check_ims_redirect(&c, false, "http://[::1]:1/cb").is_ok());
    }

    #[test]
    fn ims_requires_scope() {
        let mut c = cfg();
        c.allow_loopback_redirects = true;
        let ok =
            "client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code";
        assert!(validate(&c, ok, Profile::Ims).is_err());
        let r = validate(&c, &format!("{ok}&scope=openid"), Profile::Ims).unwrap();
        assert_eq!(r.scope.as_deref(), Some("openid"));
        assert_eq!(r.profile, Profile::Ims);
    }

    #[test]
    fn validation_refuses_bad_requests() {
        let c = cfg();
        let ok =
            "client_id=demo-client&redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcb&response_type=code";
        assert!(validate_l(&c, ok).is_ok());
        assert!(validate_l(&c, &format!("{ok}&state=a&state=b")).is_err());
        assert!(validate_l(&c, &ok.replace("demo-client", "other")).is_err());
        assert!(validate_l(&c, &ok.replace("%3A9", "%3A10")).is_err());
        assert!(validate_l(&c, &ok.replace("code", "token")).is_err());
        let ch = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(
            validate_l(
                &c,
                &format!("{ok}&code_challenge={ch}&code_challenge_method=S256")
            )
            .is_ok()
        );
        assert!(
            validate_l(
                &c,
                &format!("{ok}&code_challenge={ch}&code_challenge_method=plain")
            )
            .is_err()
        );
        assert!(validate_l(&c, &format!("{ok}&code_challenge={ch}")).is_err());
        let public = ok.replace("demo-client", "demo-public");
        assert!(validate_l(&c, &public).is_err());
        assert!(
            validate_l(
                &c,
                &format!("{public}&code_challenge={ch}&code_challenge_method=S256")
            )
            .is_ok()
        );
    }

    #[test]
    fn loopback_any_port_is_opt_in() {
        let mut c = cfg();
        assert!(!redirect_registered(&c, "http://127.0.0.1:4444/cb"));
        c.allow_loopback_any_port = true;
        assert!(redirect_registered(&c, "http://127.0.0.1:4444/cb"));
        assert!(!redirect_registered(&c, "http://127.0.0.1:4444/other"));
        assert!(!redirect_registered(&c, "https://app.example:444/cb?x=1"));
    }

    #[test]
    fn redirect_keeps_existing_query() {
        let req = AuthorizeRequest {
            client_id: "c".into(),
            redirect_uri: "https://app.example/cb?x=1".into(),
            state: Some("s t".into()),
            code_challenge: None,
            scope: None,
            nonce: None,
            prompt: None,
            profile: Profile::Legacy,
        };
        let r = redirect_back(&req, &[("code", "abc")]);
        assert_eq!(r.status(), StatusCode::FOUND);
        assert_eq!(
            r.headers()[header::LOCATION],
            "https://app.example/cb?x=1&code=abc&state=s+t"
        );
    }
}
