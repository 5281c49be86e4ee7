use super::*;
use wf_oauth_core::Error as E;

fn hint() -> Hint {
    Hint::new("work", "https://acme.my.workfront.com")
}

fn cli(e: E) -> CliError {
    CliError::from_driver(&DriverError::Protocol(e), &hint())
}

#[test]
fn sign_in_failures_exit_4_and_say_what_to_do() {
    let e = cli(E::CodeExpired {
        age_secs: 131,
        lifetime_secs: 120,
    });
    assert_eq!(e.exit(), Exit::AuthorizationFailed);
    assert_eq!(
        e.message(),
        "the authorization code expired after 2 minutes (it was 131 s old) — run `wf-oauth \
         login --profile work` again and finish signing in sooner"
    );
    let e = cli(E::AuthorizationDenied {
        description: Some("The user denied access".into()),
    });
    assert_eq!(e.exit(), Exit::AuthorizationFailed);
    assert!(e.message().starts_with("access was denied"), "{e}");
    for err in [
        E::StateMismatch,
        E::StateMissing,
        E::MissingCode,
        E::RedirectMismatch {
            expected: "a".into(),
            found: "b".into(),
        },
        E::CallbackMalformed { reason: "x".into() },
        E::InstanceNotAllowed { host: "h".into() },
    ] {
        assert_eq!(
            cli(err.clone()).exit(),
            Exit::AuthorizationFailed,
            "{err:?}"
        );
    }
}

fn token_error(status: u16, code: &str) -> E {
    E::TokenEndpoint {
        status,
        error: code.into(),
        description: Some("authorization code expired".into()),
        uri: None,
        retry_after: None,
    }
}

#[test]
fn invalid_grant_means_the_code_during_login_and_reauth_afterwards() {
    // The core says what a refused code is; the CLI only words it.
    let refused_code = match token_error(400, "invalid_grant") {
        wf_oauth_core::Error::TokenEndpoint {
            status,
            error,
            description,
            uri,
            ..
        } => wf_oauth_core::Error::CodeRejected {
            status,
            error,
            description,
            uri,
        },
        _ => unreachable!(),
    };
    let during_login = CliError::from_driver(&DriverError::Protocol(refused_code), &hint());
    assert_eq!(during_login.exit(), Exit::AuthorizationFailed);
    assert!(
        during_login
            .message()
            .contains("authorization code expired"),
        "{during_login}"
    );
    let later = cli(token_error(400, "invalid_grant"));
    assert_eq!(later.exit(), Exit::ReauthRequired);
    assert!(
        later.message().contains("wf-oauth login --profile work"),
        "{later}"
    );
    assert_eq!(
        cli(token_error(401, "invalid_client")).exit(),
        Exit::ClientRefused
    );
    assert_eq!(
        cli(E::ReauthRequired { reason: "r".into() }).exit(),
        Exit::ReauthRequired
    );
}

#[test]
fn other_categories() {
    assert_eq!(
        cli(E::InvalidInstance { reason: "r".into() }).exit(),
        Exit::Usage
    );
    assert_eq!(
        cli(E::Api {
            status: 400,
            class: None,
            message: Some("bad field".into()),
            retry_after: None
        })
        .exit(),
        Exit::Api
    );
    assert_eq!(cli(E::transport("down")).exit(), Exit::Network);
    assert_eq!(
        CliError::from_driver(
            &DriverError::RateLimited {
                retry_after: Some(3)
            },
            &hint()
        )
        .exit(),
        Exit::Api
    );
    assert_eq!(cli(E::storage("disk")).exit(), Exit::Failure);
}

#[test]
fn messages_are_one_line() {
    let e = CliError::new(Exit::Failure, "first\nsecond\r\n  third");
    assert_eq!(e.message(), "first second third");
    assert_eq!(Hint::new("default", "x").login_command, "wf-oauth login");
    assert_eq!(Exit::ClientRefused.code(), 7);
}
