//! One test per id_token rule, each attack sent and refused with its typed error.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Value, json};

use super::test_keys::{TestKey, attacker, provider, sign_with, small};
use super::*;
use crate::error::Error;
use crate::time::UnixTime;

const ISSUER: &str = "https://ims-na1.adobelogin.com";
const CLIENT: &str = "my-client";
const NOW: u64 = 1_700_000_000;

fn nonce() -> Nonce {
    Nonce::from_entropy(&[42; 32])
}

fn claims() -> Value {
    json!({
        "iss": ISSUER,
        "sub": "0123456789ABCDEF01234567@AdobeID",
        "aud": CLIENT,
        "azp": CLIENT,
        "iat": NOW - 10,
        "exp": NOW + 3600,
        "nonce": nonce().secret(),
        "email": "ann@example.com",
        "name": "Ann Example",
        "given_name": "Ann",
        "email_verified": true,
    })
}

fn with(changes: &[(&str, Value)]) -> Value {
    let mut c = claims();
    for (k, v) in changes {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(*k);
        } else {
            c[*k] = v.clone();
        }
    }
    c
}

fn header(key: &TestKey) -> Value {
    json!({"alg": "RS256", "typ": "JWT", "kid": key.kid})
}

fn jwks_of(keys: &[Value]) -> Jwks {
    Jwks::parse(json!({ "keys": keys }).to_string().as_bytes()).unwrap()
}

fn jwks() -> Jwks {
    jwks_of(&[provider().jwk("RS256")])
}

fn signed(claims: &Value) -> IdToken {
    IdToken::new(provider().sign(&header(provider()), claims))
}

/// Validates at NOW, expecting the test nonce; checks that no error message carries the
/// token, its signature or the nonce.
fn check_at(token: &IdToken, keys: &Jwks, now: u64) -> Result<IdTokenClaims, Error> {
    let n = nonce();
    let v = IdTokenValidation::new(ISSUER, CLIENT, UnixTime::from_secs(now)).expect_nonce(&n);
    let result = validate_id_token(token, keys, &v);
    if let Err(e) = &result {
        let message = format!("{e} {e:?}");
        let raw = token.secret();
        assert!(!message.contains(raw) || raw.is_empty(), "{message}");
        if let Some(sig) = raw.rsplit('.').next().filter(|s| s.len() > 8) {
            assert!(!message.contains(sig), "{message}");
        }
        assert!(!message.contains(n.secret()), "{message}");
    }
    result
}

fn check(token: &IdToken) -> Result<IdTokenClaims, Error> {
    check_at(token, &jwks(), NOW)
}

#[track_caller]
fn assert_rejected(result: Result<IdTokenClaims, Error>, expected: IdTokenCheck) {
    match result {
        Err(Error::IdTokenRejected { check, ref reason }) => {
            assert_eq!(check, expected, "{reason}");
            assert_eq!(
                result.as_ref().unwrap_err().kind(),
                crate::ErrorKind::AuthorizationFailed
            );
        }
        other => panic!("expected a {expected} rejection, got {other:?}"),
    }
}

#[track_caller]
fn assert_malformed(result: Result<IdTokenClaims, Error>) {
    match result {
        Err(e @ Error::IdTokenMalformed { .. }) => {
            assert_eq!(e.kind(), crate::ErrorKind::Protocol);
        }
        other => panic!("expected a malformed token, got {other:?}"),
    }
}

