//! Where a [`WorkfrontClient`] comes from: a stored credential, a new sign-in, tokens in
//! hand, or the client credentials grant (Server-to-Server).

use std::sync::{Arc, Mutex};

use wf_oauth_core::{AccessToken, Credential, Decision, RenewalPlan, TokenSet};

use crate::client::{Inner, State, WorkfrontClient};
use crate::error::{Error, Result};
use crate::lease::{Shared, renew_under_lease};
use crate::oauth::OAuthClient;
use crate::refresh::check_stored;
use crate::store::{CredentialStore, MemoryTokenStore, StoreEntry, StoredCredential};

/// How the credential of a client is renewed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// With its refresh token (a user's sign-in).
    SignIn,
    /// By requesting a new token with the client credentials grant.
    ClientCredentials,
}

impl WorkfrontClient {
    /// A client for the credential stored under `key`.
    ///
    /// Fails with a re-authorization error (`kind() == ReauthRequired`) when nothing is
    /// stored, and with a storage error when the stored document names an instance the
    /// configuration does not allow (it is left as it is); a credential stored as needing
    /// re-authorization opens, and its calls fail fast until new tokens are saved.
    pub async fn open(
        oauth: OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let (store, key) = (store.into(), key.into());
        let stored = check_stored(oauth.config(), store.load(&key).await?)?.ok_or_else(|| {
            Error::reauth(format!(
                "no credential is stored under {key:?}; sign in first"
            ))
        })?;
        Ok(Self::assemble(oauth, store, key, stored, Kind::SignIn))
    }

    /// Saves `tokens` (from a new sign-in) under `key`, replacing whatever was stored, and
    /// returns a client for them.
    ///
    /// Tokens naming an instance the configuration does not allow are refused
    /// (`kind() == InvalidArgument`) and nothing is saved.
    pub async fn login(
        oauth: OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
        tokens: TokenSet,
    ) -> Result<Self> {
        oauth.config().check_credential_instance(&tokens)?;
        let (store, key) = (store.into(), key.into());
        let mut credential = StoredCredential::new(tokens, oauth.now().as_secs());
        credential.generation = store.save(&key, &credential, None).await?;
        Ok(Self::assemble(oauth, store, key, credential, Kind::SignIn))
    }

