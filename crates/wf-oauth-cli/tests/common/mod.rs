//! Running the `wf-oauth` binary against an in-process fake Workfront.
//!
//! Every child process is killed when its handle is dropped, and every wait is bounded.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::mpsc;
use wf_oauth_mock::{MockBuilder, MockWorkfront, RunningMock};

/// The longest any single command may take in a test.
pub const COMMAND_LIMIT: Duration = Duration::from_secs(90);

/// The environment variable the tests keep the fake's client secret in.
pub const SECRET_VAR: &str = "WF_OAUTH_TEST_CLIENT_SECRET";

/// A port that was free a moment ago (for redirect URIs the CLI must listen on).
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A loopback redirect URI on a free port.
pub fn redirect_uri() -> String {
    format!("http://127.0.0.1:{}/callback", free_port())
}

/// A fake Workfront with `redirect` registered.
pub async fn fake(redirect: &str) -> RunningMock {
    fake_with(MockWorkfront::builder().redirect_uri(redirect)).await
}

/// A fake Workfront from a builder.
pub async fn fake_with(builder: MockBuilder) -> RunningMock {
    builder.spawn().await.expect("the fake starts")
}

/// What a finished command printed.
#[derive(Debug)]
pub struct Out {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// Both streams.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// The error line: the last line on standard error, prefixed by the program name.
    pub fn error_line(&self) -> &str {
        let last = self.stderr.trim().lines().last().unwrap_or_default();
        assert!(last.starts_with("wf-oauth: "), "{}", self.stderr);
        last
    }

    /// Panics with both streams unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// The binary with a private config directory.
pub struct Cli {
    /// The config directory (`WF_OAUTH_CONFIG_DIR`).
    pub config: TempDir,
}

impl Cli {
    pub fn new() -> Self {
        Cli {
            config: tempfile::tempdir().unwrap(),
        }
    }

    /// `wf-oauth ARGS` with a clean, non-interactive environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wf-oauth"));
        cmd.args(args)
            .env("WF_OAUTH_CONFIG_DIR", self.config.path())
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env(SECRET_VAR, wf_oauth_mock::DEFAULT_CLIENT_SECRET)
            .env_remove("WF_OAUTH_PROFILE")
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        cmd
    }

    /// Runs `wf-oauth ARGS` to the end.
    pub async fn run(&self, args: &[&str]) -> Out {
        self.run_command(self.command(args)).await
    }

    /// Runs a prepared command to the end.
    pub async fn run_command(&self, mut cmd: Command) -> Out {
        let output = tokio::time::timeout(COMMAND_LIMIT, cmd.output())
            .await
            .expect("the command finishes in time")
            .expect("the binary runs");
        Out {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts `wf-oauth ARGS` with a writable standard input, reading standard error as it
    /// comes.
    pub fn spawn(&self, args: &[&str]) -> Running {
        let mut cmd = self.command(args);
        cmd.stdin(Stdio::piped());
        Running::start(cmd)
    }

    /// Starts `wf-oauth mock ARGS`; returns the process and the base URL its first line
    /// announces.
    pub async fn spawn_mock(&self, args: &[&str]) -> (Child, String) {
        let mut all = vec!["mock"];
        all.extend_from_slice(args);
        let mut cmd = self.command(&all);
        cmd.stdout(Stdio::piped()).stderr(Stdio::null());
        let mut mock = cmd.spawn().unwrap();
        let mut lines = BufReader::new(mock.stdout.take().unwrap()).lines();
        let first = tokio::time::timeout(COMMAND_LIMIT, lines.next_line())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{first}"))
            .to_owned();
        (mock, base)
    }

    /// `login` flags for the fake's confidential client.
    pub fn login_args<'a>(instance: &'a str, redirect: &'a str) -> Vec<&'a str> {
        vec![
            "login",
            "--instance",
            instance,
            "--client-id",
            wf_oauth_mock::DEFAULT_CLIENT_ID,
            "--client-secret-env",
            SECRET_VAR,
            "--redirect-uri",
            redirect,
            "--timeout",
            "60",
        ]
    }
}

/// A command in progress.
pub struct Running {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr_lines: mpsc::UnboundedReceiver<String>,
    stderr_seen: Vec<String>,
    stdout: tokio::task::JoinHandle<String>,
}

impl Running {
    fn start(mut cmd: Command) -> Self {
        let mut child = cmd.spawn().expect("the binary starts");
        let stdin = child.stdin.take();
        let stderr = child.stderr.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stdout = tokio::spawn(async move {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text).await;
            text
        });
        Running {
            child,
            stdin,
            stderr_lines: rx,
            stderr_seen: Vec::new(),
            stdout,
        }
    }

    /// Reads standard error until the authorize URL is printed; returns it.
    pub async fn authorize_url(&mut self) -> String {
        let found = tokio::time::timeout(COMMAND_LIMIT, async {
            while let Some(line) = self.stderr_lines.recv().await {
                self.stderr_seen.push(line.clone());
                let trimmed = line.trim();
                // Workfront's legacy service, or Adobe IMS (the fake serves IMS and the
                // generic provider's endpoints at the same path).
                if trimmed.starts_with("http")
                    && (trimmed.contains("/integrations/oauth2/authorize?")
                        || trimmed.contains("/ims/authorize/v2?"))
                {
                    return Some(trimmed.to_owned());
                }
            }
            None
        })
        .await
        .expect("the URL is printed in time");
        found.unwrap_or_else(|| panic!("no authorize URL in:\n{}", self.stderr_seen.join("\n")))
    }

    /// Types `text` and Enter on standard input.
    pub async fn paste(&mut self, text: &str) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin
            .write_all(format!("{text}\n").as_bytes())
            .await
            .unwrap();
        stdin.flush().await.unwrap();
    }

