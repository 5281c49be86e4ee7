//! When to refresh, and one refresh for everybody: within the process and across
//! processes.
//!
//! **When.** Before every call the core's lifecycle ([`Credential::decide`]) says whether
//! the current token can be used, must be renewed first, or is being renewed; after an
//! authentication failure, [`Credential::on_auth_failure`] says whether the failed token
//! is still the current one. The helpers at the top of this module ask it and act.
//!
//! **Within the process.** Under the client's state lock the core's lifecycle hands out
//! exactly one [`RefreshTicket`]; the caller that gets it spawns the refresh as a task and
//! publishes it as a shared future. Every other caller that needs fresh tokens meanwhile
//! (the lifecycle answers `WaitForRefresh`, or its failed token is already replaced) awaits
//! that same future, and they all see the same outcome — success, or the same error, so a
//! failing refresh is not repeated once per waiting caller. The task is spawned so that a
//! caller giving up (a dropped future, a timeout) cannot leave the credential stuck in
//! "refreshing".
//!
//! **Across processes.** The task takes the store's lock for the key, re-reads the stored
//! credential, and only refreshes if the store still holds the tokens this process has
//! (same generation, same access token). If another process refreshed meanwhile, its
//! tokens are used instead — with a rotating refresh token, refreshing again with the old
//! one would be a reuse that can revoke the whole grant.
//!
//! **Persist before use.** New tokens are saved (compare-and-swap on the generation)
//! while the lock is held and before they are installed in memory; no caller sees the new
//! access token before the store has the new refresh token. If saving fails, the caller
//! gets [`Error::Storage`] and the previous tokens stay in memory and in the store. The
//! renewed tokens are not thrown away, though: with rotation the refresh token they replace
//! is already dead, so the next refresh saves them instead of asking the server again
//! (unless the store has changed meanwhile, in which case the store wins).
//!
//! **Refused refresh tokens.** `invalid_grant` (or Workfront's equivalent — the core
//! decides) marks the stored credential `reauth_required` and the client fails fast with a
//! re-authorization error from then on, without retrying, until new tokens are stored.

use std::sync::Arc;

use futures::FutureExt;
use wf_oauth_core::{Credential, Decision, RefreshTicket, Renewal, TokenSet};

use crate::client::{InflightRefresh, State, Unsaved, WorkfrontClient};
use crate::error::{Error, Result};
use crate::runtime::RuntimeError;
use crate::store::StoredCredential;

