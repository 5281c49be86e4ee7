//! A token store of JSON files, safe to share between processes.
//!
//! Layout of the directory (created `0700`), per credential key:
//! - `<prefix>-<hash>.json` — the credential document (`0600`). `<prefix>` is a readable
//!   sanitized prefix of the key, `<hash>` the first 128 bits of its SHA-256 in hex, so any
//!   key maps to one safe file name and different keys never collide.
//! - `<prefix>-<hash>.lock` — held by [`TokenStore::lock`] for the duration of a refresh, so
//!   that one process refreshes while the others wait and then re-read.
//! - `<prefix>-<hash>.write.lock` — held briefly by every save and delete, which makes the
//!   generation compare-and-swap atomic between processes even when no refresh lock is held.
//!
//! The directory and every file must belong to the user running the process and be
//! writable by nobody else, and no file is opened through a symbolic link (see
//! [`secure`](super::secure)): a store that another user could tamper with is refused with
//! [`StoreError::Insecure`], naming the path and the fix.
//!
//! Writes go to a temporary file in the same directory, are fsynced, atomically renamed over
//! the document, and the directory is fsynced. A process killed at any instant therefore
//! leaves either the old or the new complete document, never a torn one. Readers take no
//! lock: a rename is atomic for them too. Locks are `flock(2)` advisory locks, released by
//! the kernel when a process dies, so a crash never leaves a key locked.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use fs4::FileExt;
use sha2::{Digest, Sha256};

use super::{LockGuard, StoreError, StoredCredential, TokenStore, secure};

/// Token store keeping one JSON document per credential key in a directory.
///
/// ```no_run
/// use wf_oauth_http::{FileTokenStore, TokenStore};
/// # async fn demo() -> Result<(), wf_oauth_http::StoreError> {
/// let store = FileTokenStore::new("/home/me/.config/my-app/tokens")?;
/// let credential = store.load("alice@acme").await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    dir: Arc<PathBuf>,
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
        Ok(Self { dir: Arc::new(dir) })
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
            refresh_lock: self.dir.join(format!("{stem}.lock")),
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
    refresh_lock: PathBuf,
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

fn read_document(path: &Path) -> Result<Option<StoredCredential>, StoreError> {
    let mut file = match secure::open_checked(OpenOptions::new().read(true), path) {
        Ok(file) => file,
        Err(StoreError::Io(e)) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = zeroize::Zeroizing::new(Vec::new());
    file.read_to_end(&mut bytes)?;
    StoredCredential::from_document(&bytes).map(Some)
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

/// Writes `bytes` as the new document: temp file, fsync, rename, directory fsync.
fn replace_document(paths: &Paths, bytes: &[u8]) -> io::Result<()> {
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
        fs::rename(&temp, &paths.document)?;
        sync_dir(&paths.dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn save_blocking(
    paths: &Paths,
    credential: &StoredCredential,
    expected_generation: Option<u64>,
) -> Result<u64, StoreError> {
    let _write_lock = lock_exclusive(&paths.write_lock)?;
    remove_stale_temps(paths);
    let current = match read_document(&paths.document) {
        Ok(current) => current,
        // An unconditional save is how a damaged document gets replaced by a new login.
        Err(StoreError::Corrupt(_)) if expected_generation.is_none() => None,
        Err(e) => return Err(e),
    };
    let found = current.as_ref().map(|c| c.generation);
    if expected_generation.is_some_and(|expected| found != Some(expected)) {
        return Err(StoreError::Conflict {
            expected: expected_generation,
            found,
        });
    }
    let generation = found.unwrap_or(0) + 1;
    let mut next = credential.clone();
    next.generation = generation;
    replace_document(paths, &next.to_document()?)?;
    Ok(generation)
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

/// The refresh lock of one key: the `flock` is released when this is dropped (or when the
/// process dies).
#[derive(Debug)]
struct FileLock {
    _file: File,
}

impl LockGuard for FileLock {}

#[async_trait]
impl TokenStore for FileTokenStore {
    async fn load(&self, key: &str) -> Result<Option<StoredCredential>, StoreError> {
        let paths = self.paths(key);
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            read_document(&paths.document)
        })
        .await
    }

    async fn save(
        &self,
        key: &str,
        credential: &StoredCredential,
        expected_generation: Option<u64>,
    ) -> Result<u64, StoreError> {
        let paths = self.paths(key);
        let credential = credential.clone();
        blocking(move || {
            secure::check_dir(&paths.dir)?;
            save_blocking(&paths, &credential, expected_generation)
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

    async fn lock(&self, key: &str) -> Result<Box<dyn LockGuard>, StoreError> {
        let paths = self.paths(key);
        let file = blocking(move || {
            secure::check_dir(&paths.dir)?;
            lock_exclusive(&paths.refresh_lock)
        })
        .await?;
        Ok(Box::new(FileLock { _file: file }))
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
