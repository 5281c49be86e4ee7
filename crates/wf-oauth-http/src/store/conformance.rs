//! Checks that a [`StoreBackend`] keeps the contract the adapter relies on: one suite for
//! every backend — the driver's, Redis, and the ones applications write in Python,
//! Kotlin, Swift or C (each binding lets an application run it on its own store).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use futures::future::join_all;
use wf_oauth_core::{AccessToken, Instance, LeaseGrant, StoredCredential, TokenSet, UnixTime};

use super::{CredentialStore, SaveOutcome, StoreBackend, StoreEntry, StoreError};

/// The outcome of [`verify_backend`]: each check by name, and what failed.
#[derive(Debug, Clone, Default)]
pub struct ConformanceReport {
    /// `(check, None)` when it passed, `(check, Some(why))` when it failed.
    pub checks: Vec<(String, Option<String>)>,
    /// Checks that did not apply (a backend without compare-and-swap or leases).
    pub skipped: Vec<String>,
}

impl ConformanceReport {
    /// Whether every check passed.
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|(_, failure)| failure.is_none())
    }

    /// The failed checks and why.
    pub fn failures(&self) -> Vec<(&str, &str)> {
        self.checks
            .iter()
            .filter_map(|(name, failure)| failure.as_deref().map(|f| (name.as_str(), f)))
            .collect()
    }

    fn record(&mut self, name: &str, outcome: Result<(), String>) {
        self.checks.push((name.to_owned(), outcome.err()));
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, failure) in &self.checks {
            match failure {
                None => writeln!(f, "ok      {name}")?,
                Some(why) => writeln!(f, "FAILED  {name}: {why}")?,
            }
        }
        for name in &self.skipped {
            writeln!(f, "skipped {name}")?;
        }
        let failed = self.failures().len();
        write!(
            f,
            "{} passed, {failed} failed, {} skipped",
            self.checks.len() - failed,
            self.skipped.len()
        )
    }
}

type Check = Result<(), String>;

fn ensure(condition: bool, why: impl FnOnce() -> String) -> Check {
    if condition { Ok(()) } else { Err(why()) }
}

fn store_failed(e: StoreError) -> String {
    format!("the store failed: {e}")
}

/// An entry as the adapter writes it: the document carries its own generation (a backend
/// that keeps documents whole, like the file store, reads the generation from it).
fn entry(generation: u64, access: &str) -> StoreEntry {
    let mut stored = credential(access);
    stored.generation = generation;
    StoreEntry::new(generation, stored.to_document())
}

fn credential(access: &str) -> StoredCredential {
    let tokens = TokenSet::new(
        AccessToken::new(access),
        Instance::parse("conformance.my.workfront.com").expect("a valid instance"),
        UnixTime::from_secs(1_700_000_000),
    );
    StoredCredential::new(tokens, 1_700_000_000)
}

/// Runs the store contract against `backend`, under keys that start with `key_prefix`
/// plus a random part (removed afterwards), and reports every check. A backend that does
/// not claim compare-and-swap or leases in its [`Guarantees`](super::Guarantees) skips
/// those checks.
///
/// The contract includes that a document carries its own generation (`"generation"` at
/// the top level of its JSON, plain or sealed), which the adapter always writes: a backend
/// may read it from there instead of keeping it beside the document.
///
/// Checked: a missing key loads as nothing; an entry loads back exactly as saved;
/// compare-and-swap refuses a stale or absent expected generation and lets exactly one of
/// many concurrent writers through; generations grow, also across a delete; an unreadable
/// document is a typed error, not a partial credential, and a new sign-in replaces it;
/// delete is idempotent; a lease has one holder among many contenders, is renewed by its
/// holder, expires after its time-to-live, and cannot be released by an owner whose lease
/// expired (fencing).
///
/// ```
/// use std::sync::Arc;
/// use wf_oauth_http::{MemoryTokenStore, verify_backend};
/// # wf_oauth_http::runtime().unwrap().block_on(async {
/// let report = verify_backend(Arc::new(MemoryTokenStore::new()), "check").await;
/// assert!(report.passed(), "{report}");
/// # });
/// ```
pub async fn verify_backend(backend: Arc<dyn StoreBackend>, key_prefix: &str) -> ConformanceReport {
    let suffix = getrandom::u64().unwrap_or(0);
    let key = |name: &str| format!("{key_prefix}-{suffix:016x}-{name}");
    let guarantees = backend.guarantees();
    let store = CredentialStore::from_backend(Arc::clone(&backend));
    let mut report = ConformanceReport::default();

    report.record(
        "a missing key loads as nothing",
        missing(&*backend, &key("missing")).await,
    );
    report.record(
        "an entry loads back as saved",
        round_trip(&*backend, &key("round-trip")).await,
    );
    report.record(
        "generations grow, across deletes too",
        generations(&store, &key("generations")).await,
    );
    report.record(
        "an unreadable document is a typed error and a sign-in replaces it",
        corrupt(&*backend, &store, &key("corrupt")).await,
    );
    report.record(
        "delete is idempotent",
        delete_twice(&*backend, &key("delete")).await,
    );
    if guarantees.compare_and_swap {
        report.record(
            "compare-and-swap refuses stale and absent generations",
            compare_and_swap(&*backend, &key("cas")).await,
        );
        report.record(
            "one of many concurrent writers wins",
            concurrent_writers(&backend, &key("cas-race")).await,
        );
    } else {
        report.skipped.push("compare-and-swap (not claimed)".into());
    }
    if guarantees.leases {
        report.record(
            "a lease has one holder among many contenders",
            lease_contention(&backend, &key("lease-race")).await,
        );
        report.record(
            "a lease is renewed by its holder and released by it only",
            lease_ownership(&*backend, &key("lease")).await,
        );
        report.record(
            "a lease expires, and an expired holder cannot release its successor's",
            lease_expiry(&*backend, &key("lease-expiry")).await,
        );
    } else {
        report.skipped.push("leases (not claimed)".into());
    }
    for name in [
        "missing",
        "round-trip",
        "generations",
        "corrupt",
        "delete",
        "cas",
        "cas-race",
    ] {
        let _ = backend.delete(&key(name)).await;
    }
    report
}

