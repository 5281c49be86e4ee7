//! Results and the last error of the calling thread.
//!
//! A C function can return one integer; the rest of a failure (its message, the HTTP
//! status, whether retrying may help) waits in a thread-local slot until the same thread
//! makes its next call, like `errno` with words. Thread-local because handles are shared
//! between threads and each thread must see its own failure, not its neighbour's.

use std::cell::RefCell;
use std::ffi::{CString, c_char};

use wf_oauth_core::ErrorKind;

use crate::ffi::{self, Failure};

/// The outcome of every fallible call.
///
/// `WF_OK` is zero; every other value is a failure whose details are available through
/// `wf_last_error_message`, `wf_last_error_status` and `wf_last_error_retryable` until the
/// calling thread's next call. The categories are the core's, shared by every binding.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum wf_result {
    /// Success; the out-parameters were written.
    WF_OK = 0,
    /// A required pointer argument was NULL. Nothing happened.
    WF_NULL_PARAMETER = 1,
    /// An argument or the configuration is not acceptable (bad instance, redirect URI, API
    /// version, method, JSON, string that is not UTF-8…): a programming or setup mistake.
    WF_INVALID_ARGUMENT = 2,
    /// The callback does not belong to this authorization (wrong or missing `state`, wrong
    /// redirect URI, an instance that is not allowed): stale or forged. Start again.
    WF_STATE_MISMATCH = 3,
    /// The user (or the server on their behalf) refused the authorization.
    WF_AUTHORIZATION_DENIED = 4,
    /// The authorization endpoint reported an error other than a refusal.
    WF_AUTHORIZATION_FAILED = 5,
    /// The authorization code was older than its two-minute lifetime. Start again.
    WF_CODE_EXPIRED = 6,
    /// The user must sign in again (refresh token refused, credential removed or signed
    /// out).
    WF_REAUTH_REQUIRED = 7,
    /// The token endpoint refused the request (e.g. `invalid_client`).
    WF_TOKEN_ENDPOINT = 8,
    /// A Workfront API call failed; `wf_last_error_status` has the HTTP status.
    WF_API_ERROR = 9,
    /// The network failed (connection refused, timeout, TLS…).
    WF_TRANSPORT = 10,
    /// The token store failed; for a refresh, the new tokens were neither saved nor used.
    WF_STORAGE = 11,
    /// A server broke the protocol (malformed callback, unexpected or oversized answer).
    WF_PROTOCOL = 12,
    /// A bug inside the library was caught at the boundary. The handles involved may be in
    /// an unexpected state; please report it.
    WF_PANIC = 13,
}

impl wf_result {
    /// The result for an error of the core's category `kind`.
    pub(crate) fn from_kind(kind: ErrorKind) -> wf_result {
        match kind {
            ErrorKind::InvalidArgument => wf_result::WF_INVALID_ARGUMENT,
            ErrorKind::StateMismatch => wf_result::WF_STATE_MISMATCH,
            ErrorKind::AuthorizationDenied => wf_result::WF_AUTHORIZATION_DENIED,
            ErrorKind::AuthorizationFailed => wf_result::WF_AUTHORIZATION_FAILED,
            ErrorKind::CodeExpired => wf_result::WF_CODE_EXPIRED,
            ErrorKind::ReauthRequired => wf_result::WF_REAUTH_REQUIRED,
            ErrorKind::TokenEndpoint => wf_result::WF_TOKEN_ENDPOINT,
            ErrorKind::Api => wf_result::WF_API_ERROR,
            ErrorKind::Transport => wf_result::WF_TRANSPORT,
            ErrorKind::Storage => wf_result::WF_STORAGE,
            ErrorKind::Protocol => wf_result::WF_PROTOCOL,
            ErrorKind::Internal => wf_result::WF_PANIC,
            // The core may add categories; until this table learns one, "the other side
            // did something unexpected" is the closest honest description.
            _ => wf_result::WF_PROTOCOL,
        }
    }

