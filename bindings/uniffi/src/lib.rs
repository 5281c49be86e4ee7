//! Kotlin and Swift bindings of wf-oauth, generated with uniffi.
//!
//! Everything here translates: the protocol lives in `wf-oauth-core`, the network, token
//! stores and single-flight refresh in `wf-oauth-http`. The generated Kotlin package is
//! `io.wfoauth`, the Swift module `WfOauth`.
//!
//! - [`OAuthClient`] (from [`ClientOptions`]): `authorize` → `exchange` (or
//!   `accept_callback` + `exchange_code`) → `login`/`open` a [`WorkfrontClient`].
//! - [`WorkfrontClient`]: `get`, `post`, `put`, `delete`, `request`, `search_all`,
//!   `search` ([`SearchCursor`]), `refresh`, `logout`. Every network call is `async`
//!   (Kotlin `suspend`, Swift `async`) with a `_blocking` twin.
//! - Server-to-Server (Adobe IMS client credentials): the constructors
//!   [`WorkfrontClient::client_credentials`] (token in memory) and
//!   [`WorkfrontClient::open_client_credentials`] (token shared through a [`TokenStore`]).
//! - [`TokenStore`]: memory, files, or the app's own [`CredentialStorage`] (Keystore,
//!   Keychain).
//! - [`WfOauthError`]: one error type, one variant per category (`WfOauthException` in
//!   Kotlin).
//!
//! Secrets print as `[redacted]` everywhere (`toString`, `description`); their values
//! leave only through explicit accessors such as [`TokenSet::access_token`].
//!
//! uniffi's scaffolding needs no `unsafe` in this crate's own code: the FFI functions are
//! expanded by uniffi's macros, so `unsafe_code` stays forbidden here.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod client;
mod config;
mod error;
mod oauth;
mod runtime;
mod search;
mod store;
mod text;
mod tokens;

pub use client::{HttpMethod, WorkfrontClient};
pub use config::{
    ClientAuth, ClientOptions, ClientSecret, ManualClock, MissingStatePolicy, Provider,
};
pub use error::{Result, WfOauthError};
pub use oauth::OAuthClient;
pub use search::SearchCursor;
pub use store::{CredentialStorage, SharedCredentialStorage, StoreCheck, StoreReport, TokenStore};
pub use text::Text;
pub use tokens::{AuthorizationResponse, PendingAuthorization, TokenSet};

uniffi::setup_scaffolding!();
