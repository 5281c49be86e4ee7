//! `wf-oauth login`: the authorization code flow from a terminal, saved to a profile.

use std::time::Duration;

use wf_oauth_http::WorkfrontClient;

use super::login_wait::{self, WaitOptions};
use crate::cli::LoginArgs;
use crate::configure::{self, Grant};
use crate::error::CliError;
use crate::paste::Pasted;
use crate::profile::ConfigDir;
use crate::secret_input;
use crate::session::oauth_client;

/// Signs in and saves the tokens and the profile.
pub async fn run(dir: &ConfigDir, args: &LoginArgs) -> Result<(), CliError> {
    let name = args.profile.profile.as_str();
    let existing = dir.load(name)?;
    let grant = Grant::AuthorizationCode {
        redirect_uri: args.redirect_uri.as_deref(),
        pkce: args.pkce,
    };
    let profile = configure::merge(name, &args.client, grant, existing.as_ref())?;
    let hint = profile.hint();
    let secret = if profile.public_client {
        None
    } else {
        Some(secret_input::client_secret(
            profile.secret_env.as_deref(),
            &profile.client_id,
        )?)
    };
    let store = dir.token_store()?;
    let oauth = oauth_client(profile.client_config(secret)?)?;
    let pending = oauth
        .authorize()
        .map_err(|e| CliError::from_driver(&e, &hint))?;

    let options = WaitOptions {
        no_browser: args.no_browser,
        browser: args.browser,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    let received = login_wait::wait(&pending, options, &hint, &|| oauth.now()).await?;
    let key = profile.store_key();
    let signed_in = async {
        let tokens = match &received.callback {
            Pasted::Callback(callback) => oauth.exchange(&pending, callback).await,
            Pasted::Code(authorization) => oauth.exchange_code(authorization).await,
        }
        .map_err(|e| CliError::from_driver(&e, &profile.token_hint()))?;
        WorkfrontClient::login(oauth.clone(), store.clone(), key.clone(), tokens.clone())
            .await
            .map_err(|e| CliError::from_driver(&e, &hint))?;
        dir.save(&profile)?;
        Ok::<_, CliError>(tokens)
    }
    .await;
    let tokens = match signed_in {
        Ok(tokens) => tokens,
        Err(error) => {
            received.answer(Err(error.message().to_owned())).await;
            return Err(error);
        }
    };
    tracing::debug!(profile = name, instance = %profile.instance, "signed in and saved");
    // A profile that moved to another instance or client leaves no tokens behind.
    if let Some(old) = existing.filter(|old| old.store_key() != key) {
        let _ = store.delete(&old.store_key()).await;
    }
    received
        .answer(Ok(format!(
            "wf-oauth is signed in to {} (profile {name}).",
            profile.instance
        )))
        .await;
    let through = if profile.provider.is_legacy() {
        String::new()
    } else {
        format!(" through {}", profile.provider.display_name())
    };
    eprintln!(
        "Signed in to {}{through} as profile {name}: access token {}, refresh token {} \
         (fingerprints).\nTokens saved in {} (readable by you only).",
        tokens.instance(),
        tokens.access_token().fingerprint(),
        tokens
            .refresh_token()
            .map_or_else(|| "none".to_owned(), |r| r.fingerprint()),
        dir.token_files()?.document_path(&key).display(),
    );
    Ok(())
}
