//! The asyncio flavour: `AsyncClient`, `AsyncSession` and their search iterator.
//!
//! Futures run on the driver's process-wide tokio runtime (the one the blocking calls use,
//! rebuilt after a fork) and complete an `asyncio` future of the caller's event loop
//! through `pyo3-async-runtimes`. Errors are turned into `wf_oauth` exceptions when the
//! result is handed to Python, where the GIL is held anyway.

use std::cell::OnceCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{FutureExt, StreamExt};
use pyo3::IntoPyObjectExt;
use pyo3::exceptions::PyStopAsyncIteration;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3_async_runtimes::TaskLocals;
use pyo3_async_runtimes::generic::{ContextExt, JoinError, Runtime};
use serde_json::Value;
use wf_oauth_core::Method;
use wf_oauth_http::Error;

use crate::client::{PyClient, client_auth_name, describe, opening};
use crate::errors::{IntoPyResult, to_py_err};
use crate::json::{self, Json};
use crate::options::Engine;
use crate::session::{Opening, SessionCore, header_pairs, headers_dict};
use crate::text::Text;
use crate::tokens::{PyAuthorization, PyPendingAuthorization, PyTokenSet};

/// The driver's runtime as `pyo3-async-runtimes` sees it.
struct DriverRuntime;

tokio::task_local! {
    static TASK_LOCALS: OnceCell<TaskLocals>;
}

/// A task spawned on the driver's runtime, or the report that there is no runtime.
enum Spawned {
    Running(tokio::task::JoinHandle<()>),
    NoRuntime,
}

/// Why a spawned task did not complete.
enum SpawnError {
    Join(tokio::task::JoinError),
    NoRuntime,
}

impl JoinError for SpawnError {
    fn is_panic(&self) -> bool {
        matches!(self, SpawnError::Join(e) if e.is_panic())
    }

    fn into_panic(self) -> Box<dyn std::any::Any + Send + 'static> {
        match self {
            SpawnError::Join(e) if e.is_panic() => e.into_panic(),
            _ => Box::new("the task did not run"),
        }
    }
}

impl Future for Spawned {
    type Output = Result<(), SpawnError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Spawned::Running(handle) => handle.poll_unpin(cx).map_err(SpawnError::Join),
            Spawned::NoRuntime => Poll::Ready(Err(SpawnError::NoRuntime)),
        }
    }
}

impl Runtime for DriverRuntime {
    type JoinError = SpawnError;
    type JoinHandle = Spawned;

    fn spawn<F>(fut: F) -> Spawned
    where
        F: Future<Output = ()> + Send + 'static,
    {
        match wf_oauth_http::runtime() {
            Ok(rt) => Spawned::Running(rt.spawn(fut)),
            Err(_) => Spawned::NoRuntime,
        }
    }

    fn spawn_blocking<F>(f: F) -> Spawned
    where
        F: FnOnce() + Send + 'static,
    {
        match wf_oauth_http::runtime() {
            Ok(rt) => Spawned::Running(rt.spawn_blocking(f)),
            Err(_) => Spawned::NoRuntime,
        }
    }
}

impl ContextExt for DriverRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceCell::new();
        // A new cell is always empty.
        let _ = cell.set(locals);
        Box::pin(TASK_LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        TASK_LOCALS
            .try_with(|cell| cell.get().cloned())
            .unwrap_or_default()
    }
}

/// The result of a driver future, converted (or raised) when Python receives it.
struct Outcome<T>(Result<T, Error>);

impl<'py, T> IntoPyObject<'py> for Outcome<T>
where
    T: IntoPyObject<'py>,
{
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self.0 {
            Ok(value) => value.into_bound_py_any(py),
            Err(e) => Err(to_py_err(py, &e)),
        }
    }
}

