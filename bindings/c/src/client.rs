//! `wf_client`: calls the Workfront API with a credential, renewing it when needed — a
//! user's (code flow) or the application's own (client credentials, Server-to-Server).

use std::ffi::c_char;

use serde_json::Value;
use wf_oauth_core::Method;
use wf_oauth_http::{CredentialStore, blocking};

use crate::error::wf_result;
use crate::ffi::{self, Failure};
use crate::oauth::wf_oauth;
use crate::store::{arg_store, wf_store};
use crate::tokens::{arg_tokens, wf_token_set};

/// An authorized client of the Workfront API for one credential.
///
/// Thread-safe: any number of threads may call one client at the same time. They share
/// its credential: when the session ends, exactly one refresh runs (for a Server-to-Server
/// client: one new client credentials request) and every caller continues with its
/// result, which is saved to the store before anyone uses it. At most 10 requests are in
/// flight at once (Workfront's limit); further callers wait.
#[derive(Debug, Clone)]
pub struct wf_client {
    client: blocking::WorkfrontClient,
}

/// A client from a stored credential: the shared body of `wf_client_open` and
/// `wf_client_open_client_credentials`.
///
/// # Safety
/// As for those functions.
unsafe fn open_stored(
    oauth: *const wf_oauth,
    store: *const wf_store,
    key: *const c_char,
    client_out: *mut *mut wf_client,
    open: fn(
        &blocking::OAuthClient,
        CredentialStore,
        &str,
    ) -> wf_oauth_http::Result<blocking::WorkfrontClient>,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, store, key) = unsafe {
            (
                ffi::arg_ref(oauth, "oauth")?,
                arg_store(store, "store")?,
                ffi::arg_str(key, "key")?,
            )
        };
        let out = ffi::out_param(client_out, "client_out")?;
        hand_out(open(&oauth.client, store, key)?, out);
        Ok(())
    })
}

/// Makes a client and writes it out: the common tail of the constructors.
fn hand_out(client: blocking::WorkfrontClient, out: *mut *mut wf_client) {
    // SAFETY: every caller checked `out` with `ffi::out_param`, and its caller guarantees it
    // is writable.
    unsafe { out.write(ffi::into_handle(wf_client { client })) };
}

/// Signs in: saves `tokens` (from `wf_oauth_exchange`) in `store` under `key`, replacing
/// what was there, and returns a client for them. `key` is the application's name for the
/// credential, e.g. user and instance.
///
/// `WF_STORAGE` when the store cannot save.
///
/// # Safety
/// `oauth`, `store` and `tokens` must be NULL or live handles; `key` NULL or a
/// NUL-terminated string; `client_out` NULL or writable storage for a `wf_client *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_login(
    oauth: *const wf_oauth,
    store: *const wf_store,
    key: *const c_char,
    tokens: *const wf_token_set,
    client_out: *mut *mut wf_client,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, store, key, tokens) = unsafe {
            (
                ffi::arg_ref(oauth, "oauth")?,
                arg_store(store, "store")?,
                ffi::arg_str(key, "key")?,
                arg_tokens(tokens, "tokens")?,
            )
        };
        let out = ffi::out_param(client_out, "client_out")?;
        let client = blocking::WorkfrontClient::login(&oauth.client, store, key, tokens.clone())?;
        hand_out(client, out);
        Ok(())
    })
}

/// Opens the credential stored in `store` under `key` (a later run of the program, another
/// process sharing a file store).
///
/// `WF_REAUTH_REQUIRED` when nothing is stored under `key`; `WF_STORAGE` when the store
/// fails or holds an unreadable document. A credential stored as needing re-authorization
/// opens, and its calls fail with `WF_REAUTH_REQUIRED` until the user signs in again.
///
/// # Safety
/// `oauth` and `store` must be NULL or live handles; `key` NULL or a NUL-terminated string;
/// `client_out` NULL or writable storage for a `wf_client *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_open(
    oauth: *const wf_oauth,
    store: *const wf_store,
    key: *const c_char,
    client_out: *mut *mut wf_client,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        open_stored(oauth, store, key, client_out, |oauth, store, key| {
            blocking::WorkfrontClient::open(oauth, store, key)
        })
    }
}

/// A client for `tokens` that keeps renewed tokens in memory only, for as long as it lives;
/// read them back with `wf_client_tokens` to keep them yourself.
///
/// # Safety
/// `oauth` and `tokens` must be NULL or live handles; `client_out` NULL or writable storage
/// for a `wf_client *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_from_tokens(
    oauth: *const wf_oauth,
    tokens: *const wf_token_set,
    client_out: *mut *mut wf_client,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (oauth, tokens) =
            unsafe { (ffi::arg_ref(oauth, "oauth")?, arg_tokens(tokens, "tokens")?) };
        let out = ffi::out_param(client_out, "client_out")?;
        hand_out(
            blocking::WorkfrontClient::from_tokens(&oauth.client, tokens.clone()),
            out,
        );
        Ok(())
    })
}

