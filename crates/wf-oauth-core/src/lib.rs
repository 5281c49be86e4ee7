//! Sans-IO model of Adobe Workfront's OAuth 2 authorization code flow.
//!
//! This crate turns inputs — a configuration, a callback URL, an HTTP response, the
//! current time, random bytes — into outputs: an authorize URL, HTTP requests as values,
//! token sets, typed errors, and decisions about what to do next. It performs no I/O,
//! reads no clock and draws no randomness, so every behaviour is deterministic and can be
//! tested without a server. A driver (HTTP client, token store, scheduler) runs it.
//!
//! The default provider is Workfront's own OAuth 2 service for custom OAuth 2
//! applications (`sessionID` tokens); Adobe IMS and standard OAuth 2 servers (Bearer
//! tokens) use the same machinery through [`Provider`].
//!
//! # The whole flow
//!
//! ```
//! use wf_oauth_core::*;
//!
//! # fn main() -> Result<(), Error> {
//! let mut now = UnixTime::from_secs(1_700_000_000);
//! let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "my-client")
//!     .client_secret(ClientSecret::new("my-secret"))
//!     .redirect_uri(RedirectUri::parse("https://app.example.com/callback")?)
//!     .client_auth(ClientAuth::Basic)
//!     .build()?;
//!
//! // 1. Send the user to the authorize page. The 64 bytes come from a secure RNG.
//! let pending = config.authorize(&[7u8; 64], now)?;
//! assert!(pending.url().starts_with(
//!     "https://acme.my.workfront.com/integrations/oauth2/authorize?client_id=my-client&"
//! ));
//!
//! // 2. The browser comes back to the redirect URI.
//! let callback = format!(
//!     "https://app.example.com/callback?code=c0de&domain=acme&lane=my&state={}",
//!     pending.state().secret()
//! );
//! let authorization = pending.accept_callback(&callback, now)?;
//!
//! // 3. Exchange the code (within two minutes).
//! now = now.plus_secs(5);
//! let request = config.code_grant_request(&authorization, now)?;
//! assert_eq!(
//!     request.url().as_str(),
//!     "https://acme.my.workfront.com/integrations/oauth2/api/v1/token"
//! );
//! assert_eq!(
//!     request.body(),
//!     br#"{"code":"c0de","grant_type":"authorization_code","redirect_uri":"https://app.example.com/callback"}"#
//! );
//!
//! // 4. The driver sends it and hands back the response.
//! let response = HttpResponse::new(
//!     200,
//!     Headers::new(),
//!     br#"{"token_type":"sessionID","access_token":"sess-1","refresh_token":"ref-1","expires_in":0,"wid":"w"}"#.to_vec(),
//! );
//! let tokens = config.parse_code_response(&authorization, &response, now)?;
//! assert_eq!(tokens.expires_at(), None); // 0 means "sliding", not "expired"
//!
//! // 5. Call the API.
//! let call = config.api_request(&tokens, Method::Get, "proj/search", &[], None)?;
//! assert_eq!(call.headers().get("sessionID"), Some("sess-1"));
//! assert_eq!(
//!     call.url().as_str(),
//!     "https://acme.my.workfront.com/attask/api/v20.0/proj/search"
//! );
//! let answer = HttpResponse::new(200, Headers::new(), br#"{"data":[]}"#.to_vec());
//! assert_eq!(classify_api_response(&answer, now), ApiOutcome::Ok(serde_json::json!([])));
//! # Ok(())
//! # }
//! ```
//!
//! # Secrets
//!
//! Client secrets, codes, verifiers and tokens are newtypes ([`ClientSecret`],
//! [`AuthorizationCode`], [`PkceVerifier`], [`AccessToken`], [`RefreshToken`]) whose
//! `Debug` and `Display` print `[redacted]`; their values leave only through `.secret()`.
//! Requests, responses, token sets and errors print without credentials too; so do the
//! OpenID Connect [`IdToken`] and [`Nonce`].
//!
//! # OpenID Connect
//!
//! [`validate_id_token`] checks an id_token against the provider's [`Jwks`] (RS256 only,
//! `iss`, `aud`/`azp`, `exp`/`iat` with [`ID_TOKEN_CLOCK_SKEW_SECS`] of skew, `nonce`) and
//! returns its [`IdTokenClaims`]; [`ProviderMetadata`] reads a discovery document and
//! [`UserInfo`] a userinfo response. Fetching them is the driver's job.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod api;
mod authorize;
mod config;
mod document;
mod error;
mod grant;
mod http;
mod instance;
mod lease;
mod lifecycle;
mod oidc;
mod pkce;
mod provider;
mod redact;
mod response;
mod retry;
mod search;
mod secret;
mod time;
mod token;
mod token_json;

pub use api::{
    AUTHENTICATION_EXCEPTION, ApiOutcome, MAX_API_RESPONSE_BYTES, api_base_url,
    classify_api_response, classify_api_response_with_limit,
};
pub use authorize::{AuthorizationResponse, PENDING_AUTHORIZATION_FORMAT, PendingAuthorization};
pub use config::{
    ApiVersion, ClientAuth, ClientConfig, ClientConfigBuilder, DEFAULT_REFRESH_SKEW_SECS,
    MissingStatePolicy, RedirectUri,
};
pub use document::{
    DOCUMENT_FORMAT, DOCUMENT_VERSION, MAX_DOCUMENT_BYTES, StoredCredential, document_generation,
};
pub use error::{Error, ErrorKind};
pub use grant::CODE_LIFETIME_SECS;
pub use http::{
    Headers, HttpRequest, HttpResponse, Method, RESPONSE_HEADERS_READ, RequestParts,
    is_sensitive_header,
};
pub use instance::{Instance, InstancePolicy};
pub use lease::{LeaseGrant, LeasePolicy, RenewalPlan, RenewalStep};
pub use lifecycle::{
    Adoption, Credential, CredentialPeek, CredentialState, Decision, RefreshTicket, Renewal,
};
pub use oidc::{
    ID_TOKEN_CLOCK_SKEW_SECS, IdToken, IdTokenCheck, IdTokenClaims, IdTokenValidation, Jwk, Jwks,
    MAX_ID_TOKEN_BYTES, MAX_OIDC_DOCUMENT_BYTES, Nonce, ProviderMetadata, UserInfo,
    validate_id_token,
};
pub use pkce::CODE_CHALLENGE_METHOD;
pub use provider::{DEFAULT_IMS_BASE, Endpoint, Provider, TokenPlacement};
pub use response::{MAX_RESPONSE_BYTES, parse_token_response};
pub use retry::{Failure, Replay, RetryPolicy, RetryState};
pub use search::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SearchPager};
pub use secret::{AccessToken, AuthorizationCode, ClientSecret, PkceVerifier, RefreshToken, State};
pub use time::UnixTime;
pub use token::{TOKEN_SET_FORMAT, TokenSet, TokenType};
