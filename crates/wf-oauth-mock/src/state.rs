//! Everything the authorization server remembers: codes, sessions (access tokens),
//! refresh tokens grouped into families (one family per authorization grant), browser
//! sign-ins and pending consents.
//!
//! Design choices worth knowing when writing tests against the mock:
//! - A refresh mints a new session; sessions minted earlier keep working until their own
//!   inactivity timeout (Workfront sessions are independent objects; nothing documents a
//!   refresh ending the previous one).
//! - A code is burned by the first redemption attempt that names it, even a failing one
//!   (wrong `redirect_uri`, wrong verifier), as strict servers do. Presenting an already
//!   redeemed code revokes the family issued from it (RFC 6749 §4.1.2).
//! - With rotation on, presenting a refresh token that was already rotated revokes its
//!   whole family: every refresh token and every session of that grant.
//! - Adobe IMS access tokens (see [`Profile::Ims`]) do not slide: they die
//!   [`MockConfig::access_token_ttl`] after issuance, and are only accepted as
//!   `Authorization: Bearer`. Codes and refresh tokens belong to the profile that issued
//!   them; the other profile's token endpoint refuses them (`invalid_grant`).

use std::collections::HashMap;

use serde::Serialize;

use crate::clock::MockInstant;
use crate::config::MockConfig;
use crate::errors::OAuthError;
use crate::scopes::grants_offline;
use crate::tokens::{constant_time_eq, fingerprint, is_pkce_string, random_token, s256};

mod sessions;

pub(crate) use sessions::SessionView;

/// How often (in insertions) expired entries are swept, so a long-running mock under
/// load does not grow without bound.
const SWEEP_EVERY: u64 = 1024;
/// How long a consent form stays valid.
const CONSENT_TTL_SECS: u64 = 600;

/// Which protocol profile an endpoint, a code or a grant belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    /// Workfront's legacy OAuth 2 service: `sessionID` tokens, sliding idle timeout.
    Legacy,
    /// Adobe IMS: Bearer tokens with a fixed lifetime.
    Ims,
}

/// A client that passed authentication at the token endpoint.
#[derive(Debug, Clone)]
pub(crate) struct ClientAuth {
    pub client_id: String,
    pub public: bool,
    /// The token endpoint the client authenticated at.
    pub profile: Profile,
}

/// A validated authorization request, kept server-side between the pages.
#[derive(Debug, Clone)]
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    /// The requested scope (required by IMS, optional and ignored by legacy).
    pub scope: Option<String>,
    /// OpenID Connect `nonce`, echoed in the id_token of the code grant.
    pub nonce: Option<String>,
    /// OpenID Connect `prompt` (space-separated values; `consent` grants
    /// `offline_access`).
    pub prompt: Option<String>,
    /// The authorization endpoint that received the request.
    pub profile: Profile,
}

/// Credentials handed out by a successful grant, and what an id_token needs to say.
#[derive(Debug)]
pub(crate) struct IssuedTokens {
    pub access_token: String,
    /// `None` when the grant has no offline access (see [`crate::scopes::grants_offline`]).
    pub refresh_token: Option<String>,
    pub user: usize,
    pub client_id: String,
    /// The scope of the grant.
    pub scope: Option<String>,
    /// The authorization request's nonce (code grant only; never on refresh).
    pub nonce: Option<String>,
}

/// Which sessions or refresh tokens an admin operation targets.
#[derive(Debug, Clone)]
pub(crate) enum Selector {
    All,
    Value(String),
    Fingerprint(String),
}

impl Selector {
    fn matches(&self, token: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Value(v) => v == token,
            Selector::Fingerprint(f) => *f == fingerprint(token),
        }
    }
}

/// Counts of live objects, for introspection.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LiveCounts {
    /// Sessions (access tokens) not yet expired or revoked.
    pub sessions: u64,
    /// Refresh tokens that would still be accepted (ignoring expiry by time).
    pub refresh_tokens: u64,
    /// Authorization codes not yet redeemed (possibly expired).
    pub codes: u64,
    /// Grants (token families) not revoked.
    pub families: u64,
}

