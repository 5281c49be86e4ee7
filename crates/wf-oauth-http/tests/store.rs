//! Token stores: compare-and-swap, durability details, corruption, locking.

use std::sync::Arc;
use std::time::Duration;

use wf_oauth_core::{AccessToken, Instance, RefreshToken, TokenSet, UnixTime};
use wf_oauth_http::{FileTokenStore, MemoryTokenStore, StoreError, StoredCredential, TokenStore};

fn credential(n: u32) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(format!("access-{n}")),
        Instance::parse("acme.my.workfront.com").unwrap(),
        UnixTime::from_secs(1_700_000_000),
    )
    .with_refresh_token(Some(RefreshToken::new(format!("refresh-{n}"))));
    StoredCredential::new(tokens, 1_700_000_000)
}

async fn compare_and_swap(store: &dyn TokenStore) {
    assert!(store.load("a").await.unwrap().is_none());
    let g1 = store.save("a", &credential(1), None).await.unwrap();
    let g2 = store.save("a", &credential(2), Some(g1)).await.unwrap();
    assert!(g2 > g1);
    let stale = store.save("a", &credential(3), Some(g1)).await.unwrap_err();
    assert!(
        matches!(stale, StoreError::Conflict { expected: Some(e), found: Some(f) } if e == g1 && f == g2)
    );
    let loaded = store.load("a").await.unwrap().unwrap();
    assert_eq!(loaded.generation, g2);
    assert_eq!(loaded.tokens.access_token().secret(), "access-2");
    // Keys are independent.
    assert!(store.load("b").await.unwrap().is_none());
    assert!(matches!(
        store.save("b", &credential(1), Some(1)).await,
        Err(StoreError::Conflict { found: None, .. })
    ));
    store.delete("a").await.unwrap();
    store.delete("a").await.unwrap();
    assert!(store.load("a").await.unwrap().is_none());
    let g3 = store.save("a", &credential(4), None).await.unwrap();
    assert!(store.save("a", &credential(5), Some(g2)).await.is_err() || g3 == g2);
}

#[tokio::test]
async fn memory_store_compare_and_swap() {
    compare_and_swap(&MemoryTokenStore::new()).await;
}

#[tokio::test]
async fn file_store_compare_and_swap() {
    let dir = tempfile::tempdir().unwrap();
    compare_and_swap(&FileTokenStore::new(dir.path().join("tokens")).unwrap()).await;
}

#[cfg(unix)]
#[tokio::test]
async fn file_store_permissions_and_layout() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nested/tokens");
    let store = FileTokenStore::new(&root).unwrap();
    assert_eq!(
        std::fs::metadata(&root).unwrap().permissions().mode() & 0o777,
        0o700
    );
    store
        .save("alice@acme", &credential(1), None)
        .await
        .unwrap();
    let path = store.document_path("alice@acme");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["format"], "wf-oauth-credential");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["generation"], 1);
    assert_eq!(doc["tokens"]["refresh_token"], "refresh-1");
    // No temporary files left behind.
    let names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp.")), "{names:?}");
}

#[tokio::test]
async fn corrupt_documents_are_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let store = FileTokenStore::new(dir.path()).unwrap();
    let path = store.document_path("k");
    for bad in [
        &b""[..],
        b"{",
        b"{\"format\":\"wf-oauth-credential\",\"version\":1,\"generation\":1,\"tokens\":",
        b"null",
        b"{\"format\":\"something-else\",\"version\":1,\"generation\":1,\"tokens\":{}}",
        b"\xff\xfe",
    ] {
        std::fs::write(&path, bad).unwrap();
        assert!(
            matches!(store.load("k").await, Err(StoreError::Corrupt(_))),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // A newer document version is refused, not misread.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&credential(1).to_document().unwrap()).unwrap();
    doc["version"] = 2.into();
    std::fs::write(&path, doc.to_string()).unwrap();
    assert!(matches!(store.load("k").await, Err(StoreError::Corrupt(_))));
    // A CAS save refuses to overwrite what it cannot read; a new sign-in replaces it.
    assert!(matches!(
        store.save("k", &credential(2), Some(1)).await,
        Err(StoreError::Corrupt(_))
    ));
    store.save("k", &credential(2), None).await.unwrap();
    assert!(store.load("k").await.unwrap().is_some());
    // Error texts never quote the document (which holds tokens).
    std::fs::write(
        &path,
        br#"{"format":"wf-oauth-credential","version":"refresh-secret"}"#,
    )
    .unwrap();
    let e = store.load("k").await.unwrap_err();
    assert!(!e.to_string().contains("refresh-secret"), "{e}");
}

#[test]
fn document_round_trip() {
    let mut c = credential(7);
    c.generation = 9;
    c.reauth_required = true;
    let back = StoredCredential::from_document(&c.to_document().unwrap()).unwrap();
    assert_eq!(back.tokens, c.tokens);
    assert_eq!(
        (back.generation, back.reauth_required, back.updated_at),
        (9, true, 1_700_000_000)
    );
    assert!(!format!("{back:?}").contains("refresh-7"));
}

async fn lock_excludes(store: Arc<dyn TokenStore>) {
    let first = store.lock("k").await.unwrap();
    let other = store.clone();
    let waiter = tokio::spawn(async move {
        let _second = other.lock("k").await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!waiter.is_finished(), "the second lock waits");
    // Another key is not blocked.
    drop(store.lock("other").await.unwrap());
    drop(first);
    tokio::time::timeout(Duration::from_secs(5), waiter)
        .await
        .expect("released")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_lock_excludes_until_released() {
    let dir = tempfile::tempdir().unwrap();
    // Two store instances: like two processes, each with its own file descriptors.
    let a: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path()).unwrap());
    lock_excludes(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_lock_excludes_until_released() {
    lock_excludes(Arc::new(MemoryTokenStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cas_writers_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    let stores: Vec<Arc<dyn TokenStore>> = vec![
        Arc::new(FileTokenStore::new(dir.path()).unwrap()),
        Arc::new(FileTokenStore::new(dir.path()).unwrap()),
    ];
    stores[0].save("k", &credential(0), None).await.unwrap();
    let tasks = (0..8).map(|i| {
        let store = stores[i % 2].clone();
        tokio::spawn(async move {
            let mut wins = 0;
            for _ in 0..10 {
                loop {
                    let current = store.load("k").await.unwrap().unwrap();
                    match store
                        .save("k", &credential(1), Some(current.generation))
                        .await
                    {
                        Ok(_) => break,
                        Err(StoreError::Conflict { .. }) => continue,
                        Err(e) => panic!("{e}"),
                    }
                }
                wins += 1;
            }
            wins
        })
    });
    let total: u64 = futures::future::join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.unwrap())
        .sum();
    assert_eq!(total, 80);
    assert_eq!(stores[1].load("k").await.unwrap().unwrap().generation, 81);
}
