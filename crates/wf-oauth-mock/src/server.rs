//! Wiring: shared state, the route table, the listening task, and [`RunningMock`].

use std::future::Future;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use http::StatusCode;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinHandle;
use tower_http::catch_panic::CatchPanicLayer;

use crate::clock::MockClock;
use crate::config::{IMS_PATHS, LEGACY_PATHS, MockConfig, MockError, Paths};
use crate::data::DataSet;
use crate::errors::{ApiError, json_bytes};
use crate::faults::{FaultQueue, FaultSpec, lock};
use crate::keys::KeyRing;
use crate::net::{ConnInfo, KillableListener};
use crate::recorded::Recorder;
use crate::state::{AuthState, AuthorizeRequest, Profile, Selector};
use crate::stats::{Stats, StatsCollector};
use crate::{admin, api, authorize, openid, revoke, stats, token};

mod oidc;

/// How long a shutdown waits for requests in progress before abandoning them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// State shared by every request of one mock instance.
pub(crate) struct Shared {
    pub config: MockConfig,
    pub paths: Paths,
    pub clock: MockClock,
    auth: Mutex<AuthState>,
    pub data: DataSet,
    pub faults: FaultQueue,
    pub stats: StatsCollector,
    pub api_limit: Option<Arc<Semaphore>>,
    pub api_in_flight: AtomicU64,
    /// The IMS issuer: the server's base URL, `http://127.0.0.1:PORT`.
    pub issuer: String,
    /// The id_token signing key.
    pub keys: KeyRing,
    /// Authorization parameters and gateway headers as they arrived.
    pub recorder: Recorder,
    /// Unix time (seconds) when the mock's clock read zero.
    epoch_secs: u64,
}

impl Shared {
    fn new(config: MockConfig, clock: MockClock, addr: SocketAddr) -> Self {
        let api_limit = (config.max_concurrent_requests > 0)
            .then(|| Arc::new(Semaphore::new(config.max_concurrent_requests)));
        let epoch_secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
            .saturating_sub(clock.elapsed().as_secs());
        Shared {
            paths: config.mode.paths(),
            config,
            clock,
            auth: Mutex::new(AuthState::default()),
            data: DataSet::seeded(),
            faults: FaultQueue::default(),
            stats: StatsCollector::default(),
            api_limit,
            api_in_flight: AtomicU64::new(0),
            issuer: format!("http://{addr}"),
            keys: KeyRing::default(),
            recorder: Recorder::default(),
            epoch_secs,
        }
    }

    /// The mock's clock as Unix seconds (for `iat`/`exp`): wall time when the mock
    /// started, moved only by the mock's clock, so advancing the clock ages id_tokens too.
    pub fn unix_now(&self) -> u64 {
        self.epoch_secs
            .saturating_add(self.clock.elapsed().as_secs())
    }

    /// The authorization server's state, locked.
    pub fn auth(&self) -> MutexGuard<'_, AuthState> {
        lock(&self.auth)
    }

    /// The profile whose endpoint `path` is (IMS paths count only when served).
    pub fn profile_of(&self, path: &str) -> Profile {
        if self.config.mode.serves_ims() && path.starts_with("/ims/") {
            Profile::Ims
        } else {
            Profile::Legacy
        }
    }

    /// The paths of a profile.
    pub fn paths_for(&self, profile: Profile) -> Paths {
        match profile {
            Profile::Legacy => LEGACY_PATHS,
            Profile::Ims => IMS_PATHS,
        }
    }

    /// The statistics endpoint a path belongs to (`None` for `/__mock/`). Both token
    /// endpoints count as `token`, both authorization endpoints as `authorize`.
    pub fn endpoint_of(&self, path: &str) -> Option<&'static str> {
        if path.starts_with("/__mock/") || path == "/__mock" {
            return None;
        }
        let mode = self.config.mode;
        let served = [
            mode.serves_legacy().then_some(LEGACY_PATHS),
            mode.serves_ims().then_some(IMS_PATHS),
        ];
        if mode.serves_ims()
            && let Some(name) = openid::endpoint_name(path)
        {
            return Some(name);
        }
        for p in served.iter().flatten() {
            if path == p.token {
                return Some("token");
            } else if path == p.authorize {
                return Some("authorize");
            } else if path == p.login {
                return Some("login");
            } else if path == p.consent {
                return Some("consent");
            }
        }
        if path.starts_with(self.paths.api_prefix) {
            Some("api")
        } else {
            Some("other")
        }
    }

    /// Counters plus live gauges.
    pub fn stats_snapshot(&self) -> Stats {
        let mut s = self.stats.snapshot();
        s.api_in_flight = self.api_in_flight.load(Ordering::SeqCst);
        s.live = self.auth().live_counts(self.clock.now(), &self.config);
        s
    }
}

async fn not_found() -> Response {
    ApiError::not_found("no such endpoint").into_response()
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    json_bytes(
        StatusCode::INTERNAL_SERVER_ERROR,
        r#"{"error":{"class":"mock","message":"internal error in the mock"}}"#,
    )
}

