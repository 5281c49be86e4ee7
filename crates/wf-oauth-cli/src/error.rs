//! What the command line reports when something fails: one line saying what happened and
//! what to do, and an exit code a script can branch on.
//!
//! The driver's and the core's errors are translated here, by their category
//! ([`ErrorKind`]) and, where the user's next step differs, by variant. No decision about
//! the protocol is taken here: the core already said what the error means.

use std::fmt;
use std::process::ExitCode;

use wf_oauth_core::ErrorKind;
use wf_oauth_http::{Error as DriverError, TransportError};

/// The exit codes of `wf-oauth`, documented in `--help` and the crate README.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum Exit {
    /// Success.
    Ok = 0,
    /// Any failure without a more specific code (token store, unexpected answers…).
    Failure = 1,
    /// A usage or configuration mistake: bad flag, invalid instance, missing secret.
    Usage = 2,
    /// The stored credential cannot be renewed: sign in again with `wf-oauth login`.
    ReauthRequired = 3,
    /// The sign-in did not complete: denied, state mismatch, code expired, timed out.
    AuthorizationFailed = 4,
    /// The network failed: the instance could not be reached, or did not answer in time.
    Network = 5,
    /// The Workfront API answered with an error (including throttling).
    Api = 6,
    /// The token endpoint refused the client (wrong client ID or secret, unsupported
    /// client authentication).
    ClientRefused = 7,
}

/// The exit-code table as shown by `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0  success
  1  failure without a more specific code (token store, unexpected answer)
  2  usage or configuration mistake (bad flag, invalid instance, missing secret)
  3  re-authorization required: run `wf-oauth login` again
  4  sign-in did not complete (denied, state mismatch, code expired, timed out)
  5  network failure (instance unreachable, timeout)
  6  the Workfront API answered with an error (including throttling)
  7  the token endpoint refused the client (check client ID and secret)";

impl Exit {
    /// The numeric code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// A failed command: the exit code and the one-line message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    exit: Exit,
    message: String,
}

impl CliError {
    /// An error with this exit code and message (newlines are folded into one line).
    pub fn new(exit: Exit, message: impl Into<String>) -> Self {
        let message: String = message.into();
        let message = message
            .split(['\n', '\r'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        CliError { exit, message }
    }

    /// A usage or configuration mistake.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Exit::Usage, message)
    }

    /// A failure without a more specific code.
    pub fn failure(message: impl Into<String>) -> Self {
        Self::new(Exit::Failure, message)
    }

    /// The exit code.
    pub fn exit(&self) -> Exit {
        self.exit
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The process exit code.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit.code())
    }

    /// Translates a driver error. `hint` says which command signs in again and which
    /// instance was being talked to, so the message can name them.
    pub fn from_driver(error: &DriverError, hint: &Hint) -> Self {
        match error {
            DriverError::Protocol(e) => Self::from_protocol(e, hint),
            DriverError::Transport(e) => Self::from_transport(e, hint),
            DriverError::Storage(e) => Self::failure(format!(
                "the token store failed: {e} — check the permissions of the config directory"
            )),
            DriverError::RateLimited { retry_after } => Self::new(
                Exit::Api,
                format!(
                    "Workfront is throttling requests (HTTP 429){} — wait and try again",
                    retry_after
                        .map(|s| format!(", retry after {s} s"))
                        .unwrap_or_default()
                ),
            ),
            DriverError::Decode { reason } => {
                Self::failure(format!("cannot read the API answer: {reason}"))
            }
            other => match other.kind() {
                ErrorKind::Transport => Self::new(Exit::Network, other.to_string()),
                ErrorKind::InvalidArgument => Self::usage(other.to_string()),
                _ => Self::failure(other.to_string()),
            },
        }
    }

