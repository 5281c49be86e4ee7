//! The `wf-oauth-mock` binary, driven with the seed page's own curl commands, and its
//! clean shutdown on SIGTERM/SIGINT.

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SECRET: &str = "seed-secret";

struct Mock {
    child: Child,
    base: String,
    stderr: Option<JoinHandle<String>>,
}

impl Mock {
    fn start(extra: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wf-oauth-mock"))
            .args([
                "--port",
                "0",
                "--redirect-uri",
                REDIRECT,
                "--client-secret",
                SECRET,
            ])
            .args(extra)
            .env("RUST_LOG", "debug")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wf-oauth-mock");
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("first line");
        let base = line
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        Mock {
            child,
            base,
            stderr: Some(stderr),
        }
    }

    /// Sends a signal with `kill` and waits (bounded) for the exit; returns the logs.
    fn stop(mut self, signal: &str) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill").args([signal, &pid]).status().unwrap();
        assert!(ok.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(
                Instant::now() < deadline,
                "mock did not stop after {signal}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let logs = self.stderr.take().unwrap().join().unwrap();
        (status, logs)
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs curl with the given arguments; returns (HTTP status, body).
fn curl(args: &[&str]) -> (u16, String) {
    let out = Command::new("curl")
        .args([
            "--silent",
            "--show-error",
            "--max-time",
            "10",
            "--write-out",
            "\n%{http_code}",
        ])
        .args(args)
        .output()
        .expect("curl is installed");
    assert!(
        out.status.success(),
        "curl failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.parse().unwrap(), body.to_owned())
}

fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

/// A code from the authorization endpoint (auto-approve), via curl.
fn authorize(base: &str) -> String {
    let url = format!(
        "{base}/integrations/oauth2/authorize?client_id=demo-client&redirect_uri={}&response_type=code&state=s1",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    let (status, location) = curl(&[
        "--output",
        "/dev/null",
        "--write-out",
        "%{redirect_url}\n%{http_code}",
        &url,
    ]);
    assert_eq!(status, 302);
    let location = url::Url::parse(location.trim()).unwrap();
    let q: std::collections::HashMap<_, _> = location.query_pairs().into_owned().collect();
    assert_eq!(q["domain"], "mock");
    assert_eq!(q["lane"], "my");
    assert_eq!(q["state"], "s1");
    q["code"].clone()
}

#[test]
fn seed_curl_commands_work_against_the_binary() {
    let mock = Mock::start(&["--auto-approve"]);
    let base = mock.base.clone();
    let token_url = format!("{base}/integrations/oauth2/api/v1/token");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("demo-client:{SECRET}"));
    let mut secrets_seen = vec![SECRET.to_owned(), basic.clone()];

    // Example 1: JSON body + Basic.
    let code = authorize(&base);
    let (status, body) = curl(&[
        "--location",
        "--request",
        "POST",
        &token_url,
        "--header",
        &format!("Authorization: Basic {basic}"),
        "--header",
        "Content-Type: application/json",
        "--data-raw",
        &format!(
            "{{\n   \"code\": \"{code}\",\n   \"grant_type\": \"authorization_code\",\n   \"redirect_uri\": \"{REDIRECT}\"\n   }}"
        ),
    ]);
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    assert_eq!(v["token_type"], "sessionID");
    assert_eq!(v["expires_in"], 0);
    let refresh1 = v["refresh_token"].as_str().unwrap().to_owned();
    secrets_seen.extend([
        code,
        refresh1.clone(),
        v["access_token"].as_str().unwrap().to_owned(),
    ]);

    // Example 2: form body.
    let code = authorize(&base);
    let (status, body) = curl(&[
        "--location",
        "--request",
        "POST",
        &token_url,
        "--header",
        "Content-Type: application/x-www-form-urlencoded",
        "--data-urlencode",
        "grant_type=authorization_code",
        "--data-urlencode",
        &format!("redirect_uri={REDIRECT}"),
        "--data-urlencode",
        &format!("code={code}"),
        "--data-urlencode",
        "client_id=demo-client",
        "--data-urlencode",
        &format!("client_secret={SECRET}"),
    ]);
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    let access = v["access_token"].as_str().unwrap().to_owned();
    secrets_seen.extend([
        code,
        access.clone(),
        v["refresh_token"].as_str().unwrap().to_owned(),
    ]);

    // The API call.
    let (status, body) = curl(&[
        "--request",
        "GET",
        &format!("{base}/attask/api/v14.0/proj/search"),
        "--header",
        &format!("sessionID: {access}"),
    ]);
    assert_eq!(status, 200, "{body}");
    assert_eq!(json(&body)["data"].as_array().unwrap().len(), 100);

    // Refresh, JSON + Basic.
    let (status, body) = curl(&[
        "--location",
        "--request",
        "POST",
        &token_url,
        "--header",
        &format!("Authorization: Basic {basic}"),
        "--header",
        "Content-Type: application/json",
        "--data-raw",
        &format!(
            "{{\n   \"grant_type\": \"refresh_token\",\n   \"refresh_token\": \"{refresh1}\"\n}}"
        ),
    ]);
    assert_eq!(status, 200, "{body}");
    let refresh2 = json(&body)["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh1);

    // Refresh, form.
    let (status, body) = curl(&[
        "--location",
        "--request",
        "POST",
        &token_url,
        "--header",
        "Content-Type: application/x-www-form-urlencoded",
        "--data-urlencode",
        "grant_type=refresh_token",
        "--data-urlencode",
        &format!("redirect_uri={REDIRECT}"),
        "--data-urlencode",
        &format!("refresh_token={refresh2}"),
        "--data-urlencode",
        "client_id=demo-client",
        "--data-urlencode",
        &format!("client_secret={SECRET}"),
    ]);
    assert_eq!(status, 200, "{body}");
    let v = json(&body);
    secrets_seen.extend([refresh2, v["access_token"].as_str().unwrap().to_owned()]);

    // Admin over HTTP: the counters saw exactly what happened.
    let (status, body) = curl(&[&format!("{base}/__mock/stats")]);
    assert_eq!(status, 200);
    let stats = json(&body);
    assert_eq!(stats["grant_statuses"]["authorization_code"]["200"], 2);
    assert_eq!(stats["grant_statuses"]["refresh_token"]["200"], 2);

    let (status, logs) = mock.stop("-TERM");
    assert_eq!(
        status.code(),
        Some(0),
        "clean exit on SIGTERM; logs:\n{logs}"
    );
    assert!(logs.contains("tokens issued"), "{logs}");
    for s in &secrets_seen {
        assert!(
            !logs.contains(s.as_str()),
            "a secret or token reached the logs"
        );
    }
}

#[test]
fn sigint_right_after_start_stops_cleanly() {
    // Signalled as soon as the address is announced: the handler must already be in place.
    let mock = Mock::start(&[]);
    let (status, _) = mock.stop("-INT");
    assert_eq!(status.code(), Some(0));
}

#[test]
fn bad_configuration_is_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_wf-oauth-mock"))
        .args(["--redirect-uri", "not a url"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("redirect URI"));
}

/// The IMS status code of `GET /ims/authorize/v2` for the web-application client with the
/// loopback redirect URI.
fn ims_authorize_status(base: &str) -> u16 {
    let url = format!(
        "{base}/ims/authorize/v2?client_id=demo-client&redirect_uri={}&response_type=code&scope=openid",
        url::form_urlencoded::byte_serialize(REDIRECT.as_bytes()).collect::<String>()
    );
    curl(&["--output", "/dev/null", &url]).0
}

#[test]
fn ims_openid_flags_of_the_binary() {
    let strict = Mock::start(&["--mode", "ims", "--auto-approve"]);
    assert_eq!(ims_authorize_status(&strict.base), 400);
    let (status, body) = curl(&[&format!(
        "{}/ims/.well-known/openid-configuration",
        strict.base
    )]);
    assert_eq!(status, 200);
    assert_eq!(json(&body)["issuer"], strict.base.as_str());
    strict.stop("-TERM");

    let mock = Mock::start(&[
        "--mode",
        "ims",
        "--auto-approve",
        "--allow-loopback-redirects",
        "--require-gateway-headers",
        "--ims-org-id",
        "ORG@AdobeOrg",
    ]);
    assert_eq!(ims_authorize_status(&mock.base), 302);
    let (status, body) = curl(&[
        "--data-urlencode",
        "grant_type=client_credentials",
        "--data-urlencode",
        "client_id=demo-client",
        "--data-urlencode",
        &format!("client_secret={SECRET}"),
        "--data-urlencode",
        "scope=openid",
        &format!("{}/ims/token/v3", mock.base),
    ]);
    assert_eq!(status, 200, "{body}");
    let access = json(&body)["access_token"].as_str().unwrap().to_owned();
    let api = format!("{}/attask/api/v14.0/proj/count", mock.base);
    let bearer = format!("Authorization: Bearer {access}");
    let (status, body) = curl(&["-H", &bearer, &api]);
    assert_eq!(status, 403, "{body}");
    let (status, _) = curl(&[
        "-H",
        &bearer,
        "-H",
        "x-api-key: demo-client",
        "-H",
        "x-gw-ims-org-id: ORG@AdobeOrg",
        &api,
    ]);
    assert_eq!(status, 200);
    let (status, body) = curl(&["-X", "POST", &format!("{}/__mock/keys/rotate", mock.base)]);
    assert_eq!(status, 200);
    let kid = json(&body)["data"]["kid"].as_str().unwrap().to_owned();
    let (_, jwks) = curl(&[&format!("{}/ims/keys", mock.base)]);
    assert_eq!(json(&jwks)["keys"][0]["kid"], kid.as_str());
    let (status, _) = mock.stop("-TERM");
    assert_eq!(status.code(), Some(0));
}
