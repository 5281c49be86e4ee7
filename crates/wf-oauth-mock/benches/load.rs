//! Load check of the mock: throughput of the token endpoint (refresh grant) and of
//! `proj/search`, over keep-alive HTTP/1.1 connections, each for a fixed duration.
//!
//! `cargo bench -p wf-oauth-mock --bench load` (or `just bench-mock`). Tunables:
//! `WF_BENCH_SECS` (default 5), `WF_BENCH_CONNS` (default 8).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use wf_oauth_mock::{MockWorkfront, RunningMock};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Builds the request a worker sends over and over.
type MakeRequest = Arc<dyn Fn() -> Request<Full<Bytes>> + Send + Sync>;

/// Runs `conns` keep-alive connections for `secs`; returns (requests, failures, elapsed).
async fn drive(
    mock: &RunningMock,
    conns: u64,
    secs: u64,
    make: MakeRequest,
) -> (u64, u64, Duration) {
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for _ in 0..conns {
        let (ok, failed, make, addr) = (ok.clone(), failed.clone(), make.clone(), mock.addr());
        tasks.push(tokio::spawn(async move {
            let stream = TcpStream::connect(addr).await.expect("connect");
            stream.set_nodelay(true).expect("nodelay");
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .expect("handshake");
            tokio::spawn(conn);
            while Instant::now() < deadline {
                let resp = sender.send_request(make()).await.expect("request");
                let status = resp.status();
                let body = resp.into_body().collect().await.expect("body").to_bytes();
                if status.is_success() && !body.is_empty() {
                    ok.fetch_add(1, Ordering::Relaxed);
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    (
        ok.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
        start.elapsed(),
    )
}

fn report(name: &str, (ok, failed, elapsed): (u64, u64, Duration)) {
    let rate = ok as f64 / elapsed.as_secs_f64();
    println!(
        "{name:<28} {rate:>10.0} req/s  ({ok} ok, {failed} failed, {:.1} s)",
        elapsed.as_secs_f64()
    );
}

async fn exchange(mock: &RunningMock) -> (String, String) {
    let redirect = mock.config().redirect_uris[0].clone();
    let code = mock
        .issue_code(&mock.config().client_id, &redirect, None)
        .expect("code");
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "authorization_code")
        .append_pair("code", &code)
        .append_pair("redirect_uri", &redirect)
        .append_pair("client_id", &mock.config().client_id)
        .append_pair("client_secret", &mock.config().client_secrets[0])
        .finish();
    let stream = TcpStream::connect(mock.addr()).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let req = Request::post(mock.token_url())
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let resp = sender.send_request(req).await.expect("token request");
    let bytes = resp.into_body().collect().await.expect("body").to_bytes();
    let v: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
    (
        v["access_token"].as_str().expect("access").to_owned(),
        v["refresh_token"].as_str().expect("refresh").to_owned(),
    )
}

fn main() {
    let secs = env_num("WF_BENCH_SECS", 5);
    let conns = env_num("WF_BENCH_CONNS", 8);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let mock = MockWorkfront::builder()
            .max_concurrent_requests(0)
            // Without rotation every connection can reuse one refresh token.
            .rotate_refresh_tokens(false)
            .spawn()
            .await
            .expect("mock");
        let (access, refresh) = exchange(&mock).await;
        println!(
            "wf-oauth-mock load check: {conns} keep-alive connections, {secs} s per endpoint, {} CPUs",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );

        let url = format!("{}/proj/search", mock.api_url("v14.0"));
        let make: MakeRequest = Arc::new(move || {
            Request::get(url.as_str())
                .header("host", "127.0.0.1")
                .header("sessionID", access.as_str())
                .body(Full::new(Bytes::new()))
                .expect("request")
        });
        report("GET proj/search (100 rows)", drive(&mock, conns, secs, make).await);

        let token_url = mock.token_url();
        let body = Bytes::from(
            form_urlencoded::Serializer::new(String::new())
                .append_pair("grant_type", "refresh_token")
                .append_pair("refresh_token", &refresh)
                .append_pair("client_id", &mock.config().client_id)
                .append_pair("client_secret", &mock.config().client_secrets[0])
                .finish(),
        );
        let make: MakeRequest = Arc::new(move || {
            Request::post(token_url.as_str())
                .header("host", "127.0.0.1")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Full::new(body.clone()))
                .expect("request")
        });
        report("POST token (refresh grant)", drive(&mock, conns, secs, make).await);
        mock.shutdown().await;
    });
}
