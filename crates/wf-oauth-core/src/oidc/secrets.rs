//! The id_token and the nonce: secrets, declared like the others in `crate::secret`.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use zeroize::Zeroize;

use crate::secret::{constant_time_eq, fingerprint, secret_type, serde_secret};

secret_type!(
    /// An OpenID Connect id_token (a compact JWS) as received from the token endpoint.
    ///
    /// It is a bearer credential for some relying parties, so it is kept out of logs like
    /// the other tokens. Check it with [`validate_id_token`](crate::validate_id_token)
    /// before believing anything it says.
    ///
    /// ```
    /// use wf_oauth_core::IdToken;
    /// let t = IdToken::new("eyJhbGciOiJSUzI1NiJ9.e30.c2ln");
    /// assert_eq!(format!("{t} {t:?}"), "[redacted] IdToken([redacted])");
    /// assert_eq!(t.fingerprint().len(), 8);
    /// ```
    IdToken
);
serde_secret!(IdToken);

secret_type!(
    /// The OpenID Connect `nonce` of an authorization request: 256 random bits that the
    /// id_token must carry back, binding it to this sign-in (OpenID Connect Core §3.1.2.1).
    ///
    /// ```
    /// use wf_oauth_core::Nonce;
    /// let nonce = Nonce::from_entropy(&[7u8; 32]); // from a secure RNG in real use
    /// assert_eq!(nonce.secret().len(), 43);
    /// assert!(nonce.matches(nonce.secret()));
    /// assert!(!nonce.matches("something else"));
    /// assert_eq!(format!("{nonce:?}"), "Nonce([redacted])");
    /// ```
    Nonce
);
serde_secret!(Nonce);

impl Nonce {
    /// Builds a nonce from 32 bytes of caller entropy: 43 base64url characters, 256 bits
    /// (OpenID Connect asks for enough entropy to make guessing infeasible; 128 bits is
    /// the usual floor).
    pub fn from_entropy(bytes: &[u8; 32]) -> Self {
        Nonce(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Whether a received value is this nonce, compared in constant time.
    pub fn matches(&self, received: &str) -> bool {
        constant_time_eq(&self.0, received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_differ_with_their_entropy_and_serialize_as_strings() {
        let a = Nonce::from_entropy(&[1; 32]);
        let b = Nonce::from_entropy(&[2; 32]);
        assert_ne!(a, b);
        assert!(!a.matches(b.secret()));
        assert!(!a.matches(&a.secret()[..42]));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, format!("\"{}\"", a.secret()));
        let back: Nonce = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }

    #[test]
    fn id_tokens_never_print() {
        let t = IdToken::new("header.payload.signature");
        assert_eq!(format!("{t}"), "[redacted]");
        assert!(!format!("{t:?}").contains("payload"));
        let json = serde_json::to_string(&t).unwrap();
        let back: IdToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back.secret(), "header.payload.signature");
    }
}
