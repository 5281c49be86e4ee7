//! `TokenSet` and `PendingAuthorization`: the core's values, with secrets kept out of
//! `repr`/`str` and handed out only by explicit accessors.

use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::basic::CompareOp;
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use wf_oauth_core::{
    AccessToken, AuthorizationResponse, Instance, PendingAuthorization, RefreshToken, TokenSet,
    TokenType, UnixTime,
};
use wf_oauth_http::{Clock, ManualClock};

use crate::errors::IntoPyResult;
use crate::text::Text;

/// Seconds since the Unix epoch by the system clock.
pub(crate) fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The tokens a grant yields (`wf_oauth.TokenSet`).
#[pyclass(name = "TokenSet", module = "wf_oauth", frozen, skip_from_py_object)]
#[derive(Clone)]
pub(crate) struct PyTokenSet {
    pub(crate) inner: TokenSet,
}

impl PyTokenSet {
    pub(crate) fn new(inner: TokenSet) -> Self {
        PyTokenSet { inner }
    }
}

#[pymethods]
impl PyTokenSet {
    #[new]
    #[pyo3(signature = (access_token, instance, *, refresh_token=None, token_type=None,
        expires_at=None, wid=None, obtained_at=None, scope=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        access_token: Text,
        instance: Text,
        refresh_token: Option<Text>,
        token_type: Option<Text>,
        expires_at: Option<u64>,
        wid: Option<Text>,
        obtained_at: Option<u64>,
        scope: Option<Text>,
    ) -> PyResult<Self> {
        let instance = Instance::parse(&instance).py_result(py)?;
        let obtained_at = UnixTime::from_secs(obtained_at.unwrap_or_else(now_unix));
        let inner = TokenSet::new(AccessToken::new(&*access_token), instance, obtained_at)
            .with_refresh_token(refresh_token.map(|r| RefreshToken::new(&*r)))
            .with_token_type(token_type.map_or(TokenType::SessionId, |t| TokenType::parse(&t)))
            .with_expires_at(expires_at.map(UnixTime::from_secs))
            .with_wid(wid.map(String::from))
            .with_scope(scope.map(String::from));
        Ok(PyTokenSet { inner })
    }

    /// The access token itself (a Workfront `sessionID`, or a Bearer token).
    fn access_token(&self) -> &str {
        self.inner.access_token().secret()
    }

    /// The refresh token itself, if the server issued one.
    fn refresh_token(&self) -> Option<&str> {
        self.inner.refresh_token().map(RefreshToken::secret)
    }

    /// `sessionID`, `Bearer`, or what the server said.
    #[getter]
    fn token_type(&self) -> &str {
        self.inner.token_type().as_str()
    }

    /// When the access token expires (Unix seconds), or None when unknown (Workfront
    /// sessions slide: `expires_in: 0` means unknown).
    #[getter]
    fn expires_at(&self) -> Option<u64> {
        self.inner.expires_at().map(UnixTime::as_secs)
    }

    /// Workfront's `wid`, opaque.
    #[getter]
    fn wid(&self) -> Option<&str> {
        self.inner.wid()
    }

    /// The instance the tokens are for, e.g. `https://acme.my.workfront.com`.
    #[getter]
    fn instance(&self) -> &str {
        self.inner.instance().origin()
    }

    /// When the tokens were received (Unix seconds).
    #[getter]
    fn obtained_at(&self) -> u64 {
        self.inner.obtained_at().as_secs()
    }

    /// The granted scope, if the server said.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope()
    }

    /// A short digest of the access token, safe to log.
    #[getter]
    fn access_token_fingerprint(&self) -> String {
        self.inner.access_token().fingerprint()
    }

    /// A short digest of the refresh token, safe to log.
    #[getter]
    fn refresh_token_fingerprint(&self) -> Option<String> {
        self.inner.refresh_token().map(RefreshToken::fingerprint)
    }

    /// Whether the access token is known to be expired at `now` (default: the system clock).
    #[pyo3(signature = (now=None))]
    fn is_expired(&self, now: Option<u64>) -> bool {
        self.inner
            .is_expired(UnixTime::from_secs(now.unwrap_or_else(now_unix)))
    }

    /// The stored form: versioned JSON containing the tokens (keep it private).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads the stored form.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: Text) -> PyResult<Self> {
        TokenSet::from_json(&json)
            .py_result(py)
            .map(PyTokenSet::new)
    }

    fn __repr__(&self) -> String {
        format!(
            "TokenSet(instance={:?}, token_type={:?}, access_token=[redacted {}], \
             refresh_token={}, expires_at={}, wid={:?}, obtained_at={})",
            self.inner.instance().origin(),
            self.inner.token_type().as_str(),
            self.inner.access_token().fingerprint(),
            self.inner.refresh_token().map_or_else(
                || "None".to_owned(),
                |r| format!("[redacted {}]", r.fingerprint())
            ),
            self.inner
                .expires_at()
                .map_or_else(|| "None".to_owned(), |t| t.as_secs().to_string()),
            self.inner.wid(),
            self.inner.obtained_at().as_secs(),
        )
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }

    fn __richcmp__(&self, other: &Bound<'_, PyAny>, op: CompareOp) -> PyResult<Py<PyAny>> {
        let py = other.py();
        let Ok(other) = other.cast::<PyTokenSet>() else {
            return Ok(py.NotImplemented());
        };
        let equal = self.inner == other.get().inner;
        match op {
            CompareOp::Eq => Ok(equal.into_pyobject(py)?.to_owned().into_any().unbind()),
            CompareOp::Ne => Ok((!equal).into_pyobject(py)?.to_owned().into_any().unbind()),
            _ => Ok(py.NotImplemented()),
        }
    }

    /// Pickles through the stored form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let from_json = py.get_type::<PyTokenSet>().getattr("from_json")?;
        PyTuple::new(
            py,
            [
                from_json,
                PyTuple::new(py, [slf.get().inner.to_json()])?.into_any(),
            ],
        )
    }
}

