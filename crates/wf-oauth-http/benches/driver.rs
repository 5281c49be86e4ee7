//! The driver's cost over a raw reqwest call, measured against the fake Workfront on
//! loopback in one run, and the latency of a refresh storm.
//!
//! `cargo bench -p wf-oauth-http --bench driver` (or `just bench-http`).
//!
//! Both sides fetch the same `proj/search` page, read the whole body and parse it as JSON
//! (the raw side with `serde_json::from_slice`, the driver through the core's response
//! classification). The raw side is a plain reqwest GET with a fixed `sessionID` header and
//! the same transport settings as the driver's (timeouts, redirect policy, User-Agent, pool
//! and TCP options). For the comparison the fake's concurrency limit is off and the
//! client's limit is raised to 64, so that neither side is throttled and the numbers
//! measure the code, not the limit; the storm runs the same way.

use std::sync::Arc;
use std::time::{Duration, Instant};

use wf_oauth_core::{ClientAuth, ClientConfig, ClientSecret, Instance, RedirectUri};
use wf_oauth_http::{OAuthClient, WorkfrontClient};
use wf_oauth_mock::{DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, MockWorkfront, RunningMock};

const REDIRECT: &str = "http://127.0.0.1:9/callback";
const SEQUENTIAL: usize = 3_000;
const CONCURRENCY: usize = 64;
const THROUGHPUT_WINDOW: Duration = Duration::from_millis(250);
const ROUNDS: usize = 21;
const STORM: usize = 1_000;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run());
}

async fn run() {
    let mock = MockWorkfront::builder()
        .redirect_uri(REDIRECT)
        .auto_approve(true)
        .max_concurrent_requests(0)
        .spawn()
        .await
        .expect("fake starts");
    let oauth = OAuthClient::builder(config(&mock))
        .max_in_flight(CONCURRENCY)
        .build()
        .expect("client");
    let tokens = sign_in(&oauth).await;
    let client = WorkfrontClient::from_tokens(oauth.clone(), tokens);
    // The raw side gets the same transport settings as the driver's default transport
    // (timeouts, no redirects, User-Agent, pool and TCP options): the comparison is about
    // the driver's own work, not about one more header on the wire.
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .user_agent(oauth.transport().config().user_agent().to_owned())
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .build()
        .expect("raw client");

    println!(
        "wf-oauth-http driver benchmark (fake Workfront on {})",
        mock.base_url()
    );
    for (label, limit) in [("1 object", "1"), ("100 objects", "100")] {
        let target = Target {
            raw: raw.clone(),
            client: client.clone(),
            url: format!("{}/proj/search?%24%24LIMIT={limit}", mock.api_url("v20.0")),
            limit,
            session: client.current_tokens().access_token().secret().to_owned(),
        };
        // Warm both connection pools.
        for _ in 0..200 {
            target.raw_call().await;
            target.client_call().await;
        }
        latency(&target, label).await;
        throughput(&target, label).await;
    }
    storm(&mock, &oauth).await;
    mock.shutdown().await;
}

struct Target {
    raw: reqwest::Client,
    client: WorkfrontClient,
    url: String,
    limit: &'static str,
    /// The fixed `sessionID` of the raw side (the fake's sessions outlive the run).
    session: String,
}

impl Target {
    async fn raw_call(&self) {
        let body = self
            .raw
            .get(&self.url)
            .header("sessionID", &self.session)
            .send()
            .await
            .expect("raw send")
            .bytes()
            .await
            .expect("raw body");
        let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
        assert!(v.get("data").is_some());
    }

