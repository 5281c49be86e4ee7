//! The authorized Workfront API client.
//!
//! Every call asks the core's token lifecycle ([`Credential`]) what to do: use the token,
//! refresh first (known expiry minus the skew), wait for a refresh in progress, or give up
//! because the user must sign in again. After an authentication failure (HTTP 401, or
//! Workfront's `AuthenticationException` even with HTTP 200 — the core classifies) the
//! call reports the generation of the token that failed; only if that token is still the
//! current one does a refresh start, and the call is then replayed once.
//!
//! The refresh itself (single-flight within the process, coordinated between processes
//! through the store) lives in [`crate::refresh`].

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use futures::future::{BoxFuture, Shared};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::{Instrument, Span};
use wf_oauth_core::{
    ApiOutcome, ClientConfig, Credential, Headers, HttpRequest, Method, TokenSet,
    classify_api_response_with_limit,
};

use crate::error::{Error, Result};
use crate::oauth::OAuthClient;
use crate::retry::{Failure, Replay, RetryState};
use crate::store::{CredentialStore, StoredCredential};
use crate::trace::{Attempt, api_span};

/// Builds the request of one attempt from the configuration and the tokens current at
/// that moment (so a replay after a refresh carries the new token).
pub(crate) type BuildRequest<'a> =
    &'a (dyn Fn(&ClientConfig, &TokenSet) -> Result<HttpRequest, wf_oauth_core::Error> + Sync);

/// A refresh in progress, awaited by every caller that needs it.
pub(crate) type InflightRefresh = Shared<BoxFuture<'static, Result<()>>>;

/// An authorized client of the Workfront API for one credential.
///
/// Cheap to clone; clones share the credential, its single-flight refresh and the
/// concurrency limit of the [`OAuthClient`] it was built from.
///
/// ```no_run
/// use std::sync::Arc;
/// use futures::TryStreamExt;
/// use serde_json::json;
/// use wf_oauth_http::{FileTokenStore, OAuthClient, WorkfrontClient};
///
/// # async fn demo(oauth: OAuthClient) -> Result<(), wf_oauth_http::Error> {
/// let store = FileTokenStore::new("/var/lib/my-app/tokens")?;
/// let client = WorkfrontClient::open(oauth, store, "alice@acme").await?;
/// let me = client.get("user/search", &[("username", "alice")]).await?;
/// let created = client.post("proj", &[], &json!({"name": "Launch"})).await?;
/// let projects: Vec<_> = client.search("proj", &[("status", "CUR")]).try_collect().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct WorkfrontClient {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) oauth: OAuthClient,
    pub(crate) store: CredentialStore,
    pub(crate) key: String,
    pub(crate) state: Mutex<State>,
}

/// The in-memory side of the credential. Guarded by a plain mutex that is never held
/// across an `.await`. Every decision about the credential (its generation, whether the
/// user must sign in again, renewed tokens that could not be saved) is the core's
/// [`Credential`]; this only adds what a driver needs to share work between callers.
pub(crate) struct State {
    /// The core's lifecycle state machine around the current tokens.
    pub(crate) credential: Credential,
    /// A shared copy of the current tokens, so callers build their requests outside the
    /// lock; refreshed by [`State::tokens_changed`] whenever the credential's tokens change.
    pub(crate) current: Arc<TokenSet>,
    /// The refresh in progress, if any (present exactly while the credential is
    /// refreshing).
    pub(crate) inflight: Option<InflightRefresh>,
}

impl State {
    /// Re-publishes the credential's tokens after they changed.
    pub(crate) fn tokens_changed(&mut self) {
        self.current = Arc::new(self.credential.tokens().clone());
    }

    /// The refresh the lifecycle says is running.
    pub(crate) fn running_refresh(&self) -> Result<InflightRefresh> {
        self.inflight
            .clone()
            .ok_or_else(|| wf_oauth_core::Error::RefreshInProgress.into())
    }
}

