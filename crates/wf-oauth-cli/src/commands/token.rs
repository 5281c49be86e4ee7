//! `wf-oauth token`: a valid access token for scripts, or its metadata as JSON.

use serde_json::{Value, json};
use wf_oauth_core::{Credential, Decision, TokenSet};

use super::server_to_server;
use crate::cli::TokenArgs;
use crate::error::{CliError, Exit};
use crate::output::{Ui, println_out, timestamp};
use crate::profile::ConfigDir;
use crate::session::{SecretNeed, Session};

/// Prints the token (or `--json` metadata) of the profile, refreshing first when the
/// core's lifecycle says the token is due. A Server-to-Server profile requests a new
/// token instead; `--client-credentials` configures one first.
pub async fn run(dir: &ConfigDir, args: &TokenArgs, ui: Ui) -> Result<(), CliError> {
    let name = args.profile.profile.clone();
    let tokens = if args.client_credentials {
        server_to_server::configure(dir, args).await?
    } else {
        if args.client.any() {
            return Err(CliError::usage(
                "the client options of `token` (--instance, --client-id, --provider, …) set \
                 up a Server-to-Server profile: add --client-credentials (a sign-in profile is \
                 changed with `wf-oauth login`)",
            ));
        }
        // The secret is only needed if a renewal is due; a script with a fresh token needs
        // neither a prompt nor the variable.
        let session = Session::open(dir, &name, SecretNeed::IfSet)?;
        if session.profile.client_credentials {
            server_to_server::tokens(session).await?
        } else {
            signed_in_tokens(session).await?
        }
    };
    if args.json {
        ui.print_json(&metadata(&name, &tokens, args.show_secrets));
    } else {
        println_out(tokens.access_token().secret());
    }
    Ok(())
}

/// The tokens of a sign-in profile, refreshed first when due.
async fn signed_in_tokens(session: Session) -> Result<TokenSet, CliError> {
    let stored = session
        .stored()
        .await?
        .ok_or_else(|| session.not_signed_in())?;
    // The core decides, from the stored credential alone (no network).
    let refused = stored.reauth_required;
    let skew = session.oauth.config().refresh_skew_secs();
    let peek = Credential::from_stored(stored.clone(), skew).peek(session.oauth.now());
    let tokens = match peek.decision {
        Decision::Use { .. } => stored.tokens,
        Decision::ReauthRequired => {
            let why = if refused {
                "its refresh token was refused"
            } else {
                "its access token expired and cannot be renewed"
            };
            return Err(CliError::new(
                Exit::ReauthRequired,
                format!(
                    "profile {} needs a new sign-in: {why} — run `{}`",
                    session.profile.name, session.hint.login_command
                ),
            ));
        }
        Decision::RefreshFirst { .. } | Decision::WaitForRefresh => {
            let session = session.with_secret()?;
            let client = session.client().await?;
            client.refresh().await.map_err(|e| session.error(&e))?;
            client.current_tokens()
        }
    };
    Ok(tokens)
}

/// The token set as JSON: fingerprints, and the secrets only when asked.
pub fn metadata(profile: &str, tokens: &TokenSet, show_secrets: bool) -> Value {
    let mut value = json!({
        "profile": profile,
        "instance": tokens.instance().origin(),
        "token_type": tokens.token_type().as_str(),
        "access_token_fingerprint": tokens.access_token().fingerprint(),
        "refresh_token_fingerprint": tokens.refresh_token().map(|r| r.fingerprint()),
        "obtained_at": timestamp(tokens.obtained_at()),
        "expires_at": tokens.expires_at().map_or_else(|| "unknown".to_owned(), timestamp),
        "wid": tokens.wid(),
        "scope": tokens.scope(),
    });
    if show_secrets {
        value["access_token"] = json!(tokens.access_token().secret());
        value["refresh_token"] = json!(tokens.refresh_token().map(|r| r.secret()));
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use wf_oauth_core::{AccessToken, Instance, RefreshToken, UnixTime};

    #[test]
    fn metadata_shows_secrets_only_when_asked() {
        let tokens = TokenSet::new(
            AccessToken::new("access-secret-value"),
            Instance::parse("acme.my.workfront.com").unwrap(),
            UnixTime::from_secs(1_700_000_000),
        )
        .with_refresh_token(Some(RefreshToken::new("refresh-secret-value")));
        let hidden = metadata("default", &tokens, false).to_string();
        assert!(!hidden.contains("secret-value"), "{hidden}");
        assert!(hidden.contains(r#""expires_at":"unknown""#), "{hidden}");
        assert!(hidden.contains(&tokens.access_token().fingerprint()));
        let shown = metadata("default", &tokens, true).to_string();
        assert!(shown.contains("access-secret-value") && shown.contains("refresh-secret-value"));
    }
}
