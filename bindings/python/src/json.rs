//! Python values ↔ JSON values and query parameters.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString};
use serde_json::Value;

use crate::errors::invalid_argument;
use crate::text::Text;

/// A JSON value from the API, converted to Python objects (dict, list, str, int, float,
/// bool, None) when handed to Python.
pub(crate) struct Json(pub(crate) Value);

impl<'py> IntoPyObject<'py> for Json {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> Result<Self::Output, Self::Error> {
        to_python(py, &self.0)
    }
}

/// A JSON value as Python objects.
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    pythonize::pythonize(py, value).map_err(PyErr::from)
}

/// A JSON-serializable Python value (a request body) as a JSON value.
pub(crate) fn from_python(value: &Bound<'_, PyAny>) -> PyResult<Value> {
    pythonize::depythonize(value).map_err(|e| {
        invalid_argument(
            value.py(),
            format!("the JSON body cannot be serialized: {e}"),
        )
    })
}

/// One query-parameter or filter value as Workfront expects it in a URL: strings as they
/// are, numbers in decimal, booleans as `true`/`false`.
fn param_value(value: &Bound<'_, PyAny>) -> PyResult<String> {
    if value.is_instance_of::<PyString>() {
        return Text::of(value);
    }
    if value.is_instance_of::<PyBool>() {
        return Ok(if value.is_truthy()? { "true" } else { "false" }.to_owned());
    }
    if value.is_instance_of::<PyInt>() || value.is_instance_of::<PyFloat>() {
        return value.str()?.extract::<String>();
    }
    Err(invalid_argument(
        value.py(),
        format!(
            "query parameter values must be str, int, float or bool, not {}",
            value.get_type().name()?
        ),
    ))
}

/// Query parameters from `None`, a mapping, or an iterable of `(name, value)` pairs
/// (which may repeat a name).
pub(crate) fn params(value: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    if value.is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    if let Ok(dict) = value.cast::<PyDict>() {
        for (k, v) in dict.iter() {
            out.push((name(&k)?, param_value(&v)?));
        }
        return Ok(out);
    }
    let items = if value.hasattr("items")? {
        value.call_method0("items")?
    } else {
        value.clone()
    };
    for pair in items.try_iter()? {
        let (k, v): (Bound<'_, PyAny>, Bound<'_, PyAny>) = pair?.extract().map_err(|_| {
            invalid_argument(
                value.py(),
                "query parameters must be a mapping or (name, value) pairs",
            )
        })?;
        out.push((name(&k)?, param_value(&v)?));
    }
    Ok(out)
}

/// Keyword filters (`status="CUR"`) as query parameters.
pub(crate) fn filters(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, String)>> {
    match kwargs {
        Some(dict) => params(Some(dict.as_any())),
        None => Ok(Vec::new()),
    }
}

fn name(key: &Bound<'_, PyAny>) -> PyResult<String> {
    if !key.is_instance_of::<PyString>() {
        return Err(invalid_argument(
            key.py(),
            "query parameter names must be str",
        ));
    }
    Text::of(key)
}

/// Borrowed pairs, as the driver takes them.
pub(crate) fn borrowed(pairs: &[(String, String)]) -> Vec<(&str, &str)> {
    pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}
