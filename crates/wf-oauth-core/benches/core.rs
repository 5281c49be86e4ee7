//! Benchmarks of the protocol steps, side by side with the `oauth2` crate doing the
//! equivalent work, followed by a table of ratios (ours / theirs).
//!
//! What is compared:
//! - authorize URL: ours builds state + PKCE from 64 entropy bytes and the URL; oauth2
//!   builds the URL with a fixed `CsrfToken` and a PKCE challenge derived from a fixed
//!   verifier (SHA-256 + base64 on both sides).
//! - callback: ours runs every check of `accept_callback`; oauth2 has no callback parser,
//!   so its side is what its users write: parse the URL, find `code` and `state` among
//!   the query pairs, compare the state.
//! - token exchange: oauth2 builds the request inside `exchange_code(..).request(..)`, so
//!   its side is one call with a synchronous client closure returning a canned response;
//!   ours is `code_grant_request` + `parse_code_response` on the same canned body.
//! - full flow: the three above in sequence.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::Criterion;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, ClientId, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, TokenUrl,
};
use wf_oauth_core::{
    AuthorizationResponse, ClientAuth, ClientConfig, ClientSecret, Headers, HttpResponse, Instance,
    PendingAuthorization, RedirectUri, UnixTime,
};

const INSTANCE: &str = "acme.my.workfront.com";
const AUTHORIZE_URL: &str = "https://acme.my.workfront.com/integrations/oauth2/authorize";
const TOKEN_URL: &str = "https://acme.my.workfront.com/integrations/oauth2/api/v1/token";
const REDIRECT: &str = "https://app.example.com/callback";
const CLIENT_ID: &str = "4d2f1c0b9a8e7d6c";
const CLIENT_SECRET: &str = "9f86d081884c7d659a2feaa0c55ad015";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const STATE: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
const TOKEN_BODY: &[u8] = br#"{"token_type":"sessionID","access_token":"6a1e2c5d9f3b4a7e8c0d1f2a3b4c5d6e","refresh_token":"f0e1d2c3b4a5968778695a4b3c2d1e0f","expires_in":0,"wid":"62a1b2c3d4e5f6a7"}"#;
const NOW: UnixTime = UnixTime::from_secs(1_750_000_000);
const ENTROPY: [u8; 64] = [42; 64];

fn our_config() -> ClientConfig {
    ClientConfig::builder(Instance::parse(INSTANCE).unwrap(), CLIENT_ID)
        .client_secret(ClientSecret::new(CLIENT_SECRET))
        .redirect_uri(RedirectUri::parse(REDIRECT).unwrap())
        .client_auth(ClientAuth::Basic)
        .pkce(true)
        .build()
        .unwrap()
}

fn our_callback(pending: &PendingAuthorization) -> String {
    format!(
        "{REDIRECT}?code=0a1b2c3d4e5f6a7b8c9d&domain=acme&lane=my&state={}",
        pending.state().secret()
    )
}

fn canned_response() -> HttpResponse {
    let headers: Headers = [("Content-Type", "application/json")].into_iter().collect();
    HttpResponse::new(200, headers, TOKEN_BODY.to_vec())
}

fn our_exchange(
    config: &ClientConfig,
    authorization: &AuthorizationResponse,
    response: &HttpResponse,
) {
    let request = config.code_grant_request(authorization, NOW).unwrap();
    black_box(&request);
    black_box(
        config
            .parse_code_response(authorization, response, NOW)
            .unwrap(),
    );
}

type TheirClient = BasicClient<
    oauth2::EndpointSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;

fn their_client() -> TheirClient {
    BasicClient::new(ClientId::new(CLIENT_ID.into()))
        .set_client_secret(oauth2::ClientSecret::new(CLIENT_SECRET.into()))
        .set_auth_uri(AuthUrl::new(AUTHORIZE_URL.into()).unwrap())
        .set_token_uri(TokenUrl::new(TOKEN_URL.into()).unwrap())
        .set_redirect_uri(RedirectUrl::new(REDIRECT.into()).unwrap())
}

fn their_authorize(client: &TheirClient) -> (oauth2::url::Url, CsrfToken) {
    let challenge =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(VERIFIER.into()));
    client
        .authorize_url(|| CsrfToken::new(STATE.into()))
        .set_pkce_challenge(challenge)
        .url()
}

fn their_callback(callback: &str, expected: &CsrfToken) -> oauth2::AuthorizationCode {
    let url = oauth2::url::Url::parse(callback).unwrap();
    let mut code = None;
    let mut state = None;
    for (name, value) in url.query_pairs() {
        match name.as_ref() {
            "code" => code = Some(value.into_owned()),
            "state" => state = Some(value.into_owned()),
            _ => {}
        }
    }
    assert_eq!(state.as_deref(), Some(expected.secret().as_str()));
    oauth2::AuthorizationCode::new(code.unwrap())
}

