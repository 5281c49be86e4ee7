//! Any status and body given to `parse_token_response` (and to the API classifier) yields
//! a value or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wf_oauth_core::{
    AccessToken, Headers, HttpResponse, Instance, Provider, RefreshToken, TokenSet, UnixTime,
    classify_api_response, parse_token_response,
};

fuzz_target!(|data: &[u8]| {
    if data.len() < 3 {
        return;
    }
    let status = u16::from_le_bytes([data[0], data[1]]) % 600;
    let flags = data[2];
    let body = data[3..].to_vec();
    let mut headers = Headers::new();
    if flags & 1 != 0 {
        headers.append("Content-Type", "text/html");
    }
    if flags & 2 != 0 {
        headers.append(
            "Retry-After",
            String::from_utf8_lossy(&body[..body.len().min(32)]).into_owned(),
        );
    }
    let response = HttpResponse::new(status, headers, body);
    let instance = Instance::parse("acme.my.workfront.com").unwrap();
    let now = UnixTime::from_secs(if flags & 4 != 0 {
        u64::MAX
    } else {
        1_700_000_000
    });
    let previous = TokenSet::new(AccessToken::new("a"), instance.clone(), now)
        .with_refresh_token(Some(RefreshToken::new("r")));
    let provider = if flags & 8 != 0 {
        Provider::adobe_ims()
    } else {
        Provider::WorkfrontLegacy
    };
    match parse_token_response(
        &response,
        &provider,
        &instance,
        now,
        (flags & 16 != 0).then_some(&previous),
    ) {
        Ok(tokens) => assert!(!tokens.access_token().secret().is_empty()),
        Err(error) => {
            let _ = (
                error.to_string(),
                error.is_retryable(),
                error.is_reauth_required(),
            );
        }
    }
    let _ = classify_api_response(&response, now);
});
