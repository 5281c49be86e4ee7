"""An OAuth 2 authorization server the project does not own: Authlib's Flask
authorization-server classes (authorization code with PKCE S256, refresh token with
rotation, client credentials; client_secret_basic, client_secret_post and public clients)
over in-memory models, plus a tiny Workfront-shaped API that Authlib's ResourceProtector
guards with Bearer tokens. Served on 127.0.0.1 by werkzeug in a thread of the test
process, so the SDK's `provider="generic"` profile runs against a real third-party
implementation of the RFCs.

It is also a full OpenID provider (authlib_oidc.py, Authlib's OIDC classes): with the
`openid` scope the code grant and refreshes return RS256 id_tokens (the nonce of the
authorization request echoed on the code grant), signed with a key made at start and
published at /oauth/jwks; the discovery document is at
/.well-known/openid-configuration (issuer = the server's base URL), userinfo at
/oauth/userinfo, RFC 7009 revocation at /oauth/revoke (revoked tokens are then refused by
the token endpoint, the API and userinfo).

Authlib refuses plain http unless AUTHLIB_INSECURE_TRANSPORT is set; the fixture that
starts the server sets it (the server only ever listens on loopback)."""

from __future__ import annotations

import hmac
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AuthorizationCodeMixin, ClientMixin, TokenMixin
from authlib.oauth2.rfc6749.grants import (
    AuthorizationCodeGrant,
    ClientCredentialsGrant,
    RefreshTokenGrant,
)
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import AuthorizationCodeMixin as OpenIDCodeMixin
from flask import Flask, jsonify, request
from werkzeug.serving import WSGIRequestHandler, make_server

import authlib_oidc

API = "/attask/api/v20.0"
USERS = [{"ID": "u-1", "name": "Dana Demo", "objCode": "USER", "username": "demo"}]
PROJECTS = [
    {"ID": f"p-{i}", "name": f"Project {i}", "objCode": "PROJ", "status": "CUR" if i % 2 else "PLN"}
    for i in range(1, 6)
]


