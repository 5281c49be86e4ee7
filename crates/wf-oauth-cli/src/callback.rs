//! The loopback listener that receives the browser's redirect (RFC 8252 §7.3): the
//! redirect URI is `http://127.0.0.1:PORT/path`, and this process listens there.
//!
//! The first `GET` of the redirect path is handed to the caller together with a way to
//! answer the browser, so the page the user sees says whether the sign-in worked. Other
//! paths (a browser asking for `/favicon.ico`) get a 404 and are otherwise ignored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::task::JoinHandle;
use wf_oauth_core::RedirectUri;

use crate::error::CliError;

/// How long the browser's request waits for the outcome of the exchange before it gets a
/// page saying "see the terminal".
const REPLY_WAIT: Duration = Duration::from_secs(60);

/// How long closing waits for the last page to reach the browser.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

/// A request that arrived on the redirect path.
#[derive(Debug)]
pub struct Arrival {
    target: String,
    reply: oneshot::Sender<Result<String, String>>,
}

impl Arrival {
    /// The request target (`/callback?code=…&state=…`); the core resolves it against the
    /// redirect URI.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// Tells the waiting browser how the sign-in ended.
    pub fn respond(self, outcome: Result<String, String>) {
        let _ = self.reply.send(outcome);
    }
}

/// Listens on the loopback address of a redirect URI.
#[derive(Debug)]
pub struct CallbackListener {
    redirect_uri: RedirectUri,
    arrivals: mpsc::Receiver<Arrival>,
    servers: Vec<JoinHandle<()>>,
    shutdown: watch::Sender<bool>,
}

struct Shared {
    path: String,
    arrivals: mpsc::Sender<Arrival>,
}

/// The addresses to listen on for a loopback redirect URI, or `None` when the URI is
/// not `http` on a loopback host (then only pasting the callback works).
pub fn loopback_addrs(redirect: &RedirectUri) -> Option<Vec<SocketAddr>> {
    let url = redirect.url();
    if url.scheme() != "http" {
        return None;
    }
    let port = url.port_or_known_default()?;
    let v4 = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port);
    let v6 = SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port);
    match url.host_str()? {
        "127.0.0.1" => Some(vec![v4]),
        "[::1]" => Some(vec![v6]),
        // Browsers resolve `localhost` to either family.
        "localhost" => Some(vec![v4, v6]),
        _ => None,
    }
}

impl CallbackListener {
    /// Listens where `redirect` points. The first address must bind (an error says what
    /// to do when the port is taken); further ones (`localhost`'s IPv6) are best effort.
    pub async fn bind(redirect: &RedirectUri) -> Result<Self, CliError> {
        let addrs = loopback_addrs(redirect).ok_or_else(|| {
            CliError::usage(format!(
                "{redirect} is not a loopback http redirect URI; paste the callback instead"
            ))
        })?;
        let mut listeners = Vec::new();
        for (i, addr) in addrs.iter().enumerate() {
            match TcpListener::bind(addr).await {
                Ok(l) => listeners.push(l),
                Err(e) if i == 0 => {
                    return Err(CliError::failure(format!(
                        "cannot listen on {addr} for the redirect URI {redirect}: {e} — stop \
                         what uses that port, or use --no-browser and paste the callback"
                    )));
                }
                Err(_) => {}
            }
        }
        Ok(Self::serve(redirect.clone(), listeners))
    }

