//! Hostile input against the driver, as an attacker would send it: token sets and store
//! documents naming a foreign host (a loopback server that records whether anything
//! reached it), absurd `Retry-After` values, and store directories or links planted by
//! another user. Each case checks the typed error and that nothing was sent.

mod common;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use common::hostile::Hostile;
use common::*;
use wf_oauth_core::{AccessToken, Instance, RefreshToken, TokenSet, UnixTime};
use wf_oauth_http::{
    CredentialStore, Error, ErrorKind, FileTokenStore, StoreBackend, StoreError, StoredCredential,
    WorkfrontClient,
};

/// Tokens naming `origin` (a loopback server of the test).
fn tokens_for(origin: &str) -> TokenSet {
    TokenSet::new(
        AccessToken::new("planted-access"),
        Instance::parse(origin).unwrap(),
        UnixTime::from_secs(1_700_000_000),
    )
    .with_refresh_token(Some(RefreshToken::new("planted-refresh")))
}

fn is_foreign_credential(e: &Error) -> bool {
    matches!(
        e,
        Error::Protocol(wf_oauth_core::Error::CredentialInstanceNotAllowed { .. })
    ) && e.kind() == ErrorKind::InvalidArgument
}

fn is_foreign_document(e: &Error, host: &str) -> bool {
    matches!(e, Error::Storage(StoreError::ForeignInstance { host: h }) if h == host)
        && e.kind() == ErrorKind::Storage
}

#[tokio::test]
async fn a_token_set_naming_another_host_never_reaches_it() {
    let mock = mock().await;
    let evil = Hostile::recorder().await;
    let oauth = oauth(&mock, Style::Basic);
    let foreign = tokens_for(evil.origin());

    let e = oauth.refresh(&foreign).await.unwrap_err();
    assert!(is_foreign_credential(&e), "{e:?}");

    let client = WorkfrontClient::from_tokens(oauth.clone(), foreign.clone());
    for e in [
        client.get("proj/search", &[]).await.unwrap_err(),
        client.refresh().await.unwrap_err(),
        client.credential_headers().await.unwrap_err(),
        client.logout().await.unwrap_err(),
    ] {
        assert!(is_foreign_credential(&e), "{e:?}");
        assert!(!e.to_string().contains("planted"), "{e}");
    }

    let store = CredentialStore::memory();
    let e = WorkfrontClient::login(oauth.clone(), store.clone(), "k", foreign)
        .await
        .unwrap_err();
    assert!(is_foreign_credential(&e), "{e:?}");
    assert!(store.load("k").await.unwrap().is_none(), "nothing saved");

    assert_eq!(evil.connections(), 0, "nothing reached the foreign host");
    assert_eq!(mock.stats().grant("refresh_token"), 0);
}

/// Writes `tokens` as the document of `key` in `store`, as a planted file would be.
fn plant(store: &FileTokenStore, key: &str, tokens: TokenSet, generation: u64) -> Vec<u8> {
    let mut credential = StoredCredential::new(tokens, 1_700_000_000);
    credential.generation = generation;
    let bytes = credential.to_document();
    let path = store.document_path(key);
    fs::write(&path, &bytes).unwrap();
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    bytes
}

#[tokio::test]
async fn a_planted_store_document_is_refused_and_left_untouched() {
    let mock = mock().await;
    let evil = Hostile::recorder().await;
    let oauth = oauth(&mock, Style::Basic);
    let dir = tempfile::tempdir().unwrap();
    let files = FileTokenStore::new(dir.path()).unwrap();
    let store = CredentialStore::new(files.clone());
    let planted = plant(&files, "alice", tokens_for(evil.origin()), 7);

    let e = WorkfrontClient::open(oauth.clone(), store.clone(), "alice")
        .await
        .unwrap_err();
    assert!(is_foreign_document(&e, "127.0.0.1"), "{e:?}");
    assert!(!e.to_string().contains("planted"), "{e}");
    assert_eq!(fs::read(files.document_path("alice")).unwrap(), planted);

    // A document replaced while a client runs: the next refresh reads it and refuses it.
    let tokens = sign_in(&oauth).await;
    let client = WorkfrontClient::login(oauth.clone(), store.clone(), "bob", tokens)
        .await
        .unwrap();
    let planted = plant(&files, "bob", tokens_for(evil.origin()), 99);
    mock.expire_all_sessions();
    let e = client.get("proj/search", &[]).await.unwrap_err();
    assert!(is_foreign_document(&e, "127.0.0.1"), "{e:?}");
    assert_eq!(fs::read(files.document_path("bob")).unwrap(), planted);

    assert_eq!(evil.connections(), 0);
    assert_eq!(mock.stats().grant("refresh_token"), 0);
}

