//! A faithful fake Adobe Workfront: the legacy OAuth 2 authorization-code flow (web
//! application and single-page/PKCE clients), an Adobe IMS mode ([`Mode::AdobeIms`]),
//! and enough of the Workfront API to exercise a client, with a manual clock, fault
//! injection and request counters.
//!
//! It is used for development, the demo and every test of the SDK. It speaks the
//! protocol on the wire only and shares no code with the client.
//!
//! # Starting one
//!
//! ```no_run
//! # async fn demo() -> Result<(), wf_oauth_mock::MockError> {
//! use std::time::Duration;
//! use wf_oauth_mock::{MockWorkfront, Fault, FaultSpec, FaultTarget};
//!
//! let mock = MockWorkfront::builder()
//!     .redirect_uri("http://127.0.0.1:8765/callback")
//!     .manual_clock()
//!     .spawn()
//!     .await?;
//! println!("authorize at {}", mock.authorize_url());
//! mock.inject_fault(FaultSpec::new(
//!     FaultTarget::RefreshToken,
//!     1,
//!     Fault::Status { status: 503, body: None, retry_after: Some(2) },
//! )).unwrap();
//! mock.advance_clock(Duration::from_secs(121)); // every pending code is now expired
//! assert_eq!(mock.stats().grant("refresh_token"), 0);
//! mock.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! # Protocol
//!
//! - `GET /integrations/oauth2/authorize`: login page → consent page (`#allow`/`#deny`)
//!   → `302` to `redirect_uri?code=…&domain=…&lane=…[&state=…]`, or
//!   `?error=access_denied&error_description=…[&state=…]`. Bad parameters give an HTML
//!   error page, never a redirect.
//! - `POST /integrations/oauth2/api/v1/token`: `authorization_code` and `refresh_token`
//!   grants, JSON + Basic or form bodies, PKCE S256; answers
//!   `{"token_type":"sessionID","access_token","refresh_token","expires_in":0,"wid"}`;
//!   errors are RFC 6749 JSON with `Cache-Control: no-store`.
//! - `/attask/api/vX.Y/…`: `proj`, `task`, `user` search/count/get/metadata, `proj`
//!   create/update/delete, `logout`; sessions by `sessionID` header or parameter, or
//!   `Authorization: Bearer`. Missing or expired sessions get `401` with
//!   `{"error":{"class":"com.attask.common.AuthenticationException","message":"You are not currently logged in"}}`.
//!   More than [`MockConfig::max_concurrent_requests`] concurrent API calls get `429` with
//!   `Retry-After: 1`.
//!
//! # Adobe IMS mode
//!
//! [`MockBuilder::mode`]`(`[`Mode::AdobeIms`]`)` (`--mode ims`; [`Mode::Both`] serves
//! both path sets) serves, on the same loopback server
//! ([`RunningMock::ims_base_url`]):
//! - `GET /ims/authorize/v2`: as the legacy endpoint, but `scope` is required and the
//!   callback carries only `code` and `state`;
//! - `POST /ims/token/v3`: `authorization_code` (secret in the form or Basic, or PKCE),
//!   `refresh_token`, and `client_credentials` (confidential client, `scope` required,
//!   no refresh token); answers
//!   `{"access_token","refresh_token","token_type":"bearer","expires_in"}` with
//!   `expires_in` = [`MockConfig::access_token_ttl`] ([`DEFAULT_ACCESS_TOKEN_TTL`]);
//! - IMS access tokens work on the API only as `Authorization: Bearer` and expire at a
//!   fixed time on the mock clock (then `401` with the `AuthenticationException` body);
//! - OpenID Connect: discovery at `/ims/.well-known/openid-configuration` (issuer
//!   [`RunningMock::ims_issuer`]), the JWKS at `/ims/keys`, RS256 id_tokens (with the
//!   authorization request's `nonce`) for scopes with `openid`, userinfo at
//!   `/ims/userinfo/v2`, RFC 7009 revocation at `/ims/revoke`;
//! - `offline_access` is granted (a refresh token issued) only with `prompt=consent`;
//! - web-application redirect URIs must be `https` unless
//!   [`MockBuilder::allow_loopback_redirects`] is on;
//! - optionally ([`MockBuilder::require_gateway_headers`]) the Adobe gateway headers
//!   `x-api-key` and `x-gw-ims-org-id` are required on API calls.
//!
//! Authorization parameters and gateway headers are recorded as they arrive
//! ([`RunningMock::authorize_requests`], [`RunningMock::api_calls`]); id_tokens can be
//! made wrong on purpose ([`Fault::IdToken`], [`IdTokenFlaw`]) and the signing key rotated
//! ([`RunningMock::rotate_signing_key`]). The crate README has the details.
//!
//! Behaviours a client must cope with, chosen deliberately:
//! - codes live [`DEFAULT_CODE_TTL`] and are burned by the first redemption attempt; a
//!   reused code revokes the tokens issued from it;
//! - with rotation on, a refresh returns a new refresh token and presenting an old one
//!   revokes the whole grant (all its refresh tokens and sessions);
//! - a refresh mints a new session; earlier sessions stay valid until they idle out;
//! - sessions expire after [`MockConfig::session_idle`] without use (sliding).
//!
//! # Fault injection and introspection
//!
//! [`FaultSpec`] rules make the next N requests of an endpoint fail (status, HTML page,
//! malformed JSON, 200-with-error, delay, dropped connection, or dropped answer after the
//! grant was processed). [`RunningMock::stats`] counts requests per endpoint, grant type
//! and status. The same operations exist over HTTP under `/__mock/` (enabled by default,
//! [`MockBuilder::admin`]`(false)` disables them):
//!
//! | Request | Body | Answer |
//! |---|---|---|
//! | `POST /__mock/faults` | a [`FaultSpec`] or an array of them | `{"data":{"queued":N}}` |
//! | `GET /__mock/faults` | | `{"data":[FaultSpec…]}` (pending rules) |
//! | `DELETE /__mock/faults` | | `{"data":{"cleared":N}}` |
//! | `POST /__mock/sessions/expire` | `{}` (all), `{"access_token":"…"}` or `{"fingerprint":"…"}` | `{"data":{"expired":N}}` |
//! | `POST /__mock/refresh-tokens/revoke` | `{}` (all), `{"refresh_token":"…"}` or `{"fingerprint":"…"}` | `{"data":{"revoked":N}}` |
//! | `GET /__mock/stats` | | a [`Stats`] |
//! | `POST /__mock/reset-stats` | | `{"data":{"reset":true}}` |
//! | `GET /__mock/clock` | | `{"data":{"manual":bool,"elapsed_ms":N}}` |
//! | `POST /__mock/clock/advance` | `{"secs":N}` or `{"ms":N}` | as `GET /__mock/clock` |
//! | `POST /__mock/keys/rotate` | | `{"data":{"kid":"…"}}` (new id_token signing key) |
//! | `GET /__mock/requests` | | `{"data":{"authorize":[AuthorizeRecord…],"api":[ApiCallRecord…]}}` |
//! | `DELETE /__mock/requests` | | `{"data":{"cleared":true}}` |
//!
//! A fault rule on the wire:
//! `{"endpoint":"refresh_token","count":2,"fault":{"kind":"status","status":503,"retry_after":5}}`
//! (see [`Fault`] for every kind). Fingerprints are [`fingerprint`]s of token values.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod admin;
mod api;
mod args;
mod authorize;
mod builder;
mod clock;
mod config;
mod data;
mod errors;
mod faults;
mod gateway;
mod html;
mod id_token;
mod keys;
mod net;
mod openid;
mod params;
mod recorded;
mod revoke;
mod scopes;
mod search;
mod server;
mod signals;
mod state;
mod stats;
mod token;
mod tokens;