impl fmt::Debug for WorkfrontClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkfrontClient")
            .field("key", &self.inner.key)
            .field("store", &self.inner.store)
            .field("oauth", &self.inner.oauth)
            .finish_non_exhaustive()
    }
}

/// The headers that carry the credential for a request sent by another HTTP stack, and
/// the generation of the token in them; see [`WorkfrontClient::credential_headers`].
///
/// `Debug` redacts the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialHeaders {
    headers: Headers,
    generation: u64,
}

impl CredentialHeaders {
    /// The headers to attach (`sessionID`, or `Authorization: Bearer …`).
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The generation of the token they carry: pass it to
    /// [`WorkfrontClient::on_auth_failure`] when the request is refused.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The headers and the generation.
    pub fn into_parts(self) -> (Headers, u64) {
        (self.headers, self.generation)
    }
}

impl WorkfrontClient {
    /// The OAuth client this client renews its tokens with.
    pub fn oauth(&self) -> &OAuthClient {
        &self.inner.oauth
    }

    /// The store holding the credential.
    pub fn store(&self) -> &CredentialStore {
        &self.inner.store
    }

    /// The credential's key in the store.
    pub fn key(&self) -> &str {
        &self.inner.key
    }

    /// The tokens currently in use.
    pub fn current_tokens(&self) -> TokenSet {
        let current = Arc::clone(&self.state().current);
        (*current).clone()
    }

    /// The generation of the tokens in use: the store generation they were saved or loaded
    /// as, the one to pass to [`on_auth_failure`](Self::on_auth_failure).
    pub fn generation(&self) -> u64 {
        self.state().credential.generation()
    }

    /// How the credential is renewed: with its refresh token, by the client credentials
    /// grant (a Server-to-Server client), or not at all.
    pub fn renewal(&self) -> wf_oauth_core::Renewal {
        self.state().credential.renewal()
    }

    /// Whether the user must sign in again before the next call can succeed.
    pub fn reauth_required(&self) -> bool {
        self.state().credential.reauth_required()
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // The state is only ever replaced whole under the lock; after a panic elsewhere it
        // is still consistent.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Installs tokens from a new sign-in: saved to the store first (replacing what was
    /// there), then used by every following call.
    pub async fn replace_tokens(&self, tokens: TokenSet) -> Result<()> {
        self.inner
            .oauth
            .config()
            .check_credential_instance(&tokens)?;
        let mut credential = StoredCredential::new(tokens, self.inner.oauth.now().as_secs());
        credential.generation = self
            .inner
            .store
            .save(&self.inner.key, &credential, None)
            .await?;
        let mut state = self.state();
        state.credential.install_stored(credential);
        state.tokens_changed();
        state.inflight = None;
        Ok(())
    }

    /// Renews the tokens now, unless another caller or process renewed them since this
    /// client last looked (then those newer tokens are used).
    pub async fn refresh(&self) -> Result<()> {
        // Exactly as if the current token had been refused.
        let generation = self.state().credential.generation();
        self.on_auth_failure(generation).await
    }

    /// The headers that carry the credential, for an API request sent by another HTTP
    /// stack (a Python `requests` adapter, an existing `hyper` client…), and the
    /// generation of the token in them. Refreshes first (or waits for a refresh in
    /// progress) when the lifecycle says the token is due, exactly as before one of this
    /// client's own calls; fails with a re-authorization error when the user must sign in
    /// again.
    ///
    /// The header choice is the core's ([`ClientConfig::credential_headers`]): attach them
    /// only to requests for this credential's instance API. When such a request is refused
    /// as unauthenticated (the core's [`classify_api_response`] says
    /// [`ApiOutcome::AuthFailure`]), report it with
    /// [`on_auth_failure`](Self::on_auth_failure), then ask again and send the request
    /// once more.
    ///
    /// [`classify_api_response`]: wf_oauth_core::classify_api_response
    pub async fn credential_headers(&self) -> Result<CredentialHeaders> {
        let (generation, tokens) = self.usable_tokens().await?;
        Ok(CredentialHeaders {
            headers: self.inner.oauth.config().credential_headers(&tokens)?,
            generation,
        })
    }

    /// Reports that a request carrying the [`credential_headers`](Self::credential_headers)
    /// of `generation` was refused as unauthenticated. Goes through the same single-flight
    /// refresh as this client's own calls: refreshes only if that token is still the
    /// current one, waits for a refresh already running, and returns at once when newer
    /// tokens exist. Afterwards, [`credential_headers`](Self::credential_headers) gives the
    /// headers to retry with. Fails with a re-authorization error when the refresh token
    /// was refused and no newer tokens were stored meanwhile: do not retry then.
    pub async fn on_auth_failure(&self, generation: u64) -> Result<()> {
        self.after_auth_failure(generation).await?;
        if self.state().credential.reauth_required() {
            // Fails fast unless newer tokens were stored meanwhile.
            return self.adopt_stored().await;
        }
        Ok(())
    }

    /// `GET {path}` with query parameters; the `data` of the answer.
    pub async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        self.request(Method::Get, path, query, None).await
    }