#[test]
fn a_valid_token_gives_its_claims() {
    let c = check(&signed(&claims())).unwrap();
    assert_eq!(c.sub(), "0123456789ABCDEF01234567@AdobeID");
    assert_eq!(c.email(), Some("ann@example.com"));
    assert_eq!(c.name(), Some("Ann Example"));
    assert_eq!(c.issuer(), ISSUER);
    assert_eq!(c.audience(), [CLIENT.to_owned()]);
    assert_eq!(c.authorized_party(), Some(CLIENT));
    assert_eq!(c.expires_at(), UnixTime::from_secs(NOW + 3600));
    assert_eq!(c.issued_at(), UnixTime::from_secs(NOW - 10));
    assert_eq!(c.nonce(), Some(nonce().secret()));
    let other = c.other();
    assert_eq!(other["given_name"], "Ann");
    assert_eq!(other["email_verified"], true);
    assert!(!other.contains_key("sub") && !other.contains_key("nonce"));
    assert_eq!(
        c.get("sub"),
        Some(&json!("0123456789ABCDEF01234567@AdobeID"))
    );
    assert_eq!(c.to_json().len(), claims().as_object().unwrap().len());
    let debug = format!("{c:?}");
    assert!(!debug.contains(nonce().secret()), "{debug}");
    assert!(debug.contains("given_name"), "{debug}");
}

#[test]
fn optional_claims_may_be_absent_and_times_may_be_fractional() {
    let c = check(&signed(&with(&[
        ("email", Value::Null),
        ("name", Value::Null),
        ("azp", Value::Null),
        ("exp", json!((NOW + 100) as f64 + 0.5)),
    ])))
    .unwrap();
    assert_eq!(c.email(), None);
    assert_eq!(c.name(), None);
    assert_eq!(c.authorized_party(), None);
    assert_eq!(c.expires_at(), UnixTime::from_secs(NOW + 100));
}

#[test]
fn alg_none_is_refused() {
    let unsigned = |claims: &Value, signature: &str| {
        let h = URL_SAFE_NO_PAD.encode(json!({"alg": "none"}).to_string());
        let p = URL_SAFE_NO_PAD.encode(claims.to_string());
        IdToken::new(format!("{h}.{p}.{signature}"))
    };
    assert_rejected(check(&unsigned(&claims(), "")), IdTokenCheck::Algorithm);
    // Even with a real signature attached.
    let real = signed(&claims());
    let sig = real.secret().rsplit('.').next().unwrap();
    assert_rejected(check(&unsigned(&claims(), sig)), IdTokenCheck::Algorithm);
    for spelling in ["None", "NONE", "nOnE"] {
        let h = URL_SAFE_NO_PAD.encode(json!({"alg": spelling}).to_string());
        let p = URL_SAFE_NO_PAD.encode(claims().to_string());
        assert_rejected(
            check(&IdToken::new(format!("{h}.{p}."))),
            IdTokenCheck::Algorithm,
        );
    }
}

#[test]
fn hmac_signed_with_the_public_key_is_refused() {
    // The algorithm-confusion attack: HS* with the provider's public key as the secret,
    // which a naive verifier would accept.
    let (der, pem) = provider().public_der_and_pem();
    let n = URL_SAFE_NO_PAD
        .decode(provider().jwk("RS256")["n"].as_str().unwrap())
        .unwrap();
    for secret in [der.as_slice(), pem.as_bytes(), n.as_slice()] {
        for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
            let h = json!({"alg": format!("{alg:?}"), "kid": provider().kid});
            let token = sign_with(
                &h,
                &claims(),
                &EncodingKey::from_secret(secret).unwrap(),
                alg,
            );
            assert_rejected(check(&IdToken::new(token)), IdTokenCheck::Algorithm);
        }
    }
}

#[test]
fn other_algorithms_are_refused() {
    for alg in ["RS384", "RS512", "PS256", "ES256", "EdDSA", "rs256", ""] {
        let h = json!({"alg": alg, "kid": provider().kid});
        let token = provider().sign(&h, &claims());
        assert_rejected(check(&IdToken::new(token)), IdTokenCheck::Algorithm);
    }
    let no_alg = provider().sign(&json!({"kid": provider().kid}), &claims());
    assert_malformed(check(&IdToken::new(no_alg)));
    let crit = json!({"alg": "RS256", "kid": provider().kid, "crit": ["exp"], "exp": 1});
    assert_rejected(
        check(&IdToken::new(provider().sign(&crit, &claims()))),
        IdTokenCheck::Algorithm,
    );
}

