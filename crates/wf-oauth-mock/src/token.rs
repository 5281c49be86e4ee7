//! The token endpoints: `POST /integrations/oauth2/api/v1/token` (legacy) and
//! `POST /ims/token/v3` (Adobe IMS).
//!
//! Accepted shapes (all from the Workfront documentation):
//! - JSON body `{"code","grant_type":"authorization_code","redirect_uri"}` (or
//!   `{"grant_type":"refresh_token","refresh_token"}`) with
//!   `Authorization: Basic base64(client_id:client_secret)`; the two halves may also be
//!   form-urlencoded before base64 (RFC 6749 §2.3.1);
//! - a form body with `grant_type`, `code`/`refresh_token`, `redirect_uri`, `client_id`,
//!   `client_secret`;
//! - the PKCE form of a public client: `client_id`, no secret, `code_verifier`.
//!
//! Errors follow RFC 6749 §5.2 and every answer carries `Cache-Control: no-store`.
//!
//! The IMS endpoint takes form bodies only (as IMS), adds `client_credentials`
//! (confidential client, `scope` required, no refresh token) and answers
//! `{"access_token","refresh_token","id_token","token_type":"bearer","expires_in"}`
//! (`id_token` for scopes with `openid`; `refresh_token` per
//! [`crate::scopes::grants_offline`]).

use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::errors::{OAuthError, json_bytes, no_store};
use crate::faults::{Dialect, FaultTarget, IdTokenFlaw, Plan, drop_connection, plan};
use crate::net::ConnInfo;
use crate::params::{InputError, Params, basic_credentials, media_type, read_body};
use crate::server::Shared;
use crate::state::{ClientAuth, IssuedTokens, Profile};
use crate::stats::status_key;
use crate::tokens::{constant_time_eq, fingerprint};
use crate::{id_token, scopes};

/// Grant types known to OAuth that the legacy profile refuses for every client.
const REFUSED_GRANTS: [&str; 3] = [
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
];

/// Grant types known to OAuth that the IMS profile refuses for every client.
const IMS_REFUSED_GRANTS: [&str; 2] = ["password", "urn:ietf:params:oauth:grant-type:jwt-bearer"];

/// The IMS success body.
#[derive(Serialize)]
struct ImsTokenBody<'a> {
    access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<&'a str>,
    token_type: &'static str,
    expires_in: u64,
}

/// The success body, in Workfront's field order.
#[derive(Serialize)]
struct TokenBody<'a> {
    token_type: &'static str,
    access_token: &'a str,
    refresh_token: &'a str,
    expires_in: u64,
    wid: &'a str,
}

/// Handles a token request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let conn = req
        .extensions()
        .get::<ConnectInfo<ConnInfo>>()
        .map(|c| c.0.clone());
    let (parts, body) = req.into_parts();
    let profile = shared.profile_of(parts.uri.path());
    let parsed = parse_body(&parts.headers, body, profile).await;
    let grant: Option<String> = parsed
        .as_ref()
        .ok()
        .map(|p| p.get("grant_type").unwrap_or("missing").to_owned());

    let targets: &[FaultTarget] = match grant.as_deref() {
        Some("authorization_code") => &[FaultTarget::Token, FaultTarget::AuthorizationCode],
        Some("refresh_token") => &[FaultTarget::Token, FaultTarget::RefreshToken],
        Some("client_credentials") => &[FaultTarget::Token, FaultTarget::ClientCredentials],
        _ => &[FaultTarget::Token],
    };
    let mut drop_after = false;
    let mut early = None;
    let mut flaw = None;
    if let Some(fault) = shared.faults.take(targets) {
        shared.stats.record_fault();
        match plan(fault, Dialect::OAuth, conn.as_ref()) {
            Plan::Respond(r) => early = Some(r),
            Plan::Delay(d) => tokio::time::sleep(d).await,
            Plan::DropAfter => drop_after = true,
            Plan::IdToken(f) => flaw = Some(f),
        }
    }
    let mut resp = match early {
        Some(r) => r,
        None => parsed
            .and_then(|p| process(&shared, &parts.headers, &p, profile, flaw))
            .unwrap_or_else(IntoResponse::into_response),
    };
    if drop_after {
        resp = drop_connection(conn.as_ref());
    }
    if let Some(g) = grant {
        let counted = match g.as_str() {
            "authorization_code" | "refresh_token" | "missing" => true,
            "client_credentials" => profile == Profile::Ims,
            _ => false,
        };
        let key = if counted { g } else { "other".to_owned() };
        shared.stats.record_grant(&key, &status_key(&resp));
    }
    resp
}

