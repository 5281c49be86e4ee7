//! Error responses in the two dialects the mock speaks: RFC 6749 on the token endpoint,
//! Workfront's `{"error":{"class","message"}}` on the API and the admin endpoints.

use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use serde_json::json;

/// Content type of every JSON answer, spelled like Workfront does.
pub(crate) const JSON_CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// A JSON response with the given status and pre-serialized body.
pub(crate) fn json_bytes(status: StatusCode, body: impl Into<Body>) -> Response {
    let mut resp = Response::new(body.into());
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    resp
}

/// A JSON response serialized from a value.
pub(crate) fn json_value(status: StatusCode, value: &serde_json::Value) -> Response {
    json_bytes(status, value.to_string())
}

/// Adds the headers RFC 6749 §5.1 requires on token responses.
pub(crate) fn no_store(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    resp
}

/// An RFC 6749 §5.2 error from the token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct OAuthError {
    pub status: StatusCode,
    pub error: &'static str,
    pub description: String,
    /// Send `WWW-Authenticate: Basic` (client authentication failed with Basic).
    pub basic_challenge: bool,
}

impl OAuthError {
    fn new(status: StatusCode, error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            status,
            error,
            description: description.into(),
            basic_challenge: false,
        }
    }

    pub fn invalid_request(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", d)
    }

    pub fn invalid_grant(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_grant", d)
    }

    pub fn invalid_client(d: impl Into<String>, basic: bool) -> Self {
        let mut e = Self::new(StatusCode::UNAUTHORIZED, "invalid_client", d);
        e.basic_challenge = basic;
        e
    }

    pub fn unsupported_grant_type(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_grant_type", d)
    }

    pub fn unauthorized_client(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unauthorized_client", d)
    }

    pub fn invalid_scope(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_scope", d)
    }

    /// RFC 7009 §2.2.1.
    pub fn unsupported_token_type(d: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "unsupported_token_type", d)
    }

    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "invalid_request",
            format!(
                "request body exceeds {} bytes",
                crate::config::MAX_BODY_BYTES
            ),
        )
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({"error": self.error, "error_description": self.description});
        let mut resp = no_store(json_value(self.status, &body));
        if self.basic_challenge {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"workfront\""),
            );
        }
        resp
    }
}

/// A Workfront-style API error: `{"error":{"class":…,"message":…}}`.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub status: StatusCode,
    pub class: &'static str,
    pub message: String,
    pub retry_after: Option<u64>,
}

/// Exception class Workfront uses for a missing or expired session.
pub(crate) const AUTH_EXCEPTION: &str = "com.attask.common.AuthenticationException";
/// Exception class for bad parameters.
pub(crate) const PARAM_EXCEPTION: &str = "com.attask.common.InvalidParameterException";
/// Exception class for unknown objects and paths.
pub(crate) const NOT_FOUND_EXCEPTION: &str = "com.attask.common.NotFoundException";

impl ApiError {
    pub fn new(status: StatusCode, class: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            class,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The exact answer Workfront gives for a missing, expired or ended session.
    pub fn not_logged_in() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            AUTH_EXCEPTION,
            "You are not currently logged in",
        )
    }

    pub fn bad_param(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, PARAM_EXCEPTION, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, NOT_FOUND_EXCEPTION, message)
    }

    pub fn too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            PARAM_EXCEPTION,
            format!(
                "request body exceeds {} bytes",
                crate::config::MAX_BODY_BYTES
            ),
        )
    }

    pub fn method_not_allowed(message: impl Into<String>) -> Self {
        Self::new(StatusCode::METHOD_NOT_ALLOWED, PARAM_EXCEPTION, message)
    }

    pub fn too_many_requests() -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "com.attask.common.TooManyRequestsException",
            "Too many concurrent API requests; retry later",
        );
        e.retry_after = Some(1);
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"class": self.class, "message": self.message}});
        let mut resp = json_value(self.status, &body);
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        resp
    }
}
