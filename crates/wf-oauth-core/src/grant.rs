//! Token requests: the authorization code grant, the refresh grant and the client
//! credentials grant, in the exact shapes Workfront documents.

use serde::Serialize;

use crate::authorize::AuthorizationResponse;
use crate::config::{ClientAuth, ClientConfig};
use crate::error::Error;
use crate::http::{Headers, HttpRequest, Method};
use crate::secret::ClientSecret;
use crate::time::UnixTime;
use crate::token::TokenSet;

/// How long an authorization code lives, in seconds (Workfront: two minutes).
pub const CODE_LIFETIME_SECS: u64 = 120;

const JSON: &str = "application/json";
const FORM: &str = "application/x-www-form-urlencoded";

#[derive(Serialize)]
struct CodeGrantJson<'a> {
    code: &'a str,
    grant_type: &'static str,
    redirect_uri: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_verifier: Option<&'a str>,
}

#[derive(Serialize)]
struct RefreshGrantJson<'a> {
    grant_type: &'static str,
    refresh_token: &'a str,
}

/// A form body under construction, parameters in the order they are added.
struct Form(form_urlencoded::Serializer<'static, String>);

impl Form {
    fn new() -> Self {
        Form(form_urlencoded::Serializer::new(String::with_capacity(256)))
    }

    fn pair(mut self, name: &str, value: &str) -> Self {
        self.0.append_pair(name, value);
        self
    }

    fn finish(mut self) -> Vec<u8> {
        self.0.finish().into_bytes()
    }
}

/// Which way a grant request presents the client.
enum Shape<'a> {
    /// JSON body + `Authorization: Basic` (Workfront legacy).
    BasicJson,
    /// Form body + `Authorization: Basic` (RFC 6749 `client_secret_basic`).
    BasicForm,
    /// Form body with `client_id` and `client_secret`.
    PostForm(&'a ClientSecret),
    /// Form body with `client_id` only (public client).
    PublicForm,
}

impl ClientConfig {
    fn shape(&self) -> Shape<'_> {
        match (&self.client_secret, self.client_auth) {
            (Some(_), ClientAuth::Basic) if self.provider.json_body_with_basic() => {
                Shape::BasicJson
            }
            (Some(_), ClientAuth::Basic) => Shape::BasicForm,
            (Some(secret), ClientAuth::Post) => Shape::PostForm(secret),
            (None, _) => Shape::PublicForm,
        }
    }

    fn headers(&self, content_type: &'static str, basic: bool) -> Headers {
        let mut headers = Headers::new();
        if let Some(value) = self.derived.basic_header.as_ref().filter(|_| basic) {
            headers.append("Authorization", value.secret().to_owned());
        }
        headers.append("Content-Type", content_type);
        headers.append("Accept", JSON);
        headers
    }

    /// The token request exchanging the code of `authorization` (RFC 6749 §4.1.3).
    ///
    /// Refused with [`Error::CodeExpired`] once [`CODE_LIFETIME_SECS`] have passed since the
    /// callback was accepted: sending a dead code only earns an `invalid_grant`.
    ///
    /// With the Workfront legacy provider the request goes to the token endpoint of the
    /// instance the authorization names — the configured one unless the instance policy
    /// allowed another — so a code never leaves for a host the configuration did not
    /// accept.
    ///
    /// Shapes (parameter order fixed):
    /// - `Basic`, Workfront legacy: `Authorization: Basic …`,
    ///   `Content-Type: application/json`, `Accept: application/json`, body
    ///   `{"code":…,"grant_type":"authorization_code","redirect_uri":…}` (plus
    ///   `"code_verifier"` with PKCE);
    /// - `Basic`, Adobe IMS and generic servers: `Authorization: Basic …`, form
    ///   `grant_type=authorization_code&code=…&redirect_uri=…` (plus `&code_verifier=…`);
    /// - `Post`: form `grant_type=authorization_code&redirect_uri=…&code=…&client_id=…&client_secret=…`
    ///   (plus `&code_verifier=…` with PKCE);
    /// - public client: form `grant_type=authorization_code&client_id=…&redirect_uri=…&code=…&code_verifier=…`.
    pub fn code_grant_request(
        &self,
        authorization: &AuthorizationResponse,
        now: UnixTime,
    ) -> Result<HttpRequest, Error> {
        if authorization.client_id() != &*self.client_id {
            return Err(Error::invalid_argument(
                "the authorization was started with another client id",
            ));
        }
        // A pending authorization may come from an application's session store: its own
        // instance policy is not trusted, the configuration's is.
        if !self.allows_instance(authorization.instance()) {
            return Err(Error::InstanceNotAllowed {
                host: authorization.instance().host().to_owned(),
            });
        }
        let age_secs = now.secs_since(authorization.received_at());
        if age_secs >= CODE_LIFETIME_SECS {
            return Err(Error::CodeExpired {
                age_secs,
                lifetime_secs: CODE_LIFETIME_SECS,
            });
        }
        let verifier = authorization.pkce_verifier().map(|v| v.secret());
        let code = authorization.code().secret();
        let redirect_uri = authorization.redirect_uri().as_str();
        let url = self.token_endpoint_for(authorization.instance());
        let (headers, body) = match self.shape() {
            Shape::BasicJson => {
                let body = CodeGrantJson {
                    code,
                    grant_type: "authorization_code",
                    redirect_uri,
                    code_verifier: verifier,
                };
                (
                    self.headers(JSON, true),
                    serde_json::to_vec(&body).expect("strings always serialize"),
                )
            }
            Shape::BasicForm => {
                let mut form = Form::new()
                    .pair("grant_type", "authorization_code")
                    .pair("code", code)
                    .pair("redirect_uri", redirect_uri);
                if let Some(v) = verifier {
                    form = form.pair("code_verifier", v);
                }
                (self.headers(FORM, true), form.finish())
            }
            Shape::PostForm(secret) => {
                let mut form = Form::new()
                    .pair("grant_type", "authorization_code")
                    .pair("redirect_uri", redirect_uri)
                    .pair("code", code)
                    .pair("client_id", &self.client_id)
                    .pair("client_secret", secret.secret());
                if let Some(v) = verifier {
                    form = form.pair("code_verifier", v);
                }
                (self.headers(FORM, false), form.finish())
            }
            Shape::PublicForm => {
                let verifier = verifier.ok_or_else(|| {
                    Error::invalid_argument(
                        "a public client needs the PKCE verifier; start the authorization with this configuration",
                    )
                })?;
                let form = Form::new()
                    .pair("grant_type", "authorization_code")
                    .pair("client_id", &self.client_id)
                    .pair("redirect_uri", redirect_uri)
                    .pair("code", code)
                    .pair("code_verifier", verifier);
                (self.headers(FORM, false), form.finish())
            }
        };
        Ok(HttpRequest::new(Method::Post, url, headers, body))
    }

    /// The token request renewing `tokens` with their refresh token (RFC 6749 §6).
    ///
    /// Fails with [`Error::CredentialInstanceNotAllowed`] when `tokens` name an instance
    /// the configuration does not allow (the refresh token and the client secret are never
    /// sent there), and with [`Error::ReauthRequired`] when there is no refresh token.
    ///
    /// Shapes (parameter order fixed, as on the seed page):
    /// - `Basic`, Workfront legacy: JSON `{"grant_type":"refresh_token","refresh_token":…}`
    ///   + Basic;
    /// - `Basic`, Adobe IMS and generic servers: form
    ///   `grant_type=refresh_token&refresh_token=…` + Basic;
    /// - `Post`: form `grant_type=refresh_token&redirect_uri=…&refresh_token=…&client_id=…&client_secret=…`
    ///   (`redirect_uri` omitted when none is configured);
    /// - public client: form `grant_type=refresh_token&client_id=…&redirect_uri=…&refresh_token=…`.
    ///
    /// `redirect_uri` is only sent to Workfront's legacy service, which lists it; standard
    /// servers get RFC 6749 §6's parameters alone.
    pub fn refresh_request(&self, tokens: &TokenSet) -> Result<HttpRequest, Error> {
        self.check_credential_instance(tokens)?;
        let refresh_token = tokens
            .refresh_token()
            .ok_or_else(|| Error::ReauthRequired {
                reason: "the server issued no refresh token; sign in again".into(),
            })?;
        let refresh_token = refresh_token.secret();
        let redirect_uri = self
            .redirect_uri
            .as_ref()
            .filter(|_| self.provider.refresh_carries_redirect_uri())
            .map(|r| r.as_str());
        let url = self.token_endpoint_for(tokens.instance());
        let (headers, body) = match self.shape() {
            Shape::BasicJson => {
                let body = RefreshGrantJson {
                    grant_type: "refresh_token",
                    refresh_token,
                };
                (
                    self.headers(JSON, true),
                    serde_json::to_vec(&body).expect("strings always serialize"),
                )
            }
            Shape::BasicForm => {
                let form = Form::new()
                    .pair("grant_type", "refresh_token")
                    .pair("refresh_token", refresh_token);
                (self.headers(FORM, true), form.finish())
            }
            Shape::PostForm(secret) => {
                let mut form = Form::new().pair("grant_type", "refresh_token");
                if let Some(r) = redirect_uri {
                    form = form.pair("redirect_uri", r);
                }
                let form = form
                    .pair("refresh_token", refresh_token)
                    .pair("client_id", &self.client_id)
                    .pair("client_secret", secret.secret());
                (self.headers(FORM, false), form.finish())
            }
            Shape::PublicForm => {
                let mut form = Form::new()
                    .pair("grant_type", "refresh_token")
                    .pair("client_id", &self.client_id);
                if let Some(r) = redirect_uri {
                    form = form.pair("redirect_uri", r);
                }
                let form = form.pair("refresh_token", refresh_token);
                (self.headers(FORM, false), form.finish())
            }
        };
        Ok(HttpRequest::new(Method::Post, url, headers, body))
    }

    /// The client credentials request (RFC 6749 §4.4), as Adobe IMS Server-to-Server
    /// credentials use it: form `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`
    /// (`Post`), or form `grant_type=client_credentials&scope=…` with Basic (`Basic`).
    ///
    /// Needs a client secret, and a provider with this grant: Workfront's legacy service
    /// has none ([`Error::InvalidConfig`]).
    pub fn client_credentials_request(&self) -> Result<HttpRequest, Error> {
        if !self.provider.supports_client_credentials() {
            return Err(Error::invalid_config(
                "Workfront's legacy OAuth 2 service has no client credentials grant; use Adobe IMS Server-to-Server credentials",
            ));
        }
        let url = self.derived.token_url.clone();
        let (headers, form) = match self.shape() {
            Shape::PostForm(secret) => (
                self.headers(FORM, false),
                Form::new()
                    .pair("grant_type", "client_credentials")
                    .pair("client_id", &self.client_id)
                    .pair("client_secret", secret.secret()),
            ),
            Shape::BasicJson | Shape::BasicForm => (
                self.headers(FORM, true),
                Form::new().pair("grant_type", "client_credentials"),
            ),
            Shape::PublicForm => {
                return Err(Error::invalid_config(
                    "the client credentials grant needs a client secret",
                ));
            }
        };
        let form = match &self.scope {
            Some(scope) => form.pair("scope", scope),
            None => form,
        };
        Ok(HttpRequest::new(Method::Post, url, headers, form.finish()))
    }
}

#[cfg(test)]
#[path = "grant_tests.rs"]
mod tests;
