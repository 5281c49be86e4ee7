//! The OAuth client: runs the core's authorization, code exchange, refresh and
//! client-credentials steps over the network.
//!
//! Every request is built by the core as a value and every answer is read by the core;
//! this file only adds what needs the outside world: entropy, the clock, the network, and
//! the decision whether a failed request may be sent again (see [`crate::retry`] for why a
//! code exchange is never retried once it may have reached the server, and a refresh only
//! after an explicit refusal).

use std::fmt;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tracing::{Instrument, Span};
use wf_oauth_core::{
    AuthorizationResponse, ClientConfig, Credential, HttpRequest, HttpResponse, LeasePolicy,
    PendingAuthorization, RefreshTicket, Renewal, TokenSet, UnixTime,
};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, Result};
use crate::retry::{Failure, Replay, RetryPolicy, RetryState};
use crate::trace::{Attempt, token_span};
use crate::transport::{Transport, TransportConfig};

/// Workfront's documented limit of concurrent API requests per customer.
pub const DEFAULT_MAX_IN_FLIGHT: usize = 10;

/// Runs the OAuth 2 flow of one client configuration against one Workfront instance.
///
/// Cheap to clone (everything is behind an `Arc`); clones share the connection pool, the
/// clock and the API concurrency limit.
///
/// ```no_run
/// use wf_oauth_core::{ClientConfig, ClientSecret, Instance, RedirectUri};
/// use wf_oauth_http::OAuthClient;
///
/// # async fn demo(callback_url: &str) -> Result<(), wf_oauth_http::Error> {
/// let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "my-client")
///     .client_secret(ClientSecret::new("my-secret"))
///     .redirect_uri(RedirectUri::parse("https://app.example.com/callback")?)
///     .build()?;
/// let oauth = OAuthClient::new(config)?;
/// let pending = oauth.authorize()?;
/// println!("open {}", pending.url());
/// // … the browser comes back to the redirect URI …
/// let tokens = oauth.exchange(&pending, callback_url).await?;
/// let renewed = oauth.refresh(&tokens).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct OAuthClient {
    inner: Arc<Inner>,
}

struct Inner {
    config: ClientConfig,
    transport: Transport,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    api_permits: Arc<Semaphore>,
    max_in_flight: usize,
    lease_policy: LeasePolicy,
}

impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("config", &self.inner.config)
            .field("transport", &self.inner.transport)
            .field("clock", &self.inner.clock)
            .field("retry", &self.inner.retry)
            .field("max_in_flight", &self.inner.max_in_flight)
            .field("lease_policy", &self.inner.lease_policy)
            .finish()
    }
}

/// Options of an [`OAuthClient`]; start with [`OAuthClient::builder`].
#[derive(Debug)]
pub struct OAuthClientBuilder {
    config: ClientConfig,
    transport_config: TransportConfig,
    client: Option<reqwest::Client>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    max_in_flight: usize,
    lease_policy: Option<LeasePolicy>,
}

impl OAuthClientBuilder {
    /// Timeouts, body caps and `User-Agent` (see [`TransportConfig`]).
    pub fn transport_config(mut self, config: TransportConfig) -> Self {
        self.transport_config = config;
        self
    }

    /// Sends through the caller's reqwest client (its pool, proxies and TLS roots). It
    /// should not follow redirects.
    pub fn reqwest_client(mut self, client: reqwest::Client) -> Self {
        self.client = Some(client);
        self
    }

    /// The wall clock given to the core (default: the system clock).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Bounds for retrying transient failures (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The most API requests in flight at once, shared by every
    /// [`WorkfrontClient`](crate::WorkfrontClient) built on this client (default
    /// [`DEFAULT_MAX_IN_FLIGHT`], Workfront's documented limit; `0` means unlimited).
    pub fn max_in_flight(mut self, max: usize) -> Self {
        self.max_in_flight = max;
        self
    }

