use super::*;
use crate::instance::Instance;
use crate::secret::{AccessToken, RefreshToken};

const T0: UnixTime = UnixTime::from_secs(1_700_000_000);

fn tokens(access: &str, refresh: Option<&str>, expires_in: Option<u64>) -> TokenSet {
    TokenSet::new(
        AccessToken::new(access),
        Instance::parse("acme.my.workfront.com").unwrap(),
        T0,
    )
    .with_refresh_token(refresh.map(RefreshToken::new))
    .with_expires_at(expires_in.map(|s| T0.plus_secs(s)))
}

fn invalid_grant() -> Error {
    Error::TokenEndpoint {
        status: 400,
        error: "invalid_grant".into(),
        description: None,
        uri: None,
        retry_after: None,
    }
}

#[test]
fn unknown_expiry_never_refreshes_proactively() {
    let c = Credential::new(tokens("a", Some("r"), None), 60);
    assert_eq!(
        c.decide(T0.plus_secs(100_000_000)),
        Decision::Use { generation: 0 }
    );
    assert_eq!(c.state(T0), CredentialState::Fresh);
}

#[test]
fn known_expiry_minus_skew_triggers_refresh() {
    let c = Credential::new(tokens("a", Some("r"), Some(3600)), 60);
    assert_eq!(
        c.decide(T0.plus_secs(3539)),
        Decision::Use { generation: 0 }
    );
    assert_eq!(
        c.decide(T0.plus_secs(3540)),
        Decision::RefreshFirst { generation: 0 }
    );
    assert_eq!(c.state(T0.plus_secs(3540)), CredentialState::RefreshDue);
}

#[test]
fn expired_without_refresh_token_requires_reauth() {
    let c = Credential::new(tokens("a", None, Some(3600)), 60);
    assert_eq!(
        c.decide(T0.plus_secs(3550)),
        Decision::Use { generation: 0 }
    );
    assert_eq!(c.decide(T0.plus_secs(3600)), Decision::ReauthRequired);
}

#[test]
fn burst_of_auth_failures_causes_one_refresh() {
    let mut c = Credential::new(tokens("a0", Some("r0"), None), 60);
    // Five callers used generation 0 and all got 401.
    let first = c.on_auth_failure(0);
    assert_eq!(first, Decision::RefreshFirst { generation: 0 });
    let ticket = c.begin_refresh().unwrap();
    assert_eq!(ticket.renewal(), Renewal::RefreshToken);
    assert_eq!(ticket.generation(), 0);
    for _ in 0..4 {
        assert_eq!(c.on_auth_failure(0), Decision::WaitForRefresh);
    }
    assert_eq!(c.begin_refresh(), Err(Error::RefreshInProgress));
    assert_eq!(c.decide(T0), Decision::WaitForRefresh);
    assert_eq!(
        c.complete_refresh(ticket, tokens("a1", Some("r1"), None), 1)
            .unwrap(),
        1
    );
    // Late failures of the old token use the new one.
    assert_eq!(c.on_auth_failure(0), Decision::Use { generation: 1 });
    assert_eq!(c.decide(T0), Decision::Use { generation: 1 });
    assert_eq!(c.tokens().access_token().secret(), "a1");
}

#[test]
fn failed_refresh_returns_to_previous_state_or_reauth() {
    let mut c = Credential::new(tokens("a0", Some("r0"), None), 60);
    let ticket = c.begin_refresh().unwrap();
    c.fail_refresh(ticket, &Error::transport("timeout"));
    assert_eq!(c.state(T0), CredentialState::Fresh);
    assert_eq!(c.generation(), 0);
    let ticket = c.begin_refresh().unwrap();
    c.fail_refresh(ticket, &invalid_grant());
    assert_eq!(c.state(T0), CredentialState::ReauthRequired);
    assert_eq!(c.decide(T0), Decision::ReauthRequired);
    assert_eq!(c.on_auth_failure(0), Decision::ReauthRequired);
    assert!(matches!(
        c.begin_refresh(),
        Err(Error::ReauthRequired { .. })
    ));
    // A new sign-in recovers.
    assert_eq!(c.replace_tokens(tokens("b", Some("rb"), None)), 1);
    assert_eq!(c.decide(T0), Decision::Use { generation: 1 });
}

#[test]
fn auth_failure_without_refresh_token_requires_reauth() {
    let mut c = Credential::new(tokens("a", None, None), 60);
    assert_eq!(c.on_auth_failure(0), Decision::ReauthRequired);
    assert_eq!(c.state(T0), CredentialState::ReauthRequired);
}

#[test]
fn stale_ticket_after_new_sign_in() {
    let mut c = Credential::new(tokens("a0", Some("r0"), None), 60);
    let ticket = c.begin_refresh().unwrap();
    c.replace_tokens(tokens("b", Some("rb"), None));
    assert!(matches!(
        c.complete_refresh(ticket, tokens("stale", None, None), 2),
        Err(Error::InvalidArgument { .. })
    ));
    assert_eq!(c.tokens().access_token().secret(), "b");
    let ticket = c.begin_refresh().unwrap();
    let stale = RefreshTicket {
        generation: 0,
        renewal: Renewal::RefreshToken,
    };
    c.fail_refresh(stale, &invalid_grant());
    assert_eq!(c.state(T0), CredentialState::Refreshing);
    c.fail_refresh(ticket, &Error::transport("x"));
    assert_eq!(c.state(T0), CredentialState::Fresh);
}

#[test]
fn client_credentials_renew_without_refresh_token() {
    let mut c = Credential::for_client_credentials(tokens("a", None, Some(86399)), 60);
    assert_eq!(c.renewal(), Renewal::ClientCredentials);
    assert_eq!(
        c.decide(T0.plus_secs(86340)),
        Decision::RefreshFirst { generation: 0 }
    );
    assert_eq!(
        c.on_auth_failure(0),
        Decision::RefreshFirst { generation: 0 }
    );
    let ticket = c.begin_refresh().unwrap();
    assert_eq!(ticket.renewal(), Renewal::ClientCredentials);
}