#[tokio::test]
async fn absurd_retry_after_values_never_panic() {
    // (status, Retry-After, whether it reads as a wait): an unreadable value is ignored
    // and the ordinary bounded backoff applies.
    for (status, retry_after, readable) in [
        (429, "18446744073709551615", true),
        (503, "18446744073709551615", true),
        (429, "Fri, 31 Dec 9999 23:59:59 GMT", true),
        (503, "Fri, 31 Dec 9999 23:59:59 GMT", true),
        (429, "18446744073709551616", false),
        (429, "-1", false),
        (503, "99999999999999999999999999999999", false),
    ] {
        let server = Hostile::answering(
            status,
            &[
                ("Retry-After", retry_after),
                ("Content-Type", "application/json"),
            ],
            r#"{"error":{"class":"x","message":"busy"}}"#,
        )
        .await;
        let oauth = oauth_builder_for(server.origin(), Style::Basic)
            .build()
            .unwrap();
        let tokens = tokens_for(server.origin());
        let client = WorkfrontClient::from_tokens(oauth.clone(), tokens.clone());
        let e = client.get("proj/search", &[]).await.unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::Api),
            "{status} {retry_after}: {e:?}"
        );
        let e = oauth.refresh(&tokens).await.unwrap_err();
        assert!(
            matches!(e.kind(), ErrorKind::TokenEndpoint | ErrorKind::Protocol),
            "{status} {retry_after}: {e:?}"
        );
        if readable {
            // One attempt each: a wait past the retry budget is not waited.
            assert_eq!(server.connections(), 2, "{status} {retry_after}");
        } else {
            assert!(server.connections() <= 6, "{status} {retry_after}");
        }
    }
}

/// A store directory the test can make hostile.
fn store_dir(mode: u32) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("tokens");
    fs::create_dir(&dir).unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
    (root, dir)
}

fn insecure(e: &StoreError, path: &Path, fix: &str) {
    match e {
        StoreError::Insecure { path: p, reason } => {
            assert_eq!(p, path);
            assert!(reason.contains(fix), "{reason}");
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        }
        other => panic!("expected Insecure for {}: {other:?}", path.display()),
    }
}

fn credential() -> StoredCredential {
    StoredCredential::new(tokens_for("acme.my.workfront.com"), 1)
}

#[tokio::test]
async fn directories_other_users_can_write_are_refused() {
    for mode in [0o777, 0o770, 0o1777, 0o722] {
        let (_root, dir) = store_dir(mode);
        let e = FileTokenStore::new(&dir).unwrap_err();
        insecure(&e, &dir, "chmod 700");
        let kept = fs::metadata(&dir).unwrap().permissions().mode() & 0o7777;
        assert_eq!(kept, mode, "the directory is left as it is");
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
    }
    for mode in [0o700, 0o755, 0o750] {
        let (_root, dir) = store_dir(mode);
        FileTokenStore::new(&dir).expect("a private directory is fine");
    }
    // A directory opened safely and loosened later is refused from then on.
    let (_root, dir) = store_dir(0o700);
    let files = FileTokenStore::new(&dir).unwrap();
    let store = CredentialStore::new(files.clone());
    store.save("k", &credential(), None).await.unwrap();
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).unwrap();
    insecure(&store.load("k").await.unwrap_err(), &dir, "chmod 700");
    insecure(
        &store.save("k", &credential(), None).await.unwrap_err(),
        &dir,
        "chmod 700",
    );
    insecure(&store.delete("k").await.unwrap_err(), &dir, "chmod 700");
    insecure(
        &files.acquire_lease("k", "me", TTL).await.unwrap_err(),
        &dir,
        "chmod 700",
    );
}

#[tokio::test]
async fn documents_other_users_can_write_are_refused() {
    let (_root, dir) = store_dir(0o700);
    let files = FileTokenStore::new(&dir).unwrap();
    let store = CredentialStore::new(files.clone());
    store.save("k", &credential(), None).await.unwrap();
    let doc = files.document_path("k");
    for mode in [0o666, 0o620, 0o602] {
        fs::set_permissions(&doc, fs::Permissions::from_mode(mode)).unwrap();
        insecure(&store.load("k").await.unwrap_err(), &doc, "chmod 600");
        insecure(
            &store.save("k", &credential(), Some(1)).await.unwrap_err(),
            &doc,
            "chmod 600",
        );
    }
    fs::set_permissions(&doc, fs::Permissions::from_mode(0o600)).unwrap();
    assert!(store.load("k").await.unwrap().is_some());
}

/// `<stem>.lease` and `<stem>.write.lock` beside the document of `key`.
fn lock_paths(store: &FileTokenStore, key: &str) -> (PathBuf, PathBuf) {
    let doc = store.document_path(key);
    let stem = doc.file_stem().unwrap().to_str().unwrap().to_owned();
    (
        doc.with_file_name(format!("{stem}.lease")),
        doc.with_file_name(format!("{stem}.write.lock")),
    )
}

