//! `wf_store`: where a `wf_client` keeps its credential — a directory of files, memory, or
//! C functions of the application.
//!
//! Workfront does not keep the refresh token for the application, and with refresh-token
//! rotation every refresh replaces it; the client saves each new token set through the store
//! before anyone uses it. A store implemented in C implements only the backend: opaque
//! documents by key (`wf_store_callbacks`, safe within one process), plus, for a store
//! several processes or machines share, an atomic compare-and-swap and leases
//! (`wf_shared_store_callbacks`). The driver's one adapter does everything else:
//! generations, the refresh lease protocol, the corrupt-document rule, zeroizing,
//! in-process locking.

use std::ffi::{CString, c_char, c_int, c_void};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use wf_oauth_core::{LeaseGrant, document_generation};
use wf_oauth_http::{
    CredentialStore, FileTokenStore, Guarantees, MemoryTokenStore, SaveOutcome, Sharing,
    StoreBackend, StoreEntry, StoreError, async_trait,
};
use zeroize::Zeroizing;

use crate::error::wf_result;
use crate::ffi::{self, Failure};

/// Callback result: success (for `load`: the document was given with `wf_document_set`).
pub const WF_STORE_OK: c_int = 0;
/// Callback result of `load`: nothing is stored under this key.
pub const WF_STORE_NOT_FOUND: c_int = 1;
/// Callback result: the operation failed (any value other than the documented ones means
/// the same). The library reports `WF_STORAGE`.
pub const WF_STORE_FAILED: c_int = 2;
/// Result of `compare_and_swap`: the stored generation was not the expected one; nothing
/// was written.
pub const WF_STORE_CONFLICT: c_int = 3;
/// Result of `acquire_lease`: another owner holds an unexpired lease.
pub const WF_STORE_HELD: c_int = 4;

/// A token store. Thread-safe: one store may serve several clients on several threads.
/// Clients keep it alive: it may be freed as soon as the clients are made.
#[derive(Debug, Clone)]
pub struct wf_store {
    pub(crate) store: CredentialStore,
}

/// Where a `load` callback puts the document it found (with `wf_document_set`). Valid only
/// during that callback.
#[derive(Debug, Default)]
pub struct wf_document {
    bytes: Option<Zeroizing<Vec<u8>>>,
}

/// A token store implemented by the application (a keychain, a database…).
///
/// The library never calls the functions of one store concurrently: calls are serialized,
/// but they may come from any thread, including the library's worker threads. They must
/// not call back into functions of this library that use the network or a store (only
/// `wf_document_set` is allowed), and should return promptly.
///
/// Documents are opaque NUL-terminated JSON texts holding tokens (and their own
/// `"generation"`): keep them private. Such a store is safe for the clients of one
/// process: the generation check that protects a rotated refresh token is done inside the
/// process. Several processes sharing stored keys need `wf_shared_store_callbacks`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wf_store_callbacks {
    /// Passed as the first argument of every callback.
    pub userdata: *mut c_void,
    /// Looks up `key`: calls `wf_document_set(document, text)` and returns `WF_STORE_OK`,
    /// or returns `WF_STORE_NOT_FOUND`, or `WF_STORE_FAILED`. Required.
    pub load: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            document: *mut wf_document,
        ) -> c_int,
    >,
    /// Stores `document` under `key`, replacing any previous one. Returns `WF_STORE_OK` or
    /// `WF_STORE_FAILED`. `document` is valid only during the call: copy it. Required.
    pub save: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            document: *const c_char,
        ) -> c_int,
    >,
    /// Removes what is stored under `key` (success if there is nothing). Returns
    /// `WF_STORE_OK` or `WF_STORE_FAILED`. Required. (Not called `delete`, a C++ keyword.)
    pub remove: Option<unsafe extern "C" fn(userdata: *mut c_void, key: *const c_char) -> c_int>,
    /// Called once with `userdata` when the store and every client using it are gone, from
    /// whichever thread released the last of them. Optional (NULL).
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// A store that keeps its credentials in files in the directory `dir` (created `0700` if
/// missing): one JSON document per key (`0600`), replaced atomically, with file locks so
/// that several processes can share it safely.
///
/// `WF_STORAGE` when the directory cannot be created.
///
/// # Safety
/// `dir` must be NULL or a NUL-terminated string; `store_out` NULL or writable storage for a
/// `wf_store *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_file_store_new(
    dir: *const c_char,
    store_out: *mut *mut wf_store,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let dir = unsafe { ffi::arg_str(dir, "dir")? };
        let out = ffi::out_param(store_out, "store_out")?;
        let store = FileTokenStore::new(dir)?;
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe {
            out.write(ffi::into_handle(wf_store {
                store: CredentialStore::new(store),
            }))
        };
        Ok(())
    })
}