#[test]
fn an_unknown_kid_is_its_own_error() {
    let h = json!({"alg": "RS256", "kid": "rotated-key"});
    let token = IdToken::new(provider().sign(&h, &claims()));
    let err = check(&token).unwrap_err();
    assert_eq!(
        err,
        Error::IdTokenUnknownKey {
            kid: "rotated-key".into()
        }
    );
    assert_eq!(err.kind(), crate::ErrorKind::AuthorizationFailed);
    // After fetching the JWKS again (now with the key), the same token validates.
    let refreshed = jwks_of(&[
        provider().jwk("RS256"),
        json!({"kty": "RSA", "kid": "rotated-key", "n": provider().jwk("RS256")["n"], "e": "AQAB"}),
    ]);
    assert!(check_at(&token, &refreshed, NOW).is_ok());
}

#[test]
fn tokens_without_kid() {
    let h = json!({"alg": "RS256"});
    let token = IdToken::new(provider().sign(&h, &claims()));
    // One key: it is the one.
    assert!(check(&token).is_ok());
    // Several: ambiguous.
    let two = jwks_of(&[provider().jwk("RS256"), attacker().jwk("RS256")]);
    assert_rejected(check_at(&token, &two, NOW), IdTokenCheck::Key);
    // None at all.
    assert!(matches!(
        check_at(&token, &jwks_of(&[]), NOW),
        Err(Error::IdTokenUnknownKey { .. })
    ));
    let numeric_kid = json!({"alg": "RS256", "kid": 5});
    assert_malformed(check(&IdToken::new(
        provider().sign(&numeric_kid, &claims()),
    )));
}

#[test]
fn unusable_keys_are_refused() {
    // Published for another algorithm.
    let rs512 = jwks_of(&[provider().jwk("RS512")]);
    assert_rejected(check_at(&signed(&claims()), &rs512, NOW), IdTokenCheck::Key);
    // Too small.
    let token = IdToken::new(small().sign(&header(small()), &claims()));
    let keys = jwks_of(&[small().jwk("RS256")]);
    assert_rejected(check_at(&token, &keys, NOW), IdTokenCheck::Key);
    // Keys without `alg` are fine.
    let mut jwk = provider().jwk("RS256");
    jwk.as_object_mut().unwrap().remove("alg");
    assert!(check_at(&signed(&claims()), &jwks_of(&[jwk]), NOW).is_ok());
}

#[test]
fn signatures_must_verify() {
    // Signed by another key under the provider's kid.
    let forged = IdToken::new(attacker().sign(&header(provider()), &claims()));
    assert_rejected(check(&forged), IdTokenCheck::Signature);
    // Payload changed after signing.
    let good = signed(&claims());
    let parts: Vec<&str> = good.secret().split('.').collect();
    let evil = URL_SAFE_NO_PAD.encode(with(&[("sub", json!("someone-else"))]).to_string());
    let tampered = IdToken::new(format!("{}.{evil}.{}", parts[0], parts[2]));
    assert_rejected(check(&tampered), IdTokenCheck::Signature);
    // Header changed after signing (another kid pointing at the same key).
    let h2 = URL_SAFE_NO_PAD.encode(json!({"alg":"RS256","kid":provider().kid,"x":1}).to_string());
    let reheaded = IdToken::new(format!("{h2}.{}.{}", parts[1], parts[2]));
    assert_rejected(check(&reheaded), IdTokenCheck::Signature);
    // One signature bit flipped; no signature; a signature that is not base64url.
    let mut sig = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
    sig[10] ^= 0x80;
    let flipped = IdToken::new(format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        URL_SAFE_NO_PAD.encode(sig)
    ));
    assert_rejected(check(&flipped), IdTokenCheck::Signature);
    let bare = IdToken::new(format!("{}.{}.", parts[0], parts[1]));
    assert_rejected(check(&bare), IdTokenCheck::Signature);
    let junk = IdToken::new(format!("{}.{}.@@@", parts[0], parts[1]));
    assert_rejected(check(&junk), IdTokenCheck::Signature);
}

