//! Token stores: the driver's memory and file stores as Python classes, and any Python
//! object with `load(key)` / `save(key, document)` methods adapted to the driver's
//! [`TokenStore`] trait.
//!
//! All three speak the same Python protocol (`load(key) -> str | None`,
//! `save(key, document: str) -> None`, optional `delete(key) -> None`), where a document
//! is the driver's versioned credential JSON. A Python store only keeps strings; the
//! compare-and-swap on generations that the driver needs is done here, around its calls.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use wf_oauth_http::{
    FileTokenStore, MemoryTokenStore, StoreError, StoredCredential, TokenStore, async_trait,
    block_on,
};

use crate::errors::{IntoPyResult, invalid_argument};
use crate::text::Text;

/// Runs a store operation from Python, without the GIL.
fn run<T: Send + 'static>(
    py: Python<'_>,
    op: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> PyResult<T> {
    py.detach(|| {
        block_on(op)
            .map_err(wf_oauth_http::Error::from)
            .and_then(|r| r.map_err(wf_oauth_http::Error::from))
    })
    .py_result(py)
}

fn load_document(
    py: Python<'_>,
    store: Arc<dyn TokenStore>,
    key: String,
) -> PyResult<Option<String>> {
    let stored = run(py, async move { store.load(&key).await })?;
    stored
        .map(|c| {
            c.to_document()
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        })
        .transpose()
        .map_err(wf_oauth_http::Error::from)
        .py_result(py)
}

fn save_document(
    py: Python<'_>,
    store: Arc<dyn TokenStore>,
    key: String,
    document: &str,
) -> PyResult<()> {
    let credential = StoredCredential::from_document(document.as_bytes())
        .map_err(wf_oauth_http::Error::from)
        .py_result(py)?;
    run(py, async move {
        store.save(&key, &credential, None).await.map(drop)
    })
}

fn delete_document(py: Python<'_>, store: Arc<dyn TokenStore>, key: String) -> PyResult<()> {
    run(py, async move { store.delete(&key).await })
}

/// Credentials in memory, for one process (`wf_oauth.MemoryTokenStore`).
#[pyclass(name = "MemoryTokenStore", module = "wf_oauth", frozen)]
pub(crate) struct PyMemoryTokenStore {
    inner: Arc<MemoryTokenStore>,
}

#[pymethods]
impl PyMemoryTokenStore {
    #[new]
    fn py_new() -> Self {
        PyMemoryTokenStore {
            inner: Arc::new(MemoryTokenStore::new()),
        }
    }

    /// The credential document stored under `key`, or None.
    fn load(&self, py: Python<'_>, key: Text) -> PyResult<Option<String>> {
        load_document(py, self.inner.clone(), key.into())
    }

    /// Stores a credential document under `key`.
    fn save(&self, py: Python<'_>, key: Text, document: Text) -> PyResult<()> {
        save_document(py, self.inner.clone(), key.into(), &document)
    }

    /// Forgets the credential stored under `key`.
    fn delete(&self, py: Python<'_>, key: Text) -> PyResult<()> {
        delete_document(py, self.inner.clone(), key.into())
    }

    fn __repr__(&self) -> &'static str {
        "MemoryTokenStore()"
    }
}

/// Credentials in files of a private directory, shared safely between processes
/// (`wf_oauth.FileTokenStore`).
#[pyclass(name = "FileTokenStore", module = "wf_oauth", frozen)]
pub(crate) struct PyFileTokenStore {
    inner: Arc<FileTokenStore>,
}

#[pymethods]
impl PyFileTokenStore {
    #[new]
    fn py_new(py: Python<'_>, directory: std::path::PathBuf) -> PyResult<Self> {
        let store = FileTokenStore::new(directory)
            .map_err(wf_oauth_http::Error::from)
            .py_result(py)?;
        Ok(PyFileTokenStore {
            inner: Arc::new(store),
        })
    }

    /// The directory holding the documents.
    #[getter]
    fn directory(&self) -> std::path::PathBuf {
        self.inner.dir().to_path_buf()
    }

    /// The file that holds (or will hold) the credential of `key`.
    fn path(&self, key: Text) -> std::path::PathBuf {
        self.inner.document_path(&key)
    }

    /// The credential document stored under `key`, or None.
    fn load(&self, py: Python<'_>, key: Text) -> PyResult<Option<String>> {
        load_document(py, self.inner.clone(), key.into())
    }

    /// Stores a credential document under `key`.
    fn save(&self, py: Python<'_>, key: Text, document: Text) -> PyResult<()> {
        save_document(py, self.inner.clone(), key.into(), &document)
    }

    /// Forgets the credential stored under `key`.
    fn delete(&self, py: Python<'_>, key: Text) -> PyResult<()> {
        delete_document(py, self.inner.clone(), key.into())
    }

    fn __repr__(&self) -> String {
        format!("FileTokenStore({:?})", self.inner.dir())
    }
}

/// A Python object used as a token store.
pub(crate) struct ForeignStore {
    object: Arc<Py<PyAny>>,
    type_name: String,
    has_delete: bool,
    /// Serializes this process's writes, and remembers the highest generation handed out
    /// per key, so generations keep growing even after a delete.
    writes: tokio::sync::Mutex<HashMap<String, u64>>,
}

