//! Reading token endpoint responses: lenient where real servers deviate, strict where it
//! matters.

use serde_json::{Map, Value};

use crate::authorize::AuthorizationResponse;
use crate::config::ClientConfig;
use crate::error::Error;
use crate::http::HttpResponse;
use crate::instance::Instance;
use crate::provider::Provider;
use crate::redact::{sanitize, sanitize_str};
use crate::secret::{AccessToken, RefreshToken};
use crate::time::UnixTime;
use crate::token::{TokenSet, TokenType};
use crate::token_json::{Member, RawTokenResponse};

/// Token endpoint bodies larger than this (1 MiB) are refused unread. API responses have
/// their own, larger limit: [`MAX_API_RESPONSE_BYTES`](crate::MAX_API_RESPONSE_BYTES).
pub const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

/// Reads a token endpoint response into a [`TokenSet`].
///
/// Lenient:
/// - any 2xx status is a success;
/// - the body is read as JSON whatever the `Content-Type` says;
/// - `expires_in` may be a number, a numeric string or a decimal; 0, a negative value,
///   garbage or absence mean "unknown" (`expires_at: None`) — Workfront sends 0 for its
///   sliding sessions, which must not read as "already expired";
/// - `token_type` may be missing (the provider's default is assumed) or in any case;
/// - `wid` may be a string or a number and is kept opaque.
///
/// Strict:
/// - a body with an `error` member is an error even on 200: RFC 6749 form →
///   [`Error::TokenEndpoint`], Workfront form `{"error":{"class","message"}}` →
///   [`Error::Workfront`];
/// - `access_token` must be a non-empty string, else [`Error::InvalidTokenResponse`];
/// - bodies over [`MAX_RESPONSE_BYTES`] → [`Error::ResponseTooLarge`];
/// - anything that is not a JSON object (an HTML 502 page, a proxy's 429), or a non-2xx
///   JSON body without `error` → [`Error::UnexpectedResponse`] with a bounded, redacted
///   snippet.
///
/// `Retry-After` is captured on 429 and 503. With `previous` (a refresh), a response
/// without `refresh_token` keeps the previous refresh token and scope; a new refresh token
/// (rotation) replaces it.
///
/// ```
/// use wf_oauth_core::{parse_token_response, Headers, HttpResponse, Instance, Provider, UnixTime};
/// let body = br#"{"token_type":"sessionID","access_token":"s1","refresh_token":"r1","expires_in":0,"wid":"w"}"#;
/// let response = HttpResponse::new(200, Headers::new(), body.to_vec());
/// let instance = Instance::parse("acme.my.workfront.com")?;
/// let now = UnixTime::from_secs(1_700_000_000);
/// let tokens = parse_token_response(&response, &Provider::WorkfrontLegacy, &instance, now, None)?;
/// assert_eq!(tokens.access_token().secret(), "s1");
/// assert_eq!(tokens.expires_at(), None);
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
pub fn parse_token_response(
    response: &HttpResponse,
    provider: &Provider,
    instance: &Instance,
    now: UnixTime,
    previous: Option<&TokenSet>,
) -> Result<TokenSet, Error> {
    let retry_after = retry_after_of(response, now);
    let raw = read_token_json(response, retry_after)?;

    if let Some(error) = &raw.error {
        return Err(token_error(response.status, error, &raw, retry_after));
    }
    if !response.is_success() {
        return Err(unexpected_response(response, retry_after));
    }

    let access_token = match &raw.access_token {
        Some(Member::Str(s)) if !s.is_empty() => AccessToken::new(s.as_ref()),
        Some(Member::Str(_)) => return Err(invalid("access_token is empty")),
        Some(_) => return Err(invalid("access_token is not a string")),
        None => return Err(invalid("access_token is missing")),
    };
    let refresh_token = match &raw.refresh_token {
        Some(Member::Str(s)) if !s.is_empty() => Some(RefreshToken::new(s.as_ref())),
        None | Some(Member::Str(_)) => previous.and_then(|p| p.refresh_token().cloned()),
        Some(_) => return Err(invalid("refresh_token is not a string")),
    };
    let token_type = match raw.token_type.as_ref().and_then(Member::as_str) {
        Some(s) if !s.is_empty() => TokenType::parse(s),
        _ => provider.default_token_type(),
    };
    let expires_at = raw
        .expires_in
        .as_ref()
        .and_then(expires_in_secs)
        .map(|secs| now.plus_secs(secs));
    let wid = match &raw.wid {
        Some(Member::Str(s)) => Some(s.to_string()),
        Some(m @ (Member::Unsigned(_) | Member::Signed(_) | Member::Float(_))) => {
            Some(m.describe())
        }
        _ => None,
    };
    let scope = match raw.scope.as_ref().and_then(Member::as_str) {
        Some(s) => Some(s.to_owned()),
        None => previous.and_then(|p| p.scope().map(str::to_owned)),
    };
    Ok(TokenSet::new(access_token, instance.clone(), now)
        .with_refresh_token(refresh_token)
        .with_token_type(token_type)
        .with_expires_at(expires_at)
        .with_wid(wid)
        .with_scope(scope))
}