/// Answers anything but POST.
pub(crate) async fn method_not_allowed() -> Response {
    let mut resp = OAuthError {
        status: StatusCode::METHOD_NOT_ALLOWED,
        error: "invalid_request",
        description: "the token endpoint only accepts POST".into(),
        basic_challenge: false,
    }
    .into_response();
    resp.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    resp
}

pub(crate) async fn parse_body(
    headers: &HeaderMap,
    body: axum::body::Body,
    profile: Profile,
) -> Result<Params, OAuthError> {
    let bytes = read_body(headers, body).await.map_err(|e| match e {
        InputError::TooLarge => OAuthError::too_large(),
        other => OAuthError::invalid_request(other.to_string()),
    })?;
    let parsed = match media_type(headers).as_deref() {
        Some("application/x-www-form-urlencoded") => Params::from_form(&bytes),
        // Only Workfront's legacy service documents JSON token requests; IMS takes the
        // RFC's form body alone.
        Some("application/json") if profile == Profile::Legacy => Params::from_json(&bytes),
        Some("application/json") => {
            return Err(OAuthError::invalid_request(
                "the IMS token endpoint takes application/x-www-form-urlencoded bodies only",
            ));
        }
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "unsupported Content-Type {other}; use application/x-www-form-urlencoded or application/json"
            )));
        }
        None => {
            return Err(OAuthError::invalid_request(
                "missing Content-Type; use application/x-www-form-urlencoded or application/json",
            ));
        }
    };
    parsed.map_err(|e| OAuthError::invalid_request(e.to_string()))
}

/// The token endpoint of either profile: the grants are the same machinery, the profile
/// decides which grants exist and how the answer looks.
fn process(
    shared: &Shared,
    headers: &HeaderMap,
    params: &Params,
    profile: Profile,
    flaw: Option<IdTokenFlaw>,
) -> Result<Response, OAuthError> {
    let grant_type = params
        .get("grant_type")
        .ok_or_else(|| OAuthError::invalid_request("grant_type is required"))?;
    let (issued_grants, refused_grants): (&[&str], &[&str]) = match profile {
        Profile::Legacy => (&["authorization_code", "refresh_token"], &REFUSED_GRANTS),
        Profile::Ims => (
            &["authorization_code", "refresh_token", "client_credentials"],
            &IMS_REFUSED_GRANTS,
        ),
    };
    if !issued_grants.contains(&grant_type) && !refused_grants.contains(&grant_type) {
        return Err(OAuthError::unsupported_grant_type(format!(
            "grant_type {grant_type:?} is not supported"
        )));
    }
    let client = authenticate(shared, headers, params, profile)?;
    let now = shared.clock.now();
    let cfg = &shared.config;
    let issued = match grant_type {
        "authorization_code" => {
            let code = params
                .get("code")
                .ok_or_else(|| OAuthError::invalid_request("code is required"))?;
            // RFC 6749 §4.1.3: redirect_uri was in the authorization request, so it is
            // required here too.
            let redirect_uri = params
                .get("redirect_uri")
                .ok_or_else(|| OAuthError::invalid_request("redirect_uri is required"))?;
            let verifier = params.get("code_verifier");
            shared
                .auth()
                .redeem_code(code, &client, redirect_uri, verifier, now, cfg)
                .inspect_err(|e| {
                    tracing::info!(?profile, code = %fingerprint(code), reason = %e.description, "code grant refused");
                })?
        }
        "refresh_token" => {
            let token = params
                .get("refresh_token")
                .ok_or_else(|| OAuthError::invalid_request("refresh_token is required"))?;
            shared
                .auth()
                .refresh(token, &client, params.get("redirect_uri"), now, cfg)
                .inspect_err(|e| {
                    tracing::info!(?profile, refresh = %fingerprint(token), reason = %e.description, "refresh refused");
                })?
        }
        "client_credentials" if profile == Profile::Ims => {
            if client.public {
                return Err(OAuthError::unauthorized_client(
                    "a public client cannot use grant_type client_credentials",
                ));
            }
            if params.get("scope").is_none() {
                return Err(OAuthError::invalid_scope(
                    "scope is required for the client_credentials grant",
                ));
            }
            let access = shared.auth().client_credentials(now, cfg);
            tracing::info!(
                ?profile,
                grant = grant_type,
                client = %client.client_id,
                access = %fingerprint(&access),
                "access token issued"
            );
            return Ok(ims_response(shared, &access, None, None));
        }
        other => {
            return Err(OAuthError::unauthorized_client(format!(
                "this client may not use grant_type {other}"
            )));
        }
    };
    tracing::info!(
        ?profile,
        grant = grant_type,
        client = %client.client_id,
        access = %fingerprint(&issued.access_token),
        refresh = %issued.refresh_token.as_deref().map(fingerprint).unwrap_or_default(),
        "tokens issued"
    );
    Ok(match profile {
        Profile::Legacy => token_response(shared, &issued),
        Profile::Ims => {
            // An id_token on the code grant and on every refresh of a grant whose scope
            // holds `openid` (with the nonce on the code grant only).
            let id_token = scopes::wants_id_token(issued.scope.as_deref())
                .then(|| id_token::issue(shared, &issued, flaw));
            ims_response(
                shared,
                &issued.access_token,
                issued.refresh_token.as_deref(),
                id_token.as_deref(),
            )
        }
    })
}