impl fmt::Debug for ForeignStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ForeignStore({})", self.type_name)
    }
}

/// What a Python store method returned.
enum Returned {
    Nothing,
    Text(String),
}

impl ForeignStore {
    /// Calls `method(*args)` on the Python object in a blocking thread that takes the GIL,
    /// so the runtime's workers never wait for it.
    async fn call(&self, method: &'static str, args: Vec<String>) -> Result<Returned, StoreError> {
        let object = Arc::clone(&self.object);
        let task = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let result = object
                    .bind(py)
                    .call_method1(
                        method,
                        pyo3::types::PyTuple::new(py, args)
                            .map_err(|e| py_failure(py, method, &e))?,
                    )
                    .map_err(|e| py_failure(py, method, &e))?;
                if result.is_none() {
                    Ok(Returned::Nothing)
                } else if let Ok(text) = result.cast::<PyString>() {
                    text.extract::<String>()
                        .map(Returned::Text)
                        .map_err(|e| py_failure(py, method, &e))
                } else if let Ok(bytes) = result.cast::<PyBytes>() {
                    String::from_utf8(bytes.as_bytes().to_vec())
                        .map(Returned::Text)
                        .map_err(|_| {
                            StoreError::Backend(format!(
                                "{method}() returned bytes that are not UTF-8"
                            ))
                        })
                } else {
                    Err(StoreError::Backend(format!(
                        "{method}() must return str or None, not {}",
                        result
                            .get_type()
                            .name()
                            .map(|n| n.to_string())
                            .unwrap_or_default()
                    )))
                }
            })
        });
        task.await
            .map_err(|_| StoreError::Backend(format!("the call to {method}() did not complete")))?
    }

    async fn load_document(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.call("load", vec![key.to_owned()]).await? {
            Returned::Nothing => Ok(None),
            Returned::Text(text) => Ok(Some(text)),
        }
    }

    async fn save_document(
        &self,
        key: &str,
        credential: &StoredCredential,
    ) -> Result<(), StoreError> {
        let bytes = credential.to_document()?;
        let text = String::from_utf8(bytes)
            .map_err(|_| StoreError::Corrupt("the document is not UTF-8".into()))?;
        self.call("save", vec![key.to_owned(), text])
            .await
            .map(drop)
    }
}

/// A Python exception raised by a store method, as a storage error: the exception's type
/// and message (the store's own words), never the arguments it was given.
fn py_failure(py: Python<'_>, method: &str, error: &PyErr) -> StoreError {
    let type_name = error
        .get_type(py)
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "Exception".into());
    let message = error
        .value(py)
        .str()
        .and_then(|s| s.extract::<String>())
        .unwrap_or_default();
    StoreError::Backend(format!("{method}() raised {type_name}: {message}"))
}

#[async_trait]
impl TokenStore for ForeignStore {
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        self.load_document(key)
            .await?
            .map(|text| StoredCredential::from_document(text.as_bytes()))
            .transpose()
    }

    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError> {
        let mut marks = self.writes.lock().await;
        let current = match self.load(key).await {
            Ok(current) => current,
            // A new sign-in may replace an unreadable document; a refresh may not.
            Err(StoreError::Corrupt(_)) if expected_generation.is_none() => None,
            Err(e) => return Err(e),
        };
        let found = current.as_ref().map(|c| c.generation);
        if let Some(expected) = expected_generation
            && found != Some(expected)
        {
            return Err(StoreError::Conflict {
                expected: Some(expected),
                found,
            });
        }
        let mark = marks.entry(key.to_owned()).or_insert(0);
        let generation = found.unwrap_or(0).max(*mark) + 1;
        let mut written = credential.clone();
        written.generation = generation;
        self.save_document(key, &written).await?;
        *mark = generation;
        Ok(generation)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let _marks = self.writes.lock().await;
        if self.has_delete {
            return self.call("delete", vec![key.to_owned()]).await.map(drop);
        }
        // Without `delete`, the credential is kept but marked as needing a new sign-in,
        // which every client treats like a missing one.
        if let Some(mut current) = self.load(key).await? {
            current.reauth_required = true;
            self.save_document(key, &current).await?;
        }
        Ok(())
    }
}

/// The driver store behind a Python `store=` argument: one of ours, or any object with
/// callable `load` and `save` methods.
pub(crate) fn resolve(store: &Bound<'_, PyAny>) -> PyResult<Arc<dyn TokenStore>> {
    if let Ok(memory) = store.cast::<PyMemoryTokenStore>() {
        return Ok(memory.get().inner.clone());
    }
    if let Ok(file) = store.cast::<PyFileTokenStore>() {
        return Ok(file.get().inner.clone());
    }
    let callable = |name: &str| -> PyResult<bool> {
        Ok(store.hasattr(name)? && store.getattr(name)?.is_callable())
    };
    if !(callable("load")? && callable("save")?) {
        return Err(invalid_argument(
            store.py(),
            "a token store needs load(key) and save(key, document) methods",
        ));
    }
    Ok(Arc::new(ForeignStore {
        object: Arc::new(store.clone().unbind()),
        type_name: store.get_type().name()?.to_string(),
        has_delete: callable("delete")?,
        writes: tokio::sync::Mutex::new(HashMap::new()),
    }))
}
