//! Token stores from Python: the driver's memory and file stores as Python classes, and
//! any Python object as a store backend.
//!
//! A Python object used as a store implements only the backend methods — it keeps
//! documents (the driver's versioned credential JSON, which carries its own generation)
//! by key — and the driver's one adapter does everything else (generations, the refresh
//! lease protocol, the corrupt-document rule, zeroizing, in-process locking):
//!
//! - `load(key) -> str | None` and `save(key, document) -> None` (required);
//! - `delete(key) -> None` (optional: without it a deleted credential is kept, marked as
//!   needing a new sign-in);
//! - `compare_and_swap(key, document, generation, expected_generation) -> bool`
//!   (optional: writes only if the stored generation is `expected_generation`, `None`
//!   meaning "nothing stored"; without it, concurrent writers are safe within this
//!   process only);
//! - `acquire_lease(key, owner, ttl_ms) -> bool` and `release_lease(key, owner) -> None`
//!   (optional: an atomic lease with a time-to-live; with compare-and-swap it makes one
//!   refresh per expiry hold across processes and machines).
//!
//! The same Python object always maps to the same adapter, so every client of the process
//! that uses it shares its in-process locks.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pyo3::IntoPyObjectExt;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use wf_oauth_core::{LeaseGrant, StoredCredential, document_generation};
use wf_oauth_http::{
    CredentialStore, FileTokenStore, Guarantees, MemoryTokenStore, SaveOutcome, Sharing,
    StoreBackend, StoreEntry, StoreError, async_trait, block_on,
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

/// The document-level methods every store class offers Python: `load`, `save`, `delete`.
fn load_document(py: Python<'_>, store: &CredentialStore, key: String) -> PyResult<Option<String>> {
    let store = store.clone();
    let stored = run(py, async move { store.load(&key).await })?;
    Ok(stored.map(|c| String::from_utf8_lossy(&c.to_document()).into_owned()))
}

fn save_document(
    py: Python<'_>,
    store: &CredentialStore,
    key: String,
    document: &str,
) -> PyResult<()> {
    let credential = StoredCredential::from_document(document.as_bytes())
        .map_err(|e| wf_oauth_http::Error::from(StoreError::Corrupt(e.to_string())))
        .py_result(py)?;
    let store = store.clone();
    run(py, async move {
        store.save(&key, &credential, None).await.map(drop)
    })
}

fn delete_document(py: Python<'_>, store: &CredentialStore, key: String) -> PyResult<()> {
    let store = store.clone();
    run(py, async move { store.delete(&key).await })
}

/// Credentials in memory, for one process (`wf_oauth.MemoryTokenStore`).
#[pyclass(name = "MemoryTokenStore", module = "wf_oauth", frozen)]
pub(crate) struct PyMemoryTokenStore {
    inner: CredentialStore,
}

#[pymethods]
impl PyMemoryTokenStore {
    #[new]
    fn py_new() -> Self {
        PyMemoryTokenStore {
            inner: CredentialStore::new(MemoryTokenStore::new()),
        }
    }

    /// The credential document stored under `key`, or None.
    fn load(&self, py: Python<'_>, key: Text) -> PyResult<Option<String>> {
        load_document(py, &self.inner, key.into())
    }

    /// Stores a credential document under `key`.
    fn save(&self, py: Python<'_>, key: Text, document: Text) -> PyResult<()> {
        save_document(py, &self.inner, key.into(), &document)
    }

    /// Forgets the credential stored under `key`.
    fn delete(&self, py: Python<'_>, key: Text) -> PyResult<()> {
        delete_document(py, &self.inner, key.into())
    }

    fn __repr__(&self) -> &'static str {
        "MemoryTokenStore()"
    }
}

/// Credentials in files of a private directory, shared safely between the processes of one
/// machine (`wf_oauth.FileTokenStore`).
#[pyclass(name = "FileTokenStore", module = "wf_oauth", frozen)]
pub(crate) struct PyFileTokenStore {
    files: FileTokenStore,
    inner: CredentialStore,
}

#[pymethods]
impl PyFileTokenStore {
    #[new]
    fn py_new(py: Python<'_>, directory: std::path::PathBuf) -> PyResult<Self> {
        let files = FileTokenStore::new(directory)
            .map_err(wf_oauth_http::Error::from)
            .py_result(py)?;
        Ok(PyFileTokenStore {
            inner: CredentialStore::new(files.clone()),
            files,
        })
    }

    /// The directory holding the documents.
    #[getter]
    fn directory(&self) -> std::path::PathBuf {
        self.files.dir().to_path_buf()
    }

    /// The file that holds (or will hold) the credential of `key`.
    fn path(&self, key: Text) -> std::path::PathBuf {
        self.files.document_path(&key)
    }

    /// The credential document stored under `key`, or None.
    fn load(&self, py: Python<'_>, key: Text) -> PyResult<Option<String>> {
        load_document(py, &self.inner, key.into())
    }

