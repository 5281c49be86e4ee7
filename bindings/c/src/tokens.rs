//! `wf_token_set`: the tokens of one sign-in, their accessors and their stored form.
//!
//! Credentials leave a token set only through the functions that name them
//! (`wf_token_set_access_token`, `wf_token_set_refresh_token`) or through the stored form
//! (`wf_token_set_to_json`), which is meant for a private store.

use std::ffi::c_char;

use wf_oauth_core::TokenSet;
use zeroize::Zeroizing;

use crate::error::wf_result;
use crate::ffi::{self, Failure};

/// The tokens of one sign-in (or of one client credentials grant): access token, refresh
/// token, expiry, `wid`, instance.
///
/// Immutable, so thread-safe: any number of threads may read one token set.
#[derive(Debug, Clone)]
pub struct wf_token_set {
    pub(crate) tokens: TokenSet,
}

impl wf_token_set {
    pub(crate) fn new(tokens: TokenSet) -> wf_token_set {
        wf_token_set { tokens }
    }
}

/// Reads a token set from its stored form (`wf_token_set_to_json`).
///
/// `WF_INVALID_ARGUMENT` if the text is not a token set, or one written in a format this
/// version does not read; the message never quotes the text.
///
/// # Safety
/// `json` must be NULL or a NUL-terminated string; `tokens_out` NULL or writable storage
/// for a `wf_token_set *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_from_json(
    json: *const c_char,
    tokens_out: *mut *mut wf_token_set,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: the caller passes NULL or a NUL-terminated string.
        let json = unsafe { ffi::arg_str(json, "json")? };
        let out = ffi::out_param(tokens_out, "tokens_out")?;
        let tokens = TokenSet::from_json(json)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(wf_token_set::new(tokens))) };
        Ok(())
    })
}

/// Releases a token set. NULL is ignored.
///
/// # Safety
/// `tokens` must be NULL or a token set from this library not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_free(tokens: *mut wf_token_set) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(tokens) });
}

/// Writes `read(tokens)` to `*out` as a new C string, or NULL when it is absent.
///
/// # Safety
/// `tokens` must be NULL or a live token set; `out` NULL or writable.
unsafe fn text_of(
    tokens: *const wf_token_set,
    out: *mut *mut c_char,
    what: &str,
    read: impl FnOnce(&TokenSet) -> Option<Zeroizing<String>>,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let tokens = unsafe { ffi::arg_ref(tokens, "tokens")? };
        let out = ffi::out_param(out, "out")?;
        let text = match read(&tokens.tokens) {
            Some(text) => ffi::c_string(text.as_bytes(), what)?,
            None => std::ptr::null_mut(),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(text) };
        Ok(())
    })
}

/// The stored form of the token set: versioned JSON that `wf_token_set_from_json` reads
/// back. It contains the tokens: keep it somewhere private. Free with `wf_string_free`.
///
/// # Safety
/// `tokens` must be NULL or a live token set; `json_out` NULL or writable storage for a
/// `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_to_json(
    tokens: *const wf_token_set,
    json_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, json_out, "the token set", |t| {
            Some(Zeroizing::new(t.to_json()))
        })
    }
}

/// The access token (a Workfront `sessionID`, or a Bearer token from Adobe IMS or a generic
/// server), a credential. Free with `wf_string_free`.
///
/// # Safety
/// As for `wf_token_set_to_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_access_token(
    tokens: *const wf_token_set,
    access_token_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, access_token_out, "the access token", |t| {
            Some(Zeroizing::new(t.access_token().secret().to_owned()))
        })
    }
}

/// The refresh token, a credential, or NULL when the server issued none. Free with
/// `wf_string_free`.
///
/// # Safety
/// As for `wf_token_set_to_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_refresh_token(
    tokens: *const wf_token_set,
    refresh_token_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, refresh_token_out, "the refresh token", |t| {
            t.refresh_token()
                .map(|r| Zeroizing::new(r.secret().to_owned()))
        })
    }
}

/// The token type as the server named it (`sessionID` for Workfront, `Bearer` for Adobe
/// IMS). Free with `wf_string_free`.
///
/// # Safety
/// As for `wf_token_set_to_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_token_type(
    tokens: *const wf_token_set,
    token_type_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, token_type_out, "the token type", |t| {
            Some(Zeroizing::new(t.token_type().as_str().to_owned()))
        })
    }
}

/// Workfront's `wid` (kept as an opaque string), or NULL when absent. Free with
/// `wf_string_free`.
///
/// # Safety
/// As for `wf_token_set_to_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_wid(
    tokens: *const wf_token_set,
    wid_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, wid_out, "the wid", |t| {
            t.wid().map(|w| Zeroizing::new(w.to_owned()))
        })
    }
}

