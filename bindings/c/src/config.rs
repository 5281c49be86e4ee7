//! `wf_config`: the client configuration, filled in by setters, turned into a `wf_oauth`.
//!
//! Values are checked by the core as soon as a setter receives them (an unparsable redirect
//! URI fails in `wf_config_set_redirect_uri`, not later); checks that need the whole
//! picture (a scope, a client id with control characters) run in `wf_oauth_new`.

use std::ffi::{c_char, c_void};
use std::fmt;
use std::time::Duration;

use wf_oauth_core::{
    ApiVersion, ClientAuth, ClientConfig, ClientConfigBuilder, ClientSecret, Endpoint, Instance,
    MissingStatePolicy, Provider, RedirectUri,
};
use wf_oauth_http::{Clock, RetryPolicy, TransportConfig, blocking};

use crate::error::wf_result;
use crate::ffi::{self, Failure};

/// `wf_config_set_client_auth`: JSON body and `Authorization: Basic` (the default).
pub const WF_CLIENT_AUTH_BASIC: u32 = 0;
/// `wf_config_set_client_auth`: form body carrying `client_id` and `client_secret`.
pub const WF_CLIENT_AUTH_POST: u32 = 1;

/// A clock: returns the current time in seconds since 1970-01-01T00:00:00Z.
///
/// Called with the `userdata` given to `wf_config_set_clock`, from any thread (including
/// the library's worker threads), possibly from several at once.
pub type wf_clock_fn = Option<unsafe extern "C" fn(userdata: *mut c_void) -> u64>;

/// A client configuration under construction.
///
/// Not thread-safe: configure it from one thread. A `wf_oauth` made from it keeps its own
/// copy, so the configuration may be changed or freed afterwards.
#[derive(Debug, Clone)]
pub struct wf_config {
    builder: ClientConfigBuilder,
    transport: TransportConfig,
    retry: RetryPolicy,
    clock: Option<CallbackClock>,
}

/// A clock implemented in C.
#[derive(Clone, Copy)]
struct CallbackClock {
    now: unsafe extern "C" fn(*mut c_void) -> u64,
    userdata: *mut c_void,
}

// SAFETY: `wf_config_set_clock` requires the function to be callable from any thread at
// any time with this `userdata`; the pointer itself is never dereferenced by Rust.
unsafe impl Send for CallbackClock {}
// SAFETY: as above: concurrent calls are part of the documented contract.
unsafe impl Sync for CallbackClock {}

impl fmt::Debug for CallbackClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallbackClock")
    }
}

impl Clock for CallbackClock {
    fn now_unix(&self) -> u64 {
        // SAFETY: the function pointer and userdata were given together by the caller of
        // `wf_config_set_clock`, who guarantees they stay valid for every `wf_oauth` made
        // from this configuration.
        unsafe { (self.now)(self.userdata) }
    }
}

impl wf_config {
    /// The driver's blocking client for this configuration.
    pub(crate) fn oauth_client(&self) -> Result<blocking::OAuthClient, Failure> {
        let config: ClientConfig = self.builder.clone().build()?;
        let mut builder = wf_oauth_http::OAuthClient::builder(config)
            .transport_config(self.transport.clone())
            .retry_policy(self.retry);
        if let Some(clock) = self.clock {
            builder = builder.clock(clock);
        }
        Ok(blocking::OAuthClient::from_async(builder.build()?))
    }

    fn update(&mut self, change: impl FnOnce(ClientConfigBuilder) -> ClientConfigBuilder) {
        self.builder = change(self.builder.clone());
    }
}

