//! The Adobe API gateway's checks on calls made with IMS access tokens: `x-api-key` must
//! be the client ID the token was issued to and, when the mock knows the organization,
//! `x-gw-ims-org-id` must name it. Off unless [`MockConfig::require_gateway_headers`].
//!
//! Refusals are `403` with the gateway's body shape, `{"error_code","message"}`
//! (`403003 Api Key is invalid` is the gateway's documented answer for a wrong key; the
//! other codes follow its numbering).
//!
//! [`MockConfig::require_gateway_headers`]: crate::MockConfig::require_gateway_headers

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde_json::json;

use crate::config::MockConfig;
use crate::errors::json_value;
use crate::state::SessionView;

/// A gateway refusal: `403 {"error_code","message"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Refusal {
    pub code: &'static str,
    pub message: &'static str,
}

fn refuse(code: &'static str, message: &'static str) -> Refusal {
    Refusal { code, message }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        json_value(
            StatusCode::FORBIDDEN,
            &json!({"error_code": self.code, "message": self.message}),
        )
    }
}

/// Checks the gateway headers of an API call made with `session`.
pub(crate) fn check(
    cfg: &MockConfig,
    session: &SessionView,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    if !cfg.require_gateway_headers || !session.ims {
        return Ok(());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match header("x-api-key") {
        None => return Err(refuse("403000", "Api Key is required")),
        Some(key) if key != session.client_id => {
            return Err(refuse("403003", "Api Key is invalid"));
        }
        Some(_) => {}
    }
    if let Some(org) = &cfg.ims_org_id {
        match header("x-gw-ims-org-id") {
            None => return Err(refuse("403000", "x-gw-ims-org-id is required")),
            Some(sent) if sent != org => {
                return Err(refuse("403010", "x-gw-ims-org-id is invalid"));
            }
            Some(_) => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn session(ims: bool) -> SessionView {
        SessionView {
            user: 0,
            client_id: "demo-client".into(),
            scope: None,
            ims,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn rules() {
        let mut cfg = MockConfig::default();
        assert!(check(&cfg, &session(true), &headers(&[])).is_ok());
        cfg.require_gateway_headers = true;
        // Legacy sessions never need the headers.
        assert!(check(&cfg, &session(false), &headers(&[])).is_ok());
        let code = |r: Result<(), Refusal>| r.err().map(|r| r.code);
        assert_eq!(
            code(check(&cfg, &session(true), &headers(&[]))),
            Some("403000")
        );
        assert_eq!(
            code(check(
                &cfg,
                &session(true),
                &headers(&[("x-api-key", "other")])
            )),
            Some("403003")
        );
        let key = [("x-api-key", "demo-client")];
        assert!(check(&cfg, &session(true), &headers(&key)).is_ok());
        cfg.ims_org_id = Some("ORG@AdobeOrg".into());
        assert_eq!(
            code(check(&cfg, &session(true), &headers(&key))),
            Some("403000")
        );
        let wrong = [
            ("x-api-key", "demo-client"),
            ("x-gw-ims-org-id", "X@AdobeOrg"),
        ];
        assert_eq!(
            code(check(&cfg, &session(true), &headers(&wrong))),
            Some("403010")
        );
        let right = [
            ("x-api-key", "demo-client"),
            ("x-gw-ims-org-id", "ORG@AdobeOrg"),
        ];
        assert!(check(&cfg, &session(true), &headers(&right)).is_ok());
    }
}
