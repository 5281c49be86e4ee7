//! `Client`: one OAuth 2 client configuration, blocking calls.

use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::PyString;
use wf_oauth_core::ClientAuth;
use wf_oauth_http::{Error, blocking};

use crate::errors::{IntoPyResult, invalid_argument};
use crate::options::{ClientArgs, Engine};
use crate::session::{Opening, PySession, SessionCore};
use crate::text::Text;
use crate::tokens::{PyAuthorization, PyManualClock, PyPendingAuthorization, PyTokenSet};

/// What `session()` was given: tokens, or the key of a stored credential.
pub(crate) fn opening(value: &Bound<'_, PyAny>) -> PyResult<Opening> {
    if let Ok(tokens) = value.cast::<PyTokenSet>() {
        return Ok(Opening::Tokens(tokens.get().inner.clone()));
    }
    if value.is_instance_of::<PyString>() {
        return Ok(Opening::Key(value.extract()?));
    }
    Err(invalid_argument(
        value.py(),
        "session() takes a TokenSet or the key of a stored credential",
    ))
}

/// Properties shared by `Client` and `AsyncClient`.
pub(crate) fn describe(engine: &Engine) -> String {
    let config = engine.config();
    format!(
        "instance={:?}, client_id={:?}, client_auth={:?}, pkce={}",
        config.instance().origin(),
        config.client_id(),
        client_auth_name(engine),
        if config.uses_pkce() { "True" } else { "False" }
    )
}

/// `"basic"`, `"post"`, or `"none"` for a public client.
pub(crate) fn client_auth_name(engine: &Engine) -> &'static str {
    let config = engine.config();
    if config.is_public() {
        "none"
    } else {
        match config.client_auth() {
            ClientAuth::Basic => "basic",
            ClientAuth::Post => "post",
        }
    }
}

/// An OAuth 2 client of one Workfront instance (`wf_oauth.Client`).
#[pyclass(name = "Client", module = "wf_oauth", frozen)]
pub(crate) struct PyClient {
    pub(crate) engine: Arc<Engine>,
}

impl PyClient {
    fn oauth(&self, py: Python<'_>) -> PyResult<blocking::OAuthClient> {
        self.engine
            .oauth()
            .map(blocking::OAuthClient::from_async)
            .py_result(py)
    }

    /// Opens a session (blocking, without the GIL): the shared body of `session` and
    /// `client_credentials_session`.
    fn open_session(
        &self,
        py: Python<'_>,
        opening: Opening,
        key: Option<Text>,
    ) -> PyResult<PySession> {
        let engine = Arc::clone(&self.engine);
        let core = py
            .detach(move || {
                wf_oauth_http::block_on(SessionCore::open(engine, opening, key.map(String::from)))
                    .map_err(Error::from)
                    .and_then(|r| r)
            })
            .py_result(py)?;
        Ok(PySession {
            core: Arc::new(core),
        })
    }
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (instance, client_id, *, client_secret=None, redirect_uri=None,
        client_auth=None, api_version=None, pkce=None, scope=None, store=None, provider=None,
        ims_base=None, authorize_url=None, token_url=None, missing_state=None,
        allowed_instances=Vec::new(), allowed_suffixes=Vec::new(), refresh_skew=None,
        timeout=None, connect_timeout=None, max_in_flight=None, max_retries=None,
        user_agent=None, clock=None, issuer=None, require_issuer=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        instance: Text,
        client_id: Text,
        client_secret: Option<Text>,
        redirect_uri: Option<Text>,
        client_auth: Option<Text>,
        api_version: Option<Text>,
        pkce: Option<bool>,
        scope: Option<Text>,
        store: Option<&Bound<'_, PyAny>>,
        provider: Option<Text>,
        ims_base: Option<Text>,
        authorize_url: Option<Text>,
        token_url: Option<Text>,
        missing_state: Option<Text>,
        allowed_instances: Vec<Text>,
        allowed_suffixes: Vec<Text>,
        refresh_skew: Option<u64>,
        timeout: Option<f64>,
        connect_timeout: Option<f64>,
        max_in_flight: Option<usize>,
        max_retries: Option<u32>,
        user_agent: Option<Text>,
        clock: Option<&PyManualClock>,
        issuer: Option<Text>,
        require_issuer: Option<bool>,
    ) -> PyResult<Self> {
        let args = ClientArgs {
            instance,
            client_id,
            client_secret,
            redirect_uri,
            client_auth,
            api_version,
            pkce,
            scope,
            provider,
            ims_base,
            authorize_url,
            token_url,
            missing_state,
            allowed_instances,
            allowed_suffixes,
            refresh_skew,
            timeout,
            connect_timeout,
            max_in_flight,
            max_retries,
            user_agent,
            clock: clock.map(|c| c.inner.clone()),
            issuer,
            require_issuer,
        };
        let store = match store {
            Some(s) if !s.is_none() => Some(crate::store::resolve(s)?),
            _ => None,
        };
        let spec = args.into_spec(py)?;
        Ok(PyClient {
            engine: Arc::new(Engine::new(py, spec, store)?),
        })
    }