/// The OAuth routes of one profile's path set.
fn oauth_routes(r: Router<Arc<Shared>>, p: Paths) -> Router<Arc<Shared>> {
    r.route(
        p.authorize,
        get(authorize::show).fallback(authorize::method_not_allowed),
    )
    .route(
        p.login,
        post(authorize::login).fallback(authorize::method_not_allowed),
    )
    .route(
        p.consent,
        post(authorize::decide).fallback(authorize::method_not_allowed),
    )
    .route(
        p.token,
        post(token::handle).fallback(token::method_not_allowed),
    )
}

/// The route table of a mode.
fn router(shared: Arc<Shared>) -> Router {
    let mode = shared.config.mode;
    let mut r = Router::new();
    if mode.serves_legacy() {
        r = oauth_routes(r, LEGACY_PATHS);
    }
    if mode.serves_ims() {
        r = oauth_routes(r, IMS_PATHS)
            .route(
                openid::DISCOVERY_PATH,
                get(openid::discovery).fallback(openid::method_not_allowed),
            )
            .route(
                openid::JWKS_PATH,
                get(openid::jwks).fallback(openid::method_not_allowed),
            )
            .route(
                openid::USERINFO_PATH,
                get(openid::userinfo)
                    .post(openid::userinfo)
                    .fallback(openid::method_not_allowed),
            )
            .route(
                openid::REVOKE_PATH,
                post(revoke::handle).fallback(token::method_not_allowed),
            );
    }
    r = r.route(
        &format!("{}/{{*rest}}", shared.paths.api_prefix),
        any(api::handle),
    );
    if shared.config.admin {
        r = r.nest("/__mock", admin::router());
    }
    r.fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            shared.clone(),
            stats::count_requests,
        ))
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(shared)
}

