//! Fault injection: make the next N requests of an endpoint misbehave in a chosen way.
//!
//! Rules are kept in arrival order; a request takes the first rule whose target matches
//! it and decrements its count. The wire format (JSON of [`FaultSpec`]) is the same for
//! `POST /__mock/faults` and [`crate::RunningMock::inject_fault`].

use std::sync::Mutex;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::errors::json_bytes;
use crate::html;
use crate::net::ConnInfo;

/// Which requests a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultTarget {
    /// Every token-endpoint request.
    Token,
    /// Token-endpoint requests with `grant_type=authorization_code`.
    AuthorizationCode,
    /// Token-endpoint requests with `grant_type=refresh_token`.
    RefreshToken,
    /// Token-endpoint requests with `grant_type=client_credentials` (IMS).
    ClientCredentials,
    /// Workfront API requests (`/attask/api/…`).
    Api,
    /// `GET` of the authorization endpoint.
    Authorize,
    /// IMS token revocation (`POST /ims/revoke`).
    Revoke,
    /// IMS userinfo (`/ims/userinfo/v2`).
    Userinfo,
    /// IMS JWKS (`GET /ims/keys`).
    Jwks,
    /// IMS discovery document (`GET /ims/.well-known/openid-configuration`).
    Discovery,
}

/// How a faulty id_token is wrong (the [`Fault::IdToken`] fault). Each one is an attack or
/// a misconfiguration a relying party must refuse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdTokenFlaw {
    /// The signature does not match the token (one bit flipped).
    TamperedSignature,
    /// `aud` and `azp` name another client.
    WrongAudience,
    /// `iss` is not the fake's issuer.
    WrongIssuer,
    /// `nonce` is not the one of the authorization request (present even when the request
    /// had none).
    WrongNonce,
    /// `exp` is an hour in the past.
    Expired,
    /// Signed by a key that is not in the JWKS, under a `kid` the JWKS does not list.
    UnknownKey,
    /// `alg: none`, no signature.
    AlgNone,
}

/// What an affected request gets instead of (or on top of) its normal answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Answer with this status, an optional JSON body (a default error body of the
    /// endpoint's dialect otherwise) and an optional `Retry-After` in seconds.
    Status {
        /// HTTP status, 200–599.
        status: u16,
        /// JSON body to send verbatim.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<serde_json::Value>,
        /// `Retry-After` value in seconds.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    /// Answer with an HTML page (by default a 502 gateway page), as a proxy would.
    Html {
        /// HTTP status (default 502).
        #[serde(default = "default_html_status")]
        status: u16,
        /// The page (default: an nginx-style "502 Bad Gateway").
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
    },
    /// Answer with a truncated JSON document under `Content-Type: application/json`.
    MalformedJson {
        /// HTTP status (default 200).
        #[serde(default = "default_ok_status")]
        status: u16,
    },
    /// Answer 200 with an error body: `{"error":{"class","message"}}` on the API,
    /// `{"error","error_description"}` on the token endpoint.
    OkWithError {
        /// Token endpoint: the `error` code (default `server_error`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// API: the exception class (default `com.attask.common.WorkfrontException`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        class: Option<String>,
        /// The message / `error_description`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Wait this long (real time), then answer normally.
    Delay {
        /// Milliseconds.
        ms: u64,
    },
    /// Close the connection without answering, before processing the request.
    Drop,
    /// Process the request normally (a grant really happens), then close the connection
    /// instead of sending the answer: the client never learns the outcome.
    DropAfterProcessing,
    /// Process a token request normally, but make the id_token of the answer wrong in the
    /// way `flaw` says (token-endpoint targets only; an answer without an id_token is not
    /// changed).
    IdToken {
        /// What is wrong with the id_token.
        flaw: IdTokenFlaw,
    },
}

fn default_html_status() -> u16 {
    502
}

fn default_ok_status() -> u16 {
    200
}

fn one() -> u32 {
    1
}

/// A fault rule: apply `fault` to the next `count` requests matching `endpoint`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSpec {
    /// Which requests.
    pub endpoint: FaultTarget,
    /// How many of them (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// What happens to them.
    pub fault: Fault,
}

impl FaultSpec {
    /// A rule for the next `count` requests of `endpoint`.
    pub fn new(endpoint: FaultTarget, count: u32, fault: Fault) -> Self {
        FaultSpec {
            endpoint,
            count,
            fault,
        }
    }

