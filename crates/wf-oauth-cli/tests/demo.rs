//! `wf-oauth demo`, non-interactively, as CI and a newcomer run it.

mod common;

use common::{Cli, token_like};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_the_whole_flow_without_printing_a_secret() {
    let cli = Cli::new();
    let out = cli.run(&["demo", "--browser", "auto"]).await;
    out.expect_code(0);
    let text = &out.stdout;
    for step in 1..=10 {
        assert!(
            text.contains(&format!("[{step}/10] ok ")),
            "step {step}:\n{text}"
        );
    }
    // The project table and the summary of the transparent refresh.
    assert!(text.contains("| ID ") && text.contains("| name "), "{text}");
    assert!(
        text.contains("1 API answer 401 → 1 refresh_token grant → call replayed"),
        "{text}"
    );
    assert!(text.contains("rotated on refresh"), "{text}");
    assert!(text.contains("250 projects in 3 pages"), "{text}");
    // No secret: no client secret, no state, nothing shaped like a token or code.
    assert!(!out.all().contains(wf_oauth_mock::DEFAULT_CLIENT_SECRET));
    assert!(text.contains("state=[redacted]"), "{text}");
    assert_eq!(token_like(&out.all()), Vec::<String>::new());
    // The demo never touches the user's configuration.
    assert!(
        std::fs::read_dir(cli.config.path())
            .unwrap()
            .next()
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_is_quiet_about_secrets_in_verbose_logs_too() {
    let cli = Cli::new();
    let out = cli.run(&["--verbose", "demo", "--projects", "2"]).await;
    out.expect_code(0);
    assert!(!out.stderr.is_empty(), "verbose logs go to standard error");
    assert!(!out.all().contains(wf_oauth_mock::DEFAULT_CLIENT_SECRET));
    assert_eq!(token_like(&out.all()), Vec::<String>::new());
}
