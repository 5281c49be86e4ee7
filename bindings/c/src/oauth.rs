//! `wf_oauth`: the OAuth 2 flow — authorize URL, callback, code exchange, refresh — and
//! the client credentials grant (Server-to-Server).

use std::ffi::c_char;

use wf_oauth_core::{AuthorizationResponse, PendingAuthorization};
use wf_oauth_http::blocking;
use zeroize::Zeroizing;

use crate::config::wf_config;
use crate::error::wf_result;
use crate::ffi;
use crate::tokens::{arg_tokens, wf_token_set};

/// An OAuth client: one configuration, one connection pool, one clock.
///
/// Thread-safe: any number of threads may use one `wf_oauth` at the same time.
#[derive(Debug, Clone)]
pub struct wf_oauth {
    pub(crate) client: blocking::OAuthClient,
}

/// An authorization in progress: the URL for the user's browser, and what is needed to
/// check the callback (the `state`, the PKCE verifier). Keep it until the callback arrives;
/// a web application can keep its stored form (`wf_pending_authorization_to_json`)
/// server-side between the two requests.
///
/// Immutable, so thread-safe.
#[derive(Debug, Clone)]
pub struct wf_pending_authorization {
    pending: PendingAuthorization,
}

/// A callback that was checked and accepted: the authorization code, valid for two
/// minutes from its arrival, ready for `wf_oauth_exchange_code`.
///
/// Immutable, so thread-safe.
#[derive(Debug, Clone)]
pub struct wf_authorization_response {
    response: AuthorizationResponse,
}

/// Makes an OAuth client from a configuration (which is copied: it may be freed after).
///
/// `WF_INVALID_ARGUMENT` when the configuration is incomplete or inconsistent (e.g. an
/// empty client id, a malformed scope, or Adobe IMS without a scope).
///
/// # Safety
/// `config` must be NULL or a live configuration not being changed by another thread;
/// `oauth_out` NULL or writable storage for a `wf_oauth *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_new(
    config: *const wf_config,
    oauth_out: *mut *mut wf_oauth,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let config = unsafe { ffi::arg_ref(config, "config")? };
        let out = ffi::out_param(oauth_out, "oauth_out")?;
        let client = config.oauth_client()?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_oauth { client })) };
        Ok(())
    })
}

/// Releases an OAuth client. NULL is ignored. Clients made from it keep working.
///
/// # Safety
/// `oauth` must be NULL or a client from `wf_oauth_new` not yet released, and no other
/// thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_free(oauth: *mut wf_oauth) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(oauth) });
}

/// Starts an authorization: a fresh `state` (and PKCE verifier for public clients) from the
/// operating system's secure random generator, and the URL to open in the user's browser.
///
/// `WF_INVALID_ARGUMENT` when the configuration has no redirect URI.
///
/// # Safety
/// `oauth` must be NULL or a live client; `pending_out` NULL or writable storage for a
/// `wf_pending_authorization *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_authorize(
    oauth: *const wf_oauth,
    pending_out: *mut *mut wf_pending_authorization,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let oauth = unsafe { ffi::arg_ref(oauth, "oauth")? };
        let out = ffi::out_param(pending_out, "pending_out")?;
        let pending = oauth.client.authorize()?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_pending_authorization { pending })) };
        Ok(())
    })
}

/// The URL to send the user's browser to. Free with `wf_string_free`.
///
/// # Safety
/// `pending` must be NULL or a live pending authorization; `url_out` NULL or writable
/// storage for a `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_pending_authorization_url(
    pending: *const wf_pending_authorization,
    url_out: *mut *mut c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let pending = unsafe { ffi::arg_ref(pending, "pending")? };
        let out = ffi::out_param(url_out, "url_out")?;
        let url = ffi::c_string(pending.pending.url(), "the authorize URL")?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(url) };
        Ok(())
    })
}

/// The stored form of a pending authorization (versioned JSON, read back by
/// `wf_pending_authorization_from_json`). It contains the PKCE verifier: keep it private
/// (server-side, not in a cookie). Free with `wf_string_free`.
///
/// # Safety
/// As for `wf_pending_authorization_url`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_pending_authorization_to_json(
    pending: *const wf_pending_authorization,
    json_out: *mut *mut c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let pending = unsafe { ffi::arg_ref(pending, "pending")? };
        let out = ffi::out_param(json_out, "json_out")?;
        let json = Zeroizing::new(pending.pending.to_json());
        let json = ffi::c_string(json.as_bytes(), "the pending authorization")?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(json) };
        Ok(())
    })
}

/// Reads a pending authorization from its stored form. `WF_INVALID_ARGUMENT` for text
/// that is not one, or a format this version does not read; the message never quotes it.
///
/// # Safety
/// `json` must be NULL or a NUL-terminated string; `pending_out` NULL or writable storage
/// for a `wf_pending_authorization *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_pending_authorization_from_json(
    json: *const c_char,
    pending_out: *mut *mut wf_pending_authorization,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let json = unsafe { ffi::arg_str(json, "json")? };
        let out = ffi::out_param(pending_out, "pending_out")?;
        let pending = PendingAuthorization::from_json(json)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_pending_authorization { pending })) };
        Ok(())
    })
}

