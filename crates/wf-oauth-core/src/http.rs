//! HTTP requests and responses as plain values.
//!
//! The core describes the requests it wants sent and reads the responses it is given; a
//! driver moves them over the network. Both print safely: `Debug` hides credential headers
//! and shows only the length of bodies.

use std::borrow::Cow;
use std::fmt;

use bytes::Bytes;
use url::Url;
use zeroize::{Zeroize, Zeroizing};

use crate::time::UnixTime;

/// An HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
    /// `PATCH`
    Patch,
}

impl Method {
    /// The method name as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
            Method::Patch => "PATCH",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Header names whose values are credentials.
const SENSITIVE_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "sessionid",
    "cookie",
    "set-cookie",
    "x-api-key",
    "apikey",
];

/// The response headers the core reads (lowercase): a driver may copy just these into
/// [`HttpResponse::headers`] and leave the rest of a response's headers where they are.
///
/// ```
/// assert!(wf_oauth_core::RESPONSE_HEADERS_READ.contains(&"retry-after"));
/// ```
pub const RESPONSE_HEADERS_READ: &[&str] = &["content-type", "retry-after"];

/// Whether a header's value must be kept out of logs.
pub fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS
        .iter()
        .any(|s| s.eq_ignore_ascii_case(name))
}

/// An ordered list of headers; names compare case-insensitively.
///
/// ```
/// use wf_oauth_core::Headers;
/// let mut h = Headers::new();
/// h.append("Content-Type", "application/json");
/// h.append("sessionID", "abc");
/// assert_eq!(h.get("content-type"), Some("application/json"));
/// assert!(!format!("{h:?}").contains("abc"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Headers(Vec<(Cow<'static, str>, Cow<'static, str>)>);

impl Headers {
    /// No headers.
    pub fn new() -> Self {
        Headers(Vec::new())
    }

    /// Adds a header at the end. Static strings are kept without copying.
    pub fn append(
        &mut self,
        name: impl Into<Cow<'static, str>>,
        value: impl Into<Cow<'static, str>>,
    ) {
        self.0.push((name.into(), value.into()));
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }

    /// The headers in order, as `(name, value)`.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_ref(), v.as_ref()))
    }

    /// The number of headers.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<K, V> FromIterator<(K, V)> for Headers
where
    K: Into<Cow<'static, str>>,
    V: Into<Cow<'static, str>>,
{
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Headers(
            iter.into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl fmt::Debug for Headers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (name, value) in &self.0 {
            if is_sensitive_header(name) {
                list.entry(&format_args!("{name}: [redacted]"));
            } else {
                list.entry(&format_args!("{name}: {value:?}"));
            }
        }
        list.finish()
    }
}

impl Zeroize for Headers {
    fn zeroize(&mut self) {
        for (_, value) in &mut self.0 {
            if let Cow::Owned(value) = value {
                value.zeroize();
            }
        }
    }
}

/// Header values may be credentials (`sessionID`, `Authorization`): they are wiped when
/// the headers are dropped.
impl Drop for Headers {
    fn drop(&mut self) {
        self.zeroize();
    }
}

/// The headers in order, by value: a driver hands the values to its HTTP stack without
/// copying them (a static value stays borrowed). What the caller takes is its own to wipe.
impl IntoIterator for Headers {
    type Item = (Cow<'static, str>, Cow<'static, str>);
    type IntoIter = std::vec::IntoIter<Self::Item>;

    fn into_iter(mut self) -> Self::IntoIter {
        std::mem::take(&mut self.0).into_iter()
    }
}

/// A request the driver must send, as a value.
///
/// Token requests carry credentials in their headers and body; the body and header values
/// are wiped when the request is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    method: Method,
    url: Url,
    headers: Headers,
    body: Zeroizing<Vec<u8>>,
}

/// An [`HttpRequest`] taken apart by [`HttpRequest::into_parts`]. `Debug` hides credential
/// headers and shows only the length of the body.
#[non_exhaustive]
pub struct RequestParts {
    /// The method.
    pub method: Method,
    /// The full URL.
    pub url: Url,
    /// The headers, in the order they should be sent; wiped on drop.
    pub headers: Headers,
    /// The body (empty for none). Not wiped by the core any more: it is the caller's.
    pub body: Vec<u8>,
}

impl HttpRequest {
    pub(crate) fn new(method: Method, url: Url, headers: Headers, body: Vec<u8>) -> Self {
        HttpRequest {
            method,
            url,
            headers,
            body: Zeroizing::new(body),
        }
    }

    /// The request taken apart, for a driver whose HTTP stack takes ownership of the URL,
    /// header values and body: they move instead of being copied once more.
    ///
    /// ```
    /// use wf_oauth_core::{AccessToken, ClientConfig, Instance, Method, TokenSet, UnixTime};
    /// let instance = Instance::parse("acme.my.workfront.com")?;
    /// let config = ClientConfig::builder(instance.clone(), "cid").build()?;
    /// let tokens = TokenSet::new(AccessToken::new("sess"), instance, UnixTime::from_secs(0));
    /// let parts = config.api_request(&tokens, Method::Get, "proj/search", &[], None)?.into_parts();
    /// assert_eq!(parts.url.path(), "/attask/api/v20.0/proj/search");
    /// assert_eq!(parts.headers.get("sessionID"), Some("sess"));
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn into_parts(self) -> RequestParts {
        let HttpRequest {
            method,
            url,
            headers,
            mut body,
        } = self;
        RequestParts {
            method,
            url,
            headers,
            body: std::mem::take(&mut *body),
        }
    }