async fn missing(backend: &dyn StoreBackend, key: &str) -> Check {
    let loaded = backend.load(key).await.map_err(store_failed)?;
    ensure(loaded.is_none(), || {
        "a key never saved loaded an entry".into()
    })
}

async fn round_trip(backend: &dyn StoreBackend, key: &str) -> Check {
    let entry = entry(41, "round-trip");
    backend
        .save(key, &entry, None)
        .await
        .map_err(store_failed)?;
    let loaded = backend.load(key).await.map_err(store_failed)?;
    let loaded = loaded.ok_or("the saved entry is gone")?;
    ensure(loaded.generation == 41, || {
        format!("generation {} instead of 41", loaded.generation)
    })?;
    ensure(*loaded.document == *entry.document, || {
        "the document changed on the way".into()
    })
}

async fn generations(store: &CredentialStore, key: &str) -> Check {
    let first = store
        .save(key, &credential("g1"), None)
        .await
        .map_err(store_failed)?;
    let second = store
        .save(key, &credential("g2"), Some(first))
        .await
        .map_err(store_failed)?;
    ensure(second > first, || {
        format!("generation {second} after {first}")
    })?;
    store.delete(key).await.map_err(store_failed)?;
    let third = store
        .save(key, &credential("g3"), None)
        .await
        .map_err(store_failed)?;
    ensure(third > second, || {
        format!("generation {third} after a delete of {second}")
    })?;
    let loaded = store
        .load(key)
        .await
        .map_err(store_failed)?
        .ok_or("the credential is gone")?;
    ensure(loaded.generation == third, || {
        format!("loaded generation {}, saved {third}", loaded.generation)
    })?;
    ensure(loaded.tokens.access_token().secret() == "g3", || {
        "another credential loaded".into()
    })
}

async fn corrupt(backend: &dyn StoreBackend, store: &CredentialStore, key: &str) -> Check {
    let torn = StoreEntry::new(
        5,
        br#"{"format":"wf-oauth-credential","version":1,"gen"#.to_vec(),
    );
    backend.save(key, &torn, None).await.map_err(store_failed)?;
    match store.load(key).await {
        Err(StoreError::Corrupt(_)) => {}
        other => return Err(format!("a torn document loaded as {other:?}")),
    }
    store
        .save(key, &credential("fresh"), None)
        .await
        .map_err(store_failed)?;
    let loaded = store.load(key).await.map_err(store_failed)?;
    ensure(
        loaded.is_some_and(|c| c.tokens.access_token().secret() == "fresh"),
        || "a new sign-in did not replace the unreadable document".into(),
    )
}

async fn delete_twice(backend: &dyn StoreBackend, key: &str) -> Check {
    backend
        .save(key, &entry(1, "delete"), None)
        .await
        .map_err(store_failed)?;
    backend.delete(key).await.map_err(store_failed)?;
    backend.delete(key).await.map_err(store_failed)?;
    let loaded = backend.load(key).await.map_err(store_failed)?;
    ensure(loaded.is_none(), || "a deleted entry still loads".into())
}

