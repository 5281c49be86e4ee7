//! `login --provider ims|generic` against the fake in Adobe IMS mode: the web app with a
//! secret, the single-page app with PKCE, a generic OAuth 2 server, and every provider
//! configuration mistake with its exit code.

mod common;

use std::time::Duration;

use common::{
    Cli, Out, SECRET_VAR, fake_with, profile_json, query_param, redirect_uri, sign_in_by_paste,
};
use serde_json::Value;
use wf_oauth_mock::{
    DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PUBLIC_CLIENT_ID,
    MockWorkfront, Mode, RunningMock,
};

const SCOPE: &str = "openid AdobeID additional_info.projectedProductContext";

/// The fake in IMS mode, on a manual clock, with `redirect` registered.
async fn ims_fake(redirect: &str) -> RunningMock {
    fake_with(
        MockWorkfront::builder()
            .mode(Mode::AdobeIms)
            .allow_loopback_redirects(true)
            .manual_clock()
            .redirect_uri(redirect),
    )
    .await
}

/// `login --no-browser ARGS`, signing in on the fake's pages and pasting the callback.
/// Returns the output and the authorize URL that was shown.
async fn login(cli: &Cli, args: &[&str]) -> (Out, String) {
    let mut all = vec!["login", "--no-browser", "--timeout", "60"];
    all.extend_from_slice(args);
    sign_in_by_paste(cli, &all).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ims_web_app_login_then_every_command_without_repeating_options() {
    let redirect = redirect_uri();
    let mock = ims_fake(&redirect).await;
    let base = mock.base_url();
    let cli = Cli::new();
    let (out, url) = login(
        &cli,
        &[
            "--provider",
            "ims",
            "--ims-host",
            &base,
            "--scope",
            SCOPE,
            "--instance",
            &base,
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
            "--redirect-uri",
            &redirect,
            "--verbose",
        ],
    )
    .await;
    out.expect_code(0);
    assert!(url.starts_with(&mock.ims_authorize_url()), "{url}");
    let mut printed = vec![out.all()];
    assert_eq!(query_param(&url, "scope").as_deref(), Some(SCOPE));
    assert!(
        out.stderr.contains("through Adobe IMS as profile default"),
        "{}",
        out.stderr
    );
    // The client secret went in the form (IMS's default), never anywhere in the output.
    assert_eq!(mock.stats().grant_status("authorization_code", "200"), 1);
    assert!(!out.all().contains(DEFAULT_CLIENT_SECRET));

    let profile = profile_json(&cli, "default");
    assert_eq!(profile["provider"], "adobe-ims");
    assert_eq!(profile["ims_host"], base.as_str());
    assert_eq!(profile["client_auth"], "post");
    assert_eq!(profile["scope"], SCOPE);
    assert!(!profile.to_string().contains(DEFAULT_CLIENT_SECRET));

    // Bearer calls: the fake in IMS mode refuses anything else.
    let out = cli
        .run(&["api", "GET", "proj/search", "-f", "ID,name"])
        .await;
    out.expect_code(0);
    let projects: Value = serde_json::from_str(&out.stdout).unwrap();
    assert!(!projects.as_array().unwrap().is_empty());

    printed.push(out.all());
    let out = cli.run(&["--verbose", "api", "GET", "user/count"]).await;
    out.expect_code(0);
    printed.push(out.all());

    let out = cli.run(&["token", "--json"]).await;
    out.expect_code(0);
    printed.push(out.all());
    let meta: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(meta["token_type"], "Bearer");
    let shown = cli.run(&["token", "--json", "--show-secrets"]).await;
    let secrets: Value = serde_json::from_str(&shown.stdout).unwrap();
    for secret in [&secrets["access_token"], &secrets["refresh_token"]] {
        let secret = secret.as_str().unwrap();
        assert!(printed.iter().all(|text| !text.contains(secret)));
    }
    assert_ne!(meta["expires_at"], "unknown", "IMS says when it expires");

    let out = cli.run(&["status", "--json"]).await;
    out.expect_code(0);
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    let row = &status["profiles"][0];
    assert_eq!(row["provider"], "adobe-ims");
    assert_eq!(row["ims_host"], base.as_str());
    assert_eq!(row["grant"], "authorization_code");
    assert_eq!(row["needs_reauth"], false);
    let out = cli.run(&["status"]).await;
    out.expect_code(0);
    assert!(
        out.stdout.contains(&format!("adobe-ims ({base})")),
        "{}",
        out.stdout
    );

    // A day later the fake refuses the token: refreshed with the refresh token, replayed.
    mock.advance_clock(DEFAULT_ACCESS_TOKEN_TTL + Duration::from_secs(1));
    let out = cli.run(&["api", "GET", "user/count"]).await;
    out.expect_code(0);
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    let out = cli.run(&["refresh"]).await;
    out.expect_code(0);
    assert!(
        out.stdout.contains("Refreshed profile default"),
        "{}",
        out.stdout
    );
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 2);
    let out = cli.run(&["logout"]).await;
    out.expect_code(0);
    let out = cli.run(&["token"]).await;
    out.expect_code(3);
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ims_single_page_app_signs_in_with_pkce() {
    let redirect = redirect_uri();
    let mock = ims_fake(&redirect).await;
    let base = mock.base_url();
    let cli = Cli::new();
    let (out, url) = login(
        &cli,
        &[
            "--provider",
            "adobe-ims",
            "--ims-host",
            &base,
            "--scope",
            SCOPE,
            "--instance",
            &base,
            "--client-id",
            DEFAULT_PUBLIC_CLIENT_ID,
            "--pkce",
            "--redirect-uri",
            &redirect,
        ],
    )
    .await;
    out.expect_code(0);
    assert_eq!(
        query_param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    let profile = profile_json(&cli, "default");
    assert_eq!(profile["public_client"], true);
    assert_eq!(profile["provider"], "adobe-ims");
    // No secret involved anywhere afterwards either.
    let mut cmd = cli.command(&["api", "GET", "proj/search"]);
    cmd.env_remove(SECRET_VAR);
    cli.run_command(cmd).await.expect_code(0);
    mock.advance_clock(DEFAULT_ACCESS_TOKEN_TTL + Duration::from_secs(1));
    let mut cmd = cli.command(&["api", "GET", "proj/search"]);
    cmd.env_remove(SECRET_VAR);
    cli.run_command(cmd).await.expect_code(0);
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_generic_provider_uses_the_urls_it_was_given() {
    let redirect = redirect_uri();
    let mock = ims_fake(&redirect).await;
    let base = mock.base_url();
    let authorize = mock.ims_authorize_url();
    let token = mock.ims_token_url();
    let cli = Cli::new();
    let (out, url) = login(
        &cli,
        &[
            "--provider",
            "generic",
            "--authorize-url",
            &authorize,
            "--token-url",
            &token,
            "--scope",
            SCOPE,
            "--instance",
            &base,
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
            "--redirect-uri",
            &redirect,
            "--profile",
            "other",
        ],
    )
    .await;
    out.expect_code(0);
    assert!(url.starts_with(&authorize), "{url}");
    let profile = profile_json(&cli, "other");
    assert_eq!(profile["provider"], "generic");
    assert_eq!(profile["authorize_url"], authorize.as_str());
    assert_eq!(profile["token_url"], token.as_str());
    assert_eq!(profile["client_auth"], "basic", "the core's default");

    let out = cli.run(&["api", "GET", "user/count", "-p", "other"]).await;
    out.expect_code(0);
    let out = cli.run(&["refresh", "--profile", "other"]).await;
    out.expect_code(0);
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    let out = cli.run(&["status", "--json"]).await;
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["profiles"][0]["provider"], "generic");
    assert_eq!(status["profiles"][0]["token_url"], token.as_str());

    // Signing in again without options keeps the provider and its URLs.
    let (out, url) = login(&cli, &["--profile", "other"]).await;
    out.expect_code(0);
    assert!(url.starts_with(&authorize), "{url}");
    assert_eq!(profile_json(&cli, "other"), profile);
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn provider_mistakes_are_usage_errors_and_send_nothing() {
    let redirect = redirect_uri();
    let mock = ims_fake(&redirect).await;
    let base = mock.base_url();
    let cli = Cli::new();
    let client = [
        "--instance",
        base.as_str(),
        "--client-id",
        DEFAULT_CLIENT_ID,
        "--client-secret-env",
        SECRET_VAR,
    ];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["login", "--provider", "ims", "--ims-host", &base],
            "Adobe IMS requires a scope: pass --scope",
        ),
        (
            vec!["token", "--client-credentials", "--provider", "ims"],
            "Adobe IMS requires a scope: pass --scope",
        ),
        (
            vec!["login", "--provider", "generic", "--scope", SCOPE],
            "--provider generic needs both --authorize-url URL and --token-url URL",
        ),
        (
            vec![
                "login",
                "--provider",
                "generic",
                "--token-url",
                "https://auth.example.com/token",
            ],
            "--provider generic needs both",
        ),
        (
            vec![
                "login",
                "--provider",
                "generic",
                "--authorize-url",
                "http://auth.example.com/authorize",
                "--token-url",
                "https://auth.example.com/token",
            ],
            "--authorize-url http://auth.example.com/authorize is refused",
        ),
        (
            vec![
                "login",
                "--provider",
                "ims",
                "--scope",
                SCOPE,
                "--ims-host",
                "http://ims.example.com",
            ],
            "--ims-host http://ims.example.com is refused: endpoint URL: plain http is only \
             accepted for loopback hosts",
        ),
        (
            vec![
                "token",
                "--client-credentials",
                "--provider",
                "ims",
                "--scope",
                SCOPE,
                "--ims-host",
                "ftp://ims.example.com",
            ],
            "--ims-host ftp://ims.example.com is refused",
        ),
        (
            vec!["login", "--ims-host", &base],
            "--ims-host goes with --provider ims",
        ),
        (
            vec![
                "login",
                "--provider",
                "ims",
                "--scope",
                SCOPE,
                "--token-url",
                "https://auth.example.com/token",
            ],
            "--authorize-url and --token-url go with --provider generic",
        ),
        (
            vec!["token", "--client-credentials"],
            "--client-credentials (Server-to-Server) needs --provider ims or --provider \
             generic: Workfront's legacy OAuth 2 service has no client credentials grant",
        ),
        (
            vec!["token", "--client-credentials", "--provider", "workfront"],
            "no client credentials grant",
        ),
        (
            vec!["token", "--provider", "ims", "--scope", SCOPE],
            "add --client-credentials",
        ),
        (
            vec!["login", "--provider", "ims", "--scope", "bad\"scope"],
            "scope",
        ),
    ];
    for (mut args, expected) in cases {
        args.extend_from_slice(&client);
        let out = cli.run(&args).await;
        out.expect_code(2);
        let line = out.error_line();
        assert!(line.contains(expected), "{args:?}\n{line}");
        assert!(!out.all().contains(DEFAULT_CLIENT_SECRET));
    }
    // Unknown providers are clap's usage errors.
    let out = cli.run(&["login", "--provider", "okta"]).await;
    out.expect_code(2);
    assert!(out.stderr.contains("legacy"), "{}", out.stderr);
    // Nothing was sent, nothing saved.
    assert_eq!(mock.stats(), wf_oauth_mock::Stats::default());
    assert!(!cli.config.path().join("profiles").exists());
    mock.shutdown().await;
}
