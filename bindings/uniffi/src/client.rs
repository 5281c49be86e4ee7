//! The authorized Workfront API client.
//!
//! JSON crosses the boundary as text: request bodies are JSON strings, answers are the
//! `data` member of Workfront's reply serialized back to JSON, to be decoded with the
//! application's own JSON library. Query parameters are a map; the driver and the core
//! decide everything else (paths, the token header, refresh-and-replay, retries).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use wf_oauth_core::Method;

use crate::error::{Result, WfOauthError};
use crate::oauth::OAuthClient;
use crate::runtime::{block, spawn};
use crate::search::SearchCursor;
use crate::store::TokenStore;
use crate::text::Text;
use crate::tokens::TokenSet;

/// An HTTP method of the Workfront API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
}

impl From<HttpMethod> for Method {
    fn from(m: HttpMethod) -> Self {
        match m {
            HttpMethod::Get => Method::Get,
            HttpMethod::Post => Method::Post,
            HttpMethod::Put => Method::Put,
            HttpMethod::Delete => Method::Delete,
            HttpMethod::Patch => Method::Patch,
        }
    }
}

/// An authorized client of the Workfront API for one credential.
///
/// Refreshes before a known expiry and once after an authentication failure, shares one
/// refresh among every concurrent call, saves rotated tokens to its store before using
/// them, and keeps at most 10 requests in flight. Share one instance across coroutines,
/// tasks and threads.
///
/// A user's client comes from [`OAuthClient`] (`login`, `open`, `client_for`); a
/// Server-to-Server client from [`client_credentials`](Self::client_credentials) or
/// [`open_client_credentials`](Self::open_client_credentials), and renews its token with
/// the client credentials grant instead of a refresh token.
#[derive(Debug, uniffi::Object)]
pub struct WorkfrontClient {
    inner: wf_oauth_http::WorkfrontClient,
}

impl WorkfrontClient {
    pub(crate) fn wrap(inner: wf_oauth_http::WorkfrontClient) -> Arc<Self> {
        Arc::new(Self { inner })
    }
}

/// A call's arguments, owned so they can move onto the runtime.
struct Call {
    method: Method,
    path: String,
    query: Vec<(String, String)>,
    body: Option<Value>,
}

impl Call {
    fn new(
        method: Method,
        path: Text,
        query: Option<HashMap<Text, Text>>,
        body: Option<Text>,
    ) -> Result<Self> {
        Ok(Self {
            method,
            path: path.into(),
            query: sorted(query),
            body: body.as_deref().map(parse_body).transpose()?,
        })
    }

    async fn run(self, client: wf_oauth_http::WorkfrontClient) -> Result<String> {
        let query = borrowed(&self.query);
        let data = client
            .request(self.method, &self.path, &query, self.body.as_ref())
            .await?;
        Ok(data.to_string())
    }
}

/// Query parameters in a stable order, so the same call always makes the same URL.
pub(crate) fn sorted(query: Option<HashMap<Text, Text>>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = query
        .unwrap_or_default()
        .into_iter()
        .map(|(name, value)| (name.into(), value.into()))
        .collect();
    pairs.sort();
    pairs
}

pub(crate) fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

