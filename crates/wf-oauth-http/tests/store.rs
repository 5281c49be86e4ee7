//! Token stores: the store contract on every backend of the driver, generations and
//! compare-and-swap through the adapter, durability details, corruption, leases between
//! store instances (as between processes).

use std::sync::Arc;
use std::time::Duration;

use wf_oauth_core::{AccessToken, Instance, LeaseGrant, RefreshToken, TokenSet, UnixTime};
use wf_oauth_http::{
    CredentialStore, FileTokenStore, MemoryTokenStore, StoreBackend, StoreError, StoredCredential,
    verify_backend,
};

fn credential(n: u32) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(format!("access-{n}")),
        Instance::parse("acme.my.workfront.com").unwrap(),
        UnixTime::from_secs(1_700_000_000),
    )
    .with_refresh_token(Some(RefreshToken::new(format!("refresh-{n}"))));
    StoredCredential::new(tokens, 1_700_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_backend_keeps_the_contract() {
    let report = verify_backend(Arc::new(MemoryTokenStore::new()), "memory").await;
    assert!(report.passed(), "{report}");
    assert!(report.skipped.is_empty(), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_backend_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let report = verify_backend(Arc::new(FileTokenStore::new(dir.path()).unwrap()), "file").await;
    assert!(report.passed(), "{report}");
    assert!(report.skipped.is_empty(), "{report}");
}

async fn compare_and_swap(store: &CredentialStore) {
    assert!(store.load("a").await.unwrap().is_none());
    let g1 = store.save("a", &credential(1), None).await.unwrap();
    let g2 = store.save("a", &credential(2), Some(g1)).await.unwrap();
    assert!(g2 > g1);
    let stale = store.save("a", &credential(3), Some(g1)).await.unwrap_err();
    assert!(
        matches!(stale, StoreError::Conflict { expected: Some(e), found: Some(f) } if e == g1 && f == g2),
        "{stale:?}"
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
    // Generations keep growing after a delete: an old one never matches again.
    let g3 = store.save("a", &credential(4), None).await.unwrap();
    assert!(g3 > g2);
    assert!(store.save("a", &credential(5), Some(g2)).await.is_err());
}

#[tokio::test]
async fn memory_store_compare_and_swap() {
    compare_and_swap(&CredentialStore::memory()).await;
}

#[tokio::test]
async fn file_store_compare_and_swap() {
    let dir = tempfile::tempdir().unwrap();
    compare_and_swap(&CredentialStore::file(dir.path().join("tokens")).unwrap()).await;
}

#[cfg(unix)]
#[tokio::test]
async fn file_store_permissions_and_layout() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("nested/tokens");
    let files = FileTokenStore::new(&root).unwrap();
    let store = CredentialStore::new(files.clone());
    assert_eq!(
        std::fs::metadata(&root).unwrap().permissions().mode() & 0o777,
        0o700
    );
    store
        .save("alice@acme", &credential(1), None)
        .await
        .unwrap();
    let path = files.document_path("alice@acme");
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
    let files = FileTokenStore::new(dir.path()).unwrap();
    let store = CredentialStore::new(files.clone());
    let path = files.document_path("k");
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
    let mut doc: serde_json::Value = serde_json::from_slice(&credential(1).to_document()).unwrap();
    doc["version"] = 2.into();
    std::fs::write(&path, doc.to_string()).unwrap();
    assert!(matches!(store.load("k").await, Err(StoreError::Corrupt(_))));
    // A compare-and-swap refuses to overwrite what it cannot read; a new sign-in replaces it.
    std::fs::write(&path, b"{").unwrap();
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
    let mut c = credential(7).needing_sign_in();
    c.generation = 9;
    let back = StoredCredential::from_document(&c.to_document()).unwrap();
    assert_eq!(back.tokens, c.tokens);
    assert_eq!(
        (back.generation, back.reauth_required, back.updated_at),
        (9, true, 1_700_000_000)
    );
    assert!(!format!("{back:?}").contains("refresh-7"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn file_leases_are_shared_by_store_instances() {
    let dir = tempfile::tempdir().unwrap();
    // Two backend instances: like two processes, each with its own file descriptors.
    let a = FileTokenStore::new(dir.path()).unwrap();
    let b = FileTokenStore::new(dir.path()).unwrap();
    let ttl = Duration::from_secs(30);
    assert_eq!(
        a.acquire_lease("k", "a", ttl).await.unwrap(),
        LeaseGrant::Acquired
    );
    assert!(matches!(
        b.acquire_lease("k", "b", ttl).await.unwrap(),
        LeaseGrant::HeldByOther { remaining: Some(r) } if r <= ttl
    ));
    // Another key is not held.
    assert_eq!(
        b.acquire_lease("other", "b", ttl).await.unwrap(),
        LeaseGrant::Acquired
    );
    a.release_lease("k", "a").await.unwrap();
    assert_eq!(
        b.acquire_lease("k", "b", ttl).await.unwrap(),
        LeaseGrant::Acquired
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cas_writers_never_lose_an_update() {
    let dir = tempfile::tempdir().unwrap();
    // Two adapters over two backend instances: like two processes.
    let stores = [
        CredentialStore::file(dir.path()).unwrap(),
        CredentialStore::file(dir.path()).unwrap(),
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