/// Starts a configuration for the Workfront `instance` and the registered `client_id`.
///
/// `instance` is a host (`acme.my.workfront.com`) or `https://host`; plain
/// `http://127.0.0.1:PORT` (or `localhost`, `[::1]`) is accepted for local test servers
/// only. Without a client secret the client is public and uses PKCE.
///
/// Fails with `WF_INVALID_ARGUMENT` for an instance the core refuses (ports, paths, user
/// information, IP addresses, plain http to a real host…).
///
/// # Safety
/// `instance` and `client_id` must be NULL or NUL-terminated strings; `config_out` must be
/// NULL or point to writable storage for a `wf_config *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_new(
    instance: *const c_char,
    client_id: *const c_char,
    config_out: *mut *mut wf_config,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: the caller passes NULL or NUL-terminated strings.
        let (instance, client_id) = unsafe {
            (
                ffi::arg_str(instance, "instance")?,
                ffi::arg_str(client_id, "client_id")?,
            )
        };
        let out = ffi::out_param(config_out, "config_out")?;
        let config = wf_config {
            builder: ClientConfig::builder(Instance::parse(instance)?, client_id),
            transport: TransportConfig::default(),
            retry: RetryPolicy::default(),
            clock: None,
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(config)) };
        Ok(())
    })
}

/// Releases a configuration. NULL is ignored.
///
/// # Safety
/// `config` must be NULL or a configuration from `wf_config_new` not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_free(config: *mut wf_config) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(config) });
}

/// Runs a setter: checks both pointers, then applies `set` to the configuration.
///
/// # Safety
/// `config` must be NULL or a live configuration used by no other thread; `value` NULL or a
/// NUL-terminated string.
unsafe fn set_text(
    config: *mut wf_config,
    value: *const c_char,
    name: &str,
    set: impl FnOnce(&mut wf_config, &str) -> Result<(), Failure>,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (config, value) =
            unsafe { (ffi::arg_mut(config, "config")?, ffi::arg_str(value, name)?) };
        set(config, value)
    })
}

/// Sets the client secret (a confidential "Web Application" client). It is kept in memory
/// only, never printed, and wiped when the last handle using it is released.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread; `secret` NULL
/// or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_client_secret(
    config: *mut wf_config,
    secret: *const c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_text(config, secret, "secret", |c, s| {
            c.update(|b| b.client_secret(ClientSecret::new(s)));
            Ok(())
        })
    }
}

/// Sets the registered redirect URI (required to authorize). `WF_INVALID_ARGUMENT` if the
/// core refuses it.
///
/// # Safety
/// As for `wf_config_set_client_secret`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_redirect_uri(
    config: *mut wf_config,
    redirect_uri: *const c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_text(config, redirect_uri, "redirect_uri", |c, s| {
            let uri = RedirectUri::parse(s)?;
            c.update(|b| b.redirect_uri(uri));
            Ok(())
        })
    }
}

/// Sets the Workfront API version, `vX.Y` (default `v20.0`). `WF_INVALID_ARGUMENT` if it
/// does not look like one.
///
/// # Safety
/// As for `wf_config_set_client_secret`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_api_version(
    config: *mut wf_config,
    version: *const c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_text(config, version, "version", |c, s| {
            let version = ApiVersion::parse(s)?;
            c.update(|b| b.api_version(version));
            Ok(())
        })
    }
}

/// Sets the scope to request, space-separated: optional for Workfront's legacy service
/// (e.g. `offline_access`), required for Adobe IMS (e.g.
/// `openid AdobeID additional_info.projectedProductContext`), both for the sign-in and for
/// Server-to-Server tokens. Checked by `wf_oauth_new`.
///
/// # Safety
/// As for `wf_config_set_client_secret`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_scope(
    config: *mut wf_config,
    scope: *const c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_text(config, scope, "scope", |c, s| {
            c.update(|b| b.scope(s));
            Ok(())
        })
    }
}

/// A provider URL the core refused, with the name of the parameter that carried it (the
/// core's message describes the problem without quoting the URL).
fn bad_endpoint(e: wf_oauth_core::Error, name: &str) -> Failure {
    let mut failure = Failure::from(e);
    failure.message = format!("`{name}`: {}", failure.message);
    failure
}

/// Uses Workfront's own OAuth 2 service (the default): authorize and token endpoints on the
/// instance, the access token sent as a `sessionID`. This service stops working on
/// 2027-02-01; Adobe IMS (`wf_config_set_provider_adobe_ims`) is its successor.
///
/// Replaces a provider chosen before. Fails only with `WF_NULL_PARAMETER`.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_provider_workfront_legacy(
    config: *mut wf_config,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.update(|b| b.provider(Provider::WorkfrontLegacy));
            Ok(())
        })
    }
}

