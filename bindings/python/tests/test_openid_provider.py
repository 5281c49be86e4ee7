"""The Authlib test server as an OpenID provider (authlib_server.py + authlib_oidc.py),
checked independently of the SDK with Authlib's own discovery model and joserfc (the
JOSE library Authlib itself uses): the discovery document, the JWKS, RS256 id_tokens
with the nonce, userinfo, and RFC 7009 revocation with revoked tokens then refused."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import secrets
import urllib.parse
from typing import Any, Dict, Iterator, Optional, Tuple

import pytest
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import InvalidClaimError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from authlib_server import OAuthServer
from conftest import REDIRECT

SCOPE = "openid email profile workfront.read"
SECRET = "oidc-app-secret-4f1a"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthServer]:
    # Authlib insists on https except when told otherwise; it listens on loopback only.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = OAuthServer()
    server.register("oidc-app", "client_secret_basic", SECRET, REDIRECT, scope=SCOPE)
    server.register("other-app", "client_secret_post", "other-secret", REDIRECT, scope=SCOPE)
    server.register("spa", "none", None, REDIRECT, grant_types=("authorization_code", "refresh_token"), scope=SCOPE)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def call(
    server: OAuthServer,
    method: str,
    path: str,
    form: Optional[Dict[str, str]] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Tuple[int, Dict[str, str], bytes]:
    """One HTTP request to the server, redirects not followed."""
    conn = http.client.HTTPConnection("127.0.0.1", int(server.url.rsplit(":", 1)[1]), timeout=10)
    try:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        all_headers = dict(headers or {})
        if body is not None:
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def basic(client_id: str, secret: str) -> Dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()}


def sign_in(server: OAuthServer, nonce: str, **extra: str) -> Dict[str, Any]:
    """The code flow of `oidc-app` with PKCE and a nonce; returns the token response."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = urllib.parse.urlencode({
        "client_id": "oidc-app", "redirect_uri": REDIRECT, "response_type": "code",
        "scope": SCOPE, "state": "s1", "nonce": nonce,
        "code_challenge": challenge, "code_challenge_method": "S256", **extra,
    })
    status, headers, _ = call(server, "GET", f"/oauth/authorize?{query}")
    assert status == 302, status
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["code"][0]
    status, _, body = call(
        server, "POST", "/oauth/token",
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier},
        basic("oidc-app", SECRET),
    )
    assert status == 200, body
    tokens: Dict[str, Any] = json.loads(body)
    return tokens


def keys(server: OAuthServer) -> KeySet:
    status, headers, body = call(server, "GET", "/oauth/jwks")
    assert status == 200
    return KeySet.import_key_set(json.loads(body))


def claims(server: OAuthServer, id_token: str, nonce: Optional[str]) -> Dict[str, Any]:
    """Verifies an id_token (RS256 only) and its claims; returns them."""
    token = jwt.decode(id_token, keys(server), algorithms=["RS256"])
    assert token.header["alg"] == "RS256"
    assert token.header["kid"] == server.signing_key.kid
    options: Dict[str, Any] = {
        "iss": {"essential": True, "value": server.issuer},
        "aud": {"essential": True, "value": "oidc-app"},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }
    if nonce is not None:
        options["nonce"] = {"essential": True, "value": nonce}
    JWTClaimsRegistry(leeway=60, **options).validate(token.claims)
    return dict(token.claims)


