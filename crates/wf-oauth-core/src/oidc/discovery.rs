//! OpenID Provider metadata (OpenID Connect Discovery 1.0): where a provider's endpoints
//! are, read from its `/.well-known/openid-configuration` document.

use serde_json::{Map, Value};
use url::Url;

use super::{json_object, string_member};
use crate::error::Error;
use crate::provider::Endpoint;
use crate::redact::sanitize_str;

/// The suffix appended to an issuer to find its discovery document (Discovery §4.1).
const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// The endpoints and capabilities of an OpenID provider, from its discovery document.
///
/// Every URL is validated as an [`Endpoint`] (`https`, or `http` to a loopback host).
///
/// ```
/// use wf_oauth_core::ProviderMetadata;
/// let doc = br#"{
///   "issuer": "https://ims-na1.adobelogin.com",
///   "authorization_endpoint": "https://ims-na1.adobelogin.com/ims/authorize/v2",
///   "token_endpoint": "https://ims-na1.adobelogin.com/ims/token/v3",
///   "userinfo_endpoint": "https://ims-na1.adobelogin.com/ims/userinfo/v2",
///   "revocation_endpoint": "https://ims-na1.adobelogin.com/ims/revoke",
///   "jwks_uri": "https://ims-na1.adobelogin.com/ims/keys",
///   "id_token_signing_alg_values_supported": ["RS256"]
/// }"#;
/// let meta = ProviderMetadata::parse(doc, "https://ims-na1.adobelogin.com")?;
/// assert_eq!(meta.jwks_uri().url().path(), "/ims/keys");
/// assert!(meta.revocation_endpoint().is_some());
/// // A document fetched for one issuer but naming another is refused.
/// assert!(ProviderMetadata::parse(doc, "https://evil.example").is_err());
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderMetadata {
    issuer: String,
    authorization_endpoint: Endpoint,
    token_endpoint: Endpoint,
    jwks_uri: Endpoint,
    revocation_endpoint: Option<Endpoint>,
    userinfo_endpoint: Option<Endpoint>,
    scopes_supported: Vec<String>,
    code_challenge_methods_supported: Vec<String>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::DiscoveryInvalid {
        reason: reason.into(),
    }
}

fn text<'m>(doc: &'m Map<String, Value>, name: &str) -> Result<Option<&'m str>, Error> {
    string_member(doc, name).map_err(invalid)
}

fn endpoint(doc: &Map<String, Value>, name: &str) -> Result<Option<Endpoint>, Error> {
    text(doc, name)?
        .map(|url| {
            Endpoint::parse(url).map_err(|e| match e {
                Error::InvalidConfig { reason } => invalid(format!("`{name}`: {reason}")),
                other => other,
            })
        })
        .transpose()
}

fn required(doc: &Map<String, Value>, name: &str) -> Result<Endpoint, Error> {
    endpoint(doc, name)?.ok_or_else(|| invalid(format!("`{name}` is missing")))
}

fn strings(doc: &Map<String, Value>, name: &str) -> Result<Vec<String>, Error> {
    match doc.get(name) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(format!("`{name}` is not an array of strings")))
            })
            .collect(),
        Some(_) => Err(invalid(format!("`{name}` is not an array of strings"))),
    }
}

impl ProviderMetadata {
    /// The discovery document's URL for `issuer`: the issuer with any trailing `/`
    /// removed, then `/.well-known/openid-configuration` (Discovery §4.1), so an issuer
    /// with a path keeps it: `https://login.example.com/tenant` →
    /// `https://login.example.com/tenant/.well-known/openid-configuration`.
    ///
    /// The issuer must be an [`Endpoint`] without query or fragment (Discovery §2).
    /// (Adobe IMS serves its document at `{issuer}/ims/.well-known/openid-configuration`
    /// instead; the IMS profile knows that path.)
    ///
    /// ```
    /// use wf_oauth_core::ProviderMetadata;
    /// let url = ProviderMetadata::discovery_url("https://login.example.com/tenant/")?;
    /// assert_eq!(url.as_str(), "https://login.example.com/tenant/.well-known/openid-configuration");
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn discovery_url(issuer: &str) -> Result<Url, Error> {
        let mut url = Endpoint::parse(issuer)?.url().clone();
        if url.query().is_some() {
            return Err(Error::InvalidConfig {
                reason: "an issuer URL has no query".into(),
            });
        }
        let path = format!("{}{WELL_KNOWN}", url.path().trim_end_matches('/'));
        url.set_path(&path);
        Ok(url)
    }

