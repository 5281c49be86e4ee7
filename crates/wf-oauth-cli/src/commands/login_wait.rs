//! Waiting for the browser to come back: on the loopback listener when the redirect URI
//! is a loopback one, and from a pasted address at any time (the browser may run on
//! another machine than this terminal, as over SSH).

use std::time::Duration;

use wf_oauth_core::{PendingAuthorization, UnixTime};

use crate::browser::{self, BrowserMode};
use crate::callback::{Arrival, CallbackListener, loopback_addrs};
use crate::error::{CliError, Exit, Hint};
use crate::paste::{Pasted, callback_from_paste, stdin_lines};

/// How the user takes part.
#[derive(Debug, Clone, Copy)]
pub struct WaitOptions {
    /// Print the URL and read a paste only (no browser, no listener).
    pub no_browser: bool,
    /// Whether to open the system browser.
    pub browser: BrowserMode,
    /// How long to wait.
    pub timeout: Duration,
}

/// What came back: the callback for the core, and the browser waiting for its page when
/// it came over the loopback listener.
#[derive(Debug)]
pub struct Received {
    /// The callback URL, request target or query, or a pasted code the core accepted.
    pub callback: Pasted,
    /// The browser request to answer, and the listener it came through.
    browser: Option<(Arrival, CallbackListener)>,
}

impl Received {
    /// Tells the browser (if it came over the listener) how the sign-in ended, and waits
    /// until the page is sent.
    pub async fn answer(self, outcome: Result<String, String>) {
        if let Some((arrival, listener)) = self.browser {
            listener.answer(arrival, outcome).await;
        }
    }
}

/// Shows the authorize URL and waits for the callback.
pub async fn wait(
    pending: &PendingAuthorization,
    options: WaitOptions,
    hint: &Hint,
    now: &(dyn Fn() -> UnixTime + Sync),
) -> Result<Received, CliError> {
    let redirect = pending.redirect_uri();
    let mut listener = match (options.no_browser, loopback_addrs(redirect)) {
        (false, Some(_)) => Some(CallbackListener::bind(redirect).await?),
        _ => None,
    };
    eprintln!(
        "To sign in to {}, open this address in a browser:\n\n  {}\n",
        hint.instance,
        pending.url()
    );
    if !options.no_browser && options.browser.wants_browser() && browser::open(pending.url()) {
        eprintln!("(Opened in your browser.)");
    }
    let secs = options.timeout.as_secs();
    tracing::debug!(
        listening = listener.is_some(),
        redirect_uri = %redirect,
        timeout_secs = secs,
        "waiting for the callback"
    );
    if listener.is_some() {
        eprintln!(
            "Waiting up to {secs} s for the browser to return to {redirect}.\nIf the browser \
             runs on another machine (SSH), paste here the address it ends on after Allow:"
        );
    } else {
        eprintln!(
            "After Allow, the browser goes to {redirect}?code=… (the page may fail to load; \
             that is fine).\nPaste that whole address, or just the code, here (within {secs} s):"
        );
    }

    let mut lines = stdin_lines();
    let mut stdin_open = true;
    let deadline = tokio::time::sleep(options.timeout);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            Some(arrival) = next_arrival(&mut listener) => {
                tracing::debug!("the browser came back to the loopback listener");
                return Ok(Received {
                    callback: Pasted::Callback(arrival.target().to_owned()),
                    browser: listener.take().map(|l| (arrival, l)),
                });
            }
            line = lines.recv(), if stdin_open => match line {
                Some(line) if line.trim().is_empty() => {}
                Some(line) => {
                    tracing::debug!("a callback was pasted");
                    return Ok(Received {
                        callback: callback_from_paste(&line, pending, now())?,
                        browser: None,
                    });
                }
                None if listener.is_none() => {
                    return Err(CliError::new(
                        Exit::AuthorizationFailed,
                        format!(
                            "standard input ended before the callback was pasted — run `{}` \
                             again and paste the address the browser ends on",
                            hint.login_command
                        ),
                    ));
                }
                None => stdin_open = false,
            },
            () = &mut deadline => {
                return Err(CliError::new(
                    Exit::AuthorizationFailed,
                    format!(
                        "no sign-in came back within {secs} s — run `{}` again (--timeout \
                         gives more time)",
                        hint.login_command
                    ),
                ));
            }
        }
    }
}

async fn next_arrival(listener: &mut Option<CallbackListener>) -> Option<Arrival> {
    match listener {
        Some(l) => l.next().await,
        None => std::future::pending().await,
    }
}
