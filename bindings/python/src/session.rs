//! `Session`: the driver's authorized Workfront client, blocking, for one credential.
//!
//! [`SessionCore`] is shared with the asyncio flavour ([`crate::aio`]): it holds the
//! driver client, rebuilds it in a forked child, and serves the credential to the
//! `httpx`/`requests` adapters (which send their own requests but refresh through the same
//! single-flight path as every other caller).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use futures::stream::BoxStream;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};
use serde_json::Value;
use wf_oauth_core::{
    Headers, HttpResponse, Method, Renewal, TokenSet, UnixTime, classify_api_response,
};
use wf_oauth_http::{CredentialStore, Error, Result, WorkfrontClient};

use crate::errors::{IntoPyResult, invalid_argument};
use crate::json::{self, Json};
use crate::options::Engine;
use crate::text::Text;
use crate::tokens::{PyTokenSet, now_unix};

/// How a session is opened.
pub(crate) enum Opening {
    /// Tokens from a sign-in (saved to the store first, when there is one).
    Tokens(TokenSet),
    /// A key under which the store already holds a credential.
    Key(String),
    /// The client credentials grant (Server-to-Server): the application acts as itself.
    /// With a key, the token is shared through the client's store under it (a fresh
    /// stored one is reused); without, it lives in memory.
    ClientCredentials,
}

/// The state shared by `Session` and `AsyncSession`.
pub(crate) struct SessionCore {
    engine: Arc<Engine>,
    /// The store and key, or None for tokens kept in a private in-memory store.
    store: Option<(CredentialStore, String)>,
    /// The driver client and the process it belongs to.
    current: Mutex<(u32, WorkfrontClient)>,
}

