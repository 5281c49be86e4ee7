//! Any status, `Retry-After` text, clock, elapsed time and random draw given to the retry
//! decision (through the API classifier and the token response parser) yields a bounded
//! wait or none, never a panic or an overflow.
#![no_main]

use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use wf_oauth_core::{
    ApiOutcome, Failure, Headers, HttpResponse, Instance, Provider, Replay, RetryPolicy,
    RetryState, UnixTime, classify_api_response, parse_token_response,
};

fn u64_at(data: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    for (i, b) in data.iter().skip(at).take(8).enumerate() {
        bytes[i] = *b;
    }
    u64::from_le_bytes(bytes)
}

fuzz_target!(|data: &[u8]| {
    if data.len() < 28 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]) % 1000;
    let flags = data[2];
    let attempts = u32::from(data[3] % 8);
    let now = UnixTime::from_secs(u64_at(data, 4));
    let elapsed = Duration::from_nanos(u64_at(data, 12));
    let random = u64_at(data, 20);
    let retry_after = String::from_utf8_lossy(&data[28..]).into_owned();
    let mut headers = Headers::new();
    headers.append("Retry-After", retry_after);
    let response = HttpResponse::new(status, headers, b"{}".to_vec());
    let replay = match flags % 3 {
        0 => Replay::IfNotSent,
        1 => Replay::IfRefused,
        _ => Replay::Idempotent,
    };
    let policy = RetryPolicy::default()
        .with_max_attempts(attempts)
        .with_max_elapsed(if flags & 4 != 0 {
            Duration::MAX
        } else {
            Duration::from_secs(30)
        });
    let api = match classify_api_response(&response, now) {
        ApiOutcome::RateLimited { retry_after } => Failure::Transient {
            rate_limited: true,
            retry_after: retry_after.map(Duration::from_secs),
        },
        other => match other.into_result() {
            Ok(_) => Failure::Permanent,
            Err(e) => Failure::of(&e),
        },
    };
    let instance = Instance::parse("acme.my.workfront.com").unwrap();
    let token = parse_token_response(&response, &Provider::WorkfrontLegacy, &instance, now, None)
        .err()
        .map_or(Failure::Permanent, |e| Failure::of(&e));
    for failure in [api, token, Failure::NotSent, Failure::MaybeSent] {
        let mut state = RetryState::new(policy, replay);
        for _ in 0..10 {
            match state.next_delay(failure, elapsed, random) {
                Some(delay) => {
                    assert!(elapsed.saturating_add(delay) <= policy.max_elapsed());
                    assert!(state.attempt() <= policy.max_attempts());
                }
                None => break,
            }
        }
    }
});