    /// Stores a credential document under `key`.
    fn save(&self, py: Python<'_>, key: Text, document: Text) -> PyResult<()> {
        save_document(py, &self.inner, key.into(), &document)
    }

    /// Forgets the credential stored under `key`.
    fn delete(&self, py: Python<'_>, key: Text) -> PyResult<()> {
        delete_document(py, &self.inner, key.into())
    }

    fn __repr__(&self) -> String {
        format!("FileTokenStore({:?})", self.files.dir())
    }
}

/// Which optional backend methods a Python store has.
#[derive(Debug, Clone, Copy)]
struct Methods {
    delete: bool,
    compare_and_swap: bool,
    leases: bool,
}

/// A Python object used as a [`StoreBackend`].
pub(crate) struct ForeignBackend {
    object: Arc<Py<PyAny>>,
    type_name: String,
    methods: Methods,
}

impl fmt::Debug for ForeignBackend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ForeignBackend({})", self.type_name)
    }
}

/// A value handed to a Python store method.
enum Arg {
    Text(String),
    Int(u64),
    None,
}

/// What a Python store method returned.
enum Returned {
    Nothing,
    Text(String),
    Bool(bool),
}

impl ForeignBackend {
    /// Calls `method(*args)` on the Python object in a blocking thread that takes the GIL,
    /// so the runtime's workers never wait for it.
    async fn call(&self, method: &'static str, args: Vec<Arg>) -> Result<Returned, StoreError> {
        let object = Arc::clone(&self.object);
        let task = tokio::task::spawn_blocking(move || {
            Python::attach(|py| {
                let args: Vec<Py<PyAny>> = args
                    .into_iter()
                    .map(|a| match a {
                        Arg::Text(s) => s.into_py_any(py),
                        Arg::Int(n) => n.into_py_any(py),
                        Arg::None => Ok(py.None()),
                    })
                    .collect::<PyResult<_>>()
                    .map_err(|e| py_failure(py, method, &e))?;
                let args =
                    pyo3::types::PyTuple::new(py, args).map_err(|e| py_failure(py, method, &e))?;
                let result = object
                    .bind(py)
                    .call_method1(method, args)
                    .map_err(|e| py_failure(py, method, &e))?;
                returned(method, &result)
            })
        });
        task.await
            .map_err(|_| StoreError::Backend(format!("the call to {method}() did not complete")))?
    }

    async fn load_text(&self, key: &str) -> Result<Option<String>, StoreError> {
        match self.call("load", vec![Arg::Text(key.to_owned())]).await? {
            Returned::Nothing => Ok(None),
            Returned::Text(text) => Ok(Some(text)),
            Returned::Bool(_) => Err(StoreError::Backend(
                "load() must return str or None, not bool".into(),
            )),
        }
    }

    fn text_of(entry: &StoreEntry) -> Result<String, StoreError> {
        String::from_utf8(entry.document.to_vec())
            .map_err(|_| StoreError::Corrupt("the document is not UTF-8".into()))
    }
}

