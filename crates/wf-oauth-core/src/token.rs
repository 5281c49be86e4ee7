//! The tokens a grant yields, and their stored form.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::Error;
use crate::instance::Instance;
use crate::secret::{AccessToken, RefreshToken};
use crate::time::UnixTime;

/// The stored format this version writes and reads.
pub const TOKEN_SET_FORMAT: u64 = 1;

/// The `token_type` of a token response, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TokenType {
    /// `sessionID` (Workfront legacy OAuth 2).
    SessionId,
    /// `Bearer`.
    Bearer,
    /// Anything else, as received.
    Other(String),
}

impl TokenType {
    /// Reads a `token_type` value in any case.
    ///
    /// ```
    /// use wf_oauth_core::TokenType;
    /// assert_eq!(TokenType::parse("SESSIONID"), TokenType::SessionId);
    /// assert_eq!(TokenType::parse("bearer"), TokenType::Bearer);
    /// ```
    pub fn parse(value: &str) -> TokenType {
        if value.eq_ignore_ascii_case("sessionid") {
            TokenType::SessionId
        } else if value.eq_ignore_ascii_case("bearer") {
            TokenType::Bearer
        } else {
            TokenType::Other(value.to_owned())
        }
    }

    /// The canonical spelling.
    pub fn as_str(&self) -> &str {
        match self {
            TokenType::SessionId => "sessionID",
            TokenType::Bearer => "Bearer",
            TokenType::Other(s) => s,
        }
    }
}

impl fmt::Display for TokenType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for TokenType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for TokenType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|s| TokenType::parse(&s))
    }
}

/// The tokens obtained from a grant, with what is known about them.
///
/// `expires_at` is `None` when the server gave no usable lifetime: Workfront answers
/// `expires_in: 0` because a session slides (it ends after a period of inactivity), so
/// 0 means "unknown", never "already expired".
///
/// Stored as versioned JSON with [`TokenSet::to_json`] / [`TokenSet::from_json`]:
/// `{"format":1,"access_token":…,"refresh_token":…,"token_type":…,"expires_at":…,
/// "wid":…,"instance":…,"obtained_at":…,"scope":…}`.
///
/// ```
/// use wf_oauth_core::{AccessToken, Instance, TokenSet, UnixTime};
/// let set = TokenSet::new(
///     AccessToken::new("sess-1"),
///     Instance::parse("acme.my.workfront.com")?,
///     UnixTime::from_secs(1_700_000_000),
/// );
/// let json = set.to_json();
/// assert!(json.starts_with(r#"{"format":1,"#));
/// assert_eq!(TokenSet::from_json(&json)?, set);
/// assert!(!format!("{set:?}").contains("sess-1"));
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredTokenSet", into = "StoredTokenSet")]
pub struct TokenSet {
    access_token: AccessToken,
    refresh_token: Option<RefreshToken>,
    token_type: TokenType,
    expires_at: Option<UnixTime>,
    wid: Option<String>,
    instance: Instance,
    obtained_at: UnixTime,
    scope: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct StoredTokenSet {
    format: u64,
    access_token: AccessToken,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
    token_type: TokenType,
    #[serde(default)]
    expires_at: Option<UnixTime>,
    #[serde(default)]
    wid: Option<String>,
    instance: Instance,
    obtained_at: UnixTime,
    #[serde(default)]
    scope: Option<String>,
}

impl TryFrom<StoredTokenSet> for TokenSet {
    type Error = Error;
    fn try_from(s: StoredTokenSet) -> Result<Self, Error> {
        if s.format != TOKEN_SET_FORMAT {
            return Err(Error::UnsupportedStoredFormat {
                found: s.format,
                supported: TOKEN_SET_FORMAT,
            });
        }
        Ok(TokenSet {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            token_type: s.token_type,
            expires_at: s.expires_at,
            wid: s.wid,
            instance: s.instance,
            obtained_at: s.obtained_at,
            scope: s.scope,
        })
    }
}

impl From<TokenSet> for StoredTokenSet {
    fn from(t: TokenSet) -> Self {
        StoredTokenSet {
            format: TOKEN_SET_FORMAT,
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: t.token_type,
            expires_at: t.expires_at,
            wid: t.wid,
            instance: t.instance,
            obtained_at: t.obtained_at,
            scope: t.scope,
        }
    }
}

/// Reads the `format` of a stored document before anything else, so that a document from
/// a newer version yields [`Error::UnsupportedStoredFormat`] rather than a parse error.
pub(crate) fn stored_format(json: &str) -> Result<u64, Error> {
    #[derive(Deserialize)]
    struct Probe {
        format: u64,
    }
    serde_json::from_str::<Probe>(json)
        .map(|p| p.format)
        .map_err(stored_data_error)
}

/// Describes a JSON error without quoting the input (serde's messages may quote values,
/// and the values here are credentials).
pub(crate) fn stored_data_error(e: serde_json::Error) -> Error {
    let what = match e.classify() {
        serde_json::error::Category::Io => "could not be read",
        serde_json::error::Category::Syntax => "is not valid JSON",
        serde_json::error::Category::Data => "has missing or mistyped fields",
        serde_json::error::Category::Eof => "is truncated",
    };
    Error::InvalidStoredData {
        reason: format!(
            "the document {what} (line {}, column {})",
            e.line(),
            e.column()
        ),
    }
}

impl TokenSet {
    /// A token set with only an access token; add the rest with the `with_*` methods.
    pub fn new(access_token: AccessToken, instance: Instance, obtained_at: UnixTime) -> Self {
        TokenSet {
            access_token,
            refresh_token: None,
            token_type: TokenType::SessionId,
            expires_at: None,
            wid: None,
            instance,
            obtained_at,
            scope: None,
        }
    }