fn their_exchange(client: &TheirClient, code: oauth2::AuthorizationCode) {
    let http_client =
        |request: oauth2::HttpRequest| -> Result<oauth2::HttpResponse, std::io::Error> {
            black_box(&request);
            Ok(oauth2::http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(TOKEN_BODY.to_vec())
                .unwrap())
        };
    let token = client
        .exchange_code(code)
        .set_pkce_verifier(PkceCodeVerifier::new(VERIFIER.into()))
        .request(&http_client)
        .unwrap();
    black_box(token);
}

fn benches(c: &mut Criterion) {
    let config = our_config();
    let pending = config.authorize(&ENTROPY, NOW).unwrap();
    let callback = our_callback(&pending);
    let authorization = pending.accept_callback(&callback, NOW).unwrap();
    let response = canned_response();

    let mut ours = c.benchmark_group("ours");
    ours.bench_function("authorize", |b| {
        b.iter(|| black_box(config.authorize(black_box(&ENTROPY), NOW).unwrap()))
    });
    ours.bench_function("callback", |b| {
        b.iter(|| black_box(pending.accept_callback(black_box(&callback), NOW).unwrap()))
    });
    ours.bench_function("token_request", |b| {
        b.iter(|| {
            black_box(
                config
                    .code_grant_request(black_box(&authorization), NOW)
                    .unwrap(),
            )
        })
    });
    ours.bench_function("token_response", |b| {
        b.iter(|| {
            black_box(
                config
                    .parse_code_response(&authorization, black_box(&response), NOW)
                    .unwrap(),
            )
        })
    });
    ours.bench_function("exchange", |b| {
        b.iter(|| our_exchange(&config, black_box(&authorization), &response))
    });
    ours.bench_function("full_flow", |b| {
        b.iter(|| {
            let pending = config.authorize(black_box(&ENTROPY), NOW).unwrap();
            let callback = our_callback(&pending);
            let authorization = pending.accept_callback(&callback, NOW).unwrap();
            our_exchange(&config, &authorization, &response);
        })
    });
    ours.finish();

    let client = their_client();
    let (_, their_state) = their_authorize(&client);
    let their_callback_url =
        format!("{REDIRECT}?code=0a1b2c3d4e5f6a7b8c9d&domain=acme&lane=my&state={STATE}");
    let mut theirs = c.benchmark_group("oauth2");
    theirs.bench_function("authorize", |b| {
        b.iter(|| black_box(their_authorize(black_box(&client))))
    });
    theirs.bench_function("callback", |b| {
        b.iter(|| black_box(their_callback(black_box(&their_callback_url), &their_state)))
    });
    theirs.bench_function("exchange", |b| {
        b.iter(|| {
            their_exchange(
                &client,
                oauth2::AuthorizationCode::new(black_box("0a1b2c3d4e5f6a7b8c9d").into()),
            )
        })
    });
    theirs.bench_function("full_flow", |b| {
        b.iter(|| {
            let (_, state) = their_authorize(black_box(&client));
            let code = their_callback(&their_callback_url, &state);
            their_exchange(&client, code);
        })
    });
    theirs.finish();
}

/// The median estimate of a benchmark, in nanoseconds.
fn median_ns(root: &Path, group: &str, name: &str) -> Option<f64> {
    let path = root
        .join(group)
        .join(name)
        .join("new")
        .join("estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    json["median"]["point_estimate"].as_f64()
}

fn report(root: &Path) {
    const LIMIT_NS: f64 = 2000.0;
    println!();
    println!(
        "{:<16} {:>12} {:>12} {:>10}",
        "step", "ours", "oauth2", "ours/them"
    );
    let rows = [
        ("authorize", "authorize", Some("authorize")),
        ("callback", "callback", Some("callback")),
        ("token_request", "token_request", None),
        ("token_response", "token_response", None),
        ("exchange", "exchange", Some("exchange")),
        ("full_flow", "full_flow", Some("full_flow")),
    ];
    let mut over_limit = Vec::new();
    for (label, ours, theirs) in rows {
        let Some(o) = median_ns(root, "ours", ours) else {
            continue;
        };
        if label != "full_flow" && label != "exchange" && o > LIMIT_NS {
            over_limit.push(label);
        }
        match theirs.and_then(|t| median_ns(root, "oauth2", t)) {
            Some(t) => println!("{label:<16} {:>9.0} ns {:>9.0} ns {:>10.2}", o, t, o / t),
            None => println!("{label:<16} {:>9.0} ns {:>12} {:>10}", o, "-", "-"),
        }
    }
    if let (Some(o), Some(t)) = (
        median_ns(root, "ours", "full_flow"),
        median_ns(root, "oauth2", "full_flow"),
    ) {
        println!(
            "full flow: ours is {:.1}x faster than oauth2's equivalent steps",
            t / o
        );
    }
    if over_limit.is_empty() {
        println!("every step is under 2 µs");
    } else {
        println!("steps over 2 µs: {}", over_limit.join(", "));
    }
}

fn main() {
    let root = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .map(|p| p.join("criterion"))
        .unwrap_or_else(|| PathBuf::from("target/criterion"));
    let mut criterion = Criterion::default()
        .output_directory(&root)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    benches(&mut criterion);
    criterion.final_summary();
    report(&root);
}
