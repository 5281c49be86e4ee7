//! `wf-oauth-mock`: runs the fake Workfront until SIGINT/SIGTERM.
//!
//! The first line on stdout is `listening on http://127.0.0.1:PORT`, so scripts can start
//! it with `--port 0` and read the address. Logs go to stderr (`RUST_LOG` filters them);
//! they never contain secrets or tokens, only fingerprints.
#![forbid(unsafe_code)]

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser;
use wf_oauth_mock::MockArgs;

/// A faithful fake Adobe Workfront (OAuth 2 + API) for development, demos and tests.
#[derive(Parser, Debug)]
#[command(name = "wf-oauth-mock", version)]
struct Cli {
    #[command(flatten)]
    mock: MockArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();

    // Registered before the address is announced: see `shutdown_signal`.
    let signal = wf_oauth_mock::shutdown_signal();
    let mock = match cli.mock.into_builder().spawn().await {
        Ok(m) => m,
        Err(e) => {
            eprintln!("wf-oauth-mock: {e}");
            return ExitCode::from(2);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", mock.base_url());
        let _ = out.flush();
    }
    let cfg = mock.config();
    if cfg.mode.serves_ims() {
        tracing::info!(
            ims_base = %mock.ims_base_url(),
            authorize = %mock.ims_authorize_url(),
            token = %mock.ims_token_url(),
            access_token_ttl_secs = cfg.access_token_ttl.as_secs(),
            "Adobe IMS endpoints"
        );
    }
    tracing::info!(
        mode = %cfg.mode,
        authorize = %mock.authorize_url(),
        token = %mock.token_url(),
        client_id = %cfg.client_id,
        public_client_id = ?cfg.public_client_id,
        redirect_uris = ?cfg.redirect_uris,
        "ready"
    );

    mock.run_until(signal).await;
    ExitCode::SUCCESS
}
