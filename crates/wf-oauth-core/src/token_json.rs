//! A lenient, allocation-light reading of token endpoint JSON.
//!
//! Members are read into [`Member`], which accepts any JSON type, so that a server sending
//! `expires_in` as a string or `wid` as a number does not fail the whole response, and
//! strings borrow from the body when they contain no escapes.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// One JSON value, as much of it as a token response needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Member<'a> {
    Str(Cow<'a, str>),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
    Bool(bool),
    /// An object: Workfront's error form keeps `class` and `message`.
    Object {
        class: Option<Cow<'a, str>>,
        message: Option<Cow<'a, str>>,
    },
    Array,
    Null,
}

impl Member<'_> {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Member::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A short textual form for values that should have been strings.
    pub(crate) fn describe(&self) -> String {
        match self {
            Member::Str(s) => s.to_string(),
            Member::Unsigned(n) => n.to_string(),
            Member::Signed(n) => n.to_string(),
            Member::Float(f) => f.to_string(),
            Member::Bool(b) => b.to_string(),
            Member::Object { .. } => "object".into(),
            Member::Array => "array".into(),
            Member::Null => "null".into(),
        }
    }
}

struct MemberVisitor;

impl<'de> Visitor<'de> for MemberVisitor {
    type Value = Member<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Member::Str(Cow::Owned(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Member::Unsigned(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Member::Signed(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Member::Float(v))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Member::Bool(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Member::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Member::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(MemberVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Member::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut class = None;
        let mut message = None;
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            let slot = match key.as_ref() {
                "class" => &mut class,
                "message" => &mut message,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            if let Member::Str(s) = map.next_value::<Member<'de>>()? {
                *slot = Some(s);
            }
        }
        Ok(Member::Object { class, message })
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Member<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(MemberVisitor)
    }
}

/// The members of a token endpoint response that mean something; others are ignored.
#[derive(Deserialize, Default)]
pub(crate) struct RawTokenResponse<'a> {
    #[serde(borrow, default)]
    pub(crate) access_token: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) refresh_token: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) token_type: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) expires_in: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) wid: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) scope: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) error: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) error_description: Option<Member<'a>>,
    #[serde(borrow, default)]
    pub(crate) error_uri: Option<Member<'a>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_member_type() {
        let raw: RawTokenResponse<'_> = serde_json::from_str(
            r#"{"access_token":"a\"b","expires_in":"60","wid":-3,"scope":1.5,"error":{"class":"c","message":7,"x":[1]},"token_type":[1,{}],"other":{"deep":[1,2]}}"#,
        )
        .unwrap();
        assert_eq!(raw.access_token, Some(Member::Str("a\"b".into())));
        assert_eq!(raw.expires_in, Some(Member::Str("60".into())));
        assert_eq!(raw.wid, Some(Member::Signed(-3)));
        assert_eq!(raw.scope, Some(Member::Float(1.5)));
        assert_eq!(
            raw.error,
            Some(Member::Object {
                class: Some("c".into()),
                message: None
            })
        );
        assert_eq!(raw.token_type, Some(Member::Array));
        assert_eq!(raw.refresh_token, None);
    }

    #[test]
    fn null_is_absent() {
        let raw: RawTokenResponse<'_> = serde_json::from_str(r#"{"error":null}"#).unwrap();
        assert!(raw.error.is_none());
    }
}
