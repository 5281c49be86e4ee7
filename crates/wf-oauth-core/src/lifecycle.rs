//! The token lifecycle: when to use a token, when to refresh it, and how a burst of
//! failures leads to one refresh.
//!
//! A driver keeps one [`Credential`] behind a lock. Every API call asks
//! [`Credential::decide`]; every auth failure reports the generation of the token that
//! failed to [`Credential::on_auth_failure`], so failures of an already replaced token do
//! not trigger another refresh (a rotating refresh token can only be used once).
//!
//! Everything that decides what happens to a credential lives here: the
//! re-authorization flag (there is no other copy), adopting tokens another process stored
//! ([`Credential::adopt`]), keeping renewed tokens whose save failed
//! ([`Credential::keep_unsaved`]), abandoning a refresh that cannot finish
//! ([`Credential::abandon_refresh`]), and a read-only view for tools
//! ([`Credential::peek`]). The generation of a credential is its store generation: the
//! compare-and-swap token the store assigned when the tokens were saved.

use crate::config::ClientConfig;
use crate::document::StoredCredential;
use crate::error::Error;
use crate::http::{HttpRequest, HttpResponse};
use crate::time::UnixTime;
use crate::token::TokenSet;

/// Where a credential stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CredentialState {
    /// The token can be used.
    Fresh,
    /// The token is within the refresh margin of its known expiry (or past it) and can be
    /// renewed.
    RefreshDue,
    /// A refresh is in progress.
    Refreshing,
    /// The user must sign in again.
    ReauthRequired,
}

/// What a caller should do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Use the current token; report `generation` with any auth failure.
    Use {
        /// The generation of the token to use.
        generation: u64,
    },
    /// Refresh before using the token: call [`Credential::begin_refresh`] (under the same
    /// lock as this decision).
    RefreshFirst {
        /// The generation that needs replacing.
        generation: u64,
    },
    /// Another caller is refreshing: wait for it, then decide again.
    WaitForRefresh,
    /// The credential cannot be renewed: the user must sign in again.
    ReauthRequired,
}

/// How a credential is renewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Renewal {
    /// With the refresh token.
    RefreshToken,
    /// By requesting a new token with the client credentials grant.
    ClientCredentials,
    /// It cannot be: when it stops working the user signs in again.
    Impossible,
}

/// Permission to run the one refresh in progress; hand it back with
/// [`Credential::complete_refresh`] or [`Credential::fail_refresh`].
#[derive(Debug, PartialEq, Eq)]
pub struct RefreshTicket {
    generation: u64,
    renewal: Renewal,
}

impl RefreshTicket {
    /// The generation being replaced.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How the refresh is done.
    pub fn renewal(&self) -> Renewal {
        self.renewal
    }
}

/// A token set with its lifecycle state.
///
/// ```
/// use wf_oauth_core::{AccessToken, Credential, Decision, Instance, RefreshToken, TokenSet, UnixTime};
/// let t0 = UnixTime::from_secs(1_000);
/// let tokens = TokenSet::new(AccessToken::new("a1"), Instance::parse("acme.my.workfront.com")?, t0)
///     .with_refresh_token(Some(RefreshToken::new("r1")));
/// let mut credential = Credential::new(tokens.clone(), 60);
/// assert_eq!(credential.decide(t0), Decision::Use { generation: 0 });
///
/// // Two calls fail with generation 0: only the first leads to a refresh.
/// assert_eq!(credential.on_auth_failure(0), Decision::RefreshFirst { generation: 0 });
/// let ticket = credential.begin_refresh()?;
/// assert_eq!(credential.on_auth_failure(0), Decision::WaitForRefresh);
/// let renewed = TokenSet::new(AccessToken::new("a2"), tokens.instance().clone(), t0);
/// // The store saved the renewed tokens as generation 1.
/// assert_eq!(credential.complete_refresh(ticket, renewed, 1)?, 1);
/// assert_eq!(credential.on_auth_failure(0), Decision::Use { generation: 1 });
/// # Ok::<(), wf_oauth_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Credential {
    tokens: TokenSet,
    generation: u64,
    refreshing: bool,
    reauth_required: bool,
    client_credentials: bool,
    refresh_skew_secs: u64,
    /// Tokens a refresh obtained but could not save, and the generation they replace.
    unsaved: Option<(u64, TokenSet)>,
}