/// A store in memory, shared by the clients given the same `wf_store`; gone with them.
///
/// # Safety
/// `store_out` must be NULL or writable storage for a `wf_store *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_memory_store_new(store_out: *mut *mut wf_store) -> wf_result {
    ffi::guard(|| {
        let out = ffi::out_param(store_out, "store_out")?;
        let store = wf_store {
            store: CredentialStore::new(MemoryTokenStore::new()),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe { out.write(ffi::into_handle(store)) };
        Ok(())
    })
}

/// A store implemented by the application's `callbacks` (copied; see `wf_store_callbacks`
/// for what they must do). `WF_INVALID_ARGUMENT` when `load`, `save` or `remove` is NULL.
///
/// # Safety
/// `callbacks` must be NULL or point to a `wf_store_callbacks` whose functions behave as
/// documented with its `userdata`, for as long as the store or a client using it exists;
/// `store_out` NULL or writable storage for a `wf_store *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_callback_store_new(
    callbacks: *const wf_store_callbacks,
    store_out: *mut *mut wf_store,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let callbacks = *unsafe { ffi::arg_ref(callbacks, "callbacks")? };
        let out = ffi::out_param(store_out, "store_out")?;
        let (Some(load), Some(save), Some(remove)) =
            (callbacks.load, callbacks.save, callbacks.remove)
        else {
            return Err(Failure::invalid(
                "the load, save and remove callbacks are all required",
            ));
        };
        let store = CallbackStore {
            functions: Functions {
                userdata: callbacks.userdata,
                load,
                save,
                remove,
                free_userdata: callbacks.free_userdata,
            },
            shared: None,
            serial: Mutex::new(()),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe {
            out.write(ffi::into_handle(wf_store {
                store: CredentialStore::new(store),
            }))
        };
        Ok(())
    })
}

/// A store implemented by the application that several processes or machines can share
/// (a database, a cache): the functions of `wf_store_callbacks`, plus an atomic
/// compare-and-swap and an atomic lease with a time-to-live. With them, one refresh per
/// expiry holds across every process using the store. Like `wf_store_callbacks`, the
/// functions of one store are never called concurrently.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct wf_shared_store_callbacks {
    /// Passed as the first argument of every callback.
    pub userdata: *mut c_void,
    /// As in `wf_store_callbacks`. Required.
    pub load: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            document: *mut wf_document,
        ) -> c_int,
    >,
    /// Stores `document` unconditionally (a new sign-in); the stored generation is then the
    /// document's own `"generation"`. As in `wf_store_callbacks`. Required.
    pub save: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            document: *const c_char,
        ) -> c_int,
    >,
    /// As in `wf_store_callbacks`. Required.
    pub remove: Option<unsafe extern "C" fn(userdata: *mut c_void, key: *const c_char) -> c_int>,
    /// Stores `document` (saved as `generation`) under `key` only if the stored generation
    /// is `expected` (when `has_expected`; otherwise only if nothing is stored), in one
    /// atomic step. Returns `WF_STORE_OK` (written), `WF_STORE_CONFLICT` (not written) or
    /// `WF_STORE_FAILED`. Required.
    pub compare_and_swap: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            document: *const c_char,
            generation: u64,
            has_expected: bool,
            expected: u64,
        ) -> c_int,
    >,
    /// Takes the lease of `key` for `owner` for `ttl_ms` milliseconds, atomically, unless
    /// another owner holds an unexpired one (the same owner renews its own). Returns
    /// `WF_STORE_OK` (held by `owner`), `WF_STORE_HELD` or `WF_STORE_FAILED`. Required.
    pub acquire_lease: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            owner: *const c_char,
            ttl_ms: u64,
        ) -> c_int,
    >,
    /// Releases the lease of `key` if `owner` still holds it (compare-and-delete). Returns
    /// `WF_STORE_OK` or `WF_STORE_FAILED`. Required.
    pub release_lease: Option<
        unsafe extern "C" fn(
            userdata: *mut c_void,
            key: *const c_char,
            owner: *const c_char,
        ) -> c_int,
    >,
    /// As in `wf_store_callbacks`. Optional (NULL).
    pub free_userdata: Option<unsafe extern "C" fn(userdata: *mut c_void)>,
}

