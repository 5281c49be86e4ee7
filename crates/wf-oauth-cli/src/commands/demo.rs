//! `wf-oauth demo`: the whole flow against an embedded fake Workfront, step by step.
//!
//! Nothing here is simulated on the client side: the authorize URL, the callback check,
//! the code exchange, the API calls, the refresh after the session expired and the logout
//! all go through the same driver and core as `wf-oauth login` and `wf-oauth api`. Only
//! the user is scripted ([`MockBrowser`]) unless a browser is opened.

use std::time::Duration;

use futures::TryStreamExt as _;
use serde_json::Value;
use tokio::task::JoinHandle;
use wf_oauth_core::{ClientAuth, ClientConfig, ClientSecret, Instance};
use wf_oauth_http::{CredentialStore, WorkfrontClient};
use wf_oauth_mock::{
    DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME, MockWorkfront,
    RunningMock,
};

use super::demo_report::{Report, project_table, redact_state};
use crate::browser;
use crate::callback::{Arrival, CallbackListener};
use crate::cli::DemoArgs;
use crate::error::{CliError, Hint};
use crate::mock_browser::{Consent, MockBrowser};
use crate::output::{Steps, Ui, println_out};
use crate::session::oauth_client;

/// The demo's key in its temporary token store.
const DEMO_KEY: &str = "demo";

/// Fields shown in the project table.
const PROJECT_FIELDS: &str = "status,percentComplete,plannedCompletionDate";

/// What the scripted browser reports once the fake's redirect has been followed.
type BrowserRun = JoinHandle<Result<u16, CliError>>;

fn hint(mock: &RunningMock) -> Hint {
    Hint {
        login_command: "wf-oauth demo".to_owned(),
        instance: mock.base_url(),
    }
}