/// The origin of the instance the tokens belong to (`https://acme.my.workfront.com`).
/// Free with `wf_string_free`.
///
/// # Safety
/// As for `wf_token_set_to_json`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_instance(
    tokens: *const wf_token_set,
    origin_out: *mut *mut c_char,
) -> wf_result {
    // SAFETY: forwarded to the caller.
    unsafe {
        text_of(tokens, origin_out, "the instance", |t| {
            Some(Zeroizing::new(t.instance().origin().to_owned()))
        })
    }
}

/// When the access token expires, in Unix seconds, or 0 when the server did not say
/// (Workfront's `expires_in: 0`: a sliding session that lasts while it is used, not an
/// expired one).
///
/// # Safety
/// `tokens` must be NULL or a live token set; `expires_at_out` NULL or a writable
/// `uint64_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_token_set_expires_at(
    tokens: *const wf_token_set,
    expires_at_out: *mut u64,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let tokens = unsafe { ffi::arg_ref(tokens, "tokens")? };
        let out = ffi::out_param(expires_at_out, "expires_at_out")?;
        let at = tokens.tokens.expires_at().map_or(0, |t| t.as_secs());
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(at) };
        Ok(())
    })
}

/// Reads a token set for a call that needs one, by reference.
///
/// # Safety
/// `tokens` must be NULL or a live token set.
pub(crate) unsafe fn arg_tokens<'a>(
    tokens: *const wf_token_set,
    name: &str,
) -> Result<&'a TokenSet, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { ffi::arg_ref(tokens, name) }.map(|t| &t.tokens)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use wf_oauth_core::{AccessToken, Instance, RefreshToken, UnixTime};

    fn sample() -> TokenSet {
        TokenSet::new(
            AccessToken::new("sess-secret-1"),
            Instance::parse("acme.my.workfront.com").expect("instance"),
            UnixTime::from_secs(1_700_000_000),
        )
        .with_refresh_token(Some(RefreshToken::new("refresh-secret-1")))
    }

    fn take(s: *mut c_char) -> String {
        // SAFETY: a string returned by the library, released right after.
        let text = unsafe { CStr::from_ptr(s) }
            .to_str()
            .expect("utf-8")
            .to_owned();
        // SAFETY: returned by the library, released once.
        unsafe { crate::wf_string_free(s) };
        text
    }

    #[test]
    fn debug_output_hides_the_tokens() {
        let text = format!("{:?}", wf_token_set::new(sample()));
        assert!(!text.contains("sess-secret-1"), "{text}");
        assert!(!text.contains("refresh-secret-1"), "{text}");
    }

    #[test]
    fn json_round_trip_and_accessors() {
        let handle = ffi::into_handle(wf_token_set::new(sample()));
        let (mut json, mut access, mut wid, mut expires) = (
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            7u64,
        );
        // SAFETY: a live handle and valid out pointers.
        unsafe {
            assert_eq!(wf_token_set_to_json(handle, &mut json), wf_result::WF_OK);
            assert_eq!(
                wf_token_set_access_token(handle, &mut access),
                wf_result::WF_OK
            );
            assert_eq!(wf_token_set_wid(handle, &mut wid), wf_result::WF_OK);
            assert_eq!(
                wf_token_set_expires_at(handle, &mut expires),
                wf_result::WF_OK
            );
            wf_token_set_free(handle);
        }
        assert_eq!(take(access), "sess-secret-1");
        assert!(wid.is_null());
        assert_eq!(expires, 0);
        let json = take(json);
        let c_json = std::ffi::CString::new(json).expect("no NUL");
        let mut back = std::ptr::null_mut();
        // SAFETY: a valid C string and out pointer.
        unsafe {
            assert_eq!(
                wf_token_set_from_json(c_json.as_ptr(), &mut back),
                wf_result::WF_OK
            );
            assert_eq!((*back).tokens, sample());
            wf_token_set_free(back);
        }
    }

    #[test]
    fn foreign_json_is_an_invalid_argument_that_quotes_nothing() {
        let mut out = std::ptr::null_mut();
        // SAFETY: a literal C string and a valid out pointer.
        let r = unsafe {
            wf_token_set_from_json(
                c"{\"format\":1,\"access_token\":\"leak-me\"}".as_ptr(),
                &mut out,
            )
        };
        assert_eq!(r, wf_result::WF_INVALID_ARGUMENT);
        assert!(out.is_null(), "nothing written on failure");
        let mut message = std::ptr::null_mut();
        // SAFETY: a valid out pointer.
        unsafe { crate::wf_last_error_message(&mut message) };
        let message = take(message);
        assert!(!message.contains("leak-me"), "{message}");
    }
}
