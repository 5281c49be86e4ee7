//! Any input given to `PendingAuthorization::accept_callback` yields a value or a typed
//! error, never a panic; an accepted callback always carries a non-empty code.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use wf_oauth_core::{
    ClientConfig, ClientSecret, Instance, InstancePolicy, MissingStatePolicy, PendingAuthorization,
    RedirectUri, UnixTime,
};

fn pendings() -> &'static [PendingAuthorization; 2] {
    static PENDING: OnceLock<[PendingAuthorization; 2]> = OnceLock::new();
    PENDING.get_or_init(|| {
        let strict =
            ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
                .client_secret(ClientSecret::new("secret"))
                .redirect_uri(RedirectUri::parse("https://app.example.com/callback").unwrap())
                .build()
                .unwrap();
        let lenient =
            ClientConfig::builder(Instance::parse("acme.my.workfront.com").unwrap(), "cid")
                .redirect_uri(RedirectUri::parse("com.example.app:/callback").unwrap())
                .missing_state(MissingStatePolicy::Accept)
                .instance_policy(
                    InstancePolicy::configured_only()
                        .allow_suffix("workfront.com")
                        .unwrap(),
                )
                .build()
                .unwrap();
        [
            strict.authorize(&[1; 64], UnixTime::from_secs(0)).unwrap(),
            lenient.authorize(&[2; 64], UnixTime::from_secs(0)).unwrap(),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    for pending in pendings() {
        match pending.accept_callback(input, UnixTime::from_secs(1)) {
            Ok(response) => assert!(!response.code().secret().is_empty()),
            Err(error) => {
                let _ = (error.to_string(), error.kind());
            }
        }
    }
});
