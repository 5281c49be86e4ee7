//! The OAuth client: authorize, check the callback, exchange, refresh; and the way to an
//! authorized [`WorkfrontClient`].
//!
//! Each network operation comes twice: `async` (a Kotlin `suspend fun`, a Swift
//! `async` method) and `_blocking` (for threads that may block, e.g. a Java executor).

use std::sync::Arc;

use crate::client::WorkfrontClient;
use crate::config::ClientOptions;
use crate::error::Result;
use crate::runtime::{block, spawn};
use crate::store::TokenStore;
use crate::text::Text;
use crate::tokens::{AuthorizationResponse, PendingAuthorization, TokenSet};

/// Runs the OAuth 2 flow of one client configuration against one Workfront instance.
///
/// Cheap to share between threads; all clients created from it share its connection pool
/// and the limit of 10 API requests in flight.
#[derive(Debug, uniffi::Object)]
pub struct OAuthClient {
    pub(crate) inner: wf_oauth_http::OAuthClient,
}

#[uniffi::export]
impl OAuthClient {
    /// Validates `options` and prepares the HTTP client.
    #[uniffi::constructor]
    pub fn new(options: ClientOptions) -> Result<Arc<Self>> {
        let mut builder = wf_oauth_http::OAuthClient::builder(options.to_config()?)
            .transport_config(options.transport_config()?);
        if let Some(clock) = &options.clock {
            builder = builder.clock(clock.inner.clone());
        }
        Ok(Arc::new(Self {
            inner: builder.build()?,
        }))
    }

    /// Starts a login: a fresh `state` (and PKCE verifier) and the URL to open in the
    /// system browser.
    pub fn authorize(&self) -> Result<Arc<PendingAuthorization>> {
        Ok(Arc::new(PendingAuthorization {
            inner: self.inner.authorize()?,
        }))
    }

    /// Checks the callback URL the browser arrived at (or its query string) against
    /// `pending`: `state`, redirect URI, `error`, instance.
    pub fn accept_callback(
        &self,
        pending: &PendingAuthorization,
        callback_url: Text,
    ) -> Result<Arc<AuthorizationResponse>> {
        let inner = pending
            .inner
            .accept_callback(&callback_url, self.inner.now())?;
        Ok(Arc::new(AuthorizationResponse { inner }))
    }

    /// Checks the callback and exchanges its code for tokens. Never retried once the code
    /// may have reached the server (codes are single-use): start a new login instead.
    pub async fn exchange(
        &self,
        pending: Arc<PendingAuthorization>,
        callback_url: Text,
    ) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        spawn(async move { oauth.exchange(&pending.inner, &callback_url).await })
            .await
            .map(TokenSet::wrap)
    }

    /// Blocking [`exchange`](Self::exchange).
    pub fn exchange_blocking(
        &self,
        pending: Arc<PendingAuthorization>,
        callback_url: Text,
    ) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        block(async move { oauth.exchange(&pending.inner, &callback_url).await })
            .map(TokenSet::wrap)
    }

    /// Exchanges the code of a callback accepted with
    /// [`accept_callback`](Self::accept_callback).
    pub async fn exchange_code(
        &self,
        authorization: Arc<AuthorizationResponse>,
    ) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        spawn(async move { oauth.exchange_code(&authorization.inner).await })
            .await
            .map(TokenSet::wrap)
    }

    /// Blocking [`exchange_code`](Self::exchange_code).
    pub fn exchange_code_blocking(
        &self,
        authorization: Arc<AuthorizationResponse>,
    ) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        block(async move { oauth.exchange_code(&authorization.inner).await }).map(TokenSet::wrap)
    }

    /// Renews `tokens` with their refresh token. With refresh-token rotation the old set is
    /// dead afterwards: save the result at once (a [`WorkfrontClient`] does that itself).
    pub async fn refresh(&self, tokens: Arc<TokenSet>) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        spawn(async move { oauth.refresh(&tokens.inner).await })
            .await
            .map(TokenSet::wrap)
    }

    /// Blocking [`refresh`](Self::refresh).
    pub fn refresh_blocking(&self, tokens: Arc<TokenSet>) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        block(async move { oauth.refresh(&tokens.inner).await }).map(TokenSet::wrap)
    }

    /// Obtains tokens with the client-credentials grant (Adobe IMS Server-to-Server; needs
    /// a client secret and a scope).
    pub async fn client_credentials(&self) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        spawn(async move { oauth.client_credentials().await })
            .await
            .map(TokenSet::wrap)
    }

    /// Blocking [`client_credentials`](Self::client_credentials).
    pub fn client_credentials_blocking(&self) -> Result<Arc<TokenSet>> {
        let oauth = self.inner.clone();
        block(async move { oauth.client_credentials().await }).map(TokenSet::wrap)
    }

    /// Saves `tokens` from a new sign-in under `key` in `store` (replacing what was there)
    /// and returns an API client for them.
    pub async fn login(
        &self,
        store: Arc<TokenStore>,
        key: Text,
        tokens: Arc<TokenSet>,
    ) -> Result<Arc<WorkfrontClient>> {
        let (oauth, store, tokens) = (
            self.inner.clone(),
            store.inner.clone(),
            tokens.inner.clone(),
        );
        spawn(async move { wf_oauth_http::WorkfrontClient::login(oauth, store, key, tokens).await })
            .await
            .map(WorkfrontClient::wrap)
    }

    /// Blocking [`login`](Self::login).
    pub fn login_blocking(
        &self,
        store: Arc<TokenStore>,
        key: Text,
        tokens: Arc<TokenSet>,
    ) -> Result<Arc<WorkfrontClient>> {
        let (oauth, store, tokens) = (
            self.inner.clone(),
            store.inner.clone(),
            tokens.inner.clone(),
        );
        block(async move { wf_oauth_http::WorkfrontClient::login(oauth, store, key, tokens).await })
            .map(WorkfrontClient::wrap)
    }

    /// An API client for the credential stored under `key` (e.g. at app start). Fails with
    /// `ReauthRequired` when nothing is stored: sign in first.
    pub async fn open(&self, store: Arc<TokenStore>, key: Text) -> Result<Arc<WorkfrontClient>> {
        let (oauth, store) = (self.inner.clone(), store.inner.clone());
        spawn(async move { wf_oauth_http::WorkfrontClient::open(oauth, store, key).await })
            .await
            .map(WorkfrontClient::wrap)
    }

    /// Blocking [`open`](Self::open).
    pub fn open_blocking(&self, store: Arc<TokenStore>, key: Text) -> Result<Arc<WorkfrontClient>> {
        let (oauth, store) = (self.inner.clone(), store.inner.clone());
        block(async move { wf_oauth_http::WorkfrontClient::open(oauth, store, key).await })
            .map(WorkfrontClient::wrap)
    }

    /// An API client for `tokens` kept in memory only; read renewed tokens back with
    /// [`WorkfrontClient::current_tokens`].
    pub fn client_for(&self, tokens: Arc<TokenSet>) -> Arc<WorkfrontClient> {
        WorkfrontClient::wrap(wf_oauth_http::WorkfrontClient::from_tokens(
            self.inner.clone(),
            tokens.inner.clone(),
        ))
    }
}
