//! Scope and `prompt` rules of the IMS profile: which grants get an id_token and which
//! get a refresh token.
//!
//! IMS writes scopes comma-separated (`openid,AdobeID,offline_access`); OpenID Connect
//! writes them space-separated. Both separators are accepted.

use crate::config::MockConfig;
use crate::state::{AuthorizeRequest, Profile};

/// Whether a space- or comma-separated list holds `value`.
pub(crate) fn has(list: Option<&str>, value: &str) -> bool {
    list.is_some_and(|l| {
        l.split(|c: char| c == ',' || c.is_ascii_whitespace())
            .any(|v| v == value)
    })
}

/// Whether a grant's scope asks for an id_token.
pub(crate) fn wants_id_token(scope: Option<&str>) -> bool {
    has(scope, "openid")
}

/// Whether an approved authorization request gets a refresh token:
/// - legacy profile: always;
/// - IMS, scope with `offline_access`: only when the request had `prompt=consent`
///   (OpenID Connect Core §11: without it the `offline_access` request is ignored);
/// - IMS, scope without `offline_access`: unless the mock runs with
///   [`MockConfig::refresh_requires_offline_access`] (as IMS itself does).
pub(crate) fn grants_offline(req: &AuthorizeRequest, cfg: &MockConfig) -> bool {
    if req.profile == Profile::Legacy {
        return true;
    }
    if has(req.scope.as_deref(), "offline_access") {
        has(req.prompt.as_deref(), "consent")
    } else {
        !cfg.refresh_requires_offline_access
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(scope: &str, prompt: Option<&str>) -> AuthorizeRequest {
        AuthorizeRequest {
            client_id: "c".into(),
            redirect_uri: "https://app.example/cb".into(),
            state: None,
            code_challenge: None,
            scope: Some(scope.into()),
            nonce: None,
            prompt: prompt.map(str::to_owned),
            profile: Profile::Ims,
        }
    }

    #[test]
    fn separators() {
        assert!(has(Some("openid,AdobeID"), "openid"));
        assert!(has(Some("email openid"), "openid"));
        assert!(!has(Some("openidx"), "openid"));
        assert!(!has(None, "openid"));
    }

    #[test]
    fn offline_access_needs_prompt_consent() {
        let cfg = MockConfig::default();
        assert!(!grants_offline(&req("openid,offline_access", None), &cfg));
        assert!(!grants_offline(
            &req("openid,offline_access", Some("login")),
            &cfg
        ));
        assert!(grants_offline(
            &req("openid,offline_access", Some("login consent")),
            &cfg
        ));
        assert!(grants_offline(&req("openid", None), &cfg));
        let strict = MockConfig {
            refresh_requires_offline_access: true,
            ..MockConfig::default()
        };
        assert!(!grants_offline(&req("openid", Some("consent")), &strict));
        assert!(grants_offline(
            &req("openid offline_access", Some("consent")),
            &strict
        ));
        let mut legacy = req("", None);
        legacy.profile = Profile::Legacy;
        assert!(grants_offline(&legacy, &strict));
    }
}
