//! Text arguments from Kotlin and Swift.
//!
//! A Kotlin `String` can hold what is not Unicode text at all: a lone surrogate
//! (`"\uD800"`). uniffi's own conversion would throw the JVM's `MalformedInputException`,
//! which no `catch (e: WfOauthException)` catches. Every text argument of the bindings is a
//! [`Text`] instead: a custom type whose Kotlin conversion (configured in `uniffi.toml`)
//! checks the string first and throws `WfOauthException.InvalidArgument`, like any other
//! value the SDK refuses. Swift strings are always valid Unicode; there `Text` is `String`.

use std::fmt;
use std::ops::Deref;

/// Text passed in by the application (a Kotlin or Swift `String`).
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Text(pub(crate) String);

uniffi::custom_newtype!(Text, String);

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text(text)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text(text.to_owned())
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