/// Releases a pending authorization. NULL is ignored.
///
/// # Safety
/// `pending` must be NULL or a pending authorization from this library not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_pending_authorization_free(pending: *mut wf_pending_authorization) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(pending) });
}

/// Checks the callback without exchanging its code, for applications that receive the
/// callback in one place and exchange the code in another (within two minutes).
///
/// `callback` is the full URL the browser was redirected to, or just its query string.
/// Fails with `WF_STATE_MISMATCH` (wrong or missing `state`, wrong redirect URI),
/// `WF_AUTHORIZATION_DENIED` (`error=access_denied`), `WF_AUTHORIZATION_FAILED` (another
/// `error`), `WF_PROTOCOL` (no code, repeated parameters) or `WF_INVALID_ARGUMENT` (an
/// instance that is not a Workfront host).
///
/// # Safety
/// `oauth` and `pending` must be NULL or live handles; `callback` NULL or a NUL-terminated
/// string; `response_out` NULL or writable storage for a `wf_authorization_response *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_accept_callback(
    oauth: *const wf_oauth,
    pending: *const wf_pending_authorization,
    callback: *const c_char,
    response_out: *mut *mut wf_authorization_response,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, pending, callback) = unsafe {
            (
                ffi::arg_ref(oauth, "oauth")?,
                ffi::arg_ref(pending, "pending")?,
                ffi::arg_str(callback, "callback")?,
            )
        };
        let out = ffi::out_param(response_out, "response_out")?;
        let now = oauth.client.as_async().now();
        let response = pending.pending.accept_callback(callback, now)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_authorization_response { response })) };
        Ok(())
    })
}

/// Releases an accepted callback. NULL is ignored.
///
/// # Safety
/// `response` must be NULL or a response from this library not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_authorization_response_free(response: *mut wf_authorization_response) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(response) });
}

/// Checks the callback and exchanges its code for tokens: `wf_oauth_accept_callback` then
/// `wf_oauth_exchange_code`, with the errors of both. Blocks until the token endpoint has
/// answered.
///
/// The code is single-use: after a failure that may have reached the server the exchange is
/// not repeated; start a new authorization instead.
///
/// # Safety
/// `oauth` and `pending` must be NULL or live handles; `callback` NULL or a NUL-terminated
/// string; `tokens_out` NULL or writable storage for a `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_exchange(
    oauth: *const wf_oauth,
    pending: *const wf_pending_authorization,
    callback: *const c_char,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, pending, callback) = unsafe {
            (
                ffi::arg_ref(oauth, "oauth")?,
                ffi::arg_ref(pending, "pending")?,
                ffi::arg_str(callback, "callback")?,
            )
        };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let tokens = oauth.client.exchange(&pending.pending, callback)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_token_set::new(tokens))) };
        Ok(())
    })
}

/// Exchanges the code of an accepted callback for tokens. Blocks until the token endpoint
/// has answered.
///
/// `WF_CODE_EXPIRED` when the callback arrived more than two minutes ago (by the
/// configured clock); `WF_AUTHORIZATION_FAILED` when the token endpoint refused the code
/// (`invalid_grant`: unknown, used or expired — start the sign-in again);
/// `WF_INVALID_ARGUMENT` when the authorization names an instance the configuration does
/// not allow (nothing is sent); `WF_TOKEN_ENDPOINT`, `WF_TRANSPORT` or `WF_PROTOCOL`
/// otherwise.
///
/// # Safety
/// `oauth` and `response` must be NULL or live handles; `tokens_out` NULL or writable
/// storage for a `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_exchange_code(
    oauth: *const wf_oauth,
    response: *const wf_authorization_response,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, response) = unsafe {
            (
                ffi::arg_ref(oauth, "oauth")?,
                ffi::arg_ref(response, "response")?,
            )
        };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let tokens = oauth.client.exchange_code(&response.response)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_token_set::new(tokens))) };
        Ok(())
    })
}

/// Renews `tokens` with their refresh token and returns the new set (which keeps the old
/// refresh token when the server sends none). Blocks until the token endpoint has answered.
///
/// With refresh-token rotation the old refresh token is dead once this succeeds: store the
/// new set before anything else (a `wf_client` does that by itself).
/// `WF_REAUTH_REQUIRED` when the refresh token was refused for good (expired, revoked, no
/// refresh token); `WF_INVALID_ARGUMENT`, with nothing sent, when `tokens` name an
/// instance the configuration does not allow.
///
/// # Safety
/// `oauth` and `tokens` must be NULL or live handles; `tokens_out` NULL or writable storage
/// for a `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_refresh(
    oauth: *const wf_oauth,
    tokens: *const wf_token_set,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, tokens) =
            unsafe { (ffi::arg_ref(oauth, "oauth")?, arg_tokens(tokens, "tokens")?) };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let renewed = oauth.client.refresh(tokens)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_token_set::new(renewed))) };
        Ok(())
    })
}

