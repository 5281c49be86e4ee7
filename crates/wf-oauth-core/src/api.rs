//! Authorized Workfront API requests, and what their responses mean.

use serde_json::Value;
use url::Url;

use crate::config::ClientConfig;
use crate::error::Error;
use crate::http::{Headers, HttpRequest, HttpResponse, Method};
use crate::provider::TokenPlacement;
use crate::response::{read_json_object, retry_after_of, workfront_error_fields};
use crate::time::UnixTime;
use crate::token::TokenSet;

/// The class Workfront reports when a session is not (or no longer) valid.
pub const AUTHENTICATION_EXCEPTION: &str = "com.attask.common.AuthenticationException";

/// API bodies larger than this (32 MiB) are refused unread by [`classify_api_response`];
/// a search page of a few thousand objects easily exceeds the 1 MiB token-response limit
/// ([`MAX_RESPONSE_BYTES`](crate::MAX_RESPONSE_BYTES)). A driver with a different body
/// cap passes it to [`classify_api_response_with_limit`].
pub const MAX_API_RESPONSE_BYTES: usize = 32 * 1024 * 1024;

/// Query parameter names that carry credentials: refused in API URLs, which end up in logs.
const CREDENTIAL_QUERY_NAMES: &[&str] = &["sessionid", "apikey", "access_token"];

/// The API base of an instance: `{instance}/attask/api/{version}/`.
///
/// ```
/// use wf_oauth_core::{api_base_url, ApiVersion, Instance};
/// let base = api_base_url(&Instance::parse("acme.my.workfront.com")?, &ApiVersion::default());
/// assert_eq!(base.as_str(), "https://acme.my.workfront.com/attask/api/v20.0/");
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
pub fn api_base_url(instance: &crate::Instance, version: &crate::ApiVersion) -> Url {
    let mut url = instance.base_url();
    url.set_path(&format!("/attask/api/{version}/"));
    url
}

/// Checks an API path relative to the API base, such as `proj/search` or
/// `task/5f0c…/assignUser`: letters, digits and `-._~$` in non-empty segments, no `.`
/// or `..` segment, no leading `/`, no scheme, query or fragment. The credential must
/// only ever go to the instance's API.
fn check_api_path(path: &str) -> Result<(), Error> {
    let bad = |reason: &str| Err(Error::invalid_argument(format!("API path: {reason}")));
    if path.is_empty() {
        return bad("it is empty");
    }
    if path.len() > 2048 {
        return bad("it is too long");
    }
    if path.starts_with('/') {
        return bad("it must be relative to the API base (no leading '/')");
    }
    for segment in path.split('/') {
        if segment.is_empty() {
            return bad("it contains an empty segment");
        }
        if segment == "." || segment == ".." {
            return bad("it contains a '.' or '..' segment");
        }
        if !segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'$'))
        {
            return bad("only letters, digits and '-', '.', '_', '~', '$' are allowed");
        }
    }
    Ok(())
}

/// The length of `s` in `application/x-www-form-urlencoded` form: a buffer of this size
/// holds it without growing.
fn form_encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' | b' ' => 1,
            _ => 3,
        })
        .sum()
}