    /// Waits for the end; returns everything printed.
    pub async fn finish(mut self) -> Out {
        drop(self.stdin.take());
        let status = tokio::time::timeout(COMMAND_LIMIT, self.child.wait())
            .await
            .expect("the command finishes in time")
            .unwrap();
        while let Some(line) = self.stderr_lines.recv().await {
            self.stderr_seen.push(line);
        }
        Out {
            code: status.code().unwrap_or(-1),
            stdout: self.stdout.await.unwrap_or_default(),
            stderr: self.stderr_seen.join("\n"),
        }
    }
}

/// The value of query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Replaces (or adds) query parameter `name` of `url`.
pub fn with_param(url: &str, name: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).unwrap();
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| k != name)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    u.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair(name, value);
    u.to_string()
}

/// Runs of 40 or more URL-safe characters mixing letters and digits: what a token, code
/// or state looks like (table borders and project IDs of 32 hex digits do not).
pub fn token_like(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .filter(|w| {
            w.len() >= 40
                && w.bytes().any(|b| b.is_ascii_digit())
                && w.bytes().any(|b| b.is_ascii_alphabetic())
        })
        .map(str::to_owned)
        .collect()
}

/// Runs `wf-oauth ARGS` (a `login --no-browser …`), signs in on the fake's pages as its
/// default user and pastes the address it redirected to. Returns the output and the
/// authorize URL that was shown.
pub async fn sign_in_by_paste(cli: &Cli, args: &[&str]) -> (Out, String) {
    use wf_oauth_cli::mock_browser::{Consent, MockBrowser};
    let mut login = cli.spawn(args);
    let url = login.authorize_url().await;
    let callback = MockBrowser::new()
        .unwrap()
        .authorize(
            &url,
            wf_oauth_mock::DEFAULT_USERNAME,
            wf_oauth_mock::DEFAULT_PASSWORD,
            Consent::Allow,
        )
        .await
        .unwrap();
    login.paste(&callback).await;
    (login.finish().await, url)
}

/// Signs `cli`'s default profile in to the fake at `instance` by pasting the callback.
pub async fn sign_in(cli: &Cli, instance: &str, redirect: &str) {
    let mut args = Cli::login_args(instance, redirect);
    args.push("--no-browser");
    sign_in_by_paste(cli, &args).await.0.expect_code(0);
}

/// The token documents in `cli`'s store (none before the store exists).
pub fn token_files(cli: &Cli) -> Vec<PathBuf> {
    let dir = cli.config.path().join("tokens");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect()
}

/// The only token document of `cli`'s store.
pub fn token_file(cli: &Cli) -> PathBuf {
    let files = token_files(cli);
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

/// The saved document of profile `name`.
pub fn profile_json(cli: &Cli, name: &str) -> Value {
    let path = cli.config.path().join(format!("profiles/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}