fn parse_body(body: &str) -> Result<Value> {
    // serde's message is about the position only for syntax errors; say just that.
    serde_json::from_str(body).map_err(|e| {
        WfOauthError::invalid_argument(format!(
            "the request body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

#[uniffi::export]
impl WorkfrontClient {
    /// A Server-to-Server client (Adobe IMS, or a generic OAuth 2 server): the application
    /// acts as itself with the client credentials grant; there is no user and no refresh
    /// token. `oauth` needs a client secret and a scope.
    ///
    /// The first token is requested now, so a wrong secret or scope fails here
    /// (`TokenEndpoint`); Workfront's legacy service has no such grant, and a public client
    /// has no credentials to present (`InvalidArgument`, nothing sent). When the token nears
    /// its expiry or is refused, a new one is requested, once for all concurrent calls. It
    /// lives in memory only: use [`open_client_credentials`](Self::open_client_credentials)
    /// to share one token between clients and processes.
    #[uniffi::constructor]
    pub async fn client_credentials(oauth: Arc<OAuthClient>) -> Result<Arc<Self>> {
        let oauth = oauth.inner.clone();
        spawn(async move { wf_oauth_http::WorkfrontClient::client_credentials(oauth).await })
            .await
            .map(Self::wrap)
    }

    /// Blocking [`client_credentials`](Self::client_credentials).
    #[uniffi::constructor]
    pub fn client_credentials_blocking(oauth: Arc<OAuthClient>) -> Result<Arc<Self>> {
        let oauth = oauth.inner.clone();
        block(async move { wf_oauth_http::WorkfrontClient::client_credentials(oauth).await })
            .map(Self::wrap)
    }

    /// A Server-to-Server client whose token is kept in `store` under `key`: a stored token
    /// that is still fresh (and for this instance) is used as it is; otherwise a new one is
    /// requested and saved under the store's lock, so clients starting together request
    /// one. Renewals follow [`client_credentials`](Self::client_credentials) and are saved
    /// to the store.
    #[uniffi::constructor]
    pub async fn open_client_credentials(
        oauth: Arc<OAuthClient>,
        store: Arc<TokenStore>,
        key: Text,
    ) -> Result<Arc<Self>> {
        let (oauth, store) = (oauth.inner.clone(), store.inner.clone());
        spawn(async move {
            wf_oauth_http::WorkfrontClient::open_client_credentials(oauth, store, key).await
        })
        .await
        .map(Self::wrap)
    }

    /// Blocking [`open_client_credentials`](Self::open_client_credentials).
    #[uniffi::constructor]
    pub fn open_client_credentials_blocking(
        oauth: Arc<OAuthClient>,
        store: Arc<TokenStore>,
        key: Text,
    ) -> Result<Arc<Self>> {
        let (oauth, store) = (oauth.inner.clone(), store.inner.clone());
        block(async move {
            wf_oauth_http::WorkfrontClient::open_client_credentials(oauth, store, key).await
        })
        .map(Self::wrap)
    }

    /// Any API call: `method /attask/api/<version>/<path>?<query>` with an optional JSON
    /// body; returns the `data` of the answer as JSON.
    #[uniffi::method(default(query = None, body = None))]
    pub async fn request(
        &self,
        method: HttpMethod,
        path: Text,
        query: Option<HashMap<Text, Text>>,
        body: Option<Text>,
    ) -> Result<String> {
        let call = Call::new(method.into(), path, query, body)?;
        spawn(call.run(self.inner.clone())).await
    }

    /// Blocking [`request`](Self::request).
    #[uniffi::method(default(query = None, body = None))]
    pub fn request_blocking(
        &self,
        method: HttpMethod,
        path: Text,
        query: Option<HashMap<Text, Text>>,
        body: Option<Text>,
    ) -> Result<String> {
        let call = Call::new(method.into(), path, query, body)?;
        block(call.run(self.inner.clone()))
    }

    /// `GET <path>` (e.g. `proj/search`, `user/ABC123`); the `data` as JSON.
    #[uniffi::method(default(query = None))]
    pub async fn get(&self, path: Text, query: Option<HashMap<Text, Text>>) -> Result<String> {
        self.request(HttpMethod::Get, path, query, None).await
    }

    /// Blocking [`get`](Self::get).
    #[uniffi::method(default(query = None))]
    pub fn get_blocking(&self, path: Text, query: Option<HashMap<Text, Text>>) -> Result<String> {
        self.request_blocking(HttpMethod::Get, path, query, None)
    }

    /// `POST <path>` with a JSON body (e.g. create a `proj`).
    #[uniffi::method(default(query = None))]
    pub async fn post(
        &self,
        path: Text,
        body: Text,
        query: Option<HashMap<Text, Text>>,
    ) -> Result<String> {
        self.request(HttpMethod::Post, path, query, Some(body))
            .await
    }

    /// Blocking [`post`](Self::post).
    #[uniffi::method(default(query = None))]
    pub fn post_blocking(
        &self,
        path: Text,
        body: Text,
        query: Option<HashMap<Text, Text>>,
    ) -> Result<String> {
        self.request_blocking(HttpMethod::Post, path, query, Some(body))
    }

    /// `PUT <path>` with a JSON body (e.g. update `proj/<ID>`).
    #[uniffi::method(default(query = None))]
    pub async fn put(
        &self,
        path: Text,
        body: Text,
        query: Option<HashMap<Text, Text>>,
    ) -> Result<String> {
        self.request(HttpMethod::Put, path, query, Some(body)).await
    }

    /// Blocking [`put`](Self::put).
    #[uniffi::method(default(query = None))]
    pub fn put_blocking(
        &self,
        path: Text,
        body: Text,
        query: Option<HashMap<Text, Text>>,
    ) -> Result<String> {
        self.request_blocking(HttpMethod::Put, path, query, Some(body))
    }

    /// `DELETE <path>`.
    #[uniffi::method(default(query = None))]
    pub async fn delete(&self, path: Text, query: Option<HashMap<Text, Text>>) -> Result<String> {
        self.request(HttpMethod::Delete, path, query, None).await
    }

    /// Blocking [`delete`](Self::delete).
    #[uniffi::method(default(query = None))]
    pub fn delete_blocking(
        &self,
        path: Text,
        query: Option<HashMap<Text, Text>>,
    ) -> Result<String> {
        self.request_blocking(HttpMethod::Delete, path, query, None)
    }

    /// Every object of `<obj_code>/search` matching `filters`, all pages fetched (each
    /// element one object as JSON). Pages are sorted by `ID` so none is skipped.
    #[uniffi::method(default(filters = None))]
    pub async fn search_all(
        &self,
        obj_code: Text,
        filters: Option<HashMap<Text, Text>>,
    ) -> Result<Vec<String>> {
        let cursor = self.search(obj_code, filters, None);
        spawn(async move { cursor.collect().await }).await
    }

    /// Blocking [`search_all`](Self::search_all).
    #[uniffi::method(default(filters = None))]
    pub fn search_all_blocking(
        &self,
        obj_code: Text,
        filters: Option<HashMap<Text, Text>>,
    ) -> Result<Vec<String>> {
        let cursor = self.search(obj_code, filters, None);
        block(async move { cursor.collect().await })
    }

    /// A search read page by page with [`SearchCursor::next_page`]; `page_size` objects per
    /// request (1 to 2000, default 100). Nothing is fetched until the first page is asked
    /// for.
    #[uniffi::method(default(filters = None, page_size = None))]
    pub fn search(
        &self,
        obj_code: Text,
        filters: Option<HashMap<Text, Text>>,
        page_size: Option<u32>,
    ) -> Arc<SearchCursor> {
        SearchCursor::start(&self.inner, &obj_code, sorted(filters), page_size)
    }

    /// Renews the tokens now, unless another caller renewed them since this client last
    /// looked.
    pub async fn refresh(&self) -> Result<()> {
        let client = self.inner.clone();
        spawn(async move { client.refresh().await }).await
    }

    /// Blocking [`refresh`](Self::refresh).
    pub fn refresh_blocking(&self) -> Result<()> {
        let client = self.inner.clone();
        block(async move { client.refresh().await })
    }

    /// Installs tokens from a new sign-in (saved to the store first).
    pub async fn replace_tokens(&self, tokens: Arc<TokenSet>) -> Result<()> {
        let (client, tokens) = (self.inner.clone(), tokens.inner.clone());
        spawn(async move { client.replace_tokens(tokens).await }).await
    }

    /// Ends the Workfront session and deletes the credential from the store; later calls
    /// fail with `ReauthRequired` until new tokens are installed.
    pub async fn logout(&self) -> Result<()> {
        let client = self.inner.clone();
        spawn(async move { client.logout().await }).await
    }

    /// Blocking [`logout`](Self::logout).
    pub fn logout_blocking(&self) -> Result<()> {
        let client = self.inner.clone();
        block(async move { client.logout().await })
    }

    /// The tokens in use now (after any refresh).
    pub fn current_tokens(&self) -> Arc<TokenSet> {
        TokenSet::wrap(self.inner.current_tokens())
    }

    /// Whether the user must sign in again before the next call can succeed.
    pub fn reauth_required(&self) -> bool {
        self.inner.reauth_required()
    }

    /// The credential's key in the store.
    pub fn key(&self) -> String {
        self.inner.key().to_owned()
    }
}
