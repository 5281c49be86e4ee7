//! id_token validation (OpenID Connect Core §3.1.3.7), as a pure function of the token,
//! the provider's keys, what the client expects, and the time.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::claims::IdTokenClaims;
use super::jwks::{Jwk, Jwks};
use super::secrets::{IdToken, Nonce};
use crate::error::Error;
use crate::redact::sanitize_str;
use crate::time::UnixTime;

/// The largest id_token accepted, in bytes; longer ones are refused before any parsing.
/// Real id_tokens are a few kilobytes at most.
pub const MAX_ID_TOKEN_BYTES: usize = 16 * 1024;

/// How far the provider's clock may be from the caller's, in seconds, when checking `exp`
/// (still valid up to this long after it) and `iat` (not more than this far in the
/// future). One minute covers ordinary clock drift without stretching token lifetimes.
pub const ID_TOKEN_CLOCK_SKEW_SECS: u64 = 60;

/// The smallest RSA key accepted for id_token signatures.
const MIN_RSA_BITS: usize = 2048;

/// The only signature algorithm accepted: IMS (and OpenID Connect by default) sign
/// id_tokens with RS256. Refusing everything else closes `alg: none` and the
/// HS256-with-the-public-key confusion.
const ALGORITHM: &str = "RS256";

/// Which check an id_token failed ([`Error::IdTokenRejected`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdTokenCheck {
    /// `alg` is not RS256, or the header asks for something not understood (`crit`).
    Algorithm,
    /// The signing key named by `kid` cannot be used (not for RS256, too small), or the
    /// token names no key while the JWKS has several.
    Key,
    /// The signature does not verify.
    Signature,
    /// `iss` is missing or not the expected issuer.
    Issuer,
    /// `sub` is missing, or differs from the expected subject.
    Subject,
    /// `aud` is missing or does not include the client ID.
    Audience,
    /// `azp` is not the client ID, or is missing while `aud` has several values.
    AuthorizedParty,
    /// `exp` is missing or past (beyond the allowed skew).
    Expiry,
    /// `iat` is missing or in the future (beyond the allowed skew).
    IssuedAt,
    /// `nonce` is missing or not the one sent.
    Nonce,
}

impl fmt::Display for IdTokenCheck {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IdTokenCheck::Algorithm => "alg",
            IdTokenCheck::Key => "key",
            IdTokenCheck::Signature => "signature",
            IdTokenCheck::Issuer => "iss",
            IdTokenCheck::Subject => "sub",
            IdTokenCheck::Audience => "aud",
            IdTokenCheck::AuthorizedParty => "azp",
            IdTokenCheck::Expiry => "exp",
            IdTokenCheck::IssuedAt => "iat",
            IdTokenCheck::Nonce => "nonce",
        })
    }
}

/// What [`validate_id_token`] expects of a token.
///
/// ```
/// use wf_oauth_core::{IdTokenValidation, Nonce, UnixTime};
/// let nonce = Nonce::from_entropy(&[9u8; 32]);
/// let now = UnixTime::from_secs(1_700_000_000);
/// // After the code grant: the nonce of the authorization request.
/// let sign_in = IdTokenValidation::new("https://ims-na1.adobelogin.com", "my-client", now)
///     .expect_nonce(&nonce);
/// // After a refresh: no nonce, the same subject as before (OpenID Connect Core §12.2).
/// let refresh = IdTokenValidation::new("https://ims-na1.adobelogin.com", "my-client", now)
///     .expect_subject("0123456789ABCDEF01234567@AdobeID");
/// # let _ = (sign_in, refresh);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct IdTokenValidation<'a> {
    issuer: &'a str,
    client_id: &'a str,
    now: UnixTime,
    nonce: Option<&'a Nonce>,
    subject: Option<&'a str>,
}

impl<'a> IdTokenValidation<'a> {
    /// Expects `iss` to be exactly `issuer` and `aud` to include `client_id`, at `now`.
    pub fn new(issuer: &'a str, client_id: &'a str, now: UnixTime) -> Self {
        IdTokenValidation {
            issuer,
            client_id,
            now,
            nonce: None,
            subject: None,
        }
    }