/// A store over the application's shared `callbacks` (copied; see
/// `wf_shared_store_callbacks`). `WF_INVALID_ARGUMENT` when a required function is NULL.
///
/// # Safety
/// `callbacks` must be NULL or point to a `wf_shared_store_callbacks` whose functions
/// behave as documented with its `userdata`, for as long as the store or a client using it
/// exists; `store_out` NULL or writable storage for a `wf_store *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_shared_callback_store_new(
    callbacks: *const wf_shared_store_callbacks,
    store_out: *mut *mut wf_store,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let callbacks = *unsafe { ffi::arg_ref(callbacks, "callbacks")? };
        let out = ffi::out_param(store_out, "store_out")?;
        let (Some(load), Some(save), Some(remove), Some(cas), Some(acquire), Some(release)) = (
            callbacks.load,
            callbacks.save,
            callbacks.remove,
            callbacks.compare_and_swap,
            callbacks.acquire_lease,
            callbacks.release_lease,
        ) else {
            return Err(Failure::invalid(
                "every function of wf_shared_store_callbacks but free_userdata is required",
            ));
        };
        let store = CallbackStore {
            functions: Functions {
                userdata: callbacks.userdata,
                load,
                save,
                remove,
                free_userdata: callbacks.free_userdata,
            },
            shared: Some(SharedFunctions {
                compare_and_swap: cas,
                acquire_lease: acquire,
                release_lease: release,
            }),
            serial: Mutex::new(()),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe {
            out.write(ffi::into_handle(wf_store {
                store: CredentialStore::new(store),
            }))
        };
        Ok(())
    })
}

/// Checks that `store` keeps the token-store contract, with the driver's conformance suite
/// (the one every built-in store passes): loads, saves, removals, and — for a shared
/// store — compare-and-swap and leases, under keys that start with `key_prefix` plus a
/// random part, removed afterwards. Writes whether every check passed to `passed_out` and
/// a readable report to `report_out` (free it with `wf_string_free`). Blocks while it runs.
///
/// # Safety
/// `store` must be NULL or a live store; `key_prefix` NULL or a NUL-terminated string;
/// `passed_out` NULL or writable; `report_out` NULL or writable storage for a `char *`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_store_verify(
    store: *const wf_store,
    key_prefix: *const c_char,
    passed_out: *mut bool,
    report_out: *mut *mut c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (store, prefix) = unsafe {
            (
                arg_store(store, "store")?,
                ffi::arg_str(key_prefix, "key_prefix")?.to_owned(),
            )
        };
        let passed = ffi::out_param(passed_out, "passed_out")?;
        let text = ffi::out_param(report_out, "report_out")?;
        let backend = Arc::clone(store.backend());
        let report = wf_oauth_http::block_on(async move {
            wf_oauth_http::verify_backend(backend, &prefix).await
        })
        .map_err(wf_oauth_http::Error::from)?;
        let report_text = ffi::c_string(report.to_string(), "the report")?;
        // SAFETY: both are non-NULL and the caller guarantees they are writable.
        unsafe {
            passed.write(report.passed());
            text.write(report_text);
        }
        Ok(())
    })
}

/// Releases the application's reference to a store. NULL is ignored. Clients using it keep
/// it alive.
///
/// # Safety
/// `store` must be NULL or a store from this library not yet released.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_store_free(store: *mut wf_store) {
    // SAFETY: forwarded to the caller.
    ffi::guard_void(|| unsafe { ffi::free_handle(store) });
}

