//! Who a signed-in user is (the claims of the id_token and of userinfo), and the id_token
//! itself: RS256, signed with the mock's key, or deliberately wrong when a
//! [`Fault::IdToken`](crate::Fault::IdToken) says so.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::data::ObjCode;
use crate::faults::IdTokenFlaw;
use crate::keys::SigningKey;
use crate::server::Shared;
use crate::state::IssuedTokens;
use crate::tokens::random_token;

/// How far in the past an [`IdTokenFlaw::Expired`] token's `exp` is: far beyond any clock
/// skew a relying party allows.
const EXPIRED_BY_SECS: u64 = 3600;

/// The standard claims about a user, shared by the id_token and userinfo.
pub(crate) fn user_claims(shared: &Shared, user: usize) -> Map<String, Value> {
    let id = shared.data.user_id(user).to_owned();
    let field = |name: &str| -> Value {
        let idx = ObjCode::User.field_index(name);
        shared
            .data
            .with_table(ObjCode::User, |t| {
                t.get(&id)
                    .and_then(|r| idx.and_then(|i| r.values.get(i)).cloned())
            })
            .unwrap_or(Value::Null)
    };
    // IMS user IDs look like `0123456789ABCDEF01234567@AdobeID`; derived from the
    // Workfront user so they are stable from run to run.
    let digest = Sha256::digest(format!("ims-user:{id}").as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02X}")).collect();
    let mut m = Map::new();
    m.insert("sub".into(), json!(format!("{hex}@AdobeID")));
    m.insert("name".into(), field("name"));
    m.insert("given_name".into(), field("firstName"));
    m.insert("family_name".into(), field("lastName"));
    m.insert("email".into(), field("emailAddr"));
    m.insert("email_verified".into(), json!(true));
    m
}

/// The id_token for a grant: `iss`, `sub`, `aud` (the client ID), `azp`, `iat`, `exp`
/// (`iat` + the access-token lifetime), `nonce` when the authorization request had one,
/// and the user claims.
pub(crate) fn issue(shared: &Shared, issued: &IssuedTokens, flaw: Option<IdTokenFlaw>) -> String {
    let now = shared.unix_now();
    let ttl = shared.config.access_token_ttl.as_secs();
    let (iat, exp) = match flaw {
        Some(IdTokenFlaw::Expired) => {
            let exp = now.saturating_sub(EXPIRED_BY_SECS);
            (exp.saturating_sub(ttl), exp)
        }
        _ => (now, now.saturating_add(ttl)),
    };
    let audience = match flaw {
        Some(IdTokenFlaw::WrongAudience) => "another-client".to_owned(),
        _ => issued.client_id.clone(),
    };
    let issuer = match flaw {
        // A prefix of the right value is not the right value.
        Some(IdTokenFlaw::WrongIssuer) => format!("{}/other", shared.issuer),
        _ => shared.issuer.clone(),
    };
    let nonce = match flaw {
        Some(IdTokenFlaw::WrongNonce) => Some(random_token()),
        _ => issued.nonce.clone(),
    };
    let mut claims = Map::new();
    claims.insert("iss".into(), json!(issuer));
    claims.insert("aud".into(), json!(audience));
    claims.insert("azp".into(), json!(audience));
    claims.insert("iat".into(), json!(iat));
    claims.insert("exp".into(), json!(exp));
    claims.insert("type".into(), json!("id_token"));
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    claims.extend(user_claims(shared, issued.user));
    let claims = Value::Object(claims);
    match flaw {
        Some(IdTokenFlaw::UnknownKey) => SigningKey::generate().sign(&claims),
        Some(IdTokenFlaw::AlgNone) => unsigned(&claims),
        Some(IdTokenFlaw::TamperedSignature) => tamper(&shared.keys.current().sign(&claims)),
        _ => shared.keys.current().sign(&claims),
    }
}

/// `alg: none`: a header, the claims, and an empty signature.
fn unsigned(claims: &Value) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    format!("{header}.{payload}.")
}

/// Flips one bit of the signature. Done on the decoded bytes: changing the last base64
/// character could touch only padding bits and leave the signature intact.
fn tamper(jws: &str) -> String {
    let (signed, signature) = jws.rsplit_once('.').unwrap_or((jws, ""));
    let mut bytes = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if let Some(b) = bytes.first_mut() {
        *b ^= 0x01;
    }
    format!("{signed}.{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tampering_changes_the_signature_only() {
        let t = tamper("aGVhZA.Ym9keQ.AAEC");
        assert_eq!(t, "aGVhZA.Ym9keQ.AQEC");
    }

    #[test]
    fn unsigned_tokens_have_an_empty_signature() {
        let t = unsigned(&json!({"sub": "x"}));
        assert!(t.ends_with('.'));
        assert_eq!(t.split('.').count(), 3);
        let header = URL_SAFE_NO_PAD
            .decode(t.split('.').next().unwrap())
            .unwrap();
        assert_eq!(header, br#"{"alg":"none","typ":"JWT"}"#);
    }
}