    /// Parses a discovery document fetched for `expected_issuer`. Its `issuer` must be
    /// exactly that value (Discovery §4.3: otherwise the document must not be used), and
    /// `authorization_endpoint`, `token_endpoint` and `jwks_uri` must be present. When
    /// the document lists `id_token_signing_alg_values_supported`, it must include RS256,
    /// the only algorithm accepted for id_tokens.
    pub fn parse(json: &[u8], expected_issuer: &str) -> Result<ProviderMetadata, Error> {
        let doc = json_object(json, "document").map_err(invalid)?;
        let issuer = text(&doc, "issuer")?.ok_or_else(|| invalid("`issuer` is missing"))?;
        if issuer != expected_issuer {
            return Err(Error::DiscoveryIssuerMismatch {
                expected: sanitize_str(expected_issuer),
                found: sanitize_str(issuer),
            });
        }
        let algs = strings(&doc, "id_token_signing_alg_values_supported")?;
        if !algs.is_empty() && !algs.iter().any(|a| a == "RS256") {
            return Err(invalid(
                "the provider does not sign id_tokens with RS256, the only algorithm accepted",
            ));
        }
        Ok(ProviderMetadata {
            issuer: issuer.to_owned(),
            authorization_endpoint: required(&doc, "authorization_endpoint")?,
            token_endpoint: required(&doc, "token_endpoint")?,
            jwks_uri: required(&doc, "jwks_uri")?,
            revocation_endpoint: endpoint(&doc, "revocation_endpoint")?,
            userinfo_endpoint: endpoint(&doc, "userinfo_endpoint")?,
            scopes_supported: strings(&doc, "scopes_supported")?,
            code_challenge_methods_supported: strings(&doc, "code_challenge_methods_supported")?,
        })
    }

    /// `issuer` (equal to the expected issuer).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `authorization_endpoint`.
    pub fn authorization_endpoint(&self) -> &Endpoint {
        &self.authorization_endpoint
    }

    /// `token_endpoint`.
    pub fn token_endpoint(&self) -> &Endpoint {
        &self.token_endpoint
    }

    /// `jwks_uri`: where the id_token signing keys are.
    pub fn jwks_uri(&self) -> &Endpoint {
        &self.jwks_uri
    }

    /// `revocation_endpoint` (RFC 7009), if the provider has one.
    pub fn revocation_endpoint(&self) -> Option<&Endpoint> {
        self.revocation_endpoint.as_ref()
    }

    /// `userinfo_endpoint`, if the provider has one.
    pub fn userinfo_endpoint(&self) -> Option<&Endpoint> {
        self.userinfo_endpoint.as_ref()
    }

    /// `scopes_supported` (empty when not listed).
    pub fn scopes_supported(&self) -> &[String] {
        &self.scopes_supported
    }

