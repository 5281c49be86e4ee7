//! `wf-oauth`: Workfront OAuth 2 from the command line (see the crate documentation of
//! `wf_oauth_cli`, and `wf-oauth --help`).
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    wf_oauth_cli::main_with_args(std::env::args_os())
}
