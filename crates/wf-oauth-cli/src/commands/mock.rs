//! `wf-oauth mock`: the fake Workfront in the foreground.

use crate::cli::MockCommandArgs;
use crate::error::CliError;
use crate::output::println_out;

/// Serves until SIGINT or SIGTERM. The first line on standard output is
/// `listening on http://127.0.0.1:PORT`, as with `wf-oauth-mock`.
pub async fn run(args: MockCommandArgs) -> Result<(), CliError> {
    // Registered before the address is announced, so an early SIGTERM is not lost.
    let signal = wf_oauth_mock::shutdown_signal();
    let mock = args
        .mock
        .into_builder()
        .spawn()
        .await
        .map_err(|e| CliError::usage(e.to_string()))?;
    println_out(&format!("listening on {}", mock.base_url()));
    let config = mock.config();
    eprintln!(
        "fake Workfront: client {} (secret not shown), public client {}, redirect URIs {}; \
         sign in as {}; Ctrl-C stops it",
        config.client_id,
        config.public_client_id.as_deref().unwrap_or("none"),
        config.redirect_uris.join(", "),
        config
            .users
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    mock.run_until(signal).await;
    Ok(())
}
