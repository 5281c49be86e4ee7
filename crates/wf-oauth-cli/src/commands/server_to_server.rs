//! Server-to-Server profiles (Adobe IMS or a generic provider): the application acts as
//! itself with the client credentials grant. `token --client-credentials` configures the
//! profile and gets its first token; later commands reuse the stored token while it is
//! fresh and request a new one when it nears expiry.

use wf_oauth_core::{Credential, Decision, TokenSet};
use wf_oauth_http::WorkfrontClient;

use crate::cli::TokenArgs;
use crate::configure::{self, Grant};
use crate::error::CliError;
use crate::output::timestamp;
use crate::profile::ConfigDir;
use crate::secret_input;
use crate::session::{Session, oauth_client};

/// `token --client-credentials`: saves the Server-to-Server profile built from the flags
/// and returns its token — the stored one when the configuration did not change and it
/// is still fresh, otherwise a new one. Nothing is saved when the request fails.
pub async fn configure(dir: &ConfigDir, args: &TokenArgs) -> Result<TokenSet, CliError> {
    let name = args.profile.profile.as_str();
    let existing = dir.load(name)?;
    let profile = configure::merge(
        name,
        &args.client,
        Grant::ClientCredentials,
        existing.as_ref(),
    )?;
    let hint = profile.token_hint();
    let secret = secret_input::client_secret(profile.secret_env.as_deref(), &profile.client_id)?;
    let oauth = oauth_client(profile.client_config(Some(secret))?)?;
    let store = dir.token_store()?;
    let shared = store.clone();
    let key = profile.store_key();
    let unchanged = existing.as_ref() == Some(&profile);
    let client = if unchanged {
        WorkfrontClient::open_client_credentials(oauth, shared, key.clone()).await
    } else {
        // Another scope, host or client: a stored token was issued for something else.
        match oauth.client_credentials().await {
            Ok(tokens) => WorkfrontClient::login(oauth, shared, key.clone(), tokens).await,
            Err(e) => Err(e),
        }
    }
    .map_err(|e| CliError::from_driver(&e, &hint))?;
    dir.save(&profile)?;
    if let Some(old) = existing.filter(|old| old.store_key() != key) {
        let _ = store.delete(&old.store_key()).await;
    }
    let tokens = client.current_tokens();
    tracing::debug!(
        profile = name,
        provider = profile.provider.kind_name(),
        "server-to-server profile saved"
    );
    eprintln!(
        "Profile {name} saved: Server-to-Server client {} with {}, Workfront API at {}; \
         access token {} (fingerprint) expires {}.",
        profile.client_id,
        profile.provider.describe(),
        profile.instance,
        tokens.access_token().fingerprint(),
        tokens.expires_at().map_or_else(
            || "at an unknown time".to_owned(),
            |t| format!("at {}", timestamp(t))
        ),
    );
    Ok(tokens)
}

/// A usable token of a Server-to-Server profile: the stored one while it is fresh (no
/// secret needed), otherwise a new one requested and saved under the store's lock.
pub async fn tokens(session: Session) -> Result<TokenSet, CliError> {
    if let Some(stored) = session.stored().await? {
        let config = session.oauth.config();
        let peek =
            Credential::from_stored_client_credentials(stored.clone(), config.refresh_skew_secs())
                .peek(session.oauth.now());
        if matches!(peek.decision, Decision::Use { .. }) {
            return Ok(stored.tokens);
        }
    }
    let session = session.with_secret()?;
    let client = session.client().await?;
    Ok(client.current_tokens())
}

/// `refresh` on a Server-to-Server profile: a new token now. Returns the access token
/// fingerprints before and after.
pub async fn renew(session: &Session) -> Result<(String, String), CliError> {
    let before = session.stored().await?.map(|s| s.tokens);
    let client = session.client().await?;
    let requested = before
        .as_ref()
        .is_none_or(|b| b.access_token() != client.current_tokens().access_token());
    if !requested {
        client.refresh().await.map_err(|e| session.error(&e))?;
    }
    Ok((
        before.map_or_else(|| "none".to_owned(), |b| b.access_token().fingerprint()),
        client.current_tokens().access_token().fingerprint(),
    ))
}