/// Runs the demo.
pub async fn run(args: &DemoArgs, ui: Ui) -> Result<(), CliError> {
    println_out(
        "wf-oauth demo: Workfront's OAuth 2 authorization code flow against an embedded fake \
         Workfront\n",
    );
    let mut steps = Steps::new(ui, 10);
    let mut report = Report::default();

    // 1. The fake, with this process's callback listener as its registered redirect URI.
    let step = steps.start("Starting the fake Workfront");
    let mut listener = CallbackListener::bind_ephemeral("/callback").await?;
    let redirect = listener.redirect_uri().clone();
    let mock = MockWorkfront::builder()
        .redirect_uri(redirect.as_str())
        .spawn()
        .await
        .map_err(|e| CliError::failure(format!("cannot start the fake Workfront: {e}")))?;
    let hint = hint(&mock);
    let cfg = mock.config();
    report.instance = format!(
        "{} (fake; callback names domain {}, lane {})",
        mock.base_url(),
        cfg.domain,
        cfg.lane
    );
    step.done(&format!(
        "fake Workfront at {}; this program receives the callback at {redirect}",
        mock.base_url()
    ));

    // 2. The authorize URL.
    let step = steps.start("Building the authorize URL");
    let usage = |e: wf_oauth_core::Error| CliError::usage(e.to_string());
    let config = ClientConfig::builder(
        Instance::parse(&mock.base_url()).map_err(usage)?,
        DEFAULT_CLIENT_ID,
    )
    .client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
    .redirect_uri(redirect.clone())
    .client_auth(ClientAuth::Basic)
    .build()
    .map_err(usage)?;
    let oauth = oauth_client(config)?;
    let pending = oauth
        .authorize()
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    step.done(&format!(
        "GET {} (state: 256 random bits, checked when the browser comes back)",
        redact_state(pending.url())
    ));

    // 3. The user signs in and allows access.
    let step = steps.start("Signing in and allowing access");
    let opened = args.browser.wants_browser() && browser::open(pending.url());
    let scripted: Option<BrowserRun> = if opened {
        step.note(&format!(
            "Opened the fake's sign-in page in your browser: sign in as {DEFAULT_USERNAME} / \
             {DEFAULT_PASSWORD} and press Allow (or open {})",
            pending.url()
        ));
        None
    } else {
        Some(spawn_scripted_browser(pending.url().to_owned()))
    };
    let (arrival, mut scripted) =
        wait_for_callback(&mut listener, scripted, Duration::from_secs(args.timeout)).await;
    let arrival = match arrival {
        Ok(a) => a,
        Err(e) => {
            step.abandon();
            return Err(e);
        }
    };
    step.done(&if opened {
        "signed in with the system browser; it was redirected back to this program".to_owned()
    } else {
        format!(
            "signed in as {DEFAULT_USERNAME} on the login page, pressed Allow on the consent \
             page; the fake redirected the browser to {redirect}?code=…&domain=…&lane=…&state=…"
        )
    });

    // 4. The callback, checked by the core.
    let step = steps.start("Checking the callback");
    let authorization = match pending.accept_callback(arrival.target(), oauth.now()) {
        Ok(a) => a,
        Err(e) => {
            let error = CliError::from_protocol(&e, &hint);
            arrival.respond(Err(error.message().to_owned()));
            step.abandon();
            return Err(error);
        }
    };
    report.code = authorization.code().fingerprint();
    step.done(&format!(
        "state matches this sign-in; authorization code {} (single use, valid 2 minutes)",
        authorization.code().fingerprint()
    ));

    // 5. The code exchange; the tokens go to a private temporary store.
    let step = steps.start("Exchanging the code for tokens");
    let dir = tempfile::tempdir()
        .map_err(|e| CliError::failure(format!("cannot create a temporary directory: {e}")))?;
    let store = CredentialStore::file(dir.path().join("tokens"))
        .map_err(|e| CliError::failure(format!("cannot create the temporary token store: {e}")))?;
    let exchanged = oauth.exchange_code(&authorization).await;
    let tokens = match exchanged {
        Ok(t) => t,
        Err(e) => {
            let error = CliError::from_driver(&e, &hint);
            arrival.respond(Err(error.message().to_owned()));
            step.abandon();
            return Err(error);
        }
    };
    report.exchanged_after = oauth.now().secs_since(authorization.received_at());
    let client = WorkfrontClient::login(oauth.clone(), store.clone(), DEMO_KEY, tokens.clone())
        .await
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    respond(arrival, &mut scripted).await?;
    report.first_tokens(&tokens);
    step.done(&format!(
        "POST /integrations/oauth2/api/v1/token (authorization_code, client secret via HTTP \
         Basic) → token_type {}, access token {}, refresh token {}, expiry {} (Workfront \
         sessions slide); saved to a 0600 file in a temporary directory",
        tokens.token_type(),
        tokens.access_token().fingerprint(),
        tokens
            .refresh_token()
            .map_or_else(|| "none".to_owned(), |r| r.fingerprint()),
        tokens
            .expires_at()
            .map_or_else(|| "unknown".to_owned(), |t| t.to_string()),
    ));

    // 6. A first API call.
    let step = steps.start("Calling the API");
    let limit = args.projects.to_string();
    let query = [("fields", PROJECT_FIELDS), ("$$LIMIT", &limit)];
    let version = client.oauth().config().api_version().to_string();
    let projects = client
        .get("proj/search", &query)
        .await
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    step.done(&format!(
        "GET /attask/api/{version}/proj/search with header sessionID: [{}] → {} projects",
        tokens.access_token().fingerprint(),
        count(&projects)
    ));
    println_out(&project_table(ui, &projects).to_string());

    // 7. The session ends on the server, as after 8 hours without activity.
    let step = steps.start("Expiring the session on the fake");
    let expired = mock.expire_all_sessions();
    step.done(&format!(
        "the fake ended {expired} session(s), as Workfront does after 8 hours without activity"
    ));

    // 8. The same call again: refused, refreshed once, replayed.
    let step = steps.start("Calling the API again");
    let before = mock.stats();
    let again = client
        .get("proj/search", &query)
        .await
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    let after = mock.stats();
    report.refreshes =
        after.grant_status("refresh_token", "200") - before.grant_status("refresh_token", "200");
    report.auth_failures = after.status("api", "401") - before.status("api", "401");
    let renewed = client.current_tokens();
    report.renewed_tokens(&renewed);
    if report.refreshes != 1 || report.auth_failures != 1 {
        step.abandon();
        return Err(CliError::failure(format!(
            "expected one 401 and one refresh, the fake saw {} and {}",
            report.auth_failures, report.refreshes
        )));
    }
    step.done(&format!(
        "the fake answered 401 AuthenticationException; the client refreshed once \
         (refresh_token grant → 200), saved the rotated refresh token {} before using access \
         token {}, and replayed the call → {} projects",
        renewed
            .refresh_token()
            .map_or_else(|| "none".to_owned(), |r| r.fingerprint()),
        renewed.access_token().fingerprint(),
        count(&again)
    ));

    // 9. Paging through a whole search.
    let step = steps.start("Paging through every project");
    let before = mock.stats();
    let all: Vec<Value> = client
        .search("proj", &[])
        .try_collect()
        .await
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    let pages = mock.stats().requests("api") - before.requests("api");
    report.projects = all.len();
    step.done(&format!(
        "GET proj/search with $$FIRST/$$LIMIT and ID_Sort=asc → {} projects in {pages} pages",
        all.len()
    ));

    // 10. Logging out.
    let step = steps.start("Logging out");
    client
        .logout()
        .await
        .map_err(|e| CliError::from_driver(&e, &hint))?;
    let gone = store
        .load(DEMO_KEY)
        .await
        .map_err(|e| CliError::failure(e.to_string()))?
        .is_none();
    step.done(&format!(
        "GET /attask/api/{version}/logout ended the session; stored tokens deleted: {}",
        if gone { "yes" } else { "no" }
    ));

    report.stats = mock.stats();
    mock.shutdown().await;
    listener.close().await;
    println_out("");
    println_out(&report.render(ui));
    Ok(())
}