/// A Server-to-Server client: the application acts as itself with the client credentials
/// grant (Adobe IMS Server-to-Server credentials, or a generic OAuth 2 server). There is
/// no user and no refresh token: when the access token nears its expiry (by the configured
/// clock and refresh skew) or is refused, a new one is requested, once for all the threads
/// calling at that moment. The token is kept in memory for as long as the client lives;
/// use `wf_client_open_client_credentials` to keep it in a store shared by processes.
///
/// The first token is requested now (blocking), so a wrong secret or scope fails here:
/// `WF_INVALID_ARGUMENT` for Workfront's legacy provider (it has no such grant) or a
/// client without a secret, before anything is sent; `WF_TOKEN_ENDPOINT` when the server
/// refuses (e.g. `invalid_client`: the secret is never in the message); `WF_TRANSPORT` or
/// `WF_PROTOCOL` otherwise.
///
/// On success `*client_out` is the caller's, released with `wf_client_free`; it is
/// thread-safe like any `wf_client`, and stays usable after `oauth` is freed. `oauth` may be
/// used by other threads meanwhile.
///
/// # Safety
/// `oauth` must be NULL or a live client; `client_out` NULL or writable storage for a
/// `wf_client *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_client_credentials(
    oauth: *const wf_oauth,
    client_out: *mut *mut wf_client,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let oauth = unsafe { ffi::arg_ref(oauth, "oauth")? };
        let out = ffi::out_param(client_out, "client_out")?;
        let client = blocking::WorkfrontClient::client_credentials(&oauth.client)?;
        hand_out(client, out);
        Ok(())
    })
}

/// A Server-to-Server client (see `wf_client_client_credentials`) whose token is kept in
/// `store` under `key`, so that clients and processes sharing the store (a file store, or
/// the application's callback store) share one token: a stored token that is still fresh
/// and belongs to this instance is used as it is; otherwise a new one is requested
/// (blocking) and saved, under the store's lock, so that processes starting together
/// request one. Renewals are saved to the store too; a credential removed from the store
/// is simply requested again, never a sign-in matter.
///
/// Fails as `wf_client_client_credentials` does, and with `WF_STORAGE` when the store
/// cannot load or save. Ownership and threads as for `wf_client_client_credentials`; the
/// client keeps the store alive, so `store` may be freed as soon as this returns.
///
/// # Safety
/// `oauth` and `store` must be NULL or live handles; `key` NULL or a NUL-terminated string;
/// `client_out` NULL or writable storage for a `wf_client *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_open_client_credentials(
    oauth: *const wf_oauth,
    store: *const wf_store,
    key: *const c_char,
    client_out: *mut *mut wf_client,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        open_stored(oauth, store, key, client_out, |oauth, store, key| {
            blocking::WorkfrontClient::open_client_credentials(oauth, store, key)
        })
    }
}

/// Releases a client. NULL is ignored. Its credential stays in the store.
///
/// # Safety
/// `client` must be NULL or a client from this library not yet released, and no other
/// thread may be using it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_free(client: *mut wf_client) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(client) });
}

fn parse_method(method: &str) -> Result<Method, Failure> {
    const METHODS: [Method; 5] = [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Delete,
        Method::Patch,
    ];
    METHODS
        .into_iter()
        .find(|m| m.as_str().eq_ignore_ascii_case(method))
        .ok_or_else(|| {
            Failure::invalid(format!(
                "unknown method {method:?}; use GET, POST, PUT, DELETE or PATCH"
            ))
        })
}

