//! Sessions (access tokens): use, userinfo, revocation, expiry, and live counts.

use super::*;

/// What an endpoint needs to know about a valid session.
#[derive(Debug, Clone)]
pub(crate) struct SessionView {
    /// Index of the signed-in user (the technical account, 0, for client credentials).
    pub user: usize,
    /// The client the token was issued to.
    pub client_id: String,
    /// The grant's scope; `None` for client credentials.
    pub scope: Option<String>,
    /// Whether it is an IMS access token (Bearer, fixed lifetime).
    pub ims: bool,
}

impl SessionView {
    fn of(s: &SessionRecord) -> Self {
        SessionView {
            user: s.user,
            client_id: s.client_id.clone(),
            scope: s.scope.clone(),
            ims: s.bearer_issued.is_some(),
        }
    }
}

/// What a revocation request found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Revoked {
    /// A refresh token: its whole grant is revoked.
    RefreshToken,
    /// An access token: it alone is revoked.
    AccessToken,
    /// Nothing known by that value (answered 200 all the same).
    Unknown,
}

impl Revoked {
    /// For logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Revoked::RefreshToken => "refresh_token",
            Revoked::AccessToken => "access_token",
            Revoked::Unknown => "unknown",
        }
    }
}

impl AuthState {
    /// A valid session, sliding its inactivity window (legacy sessions).
    ///
    /// `bearer` says whether the token came as `Authorization: Bearer`: IMS access tokens
    /// are refused in any other placement (legacy sessions are accepted in all of them).
    pub fn touch_session(
        &mut self,
        token: &str,
        bearer: bool,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> Option<SessionView> {
        let s = self.sessions.get_mut(token)?;
        if !s.alive(now, cfg) {
            self.sessions.remove(token);
            return None;
        }
        if s.bearer_issued.is_some() && !bearer {
            return None;
        }
        s.last_used = now;
        Some(SessionView::of(s))
    }

    /// A valid IMS access token (userinfo), without touching it.
    pub fn ims_session(
        &self,
        token: &str,
        now: MockInstant,
        cfg: &MockConfig,
    ) -> Option<SessionView> {
        self.sessions
            .get(token)
            .filter(|s| s.bearer_issued.is_some() && s.alive(now, cfg))
            .map(SessionView::of)
    }

    /// RFC 7009 revocation of an IMS refresh or access token by the client it was issued
    /// to. A refresh token takes its whole grant with it (every refresh token and access
    /// token of the grant, RFC 7009 §2.1); an access token ends alone. Unknown tokens are
    /// not an error (§2.2); a token of another client is refused with `invalid_grant`.
    pub fn revoke(&mut self, token: &str, client_id: &str) -> Result<Revoked, OAuthError> {
        let refresh = self
            .refresh
            .get(token)
            .and_then(|r| self.families.get(&r.family).map(|f| (r.family, f)))
            .filter(|(_, f)| f.profile == Profile::Ims)
            .map(|(id, f)| (id, f.client_id == client_id));
        let access = self
            .sessions
            .get(token)
            .filter(|s| s.bearer_issued.is_some())
            .map(|s| s.client_id == client_id);
        // Token values are random, so at most one of the two matches: `token_type_hint`
        // could only order the search (RFC 7009 §2.1) and is not needed.
        match (refresh, access) {
            (Some((_, false)), _) | (None, Some(false)) => Err(OAuthError::invalid_grant(
                "the token was not issued to this client",
            )),
            (Some((family, true)), _) => {
                self.revoke_family(family);
                Ok(Revoked::RefreshToken)
            }
            (None, Some(true)) => {
                self.sessions.remove(token);
                Ok(Revoked::AccessToken)
            }
            (None, None) => Ok(Revoked::Unknown),
        }
    }

    /// Ends a session (API logout). Returns whether it existed.
    pub fn end_session(&mut self, token: &str) -> bool {
        self.sessions.remove(token).is_some()
    }

    /// Ends matching sessions; returns how many.
    pub fn expire_sessions(&mut self, sel: &Selector) -> usize {
        let before = self.sessions.len();
        self.sessions.retain(|t, _| !sel.matches(t));
        before - self.sessions.len()
    }

    /// Revokes matching refresh tokens (sessions stay); returns how many changed.
    pub fn revoke_refresh_tokens(&mut self, sel: &Selector) -> usize {
        let mut n = 0;
        for (t, r) in &mut self.refresh {
            if r.status != RefreshStatus::Revoked && sel.matches(t) {
                r.status = RefreshStatus::Revoked;
                n += 1;
            }
        }
        n
    }

    /// Live object counts (sessions past their idle time are not counted).
    pub fn live_counts(&self, now: MockInstant, cfg: &MockConfig) -> LiveCounts {
        let count = |n: usize| n as u64;
        LiveCounts {
            sessions: count(self.sessions.values().filter(|s| s.alive(now, cfg)).count()),
            refresh_tokens: count(
                self.refresh
                    .values()
                    .filter(|r| r.status == RefreshStatus::Active)
                    .count(),
            ),
            codes: count(self.codes.values().filter(|c| !c.used).count()),
            families: count(self.families.values().filter(|f| !f.revoked).count()),
        }
    }
}