const TTL: std::time::Duration = std::time::Duration::from_secs(30);

#[tokio::test]
async fn links_are_never_followed() {
    let (root, dir) = store_dir(0o700);
    let files = FileTokenStore::new(&dir).unwrap();
    let store = CredentialStore::new(files.clone());
    let (lease, write_lock) = lock_paths(&files, "k");
    let elsewhere = root.path().join("elsewhere");

    // A planted `.write.lock` link: saves and deletes refuse, and create nothing there.
    symlink(elsewhere.join("w"), &write_lock).unwrap();
    fs::create_dir(&elsewhere).unwrap();
    insecure(
        &store.save("k", &credential(), None).await.unwrap_err(),
        &write_lock,
        "rm ",
    );
    insecure(&store.delete("k").await.unwrap_err(), &write_lock, "rm ");
    assert!(!elsewhere.join("w").exists());
    fs::remove_file(&write_lock).unwrap();

    // A planted `.lease` link: taking the refresh lease refuses, and writes nothing there.
    symlink(elsewhere.join("r"), &lease).unwrap();
    insecure(
        &files.acquire_lease("k", "me", TTL).await.unwrap_err(),
        &lease,
        "rm ",
    );
    insecure(
        &files.release_lease("k", "me").await.unwrap_err(),
        &lease,
        "rm ",
    );
    assert!(!elsewhere.join("r").exists());
    fs::remove_file(&lease).unwrap();

    // A document that is a link to a valid document elsewhere.
    let real = elsewhere.join("doc.json");
    fs::write(&real, credential().to_document()).unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
    symlink(&real, files.document_path("k")).unwrap();
    insecure(
        &store.load("k").await.unwrap_err(),
        &files.document_path("k"),
        "rm ",
    );
    // A document that is a directory or a FIFO is not a regular file either.
    fs::remove_file(files.document_path("k")).unwrap();
    fs::create_dir(files.document_path("k")).unwrap();
    assert!(matches!(
        store.load("k").await.unwrap_err(),
        StoreError::Insecure { .. } | StoreError::Io(_)
    ));
}

#[tokio::test]
async fn stores_owned_by_another_user_are_refused() {
    if rustix_euid() != 0 {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    let nobody = 65534;
    let (_root, dir) = store_dir(0o700);
    std::os::unix::fs::chown(&dir, Some(nobody), Some(nobody)).unwrap();
    insecure(&FileTokenStore::new(&dir).unwrap_err(), &dir, "chown");

    let (_root, dir) = store_dir(0o700);
    let files = FileTokenStore::new(&dir).unwrap();
    let store = CredentialStore::new(files.clone());
    store.save("k", &credential(), None).await.unwrap();
    let doc = files.document_path("k");
    std::os::unix::fs::chown(&doc, Some(nobody), Some(nobody)).unwrap();
    insecure(&store.load("k").await.unwrap_err(), &doc, "chown");
}

/// The effective user id, read from what the kernel reports for a new file.
fn rustix_euid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    let probe = tempfile::NamedTempFile::new().unwrap();
    probe.as_file().metadata().unwrap().uid()
}

#[tokio::test]
async fn a_planted_server_to_server_document_is_refused_not_overwritten() {
    use wf_oauth_core::{ClientConfig, ClientSecret, Provider};
    let mock = mock_with(|b| b.mode(wf_oauth_mock::Mode::AdobeIms)).await;
    let evil = Hostile::recorder().await;
    let config = ClientConfig::builder(
        Instance::parse(&mock.base_url()).unwrap(),
        wf_oauth_mock::DEFAULT_CLIENT_ID,
    )
    .client_secret(ClientSecret::new(wf_oauth_mock::DEFAULT_CLIENT_SECRET))
    .provider(Provider::adobe_ims_at(&mock.ims_base_url()).unwrap())
    .scope("openid AdobeID")
    .build()
    .unwrap();
    let oauth = wf_oauth_http::OAuthClient::new(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let files = FileTokenStore::new(dir.path()).unwrap();
    let store = CredentialStore::new(files.clone());
    let planted = plant(&files, "s2s", tokens_for(evil.origin()), 3);
    let e = WorkfrontClient::open_client_credentials(oauth, store.clone(), "s2s")
        .await
        .unwrap_err();
    assert!(is_foreign_document(&e, "127.0.0.1"), "{e:?}");
    assert_eq!(fs::read(files.document_path("s2s")).unwrap(), planted);
    assert_eq!(mock.stats().grant("client_credentials"), 0);
    assert_eq!(evil.connections(), 0);
}
