//! Helpers for the IMS OpenID tests: a mock in IMS mode, token requests, and id_token
//! validation done independently of the mock with the `jsonwebtoken` crate.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, TokenData, Validation, decode, decode_header};
use reqwest::{Response, StatusCode};
use serde_json::Value;
use wf_oauth_mock::{Mode, RunningMock};

use super::*;

/// IMS scope with `openid`, as the tests request it.
pub const OPENID: &str = "openid,AdobeID,additional_info.projectedProductContext";

/// An IMS-mode mock accepting the tests' loopback redirect URIs.
pub async fn spawn_ims() -> RunningMock {
    builder()
        .mode(Mode::AdobeIms)
        .allow_loopback_redirects(true)
        .spawn()
        .await
        .unwrap()
}

/// `POST /ims/token/v3` with a form.
pub async fn ims_token(mock: &RunningMock, form: &[(&str, &str)]) -> Response {
    client()
        .post(mock.ims_token_url())
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The client-credentials grant of the confidential client (secret in the form).
pub async fn client_credentials(mock: &RunningMock, scope: &str) -> Response {
    ims_token(
        mock,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("scope", scope),
        ],
    )
    .await
}

/// A code through the login and consent pages for `client_id`, with `extra` appended to
/// the authorization query.
pub async fn code_through_pages(mock: &RunningMock, client_id: &str, extra: &str) -> String {
    code_of(&ims_browser_flow(mock, &authorize_query(client_id, extra)).await)
}

/// Redeems a code as the confidential client (secret in the form); returns the body.
pub async fn redeem(mock: &RunningMock, code: &str) -> Value {
    let resp = ims_token(
        mock,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await;
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

/// A refresh as the confidential client.
pub async fn refresh(mock: &RunningMock, refresh_token: &str) -> Response {
    ims_token(
        mock,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
        ],
    )
    .await
}

/// A code for the confidential client with these authorization parameters.
pub fn ims_code(mock: &RunningMock, scope: &str, params: &[(&str, &str)]) -> String {
    mock.issue_ims_code_with(CLIENT, REDIRECT, None, scope, params)
        .unwrap()
}

/// The mock's JWKS, fetched over HTTP.
pub async fn jwks(mock: &RunningMock) -> JwkSet {
    let resp = client().get(mock.ims_jwks_url()).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    resp.json().await.unwrap()
}

/// Validates an id_token against a JWKS: RS256 only, signature, `iss`, `aud`, `exp`.
pub fn validate(
    token: &str,
    keys: &JwkSet,
    issuer: &str,
    client_id: &str,
) -> Result<TokenData<Value>, String> {
    let header = decode_header(token).map_err(|e| format!("header: {e}"))?;
    if header.alg != Algorithm::RS256 {
        return Err(format!("alg {:?}", header.alg));
    }
    let kid = header.kid.ok_or("no kid")?;
    let jwk = keys
        .find(&kid)
        .ok_or_else(|| format!("unknown kid {kid}"))?;
    let key = DecodingKey::from_jwk(jwk).map_err(|e| e.to_string())?;
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[issuer]);
    v.set_audience(&[client_id]);
    v.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
    decode::<Value>(token, &key, &v).map_err(|e| format!("{:?}", e.kind()))
}

/// Validates a fresh id_token of the mock for the confidential client; returns its claims.
pub async fn valid_claims(mock: &RunningMock, token: &str) -> Value {
    let keys = jwks(mock).await;
    validate(token, &keys, &mock.ims_issuer(), CLIENT)
        .unwrap_or_else(|e| panic!("id_token refused: {e}"))
        .claims
}

/// `GET /ims/userinfo/v2` with a Bearer token.
pub async fn userinfo(mock: &RunningMock, access: &str) -> Response {
    client()
        .get(mock.ims_userinfo_url())
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
}

/// `POST /ims/revoke` with a form.
pub async fn revoke(mock: &RunningMock, form: &[(&str, &str)]) -> Response {
    client()
        .post(mock.ims_revoke_url())
        .form(form)
        .send()
        .await
        .unwrap()
}

/// `GET {api}/proj/count` with a Bearer token and extra headers.
pub async fn api_call(mock: &RunningMock, access: &str, headers: &[(&str, &str)]) -> Response {
    let mut req = client()
        .get(format!("{}/proj/count", mock.api_url("v14.0")))
        .bearer_auth(access);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}