    /// Sets the refresh token.
    #[must_use]
    pub fn with_refresh_token(mut self, refresh_token: Option<RefreshToken>) -> Self {
        self.refresh_token = refresh_token;
        self
    }

    /// Sets the token type.
    #[must_use]
    pub fn with_token_type(mut self, token_type: TokenType) -> Self {
        self.token_type = token_type;
        self
    }

    /// Sets the expiry instant (`None`: unknown).
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: Option<UnixTime>) -> Self {
        self.expires_at = expires_at;
        self
    }

    /// Sets the Workfront `wid`.
    #[must_use]
    pub fn with_wid(mut self, wid: Option<String>) -> Self {
        self.wid = wid;
        self
    }

    /// Sets the granted scope.
    #[must_use]
    pub fn with_scope(mut self, scope: Option<String>) -> Self {
        self.scope = scope;
        self
    }

    /// The access token.
    pub fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    /// The refresh token, if the server issued one.
    pub fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    /// The token type.
    pub fn token_type(&self) -> &TokenType {
        &self.token_type
    }

    /// When the access token expires; `None` when unknown (sliding session).
    pub fn expires_at(&self) -> Option<UnixTime> {
        self.expires_at
    }

    /// Workfront's `wid`, kept as an opaque string.
    pub fn wid(&self) -> Option<&str> {
        self.wid.as_deref()
    }

    /// The Workfront instance the tokens are for (API calls go there).
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// When the tokens were received.
    pub fn obtained_at(&self) -> UnixTime {
        self.obtained_at
    }

    /// The granted scope, if the server said.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// Whether the access token is known to be expired at `now`.
    pub fn is_expired(&self, now: UnixTime) -> bool {
        self.expires_at.is_some_and(|at| now >= at)
    }

    /// Whether the access token is known to expire within `skew_secs` of `now`.
    pub fn expires_within(&self, now: UnixTime, skew_secs: u64) -> bool {
        self.expires_at
            .is_some_and(|at| now.plus_secs(skew_secs) >= at)
    }

