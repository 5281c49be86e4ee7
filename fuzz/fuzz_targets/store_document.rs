//! Any bytes a token store hands back — torn, foreign, hostile or planted — are either a
//! credential document (which re-serializes to itself, and whose tokens are refused for
//! any instance the configuration does not allow) or a typed error that quotes none of
//! the bytes. Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wf_oauth_core::{ClientConfig, Instance, StoredCredential};

fuzz_target!(|data: &[u8]| {
    let config = ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
        .build()
        .unwrap();
    match StoredCredential::from_document(data) {
        Ok(doc) => {
            let again = StoredCredential::from_document(&doc.to_document()).expect("round trip");
            assert_eq!(again, doc);
            let allowed = config.allows_instance(doc.tokens.instance());
            assert_eq!(config.check_credential_instance(&doc.tokens).is_ok(), allowed);
            if !allowed {
                assert!(config.refresh_request(&doc.tokens).is_err());
                assert!(config.credential_headers(&doc.tokens).is_err());
            }
            let shown = format!("{doc:?}");
            let access = doc.tokens.access_token().secret();
            assert!(access.len() < 4 || !shown.contains(access));
        }
        Err(error) => {
            let text = error.to_string();
            // Long runs of the input never reappear in the message.
            if data.len() >= 24 {
                if let Ok(s) = std::str::from_utf8(data) {
                    assert!(!text.contains(s));
                }
            }
        }
    }
});