    async fn client_call(&self) {
        let v = self
            .client
            .get("proj/search", &[("$$LIMIT", self.limit)])
            .await
            .expect("client call");
        assert!(v.is_array());
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn percentile(mut v: Vec<Duration>, p: f64) -> Duration {
    v.sort();
    let i = ((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1;
    v[i]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

async fn latency(target: &Target, label: &str) {
    let (mut raw, mut ours) = (Vec::new(), Vec::new());
    // Interleaved, so drift (other processes, CPU frequency) hits both sides alike.
    for _ in 0..SEQUENTIAL {
        let t = Instant::now();
        target.raw_call().await;
        raw.push(t.elapsed());
        let t = Instant::now();
        target.client_call().await;
        ours.push(t.elapsed());
    }
    let (r, o) = (median(raw), median(ours));
    println!(
        "[{label}] median latency: raw {:.0} µs, WorkfrontClient {:.0} µs, ratio {:.3} (target ≤ 1.05)",
        us(r),
        us(o),
        o.as_secs_f64() / r.as_secs_f64()
    );
}

/// Calls completed by `CONCURRENCY` tasks in the window.
async fn calls_in_window(target: &Arc<Target>, raw: bool) -> usize {
    let deadline = Instant::now() + THROUGHPUT_WINDOW;
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let target = target.clone();
            tokio::spawn(async move {
                let mut n = 0;
                while Instant::now() < deadline {
                    if raw {
                        target.raw_call().await;
                    } else {
                        target.client_call().await;
                    }
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut total = 0;
    for t in tasks {
        total += t.await.expect("task");
    }
    total
}

async fn throughput(target: &Target, label: &str) {
    let target = Arc::new(Target {
        raw: target.raw.clone(),
        client: target.client.clone(),
        url: target.url.clone(),
        limit: target.limit,
        session: target.session.clone(),
    });
    let (mut raw, mut ours) = (0, 0);
    let mut ratios = Vec::with_capacity(ROUNDS);
    // Short paired rounds in alternating order, so load from other processes hits both
    // sides alike; the median of the paired ratios is not moved by a round that such load
    // disturbed on one side only.
    for round in 0..ROUNDS {
        let (r, o) = if round % 2 == 0 {
            let r = calls_in_window(&target, true).await;
            (r, calls_in_window(&target, false).await)
        } else {
            let o = calls_in_window(&target, false).await;
            (calls_in_window(&target, true).await, o)
        };
        raw += r;
        ours += o;
        ratios.push(o as f64 / r as f64);
    }
    ratios.sort_by(f64::total_cmp);
    let secs = ROUNDS as f64 * THROUGHPUT_WINDOW.as_secs_f64();
    println!(
        "[{label}] throughput at {CONCURRENCY} tasks: raw {:.0} req/s, WorkfrontClient {:.0} req/s, \
         ratio {:.3} (target ≥ 0.95; median of {ROUNDS} paired rounds, which range from {:.3} to {:.3})",
        raw as f64 / secs,
        ours as f64 / secs,
        ratios[ROUNDS / 2],
        ratios[0],
        ratios[ROUNDS - 1],
    );
}

async fn storm(mock: &RunningMock, oauth: &OAuthClient) {
    // Baseline: one refresh followed by one call, sequentially.
    let client = WorkfrontClient::from_tokens(oauth.clone(), sign_in(oauth).await);
    let mut baseline = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        client.refresh().await.expect("refresh");
        client
            .get("proj/search", &[("$$LIMIT", "1")])
            .await
            .expect("call");
        baseline.push(t.elapsed());
    }
    let baseline = median(baseline);

    let (p50, p99) = storm_rounds(mock, oauth, true).await;
    let (_, p99_valid) = storm_rounds(mock, oauth, false).await;
    println!(
        "refresh storm ({STORM} callers, 1 refresh): p50 {:.1} ms, p99 {:.1} ms; \
         one refresh + one call {:.2} ms (p99 / that = {:.1}); \
         the same {STORM} calls on a valid session: p99 {:.1} ms (expired / valid = {:.2})",
        p50.as_secs_f64() * 1e3,
        p99.as_secs_f64() * 1e3,
        baseline.as_secs_f64() * 1e3,
        p99.as_secs_f64() / baseline.as_secs_f64(),
        p99_valid.as_secs_f64() * 1e3,
        p99.as_secs_f64() / p99_valid.as_secs_f64(),
    );
}

/// Medians over 5 rounds of the p50 and p99 latency of `STORM` concurrent callers, on a
/// session the fake has just ended (`expired`) or on a valid one.
async fn storm_rounds(
    mock: &RunningMock,
    oauth: &OAuthClient,
    expired: bool,
) -> (Duration, Duration) {
    let mut p99s = Vec::new();
    let mut p50s = Vec::new();
    for _ in 0..5 {
        let client = WorkfrontClient::from_tokens(oauth.clone(), sign_in(oauth).await);
        client
            .get("proj/search", &[("$$LIMIT", "1")])
            .await
            .expect("warm");
        let before = mock.stats().grant("refresh_token");
        if expired {
            mock.expire_all_sessions();
        }
        let start = Instant::now();
        let tasks: Vec<_> = (0..STORM)
            .map(|_| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .get("proj/search", &[("$$LIMIT", "1")])
                        .await
                        .expect("storm call");
                    start.elapsed()
                })
            })
            .collect();
        let mut lat = Vec::with_capacity(STORM);
        for t in tasks {
            lat.push(t.await.expect("task"));
        }
        assert_eq!(
            mock.stats().grant("refresh_token") - before,
            u64::from(expired),
            "one refresh per storm"
        );
        p50s.push(percentile(lat.clone(), 0.50));
        p99s.push(percentile(lat, 0.99));
    }
    (median(p50s), median(p99s))
}

fn config(mock: &RunningMock) -> ClientConfig {
    ClientConfig::builder(
        Instance::parse(&mock.base_url()).expect("instance"),
        DEFAULT_CLIENT_ID,
    )
    .client_secret(ClientSecret::new(DEFAULT_CLIENT_SECRET))
    .client_auth(ClientAuth::Basic)
    .redirect_uri(RedirectUri::parse(REDIRECT).expect("redirect"))
    .build()
    .expect("config")
}

async fn sign_in(oauth: &OAuthClient) -> wf_oauth_core::TokenSet {
    let pending = oauth.authorize().expect("authorize");
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("browser");
    let resp = browser.get(pending.url()).send().await.expect("authorize");
    let callback = resp
        .headers()
        .get("location")
        .expect("redirect")
        .to_str()
        .expect("ascii")
        .to_owned();
    oauth.exchange(&pending, &callback).await.expect("exchange")
}
