//! The OpenID Connect side of [`RunningMock`]: IMS endpoint URLs, the signing key, codes
//! with OpenID parameters, and what arrived on the wire.

use super::*;
use crate::openid::{DISCOVERY_PATH, JWKS_PATH, REVOKE_PATH, USERINFO_PATH};
use crate::recorded::{ApiCallRecord, AuthorizeRecord};

impl RunningMock {
    /// The IMS issuer (`iss` of every id_token, `issuer` of the discovery document): the
    /// IMS base URL, `http://127.0.0.1:PORT`.
    pub fn ims_issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// `{ims_base}/ims/.well-known/openid-configuration`.
    pub fn ims_discovery_url(&self) -> String {
        format!("{}{DISCOVERY_PATH}", self.base_url())
    }

    /// `{ims_base}/ims/keys` (the JWKS).
    pub fn ims_jwks_url(&self) -> String {
        format!("{}{JWKS_PATH}", self.base_url())
    }

    /// `{ims_base}/ims/userinfo/v2`.
    pub fn ims_userinfo_url(&self) -> String {
        format!("{}{USERINFO_PATH}", self.base_url())
    }

    /// `{ims_base}/ims/revoke` (RFC 7009).
    pub fn ims_revoke_url(&self) -> String {
        format!("{}{REVOKE_PATH}", self.base_url())
    }

    /// The `kid` of the key signing id_tokens now (the key is made on first use).
    pub fn signing_key_id(&self) -> String {
        self.shared.keys.current().kid().to_owned()
    }

    /// Replaces the id_token signing key with a new one under a new `kid`; the old key
    /// leaves the JWKS at once. Returns the new `kid`.
    pub fn rotate_signing_key(&self) -> String {
        self.shared.keys.rotate()
    }

    /// Every authorization request received (newest last, at most
    /// [`RECORDED_MAX`](crate::RECORDED_MAX)), with its parameters as sent.
    pub fn authorize_requests(&self) -> Vec<AuthorizeRecord> {
        self.shared.recorder.authorize_requests()
    }

    /// The Adobe gateway headers of every API call received (newest last, at most
    /// [`RECORDED_MAX`](crate::RECORDED_MAX)).
    pub fn api_calls(&self) -> Vec<ApiCallRecord> {
        self.shared.recorder.api_calls()
    }

    /// Forgets the recorded authorization requests and API calls.
    pub fn clear_recorded(&self) {
        self.shared.recorder.clear();
    }

    /// [`issue_ims_code`](Self::issue_ims_code) with OpenID Connect authorization
    /// parameters, as if the browser had sent them: `nonce` (echoed in the id_token) and
    /// `prompt` (`consent` grants `offline_access`) are used, other names are ignored.
    ///
    /// ```no_run
    /// # fn f(mock: &wf_oauth_mock::RunningMock) -> Result<(), String> {
    /// let code = mock.issue_ims_code_with(
    ///     "demo-client",
    ///     "https://app.example/callback",
    ///     None,
    ///     "openid,AdobeID,offline_access",
    ///     &[("nonce", "n-0S6_WzA2Mj"), ("prompt", "consent")],
    /// )?;
    /// # Ok(()) }
    /// ```
    pub fn issue_ims_code_with(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
        scope: &str,
        params: &[(&str, &str)],
    ) -> Result<String, String> {
        if !self.shared.config.mode.serves_ims() {
            return Err(
                "this mock does not serve Adobe IMS (use Mode::AdobeIms or Mode::Both)".into(),
            );
        }
        if scope.is_empty() {
            return Err("IMS requires a scope".into());
        }
        self.issue(
            client_id,
            redirect_uri,
            code_challenge,
            Some(scope.to_owned()),
            Profile::Ims,
            params,
        )
    }
}
