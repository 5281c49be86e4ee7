//! When to refresh, and one refresh for everybody: within the process and across
//! processes and machines.
//!
//! **When.** Before every call the core's lifecycle ([`Credential::decide`]) says whether
//! the current token can be used, must be renewed first, or is being renewed; after an
//! authentication failure, [`Credential::on_auth_failure`] says whether the failed token
//! is still the current one. The helpers at the top of this module ask it and act.
//!
//! **Within the client.** Under the client's state lock the core's lifecycle hands out
//! exactly one [`RefreshTicket`]; the caller that gets it spawns the refresh as a task and
//! publishes it as a shared future. Every other caller that needs fresh tokens meanwhile
//! awaits that same future, and they all see the same outcome — success, or the same
//! error, so a failing refresh is not repeated once per waiting caller. The task is
//! spawned so that a caller giving up (a dropped future, a timeout) cannot leave the
//! credential stuck in "refreshing".
//!
//! **Across clients, processes and machines.** The task runs the refresh lease protocol
//! ([`crate::lease`], decided by the core's [`RenewalPlan`]): it takes the lease of the
//! credential in the store, re-reads the stored credential, and only refreshes if the store
//! still holds the tokens this client has. If another holder renewed meanwhile, its tokens
//! are adopted instead — with a rotating refresh token, refreshing again with the old one
//! would be a reuse that can revoke the whole grant.
//!
//! **Persist before use.** New tokens are saved (compare-and-swap on the generation) while
//! the lease is held and before they are installed in memory; no caller sees the new
//! access token before the store has the new refresh token. If saving fails, the caller
//! gets [`Error::Storage`] and the previous tokens stay in use. The renewed tokens are not
//! thrown away, though: the core keeps them ([`Credential::keep_unsaved`]), and the next
//! refresh saves them instead of asking the server again (unless the store has changed
//! meanwhile, in which case the store wins).
//!
//! **Refused refresh tokens.** `invalid_grant` (or Workfront's equivalent — the core
//! decides) marks the stored credential for re-authorization, and the client fails fast
//! with a re-authorization error from then on, without retrying, until new tokens are
//! stored.

use std::sync::Arc;

use futures::FutureExt;
use wf_oauth_core::{
    Adoption, Credential, Decision, RefreshTicket, Renewal, RenewalPlan, TokenSet,
};

use crate::client::{InflightRefresh, State, WorkfrontClient};
use crate::error::{Error, Result};
use crate::lease::{Shared, renew_under_lease};
use crate::runtime::RuntimeError;

/// What to do after looking at the lifecycle.
enum Next {
    Send(u64, Arc<TokenSet>),
    Wait(InflightRefresh),
    CheckStore,
}

impl WorkfrontClient {
    /// The tokens to send now and their generation, refreshing (or waiting for a refresh)
    /// first when the lifecycle says so.
    pub(crate) async fn usable_tokens(&self) -> Result<(u64, Arc<TokenSet>)> {
        let mut refreshed = false;
        loop {
            match self.next(refreshed)? {
                Next::Send(generation, tokens) => return Ok((generation, tokens)),
                Next::Wait(refresh) => {
                    refresh.await?;
                    refreshed = true;
                }
                Next::CheckStore => {
                    self.adopt_stored().await?;
                    refreshed = true;
                }
            }
        }
    }

    /// One look at the lifecycle under the state lock.
    ///
    /// `refreshed`: a refresh already happened for this call. If the new tokens are still
    /// "due" (a server granting lifetimes shorter than the refresh skew), they are used
    /// rather than refreshed again in a loop.
    fn next(&self, refreshed: bool) -> Result<Next> {
        let mut state = self.state();
        match state.credential.decide(self.inner.oauth.now()) {
            Decision::Use { generation } => Ok(Next::Send(generation, Arc::clone(&state.current))),
            Decision::RefreshFirst { generation } if refreshed => {
                Ok(Next::Send(generation, Arc::clone(&state.current)))
            }
            Decision::RefreshFirst { .. } => Ok(Next::Wait(self.start_refresh(&mut state)?)),
            Decision::WaitForRefresh => Ok(Next::Wait(state.running_refresh()?)),
            Decision::ReauthRequired if refreshed => Err(reauth_marked()),
            Decision::ReauthRequired => Ok(Next::CheckStore),
        }
    }

    /// Reports that the token of `generation` was refused: refreshes if it is still the
    /// current one, waits if a refresh is already running, returns at once if a newer
    /// token exists (or the user must sign in again: the caller checks).
    pub(crate) async fn after_auth_failure(&self, generation: u64) -> Result<()> {
        let refresh = {
            let mut state = self.state();
            match state.credential.on_auth_failure(generation) {
                Decision::Use { .. } | Decision::ReauthRequired => return Ok(()),
                Decision::RefreshFirst { .. } => self.start_refresh(&mut state)?,
                Decision::WaitForRefresh => state.running_refresh()?,
            }
        };
        refresh.await
    }

