//! Properties: the parsers never panic, and accepted instances round-trip.

use proptest::prelude::*;
use wf_oauth_core::*;

fn pending() -> PendingAuthorization {
    ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .client_secret(ClientSecret::new("s"))
        .redirect_uri(RedirectUri::parse("https://app.example.com/cb").unwrap())
        .build()
        .unwrap()
        .authorize(&[1; 64], UnixTime::from_secs(0))
        .unwrap()
}

fn callback_like() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        Just("code".to_owned()),
        Just("state".to_owned()),
        Just("error".to_owned()),
        Just("error_description".to_owned()),
        Just("domain".to_owned()),
        Just("lane".to_owned()),
        "[a-z_%+]{0,8}",
    ];
    let value = "[ -~\u{80}-\u{10ffff}]{0,12}";
    let prefix = prop_oneof![
        Just(String::new()),
        Just("?".to_owned()),
        Just("https://app.example.com/cb?".to_owned()),
        Just("/cb?".to_owned()),
        "[a-z.]{1,6}:/?[ -~]{0,6}\\?",
    ];
    (prefix, prop::collection::vec((name, value), 0..8)).prop_map(|(prefix, pairs)| {
        let query: Vec<String> = pairs.into_iter().map(|(n, v)| format!("{n}={v}")).collect();
        format!("{prefix}{}", query.join("&"))
    })
}

fn json_like() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("0".to_owned()),
        Just("-1".to_owned()),
        Just("1.5e3".to_owned()),
        Just("\"3600\"".to_owned()),
        Just("\"\"".to_owned()),
        Just("true".to_owned()),
        "\"[ -~]{0,10}\"",
        Just("{\"class\":\"c\",\"message\":\"m\"}".to_owned()),
    ];
    let key = prop_oneof![
        Just("access_token"),
        Just("refresh_token"),
        Just("token_type"),
        Just("expires_in"),
        Just("error"),
        Just("error_description"),
        Just("wid"),
        Just("scope"),
        Just("data"),
    ];
    prop::collection::vec((key, leaf), 0..6).prop_map(|pairs| {
        let members: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("\"{k}\":{v}"))
            .collect();
        format!("{{{}}}", members.join(","))
    })
}