    /// A client for `tokens` kept in a private [`MemoryTokenStore`]: renewed tokens live
    /// as long as the client. Read them back with
    /// [`current_tokens`](Self::current_tokens) to persist them yourself.
    ///
    /// Tokens naming an instance the configuration does not allow are never sent: every
    /// call, refresh and logout fails with `kind() == InvalidArgument` before a request is
    /// built.
    pub fn from_tokens(oauth: OAuthClient, tokens: TokenSet) -> Self {
        Self::in_memory(oauth, tokens, Kind::SignIn)
    }
    /// A Server-to-Server client (Adobe IMS): the application acts as itself with the
    /// client credentials grant (RFC 6749 §4.4). There is no user and no refresh token;
    /// when the token nears its expiry or is refused, a new one is requested through the
    /// same single-flight machinery as a refresh: one request for all concurrent callers.
    ///
    /// The first token is requested now, so a wrong secret or scope fails here. The token
    /// lives in a private [`MemoryTokenStore`]; use
    /// [`open_client_credentials`](Self::open_client_credentials) to share it between
    /// processes.
    ///
    /// Needs a client secret and a provider with this grant (Adobe IMS, or a generic
    /// server); Workfront's legacy service has none (`kind() == InvalidArgument`).
    ///
    /// [`logout`](Self::logout) deletes the stored token like any credential's; calls then
    /// fail with a re-authorization error, and a new client is the way back.
    ///
    /// ```no_run
    /// use wf_oauth_core::{ClientConfig, ClientSecret, Instance, Provider};
    /// use wf_oauth_http::{OAuthClient, WorkfrontClient};
    ///
    /// # async fn demo() -> Result<(), wf_oauth_http::Error> {
    /// let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com")?, "s2s-client-id")
    ///     .client_secret(ClientSecret::new(std::env::var("WF_CLIENT_SECRET").unwrap_or_default()))
    ///     .provider(Provider::adobe_ims())
    ///     .scope("openid AdobeID additional_info.projectedProductContext")
    ///     .build()?;
    /// let client = WorkfrontClient::client_credentials(OAuthClient::new(config)?).await?;
    /// let projects = client.get("proj/search", &[("status", "CUR")]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn client_credentials(oauth: OAuthClient) -> Result<Self> {
        let tokens = oauth.client_credentials().await?;
        Ok(Self::from_client_credentials_tokens(oauth, tokens))
    }

    /// A Server-to-Server client for a token already in hand (from
    /// [`OAuthClient::client_credentials`], or another client's
    /// [`current_tokens`](Self::current_tokens)), kept in a private [`MemoryTokenStore`]:
    /// used while fresh, then renewed with the client credentials grant like
    /// [`client_credentials`](Self::client_credentials)'s. Nothing is requested now.
    pub fn from_client_credentials_tokens(oauth: OAuthClient, tokens: TokenSet) -> Self {
        Self::in_memory(oauth, tokens, Kind::ClientCredentials)
    }

    /// A Server-to-Server client whose token is kept in `store` under `key`, so that
    /// processes sharing the store share one token: a stored token that is still fresh
    /// (and for an allowed instance) is used as it is; otherwise one new token is requested
    /// for everybody, under the store's refresh lease, and saved. Renewals follow the same
    /// rules as [`client_credentials`](Self::client_credentials).
    pub async fn open_client_credentials(
        oauth: OAuthClient,
        store: impl Into<CredentialStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let (store, key) = (store.into(), key.into());
        let config = oauth.config();
        let stored = check_stored(config, store.load(&key).await?)?;
        let fresh = |s: &StoredCredential| {
            matches!(
                Credential::from_stored_client_credentials(s.clone(), config.refresh_skew_secs())
                    .decide(oauth.now()),
                Decision::Use { .. }
            )
        };
        if let Some(s) = stored.as_ref().filter(|s| fresh(s)) {
            let s = s.clone();
            return Ok(Self::assemble(
                oauth,
                store,
                key,
                s,
                Kind::ClientCredentials,
            ));
        }
        let plan = RenewalPlan::new(
            stored.as_ref().map_or(0, |s| s.generation),
            stored
                .as_ref()
                .map_or_else(|| AccessToken::new(""), |s| s.tokens.access_token().clone()),
            true,
            oauth.lease_policy(),
        );
        let shared = renew_under_lease(
            &oauth,
            &store,
            &key,
            &plan,
            |stored| check_stored(config, stored),
            || oauth.client_credentials(),
        )
        .await?;
        let credential = match shared {
            Shared::Renewed { tokens, generation } => {
                let mut credential = StoredCredential::new(tokens, oauth.now().as_secs());
                credential.generation = generation;
                credential
            }
            // Another process requested it meanwhile: one token for everybody.
            Shared::Adopted(stored) => stored,
            Shared::Unsaved { error, .. } => return Err(error),
        };
        Ok(Self::assemble(
            oauth,
            store,
            key,
            credential,
            Kind::ClientCredentials,
        ))
    }

    /// A client for `tokens` in a private [`MemoryTokenStore`].
    ///
    /// (Tokens for an instance the configuration does not allow are kept, never sent: the
    /// core refuses every request for them.)
    fn in_memory(oauth: OAuthClient, tokens: TokenSet, kind: Kind) -> Self {
        let mut credential = StoredCredential::new(tokens, oauth.now().as_secs());
        // A private store: its first generation is 1, and nobody else writes it.
        credential.generation = 1;
        let key = "default".to_owned();
        let memory = MemoryTokenStore::new();
        memory.insert(&key, StoreEntry::new(1, credential.to_document()));
        let store = CredentialStore::new(memory);
        Self::assemble(oauth, store, key, credential, kind)
    }

    /// A client for `stored`, renewed as `kind` says.
    fn assemble(
        oauth: OAuthClient,
        store: CredentialStore,
        key: String,
        stored: StoredCredential,
        kind: Kind,
    ) -> Self {
        let skew = oauth.config().refresh_skew_secs();
        let current = Arc::new(stored.tokens.clone());
        let credential = match kind {
            Kind::ClientCredentials => Credential::from_stored_client_credentials(stored, skew),
            Kind::SignIn => Credential::from_stored(stored, skew),
        };
        let state = State {
            current,
            credential,
            inflight: None,
        };
        WorkfrontClient {
            inner: Arc::new(Inner {
                oauth,
                store,
                key,
                state: Mutex::new(state),
            }),
        }
    }
}
