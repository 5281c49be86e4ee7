//! Starting an authorization (the authorize URL) and accepting its callback.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::config::{ClientConfig, MissingStatePolicy, RedirectUri};
use crate::error::Error;
use crate::instance::{Instance, InstancePolicy};
use crate::pkce::CODE_CHALLENGE_METHOD;
use crate::redact::sanitize_str;
use crate::secret::{AuthorizationCode, PkceVerifier, State};
use crate::time::UnixTime;
use crate::token::{stored_data_error, stored_format};

/// The stored format of [`PendingAuthorization`] this version writes and reads.
pub const PENDING_AUTHORIZATION_FORMAT: u64 = 1;

/// Callbacks longer than this are refused before parsing.
const MAX_CALLBACK_LEN: usize = 16 * 1024;

/// Longest authorization code accepted, from a callback or pasted.
const MAX_CODE_LEN: usize = 4096;

/// A decoded authorization code must be printable ASCII without spaces (RFC 6749
/// `VSCHAR`, less the space no server puts in a code) and of a sane length: anything else
/// is a damaged or forged callback, and is never sent to a token endpoint.
fn check_code(code: &str) -> Result<(), Error> {
    let malformed = |reason: &str| {
        Err(Error::CallbackMalformed {
            reason: reason.to_owned(),
        })
    };
    if code.len() > MAX_CODE_LEN {
        return malformed("the authorization code is too long");
    }
    if !code.bytes().all(|b| b.is_ascii_graphic()) {
        return malformed(
            "the authorization code contains whitespace, control or non-ASCII characters (or bytes that are not UTF-8)",
        );
    }
    Ok(())
}

impl ClientConfig {
    /// Starts an authorization: builds the authorize URL the user's browser must open.
    ///
    /// `entropy` must be 64 bytes from a cryptographically secure generator: the first 32
    /// become `state` (43 base64url characters), the last 32 the PKCE verifier when PKCE is
    /// used. `now` is recorded as the creation time.
    ///
    /// The URL is the seed page's, with parameters in this fixed order: `client_id`,
    /// `redirect_uri`, `response_type=code`, `state`, then `scope` if configured, then
    /// `code_challenge` and `code_challenge_method=S256` if PKCE is used.
    ///
    /// Fails with [`Error::InvalidConfig`] when no redirect URI is configured.
    pub fn authorize(
        &self,
        entropy: &[u8; 64],
        now: UnixTime,
    ) -> Result<PendingAuthorization, Error> {
        let redirect_uri = self.redirect_uri.clone().ok_or_else(|| {
            Error::invalid_config("the authorization code flow needs a redirect URI")
        })?;
        let (state_bytes, verifier_bytes) = entropy.split_at(32);
        let state = State::from_entropy(state_bytes.try_into().expect("32 bytes"));
        let pkce_verifier = self
            .pkce
            .then(|| PkceVerifier::from_entropy(verifier_bytes.try_into().expect("32 bytes")));

        // The prefix (endpoint, client_id, redirect_uri, response_type, "state=") is
        // serialized once per configuration; what follows needs no percent-encoding
        // except the scope, which is encoded once too.
        let challenge = pkce_verifier.as_ref().map(PkceVerifier::challenge);
        let mut url = String::with_capacity(self.derived.authorize_prefix.len() + 160);
        url.push_str(&self.derived.authorize_prefix);
        url.push_str(state.secret());
        if let Some(scope) = &self.derived.scope_encoded {
            url.push_str("&scope=");
            url.push_str(scope);
        }
        if let Some(challenge) = &challenge {
            url.push_str("&code_challenge=");
            url.push_str(challenge);
            url.push_str("&code_challenge_method=");
            url.push_str(CODE_CHALLENGE_METHOD);
        }
        Ok(PendingAuthorization {
            url,
            state,
            pkce_verifier,
            redirect_uri,
            client_id: Arc::clone(&self.client_id),
            instance: self.instance.clone(),
            instance_policy: self.instance_policy.clone(),
            missing_state: self.missing_state,
            issuer: self.issuer.clone(),
            require_issuer: self.require_issuer,
            created_at: now,
        })
    }
}

