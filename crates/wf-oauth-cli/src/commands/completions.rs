//! `wf-oauth completions <shell>`.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};

/// Prints the completion script of `args.shell` on standard output.
pub fn run(args: &CompletionsArgs) {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "wf-oauth", &mut std::io::stdout());
}
