//! OpenID Connect as pure functions: nonces, id_token validation, JWKS documents,
//! provider discovery and userinfo responses.
//!
//! Nothing here fetches or reads a clock: the driver fetches the discovery document, the
//! JWKS and userinfo, and passes them in with the current time. A sign-in with the
//! `openid` scope then goes:
//!
//! 1. a [`Nonce`] from 32 random bytes, sent in the authorization request and kept with it;
//! 2. the token response's `id_token` as an [`IdToken`];
//! 3. [`validate_id_token`] against the provider's [`Jwks`], with the issuer, the client
//!    ID and the nonce: the [`IdTokenClaims`] say who signed in. An
//!    [`Error::IdTokenUnknownKey`](crate::Error::IdTokenUnknownKey) means the provider
//!    rotated its keys: fetch the JWKS again (once) and validate again;
//! 4. a refresh that returns an id_token is validated the same way without a nonce, and
//!    with [`IdTokenValidation::subject`] set to the first token's `sub` (OpenID Connect
//!    Core §12.2).
//!
//! Errors: a token that fails a check (signature, algorithm, issuer, audience, expiry,
//! nonce…) is [`Error::IdTokenRejected`](crate::Error::IdTokenRejected), of kind
//! [`ErrorKind::AuthorizationFailed`](crate::ErrorKind::AuthorizationFailed): the sign-in
//! failed and must not be trusted. A token, JWKS, discovery document or userinfo answer
//! that is not even well-formed is the server breaking the protocol:
//! [`ErrorKind::Protocol`](crate::ErrorKind::Protocol). No error message contains a token.

mod claims;
mod discovery;
mod jwks;
mod secrets;
mod userinfo;
mod validate;

#[cfg(test)]
mod test_keys;
#[cfg(test)]
mod validate_tests;

pub use claims::IdTokenClaims;
pub use discovery::ProviderMetadata;
pub use jwks::{Jwk, Jwks};
pub use secrets::{IdToken, Nonce};
pub use userinfo::UserInfo;
pub use validate::{
    ID_TOKEN_CLOCK_SKEW_SECS, IdTokenCheck, IdTokenValidation, MAX_ID_TOKEN_BYTES,
    validate_id_token,
};

/// The most bytes of a JSON document (JWKS, discovery, userinfo) read before parsing.
pub const MAX_OIDC_DOCUMENT_BYTES: usize = 256 * 1024;

use serde_json::{Map, Value};

/// A JSON document that must be an object of at most [`MAX_OIDC_DOCUMENT_BYTES`]; the
/// error is the reason, for the caller's error variant.
fn json_object(json: &[u8], what: &str) -> Result<Map<String, Value>, String> {
    if json.len() > MAX_OIDC_DOCUMENT_BYTES {
        return Err(format!(
            "the {what} is larger than {MAX_OIDC_DOCUMENT_BYTES} bytes"
        ));
    }
    match serde_json::from_slice::<Value>(json) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(format!("the {what} is not a JSON object")),
    }
}

/// A string member: `None` when absent or `null`; the error is the reason when it has
/// another type.
fn string_member<'m>(map: &'m Map<String, Value>, name: &str) -> Result<Option<&'m str>, String> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(format!("`{name}` is not a string")),
    }
}
