//! Blocking versions of [`OAuthClient`](crate::OAuthClient) and
//! [`WorkfrontClient`](crate::WorkfrontClient), for the language bindings and simple
//! programs.
//!
//! Every call runs on the one process-wide runtime of [`runtime()`](crate::runtime()),
//! from any thread: a plain thread, a thread inside another tokio runtime (no "cannot start
//! a runtime from within a runtime" panic), or a forked child (a new runtime is created
//! there). Values are cloned into the background task, so nothing borrowed crosses
//! threads.
//!
//! ```no_run
//! use wf_oauth_core::ClientConfig;
//! use wf_oauth_http::{FileTokenStore, blocking};
//!
//! fn sign_in(config: ClientConfig) -> Result<(), wf_oauth_http::Error> {
//! let oauth = blocking::OAuthClient::new(config)?;
//! let pending = oauth.authorize()?;
//! println!("open {}", pending.url());
//! let callback = "http://127.0.0.1:8765/callback?code=…&state=…";
//! let tokens = oauth.exchange(&pending, callback)?;
//! let store = FileTokenStore::new("tokens")?;
//! let client = blocking::WorkfrontClient::login(&oauth, store, "alice", tokens)?;
//! let projects = client.search_all("proj", &[("status", "CUR")])?;
//! # Ok(()) }
//! # fn main() {}
//! ```

use std::pin::Pin;

use futures::{Stream, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use wf_oauth_core::{AuthorizationResponse, ClientConfig, Method, PendingAuthorization, TokenSet};

use crate::error::Result;
use crate::runtime::block_on;
use crate::store::CredentialStore;

/// Runs `future` on the process runtime and flattens the runtime's own error into ours.
fn run<T: Send + 'static>(
    future: impl std::future::Future<Output = Result<T>> + Send + 'static,
) -> Result<T> {
    block_on(future)?
}

/// Blocking [`crate::OAuthClient`].
#[derive(Debug, Clone)]
pub struct OAuthClient {
    inner: crate::OAuthClient,
}

impl OAuthClient {
    /// A client with default options.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Ok(Self::from_async(crate::OAuthClient::new(config)?))
    }

    /// Wraps an async client (built with [`crate::OAuthClient::builder`] for custom
    /// options).
    pub fn from_async(inner: crate::OAuthClient) -> Self {
        Self { inner }
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::OAuthClient {
        &self.inner
    }

    /// See [`crate::OAuthClient::authorize`].
    pub fn authorize(&self) -> Result<PendingAuthorization> {
        self.inner.authorize()
    }

    /// See [`crate::OAuthClient::exchange`].
    pub fn exchange(&self, pending: &PendingAuthorization, callback: &str) -> Result<TokenSet> {
        let (client, pending, callback) =
            (self.inner.clone(), pending.clone(), callback.to_owned());
        run(async move { client.exchange(&pending, &callback).await })
    }

    /// See [`crate::OAuthClient::exchange_code`].
    pub fn exchange_code(&self, authorization: &AuthorizationResponse) -> Result<TokenSet> {
        let (client, authorization) = (self.inner.clone(), authorization.clone());
        run(async move { client.exchange_code(&authorization).await })
    }

    /// See [`crate::OAuthClient::refresh`].
    pub fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet> {
        let (client, tokens) = (self.inner.clone(), tokens.clone());
        run(async move { client.refresh(&tokens).await })
    }

    /// See [`crate::OAuthClient::client_credentials`].
    pub fn client_credentials(&self) -> Result<TokenSet> {
        let client = self.inner.clone();
        run(async move { client.client_credentials().await })
    }
}

/// Blocking [`crate::WorkfrontClient`].
#[derive(Debug, Clone)]
pub struct WorkfrontClient {
    inner: crate::WorkfrontClient,
}

impl WorkfrontClient {
    /// See [`crate::WorkfrontClient::open`].
    pub fn open(
        oauth: &OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let (oauth, key, store): (_, _, CredentialStore) =
            (oauth.inner.clone(), key.into(), store.into());
        let inner = run(async move { crate::WorkfrontClient::open(oauth, store, key).await })?;
        Ok(Self { inner })
    }

    /// See [`crate::WorkfrontClient::login`].
    pub fn login(
        oauth: &OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
        tokens: TokenSet,
    ) -> Result<Self> {
        let (oauth, key, store): (_, _, CredentialStore) =
            (oauth.inner.clone(), key.into(), store.into());
        let inner =
            run(async move { crate::WorkfrontClient::login(oauth, store, key, tokens).await })?;
        Ok(Self { inner })
    }

    /// See [`crate::WorkfrontClient::client_credentials`] (Server-to-Server).
    pub fn client_credentials(oauth: &OAuthClient) -> Result<Self> {
        let oauth = oauth.inner.clone();
        let inner = run(async move { crate::WorkfrontClient::client_credentials(oauth).await })?;
        Ok(Self { inner })
    }

