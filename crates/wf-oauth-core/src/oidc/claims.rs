//! The claims of a validated id_token.

use std::fmt;

use serde_json::{Map, Value};

use crate::time::UnixTime;

/// What a validated id_token says: who signed in (`sub`, `email`, `name`), for whom
/// (`aud`, `azp`), by whom (`iss`), when (`iat`, `exp`), and every other claim as
/// received.
///
/// Only [`validate_id_token`](crate::validate_id_token) builds one, so holding one means
/// the checks passed. `Debug` prints no nonce and only the names of the other claims.
#[derive(Clone, PartialEq)]
pub struct IdTokenClaims {
    pub(crate) issuer: String,
    pub(crate) sub: String,
    pub(crate) audience: Vec<String>,
    pub(crate) authorized_party: Option<String>,
    pub(crate) expires_at: UnixTime,
    pub(crate) issued_at: UnixTime,
    pub(crate) nonce: Option<String>,
    pub(crate) email: Option<String>,
    pub(crate) name: Option<String>,
    /// Every claim as received, including the ones above.
    pub(crate) all: Map<String, Value>,
}

/// Claims with a typed accessor; [`IdTokenClaims::other`] leaves them out.
const NAMED: [&str; 9] = [
    "iss", "sub", "aud", "azp", "exp", "iat", "nonce", "email", "name",
];

impl IdTokenClaims {
    /// `sub`: the provider's stable identifier of the user (with `iss`, the user's
    /// identity; an email address can change hands).
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// `email`, if the provider sent it.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// `name`, if the provider sent it.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// `iss`: the issuer (equal to the expected one).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `aud`: the audiences (including the client ID).
    pub fn audience(&self) -> &[String] {
        &self.audience
    }

    /// `azp`: the authorized party, if present (equal to the client ID).
    pub fn authorized_party(&self) -> Option<&str> {
        self.authorized_party.as_deref()
    }

    /// `exp`: when the token expires.
    pub fn expires_at(&self) -> UnixTime {
        self.expires_at
    }

    /// `iat`: when the token was issued.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }

    /// `nonce`, if present (equal to the expected one when one was expected).
    pub fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }

    /// A claim by name, as received (any claim, named or not).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.all.get(name)
    }

    /// The claims without a typed accessor above (`given_name`, `email_verified`, custom
    /// claims…), as received.
    pub fn other(&self) -> Map<String, Value> {
        self.all
            .iter()
            .filter(|(k, _)| !NAMED.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// Every claim as received, as one JSON object (for bindings that expose a map).
    pub fn to_json(&self) -> Map<String, Value> {
        self.all.clone()
    }
}

impl fmt::Debug for IdTokenClaims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let other: Vec<String> = self.other().into_iter().map(|(k, _)| k).collect();
        f.debug_struct("IdTokenClaims")
            .field("iss", &self.issuer)
            .field("sub", &self.sub)
            .field("aud", &self.audience)
            .field("azp", &self.authorized_party)
            .field("exp", &self.expires_at)
            .field("iat", &self.issued_at)
            .field("nonce", &self.nonce.as_ref().map(|_| "[redacted]"))
            .field("email", &self.email)
            .field("name", &self.name)
            .field("other", &other)
            .finish()
    }
}
