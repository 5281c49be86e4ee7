//! The fake IMS's id_token signing key: an RSA key made when the mock starts (never
//! stored anywhere), published as a JWKS, replaceable at run time (key rotation).
//!
//! Keys are made lazily, on the first id_token or JWKS request, so a legacy-mode mock never
//! pays for RSA key generation.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rsa::PrivateKey;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::faults::lock;

/// Bits of the RSA modulus: 2048, the size of the keys IMS publishes.
const KEY_BITS: usize = 2048;

/// The operating system's random number generator, in the shape RSA key generation takes.
struct OsRandom;

impl rsa::rand_core::TryRng for OsRandom {
    type Error = getrandom::Error;

    fn try_next_u32(&mut self) -> Result<u32, getrandom::Error> {
        getrandom::u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, getrandom::Error> {
        getrandom::u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), getrandom::Error> {
        getrandom::fill(dst)
    }
}

impl rsa::rand_core::TryCryptoRng for OsRandom {}

/// One RSA signing key with its key ID and public JWK.
pub(crate) struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    jwk: Value,
}

impl SigningKey {
    /// A fresh key from the operating system's random number generator.
    pub fn generate() -> SigningKey {
        // The OS entropy source failing is not something a test server can recover from.
        let private = PrivateKey::new(&mut OsRandom, KEY_BITS)
            .expect("the OS random number generator failed");
        let n = private.n_bytes();
        let e = private.e_bytes();
        // The key ID names the key by its modulus, so a new key always has a new kid.
        let kid = URL_SAFE_NO_PAD.encode(&Sha256::digest(&n)[..12]);
        let der = private
            .to_pkcs1_der()
            .expect("a generated RSA key encodes as PKCS#1");
        let jwk = json!({
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(&n),
            "e": URL_SAFE_NO_PAD.encode(&e),
        });
        SigningKey {
            kid,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk,
        }
    }

    /// The key ID (`kid`) put in the header of every token this key signs.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// A compact RS256 JWS of `claims` with `typ: JWT` and this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding)
            .expect("RS256 signing with a generated key does not fail")
    }
}

/// The key currently in use. Rotation replaces it: the old key disappears from the JWKS
/// at once, as when a provider retires a compromised key.
#[derive(Default)]
pub(crate) struct KeyRing {
    current: Mutex<Option<Arc<SigningKey>>>,
}

impl KeyRing {
    /// The current key, made on first use.
    pub fn current(&self) -> Arc<SigningKey> {
        let mut slot = lock(&self.current);
        slot.get_or_insert_with(|| Arc::new(SigningKey::generate()))
            .clone()
    }

    /// Replaces the key with a new one; returns the new `kid`.
    pub fn rotate(&self) -> String {
        let key = Arc::new(SigningKey::generate());
        let kid = key.kid().to_owned();
        *lock(&self.current) = Some(key);
        tracing::info!(kid, "id_token signing key rotated");
        kid
    }

    /// The JWKS document (`{"keys":[…]}`) with the current key only.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.current().jwk()] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_rotate_and_sign_with_their_kid() {
        let ring = KeyRing::default();
        let first = ring.current();
        assert_eq!(ring.current().kid(), first.kid());
        let jwks = ring.jwks();
        assert_eq!(jwks["keys"][0]["kid"], first.kid());
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
        let token = first.sign(&json!({"sub": "x"}));
        let header = jsonwebtoken::decode_header(&token).unwrap();
        assert_eq!(header.alg, Algorithm::RS256);
        assert_eq!(header.kid.as_deref(), Some(first.kid()));
        let new_kid = ring.rotate();
        assert_ne!(new_kid, first.kid());
        let jwks = ring.jwks();
        assert_eq!(jwks["keys"].as_array().unwrap().len(), 1);
        assert_eq!(jwks["keys"][0]["kid"], new_kid.as_str());
    }
}