impl ClientConfig {
    /// An authorized API request: `{method} {tokens.instance}/attask/api/{version}/{path}?{query}`.
    ///
    /// The token is attached as the provider says: `sessionID: <token>` (Workfront legacy)
    /// or `Authorization: Bearer <token>`. With `json_body`, the body is JSON and
    /// `Content-Type: application/json` is set. Query parameters that carry credentials
    /// (`sessionID`, `apiKey`, `access_token`) are refused, as are paths that could leave
    /// the API base. Tokens naming an instance the configuration does not allow are
    /// refused before anything is built ([`Error::CredentialInstanceNotAllowed`]).
    ///
    /// ```
    /// use wf_oauth_core::{AccessToken, ClientConfig, Instance, Method, TokenSet, UnixTime};
    /// let instance = Instance::parse("acme.my.workfront.com")?;
    /// let config = ClientConfig::builder(instance.clone(), "cid").build()?;
    /// let tokens = TokenSet::new(AccessToken::new("sess"), instance, UnixTime::from_secs(0));
    /// let req = config.api_request(&tokens, Method::Get, "proj/search", &[("name", "Launch")], None)?;
    /// assert_eq!(
    ///     req.url().as_str(),
    ///     "https://acme.my.workfront.com/attask/api/v20.0/proj/search?name=Launch"
    /// );
    /// assert_eq!(req.headers().get("sessionID"), Some("sess"));
    /// assert!(config.api_request(&tokens, Method::Get, "../../x", &[], None).is_err());
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn api_request(
        &self,
        tokens: &TokenSet,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        json_body: Option<&Value>,
    ) -> Result<HttpRequest, Error> {
        self.check_credential_instance(tokens)?;
        check_api_path(path)?;
        // The configuration is immutable, so the base of its own instance is built once;
        // tokens for another instance (an allowed multi-instance policy) get their own.
        let other_base;
        let base = if tokens.instance() == &self.instance {
            &self.derived.api_base
        } else {
            other_base = api_base_url(tokens.instance(), &self.api_version);
            &other_base
        };
        // The URL is written once into a buffer of the exact size and parsed once: the
        // parser's own buffer then never grows (editing a clone of the base would
        // reallocate it, and on a busy multi-threaded driver every reallocation takes
        // the allocator's lock).
        let query_len: usize = query
            .iter()
            .map(|(name, value)| 2 + form_encoded_len(name) + form_encoded_len(value))
            .sum();
        let mut serialized = String::with_capacity(base.as_str().len() + path.len() + query_len);
        serialized.push_str(base.as_str());
        serialized.push_str(path);
        if !query.is_empty() {
            serialized.push('?');
            let start = serialized.len();
            let mut pairs = form_urlencoded::Serializer::for_suffix(serialized, start);
            for (name, value) in query {
                if name.is_empty() {
                    return Err(Error::invalid_argument(
                        "a query parameter has an empty name",
                    ));
                }
                if CREDENTIAL_QUERY_NAMES
                    .iter()
                    .any(|c| c.eq_ignore_ascii_case(name))
                {
                    return Err(Error::invalid_argument(
                        "credentials may not be passed as query parameters; the token is sent in a header",
                    ));
                }
                pairs.append_pair(name, value);
            }
            serialized = pairs.finish();
        }
        let url = Url::parse(&serialized)
            .map_err(|e| Error::invalid_argument(format!("API URL: {e}")))?;
        // Belt and braces: whatever the path, the request stays under the API base.
        if url.scheme() != base.scheme()
            || url.host_str() != base.host_str()
            || url.port() != base.port()
            || !url.path().starts_with(base.path())
        {
            return Err(Error::invalid_argument("API path leaves the API base"));
        }
        let mut headers = self.credential_headers_unchecked(tokens);
        headers.append("Accept", "application/json");
        let body = match json_body {
            Some(value) => {
                headers.append("Content-Type", "application/json");
                serde_json::to_vec(value).expect("a JSON value always serializes")
            }
            None => Vec::new(),
        };
        Ok(HttpRequest::new(method, url, headers, body))
    }

