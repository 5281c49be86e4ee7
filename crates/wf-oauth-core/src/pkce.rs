//! PKCE (RFC 7636) with the S256 method, the only one Workfront accepts.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::Error;
use crate::secret::PkceVerifier;

/// The only `code_challenge_method` sent.
pub const CODE_CHALLENGE_METHOD: &str = "S256";

impl PkceVerifier {
    /// Builds a verifier from 32 random bytes: 43 base64url characters (RFC 7636 §4.1).
    pub fn from_entropy(bytes: &[u8; 32]) -> Self {
        PkceVerifier::new(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Checks a verifier supplied by the caller: 43 to 128 unreserved characters.
    ///
    /// ```
    /// use wf_oauth_core::PkceVerifier;
    /// assert!(PkceVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").is_ok());
    /// assert!(PkceVerifier::parse("too-short").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, Error> {
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&value.len()) {
            return Err(Error::invalid_argument(
                "a PKCE code verifier must be 43 to 128 characters long",
            ));
        }
        if !value.bytes().all(unreserved) {
            return Err(Error::invalid_argument(
                "a PKCE code verifier may only contain letters, digits, '-', '.', '_' and '~'",
            ));
        }
        Ok(PkceVerifier::new(value))
    }

    /// The S256 code challenge: `BASE64URL(SHA256(verifier))`.
    ///
    /// ```
    /// use wf_oauth_core::PkceVerifier;
    /// // RFC 7636, Appendix B.
    /// let v = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// ```
    pub fn challenge(&self) -> String {
        URL_SAFE_NO_PAD.encode(Sha256::digest(self.secret().as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let bytes: [u8; 32] = [
            116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
            37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
        ];
        let v = PkceVerifier::from_entropy(&bytes);
        assert_eq!(v.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(v.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    }

    #[test]
    fn verifier_validation() {
        assert!(matches!(
            PkceVerifier::parse(&"a".repeat(42)),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            PkceVerifier::parse(&"a".repeat(129)),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(matches!(
            PkceVerifier::parse(&format!("{}+", "a".repeat(43))),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(PkceVerifier::parse(&"a~.-_".repeat(9)).is_ok());
    }
}
