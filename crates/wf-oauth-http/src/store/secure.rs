//! The file store's safety rules, in the spirit of OpenSSH's `StrictModes`: a store
//! directory or document that someone else could write is refused, and nothing is opened
//! through a symbolic link.
//!
//! Why: whoever can replace a credential document decides where its tokens go (a planted
//! document naming another host), and whoever can plant a link where a lock or document
//! file belongs makes every save write somewhere else. Refusing is the only safe answer;
//! the error names the path and the fix.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use super::StoreError;

/// The error for an unsafe path: what is wrong and how to fix it.
fn unsafe_path(path: &Path, reason: &str, fix: String) -> StoreError {
    StoreError::Insecure {
        path: path.to_path_buf(),
        reason: format!("{reason}; {fix}"),
    }
}

/// Checks that `dir` is a directory owned by this user that no other user can write.
pub(super) fn check_dir(dir: &Path) -> Result<(), StoreError> {
    let meta = std::fs::metadata(dir)?;
    if !meta.is_dir() {
        return Err(unsafe_path(
            dir,
            "the token store is not a directory",
            "point the store at a directory".into(),
        ));
    }
    check_owner_and_mode(dir, &meta, "directory", "700")
}

/// Checks an opened document or lock file: a regular file owned by this user that no
/// other user can write.
pub(super) fn check_file(file: &File, path: &Path) -> Result<(), StoreError> {
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(unsafe_path(
            path,
            "this token store file is not a regular file",
            format!("remove it (rm {})", path.display()),
        ));
    }
    check_owner_and_mode(path, &meta, "file", "600")
}

#[cfg(unix)]
fn check_owner_and_mode(
    path: &Path,
    meta: &std::fs::Metadata,
    what: &str,
    mode: &str,
) -> Result<(), StoreError> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(unsafe_path(
            path,
            &format!(
                "this token store {what} belongs to user {} and this process runs as user {me}",
                meta.uid()
            ),
            format!("use a {what} of your own, or chown it to user {me}"),
        ));
    }
    if meta.mode() & 0o022 != 0 {
        return Err(unsafe_path(
            path,
            &format!(
                "this token store {what} can be written by other users (mode {:o})",
                meta.mode() & 0o7777
            ),
            format!("chmod {mode} {}", path.display()),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner_and_mode(
    _path: &Path,
    _meta: &std::fs::Metadata,
    _what: &str,
    _mode: &str,
) -> Result<(), StoreError> {
    // Elsewhere the directory's inherited access control applies.
    Ok(())
}

/// Opens `path` without following a symbolic link in its last component (`O_NOFOLLOW`)
/// and without acquiring a controlling terminal (`O_NOCTTY`), then checks it like
/// [`check_file`]. A link is refused with [`StoreError::Insecure`].
pub(super) fn open_checked(options: &mut OpenOptions, path: &Path) -> Result<File, StoreError> {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        use std::os::unix::fs::OpenOptionsExt;
        let flags = OFlags::NOFOLLOW | OFlags::NOCTTY;
        options.custom_flags(flags.bits() as i32);
    }
    match options.open(path) {
        Ok(file) => {
            check_file(&file, path)?;
            Ok(file)
        }
        Err(e) if is_link_refusal(&e, path) => Err(unsafe_path(
            path,
            "this token store file is a symbolic link",
            format!("remove the link (rm {})", path.display()),
        )),
        Err(e) => Err(e.into()),
    }
}

/// Whether opening failed because the last component is a symbolic link (`ELOOP` under
/// `O_NOFOLLOW`; some systems answer `EMLINK` or `EFTYPE`, so the path is looked at too).
fn is_link_refusal(error: &io::Error, path: &Path) -> bool {
    #[cfg(unix)]
    if error.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) {
        return true;
    }
    error.kind() != io::ErrorKind::NotFound
        && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}
