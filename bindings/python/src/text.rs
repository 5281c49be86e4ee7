//! Text arguments as the SDK reads them.
//!
//! A Python `str` can hold what is not Unicode text at all: a lone surrogate
//! (`"\ud800"`), which `os.fsdecode` and `surrogateescape` produce from undecodable bytes.
//! Extracting it as a Rust `String` raises the interpreter's own `UnicodeEncodeError`,
//! which no `except wf_oauth.Error` catches. Every text argument of the module is a
//! [`Text`] instead: such a string is the SDK's `InvalidArgument`, like any other value
//! the SDK refuses.

use std::fmt;
use std::ops::Deref;

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::errors::invalid_argument;

/// A `str` argument that holds valid Unicode text.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct Text(pub(crate) String);

impl Text {
    /// Reads `value` as text: a `str` that is not valid Unicode is `InvalidArgument`; a
    /// value that is not a `str` raises the usual `TypeError`.
    pub(crate) fn of(value: &Bound<'_, PyAny>) -> PyResult<String> {
        match value.extract::<String>() {
            Ok(text) => Ok(text),
            Err(_) if value.is_instance_of::<PyString>() => Err(invalid_argument(
                value.py(),
                "the text is not valid Unicode (it contains a lone surrogate); pass text \
                 decoded with a real encoding",
            )),
            Err(e) => Err(e),
        }
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for Text {
    type Error = PyErr;

    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Text::of(&obj).map(Text)
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<Text> for String {
    fn from(text: Text) -> String {
        text.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Arguments may be secrets (a client secret, a callback with its code).
        f.write_str("Text(..)")
    }
}