    /// The headers that carry the credential of `tokens` on an API request, as the
    /// provider says: `sessionID: <token>` (Workfront legacy) or
    /// `Authorization: Bearer <token>` (Adobe IMS, standard servers). [`api_request`]
    /// attaches exactly these; an application that sends API requests through its own
    /// HTTP stack attaches them too (and only to requests for `tokens.instance()`'s API).
    ///
    /// [`api_request`]: ClientConfig::api_request
    ///
    /// ```
    /// use wf_oauth_core::{AccessToken, ClientConfig, Instance, TokenSet, UnixTime};
    /// let instance = Instance::parse("acme.my.workfront.com")?;
    /// let config = ClientConfig::builder(instance.clone(), "cid").build()?;
    /// let tokens = TokenSet::new(AccessToken::new("sess"), instance, UnixTime::from_secs(0));
    /// let headers = config.credential_headers(&tokens)?;
    /// assert_eq!(headers.get("sessionID"), Some("sess"));
    /// assert_eq!(headers.iter().count(), 1);
    ///
    /// let foreign = TokenSet::new(
    ///     AccessToken::new("sess"),
    ///     Instance::parse("evil.example.com")?,
    ///     UnixTime::from_secs(0),
    /// );
    /// assert!(config.credential_headers(&foreign).is_err());
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    ///
    /// Fails with [`Error::CredentialInstanceNotAllowed`] for tokens naming an instance the
    /// configuration does not allow.
    pub fn credential_headers(&self, tokens: &TokenSet) -> Result<Headers, Error> {
        self.check_credential_instance(tokens)?;
        Ok(self.credential_headers_unchecked(tokens))
    }

    /// [`credential_headers`](Self::credential_headers) once the instance is checked.
    fn credential_headers_unchecked(&self, tokens: &TokenSet) -> Headers {
        let mut headers = Headers::new();
        match self.provider.token_placement() {
            TokenPlacement::SessionIdHeader => {
                headers.append("sessionID", tokens.access_token().secret().to_owned());
            }
            TokenPlacement::BearerHeader => {
                headers.append(
                    "Authorization",
                    format!("Bearer {}", tokens.access_token().secret()),
                );
            }
        }
        headers
    }

    /// Ends the Workfront session: `GET {instance}/attask/api/{version}/logout`.
    ///
    /// Workfront documents no revocation endpoint; this is the closest thing.
    pub fn logout_request(&self, tokens: &TokenSet) -> Result<HttpRequest, Error> {
        self.api_request(tokens, Method::Get, "logout", &[], None)
    }
}

/// What an API response means for the caller.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiOutcome {
    /// Success: the `data` member when the body has one (Workfront's envelope), else the
    /// whole JSON body; `Null` for an empty 2xx body.
    Ok(Value),
    /// The token was refused: HTTP 401, or Workfront's `AuthenticationException` /
    /// "not currently logged in", even with HTTP 200. Refresh once and retry.
    AuthFailure {
        /// HTTP status.
        status: u16,
        /// The Workfront error class, sanitized.
        class: Option<String>,
        /// The Workfront message, sanitized.
        message: Option<String>,
    },
    /// Throttled (HTTP 429).
    RateLimited {
        /// `Retry-After`, in seconds.
        retry_after: Option<u64>,
    },
    /// Any other error: an `{"error":…}` body (even with 200), or a non-2xx JSON status.
    ApiError {
        /// HTTP status.
        status: u16,
        /// The Workfront error class, sanitized.
        class: Option<String>,
        /// The Workfront message, sanitized.
        message: Option<String>,
        /// `Retry-After`, in seconds (on 503).
        retry_after: Option<u64>,
    },
    /// Not JSON (a gateway page…), or too large: the error describes it.
    Unexpected(Error),
}

impl ApiOutcome {
    /// The data, or the outcome as an [`Error`] (`AuthFailure` becomes
    /// [`Error::Api`] with its status; call sites that refresh should match first).
    pub fn into_result(self) -> Result<Value, Error> {
        match self {
            ApiOutcome::Ok(value) => Ok(value),
            ApiOutcome::AuthFailure {
                status,
                class,
                message,
            } => Err(Error::Api {
                status,
                class,
                message,
                retry_after: None,
            }),
            ApiOutcome::RateLimited { retry_after } => Err(Error::Api {
                status: 429,
                class: None,
                message: Some("too many requests".into()),
                retry_after,
            }),
            ApiOutcome::ApiError {
                status,
                class,
                message,
                retry_after,
            } => Err(Error::Api {
                status,
                class,
                message,
                retry_after,
            }),
            ApiOutcome::Unexpected(error) => Err(error),
        }
    }

