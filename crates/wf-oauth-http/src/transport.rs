//! Sending one HTTP request with reqwest: timeouts, no redirects, bounded bodies.
//!
//! This layer knows nothing about OAuth. It sends the core's request value, reads at most
//! a bounded number of body bytes into the core's response value, and reports failures in
//! the one way retrying needs: could the server have seen the request or not.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue,
};
use wf_oauth_core::{Headers, HttpRequest, HttpResponse, Method, RESPONSE_HEADERS_READ};

use crate::retry::Failure;

/// One MiB: token responses are a few hundred bytes; anything larger is not a token answer.
pub const DEFAULT_TOKEN_BODY_LIMIT: usize = 1024 * 1024;
/// 32 MiB: a search page of 2,000 objects with many fields stays well below it.
pub const DEFAULT_API_BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Settings of the HTTP layer.
///
/// ```
/// use std::time::Duration;
/// use wf_oauth_http::TransportConfig;
/// let config = TransportConfig::default()
///     .with_request_timeout(Duration::from_secs(5))
///     .with_api_body_limit(8 << 20);
/// assert_eq!(config.connect_timeout(), Duration::from_secs(10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportConfig {
    connect_timeout: Duration,
    request_timeout: Duration,
    token_body_limit: usize,
    api_body_limit: usize,
    user_agent: String,
}

impl Default for TransportConfig {
    /// 10 s to connect, 30 s per request (body included), 1 MiB token bodies,
    /// 32 MiB API bodies.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            token_body_limit: DEFAULT_TOKEN_BODY_LIMIT,
            api_body_limit: DEFAULT_API_BODY_LIMIT,
            user_agent: concat!("wf-oauth/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl TransportConfig {
    /// Time allowed to establish a TCP + TLS connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Time allowed for a whole request, from sending to the last body byte.
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The largest token-endpoint response body read, in bytes.
    pub fn with_token_body_limit(mut self, bytes: usize) -> Self {
        self.token_body_limit = bytes;
        self
    }

    /// The largest API response body read, in bytes.
    pub fn with_api_body_limit(mut self, bytes: usize) -> Self {
        self.api_body_limit = bytes;
        self
    }

    /// The `User-Agent` header sent with every request.
    pub fn with_user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Time allowed to connect.
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Time allowed per request.
    pub fn request_timeout(&self) -> Duration {
        self.request_timeout
    }

    /// The token-response body cap.
    pub fn token_body_limit(&self) -> usize {
        self.token_body_limit
    }

    /// The API-response body cap.
    pub fn api_body_limit(&self) -> usize {
        self.api_body_limit
    }

    /// The `User-Agent` sent.
    pub fn user_agent(&self) -> &str {
        &self.user_agent
    }
}

/// How a request failed below HTTP semantics.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// No connection could be established (DNS, refused, TLS handshake, connect timeout).
    /// The server cannot have seen the request.
    #[error("could not connect: {0}")]
    Connect(#[source] Arc<reqwest::Error>),
    /// The request or its response did not finish in time. The server may have seen it.
    #[error("request timed out")]
    Timeout(#[source] Arc<reqwest::Error>),
    /// The connection failed after the request started. The server may have seen it.
    #[error("connection failed: {0}")]
    Io(#[source] Arc<reqwest::Error>),
    /// The response body was larger than the configured cap.
    #[error("response body larger than {limit} bytes")]
    BodyTooLarge {
        /// The cap in bytes.
        limit: usize,
    },
    /// The server answered with a redirect; redirects are never followed, because a token
    /// request must not carry credentials to another address.
    #[error("unexpected redirect (HTTP {status})")]
    Redirect {
        /// The 3xx status.
        status: u16,
    },
    /// The request could not be built (an invalid header value from a caller).
    #[error("invalid request: {0}")]
    Invalid(String),
}

impl TransportError {
    /// Whether the server may have received the request.
    pub fn may_have_been_sent(&self) -> bool {
        !matches!(self, Self::Connect(_) | Self::Invalid(_))
    }

    /// How retrying sees this failure.
    pub(crate) fn failure(&self) -> Failure {
        match self {
            Self::Connect(_) => Failure::NotSent,
            Self::Timeout(_) | Self::Io(_) => Failure::MaybeSent,
            Self::BodyTooLarge { .. } | Self::Redirect { .. } | Self::Invalid(_) => {
                Failure::Permanent
            }
        }
    }
}

/// The HTTP client shared by every request of an [`OAuthClient`](crate::OAuthClient) and
/// its [`WorkfrontClient`](crate::WorkfrontClient)s; cheap to clone (connection pool shared).
#[derive(Clone)]
pub struct Transport {
    client: reqwest::Client,
    config: TransportConfig,
    /// The client is the caller's: its own timeout may differ, so ours is set per request.
    foreign_client: bool,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport with its own connection pool: rustls, redirects disabled, the configured
    /// timeouts.
    ///
    /// ```
    /// use wf_oauth_http::{Transport, TransportConfig};
    /// let transport = Transport::new(TransportConfig::default())?;
    /// # Ok::<(), wf_oauth_http::TransportError>(())
    /// ```
    pub fn new(config: TransportConfig) -> Result<Self, TransportError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| TransportError::Invalid(format!("cannot build HTTP client: {e}")))?;
        Ok(Self {
            client,
            config,
            foreign_client: false,
        })
    }

    /// A transport over the caller's own client (shared pool, proxies, extra roots…).
    ///
    /// The client should have redirects disabled
    /// (`reqwest::redirect::Policy::none()`); a followed redirect is detected and reported
    /// as [`TransportError::Redirect`]. The request timeout of `config` is applied to every
    /// request; the connect timeout is the client's own.
    pub fn with_client(client: reqwest::Client, config: TransportConfig) -> Self {
        Self {
            client,
            config,
            foreign_client: true,
        }
    }

    /// The settings in use.
    pub fn config(&self) -> &TransportConfig {
        &self.config
    }

    /// The underlying reqwest client.
    pub fn reqwest_client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Sends `request` and reads at most `limit` body bytes.
    ///
    /// The request is taken by value: its URL, header values and body move into reqwest
    /// instead of being copied (every allocation saved is one less trip through the
    /// allocator, which busy multi-threaded callers contend on).
    pub(crate) async fn send(
        &self,
        request: HttpRequest,
        limit: usize,
    ) -> Result<HttpResponse, TransportError> {
        let parts = request.into_parts();
        let method = match parts.method {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Delete => reqwest::Method::DELETE,
            Method::Patch => reqwest::Method::PATCH,
        };
        // Only a caller's client may follow a redirect; ours never does (and a redirect
        // status is refused below), so only then is the URL kept to compare.
        let sent_url = self.foreign_client.then(|| parts.url.clone());
        let mut builder = self.client.request(method, parts.url);
        for (name, value) in parts.headers {
            let name = header_name(&name)?;
            let mut value = header_value(value)
                // The value may be a secret: say which header, never what it held.
                .ok_or_else(|| TransportError::Invalid(format!("value of header {name}")))?;
            if wf_oauth_core::is_sensitive_header(name.as_str()) {
                value.set_sensitive(true);
            }
            builder = builder.header(name, value);
        }
        if self.foreign_client {
            builder = builder.timeout(self.config.request_timeout);
        }
        if !parts.body.is_empty() {
            builder = builder.body(parts.body);
        }
        let mut response = builder.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        if response.status().is_redirection() || sent_url.is_some_and(|url| response.url() != &url)
        {
            return Err(TransportError::Redirect { status });
        }
        // Only what the core reads: every other header would be copied for nothing.
        let mut headers = Headers::new();
        for &name in RESPONSE_HEADERS_READ {
            for value in response.headers().get_all(name) {
                if let Ok(value) = value.to_str() {
                    headers.append(name, value.to_owned());
                }
            }
        }
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit as u64) {
            return Err(TransportError::BodyTooLarge { limit });
        }
        // Read chunk by chunk and stop as soon as the cap is passed, so a hostile or broken
        // server cannot make us buffer an unbounded body. A body that arrives in one chunk
        // (the usual case) is handed over as read, without a copy.
        let mut single: Option<Bytes> = None;
        let mut joined: Vec<u8> = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            let read = single.as_ref().map_or(joined.len(), Bytes::len);
            if read + chunk.len() > limit {
                return Err(TransportError::BodyTooLarge { limit });
            }
            if read == 0 {
                single = Some(chunk);
                continue;
            }
            if let Some(first) = single.take() {
                // One allocation for the announced size (already checked against the cap).
                joined.reserve(declared.map_or(read + chunk.len(), |len| len as usize));
                joined.extend_from_slice(&first);
            }
            joined.extend_from_slice(&chunk);
        }
        let body = single.unwrap_or_else(|| Bytes::from(joined));
        Ok(HttpResponse::new(status, headers, body))
    }
}