/// An awaitable running `fut` on the driver's runtime.
fn awaitable<'py, F, T>(py: Python<'py>, fut: F) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = Result<T, Error>> + Send + 'static,
    T: for<'a> IntoPyObject<'a> + Send + 'static,
{
    // Fail here, with a typed error, rather than inside the spawn.
    wf_oauth_http::runtime()
        .map_err(|e| Error::from(wf_oauth_http::RuntimeError::Start(Arc::new(e))))
        .py_result(py)?;
    pyo3_async_runtimes::generic::future_into_py::<DriverRuntime, _, _>(py, async move {
        // A panic becomes the SDK's InternalError, never pyo3's PanicException (a
        // BaseException that `except Exception` does not catch).
        Ok(Outcome(
            wf_oauth_http::catch_panic(fut)
                .await
                .map_err(Error::from)
                .and_then(|r| r),
        ))
    })
}

/// An OAuth 2 client whose network calls are awaitable (`wf_oauth.AsyncClient`); takes
/// the same arguments as `Client`.
#[pyclass(name = "AsyncClient", module = "wf_oauth", frozen)]
pub(crate) struct PyAsyncClient {
    engine: Arc<Engine>,
}

impl PyAsyncClient {
    /// Awaitable: a session (the shared body of `session` and
    /// `client_credentials_session`).
    fn open_session<'py>(
        &self,
        py: Python<'py>,
        opening: Opening,
        key: Option<Text>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let engine = Arc::clone(&self.engine);
        awaitable(py, async move {
            SessionCore::open(engine, opening, key.map(String::from))
                .await
                .map(|core| PyAsyncSession {
                    core: Arc::new(core),
                })
        })
    }
}

#[pymethods]
impl PyAsyncClient {
    #[new]
    // Takes what `Client` takes (it is validated there); the text signature tells Python
    // tools the real parameters.
    #[pyo3(signature = (*args, **kwargs), text_signature = "(instance, client_id, *, client_secret=None, redirect_uri=None, client_auth=None, api_version=None, pkce=None, scope=None, store=None, provider=None, ims_base=None, authorize_url=None, token_url=None, missing_state=None, allowed_instances=..., allowed_suffixes=..., refresh_skew=None, timeout=None, connect_timeout=None, max_in_flight=None, max_retries=None, user_agent=None, clock=None, issuer=None, require_issuer=None)")]
    fn py_new(
        py: Python<'_>,
        args: &Bound<'_, PyTuple>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        // The same validation as `Client`, then the same engine.
        let client = py.get_type::<PyClient>().call(args, kwargs)?;
        let client = client.cast::<PyClient>()?;
        Ok(PyAsyncClient {
            engine: Arc::clone(&client.get().engine),
        })
    }

    /// Starts an authorization (no network involved, so not awaitable).
    fn authorize(&self, py: Python<'_>) -> PyResult<PyPendingAuthorization> {
        let inner = self
            .engine
            .oauth()
            .py_result(py)?
            .authorize()
            .py_result(py)?;
        Ok(PyPendingAuthorization { inner })
    }

    /// Awaitable: checks the callback and exchanges its code for tokens.
    fn exchange<'py>(
        &self,
        py: Python<'py>,
        pending: &PyPendingAuthorization,
        callback_url: Text,
    ) -> PyResult<Bound<'py, PyAny>> {
        let oauth = self.engine.oauth().py_result(py)?;
        let pending = pending.inner.clone();
        awaitable(py, async move {
            oauth
                .exchange(&pending, &callback_url)
                .await
                .map(PyTokenSet::new)
        })
    }

    /// Checks the callback against `pending` without exchanging the code yet.
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

    /// Awaitable: exchanges the code of an accepted callback.
    fn exchange_code<'py>(
        &self,
        py: Python<'py>,
        authorization: &PyAuthorization,
    ) -> PyResult<Bound<'py, PyAny>> {
        let oauth = self.engine.oauth().py_result(py)?;
        let authorization = authorization.inner.clone();
        awaitable(py, async move {
            oauth
                .exchange_code(&authorization)
                .await
                .map(PyTokenSet::new)
        })
    }

    /// Awaitable: renews `tokens` with their refresh token.
    fn refresh<'py>(&self, py: Python<'py>, tokens: &PyTokenSet) -> PyResult<Bound<'py, PyAny>> {
        let oauth = self.engine.oauth().py_result(py)?;
        let tokens = tokens.inner.clone();
        awaitable(py, async move {
            oauth.refresh(&tokens).await.map(PyTokenSet::new)
        })
    }

    /// Awaitable: tokens from the client credentials grant, once (for API calls prefer
    /// `client_credentials_session()`, which renews them).
    fn client_credentials<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let oauth = self.engine.oauth().py_result(py)?;
        awaitable(py, async move {
            oauth.client_credentials().await.map(PyTokenSet::new)
        })
    }

    /// Awaitable: an API session, from tokens or the key of a stored credential.
    #[pyo3(signature = (tokens_or_key, *, key=None))]
    fn session<'py>(
        &self,
        py: Python<'py>,
        tokens_or_key: &Bound<'py, PyAny>,
        key: Option<Text>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.open_session(py, opening(tokens_or_key)?, key)
    }

    /// Awaitable: a Server-to-Server API session with the client credentials grant (see
    /// `Client.client_credentials_session`); with `key`, shared through the client's store.
    #[pyo3(signature = (*, key=None))]
    fn client_credentials_session<'py>(
        &self,
        py: Python<'py>,
        key: Option<Text>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.open_session(py, Opening::ClientCredentials, key)
    }

    /// The configured instance.
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

    /// The Workfront API version.
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
        format!("AsyncClient({})", describe(&self.engine))
    }
}

