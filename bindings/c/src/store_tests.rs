//! The callback store seen from Rust: C-style callbacks over a map.

use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::atomic::{AtomicUsize, Ordering};

use wf_oauth_core::{AccessToken, Instance, StoredCredential, TokenSet, UnixTime};

use super::*;

/// The "C side": documents by key, a switch to make every call fail, and a count of
/// `free_userdata` calls.
#[derive(Default)]
struct Backend {
    documents: Mutex<HashMap<String, String>>,
    failing: std::sync::atomic::AtomicBool,
    freed: AtomicUsize,
}

/// # Safety
/// `userdata` is a live `Backend`.
unsafe fn backend_of<'a>(userdata: *mut c_void) -> &'a Backend {
    // SAFETY: every store in these tests is given a pointer to a live `Backend`.
    unsafe { &*userdata.cast::<Backend>() }
}

unsafe extern "C" fn load(
    userdata: *mut c_void,
    key: *const c_char,
    document: *mut wf_document,
) -> c_int {
    // SAFETY: the library passes our userdata and a NUL-terminated key.
    let (b, key) = unsafe { (backend_of(userdata), CStr::from_ptr(key)) };
    if b.failing.load(Ordering::SeqCst) {
        return WF_STORE_FAILED;
    }
    let docs = b.documents.lock().expect("lock");
    match docs.get(key.to_str().expect("utf-8")) {
        None => WF_STORE_NOT_FOUND,
        Some(text) => {
            let text = CString::new(text.as_str()).expect("no NUL");
            // SAFETY: the document pointer given to this callback and a valid string.
            unsafe { wf_document_set(document, text.as_ptr()) };
            WF_STORE_OK
        }
    }
}

unsafe extern "C" fn save(
    userdata: *mut c_void,
    key: *const c_char,
    document: *const c_char,
) -> c_int {
    // SAFETY: the library passes our userdata and NUL-terminated strings.
    let (b, key, doc) = unsafe {
        (
            backend_of(userdata),
            CStr::from_ptr(key),
            CStr::from_ptr(document),
        )
    };
    if b.failing.load(Ordering::SeqCst) {
        return WF_STORE_FAILED;
    }
    b.documents.lock().expect("lock").insert(
        key.to_str().expect("utf-8").to_owned(),
        doc.to_str().expect("utf-8").to_owned(),
    );
    WF_STORE_OK
}

unsafe extern "C" fn remove(userdata: *mut c_void, key: *const c_char) -> c_int {
    // SAFETY: the library passes our userdata and a NUL-terminated key.
    let (b, key) = unsafe { (backend_of(userdata), CStr::from_ptr(key)) };
    if b.failing.load(Ordering::SeqCst) {
        return 42;
    }
    b.documents
        .lock()
        .expect("lock")
        .remove(key.to_str().expect("utf-8"));
    WF_STORE_OK
}

unsafe extern "C" fn free_userdata(userdata: *mut c_void) {
    // SAFETY: our userdata.
    unsafe { backend_of(userdata) }
        .freed
        .fetch_add(1, Ordering::SeqCst);
}

fn callbacks(backend: &Backend) -> wf_store_callbacks {
    wf_store_callbacks {
        userdata: std::ptr::from_ref(backend).cast_mut().cast(),
        load: Some(load),
        save: Some(save),
        remove: Some(remove),
        free_userdata: Some(free_userdata),
    }
}

fn new_store(backend: &Backend) -> *mut wf_store {
    let mut out = std::ptr::null_mut();
    // SAFETY: valid callbacks over a backend that outlives the store, and an out pointer.
    let result = unsafe { wf_callback_store_new(&callbacks(backend), &mut out) };
    assert_eq!(result, wf_result::WF_OK);
    out
}

fn credential(access: &str) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(access),
        Instance::parse("acme.my.workfront.com").expect("instance"),
        UnixTime::from_secs(1_700_000_000),
    );
    StoredCredential::new(tokens, 1_700_000_000)
}

fn run<T: Send + 'static>(f: impl std::future::Future<Output = T> + Send + 'static) -> T {
    wf_oauth_http::block_on(f).expect("runtime")
}

