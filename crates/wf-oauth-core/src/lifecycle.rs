//! The token lifecycle: when to use a token, when to refresh it, and how a burst of
//! failures leads to one refresh.
//!
//! A driver keeps one [`Credential`] behind a lock. Every API call asks
//! [`Credential::decide`]; every auth failure reports the generation of the token that
//! failed to [`Credential::on_auth_failure`], so failures of an already replaced token do
//! not trigger another refresh (a rotating refresh token can only be used once).

use crate::config::ClientConfig;
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
/// assert_eq!(credential.complete_refresh(ticket, renewed)?, 1);
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

    /// The generation of the current tokens; it increases with every replacement.
    pub fn generation(&self) -> u64 {
        self.generation
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

    /// Installs the renewed tokens; returns the new generation. Persist the tokens (a
    /// rotated refresh token replaces the old one) before handing them out.
    ///
    /// A ticket from before [`Credential::replace_tokens`] is stale: its tokens are
    /// refused with [`Error::InvalidArgument`] and the newer tokens are kept.
    pub fn complete_refresh(
        &mut self,
        ticket: RefreshTicket,
        tokens: TokenSet,
    ) -> Result<u64, Error> {
        if !self.refreshing || ticket.generation != self.generation {
            return Err(Error::invalid_argument(
                "stale refresh ticket: the tokens were replaced meanwhile",
            ));
        }
        self.install(tokens);
        Ok(self.generation)
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

    /// Installs tokens from a new sign-in; returns the new generation.
    pub fn replace_tokens(&mut self, tokens: TokenSet) -> u64 {
        self.install(tokens);
        self.generation
    }

    fn install(&mut self, tokens: TokenSet) {
        self.tokens = tokens;
        self.generation += 1;
        self.refreshing = false;
        self.reauth_required = false;
    }
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
