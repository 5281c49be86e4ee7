//! `token --client-credentials` (Adobe IMS Server-to-Server) against the fake in IMS mode:
//! the profile is saved, its token reused while fresh and requested again when it nears
//! expiry or is refused; a wrong secret or the legacy provider fail cleanly.

mod common;

use std::time::Duration;

use common::{Cli, Out, SECRET_VAR, fake_with, profile_json, token_file, token_files};
use serde_json::Value;
use wf_oauth_mock::{
    DEFAULT_ACCESS_TOKEN_TTL, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockWorkfront, Mode,
    RunningMock, Stats,
};

const SCOPE: &str = "openid AdobeID additional_info.projectedProductContext";

async fn ims_fake() -> RunningMock {
    fake_with(MockWorkfront::builder().mode(Mode::AdobeIms).manual_clock()).await
}

/// `token --client-credentials` options for the fake at `base` (its IMS host too).
fn s2s_args(base: &str) -> Vec<&str> {
    vec![
        "token",
        "--client-credentials",
        "--provider",
        "ims",
        "--ims-host",
        base,
        "--scope",
        SCOPE,
        "--instance",
        base,
        "--client-id",
        DEFAULT_CLIENT_ID,
        "--client-secret-env",
        SECRET_VAR,
    ]
}

