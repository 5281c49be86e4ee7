//! The `wf-oauth` command line: sign in to Adobe Workfront with OAuth 2 from a terminal,
//! keep the tokens safely, call the API, and see the whole flow work against an embedded
//! fake Workfront with `wf-oauth demo`.
//!
//! The binary is a thin `main` over [`main_with_args`]. The library also offers
//! [`mock_browser`], the scripted browser the demo and the integration tests use for the
//! fake's sign-in pages.
//!
//! Protocol decisions (which request to send, what an answer means, whether a token is
//! usable) are taken by `wf-oauth-core` and carried out by `wf-oauth-http`; this crate
//! turns command-line input into their calls and their results and errors into output
//! and exit codes ([`error::Exit`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod browser;
mod callback;
mod cli;
mod commands;
mod configure;
pub mod error;
pub mod mock_browser;
mod output;
mod paste;
mod profile;
mod provider;
mod secret_input;
mod session;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser as _;

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::output::Ui;
use crate::profile::ConfigDir;

/// Parses `args` (program name first), runs the command and returns the exit code.
/// Errors are printed as one line on standard error.
pub fn main_with_args<I, T>(args: I) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    // clap prints usage errors itself and exits with 2.
    let cli = Cli::parse_from(args);
    // The fake logs its requests like the `wf-oauth-mock` binary does.
    init_tracing(cli.global.verbose, matches!(cli.command, Command::Mock(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("wf-oauth: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(run(cli));
    // Nothing left to wait for: a stdin reader blocked on the terminal must not hold the
    // process open.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wf-oauth: {e}");
            e.exit_code()
        }
    }
}

/// `--verbose`: the driver's and this program's spans and events on standard error.
/// They carry hosts, paths, statuses and fingerprints, never a secret.
fn init_tracing(verbose: bool, mock: bool) {
    let default = match (verbose, mock) {
        (true, _) => "wf_oauth_cli=debug,wf_oauth_http=debug,wf_oauth_mock=info",
        (false, true) => "wf_oauth_mock=info",
        (false, false) => return,
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(!output::no_color() && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let ui = Ui::detect();
    let dir = || ConfigDir::resolve(cli.global.config_dir.as_deref());
    match cli.command {
        Command::Demo(args) => commands::demo::run(&args, ui).await,
        Command::Login(args) => commands::login::run(&dir()?, &args).await,
        Command::Token(args) => commands::token::run(&dir()?, &args, ui).await,
        Command::Refresh(args) => commands::refresh::run(&dir()?, &args).await,
        Command::Logout(args) => commands::logout::run(&dir()?, &args).await,
        Command::Status(args) => commands::status::run(&dir()?, &args, ui).await,
        Command::Api(args) => commands::api::run(&dir()?, &args, ui).await,
        Command::Mock(args) => commands::mock::run(args).await,
        Command::Completions(args) => {
            commands::completions::run(&args);
            Ok(())
        }
    }
}