@dataclass
class OAuthApp(ClientMixin):
    """A registered client. `auth_method` is the only way it may authenticate at the
    token endpoint: "client_secret_basic", "client_secret_post" or "none" (public)."""

    client_id: str
    client_secret: Optional[str]
    auth_method: str
    redirect_uris: List[str]
    grant_types: List[str]
    scope: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: Optional[str]) -> str:
        allowed = set(self.scope.split())
        return " ".join(s for s in (scope or "").split() if s in allowed)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return self.client_secret is not None and hmac.compare_digest(
            client_secret.encode(), self.client_secret.encode()
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # The token and revocation endpoints take the client's registered method only.
        return endpoint not in ("token", "revocation") or method == self.auth_method

    @property
    def client_metadata(self) -> Dict[str, Any]:
        """Registration metadata (none: userinfo answers plain JSON)."""
        return {}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type in self.grant_types


@dataclass
class Code(OpenIDCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: str
    code_challenge: Optional[str]
    code_challenge_method: Optional[str]
    nonce: Optional[str] = None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> Optional[str]:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class Token(TokenMixin):
    client_id: str
    user: Optional[str]
    access_token: str
    refresh_token: Optional[str]
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False
    refresh_revoked: bool = False
    #: The authorization grant the token belongs to (kept across refreshes).
    grant_id: int = 0
    client: Optional[OAuthApp] = None

    def check_client(self, client: ClientMixin) -> bool:
        return bool(client.get_client_id() == self.client_id)

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() >= self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return self.revoked

    def get_user(self) -> Optional[str]:
        return self.user

    def get_client(self) -> Optional[OAuthApp]:
        return self.client


class QuietHandler(WSGIRequestHandler):
    """No request log lines: they would carry codes and states in query strings."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class OAuthServer:
    """The authorization server and the API, with counters for the tests."""

    def __init__(self, expires_in: int = 3600) -> None:
        self.expires_in = expires_in
        self.lock = threading.Lock()
        self.apps: Dict[str, OAuthApp] = {}
        self.codes: Dict[str, Code] = {}
        self.tokens: List[Token] = []
        #: (grant_type, status) of every token request.
        self.token_requests: Counter[Tuple[str, int]] = Counter()
        #: (grant_type, auth_method) of every authenticated token request.
        self.client_auth: List[Tuple[str, str]] = []
        #: The PKCE method of every code issued (None without PKCE).
        self.challenge_methods: List[Optional[str]] = []
        #: (path, status) of every API request, and the credential headers they carried.
        self.api_requests: Counter[Tuple[str, int]] = Counter()
        self.api_credentials: List[Tuple[str, str]] = []
        #: Every authorize request's query parameters, as sent.
        self.authorize_params: List[Dict[str, str]] = []
        #: What each successful revocation revoked ("access_token" or "refresh_token").
        self.revocations: List[str] = []
        #: (status) of every revocation request.
        self.revocation_requests: Counter[int] = Counter()
        #: The id_token signing key (RS256), made now and kept in memory only.
        self.signing_key = authlib_oidc.signing_key()
        self._grants = 0
        self.app = self._build_app()
        self.http = make_server("127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.thread = threading.Thread(
            target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, name="authlib-server", daemon=True
        )

    # -- the test's side ---------------------------------------------------------------

    def start(self) -> "OAuthServer":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.http.shutdown()
        self.thread.join(timeout=10)
        self.http.server_close()

    def register(
        self,
        client_id: str,
        auth_method: str,
        client_secret: Optional[str] = None,
        redirect_uri: str = "",
        grant_types: Tuple[str, ...] = ("authorization_code", "refresh_token", "client_credentials"),
        scope: str = "workfront.read workfront.write",
    ) -> OAuthApp:
        app = OAuthApp(client_id, client_secret, auth_method, [redirect_uri], list(grant_types), scope)
        self.apps[client_id] = app
        return app

    def grants(self, grant_type: str, status: int = 200) -> int:
        with self.lock:
            return self.token_requests[(grant_type, status)]

    def api(self, status: int) -> int:
        with self.lock:
            return sum(n for (_, s), n in self.api_requests.items() if s == status)

    def revoke_access_tokens(self) -> int:
        """Revokes every live access token (the next API call with one gets 401)."""
        with self.lock:
            live = [t for t in self.tokens if not t.revoked]
            for t in live:
                t.revoked = True
            return len(live)

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            for t in self.tokens:
                t.refresh_revoked = True

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/oauth/authorize"

    @property
    def token_url(self) -> str:
        return f"{self.url}/oauth/token"

    @property
    def issuer(self) -> str:
        """The OpenID issuer: the base URL."""
        return self.url

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/oauth/jwks"

    @property
    def userinfo_url(self) -> str:
        return f"{self.url}/oauth/userinfo"

    @property
    def revocation_url(self) -> str:
        return f"{self.url}/oauth/revoke"

    # -- the server --------------------------------------------------------------------

    def _save_token(self, token: Dict[str, Any], req: Any) -> None:
        with self.lock:
            previous = getattr(req, "refresh_token", None)
            if isinstance(previous, Token):
                grant_id = previous.grant_id
            else:
                self._grants += 1
                grant_id = self._grants
            self.tokens.append(
                Token(
                    client_id=req.client.get_client_id(),
                    user=req.user,
                    access_token=token["access_token"],
                    refresh_token=token.get("refresh_token"),
                    scope=token.get("scope", ""),
                    expires_in=int(token["expires_in"]),
                    grant_id=grant_id,
                    client=req.client,
                )
            )

    def _find(self, **match: Any) -> Optional[Token]:
        with self.lock:
            for t in self.tokens:
                if all(getattr(t, k) == v for k, v in match.items()):
                    return t
        return None

    def _build_app(self) -> Flask:
        server_state = self
        app = Flask("authlib_server")
        app.config.update(
            OAUTH2_REFRESH_TOKEN_GENERATOR=True,
            OAUTH2_TOKEN_EXPIRES_IN={
                "authorization_code": self.expires_in,
                "refresh_token": self.expires_in,
                "client_credentials": self.expires_in,
            },
        )

        class Recorded:
            """Notes how each token request authenticated its client."""

            def authenticate_token_endpoint_client(self) -> Any:
                client = super().authenticate_token_endpoint_client()  # type: ignore[misc]
                with server_state.lock:
                    server_state.client_auth.append((self.GRANT_TYPE, self.request.auth_method))  # type: ignore[attr-defined]
                return client

        class CodeGrant(Recorded, AuthorizationCodeGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                data = req.payload.data
                item = Code(
                    code=code,
                    client_id=req.client.get_client_id(),
                    redirect_uri=req.payload.redirect_uri,
                    scope=req.payload.scope or "",
                    user=req.user,
                    code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"),
                    nonce=data.get("nonce"),
                )
                with server_state.lock:
                    server_state.codes[code] = item
                    server_state.challenge_methods.append(item.code_challenge_method)

            def query_authorization_code(self, code: str, client: Any) -> Optional[Code]:
                with server_state.lock:
                    item = server_state.codes.get(code)
                return item if item and item.client_id == client.get_client_id() else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                with server_state.lock:
                    server_state.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> str:
                return authorization_code.user

        class S256Only(CodeChallenge):
            """PKCE as the SDK must do it: S256, never plain; required of public clients."""

            SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]

        class RotatingRefreshGrant(Recorded, RefreshTokenGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]
            INCLUDE_NEW_REFRESH_TOKEN = True

            def authenticate_refresh_token(self, refresh_token: str) -> Optional[Token]:
                token = server_state._find(refresh_token=refresh_token)
                return token if token and not token.refresh_revoked else None

            def authenticate_user(self, refresh_token: Token) -> Optional[str]:
                return refresh_token.user

            def revoke_old_credential(self, refresh_token: Token) -> None:
                with server_state.lock:
                    refresh_token.refresh_revoked = True

        class CredentialsGrant(Recorded, ClientCredentialsGrant):
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        server = AuthorizationServer(app, query_client=self.apps.get, save_token=self._save_token)
        server.register_grant(
            CodeGrant, [S256Only(required=True), authlib_oidc.CodeIdTokens(self)]
        )
        server.register_grant(RotatingRefreshGrant, [authlib_oidc.RefreshIdTokens(self)])
        server.register_grant(CredentialsGrant)
        server.register_endpoint(authlib_oidc.revocation_endpoint(self))

        class Validator(BearerTokenValidator):
            def authenticate_token(self, token_string: str) -> Optional[Token]:
                return server_state._find(access_token=token_string)

        require_oauth = ResourceProtector()
        require_oauth.register_token_validator(Validator())
        server.register_endpoint(authlib_oidc.userinfo_endpoint(self, require_oauth))

        @app.get("/.well-known/openid-configuration")
        def openid_configuration() -> Any:
            return jsonify(authlib_oidc.discovery(server_state))

        @app.get("/oauth/jwks")
        def jwks() -> Any:
            return jsonify(keys=[server_state.signing_key.as_dict(private=False)])

        @app.route("/oauth/userinfo", methods=["GET", "POST"])
        def userinfo() -> Any:
            return server.create_endpoint_response("userinfo")

        @app.post("/oauth/revoke")
        def revoke() -> Any:
            response = server.create_endpoint_response("revocation")
            with server_state.lock:
                server_state.revocation_requests[response.status_code] += 1
            return response

        @app.get("/oauth/authorize")
        def authorize() -> Any:
            with server_state.lock:
                server_state.authorize_params.append(dict(request.args))
            # The test user is signed in and consents at once.
            try:
                grant = server.get_consent_grant(end_user="demo")
            except OAuth2Error as error:
                return server.handle_error_response(None, error)
            return server.create_authorization_response(grant_user="demo", grant=grant)

        @app.post("/oauth/token")
        def token() -> Any:
            response = server.create_token_response()
            with server_state.lock:
                grant_type = request.form.get("grant_type", "missing")
                server_state.token_requests[(grant_type, response.status_code)] += 1
            return response

        @app.get(f"{API}/user/search")
        @require_oauth("workfront.read")
        def user_search() -> Any:
            return jsonify(data=USERS)

        @app.get(f"{API}/proj/search")
        @require_oauth("workfront.read")
        def proj_search() -> Any:
            status = request.args.get("status")
            return jsonify(data=[p for p in PROJECTS if status in (None, p["status"])])

        @app.before_request
        def note_credentials() -> None:
            if request.path.startswith(API):
                auth = request.headers.get("Authorization", "")
                with server_state.lock:
                    server_state.api_credentials.append(
                        (auth.split(" ", 1)[0], request.headers.get("sessionID", ""))
                    )

        @app.after_request
        def count(response: Any) -> Any:
            if request.path.startswith(API):
                with server_state.lock:
                    server_state.api_requests[(request.path, response.status_code)] += 1
            return response

        return app
