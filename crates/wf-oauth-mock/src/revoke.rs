//! `POST /ims/revoke`: OAuth 2.0 Token Revocation (RFC 7009).
//!
//! A form with `token` and an optional `token_type_hint` (`access_token` or
//! `refresh_token`; any other value is `unsupported_token_type`), authenticated as at the
//! token endpoint (HTTP Basic or `client_secret` in the form for the web-application
//! client; a public client sends its `client_id` alone). `200` with an empty body whether
//! or not the token was known (§2.2); a token of another client is `invalid_grant` (as
//! Authlib answers). Revoking a refresh token revokes its whole grant; revoking an access
//! token ends that token only. Revoked tokens are then refused everywhere: the token
//! endpoint (`invalid_grant`), the API and userinfo (`401`).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};

use crate::errors::{OAuthError, no_store};
use crate::faults::{FaultTarget, drop_connection};
use crate::openid::{Intercept, conn_of, intercept};
use crate::server::Shared;
use crate::state::Profile;
use crate::token::{authenticate, parse_body};
use crate::tokens::fingerprint;

/// Handles a revocation request.
pub(crate) async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let conn = conn_of(&req);
    let drop_after = match intercept(&shared, FaultTarget::Revoke, conn.as_ref()).await {
        Intercept::Answer(r) => return r,
        Intercept::Proceed { drop_after } => drop_after,
    };
    let (parts, body) = req.into_parts();
    let resp = match parse_body(&parts.headers, body, Profile::Ims).await {
        Ok(params) => process(&shared, &parts.headers, &params),
        Err(e) => Err(e),
    }
    .unwrap_or_else(IntoResponse::into_response);
    if drop_after {
        return drop_connection(conn.as_ref());
    }
    resp
}

fn process(
    shared: &Shared,
    headers: &http::HeaderMap,
    params: &crate::params::Params,
) -> Result<Response, OAuthError> {
    let client = authenticate(shared, headers, params, Profile::Ims)?;
    let token = params
        .get("token")
        .ok_or_else(|| OAuthError::invalid_request("token is required"))?;
    match params.get("token_type_hint") {
        None | Some("access_token" | "refresh_token") => {}
        Some(other) => {
            return Err(OAuthError::unsupported_token_type(format!(
                "token_type_hint {other:?} is not supported; use access_token or refresh_token"
            )));
        }
    }
    let revoked = shared
        .auth()
        .revoke(token, &client.client_id)
        .inspect_err(|e| {
            tracing::info!(client = %client.client_id, token = %fingerprint(token), reason = %e.description, "revocation refused");
        })?;
    tracing::info!(
        client = %client.client_id,
        token = %fingerprint(token),
        kind = revoked.as_str(),
        "revocation"
    );
    // RFC 7009 §2.2: the body is empty (and so carries no content type).
    Ok(no_store(Response::new(axum::body::Body::empty())))
}