/// Reads the body as a token endpoint JSON object, or says what else it is.
fn read_token_json(
    response: &HttpResponse,
    retry_after: Option<u64>,
) -> Result<RawTokenResponse<'_>, Error> {
    if response.body.len() > MAX_RESPONSE_BYTES {
        return Err(Error::ResponseTooLarge {
            size: response.body.len(),
            limit: MAX_RESPONSE_BYTES,
        });
    }
    // Only an object is a token response (a derived struct would also accept an array).
    if !response.body.trim_ascii_start().starts_with(b"{") {
        return Err(unexpected_response(response, retry_after));
    }
    match serde_json::from_slice::<RawTokenResponse<'_>>(&response.body) {
        Ok(raw) => Ok(raw),
        Err(e) if e.classify() == serde_json::error::Category::Data && response.is_success() => {
            Err(invalid("a member appears more than once"))
        }
        Err(_) => Err(unexpected_response(response, retry_after)),
    }
}

impl ClientConfig {
    /// Reads the response to [`ClientConfig::code_grant_request`]; the tokens are for the
    /// authorization's instance.
    ///
    /// A refused code (`invalid_grant`, or Workfront's refusal of the grant) is a failed
    /// sign-in, [`Error::CodeRejected`] (kind `AuthorizationFailed`), never a
    /// re-authorization of a session that does not exist yet.
    pub fn parse_code_response(
        &self,
        authorization: &AuthorizationResponse,
        response: &HttpResponse,
        now: UnixTime,
    ) -> Result<TokenSet, Error> {
        parse_token_response(
            response,
            &self.provider,
            authorization.instance(),
            now,
            None,
        )
        .map_err(Error::for_code_exchange)
    }

    /// Reads the response to [`ClientConfig::refresh_request`]; keeps the previous refresh
    /// token when the server sends none.
    pub fn parse_refresh_response(
        &self,
        previous: &TokenSet,
        response: &HttpResponse,
        now: UnixTime,
    ) -> Result<TokenSet, Error> {
        parse_token_response(
            response,
            &self.provider,
            previous.instance(),
            now,
            Some(previous),
        )
    }

    /// Reads the response to [`ClientConfig::client_credentials_request`].
    pub fn parse_client_credentials_response(
        &self,
        response: &HttpResponse,
        now: UnixTime,
    ) -> Result<TokenSet, Error> {
        parse_token_response(response, &self.provider, &self.instance, now, None)
    }
}

fn invalid(reason: &str) -> Error {
    Error::InvalidTokenResponse {
        reason: reason.to_owned(),
    }
}

/// `Retry-After`, read only where it means something (429 and 503).
pub(crate) fn retry_after_of(response: &HttpResponse, now: UnixTime) -> Option<u64> {
    matches!(response.status, 429 | 503)
        .then(|| response.retry_after(now))
        .flatten()
}

/// The body as a JSON object, or the error to report; bodies over `limit` bytes are
/// refused unread.
pub(crate) fn read_json_object(
    response: &HttpResponse,
    retry_after: Option<u64>,
    limit: usize,
) -> Result<Map<String, Value>, Error> {
    if response.body.len() > limit {
        return Err(Error::ResponseTooLarge {
            size: response.body.len(),
            limit,
        });
    }
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(unexpected_response(response, retry_after)),
    }
}

/// An [`Error::UnexpectedResponse`] with a safe snippet of the body.
pub(crate) fn unexpected_response(response: &HttpResponse, retry_after: Option<u64>) -> Error {
    let content_type = response.content_type();
    let markup = content_type.is_some_and(|c| c.to_ascii_lowercase().contains("html"))
        || response.body.trim_ascii_start().starts_with(b"<");
    Error::UnexpectedResponse {
        status: response.status,
        content_type: content_type.map(sanitize_str),
        snippet: sanitize(&response.body, markup),
        retry_after,
    }
}

/// A string member, sanitized.
fn text(map: &Map<String, Value>, key: &str) -> Option<String> {
    map.get(key).and_then(Value::as_str).map(sanitize_str)
}

/// `class` and `message` of a Workfront error object, sanitized.
pub(crate) fn workfront_error_fields(error: &Value) -> (Option<String>, Option<String>) {
    match error {
        Value::Object(obj) => (text(obj, "class"), text(obj, "message")),
        Value::String(s) => (None, Some(sanitize_str(s))),
        _ => (None, None),
    }
}

fn token_error(
    status: u16,
    error: &Member<'_>,
    raw: &RawTokenResponse<'_>,
    retry_after: Option<u64>,
) -> Error {
    let text = |m: &Option<Member<'_>>| m.as_ref().and_then(Member::as_str).map(sanitize_str);
    match error {
        Member::Object { class, message } => Error::Workfront {
            status,
            class: class.as_deref().map(sanitize_str),
            message: message.as_deref().map(sanitize_str),
            retry_after,
        },
        other => Error::TokenEndpoint {
            status,
            error: sanitize_str(&other.describe()),
            description: text(&raw.error_description),
            uri: text(&raw.error_uri),
            retry_after,
        },
    }
}

/// `expires_in` in seconds, `None` when unknown.
fn expires_in_secs(value: &Member<'_>) -> Option<u64> {
    let from_float = |f: f64| (f.is_finite() && f >= 1.0).then_some(f as u64);
    let secs = match value {
        Member::Unsigned(n) => Some(*n),
        Member::Float(f) => from_float(*f),
        Member::Str(s) => {
            let s = s.trim();
            s.parse::<u64>()
                .ok()
                .or_else(|| s.parse::<f64>().ok().and_then(from_float))
        }
        _ => None,
    };
    secs.filter(|&s| s > 0)
}

#[cfg(test)]
#[path = "response_tests.rs"]
mod tests;