    /// How long refresh leases live and how long clients wait for another one's renewal
    /// (default: [`LeasePolicy::for_request_timeout`] of the transport's request timeout,
    /// so a lease always outlives a token request).
    pub fn lease_policy(mut self, policy: LeasePolicy) -> Self {
        self.lease_policy = Some(policy);
        self
    }

    /// Builds the client (and its HTTP connection pool).
    pub fn build(self) -> Result<OAuthClient> {
        let lease_policy = self.lease_policy.unwrap_or_else(|| {
            LeasePolicy::for_request_timeout(self.transport_config.request_timeout())
        });
        let transport = match self.client {
            Some(client) => Transport::with_client(client, self.transport_config),
            None => Transport::new(self.transport_config)?,
        };
        let permits = if self.max_in_flight == 0 {
            Semaphore::MAX_PERMITS
        } else {
            self.max_in_flight
        };
        Ok(OAuthClient {
            inner: Arc::new(Inner {
                config: self.config,
                transport,
                clock: self.clock,
                retry: self.retry,
                api_permits: Arc::new(Semaphore::new(permits)),
                max_in_flight: self.max_in_flight,
                lease_policy,
            }),
        })
    }
}

impl OAuthClient {
    /// A client with default options.
    pub fn new(config: ClientConfig) -> Result<Self> {
        Self::builder(config).build()
    }

    /// A builder for a client with custom transport, clock, retries or concurrency.
    pub fn builder(config: ClientConfig) -> OAuthClientBuilder {
        OAuthClientBuilder {
            config,
            transport_config: TransportConfig::default(),
            client: None,
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            lease_policy: None,
        }
    }

    /// The client configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The current time as the core sees it.
    pub fn now(&self) -> UnixTime {
        UnixTime::from_secs(self.inner.clock.now_unix())
    }

    /// The clock in use.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// The retry bounds in use.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The refresh lease rules in use.
    pub fn lease_policy(&self) -> LeasePolicy {
        self.inner.lease_policy
    }

    /// The HTTP transport (and its reqwest client).
    pub fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn api_permits(&self) -> &Arc<Semaphore> {
        &self.inner.api_permits
    }

    /// Starts an authorization: the URL to open in the user's browser, with a fresh `state`
    /// (and PKCE verifier for public clients) from the operating system's secure RNG.
    ///
    /// Keep the returned value until the callback arrives (a web application can store
    /// [`PendingAuthorization::to_json`] server-side).
    pub fn authorize(&self) -> Result<PendingAuthorization> {
        let span = token_span("authorize", self.inner.config.instance().host(), "-");
        let _enter = span.enter();
        let mut entropy = [0u8; 64];
        getrandom::fill(&mut entropy).map_err(|e| Error::Entropy(e.to_string()))?;
        let pending = self.inner.config.authorize(&entropy, self.now());
        // The entropy became the state and the verifier: wipe our copy.
        entropy.fill(0);
        let pending = pending?;
        tracing::debug!(
            pkce = pending.pkce_verifier().is_some(),
            "authorization started"
        );
        Ok(pending)
    }

    /// Checks the callback (`state`, redirect URI, `error`, instance) and exchanges its code.
    ///
    /// `callback` is the full redirect URL the browser arrived at, or just its query string.
    /// The exchange is sent once: after a failure that may have reached the server it is
    /// not repeated, because the code is single-use (start a new authorization instead).
    pub async fn exchange(
        &self,
        pending: &PendingAuthorization,
        callback: &str,
    ) -> Result<TokenSet> {
        let authorization = pending.accept_callback(callback, self.now())?;
        self.exchange_code(&authorization).await
    }

    /// Exchanges the code of an already accepted callback (for applications that check the
    /// callback in one place and exchange it in another).
    pub async fn exchange_code(&self, authorization: &AuthorizationResponse) -> Result<TokenSet> {
        let config = &self.inner.config;
        let span = token_span(
            "exchange",
            authorization.instance().host(),
            "authorization_code",
        );
        async {
            let request = config.code_grant_request(authorization, self.now())?;
            self.run_token_request(&request, Replay::IfNotSent, &|response, now| {
                config.parse_code_response(authorization, response, now)
            })
            .await
        }
        .instrument(span)
        .await
    }

