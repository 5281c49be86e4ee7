//! Where a [`WorkfrontClient`] comes from: a stored credential, a new sign-in, tokens in
//! hand, or the client credentials grant (Server-to-Server).

use std::sync::{Arc, Mutex};

use wf_oauth_core::{Credential, Renewal, TokenSet};

use crate::client::{Inner, State, WorkfrontClient};
use crate::error::{Error, Result};
use crate::oauth::OAuthClient;
use crate::store::{MemoryTokenStore, StoredCredential, TokenStore};

impl WorkfrontClient {
    /// A client for the credential stored under `key`.
    ///
    /// Fails with a re-authorization error (`kind() == ReauthRequired`) when nothing is
    /// stored; a credential stored as needing re-authorization opens, and its calls fail
    /// fast until new tokens are saved.
    pub async fn open(
        oauth: OAuthClient,
        store: Arc<dyn TokenStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let key = key.into();
        let stored = load_for(&oauth, store.as_ref(), &key)
            .await?
            .ok_or_else(|| {
                Error::reauth(format!(
                    "no credential is stored under {key:?}; sign in first"
                ))
            })?;
        Ok(Self::assemble(
            oauth,
            store,
            key,
            stored,
            Renewal::RefreshToken,
        ))
    }

    /// Saves `tokens` (from a new sign-in) under `key`, replacing whatever was stored, and
    /// returns a client for them.
    ///
    /// Tokens naming an instance the configuration does not allow are refused
    /// (`kind() == InvalidArgument`) and nothing is saved.
    pub async fn login(
        oauth: OAuthClient,
        store: Arc<dyn TokenStore>,
        key: impl Into<String>,
        tokens: TokenSet,
    ) -> Result<Self> {
        oauth.config().check_credential_instance(&tokens)?;
        let key = key.into();
        let mut credential = StoredCredential::new(tokens, oauth.now().as_secs());
        credential.generation = store.save(&key, &credential, None).await?;
        Ok(Self::assemble(
            oauth,
            store,
            key,
            credential,
            Renewal::RefreshToken,
        ))
    }

    /// A client for `tokens` kept in a private [`MemoryTokenStore`]: renewed tokens live
    /// as long as the client. Read them back with
    /// [`current_tokens`](Self::current_tokens) to persist them yourself.
    ///
    /// Tokens naming an instance the configuration does not allow are never sent: every
    /// call, refresh and logout fails with `kind() == InvalidArgument` before a request is
    /// built.
    pub fn from_tokens(oauth: OAuthClient, tokens: TokenSet) -> Self {
        Self::in_memory(oauth, tokens, Renewal::RefreshToken)
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
        Self::in_memory(oauth, tokens, Renewal::ClientCredentials)
    }

    /// A Server-to-Server client whose token is kept in `store` under `key`, so that
    /// processes sharing the store share one token: a stored token that is still fresh
    /// (and for this instance) is used as it is; otherwise a new one is requested and
    /// saved, under the store's lock, so processes starting together request one.
    /// Renewals follow the same rules as [`client_credentials`](Self::client_credentials).
    pub async fn open_client_credentials(
        oauth: OAuthClient,
        store: Arc<dyn TokenStore>,
        key: impl Into<String>,
    ) -> Result<Self> {
        let key = key.into();
        let stored = {
            let _lock = store.lock(&key).await?;
            let existing = load_for(&oauth, store.as_ref(), &key).await?;
            match existing {
                Some(s) if s.usable_for_client_credentials(oauth.config(), oauth.now()) => s,
                existing => {
                    let tokens = oauth.client_credentials().await?;
                    let mut credential = StoredCredential::new(tokens, oauth.now().as_secs());
                    credential.generation = store
                        .save(&key, &credential, existing.map(|s| s.generation))
                        .await?;
                    credential
                }
            }
        };
        Ok(Self::assemble(
            oauth,
            store,
            key,
            stored,
            Renewal::ClientCredentials,
        ))
    }

    /// A client for `tokens` in a private [`MemoryTokenStore`].
    ///
    /// (Tokens for an instance the configuration does not allow are kept, never sent: the
    /// core refuses every request for them.)
    fn in_memory(oauth: OAuthClient, tokens: TokenSet, renewal: Renewal) -> Self {
        let store = MemoryTokenStore::new();
        let key = "default".to_owned();
        let credential = store.insert(&key, tokens, oauth.now().as_secs());
        Self::assemble(oauth, Arc::new(store), key, credential, renewal)
    }

    /// A client for `stored`; `renewal` says how its tokens are renewed
    /// (`ClientCredentials`, or whatever the tokens allow).
    fn assemble(
        oauth: OAuthClient,
        store: Arc<dyn TokenStore>,
        key: String,
        stored: StoredCredential,
        renewal: Renewal,
    ) -> Self {
        let skew = oauth.config().refresh_skew_secs();
        let current = Arc::new(stored.tokens.clone());
        let state = State {
            current,
            credential: match renewal {
                Renewal::ClientCredentials => {
                    Credential::for_client_credentials(stored.tokens, skew)
                }
                _ => Credential::new(stored.tokens, skew),
            },
            stored_generation: stored.generation,
            reauth: stored.reauth_required,
            inflight: None,
            unsaved: None,
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

/// The credential stored under `key`, refused ([`StoreError::ForeignInstance`]) when it names
/// an instance `oauth`'s configuration does not allow.
///
/// [`StoreError::ForeignInstance`]: crate::StoreError::ForeignInstance
pub(crate) async fn load_for(
    oauth: &OAuthClient,
    store: &dyn TokenStore,
    key: &str,
) -> Result<Option<StoredCredential>> {
    Ok(store
        .load(key)
        .await?
        .map(|stored| stored.for_config(oauth.config()))
        .transpose()?)
}
