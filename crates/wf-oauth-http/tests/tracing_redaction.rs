//! TRACE output of a whole flow, a refresh and an error contains no secret.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::*;
use wf_oauth_mock::{DEFAULT_CLIENT_SECRET, Fault, FaultSpec, FaultTarget};

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_secret_reaches_the_logs() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    // Everything at TRACE except the fake's own logs (it is not the code under test).
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(
            "trace,wf_oauth_mock=off",
        ))
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let mock = mock().await;
    let mut secrets = vec![DEFAULT_CLIENT_SECRET.to_owned()];
    for style in [Style::Basic, Style::Post, Style::Pkce] {
        let oauth = oauth(&mock, style);
        let pending = oauth.authorize().expect("authorize");
        secrets.push(pending.state().secret().to_owned());
        if let Some(v) = pending.pkce_verifier() {
            secrets.push(v.secret().to_owned());
        }
        let callback = browser_callback(pending.url()).await;
        let code = reqwest::Url::parse(&callback)
            .unwrap()
            .query_pairs()
            .find(|(k, _)| k == "code")
            .map(|(_, v)| v.into_owned())
            .expect("code");
        secrets.push(code);
        let tokens = oauth.exchange(&pending, &callback).await.expect("exchange");
        let client = wf_oauth_http::WorkfrontClient::from_tokens(oauth.clone(), tokens.clone());
        client.get("proj/search", &[]).await.expect("call");
        mock.expire_all_sessions();
        client
            .get("proj/search", &[])
            .await
            .expect("refresh and replay");
        // An error on the way: a failing refresh.
        mock.inject_fault(FaultSpec::new(
            FaultTarget::RefreshToken,
            1,
            Fault::Status {
                status: 500,
                body: None,
                retry_after: None,
            },
        ))
        .unwrap();
        mock.expire_all_sessions();
        assert!(client.get("proj/search", &[]).await.is_err());
        client.get("proj/search", &[]).await.expect("recovers");
        for t in [&tokens, &client.current_tokens()] {
            secrets.push(t.access_token().secret().to_owned());
            secrets.push(t.refresh_token().unwrap().secret().to_owned());
        }
    }

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("wf_oauth"), "spans were recorded");
    assert!(logs.contains("duration_ms"), "fields were recorded");
    assert!(logs.len() > 1_000, "a real amount of TRACE output");
    for secret in &secrets {
        assert!(secret.len() >= 8, "a real secret");
        assert!(
            !logs.contains(secret.as_str()),
            "a secret leaked into the logs"
        );
    }
}