/// What [`Credential::adopt`] did with what the store holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Adoption {
    /// The stored tokens replaced the credential's (another caller or process renewed
    /// them, or the user signed in again).
    Adopted {
        /// The generation now in use.
        generation: u64,
    },
    /// The store holds exactly what the credential holds.
    Unchanged,
    /// The user must sign in again: the stored credential is marked so, or was removed.
    ReauthRequired,
}

/// A read-only view of a credential at some instant, for tools that only look (a
/// `status` command, a `token` command deciding whether to refresh).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialPeek {
    /// The state at that instant.
    pub state: CredentialState,
    /// What a call would do.
    pub decision: Decision,
    /// How the credential is renewed.
    pub renewal: Renewal,
    /// When the access token expires, if known.
    pub expires_at: Option<UnixTime>,
    /// Whether the user must sign in before the credential can be used again (never for a
    /// Server-to-Server credential, which is requested anew).
    pub needs_sign_in: bool,
}

impl Credential {
    /// A credential from the authorization code flow, refreshed `refresh_skew_secs`
    /// before a known expiry. Unknown expiry never triggers a proactive refresh.
    pub fn new(tokens: TokenSet, refresh_skew_secs: u64) -> Self {
        Credential {
            tokens,
            generation: 0,
            refreshing: false,
            reauth_required: false,
            client_credentials: false,
            refresh_skew_secs,
            unsaved: None,
        }
    }

    /// The credential a store holds: its tokens, its generation and its
    /// re-authorization mark.
    pub fn from_stored(stored: StoredCredential, refresh_skew_secs: u64) -> Self {
        Credential {
            generation: stored.generation,
            reauth_required: stored.reauth_required,
            ..Credential::new(stored.tokens, refresh_skew_secs)
        }
    }

    /// [`from_stored`](Self::from_stored) for a Server-to-Server credential.
    pub fn from_stored_client_credentials(
        stored: StoredCredential,
        refresh_skew_secs: u64,
    ) -> Self {
        Credential {
            client_credentials: true,
            ..Credential::from_stored(stored, refresh_skew_secs)
        }
    }

    /// A credential from the client credentials grant: "refreshing" requests a new token.
    pub fn for_client_credentials(tokens: TokenSet, refresh_skew_secs: u64) -> Self {
        Credential {
            client_credentials: true,
            ..Credential::new(tokens, refresh_skew_secs)
        }
    }

    /// A credential using the configuration's refresh margin.
    pub fn from_config(config: &ClientConfig, tokens: TokenSet) -> Self {
        Credential::new(tokens, config.refresh_skew_secs())
    }

    /// The current tokens.
    pub fn tokens(&self) -> &TokenSet {
        &self.tokens
    }

    /// The generation of the current tokens: the store generation they were saved or
    /// loaded as (it increases with every replacement).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the user must sign in again before the credential can be used.
    pub fn reauth_required(&self) -> bool {
        self.reauth_required
    }

    /// The credential as a store keeps it, written at `updated_at` (with its
    /// re-authorization mark).
    pub fn to_stored(&self, updated_at: u64) -> StoredCredential {
        let mut stored = StoredCredential::new(self.tokens.clone(), updated_at);
        stored.generation = self.generation;
        stored.reauth_required = self.reauth_required;
        stored
    }

    /// How the credential can be renewed.
    pub fn renewal(&self) -> Renewal {
        if self.client_credentials {
            Renewal::ClientCredentials
        } else if self.tokens.refresh_token().is_some() {
            Renewal::RefreshToken
        } else {
            Renewal::Impossible
        }
    }

    fn can_renew(&self) -> bool {
        self.renewal() != Renewal::Impossible
    }

    /// The state at `now`.
    pub fn state(&self, now: UnixTime) -> CredentialState {
        if self.reauth_required {
            CredentialState::ReauthRequired
        } else if self.refreshing {
            CredentialState::Refreshing
        } else if self.tokens.expires_within(now, self.refresh_skew_secs) {
            if self.can_renew() {
                CredentialState::RefreshDue
            } else if self.tokens.is_expired(now) {
                CredentialState::ReauthRequired
            } else {
                CredentialState::Fresh
            }
        } else {
            CredentialState::Fresh
        }
    }

    /// What to do before an API call at `now`.
    pub fn decide(&self, now: UnixTime) -> Decision {
        match self.state(now) {
            CredentialState::Fresh => Decision::Use {
                generation: self.generation,
            },
            CredentialState::RefreshDue => Decision::RefreshFirst {
                generation: self.generation,
            },
            CredentialState::Refreshing => Decision::WaitForRefresh,
            CredentialState::ReauthRequired => Decision::ReauthRequired,
        }
    }