/// An authorization that was started and waits for its callback.
///
/// It holds what the callback is checked against (`state`, redirect URI, allowed
/// instances) and what the code grant needs later (the PKCE verifier). A web application
/// keeps it in its session store between the redirect and the callback:
/// [`PendingAuthorization::to_json`] writes a versioned document (`{"format":1,…}`).
/// The document contains the PKCE verifier: store it server-side, not in a cookie.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoredPending", into = "StoredPending")]
pub struct PendingAuthorization {
    url: String,
    state: State,
    pkce_verifier: Option<PkceVerifier>,
    redirect_uri: RedirectUri,
    client_id: Arc<str>,
    instance: Instance,
    instance_policy: InstancePolicy,
    missing_state: MissingStatePolicy,
    issuer: Option<String>,
    require_issuer: bool,
    created_at: UnixTime,
}

#[derive(Serialize, Deserialize)]
struct StoredPending {
    format: u64,
    url: String,
    state: State,
    #[serde(default)]
    pkce_verifier: Option<PkceVerifier>,
    redirect_uri: RedirectUri,
    client_id: Arc<str>,
    instance: Instance,
    #[serde(default)]
    instance_policy: InstancePolicy,
    #[serde(default)]
    missing_state: MissingStatePolicy,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    require_issuer: bool,
    created_at: UnixTime,
}

impl TryFrom<StoredPending> for PendingAuthorization {
    type Error = Error;
    fn try_from(s: StoredPending) -> Result<Self, Error> {
        if s.format != PENDING_AUTHORIZATION_FORMAT {
            return Err(Error::UnsupportedStoredFormat {
                found: s.format,
                supported: PENDING_AUTHORIZATION_FORMAT,
            });
        }
        Ok(PendingAuthorization {
            url: s.url,
            state: s.state,
            pkce_verifier: s.pkce_verifier,
            redirect_uri: s.redirect_uri,
            client_id: s.client_id,
            instance: s.instance,
            instance_policy: s.instance_policy,
            missing_state: s.missing_state,
            issuer: s.issuer,
            require_issuer: s.require_issuer,
            created_at: s.created_at,
        })
    }
}

impl From<PendingAuthorization> for StoredPending {
    fn from(p: PendingAuthorization) -> Self {
        StoredPending {
            format: PENDING_AUTHORIZATION_FORMAT,
            url: p.url,
            state: p.state,
            pkce_verifier: p.pkce_verifier,
            redirect_uri: p.redirect_uri,
            client_id: p.client_id,
            instance: p.instance,
            instance_policy: p.instance_policy,
            missing_state: p.missing_state,
            issuer: p.issuer,
            require_issuer: p.require_issuer,
            created_at: p.created_at,
        }
    }
}

impl fmt::Debug for PendingAuthorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingAuthorization")
            // The query carries the state; the endpoint is enough to recognise the request.
            .field("url", &self.url.split('?').next().unwrap_or_default())
            .field("state", &self.state)
            .field("pkce_verifier", &self.pkce_verifier)
            .field("redirect_uri", &self.redirect_uri)
            .field("client_id", &self.client_id)
            .field("instance", &self.instance)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

/// The protocol parameters of a callback, each seen at most once.
#[derive(Default)]
struct CallbackParams<'a> {
    code: Option<Cow<'a, str>>,
    state: Option<Cow<'a, str>>,
    error: Option<Cow<'a, str>>,
    error_description: Option<Cow<'a, str>>,
    error_uri: Option<Cow<'a, str>>,
    domain: Option<Cow<'a, str>>,
    lane: Option<Cow<'a, str>>,
    iss: Option<Cow<'a, str>>,
}

impl<'a> CallbackParams<'a> {
    fn parse(query: &'a str) -> Result<Self, Error> {
        let mut params = CallbackParams::default();
        for (name, value) in form_urlencoded::parse(query.as_bytes()) {
            let slot = match name.as_ref() {
                "code" => &mut params.code,
                "state" => &mut params.state,
                "error" => &mut params.error,
                "error_description" => &mut params.error_description,
                "error_uri" => &mut params.error_uri,
                "domain" => &mut params.domain,
                "lane" => &mut params.lane,
                "iss" => &mut params.iss,
                _ => continue,
            };
            if slot.is_some() {
                return Err(Error::DuplicateParameter {
                    name: name.into_owned(),
                });
            }
            *slot = Some(value);
        }
        Ok(params)
    }
}

