//! Reading the client secret: from an environment variable named by the user, or typed at
//! a hidden prompt. Never from a flag value, which any user of the machine could read in
//! the process list.

use std::io::IsTerminal as _;

use wf_oauth_core::ClientSecret;

use crate::error::CliError;

/// Checks that `name` can be an environment variable name.
pub fn check_env_name(name: &str) -> Result<(), CliError> {
    let ok = !name.is_empty()
        && !name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "{name:?} is not an environment variable name (letters, digits and '_')"
        )))
    }
}

/// The client secret of `client_id`: from `$env_name` when it is set, else typed at a
/// hidden prompt when a terminal is attached, else a usage error that says what to set.
pub fn client_secret(env_name: Option<&str>, client_id: &str) -> Result<ClientSecret, CliError> {
    if let Some(name) = env_name {
        check_env_name(name)?;
        if let Some(value) = std::env::var_os(name) {
            let value = value.into_string().map_err(|_| {
                CliError::usage(format!(
                    "the environment variable {name} is not valid UTF-8"
                ))
            })?;
            let value = value.trim();
            if !value.is_empty() {
                return Ok(ClientSecret::new(value));
            }
        }
    }
    if std::io::stdin().is_terminal() && std::io::stderr().is_terminal() {
        let typed = rpassword::prompt_password(format!("Client secret of {client_id}: "))
            .map_err(|e| CliError::usage(format!("cannot read the client secret: {e}")))?;
        let typed = typed.trim();
        if typed.is_empty() {
            return Err(CliError::usage("no client secret was typed"));
        }
        return Ok(ClientSecret::new(typed));
    }
    Err(CliError::usage(match env_name {
        Some(name) => format!(
            "the client secret is missing: the environment variable {name} is not set — \
             export it, or run in a terminal to type the secret"
        ),
        None => "the client secret is missing: pass --client-secret-env VAR (the name of an \
                 environment variable holding it), or --pkce for a public client"
            .to_owned(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_are_checked() {
        assert!(check_env_name("WF_SECRET_2").is_ok());
        for bad in ["", "1A", "A-B", "A=B", "A B"] {
            assert_eq!(
                check_env_name(bad).unwrap_err().exit(),
                crate::error::Exit::Usage
            );
        }
    }

    #[test]
    fn a_missing_variable_without_terminal_names_the_variable() {
        // Test processes have no terminal on stdin under nextest and CI.
        if std::io::stdin().is_terminal() {
            return;
        }
        let e = client_secret(Some("WF_OAUTH_TEST_SURELY_UNSET"), "cid").unwrap_err();
        assert_eq!(e.exit(), crate::error::Exit::Usage);
        assert!(e.message().contains("WF_OAUTH_TEST_SURELY_UNSET"), "{e}");
    }
}
