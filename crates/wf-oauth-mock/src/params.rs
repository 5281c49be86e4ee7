//! Parsing request input strictly: bounded bodies, parameters that may appear only once,
//! and HTTP Basic credentials. Every failure is a value the handlers turn into a 4xx.

use std::fmt;

use axum::body::Body;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use bytes::Bytes;
use http::{HeaderMap, header};
use http_body_util::{BodyExt, Limited};
use serde::de::{Deserializer, MapAccess, Visitor};

use crate::config::MAX_BODY_BYTES;

/// Why a body or its parameters could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InputError {
    /// The body exceeds [`MAX_BODY_BYTES`].
    TooLarge,
    /// The body could not be read (client went away, bad framing).
    Unreadable,
    /// A parameter appears more than once.
    Duplicate(String),
    /// The body is not what its content type announces.
    Malformed(String),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::TooLarge => write!(f, "request body exceeds {MAX_BODY_BYTES} bytes"),
            InputError::Unreadable => write!(f, "request body could not be read"),
            InputError::Duplicate(p) => write!(f, "parameter `{p}` is repeated"),
            InputError::Malformed(m) => write!(f, "{m}"),
        }
    }
}

/// Reads the whole body, refusing more than [`MAX_BODY_BYTES`] (checked against
/// `Content-Length` first so an honest oversized upload is refused without reading it).
pub(crate) async fn read_body(headers: &HeaderMap, body: Body) -> Result<Bytes, InputError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        return Err(InputError::TooLarge);
    }
    match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(InputError::TooLarge),
        Err(_) => Err(InputError::Unreadable),
    }
}

/// The media type of a request, without parameters, lower-cased.
pub(crate) fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let mt = v
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    (!mt.is_empty()).then_some(mt)
}

/// Request parameters in arrival order, each name at most once.
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    /// Parses `application/x-www-form-urlencoded` (also used for query strings).
    pub fn from_form(input: &[u8]) -> Result<Self, InputError> {
        Self::unique(form_urlencoded::parse(input).into_owned().collect())
    }

    /// Parses a JSON object whose values are strings (numbers and booleans are accepted
    /// and kept as their JSON text, since some clients send them unquoted).
    pub fn from_json(input: &[u8]) -> Result<Self, InputError> {
        let mut de = serde_json::Deserializer::from_slice(input);
        let pairs = de
            .deserialize_map(PairsVisitor)
            .and_then(|p| de.end().map(|()| p))
            .map_err(|e| InputError::Malformed(format!("body is not a JSON object: {e}")))?;
        let mut out = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            let s = match v {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                other => {
                    return Err(InputError::Malformed(format!(
                        "parameter `{k}` must be a string, got {}",
                        kind_of(&other)
                    )));
                }
            };
            out.push((k, s));
        }
        Self::unique(out)
    }

    fn unique(pairs: Vec<(String, String)>) -> Result<Self, InputError> {
        for (i, (k, _)) in pairs.iter().enumerate() {
            if pairs[..i].iter().any(|(k2, _)| k2 == k) {
                return Err(InputError::Duplicate(k.clone()));
            }
        }
        Ok(Params(pairs))
    }

    /// The value of `name`, if present. Empty values count as absent (RFC 6749 §3.1).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// All parameters in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn kind_of(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
        _ => "a scalar",
    }
}

/// Collects a JSON object as ordered pairs so repeated keys can be detected (serde_json's
/// `Map` would silently keep the last one).
struct PairsVisitor;

impl<'de> Visitor<'de> for PairsVisitor {
    type Value = Vec<(String, serde_json::Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = Vec::new();
        while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
            out.push((k, v));
        }
        Ok(out)
    }
}

/// Credentials from an `Authorization: Basic` header, in both spellings a client may use.
#[derive(Clone)]
pub(crate) struct BasicCredentials {
    /// As sent (after base64).
    pub raw_id: String,
    pub raw_secret: String,
    /// After form-urlencoded decoding (RFC 6749 §2.3.1), when that decoding succeeds.
    pub decoded_id: Option<String>,
    pub decoded_secret: Option<String>,
}

impl fmt::Debug for BasicCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BasicCredentials")
            .field("raw_id", &self.raw_id)
            .field("secret", &"[redacted]")
            .finish()
    }
}

impl BasicCredentials {
    /// Whether the client ID matches `id` in either spelling.
    pub fn id_is(&self, id: &str) -> bool {
        self.raw_id == id || self.decoded_id.as_deref() == Some(id)
    }

    /// The secret candidates to check, raw first.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.raw_secret.as_str()).chain(self.decoded_secret.as_deref())
    }
}

/// Reads `Authorization: Basic …`. `Ok(None)` when there is no Authorization header or
/// it uses another scheme; `Err` when it claims Basic but is malformed.
pub(crate) fn basic_credentials(
    headers: &HeaderMap,
) -> Result<Option<BasicCredentials>, &'static str> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err("more than one Authorization header");
    }
    let value = value
        .to_str()
        .map_err(|_| "Authorization header is not ASCII")?;
    let (scheme, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let rest = rest.trim();
    let bytes = STANDARD
        .decode(rest)
        .or_else(|_| STANDARD_NO_PAD.decode(rest))
        .map_err(|_| "Basic credentials are not valid base64")?;
    let text = String::from_utf8(bytes).map_err(|_| "Basic credentials are not UTF-8")?;
    let (id, secret) = text
        .split_once(':')
        .ok_or("Basic credentials lack the `:` between client ID and secret")?;
    let decode = |s: &str| -> Option<String> {
        let plus_as_space = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus_as_space)
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    Ok(Some(BasicCredentials {
        decoded_id: decode(id),
        decoded_secret: decode(secret),
        raw_id: id.to_owned(),
        raw_secret: secret.to_owned(),
    }))
}

/// The token of an `Authorization: Bearer …` header (scheme case-insensitive), if any.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Reads one cookie from the `Cookie` headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn duplicates_are_refused_in_both_shapes() {
        assert_eq!(
            Params::from_form(b"a=1&b=2&a=3").unwrap_err(),
            InputError::Duplicate("a".into())
        );
        assert_eq!(
            Params::from_json(br#"{"a":"1","a":"2"}"#).unwrap_err(),
            InputError::Duplicate("a".into())
        );
        let p = Params::from_json(br#"{"a":"1","n":5,"e":""}"#).unwrap();
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("n"), Some("5"));
        assert_eq!(p.get("e"), None);
        assert!(Params::from_json(b"[1]").is_err());
        assert!(Params::from_json(br#"{"a":{"b":1}}"#).is_err());
        assert!(Params::from_json(br#"{"a":"1"} x"#).is_err());
    }

    fn hm(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    #[test]
    fn basic_credentials_decode_both_spellings() {
        let enc = STANDARD.encode("my%20id:s%2Bcret+x");
        let c = basic_credentials(&hm(&format!("Basic {enc}")))
            .unwrap()
            .unwrap();
        assert!(c.id_is("my id"));
        assert!(c.id_is("my%20id"));
        assert!(c.secrets().any(|s| s == "s+cret x"));
        assert!(c.secrets().any(|s| s == "s%2Bcret+x"));
        assert!(basic_credentials(&hm("Basic !!!")).is_err());
        let nocolon = STANDARD.encode("nocolon");
        assert!(basic_credentials(&hm(&format!("basic {nocolon}"))).is_err());
        assert!(basic_credentials(&hm("Bearer x")).unwrap().is_none());
    }
}
