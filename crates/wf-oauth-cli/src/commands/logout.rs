//! `wf-oauth logout`: end the Workfront session and forget the tokens.

use crate::cli::LogoutArgs;
use crate::error::CliError;
use crate::output::println_out;
use crate::profile::ConfigDir;
use crate::session::{SecretNeed, Session};

/// Ends the session (`GET logout`) and deletes the stored tokens; `--forget` also
/// deletes the profile. Signing out of a profile that is not signed in is not an error.
pub async fn run(dir: &ConfigDir, args: &LogoutArgs) -> Result<(), CliError> {
    let name = &args.profile.profile;
    // Ending a session sends only the access token: no client secret involved.
    let session = Session::open(dir, name, SecretNeed::IfSet)?;
    let outcome = if session.stored().await?.is_some() {
        let client = session.stored_client().await?;
        match client.logout().await {
            Ok(()) => {
                println_out(&format!(
                    "Signed out of {} (profile {name}); the stored tokens were deleted",
                    session.profile.instance
                ));
                Ok(())
            }
            Err(e) => {
                let error = session.error(&e);
                if session.stored().await?.is_none() {
                    Err(CliError::new(
                        error.exit(),
                        format!(
                            "the stored tokens were deleted, but ending the Workfront session \
                             failed: {error}"
                        ),
                    ))
                } else {
                    Err(error)
                }
            }
        }
    } else {
        println_out(&format!("Profile {name} was not signed in"));
        Ok(())
    };
    if args.forget {
        dir.delete(name)?;
        println_out(&format!("Profile {name} was deleted"));
    }
    outcome
}
