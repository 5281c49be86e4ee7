//! `wf-oauth status`: the profiles and the state of their tokens, read locally (no
//! network, no secret).

use serde_json::{Value, json};
use wf_oauth_core::{Credential, CredentialState, UnixTime};
use wf_oauth_http::TokenStore as _;

use crate::cli::StatusArgs;
use crate::error::CliError;
use crate::output::{Ui, println_out, timestamp};
use crate::profile::{ConfigDir, Profile};

/// One profile's line.
fn describe(
    profile: &Profile,
    stored: Option<&wf_oauth_http::StoredCredential>,
    now: UnixTime,
) -> Value {
    let Some(stored) = stored else {
        return json!({
            "profile": profile.name,
            "instance": profile.instance,
            "client_id": profile.client_id,
            "signed_in": false,
            "obtained_at": null,
            "expires_at": null,
            "needs_reauth": true,
        });
    };
    let tokens = &stored.tokens;
    let state = match profile.client_config(None) {
        Ok(config) => Credential::from_config(&config, tokens.clone()).state(now),
        Err(_) => CredentialState::ReauthRequired,
    };
    json!({
        "profile": profile.name,
        "instance": profile.instance,
        "client_id": profile.client_id,
        "signed_in": true,
        "obtained_at": timestamp(tokens.obtained_at()),
        "expires_at": tokens.expires_at().map_or_else(|| "unknown".to_owned(), timestamp),
        "needs_reauth": stored.reauth_required || state == CredentialState::ReauthRequired,
    })
}

/// Lists every profile.
pub async fn run(dir: &ConfigDir, args: &StatusArgs, ui: Ui) -> Result<(), CliError> {
    let profiles = dir.list()?;
    let now = UnixTime::from_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    );
    let mut rows = Vec::new();
    if !profiles.is_empty() {
        let store = dir.token_store()?;
        for profile in profiles {
            let profile = profile?;
            let stored = store.load(&profile.store_key()).await.map_err(|e| {
                CliError::failure(format!("cannot read the tokens of {}: {e}", profile.name))
            })?;
            rows.push(describe(&profile, stored.as_ref(), now));
        }
    }
    if args.json {
        ui.print_json(&json!({ "config_dir": dir.root(), "profiles": rows }));
        return Ok(());
    }
    if rows.is_empty() {
        println_out(
            "No profiles yet — run `wf-oauth login --instance HOST --client-id ID`, or try \
             `wf-oauth demo`",
        );
        return Ok(());
    }
    let mut table = ui.table(&[
        "profile",
        "instance",
        "client",
        "signed in at",
        "expires",
        "needs sign-in",
    ]);
    let text = |v: &Value| v.as_str().unwrap_or("-").to_owned();
    for row in &rows {
        let expires = match row["expires_at"].as_str() {
            Some("unknown") => "unknown (sliding session)".to_owned(),
            other => other.unwrap_or("-").to_owned(),
        };
        table.add_row([
            text(&row["profile"]),
            text(&row["instance"]),
            text(&row["client_id"]),
            text(&row["obtained_at"]),
            expires,
            if row["needs_reauth"] == true {
                "yes"
            } else {
                "no"
            }
            .to_owned(),
        ]);
    }
    println_out(&table.to_string());
    println_out(&format!("Profiles and tokens in {}", dir.root().display()));
    Ok(())
}