    /// Also expects `nonce` to be this one (required when set: a token without a nonce is
    /// refused). Set it for the id_token of a code grant whose authorization request sent
    /// a nonce.
    #[must_use]
    pub fn expect_nonce(mut self, nonce: &'a Nonce) -> Self {
        self.nonce = Some(nonce);
        self
    }

    /// Also expects `sub` to be this one (the first id_token's, when validating the
    /// id_token of a refresh).
    #[must_use]
    pub fn expect_subject(mut self, sub: &'a str) -> Self {
        self.subject = Some(sub);
        self
    }
}

fn malformed(reason: impl Into<String>) -> Error {
    Error::IdTokenMalformed {
        reason: reason.into(),
    }
}

fn rejected(check: IdTokenCheck, reason: impl Into<String>) -> Error {
    Error::IdTokenRejected {
        check,
        reason: reason.into(),
    }
}

/// Decodes one base64url segment into a JSON object.
fn json_segment(segment: &str, what: &str) -> Result<Map<String, Value>, Error> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment.as_bytes())
        .map_err(|_| malformed(format!("the {what} is not base64url")))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(malformed(format!("the {what} is not a JSON object"))),
    }
}

/// Validates an id_token and returns its claims.
///
/// Checks, in order (OpenID Connect Core §3.1.3.7, RFC 7515, RFC 8725):
/// 1. at most [`MAX_ID_TOKEN_BYTES`], three base64url segments, a JSON header;
/// 2. `alg` is RS256 (`none`, HS256/384/512 and every other algorithm are refused) and
///    there is no `crit`; keys embedded in the header (`jwk`, `jku`, `x5u`, `x5c`) are
///    never used;
/// 3. the key named by `kid` is in `jwks` ([`Error::IdTokenUnknownKey`] otherwise: fetch
///    the JWKS again, once), is not published for another algorithm, and has at least
///    2048 bits; a token without `kid` is accepted only when the JWKS has one key;
/// 4. the signature verifies; only then are the claims read;
/// 5. `iss` equals the expected issuer exactly; `sub` is present (and equal to the
///    expected subject, if set); `aud` (a string or an array) includes the client ID;
///    `azp` equals the client ID when present, and is required when `aud` has several
///    values;
/// 6. `exp` is after `now` and `iat` is not after `now`, each with
///    [`ID_TOKEN_CLOCK_SKEW_SECS`] of tolerance;
/// 7. `nonce` equals the expected nonce (compared in constant time) when one is expected.
///
/// A failed check is [`Error::IdTokenRejected`] naming the [`IdTokenCheck`]; a token that
/// is not well-formed is [`Error::IdTokenMalformed`]. Messages never contain the token.
///
/// ```
/// use wf_oauth_core::{Error, IdToken, IdTokenCheck, IdTokenValidation, Jwks, UnixTime};
/// let jwks = Jwks::parse(br#"{"keys":[]}"#)?;
/// let check = IdTokenValidation::new("https://issuer.example", "my-client", UnixTime::from_secs(0));
/// // An unsigned token is refused before any key is looked up.
/// let unsigned = IdToken::new("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.");
/// match wf_oauth_core::validate_id_token(&unsigned, &jwks, &check) {
///     Err(Error::IdTokenRejected { check: IdTokenCheck::Algorithm, .. }) => {}
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), Error>(())
/// ```
pub fn validate_id_token(
    token: &IdToken,
    jwks: &Jwks,
    expected: &IdTokenValidation<'_>,
) -> Result<IdTokenClaims, Error> {
    let raw = token.secret();
    if raw.len() > MAX_ID_TOKEN_BYTES {
        return Err(malformed(format!(
            "the token is larger than {MAX_ID_TOKEN_BYTES} bytes"
        )));
    }
    let mut parts = raw.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed("not a compact JWS (three dot-separated parts)"));
    };
    let header_json = json_segment(header, "header")?;
    check_header(&header_json)?;
    let key = select_key(&header_json, jwks)?;
    verify_signature(key, header, payload, signature)?;
    let claims = json_segment(payload, "payload")?;
    check_claims(claims, expected)
}