    /// Checks the rule can be applied as written.
    pub fn validate(&self) -> Result<(), String> {
        if self.count == 0 {
            return Err("count must be at least 1".into());
        }
        let status = match &self.fault {
            Fault::Status { status, .. }
            | Fault::Html { status, .. }
            | Fault::MalformedJson { status } => Some(*status),
            _ => None,
        };
        if let Some(s) = status
            && !(200..=599).contains(&s)
        {
            return Err(format!("status {s} is outside 200..=599"));
        }
        if let Fault::Delay { ms } = self.fault
            && ms > 600_000
        {
            return Err("delay is limited to 600000 ms".into());
        }
        let token_target = matches!(
            self.endpoint,
            FaultTarget::Token | FaultTarget::AuthorizationCode | FaultTarget::RefreshToken
        );
        if matches!(self.fault, Fault::IdToken { .. }) && !token_target {
            return Err(
                "an id_token fault applies to token, authorization_code or refresh_token only"
                    .into(),
            );
        }
        Ok(())
    }
}

/// The queue of pending fault rules.
#[derive(Debug, Default)]
pub(crate) struct FaultQueue {
    rules: Mutex<Vec<FaultSpec>>,
}

impl FaultQueue {
    pub fn push(&self, spec: FaultSpec) {
        lock(&self.rules).push(spec);
    }

    pub fn list(&self) -> Vec<FaultSpec> {
        lock(&self.rules).clone()
    }

    pub fn clear(&self) {
        lock(&self.rules).clear();
    }

    /// Takes one use of the first rule matching any of `targets`.
    pub fn take(&self, targets: &[FaultTarget]) -> Option<Fault> {
        let mut rules = lock(&self.rules);
        if rules.is_empty() {
            return None;
        }
        let i = rules.iter().position(|r| targets.contains(&r.endpoint))?;
        let fault = rules[i].fault.clone();
        rules[i].count -= 1;
        if rules[i].count == 0 {
            rules.remove(i);
        }
        Some(fault)
    }
}

/// Locks a mutex, recovering from poisoning: the mock's state stays usable even if a
/// request task panicked while holding a lock (the data is plain bookkeeping).
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Which error dialect an endpoint speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    OAuth,
    Api,
    Html,
}

/// Marker put on a response whose connection is being dropped, for the statistics.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Dropped;

/// What the handler must do about a fault.
pub(crate) enum Plan {
    /// Answer with this response now.
    Respond(Response),
    /// Process normally after waiting this long.
    Delay(Duration),
    /// Process normally, then drop the connection.
    DropAfter,
    /// Process normally, with a faulty id_token.
    IdToken(IdTokenFlaw),
}

