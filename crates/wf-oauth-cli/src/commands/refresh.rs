//! `wf-oauth refresh`: renew the access token now.

use super::server_to_server;
use crate::cli::ProfileArg;
use crate::error::CliError;
use crate::output::println_out;
use crate::profile::ConfigDir;
use crate::session::{SecretNeed, Session};

/// Refreshes the profile's tokens (a Server-to-Server profile requests a new token) and
/// reports the fingerprints before and after.
pub async fn run(dir: &ConfigDir, args: &ProfileArg) -> Result<(), CliError> {
    let session = Session::open(dir, &args.profile, SecretNeed::Required)?;
    if session.profile.client_credentials {
        let (before, after) = server_to_server::renew(&session).await?;
        println_out(&format!(
            "Requested a new token for profile {} (client credentials): access token \
             {before} -> {after}",
            session.profile.name
        ));
        return Ok(());
    }
    let client = session.client().await?;
    let before = client.current_tokens();
    client.refresh().await.map_err(|e| session.error(&e))?;
    let after = client.current_tokens();
    let rotated = match (before.refresh_token(), after.refresh_token()) {
        (Some(a), Some(b)) if a != b => ", refresh token rotated",
        _ => "",
    };
    println_out(&format!(
        "Refreshed profile {}: access token {} -> {}{rotated}",
        session.profile.name,
        before.access_token().fingerprint(),
        after.access_token().fingerprint(),
    ));
    Ok(())
}