    /// The enumerator's name, as a static NUL-terminated string.
    fn name(self) -> &'static [u8] {
        match self {
            wf_result::WF_OK => b"WF_OK\0",
            wf_result::WF_NULL_PARAMETER => b"WF_NULL_PARAMETER\0",
            wf_result::WF_INVALID_ARGUMENT => b"WF_INVALID_ARGUMENT\0",
            wf_result::WF_STATE_MISMATCH => b"WF_STATE_MISMATCH\0",
            wf_result::WF_AUTHORIZATION_DENIED => b"WF_AUTHORIZATION_DENIED\0",
            wf_result::WF_AUTHORIZATION_FAILED => b"WF_AUTHORIZATION_FAILED\0",
            wf_result::WF_CODE_EXPIRED => b"WF_CODE_EXPIRED\0",
            wf_result::WF_REAUTH_REQUIRED => b"WF_REAUTH_REQUIRED\0",
            wf_result::WF_TOKEN_ENDPOINT => b"WF_TOKEN_ENDPOINT\0",
            wf_result::WF_API_ERROR => b"WF_API_ERROR\0",
            wf_result::WF_TRANSPORT => b"WF_TRANSPORT\0",
            wf_result::WF_STORAGE => b"WF_STORAGE\0",
            wf_result::WF_PROTOCOL => b"WF_PROTOCOL\0",
            wf_result::WF_PANIC => b"WF_PANIC\0",
        }
    }

    /// Every result, in numeric order.
    fn all() -> [wf_result; 14] {
        [
            wf_result::WF_OK,
            wf_result::WF_NULL_PARAMETER,
            wf_result::WF_INVALID_ARGUMENT,
            wf_result::WF_STATE_MISMATCH,
            wf_result::WF_AUTHORIZATION_DENIED,
            wf_result::WF_AUTHORIZATION_FAILED,
            wf_result::WF_CODE_EXPIRED,
            wf_result::WF_REAUTH_REQUIRED,
            wf_result::WF_TOKEN_ENDPOINT,
            wf_result::WF_API_ERROR,
            wf_result::WF_TRANSPORT,
            wf_result::WF_STORAGE,
            wf_result::WF_PROTOCOL,
            wf_result::WF_PANIC,
        ]
    }
}

/// The details of the last failure on one thread.
#[derive(Debug, Clone)]
pub(crate) struct LastError {
    pub(crate) message: String,
    pub(crate) status: Option<u16>,
    pub(crate) retryable: bool,
}

thread_local! {
    static LAST_ERROR: RefCell<Option<LastError>> = const { RefCell::new(None) };
}

/// Forgets the previous failure: called at the start of every fallible call.
pub(crate) fn clear_last_error() {
    LAST_ERROR.with(|slot| slot.borrow_mut().take());
}

/// Records `failure` as the calling thread's last error.
pub(crate) fn set_last_error(failure: &Failure) {
    LAST_ERROR.with(|slot| {
        *slot.borrow_mut() = Some(LastError {
            message: failure.message.clone(),
            status: failure.status,
            retryable: failure.retryable,
        });
    });
}

fn last_error() -> Option<LastError> {
    LAST_ERROR.with(|slot| slot.borrow().clone())
}

/// The name of a result (`"WF_CODE_EXPIRED"`…), or `"WF_UNKNOWN"` for a number that is
/// not a `wf_result`. The string is static: do not free it.
///
/// Takes an `int` rather than a `wf_result` so that any number is safe to pass.
#[unsafe(no_mangle)]
pub extern "C" fn wf_result_name(result: i32) -> *const c_char {
    let name = wf_result::all()
        .into_iter()
        .find(|r| *r as i32 == result)
        .map_or(&b"WF_UNKNOWN\0"[..], |r| r.name());
    name.as_ptr().cast()
}

