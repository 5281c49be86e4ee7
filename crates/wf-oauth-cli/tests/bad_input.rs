//! Every way a sign-in or a call can go wrong: the exit code and the one-line message.

mod common;

use std::time::Duration;

use common::{
    Cli, Out, fake, fake_with, free_port, query_param, redirect_uri, sign_in, with_param,
};
use wf_oauth_cli::mock_browser::{Consent, MockBrowser};
use wf_oauth_mock::{DEFAULT_PASSWORD, DEFAULT_USERNAME, MockWorkfront};

/// Starts `login --no-browser`, lets `make_paste` turn the fake's redirect into what is
/// pasted, and returns the result.
async fn paste_login(
    instance: &str,
    redirect: &str,
    consent: Consent,
    before_paste: impl FnOnce(),
    make_paste: impl FnOnce(&str) -> String,
) -> Out {
    let cli = Cli::new();
    let mut args = Cli::login_args(instance, redirect);
    args.push("--no-browser");
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    let callback = MockBrowser::new()
        .unwrap()
        .authorize(&url, DEFAULT_USERNAME, DEFAULT_PASSWORD, consent)
        .await
        .unwrap();
    before_paste();
    login.paste(&make_paste(&callback)).await;
    login.finish().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pasted_address_with_another_state_is_refused() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let out = paste_login(
        &mock.base_url(),
        &redirect,
        Consent::Allow,
        || {},
        |cb| with_param(cb, "state", "forged-state-of-another-sign-in"),
    )
    .await;
    out.expect_code(4);
    assert!(
        out.error_line().contains("state mismatch"),
        "{}",
        out.stderr
    );
    assert_eq!(
        mock.stats().grant("authorization_code"),
        0,
        "no code was sent"
    );
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_consent_is_reported_plainly() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let out = paste_login(
        &mock.base_url(),
        &redirect,
        Consent::Deny,
        || {},
        |cb| {
            assert_eq!(query_param(cb, "error").as_deref(), Some("access_denied"));
            cb.to_owned()
        },
    )
    .await;
    out.expect_code(4);
    let line = out.error_line();
    assert!(
        line.contains("access was denied") && line.contains("access_denied"),
        "{line}"
    );
    assert!(line.contains("choose Allow"), "{line}");
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_code_is_refused_with_what_to_do() {
    let redirect = redirect_uri();
    let mock = fake_with(
        MockWorkfront::builder()
            .redirect_uri(redirect.as_str())
            .manual_clock(),
    )
    .await;
    let out = paste_login(
        &mock.base_url(),
        &redirect,
        Consent::Allow,
        || mock.advance_clock(Duration::from_secs(121)),
        str::to_owned,
    )
    .await;
    out.expect_code(4);
    let line = out.error_line();
    assert!(line.contains("authorization code expired"), "{line}");
    assert!(
        line.contains("live 2 minutes") && line.contains("wf-oauth login"),
        "{line}"
    );
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_instance_is_a_network_error() {
    // Nothing listens on this port: the exchange cannot connect.
    let instance = format!("http://127.0.0.1:{}", free_port());
    let redirect = redirect_uri();
    let cli = Cli::new();
    let mut args = Cli::login_args(&instance, &redirect);
    args.push("--no-browser");
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    let state = query_param(&url, "state").unwrap();
    login
        .paste(&format!("{redirect}?code=c0de&state={state}"))
        .await;
    let out = login.finish().await;
    out.expect_code(5);
    let line = out.error_line();
    assert!(
        line.contains("cannot connect to") && line.contains(&instance),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_instances_are_usage_errors() {
    let cli = Cli::new();
    for instance in [
        "bad host!",
        "http://acme.my.workfront.com",
        "https://user@acme.com",
        "acme",
    ] {
        let out = cli
            .run(&[
                "login",
                "--instance",
                instance,
                "--client-id",
                "c",
                "--pkce",
            ])
            .await;
        out.expect_code(2);
        assert!(
            out.error_line().contains("invalid Workfront instance"),
            "{instance}: {}",
            out.stderr
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_secret_variable_is_named() {
    let cli = Cli::new();
    let out = cli
        .run(&[
            "login",
            "--instance",
            "acme.my.workfront.com",
            "--client-id",
            "c",
            "--client-secret-env",
            "WF_OAUTH_TEST_UNSET_SECRET",
        ])
        .await;
    out.expect_code(2);
    let line = out.error_line();
    assert!(
        line.contains("WF_OAUTH_TEST_UNSET_SECRET is not set"),
        "{line}"
    );
    let out = cli
        .run(&[
            "login",
            "--instance",
            "acme.my.workfront.com",
            "--client-id",
            "c",
        ])
        .await;
    out.expect_code(2);
    assert!(
        out.error_line().contains("--client-secret-env"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_without_a_callback_ends_cleanly() {
    let cli = Cli::new();
    // Standard input ends before anything is pasted.
    let out = cli
        .run(&[
            "login",
            "--instance",
            "acme.my.workfront.com",
            "--client-id",
            "c",
            "--pkce",
            "--no-browser",
        ])
        .await;
    out.expect_code(4);
    assert!(
        out.error_line().contains("standard input ended"),
        "{}",
        out.stderr
    );
    // Nobody comes back to the listener.
    let redirect = redirect_uri();
    let out = cli
        .run(&[
            "login",
            "--instance",
            "acme.my.workfront.com",
            "--client-id",
            "c",
            "--pkce",
            "--redirect-uri",
            &redirect,
            "--timeout",
            "1",
        ])
        .await;
    out.expect_code(4);
    assert!(
        out.error_line().contains("no sign-in came back within 1 s"),
        "{}",
        out.stderr
    );
    // Garbage pasted.
    let mut login = cli.spawn(&[
        "login",
        "--instance",
        "acme.my.workfront.com",
        "--client-id",
        "c",
        "--pkce",
        "--no-browser",
    ]);
    login.authorize_url().await;
    login.paste("this is not a callback").await;
    let out = login.finish().await;
    out.expect_code(4);
    assert!(
        out.error_line().contains("neither an address nor"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_mistakes_exit_2() {
    let cli = Cli::new();
    let cases: &[(&[&str], &str)] = &[
        (&["login", "--client-id", "c"], "--instance is required"),
        (
            &["login", "--instance", "acme.my.workfront.com"],
            "--client-id is required",
        ),
        (
            &[
                "login",
                "--instance",
                "acme.my.workfront.com",
                "--client-id",
                "c",
                "--pkce",
                "--redirect-uri",
                "http://example.com/cb",
            ],
            "invalid redirect URI",
        ),
        (
            &[
                "login",
                "--instance",
                "acme.my.workfront.com",
                "--client-id",
                "c",
                "--pkce",
                "--api-version",
                "20",
            ],
            "API version",
        ),
        (
            &[
                "login",
                "--instance",
                "acme.my.workfront.com",
                "--client-id",
                "c",
                "--pkce",
                "--client-secret-env",
                "X",
            ],
            "--pkce is for public applications",
        ),
        (
            &[
                "login",
                "--profile",
                "../x",
                "--instance",
                "a.b.com",
                "--client-id",
                "c",
            ],
            "invalid profile name",
        ),
        (
            &["api", "GET", "proj/search", "-d", "{}"],
            "--data goes with POST or PUT",
        ),
        (
            &["api", "POST", "proj", "-d", "{not json"],
            "--data is not valid JSON",
        ),
        (
            &["api", "GET", "proj", "--all"],
            "--all pages through a search",
        ),
    ];
    for (args, expected) in cases {
        let out = cli.run(args).await;
        out.expect_code(2);
        assert!(
            out.error_line().contains(expected),
            "{args:?}: {}",
            out.stderr
        );
    }
    // clap's own usage errors use 2 as well.
    cli.run(&["api", "FETCH", "proj"]).await.expect_code(2);
    cli.run(&["token", "--show-secrets"]).await.expect_code(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_on_a_missing_profile_ask_for_a_login() {
    let cli = Cli::new();
    for args in [
        &["token"][..],
        &["refresh", "--profile", "work"],
        &["api", "GET", "proj/search"],
    ] {
        let out = cli.run(args).await;
        out.expect_code(3);
        assert!(
            out.error_line().contains("wf-oauth login"),
            "{args:?}: {}",
            out.stderr
        );
    }
    let out = cli.run(&["status"]).await;
    out.expect_code(0);
    assert!(out.stdout.contains("No profiles yet"), "{}", out.stdout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_refresh_token_means_sign_in_again() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let cli = Cli::new();
    sign_in(&cli, &mock.base_url(), &redirect).await;

    // A wrong secret is the client's configuration, not the user's sign-in.
    let mut cmd = cli.command(&["refresh"]);
    cmd.env(common::SECRET_VAR, "not-the-secret");
    let out = cli.run_command(cmd).await;
    out.expect_code(7);
    assert!(
        out.error_line().contains("invalid_client"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("not-the-secret"));
    // A confidential client's refresh needs the secret.
    let mut cmd = cli.command(&["refresh"]);
    cmd.env_remove(common::SECRET_VAR);
    let out = cli.run_command(cmd).await;
    out.expect_code(2);
    assert!(
        out.error_line().contains(common::SECRET_VAR),
        "{}",
        out.stderr
    );

    mock.revoke_all_refresh_tokens();
    mock.expire_all_sessions();
    let out = cli.run(&["api", "GET", "proj/search"]).await;
    out.expect_code(3);
    assert!(
        out.error_line().contains("run `wf-oauth login`"),
        "{}",
        out.stderr
    );
    // The refusal is remembered: later commands fail fast without a request.
    let requests = mock.stats().requests("token");
    let out = cli.run(&["refresh"]).await;
    out.expect_code(3);
    assert_eq!(mock.stats().requests("token"), requests);
    let out = cli.run(&["status", "--json"]).await;
    let status: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["profiles"][0]["needs_reauth"], true);
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_over_the_loopback_listener_is_shown_in_the_browser_too() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let cli = Cli::new();
    let instance = mock.base_url();
    let mut args = Cli::login_args(&instance, &redirect);
    args.extend(["--browser", "none"]);
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    let browser = MockBrowser::new().unwrap();
    let callback = browser
        .clone()
        .authorize(&url, DEFAULT_USERNAME, DEFAULT_PASSWORD, Consent::Deny)
        .await
        .unwrap();
    let (status, page) = browser.visit(&callback).await.unwrap();
    assert_eq!(status, 400);
    assert!(
        page.contains("Sign-in failed") && page.contains("access was denied"),
        "{page}"
    );
    let out = login.finish().await;
    out.expect_code(4);
    assert!(
        out.error_line().contains("access was denied"),
        "{}",
        out.stderr
    );
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_taken_callback_port_says_what_to_do() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/callback",
        taken.local_addr().unwrap().port()
    );
    let cli = Cli::new();
    let out = cli
        .run(&[
            "login",
            "--instance",
            "acme.my.workfront.com",
            "--client-id",
            "c",
            "--pkce",
            "--redirect-uri",
            &redirect,
        ])
        .await;
    out.expect_code(1);
    let line = out.error_line();
    assert!(
        line.contains("cannot listen on") && line.contains("--no-browser"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_errors_and_an_unreachable_logout() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let cli = Cli::new();
    sign_in(&cli, &mock.base_url(), &redirect).await;

    // Workfront's own error object: exit 6 with its message.
    let out = cli
        .run(&["api", "GET", "proj/search", "-q", "noSuchField=1"])
        .await;
    out.expect_code(6);
    assert!(
        out.error_line().contains("Workfront API answered 400"),
        "{}",
        out.stderr
    );
    // A path that could leave the API base is refused before anything is sent.
    let out = cli.run(&["api", "GET", "../../integrations/x"]).await;
    out.expect_code(2);
    assert!(out.error_line().contains("API path"), "{}", out.stderr);

    // The instance is gone: the tokens are still forgotten, and the failure is reported.
    mock.shutdown().await;
    let out = cli.run(&["logout"]).await;
    out.expect_code(5);
    let line = out.error_line();
    assert!(line.contains("the stored tokens were deleted"), "{line}");
    assert!(line.contains("cannot connect to"), "{line}");
    cli.run(&["token"]).await.expect_code(3);
}
