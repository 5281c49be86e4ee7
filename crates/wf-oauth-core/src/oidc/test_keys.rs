//! RSA keys and token signing for the id_token tests. Keys come from a deterministic
//! random stream, so every run uses the same keys.

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use rsa::PrivateKey;
use rsa::pkcs1::{EncodeRsaPrivateKey as _, EncodeRsaPublicKey as _};
use rsa::traits::PublicKeyParts as _;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// SHA-256 of (seed, counter), block after block.
struct TestRng {
    seed: u8,
    counter: u64,
    block: [u8; 32],
    used: usize,
}

impl TestRng {
    fn new(seed: u8) -> Self {
        TestRng {
            seed,
            counter: 0,
            block: [0; 32],
            used: 32,
        }
    }

    fn byte(&mut self) -> u8 {
        if self.used == 32 {
            let mut h = Sha256::new();
            h.update([self.seed]);
            h.update(self.counter.to_le_bytes());
            self.block = h.finalize().into();
            self.counter += 1;
            self.used = 0;
        }
        self.used += 1;
        self.block[self.used - 1]
    }
}

impl rsa::rand_core::TryRng for TestRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            *b = self.byte();
        }
        Ok(())
    }
}

impl rsa::rand_core::TryCryptoRng for TestRng {}

/// A test signing key and its `kid`.
pub(crate) struct TestKey {
    pub kid: &'static str,
    private: PrivateKey,
}

impl TestKey {
    fn generate(seed: u8, bits: usize, kid: &'static str) -> TestKey {
        TestKey {
            kid,
            private: PrivateKey::new(&mut TestRng::new(seed), bits).expect("test key"),
        }
    }

    /// The public JWK, with `alg`.
    pub fn jwk(&self, alg: &str) -> Value {
        json!({
            "kty": "RSA",
            "use": "sig",
            "alg": alg,
            "kid": self.kid,
            "n": URL_SAFE_NO_PAD.encode(self.private.n_bytes()),
            "e": URL_SAFE_NO_PAD.encode(self.private.e_bytes()),
        })
    }

    /// The public key as PKCS#1 DER and PEM (what an HS256 confusion attack uses as the
    /// "secret").
    pub fn public_der_and_pem(&self) -> (Vec<u8>, String) {
        let public = self.private.to_public_key();
        (
            public.to_pkcs1_der().unwrap().as_bytes().to_vec(),
            public.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap(),
        )
    }

    /// A compact JWS with exactly this header and these claims, signed RS256.
    pub fn sign(&self, header: &Value, claims: &Value) -> String {
        let der = self.private.to_pkcs1_der().unwrap();
        sign_with(
            header,
            claims,
            &EncodingKey::from_rsa_der(der.as_bytes()),
            Algorithm::RS256,
        )
    }
}

/// `base64url(header).base64url(claims).signature` with any key and algorithm.
pub(crate) fn sign_with(
    header: &Value,
    claims: &Value,
    key: &EncodingKey,
    alg: Algorithm,
) -> String {
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = jsonwebtoken::crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

/// The provider's key.
pub(crate) fn provider() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate(1, 2048, "provider-key"))
}

/// A key that is not the provider's.
pub(crate) fn attacker() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate(2, 2048, "attacker-key"))
}

/// A 1024-bit key: too small.
pub(crate) fn small() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate(3, 1024, "small-key"))
}
