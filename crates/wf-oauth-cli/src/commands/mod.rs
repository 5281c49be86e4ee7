//! One module per subcommand.

pub mod api;
pub mod completions;
pub mod demo;
mod demo_report;
pub mod login;
mod login_wait;
pub mod logout;
pub mod mock;
pub mod refresh;
mod server_to_server;
pub mod status;
pub mod token;