    /// Renews `tokens` with their refresh token and returns the new set (which keeps the
    /// old refresh token when the server sends none).
    ///
    /// With refresh-token rotation the old refresh token is dead once this succeeds: save
    /// the result before anything else. [`WorkfrontClient`](crate::WorkfrontClient) does
    /// that for you, shares one refresh among concurrent callers, and coordinates
    /// processes through its [`CredentialStore`](crate::CredentialStore).
    pub async fn refresh(&self, tokens: &TokenSet) -> Result<TokenSet> {
        let config = &self.inner.config;
        let span = token_span("refresh", tokens.instance().host(), "refresh_token");
        async {
            let request = config.refresh_request(tokens)?;
            self.run_token_request(&request, Replay::IfRefused, &|response, now| {
                config.parse_refresh_response(tokens, response, now)
            })
            .await
        }
        .instrument(span)
        .await
    }

    /// Requests a token with the client-credentials grant (Adobe IMS Server-to-Server
    /// credentials); needs a client secret and, for IMS, a scope in the configuration.
    pub async fn client_credentials(&self) -> Result<TokenSet> {
        let config = &self.inner.config;
        let span = token_span(
            "client_credentials",
            config.instance().host(),
            "client_credentials",
        );
        async {
            let request = config.client_credentials_request()?;
            self.run_token_request(&request, Replay::Idempotent, &|response, now| {
                config.parse_client_credentials_response(response, now)
            })
            .await
        }
        .instrument(span)
        .await
    }

    /// Renews a credential as its lifecycle ticket says (refresh token or client
    /// credentials). `credential` is a snapshot taken when the ticket was issued.
    pub(crate) async fn renew(
        &self,
        credential: &Credential,
        ticket: &RefreshTicket,
    ) -> Result<TokenSet> {
        let config = &self.inner.config;
        let (grant, replay) = match ticket.renewal() {
            Renewal::ClientCredentials => ("client_credentials", Replay::Idempotent),
            _ => ("refresh_token", Replay::IfRefused),
        };
        let span = token_span("refresh", credential.tokens().instance().host(), grant);
        if let Some(refresh) = credential.tokens().refresh_token() {
            span.record("token", refresh.fingerprint());
        }
        async {
            let request = credential.refresh_request(config, ticket)?;
            self.run_token_request(&request, replay, &|response, now| {
                credential.parse_refresh_response(config, ticket, response, now)
            })
            .await
        }
        .instrument(span)
        .await
    }

    /// Sends a token request, retrying as `replay` allows, and parses the answer with the
    /// core.
    async fn run_token_request(
        &self,
        request: &HttpRequest,
        replay: Replay,
        parse: &(dyn Fn(&HttpResponse, UnixTime) -> Result<TokenSet, wf_oauth_core::Error> + Sync),
    ) -> Result<TokenSet> {
        let span = Span::current();
        let limit = self.inner.transport.config().token_body_limit();
        let mut retry = RetryState::new(self.inner.retry, replay);
        loop {
            let attempt = Attempt::start(&span, retry.attempt());
            let failure = match self.inner.transport.send(request.clone(), limit).await {
                Err(e) => {
                    attempt.finish(&span, None);
                    (e.failure(), Error::from(e))
                }
                Ok(incoming) => {
                    attempt.finish(&span, Some(incoming.status));
                    match parse(&incoming, self.now()) {
                        Ok(tokens) => {
                            span.record("token", tokens.access_token().fingerprint());
                            return Ok(tokens);
                        }
                        Err(e) => (Failure::of(&e), Error::from(e)),
                    }
                }
            };
            let (failure, error) = failure;
            match retry.next_delay(failure) {
                Some(delay) => {
                    tracing::warn!(
                        error = %error,
                        delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                        "token request failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => {
                    tracing::warn!(error = %error, kind = ?error.kind(), "token request failed");
                    return Err(error);
                }
            }
        }
    }
}