fn stored_access_token(cli: &Cli) -> String {
    let doc: Value = serde_json::from_slice(&std::fs::read(token_file(cli)).unwrap()).unwrap();
    doc["tokens"]["access_token"].as_str().unwrap().to_owned()
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// Makes the stored token expire in `secs` seconds (as if it had been issued long ago).
fn expire_stored_token_in(cli: &Cli, secs: u64) {
    let path = token_file(cli);
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert!(doc["tokens"]["expires_at"].is_u64(), "{doc}");
    doc["tokens"]["expires_at"] = Value::from(now_secs() + secs);
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
}

fn grants(mock: &RunningMock) -> u64 {
    mock.stats().grant_status("client_credentials", "200")
}

/// The token printed on standard output.
fn printed(out: &Out) -> String {
    out.expect_code(0);
    let token = out.stdout.trim().to_owned();
    assert!(!token.is_empty() && !token.contains(' '), "{}", out.stdout);
    token
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_to_server_token_is_reused_then_requested_again() {
    let mock = ims_fake().await;
    let base = mock.base_url();
    let cli = Cli::new();

    let out = cli.run(&s2s_args(&base)).await;
    let first = printed(&out);
    assert_eq!(first, stored_access_token(&cli));
    assert_eq!(grants(&mock), 1);
    assert!(
        out.stderr
            .contains("Profile default saved: Server-to-Server client demo-client"),
        "{}",
        out.stderr
    );
    assert!(!out.all().contains(DEFAULT_CLIENT_SECRET));
    let profile = profile_json(&cli, "default");
    assert_eq!(profile["client_credentials"], true);
    assert_eq!(profile["provider"], "adobe-ims");
    assert_eq!(profile["ims_host"], base.as_str());
    assert_eq!(profile["secret_env"], SECRET_VAR);
    assert!(!profile.to_string().contains(DEFAULT_CLIENT_SECRET));

    // Fresh: reused by `token` (no secret needed), by the same setup again, and by `api`.
    let mut cmd = cli.command(&["token"]);
    cmd.env_remove(SECRET_VAR);
    assert_eq!(printed(&cli.run_command(cmd).await), first);
    assert_eq!(printed(&cli.run(&s2s_args(&base)).await), first);
    let out = cli.run(&["--verbose", "api", "GET", "proj/search"]).await;
    out.expect_code(0);
    assert!(!out.all().contains(&first), "the token is not logged");
    assert_eq!(grants(&mock), 1, "the stored token is reused");

    let out = cli.run(&["token", "--json"]).await;
    out.expect_code(0);
    let meta: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(meta["token_type"], "Bearer");
    assert_eq!(meta["refresh_token_fingerprint"], Value::Null);

    let out = cli.run(&["status", "--json"]).await;
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    let row = &status["profiles"][0];
    assert_eq!(row["provider"], "adobe-ims");
    assert_eq!(row["grant"], "client_credentials");
    assert_eq!(row["needs_reauth"], false);
    let out = cli.run(&["status"]).await;
    assert!(out.stdout.contains("server-to-server"), "{}", out.stdout);

    // Past its expiry on the fake's clock: the API refuses it, a new one is requested
    // once and the call replayed.
    mock.advance_clock(DEFAULT_ACCESS_TOKEN_TTL + Duration::from_secs(1));
    let out = cli.run(&["--verbose", "api", "GET", "proj/search"]).await;
    out.expect_code(0);
    assert_eq!(grants(&mock), 2);
    let renewed = stored_access_token(&cli);
    assert!(!out.all().contains(&first) && !out.all().contains(&renewed));
    assert_eq!(mock.stats().status("api", "401"), 1);
    let second = printed(&cli.run(&["token"]).await);
    assert_ne!(second, first);
    assert_eq!(second, stored_access_token(&cli));
    assert_eq!(grants(&mock), 2);

    // Near its expiry by this machine's clock: `token` requests a new one before it lapses.
    expire_stored_token_in(&cli, 30);
    let third = printed(&cli.run(&["token"]).await);
    assert_ne!(third, second);
    assert_eq!(grants(&mock), 3);
    expire_stored_token_in(&cli, 30);
    cli.run(&["api", "GET", "user/count"]).await.expect_code(0);
    assert_eq!(grants(&mock), 4);
    assert_eq!(
        mock.stats().status("api", "401"),
        1,
        "renewed before, not after"
    );

    // `refresh` asks for a new token now.
    let out = cli.run(&["refresh"]).await;
    out.expect_code(0);
    assert!(
        out.stdout
            .contains("Requested a new token for profile default"),
        "{}",
        out.stdout
    );
    assert_eq!(grants(&mock), 5);

    // Changing the configuration (another scope) does not reuse a token issued before.
    let mut args = s2s_args(&base);
    args[7] = "openid AdobeID";
    let changed = printed(&cli.run(&args).await);
    assert_eq!(grants(&mock), 6);
    assert_ne!(changed, third);

    cli.run(&["logout"]).await.expect_code(0);
    assert!(cli.config.path().join("tokens").is_dir());
    assert!(token_files(&cli).is_empty());
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_to_server_mistakes_fail_cleanly() {
    let mock = ims_fake().await;
    let base = mock.base_url();
    let cli = Cli::new();
    const WRONG: &str = "not-the-secret-4711-xyz";

    // A wrong secret: the token endpoint refuses the client (7); nothing saved or shown.
    for verbose in [false, true] {
        let mut args = s2s_args(&base);
        if verbose {
            args.push("--verbose");
        }
        let mut cmd = cli.command(&args);
        cmd.env(SECRET_VAR, WRONG);
        let out = cli.run_command(cmd).await;
        out.expect_code(7);
        let line = out.error_line();
        assert!(
            line.starts_with("wf-oauth: the token endpoint refused the client (invalid_client"),
            "{}",
            out.stderr
        );
        assert!(!out.all().contains(WRONG), "{}", out.all());
        assert!(!out.all().contains(DEFAULT_CLIENT_SECRET));
    }
    assert_eq!(mock.stats().grant_status("client_credentials", "401"), 2);
    assert!(!cli.config.path().join("profiles/default.json").exists());

    // The secret variable unset and no terminal: a usage error naming the variable.
    let mut cmd = cli.command(&s2s_args(&base));
    cmd.env_remove(SECRET_VAR);
    let out = cli.run_command(cmd).await;
    out.expect_code(2);
    assert!(out.stderr.contains(SECRET_VAR), "{}", out.stderr);

    // An unreachable IMS host is a network error that names it, not the instance.
    let closed = format!("http://127.0.0.1:{}", common::free_port());
    let mut args = s2s_args(&base);
    args[5] = &closed;
    let out = cli.run(&args).await;
    out.expect_code(5);
    assert!(
        out.stderr.contains(&format!("cannot connect to {closed}")),
        "{}",
        out.stderr
    );
    assert!(!cli.config.path().join("profiles/default.json").exists());

    // The legacy provider has no client credentials grant: refused before any request.
    let before = mock.stats();
    let out = cli
        .run(&[
            "token",
            "--client-credentials",
            "--provider",
            "legacy",
            "--instance",
            &base,
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
        ])
        .await;
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("Workfront's legacy OAuth 2 service has no client credentials grant"),
        "{}",
        out.stderr
    );
    assert_eq!(mock.stats(), before);
    assert!(!cli.config.path().join("profiles/default.json").exists());
    mock.shutdown().await;
}

/// The same with the fake run as `wf-oauth mock --mode ims --manual-clock`, driven over
/// its `/__mock/` endpoints as a test in another process would.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_to_server_against_the_mock_subcommand() {
    let cli = Cli::new();
    let (mut mock, base) = cli.spawn_mock(&["--mode", "ims", "--manual-clock"]).await;
    let http = reqwest::Client::new();

    let token = printed(&cli.run(&s2s_args(&base)).await);
    assert_eq!(printed(&cli.run(&["token"]).await), token);
    assert_eq!(
        fetch_stats(&http, &base).await.grant("client_credentials"),
        1
    );

    let advanced = http
        .post(format!("{base}/__mock/clock/advance"))
        .header("content-type", "application/json")
        .body(serde_json::json!({ "secs": DEFAULT_ACCESS_TOKEN_TTL.as_secs() + 1 }).to_string())
        .send()
        .await
        .unwrap();
    assert!(advanced.status().is_success());
    cli.run(&["api", "GET", "user/count"]).await.expect_code(0);
    assert_eq!(
        fetch_stats(&http, &base).await.grant("client_credentials"),
        2
    );
    assert_ne!(printed(&cli.run(&["token"]).await), token);
    mock.start_kill().unwrap();
    let _ = mock.wait().await;
}

/// The fake's counters over HTTP.
async fn fetch_stats(http: &reqwest::Client, base: &str) -> Stats {
    let body = http
        .get(format!("{base}/__mock/stats"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
}