def test_discovery_document_and_jwks(server: OAuthServer) -> None:
    status, headers, body = call(server, "GET", "/.well-known/openid-configuration")
    assert status == 200
    doc = json.loads(body)
    OpenIDProviderMetadata(doc).validate()  # Authlib's own checks of Discovery §3
    assert doc["issuer"] == server.issuer == server.url
    assert doc["jwks_uri"] == server.jwks_url
    assert doc["userinfo_endpoint"] == server.userinfo_url
    assert doc["revocation_endpoint"] == server.revocation_url
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    status, _, body = call(server, "GET", "/oauth/jwks")
    (key,) = json.loads(body)["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert key["kid"] == server.signing_key.kid
    assert "d" not in key and "p" not in key  # the public half only


def test_id_token_carries_the_nonce_and_refresh_gives_a_new_one(server: OAuthServer) -> None:
    nonce = secrets.token_urlsafe(32)
    tokens = sign_in(server, nonce, prompt="consent", login_hint="dana@example.com")
    first = claims(server, tokens["id_token"], nonce)
    assert first["sub"] == "u-1"
    assert first["email"] == "dana@example.com"
    assert first["name"] == "Dana Demo"
    # Extra authorization parameters arrive as sent.
    assert server.authorize_params[-1]["prompt"] == "consent"
    assert server.authorize_params[-1]["login_hint"] == "dana@example.com"
    # A wrong nonce is refused by the independent validator.
    with pytest.raises(InvalidClaimError):
        claims(server, tokens["id_token"], "another-nonce")

    status, _, body = call(
        server, "POST", "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        basic("oidc-app", SECRET),
    )
    assert status == 200, body
    refreshed = json.loads(body)
    again = claims(server, refreshed["id_token"], None)
    assert again["sub"] == first["sub"]
    assert "nonce" not in again


def test_without_openid_no_id_token(server: OAuthServer) -> None:
    status, _, body = call(
        server, "POST", "/oauth/token",
        {"grant_type": "client_credentials", "scope": "workfront.read"},
        {**basic("oidc-app", SECRET)},
    )
    assert status == 200, body
    assert "id_token" not in json.loads(body)


def test_userinfo(server: OAuthServer) -> None:
    tokens = sign_in(server, "n-1")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    status, _, body = call(server, "GET", "/oauth/userinfo", headers=bearer)
    assert status == 200, body
    info = json.loads(body)
    assert info["sub"] == claims(server, tokens["id_token"], "n-1")["sub"]
    assert info["email"] == "dana@example.com"
    status, _, _ = call(server, "GET", "/oauth/userinfo", headers={"Authorization": "Bearer nope"})
    assert status == 401


def test_revoking_the_refresh_token_refuses_the_whole_grant(server: OAuthServer) -> None:
    tokens = sign_in(server, "n-2")
    status, _, body = call(
        server, "POST", "/oauth/revoke",
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        basic("oidc-app", SECRET),
    )
    assert status == 200, body
    assert server.revocations == ["refresh_token"]
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    status, _, body = call(
        server, "POST", "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        basic("oidc-app", SECRET),
    )
    assert (status, json.loads(body)["error"]) == (400, "invalid_grant")
    assert call(server, "GET", "/attask/api/v20.0/user/search", headers=bearer)[0] == 401
    assert call(server, "GET", "/oauth/userinfo", headers=bearer)[0] == 401
    # An unknown token is not an error (RFC 7009 §2.2).
    status, _, _ = call(server, "POST", "/oauth/revoke", {"token": "never-issued"}, basic("oidc-app", SECRET))
    assert status == 200


def test_revoking_the_access_token_keeps_the_grant(server: OAuthServer) -> None:
    tokens = sign_in(server, "n-3")
    status, _, _ = call(
        server, "POST", "/oauth/revoke", {"token": tokens["access_token"]}, basic("oidc-app", SECRET)
    )
    assert status == 200
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert call(server, "GET", "/attask/api/v20.0/user/search", headers=bearer)[0] == 401
    status, _, body = call(
        server, "POST", "/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        basic("oidc-app", SECRET),
    )
    assert status == 200, body


def test_revocation_client_authentication(server: OAuthServer) -> None:
    tokens = sign_in(server, "n-4")
    # A confidential client must authenticate as registered: no bare client_id.
    status, _, body = call(server, "POST", "/oauth/revoke", {"token": tokens["access_token"], "client_id": "oidc-app"})
    assert (status, json.loads(body)["error"]) == (401, "invalid_client")
    # Another client cannot revoke it.
    status, _, body = call(
        server, "POST", "/oauth/revoke",
        {"token": tokens["access_token"], "client_id": "other-app", "client_secret": "other-secret"},
    )
    assert (status, json.loads(body)["error"]) == (400, "invalid_grant")
    bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
    assert call(server, "GET", "/attask/api/v20.0/user/search", headers=bearer)[0] == 200
    # A public client sends its client_id alone.
    status, _, _ = call(server, "POST", "/oauth/revoke", {"token": "whatever", "client_id": "spa"})
    assert status == 200
    assert server.revocation_requests == {401: 1, 400: 1, 200: 1}