    /// `POST {path}` with a JSON body.
    pub async fn post(&self, path: &str, query: &[(&str, &str)], body: &Value) -> Result<Value> {
        self.request(Method::Post, path, query, Some(body)).await
    }

    /// `PUT {path}` with a JSON body.
    pub async fn put(&self, path: &str, query: &[(&str, &str)], body: &Value) -> Result<Value> {
        self.request(Method::Put, path, query, Some(body)).await
    }

    /// `DELETE {path}`.
    pub async fn delete(&self, path: &str, query: &[(&str, &str)]) -> Result<Value> {
        self.request(Method::Delete, path, query, None).await
    }

    /// `GET {path}`, decoded into `T`.
    ///
    /// ```no_run
    /// # async fn demo(client: wf_oauth_http::WorkfrontClient) -> Result<(), wf_oauth_http::Error> {
    /// #[derive(serde::Deserialize)]
    /// struct Project { #[serde(rename = "ID")] id: String, name: String }
    /// let projects: Vec<Project> = client.get_json("proj/search", &[("status", "CUR")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T> {
        decode(self.get(path, query).await?)
    }

    /// `method {path}` with an optional serializable body, decoded into `T`.
    pub async fn request_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&B>,
    ) -> Result<T> {
        let body = body.map(serde_json::to_value).transpose().map_err(|e| {
            wf_oauth_core::Error::InvalidArgument {
                reason: format!("the request body cannot be serialized: {e}"),
            }
        })?;
        decode(self.request(method, path, query, body.as_ref()).await?)
    }

    /// Any API call: `method /attask/api/<version>/{path}?{query}` with an optional JSON
    /// body; returns the `data` member of the answer.
    ///
    /// `GET`s are retried on transient failures (connection errors, timeouts, `5xx`,
    /// `429` after its `Retry-After`); other methods only when the connection could not be
    /// established. An authentication failure triggers one refresh and one replay.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
    ) -> Result<Value> {
        self.call(method, path, &|config, tokens| {
            config.api_request(tokens, method, path, query, body)
        })
        .await
    }

    /// Ends the Workfront session (`GET logout`) and deletes the credential from the store.
    /// Afterwards calls fail with a re-authorization error until new tokens are installed.
    pub async fn logout(&self) -> Result<()> {
        let span = api_span(self.host(), "GET", "logout");
        async {
            let request = {
                let state = self.state();
                self.inner
                    .oauth
                    .config()
                    .logout_request(state.credential.tokens())?
            };
            let limit = self.inner.oauth.transport().config().api_body_limit();
            let permit = self.inner.oauth.api_permits().acquire().await.ok();
            let attempt = Attempt::start(&Span::current(), 1);
            let sent = self.inner.oauth.transport().send(request, limit).await;
            drop(permit);
            attempt.finish(&Span::current(), sent.as_ref().ok().map(|r| r.status));
            let outcome =
                sent.map(|r| classify_api_response_with_limit(&r, self.inner.oauth.now(), limit));
            // Signed out locally whatever the server said: the user asked to forget.
            self.inner.store.delete(&self.inner.key).await?;
            self.state().credential.sign_out();
            match outcome? {
                // Already ended (expired session): the goal is reached.
                ApiOutcome::Ok(_) | ApiOutcome::AuthFailure { .. } => Ok(()),
                other => other.into_result().map(drop).map_err(Error::from),
            }
        }
        .instrument(span)
        .await
    }

    fn host(&self) -> &str {
        self.inner.oauth.config().instance().host()
    }

    /// One API call with refresh-and-replay and retries.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        build: BuildRequest<'_>,
    ) -> Result<Value> {
        let span = api_span(self.host(), method.as_str(), path);
        async {
            let span = Span::current();
            let replay = if method == Method::Get {
                Replay::Idempotent
            } else {
                Replay::IfNotSent
            };
            let mut retry = RetryState::new(self.inner.oauth.retry_policy(), replay);
            let mut replayed_after_auth_failure = false;
            let limit = self.inner.oauth.transport().config().api_body_limit();
            loop {
                // The permit is taken before the token is read, so a caller that waited
                // for a slot sends the token current at that time, not a stale one.
                // The semaphore is never closed, so this cannot fail.
                let permit = self.inner.oauth.api_permits().acquire().await.ok();
                let (generation, request) = self.prepare(build).await?;
                span.record("generation", generation);
                let attempt = Attempt::start(&span, retry.attempt());
                let sent = self.inner.oauth.transport().send(request, limit).await;
                drop(permit);
                let (failure, error) = match sent {
                    Err(e) => {
                        attempt.finish(&span, None);
                        (e.failure(), Error::from(e))
                    }
                    Ok(incoming) => {
                        attempt.finish(&span, Some(incoming.status));
                        match classify_api_response_with_limit(
                            &incoming,
                            self.inner.oauth.now(),
                            limit,
                        ) {
                            ApiOutcome::Ok(value) => return Ok(value),
                            ApiOutcome::AuthFailure { .. } if !replayed_after_auth_failure => {
                                replayed_after_auth_failure = true;
                                tracing::debug!(generation, "token refused; refreshing once");
                                self.after_auth_failure(generation).await?;
                                continue;
                            }
                            ApiOutcome::RateLimited { retry_after } => (
                                Failure::Transient {
                                    rate_limited: true,
                                    retry_after: retry_after.map(std::time::Duration::from_secs),
                                },
                                Error::RateLimited { retry_after },
                            ),
                            other => {
                                let e = match other.into_result() {
                                    Ok(value) => return Ok(value),
                                    Err(e) => e,
                                };
                                (Failure::of(&e), Error::from(e))
                            }
                        }
                    }
                };
                match retry.next_delay(failure) {
                    Some(delay) => {
                        tracing::debug!(error = %error, "API call failed; retrying");
                        tokio::time::sleep(delay).await;
                    }
                    None => {
                        tracing::debug!(error = %error, kind = ?error.kind(), "API call failed");
                        return Err(error);
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// The generation and request of the next attempt, refreshing (or waiting for a
    /// refresh) first when the lifecycle says so.
    async fn prepare(&self, build: BuildRequest<'_>) -> Result<(u64, HttpRequest)> {
        let (generation, tokens) = self.usable_tokens().await?;
        // Built outside the state lock: other callers are not held up by it.
        Ok((generation, build(self.inner.oauth.config(), &tokens)?))
    }
}

/// Decodes an API answer into the caller's type.
fn decode<T: DeserializeOwned>(value: Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::Decode {
        reason: e.to_string(),
    })
}
