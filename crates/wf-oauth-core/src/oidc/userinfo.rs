//! Userinfo responses (OpenID Connect Core §5.3.2).

use std::fmt;

use serde_json::{Map, Value};

use super::{json_object, string_member};
use crate::error::Error;

/// The claims of a userinfo response: `sub`, `email`, `name`, and every claim as
/// received.
///
/// ```
/// use wf_oauth_core::{Error, UserInfo};
/// let body = br#"{"sub":"ABC@AdobeID","email":"ann@example.com","name":"Ann","given_name":"Ann"}"#;
/// let info = UserInfo::parse(body, Some("ABC@AdobeID"))?;
/// assert_eq!(info.email(), Some("ann@example.com"));
/// assert_eq!(info.get("given_name").and_then(|v| v.as_str()), Some("Ann"));
/// // About someone else than the id_token: must not be used.
/// assert_eq!(UserInfo::parse(body, Some("XYZ@AdobeID")), Err(Error::UserinfoSubjectMismatch));
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct UserInfo {
    sub: String,
    email: Option<String>,
    name: Option<String>,
    all: Map<String, Value>,
}

fn invalid(reason: impl Into<String>) -> Error {
    Error::UserinfoInvalid {
        reason: reason.into(),
    }
}

fn text(all: &Map<String, Value>, name: &str) -> Result<Option<String>, Error> {
    string_member(all, name)
        .map(|v| v.map(str::to_owned))
        .map_err(invalid)
}

impl UserInfo {
    /// Parses a userinfo response body (a JSON object; signed or encrypted userinfo
    /// responses are not supported). `sub` is required; when the id_token's `sub` is
    /// known (`id_token_sub`), the response's must be equal to it, else
    /// [`Error::UserinfoSubjectMismatch`] (Core §5.3.2: substitution attacks).
    pub fn parse(json: &[u8], id_token_sub: Option<&str>) -> Result<UserInfo, Error> {
        let all = json_object(json, "response").map_err(invalid)?;
        let sub = text(&all, "sub")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid("`sub` is missing"))?;
        if id_token_sub.is_some_and(|expected| expected != sub) {
            return Err(Error::UserinfoSubjectMismatch);
        }
        Ok(UserInfo {
            email: text(&all, "email")?,
            name: text(&all, "name")?,
            sub,
            all,
        })
    }

    /// `sub`.
    pub fn sub(&self) -> &str {
        &self.sub
    }

    /// `email`, if present.
    pub fn email(&self) -> Option<&str> {
        self.email.as_deref()
    }

    /// `name`, if present.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// A claim by name, as received.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.all.get(name)
    }

    /// Every claim as received, as one JSON object.
    pub fn to_json(&self) -> Map<String, Value> {
        self.all.clone()
    }
}

impl fmt::Debug for UserInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&String> = self.all.keys().collect();
        f.debug_struct("UserInfo")
            .field("sub", &self.sub)
            .field("email", &self.email)
            .field("name", &self.name)
            .field("claims", &names)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_is_required_and_checked() {
        let ok = UserInfo::parse(br#"{"sub":"u1","extra":[1,2]}"#, None).unwrap();
        assert_eq!(ok.sub(), "u1");
        assert_eq!(ok.email(), None);
        assert_eq!(ok.to_json()["extra"], serde_json::json!([1, 2]));
        assert!(format!("{ok:?}").contains("extra"));
        assert!(UserInfo::parse(br#"{"sub":"u1"}"#, Some("u1")).is_ok());
        assert_eq!(
            UserInfo::parse(br#"{"sub":"u1"}"#, Some("u2")),
            Err(Error::UserinfoSubjectMismatch)
        );
        for bad in [
            &br#"{"email":"a@b.c"}"#[..],
            br#"{"sub":""}"#,
            br#"{"sub":42}"#,
            br#"{"sub":"u","email":false}"#,
            br#"["sub"]"#,
            b"eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
        ] {
            assert!(
                matches!(
                    UserInfo::parse(bad, None),
                    Err(Error::UserinfoInvalid { .. })
                ),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        let huge = vec![b' '; crate::MAX_OIDC_DOCUMENT_BYTES + 1];
        assert!(matches!(
            UserInfo::parse(&huge, None),
            Err(Error::UserinfoInvalid { .. })
        ));
    }
}