    /// Starts an authorization: the URL to open in the user's browser, with a fresh
    /// `state` (and PKCE verifier) from the operating system's secure generator.
    fn authorize(&self, py: Python<'_>) -> PyResult<PyPendingAuthorization> {
        let inner = self.oauth(py)?.authorize().py_result(py)?;
        Ok(PyPendingAuthorization { inner })
    }

    /// Checks the callback (full redirect URL, or its query string) against `pending` and
    /// exchanges its code for tokens.
    fn exchange(
        &self,
        py: Python<'_>,
        pending: &PyPendingAuthorization,
        callback_url: Text,
    ) -> PyResult<PyTokenSet> {
        let oauth = self.oauth(py)?;
        py.detach(|| oauth.exchange(&pending.inner, &callback_url))
            .py_result(py)
            .map(PyTokenSet::new)
    }

    /// Checks the callback against `pending` without exchanging the code yet (for
    /// applications that check the callback in one place and exchange it in another).
    fn accept_callback(
        &self,
        py: Python<'_>,
        pending: &PyPendingAuthorization,
        callback_url: Text,
    ) -> PyResult<PyAuthorization> {
        let oauth = self.engine.oauth().py_result(py)?;
        let inner = pending
            .inner
            .accept_callback(&callback_url, oauth.now())
            .py_result(py)?;
        Ok(PyAuthorization { inner })
    }

    /// Exchanges the code of an accepted callback (within its two minutes).
    fn exchange_code(
        &self,
        py: Python<'_>,
        authorization: &PyAuthorization,
    ) -> PyResult<PyTokenSet> {
        let oauth = self.engine.oauth().py_result(py)?;
        let authorization = authorization.inner.clone();
        py.detach(move || {
            wf_oauth_http::block_on(async move { oauth.exchange_code(&authorization).await })
                .map_err(Error::from)
                .and_then(|r| r)
        })
        .py_result(py)
        .map(PyTokenSet::new)
    }

    /// Renews `tokens` with their refresh token. With refresh-token rotation the old
    /// refresh token is dead afterwards: keep the returned set.
    fn refresh(&self, py: Python<'_>, tokens: &PyTokenSet) -> PyResult<PyTokenSet> {
        let oauth = self.oauth(py)?;
        py.detach(|| oauth.refresh(&tokens.inner))
            .py_result(py)
            .map(PyTokenSet::new)
    }

    /// Requests tokens with the client credentials grant (Adobe IMS Server-to-Server), once.
    /// For API calls prefer `client_credentials_session()`, which renews them.
    fn client_credentials(&self, py: Python<'_>) -> PyResult<PyTokenSet> {
        let oauth = self.oauth(py)?;
        py.detach(|| oauth.client_credentials())
            .py_result(py)
            .map(PyTokenSet::new)
    }

    /// An API session: from tokens (saved under `key` in the client's store, if it has
    /// one), or from the credential the store holds under a key.
    #[pyo3(signature = (tokens_or_key, *, key=None))]
    fn session(
        &self,
        py: Python<'_>,
        tokens_or_key: &Bound<'_, PyAny>,
        key: Option<Text>,
    ) -> PyResult<PySession> {
        self.open_session(py, opening(tokens_or_key)?, key)
    }

    /// A Server-to-Server API session (Adobe IMS, or a generic OAuth 2 server): the
    /// application acts as itself with the client credentials grant. There is no user and
    /// no refresh token; when the token nears its expiry, or is refused, a new one is
    /// requested, once for all concurrent callers.
    ///
    /// The first token is requested now, so a wrong secret or scope fails here. Without
    /// `key` the token lives in memory, for this session. With `key` it is shared through
    /// the client's store under that key: a fresh stored token is reused, otherwise a new
    /// one is requested and saved (under the store's lock), so processes sharing the store
    /// share one token. A key needs a client with a store.
    #[pyo3(signature = (*, key=None))]
    fn client_credentials_session(&self, py: Python<'_>, key: Option<Text>) -> PyResult<PySession> {
        self.open_session(py, Opening::ClientCredentials, key)
    }

    /// The configured instance, e.g. `https://acme.my.workfront.com`.
    #[getter]
    fn instance(&self) -> &str {
        self.engine.config().instance().origin()
    }

    /// The client id.
    #[getter]
    fn client_id(&self) -> &str {
        self.engine.config().client_id()
    }

    /// The registered redirect URI.
    #[getter]
    fn redirect_uri(&self) -> Option<&str> {
        self.engine.config().redirect_uri().map(|r| r.as_str())
    }

    /// The Workfront API version, e.g. `v20.0`.
    #[getter]
    fn api_version(&self) -> &str {
        self.engine.config().api_version().as_str()
    }

    /// `"basic"`, `"post"`, or `"none"` for a public client.
    #[getter]
    fn client_auth(&self) -> &'static str {
        client_auth_name(&self.engine)
    }

    /// Whether authorizations use PKCE.
    #[getter]
    fn uses_pkce(&self) -> bool {
        self.engine.config().uses_pkce()
    }

    fn __repr__(&self) -> String {
        format!("Client({})", describe(&self.engine))
    }
}