/// Reads what a store method returned: None, text (str or UTF-8 bytes) or a bool.
fn returned(method: &str, result: &Bound<'_, PyAny>) -> Result<Returned, StoreError> {
    if result.is_none() {
        Ok(Returned::Nothing)
    } else if let Ok(b) = result.cast::<pyo3::types::PyBool>() {
        Ok(Returned::Bool(b.is_true()))
    } else if let Ok(text) = result.cast::<PyString>() {
        text.extract::<String>().map(Returned::Text).map_err(|_| {
            StoreError::Backend(format!(
                "{method}() returned text that is not valid Unicode"
            ))
        })
    } else if let Ok(bytes) = result.cast::<PyBytes>() {
        String::from_utf8(bytes.as_bytes().to_vec())
            .map(Returned::Text)
            .map_err(|_| {
                StoreError::Backend(format!("{method}() returned bytes that are not UTF-8"))
            })
    } else {
        let wanted = if method == "load" {
            "str or None"
        } else {
            "a bool or None"
        };
        Err(StoreError::Backend(format!(
            "{method}() must return {wanted}, not {}",
            result
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        )))
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
impl StoreBackend for ForeignBackend {
    fn guarantees(&self) -> Guarantees {
        Guarantees {
            compare_and_swap: self.methods.compare_and_swap,
            leases: self.methods.leases,
            // An application that implements atomic compare-and-swap and leases does so
            // over something shared (a database, a cache): trust it to be shared.
            shared_by: if self.methods.compare_and_swap && self.methods.leases {
                Sharing::Network
            } else {
                Sharing::Process
            },
        }
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        let Some(text) = self.load_text(key).await? else {
            return Ok(None);
        };
        let generation =
            document_generation(text.as_bytes()).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(Some(StoreEntry::new(generation, text.into_bytes())))
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        let text = Self::text_of(entry)?;
        if self.methods.compare_and_swap && expected.is_some() {
            let args = vec![
                Arg::Text(key.to_owned()),
                Arg::Text(text),
                Arg::Int(entry.generation),
                expected.map_or(Arg::None, Arg::Int),
            ];
            return match self.call("compare_and_swap", args).await? {
                Returned::Bool(true) => Ok(SaveOutcome::Saved),
                Returned::Bool(false) => {
                    let found = self.load(key).await.ok().flatten().map(|e| e.generation);
                    Ok(SaveOutcome::Conflict { found })
                }
                _ => Err(StoreError::Backend(
                    "compare_and_swap() must return a bool".into(),
                )),
            };
        }
        self.call("save", vec![Arg::Text(key.to_owned()), Arg::Text(text)])
            .await
            .map(|_| SaveOutcome::Saved)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        if self.methods.delete {
            return self
                .call("delete", vec![Arg::Text(key.to_owned())])
                .await
                .map(drop);
        }
        // Without `delete`, the credential is kept but marked as needing a new sign-in,
        // which every client treats like a missing one.
        let Some(entry) = self.load(key).await? else {
            return Ok(());
        };
        let mut marked = StoredCredential::from_document(&entry.document)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .needing_sign_in();
        marked.generation = entry.generation + 1;
        let entry = StoreEntry::new(marked.generation, marked.to_document());
        self.call(
            "save",
            vec![Arg::Text(key.to_owned()), Arg::Text(Self::text_of(&entry)?)],
        )
        .await
        .map(drop)
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        if !self.methods.leases {
            return Ok(LeaseGrant::Unsupported);
        }
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let args = vec![
            Arg::Text(key.to_owned()),
            Arg::Text(owner.to_owned()),
            Arg::Int(ttl_ms),
        ];
        match self.call("acquire_lease", args).await? {
            Returned::Bool(true) => Ok(LeaseGrant::Acquired),
            Returned::Bool(false) => Ok(LeaseGrant::HeldByOther { remaining: None }),
            _ => Err(StoreError::Backend(
                "acquire_lease() must return a bool".into(),
            )),
        }
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        if !self.methods.leases {
            return Ok(());
        }
        self.call(
            "release_lease",
            vec![Arg::Text(key.to_owned()), Arg::Text(owner.to_owned())],
        )
        .await
        .map(drop)
    }
}

/// The adapter of each Python object used as a store, so that every client of the process
/// using the object shares its in-process locks. Entries die with their adapter; while one
/// lives its backend holds the object, so the object's address cannot be reused.
fn adapters() -> std::sync::MutexGuard<'static, HashMap<usize, wf_oauth_http::WeakCredentialStore>>
{
    static ADAPTERS: OnceLock<Mutex<HashMap<usize, wf_oauth_http::WeakCredentialStore>>> =
        OnceLock::new();
    ADAPTERS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// The driver store behind a Python `store=` argument: one of ours, or any object with
/// callable `load` and `save` methods.
pub(crate) fn resolve(store: &Bound<'_, PyAny>) -> PyResult<CredentialStore> {
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
    let methods = Methods {
        delete: callable("delete")?,
        compare_and_swap: callable("compare_and_swap")?,
        leases: callable("acquire_lease")? && callable("release_lease")?,
    };
    let identity = store.as_ptr() as usize;
    let mut adapters = adapters();
    adapters.retain(|_, weak| weak.is_alive());
    if let Some(existing) = adapters.get(&identity).and_then(|w| w.upgrade()) {
        return Ok(existing);
    }
    let adapter = CredentialStore::new(ForeignBackend {
        object: Arc::new(store.clone().unbind()),
        type_name: store.get_type().name()?.to_string(),
        methods,
    });
    adapters.insert(identity, adapter.downgrade());
    Ok(adapter)
}

/// Checks that `store` keeps the token-store contract, with the driver's conformance suite
/// (the one every built-in store passes): loads, saves, deletes, compare-and-swap and
/// leases when the store has them. Uses keys that start with `key_prefix` plus a random
/// part, and removes them afterwards. Returns
/// `{"passed": bool, "checks": [(name, failure or None)], "skipped": [name], "report": str}`.
#[pyfunction]
#[pyo3(signature = (store, key_prefix=None))]
pub(crate) fn verify_store<'py>(
    py: Python<'py>,
    store: &Bound<'py, PyAny>,
    key_prefix: Option<Text>,
) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
    let backend = Arc::clone(resolve(store)?.backend());
    let prefix: String = key_prefix.map_or_else(|| "wf-oauth-check".to_owned(), String::from);
    let report = py
        .detach(|| block_on(async move { wf_oauth_http::verify_backend(backend, &prefix).await }))
        .map_err(wf_oauth_http::Error::from)
        .py_result(py)?;
    let out = pyo3::types::PyDict::new(py);
    out.set_item("passed", report.passed())?;
    out.set_item("checks", report.checks.clone())?;
    out.set_item("skipped", report.skipped.clone())?;
    out.set_item("report", report.to_string())?;
    Ok(out)
}
