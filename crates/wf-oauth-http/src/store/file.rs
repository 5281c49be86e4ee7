//! A token store of JSON files, safe to share between the processes of one machine.
//!
//! Layout of the directory (created `0700`), per credential key:
//! - `<prefix>-<hash>.json` — the credential document (`0600`). `<prefix>` is a readable
//!   sanitized prefix of the key, `<hash>` the first 128 bits of its SHA-256 in hex, so any
//!   key maps to one safe file name and different keys never collide.
//! - `<prefix>-<hash>.write.lock` — held briefly by every save, delete and lease change,
//!   which makes the generation compare-and-swap and the lease atomic between processes.
//! - `<prefix>-<hash>.lease` — the refresh lease while a renewal runs: its owner and its
//!   deadline, and a `flock` that its holder keeps while it lives. A lease whose deadline
//!   passed, or whose holder died (the kernel dropped its lock), is taken over at once.
//!
//! The directory and every file must belong to the user running the process and be
//! writable by nobody else, and no file is opened through a symbolic link (see
//! [`secure`](super::secure)): a store that another user could tamper with is refused with
//! [`StoreError::Insecure`], naming the path and the fix.
//!
//! Writes go to a temporary file in the same directory, are fsynced, atomically renamed over
//! the document, and the directory is fsynced. A process killed at any instant therefore
//! leaves either the old or the new complete document, never a torn one. Readers take no
//! lock: a rename is atomic for them too. The write lock is a `flock(2)` advisory lock,
//! released by the kernel when a process dies, so a crash never leaves a key locked.

use std::collections::HashMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use fs4::FileExt;
use sha2::{Digest, Sha256};

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wf_oauth_core::{LeaseGrant, document_generation};
use zeroize::Zeroizing;

use super::{Guarantees, SaveOutcome, Sharing, StoreBackend, StoreEntry, StoreError, secure};

/// Token store keeping one JSON document per credential key in a directory: shared safely
/// by the processes of one machine (compare-and-swap under a write lock, leases in lease
/// files with a deadline).
///
/// ```no_run
/// use wf_oauth_http::{CredentialStore, FileTokenStore};
/// # async fn demo() -> Result<(), wf_oauth_http::StoreError> {
/// let store = CredentialStore::new(FileTokenStore::new("/home/me/.config/my-app/tokens")?);
/// let credential = store.load("alice@acme").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    dir: Arc<PathBuf>,
    /// The lease files this process holds, open and `flock`ed: the lock tells other
    /// processes the holder is alive (the kernel drops it when a process dies).
    held: Arc<Mutex<HashMap<(PathBuf, String), File>>>,
}

impl FileTokenStore {
    /// A store in `dir`, created with mode `0700` if missing. Documents are written with
    /// mode `0600` (on Unix).
    ///
    /// An existing directory keeps its permissions, but it must belong to the user running
    /// the process and be writable by nobody else (no group or world write bit), like
    /// OpenSSH's `StrictModes`: otherwise [`StoreError::Insecure`] names the path and the
    /// fix (`chmod 700 …`). The same holds for every document and lock file, checked on each
    /// use, and no file is ever opened through a symbolic link.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        private_dir_builder().create(&dir)?;
        secure::check_dir(&dir)?;
        Ok(Self {
            dir: Arc::new(dir),
            held: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// The directory holding the documents.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The path of the document for `key` (it may not exist yet).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = wf_oauth_http::FileTokenStore::new(dir.path()).unwrap();
    /// let path = store.document_path("alice@acme.my.workfront.com/../x");
    /// let name = path.file_name().unwrap().to_str().unwrap();
    /// assert!(name.starts_with("alice_acme.my.workfront.com_.._x-"));
    /// assert!(name.ends_with(".json"));
    /// ```
    pub fn document_path(&self, key: &str) -> PathBuf {
        self.dir.join(format!("{}.json", stem(key)))
    }

    fn paths(&self, key: &str) -> Paths {
        let stem = stem(key);
        Paths {
            dir: self.dir.to_path_buf(),
            document: self.dir.join(format!("{stem}.json")),
            lease: self.dir.join(format!("{stem}.lease")),
            write_lock: self.dir.join(format!("{stem}.write.lock")),
            temp_prefix: format!(".{stem}.tmp."),
        }
    }
}

/// The files belonging to one key.
#[derive(Debug, Clone)]
struct Paths {
    dir: PathBuf,
    document: PathBuf,
    lease: PathBuf,
    write_lock: PathBuf,
    temp_prefix: String,
}

/// `<readable prefix>-<128-bit hash>`: safe on every file system, unique per key.
fn stem(key: &str) -> String {
    let mut prefix: String = key
        .chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    // No hidden files, no `.`/`..`, never an empty prefix.
    if prefix.is_empty() || prefix.starts_with('.') {
        prefix.insert(0, 'k');
    }
    let digest = Sha256::digest(key.as_bytes());
    let hash: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}-{hash}")
}

/// Directories readable by their owner only (`0700` on Unix).
fn private_dir_builder() -> fs::DirBuilder {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
}

/// Files readable by their owner only (`0600` on Unix). Elsewhere the directory's
/// inherited access control applies.
fn private_file_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Runs blocking file-system work off the async worker threads.
async fn blocking<T, F>(f: F) -> Result<T, StoreError>
where
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Backend(format!("file store task failed: {e}")))?
}

