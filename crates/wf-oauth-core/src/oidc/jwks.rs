//! JWKS documents (RFC 7517 §5): the provider's published signing keys.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{json_object, string_member};
use crate::error::Error;
use crate::redact::sanitize_str;

/// One RSA signature key of a JWKS: `kid`, `alg` and `use` as published, and the public
/// key (`n`, `e`).
#[derive(Clone, PartialEq, Eq)]
pub struct Jwk {
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    n: Vec<u8>,
    e: Vec<u8>,
}

impl Jwk {
    /// The key ID (`kid`), if the provider gave one.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// The algorithm the key is for (`alg`), if published.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// The intended use (`use`), if published (`sig` for signature keys).
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// The size of the RSA modulus in bits.
    pub fn modulus_bits(&self) -> usize {
        let skip = self.n.iter().take_while(|b| **b == 0).count();
        match self.n.get(skip) {
            Some(first) => (self.n.len() - skip) * 8 - first.leading_zeros() as usize,
            None => 0,
        }
    }

    /// The public key for signature checks.
    pub(crate) fn decoding_key(&self) -> jsonwebtoken::DecodingKey {
        jsonwebtoken::DecodingKey::from_rsa_raw_components(&self.n, &self.e)
    }
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Jwk")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("use", &self.key_use)
            .field("bits", &self.modulus_bits())
            .finish()
    }
}

/// A provider's JWKS, reduced to its RSA signature keys.
///
/// Parsing is tolerant where the format allows it: unknown members are ignored, and keys
/// of other types (`EC`, `OKP`, `oct`) or for encryption (`use: enc`) are skipped. An RSA
/// key whose `n` or `e` is missing or not base64url makes the document invalid.
///
/// ```
/// use wf_oauth_core::Jwks;
/// let jwks = Jwks::parse(br#"{"keys":[
///   {"kty":"EC","crv":"P-256","x":"AA","y":"AA","kid":"ec"},
///   {"kty":"RSA","kid":"ims","use":"sig","alg":"RS256","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}
/// ]}"#)?;
/// assert_eq!(jwks.keys().len(), 1);
/// assert_eq!(jwks.find("ims").unwrap().modulus_bits(), 2048);
/// assert!(jwks.find("ec").is_none());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Jwks {
    keys: Vec<Jwk>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::JwksInvalid {
        reason: reason.into(),
    }
}

fn text(key: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    string_member(key, name)
        .map(|v| v.map(str::to_owned))
        .map_err(invalid)
}

fn component(key: &Map<String, Value>, name: &str, kid: &str) -> Result<Vec<u8>, Error> {
    let bad = || {
        invalid(format!(
            "RSA key `{kid}`: `{name}` is missing or not base64url"
        ))
    };
    let value = text(key, name)?.ok_or_else(bad)?;
    match URL_SAFE_NO_PAD.decode(value.as_bytes()) {
        Ok(bytes) if bytes.iter().any(|b| *b != 0) => Ok(bytes),
        _ => Err(bad()),
    }
}

impl Jwks {
    /// Parses a JWKS document (`{"keys":[…]}`).
    pub fn parse(json: &[u8]) -> Result<Jwks, Error> {
        let doc = json_object(json, "document").map_err(invalid)?;
        let Some(entries) = doc.get("keys").and_then(Value::as_array) else {
            return Err(invalid("the document has no `keys` array"));
        };
        let mut keys = Vec::new();
        for entry in entries {
            let Value::Object(key) = entry else {
                return Err(invalid("an entry of `keys` is not an object"));
            };
            let kty = text(key, "kty")?;
            let key_use = text(key, "use")?;
            if kty.as_deref() != Some("RSA") || key_use.as_deref().is_some_and(|u| u != "sig") {
                continue;
            }
            let kid = text(key, "kid")?;
            let label = kid
                .as_deref()
                .map_or_else(|| "(no kid)".to_owned(), sanitize_str);
            keys.push(Jwk {
                n: component(key, "n", &label)?,
                e: component(key, "e", &label)?,
                alg: text(key, "alg")?,
                kid,
                key_use,
            });
        }
        Ok(Jwks { keys })
    }

    /// The RSA signature keys, in document order.
    pub fn keys(&self) -> &[Jwk] {
        &self.keys
    }

    /// The first key with this `kid`.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid() == Some(kid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const N: &str = "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

    fn rsa(kid: &str, extra: &str) -> String {
        format!(r#"{{"kty":"RSA","kid":"{kid}","n":"{N}","e":"AQAB"{extra}}}"#)
    }

    #[test]
    fn keeps_rsa_signature_keys_and_skips_the_rest() {
        let doc = format!(
            r#"{{"keys":[{},{},{{"kty":"oct","k":"c2VjcmV0"}},{{"kty":"OKP","crv":"Ed25519","x":"AA"}},{}],"extra":1}}"#,
            rsa("a", r#","use":"sig","alg":"RS256","x5c":["MII"]"#),
            rsa("enc", r#","use":"enc""#),
            rsa("b", ""),
        );
        let jwks = Jwks::parse(doc.as_bytes()).unwrap();
        let kids: Vec<_> = jwks.keys().iter().map(|k| k.kid().unwrap()).collect();
        assert_eq!(kids, ["a", "b"]);
        let a = jwks.find("a").unwrap();
        assert_eq!(a.alg(), Some("RS256"));
        assert_eq!(a.key_use(), Some("sig"));
        assert_eq!(a.modulus_bits(), 2048);
        assert!(jwks.find("enc").is_none());
        assert!(format!("{a:?}").contains("2048"));
        assert!(Jwks::parse(br#"{"keys":[]}"#).unwrap().keys().is_empty());
    }

    #[test]
    fn malformed_documents_are_refused() {
        for doc in [
            "not json".to_owned(),
            "[]".to_owned(),
            r#"{"keys":{}}"#.to_owned(),
            r#"{"keys":[1]}"#.to_owned(),
            r#"{"keys":[{"kty":"RSA","kid":"x","e":"AQAB"}]}"#.to_owned(),
            r#"{"keys":[{"kty":"RSA","kid":"x","n":"!!","e":"AQAB"}]}"#.to_owned(),
            r#"{"keys":[{"kty":"RSA","kid":"x","n":"AAAA","e":"AQAB"}]}"#.to_owned(),
            format!(r#"{{"keys":[{{"kty":"RSA","kid":7,"n":"{N}","e":"AQAB"}}]}}"#),
        ] {
            assert!(
                matches!(Jwks::parse(doc.as_bytes()), Err(Error::JwksInvalid { .. })),
                "{doc}"
            );
        }
        let huge = vec![b' '; crate::MAX_OIDC_DOCUMENT_BYTES + 1];
        assert!(matches!(Jwks::parse(&huge), Err(Error::JwksInvalid { .. })));
    }
}
