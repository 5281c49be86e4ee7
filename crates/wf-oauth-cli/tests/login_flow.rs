//! `wf-oauth login` end to end against the fake, then every command on the saved profile.

mod common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use common::{
    Cli, Out, fake, query_param, redirect_uri, sign_in_by_paste, token_file, token_files,
    token_like,
};
use serde_json::Value;
use wf_oauth_cli::mock_browser::{Consent, MockBrowser};
use wf_oauth_mock::{DEFAULT_CLIENT_SECRET, DEFAULT_PASSWORD, DEFAULT_USERNAME};

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The tokens as stored: (access, refresh).
fn stored_tokens(cli: &Cli) -> (String, String) {
    let doc: Value = serde_json::from_slice(&std::fs::read(token_file(cli)).unwrap()).unwrap();
    (
        doc["tokens"]["access_token"].as_str().unwrap().to_owned(),
        doc["tokens"]["refresh_token"].as_str().unwrap().to_owned(),
    )
}

/// Signs in with `login --no-browser`, pasting the address the fake redirected to.
/// Returns the output and the authorize URL the user was shown.
async fn login_by_paste(
    cli: &Cli,
    instance: &str,
    redirect: &str,
    extra: &[&str],
) -> (Out, String) {
    let mut args = Cli::login_args(instance, redirect);
    args.push("--no-browser");
    args.extend_from_slice(extra);
    sign_in_by_paste(cli, &args).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn paste_login_then_every_command_on_the_profile() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let instance = mock.base_url();
    let cli = Cli::new();
    let mut printed = Vec::new();

    let (out, url) = login_by_paste(&cli, &instance, &redirect, &["--verbose"]).await;
    out.expect_code(0);
    assert!(out.stderr.contains("Signed in to"), "{}", out.stderr);
    // The authorize URL must be shown, and it carries this sign-in's state; nothing else
    // that looks like a credential may be printed.
    let state = query_param(&url, "state").unwrap();
    printed.push(out.all().replace(&state, "[state]"));

    // Files: private, and no client secret anywhere.
    let files = token_files(&cli);
    assert_eq!(files.len(), 1);
    assert_eq!(mode(&files[0]), 0o600);
    assert_eq!(mode(&cli.config.path().join("tokens")), 0o700);
    let profile = cli.config.path().join("profiles/default.json");
    assert_eq!(mode(&profile), 0o600);
    for file in [&files[0], &profile] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains(DEFAULT_CLIENT_SECRET), "{}", file.display());
    }
    let profile_text = std::fs::read_to_string(&profile).unwrap();
    assert!(profile_text.contains(common::SECRET_VAR), "{profile_text}");
    let (access, refresh) = stored_tokens(&cli);

    // `token` prints the access token itself, for scripts.
    let out = cli.run(&["token"]).await;
    out.expect_code(0);
    assert_eq!(out.stdout.trim(), access);

    let out = cli.run(&["token", "--json"]).await;
    out.expect_code(0);
    let meta: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(meta["profile"], "default");
    assert_eq!(meta["instance"], instance.as_str());
    assert_eq!(meta["token_type"], "sessionID");
    assert_eq!(meta["expires_at"], "unknown");
    assert_eq!(meta["access_token_fingerprint"].as_str().unwrap().len(), 8);
    assert!(meta.get("access_token").is_none());
    printed.push(out.all());

    let out = cli.run(&["token", "--json", "--show-secrets"]).await;
    out.expect_code(0);
    let meta: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(meta["access_token"], access.as_str());
    assert_eq!(meta["refresh_token"], refresh.as_str());

    // An API call with filters and fields (raw JSON when piped).
    let out = cli
        .run(&[
            "api",
            "GET",
            "proj/search",
            "-q",
            "name=Apollo",
            "-q",
            "name_Mod=contains",
            "-f",
            "status",
        ])
        .await;
    out.expect_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "piped output is one line");
    let projects: Value = serde_json::from_str(&out.stdout).unwrap();
    let projects = projects.as_array().unwrap();
    assert!(!projects.is_empty());
    assert!(
        projects
            .iter()
            .all(|p| p["name"].as_str().unwrap().contains("Apollo") && p["status"].is_string())
    );
    printed.push(out.all());

    // The session ends on the server: the next call refreshes once, transparently.
    assert!(
        mock.expire_session(&access),
        "the printed token was the live session"
    );
    let out = cli.run(&["--verbose", "api", "GET", "proj/search"]).await;
    out.expect_code(0);
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    printed.push(out.all());

    // Paging through a whole search.
    let out = cli
        .run(&["api", "get", "proj/search", "--all", "--page-size", "100"])
        .await;
    out.expect_code(0);
    let all: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(all.as_array().unwrap().len(), wf_oauth_mock::PROJECT_COUNT);
    printed.push(out.stderr.clone());

    // POST with a body.
    let out = cli
        .run(&["api", "POST", "proj", "-d", r#"{"name":"From the CLI"}"#])
        .await;
    out.expect_code(0);
    assert!(out.stdout.contains("From the CLI"), "{}", out.stdout);

    // An explicit refresh rotates the refresh token.
    let (_, refresh_before) = stored_tokens(&cli);
    let out = cli.run(&["refresh"]).await;
    out.expect_code(0);
    assert!(
        out.stdout.contains("Refreshed profile default"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("refresh token rotated"),
        "{}",
        out.stdout
    );
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 2);
    let (access_now, refresh_now) = stored_tokens(&cli);
    assert_ne!(refresh_now, refresh_before);
    printed.push(out.all());

    let out = cli.run(&["status", "--json"]).await;
    out.expect_code(0);
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    let row = &status["profiles"][0];
    assert_eq!(row["profile"], "default");
    assert_eq!(row["signed_in"], true);
    assert_eq!(row["needs_reauth"], false);
    assert_eq!(row["expires_at"], "unknown");
    let out = cli.run(&["status"]).await;
    out.expect_code(0);
    assert!(out.stdout.contains("default") && out.stdout.contains(&instance));
    printed.push(out.all());

    let out = cli.run(&["logout"]).await;
    out.expect_code(0);
    assert!(out.stdout.contains("Signed out"), "{}", out.stdout);
    assert!(token_files(&cli).is_empty());
    assert!(
        !mock.expire_session(&access_now),
        "the session was ended by logout"
    );
    printed.push(out.all());

    let out = cli.run(&["token"]).await;
    out.expect_code(3);
    assert!(out.stderr.contains("not signed in"), "{}", out.stderr);
    assert_eq!(out.stderr.trim().lines().count(), 1);
    let out = cli.run(&["status", "--json"]).await;
    let status: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(status["profiles"][0]["signed_in"], false);
    let out = cli.run(&["logout", "--forget"]).await;
    out.expect_code(0);
    assert!(!profile.exists());

    // Nothing printed (verbose logs included) carries a secret.
    let printed = printed.join("\n");
    for secret in [&access, &refresh, &refresh_now, &access_now] {
        assert!(!printed.contains(secret.as_str()), "a token was printed");
    }
    assert!(!printed.contains(DEFAULT_CLIENT_SECRET));
    assert_eq!(token_like(&printed), Vec::<String>::new());
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loopback_login_lands_on_the_cli_listener() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let cli = Cli::new();
    let instance = mock.base_url();
    let mut args = Cli::login_args(&instance, &redirect);
    args.extend(["--browser", "none", "--profile", "work"]);
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    let browser = MockBrowser::new().unwrap();
    let mut signed_in = browser.clone();
    let callback = signed_in
        .authorize(&url, DEFAULT_USERNAME, DEFAULT_PASSWORD, Consent::Allow)
        .await
        .unwrap();
    // Following the redirect reaches the CLI, which answers once the tokens are saved.
    let (status, page) = browser.visit(&callback).await.unwrap();
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("Signed in"), "{page}");
    assert!(!page.contains(&query_param(&callback, "code").unwrap()));
    let out = login.finish().await;
    out.expect_code(0);
    assert!(out.stderr.contains("as profile work"), "{}", out.stderr);

    let out = cli.run(&["token", "--profile", "work"]).await;
    out.expect_code(0);
    assert!(!out.stdout.trim().is_empty());
    mock.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bare_code_and_a_public_pkce_client_work_too() {
    let redirect = redirect_uri();
    let mock = fake(&redirect).await;
    let cli = Cli::new();
    let instance = mock.base_url();
    let args = [
        "login",
        "--instance",
        &instance,
        "--client-id",
        wf_oauth_mock::DEFAULT_PUBLIC_CLIENT_ID,
        "--pkce",
        "--redirect-uri",
        &redirect,
        "--no-browser",
        "--timeout",
        "60",
    ];
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    let callback = MockBrowser::new()
        .unwrap()
        .authorize(&url, DEFAULT_USERNAME, DEFAULT_PASSWORD, Consent::Allow)
        .await
        .unwrap();
    login.paste(&query_param(&callback, "code").unwrap()).await;
    login.finish().await.expect_code(0);

    // A public client refreshes without any secret.
    let mut cmd = cli.command(&["refresh"]);
    cmd.env_remove(common::SECRET_VAR);
    cli.run_command(cmd).await.expect_code(0);
    assert_eq!(mock.stats().grant_status("refresh_token", "200"), 1);
    mock.shutdown().await;
}
