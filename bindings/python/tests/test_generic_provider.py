"""The generic OAuth 2 profile (`provider="generic"`) against an authorization server the
project does not own: Authlib's, started in this process (see authlib_server.py). The
authorize step is plain HTTP (the server grants the test user at once); everything else
goes through the SDK: the code flow with client_secret_basic, with client_secret_post and
as a public PKCE client, refreshes (before the expiry, and after a 401 from the resource
server), and Server-to-Server sessions with the client credentials grant."""

from __future__ import annotations

import asyncio
import http.client
import urllib.parse
from typing import Any, Iterator

import pytest

import wf_oauth
from authlib_server import PROJECTS, USERS, OAuthServer
from conftest import REDIRECT, run_in_threads

SCOPE = "workfront.read"
EXPIRES_IN = 3600
SECRETS = {"basic-app": "basic-app-secret-1b7e", "post-app": "post-app-secret-9c2d"}
AUTH_METHOD = {"basic": "client_secret_basic", "post": "client_secret_post", "pkce": "none"}


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[OAuthServer]:
    # Authlib insists on https except when told otherwise; it listens on loopback only.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    server = OAuthServer(expires_in=EXPIRES_IN)
    server.register("basic-app", "client_secret_basic", SECRETS["basic-app"], REDIRECT)
    server.register("post-app", "client_secret_post", SECRETS["post-app"], REDIRECT)
    server.register("spa", "none", None, REDIRECT, grant_types=("authorization_code", "refresh_token"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def generic_client(server: OAuthServer, style: str, cls: Any = wf_oauth.Client, **options: Any) -> Any:
    """The SDK configured for the server: "basic", "post" (confidential) or "pkce"."""
    options.setdefault("timeout", 10.0)
    options.setdefault("connect_timeout", 5.0)
    common = dict(
        provider="generic", authorize_url=server.authorize_url, token_url=server.token_url,
        scope=SCOPE, redirect_uri=REDIRECT, **options,
    )
    if style == "pkce":
        return cls(server.url, "spa", **common)
    client_id = f"{style}-app"
    return cls(server.url, client_id, client_secret=SECRETS[client_id], client_auth=style, **common)


def browser(url: str) -> str:
    """The authorize request as a browser sends it; the callback URL it is redirected to."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}")
        response = conn.getresponse()
        response.read()
        assert response.status == 302, response.status
        location = response.getheader("Location")
        assert location is not None
        return location
    finally:
        conn.close()


def sign_in(server: OAuthServer, client: wf_oauth.Client) -> wf_oauth.TokenSet:
    pending = client.authorize()
    return client.exchange(pending, browser(pending.url))


@pytest.mark.parametrize("style", ["basic", "post", "pkce"])
def test_code_flow_and_refresh(server: OAuthServer, style: str) -> None:
    client = generic_client(server, style)
    pending = client.authorize()
    url = urllib.parse.urlsplit(pending.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == server.authorize_url
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query["scope"] == SCOPE
    assert query.get("code_challenge_method") == ("S256" if style == "pkce" else None)

    callback = browser(pending.url)
    assert callback.startswith(f"{REDIRECT}?code=")
    tokens = client.exchange(pending, callback)
    assert server.client_auth == [("authorization_code", AUTH_METHOD[style])]
    assert server.challenge_methods == ["S256" if style == "pkce" else None]
    assert tokens.token_type == "Bearer"
    assert tokens.expires_at == tokens.obtained_at + EXPIRES_IN
    assert tokens.scope == SCOPE
    assert tokens.refresh_token()

    session = client.session(tokens)
    assert session.get("user/search") == USERS
    assert [p["ID"] for p in session.get("proj/search", {"status": "CUR"})] == ["p-1", "p-3", "p-5"]
    assert server.api_credentials[-1] == ("Bearer", ""), "a Bearer token, no sessionID"

    session.refresh()
    assert server.client_auth[-1] == ("refresh_token", AUTH_METHOD[style])
    assert server.grants("refresh_token") == 1
    renewed = session.tokens
    assert renewed.access_token() != tokens.access_token()
    assert renewed.refresh_token() != tokens.refresh_token(), "the server rotates them"
    assert session.get("user/search") == USERS

    # The rotated-away refresh token is dead: the SDK reports it as such.
    with pytest.raises(wf_oauth.ReauthRequired):
        client.refresh(tokens)
    assert server.grants("refresh_token", 400) == 1


def test_refresh_before_the_expiry(server: OAuthServer) -> None:
    clock = wf_oauth.ManualClock()
    client = generic_client(server, "basic", clock=clock)
    session = client.session(sign_in(server, client))
    session.get("user/search")
    clock.advance(EXPIRES_IN)
    session.get("user/search")
    assert server.grants("refresh_token") == 1
    assert server.api(401) == 0, "renewed before the call, not after a refusal"


@pytest.mark.parametrize("style", ["basic", "pkce"])
def test_a_401_from_the_resource_leads_to_one_refresh(server: OAuthServer, style: str) -> None:
    client = generic_client(server, style, max_in_flight=0)
    session = client.session(sign_in(server, client))
    session.get("user/search")
    assert server.revoke_access_tokens() == 1

    results = run_in_threads(20, lambda: session.get("user/search"))
    assert results == [USERS] * 20
    assert server.api(401) >= 1
    assert server.grants("refresh_token") == 1, "one refresh for every refused call"


def test_refused_refresh_token_means_sign_in_again(server: OAuthServer) -> None:
    client = generic_client(server, "post")
    session = client.session(sign_in(server, client))
    server.revoke_access_tokens()
    server.revoke_refresh_tokens()
    with pytest.raises(wf_oauth.ReauthRequired):
        session.get("user/search")
    assert session.reauth_required
    assert server.grants("refresh_token", 400) == 1
    with pytest.raises(wf_oauth.ReauthRequired):
        session.get("user/search")
    assert server.grants("refresh_token", 400) == 1, "no second attempt with a refused token"


@pytest.mark.parametrize("style", ["basic", "post"])
def test_client_credentials_session(server: OAuthServer, style: str) -> None:
    client = generic_client(server, style)
    session = client.client_credentials_session()
    assert server.client_auth == [("client_credentials", AUTH_METHOD[style])]
    assert session.tokens.refresh_token() is None
    assert session.tokens.scope == SCOPE
    assert session.get("proj/search", {"status": "PLN"}) == [p for p in PROJECTS if p["status"] == "PLN"]

    # Refused before its expiry: a new token is requested, once, and the call replayed.
    server.revoke_access_tokens()
    assert session.get("user/search") == USERS
    assert server.grants("client_credentials") == 2
    assert server.api(401) == 1
    assert server.grants("refresh_token") == 0


async def test_async_client_credentials_and_code_flow(server: OAuthServer) -> None:
    client = generic_client(server, "basic", cls=wf_oauth.AsyncClient, max_in_flight=0)
    s2s = await client.client_credentials_session()
    server.revoke_access_tokens()
    results = await asyncio.gather(*(s2s.get("user/search") for _ in range(30)))
    assert results == [USERS] * 30
    assert server.grants("client_credentials") == 2

    pending = client.authorize()
    tokens = await client.exchange(pending, await asyncio.to_thread(browser, pending.url))
    session = await client.session(tokens)
    server.revoke_access_tokens()
    results = await asyncio.gather(*(session.get("user/search") for _ in range(30)))
    assert results == [USERS] * 30
    assert server.grants("refresh_token") == 1


def test_public_client_cannot_use_client_credentials(server: OAuthServer) -> None:
    with pytest.raises(wf_oauth.InvalidArgument):
        generic_client(server, "pkce").client_credentials_session()
    assert server.client_auth == []


def test_the_wrong_client_authentication_style_is_refused(server: OAuthServer) -> None:
    # basic-app may only use client_secret_basic; sending its secret in the form fails.
    wrong = wf_oauth.Client(
        server.url, "basic-app", client_secret=SECRETS["basic-app"], client_auth="post",
        provider="generic", authorize_url=server.authorize_url, token_url=server.token_url,
        scope=SCOPE, timeout=10.0,
    )
    with pytest.raises(wf_oauth.TokenEndpointError) as info:
        wrong.client_credentials_session()
    assert info.value.error == "invalid_client"
    for text in (str(info.value), repr(info.value), repr(vars(info.value)), repr(wrong)):
        assert SECRETS["basic-app"] not in text
