//! Driver and core errors as the exceptions of `wf_oauth` (defined in
//! `python/wf_oauth/_errors.py`, so that they can carry typed attributes and
//! `InvalidArgument` can also be a `ValueError`).
//!
//! The class is chosen from the core's [`ErrorKind`] (never from message text); the
//! message is the driver's `Display`, which never contains a credential.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyModule};
use wf_oauth_core::ErrorKind;
use wf_oauth_http::Error;

/// The module holding the exception classes, imported once.
static ERRORS_MODULE: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python name of an error category, as exposed in `Error.kind`.
fn kind_name(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::InvalidArgument => "invalid_argument",
        ErrorKind::StateMismatch => "state_mismatch",
        ErrorKind::AuthorizationDenied => "authorization_denied",
        ErrorKind::AuthorizationFailed => "authorization_failed",
        ErrorKind::CodeExpired => "code_expired",
        ErrorKind::ReauthRequired => "reauth_required",
        ErrorKind::TokenEndpoint => "token_endpoint",
        ErrorKind::Api => "api",
        ErrorKind::Transport => "transport",
        ErrorKind::Storage => "storage",
        ErrorKind::Protocol => "protocol",
        ErrorKind::Internal => "internal",
        _ => "other",
    }
}

/// The exception class for an error.
fn class_name(error: &Error) -> &'static str {
    if error.is_rate_limited() {
        return "RateLimited";
    }
    match error.kind() {
        ErrorKind::InvalidArgument => "InvalidArgument",
        ErrorKind::StateMismatch => "StateMismatch",
        ErrorKind::AuthorizationDenied => "AuthorizationDenied",
        ErrorKind::AuthorizationFailed => "AuthorizationFailed",
        ErrorKind::CodeExpired => "CodeExpired",
        ErrorKind::ReauthRequired => "ReauthRequired",
        ErrorKind::TokenEndpoint => "TokenEndpointError",
        ErrorKind::Api => "ApiError",
        ErrorKind::Transport => "TransportError",
        ErrorKind::Storage => "StorageError",
        ErrorKind::Protocol => "ProtocolError",
        ErrorKind::Internal => "InternalError",
        _ => "Error",
    }
}

/// The structured fields of an error, as keyword arguments of the exception.
fn fields<'py>(py: Python<'py>, error: &Error) -> PyResult<Bound<'py, PyDict>> {
    let kw = PyDict::new(py);
    kw.set_item("kind", kind_name(error.kind()))?;
    kw.set_item("retryable", error.is_retryable())?;
    kw.set_item("status", error.status())?;
    kw.set_item("retry_after", error.retry_after().map(|d| d.as_secs_f64()))?;
    match error.as_protocol() {
        Some(wf_oauth_core::Error::TokenEndpoint {
            error, description, ..
        })
        | Some(wf_oauth_core::Error::AuthorizationError {
            error, description, ..
        })
        | Some(wf_oauth_core::Error::CodeRejected {
            error, description, ..
        }) => {
            kw.set_item("error", error)?;
            kw.set_item("description", description)?;
        }
        Some(wf_oauth_core::Error::AuthorizationDenied { description }) => {
            kw.set_item("error", "access_denied")?;
            kw.set_item("description", description)?;
        }
        Some(wf_oauth_core::Error::Api { class, message, .. })
        | Some(wf_oauth_core::Error::Workfront { class, message, .. }) => {
            kw.set_item("error_class", class)?;
            kw.set_item("message", message)?;
        }
        _ => {}
    }
    Ok(kw)
}

/// The `wf_oauth` exception for a driver error.
pub(crate) fn to_py_err(py: Python<'_>, error: &Error) -> PyErr {
    match build(py, error) {
        Ok(err) => err,
        // The exception module could not be imported (a broken installation): report that
        // rather than hide the original error, whose text is still safe to show.
        Err(import_error) => import_error,
    }
}

fn build(py: Python<'_>, error: &Error) -> PyResult<PyErr> {
    let module = ERRORS_MODULE.get_or_try_init(py, || {
        PyModule::import(py, "wf_oauth._errors").map(Bound::unbind)
    })?;
    let class = module.bind(py).getattr(class_name(error))?;
    let value = class.call((error.to_string(),), Some(&fields(py, error)?))?;
    Ok(PyErr::from_value(value))
}

/// Converts a driver result, raising the matching exception.
pub(crate) trait IntoPyResult<T> {
    /// The value, or the `wf_oauth` exception.
    fn py_result(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> IntoPyResult<T> for Result<T, Error> {
    fn py_result(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &e))
    }
}

impl<T> IntoPyResult<T> for Result<T, wf_oauth_core::Error> {
    fn py_result(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py_err(py, &Error::from(e)))
    }
}

/// An `InvalidArgument` raised by the binding itself (a Python value of the wrong shape).
pub(crate) fn invalid_argument(py: Python<'_>, reason: impl Into<String>) -> PyErr {
    to_py_err(
        py,
        &Error::from(wf_oauth_core::Error::InvalidArgument {
            reason: reason.into(),
        }),
    )
}