/// The header name, without parsing the ones the core always sends.
fn header_name(name: &str) -> Result<HeaderName, TransportError> {
    static KNOWN: [(&str, HeaderName); 4] = [
        ("accept", ACCEPT),
        ("authorization", AUTHORIZATION),
        ("content-type", CONTENT_TYPE),
        ("sessionid", HeaderName::from_static("sessionid")),
    ];
    if let Some((_, known)) = KNOWN.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
        return Ok(known.clone());
    }
    HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| TransportError::Invalid(format!("header name {name:?}")))
}

/// The header value, moved rather than copied: a static value is used in place, an owned
/// one gives its buffer. `None` if the value is not a valid header value.
fn header_value(value: Cow<'static, str>) -> Option<HeaderValue> {
    match value {
        // The check `from_static` would panic on, made first.
        Cow::Borrowed(value) => value
            .bytes()
            .all(|b| b == b'\t' || (b >= 0x20 && b != 0x7f))
            .then(|| HeaderValue::from_static(value)),
        Cow::Owned(value) => HeaderValue::from_maybe_shared(Bytes::from(value)).ok(),
    }
}

fn classify(e: reqwest::Error) -> TransportError {
    // The URL may carry caller query parameters; errors travel into logs, so drop it.
    let e = e.without_url();
    if e.is_connect() {
        TransportError::Connect(Arc::new(e))
    } else if e.is_timeout() {
        TransportError::Timeout(Arc::new(e))
    } else if e.is_builder() {
        TransportError::Invalid(e.to_string())
    } else {
        TransportError::Io(Arc::new(e))
    }
}
