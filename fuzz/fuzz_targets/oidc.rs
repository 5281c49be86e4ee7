//! Any bytes given to the OpenID Connect parsers (JWKS, discovery, userinfo) and to
//! id_token validation yield a value or a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wf_oauth_core::{
    IdToken, IdTokenValidation, Jwks, Nonce, ProviderMetadata, UnixTime, UserInfo,
    validate_id_token,
};

/// A JWKS with one real 2048-bit key (RFC 7517 Appendix A.1's modulus).
const JWKS: &[u8] = br#"{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}"#;

fuzz_target!(|data: &[u8]| {
    let _ = Jwks::parse(data).map(|j| j.keys().len());
    let _ = ProviderMetadata::parse(data, "https://op.example.com").map(|m| m.jwks_uri().clone());
    let _ = UserInfo::parse(data, Some("u")).map(|u| u.to_json());
    let jwks = Jwks::parse(JWKS).expect("the fixed JWKS parses");
    let token = IdToken::new(String::from_utf8_lossy(data).into_owned());
    let nonce = Nonce::from_entropy(&[1; 32]);
    let now = UnixTime::from_secs(1_700_000_000);
    let check = IdTokenValidation::new("https://op.example.com", "client", now).expect_nonce(&nonce);
    match validate_id_token(&token, &jwks, &check) {
        Ok(claims) => assert!(!claims.sub().is_empty()),
        Err(error) => {
            let message = error.to_string();
            // A message never repeats the token.
            assert!(data.len() < 16 || !message.contains(token.secret()));
        }
    }
});