    /// See [`crate::WorkfrontClient::open_client_credentials`].
    pub fn open_client_credentials(
        oauth: &OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let (oauth, key, store): (_, _, CredentialStore) =
            (oauth.inner.clone(), key.into(), store.into());
        let inner = run(async move {
            crate::WorkfrontClient::open_client_credentials(oauth, store, key).await
        })?;
        Ok(Self { inner })
    }

    /// See [`crate::WorkfrontClient::from_tokens`].
    pub fn from_tokens(oauth: &OAuthClient, tokens: TokenSet) -> Self {
        Self::from_async(crate::WorkfrontClient::from_tokens(
            oauth.inner.clone(),
            tokens,
        ))
    }

    /// Wraps an async client.
    pub fn from_async(inner: crate::WorkfrontClient) -> Self {
        Self { inner }
    }

    /// The async client underneath.
    pub fn as_async(&self) -> &crate::WorkfrontClient {
        &self.inner
    }

    /// See [`crate::WorkfrontClient::request`].
    pub fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value> {
        let client = self.inner.clone();
        let path = path.to_owned();
        let query = owned_pairs(query);
        let body = body.cloned();
        run(async move {
            let query = borrowed_pairs(&query);
            client.request(method, &path, &query, body.as_ref()).await
        })
    }

    /// See [`crate::WorkfrontClient::get`].
    pub fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        self.request(Method::Get, path, query, None)
    }

    /// See [`crate::WorkfrontClient::get_json`].
    pub fn get_json<T: DeserializeOwned>(&self, path: &str, query: &[(&str, &str)]) -> Result<T> {
        serde_json::from_value(self.get(path, query)?).map_err(|e| crate::Error::Decode {
            reason: e.to_string(),
        })
    }

    /// See [`crate::WorkfrontClient::post`].
    pub fn post(&self, path: &str, query: &[(&str, &str)], body: &Value) -> Result<Value> {
        self.request(Method::Post, path, query, Some(body))
    }

    /// See [`crate::WorkfrontClient::put`].
    pub fn put(&self, path: &str, query: &[(&str, &str)], body: &Value) -> Result<Value> {
        self.request(Method::Put, path, query, Some(body))
    }

    /// See [`crate::WorkfrontClient::delete`].
    pub fn delete(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        self.request(Method::Delete, path, query, None)
    }

    /// Every object of a search, collected (see [`crate::WorkfrontClient::search`]).
    pub fn search_all(&self, obj_code: &str, filters: &[(&str, &str)]) -> Result<Vec<Value>> {
        self.search(obj_code, filters).collect()
    }

    /// The objects of a search as an iterator that fetches pages on demand.
    pub fn search(&self, obj_code: &str, filters: &[(&str, &str)]) -> SearchIter {
        SearchIter {
            stream: Some(self.inner.search(obj_code, filters).boxed()),
        }
    }

    /// See [`crate::WorkfrontClient::refresh`].
    pub fn refresh(&self) -> Result<()> {
        let client = self.inner.clone();
        run(async move { client.refresh().await })
    }

    /// See [`crate::WorkfrontClient::credential_headers`].
    pub fn credential_headers(&self) -> Result<crate::CredentialHeaders> {
        let client = self.inner.clone();
        run(async move { client.credential_headers().await })
    }

    /// See [`crate::WorkfrontClient::on_auth_failure`].
    pub fn on_auth_failure(&self, generation: u64) -> Result<()> {
        let client = self.inner.clone();
        run(async move { client.on_auth_failure(generation).await })
    }

    /// See [`crate::WorkfrontClient::replace_tokens`].
    pub fn replace_tokens(&self, tokens: TokenSet) -> Result<()> {
        let client = self.inner.clone();
        run(async move { client.replace_tokens(tokens).await })
    }

    /// See [`crate::WorkfrontClient::logout`].
    pub fn logout(&self) -> Result<()> {
        let client = self.inner.clone();
        run(async move { client.logout().await })
    }

    /// See [`crate::WorkfrontClient::current_tokens`].
    pub fn current_tokens(&self) -> TokenSet {
        self.inner.current_tokens()
    }

    /// See [`crate::WorkfrontClient::reauth_required`].
    pub fn reauth_required(&self) -> bool {
        self.inner.reauth_required()
    }
}

type BoxedSearch = Pin<Box<dyn Stream<Item = Result<Value>> + Send + 'static>>;

/// The objects of a search, one page fetched whenever the previous one is used up.
pub struct SearchIter {
    // Moved into the runtime for each step and back: it is owned, `Send` and `'static`.
    stream: Option<BoxedSearch>,
}

impl std::fmt::Debug for SearchIter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIter")
            .field("finished", &self.stream.is_none())
            .finish()
    }
}

impl Iterator for SearchIter {
    type Item = Result<Value>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut stream = self.stream.take()?;
        match block_on(async move {
            let item = stream.next().await;
            (item, stream)
        }) {
            Ok((Some(item), stream)) => {
                // After an error the search cannot continue (the stream ends too).
                if item.is_ok() {
                    self.stream = Some(stream);
                }
                Some(item)
            }
            Ok((None, _)) => None,
            Err(e) => Some(Err(e.into())),
        }
    }
}

fn owned_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn borrowed_pairs(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