/// Hands the document found by a `load` callback to the library (which copies it).
///
/// # Safety
/// `document` must be NULL or the pointer given to the running `load` callback; `text` NULL
/// or a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn wf_document_set(
    document: *mut wf_document,
    text: *const c_char,
) -> wf_result {
    ffi::guard(|| {
        // SAFETY: forwarded to the caller.
        let (document, text) = unsafe {
            (
                ffi::arg_mut(document, "document")?,
                ffi::arg_str(text, "text")?,
            )
        };
        document.bytes = Some(Zeroizing::new(text.as_bytes().to_vec()));
        Ok(())
    })
}

/// The C functions of a callback store, checked present.
struct Functions {
    userdata: *mut c_void,
    load: unsafe extern "C" fn(*mut c_void, *const c_char, *mut wf_document) -> c_int,
    save: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int,
    remove: unsafe extern "C" fn(*mut c_void, *const c_char) -> c_int,
    free_userdata: Option<unsafe extern "C" fn(*mut c_void)>,
}

/// The functions only a shared callback store has.
struct SharedFunctions {
    compare_and_swap:
        unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, u64, bool, u64) -> c_int,
    acquire_lease: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char, u64) -> c_int,
    release_lease: unsafe extern "C" fn(*mut c_void, *const c_char, *const c_char) -> c_int,
}

/// A [`StoreBackend`] over C callbacks.
struct CallbackStore {
    functions: Functions,
    shared: Option<SharedFunctions>,
    /// Serializes every callback: the documented promise to C.
    serial: Mutex<()>,
}

// SAFETY: `wf_callback_store_new` and `wf_shared_callback_store_new` require the callbacks
// to be callable from any thread with `userdata`; calls are serialized by `serial`, so they
// are never concurrent.
unsafe impl Send for CallbackStore {}
// SAFETY: as above; shared access only ever reaches the callbacks under the mutex.
unsafe impl Sync for CallbackStore {}

impl fmt::Debug for CallbackStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackStore")
            .field("shared", &self.shared.is_some())
            .finish_non_exhaustive()
    }
}

impl Drop for CallbackStore {
    fn drop(&mut self) {
        if let Some(free) = self.functions.free_userdata {
            // SAFETY: called once, when the last reference to the store goes, as documented
            // in `wf_store_callbacks`.
            unsafe { free(self.functions.userdata) };
        }
    }
}

fn backend(message: impl Into<String>) -> StoreError {
    StoreError::Backend(message.into())
}

fn c_string(text: &str, what: &str) -> Result<CString, StoreError> {
    CString::new(text).map_err(|_| backend(format!("{what} cannot contain a NUL byte")))
}

/// A document as a C string; wiped when dropped (it holds tokens).
struct CDocument(Option<CString>);

impl CDocument {
    fn new(entry: &StoreEntry) -> Result<CDocument, StoreError> {
        CString::new(entry.document.to_vec())
            .map(|c| CDocument(Some(c)))
            .map_err(|_| backend("a credential document cannot contain a NUL byte"))
    }

    fn as_ptr(&self) -> *const c_char {
        self.0.as_ref().map_or(std::ptr::null(), |c| c.as_ptr())
    }
}

impl Drop for CDocument {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            drop(Zeroizing::new(c.into_bytes()));
        }
    }
}

impl CallbackStore {
    fn serial(&self) -> MutexGuard<'_, ()> {
        // Nothing is guarded but the order of calls; a panic elsewhere changes nothing.
        self.serial.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn shared(&self) -> Result<&SharedFunctions, StoreError> {
        self.shared
            .as_ref()
            .ok_or_else(|| backend("this store has no compare-and-swap or leases"))
    }

    /// Calls `load`.
    fn load_now(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        let c_key = c_string(key, "a store key")?;
        let mut document = wf_document::default();
        let _serial = self.serial();
        // SAFETY: the callback contract of `wf_store_callbacks`; the key and document
        // outlive the call, and the lock serializes it.
        let status = unsafe {
            (self.functions.load)(self.functions.userdata, c_key.as_ptr(), &mut document)
        };
        match (status, document.bytes) {
            (WF_STORE_NOT_FOUND, _) => Ok(None),
            (WF_STORE_OK, Some(bytes)) => {
                let generation =
                    document_generation(&bytes).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(Some(StoreEntry {
                    generation,
                    document: bytes,
                }))
            }
            (WF_STORE_OK, None) => Err(backend(
                "the load callback returned WF_STORE_OK without calling wf_document_set",
            )),
            (other, _) => Err(backend(format!("the load callback failed ({other})"))),
        }
    }
}