    /// Translates a core error (see [`CliError::from_driver`]).
    pub fn from_protocol(error: &wf_oauth_core::Error, hint: &Hint) -> Self {
        use wf_oauth_core::Error as E;
        let login = &hint.login_command;
        match error {
            E::CodeExpired {
                age_secs,
                lifetime_secs,
            } => Self::new(
                Exit::AuthorizationFailed,
                format!(
                    "the authorization code expired after {} (it was {age_secs} s old) — run \
                     `{login}` again and finish signing in sooner",
                    human_duration(*lifetime_secs)
                ),
            ),
            E::AuthorizationDenied { description } => Self::new(
                Exit::AuthorizationFailed,
                format!(
                    "access was denied on the Workfront consent page (access_denied{}) — run \
                     `{login}` again and choose Allow",
                    description
                        .as_deref()
                        .map(|d| format!(": {d}"))
                        .unwrap_or_default()
                ),
            ),
            E::StateMismatch => Self::new(
                Exit::AuthorizationFailed,
                format!(
                    "the callback does not belong to this sign-in (state mismatch: stale or \
                     forged) — paste the address from this attempt, or run `{login}` again"
                ),
            ),
            E::StateMissing => Self::new(
                Exit::AuthorizationFailed,
                format!(
                    "the callback carries no state, so it cannot be tied to this sign-in — paste \
                     the full address the browser ended on, or run `{login}` again"
                ),
            ),
            E::RedirectMismatch { expected, found } => Self::new(
                Exit::AuthorizationFailed,
                format!(
                    "the pasted address goes to {found}, not to the redirect URI {expected} — \
                     paste the address the browser ended on after Allow"
                ),
            ),
            E::MissingCode => Self::new(
                Exit::AuthorizationFailed,
                "the callback carries no authorization code — paste the full address the \
                 browser ended on after Allow",
            ),
            E::AuthorizationError { .. }
            | E::InstanceNotAllowed { .. }
            | E::IssuerMismatch { .. }
            | E::IssuerMissing
            | E::CallbackMalformed { .. }
            | E::DuplicateParameter { .. } => Self::new(
                Exit::AuthorizationFailed,
                format!("{error} — run `{login}` again"),
            ),
            E::CodeRejected { .. } => Self::new(
                Exit::AuthorizationFailed,
                format!("{error}; codes are single-use and live 2 minutes — run `{login}` again"),
            ),
            E::TokenEndpoint { error: code, .. } if code == "invalid_client" => Self::new(
                Exit::ClientRefused,
                format!(
                    "the token endpoint refused the client ({}) — check the client ID, the \
                     client secret and --client-auth",
                    detail(error)
                ),
            ),
            _ => match error.kind() {
                ErrorKind::ReauthRequired => Self::new(
                    Exit::ReauthRequired,
                    format!("{} — run `{login}`", reauth_text(error)),
                ),
                ErrorKind::InvalidArgument => Self::usage(error.to_string()),
                ErrorKind::TokenEndpoint => Self::new(
                    Exit::ClientRefused,
                    format!("{error} — check the client configuration registered in Workfront"),
                ),
                ErrorKind::Api => Self::new(Exit::Api, error.to_string()),
                ErrorKind::Transport => Self::new(
                    Exit::Network,
                    format!("cannot reach {}: {error}", hint.instance),
                ),
                _ => Self::failure(error.to_string()),
            },
        }
    }

    fn from_transport(error: &TransportError, hint: &Hint) -> Self {
        let what = match error {
            TransportError::Connect(_) => "cannot connect to",
            TransportError::Timeout(_) => "no answer in time from",
            TransportError::Io(_) => "the connection failed with",
            TransportError::BodyTooLarge { .. } | TransportError::Redirect { .. } => {
                return Self::failure(format!("{} answered oddly: {error}", hint.instance));
            }
            _ => return Self::usage(error.to_string()),
        };
        Self::new(
            Exit::Network,
            format!(
                "{what} {} ({}) — check the instance name and your network",
                hint.instance,
                root_cause(error)
            ),
        )
    }
}

/// The innermost cause of an error: reqwest's outer messages repeat the URL, the inner
/// one says what went wrong ("Connection refused").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// `error: description` of a token endpoint error, for messages.
fn detail(error: &wf_oauth_core::Error) -> String {
    match error {
        wf_oauth_core::Error::TokenEndpoint {
            error, description, ..
        } => match description {
            Some(d) if !d.is_empty() => format!("{error}: {d}"),
            _ => error.clone(),
        },
        other => other.to_string(),
    }
}

fn reauth_text(error: &wf_oauth_core::Error) -> String {
    match error {
        wf_oauth_core::Error::ReauthRequired { reason } => {
            format!("re-authorization required: {reason}")
        }
        wf_oauth_core::Error::TokenEndpoint { .. } => {
            format!("the refresh token was refused ({})", detail(error))
        }
        other => format!("re-authorization required: {other}"),
    }
}

/// "2 minutes", "90 s".
fn human_duration(secs: u64) -> String {
    match secs {
        60 => "1 minute".to_owned(),
        s if s % 60 == 0 => format!("{} minutes", s / 60),
        s => format!("{s} s"),
    }
}

/// What an error message names: the command that signs in again and the instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The command that signs in again, e.g. `wf-oauth login --profile work`.
    pub login_command: String,
    /// The instance being talked to.
    pub instance: String,
}

impl Hint {
    /// A hint for `profile` on `instance`.
    pub fn new(profile: &str, instance: impl Into<String>) -> Self {
        Hint {
            login_command: crate::profile::profile_command(profile, "login"),
            instance: instance.into(),
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CliError {}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