    /// The method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The full URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The headers, in the order they should be sent.
    pub fn headers(&self) -> &Headers {
        &self.headers
    }

    /// The body (empty for none).
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl fmt::Debug for RequestParts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_request(
            f,
            "RequestParts",
            self.method,
            &self.url,
            &self.headers,
            &self.body,
        )
    }
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_request(
            f,
            "HttpRequest",
            self.method,
            &self.url,
            &self.headers,
            &self.body,
        )
    }
}

/// A request as `Debug` shows it: credential headers redacted, the body as its length only.
fn debug_request(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    method: Method,
    url: &Url,
    headers: &Headers,
    body: &[u8],
) -> fmt::Result {
    f.debug_struct(name)
        .field("method", &method)
        .field("url", &url.as_str())
        .field("headers", headers)
        .field("body", &format_args!("[{} bytes]", body.len()))
        .finish()
}

/// A response the driver received, as a value.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body. [`Bytes`] so that a driver hands over the buffer its HTTP stack read into,
    /// without a copy; it reads as a `&[u8]`.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response.
    ///
    /// ```
    /// use wf_oauth_core::{Headers, HttpResponse};
    /// let r = HttpResponse::new(200, Headers::new(), br#"{"data":[]}"#.to_vec());
    /// assert!(r.is_success());
    /// ```
    pub fn new(status: u16, headers: Headers, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers,
            body: body.into(),
        }
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type")
    }

    /// `Retry-After` in seconds from `now`: delta-seconds, or an HTTP date (IMF-fixdate).
    ///
    /// ```
    /// use wf_oauth_core::{Headers, HttpResponse, UnixTime};
    /// let h: Headers = [("Retry-After", "120")].into_iter().collect();
    /// let r = HttpResponse::new(429, h, Vec::new());
    /// assert_eq!(r.retry_after(UnixTime::from_secs(0)), Some(120));
    /// ```
    pub fn retry_after(&self, now: UnixTime) -> Option<u64> {
        let value = self.headers.get("retry-after")?.trim();
        if let Ok(secs) = value.parse::<u64>() {
            return Some(secs);
        }
        parse_http_date(value).map(|at| at.secs_since(now))
    }
}

impl fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

/// Parses an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), the form RFC 9110 requires
/// senders to use.
pub(crate) fn parse_http_date(value: &str) -> Option<UnixTime> {
    let mut parts = value.split_ascii_whitespace();
    let _weekday = parts.next()?.strip_suffix(',')?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = match parts.next()? {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    let year: u64 = parts.next()?.parse().ok()?;
    let mut hms = parts.next()?.split(':').map(|p| p.parse::<u64>().ok());
    let (h, m, s) = (hms.next()??, hms.next()??, hms.next()??);
    if parts.next()? != "GMT" || parts.next().is_some() || hms.next().is_some() {
        return None;
    }
    if !(1970..=9999).contains(&year) || !(1..=31).contains(&day) || h > 23 || m > 59 || s > 60 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm), shifted so that March starts the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = (era * 146_097 + doe).checked_sub(719_468)?;
    Some(UnixTime::from_secs(days * 86_400 + h * 3600 + m * 60 + s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_date() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(UnixTime::from_secs(784_111_777))
        );
        assert_eq!(
            parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"),
            Some(UnixTime::from_secs(0))
        );
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2028 12:00:00 GMT"),
            Some(UnixTime::from_secs(1_835_438_400))
        );
        for bad in [
            "",
            "Sun 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, 06 Nov 1994 08:49:37:1 GMT",
            "Sun, 06 Nov 1994 25:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let at = |v: &str, now: u64| {
            let h: Headers = [("retry-after", v.to_owned())].into_iter().collect();
            HttpResponse::new(503, h, Vec::new()).retry_after(UnixTime::from_secs(now))
        };
        assert_eq!(at(" 30 ", 0), Some(30));
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_700), Some(77));
        assert_eq!(at("Sun, 06 Nov 1994 08:49:37 GMT", 784_111_800), Some(0));
        assert_eq!(at("soon", 0), None);
        assert_eq!(at("-5", 0), None);
    }

    #[test]
    fn debug_hides_credentials_and_bodies() {
        let headers: Headers = [
            ("Authorization", "Basic c2VjcmV0"),
            ("SessionID", "sess-1"),
            ("Accept", "application/json"),
        ]
        .into_iter()
        .collect();
        let req = HttpRequest::new(
            Method::Post,
            Url::parse("https://acme.my.workfront.com/x").unwrap(),
            headers.clone(),
            b"client_secret=hunter2".to_vec(),
        );
        let dbg = format!("{req:?}");
        assert!(!dbg.contains("c2VjcmV0") && !dbg.contains("sess-1") && !dbg.contains("hunter2"));
        assert!(dbg.contains("application/json") && dbg.contains("[21 bytes]"));
        let resp = HttpResponse::new(200, headers, b"{\"access_token\":\"t0k\"}".to_vec());
        assert!(!format!("{resp:?}").contains("t0k"));
    }
}