    /// Listens on `127.0.0.1` on a port chosen by the OS, at `path`; the redirect URI
    /// becomes `http://127.0.0.1:PORT{path}` (the demo registers it with its fake).
    pub async fn bind_ephemeral(path: &str) -> Result<Self, CliError> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(|e| CliError::failure(format!("cannot listen on 127.0.0.1: {e}")))?;
        let port = listener
            .local_addr()
            .map_err(|e| CliError::failure(format!("cannot listen on 127.0.0.1: {e}")))?
            .port();
        let redirect = RedirectUri::parse(&format!("http://127.0.0.1:{port}{path}"))
            .map_err(|e| CliError::usage(e.to_string()))?;
        Ok(Self::serve(redirect, vec![listener]))
    }

    fn serve(redirect_uri: RedirectUri, listeners: Vec<TcpListener>) -> Self {
        let (tx, rx) = mpsc::channel(4);
        let shared = Arc::new(Shared {
            path: redirect_uri.url().path().to_owned(),
            arrivals: tx,
        });
        let router = Router::new().fallback(handle).with_state(shared);
        let (shutdown, stop) = watch::channel(false);
        let servers = listeners
            .into_iter()
            .map(|l| {
                let router = router.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let stopped = async move {
                        let _ = stop.wait_for(|s| *s).await;
                    };
                    let _ = axum::serve(l, router).with_graceful_shutdown(stopped).await;
                })
            })
            .collect();
        CallbackListener {
            redirect_uri,
            arrivals: rx,
            servers,
            shutdown,
        }
    }

    /// Stops listening once the pages being sent have reached the browser (for at most a
    /// few seconds), so the process never exits in the middle of the last page.
    pub async fn close(mut self) {
        let _ = self.shutdown.send(true);
        for server in self.servers.drain(..) {
            let _ = tokio::time::timeout(CLOSE_WAIT, server).await;
        }
    }

    /// Answers `arrival` with `outcome`, then closes the listener (see [`Self::close`]).
    pub async fn answer(self, arrival: Arrival, outcome: Result<String, String>) {
        arrival.respond(outcome);
        self.close().await;
    }

    /// The redirect URI this listener serves.
    pub fn redirect_uri(&self) -> &RedirectUri {
        &self.redirect_uri
    }

    /// The next request on the redirect path.
    pub async fn next(&mut self) -> Option<Arrival> {
        self.arrivals.recv().await
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        for server in &self.servers {
            server.abort();
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri) -> Response {
    if uri.path() != shared.path {
        return page(StatusCode::NOT_FOUND, "Not found", "Nothing here.");
    }
    if method != Method::GET {
        return page(
            StatusCode::METHOD_NOT_ALLOWED,
            "Method not allowed",
            "The sign-in callback is a GET request.",
        );
    }
    let target = uri
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| shared.path.clone());
    let (reply, outcome) = oneshot::channel();
    if shared
        .arrivals
        .send(Arrival { target, reply })
        .await
        .is_err()
    {
        return page(
            StatusCode::GONE,
            "Not waiting",
            "wf-oauth is no longer waiting for this sign-in. Start it again in the terminal.",
        );
    }
    match tokio::time::timeout(REPLY_WAIT, outcome).await {
        Ok(Ok(Ok(message))) => page(StatusCode::OK, "Signed in", &message),
        Ok(Ok(Err(message))) => page(StatusCode::BAD_REQUEST, "Sign-in failed", &message),
        _ => page(
            StatusCode::OK,
            "Authorization received",
            "wf-oauth received the authorization; see the terminal for the result.",
        ),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t} - \
         wf-oauth</title></head>\n<body style=\"font-family:sans-serif;max-width:34rem;\
         margin:4rem auto\"><h1>{t}</h1><p>{m}</p><p>You can close this tab and return to \
         the terminal.</p></body></html>\n",
        t = escape(title),
        m = escape(message)
    );
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The address of this page carries the authorization code: keep it out of caches
    // and out of any Referer.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_are_served() {
        let addrs = |s: &str| loopback_addrs(&RedirectUri::parse(s).unwrap());
        assert_eq!(
            addrs("http://127.0.0.1:8765/callback").unwrap(),
            vec!["127.0.0.1:8765".parse().unwrap()]
        );
        assert_eq!(addrs("http://localhost:9/cb").unwrap().len(), 2);
        assert_eq!(
            addrs("http://[::1]:9/cb").unwrap(),
            vec!["[::1]:9".parse().unwrap()]
        );
        assert!(addrs("https://app.example.com/callback").is_none());
        assert!(addrs("com.example.app:/callback").is_none());
    }

    #[test]
    fn pages_escape_messages() {
        assert_eq!(escape("<b>&\""), "&lt;b&gt;&amp;&quot;");
    }
}