/// An authorized Workfront API session with awaitable calls (`wf_oauth.AsyncSession`).
#[pyclass(name = "AsyncSession", module = "wf_oauth", frozen)]
pub(crate) struct PyAsyncSession {
    core: Arc<SessionCore>,
}

impl PyAsyncSession {
    fn call<'py>(
        &self,
        py: Python<'py>,
        method: Method,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
        body: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let query = json::params(params)?;
        let body: Option<Value> = match body {
            Some(b) if !b.is_none() => Some(json::from_python(b)?),
            _ => None,
        };
        let core = Arc::clone(&self.core);
        awaitable(py, async move {
            core.request(method, path, query, body).await.map(Json)
        })
    }
}

#[pymethods]
impl PyAsyncSession {
    /// Awaitable `GET {path}`.
    #[pyo3(signature = (path, params=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, Method::Get, path, params, None)
    }

    /// Awaitable `POST {path}` with a JSON body.
    #[pyo3(signature = (path, params=None, json=None))]
    fn post<'py>(
        &self,
        py: Python<'py>,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
        json: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, Method::Post, path, params, json)
    }

    /// Awaitable `PUT {path}` with a JSON body.
    #[pyo3(signature = (path, params=None, json=None))]
    fn put<'py>(
        &self,
        py: Python<'py>,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
        json: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, Method::Put, path, params, json)
    }

    /// Awaitable `DELETE {path}`.
    #[pyo3(signature = (path, params=None))]
    fn delete<'py>(
        &self,
        py: Python<'py>,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        self.call(py, Method::Delete, path, params, None)
    }

    /// Awaitable call with any method.
    #[pyo3(signature = (method, path, params=None, json=None))]
    fn request<'py>(
        &self,
        py: Python<'py>,
        method: Text,
        path: Text,
        params: Option<&Bound<'py, PyAny>>,
        json: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let method = crate::session::method(py, &method)?;
        self.call(py, method, path, params, json)
    }

    /// Every object of `GET {obj_code}/search` matching the filters, as an async iterator.
    #[pyo3(signature = (obj_code, *, page_size=None, **filters))]
    fn search(
        &self,
        obj_code: Text,
        page_size: Option<u32>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyAsyncSearchIterator> {
        let filters = json::filters(filters)?;
        let core = Arc::clone(&self.core);
        // The client is looked up when the first page is fetched (after a fork it is rebuilt
        // there, on the runtime).
        let stream = futures::stream::once(async move { core.client().await })
            .map(move |client| -> BoxStream<'static, Result<Value, Error>> {
                match client {
                    Err(e) => futures::stream::once(async move { Err(e) }).boxed(),
                    Ok(client) => {
                        let pairs = json::borrowed(&filters);
                        match page_size {
                            Some(size) => client
                                .search_with_page_size(&obj_code, &pairs, size)
                                .boxed(),
                            None => client.search(&obj_code, &pairs).boxed(),
                        }
                    }
                }
            })
            .flatten()
            .boxed();
        Ok(PyAsyncSearchIterator {
            stream: Arc::new(tokio::sync::Mutex::new(Some(stream))),
        })
    }

    /// Awaitable: renews the tokens now (unless another caller just did).
    fn refresh<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = Arc::clone(&self.core);
        awaitable(py, async move { core.client().await?.refresh().await })
    }

    /// Awaitable: ends the Workfront session and forgets the stored credential.
    fn logout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = Arc::clone(&self.core);
        awaitable(py, async move { core.client().await?.logout().await })
    }

    /// The tokens in use.
    #[getter]
    fn tokens(&self) -> PyTokenSet {
        PyTokenSet::new(self.core.tokens())
    }

    /// The store key, or None for a session without a store.
    #[getter]
    fn key(&self) -> Option<String> {
        self.core.key().map(str::to_owned)
    }

    /// Whether the user must sign in again before the next call can succeed.
    #[getter]
    fn reauth_required(&self) -> bool {
        self.core.reauth_required()
    }

    /// Awaitable: the headers that carry the credential (refreshed first when due).
    fn auth_headers<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let core = Arc::clone(&self.core);
        awaitable(
            py,
            async move { core.auth_headers().await.map(headers_dict) },
        )
    }

    /// Awaitable: reports that a request carrying `sent_headers` was refused; True when it
    /// should be sent again with `auth_headers()`.
    fn on_auth_failure<'py>(
        &self,
        py: Python<'py>,
        sent_headers: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let sent = header_pairs(sent_headers)?;
        let core = Arc::clone(&self.core);
        awaitable(py, async move { core.on_auth_failure(sent).await })
    }

    fn __repr__(&self) -> String {
        let tokens = self.core.tokens();
        format!(
            "AsyncSession(instance={:?}, key={:?}, access_token=[redacted {}])",
            tokens.instance().origin(),
            self.core.key(),
            tokens.access_token().fingerprint()
        )
    }
}

