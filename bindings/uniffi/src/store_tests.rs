use std::collections::HashMap;
use std::sync::Mutex;

use wf_oauth_core::{AccessToken, Instance, RefreshToken, StoredCredential, TokenSet, UnixTime};

use super::*;
use crate::error::WfOauthError;

/// A `CredentialStorage` as an application would write it, with a switch to fail.
#[derive(Default)]
struct MapStorage {
    documents: Mutex<HashMap<String, String>>,
    fail: Mutex<Option<&'static str>>,
}

impl MapStorage {
    fn failing(&self) -> Result<()> {
        match *self.fail.lock().unwrap() {
            Some(reason) => Err(WfOauthError::local(
                wf_oauth_core::ErrorKind::Storage,
                reason,
            )),
            None => Ok(()),
        }
    }
}

impl CredentialStorage for MapStorage {
    fn load(&self, key: String) -> Result<Option<String>> {
        self.failing()?;
        Ok(self.documents.lock().unwrap().get(&key).cloned())
    }
    fn save(&self, key: String, document: String) -> Result<()> {
        self.failing()?;
        self.documents.lock().unwrap().insert(key, document);
        Ok(())
    }
    fn delete(&self, key: String) -> Result<()> {
        self.failing()?;
        self.documents.lock().unwrap().remove(&key);
        Ok(())
    }
}

fn credential(access: &str) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(access),
        Instance::parse("acme.my.workfront.com").unwrap(),
        UnixTime::from_secs(1_700_000_000),
    )
    .with_refresh_token(Some(RefreshToken::new(format!("refresh-of-{access}"))));
    StoredCredential::new(tokens, 1_700_000_000)
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn compare_and_swap_over_a_plain_key_value_storage() {
    let storage = Arc::new(MapStorage::default());
    let store = TokenStore::custom(storage.clone()).inner.clone();
    run(async {
        assert!(store.load("alice").await.unwrap().is_none());
        let first = store.save("alice", &credential("a1"), None).await.unwrap();
        let second = store
            .save("alice", &credential("a2"), Some(first))
            .await
            .unwrap();
        assert!(second > first);
        let stale = store.save("alice", &credential("a3"), Some(first)).await;
        assert!(matches!(
            stale,
            Err(StoreError::Conflict { expected: Some(e), found: Some(f) }) if e == first && f == second
        ));
        let loaded = store.load("alice").await.unwrap().unwrap();
        assert_eq!(loaded.generation, second);
        assert_eq!(loaded.tokens.access_token().secret(), "a2");

        // A delete never lets a generation number come back.
        store.delete("alice").await.unwrap();
        assert!(storage.documents.lock().unwrap().is_empty());
        let third = store.save("alice", &credential("a4"), None).await.unwrap();
        assert!(third > second);
    });
}

#[test]
fn storage_failures_and_unreadable_documents_are_store_errors() {
    let storage = Arc::new(MapStorage::default());
    let store = TokenStore::custom(storage.clone()).inner.clone();
    run(async {
        *storage.fail.lock().unwrap() = Some("keychain locked");
        let failed = store.save("alice", &credential("a1"), None).await;
        assert!(matches!(failed, Err(StoreError::Backend(ref r)) if r.contains("keychain locked")));
        assert!(matches!(
            store.load("alice").await,
            Err(StoreError::Backend(_))
        ));
        assert!(matches!(
            store.delete("alice").await,
            Err(StoreError::Backend(_))
        ));
        *storage.fail.lock().unwrap() = None;

        storage
            .documents
            .lock()
            .unwrap()
            .insert("alice".into(), "{ torn".into());
        assert!(matches!(
            store.load("alice").await,
            Err(StoreError::Corrupt(_))
        ));
        // A writer expecting a version cannot overwrite what it cannot read…
        assert!(matches!(
            store.save("alice", &credential("a1"), Some(1)).await,
            Err(StoreError::Corrupt(_))
        ));
        // …a new sign-in can.
        store.save("alice", &credential("a1"), None).await.unwrap();
        assert!(store.load("alice").await.unwrap().is_some());
    });
}

#[test]
fn a_plain_storage_passes_the_conformance_suite_within_one_process() {
    let store = TokenStore::custom(Arc::new(MapStorage::default()));
    let report = store.verify_blocking("check".into()).unwrap();
    assert!(report.passed, "{}", report.report);
    assert_eq!(report.skipped.len(), 2, "{}", report.report);
}

#[test]
fn file_store_in_an_unusable_directory_is_a_storage_error() {
    let file =
        std::env::temp_dir().join(format!("wf-oauth-uniffi-not-a-dir-{}", std::process::id()));
    std::fs::write(&file, b"x").unwrap();
    let result = TokenStore::file(file.join("sub").to_string_lossy().into_owned().into());
    std::fs::remove_file(&file).unwrap();
    assert!(matches!(result, Err(WfOauthError::Storage { .. })));
}