/// API paths the core accepts: segments of the allowed characters.
fn api_path() -> impl Strategy<Value = String> {
    prop::collection::vec("[A-Za-z0-9._~$-]{1,8}", 1..4).prop_map(|segments| {
        segments
            .into_iter()
            .map(|s| {
                if s == "." || s == ".." {
                    "x".to_owned()
                } else {
                    s
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    })
}

proptest! {
    /// The API URL is written by hand into a buffer sized up front and parsed once; it
    /// must be exactly what the url crate builds from the API base, path and query, and
    /// give the query back as it was passed.
    #[test]
    fn api_urls_are_what_the_url_crate_builds(
        path in api_path(),
        query in prop::collection::vec(("[a-zA-Z$][ -~\u{80}-\u{10ffff}]{0,8}", "[ -~\u{80}-\u{10ffff}]{0,12}"), 0..6),
    ) {
        let instance = Instance::parse("acme.my.workfront.com").unwrap();
        let config = ClientConfig::builder(instance.clone(), "cid").build().unwrap();
        let tokens = TokenSet::new(AccessToken::new("t"), instance.clone(), UnixTime::from_secs(0));
        let pairs: Vec<(&str, &str)> = query
            .iter()
            .filter(|(n, _)| !["sessionid", "apikey", "access_token"].contains(&n.to_ascii_lowercase().as_str()))
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let request = config.api_request(&tokens, Method::Get, &path, &pairs, None).unwrap();

        let mut expected = api_base_url(&instance, &ApiVersion::default());
        expected.set_path(&format!("{}{path}", expected.path()));
        if !pairs.is_empty() {
            expected.query_pairs_mut().extend_pairs(&pairs);
        }
        prop_assert_eq!(request.url().as_str(), expected.as_str());
        let back: Vec<(String, String)> = request.url().query_pairs().into_owned().collect();
        let given: Vec<(String, String)> =
            pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        prop_assert_eq!(back, given);
    }

    #[test]
    fn callbacks_never_panic(input in any::<String>()) {
        let _ = pending().accept_callback(&input, UnixTime::from_secs(1));
    }

    #[test]
    fn callback_shaped_inputs_never_panic(input in callback_like()) {
        let _ = pending().accept_callback(&input, UnixTime::from_secs(1));
    }

    #[test]
    fn token_responses_never_panic(
        status in 100u16..600,
        body in prop::collection::vec(any::<u8>(), 0..256),
        retry in proptest::option::of("[ -~]{0,30}"),
    ) {
        let mut headers = Headers::new();
        if let Some(r) = retry {
            headers.append("Retry-After", r);
        }
        let response = HttpResponse::new(status, headers, body);
        let instance = Instance::parse("acme.my.workfront.com").unwrap();
        let now = UnixTime::from_secs(1_700_000_000);
        if let Err(e) = parse_token_response(&response, &Provider::WorkfrontLegacy, &instance, now, None) {
            let _ = (e.to_string(), e.kind(), e.is_retryable(), e.is_reauth_required());
        }
        let _ = classify_api_response(&response, now);
    }

    #[test]
    fn json_shaped_token_responses_never_panic(status in prop_oneof![Just(200u16), 100u16..600], body in json_like()) {
        let response = HttpResponse::new(status, Headers::new(), body.into_bytes());
        let instance = Instance::parse("acme.my.workfront.com").unwrap();
        let now = UnixTime::from_secs(u64::MAX - 5);
        let _ = parse_token_response(&response, &Provider::adobe_ims(), &instance, now, None);
        let _ = classify_api_response(&response, now);
    }

    #[test]
    fn instance_parse_never_panics_and_round_trips(input in any::<String>()) {
        if let Ok(instance) = Instance::parse(&input) {
            prop_assert_eq!(Instance::parse(instance.origin()).unwrap(), instance.clone());
            prop_assert_eq!(Instance::parse(instance.host()).map(|i| i.origin().to_owned()).ok().is_some(), !instance.is_loopback());
        }
    }

    #[test]
    fn host_shaped_instances_round_trip(
        labels in prop::collection::vec("[a-zA-Z0-9-]{1,12}", 1..5),
        scheme in prop_oneof![Just(""), Just("https://"), Just("http://")],
        slash in any::<bool>(),
    ) {
        let input = format!("{scheme}{}{}", labels.join("."), if slash { "/" } else { "" });
        if let Ok(instance) = Instance::parse(&input) {
            prop_assert_eq!(Instance::parse(instance.origin()).unwrap(), instance.clone());
            let json = serde_json::to_string(&instance).unwrap();
            prop_assert_eq!(serde_json::from_str::<Instance>(&json).unwrap(), instance);
        }
    }
}

fn retry_after_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,30}",
        Just("18446744073709551615".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("Fri, 31 Dec 9999 23:59:59 GMT".to_owned()),
        Just("Thu, 01 Jan 1970 00:00:00 GMT".to_owned()),
        "[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT",
        "[ -~]{0,40}",
    ]
}

proptest! {
    /// Whatever status and `Retry-After` a server sends, on an API call or a token request,
    /// the retry decision neither panics nor waits past the policy's budget.
    #[test]
    fn retry_decision_is_bounded(
        status in 100u16..1000,
        retry_after in proptest::option::of(retry_after_like()),
        now in any::<u64>(),
        elapsed_ms in any::<u64>(),
        random in any::<u64>(),
        attempts in 0u32..6,
        replay in prop_oneof![Just(Replay::IfNotSent), Just(Replay::IfRefused), Just(Replay::Idempotent)],
    ) {
        let mut headers = Headers::new();
        if let Some(r) = retry_after {
            headers.append("Retry-After", r);
        }
        let response = HttpResponse::new(status, headers, b"{}".to_vec());
        let now = UnixTime::from_secs(now);
        let policy = RetryPolicy::default().with_max_attempts(attempts);
        let api = match classify_api_response(&response, now) {
            ApiOutcome::RateLimited { retry_after } => Failure::Transient {
                rate_limited: true,
                retry_after: retry_after.map(std::time::Duration::from_secs),
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
        for failure in [api, token] {
            let mut state = RetryState::new(policy, replay);
            let elapsed = std::time::Duration::from_millis(elapsed_ms);
            if let Some(delay) = state.next_delay(failure, elapsed, random) {
                prop_assert!(elapsed.saturating_add(delay) <= policy.max_elapsed());
                prop_assert!(state.attempt() <= policy.max_attempts());
            }
        }
    }
}