/// Writes to `*message_out` a description of the last failure of the calling thread (free
/// it with `wf_string_free`), or NULL when the thread's last call succeeded.
///
/// The message never contains a secret: no client secret, code, verifier or token.
/// Reading it does not clear it.
///
/// # Safety
/// `message_out` must be NULL or point to writable storage for a `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_last_error_message(message_out: *mut *mut c_char) -> wf_result {
    ffi::guard_keeping_last_error(|| {
        let out = ffi::out_param(message_out, "message_out")?;
        let message = match last_error() {
            // The messages come from Display impls and never contain NUL; should one ever
            // do, it is cut there rather than lost.
            Some(e) => ffi::into_c_string(CString::new(e.message).unwrap_or_else(|e| {
                let nul = e.nul_position();
                let mut bytes = e.into_vec();
                bytes.truncate(nul);
                CString::new(bytes).unwrap_or_default()
            })),
            None => std::ptr::null_mut(),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(message) };
        Ok(())
    })
}

/// Writes to `*status_out` the HTTP status of the answer behind the last failure of the
/// calling thread (e.g. 400 for a refused API call), or 0 when it did not come from an
/// HTTP answer or the last call succeeded.
///
/// # Safety
/// `status_out` must be NULL or point to a writable `uint16_t`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_last_error_status(status_out: *mut u16) -> wf_result {
    ffi::guard_keeping_last_error(|| {
        let out = ffi::out_param(status_out, "status_out")?;
        let status = last_error().and_then(|e| e.status).unwrap_or(0);
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(status) };
        Ok(())
    })
}

/// Writes to `*retryable_out` whether the last failure of the calling thread is transient
/// (the same call may succeed later), false when the last call succeeded. The library has
/// already retried what was safe to retry.
///
/// # Safety
/// `retryable_out` must be NULL or point to a writable `bool`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_last_error_retryable(retryable_out: *mut bool) -> wf_result {
    ffi::guard_keeping_last_error(|| {
        let out = ffi::out_param(retryable_out, "retryable_out")?;
        let retryable = last_error().is_some_and(|e| e.retryable);
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(retryable) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn every_kind_has_its_result() {
        let pairs = [
            (ErrorKind::InvalidArgument, wf_result::WF_INVALID_ARGUMENT),
            (ErrorKind::StateMismatch, wf_result::WF_STATE_MISMATCH),
            (
                ErrorKind::AuthorizationDenied,
                wf_result::WF_AUTHORIZATION_DENIED,
            ),
            (
                ErrorKind::AuthorizationFailed,
                wf_result::WF_AUTHORIZATION_FAILED,
            ),
            (ErrorKind::CodeExpired, wf_result::WF_CODE_EXPIRED),
            (ErrorKind::ReauthRequired, wf_result::WF_REAUTH_REQUIRED),
            (ErrorKind::TokenEndpoint, wf_result::WF_TOKEN_ENDPOINT),
            (ErrorKind::Api, wf_result::WF_API_ERROR),
            (ErrorKind::Transport, wf_result::WF_TRANSPORT),
            (ErrorKind::Storage, wf_result::WF_STORAGE),
            (ErrorKind::Protocol, wf_result::WF_PROTOCOL),
        ];
        for (kind, result) in pairs {
            assert_eq!(wf_result::from_kind(kind), result);
        }
    }

    #[test]
    fn names_match_the_enumerators() {
        for (i, r) in wf_result::all().iter().enumerate() {
            assert_eq!(*r as usize, i, "numbered in order");
            // SAFETY: `wf_result_name` returns a static NUL-terminated string.
            let name = unsafe { CStr::from_ptr(wf_result_name(*r as i32)) };
            assert_eq!(name.to_str().expect("ascii"), format!("{r:?}"));
        }
        for unknown in [-1, 14, i32::MAX] {
            // SAFETY: as above.
            let name = unsafe { CStr::from_ptr(wf_result_name(unknown)) };
            assert_eq!(name.to_bytes(), b"WF_UNKNOWN");
        }
    }
}
