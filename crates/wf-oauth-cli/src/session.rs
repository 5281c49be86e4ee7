//! A saved profile made ready to talk to Workfront: its client configuration, the OAuth
//! client, the token store, and the hint that error messages use.

use wf_oauth_core::{ClientConfig, ClientSecret};
use wf_oauth_http::{
    CredentialStore, OAuthClient, StoredCredential, TransportConfig, WorkfrontClient,
};

use crate::error::{CliError, Exit, Hint};
use crate::profile::{ConfigDir, Profile};
use crate::secret_input;

/// Whether a command needs the client secret of a confidential client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretNeed {
    /// It will make a token request: read the secret (environment or prompt) or fail.
    Required,
    /// Use it if its environment variable is set; never prompt.
    IfSet,
}

/// A profile with its OAuth client and token store.
#[derive(Debug, Clone)]
pub struct Session {
    /// The profile.
    pub profile: Profile,
    /// The OAuth client built from it.
    pub oauth: OAuthClient,
    /// Where its tokens live.
    pub store: CredentialStore,
    /// What error messages name.
    pub hint: Hint,
}

/// The OAuth client every command uses: the driver's defaults, this program's name.
pub fn oauth_client(config: ClientConfig) -> Result<OAuthClient, CliError> {
    OAuthClient::builder(config)
        .transport_config(
            TransportConfig::default()
                .with_user_agent(concat!("wf-oauth-cli/", env!("CARGO_PKG_VERSION"))),
        )
        .build()
        .map_err(|e| CliError::failure(format!("cannot create the HTTP client: {e}")))
}

impl Session {
    /// Opens the profile `name` from `dir`.
    pub fn open(dir: &ConfigDir, name: &str, need: SecretNeed) -> Result<Self, CliError> {
        let profile = dir.require(name)?;
        let hint = profile.hint();
        let secret = Self::secret(&profile, need)?;
        let oauth = oauth_client(profile.client_config(secret)?)?;
        let store = dir.token_store()?;
        tracing::debug!(
            profile = %profile.name,
            instance = %profile.instance,
            client_id = %profile.client_id,
            public = profile.public_client,
            provider = profile.provider.kind_name(),
            client_credentials = profile.client_credentials,
            "profile opened"
        );
        Ok(Session {
            profile,
            oauth,
            store,
            hint,
        })
    }

    fn secret(profile: &Profile, need: SecretNeed) -> Result<Option<ClientSecret>, CliError> {
        if profile.public_client {
            return Ok(None);
        }
        match need {
            SecretNeed::Required => {
                secret_input::client_secret(profile.secret_env.as_deref(), &profile.client_id)
                    .map(Some)
            }
            SecretNeed::IfSet => Ok(profile
                .secret_env
                .as_deref()
                .and_then(|name| std::env::var(name).ok())
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .map(ClientSecret::new)),
        }
    }

    /// The same session, now with the client secret (read as [`SecretNeed::Required`]).
    pub fn with_secret(self) -> Result<Self, CliError> {
        if self.profile.public_client || self.oauth.config().client_secret().is_some() {
            return Ok(self);
        }
        let secret = Self::secret(&self.profile, SecretNeed::Required)?;
        let oauth = oauth_client(self.profile.client_config(secret)?)?;
        Ok(Session { oauth, ..self })
    }

    /// The stored credential, if any.
    pub async fn stored(&self) -> Result<Option<StoredCredential>, CliError> {
        self.store
            .load_for(&self.profile.store_key(), self.oauth.config())
            .await
            .map_err(|e| CliError::from_driver(&e.into(), &self.hint))
    }

    /// The error for "this profile has no usable tokens".
    pub fn not_signed_in(&self) -> CliError {
        CliError::new(
            Exit::ReauthRequired,
            format!(
                "profile {} is not signed in — run `{}`",
                self.profile.name, self.hint.login_command
            ),
        )
    }

    /// An API client for the profile. A Server-to-Server profile reuses its stored token
    /// while it is fresh, and otherwise requests (and saves) a new one now; a sign-in
    /// profile needs stored tokens ([`Session::stored_client`]).
    pub async fn client(&self) -> Result<WorkfrontClient, CliError> {
        if !self.profile.client_credentials {
            return self.stored_client().await;
        }
        let store = self.store.clone();
        // Opening talks to the token endpoint only, so errors name its host.
        WorkfrontClient::open_client_credentials(
            self.oauth.clone(),
            store,
            self.profile.store_key(),
        )
        .await
        .map_err(|e| CliError::from_driver(&e, &self.profile.token_hint()))
    }

    /// An API client for the stored credential, whatever the grant (no token request).
    pub async fn stored_client(&self) -> Result<WorkfrontClient, CliError> {
        if self.stored().await?.is_none() {
            return Err(self.not_signed_in());
        }
        let store = self.store.clone();
        WorkfrontClient::open(self.oauth.clone(), store, self.profile.store_key())
            .await
            .map_err(|e| self.error(&e))
    }

    /// Translates a driver error for this profile.
    pub fn error(&self, error: &wf_oauth_http::Error) -> CliError {
        CliError::from_driver(error, &self.hint)
    }
}