/// Binds and starts serving.
pub(crate) async fn spawn(config: MockConfig, clock: MockClock) -> Result<RunningMock, MockError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(config, clock, addr));
    let app = router(shared.clone()).into_make_service_with_connect_info::<ConnInfo>();
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(KillableListener::new(listener), app)
            .with_graceful_shutdown(async move {
                let _ = rx.await;
            })
            .await
    });
    tracing::info!(%addr, "mock Workfront listening");
    Ok(RunningMock {
        addr,
        shared,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// A mock serving on 127.0.0.1. Dropping it stops the server (without waiting);
/// [`shutdown`](RunningMock::shutdown) stops it gracefully and waits.
pub struct RunningMock {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl std::fmt::Debug for RunningMock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunningMock")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl RunningMock {
    /// The listening address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The listening port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The base URL, parsed.
    pub fn url(&self) -> url::Url {
        url::Url::parse(&self.base_url()).expect("a socket address forms a valid URL")
    }

    /// The Adobe IMS "host": the same loopback server, `http://127.0.0.1:PORT`. Give it
    /// to the client as its IMS base URL (IMS paths are served in [`Mode::AdobeIms`] and
    /// [`Mode::Both`] only).
    ///
    /// [`Mode::AdobeIms`]: crate::Mode::AdobeIms
    /// [`Mode::Both`]: crate::Mode::Both
    pub fn ims_base_url(&self) -> String {
        self.base_url()
    }

    /// URL of the IMS authorization endpoint, `{ims_base}/ims/authorize/v2`.
    pub fn ims_authorize_url(&self) -> String {
        format!("{}{}", self.base_url(), IMS_PATHS.authorize)
    }

    /// URL of the IMS token endpoint, `{ims_base}/ims/token/v3`.
    pub fn ims_token_url(&self) -> String {
        format!("{}{}", self.base_url(), IMS_PATHS.token)
    }

    /// URL of the authorization endpoint of the mode's primary profile (legacy for
    /// [`Mode::Both`](crate::Mode::Both)), without parameters.
    pub fn authorize_url(&self) -> String {
        format!("{}{}", self.base_url(), self.shared.paths.authorize)
    }

    /// URL of the token endpoint of the mode's primary profile.
    pub fn token_url(&self) -> String {
        format!("{}{}", self.base_url(), self.shared.paths.token)
    }

    /// Base URL of the Workfront API for `version` (e.g. `v14.0`), without a trailing slash.
    pub fn api_url(&self, version: &str) -> String {
        format!(
            "{}{}/{version}",
            self.base_url(),
            self.shared.paths.api_prefix
        )
    }

    /// The configuration in use.
    pub fn config(&self) -> &MockConfig {
        &self.shared.config
    }

    /// The mock's clock (advance it to expire codes, sessions and refresh tokens).
    pub fn clock(&self) -> &MockClock {
        &self.shared.clock
    }

    /// Moves the mock's clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.shared.clock.advance(by);
    }

    /// Queues a fault rule (see [`FaultSpec`]); refused if it cannot be applied.
    pub fn inject_fault(&self, spec: FaultSpec) -> Result<(), String> {
        spec.validate()?;
        self.shared.faults.push(spec);
        Ok(())
    }

    /// Fault rules still pending.
    pub fn pending_faults(&self) -> Vec<FaultSpec> {
        self.shared.faults.list()
    }

    /// Removes every pending fault rule.
    pub fn clear_faults(&self) {
        self.shared.faults.clear();
    }

    /// Counters of requests per endpoint, grant type and status.
    pub fn stats(&self) -> Stats {
        self.shared.stats_snapshot()
    }

    /// Zeroes the counters.
    pub fn reset_stats(&self) {
        self.shared.stats.reset();
    }

    /// Ends every session (access token); returns how many there were.
    pub fn expire_all_sessions(&self) -> usize {
        self.shared.auth().expire_sessions(&Selector::All)
    }

    /// Ends one session; returns whether it existed.
    pub fn expire_session(&self, access_token: &str) -> bool {
        self.shared
            .auth()
            .expire_sessions(&Selector::Value(access_token.to_owned()))
            > 0
    }

    /// Revokes every refresh token (sessions keep working); returns how many.
    pub fn revoke_all_refresh_tokens(&self) -> usize {
        self.shared.auth().revoke_refresh_tokens(&Selector::All)
    }

    /// Revokes one refresh token; returns whether it was still usable.
    pub fn revoke_refresh_token(&self, refresh_token: &str) -> bool {
        self.shared
            .auth()
            .revoke_refresh_tokens(&Selector::Value(refresh_token.to_owned()))
            > 0
    }

    /// Issues an authorization code as if the first configured user had approved the
    /// request, without a browser. `code_challenge` is the S256 challenge, if any.
    /// Refuses an unknown client or an unregistered redirect URI.
    ///
    /// The code belongs to the mode's primary profile (legacy for
    /// [`Mode::Both`](crate::Mode::Both)); in IMS mode its scope is `openid`. See
    /// [`issue_ims_code`](Self::issue_ims_code) to choose the scope.
    pub fn issue_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
    ) -> Result<String, String> {
        if self.shared.config.mode == crate::Mode::AdobeIms {
            return self.issue_ims_code(client_id, redirect_uri, code_challenge, "openid");
        }
        self.issue(
            client_id,
            redirect_uri,
            code_challenge,
            None,
            Profile::Legacy,
            &[],
        )
    }

    /// Issues an authorization code for the IMS token endpoint, as
    /// [`issue_code`](Self::issue_code) does, with this `scope`. Refused unless the mode
    /// serves IMS, and for the confidential client with a non-`https` redirect URI unless
    /// loopback redirects are allowed ([`MockBuilder::allow_loopback_redirects`]).
    ///
    /// [`MockBuilder::allow_loopback_redirects`]: crate::MockBuilder::allow_loopback_redirects
    pub fn issue_ims_code(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
        scope: &str,
    ) -> Result<String, String> {
        self.issue_ims_code_with(client_id, redirect_uri, code_challenge, scope, &[])
    }

    fn issue(
        &self,
        client_id: &str,
        redirect_uri: &str,
        code_challenge: Option<&str>,
        scope: Option<String>,
        profile: Profile,
        params: &[(&str, &str)],
    ) -> Result<String, String> {
        let cfg = &self.shared.config;
        let public = cfg.public_client_id.as_deref() == Some(client_id);
        if client_id != cfg.client_id && !public {
            return Err(format!("unknown client_id {client_id:?}"));
        }
        if !cfg.redirect_uris.iter().any(|r| r == redirect_uri) {
            return Err(format!("redirect_uri {redirect_uri:?} is not registered"));
        }
        if profile == Profile::Ims {
            authorize::check_ims_redirect(cfg, public, redirect_uri)?;
        }
        if public && code_challenge.is_none() {
            return Err("public clients must use PKCE".into());
        }
        let param = |name: &str| {
            params
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        };
        let req = AuthorizeRequest {
            client_id: client_id.to_owned(),
            redirect_uri: redirect_uri.to_owned(),
            state: None,
            code_challenge: code_challenge.map(str::to_owned),
            scope,
            nonce: param("nonce"),
            prompt: param("prompt"),
            profile,
        };
        Ok(self
            .shared
            .auth()
            .issue_code(req, 0, self.shared.clock.now(), cfg))
    }

    /// Serves until `signal` completes, then shuts down gracefully. With
    /// [`crate::shutdown_signal`] this is what the `wf-oauth-mock` binary does (create the
    /// signal before announcing the address, so an early SIGTERM is not lost).
    pub async fn run_until(self, signal: impl Future<Output = ()>) {
        signal.await;
        tracing::info!("shutting down");
        self.shutdown().await;
    }

    /// Stops accepting connections, lets requests in progress finish (for up to 5 s),
    /// and waits for the server to stop.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(mut task) = self.task.take() {
            match tokio::time::timeout(SHUTDOWN_GRACE, &mut task).await {
                Ok(Ok(Ok(()))) => tracing::info!("mock Workfront stopped"),
                Ok(Ok(Err(e))) => tracing::warn!(error = %e, "mock server ended with an error"),
                Ok(Err(e)) => tracing::warn!(error = %e, "mock server task failed"),
                Err(_) => {
                    tracing::warn!("requests still running after the grace period; aborting");
                    task.abort();
                }
            }
        }
    }
}

impl Drop for RunningMock {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
