//! `wf_store`: where a `wf_client` keeps its credential — a directory of files, memory, or
//! three C functions.
//!
//! Workfront does not keep the refresh token for the application, and with refresh-token
//! rotation every refresh replaces it; the client saves each new token set through the store
//! before anyone uses it. A store implemented in C only keeps opaque documents by key; the
//! generation compare-and-swap the driver needs is done here, so C code stays a plain
//! key-value store.

use std::collections::HashMap;
use std::ffi::{CString, c_char, c_int, c_void};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use wf_oauth_http::{
    FileTokenStore, MemoryTokenStore, StoreError, StoredCredential, TokenStore, async_trait,
};
use zeroize::Zeroizing;

use crate::error::wf_result;
use crate::ffi::{self, Failure};

/// Callback result: success (for `load`: the document was given with `wf_document_set`).
pub const WF_STORE_OK: c_int = 0;
/// Callback result of `load`: nothing is stored under this key.
pub const WF_STORE_NOT_FOUND: c_int = 1;
/// Callback result: the operation failed (any value other than the two above means the
/// same). The library reports `WF_STORAGE`.
pub const WF_STORE_FAILED: c_int = 2;

/// A token store. Thread-safe: one store may serve several clients on several threads.
/// Clients keep it alive: it may be freed as soon as the clients are made.
#[derive(Debug, Clone)]
pub struct wf_store {
    pub(crate) store: Arc<dyn TokenStore>,
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
/// Documents are opaque NUL-terminated JSON texts holding tokens: keep them private.
/// One process should own the stored keys; the generation check that protects a rotated
/// refresh token is done inside this process.
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
                store: Arc::new(store),
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
            store: Arc::new(MemoryTokenStore::new()),
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
            generations: Mutex::new(HashMap::new()),
        };
        // SAFETY: `out` is non-NULL and the caller guarantees it is writable.
        unsafe {
            out.write(ffi::into_handle(wf_store {
                store: Arc::new(store),
            }))
        };
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

/// A [`TokenStore`] over C callbacks.
struct CallbackStore {
    functions: Functions,
    /// Serializes every callback (the documented promise to C) and remembers, per key, the
    /// highest generation handed out, so a generation is never reused after a removal.
    generations: Mutex<HashMap<String, u64>>,
}

// SAFETY: `wf_callback_store_new` requires the callbacks to be callable from any thread
// with `userdata`; calls are serialized by `generations`, so they are never concurrent.
unsafe impl Send for CallbackStore {}
// SAFETY: as above; shared access only ever reaches the callbacks under the mutex.
unsafe impl Sync for CallbackStore {}

impl fmt::Debug for CallbackStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallbackStore").finish_non_exhaustive()
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

fn c_key(key: &str) -> Result<CString, StoreError> {
    CString::new(key).map_err(|_| backend("a store key cannot contain a NUL byte"))
}

impl CallbackStore {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        // The map only records generations; after a panic elsewhere it is still usable.
        self.generations.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Calls `load`; the caller holds the lock.
    fn load_locked(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        let c_key = c_key(key)?;
        let mut document = wf_document::default();
        // SAFETY: the callback contract of `wf_store_callbacks`; the key and document
        // outlive the call, and the lock serializes it.
        let status = unsafe {
            (self.functions.load)(self.functions.userdata, c_key.as_ptr(), &mut document)
        };
        match (status, document.bytes) {
            (WF_STORE_NOT_FOUND, _) => Ok(None),
            (WF_STORE_OK, Some(bytes)) => StoredCredential::from_document(&bytes).map(Some),
            (WF_STORE_OK, None) => Err(backend(
                "the load callback returned WF_STORE_OK without calling wf_document_set",
            )),
            (other, _) => Err(backend(format!("the load callback failed ({other})"))),
        }
    }
}

#[async_trait]
impl TokenStore for CallbackStore {
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        let _serial = self.lock();
        self.load_locked(key)
    }

    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError> {
        let mut generations = self.lock();
        let found = self.load_locked(key)?.map(|c| c.generation);
        if expected_generation.is_some() && expected_generation != found {
            return Err(StoreError::Conflict {
                expected: expected_generation,
                found,
            });
        }
        let highest = generations.entry(key.to_owned()).or_insert(0);
        let generation = (*highest).max(found.unwrap_or(0)) + 1;
        let mut versioned = credential.clone();
        versioned.generation = generation;
        let document = Zeroizing::new(versioned.to_document()?);
        let document = CString::new(document.as_slice())
            .map_err(|_| backend("a credential document cannot contain a NUL byte"))?;
        let c_key = c_key(key)?;
        // SAFETY: the callback contract of `wf_store_callbacks`; key and document outlive
        // the call, and the lock serializes it.
        let status = unsafe {
            (self.functions.save)(self.functions.userdata, c_key.as_ptr(), document.as_ptr())
        };
        // The document holds tokens: wipe this copy now that C has its own.
        drop(Zeroizing::new(document.into_bytes()));
        if status != WF_STORE_OK {
            return Err(backend(format!("the save callback failed ({status})")));
        }
        *highest = generation;
        Ok(generation)
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let _serial = self.lock();
        let c_key = c_key(key)?;
        // SAFETY: the callback contract of `wf_store_callbacks`; the key outlives the call,
        // and the lock serializes it.
        let status = unsafe { (self.functions.remove)(self.functions.userdata, c_key.as_ptr()) };
        if status == WF_STORE_OK {
            Ok(())
        } else {
            Err(backend(format!("the remove callback failed ({status})")))
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
) -> Result<Arc<dyn TokenStore>, Failure> {
    // SAFETY: forwarded to the caller.
    unsafe { ffi::arg_ref(store, name) }.map(|s| Arc::clone(&s.store))
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