type SharedStream = Arc<tokio::sync::Mutex<Option<BoxStream<'static, Result<Value, Error>>>>>;

/// The next object of an async search, or its end.
enum Next {
    Item(Value),
    End,
}

impl<'py> IntoPyObject<'py> for Next {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Next::Item(value) => Json(value).into_pyobject(py),
            Next::End => Err(PyStopAsyncIteration::new_err(())),
        }
    }
}

/// The objects of a search as an async iterator (`wf_oauth.AsyncSearchIterator`).
#[pyclass(name = "AsyncSearchIterator", module = "wf_oauth", frozen)]
pub(crate) struct PyAsyncSearchIterator {
    stream: SharedStream,
}

#[pymethods]
impl PyAsyncSearchIterator {
    fn __aiter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __anext__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let stream = Arc::clone(&self.stream);
        awaitable(py, async move {
            let mut guard = stream.lock().await;
            let Some(s) = guard.as_mut() else {
                return Ok(Next::End);
            };
            match s.next().await {
                Some(Ok(value)) => Ok(Next::Item(value)),
                Some(Err(e)) => {
                    // The search cannot continue after an error.
                    *guard = None;
                    Err(e)
                }
                None => {
                    *guard = None;
                    Ok(Next::End)
                }
            }
        })
    }
}

/// Panics inside the library on purpose, through the same path every blocking call (or,
/// with `asynchronous=True`, every awaitable) takes — so that the tests can check that a
/// panic reaches Python as `wf_oauth.InternalError`. Not part of the public API.
#[pyfunction(name = "_panic_for_tests")]
#[pyo3(signature = (asynchronous=false))]
pub(crate) fn panic_for_tests(py: Python<'_>, asynchronous: bool) -> PyResult<Bound<'_, PyAny>> {
    async fn defect() -> Result<(), Error> {
        if std::process::id() != 0 {
            panic!("a deliberate panic, for the tests");
        }
        Ok(())
    }
    if asynchronous {
        return awaitable(py, defect());
    }
    py.detach(|| wf_oauth_http::block_on(defect()))
        .map_err(Error::from)
        .and_then(|r| r)
        .py_result(py)?;
    Ok(py.None().into_bound(py))
}
