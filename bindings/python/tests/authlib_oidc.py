"""The OpenID Connect side of the Authlib test server (authlib_server.py), built from
Authlib's own OIDC classes: RS256 id_tokens carrying the authorization request's nonce
(OpenIDCode on the code grant, OpenIDToken on refreshes), the userinfo endpoint, RFC 7009
revocation, the JWKS and the discovery document.

The signing key is an RSA key made with joserfc (Authlib's JOSE library) when the server
starts; it lives in memory only."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Optional

from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oidc.core import UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode, OpenIDToken
from joserfc.jwk import RSAKey

if TYPE_CHECKING:
    from authlib_server import OAuthServer, Token

#: The people behind the server's users, as userinfo and id_tokens describe them.
PEOPLE: Dict[str, Dict[str, Any]] = {
    "demo": {
        "sub": "u-1",
        "name": "Dana Demo",
        "given_name": "Dana",
        "family_name": "Demo",
        "email": "dana@example.com",
        "email_verified": True,
    }
}
#: Client authentication methods at the token and revocation endpoints.
AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]


def signing_key() -> RSAKey:
    """A fresh 2048-bit RS256 signing key with a `kid`."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
    return key


def user_info(user: Optional[str]) -> UserInfo:
    return UserInfo(**PEOPLE[user or "demo"])


class IdTokenClaims:
    """What the code-grant and refresh extensions share: the issuer, the key, the claims."""

    server: "OAuthServer"

    def resolve_client_private_key(self, client: Any) -> RSAKey:
        return self.server.signing_key

    def get_client_algorithm(self, client: Any) -> str:
        return "RS256"

    def get_encode_header(self, client: Any) -> Dict[str, Any]:
        return {"alg": "RS256", "kid": self.server.signing_key.kid}

    def get_client_claims(self, client: Any) -> Dict[str, Any]:
        now = int(time.time())
        return {"iss": self.server.url, "aud": [client.get_client_id()], "iat": now, "exp": now + 3600}

    def generate_user_info(self, user: Optional[str], scope: str) -> UserInfo:
        return user_info(user)


class CodeIdTokens(IdTokenClaims, OpenIDCode):
    """The OpenID extension of the authorization code grant (nonce echoed in the id_token)."""

    def __init__(self, server: "OAuthServer") -> None:
        super().__init__(require_nonce=False)
        self.server = server

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        # A nonce already used in a pending code is a replay.
        with self.server.lock:
            return any(c.nonce == nonce for c in self.server.codes.values())


class RefreshIdTokens(IdTokenClaims, OpenIDToken):
    """An id_token on refresh too (OpenID Connect Core §12.2), without a nonce."""

    def __init__(self, server: "OAuthServer") -> None:
        self.server = server


def userinfo_endpoint(server: "OAuthServer", protector: Any) -> UserInfoEndpoint:
    class Endpoint(UserInfoEndpoint):
        def get_issuer(self) -> str:
            return server.url

        def generate_user_info(self, user: Any, scope: str) -> UserInfo:
            return user_info(user)

    return Endpoint(resource_protector=protector)


def revocation_endpoint(server: "OAuthServer") -> type:
    """RFC 7009: a refresh token takes its whole grant with it (every access and refresh
    token of it); an access token ends alone. Authlib answers 200 for unknown tokens and
    `invalid_grant` for a token of another client."""

    class Revocation(RevocationEndpoint):
        CLIENT_AUTH_METHODS = AUTH_METHODS

        def query_token(self, token_string: str, token_type_hint: Optional[str]) -> Optional["Token"]:
            return server._find(access_token=token_string) or server._find(refresh_token=token_string)

        def revoke_token(self, token: "Token", request: Any) -> None:
            presented = request.form.get("token")
            with server.lock:
                server.revocations.append("refresh_token" if presented == token.refresh_token else "access_token")
                if presented == token.refresh_token:
                    for t in server.tokens:
                        if t.grant_id == token.grant_id:
                            t.revoked = True
                            t.refresh_revoked = True
                else:
                    token.revoked = True

    return Revocation


def discovery(server: "OAuthServer") -> Dict[str, Any]:
    """The OpenID Provider metadata (Discovery §3), issuer = the server's base URL."""
    base = server.url
    return {
        "issuer": base,
        "authorization_endpoint": f"{base}/oauth/authorize",
        "token_endpoint": f"{base}/oauth/token",
        "userinfo_endpoint": f"{base}/oauth/userinfo",
        "revocation_endpoint": f"{base}/oauth/revoke",
        "jwks_uri": f"{base}/oauth/jwks",
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile", "workfront.read", "workfront.write"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "token_endpoint_auth_methods_supported": AUTH_METHODS,
        "revocation_endpoint_auth_methods_supported": AUTH_METHODS,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
            "name", "given_name", "family_name", "email", "email_verified",
        ],
    }