    /// What to do after the token of `failed_generation` was refused.
    ///
    /// Refresh only if that token is still the current one; if it has already been
    /// replaced, use the newer token. A refused token that cannot be renewed puts the
    /// credential in [`CredentialState::ReauthRequired`].
    pub fn on_auth_failure(&mut self, failed_generation: u64) -> Decision {
        if self.reauth_required {
            Decision::ReauthRequired
        } else if self.refreshing {
            Decision::WaitForRefresh
        } else if failed_generation != self.generation {
            Decision::Use {
                generation: self.generation,
            }
        } else if self.can_renew() {
            Decision::RefreshFirst {
                generation: self.generation,
            }
        } else {
            self.reauth_required = true;
            Decision::ReauthRequired
        }
    }

    /// Starts the one refresh. Fails with [`Error::RefreshInProgress`] if another is
    /// running (wait for it) and [`Error::ReauthRequired`] if the credential cannot be
    /// renewed.
    pub fn begin_refresh(&mut self) -> Result<RefreshTicket, Error> {
        if self.reauth_required {
            return Err(Error::ReauthRequired {
                reason: "the credential was refused and cannot be renewed".into(),
            });
        }
        if self.refreshing {
            return Err(Error::RefreshInProgress);
        }
        let renewal = self.renewal();
        if renewal == Renewal::Impossible {
            return Err(Error::ReauthRequired {
                reason: "the server issued no refresh token; sign in again".into(),
            });
        }
        self.refreshing = true;
        Ok(RefreshTicket {
            generation: self.generation,
            renewal,
        })
    }

    /// The token request for `ticket`: a refresh grant, or a client credentials grant.
    pub fn refresh_request(
        &self,
        config: &ClientConfig,
        ticket: &RefreshTicket,
    ) -> Result<HttpRequest, Error> {
        match ticket.renewal {
            Renewal::RefreshToken => config.refresh_request(&self.tokens),
            Renewal::ClientCredentials => config.client_credentials_request(),
            Renewal::Impossible => Err(Error::ReauthRequired {
                reason: "the credential cannot be renewed".into(),
            }),
        }
    }

    /// Reads the response to [`Credential::refresh_request`].
    pub fn parse_refresh_response(
        &self,
        config: &ClientConfig,
        ticket: &RefreshTicket,
        response: &HttpResponse,
        now: UnixTime,
    ) -> Result<TokenSet, Error> {
        match ticket.renewal {
            Renewal::ClientCredentials => config.parse_client_credentials_response(response, now),
            _ => config.parse_refresh_response(&self.tokens, response, now),
        }
    }

    /// Installs the renewed tokens, which the store saved as `stored_generation`; returns
    /// that generation. Persist the tokens (a rotated refresh token replaces the old one)
    /// before handing them out.
    ///
    /// A ticket from before the tokens were replaced is stale: its tokens are refused with
    /// [`Error::InvalidArgument`] and the newer tokens are kept.
    pub fn complete_refresh(
        &mut self,
        ticket: RefreshTicket,
        tokens: TokenSet,
        stored_generation: u64,
    ) -> Result<u64, Error> {
        if !self.refreshing || ticket.generation != self.generation {
            return Err(Error::invalid_argument(
                "stale refresh ticket: the tokens were replaced meanwhile",
            ));
        }
        self.install(tokens, stored_generation);
        Ok(self.generation)
    }

    /// Ends a refresh whose renewed tokens could not be saved: the previous tokens stay in
    /// use, and the renewed ones are kept aside. With refresh-token rotation the refresh
    /// token they replace is already dead, so the next refresh of the same generation
    /// saves them ([`take_unsaved`](Self::take_unsaved)) instead of asking the server
    /// again. A stale ticket is ignored.
    pub fn keep_unsaved(&mut self, ticket: RefreshTicket, tokens: TokenSet) {
        if !self.refreshing || ticket.generation != self.generation {
            return;
        }
        self.refreshing = false;
        self.unsaved = Some((ticket.generation, tokens));
    }

    /// The renewed tokens an earlier refresh of `ticket`'s generation could not save, to be
    /// saved now in place of a new token request. `None` once the tokens were replaced
    /// (the store's newer tokens win).
    pub fn take_unsaved(&mut self, ticket: &RefreshTicket) -> Option<TokenSet> {
        match self.unsaved.take() {
            Some((replaces, tokens)) if replaces == ticket.generation => Some(tokens),
            _ => None,
        }
    }