#[test]
fn keys_embedded_in_the_header_are_never_used() {
    // The attacker signs with its own key and ships it in the header (`jwk`, `jku`).
    let mut embedded = header(attacker());
    embedded["jwk"] = attacker().jwk("RS256");
    embedded["jku"] = json!("https://attacker.example/keys");
    let token = IdToken::new(attacker().sign(&embedded, &claims()));
    assert!(matches!(
        check(&token),
        Err(Error::IdTokenUnknownKey { .. })
    ));
    embedded["kid"] = json!(provider().kid);
    let token = IdToken::new(attacker().sign(&embedded, &claims()));
    assert_rejected(check(&token), IdTokenCheck::Signature);
}

#[test]
fn issuer_must_be_exact() {
    for iss in [
        json!("https://ims-na1.adobelogin.com/"),
        json!("https://ims-na1.adobelogin.com/other"),
        json!("https://ims-na1.adobelogin.com.evil.example"),
        json!("https://IMS-NA1.adobelogin.com"),
        Value::Null,
    ] {
        assert_rejected(check(&signed(&with(&[("iss", iss)]))), IdTokenCheck::Issuer);
    }
    assert_malformed(check(&signed(&with(&[("iss", json!(["x"]))]))));
}

#[test]
fn audience_must_include_the_client() {
    assert_rejected(
        check(&signed(&with(&[
            ("aud", json!("other-client")),
            ("azp", Value::Null),
        ]))),
        IdTokenCheck::Audience,
    );
    assert_rejected(
        check(&signed(&with(&[("aud", Value::Null)]))),
        IdTokenCheck::Audience,
    );
    assert_rejected(
        check(&signed(&with(&[
            ("aud", json!(["a", "b"])),
            ("azp", Value::Null),
        ]))),
        IdTokenCheck::Audience,
    );
    // A prefix or a case variant is not the client.
    assert_rejected(
        check(&signed(&with(&[("aud", json!("my-client-2"))]))),
        IdTokenCheck::Audience,
    );
    // An array including the client, with azp, is fine.
    let ok = check(&signed(&with(&[("aud", json!([CLIENT, "other"]))]))).unwrap();
    assert_eq!(ok.audience().len(), 2);
    assert_malformed(check(&signed(&with(&[("aud", json!(7))]))));
    assert_malformed(check(&signed(&with(&[("aud", json!([CLIENT, 7]))]))));
}

#[test]
fn azp_must_be_the_client() {
    assert_rejected(
        check(&signed(&with(&[("azp", json!("other-client"))]))),
        IdTokenCheck::AuthorizedParty,
    );
    // Several audiences require azp.
    assert_rejected(
        check(&signed(&with(&[
            ("aud", json!([CLIENT, "other"])),
            ("azp", Value::Null),
        ]))),
        IdTokenCheck::AuthorizedParty,
    );
    assert_rejected(
        check(&signed(&with(&[
            ("aud", json!([CLIENT, "other"])),
            ("azp", json!("other")),
        ]))),
        IdTokenCheck::AuthorizedParty,
    );
}

#[test]
fn expiry_with_bounded_skew() {
    let exp = NOW + 100;
    let token = signed(&with(&[("exp", json!(exp))]));
    assert!(check_at(&token, &jwks(), exp - 1).is_ok());
    // Within the skew after expiry: still accepted; at the skew: expired.
    assert!(check_at(&token, &jwks(), exp + ID_TOKEN_CLOCK_SKEW_SECS - 1).is_ok());
    assert_rejected(
        check_at(&token, &jwks(), exp + ID_TOKEN_CLOCK_SKEW_SECS),
        IdTokenCheck::Expiry,
    );
    assert_rejected(
        check(&signed(&with(&[("exp", json!(NOW - 3600))]))),
        IdTokenCheck::Expiry,
    );
    assert_rejected(
        check(&signed(&with(&[("exp", Value::Null)]))),
        IdTokenCheck::Expiry,
    );
    assert_malformed(check(&signed(&with(&[("exp", json!("tomorrow"))]))));
    assert_malformed(check(&signed(&with(&[("exp", json!(-5))]))));
}