/// Uses Adobe IMS (credentials of the Adobe Developer Console: OAuth Web App with a secret,
/// Single-Page or Native App with PKCE, or Server-to-Server with
/// `wf_client_client_credentials`): authorize at `<ims_base>/ims/authorize/v2`, tokens
/// from `<ims_base>/ims/token/v3`, access tokens sent as `Authorization: Bearer`. The
/// Workfront API is still called on the configured instance.
///
/// `ims_base` is the IMS base URL, or NULL for `https://ims-na1.adobelogin.com`. It must be
/// `https` (plain `http` only to `127.0.0.1`, `[::1]` or `localhost`, for test servers),
/// without user information or fragment; otherwise `WF_INVALID_ARGUMENT`, and the
/// configuration keeps its previous provider.
///
/// IMS requires a scope (`wf_config_set_scope`): without one, `wf_oauth_new` fails with
/// `WF_INVALID_ARGUMENT`. Replaces a provider chosen before.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread; `ims_base`
/// NULL or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_provider_adobe_ims(
    config: *mut wf_config,
    ims_base: *const c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (config, ims_base) = unsafe {
            (
                ffi::arg_mut(config, "config")?,
                ffi::opt_str(ims_base, "ims_base")?,
            )
        };
        let provider = match ims_base {
            None => Provider::adobe_ims(),
            Some(url) => Provider::adobe_ims_at(url).map_err(|e| bad_endpoint(e, "ims_base"))?,
        };
        config.update(|b| b.provider(provider));
        Ok(())
    })
}

/// Uses a standard OAuth 2 server (RFC 6749) with the authorization endpoint
/// `authorize_url` and the token endpoint `token_url`; access tokens are sent as
/// `Authorization: Bearer`, and the Workfront API is still called on the configured
/// instance. A confidential client authenticates with HTTP Basic and a form body unless
/// `wf_config_set_client_auth` says `WF_CLIENT_AUTH_POST`.
///
/// Both URLs must be `https` (plain `http` only to a loopback host), without user
/// information or fragment; otherwise `WF_INVALID_ARGUMENT` naming the parameter, and the
/// configuration keeps its previous provider. Replaces a provider chosen before.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread;
/// `authorize_url` and `token_url` NULL or NUL-terminated strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_provider_generic(
    config: *mut wf_config,
    authorize_url: *const c_char,
    token_url: *const c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (config, authorize_url, token_url) = unsafe {
            (
                ffi::arg_mut(config, "config")?,
                ffi::arg_str(authorize_url, "authorize_url")?,
                ffi::arg_str(token_url, "token_url")?,
            )
        };
        // Each URL checked on its own by the core, so the error names the one refused.
        let provider = Provider::Generic {
            authorize_url: Endpoint::parse(authorize_url)
                .map_err(|e| bad_endpoint(e, "authorize_url"))?,
            token_url: Endpoint::parse(token_url).map_err(|e| bad_endpoint(e, "token_url"))?,
        };
        config.update(|b| b.provider(provider));
        Ok(())
    })
}

/// Runs a setter without string argument.
///
/// # Safety
/// `config` must be NULL or a live configuration used by no other thread.
unsafe fn set_value(
    config: *mut wf_config,
    set: impl FnOnce(&mut wf_config) -> Result<(), Failure>,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let config = unsafe { ffi::arg_mut(config, "config")? };
        set(config)
    })
}

/// Chooses how a confidential client authenticates at the token endpoint:
/// `WF_CLIENT_AUTH_BASIC` (default) or `WF_CLIENT_AUTH_POST`. Any other value is
/// `WF_INVALID_ARGUMENT`. Chosen by configuration, never guessed: a wrong guess would burn
/// the single-use code.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_client_auth(
    config: *mut wf_config,
    style: u32,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            let auth = match style {
                WF_CLIENT_AUTH_BASIC => ClientAuth::Basic,
                WF_CLIENT_AUTH_POST => ClientAuth::Post,
                other => {
                    return Err(Failure::invalid(format!(
                        "unknown client authentication style {other}; use WF_CLIENT_AUTH_BASIC or WF_CLIENT_AUTH_POST"
                    )));
                }
            };
            c.update(|b| b.client_auth(auth));
            Ok(())
        })
    }
}