async fn compare_and_swap(backend: &dyn StoreBackend, key: &str) -> Check {
    let entry = |g: u64| entry(g, &format!("cas-{g}"));
    let absent = backend
        .save(key, &entry(2), Some(1))
        .await
        .map_err(store_failed)?;
    ensure(absent == SaveOutcome::Conflict { found: None }, || {
        format!("an expected generation on a missing key gave {absent:?}")
    })?;
    backend
        .save(key, &entry(1), None)
        .await
        .map_err(store_failed)?;
    let stale = backend
        .save(key, &entry(3), Some(7))
        .await
        .map_err(store_failed)?;
    ensure(stale == SaveOutcome::Conflict { found: Some(1) }, || {
        format!("a stale expected generation gave {stale:?}")
    })?;
    let swapped = backend
        .save(key, &entry(2), Some(1))
        .await
        .map_err(store_failed)?;
    ensure(swapped == SaveOutcome::Saved, || {
        format!("the right expected generation gave {swapped:?}")
    })?;
    let again = backend
        .save(key, &entry(3), Some(1))
        .await
        .map_err(store_failed)?;
    ensure(again == SaveOutcome::Conflict { found: Some(2) }, || {
        format!("reusing an old expected generation gave {again:?}")
    })
}

async fn concurrent_writers(backend: &Arc<dyn StoreBackend>, key: &str) -> Check {
    backend
        .save(key, &entry(10, "base"), None)
        .await
        .map_err(store_failed)?;
    let writers = (0..16u64).map(|i| {
        let backend = Arc::clone(backend);
        let key = key.to_owned();
        async move {
            backend
                .save(&key, &entry(11, &format!("writer-{i}")), Some(10))
                .await
        }
    });
    let outcomes = join_all(writers).await;
    let saved = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(SaveOutcome::Saved)))
        .count();
    let failed: Vec<_> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    ensure(failed.is_empty(), || format!("writers failed: {failed:?}"))?;
    ensure(saved == 1, || {
        format!("{saved} of 16 concurrent writers expecting the same generation succeeded")
    })
}

const LEASE_TTL: Duration = Duration::from_secs(30);

async fn lease_contention(backend: &Arc<dyn StoreBackend>, key: &str) -> Check {
    let contenders = (0..16).map(|i| {
        let backend = Arc::clone(backend);
        let key = key.to_owned();
        async move {
            backend
                .acquire_lease(&key, &format!("contender-{i}"), LEASE_TTL)
                .await
        }
    });
    let grants = join_all(contenders).await;
    let mut holders = Vec::new();
    for (i, grant) in grants.iter().enumerate() {
        match grant {
            Ok(LeaseGrant::Acquired) => holders.push(i),
            Ok(LeaseGrant::HeldByOther { .. }) => {}
            other => return Err(format!("contender {i} got {other:?}")),
        }
    }
    for i in &holders {
        let _ = backend.release_lease(key, &format!("contender-{i}")).await;
    }
    ensure(holders.len() == 1, || {
        format!("{} contenders hold the lease at once", holders.len())
    })
}

async fn lease_ownership(backend: &dyn StoreBackend, key: &str) -> Check {
    let grant = |owner: &'static str| backend.acquire_lease(key, owner, LEASE_TTL);
    ensure(
        grant("a").await.map_err(store_failed)? == LeaseGrant::Acquired,
        || "a free lease was refused".into(),
    )?;
    let other = grant("b").await.map_err(store_failed)?;
    ensure(matches!(other, LeaseGrant::HeldByOther { .. }), || {
        format!("a held lease gave {other:?} to another owner")
    })?;
    ensure(
        grant("a").await.map_err(store_failed)? == LeaseGrant::Acquired,
        || "the holder could not renew its lease".into(),
    )?;
    backend
        .release_lease(key, "b")
        .await
        .map_err(store_failed)?;
    let still = grant("c").await.map_err(store_failed)?;
    ensure(matches!(still, LeaseGrant::HeldByOther { .. }), || {
        "a non-holder released the lease".into()
    })?;
    backend
        .release_lease(key, "a")
        .await
        .map_err(store_failed)?;
    let free = grant("b").await.map_err(store_failed)?;
    backend
        .release_lease(key, "b")
        .await
        .map_err(store_failed)?;
    ensure(free == LeaseGrant::Acquired, || {
        format!("a released lease gave {free:?}")
    })
}

async fn lease_expiry(backend: &dyn StoreBackend, key: &str) -> Check {
    let short = Duration::from_millis(300);
    ensure(
        backend
            .acquire_lease(key, "crashed", short)
            .await
            .map_err(store_failed)?
            == LeaseGrant::Acquired,
        || "a free lease was refused".into(),
    )?;
    tokio::time::sleep(Duration::from_millis(450)).await;
    let next = backend
        .acquire_lease(key, "next", LEASE_TTL)
        .await
        .map_err(store_failed)?;
    ensure(next == LeaseGrant::Acquired, || {
        format!("an expired lease gave {next:?}")
    })?;
    // The crashed holder comes back late: it must not free its successor's lease.
    backend
        .release_lease(key, "crashed")
        .await
        .map_err(store_failed)?;
    let third = backend
        .acquire_lease(key, "third", LEASE_TTL)
        .await
        .map_err(store_failed)?;
    backend
        .release_lease(key, "next")
        .await
        .map_err(store_failed)?;
    ensure(matches!(third, LeaseGrant::HeldByOther { .. }), || {
        "an expired holder released its successor's lease".into()
    })
}
