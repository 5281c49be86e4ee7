//! The paste path, for SSH sessions and headless machines where the browser cannot reach
//! this process: the user copies the address the browser ended on (or just the code) and
//! pastes it into the terminal.

use std::io::BufRead as _;

use tokio::sync::mpsc;
use wf_oauth_core::PendingAuthorization;

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

/// Turns what the user pasted into a callback the core can check.
///
/// A redirect address (`https://…?code=…&state=…`), a request target (`/callback?…`) or a
/// query string is passed on unchanged, so the core checks `state` as for any callback.
/// A bare code — what a user copies when the page shows only the code — carries no
/// `state`: the user vouches for it by pasting it into the session they started, so it
/// is paired with this sign-in's own `state`.
pub fn callback_from_paste(
    pasted: &str,
    pending: &PendingAuthorization,
) -> Result<String, CliError> {
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
        return Ok(text.to_owned());
    }
    let is_code = text.len() <= 4096
        && text
            .bytes()
            .all(|b| b.is_ascii_graphic() && !matches!(b, b'&' | b'#' | b'?' | b'%'));
    if !is_code {
        return Err(CliError::new(
            crate::error::Exit::AuthorizationFailed,
            "the pasted text is neither an address nor an authorization code — paste the \
             address the browser ended on after Allow",
        ));
    }
    let mut query = form_urlencoded::Serializer::new(String::new());
    query.append_pair("code", text);
    query.append_pair("state", pending.state().secret());
    Ok(query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wf_oauth_core::{ClientConfig, Instance, RedirectUri, UnixTime};

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
        let url = "http://127.0.0.1:8765/callback?code=abc&state=zzz";
        assert_eq!(callback_from_paste(&format!("  {url}\n"), &p).unwrap(), url);
        let query = callback_from_paste("c0de-123", &p).unwrap();
        let auth = p
            .accept_callback(&query, UnixTime::from_secs(1_001))
            .unwrap();
        assert_eq!(auth.code().secret(), "c0de-123");
        // A pasted address with another state still fails the core's check.
        assert_eq!(
            p.accept_callback(url, UnixTime::from_secs(1_001))
                .unwrap_err(),
            wf_oauth_core::Error::StateMismatch
        );
    }

    #[test]
    fn garbage_is_refused() {
        let p = pending();
        for bad in ["", "   ", "two words", "a&b", "%41"] {
            let e = callback_from_paste(bad, &p).unwrap_err();
            assert_eq!(e.exit(), crate::error::Exit::AuthorizationFailed, "{bad:?}");
        }
    }
}
