//! The IMS mode as an OpenID provider: discovery, JWKS, RS256 id_tokens (checked here with
//! the `jsonwebtoken` crate, independently of the mock), key rotation and the id_token
//! faults.

mod common;

use common::ims::*;
use common::*;
use reqwest::StatusCode;
use serde_json::Value;
use wf_oauth_mock::{Fault, FaultSpec, FaultTarget, IdTokenFlaw, Mode};

#[tokio::test]
async fn discovery_document_names_the_fake_as_issuer() {
    let mock = spawn_ims().await;
    let resp = client().get(mock.ims_discovery_url()).send().await.unwrap();
    assert!(
        resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let (status, d) = json(resp).await;
    assert_eq!(status, StatusCode::OK);
    let issuer = mock.ims_issuer();
    assert_eq!(issuer, mock.ims_base_url());
    assert_eq!(d["issuer"], issuer.as_str());
    assert_eq!(
        d["authorization_endpoint"],
        mock.ims_authorize_url().as_str()
    );
    assert_eq!(d["token_endpoint"], mock.ims_token_url().as_str());
    assert_eq!(d["userinfo_endpoint"], mock.ims_userinfo_url().as_str());
    assert_eq!(d["revocation_endpoint"], mock.ims_revoke_url().as_str());
    assert_eq!(d["jwks_uri"], mock.ims_jwks_url().as_str());
    assert_eq!(
        mock.ims_discovery_url(),
        format!("{issuer}/ims/.well-known/openid-configuration")
    );
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        serde_json::json!(["RS256"])
    );
    assert_eq!(d["response_types_supported"], serde_json::json!(["code"]));
    assert_eq!(
        d["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    for scope in ["openid", "offline_access"] {
        assert!(
            d["scopes_supported"]
                .as_array()
                .unwrap()
                .contains(&Value::from(scope))
        );
    }
    // IMS serves discovery under /ims/ only.
    let root = client()
        .get(format!("{issuer}/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status(), StatusCode::NOT_FOUND);
    // Each endpoint is counted.
    let s = mock.stats();
    assert_eq!(s.requests("discovery"), 1);
}

#[tokio::test]
async fn legacy_mode_serves_no_openid_endpoints() {
    let mock = spawn().await;
    for url in [
        mock.ims_discovery_url(),
        mock.ims_jwks_url(),
        mock.ims_userinfo_url(),
    ] {
        let resp = client().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{url}");
    }
}

#[tokio::test]
async fn jwks_publishes_the_signing_key() {
    let mock = spawn_ims().await;
    let resp = client().get(mock.ims_jwks_url()).send().await.unwrap();
    assert!(resp.headers().contains_key("cache-control"));
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK);
    let keys = v["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let k = &keys[0];
    assert_eq!(k["kty"], "RSA");
    assert_eq!(k["alg"], "RS256");
    assert_eq!(k["use"], "sig");
    assert_eq!(k["e"], "AQAB");
    assert_eq!(k["kid"], mock.signing_key_id().as_str());
    // A 2048-bit modulus: 256 bytes, 342 base64url characters.
    assert_eq!(k["n"].as_str().unwrap().len(), 342);
    // No private part.
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(k.get(private).is_none(), "{private}");
    }
}

#[tokio::test]
async fn code_grant_id_token_is_rs256_and_echoes_the_nonce() {
    let mock = spawn_ims().await;
    // Through the pages, so the nonce really travels in the authorization request.
    let query = authorize_query(
        CLIENT,
        &format!("&scope={OPENID}&state=s1&nonce=n-0S6_WzA2Mj"),
    );
    let code = code_of(&ims_browser_flow(&mock, &query).await);
    let v = redeem(&mock, &code).await;
    let token = v["id_token"].as_str().expect("id_token with openid");
    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.kid.as_deref(), Some(mock.signing_key_id().as_str()));
    let c = valid_claims(&mock, token).await;
    assert_eq!(c["iss"], mock.ims_issuer().as_str());
    assert_eq!(c["aud"], CLIENT);
    assert_eq!(c["azp"], CLIENT);
    assert_eq!(c["nonce"], "n-0S6_WzA2Mj");
    assert!(c["sub"].as_str().unwrap().ends_with("@AdobeID"));
    assert_eq!(c["email"], "demo@mock.example");
    assert_eq!(c["name"], "Demo User");
    let (iat, exp) = (c["iat"].as_u64().unwrap(), c["exp"].as_u64().unwrap());
    assert_eq!(exp - iat, 86_399);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(iat.abs_diff(now) < 60, "iat {iat} now {now}");
    // The access token is unchanged in shape and works.
    assert!(v["access_token"].is_string());
    assert!(v["refresh_token"].is_string());
}

#[tokio::test]
async fn refresh_issues_a_new_id_token_without_nonce() {
    let mock = spawn_ims().await;
    let code = ims_code(&mock, OPENID, &[("nonce", "abc")]);
    let first = redeem(&mock, &code).await;
    let first_claims = valid_claims(&mock, first["id_token"].as_str().unwrap()).await;
    assert_eq!(first_claims["nonce"], "abc");
    let resp = refresh(&mock, first["refresh_token"].as_str().unwrap()).await;
    let (status, r) = json(resp).await;
    assert_eq!(status, StatusCode::OK, "{r}");
    let c = valid_claims(&mock, r["id_token"].as_str().unwrap()).await;
    assert!(c.get("nonce").is_none(), "{c}");
    assert_eq!(c["sub"], first_claims["sub"]);
}

#[tokio::test]
async fn no_openid_scope_no_id_token() {
    let mock = spawn_ims().await;
    let code = ims_code(
        &mock,
        "AdobeID,additional_info.projectedProductContext",
        &[],
    );
    let v = redeem(&mock, &code).await;
    assert!(v.get("id_token").is_none(), "{v}");
    let r = refresh(&mock, v["refresh_token"].as_str().unwrap()).await;
    let (_, r) = json(r).await;
    assert!(r.get("id_token").is_none(), "{r}");
    // Nor with client credentials, whatever the scope: no user signed in.
    let (status, cc) = json(client_credentials(&mock, OPENID).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(cc.get("id_token").is_none(), "{cc}");
}

#[tokio::test]
async fn rotation_replaces_the_key_and_its_kid() {
    let mock = spawn_ims().await;
    let old_kid = mock.signing_key_id();
    let before = redeem(&mock, &ims_code(&mock, OPENID, &[])).await;
    let old_token = before["id_token"].as_str().unwrap().to_owned();
    let old_keys = jwks(&mock).await;

    let new_kid = mock.rotate_signing_key();
    assert_ne!(new_kid, old_kid);
    assert_eq!(mock.signing_key_id(), new_kid);
    let keys = jwks(&mock).await;
    assert_eq!(keys.keys.len(), 1);
    assert!(keys.find(&old_kid).is_none(), "the old key is removed");
    // A token signed before the rotation names a kid the JWKS no longer has.
    let err = validate(&old_token, &keys, &mock.ims_issuer(), CLIENT).unwrap_err();
    assert!(err.contains("unknown kid"), "{err}");
    // A new token names the new kid; a client with the old JWKS does not know it.
    let after = redeem(&mock, &ims_code(&mock, OPENID, &[])).await;
    let new_token = after["id_token"].as_str().unwrap();
    let err = validate(new_token, &old_keys, &mock.ims_issuer(), CLIENT).unwrap_err();
    assert!(err.contains("unknown kid"), "{err}");
    valid_claims(&mock, new_token).await;

    // The same over the admin API.
    let resp = client()
        .post(format!("{}/__mock/keys/rotate", mock.base_url()))
        .send()
        .await
        .unwrap();
    let (status, v) = json(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["data"]["kid"], mock.signing_key_id().as_str());
    assert_ne!(v["data"]["kid"], new_kid.as_str());
}

/// The id_token of a code grant made under `flaw`.
async fn flawed_id_token(flaw: IdTokenFlaw) -> (String, wf_oauth_mock::RunningMock) {
    let mock = spawn_ims().await;
    mock.inject_fault(FaultSpec::new(
        FaultTarget::AuthorizationCode,
        1,
        Fault::IdToken { flaw },
    ))
    .unwrap();
    let v = redeem(&mock, &ims_code(&mock, OPENID, &[("nonce", "expected")])).await;
    assert_eq!(mock.stats().faults_applied, 1);
    (v["id_token"].as_str().unwrap().to_owned(), mock)
}

#[tokio::test]
async fn flawed_id_tokens_are_refused_by_an_independent_validator() {
    for (flaw, expected) in [
        (IdTokenFlaw::TamperedSignature, "InvalidSignature"),
        (IdTokenFlaw::WrongAudience, "InvalidAudience"),
        (IdTokenFlaw::WrongIssuer, "InvalidIssuer"),
        (IdTokenFlaw::Expired, "ExpiredSignature"),
        (IdTokenFlaw::UnknownKey, "unknown kid"),
        (IdTokenFlaw::AlgNone, "header"),
    ] {
        let (token, mock) = flawed_id_token(flaw).await;
        let keys = jwks(&mock).await;
        let err = validate(&token, &keys, &mock.ims_issuer(), CLIENT).unwrap_err();
        assert!(err.contains(expected), "{flaw:?}: {err}");
    }
}

#[tokio::test]
async fn flawed_id_tokens_differ_only_where_they_should() {
    let (token, mock) = flawed_id_token(IdTokenFlaw::WrongNonce).await;
    // Valid in every other respect: only the nonce check catches it.
    let c = valid_claims(&mock, &token).await;
    assert!(c["nonce"].is_string());
    assert_ne!(c["nonce"], "expected");

    let (token, mock) = flawed_id_token(IdTokenFlaw::WrongIssuer).await;
    let keys = jwks(&mock).await;
    let claims: Value = jsonwebtoken::dangerous::insecure_decode::<Value>(&token)
        .unwrap()
        .claims;
    assert_ne!(claims["iss"], mock.ims_issuer().as_str());
    assert!(
        claims["iss"]
            .as_str()
            .unwrap()
            .starts_with(&mock.ims_issuer())
    );
    assert!(validate(&token, &keys, claims["iss"].as_str().unwrap(), CLIENT).is_ok());

    let (token, _mock) = flawed_id_token(IdTokenFlaw::Expired).await;
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(&token)
        .unwrap()
        .claims;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(claims["exp"].as_u64().unwrap() + 3000 < now);

    let (token, _mock) = flawed_id_token(IdTokenFlaw::WrongAudience).await;
    let claims = jsonwebtoken::dangerous::insecure_decode::<Value>(&token)
        .unwrap()
        .claims;
    assert_ne!(claims["aud"], CLIENT);
    assert_eq!(claims["azp"], claims["aud"]);
}

#[tokio::test]
async fn id_token_faults_apply_to_refresh_and_over_the_admin_api() {
    let mock = spawn_ims().await;
    let v = redeem(&mock, &ims_code(&mock, OPENID, &[])).await;
    let resp = client()
        .post(format!("{}/__mock/faults", mock.base_url()))
        .json(&serde_json::json!({
            "endpoint": "refresh_token",
            "fault": {"kind": "id_token", "flaw": "tampered_signature"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let (_, r) = json(refresh(&mock, v["refresh_token"].as_str().unwrap()).await).await;
    let keys = jwks(&mock).await;
    let err = validate(
        r["id_token"].as_str().unwrap(),
        &keys,
        &mock.ims_issuer(),
        CLIENT,
    )
    .unwrap_err();
    assert!(err.contains("InvalidSignature"), "{err}");
    // The next refresh is clean again.
    let (_, r2) = json(refresh(&mock, r["refresh_token"].as_str().unwrap()).await).await;
    valid_claims(&mock, r2["id_token"].as_str().unwrap()).await;
    // An id_token fault on a non-token endpoint is refused.
    let resp = client()
        .post(format!("{}/__mock/faults", mock.base_url()))
        .json(&serde_json::json!({
            "endpoint": "api", "fault": {"kind": "id_token", "flaw": "expired"}
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn openid_endpoints_take_ordinary_faults() {
    let mock = spawn_ims().await;
    for (target, url) in [
        (FaultTarget::Jwks, mock.ims_jwks_url()),
        (FaultTarget::Discovery, mock.ims_discovery_url()),
        (FaultTarget::Userinfo, mock.ims_userinfo_url()),
    ] {
        mock.inject_fault(FaultSpec::new(
            target,
            1,
            Fault::Status {
                status: 503,
                body: None,
                retry_after: Some(3),
            },
        ))
        .unwrap();
        let resp = client().get(&url).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE, "{url}");
        assert_eq!(resp.headers()["retry-after"], "3");
    }
    mock.inject_fault(FaultSpec::new(FaultTarget::Revoke, 1, Fault::Drop))
        .unwrap();
    let dropped = client()
        .post(mock.ims_revoke_url())
        .form(&[("token", "x"), ("client_id", PUBLIC)])
        .send()
        .await;
    assert!(dropped.is_err(), "{dropped:?}");
    let s = mock.stats();
    assert_eq!(s.faults_applied, 4);
    assert_eq!(s.status("jwks", "503"), 1);
    assert_eq!(s.status("revoke", "dropped"), 1);
}

#[tokio::test]
async fn both_mode_keeps_legacy_grants_free_of_id_tokens() {
    let mock = builder()
        .mode(Mode::Both)
        .allow_loopback_redirects(true)
        .spawn()
        .await
        .unwrap();
    let (status, v) = json(exchange_form(&mock, &code(&mock)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v.get("id_token").is_none(), "{v}");
    let v = redeem(&mock, &ims_code(&mock, OPENID, &[])).await;
    valid_claims(&mock, v["id_token"].as_str().unwrap()).await;
}