/// Requests a token with the client credentials grant (RFC 6749 §4.4): the application
/// acts as itself, with no user and no refresh token (Adobe IMS Server-to-Server
/// credentials). Blocks until the token endpoint has answered; the request is retried on
/// transient failures. Most applications want `wf_client_client_credentials` instead,
/// which requests a new token by itself when this one nears its expiry.
///
/// Needs a client secret and a provider with this grant (Adobe IMS or a generic server):
/// `WF_INVALID_ARGUMENT` for Workfront's legacy service or a public client, before
/// anything is sent. `WF_TOKEN_ENDPOINT` when the server refuses (e.g. `invalid_client`
/// for a wrong secret, `invalid_scope`), `WF_TRANSPORT` or `WF_PROTOCOL` otherwise. The
/// secret never appears in the error message.
///
/// On success `*tokens_out` is the caller's, released with `wf_token_set_free`. Any number
/// of threads may call this on one `wf_oauth` at once (each gets its own token).
///
/// # Safety
/// `oauth` must be NULL or a live client; `tokens_out` NULL or writable storage for a
/// `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_oauth_client_credentials(
    oauth: *const wf_oauth,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let oauth = unsafe { ffi::arg_ref(oauth, "oauth")? };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let tokens = oauth.client.client_credentials()?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_token_set::new(tokens))) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    /// A public (PKCE) and a confidential configuration, turned into clients.
    fn oauth(secret: Option<&CStr>) -> *mut wf_oauth {
        let (mut config, mut oauth) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: literal C strings and valid out pointers; the configuration is released.
        unsafe {
            let r = crate::wf_config_new(
                c"acme.my.workfront.com".as_ptr(),
                c"id".as_ptr(),
                &mut config,
            );
            assert_eq!(r, wf_result::WF_OK);
            let r =
                crate::wf_config_set_redirect_uri(config, c"https://app.example.com/cb".as_ptr());
            assert_eq!(r, wf_result::WF_OK);
            if let Some(secret) = secret {
                assert_eq!(
                    crate::wf_config_set_client_secret(config, secret.as_ptr()),
                    wf_result::WF_OK
                );
            }
            assert_eq!(wf_oauth_new(config, &mut oauth), wf_result::WF_OK);
            crate::wf_config_free(config);
        }
        oauth
    }

    #[test]
    fn debug_output_hides_the_secret_and_the_verifier() {
        let confidential = oauth(Some(c"hunter2-secret"));
        let public = oauth(None);
        let mut pending = std::ptr::null_mut();
        // SAFETY: live handles and a valid out pointer; everything is released.
        unsafe {
            let text = format!("{:?}", *confidential);
            assert!(!text.contains("hunter2"), "{text}");
            assert_eq!(wf_oauth_authorize(public, &mut pending), wf_result::WF_OK);
            let verifier = (*pending)
                .pending
                .pkce_verifier()
                .expect("PKCE")
                .secret()
                .to_owned();
            let text = format!("{:?}", *pending);
            assert!(!text.contains(&verifier), "{text}");
            wf_pending_authorization_free(pending);
            wf_oauth_free(public);
            wf_oauth_free(confidential);
        }
    }

    #[test]
    fn no_client_credentials_grant_on_the_legacy_service() {
        let oauth = oauth(Some(c"s2s-secret-4711"));
        let mut tokens = std::ptr::null_mut();
        // SAFETY: a live client and a valid out pointer; the client is released.
        unsafe {
            // Refused by the core before anything is sent (acme.my.workfront.com is never
            // contacted).
            assert_eq!(
                wf_oauth_client_credentials(oauth, &mut tokens),
                wf_result::WF_INVALID_ARGUMENT
            );
            assert!(tokens.is_null());
            let text = crate::ffi::tests::last_message().expect("a last error message");
            assert!(text.contains("client credentials"), "{text}");
            assert!(!text.contains("4711"), "{text}");
            wf_oauth_free(oauth);
        }
    }

    #[test]
    fn an_accepted_callback_does_not_show_its_code() {
        let oauth = oauth(Some(c"s"));
        let (mut pending, mut response) = (std::ptr::null_mut(), std::ptr::null_mut());
        // SAFETY: live handles, valid strings and out pointers; everything is released.
        unsafe {
            assert_eq!(wf_oauth_authorize(oauth, &mut pending), wf_result::WF_OK);
            let state = (*pending).pending.state().secret().to_owned();
            let callback =
                std::ffi::CString::new(format!("?code=c0de-secret&state={state}")).expect("no NUL");
            let r = wf_oauth_accept_callback(oauth, pending, callback.as_ptr(), &mut response);
            assert_eq!(r, wf_result::WF_OK);
            let text = format!("{:?}", *response);
            assert!(!text.contains("c0de-secret"), "{text}");
            wf_authorization_response_free(response);
            wf_pending_authorization_free(pending);
            wf_oauth_free(oauth);
        }
    }
}