fn ims_response(
    shared: &Shared,
    access: &str,
    refresh: Option<&str>,
    id_token: Option<&str>,
) -> Response {
    let body = ImsTokenBody {
        access_token: access,
        refresh_token: refresh,
        id_token,
        token_type: "bearer",
        expires_in: shared.config.access_token_ttl.as_secs(),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    no_store(json_bytes(StatusCode::OK, bytes))
}

fn token_response(shared: &Shared, issued: &IssuedTokens) -> Response {
    let body = TokenBody {
        token_type: "sessionID",
        access_token: &issued.access_token,
        // Legacy grants always have offline access.
        refresh_token: issued.refresh_token.as_deref().unwrap_or_default(),
        // The access token is a Workfront session with a sliding inactivity timeout:
        // 0 means "unknown", as real Workfront sends.
        expires_in: 0,
        wid: shared.data.user_id(issued.user),
    };
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    no_store(json_bytes(StatusCode::OK, bytes))
}

fn secret_ok(shared: &Shared, candidate: &str) -> bool {
    // Check every configured secret so timing does not reveal which one matched.
    shared
        .config
        .client_secrets
        .iter()
        .fold(false, |ok, s| ok | constant_time_eq(s, candidate))
}

/// Client authentication: Basic, body credentials, or a public client's bare `client_id`.
pub(crate) fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    params: &Params,
    profile: Profile,
) -> Result<ClientAuth, OAuthError> {
    let cfg = &shared.config;
    let basic = basic_credentials(headers).map_err(OAuthError::invalid_request)?;
    let body_id = params.get("client_id");
    let body_secret = params.get("client_secret");
    let is_public = |id: &str| cfg.public_client_id.as_deref() == Some(id);

    if let Some(b) = basic {
        if body_secret.is_some() {
            return Err(OAuthError::invalid_request(
                "client credentials must be sent either in the Authorization header or in the body, not both",
            ));
        }
        if !b.id_is(&cfg.client_id) {
            return Err(OAuthError::invalid_client(
                "client authentication failed",
                true,
            ));
        }
        if body_id.is_some_and(|id| id != cfg.client_id) {
            return Err(OAuthError::invalid_client(
                "client_id in the body does not match the Authorization header",
                true,
            ));
        }
        if !b.secrets().any(|s| secret_ok(shared, s)) {
            return Err(OAuthError::invalid_client(
                "client authentication failed",
                true,
            ));
        }
        return Ok(ClientAuth {
            client_id: cfg.client_id.clone(),
            public: false,
            profile,
        });
    }

    let Some(id) = body_id else {
        return Err(OAuthError::invalid_client(
            "client authentication is required: HTTP Basic, or client_id and client_secret",
            false,
        ));
    };
    if id == cfg.client_id {
        let Some(secret) = body_secret else {
            return Err(OAuthError::invalid_client(
                "client_secret is required for this client",
                false,
            ));
        };
        if !secret_ok(shared, secret) {
            return Err(OAuthError::invalid_client(
                "client authentication failed",
                false,
            ));
        }
        return Ok(ClientAuth {
            client_id: id.to_owned(),
            public: false,
            profile,
        });
    }
    if is_public(id) {
        if body_secret.is_some() {
            return Err(OAuthError::invalid_client(
                "this is a public client: it has no secret",
                false,
            ));
        }
        return Ok(ClientAuth {
            client_id: id.to_owned(),
            public: true,
            profile,
        });
    }
    Err(OAuthError::invalid_client("unknown client", false))
}