/// Uses PKCE (S256) with a confidential client too. Public clients (no secret) always use
/// it, whatever this says.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_pkce(config: *mut wf_config, enabled: bool) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.update(|b| b.pkce(enabled));
            Ok(())
        })
    }
}

/// Accepts callbacks that come back without `state` (for servers known not to echo it;
/// this gives up protection against login CSRF). A `state` that is present must still
/// match. Default: refused with `WF_STATE_MISMATCH`.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_accept_missing_state(
    config: *mut wf_config,
    accept: bool,
) -> wf_result {
    let policy = if accept {
        MissingStatePolicy::Accept
    } else {
        MissingStatePolicy::Reject
    };
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.update(|b| b.missing_state(policy));
            Ok(())
        })
    }
}

/// Sets the authorization server's issuer identifier, compared exactly with the `iss` a
/// callback carries (RFC 9207, mix-up defence). Default: the IMS base URL for Adobe IMS,
/// the instance's origin for Workfront's legacy service, none for a generic server (a
/// callback carrying `iss` is then refused). Checked by `wf_oauth_new` (`https`, no query
/// or fragment).
///
/// # Safety
/// As for `wf_config_set_client_secret`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_issuer(
    config: *mut wf_config,
    issuer: *const c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_text(config, issuer, "issuer", |c, s| {
            c.update(|b| b.issuer(s));
            Ok(())
        })
    }
}

/// Requires `iss` in every callback (RFC 9207), for servers known to send it: a callback
/// without one is `WF_STATE_MISMATCH` and nothing is sent. Needs a known issuer (checked
/// by `wf_oauth_new`).
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_require_issuer(
    config: *mut wf_config,
    required: bool,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.update(|b| b.require_issuer(required));
            Ok(())
        })
    }
}

/// How many seconds before a known expiry the access token is renewed (default 60).
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_refresh_skew(
    config: *mut wf_config,
    secs: u64,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.update(|b| b.refresh_skew_secs(secs));
            Ok(())
        })
    }
}

/// Network timeouts in milliseconds: to establish a connection (default 10 000) and for a
/// whole request, body included (default 30 000). Zero is `WF_INVALID_ARGUMENT`.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_timeouts(
    config: *mut wf_config,
    connect_ms: u64,
    request_ms: u64,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            if connect_ms == 0 || request_ms == 0 {
                return Err(Failure::invalid("timeouts must be at least 1 ms"));
            }
            c.transport = c
                .transport
                .clone()
                .with_connect_timeout(Duration::from_millis(connect_ms))
                .with_request_timeout(Duration::from_millis(request_ms));
            Ok(())
        })
    }
}

/// Bounds for retrying transient failures: total attempts including the first (default 3;
/// 1 disables retries) and the total time in milliseconds (default 30 000). What may be
/// retried at all depends on the request (a code exchange only when the server cannot have
/// seen it). Zero attempts is `WF_INVALID_ARGUMENT`.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_retry(
    config: *mut wf_config,
    max_attempts: u32,
    max_elapsed_ms: u64,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            if max_attempts == 0 {
                return Err(Failure::invalid("max_attempts must be at least 1"));
            }
            c.retry = c
                .retry
                .with_max_attempts(max_attempts)
                .with_max_elapsed(Duration::from_millis(max_elapsed_ms));
            Ok(())
        })
    }
}

/// Replaces the system clock with `now` (called with `userdata`), or restores the system
/// clock when `now` is NULL.
///
/// The protocol's time decisions (is the code older than two minutes, is the token due for
/// renewal) use this clock, so an application can follow a time source of its own, and a
/// test can move time without sleeping.
///
/// `now` may be called from any thread, concurrently, for as long as any `wf_oauth` or
/// `wf_client` made from this configuration exists; `userdata` must stay valid that long.
///
/// # Safety
/// `config` must be NULL or a live configuration not used by another thread; `now`, if not
/// NULL, must be safe to call as described with `userdata`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_config_set_clock(
    config: *mut wf_config,
    now: wf_clock_fn,
    userdata: *mut c_void,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        set_value(config, |c| {
            c.clock = now.map(|now| CallbackClock { now, userdata });
            Ok(())
        })
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
