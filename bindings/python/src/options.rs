//! A client's configuration as Python passes it, and the driver client built from it.
//!
//! The driver client owns a reqwest connection pool whose connections belong to the
//! process that opened them. After `os.fork()` the child must not reuse them (their
//! reactor lives in the parent), so an [`Engine`] remembers the process it built its
//! client in and builds a fresh one, from the same configuration, in a child.

use std::sync::Mutex;
use std::time::Duration;

use pyo3::prelude::*;
use wf_oauth_core::{
    ApiVersion, ClientAuth, ClientConfig, ClientSecret, Instance, InstancePolicy,
    MissingStatePolicy, Provider, RedirectUri,
};
use wf_oauth_http::{CredentialStore, ManualClock, OAuthClient, RetryPolicy, TransportConfig};

use crate::errors::{IntoPyResult, invalid_argument};
use crate::text::Text;

/// Everything needed to (re)build the driver client.
#[derive(Debug, Clone)]
pub(crate) struct ClientSpec {
    pub(crate) config: ClientConfig,
    pub(crate) transport: TransportConfig,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_in_flight: usize,
    pub(crate) clock: Option<ManualClock>,
}

/// The keyword arguments of `Client(...)` and `AsyncClient(...)`.
#[derive(Debug, Default)]
pub(crate) struct ClientArgs {
    pub(crate) instance: Text,
    pub(crate) client_id: Text,
    pub(crate) client_secret: Option<Text>,
    pub(crate) redirect_uri: Option<Text>,
    pub(crate) client_auth: Option<Text>,
    pub(crate) api_version: Option<Text>,
    pub(crate) pkce: Option<bool>,
    pub(crate) scope: Option<Text>,
    pub(crate) provider: Option<Text>,
    pub(crate) ims_base: Option<Text>,
    pub(crate) authorize_url: Option<Text>,
    pub(crate) token_url: Option<Text>,
    pub(crate) missing_state: Option<Text>,
    pub(crate) allowed_instances: Vec<Text>,
    pub(crate) allowed_suffixes: Vec<Text>,
    pub(crate) refresh_skew: Option<u64>,
    pub(crate) timeout: Option<f64>,
    pub(crate) connect_timeout: Option<f64>,
    pub(crate) max_in_flight: Option<usize>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) user_agent: Option<Text>,
    pub(crate) issuer: Option<Text>,
    pub(crate) require_issuer: Option<bool>,
    pub(crate) clock: Option<ManualClock>,
}

fn seconds(py: Python<'_>, name: &str, value: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| invalid_argument(py, format!("{name} must be a positive number of seconds")))
}

fn provider(py: Python<'_>, args: &ClientArgs) -> PyResult<Provider> {
    match args.provider.as_deref().unwrap_or("workfront") {
        "workfront" => Ok(Provider::WorkfrontLegacy),
        "adobe_ims" => match &args.ims_base {
            Some(base) => Provider::adobe_ims_at(base).py_result(py),
            None => Ok(Provider::adobe_ims()),
        },
        "generic" => match (&args.authorize_url, &args.token_url) {
            (Some(a), Some(t)) => Provider::generic(a, t).py_result(py),
            _ => Err(invalid_argument(
                py,
                "provider='generic' needs authorize_url and token_url",
            )),
        },
        other => Err(invalid_argument(
            py,
            format!("provider must be 'workfront', 'adobe_ims' or 'generic', not {other:?}"),
        )),
    }
}