fn parse_body(body: &str) -> Result<Value, Failure> {
    serde_json::from_str(body).map_err(|e| {
        // Position only: the body may carry data the application considers private.
        Failure::invalid(format!(
            "the body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Calls the Workfront API: `method` (`"GET"`, `"POST"`, `"PUT"`, `"DELETE"`, `"PATCH"`) on
/// `/attask/api/<version>/<path>` (e.g. `"proj/search"`), with `query` an
/// `application/x-www-form-urlencoded` string (`"status=CUR&$$LIMIT=10"`, or NULL) and
/// `body` a JSON text (or NULL). Blocks until the answer is in.
///
/// On success `*status_out` is 200 (the driver reports every successful answer alike) and
/// `*body_out` the JSON text of the answer's `data` member (free with `wf_string_free`).
///
/// The access token is renewed first when it is known to be due, and once after an
/// authentication failure, and the call is then replayed. `GET`s are retried on transient
/// failures. Fails with `WF_API_ERROR` (`wf_last_error_status` has the HTTP status; also
/// after repeated HTTP 429), `WF_REAUTH_REQUIRED`, `WF_TRANSPORT`, `WF_STORAGE` (a renewed
/// token could not be saved), `WF_PROTOCOL` (not JSON) or `WF_INVALID_ARGUMENT` (a bad
/// method, path or body).
///
/// # Safety
/// `client` must be NULL or a live client; `method` and `path` NULL or NUL-terminated
/// strings; `query` and `body` NULL or NUL-terminated strings; `status_out` NULL or a
/// writable `uint16_t`; `body_out` NULL or writable storage for a `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_request(
    client: *const wf_client,
    method: *const c_char,
    path: *const c_char,
    query: *const c_char,
    body: *const c_char,
    status_out: *mut u16,
    body_out: *mut *mut c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (client, method, path, query, body) = unsafe {
            (
                ffi::arg_ref(client, "client")?,
                ffi::arg_str(method, "method")?,
                ffi::arg_str(path, "path")?,
                ffi::opt_str(query, "query")?,
                ffi::opt_str(body, "body")?,
            )
        };
        let status_out = ffi::out_param(status_out, "status_out")?;
        let body_out = ffi::out_param(body_out, "body_out")?;
        let method = parse_method(method)?;
        let body = body.map(parse_body).transpose()?;
        let query = parse_query(query.unwrap_or(""));
        let pairs: Vec<(&str, &str)> = query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let data = client.client.request(method, path, &pairs, body.as_ref())?;
        let text = ffi::c_string(data.to_string(), "the answer")?;
        // SAFETY: both out-parameters are non-NULL and the caller guarantees they are
        // writable.
        unsafe {
            status_out.write(200);
            body_out.write(text);
        }
        Ok(())
    })
}

/// Runs a client operation without result.
///
/// # Safety
/// `client` must be NULL or a live client.
unsafe fn client_call(
    client: *const wf_client,
    call: impl FnOnce(&blocking::WorkfrontClient) -> wf_oauth_http::Result<()>,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let client = unsafe { ffi::arg_ref(client, "client")? };
        Ok(call(&client.client)?)
    })
}

/// Renews the tokens now (unless another caller or process just did; then those are used),
/// saving them to the store. `WF_REAUTH_REQUIRED` when the refresh token is refused. A
/// Server-to-Server client requests a new token with the client credentials grant
/// instead (`WF_TOKEN_ENDPOINT` when that is refused).
///
/// # Safety
/// `client` must be NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_refresh(client: *const wf_client) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe { client_call(client, |c| c.refresh()) }
}

/// Signs out: ends the Workfront session and deletes the credential from the store. Later
/// calls fail with `WF_REAUTH_REQUIRED`.
///
/// # Safety
/// `client` must be NULL or a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_logout(client: *const wf_client) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe { client_call(client, |c| c.logout()) }
}

/// The tokens the client currently uses (a copy; free with `wf_token_set_free`).
///
/// # Safety
/// `client` must be NULL or a live client; `tokens_out` NULL or writable storage for a
/// `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_tokens(
    client: *const wf_client,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let client = unsafe { ffi::arg_ref(client, "client")? };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let tokens = wf_token_set::new(client.client.current_tokens());
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(tokens)) };
        Ok(())
    })
}

/// Whether the user must sign in again before the next call can succeed.
///
/// # Safety
/// `client` must be NULL or a live client; `reauth_out` NULL or a writable `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_client_reauth_required(
    client: *const wf_client,
    reauth_out: *mut bool,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let client = unsafe { ffi::arg_ref(client, "client")? };
        let out = ffi::out_param(reauth_out, "reauth_out")?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(client.client.reauth_required()) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_are_read_in_any_case_and_checked() {
        assert_eq!(parse_method("get").ok(), Some(Method::Get));
        assert_eq!(parse_method("PATCH").ok(), Some(Method::Patch));
        let e = parse_method("BREW").unwrap_err();
        assert_eq!(e.result, wf_result::WF_INVALID_ARGUMENT);
    }

    #[test]
    fn a_bad_body_is_described_by_position_only() {
        let e = parse_body("{\"password\": secret-value}").unwrap_err();
        assert_eq!(e.result, wf_result::WF_INVALID_ARGUMENT);
        assert!(!e.message.contains("secret-value"), "{}", e.message);
    }

    #[test]
    fn queries_are_decoded() {
        assert_eq!(
            parse_query("?status=CUR&%24%24LIMIT=5&name=a+b"),
            vec![
                ("status".to_owned(), "CUR".to_owned()),
                ("$$LIMIT".to_owned(), "5".to_owned()),
                ("name".to_owned(), "a b".to_owned()),
            ]
        );
        assert!(parse_query("").is_empty());
    }
}