pub use args::MockArgs;
pub use authorize::LOGIN_COOKIE;
pub use builder::MockBuilder;
pub use clock::{MockClock, MockInstant};
pub use config::{
    DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_APP_NAME, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
    DEFAULT_CODE_TTL, DEFAULT_MAX_CONCURRENT_REQUESTS, DEFAULT_PASSWORD, DEFAULT_PUBLIC_CLIENT_ID,
    DEFAULT_REDIRECT_URI, DEFAULT_SESSION_IDLE, DEFAULT_USERNAME, MAX_BODY_BYTES, MockConfig,
    MockError, Mode, Paths, UserAccount,
};
pub use data::{PROJECT_COUNT, TASK_COUNT, USER_COUNT};
pub use faults::{Fault, FaultSpec, FaultTarget, IdTokenFlaw};
pub use recorded::{ApiCallRecord, AuthorizeRecord, RECORDED_MAX};
pub use search::{DEFAULT_LIMIT, MAX_LIMIT};
pub use server::RunningMock;
pub use signals::shutdown_signal;
pub use state::LiveCounts;
pub use stats::{DROPPED, Stats};
pub use tokens::fingerprint;

/// Entry point: `MockWorkfront::builder()…spawn().await`.
#[derive(Debug)]
pub struct MockWorkfront;

impl MockWorkfront {
    /// A builder with the default configuration (see [`MockConfig::default`]).
    pub fn builder() -> MockBuilder {
        MockBuilder::new()
    }
}
