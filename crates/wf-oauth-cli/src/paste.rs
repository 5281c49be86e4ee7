//! The paste path, for SSH sessions and headless machines where the browser cannot reach
//! this process: the user copies the address the browser ended on (or just the code) and
//! pastes it into the terminal.

use std::io::BufRead as _;

use tokio::sync::mpsc;
use wf_oauth_core::{AuthorizationResponse, PendingAuthorization, UnixTime};

use crate::error::CliError;

/// Lines typed on standard input, read by a detached thread: a blocked terminal read
/// cannot be cancelled, and a detached thread never holds the process open at exit. The
/// channel closes at end of input.
pub fn stdin_lines() -> mpsc::UnboundedReceiver<String> {
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// What the user pasted, ready for the core.
#[derive(Debug)]
pub enum Pasted {
    /// A redirect address, request target or query string: the core checks it, `state`
    /// included, as for any callback.
    Callback(String),
    /// A bare code, already accepted by the core ([`PendingAuthorization::accept_code`]).
    Code(AuthorizationResponse),
}

/// Turns what the user pasted into a callback the core can check.
///
/// A redirect address (`https://…?code=…&state=…`), a request target (`/callback?…`) or a
/// query string is passed on unchanged, so the core checks `state` as for any callback.
/// A bare code — what a user copies when the page shows only the code — carries no
/// `state`: the user vouches for it by pasting it into the session they started, and the
/// core's [`PendingAuthorization::accept_code`] (meant for exactly this paste flow)
/// checks it.
pub fn callback_from_paste(
    pasted: &str,
    pending: &PendingAuthorization,
    now: UnixTime,
) -> Result<Pasted, CliError> {
    let text = pasted.trim();
    if text.is_empty() {
        return Err(CliError::new(
            crate::error::Exit::AuthorizationFailed,
            "nothing was pasted — paste the address the browser ended on after Allow",
        ));
    }
    let looks_like_callback = text.contains("://")
        || text.contains('=')
        || text.starts_with('?')
        || text.starts_with('/');
    if looks_like_callback {
        return Ok(Pasted::Callback(text.to_owned()));
    }
    pending
        .accept_code(text, now)
        .map(Pasted::Code)
        .map_err(|e| {
            CliError::new(
                crate::error::Exit::AuthorizationFailed,
                format!(
                    "the pasted text is neither an address nor an authorization code ({e}) — \
                 paste the address the browser ended on after Allow"
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wf_oauth_core::{ClientConfig, Instance, RedirectUri};

    fn pending() -> PendingAuthorization {
        ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
            .redirect_uri(RedirectUri::parse("http://127.0.0.1:8765/callback").unwrap())
            .build()
            .unwrap()
            .authorize(&[3; 64], UnixTime::from_secs(1_000))
            .unwrap()
    }

    #[test]
    fn addresses_pass_through_and_bare_codes_are_paired_with_this_state() {
        let p = pending();
        let now = UnixTime::from_secs(1_001);
        let url = "http://127.0.0.1:8765/callback?code=abc&state=zzz";
        match callback_from_paste(&format!("  {url}\n"), &p, now).unwrap() {
            Pasted::Callback(callback) => assert_eq!(callback, url),
            other => panic!("{other:?}"),
        }
        match callback_from_paste("c0de-123", &p, now).unwrap() {
            Pasted::Code(auth) => {
                assert_eq!(auth.code().secret(), "c0de-123");
                assert_eq!(auth.instance(), p.instance());
            }
            other => panic!("{other:?}"),
        }
        // A pasted address with another state still fails the core's check.
        assert_eq!(
            p.accept_callback(url, now).unwrap_err(),
            wf_oauth_core::Error::StateMismatch
        );
    }

    #[test]
    fn garbage_is_refused() {
        let p = pending();
        for bad in ["", "   ", "two words", "a&b", "%41"] {
            let e = callback_from_paste(bad, &p, UnixTime::from_secs(1_001)).unwrap_err();
            assert_eq!(e.exit(), crate::error::Exit::AuthorizationFailed, "{bad:?}");
        }
    }
}
