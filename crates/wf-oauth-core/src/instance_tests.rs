use super::*;

fn reason(input: &str) -> String {
    match Instance::parse(input) {
        Err(Error::InvalidInstance { reason }) => reason,
        other => panic!("{input:?} gave {other:?}"),
    }
}

#[test]
fn accepts_workfront_hosts() {
    for (input, origin) in [
        ("acme.my.workfront.com", "https://acme.my.workfront.com"),
        (
            "acme.my.workfront.adobe.com",
            "https://acme.my.workfront.adobe.com",
        ),
        (
            "acme.preview.workfront.com",
            "https://acme.preview.workfront.com",
        ),
        ("acme.sb01.workfront.com", "https://acme.sb01.workfront.com"),
        (
            "https://acme.my.workfront.com",
            "https://acme.my.workfront.com",
        ),
        (
            "https://acme.my.workfront.com/",
            "https://acme.my.workfront.com",
        ),
        (
            "HTTPS://ACME.My.WorkFront.com",
            "https://acme.my.workfront.com",
        ),
        ("xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ] {
        assert_eq!(Instance::parse(input).unwrap().origin(), origin, "{input}");
    }
}

#[test]
fn accepts_explicit_loopback_http() {
    for (input, origin) in [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://127.0.0.1", "http://127.0.0.1"),
        ("http://127.0.0.1:80/", "http://127.0.0.1"),
        ("http://[::1]:9000", "http://[::1]:9000"),
        ("http://LOCALHOST:3000/", "http://localhost:3000"),
    ] {
        let i = Instance::parse(input).unwrap();
        assert!(i.is_loopback());
        assert_eq!(i.origin(), origin, "{input}");
        assert_eq!(i.base_url().as_str(), format!("{origin}/"));
    }
}

#[test]
fn rejects_bad_instances() {
    for input in [
        "",
        "http://acme.my.workfront.com",
        "ftp://acme.my.workfront.com",
        "https://user:pw@acme.my.workfront.com",
        "user@acme.my.workfront.com",
        "https://acme.my.workfront.com:443",
        "acme.my.workfront.com:8443",
        "https://acme.my.workfront.com/attask",
        "acme.my.workfront.com/x",
        "https://acme.my.workfront.com//",
        "acme.my.workfront.com#x",
        "acme.my.workfront.com?x=1",
        "acme%2emy.workfront.com",
        "acme .my.workfront.com",
        " acme.my.workfront.com",
        "acme.my.workfront.com\n",
        "acme..workfront.com",
        ".acme.workfront.com",
        "acme.workfront.com.",
        "-acme.my.workfront.com",
        "acme-.my.workfront.com",
        "ac_me.my.workfront.com",
        "acmé.my.workfront.com",
        "localhost",
        "https://localhost",
        "192.168.0.1",
        "https://10.0.0.1",
        "https://[::1]",
        "http://127.0.0.2:80",
        "http://127.0.0.1:0",
        "http://127.0.0.1:65536",
        "http://127.0.0.1:+80",
        "http://127.0.0.1:8080x",
        "http://localhost.evil.com",
        "http://[::1]x",
        "https://acme.my.workfront.com\\x",
    ] {
        reason(input);
    }
    let long_label = format!("{}.workfront.com", "a".repeat(64));
    reason(&long_label);
    let long_host = format!("{}com", "abcdefghi.".repeat(26));
    assert!(long_host.len() > 253);
    reason(&long_host);
    assert!(Instance::parse(&format!("{}.workfront.com", "a".repeat(63))).is_ok());
}

#[test]
fn from_callback_builds_and_validates() {
    let i = Instance::from_callback("Acme", "my").unwrap();
    assert_eq!(i.origin(), "https://acme.my.workfront.com");
    for (d, l) in [
        ("", "my"),
        ("acme", ""),
        ("acme.evil", "my"),
        ("acme", "my/x"),
        ("acme", "-my"),
        ("a b", "my"),
        ("acme", "my:1"),
    ] {
        assert!(
            matches!(
                Instance::from_callback(d, l),
                Err(Error::InvalidInstance { .. })
            ),
            "{d:?} {l:?}"
        );
    }
}

#[test]
fn named_by_callback() {
    let classic = Instance::parse("acme.my.workfront.com").unwrap();
    let shell = Instance::parse("acme.my.workfront.adobe.com").unwrap();
    assert!(classic.is_named_by("acme", "my"));
    assert!(classic.is_named_by("ACME", "my"));
    assert!(shell.is_named_by("acme", "my"));
    assert!(!classic.is_named_by("acme", "preview"));
    assert!(!classic.is_named_by("acm", "e.my"));
    assert!(
        !Instance::parse("http://localhost")
            .unwrap()
            .is_named_by("localhost", "x")
    );
}

#[test]
fn policy_suffix_matches_on_label_boundary() {
    let configured = Instance::parse("acme.my.workfront.com").unwrap();
    let policy = InstancePolicy::configured_only()
        .allow_suffix("workfront.com")
        .unwrap();
    let ok = |h: &str| policy.allows(&configured, &Instance::parse(h).unwrap());
    assert!(ok("acme.my.workfront.com"));
    assert!(ok("other.preview.workfront.com"));
    assert!(ok("workfront.com"));
    assert!(!ok("evil-workfront.com"));
    assert!(!ok("workfront.com.evil.com"));
    assert!(!ok("acme.my.workfront.adobe.com"));
    assert!(!ok("http://localhost"));
    assert!(matches!(
        InstancePolicy::configured_only().allow_suffix("com"),
        Err(Error::InvalidInstance { .. })
    ));
}

#[test]
fn policy_default_allows_only_configured() {
    let configured = Instance::parse("acme.my.workfront.com").unwrap();
    let other = Instance::parse("beta.my.workfront.com").unwrap();
    let policy = InstancePolicy::configured_only();
    assert!(policy.allows(&configured, &configured));
    assert!(!policy.allows(&configured, &other));
    let policy = policy.allow_instance(other.clone());
    assert!(policy.allows(&configured, &other));
}

#[test]
fn serde_as_string() {
    let i = Instance::parse("acme.my.workfront.com").unwrap();
    let json = serde_json::to_string(&i).unwrap();
    assert_eq!(json, "\"https://acme.my.workfront.com\"");
    assert_eq!(serde_json::from_str::<Instance>(&json).unwrap(), i);
    assert!(serde_json::from_str::<Instance>("\"http://evil.com\"").is_err());
    let policy: InstancePolicy =
        serde_json::from_str(r#"{"instances":[],"suffixes":["workfront.com"]}"#).unwrap();
    assert_eq!(
        policy,
        InstancePolicy::configured_only()
            .allow_suffix("workfront.com")
            .unwrap()
    );
    assert!(serde_json::from_str::<InstancePolicy>(r#"{"suffixes":[""]}"#).is_err());
}