fn check_header(header: &Map<String, Value>) -> Result<(), Error> {
    match header.get("alg") {
        Some(Value::String(alg)) if alg == ALGORITHM => {}
        Some(Value::String(alg)) => {
            return Err(rejected(
                IdTokenCheck::Algorithm,
                format!(
                    "algorithm {} is not accepted (RS256 only)",
                    sanitize_str(alg)
                ),
            ));
        }
        _ => return Err(malformed("the header has no `alg`")),
    }
    if header.contains_key("crit") {
        return Err(rejected(
            IdTokenCheck::Algorithm,
            "the header lists critical extensions (`crit`), none of which are understood",
        ));
    }
    Ok(())
}

fn select_key<'j>(header: &Map<String, Value>, jwks: &'j Jwks) -> Result<&'j Jwk, Error> {
    let key = match header.get("kid") {
        Some(Value::String(kid)) => jwks.find(kid).ok_or_else(|| Error::IdTokenUnknownKey {
            kid: sanitize_str(kid),
        })?,
        Some(_) => return Err(malformed("`kid` is not a string")),
        // Core §10.1: without several keys, a kid is not needed.
        None => match jwks.keys() {
            [only] => only,
            [] => {
                return Err(Error::IdTokenUnknownKey {
                    kid: "(none)".into(),
                });
            }
            _ => {
                return Err(rejected(
                    IdTokenCheck::Key,
                    "the token names no key (`kid`) and the JWKS has several",
                ));
            }
        },
    };
    if key.alg().is_some_and(|a| a != ALGORITHM) {
        return Err(rejected(
            IdTokenCheck::Key,
            "the signing key is published for another algorithm",
        ));
    }
    if key.modulus_bits() < MIN_RSA_BITS {
        return Err(rejected(
            IdTokenCheck::Key,
            format!(
                "the signing key has {} bits; at least {MIN_RSA_BITS} are required",
                key.modulus_bits()
            ),
        ));
    }
    Ok(key)
}

fn verify_signature(key: &Jwk, header: &str, payload: &str, signature: &str) -> Result<(), Error> {
    let bad = || rejected(IdTokenCheck::Signature, "the signature does not verify");
    if signature.is_empty() || URL_SAFE_NO_PAD.decode(signature.as_bytes()).is_err() {
        return Err(bad());
    }
    let signed = format!("{header}.{payload}");
    match jsonwebtoken::crypto::verify(
        signature,
        signed.as_bytes(),
        &key.decoding_key(),
        jsonwebtoken::Algorithm::RS256,
    ) {
        Ok(true) => Ok(()),
        _ => Err(bad()),
    }
}

/// A string claim: `None` when absent, malformed when present with another type.
fn string_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    super::string_member(claims, name)
        .map(|v| v.map(str::to_owned))
        .map_err(malformed)
}

/// A NumericDate claim (RFC 7519 §2): seconds, fractions dropped.
fn time_claim(claims: &Map<String, Value>, name: &str) -> Result<Option<UnixTime>, Error> {
    let Some(value) = claims.get(name) else {
        return Ok(None);
    };
    let secs = value
        .as_u64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && *f < u64::MAX as f64)
                .map(|f| f as u64)
        })
        .ok_or_else(|| malformed(format!("`{name}` is not a non-negative number")))?;
    Ok(Some(UnixTime::from_secs(secs)))
}

fn audience_claim(claims: &Map<String, Value>) -> Result<Vec<String>, Error> {
    let not_strings = || malformed("`aud` is not a string or an array of strings");
    match claims.get("aud") {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(not_strings))
            .collect(),
        Some(_) => Err(not_strings()),
    }
}

