//! `wf-oauth login`: the authorization code flow from a terminal, saved to a profile.

use std::sync::Arc;
use std::time::Duration;

use wf_oauth_core::{ApiVersion, Instance, RedirectUri};
use wf_oauth_http::{TokenStore, WorkfrontClient};

use super::login_wait::{self, WaitOptions};
use crate::cli::LoginArgs;
use crate::error::{CliError, Hint};
use crate::paste::Pasted;
use crate::profile::{AuthStyle, ConfigDir, PROFILE_FORMAT, Profile, check_profile_name};
use crate::secret_input;
use crate::session::oauth_client;

/// The redirect URI used when neither the flags nor the profile name one: a loopback
/// address this command serves (register it for the application in Workfront).
pub const DEFAULT_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// The profile a login will save: flags first, then the existing profile, then defaults.
/// Everything is validated here, before anyone opens a browser.
pub fn merge(
    name: &str,
    args: &LoginArgs,
    existing: Option<&Profile>,
) -> Result<Profile, CliError> {
    check_profile_name(name)?;
    let usage = |e: wf_oauth_core::Error| CliError::usage(e.to_string());
    let instance = match (&args.instance, existing) {
        (Some(i), _) => i.clone(),
        (None, Some(p)) => p.instance.clone(),
        (None, None) => {
            return Err(CliError::usage(
                "--instance is required for a new profile (e.g. --instance \
                 acme.my.workfront.com)",
            ));
        }
    };
    let instance = Instance::parse(&instance).map_err(usage)?;
    let client_id = match (&args.client_id, existing) {
        (Some(c), _) => c.clone(),
        (None, Some(p)) => p.client_id.clone(),
        (None, None) => {
            return Err(CliError::usage(
                "--client-id is required for a new profile (Setup > System > OAuth2 in \
                 Workfront shows it)",
            ));
        }
    };
    if client_id.trim().is_empty() {
        return Err(CliError::usage("the client ID is empty"));
    }
    let redirect_uri = args
        .redirect_uri
        .clone()
        .or_else(|| existing.map(|p| p.redirect_uri.clone()))
        .unwrap_or_else(|| DEFAULT_REDIRECT_URI.to_owned());
    RedirectUri::parse(&redirect_uri).map_err(usage)?;
    let api_version = args
        .api_version
        .clone()
        .or_else(|| existing.map(|p| p.api_version.clone()))
        .unwrap_or_else(|| ApiVersion::DEFAULT.to_owned());
    ApiVersion::parse(&api_version).map_err(usage)?;
    if let Some(var) = &args.client_secret_env {
        secret_input::check_env_name(var)?;
        if args.pkce {
            return Err(CliError::usage(
                "--pkce is for public applications, which have no client secret; drop \
                 --client-secret-env",
            ));
        }
    }
    let public_client = args.pkce
        || (args.client_secret_env.is_none() && existing.is_some_and(|p| p.public_client));
    let secret_env = if public_client {
        None
    } else {
        args.client_secret_env
            .clone()
            .or_else(|| existing.and_then(|p| p.secret_env.clone()))
    };
    let profile = Profile {
        format: PROFILE_FORMAT,
        name: name.to_owned(),
        instance: instance.origin().to_owned(),
        client_id,
        redirect_uri,
        client_auth: args
            .client_auth
            .or_else(|| existing.map(|p| p.client_auth))
            .unwrap_or(AuthStyle::Basic),
        api_version,
        scope: args
            .scope
            .clone()
            .or_else(|| existing.and_then(|p| p.scope.clone())),
        public_client,
        secret_env,
    };
    // The whole configuration is checked by the core now, not after the sign-in.
    profile.client_config(None)?;
    Ok(profile)
}

/// Signs in and saves the tokens and the profile.
pub async fn run(dir: &ConfigDir, args: &LoginArgs) -> Result<(), CliError> {
    let name = args.profile.profile.as_str();
    let existing = dir.load(name)?;
    let profile = merge(name, args, existing.as_ref())?;
    let hint = Hint::new(name, profile.instance.clone());
    let secret = if profile.public_client {
        None
    } else {
        Some(secret_input::client_secret(
            profile.secret_env.as_deref(),
            &profile.client_id,
        )?)
    };
    let store = Arc::new(dir.token_store()?);
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
        .map_err(|e| CliError::from_driver(&e, &hint.clone().exchanging_code()))?;
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
    eprintln!(
        "Signed in to {} as profile {name}: access token {}, refresh token {} \
         (fingerprints).\nTokens saved in {} (readable by you only).",
        tokens.instance(),
        tokens.access_token().fingerprint(),
        tokens
            .refresh_token()
            .map_or_else(|| "none".to_owned(), |r| r.fingerprint()),
        store.document_path(&key).display(),
    );
    Ok(())
}
