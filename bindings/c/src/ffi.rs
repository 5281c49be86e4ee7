//! The boundary itself: panics caught, pointers checked, strings and handles converted.
//!
//! Every exported function is a thin shell around a closure run by [`guard`]: the closure
//! checks its pointers (all of them before doing anything, so a NULL never leaves half a
//! job done), does the work with safe Rust, and writes its out-parameters last, only when
//! everything succeeded.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};

use zeroize::Zeroize;

use crate::error::{clear_last_error, set_last_error, wf_result};

/// A failed call: its result and what the thread's last error will say about it.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) result: wf_result,
    pub(crate) message: String,
    pub(crate) status: Option<u16>,
    pub(crate) retryable: bool,
}

impl Failure {
    fn plain(result: wf_result, message: String) -> Failure {
        Failure {
            result,
            message,
            status: None,
            retryable: false,
        }
    }

    /// A required pointer was NULL.
    pub(crate) fn null(name: &str) -> Failure {
        Failure::plain(
            wf_result::WF_NULL_PARAMETER,
            format!("`{name}` must not be NULL"),
        )
    }

    /// An argument the library cannot accept.
    pub(crate) fn invalid(message: impl Into<String>) -> Failure {
        Failure::plain(wf_result::WF_INVALID_ARGUMENT, message.into())
    }

    /// Something a server sent that C cannot be given.
    pub(crate) fn protocol(message: impl Into<String>) -> Failure {
        Failure::plain(wf_result::WF_PROTOCOL, message.into())
    }

    /// A panic caught at the boundary.
    pub(crate) fn panic() -> Failure {
        // The payload is not quoted: a panic message is not guaranteed to be free of
        // secrets the way the error types' Display texts are.
        Failure::plain(
            wf_result::WF_PANIC,
            "an internal error (a Rust panic) was caught at the C boundary; please report it"
                .to_owned(),
        )
    }
}

impl From<wf_oauth_http::Error> for Failure {
    fn from(e: wf_oauth_http::Error) -> Failure {
        Failure {
            result: wf_result::from_kind(e.kind()),
            // Display texts of the driver and the core never contain credentials.
            message: e.to_string(),
            status: e.status(),
            retryable: e.is_retryable(),
        }
    }
}

impl From<wf_oauth_core::Error> for Failure {
    fn from(e: wf_oauth_core::Error) -> Failure {
        Failure::from(wf_oauth_http::Error::from(e))
    }
}

impl From<wf_oauth_http::StoreError> for Failure {
    fn from(e: wf_oauth_http::StoreError) -> Failure {
        Failure::from(wf_oauth_http::Error::from(e))
    }
}

/// What the closure of an entry point returns.
pub(crate) type Outcome = Result<(), Failure>;

fn run(body: impl FnOnce() -> Outcome, record: bool) -> wf_result {
    let failure = match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => return wf_result::WF_OK,
        Ok(Err(failure)) => failure,
        Err(_) => Failure::panic(),
    };
    if record {
        set_last_error(&failure);
    }
    failure.result
}

/// Runs the body of a fallible entry point: clears the thread's last error, catches a
/// panic, and records the failure, if any, as the new last error.
pub(crate) fn guard(body: impl FnOnce() -> Outcome) -> wf_result {
    clear_last_error();
    run(body, true)
}

/// [`guard`] for the functions that read the last error: they must not change it.
pub(crate) fn guard_keeping_last_error(body: impl FnOnce() -> Outcome) -> wf_result {
    run(body, false)
}

/// Runs the body of a function that returns nothing (the `_free` functions): a panic is
/// caught and dropped, since there is nobody to tell.
pub(crate) fn guard_void(body: impl FnOnce()) {
    let _ = catch_unwind(AssertUnwindSafe(body));
}

/// Checks an out-parameter for NULL; the pointer is written at the very end.
pub(crate) fn out_param<T>(ptr: *mut T, name: &str) -> Result<*mut T, Failure> {
    if ptr.is_null() {
        Err(Failure::null(name))
    } else {
        Ok(ptr)
    }
}

/// A required string argument.
///
/// # Safety
/// `ptr` must be NULL or a NUL-terminated string that stays valid and unchanged for `'a`.
pub(crate) unsafe fn arg_str<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { opt_str(ptr, name) }?.ok_or_else(|| Failure::null(name))
}

/// An optional string argument (NULL means absent).
///
/// # Safety
/// As for [`arg_str`].
pub(crate) unsafe fn opt_str<'a>(
    ptr: *const c_char,
    name: &str,
) -> Result<Option<&'a str>, Failure> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: non-NULL, and the caller guarantees a NUL-terminated string valid for 'a.
    let bytes = unsafe { CStr::from_ptr(ptr) };
    bytes
        .to_str()
        .map(Some)
        .map_err(|_| Failure::invalid(format!("`{name}` is not valid UTF-8")))
}