fn check_claims(
    all: Map<String, Value>,
    expected: &IdTokenValidation<'_>,
) -> Result<IdTokenClaims, Error> {
    let issuer = string_claim(&all, "iss")?;
    if issuer.as_deref() != Some(expected.issuer) {
        return Err(rejected(
            IdTokenCheck::Issuer,
            format!(
                "`iss` is {}, expected {}",
                issuer.as_deref().map_or("missing".into(), sanitize_str),
                sanitize_str(expected.issuer)
            ),
        ));
    }
    let sub = check_subject(&all, expected.subject)?;
    let (audience, authorized_party) = check_audience(&all, expected.client_id)?;
    let (issued_at, expires_at) = check_times(&all, expected.now)?;
    let nonce = check_nonce(&all, expected.nonce)?;
    Ok(IdTokenClaims {
        email: string_claim(&all, "email")?,
        name: string_claim(&all, "name")?,
        issuer: expected.issuer.to_owned(),
        sub,
        audience,
        authorized_party,
        expires_at,
        issued_at,
        nonce,
        all,
    })
}

fn check_subject(all: &Map<String, Value>, expected: Option<&str>) -> Result<String, Error> {
    let sub = string_claim(all, "sub")?
        .filter(|s| !s.is_empty())
        .ok_or_else(|| rejected(IdTokenCheck::Subject, "`sub` is missing"))?;
    if expected.is_some_and(|s| s != sub) {
        return Err(rejected(
            IdTokenCheck::Subject,
            "`sub` differs from the expected subject (another user)",
        ));
    }
    Ok(sub)
}

/// `aud` must include the client; `azp` must be the client when present, and is
/// required when there are several audiences (Core §3.1.3.7 items 3–5).
fn check_audience(
    all: &Map<String, Value>,
    client: &str,
) -> Result<(Vec<String>, Option<String>), Error> {
    let audience = audience_claim(all)?;
    if !audience.iter().any(|a| a == client) {
        return Err(rejected(
            IdTokenCheck::Audience,
            format!(
                "`aud` ({}) does not include the client ID {}",
                sanitize_str(&audience.join(" ")),
                sanitize_str(client)
            ),
        ));
    }
    let authorized_party = string_claim(all, "azp")?;
    match authorized_party.as_deref() {
        Some(azp) if azp != client => Err(rejected(
            IdTokenCheck::AuthorizedParty,
            format!("`azp` is {}, not the client ID", sanitize_str(azp)),
        )),
        None if audience.len() > 1 => Err(rejected(
            IdTokenCheck::AuthorizedParty,
            "`aud` has several values and `azp` is missing",
        )),
        _ => Ok((audience, authorized_party)),
    }
}

/// `(iat, exp)`: `exp` after now and `iat` not after now, each with the allowed skew.
fn check_times(all: &Map<String, Value>, now: UnixTime) -> Result<(UnixTime, UnixTime), Error> {
    let expires_at = time_claim(all, "exp")?
        .ok_or_else(|| rejected(IdTokenCheck::Expiry, "`exp` is missing"))?;
    if now >= expires_at.plus_secs(ID_TOKEN_CLOCK_SKEW_SECS) {
        return Err(rejected(
            IdTokenCheck::Expiry,
            format!("the token expired at {expires_at} (now {now})"),
        ));
    }
    let issued_at = time_claim(all, "iat")?
        .ok_or_else(|| rejected(IdTokenCheck::IssuedAt, "`iat` is missing"))?;
    if issued_at > now.plus_secs(ID_TOKEN_CLOCK_SKEW_SECS) {
        return Err(rejected(
            IdTokenCheck::IssuedAt,
            format!("the token was issued in the future ({issued_at}, now {now})"),
        ));
    }
    Ok((issued_at, expires_at))
}

fn check_nonce(
    all: &Map<String, Value>,
    expected: Option<&Nonce>,
) -> Result<Option<String>, Error> {
    let nonce = string_claim(all, "nonce")?;
    if let Some(sent) = expected {
        match nonce.as_deref() {
            None => return Err(rejected(IdTokenCheck::Nonce, "`nonce` is missing")),
            Some(received) if !sent.matches(received) => {
                return Err(rejected(
                    IdTokenCheck::Nonce,
                    "`nonce` is not the one of this sign-in (replayed or injected token)",
                ));
            }
            Some(_) => {}
        }
    }
    Ok(nonce)
}