#[async_trait]
impl StoreBackend for CallbackStore {
    fn guarantees(&self) -> Guarantees {
        match self.shared {
            Some(_) => Guarantees {
                compare_and_swap: true,
                leases: true,
                shared_by: Sharing::Network,
            },
            None => Guarantees::SINGLE_PROCESS,
        }
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        self.load_now(key)
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        let c_key = c_string(key, "a store key")?;
        let document = CDocument::new(entry)?;
        if let (Some(shared), Some(expected)) = (&self.shared, expected) {
            let status = {
                let _serial = self.serial();
                // SAFETY: the callback contract of `wf_shared_store_callbacks`; key and
                // document outlive the call, and the lock serializes it.
                unsafe {
                    (shared.compare_and_swap)(
                        self.functions.userdata,
                        c_key.as_ptr(),
                        document.as_ptr(),
                        entry.generation,
                        true,
                        expected,
                    )
                }
            };
            return match status {
                WF_STORE_OK => Ok(SaveOutcome::Saved),
                WF_STORE_CONFLICT => Ok(SaveOutcome::Conflict {
                    found: self.load_now(key).ok().flatten().map(|e| e.generation),
                }),
                other => Err(backend(format!(
                    "the compare_and_swap callback failed ({other})"
                ))),
            };
        }
        let _serial = self.serial();
        // SAFETY: the callback contract of `wf_store_callbacks`; key and document outlive
        // the call, and the lock serializes it.
        let status = unsafe {
            (self.functions.save)(self.functions.userdata, c_key.as_ptr(), document.as_ptr())
        };
        if status == WF_STORE_OK {
            Ok(SaveOutcome::Saved)
        } else {
            Err(backend(format!("the save callback failed ({status})")))
        }
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let c_key = c_string(key, "a store key")?;
        let _serial = self.serial();
        // SAFETY: the callback contract of `wf_store_callbacks`; the key outlives the call,
        // and the lock serializes it.
        let status = unsafe { (self.functions.remove)(self.functions.userdata, c_key.as_ptr()) };
        if status == WF_STORE_OK {
            Ok(())
        } else {
            Err(backend(format!("the remove callback failed ({status})")))
        }
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        if self.shared.is_none() {
            return Ok(LeaseGrant::Unsupported);
        }
        let shared = self.shared()?;
        let (c_key, c_owner) = (
            c_string(key, "a store key")?,
            c_string(owner, "a lease owner")?,
        );
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        let _serial = self.serial();
        // SAFETY: the callback contract of `wf_shared_store_callbacks`; the strings outlive
        // the call, and the lock serializes it.
        let status = unsafe {
            (shared.acquire_lease)(
                self.functions.userdata,
                c_key.as_ptr(),
                c_owner.as_ptr(),
                ttl_ms,
            )
        };
        match status {
            WF_STORE_OK => Ok(LeaseGrant::Acquired),
            WF_STORE_HELD => Ok(LeaseGrant::HeldByOther { remaining: None }),
            other => Err(backend(format!(
                "the acquire_lease callback failed ({other})"
            ))),
        }
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        if self.shared.is_none() {
            return Ok(());
        }
        let shared = self.shared()?;
        let (c_key, c_owner) = (
            c_string(key, "a store key")?,
            c_string(owner, "a lease owner")?,
        );
        let _serial = self.serial();
        // SAFETY: the callback contract of `wf_shared_store_callbacks`; the strings outlive
        // the call, and the lock serializes it.
        let status = unsafe {
            (shared.release_lease)(self.functions.userdata, c_key.as_ptr(), c_owner.as_ptr())
        };
        if status == WF_STORE_OK {
            Ok(())
        } else {
            Err(backend(format!(
                "the release_lease callback failed ({status})"
            )))
        }
    }
}

/// Reads a store argument.
///
/// # Safety
/// `store` must be NULL or a live store.
pub(crate) unsafe fn arg_store(
    store: *const wf_store,
    name: &str,
) -> Result<CredentialStore, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { ffi::arg_ref(store, name) }.map(|s| s.store.clone())
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