struct CodeRecord {
    req: AuthorizeRequest,
    user: usize,
    issued: MockInstant,
    used: bool,
    family: Option<u64>,
}

struct SessionRecord {
    user: usize,
    /// The client the token was issued to (the gateway compares it with `x-api-key`).
    client_id: String,
    /// The scope of the grant (userinfo needs `openid`); `None` for client credentials.
    scope: Option<String>,
    last_used: MockInstant,
    /// `Some(issued)` for an IMS Bearer token (fixed lifetime from `issued`); `None` for
    /// a legacy session (sliding inactivity timeout).
    bearer_issued: Option<MockInstant>,
}

impl SessionRecord {
    fn alive(&self, now: MockInstant, cfg: &MockConfig) -> bool {
        match self.bearer_issued {
            Some(issued) => now.since(issued) < cfg.access_token_ttl,
            None => now.since(self.last_used) <= cfg.session_idle,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RefreshStatus {
    Active,
    Used,
    Revoked,
}

struct RefreshRecord {
    family: u64,
    status: RefreshStatus,
}

struct Family {
    profile: Profile,
    client_id: String,
    redirect_uri: String,
    scope: Option<String>,
    user: usize,
    created: MockInstant,
    last_refresh: MockInstant,
    revoked: bool,
    sessions: Vec<String>,
    refresh_tokens: Vec<String>,
}

struct LoginRecord {
    user: usize,
    last_used: MockInstant,
}

struct ConsentRecord {
    login: String,
    req: AuthorizeRequest,
    issued: MockInstant,
}

/// The authorization server's memory. Guarded by one mutex in [`crate::server`]; every
/// operation is short and never awaits.
#[derive(Default)]
pub(crate) struct AuthState {
    codes: HashMap<String, CodeRecord>,
    sessions: HashMap<String, SessionRecord>,
    refresh: HashMap<String, RefreshRecord>,
    families: HashMap<u64, Family>,
    logins: HashMap<String, LoginRecord>,
    consents: HashMap<String, ConsentRecord>,
    next_family: u64,
    inserts: u64,
}

impl AuthState {
    fn note_insert(&mut self, now: MockInstant, cfg: &MockConfig) {
        self.inserts += 1;
        if self.inserts.is_multiple_of(SWEEP_EVERY) {
            let idle = cfg.session_idle;
            self.sessions.retain(|_, s| s.alive(now, cfg));
            self.logins.retain(|_, l| now.since(l.last_used) <= idle);
            let ttl = cfg.code_ttl;
            // Redeemed codes are kept (for reuse detection) until well past their TTL.
            self.codes
                .retain(|_, c| now.since(c.issued) <= ttl.saturating_mul(10));
            self.consents
                .retain(|_, c| now.since(c.issued).as_secs() <= CONSENT_TTL_SECS);
        }
    }

    // ----- browser sign-in and consent -----------------------------------------------

    /// Signs `user` in; returns the cookie value.
    pub fn create_login(&mut self, user: usize, now: MockInstant, cfg: &MockConfig) -> String {
        let token = random_token();
        self.logins.insert(
            token.clone(),
            LoginRecord {
                user,
                last_used: now,
            },
        );
        self.note_insert(now, cfg);
        token
    }

    /// The signed-in user of a cookie, extending its inactivity window.
    pub fn login_user(
        &mut self,
        cookie: &str,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> Option<usize> {
        let rec = self.logins.get_mut(cookie)?;
        if now.since(rec.last_used) > cfg.session_idle {
            self.logins.remove(cookie);
            return None;
        }
        rec.last_used = now;
        Some(rec.user)
    }

    /// Remembers an authorization request awaiting the user's decision; returns the form
    /// token that the consent page must post back.
    pub fn create_consent(
        &mut self,
        login: &str,
        req: AuthorizeRequest,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> String {
        let token = random_token();
        self.consents.insert(
            token.clone(),
            ConsentRecord {
                login: login.to_owned(),
                req,
                issued: now,
            },
        );
        self.note_insert(now, cfg);
        token
    }

    /// Consumes a consent form token; it must belong to the same browser sign-in.
    pub fn take_consent(
        &mut self,
        token: &str,
        login: &str,
        now: MockInstant,
    ) -> Option<AuthorizeRequest> {
        let rec = self.consents.remove(token)?;
        let fresh = now.since(rec.issued).as_secs() <= CONSENT_TTL_SECS;
        (fresh && constant_time_eq(&rec.login, login)).then_some(rec.req)
    }

    // ----- codes and grants ----------------------------------------------------------

    /// Issues an authorization code for an approved request.
    pub fn issue_code(
        &mut self,
        req: AuthorizeRequest,
        user: usize,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> String {
        let code = random_token();
        self.codes.insert(
            code.clone(),
            CodeRecord {
                req,
                user,
                issued: now,
                used: false,
                family: None,
            },
        );
        self.note_insert(now, cfg);
        code
    }

    /// The authorization-code grant.
    pub fn redeem_code(
        &mut self,
        code: &str,
        client: &ClientAuth,
        redirect_uri: &str,
        verifier: Option<&str>,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> Result<IssuedTokens, OAuthError> {
        let Some(rec) = self.codes.get_mut(code) else {
            return Err(OAuthError::invalid_grant("unknown authorization code"));
        };
        if rec.used {
            if let Some(family) = rec.family {
                self.revoke_family(family);
            }
            return Err(OAuthError::invalid_grant(
                "authorization code was already used; tokens issued from it are revoked",
            ));
        }
        rec.used = true;
        if now.since(rec.issued) > cfg.code_ttl {
            return Err(OAuthError::invalid_grant("authorization code expired"));
        }
        if rec.req.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "authorization code was issued to another client",
            ));
        }
        let profile = client.profile;
        if rec.req.profile != profile {
            return Err(OAuthError::invalid_grant(
                "authorization code was issued by another authorization server",
            ));
        }
        if rec.req.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the authorization request",
            ));
        }
        match (&rec.req.code_challenge, verifier) {
            (Some(challenge), Some(v)) => {
                if !is_pkce_string(v) || !constant_time_eq(&s256(v), challenge) {
                    return Err(OAuthError::invalid_grant(
                        "code_verifier does not match the code_challenge",
                    ));
                }
            }
            (Some(_), None) => {
                return Err(OAuthError::invalid_grant("code_verifier is required"));
            }
            (None, Some(_)) => {
                return Err(OAuthError::invalid_grant(
                    "code_verifier sent, but the authorization request had no code_challenge",
                ));
            }
            (None, None) if client.public => {
                return Err(OAuthError::invalid_grant("public clients must use PKCE"));
            }
            (None, None) => {}
        }
        let user = rec.user;
        let redirect = rec.req.redirect_uri.clone();
        let scope = rec.req.scope.clone();
        let nonce = rec.req.nonce.clone();
        let offline = grants_offline(&rec.req, cfg);
        let family = self.next_family;
        self.next_family += 1;
        rec.family = Some(family);
        self.families.insert(
            family,
            Family {
                profile,
                client_id: client.client_id.clone(),
                redirect_uri: redirect,
                scope: scope.clone(),
                user,
                created: now,
                last_refresh: now,
                revoked: false,
                sessions: Vec::new(),
                refresh_tokens: Vec::new(),
            },
        );
        // Without offline access the grant has no refresh token at all.
        let refresh_token = offline.then(|| self.new_refresh_token(family));
        let access_token = self.new_session(family, now, cfg);
        Ok(IssuedTokens {
            access_token,
            refresh_token,
            user,
            client_id: client.client_id.clone(),
            scope,
            nonce,
        })
    }

    /// The refresh-token grant.
    pub fn refresh(
        &mut self,
        token: &str,
        client: &ClientAuth,
        redirect_uri: Option<&str>,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> Result<IssuedTokens, OAuthError> {
        let Some(rec) = self.refresh.get(token) else {
            return Err(OAuthError::invalid_grant("unknown refresh token"));
        };
        let (family_id, status) = (rec.family, rec.status);
        let Some(family) = self.families.get(&family_id) else {
            return Err(OAuthError::invalid_grant("unknown refresh token"));
        };
        if family.client_id != client.client_id {
            return Err(OAuthError::invalid_grant(
                "refresh token was issued to another client",
            ));
        }
        if family.profile != client.profile {
            return Err(OAuthError::invalid_grant(
                "refresh token was issued by another authorization server",
            ));
        }
        match status {
            RefreshStatus::Revoked => {
                return Err(OAuthError::invalid_grant("refresh token has been revoked"));
            }
            RefreshStatus::Used => {
                self.revoke_family(family_id);
                return Err(OAuthError::invalid_grant(
                    "refresh token was already used; every token of this grant is revoked",
                ));
            }
            RefreshStatus::Active => {}
        }
        if family.revoked {
            return Err(OAuthError::invalid_grant("refresh token has been revoked"));
        }
        if redirect_uri.is_some_and(|u| u != family.redirect_uri) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the original authorization request",
            ));
        }
        if cfg
            .refresh_absolute
            .is_some_and(|max| now.since(family.created) > max)
        {
            return Err(OAuthError::invalid_grant(
                "refresh token expired (absolute lifetime reached)",
            ));
        }
        if cfg
            .refresh_idle
            .is_some_and(|max| now.since(family.last_refresh) > max)
        {
            return Err(OAuthError::invalid_grant(
                "refresh token expired (unused for too long)",
            ));
        }
        let user = family.user;
        let scope = family.scope.clone();
        let refresh_token = if cfg.rotate_refresh_tokens {
            if let Some(old) = self.refresh.get_mut(token) {
                old.status = RefreshStatus::Used;
            }
            self.new_refresh_token(family_id)
        } else {
            token.to_owned()
        };
        if let Some(f) = self.families.get_mut(&family_id) {
            f.last_refresh = now;
        }
        let access_token = self.new_session(family_id, now, cfg);
        Ok(IssuedTokens {
            access_token,
            refresh_token: Some(refresh_token),
            user,
            client_id: client.client_id.clone(),
            scope,
            nonce: None,
        })
    }

    fn new_refresh_token(&mut self, family: u64) -> String {
        let token = random_token();
        self.refresh.insert(
            token.clone(),
            RefreshRecord {
                family,
                status: RefreshStatus::Active,
            },
        );
        if let Some(f) = self.families.get_mut(&family) {
            f.refresh_tokens.push(token.clone());
        }
        token
    }

    fn new_session(&mut self, family: u64, now: MockInstant, cfg: &MockConfig) -> String {
        let token = random_token();
        let (user, profile, client_id, scope) = self
            .families
            .get(&family)
            .map_or((0, Profile::Legacy, String::new(), None), |f| {
                (f.user, f.profile, f.client_id.clone(), f.scope.clone())
            });
        self.sessions.insert(
            token.clone(),
            SessionRecord {
                user,
                client_id,
                scope,
                last_used: now,
                bearer_issued: (profile == Profile::Ims).then_some(now),
            },
        );
        if let Some(f) = self.families.get_mut(&family) {
            f.sessions.push(token.clone());
        }
        self.note_insert(now, cfg);
        token
    }

    /// The client-credentials grant (IMS server-to-server): a Bearer access token acting
    /// as the first configured user (the integration's technical account), no refresh
    /// token and no grant family.
    pub fn client_credentials(&mut self, now: MockInstant, cfg: &MockConfig) -> String {
        let token = random_token();
        self.sessions.insert(
            token.clone(),
            SessionRecord {
                user: 0,
                client_id: cfg.client_id.clone(),
                scope: None,
                last_used: now,
                bearer_issued: Some(now),
            },
        );
        self.note_insert(now, cfg);
        token
    }

    /// Revokes a grant: all its refresh tokens and sessions.
    fn revoke_family(&mut self, family: u64) {
        let Some(f) = self.families.get_mut(&family) else {
            return;
        };
        f.revoked = true;
        for s in f.sessions.drain(..) {
            self.sessions.remove(&s);
        }
        for t in &f.refresh_tokens {
            if let Some(r) = self.refresh.get_mut(t) {
                r.status = RefreshStatus::Revoked;
            }
        }
        tracing::info!(family, "token family revoked");
    }
}