    /// Whether the token was refused.
    pub fn is_auth_failure(&self) -> bool {
        matches!(self, ApiOutcome::AuthFailure { .. })
    }
}

fn is_auth_error(class: Option<&str>, message: Option<&str>) -> bool {
    class == Some(AUTHENTICATION_EXCEPTION)
        || message.is_some_and(|m| m.to_ascii_lowercase().contains("not currently logged in"))
}

/// Classifies an API response. Workfront may report errors with HTTP 200, so the body is
/// always read. Bodies over [`MAX_API_RESPONSE_BYTES`] are refused
/// ([`Error::ResponseTooLarge`] inside [`ApiOutcome::Unexpected`]); see
/// [`classify_api_response_with_limit`] for another limit.
///
/// ```
/// use wf_oauth_core::{classify_api_response, ApiOutcome, Headers, HttpResponse, UnixTime};
/// let body = br#"{"error":{"class":"com.attask.common.AuthenticationException","message":"You are not currently logged in"}}"#;
/// let r = HttpResponse::new(200, Headers::new(), body.to_vec());
/// assert!(classify_api_response(&r, UnixTime::from_secs(0)).is_auth_failure());
/// ```
pub fn classify_api_response(response: &HttpResponse, now: UnixTime) -> ApiOutcome {
    classify_api_response_with_limit(response, now, MAX_API_RESPONSE_BYTES)
}

/// [`classify_api_response`] with the driver's own body limit: bodies over `max_body_bytes`
/// are refused unread ([`Error::ResponseTooLarge`] inside [`ApiOutcome::Unexpected`]).
/// A driver passes the cap it enforces while reading, so the two always agree.
///
/// ```
/// use wf_oauth_core::{classify_api_response_with_limit, ApiOutcome, Error, Headers, HttpResponse, UnixTime};
/// let r = HttpResponse::new(200, Headers::new(), br#"{"data":[1,2,3]}"#.to_vec());
/// match classify_api_response_with_limit(&r, UnixTime::from_secs(0), 8) {
///     ApiOutcome::Unexpected(Error::ResponseTooLarge { limit: 8, .. }) => {}
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn classify_api_response_with_limit(
    response: &HttpResponse,
    now: UnixTime,
    max_body_bytes: usize,
) -> ApiOutcome {
    let status = response.status;
    let retry_after = retry_after_of(response, now);
    if status == 429 {
        return ApiOutcome::RateLimited { retry_after };
    }
    if response.is_success() && response.body.trim_ascii().is_empty() {
        return ApiOutcome::Ok(Value::Null);
    }
    let map = match read_json_object(response, retry_after, max_body_bytes) {
        Ok(map) => map,
        Err(_) if status == 401 => {
            return ApiOutcome::AuthFailure {
                status,
                class: None,
                message: None,
            };
        }
        Err(e) => return ApiOutcome::Unexpected(e),
    };
    let (class, message) = map
        .get("error")
        .filter(|e| !e.is_null())
        .map(workfront_error_fields)
        .unwrap_or_default();
    let has_error = map.get("error").is_some_and(|e| !e.is_null());
    if status == 401 || (has_error && is_auth_error(class.as_deref(), message.as_deref())) {
        return ApiOutcome::AuthFailure {
            status,
            class,
            message,
        };
    }
    if has_error || !response.is_success() {
        return ApiOutcome::ApiError {
            status,
            class,
            message,
            retry_after,
        };
    }
    let mut map = map;
    match map.remove("data") {
        Some(data) => ApiOutcome::Ok(data),
        None => ApiOutcome::Ok(Value::Object(map)),
    }
}

#[cfg(test)]
#[path = "api_tests.rs"]
mod tests;
