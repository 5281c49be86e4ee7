//! `wf-oauth status`: the profiles and the state of their tokens, read locally (no
//! network, no secret).

use serde_json::{Value, json};
use wf_oauth_core::{Credential, StoredCredential, UnixTime};

use crate::cli::StatusArgs;
use crate::error::CliError;
use crate::output::{Ui, println_out, timestamp};
use crate::profile::{ConfigDir, Profile};
use crate::provider::ProviderKind;

/// One profile's line.
fn describe(profile: &Profile, stored: Option<&StoredCredential>, now: UnixTime) -> Value {
    let mut row = json!({
        "profile": profile.name,
        "instance": profile.instance,
        "client_id": profile.client_id,
        "provider": profile.provider.kind_name(),
        "grant": if profile.client_credentials {
            "client_credentials"
        } else {
            "authorization_code"
        },
        "signed_in": false,
        "obtained_at": null,
        "expires_at": null,
        // A Server-to-Server profile gets a new token whenever it needs one.
        "needs_reauth": !profile.client_credentials,
    });
    match profile.provider.kind {
        ProviderKind::Legacy => {}
        ProviderKind::Ims => row["ims_host"] = json!(profile.provider.ims_base()),
        ProviderKind::Generic => {
            row["authorize_url"] = json!(profile.provider.authorize_url);
            row["token_url"] = json!(profile.provider.token_url);
        }
    }
    let Some(stored) = stored else {
        return row;
    };
    let tokens = &stored.tokens;
    row["signed_in"] = json!(true);
    row["obtained_at"] = json!(timestamp(tokens.obtained_at()));
    row["expires_at"] = json!(
        tokens
            .expires_at()
            .map_or_else(|| "unknown".to_owned(), timestamp)
    );
    row["needs_reauth"] =
        json!(!profile.client_credentials && sign_in_needed(profile, stored, now));
    row
}

/// Whether a sign-in profile's stored tokens can be neither used nor refreshed: the
/// core's read-only view of the stored credential.
fn sign_in_needed(profile: &Profile, stored: &StoredCredential, now: UnixTime) -> bool {
    match profile.client_config(None) {
        Ok(config) => {
            stored.check_instance(&config).is_err()
                || Credential::from_stored(stored.clone(), config.refresh_skew_secs())
                    .peek(now)
                    .needs_sign_in
        }
        Err(_) => true,
    }
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
        "provider",
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
            provider_cell(row),
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

/// The provider column: its name, its host when not the default, and the grant when it
/// is not a sign-in.
fn provider_cell(row: &Value) -> String {
    let mut cell = row["provider"].as_str().unwrap_or("-").to_owned();
    let host = row["ims_host"].as_str().or(row["token_url"].as_str());
    if let Some(host) = host.filter(|h| *h != wf_oauth_core::DEFAULT_IMS_BASE) {
        cell.push_str(&format!(" ({host})"));
    }
    if row["grant"] == "client_credentials" {
        cell.push_str(", server-to-server");
    }
    cell
}