    /// `code_challenge_methods_supported` (empty when not listed).
    pub fn code_challenge_methods_supported(&self) -> &[String] {
        &self.code_challenge_methods_supported
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str = "https://op.example.com";

    fn doc(changes: &[(&str, Value)]) -> Vec<u8> {
        let mut d = serde_json::json!({
            "issuer": ISSUER,
            "authorization_endpoint": "https://op.example.com/authorize",
            "token_endpoint": "https://op.example.com/token",
            "jwks_uri": "https://op.example.com/keys",
            "response_types_supported": ["code"],
            "something_new": {"nested": true},
        });
        for (k, v) in changes {
            if v.is_null() {
                d.as_object_mut().unwrap().remove(*k);
            } else {
                d[*k] = v.clone();
            }
        }
        serde_json::to_vec(&d).unwrap()
    }

    #[test]
    fn minimal_document() {
        let m = ProviderMetadata::parse(&doc(&[]), ISSUER).unwrap();
        assert_eq!(m.issuer(), ISSUER);
        assert_eq!(m.token_endpoint().url().path(), "/token");
        assert_eq!(m.revocation_endpoint(), None);
        assert_eq!(m.userinfo_endpoint(), None);
        assert!(m.scopes_supported().is_empty());
        let m = ProviderMetadata::parse(
            &doc(&[
                ("userinfo_endpoint", "https://op.example.com/me".into()),
                ("scopes_supported", serde_json::json!(["openid", "email"])),
                (
                    "code_challenge_methods_supported",
                    serde_json::json!(["S256"]),
                ),
                (
                    "id_token_signing_alg_values_supported",
                    serde_json::json!(["ES256", "RS256"]),
                ),
            ]),
            ISSUER,
        )
        .unwrap();
        assert_eq!(m.userinfo_endpoint().unwrap().url().path(), "/me");
        assert_eq!(m.scopes_supported(), ["openid", "email"]);
        assert_eq!(m.code_challenge_methods_supported(), ["S256"]);
    }

    #[test]
    fn issuer_must_match_exactly() {
        for other in [
            "https://op.example.com/",
            "https://OP.example.com",
            "http://op.example.com",
            "https://op.example.com.evil.example",
        ] {
            match ProviderMetadata::parse(&doc(&[]), other) {
                Err(Error::DiscoveryIssuerMismatch { expected, found }) => {
                    assert_eq!(expected, other);
                    assert_eq!(found, ISSUER);
                }
                r => panic!("{other}: {r:?}"),
            }
        }
    }

    #[test]
    fn bad_documents_are_refused() {
        let cases: Vec<Vec<u8>> = vec![
            b"[]".to_vec(),
            b"not json".to_vec(),
            doc(&[("issuer", Value::Null)]),
            doc(&[("token_endpoint", Value::Null)]),
            doc(&[("authorization_endpoint", Value::Null)]),
            doc(&[("jwks_uri", Value::Null)]),
            doc(&[("jwks_uri", "http://op.example.com/keys".into())]),
            doc(&[("token_endpoint", 7.into())]),
            doc(&[("revocation_endpoint", "ftp://op.example.com/r".into())]),
            doc(&[("userinfo_endpoint", "https://u:p@op.example.com/me".into())]),
            doc(&[("scopes_supported", "openid".into())]),
            doc(&[(
                "id_token_signing_alg_values_supported",
                serde_json::json!(["HS256"]),
            )]),
            vec![b' '; crate::MAX_OIDC_DOCUMENT_BYTES + 1],
        ];
        for bad in cases {
            let r = ProviderMetadata::parse(&bad, ISSUER);
            assert!(
                matches!(r, Err(Error::DiscoveryInvalid { .. })),
                "{}: {r:?}",
                String::from_utf8_lossy(&bad[..bad.len().min(200)])
            );
        }
    }

    #[test]
    fn loopback_providers_are_accepted() {
        let local = "http://127.0.0.1:4567";
        let d = serde_json::json!({
            "issuer": local,
            "authorization_endpoint": format!("{local}/ims/authorize/v2"),
            "token_endpoint": format!("{local}/ims/token/v3"),
            "jwks_uri": format!("{local}/ims/keys"),
        });
        let m = ProviderMetadata::parse(&serde_json::to_vec(&d).unwrap(), local).unwrap();
        assert_eq!(m.jwks_uri().url().port(), Some(4567));
    }

    #[test]
    fn discovery_urls() {
        for (issuer, url) in [
            (
                "https://op.example.com",
                "https://op.example.com/.well-known/openid-configuration",
            ),
            (
                "https://op.example.com/",
                "https://op.example.com/.well-known/openid-configuration",
            ),
            (
                "https://op.example.com/tenant/v2.0",
                "https://op.example.com/tenant/v2.0/.well-known/openid-configuration",
            ),
            (
                "https://op.example.com/tenant/",
                "https://op.example.com/tenant/.well-known/openid-configuration",
            ),
            (
                "http://127.0.0.1:9000",
                "http://127.0.0.1:9000/.well-known/openid-configuration",
            ),
        ] {
            assert_eq!(
                ProviderMetadata::discovery_url(issuer).unwrap().as_str(),
                url
            );
        }
        for bad in [
            "http://op.example.com",
            "https://op.example.com/?a=1",
            "https://op.example.com/#f",
            "op.example.com",
        ] {
            assert!(
                matches!(
                    ProviderMetadata::discovery_url(bad),
                    Err(Error::InvalidConfig { .. })
                ),
                "{bad}"
            );
        }
    }
}
