//! The driver of the Workfront OAuth 2 SDK: reqwest + tokio around the sans-IO
//! [`wf_oauth_core`].
//!
//! - [`OAuthClient`] runs the flow: [`authorize`](OAuthClient::authorize) →
//!   [`exchange`](OAuthClient::exchange) → [`refresh`](OAuthClient::refresh) (and the
//!   client-credentials grant), with timeouts, bounded bodies and safe retries.
//! - [`WorkfrontClient`] calls the Workfront API with a credential: refresh before a known
//!   expiry and once after an authentication failure, one refresh shared by all concurrent
//!   callers and by all processes using the same store, new tokens persisted before use,
//!   at most 10 requests in flight, paged [`search`](WorkfrontClient::search).
//! - a [`CredentialStore`] keeps credentials over a [`StoreBackend`]: [`MemoryTokenStore`],
//!   [`FileTokenStore`] (atomic,
//!   `0600`, shared safely between processes), or one of the application's own.
//! - [`blocking`] offers the same without async, over one process-wide [`runtime()`].
//!
//! Nothing here logs a secret: `tracing` spans carry the instance, grant, method, path,
//! status, attempt, duration and at most a token fingerprint.
//!
//! ```no_run
//! use std::sync::Arc;
//! use wf_oauth_core::{ClientConfig, ClientSecret, Instance, RedirectUri};
//! use wf_oauth_http::{FileTokenStore, OAuthClient, WorkfrontClient};
//!
//! # async fn demo(callback_url: &str) -> Result<(), wf_oauth_http::Error> {
//! let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "my-client")
//!     .client_secret(ClientSecret::new("my-secret"))
//!     .redirect_uri(RedirectUri::parse("https://app.example.com/callback")?)
//!     .build()?;
//! let oauth = OAuthClient::new(config)?;
//!
//! let pending = oauth.authorize()?;
//! println!("sign in at {}", pending.url());
//! let tokens = oauth.exchange(&pending, callback_url).await?;
//!
//! let store = FileTokenStore::new("/var/lib/my-app/tokens")?;
//! let client = WorkfrontClient::login(oauth, store, "alice@acme", tokens).await?;
//! let projects = client.get("proj/search", &[("status", "CUR")]).await?;
//! # Ok(()) }
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod blocking;
mod client;
mod clock;
mod connect;
mod error;
mod lease;
mod oauth;
mod refresh;
mod retry;
mod runtime;
mod search;
mod store;
mod trace;
mod transport;

pub use async_trait::async_trait;
pub use client::{CredentialHeaders, WorkfrontClient};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Error, Result};
pub use oauth::{DEFAULT_MAX_IN_FLIGHT, OAuthClient, OAuthClientBuilder};
pub use retry::RetryPolicy;
pub use runtime::{RuntimeError, block_on, catch_panic, runtime};
pub use store::{
    ConformanceReport, CredentialStore, DOCUMENT_FORMAT, DOCUMENT_VERSION, FileTokenStore,
    Guarantees, LeaseGrant, MemoryTokenStore, SaveOutcome, Sharing, StoreBackend, StoreEntry,
    StoreError, StoredCredential, WeakCredentialStore, verify_backend,
};
pub use transport::{
    DEFAULT_API_BODY_LIMIT, DEFAULT_TOKEN_BODY_LIMIT, Transport, TransportConfig, TransportError,
};
pub use wf_oauth_core::ErrorKind;
pub use wf_oauth_core::LeasePolicy;