impl SessionCore {
    /// Opens a session: from tokens (saved under `key` when a store is configured), from
    /// the credential stored under a key, or with the client credentials grant (shared
    /// through the store under `key` when one is given).
    pub(crate) async fn open(
        engine: Arc<Engine>,
        opening: Opening,
        key: Option<String>,
    ) -> Result<SessionCore> {
        let oauth = engine.oauth()?;
        let (client, store) = match (opening, engine.store.clone()) {
            (Opening::Tokens(tokens), None) => (WorkfrontClient::from_tokens(oauth, tokens), None),
            (Opening::Tokens(tokens), Some(store)) => {
                let key = key.unwrap_or_else(|| "default".to_owned());
                let client =
                    WorkfrontClient::login(oauth, store.clone(), key.clone(), tokens).await?;
                (client, Some((store, key)))
            }
            (Opening::Key(key), Some(store)) => {
                let client = WorkfrontClient::open(oauth, store.clone(), key.clone()).await?;
                (client, Some((store, key)))
            }
            (Opening::Key(_), None) => {
                return Err(invalid(
                    "opening a session by key needs a client with a store",
                ));
            }
            (Opening::ClientCredentials, store) => match (key, store) {
                (None, _) => (WorkfrontClient::client_credentials(oauth).await?, None),
                (Some(key), Some(store)) => {
                    let client =
                        WorkfrontClient::open_client_credentials(oauth, store.clone(), key.clone())
                            .await?;
                    (client, Some((store, key)))
                }
                (Some(_), None) => {
                    return Err(invalid(
                        "client_credentials_session(key=...) shares the token through the client's store: give the client a store",
                    ));
                }
            },
        };
        Ok(SessionCore {
            engine,
            store,
            current: Mutex::new((std::process::id(), client)),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (u32, WorkfrontClient)> {
        // A poisoned lock only means a panic elsewhere; the pair is always whole.
        self.current.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The driver client of this process: in a forked child, a new one over a new
    /// connection pool, with the tokens the parent had (or the store's, when there is one).
    pub(crate) async fn client(&self) -> Result<WorkfrontClient> {
        let pid = std::process::id();
        let stale = {
            let current = self.lock();
            if current.0 == pid {
                return Ok(current.1.clone());
            }
            current.1.clone()
        };
        let oauth = self.engine.oauth()?;
        let fresh = match (&self.store, stale.renewal()) {
            (Some((store, key)), Renewal::ClientCredentials) => {
                WorkfrontClient::open_client_credentials(oauth, store.clone(), key.clone()).await?
            }
            (Some((store, key)), _) => {
                WorkfrontClient::open(oauth, store.clone(), key.clone()).await?
            }
            // The parent's token, in a store of the child's own: used while fresh,
            // re-requested with the client credentials grant when due.
            (None, Renewal::ClientCredentials) => {
                WorkfrontClient::from_client_credentials_tokens(oauth, stale.current_tokens())
            }
            (None, _) => WorkfrontClient::from_tokens(oauth, stale.current_tokens()),
        };
        let mut current = self.lock();
        if current.0 != pid {
            *current = (pid, fresh);
        }
        Ok(current.1.clone())
    }

    /// The driver client without waiting, when no fork happened (the common case).
    pub(crate) fn client_now(&self) -> Option<WorkfrontClient> {
        let current = self.lock();
        (current.0 == std::process::id()).then(|| current.1.clone())
    }

    /// The tokens in use.
    pub(crate) fn tokens(&self) -> TokenSet {
        self.lock().1.current_tokens()
    }

    /// Whether the user must sign in again.
    pub(crate) fn reauth_required(&self) -> bool {
        self.lock().1.reauth_required()
    }

    /// The store key, when the session has a store.
    pub(crate) fn key(&self) -> Option<&str> {
        self.store.as_ref().map(|(_, key)| key.as_str())
    }

    /// One API call.
    pub(crate) async fn request(
        &self,
        method: Method,
        path: Text,
        query: Vec<(String, String)>,
        body: Option<Value>,
    ) -> Result<Value> {
        let client = self.client().await?;
        client
            .request(method, &path, &json::borrowed(&query), body.as_ref())
            .await
    }

    /// The credential headers for the current tokens, refreshed first when the lifecycle
    /// says they are due (the driver's [`WorkfrontClient::credential_headers`]).
    pub(crate) async fn auth_headers(&self) -> Result<Vec<(String, String)>> {
        let client = self.client().await?;
        Ok(header_list(client.credential_headers().await?.headers()))
    }

    /// After the request that carried `sent` was refused: the driver refreshes through its
    /// single-flight path, unless the tokens were already renewed since. Returns whether a
    /// retry with the current headers makes sense.
    pub(crate) async fn on_auth_failure(&self, sent: Vec<(String, String)>) -> Result<bool> {
        let client = self.client().await?;
        let current = client.credential_headers().await?;
        if same_headers(&header_list(current.headers()), &sent) {
            // The refused token is the current one: report its generation.
            client.on_auth_failure(current.generation()).await?;
        }
        Ok(true)
    }
}

/// An `InvalidArgument` error of the driver.
fn invalid(reason: &str) -> Error {
    wf_oauth_core::Error::InvalidArgument {
        reason: reason.into(),
    }
    .into()
}

/// Header pairs from the driver's headers.
fn header_list(headers: &Headers) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

fn same_headers(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.iter().all(|(name, value)| {
        b.iter()
            .any(|(n, v)| n.eq_ignore_ascii_case(name) && v == value)
    })
}

/// Parses an HTTP method name.
pub(crate) fn method(py: Python<'_>, name: &str) -> PyResult<Method> {
    match name.to_ascii_uppercase().as_str() {
        "GET" => Ok(Method::Get),
        "POST" => Ok(Method::Post),
        "PUT" => Ok(Method::Put),
        "DELETE" => Ok(Method::Delete),
        "PATCH" => Ok(Method::Patch),
        _ => Err(invalid_argument(
            py,
            format!("unsupported HTTP method {name:?}"),
        )),
    }
}

/// Header pairs from a Python mapping.
pub(crate) fn header_pairs(headers: &Bound<'_, PyAny>) -> PyResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    let items = headers.call_method0("items")?;
    for pair in items.try_iter()? {
        let (name, value) = pair?.extract::<(Text, Text)>()?;
        out.push((name.into(), value.into()));
    }
    Ok(out)
}

/// Header pairs as a Python dict.
pub(crate) fn headers_dict(pairs: Vec<(String, String)>) -> HashMap<String, String> {
    pairs.into_iter().collect()
}

/// Runs a session operation on the driver's runtime without the GIL.
fn run<T: Send + 'static>(
    py: Python<'_>,
    core: &Arc<SessionCore>,
    op: impl FnOnce(Arc<SessionCore>) -> futures::future::BoxFuture<'static, Result<T>> + Send,
) -> PyResult<T> {
    let core = Arc::clone(core);
    py.detach(move || {
        wf_oauth_http::block_on(op(core))
            .map_err(Error::from)
            .and_then(|r| r)
    })
    .py_result(py)
}

/// An authorized Workfront API session (`wf_oauth.Session`).
#[pyclass(name = "Session", module = "wf_oauth", frozen)]
pub(crate) struct PySession {
    pub(crate) core: Arc<SessionCore>,
}

impl PySession {
    fn call(
        &self,
        py: Python<'_>,
        method: Method,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
        body: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let query = json::params(params)?;
        let body = match body {
            Some(b) if !b.is_none() => Some(json::from_python(b)?),
            _ => None,
        };
        let value = run(py, &self.core, move |core| {
            Box::pin(async move { core.request(method, path, query, body).await })
        })?;
        Json(value).into_pyobject(py).map(Bound::unbind)
    }
}

#[pymethods]
impl PySession {
    /// `GET {path}`: the `data` of the answer, as Python objects.
    #[pyo3(signature = (path, params=None))]
    fn get(
        &self,
        py: Python<'_>,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, Method::Get, path, params, None)
    }

    /// `POST {path}` with a JSON body.
    #[pyo3(signature = (path, params=None, json=None))]
    fn post(
        &self,
        py: Python<'_>,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
        json: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, Method::Post, path, params, json)
    }

    /// `PUT {path}` with a JSON body.
    #[pyo3(signature = (path, params=None, json=None))]
    fn put(
        &self,
        py: Python<'_>,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
        json: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, Method::Put, path, params, json)
    }

    /// `DELETE {path}`.
    #[pyo3(signature = (path, params=None))]
    fn delete(
        &self,
        py: Python<'_>,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        self.call(py, Method::Delete, path, params, None)
    }

    /// Any method.
    #[pyo3(signature = (method, path, params=None, json=None))]
    fn request(
        &self,
        py: Python<'_>,
        method: Text,
        path: Text,
        params: Option<&Bound<'_, PyAny>>,
        json: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let method = self::method(py, &method)?;
        self.call(py, method, path, params, json)
    }

    /// Every object of `GET {obj_code}/search` matching the filters, page by page.
    #[pyo3(signature = (obj_code, *, page_size=None, **filters))]
    fn search(
        &self,
        py: Python<'_>,
        obj_code: Text,
        page_size: Option<u32>,
        filters: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PySearchIterator> {
        let filters = json::filters(filters)?;
        let client = match self.core.client_now() {
            Some(client) => client,
            None => run(py, &self.core, |core| {
                Box::pin(async move { core.client().await })
            })?,
        };
        let pairs = json::borrowed(&filters);
        let stream = match page_size {
            Some(size) => client
                .search_with_page_size(&obj_code, &pairs, size)
                .boxed(),
            None => client.search(&obj_code, &pairs).boxed(),
        };
        Ok(PySearchIterator {
            inner: Mutex::new(Some(stream)),
        })
    }

    /// Renews the tokens now (unless another caller just did).
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        run(py, &self.core, |core| {
            Box::pin(async move { core.client().await?.refresh().await })
        })
    }

    /// Ends the Workfront session and forgets the stored credential.
    fn logout(&self, py: Python<'_>) -> PyResult<()> {
        run(py, &self.core, |core| {
            Box::pin(async move { core.client().await?.logout().await })
        })
    }

    /// The tokens in use (they change after a refresh).
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

    /// The headers that carry the credential (refreshed first when due), for requests sent
    /// by another HTTP library.
    fn auth_headers(&self, py: Python<'_>) -> PyResult<HashMap<String, String>> {
        run(py, &self.core, |core| {
            Box::pin(async move { core.auth_headers().await })
        })
        .map(headers_dict)
    }

    /// Reports that a request carrying `sent_headers` was refused as unauthenticated:
    /// refreshes once (shared with every concurrent caller) unless newer tokens exist.
    /// Returns True when the request should be sent again with `auth_headers()`.
    fn on_auth_failure(&self, py: Python<'_>, sent_headers: &Bound<'_, PyAny>) -> PyResult<bool> {
        let sent = header_pairs(sent_headers)?;
        run(py, &self.core, move |core| {
            Box::pin(async move { core.on_auth_failure(sent).await })
        })
    }

    fn __repr__(&self) -> String {
        let tokens = self.core.tokens();
        format!(
            "Session(instance={:?}, key={:?}, access_token=[redacted {}])",
            tokens.instance().origin(),
            self.core.key(),
            tokens.access_token().fingerprint()
        )
    }
}

/// The objects of a search (`wf_oauth.SearchIterator`); each page is fetched when the
/// previous one is used up.
#[pyclass(name = "SearchIterator", module = "wf_oauth", frozen)]
pub(crate) struct PySearchIterator {
    inner: Mutex<Option<BoxStream<'static, Result<Value>>>>,
}

#[pymethods]
impl PySearchIterator {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let item = py.detach(|| {
            let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let mut stream = guard.take()?;
            // The stream moves onto the runtime for one step and comes back.
            match wf_oauth_http::block_on(async move { (stream.next().await, stream) }) {
                Ok((Some(Ok(value)), stream)) => {
                    *guard = Some(stream);
                    Some(Ok(value))
                }
                // Failed: the search cannot continue.
                Ok((Some(Err(e)), _)) => Some(Err(e)),
                Ok((None, _)) => None,
                Err(e) => Some(Err(Error::from(e))),
            }
        });
        match item {
            None => Ok(None),
            Some(result) => {
                let value = result.py_result(py)?;
                Json(value).into_pyobject(py).map(|b| Some(b.unbind()))
            }
        }
    }
}

/// Whether an API answer means the credential was refused (HTTP 401, or Workfront's
/// `AuthenticationException` even with HTTP 200), as the core reads it.
#[pyfunction]
#[pyo3(signature = (status, body))]
pub(crate) fn is_auth_failure(status: u16, body: &Bound<'_, PyBytes>) -> bool {
    let response = HttpResponse::new(status, Headers::new(), body.as_bytes().to_vec());
    classify_api_response(&response, UnixTime::from_secs(now_unix())).is_auth_failure()
}