/// Scheme, host, port and path: what must match between a callback and the redirect URI.
fn endpoint_of(url: &Url) -> (&str, Option<url::Host<&str>>, Option<u16>, &str) {
    (
        url.scheme(),
        url.host(),
        url.port_or_known_default(),
        url.path(),
    )
}

impl PendingAuthorization {
    /// The URL to send the user's browser to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The `state` sent with the authorization.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// The PKCE verifier, when PKCE is used.
    pub fn pkce_verifier(&self) -> Option<&PkceVerifier> {
        self.pkce_verifier.as_ref()
    }

    /// The redirect URI the callback must arrive at.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }

    /// The configured instance when the authorization started.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// When the authorization started.
    pub fn created_at(&self) -> UnixTime {
        self.created_at
    }

    /// The stored form (versioned JSON; contains the PKCE verifier).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a pending authorization always serializes")
    }

    /// Reads the stored form, refusing formats this version does not know.
    pub fn from_json(json: &str) -> Result<PendingAuthorization, Error> {
        let format = stored_format(json)?;
        if format != PENDING_AUTHORIZATION_FORMAT {
            return Err(Error::UnsupportedStoredFormat {
                found: format,
                supported: PENDING_AUTHORIZATION_FORMAT,
            });
        }
        serde_json::from_str(json).map_err(stored_data_error)
    }

    /// Accepts the callback: the full redirect URL the browser was sent to, or just its
    /// query string (with or without the leading `?`), as a user may paste it.
    /// Surrounding whitespace is ignored.
    ///
    /// Checks, in this order:
    /// 1. a full URL must point at the redirect URI (scheme, host, port, path), else
    ///    [`Error::RedirectMismatch`];
    /// 2. no protocol parameter (`code`, `state`, `error`, `error_description`,
    ///    `error_uri`, `domain`, `lane`, `iss`) may appear twice, else
    ///    [`Error::DuplicateParameter`];
    /// 3. `state` must match, in constant time, else [`Error::StateMismatch`]; a missing
    ///    `state` is [`Error::StateMissing`] unless [`MissingStatePolicy::Accept`]. This
    ///    comes before `error`, so a forged callback cannot pass for a refusal;
    /// 4. `iss` (RFC 9207), when present, must equal the issuer the authorization was sent
    ///    to ([`ClientConfig::issuer`]), else [`Error::IssuerMismatch`] — also for error
    ///    answers, so another server cannot answer in this one's name; when the
    ///    configuration requires it, a missing `iss` is [`Error::IssuerMissing`];
    /// 5. `error=access_denied` is [`Error::AuthorizationDenied`], any other `error` is
    ///    [`Error::AuthorizationError`];
    /// 6. `code` must be present and non-empty, else [`Error::MissingCode`], and, once
    ///    decoded, made of printable ASCII without spaces (RFC 6749 §A.11: `VSCHAR`; no
    ///    server issues codes with spaces) and at most 4096 bytes long, else
    ///    [`Error::CallbackMalformed`] — bytes that are not UTF-8, control characters and
    ///    whitespace never reach a token request;
    /// 7. `domain` and `lane`, when present, must both be present and name an instance
    ///    ([`Error::InvalidInstance`]) that is the configured one or allowed by the
    ///    instance policy ([`Error::InstanceNotAllowed`]). When the configured instance is
    ///    an explicit loopback one (a fake server), it stands for whatever instance the
    ///    callback names.
    pub fn accept_callback(
        &self,
        callback: &str,
        now: UnixTime,
    ) -> Result<AuthorizationResponse, Error> {
        let input = callback.trim();
        if input.len() > MAX_CALLBACK_LEN {
            return Err(Error::CallbackMalformed {
                reason: "the callback is too long".into(),
            });
        }
        let parsed_url;
        if let Some(query) = self.query_after_redirect_uri(input) {
            return self.accept_query(query, now);
        }
        let as_url = if input.starts_with('/') {
            // A request target, as a server sees it: resolved against the redirect URI.
            self.redirect_uri.url().join(input).ok()
        } else {
            Url::parse(input).ok()
        };
        let query = if let Some(query) = input.strip_prefix('?') {
            query
        } else if let Some(url) = as_url {
            if endpoint_of(&url) != endpoint_of(self.redirect_uri.url()) {
                let mut found = url.clone();
                found.set_query(None);
                found.set_fragment(None);
                let mut expected = self.redirect_uri.url().clone();
                expected.set_query(None);
                return Err(Error::RedirectMismatch {
                    expected: expected.to_string(),
                    found: sanitize_str(found.as_str()),
                });
            }
            parsed_url = url;
            parsed_url.query().unwrap_or("")
        } else {
            input
        };

        self.accept_query(query, now)
    }

    /// Accepts a bare authorization code that the user pasted by hand — for
    /// out-of-band / paste flows only (an SSH session, a headless machine), where the page
    /// the browser ended on shows the code and the user copies just that.
    ///
    /// A bare code carries no `state`, so the CSRF check of [`accept_callback`] cannot
    /// happen here: the only assurance is that the user pasted the code into the sign-in
    /// they started themselves. Never feed this from anything a third party can send (a
    /// listener, a URL handler); use [`accept_callback`] for callbacks.
    ///
    /// Surrounding whitespace is ignored. The code must be non-empty, at most 4096 bytes,
    /// printable ASCII without whitespace or control characters, and free of the URL
    /// delimiters `&`, `#`, `?`, `%` and `=` (text that carries those is an address or a
    /// part of one: pass it to [`accept_callback`]), else [`Error::CallbackMalformed`]
    /// (an empty code is [`Error::MissingCode`]). The code is valid on the configured
    /// instance.
    ///
    /// [`accept_callback`]: PendingAuthorization::accept_callback
    ///
    /// ```
    /// use wf_oauth_core::{ClientConfig, Instance, RedirectUri, UnixTime};
    /// let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "cid")
    ///     .redirect_uri(RedirectUri::parse("http://127.0.0.1:8765/callback")?)
    ///     .build()?;
    /// let pending = config.authorize(&[7; 64], UnixTime::from_secs(1_000))?;
    /// let auth = pending.accept_code(" c0de-123\n", UnixTime::from_secs(1_001))?;
    /// assert_eq!(auth.code().secret(), "c0de-123");
    /// assert!(pending.accept_code("two words", UnixTime::from_secs(1_001)).is_err());
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn accept_code(&self, code: &str, now: UnixTime) -> Result<AuthorizationResponse, Error> {
        let code = code.trim();
        let malformed = |reason: &str| {
            Err(Error::CallbackMalformed {
                reason: reason.to_owned(),
            })
        };
        if code.is_empty() {
            return Err(Error::MissingCode);
        }
        check_code(code)?;
        if code
            .bytes()
            .any(|b| matches!(b, b'&' | b'#' | b'?' | b'%' | b'='))
        {
            return malformed(
                "the pasted text is part of an address, not a bare code — paste the whole address",
            );
        }
        Ok(AuthorizationResponse {
            code: AuthorizationCode::new(code.to_owned()),
            instance: self.instance.clone(),
            received_at: now,
            pkce_verifier: self.pkce_verifier.clone(),
            redirect_uri: self.redirect_uri.clone(),
            client_id: Arc::clone(&self.client_id),
        })
    }

    /// The query of `input` when it is the redirect URI, exactly as registered, followed
    /// by a query: the common case, answered without parsing the URL.
    fn query_after_redirect_uri<'a>(&self, input: &'a str) -> Option<&'a str> {
        let registered = self.redirect_uri.as_str();
        if self.redirect_uri.url().query().is_some() {
            return None;
        }
        let query = input.strip_prefix(registered)?.strip_prefix('?')?;
        Some(query.split('#').next().unwrap_or_default())
    }

    fn accept_query(&self, query: &str, now: UnixTime) -> Result<AuthorizationResponse, Error> {
        let params = CallbackParams::parse(query)?;

        match (&params.state, self.missing_state) {
            (Some(received), _) => {
                if !self.state.matches(received) {
                    return Err(Error::StateMismatch);
                }
            }
            (None, MissingStatePolicy::Reject) => return Err(Error::StateMissing),
            (None, MissingStatePolicy::Accept) => {}
        }
        self.check_issuer(params.iss.as_deref())?;

        if let Some(error) = &params.error {
            let description = params.error_description.as_deref().map(sanitize_str);
            return Err(if error == "access_denied" {
                Error::AuthorizationDenied { description }
            } else {
                Error::AuthorizationError {
                    error: sanitize_str(error),
                    description,
                    uri: params.error_uri.as_deref().map(sanitize_str),
                }
            });
        }

        let code = match params.code {
            Some(code) if !code.is_empty() => {
                check_code(&code)?;
                AuthorizationCode::new(code.into_owned())
            }
            _ => return Err(Error::MissingCode),
        };

        let instance = self.callback_instance(params.domain.as_deref(), params.lane.as_deref())?;

        Ok(AuthorizationResponse {
            code,
            instance,
            received_at: now,
            pkce_verifier: self.pkce_verifier.clone(),
            redirect_uri: self.redirect_uri.clone(),
            client_id: Arc::clone(&self.client_id),
        })
    }

    /// The RFC 9207 check of a callback's `iss`.
    fn check_issuer(&self, iss: Option<&str>) -> Result<(), Error> {
        match (iss, self.issuer.as_deref()) {
            (Some(found), Some(expected)) if found == expected => Ok(()),
            (Some(found), expected) => Err(Error::IssuerMismatch {
                expected: expected.map(str::to_owned),
                found: sanitize_str(found),
            }),
            (None, _) if self.require_issuer => Err(Error::IssuerMissing),
            (None, _) => Ok(()),
        }
    }

    fn callback_instance(
        &self,
        domain: Option<&str>,
        lane: Option<&str>,
    ) -> Result<Instance, Error> {
        let (domain, lane) = match (domain, lane) {
            (None, None) => return Ok(self.instance.clone()),
            (Some(d), Some(l)) => (d, l),
            _ => {
                return Err(Error::InvalidInstance {
                    reason: "the callback carries only one of domain and lane".into(),
                });
            }
        };
        if self.instance.is_named_by(domain, lane) {
            return Ok(self.instance.clone());
        }
        let named = Instance::from_callback(domain, lane)?;
        if self.instance.is_loopback() {
            return Ok(self.instance.clone());
        }
        if self.instance_policy.allows(&self.instance, &named) {
            Ok(named)
        } else {
            Err(Error::InstanceNotAllowed {
                host: named.host().to_owned(),
            })
        }
    }
}

#[cfg(test)]
#[path = "authorize_tests.rs"]
mod tests;

/// A successful callback: the authorization code and where it is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationResponse {
    code: AuthorizationCode,
    instance: Instance,
    received_at: UnixTime,
    pkce_verifier: Option<PkceVerifier>,
    redirect_uri: RedirectUri,
    client_id: Arc<str>,
}

impl AuthorizationResponse {
    /// The authorization code (single use, two minutes).
    pub fn code(&self) -> &AuthorizationCode {
        &self.code
    }

    /// The instance the user authorized on: the configured one, or another one the
    /// callback named and the instance policy allows. The legacy token endpoint and the
    /// API are reached there.
    pub fn instance(&self) -> &Instance {
        &self.instance
    }

    /// When the callback was accepted; the code expires two minutes later.
    pub fn received_at(&self) -> UnixTime {
        self.received_at
    }

    /// The PKCE verifier to send with the code, when PKCE is used.
    pub fn pkce_verifier(&self) -> Option<&PkceVerifier> {
        self.pkce_verifier.as_ref()
    }

    /// The redirect URI the authorization used (sent again with the code).
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }

    /// The client id the authorization was started with.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}