#[test]
fn saves_loads_and_checks_generations() {
    let backend = Box::leak(Box::new(Backend::default()));
    let handle = new_store(backend);
    // SAFETY: a live store handle.
    let store = unsafe { arg_store(handle, "store") }.expect("store");
    let s = store.clone();
    let (first, loaded, conflict, second) = run(async move {
        let first = s.save("k", &credential("a-1"), None).await;
        let loaded = s.load("k").await;
        let conflict = s.save("k", &credential("a-2"), Some(99)).await;
        let second = s.save("k", &credential("a-2"), Some(1)).await;
        (first, loaded, conflict, second)
    });
    assert_eq!(first.expect("saved"), 1);
    let loaded = loaded.expect("loaded").expect("present");
    assert_eq!(loaded.generation, 1);
    assert_eq!(loaded.tokens.access_token().secret(), "a-1");
    assert!(matches!(
        conflict,
        Err(StoreError::Conflict {
            expected: Some(99),
            found: Some(1)
        })
    ));
    assert_eq!(second.expect("saved"), 2);

    // After a removal a new save still gets a larger generation.
    let s = store.clone();
    let (gone, third) = run(async move {
        s.delete("k").await.expect("deleted");
        let gone = s.load("k").await.expect("loaded");
        (gone.is_none(), s.save("k", &credential("a-3"), None).await)
    });
    assert!(gone);
    assert_eq!(third.expect("saved"), 3);

    // SAFETY: released once; the clone above keeps the store alive.
    unsafe { wf_store_free(handle) };
    assert_eq!(backend.freed.load(Ordering::SeqCst), 0, "still referenced");
    drop(store);
    assert_eq!(
        backend.freed.load(Ordering::SeqCst),
        1,
        "freed with the last reference"
    );
}

#[test]
fn failing_callbacks_are_storage_errors_without_secrets() {
    let backend = Box::leak(Box::new(Backend::default()));
    backend.failing.store(true, Ordering::SeqCst);
    let handle = new_store(backend);
    // SAFETY: a live store handle.
    let store = unsafe { arg_store(handle, "store") }.expect("store");
    // SAFETY: released once; `store` keeps it alive.
    unsafe { wf_store_free(handle) };
    let (saved, loaded, deleted) = run(async move {
        (
            store.save("k", &credential("secret-access"), None).await,
            store.load("k").await,
            store.delete("k").await,
        )
    });
    for e in [
        saved.unwrap_err(),
        loaded.unwrap_err(),
        deleted.unwrap_err(),
    ] {
        let failure = Failure::from(e);
        assert_eq!(failure.result, wf_result::WF_STORAGE);
        assert!(
            !failure.message.contains("secret-access"),
            "{}",
            failure.message
        );
    }
}

#[test]
fn a_corrupt_document_and_a_silent_load_are_errors() {
    let backend = Box::leak(Box::new(Backend::default()));
    backend
        .documents
        .lock()
        .expect("lock")
        .insert("k".into(), "{\"access_token\":\"secret-x\"".into());
    let handle = new_store(backend);
    // SAFETY: a live store handle.
    let store = unsafe { arg_store(handle, "store") }.expect("store");
    // SAFETY: released once.
    unsafe { wf_store_free(handle) };
    let e = run(async move { store.load("k").await }).unwrap_err();
    assert!(matches!(e, StoreError::Corrupt(_)));
    assert!(!e.to_string().contains("secret-x"));

    unsafe extern "C" fn silent(_: *mut c_void, _: *const c_char, _: *mut wf_document) -> c_int {
        WF_STORE_OK
    }
    let mut callbacks = callbacks(backend);
    callbacks.load = Some(silent);
    callbacks.free_userdata = None;
    let mut out = std::ptr::null_mut();
    // SAFETY: valid callbacks and out pointer.
    let result = unsafe { wf_callback_store_new(&callbacks, &mut out) };
    assert_eq!(result, wf_result::WF_OK);
    // SAFETY: a live handle, released once.
    let store = unsafe { arg_store(out, "store") }.expect("store");
    // SAFETY: as above.
    unsafe { wf_store_free(out) };
    let e = run(async move { store.load("k").await }).unwrap_err();
    assert!(e.to_string().contains("wf_document_set"), "{e}");
}

#[test]
fn missing_callbacks_are_refused() {
    let backend = Box::leak(Box::new(Backend::default()));
    let mut callbacks = callbacks(backend);
    callbacks.remove = None;
    let mut out = std::ptr::null_mut();
    // SAFETY: valid callbacks and out pointer.
    let r = unsafe { wf_callback_store_new(&callbacks, &mut out) };
    assert_eq!(r, wf_result::WF_INVALID_ARGUMENT);
    assert!(out.is_null());
}