    /// The credential needs re-authorization: maybe someone (another process, a new
    /// sign-in) stored newer tokens meanwhile; use them, or fail fast.
    pub(crate) async fn adopt_stored(&self) -> Result<()> {
        let stored = self.load_stored().await?;
        let mut state = self.state();
        if state.credential.decide(self.inner.oauth.now()) != Decision::ReauthRequired {
            // Another caller already recovered while we loaded.
            return Ok(());
        }
        match state.credential.adopt(stored.as_ref()) {
            Adoption::Adopted { generation } => {
                tracing::debug!(generation, "using newer stored tokens");
                state.tokens_changed();
                state.inflight = None;
                Ok(())
            }
            _ => Err(Error::reauth(
                "the refresh token was refused or the credential was removed; sign in again",
            )),
        }
    }

    /// Starts the one refresh (the lifecycle said `RefreshFirst`, under the state lock
    /// held by the caller) and returns the future every caller awaits.
    pub(crate) fn start_refresh(&self, state: &mut State) -> Result<InflightRefresh> {
        let ticket = state.credential.begin_refresh()?;
        let snapshot = state.credential.clone();
        let unsaved = state.credential.take_unsaved(&ticket);
        let this = self.clone();
        let task = tokio::spawn(async move {
            let outcome = this.renew_shared(&snapshot, &ticket, unsaved).await;
            this.install(ticket, outcome)
        });
        let client = self.clone();
        let refresh = async move {
            match task.await {
                Ok(result) => result,
                Err(e) => {
                    // The task panicked: unstick the lifecycle so later calls can retry.
                    let mut state = client.state();
                    state.credential.abandon_refresh();
                    state.inflight = None;
                    Err(if e.is_panic() {
                        RuntimeError::Panicked
                    } else {
                        RuntimeError::TaskLost
                    }
                    .into())
                }
            }
        }
        .boxed()
        .shared();
        state.inflight = Some(refresh.clone());
        Ok(refresh)
    }

    /// Applies the outcome of a refresh to the in-memory state; returns what callers see.
    fn install(&self, ticket: RefreshTicket, outcome: Result<Shared>) -> Result<()> {
        let mut state = self.state();
        if ticket.generation() != state.credential.generation() {
            // New tokens were installed (a sign-in) while this refresh ran: they win, and
            // any refresh in progress now is not this one.
            return outcome.map(drop);
        }
        state.inflight = None;
        match outcome {
            Ok(Shared::Renewed { tokens, generation }) => {
                if state
                    .credential
                    .complete_refresh(ticket, tokens, generation)
                    .is_ok()
                {
                    state.tokens_changed();
                }
                Ok(())
            }
            Ok(Shared::Adopted(stored)) => {
                state.credential.abandon_refresh();
                let adoption = state.credential.adopt(Some(&stored));
                state.tokens_changed();
                match adoption {
                    Adoption::ReauthRequired => Err(reauth_marked()),
                    _ => Ok(()),
                }
            }
            Ok(Shared::Unsaved { tokens, error }) => {
                state.credential.keep_unsaved(ticket, tokens);
                Err(error)
            }
            Err(error) => {
                let core_view = match &error {
                    Error::Protocol(e) => e.clone(),
                    other => wf_oauth_core::Error::transport(other.to_string()),
                };
                state.credential.fail_refresh(ticket, &core_view);
                Err(error)
            }
        }
    }

    /// The refresh under the store's lease: re-read, renew only if still needed, persist.
    async fn renew_shared(
        &self,
        snapshot: &Credential,
        ticket: &RefreshTicket,
        unsaved: Option<TokenSet>,
    ) -> Result<Shared> {
        let inner = &self.inner;
        // Checked before anything else: tokens for an instance this client does not allow
        // never lead to a request, nor to the store's lease.
        inner
            .oauth
            .config()
            .check_credential_instance(snapshot.tokens())?;
        let plan = RenewalPlan::new(
            ticket.generation(),
            snapshot.tokens().access_token().clone(),
            ticket.renewal() == Renewal::ClientCredentials,
            inner.oauth.lease_policy(),
        );
        let config = inner.oauth.config();
        renew_under_lease(
            &inner.oauth,
            &inner.store,
            &inner.key,
            &plan,
            |stored| check_stored(config, stored),
            || async {
                match unsaved {
                    Some(tokens) => {
                        tracing::debug!(
                            token = %tokens.access_token().fingerprint(),
                            "saving the tokens an earlier refresh could not save"
                        );
                        Ok(tokens)
                    }
                    None => inner.oauth.renew(snapshot, ticket).await,
                }
            },
        )
        .await
    }

    /// The stored credential, refused when it names an instance this client does not allow.
    pub(crate) async fn load_stored(&self) -> Result<Option<wf_oauth_core::StoredCredential>> {
        check_stored(
            self.inner.oauth.config(),
            self.inner.store.load(&self.inner.key).await?,
        )
    }
}

/// Refuses a stored credential naming an instance `config` does not allow (a planted or
/// misplaced document): [`StoreError::ForeignInstance`](crate::StoreError::ForeignInstance),
/// and the document is left as it is.
pub(crate) fn check_stored(
    config: &wf_oauth_core::ClientConfig,
    stored: Option<wf_oauth_core::StoredCredential>,
) -> Result<Option<wf_oauth_core::StoredCredential>> {
    Ok(crate::store::refuse_foreign(config, stored)?)
}

fn reauth_marked() -> Error {
    Error::reauth("the stored credential needs a new sign-in")
}