/// What the refresh task found or did.
enum Outcome {
    /// This process renewed the tokens and saved them as `generation`.
    Renewed { tokens: TokenSet, generation: u64 },
    /// The store already held newer tokens (another process or client renewed them).
    Adopted(StoredCredential),
}

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
        if state.reauth {
            return Ok(Next::CheckStore);
        }
        match state.credential.decide(self.inner.oauth.now()) {
            Decision::Use { generation } => Ok(Next::Send(generation, Arc::clone(&state.current))),
            Decision::RefreshFirst { generation } if refreshed => {
                Ok(Next::Send(generation, Arc::clone(&state.current)))
            }
            Decision::RefreshFirst { .. } => Ok(Next::Wait(self.start_refresh(&mut state)?)),
            Decision::WaitForRefresh => Ok(Next::Wait(state.running_refresh()?)),
            Decision::ReauthRequired => Ok(Next::CheckStore),
        }
    }

    /// Reports that the token of `generation` was refused: refreshes if it is still the
    /// current one, waits if a refresh is already running, returns at once if a newer
    /// token exists.
    pub(crate) async fn after_auth_failure(&self, generation: u64) -> Result<()> {
        let refresh = {
            let mut state = self.state();
            if state.reauth {
                return Ok(());
            }
            match state.credential.on_auth_failure(generation) {
                Decision::Use { .. } => return Ok(()),
                Decision::RefreshFirst { .. } => self.start_refresh(&mut state)?,
                Decision::WaitForRefresh => state.running_refresh()?,
                Decision::ReauthRequired => {
                    state.reauth = true;
                    return Ok(());
                }
            }
        };
        refresh.await
    }

    /// The credential needs re-authorization: maybe someone (another process, a new
    /// sign-in) stored newer tokens meanwhile; use them, or fail fast.
    pub(crate) async fn adopt_stored(&self) -> Result<()> {
        let stored = self.load_stored().await?;
        let mut state = self.state();
        if !state.reauth
            && state.credential.decide(self.inner.oauth.now()) != Decision::ReauthRequired
        {
            // Another caller already recovered while we loaded.
            return Ok(());
        }
        match stored {
            Some(s)
                if !s.reauth_required
                    && (s.generation != state.stored_generation
                        || s.tokens.access_token() != state.credential.tokens().access_token()) =>
            {
                tracing::debug!(generation = s.generation, "using newer stored tokens");
                state.take_stored(s.tokens, s.generation, false);
                Ok(())
            }
            _ => {
                state.reauth = true;
                Err(Error::reauth(
                    "the refresh token was refused or the credential was removed; sign in again",
                ))
            }
        }
    }

    /// Starts the one refresh (the lifecycle said `RefreshFirst`, under the state lock
    /// held by the caller) and returns the future every caller awaits.
    pub(crate) fn start_refresh(&self, state: &mut State) -> Result<InflightRefresh> {
        let ticket = state.credential.begin_refresh()?;
        let snapshot = state.credential.clone();
        let stored_generation = state.stored_generation;
        let this = self.clone();
        let task = tokio::spawn(async move {
            let outcome = this
                .renew_shared(&snapshot, &ticket, stored_generation)
                .await;
            this.install(ticket, outcome)
        });
        let client = self.clone();
        let refresh = async move {
            match task.await {
                Ok(result) => result,
                Err(_) => {
                    // The task panicked: unstick the lifecycle so later calls can retry.
                    let mut state = client.state();
                    let tokens = state.credential.tokens().clone();
                    state.credential.replace_tokens(tokens);
                    state.tokens_changed();
                    state.inflight = None;
                    Err(RuntimeError::TaskLost.into())
                }
            }
        }
        .boxed()
        .shared();
        state.inflight = Some(refresh.clone());
        Ok(refresh)
    }

    /// Applies the outcome of a refresh to the in-memory state; returns what callers see.
    fn install(&self, ticket: RefreshTicket, outcome: Result<Outcome>) -> Result<()> {
        let mut state = self.state();
        if ticket.generation() != state.credential.generation() {
            // New tokens were installed (a sign-in) while this refresh ran: they win, and
            // any refresh in progress now is not this one.
            return outcome.map(drop);
        }
        state.inflight = None;
        match outcome {
            Ok(Outcome::Renewed { tokens, generation }) => {
                if state.credential.complete_refresh(ticket, tokens).is_ok() {
                    state.tokens_changed();
                    state.stored_generation = generation;
                }
                Ok(())
            }
            Ok(Outcome::Adopted(stored)) => {
                state.take_stored(stored.tokens, stored.generation, stored.reauth_required);
                if stored.reauth_required {
                    Err(reauth_marked())
                } else {
                    Ok(())
                }
            }
            Err(error) => {
                let core_view = match &error {
                    Error::Protocol(e) => e.clone(),
                    other => wf_oauth_core::Error::transport(other.to_string()),
                };
                state.credential.fail_refresh(ticket, &core_view);
                if error.is_reauth_required() {
                    state.reauth = true;
                }
                Err(error)
            }
        }
    }

    /// The refresh under the store's lock: re-read, renew only if still needed, persist.
    async fn renew_shared(
        &self,
        snapshot: &Credential,
        ticket: &RefreshTicket,
        seen_generation: u64,
    ) -> Result<Outcome> {
        let inner = &self.inner;
        // Checked before anything else: tokens for an instance this client does not allow
        // never lead to a request, nor to the store's lock.
        inner
            .oauth
            .config()
            .check_credential_instance(snapshot.tokens())?;
        let _lock = inner.store.lock(&inner.key).await?;
        let stored = match self.load_stored().await? {
            Some(stored) => stored,
            // Nobody signs in for a client credentials grant: a credential removed from
            // the store is simply requested again.
            None if ticket.renewal() == Renewal::ClientCredentials => {
                let tokens = inner.oauth.renew(snapshot, ticket).await?;
                let credential = StoredCredential::new(tokens.clone(), inner.oauth.now().as_secs());
                let generation = inner.store.save(&inner.key, &credential, None).await?;
                return Ok(Outcome::Renewed { tokens, generation });
            }
            None => {
                return Err(Error::reauth(
                    "the stored credential was removed (signed out); sign in again",
                ));
            }
        };
        if stored.generation != seen_generation
            || stored.tokens.access_token() != snapshot.tokens().access_token()
        {
            tracing::debug!(
                generation = stored.generation,
                token = %stored.tokens.access_token().fingerprint(),
                "the store holds newer tokens; using them"
            );
            return Ok(Outcome::Adopted(stored));
        }
        if stored.reauth_required {
            return Err(reauth_marked());
        }
        let unsaved = self
            .state()
            .unsaved
            .take()
            .filter(|u| u.replaces == seen_generation);
        let renewed = match unsaved {
            Some(unsaved) => {
                tracing::debug!(
                    token = %unsaved.tokens.access_token().fingerprint(),
                    "saving the tokens an earlier refresh could not save"
                );
                Ok(unsaved.tokens)
            }
            None => inner.oauth.renew(snapshot, ticket).await,
        };
        match renewed {
            Ok(tokens) => {
                let credential = StoredCredential::new(tokens.clone(), inner.oauth.now().as_secs());
                // With rotation, the old refresh token is dead from here on: this save is the
                // one window where a crash loses the credential. Keep it short.
                match inner
                    .store
                    .save(&inner.key, &credential, Some(seen_generation))
                    .await
                {
                    Ok(generation) => Ok(Outcome::Renewed { tokens, generation }),
                    Err(e) => {
                        tracing::error!(error = %e, "renewed tokens could not be saved");
                        self.state().unsaved = Some(Unsaved {
                            replaces: seen_generation,
                            tokens,
                        });
                        Err(e.into())
                    }
                }
            }
            Err(error) if error.is_reauth_required() => {
                let mut marked =
                    StoredCredential::new(snapshot.tokens().clone(), inner.oauth.now().as_secs());
                marked.reauth_required = true;
                // Best effort: the error to report is the refusal, not a storage hiccup.
                if let Err(e) = inner
                    .store
                    .save(&inner.key, &marked, Some(seen_generation))
                    .await
                {
                    tracing::warn!(error = %e, "could not mark the credential as needing sign-in");
                }
                Err(error)
            }
            Err(error) => Err(error),
        }
    }
}

impl WorkfrontClient {
    /// The stored credential, refused when it names an instance this client does not allow.
    async fn load_stored(&self) -> Result<Option<StoredCredential>> {
        crate::connect::load_for(
            &self.inner.oauth,
            self.inner.store.as_ref(),
            &self.inner.key,
        )
        .await
    }
}

fn reauth_marked() -> Error {
    Error::reauth("the stored credential needs a new sign-in")
}