#[test]
fn issued_at_must_not_be_in_the_future() {
    let skew = ID_TOKEN_CLOCK_SKEW_SECS;
    assert!(check(&signed(&with(&[("iat", json!(NOW + skew))]))).is_ok());
    assert_rejected(
        check(&signed(&with(&[("iat", json!(NOW + skew + 1))]))),
        IdTokenCheck::IssuedAt,
    );
    assert_rejected(
        check(&signed(&with(&[("iat", Value::Null)]))),
        IdTokenCheck::IssuedAt,
    );
}

#[test]
fn nonce_must_match_when_expected() {
    assert_rejected(
        check(&signed(&with(&[("nonce", Value::Null)]))),
        IdTokenCheck::Nonce,
    );
    let other = Nonce::from_entropy(&[43; 32]);
    assert_rejected(
        check(&signed(&with(&[("nonce", json!(other.secret()))]))),
        IdTokenCheck::Nonce,
    );
    assert_rejected(
        check(&signed(&with(&[("nonce", json!(""))]))),
        IdTokenCheck::Nonce,
    );
    assert_malformed(check(&signed(&with(&[("nonce", json!(1))]))));
    // Without an expected nonce (a refresh), a token without one is fine.
    let refresh = IdTokenValidation::new(ISSUER, CLIENT, UnixTime::from_secs(NOW));
    let token = signed(&with(&[("nonce", Value::Null)]));
    assert!(validate_id_token(&token, &jwks(), &refresh).is_ok());
}

#[test]
fn subject_is_required_and_can_be_pinned() {
    assert_rejected(
        check(&signed(&with(&[("sub", Value::Null)]))),
        IdTokenCheck::Subject,
    );
    assert_rejected(
        check(&signed(&with(&[("sub", json!(""))]))),
        IdTokenCheck::Subject,
    );
    let now = UnixTime::from_secs(NOW);
    let token = signed(&with(&[("nonce", Value::Null)]));
    let same = IdTokenValidation::new(ISSUER, CLIENT, now)
        .expect_subject("0123456789ABCDEF01234567@AdobeID");
    assert!(validate_id_token(&token, &jwks(), &same).is_ok());
    let other = IdTokenValidation::new(ISSUER, CLIENT, now).expect_subject("someone@AdobeID");
    assert_rejected(
        validate_id_token(&token, &jwks(), &other),
        IdTokenCheck::Subject,
    );
}

#[test]
fn malformed_tokens() {
    let good = signed(&claims());
    let parts: Vec<&str> = good.secret().split('.').collect();
    for bad in [
        String::new(),
        "abc".to_owned(),
        format!("{}.{}", parts[0], parts[1]),
        format!("{}.{}.{}.{}", parts[0], parts[1], parts[2], parts[2]),
        format!("!!.{}.{}", parts[1], parts[2]),
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode("not json"),
            parts[1],
            parts[2]
        ),
        format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode("[1]"),
            parts[1],
            parts[2]
        ),
        format!("{}=.{}.{}", parts[0], parts[1], parts[2]),
    ] {
        assert_malformed(check(&IdToken::new(bad)));
    }
    // A payload that is signed but not a JSON object.
    let array = provider().sign(&header(provider()), &json!(["not", "claims"]));
    assert_malformed(check(&IdToken::new(array)));
}

#[test]
fn oversized_tokens_are_refused_before_parsing() {
    // Valid structure, but too long: refused on its size alone.
    let big = with(&[("padding", json!("x".repeat(MAX_ID_TOKEN_BYTES)))]);
    let token = signed(&big);
    assert!(token.secret().len() > MAX_ID_TOKEN_BYTES);
    match check(&token) {
        Err(Error::IdTokenMalformed { reason }) => assert!(reason.contains("larger"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let junk = IdToken::new("x".repeat(MAX_ID_TOKEN_BYTES + 1));
    assert_malformed(check(&junk));
}