fn count(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// The scripted user: signs in, allows, then follows the redirect to the callback
/// listener and reports the status of the page it got.
fn spawn_scripted_browser(url: String) -> BrowserRun {
    tokio::spawn(async move {
        let mut browser = MockBrowser::new()?;
        let callback = browser
            .authorize(&url, DEFAULT_USERNAME, DEFAULT_PASSWORD, Consent::Allow)
            .await?;
        let (status, _page) = browser.visit(&callback).await?;
        Ok(status)
    })
}

/// Waits for the browser's callback; a scripted browser that fails ends the wait at once.
async fn wait_for_callback(
    listener: &mut CallbackListener,
    scripted: Option<BrowserRun>,
    timeout: Duration,
) -> (Result<Arrival, CliError>, Option<BrowserRun>) {
    let secs = timeout.as_secs();
    let timed_out = || {
        CliError::new(
            crate::error::Exit::AuthorizationFailed,
            format!("no sign-in came back within {secs} s — run `wf-oauth demo` again"),
        )
    };
    match scripted {
        None => match tokio::time::timeout(timeout, listener.next()).await {
            Ok(Some(a)) => (Ok(a), None),
            _ => (Err(timed_out()), None),
        },
        Some(mut task) => {
            tokio::select! {
                arrival = tokio::time::timeout(timeout, listener.next()) => match arrival {
                    Ok(Some(a)) => (Ok(a), Some(task)),
                    _ => (Err(timed_out()), Some(task)),
                },
                finished = &mut task => {
                    let error = match finished {
                        Ok(Err(e)) => e,
                        Ok(Ok(status)) => CliError::failure(format!(
                            "the scripted browser ended ({status}) without reaching the callback"
                        )),
                        Err(e) => CliError::failure(format!("the scripted browser failed: {e}")),
                    };
                    (Err(error), None)
                }
            }
        }
    }
}

/// Answers the browser's callback request and, for the scripted one, waits until it has
/// read the page.
async fn respond(arrival: Arrival, scripted: &mut Option<BrowserRun>) -> Result<(), CliError> {
    arrival.respond(Ok("The wf-oauth demo is signed in.".to_owned()));
    if let Some(task) = scripted.take() {
        match task.await {
            Ok(Ok(200)) => {}
            Ok(Ok(status)) => {
                return Err(CliError::failure(format!(
                    "the callback page answered {status}"
                )));
            }
            Ok(Err(e)) => return Err(e),
            Err(e) => {
                return Err(CliError::failure(format!(
                    "the scripted browser failed: {e}"
                )));
            }
        }
    }
    Ok(())
}
