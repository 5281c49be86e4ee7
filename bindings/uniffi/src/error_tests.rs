use wf_oauth_core::Error as CoreError;
use wf_oauth_http::{Error as DriverError, RuntimeError, StoreError};

use super::*;

fn token_error(status: u16, error: &str) -> CoreError {
    CoreError::TokenEndpoint {
        status,
        error: error.into(),
        description: None,
        uri: None,
        retry_after: Some(3),
    }
}

#[test]
fn every_category_has_its_variant() {
    let cases: Vec<(WfOauthError, &str)> = vec![
        (
            CoreError::InvalidInstance { reason: "x".into() }.into(),
            "InvalidArgument",
        ),
        (CoreError::StateMismatch.into(), "StateMismatch"),
        (
            CoreError::AuthorizationDenied { description: None }.into(),
            "AuthorizationDenied",
        ),
        (
            CoreError::AuthorizationError {
                error: "server_error".into(),
                description: None,
                uri: None,
            }
            .into(),
            "AuthorizationFailed",
        ),
        (
            CoreError::CodeExpired {
                age_secs: 121,
                lifetime_secs: 120,
            }
            .into(),
            "CodeExpired",
        ),
        (token_error(400, "invalid_grant").into(), "ReauthRequired"),
        (token_error(401, "invalid_client").into(), "TokenEndpoint"),
        (
            CoreError::Api {
                status: 404,
                class: Some("NotFound".into()),
                message: None,
                retry_after: None,
            }
            .into(),
            "Api",
        ),
        (CoreError::transport("refused").into(), "Transport"),
        (StoreError::Backend("locked".into()).into(), "Storage"),
        (CoreError::MissingCode.into(), "Protocol"),
        (RuntimeError::TaskLost.into(), "Internal"),
        (RuntimeError::Panicked.into(), "Internal"),
    ];
    for (error, expected) in cases {
        let name = format!("{error:?}");
        assert!(name.starts_with(expected), "{name} is not {expected}");
    }
}

#[test]
fn details_carry_status_code_and_retry_hints() {
    let e: WfOauthError = token_error(503, "temporarily_unavailable").into();
    let WfOauthError::TokenEndpoint {
        status,
        code,
        retry_after_secs,
        retryable,
        reason,
    } = e
    else {
        panic!("not a token endpoint error: {e:?}");
    };
    assert_eq!(status, Some(503));
    assert_eq!(code.as_deref(), Some("temporarily_unavailable"));
    assert_eq!(retry_after_secs, Some(3));
    assert!(retryable);
    assert!(reason.contains("503"), "{reason}");

    let throttled: WfOauthError = DriverError::RateLimited {
        retry_after: Some(7),
    }
    .into();
    assert!(matches!(
        throttled,
        WfOauthError::Api {
            status: Some(429),
            retry_after_secs: Some(7),
            retryable: true,
            ..
        }
    ));
    let denied: WfOauthError = CoreError::AuthorizationDenied { description: None }.into();
    assert!(
        matches!(denied, WfOauthError::AuthorizationDenied { code: Some(ref c), .. } if c == "access_denied")
    );
}

#[test]
fn a_foreign_exception_is_a_storage_error() {
    let e = WfOauthError::from(uniffi::UnexpectedUniFFICallbackError::new(
        "IOException: disk",
    ));
    assert!(matches!(e, WfOauthError::Storage { .. }));
    assert!(e.reason().contains("IOException: disk"));
}