/// A required handle argument, borrowed.
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` that no other thread mutates during `'a`.
pub(crate) unsafe fn arg_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { ptr.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// A required handle argument, borrowed mutably.
///
/// # Safety
/// `ptr` must be NULL or point to a live `T` that nothing else uses during `'a`.
pub(crate) unsafe fn arg_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { ptr.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// Hands a value to C as an owned handle, released by the matching `_free`.
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Releases a handle made by [`into_handle`]; NULL is ignored.
///
/// # Safety
/// `ptr` must be NULL or a pointer returned by [`into_handle`] for this `T` and not yet
/// released.
pub(crate) unsafe fn free_handle<T>(ptr: *mut T) {
    if !ptr.is_null() {
        // SAFETY: the caller guarantees `ptr` came from `Box::into_raw` and is released once.
        drop(unsafe { Box::from_raw(ptr) });
    }
}

/// Hands a string to C, released by [`wf_string_free`].
pub(crate) fn into_c_string(s: CString) -> *mut c_char {
    s.into_raw()
}

/// Converts text for C. Text with a NUL byte cannot be a C string; such text only comes
/// from a server (JSON output escapes NUL), hence a protocol failure.
pub(crate) fn c_string(text: impl Into<Vec<u8>>, what: &str) -> Result<*mut c_char, Failure> {
    CString::new(text).map(into_c_string).map_err(|e| {
        // The rejected bytes may be a credential: wipe them before they are dropped.
        e.into_vec().zeroize();
        Failure::protocol(format!(
            "{what} contains a NUL byte and cannot be returned to C"
        ))
    })
}

/// Releases a string returned by the library. NULL is ignored.
///
/// The bytes are overwritten with zeros before the memory is released, since such strings
/// may hold tokens.
///
/// # Safety
/// `s` must be NULL or a string returned by this library and not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_string_free(s: *mut c_char) {
    guard_void(|| {
        if s.is_null() {
            return;
        }
        // SAFETY: the caller guarantees `s` came from `CString::into_raw` in this library
        // and is released once.
        let owned = unsafe { CString::from_raw(s) };
        let mut bytes = owned.into_bytes_with_nul();
        bytes.zeroize();
    });
}

/// The library's version (`"0.1.0"`…), a static string: do not free it.
#[unsafe(no_mangle)]
pub extern "C" fn wf_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::error::wf_last_error_message;

    /// The calling thread's last error message (`None` when there is none).
    pub(crate) fn last_message() -> Option<String> {
        let mut out = std::ptr::null_mut();
        // SAFETY: `out` is a valid place for a `char *`.
        assert_eq!(unsafe { wf_last_error_message(&mut out) }, wf_result::WF_OK);
        if out.is_null() {
            return None;
        }
        // SAFETY: a string returned by the library, released right after.
        let text = unsafe { CStr::from_ptr(out) }
            .to_str()
            .expect("utf-8")
            .to_owned();
        // SAFETY: returned by the library, released once.
        unsafe { wf_string_free(out) };
        Some(text)
    }

    #[test]
    fn a_panic_becomes_wf_panic_and_a_last_error() {
        let secret = "s3cr3t-token-value";
        let result = guard(|| {
            if !secret.is_empty() {
                panic!("boom while holding {secret}");
            }
            Ok(())
        });
        assert_eq!(result, wf_result::WF_PANIC);
        let message = last_message().expect("a message");
        assert!(message.contains("panic"), "{message}");
        assert!(
            !message.contains(secret),
            "the payload is not quoted: {message}"
        );
    }

    #[test]
    fn success_clears_the_last_error() {
        assert_eq!(
            guard(|| Err(Failure::invalid("nope"))),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert_eq!(last_message().as_deref(), Some("nope"));
        assert_eq!(guard(|| Ok(())), wf_result::WF_OK);
        assert_eq!(last_message(), None);
    }

    #[test]
    fn a_panic_in_a_free_function_is_contained() {
        guard_void(|| panic!("dropped"));
    }

    #[test]
    fn strings_are_checked() {
        // SAFETY: NULL and literal C strings are valid inputs.
        unsafe {
            assert_eq!(
                arg_str(std::ptr::null(), "x").unwrap_err().result,
                wf_result::WF_NULL_PARAMETER
            );
            assert_eq!(opt_str(std::ptr::null(), "x").ok(), Some(None));
            let bad = b"\xff\xfe\0";
            let e = arg_str(bad.as_ptr().cast(), "path").unwrap_err();
            assert_eq!(e.result, wf_result::WF_INVALID_ARGUMENT);
            assert!(e.message.contains("`path`"));
            assert_eq!(arg_str(c"ok".as_ptr(), "x").ok(), Some("ok"));
        }
        let e = c_string(b"s3cr\0et".to_vec(), "the access token").unwrap_err();
        assert_eq!(e.result, wf_result::WF_PROTOCOL);
        assert!(!e.message.contains("s3cr"), "{}", e.message);
    }

    #[test]
    fn version_is_the_package_version() {
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(wf_version()) };
        assert_eq!(v.to_str().expect("ascii"), env!("CARGO_PKG_VERSION"));
    }
}
