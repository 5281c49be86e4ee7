//! Where credentials live between calls, between processes and between machines.
//!
//! Workfront does not keep the refresh token for the application, and with refresh-token
//! rotation every refresh replaces it: losing the newest one means the user must sign in
//! again, and using an old one twice can revoke the whole grant. The driver therefore
//! saves every new token set *before* any caller uses the new access token, with a
//! compare-and-swap on a generation number, and renews a credential shared by several
//! workers only once per expiry, under a lease.
//!
//! Two layers, one contract:
//! - a [`StoreBackend`] is small and can be written in any language: it keeps opaque
//!   documents with their generation (`load`, compare-and-swap `save`, `delete`) and,
//!   optionally, leases (`acquire_lease`, `release_lease`). The driver has
//!   [`MemoryTokenStore`], [`FileTokenStore`] and (feature `redis`) a Redis backend; the
//!   language bindings adapt Python, Kotlin, Swift and C objects to it;
//! - one [`CredentialStore`] adapter does everything else, for every backend: the
//!   document format, generations, the refresh lease protocol, the corrupt-document rule,
//!   zeroizing, in-process locking. Clients take a [`CredentialStore`].
//!
//! | backend | compare-and-swap | leases | shared between |
//! | --- | --- | --- | --- |
//! | [`MemoryTokenStore`] | yes | yes | the clients of one process |
//! | [`FileTokenStore`] | yes (a write lock) | yes (lease files with a deadline) | the processes of one machine |
//! | a backend without compare-and-swap or leases | emulated in-process | in-process lock | one process only |
//!
//! [`verify_backend`] checks that a backend keeps the contract (the tests run it against
//! every backend, and the bindings let applications run it against their own).

mod adapter;
mod backend;
mod conformance;
mod error;
mod file;
mod memory;
mod secure;

pub(crate) use adapter::refuse_foreign;
pub use adapter::{CredentialStore, WeakCredentialStore};
pub use backend::{Guarantees, SaveOutcome, Sharing, StoreBackend, StoreEntry};
pub use conformance::{ConformanceReport, verify_backend};
pub use error::StoreError;
pub use file::FileTokenStore;
pub use memory::MemoryTokenStore;
pub use wf_oauth_core::{DOCUMENT_FORMAT, DOCUMENT_VERSION, LeaseGrant, StoredCredential};