/// Turns a fault into a plan for one request.
pub(crate) fn plan(fault: Fault, dialect: Dialect, conn: Option<&ConnInfo>) -> Plan {
    match fault {
        Fault::Delay { ms } => Plan::Delay(Duration::from_millis(ms)),
        Fault::DropAfterProcessing => Plan::DropAfter,
        Fault::IdToken { flaw } => Plan::IdToken(flaw),
        Fault::Drop => Plan::Respond(drop_connection(conn)),
        Fault::Status {
            status,
            body,
            retry_after,
        } => {
            let status = status_code(status);
            let body = body.unwrap_or_else(|| default_error_body(dialect, status));
            let mut resp = json_bytes(status, body.to_string());
            if let Some(secs) = retry_after {
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            Plan::Respond(resp)
        }
        Fault::Html { status, body } => {
            let status = status_code(status);
            let page = body.unwrap_or_else(|| html::gateway_page(status));
            Plan::Respond(html::respond(status, page))
        }
        Fault::MalformedJson { status } => {
            let truncated = match dialect {
                Dialect::Api => r#"{"data":[{"ID":"4c78"#,
                _ => r#"{"token_type":"sessionID","access_token":"#,
            };
            Plan::Respond(json_bytes(status_code(status), truncated))
        }
        Fault::OkWithError {
            error,
            class,
            message,
        } => {
            let body = match dialect {
                Dialect::Api | Dialect::Html => json!({"error": {
                    "class": class.unwrap_or_else(|| "com.attask.common.WorkfrontException".into()),
                    "message": message.unwrap_or_else(|| "injected error".into()),
                }}),
                Dialect::OAuth => json!({
                    "error": error.unwrap_or_else(|| "server_error".into()),
                    "error_description": message.unwrap_or_else(|| "injected error".into()),
                }),
            };
            Plan::Respond(json_bytes(StatusCode::OK, body.to_string()))
        }
    }
}

fn status_code(s: u16) -> StatusCode {
    StatusCode::from_u16(s).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn default_error_body(dialect: Dialect, status: StatusCode) -> serde_json::Value {
    let reason = status.canonical_reason().unwrap_or("injected fault");
    match dialect {
        Dialect::OAuth => json!({
            "error": if status.is_server_error() { "temporarily_unavailable" } else { "invalid_request" },
            "error_description": format!("injected fault: {reason}"),
        }),
        Dialect::Api | Dialect::Html => json!({"error": {
            "class": "com.attask.common.WorkfrontException",
            "message": format!("injected fault: {reason}"),
        }}),
    }
}

/// Arranges for the connection to close without an answer and returns the placeholder
/// response the handler hands back (it is never written: the connection's writes fail).
pub(crate) fn drop_connection(conn: Option<&ConnInfo>) -> Response {
    match conn {
        Some(c) => {
            tracing::info!(peer = %c.peer(), "dropping the connection (injected fault)");
            c.kill();
            let mut resp = Response::new(Body::empty());
            resp.extensions_mut().insert(Dropped);
            resp
        }
        // Only reachable when the router is driven without the mock's listener; answer
        // with something a client can recognise as a failure rather than panicking.
        None => json_bytes(
            StatusCode::BAD_GATEWAY,
            r#"{"error":{"class":"mock","message":"connection drop unavailable"}}"#,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_format_round_trips() {
        let spec: FaultSpec = serde_json::from_str(
            r#"{"endpoint":"refresh_token","count":2,"fault":{"kind":"status","status":503,"retry_after":7}}"#,
        )
        .unwrap();
        assert_eq!(spec.count, 2);
        assert_eq!(
            spec.fault,
            Fault::Status {
                status: 503,
                body: None,
                retry_after: Some(7)
            }
        );
        let spec: FaultSpec =
            serde_json::from_str(r#"{"endpoint":"api","fault":{"kind":"drop"}}"#).unwrap();
        assert_eq!(spec.count, 1);
        assert!(
            serde_json::from_str::<FaultSpec>(
                r#"{"endpoint":"api","fault":{"kind":"delay","ms":1,"x":1}}"#
            )
            .is_err()
        );
        assert!(
            FaultSpec::new(FaultTarget::Api, 0, Fault::Drop)
                .validate()
                .is_err()
        );
        let spec: FaultSpec = serde_json::from_str(
            r#"{"endpoint":"authorization_code","fault":{"kind":"id_token","flaw":"wrong_audience"}}"#,
        )
        .unwrap();
        assert_eq!(
            spec.fault,
            Fault::IdToken {
                flaw: IdTokenFlaw::WrongAudience
            }
        );
        assert!(spec.validate().is_ok());
        let on_api = FaultSpec::new(
            FaultTarget::Api,
            1,
            Fault::IdToken {
                flaw: IdTokenFlaw::Expired,
            },
        );
        assert!(on_api.validate().is_err());
        let spec: FaultSpec =
            serde_json::from_str(r#"{"endpoint":"revoke","fault":{"kind":"status","status":503}}"#)
                .unwrap();
        assert_eq!(spec.endpoint, FaultTarget::Revoke);
    }

    #[test]
    fn queue_takes_first_match_and_counts_down() {
        let q = FaultQueue::default();
        q.push(FaultSpec::new(FaultTarget::Api, 2, Fault::Drop));
        q.push(FaultSpec::new(
            FaultTarget::Token,
            1,
            Fault::Delay { ms: 1 },
        ));
        assert_eq!(q.take(&[FaultTarget::Token]), Some(Fault::Delay { ms: 1 }));
        assert_eq!(q.take(&[FaultTarget::Token]), None);
        assert_eq!(q.take(&[FaultTarget::Api]), Some(Fault::Drop));
        assert_eq!(q.take(&[FaultTarget::Api]), Some(Fault::Drop));
        assert_eq!(q.take(&[FaultTarget::Api]), None);
    }
}
