//! The refresh lease protocol, run: one renewal per expiry among every holder of a
//! credential — the clients of this process, and the processes and machines sharing its
//! store. The core decides every step ([`RenewalPlan::next`]); this module executes them:
//! take the lease, read the store, wait, renew, save with a compare-and-swap, release.

use std::future::Future;
use std::time::Instant;

use wf_oauth_core::{LeaseGrant, RenewalPlan, RenewalStep, StoredCredential, TokenSet};

use crate::error::{Error, Result};
use crate::oauth::OAuthClient;
use crate::store::{CredentialStore, StoreError};

/// What a shared renewal found or did.
pub(crate) enum Shared {
    /// This holder renewed and saved the tokens as `generation`.
    Renewed { tokens: TokenSet, generation: u64 },
    /// The store holds other tokens (another holder renewed, or a new sign-in): use them.
    Adopted(StoredCredential),
    /// This holder renewed, but saving failed: the tokens must not be used yet, nor lost
    /// (with rotation, the refresh token they replace is dead).
    Unsaved { tokens: TokenSet, error: Error },
}

/// The lease of one renewal, released when the renewal ends (or, if the renewal is
/// dropped half-way, by a task that outlives it).
struct HeldLease {
    store: CredentialStore,
    key: String,
    owner: String,
    held: bool,
}

impl HeldLease {
    async fn release(mut self) {
        if self.held {
            self.held = false;
            if let Err(e) = self.store.release_lease(&self.key, &self.owner).await {
                // It expires by itself; the next holder waits at most its time-to-live.
                tracing::warn!(error = %e, "could not release the refresh lease");
            }
        }
    }
}

impl Drop for HeldLease {
    fn drop(&mut self) {
        if self.held
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            let (store, key, owner) = (self.store.clone(), self.key.clone(), self.owner.clone());
            handle.spawn(async move {
                let _ = store.release_lease(&key, &owner).await;
            });
        }
    }
}

/// Runs one renewal of the credential stored under `key` as `plan` decides: only the
/// holder of the lease calls `renew`, and its result is saved with a compare-and-swap on
/// the generation it replaces; every other holder adopts what the store holds once it
/// changes. `stored_check` refuses documents the client must not use (another instance).
pub(crate) async fn renew_under_lease<R, F>(
    oauth: &OAuthClient,
    store: &CredentialStore,
    key: &str,
    plan: &RenewalPlan,
    stored_check: impl Fn(Option<StoredCredential>) -> Result<Option<StoredCredential>>,
    renew: R,
) -> Result<Shared>
where
    R: FnOnce() -> F,
    F: Future<Output = Result<TokenSet>>,
{
    // One renewal at a time within this process, whatever the backend.
    let _local = store.renewal_lock(key).await;
    let mut lease = HeldLease {
        store: store.clone(),
        key: key.to_owned(),
        owner: store.new_lease_owner(),
        held: false,
    };
    let ttl = plan.policy().ttl();
    let started = Instant::now();
    let stored = loop {
        let grant = store.acquire_lease(key, &lease.owner, ttl).await?;
        lease.held |= grant == LeaseGrant::Acquired;
        let stored = match stored_check(store.load(key).await?) {
            Ok(stored) => stored,
            Err(e) => {
                lease.release().await;
                return Err(e);
            }
        };
        match plan.next(stored.as_ref(), grant, started.elapsed()) {
            RenewalStep::Renew => break stored,
            RenewalStep::Wait(pause) => tokio::time::sleep(pause).await,
            RenewalStep::Adopt => {
                lease.release().await;
                return Ok(Shared::Adopted(
                    stored.expect("adopting needs a stored credential"),
                ));
            }
            RenewalStep::ReauthRequired => {
                lease.release().await;
                return Err(Error::reauth(
                    "the stored credential needs a new sign-in (it was refused or removed)",
                ));
            }
            RenewalStep::GiveUp => {
                return Err(StoreError::LeaseWaitExceeded {
                    waited_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                }
                .into());
            }
        }
    };
    let expected = stored.as_ref().map(|s| s.generation);
    let outcome = match renew().await {
        Ok(tokens) => {
            let credential = StoredCredential::new(tokens.clone(), oauth.now().as_secs());
            // With rotation, the old refresh token is dead from here on: this save is the one
            // window where a crash loses the credential. Keep it short.
            match store.save(key, &credential, expected).await {
                Ok(generation) => Ok(Shared::Renewed { tokens, generation }),
                // Fenced: another holder saved first (this one's lease had expired). Its
                // tokens win.
                Err(StoreError::Conflict { .. }) => match stored_check(store.load(key).await?)? {
                    Some(newer) => Ok(Shared::Adopted(newer)),
                    None => Err(Error::reauth("the stored credential was removed meanwhile")),
                },
                Err(error) => {
                    tracing::error!(error = %error, "renewed tokens could not be saved");
                    Ok(Shared::Unsaved {
                        tokens,
                        error: error.into(),
                    })
                }
            }
        }
        Err(error) if error.is_reauth_required() => {
            if let Some(stored) = stored {
                // Best effort: the error to report is the refusal, not a storage hiccup.
                if let Err(e) = store.save(key, &stored.needing_sign_in(), expected).await {
                    tracing::warn!(error = %e, "could not mark the credential as needing sign-in");
                }
            }
            Err(error)
        }
        Err(error) => Err(error),
    };
    lease.release().await;
    outcome
}
