use super::*;

fn new_config() -> *mut wf_config {
    let mut out = std::ptr::null_mut();
    // SAFETY: literal C strings and a valid out pointer.
    let r = unsafe {
        wf_config_new(
            c"https://acme.my.workfront.com".as_ptr(),
            c"id".as_ptr(),
            &mut out,
        )
    };
    assert_eq!(r, wf_result::WF_OK);
    out
}

#[test]
fn the_secret_never_shows_in_debug_output() {
    let config = new_config();
    // SAFETY: a live configuration and literal strings.
    unsafe {
        assert_eq!(
            wf_config_set_client_secret(config, c"hunter2-secret".as_ptr()),
            wf_result::WF_OK
        );
        let text = format!("{:?}", *config);
        assert!(!text.contains("hunter2"), "{text}");
        wf_config_free(config);
    }
}

#[test]
fn bad_values_are_refused_where_they_are_given() {
    let config = new_config();
    // SAFETY: a live configuration and literal strings.
    unsafe {
        assert_eq!(
            wf_config_set_redirect_uri(config, c"not a uri".as_ptr()),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert_eq!(
            wf_config_set_api_version(config, c"20".as_ptr()),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert_eq!(
            wf_config_set_client_auth(config, 7),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert_eq!(
            wf_config_set_timeouts(config, 0, 1),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert_eq!(
            wf_config_set_retry(config, 0, 1),
            wf_result::WF_INVALID_ARGUMENT
        );
        wf_config_free(config);
    }
}

/// The calling thread's last error message, which a failure always leaves.
fn last_message() -> String {
    crate::ffi::tests::last_message().expect("a last error message")
}

/// Asserts that a provider setter refused its URL with a message that starts with the
/// parameter's name; returns the message.
fn refused_naming(result: wf_result, parameter: &str) -> String {
    assert_eq!(result, wf_result::WF_INVALID_ARGUMENT);
    let message = last_message();
    assert!(message.starts_with(&format!("`{parameter}`")), "{message}");
    message
}

/// The provider of the client a configuration makes.
fn provider_of(config: *const wf_config) -> Provider {
    // SAFETY: a live configuration.
    let client = unsafe { &*config }
        .oauth_client()
        .expect("a valid configuration");
    client.as_async().config().provider().clone()
}

#[test]
fn providers_are_chosen_and_bad_urls_refused_with_their_name() {
    let config = new_config();
    // SAFETY: a live configuration and literal strings.
    unsafe {
        assert_eq!(provider_of(config), Provider::WorkfrontLegacy);
        assert_eq!(
            wf_config_set_scope(config, c"openid AdobeID".as_ptr()),
            wf_result::WF_OK
        );
        assert_eq!(
            wf_config_set_provider_adobe_ims(config, std::ptr::null()),
            wf_result::WF_OK
        );
        assert_eq!(provider_of(config), Provider::adobe_ims());
        assert_eq!(
            wf_config_set_provider_adobe_ims(config, c"http://127.0.0.1:7000".as_ptr()),
            wf_result::WF_OK
        );
        let local = Provider::adobe_ims_at("http://127.0.0.1:7000").expect("valid");
        assert_eq!(provider_of(config), local);

        // A refused URL leaves the previous provider in place, and the message names
        // the parameter without quoting the URL.
        refused_naming(
            wf_config_set_provider_adobe_ims(config, c"http://ims.example.com".as_ptr()),
            "ims_base",
        );
        assert_eq!(provider_of(config), local);
        let message = refused_naming(
            wf_config_set_provider_generic(
                config,
                c"https://u:pw-4711@auth.example.com/a".as_ptr(),
                c"https://auth.example.com/t".as_ptr(),
            ),
            "authorize_url",
        );
        assert!(!message.contains("pw-4711"), "{message}");
        refused_naming(
            wf_config_set_provider_generic(
                config,
                c"https://auth.example.com/a".as_ptr(),
                c"ftp://auth.example.com/t".as_ptr(),
            ),
            "token_url",
        );
        assert_eq!(provider_of(config), local);

        assert_eq!(
            wf_config_set_provider_generic(
                config,
                c"https://auth.example.com/a".as_ptr(),
                c"https://auth.example.com/t".as_ptr()
            ),
            wf_result::WF_OK
        );
        assert_eq!(provider_of(config).kind_name(), "generic");
        assert_eq!(
            wf_config_set_provider_workfront_legacy(config),
            wf_result::WF_OK
        );
        assert_eq!(provider_of(config), Provider::WorkfrontLegacy);
        wf_config_free(config);
    }
}

#[test]
fn adobe_ims_without_a_scope_is_refused_when_the_client_is_made() {
    let config = new_config();
    let mut oauth = std::ptr::null_mut();
    // SAFETY: a live configuration and a valid out pointer.
    unsafe {
        assert_eq!(
            wf_config_set_provider_adobe_ims(config, std::ptr::null()),
            wf_result::WF_OK
        );
        assert_eq!(
            crate::wf_oauth_new(config, &mut oauth),
            wf_result::WF_INVALID_ARGUMENT
        );
        assert!(oauth.is_null());
        let message = last_message();
        assert!(message.contains("scope"), "{message}");
        wf_config_free(config);
    }
}
