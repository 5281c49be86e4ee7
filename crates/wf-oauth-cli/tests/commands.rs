//! `wf-oauth mock`, `completions` and `--help`.

mod common;

use common::{Cli, redirect_uri};
use wf_oauth_cli::mock_browser::{Consent, MockBrowser};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_against_the_mock_subcommand() {
    let cli = Cli::new();
    let redirect = redirect_uri();
    let (mut mock, instance) = cli
        .spawn_mock(&["--auto-approve", "--redirect-uri", &redirect])
        .await;

    let mut args = Cli::login_args(&instance, &redirect);
    args.push("--no-browser");
    let mut login = cli.spawn(&args);
    let url = login.authorize_url().await;
    // Auto-approve: the authorize URL redirects straight to the callback.
    let callback = MockBrowser::new()
        .unwrap()
        .authorize(&url, "-", "-", Consent::Allow)
        .await
        .unwrap();
    login.paste(&callback).await;
    login.finish().await.expect_code(0);
    let out = cli.run(&["api", "GET", "user/count"]).await;
    out.expect_code(0);
    assert!(out.stdout.contains("count"), "{}", out.stdout);
    mock.start_kill().unwrap();
    let _ = mock.wait().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_and_help() {
    let cli = Cli::new();
    for shell in ["bash", "zsh", "fish"] {
        let out = cli.run(&["completions", shell]).await;
        out.expect_code(0);
        assert!(out.stdout.contains("wf-oauth"), "{shell}");
    }
    let out = cli.run(&["--help"]).await;
    out.expect_code(0);
    assert!(out.stdout.contains("Exit codes:"), "{}", out.stdout);
    assert!(
        out.stdout.contains("3  re-authorization required"),
        "{}",
        out.stdout
    );
    let out = cli.run(&["--version"]).await;
    out.expect_code(0);
    assert!(out.stdout.starts_with("wf-oauth "), "{}", out.stdout);
}