    /// The stored form (versioned JSON).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a token set always serializes")
    }

    /// Reads the stored form, refusing formats this version does not know.
    pub fn from_json(json: &str) -> Result<TokenSet, Error> {
        let format = stored_format(json)?;
        if format != TOKEN_SET_FORMAT {
            return Err(Error::UnsupportedStoredFormat {
                found: format,
                supported: TOKEN_SET_FORMAT,
            });
        }
        serde_json::from_str(json).map_err(stored_data_error)
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field(
                "access_token",
                &format_args!("[redacted {}]", self.access_token.fingerprint()),
            )
            .field(
                "refresh_token",
                &self
                    .refresh_token
                    .as_ref()
                    .map(|r| format!("[redacted {}]", r.fingerprint())),
            )
            .field("token_type", &self.token_type)
            .field("expires_at", &self.expires_at)
            .field("wid", &self.wid)
            .field("instance", &self.instance)
            .field("obtained_at", &self.obtained_at)
            .field("scope", &self.scope)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = r#"{"format":1,"access_token":"sess-abc","refresh_token":"ref-xyz",
        "token_type":"sessionID","expires_at":null,"wid":"w-1",
        "instance":"https://acme.my.workfront.com","obtained_at":1700000000,"scope":null}"#;

    #[test]
    fn v1_document_parses() {
        let set = TokenSet::from_json(V1).unwrap();
        assert_eq!(set.access_token().secret(), "sess-abc");
        assert_eq!(set.refresh_token().unwrap().secret(), "ref-xyz");
        assert_eq!(set.token_type(), &TokenType::SessionId);
        assert_eq!(set.expires_at(), None);
        assert_eq!(set.wid(), Some("w-1"));
        assert_eq!(set.instance().host(), "acme.my.workfront.com");
        assert_eq!(set.obtained_at(), UnixTime::from_secs(1_700_000_000));
        assert_eq!(TokenSet::from_json(&set.to_json()).unwrap(), set);
    }

    #[test]
    fn v1_document_with_unknown_fields_parses() {
        let doc = V1.replacen('{', r#"{"added_later":true,"#, 1);
        assert!(TokenSet::from_json(&doc).is_ok());
    }

    #[test]
    fn future_format_is_a_typed_error() {
        let doc = V1.replace(r#""format":1"#, r#""format":2"#);
        assert_eq!(
            TokenSet::from_json(&doc),
            Err(Error::UnsupportedStoredFormat {
                found: 2,
                supported: 1
            })
        );
        assert!(serde_json::from_str::<TokenSet>(&doc).is_err());
    }

    #[test]
    fn broken_documents_never_quote_their_content() {
        for doc in [
            "",
            "{",
            r#"{"format":1}"#,
            r#"{"format":1,"access_token":12345,"instance":"https://a.b.com","token_type":"x","obtained_at":1}"#,
            r#"{"access_token":"sess-abc"}"#,
            r#"{"format":1,"access_token":"sess-abc","instance":"http://evil.com","token_type":"x","obtained_at":1}"#,
        ] {
            match TokenSet::from_json(doc) {
                Err(e @ Error::InvalidStoredData { .. }) => {
                    assert!(!e.to_string().contains("sess-abc"), "{e}");
                }
                other => panic!("{doc}: {other:?}"),
            }
        }
    }

    #[test]
    fn expiry_queries() {
        let base = UnixTime::from_secs(1000);
        let set = TokenSet::new(
            AccessToken::new("a"),
            Instance::parse("acme.my.workfront.com").unwrap(),
            base,
        );
        assert!(!set.is_expired(base.plus_secs(1_000_000)));
        let set = set.with_expires_at(Some(base.plus_secs(100)));
        assert!(!set.is_expired(base.plus_secs(99)));
        assert!(set.is_expired(base.plus_secs(100)));
        assert!(set.expires_within(base.plus_secs(40), 60));
        assert!(!set.expires_within(base.plus_secs(39), 60));
    }

    #[test]
    fn debug_redacts() {
        let set = TokenSet::from_json(V1).unwrap();
        let dbg = format!("{set:?}");
        assert!(
            !dbg.contains("sess-abc") && !dbg.contains("ref-xyz"),
            "{dbg}"
        );
    }
}