impl ClientArgs {
    /// Validates the arguments (the core does the protocol checks).
    pub(crate) fn into_spec(self, py: Python<'_>) -> PyResult<ClientSpec> {
        let instance = Instance::parse(&self.instance).py_result(py)?;
        let mut builder =
            ClientConfig::builder(instance, self.client_id.clone()).provider(provider(py, &self)?);
        if let Some(secret) = &self.client_secret {
            builder = builder.client_secret(ClientSecret::new(&**secret));
        }
        if let Some(uri) = &self.redirect_uri {
            builder = builder.redirect_uri(RedirectUri::parse(uri).py_result(py)?);
        }
        match self.client_auth.as_deref() {
            None => {}
            Some("basic") => builder = builder.client_auth(ClientAuth::Basic),
            Some("post") => builder = builder.client_auth(ClientAuth::Post),
            Some(other) => {
                return Err(invalid_argument(
                    py,
                    format!("client_auth must be 'basic' or 'post', not {other:?}"),
                ));
            }
        }
        if let Some(version) = &self.api_version {
            builder = builder.api_version(ApiVersion::parse(version).py_result(py)?);
        }
        if let Some(pkce) = self.pkce {
            builder = builder.pkce(pkce);
        }
        if let Some(scope) = &self.scope {
            builder = builder.scope(&**scope);
        }
        match self.missing_state.as_deref() {
            None | Some("reject") => {}
            Some("accept") => builder = builder.missing_state(MissingStatePolicy::Accept),
            Some(other) => {
                return Err(invalid_argument(
                    py,
                    format!("missing_state must be 'reject' or 'accept', not {other:?}"),
                ));
            }
        }
        let mut policy = InstancePolicy::configured_only();
        for i in &self.allowed_instances {
            policy = policy.allow_instance(Instance::parse(i).py_result(py)?);
        }
        for s in &self.allowed_suffixes {
            policy = policy.allow_suffix(s).py_result(py)?;
        }
        builder = builder.instance_policy(policy);
        if let Some(skew) = self.refresh_skew {
            builder = builder.refresh_skew_secs(skew);
        }
        if let Some(issuer) = &self.issuer {
            builder = builder.issuer(&**issuer);
        }
        if let Some(required) = self.require_issuer {
            builder = builder.require_issuer(required);
        }
        let config = builder.build().py_result(py)?;

        let mut transport = TransportConfig::default();
        if let Some(t) = self.timeout {
            transport = transport.with_request_timeout(seconds(py, "timeout", t)?);
        }
        if let Some(t) = self.connect_timeout {
            transport = transport.with_connect_timeout(seconds(py, "connect_timeout", t)?);
        }
        if let Some(ua) = self.user_agent {
            transport = transport.with_user_agent(ua);
        }
        let retry = match self.max_retries {
            Some(n) => RetryPolicy::default().with_max_attempts(n.saturating_add(1)),
            None => RetryPolicy::default(),
        };
        Ok(ClientSpec {
            config,
            transport,
            retry,
            max_in_flight: self
                .max_in_flight
                .unwrap_or(wf_oauth_http::DEFAULT_MAX_IN_FLIGHT),
            clock: self.clock,
        })
    }
}

impl ClientSpec {
    fn build(&self) -> Result<OAuthClient, wf_oauth_http::Error> {
        let builder = OAuthClient::builder(self.config.clone())
            .transport_config(self.transport.clone())
            .retry_policy(self.retry)
            .max_in_flight(self.max_in_flight);
        match &self.clock {
            Some(clock) => builder.clock(clock.clone()).build(),
            None => builder.build(),
        }
    }
}

/// Hands the driver's `tracing` events to Python's `logging` (loggers named after the Rust
/// modules, e.g. `wf_oauth_http.client`), once per process, when the first client is built
/// rather than at import: importing `logging` would double the cost of `import wf_oauth`.
fn install_logging_bridge() {
    static BRIDGE: std::sync::Once = std::sync::Once::new();
    // Another extension may have installed a `log` backend already; then that one is used.
    BRIDGE.call_once(|| drop(pyo3_log::try_init()));
}

/// The driver client of one Python client object, rebuilt after a fork.
#[derive(Debug)]
pub(crate) struct Engine {
    spec: ClientSpec,
    current: Mutex<(u32, OAuthClient)>,
    /// The store sessions use by default (`Client(store=...)`).
    pub(crate) store: Option<CredentialStore>,
}

impl Engine {
    /// Builds the driver client.
    pub(crate) fn new(
        py: Python<'_>,
        spec: ClientSpec,
        store: Option<CredentialStore>,
    ) -> PyResult<Self> {
        install_logging_bridge();
        let client = spec.build().py_result(py)?;
        Ok(Engine {
            spec,
            current: Mutex::new((std::process::id(), client)),
            store,
        })
    }

    /// The configuration.
    pub(crate) fn config(&self) -> &ClientConfig {
        &self.spec.config
    }

    /// The driver client of this process (a new one in a forked child).
    pub(crate) fn oauth(&self) -> Result<OAuthClient, wf_oauth_http::Error> {
        let pid = std::process::id();
        // A poisoned lock only means a panic elsewhere; the pair is always whole.
        let mut current = self.current.lock().unwrap_or_else(|e| e.into_inner());
        if current.0 != pid {
            *current = (pid, self.spec.build()?);
        }
        Ok(current.1.clone())
    }
}
