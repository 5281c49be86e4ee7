//! Newtypes for values that must never reach a log.
//!
//! Each type prints `[redacted]` through `Debug` and `Display`, wipes its memory when
//! dropped, compares in constant time, and hands its value out only through an explicit
//! `.secret()` call. `.fingerprint()` gives a short stable digest that is safe to log, so
//! two log lines can be correlated without revealing the value.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

pub(crate) fn fingerprint(value: &str) -> String {
    let digest = Sha256::digest(value.as_bytes());
    let mut out = String::with_capacity(8);
    for byte in &digest[..4] {
        out.push(char::from_digit(u32::from(byte >> 4), 16).unwrap_or('0'));
        out.push(char::from_digit(u32::from(byte & 0xf), 16).unwrap_or('0'));
    }
    out
}

pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    // Lengths of credentials are not secret; contents are.
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

macro_rules! secret_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone)]
        pub struct $name(String);

        impl $name {
            /// Wraps a value.
            pub fn new(value: impl Into<String>) -> Self {
                $name(value.into())
            }

            /// The value itself. Every use is a place where the secret leaves its wrapper.
            pub fn secret(&self) -> &str {
                &self.0
            }

            /// The first 8 hex characters of the SHA-256 of the value: safe to log.
            pub fn fingerprint(&self) -> String {
                fingerprint(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "([redacted])"))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("[redacted]")
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                constant_time_eq(&self.0, &other.0)
            }
        }

        impl Eq for $name {}

        impl Drop for $name {
            fn drop(&mut self) {
                self.0.zeroize();
            }
        }
    };
}

// Other modules declare their secrets with the same macros (in scope there: `fmt`,
// `Zeroize`, and this module's `fingerprint` and `constant_time_eq`).
pub(crate) use secret_type;

macro_rules! serde_secret {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                String::deserialize(deserializer).map($name)
            }
        }
    };
}

pub(crate) use serde_secret;

secret_type!(
    /// The client secret of a confidential client. Not serializable: it belongs in the
    /// application's configuration or secret manager, not next to tokens.
    ///
    /// ```
    /// use wf_oauth_core::ClientSecret;
    /// let s = ClientSecret::new("s3cr3t");
    /// assert_eq!(format!("{s} {s:?}"), "[redacted] ClientSecret([redacted])");
    /// assert_eq!(s.secret(), "s3cr3t");
    /// ```
    ClientSecret
);

secret_type!(
    /// The authorization code from the callback: single use, valid for two minutes.
    AuthorizationCode
);

secret_type!(
    /// A PKCE code verifier (RFC 7636 §4.1).
    PkceVerifier
);
serde_secret!(PkceVerifier);

secret_type!(
    /// An access token. With the Workfront legacy provider it is a `sessionID`.
    AccessToken
);
serde_secret!(AccessToken);

secret_type!(
    /// A refresh token. Workfront does not keep it for the client: store it safely, and
    /// store the new one after every refresh when rotation is on.
    RefreshToken
);
serde_secret!(RefreshToken);

secret_type!(
    /// The `state` value that binds a callback to the login attempt that started it.
    ///
    /// Not a credential by itself, but it is compared in constant time and kept out of
    /// logs so that a forged callback cannot be built from log output.
    State
);
serde_secret!(State);

impl State {
    /// Builds a state from 32 random bytes: 43 base64url characters, 256 bits.
    pub fn from_entropy(bytes: &[u8; 32]) -> Self {
        State(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// Whether a received value is this state, compared in constant time.
    pub fn matches(&self, received: &str) -> bool {
        constant_time_eq(&self.0, received)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_and_accessors() {
        let t = AccessToken::new("tok-123");
        assert_eq!(format!("{t}"), "[redacted]");
        assert_eq!(format!("{t:?}"), "AccessToken([redacted])");
        assert_eq!(t.secret(), "tok-123");
        assert_eq!(t.fingerprint().len(), 8);
        assert_eq!(t.fingerprint(), AccessToken::new("tok-123").fingerprint());
        assert_ne!(t.fingerprint(), AccessToken::new("tok-124").fingerprint());
    }

    #[test]
    fn equality_is_by_value() {
        assert_eq!(State::new("abc"), State::new("abc"));
        assert_ne!(State::new("abc"), State::new("abd"));
        assert_ne!(State::new("abc"), State::new("abcd"));
    }

    #[test]
    fn serde_round_trip() {
        let t = RefreshToken::new("r1");
        let json = serde_json::to_string(&t).unwrap();
        assert_eq!(json, "\"r1\"");
        let back: RefreshToken = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn state_from_entropy_is_43_chars() {
        assert_eq!(State::from_entropy(&[7; 32]).secret().len(), 43);
    }
}
