//! The OpenID Connect endpoints of the IMS mode: discovery
//! (`/ims/.well-known/openid-configuration`), the JWKS (`/ims/keys`) and userinfo
//! (`/ims/userinfo/v2`), plus the fault handling they and revocation share.
//!
//! The discovery document has IMS's paths and the fake's own capabilities; its `issuer`
//! is the fake's base URL, which is also the `iss` of every id_token. As at IMS, it is
//! served under `/ims/`, not at `{issuer}/.well-known/openid-configuration`.

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::{Value, json};

use crate::config::IMS_PATHS;
use crate::errors::{json_value, no_store};
use crate::faults::{Dialect, FaultTarget, Plan, drop_connection, plan};
use crate::id_token::user_claims;
use crate::net::ConnInfo;
use crate::params::bearer_token;
use crate::scopes;
use crate::server::Shared;
use crate::tokens::fingerprint;

/// The discovery document.
pub(crate) const DISCOVERY_PATH: &str = "/ims/.well-known/openid-configuration";
/// The JWKS.
pub(crate) const JWKS_PATH: &str = "/ims/keys";
/// Userinfo.
pub(crate) const USERINFO_PATH: &str = "/ims/userinfo/v2";
/// RFC 7009 revocation.
pub(crate) const REVOKE_PATH: &str = "/ims/revoke";

/// How long clients may cache the discovery document and the JWKS. A client that meets
/// an unknown `kid` must fetch the JWKS again regardless (key rotation).
const CACHE_CONTROL: &str = "public, max-age=3600";

/// The statistics endpoint of an OpenID path.
pub(crate) fn endpoint_name(path: &str) -> Option<&'static str> {
    match path {
        DISCOVERY_PATH => Some("discovery"),
        JWKS_PATH => Some("jwks"),
        USERINFO_PATH => Some("userinfo"),
        REVOKE_PATH => Some("revoke"),
        _ => None,
    }
}

/// The connection a request arrived on (for the `drop` faults).
pub(crate) fn conn_of(req: &Request) -> Option<ConnInfo> {
    req.extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|c| c.0.clone())
}

/// What a handler does after looking for an injected fault.
pub(crate) enum Intercept {
    /// Answer this instead.
    Answer(Response),
    /// Handle the request; `drop_after` says to drop the connection instead of answering.
    Proceed { drop_after: bool },
}

/// Takes the next fault rule for `target`, if any, and applies its first half (an early
/// answer, a delay, or a note to drop the connection afterwards).
pub(crate) async fn intercept(
    shared: &Shared,
    target: FaultTarget,
    conn: Option<&ConnInfo>,
) -> Intercept {
    let Some(fault) = shared.faults.take(&[target]) else {
        return Intercept::Proceed { drop_after: false };
    };
    shared.stats.record_fault();
    match plan(fault, Dialect::OAuth, conn) {
        Plan::Respond(r) => Intercept::Answer(r),
        Plan::Delay(d) => {
            tokio::time::sleep(d).await;
            Intercept::Proceed { drop_after: false }
        }
        Plan::DropAfter => Intercept::Proceed { drop_after: true },
        Plan::IdToken(_) => Intercept::Proceed { drop_after: false },
    }
}

/// Runs `handler` under the fault rules of `target`.
async fn guarded(
    shared: &Shared,
    target: FaultTarget,
    req: Request,
    handler: impl FnOnce(&Shared, Request) -> Response,
) -> Response {
    let conn = conn_of(&req);
    match intercept(shared, target, conn.as_ref()).await {
        Intercept::Answer(r) => r,
        Intercept::Proceed { drop_after } => {
            let resp = handler(shared, req);
            if drop_after {
                drop_connection(conn.as_ref())
            } else {
                resp
            }
        }
    }
}

fn cacheable(value: &Value) -> Response {
    let mut resp = json_value(StatusCode::OK, value);
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    resp
}

/// The discovery document (OpenID Connect Discovery 1.0 §3).
fn discovery_document(shared: &Shared) -> Value {
    let base = &shared.issuer;
    let methods = ["client_secret_basic", "client_secret_post", "none"];
    json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}{}", IMS_PATHS.authorize),
        "token_endpoint": format!("{base}{}", IMS_PATHS.token),
        "userinfo_endpoint": format!("{base}{USERINFO_PATH}"),
        "revocation_endpoint": format!("{base}{REVOKE_PATH}"),
        "jwks_uri": format!("{base}{JWKS_PATH}"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "offline_access", "AdobeID"],
        "token_endpoint_auth_methods_supported": methods,
        "revocation_endpoint_auth_methods_supported": methods,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "iss", "sub", "aud", "azp", "exp", "iat", "nonce",
            "name", "given_name", "family_name", "email", "email_verified"
        ],
    })
}

/// `GET /ims/.well-known/openid-configuration`.
pub(crate) async fn discovery(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    guarded(&shared, FaultTarget::Discovery, req, |s, _| {
        cacheable(&discovery_document(s))
    })
    .await
}

/// `GET /ims/keys`.
pub(crate) async fn jwks(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    guarded(&shared, FaultTarget::Jwks, req, |s, _| {
        cacheable(&s.keys.jwks())
    })
    .await
}

/// An RFC 6750 §3 refusal of a Bearer token.
fn bearer_refusal(status: StatusCode, error: &'static str, description: &str) -> Response {
    let mut resp = no_store(json_value(
        status,
        &json!({"error": error, "error_description": description}),
    ));
    let challenge = match error {
        "insufficient_scope" => format!("Bearer error=\"{error}\", scope=\"openid\""),
        _ => format!("Bearer error=\"{error}\""),
    };
    if let Ok(v) = HeaderValue::from_str(&challenge) {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}

fn userinfo_answer(shared: &Shared, req: &Request) -> Response {
    let Some(token) = bearer_token(req.headers()) else {
        return bearer_refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "a Bearer access token is required",
        );
    };
    let session = shared
        .auth()
        .ims_session(token, shared.clock.now(), &shared.config);
    let Some(session) = session else {
        tracing::debug!(access = %fingerprint(token), "userinfo with an unknown, expired or revoked token");
        return bearer_refusal(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the access token is unknown, expired or revoked",
        );
    };
    if !scopes::wants_id_token(session.scope.as_deref()) {
        return bearer_refusal(
            StatusCode::FORBIDDEN,
            "insufficient_scope",
            "userinfo needs a token granted to a signed-in user with the openid scope",
        );
    }
    no_store(json_value(
        StatusCode::OK,
        &Value::Object(user_claims(shared, session.user)),
    ))
}

/// `GET|POST /ims/userinfo/v2` with `Authorization: Bearer` (OpenID Connect Core §5.3).
pub(crate) async fn userinfo(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    guarded(&shared, FaultTarget::Userinfo, req, |s, r| {
        userinfo_answer(s, &r)
    })
    .await
}

/// Any other method on the OpenID endpoints.
pub(crate) async fn method_not_allowed() -> Response {
    (
        StatusCode::METHOD_NOT_ALLOWED,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        r#"{"error":"invalid_request","error_description":"method not allowed"}"#,
    )
        .into_response()
}