fn open_lock_file(path: &Path) -> Result<File, StoreError> {
    secure::open_checked(
        private_file_options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false),
        path,
    )
}

/// Takes the exclusive `flock` on `path`, waiting for it. The lock lives as long as the file.
fn lock_exclusive(path: &Path) -> Result<File, StoreError> {
    let file = open_lock_file(path)?;
    // Fully qualified: newer std has an inherent `File::lock` with the same behaviour, but
    // the crate's MSRV predates it.
    FileExt::lock(&file)?;
    Ok(file)
}

/// The bytes of the file at `path`, or `None` when there is none (checked like every store
/// file: no link, ours, writable by nobody else).
fn read_file(path: &Path) -> Result<Option<Zeroizing<Vec<u8>>>, StoreError> {
    let mut file = match secure::open_checked(OpenOptions::new().read(true), path) {
        Ok(file) => file,
        Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Zeroizing::new(Vec::new());
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// The stored entry: the document and the generation written in it. A document whose
/// generation cannot be read is [`StoreError::Corrupt`]: a compare-and-swap never
/// overwrites what it cannot read (a new sign-in, which saves unconditionally, does).
fn read_entry(path: &Path) -> Result<Option<StoreEntry>, StoreError> {
    read_file(path)?
        .map(|document| {
            let generation = document_generation(&document).map_err(|e| StoreError::corrupt(&e))?;
            Ok(StoreEntry {
                generation,
                document,
            })
        })
        .transpose()
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Makes the rename itself durable. Windows cannot open a directory as a file; there the
    // rename is as durable as the file system makes it.
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Removes temporary files left by writers that died mid-write. Only called with the write
/// lock held, when no live writer can own one.
fn remove_stale_temps(paths: &Paths) {
    let Ok(entries) = fs::read_dir(&paths.dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(&paths.temp_prefix))
        {
            // Best effort: a leftover temp file is harmless, only untidy.
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Writes `bytes` as the new content of `target`: temp file, fsync, rename, directory
/// fsync.
fn replace_file(paths: &Paths, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let suffix = getrandom::u64().map_err(|e| io::Error::other(e.to_string()))?;
    let temp = paths
        .dir
        .join(format!("{}{suffix:016x}", paths.temp_prefix));
    let result = (|| {
        let mut options = private_file_options();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(
            &mut options,
            (rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NOCTTY).bits() as i32,
        );
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temp, target)?;
        sync_dir(&paths.dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn save_blocking(
    paths: &Paths,
    entry: &StoreEntry,
    expected: Option<u64>,
) -> Result<SaveOutcome, StoreError> {
    let _write_lock = lock_exclusive(&paths.write_lock)?;
    remove_stale_temps(paths);
    if let Some(expected) = expected {
        let found = read_entry(&paths.document)?.map(|e| e.generation);
        if found != Some(expected) {
            return Ok(SaveOutcome::Conflict { found });
        }
    }
    replace_file(paths, &paths.document, &entry.document)?;
    Ok(SaveOutcome::Saved)
}

fn delete_blocking(paths: &Paths) -> Result<(), StoreError> {
    let _write_lock = lock_exclusive(&paths.write_lock)?;
    remove_stale_temps(paths);
    match fs::remove_file(&paths.document) {
        Ok(()) => sync_dir(&paths.dir).map_err(Into::into),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Milliseconds since 1970 on this machine's clock (leases are shared by the processes of
/// one machine, which share that clock).
fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// A lease file: `<owner> <deadline in ms since 1970>`. Anything else is a lease nobody
/// holds (a torn or foreign file is replaced).
fn read_lease(path: &Path) -> Result<Option<(String, u64)>, StoreError> {
    let Some(bytes) = read_file(path)? else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .split_once(' ')
        .and_then(|(owner, until)| Some((owner.to_owned(), until.trim().parse().ok()?))))
}

/// The lease files held by this process, by path and owner.
type Held = Arc<Mutex<HashMap<(PathBuf, String), File>>>;

fn held(held: &Held) -> std::sync::MutexGuard<'_, HashMap<(PathBuf, String), File>> {
    // Only open files live here; a panic elsewhere cannot leave them torn.
    held.lock().unwrap_or_else(|e| e.into_inner())
}

/// Whether a live process holds the lease file at `path` (its `flock` is taken).
fn holder_alive(path: &Path) -> Result<bool, StoreError> {
    let file = match secure::open_checked(OpenOptions::new().read(true), path) {
        Ok(file) => file,
        Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e),
    };
    // Taking the lock for a moment, and dropping it with the file, only tests it.
    match FileExt::try_lock(&file) {
        Ok(()) => Ok(false),
        Err(fs4::TryLockError::WouldBlock) => Ok(true),
        Err(fs4::TryLockError::Error(e)) => Err(e.into()),
    }
}

/// The lease is taken by `owner`: a new lease file with its deadline, `flock`ed by this
/// process for as long as it holds the lease.
fn take_lease(
    paths: &Paths,
    owner: &str,
    deadline: u64,
    held_files: &Held,
) -> Result<(), StoreError> {
    replace_file(
        paths,
        &paths.lease,
        format!("{owner} {deadline}").as_bytes(),
    )?;
    let file = secure::open_checked(OpenOptions::new().read(true), &paths.lease)?;
    if FileExt::try_lock(&file).is_err() {
        return Err(StoreError::Backend(
            "the new lease file is locked by another process".into(),
        ));
    }
    held(held_files).insert((paths.lease.clone(), owner.to_owned()), file);
    Ok(())
}

fn acquire_lease_blocking(
    paths: &Paths,
    owner: &str,
    ttl: Duration,
    held_files: &Held,
) -> Result<LeaseGrant, StoreError> {
    let _write_lock = lock_exclusive(&paths.write_lock)?;
    let now = now_ms();
    if let Some((holder, until)) = read_lease(&paths.lease)?
        && holder != owner
        && until > now
        && holder_alive(&paths.lease)?
    {
        return Ok(LeaseGrant::HeldByOther {
            remaining: Some(Duration::from_millis(until - now)),
        });
    }
    // Free, expired, ours to renew, or left by a process that died: take it.
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
    take_lease(paths, owner, now.saturating_add(ttl_ms), held_files)?;
    Ok(LeaseGrant::Acquired)
}

fn release_lease_blocking(paths: &Paths, owner: &str, held_files: &Held) -> Result<(), StoreError> {
    let _write_lock = lock_exclusive(&paths.write_lock)?;
    if read_lease(&paths.lease)?.is_some_and(|(holder, _)| holder == owner) {
        match fs::remove_file(&paths.lease) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    held(held_files).remove(&(paths.lease.clone(), owner.to_owned()));
    Ok(())
}

/// Checks that a lease owner can be written in a lease file.
fn check_owner(owner: &str) -> Result<(), StoreError> {
    if owner.is_empty() || owner.len() > 128 || !owner.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StoreError::Backend(
            "a lease owner must be 1 to 128 printable ASCII characters without spaces".into(),
        ));
    }
    Ok(())
}

#[async_trait]
impl StoreBackend for FileTokenStore {
    fn guarantees(&self) -> Guarantees {
        Guarantees {
            compare_and_swap: true,
            leases: true,
            shared_by: Sharing::Machine,
        }
    }

    async fn load(&self, key: &str) -> Result<Option<StoreEntry>, StoreError> {
        let paths = self.paths(key);
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            read_entry(&paths.document)
        })
        .await
    }

    async fn save(
        &self,
        key: &str,
        entry: &StoreEntry,
        expected: Option<u64>,
    ) -> Result<SaveOutcome, StoreError> {
        let paths = self.paths(key);
        let entry = entry.clone();
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            save_blocking(&paths, &entry, expected)
        })
        .await
    }

    async fn delete(&self, key: &str) -> Result<(), StoreError> {
        let paths = self.paths(key);
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            delete_blocking(&paths)
        })
        .await
    }

    async fn acquire_lease(
        &self,
        key: &str,
        owner: &str,
        ttl: Duration,
    ) -> Result<LeaseGrant, StoreError> {
        check_owner(owner)?;
        let paths = self.paths(key);
        let owner = owner.to_owned();
        let held = Arc::clone(&self.held);
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            acquire_lease_blocking(&paths, &owner, ttl, &held)
        })
        .await
    }

    async fn release_lease(&self, key: &str, owner: &str) -> Result<(), StoreError> {
        check_owner(owner)?;
        let paths = self.paths(key);
        let owner = owner.to_owned();
        let held = Arc::clone(&self.held);
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            release_lease_blocking(&paths, &owner, &held)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_safe_and_distinct() {
        for key in ["", ".", "..", "a/b", "a\\b", "é", "a b", &"x".repeat(500)] {
            let s = stem(key);
            assert!(!s.starts_with('.'), "{s}");
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)),
                "{s}"
            );
            assert!(s.len() <= 41 + 1 + 32);
        }
        assert_ne!(stem("a/b"), stem("a_b"));
    }
}