    /// The user signed out: the credential is unusable until new tokens are installed
    /// (whatever its kind: a Server-to-Server client that signed out asks for nothing more).
    pub fn sign_out(&mut self) {
        self.reauth_required = true;
        self.refreshing = false;
        self.unsaved = None;
    }

    /// Gives up the refresh in progress without an outcome (the task running it was lost):
    /// the credential is usable again as it was, and the next need starts a new refresh.
    pub fn abandon_refresh(&mut self) {
        self.refreshing = false;
    }

    /// Looks at what the store holds for this credential and takes it when it is not what
    /// the credential holds: another caller or process renewed the tokens, or the user
    /// signed in again, or the stored credential is marked for re-authorization or was
    /// removed (`None`).
    ///
    /// - same generation and access token: [`Adoption::Unchanged`] (or
    ///   [`Adoption::ReauthRequired`] when the store marks it so);
    /// - other tokens: they are installed with their generation, and
    ///   [`Adoption::Adopted`] (or [`Adoption::ReauthRequired`] when they are marked);
    /// - nothing stored: [`Adoption::ReauthRequired`] for a signed-in credential; a
    ///   Server-to-Server credential is simply requested again ([`Adoption::Unchanged`]).
    ///
    /// Any refresh in progress or unsaved tokens are moot once other tokens are adopted.
    pub fn adopt(&mut self, stored: Option<&StoredCredential>) -> Adoption {
        let Some(stored) = stored else {
            if self.client_credentials {
                return Adoption::Unchanged;
            }
            self.reauth_required = true;
            return Adoption::ReauthRequired;
        };
        let same = stored.generation == self.generation
            && stored.tokens.access_token() == self.tokens.access_token();
        if !same {
            self.install(stored.tokens.clone(), stored.generation);
        }
        if stored.reauth_required {
            self.reauth_required = true;
            Adoption::ReauthRequired
        } else if same {
            Adoption::Unchanged
        } else {
            Adoption::Adopted {
                generation: self.generation,
            }
        }
    }

    /// What the credential looks like at `now`, without changing anything.
    ///
    /// ```
    /// use wf_oauth_core::{AccessToken, Credential, CredentialState, Instance, StoredCredential, TokenSet, UnixTime};
    /// let t0 = UnixTime::from_secs(1_000);
    /// let tokens = TokenSet::new(AccessToken::new("a"), Instance::parse("acme.my.workfront.com")?, t0)
    ///     .with_expires_at(Some(t0.plus_secs(3600)));
    /// let stored = StoredCredential::new(tokens, 1_000).needing_sign_in();
    /// let peek = Credential::from_stored(stored, 60).peek(t0);
    /// assert_eq!(peek.state, CredentialState::ReauthRequired);
    /// assert!(peek.needs_sign_in);
    /// # Ok::<(), wf_oauth_core::Error>(())
    /// ```
    pub fn peek(&self, now: UnixTime) -> CredentialPeek {
        let state = self.state(now);
        CredentialPeek {
            state,
            decision: self.decide(now),
            renewal: self.renewal(),
            expires_at: self.tokens.expires_at(),
            needs_sign_in: !self.client_credentials && state == CredentialState::ReauthRequired,
        }
    }

    /// Ends a failed refresh: back to the previous state, or to
    /// [`CredentialState::ReauthRequired`] when the error says so
    /// ([`Error::is_reauth_required`]). A stale ticket is ignored.
    pub fn fail_refresh(&mut self, ticket: RefreshTicket, error: &Error) {
        if !self.refreshing || ticket.generation != self.generation {
            return;
        }
        self.refreshing = false;
        if error.is_reauth_required() {
            self.reauth_required = true;
        }
    }

    /// Installs tokens from a new sign-in, without a store; returns the new generation
    /// (the next one).
    pub fn replace_tokens(&mut self, tokens: TokenSet) -> u64 {
        let next = self.generation + 1;
        self.install(tokens, next);
        self.generation
    }

    /// Installs what a store now holds (a new sign-in saved as `stored.generation`).
    pub fn install_stored(&mut self, stored: StoredCredential) {
        self.install(stored.tokens, stored.generation);
        self.reauth_required = stored.reauth_required;
    }

    fn install(&mut self, tokens: TokenSet, generation: u64) {
        self.tokens = tokens;
        self.generation = generation;
        self.refreshing = false;
        self.reauth_required = false;
        self.unsaved = None;
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