/// An authorization waiting for its callback (`wf_oauth.PendingAuthorization`).
#[pyclass(
    name = "PendingAuthorization",
    module = "wf_oauth",
    frozen,
    skip_from_py_object
)]
#[derive(Clone)]
pub(crate) struct PyPendingAuthorization {
    pub(crate) inner: PendingAuthorization,
}

#[pymethods]
impl PyPendingAuthorization {
    /// The URL to send the user's browser to.
    #[getter]
    fn url(&self) -> &str {
        self.inner.url()
    }

    /// The `state` sent with the authorization (a web application may key its session
    /// storage by it).
    #[getter]
    fn state(&self) -> &str {
        self.inner.state().secret()
    }

    /// The redirect URI the callback must arrive at.
    #[getter]
    fn redirect_uri(&self) -> &str {
        self.inner.redirect_uri().as_str()
    }

    /// The configured instance.
    #[getter]
    fn instance(&self) -> &str {
        self.inner.instance().origin()
    }

    /// When the authorization started (Unix seconds).
    #[getter]
    fn created_at(&self) -> u64 {
        self.inner.created_at().as_secs()
    }

    /// Whether the authorization uses PKCE.
    #[getter]
    fn uses_pkce(&self) -> bool {
        self.inner.pkce_verifier().is_some()
    }

    /// The stored form: versioned JSON containing the PKCE verifier (keep it server-side).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Reads the stored form.
    #[staticmethod]
    fn from_json(py: Python<'_>, json: Text) -> PyResult<Self> {
        PendingAuthorization::from_json(&json)
            .py_result(py)
            .map(|inner| PyPendingAuthorization { inner })
    }

    fn __repr__(&self) -> String {
        // The query carries the state; the endpoint is enough to recognise the request.
        format!(
            "PendingAuthorization(url={:?}, state=[redacted], pkce={}, redirect_uri={:?}, created_at={})",
            self.inner.url().split('?').next().unwrap_or_default(),
            if self.inner.pkce_verifier().is_some() {
                "True"
            } else {
                "False"
            },
            self.inner.redirect_uri().as_str(),
            self.inner.created_at().as_secs(),
        )
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }

    /// Pickles through the stored form.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let from_json = py
            .get_type::<PyPendingAuthorization>()
            .getattr("from_json")?;
        PyTuple::new(
            py,
            [
                from_json,
                PyTuple::new(py, [slf.get().inner.to_json()])?.into_any(),
            ],
        )
    }
}

/// An accepted callback whose code is not exchanged yet (`wf_oauth.Authorization`).
#[pyclass(name = "Authorization", module = "wf_oauth", frozen)]
pub(crate) struct PyAuthorization {
    pub(crate) inner: AuthorizationResponse,
}

#[pymethods]
impl PyAuthorization {
    /// The instance the user authorized on.
    #[getter]
    fn instance(&self) -> &str {
        self.inner.instance().origin()
    }

    /// When the callback was accepted (Unix seconds); the code lives two minutes.
    #[getter]
    fn received_at(&self) -> u64 {
        self.inner.received_at().as_secs()
    }

    fn __repr__(&self) -> String {
        format!(
            "Authorization(instance={:?}, code=[redacted], received_at={})",
            self.inner.instance().origin(),
            self.inner.received_at().as_secs()
        )
    }
}

/// A clock that only moves when told to, for tests of time-dependent behaviour
/// (`wf_oauth.ManualClock`; pass it as `Client(clock=...)`).
#[pyclass(name = "ManualClock", module = "wf_oauth", frozen)]
pub(crate) struct PyManualClock {
    pub(crate) inner: ManualClock,
}

#[pymethods]
impl PyManualClock {
    #[new]
    #[pyo3(signature = (now=None))]
    fn py_new(now: Option<u64>) -> Self {
        PyManualClock {
            inner: ManualClock::new(now.unwrap_or_else(now_unix)),
        }
    }

    /// The current time (Unix seconds).
    fn now(&self) -> u64 {
        self.inner.now_unix()
    }

    /// Sets the time (Unix seconds).
    fn set(&self, now: u64) {
        self.inner.set(now);
    }

    /// Moves the time forward by `seconds`.
    fn advance(&self, seconds: u64) {
        self.inner.advance(seconds);
    }

    fn __repr__(&self) -> String {
        format!("ManualClock({})", self.inner.now_unix())
    }
}
