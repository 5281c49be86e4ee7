"""Adobe IMS against the fake in IMS mode: the code flow of a web app (secret) and of a
single-page app (PKCE) with Bearer tokens that really expire, Server-to-Server sessions
(the client credentials grant: one new token for any number of concurrent callers, shared
through a store), and the configuration and grant errors, typed and free of secrets."""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
import subprocess
import sys
import urllib.parse
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

import wf_oauth
from conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    IMS_SCOPE,
    Mock,
    child_exit_code,
    make_client,
    run_in_threads,
)

TTL = 3600  # the fake's IMS access token lifetime in these tests (`expires_in`)


@pytest.fixture
def ims(start_mock: Callable[..., Mock]) -> Mock:
    """The fake in Adobe IMS mode, its clock moved only by the tests."""
    return start_mock(
        # IMS wants https redirects for web apps; the tests' loopback callback needs the
        # fake's test switch.
        "--mode", "ims", "--allow-loopback-redirects", "--auto-approve", "--manual-clock",
        "--access-token-ttl-secs", str(TTL), "--max-concurrent-requests", "0",
    )


def ims_client(
    mock: Mock, style: str = "post", cls: Any = wf_oauth.Client, **options: Any
) -> Any:
    """An IMS client of the fake: "post" / "basic" (web app with a secret), "pkce"
    (single-page app), or "s2s" (Server-to-Server: a secret, no redirect URI)."""
    options.setdefault("max_in_flight", 0)
    return make_client(
        mock, style, cls, provider="adobe_ims", ims_base=mock.base_url, scope=IMS_SCOPE, **options
    )


def advance(mock: Mock, clock: wf_oauth.ManualClock, secs: int) -> None:
    """Moves the fake's clock and the client's together."""
    mock.advance_clock(secs)
    clock.advance(secs)


def grants(mock: Mock, grant_type: str, status: str = "200") -> int:
    return int(mock.stats().get("grant_statuses", {}).get(grant_type, {}).get(status, 0))


def all_grants(mock: Mock) -> Dict[str, int]:
    return dict(mock.stats().get("grants", {}))


def api_statuses(mock: Mock, status: str) -> int:
    return int(mock.stats().get("statuses", {}).get("api", {}).get(status, 0))


# -- the code flow ---------------------------------------------------------------------------


@pytest.mark.parametrize("style", ["post", "basic", "pkce"])
def test_ims_code_flow_signs_in_calls_and_refreshes(ims: Mock, style: str) -> None:
    clock = wf_oauth.ManualClock()
    client = ims_client(ims, style, clock=clock)
    assert client.client_auth == ("none" if style == "pkce" else style)
    pending = client.authorize()
    url = urllib.parse.urlsplit(pending.url)
    assert f"{url.scheme}://{url.netloc}{url.path}" == f"{ims.base_url}/ims/authorize/v2"
    query = dict(urllib.parse.parse_qsl(url.query))
    assert query["scope"] == IMS_SCOPE
    assert ("code_challenge" in query) == (style == "pkce")

    tokens = client.exchange(pending, ims.approve(pending.url))
    assert tokens.token_type == "Bearer"
    assert tokens.expires_at == clock.now() + TTL
    assert tokens.refresh_token()
    assert tokens.wid is None

    session = client.session(tokens)
    assert session.auth_headers() == {"Authorization": f"Bearer {tokens.access_token()}"}
    assert len(session.get("proj/search", {"$$LIMIT": 3})) == 3

    # Past the expiry: renewed before the call, never refused.
    advance(ims, clock, TTL)
    assert len(session.get("proj/search", {"$$LIMIT": 3})) == 3
    assert grants(ims, "refresh_token") == 1
    assert api_statuses(ims, "401") == 0
    assert session.tokens.access_token() != tokens.access_token()
    assert session.tokens.expires_at == clock.now() + TTL


async def test_ims_code_flow_async(ims: Mock) -> None:
    clock = wf_oauth.ManualClock()
    client = ims_client(ims, "pkce", cls=wf_oauth.AsyncClient, clock=clock)
    pending = client.authorize()
    tokens = await client.exchange(pending, await asyncio.to_thread(ims.approve, pending.url))
    session = await client.session(tokens)
    assert len(await session.get("user/search", {"$$LIMIT": 1})) == 1
    advance(ims, clock, TTL)
    results = await asyncio.gather(*(session.get("proj/search", {"$$LIMIT": 1}) for _ in range(20)))
    assert all(len(r) == 1 for r in results)
    assert grants(ims, "refresh_token") == 1
    assert api_statuses(ims, "401") == 0


# -- Server-to-Server ------------------------------------------------------------------------


def test_server_to_server_renews_once_for_50_threads(ims: Mock) -> None:
    clock = wf_oauth.ManualClock()
    client = ims_client(ims, "s2s", clock=clock)
    session = client.client_credentials_session()
    assert grants(ims, "client_credentials") == 1, "the first token is requested at once"
    assert session.key is None
    first = session.tokens
    assert first.refresh_token() is None
    assert first.token_type == "Bearer"
    assert first.expires_at == clock.now() + TTL
    assert len(session.get("user/search", {"$$LIMIT": 1})) == 1

    # Past the expiry: 50 concurrent calls, one new token, no refusal.
    advance(ims, clock, TTL)
    run_in_threads(50, lambda: session.get("proj/search", {"$$LIMIT": 1}))
    assert grants(ims, "client_credentials") == 2
    assert api_statuses(ims, "401") == 0
    assert session.tokens.access_token() != first.access_token()

    # Revoked on the server before its expiry: refused, re-requested once for everybody.
    assert ims.expire_sessions() > 0
    run_in_threads(50, lambda: session.get("proj/search", {"$$LIMIT": 1}))
    assert grants(ims, "client_credentials") == 3
    assert not session.reauth_required

    # An explicit renewal is a new grant too.
    session.refresh()
    assert grants(ims, "client_credentials") == 4
    assert all_grants(ims) == {"client_credentials": 4}, "nothing but client credentials"


async def test_server_to_server_renews_once_for_50_coroutines(ims: Mock) -> None:
    clock = wf_oauth.ManualClock()
    client = ims_client(ims, "s2s", cls=wf_oauth.AsyncClient, clock=clock)
    session = await client.client_credentials_session()
    assert isinstance(session, wf_oauth.AsyncSession)
    assert len(await session.get("user/search", {"$$LIMIT": 1})) == 1
    assert grants(ims, "client_credentials") == 1

    advance(ims, clock, TTL)
    results = await asyncio.gather(*(session.get("proj/search", {"$$LIMIT": 1}) for _ in range(50)))
    assert all(len(r) == 1 for r in results)
    assert grants(ims, "client_credentials") == 2
    assert api_statuses(ims, "401") == 0

    assert ims.expire_sessions() > 0
    results = await asyncio.gather(*(session.get("proj/search", {"$$LIMIT": 1}) for _ in range(50)))
    assert all(len(r) == 1 for r in results)
    assert grants(ims, "client_credentials") == 3


async def test_async_server_to_server_session_in_a_store(ims: Mock) -> None:
    store = wf_oauth.MemoryTokenStore()
    first = await ims_client(ims, "s2s", cls=wf_oauth.AsyncClient, store=store).client_credentials_session(key="s2s")
    second = await ims_client(ims, "s2s", cls=wf_oauth.AsyncClient, store=store).client_credentials_session(key="s2s")
    assert first.key == second.key == "s2s"
    assert first.tokens.access_token() == second.tokens.access_token()
    assert grants(ims, "client_credentials") == 1
    assert len(await second.get("user/search", {"$$LIMIT": 1})) == 1


def test_server_to_server_token_shared_through_a_file_store(ims: Mock, tmp_path: Path) -> None:
    clock = wf_oauth.ManualClock()
    store_dir = tmp_path / "tokens"
    first_client = ims_client(ims, "s2s", clock=clock, store=wf_oauth.FileTokenStore(store_dir))
    first = first_client.client_credentials_session(key="s2s")
    assert first.key == "s2s"
    assert grants(ims, "client_credentials") == 1
    stored = wf_oauth.FileTokenStore(store_dir).load("s2s")
    assert stored is not None and first.tokens.access_token() in stored

    # Another client of the same store (as another process would): the stored, still fresh
    # token is reused without a new grant.
    second_client = ims_client(ims, "s2s", clock=clock, store=wf_oauth.FileTokenStore(store_dir))
    second = second_client.client_credentials_session(key="s2s")
    assert second.tokens.access_token() == first.tokens.access_token()
    assert len(second.get("user/search", {"$$LIMIT": 1})) == 1
    assert grants(ims, "client_credentials") == 1

    # Expired: the first renews and saves; the second adopts the saved token.
    advance(ims, clock, TTL)
    first.get("user/search", {"$$LIMIT": 1})
    second.get("user/search", {"$$LIMIT": 1})
    assert grants(ims, "client_credentials") == 2
    assert second.tokens.access_token() == first.tokens.access_token()

    # Without key= a session keeps its own token in memory: requested, not stored.
    saved = wf_oauth.FileTokenStore(store_dir).load("s2s")
    own = first_client.client_credentials_session()
    assert own.key is None
    assert grants(ims, "client_credentials") == 3
    assert wf_oauth.FileTokenStore(store_dir).load("s2s") == saved


CHILD = """
import sys, wf_oauth
client = wf_oauth.Client(
    sys.argv[1], sys.argv[2], client_secret=sys.argv[3], provider="adobe_ims",
    ims_base=sys.argv[1], scope=sys.argv[4], store=wf_oauth.FileTokenStore(sys.argv[5]),
)
session = client.client_credentials_session(key="s2s")
assert len(session.get("user/search", {"$$LIMIT": 1})) == 1
print(session.tokens.access_token_fingerprint)
"""


def test_server_to_server_token_reused_by_another_process(ims: Mock, tmp_path: Path) -> None:
    store_dir = tmp_path / "tokens"
    session = ims_client(ims, "s2s", store=wf_oauth.FileTokenStore(store_dir)).client_credentials_session(key="s2s")
    child = subprocess.run(
        [sys.executable, "-c", CHILD, ims.base_url, CLIENT_ID, CLIENT_SECRET, IMS_SCOPE, str(store_dir)],
        capture_output=True, text=True, timeout=60,
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout.strip() == session.tokens.access_token_fingerprint
    assert grants(ims, "client_credentials") == 1


@pytest.mark.parametrize("stored", [False, True])
def test_server_to_server_session_in_a_forked_child(ims: Mock, stored: bool) -> None:
    store = wf_oauth.MemoryTokenStore() if stored else None
    session = ims_client(ims, "s2s", store=store).client_credentials_session(
        key="s2s" if stored else None
    )
    assert len(session.get("user/search", {"$$LIMIT": 1})) == 1
    pid = os.fork()
    if pid == 0:  # the child: a new connection pool, the parent's (still fresh) token
        code = 1
        try:
            ok = len(session.get("proj/search", {"$$LIMIT": 2})) == 2
            session.refresh()  # renewals in the child are client credentials grants too
            ok = ok and len(session.get("proj/search", {"$$LIMIT": 2})) == 2
            code = 0 if ok else 1
        finally:
            os._exit(code)
    assert child_exit_code(pid) == 0
    assert grants(ims, "client_credentials") == 2, "the child reused the token, then renewed once"
    assert all_grants(ims) == {"client_credentials": 2}


# -- errors ------------------------------------------------------------------------------------


def test_ims_without_scope_is_invalid_argument() -> None:
    for cls in (wf_oauth.Client, wf_oauth.AsyncClient):
        with pytest.raises(wf_oauth.InvalidArgument) as info:
            cls("acme.my.workfront.com", "id", client_secret="s", provider="adobe_ims")
        assert info.value.kind == "invalid_argument"
        assert isinstance(info.value, ValueError)
        assert "scope" in str(info.value)


@pytest.mark.parametrize(
    "urls",
    [
        {},
        {"authorize_url": "https://auth.example.com/authorize"},
        {"token_url": "https://auth.example.com/token"},
    ],
)
def test_generic_without_both_urls_is_invalid_argument(urls: Dict[str, str]) -> None:
    with pytest.raises(wf_oauth.InvalidArgument) as info:
        wf_oauth.Client("acme.my.workfront.com", "id", provider="generic", **urls)
    assert "authorize_url and token_url" in str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"provider": "okta"},
        {"provider": "generic", "authorize_url": "http://auth.example.com/a", "token_url": "https://auth.example.com/t"},
        {"provider": "adobe_ims", "ims_base": "not a url", "scope": "openid"},
    ],
)
def test_bad_provider_options_are_invalid_argument(options: Dict[str, str]) -> None:
    with pytest.raises(wf_oauth.InvalidArgument):
        wf_oauth.Client("acme.my.workfront.com", "id", **options)


def test_client_credentials_on_workfront_legacy_is_invalid_argument(mock: Mock) -> None:
    client = make_client(mock, "post")
    for call in (client.client_credentials, client.client_credentials_session):
        with pytest.raises(wf_oauth.InvalidArgument) as info:
            call()
        assert "client credentials" in str(info.value)
    assert all_grants(mock) == {}, "nothing was sent"


async def test_client_credentials_on_workfront_legacy_async(mock: Mock) -> None:
    client = make_client(mock, "post", cls=wf_oauth.AsyncClient)
    with pytest.raises(wf_oauth.InvalidArgument):
        await client.client_credentials_session()
    with pytest.raises(wf_oauth.InvalidArgument):
        await client.client_credentials()


def test_client_credentials_of_a_public_client_is_invalid_argument(ims: Mock) -> None:
    client = ims_client(ims, "pkce")
    for call in (client.client_credentials, client.client_credentials_session):
        with pytest.raises(wf_oauth.InvalidArgument) as info:
            call()
        assert "client secret" in str(info.value)
    assert grants(ims, "client_credentials") == 0


def test_client_credentials_session_key_needs_a_store(ims: Mock) -> None:
    with pytest.raises(wf_oauth.InvalidArgument) as info:
        ims_client(ims, "s2s").client_credentials_session(key="s2s")
    assert "store" in str(info.value)
    assert grants(ims, "client_credentials") == 0


WRONG_SECRET = "not-the-secret-4711"


def test_wrong_secret_is_a_token_endpoint_error_without_the_secret(
    ims: Mock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = wf_oauth.Client(
        ims.base_url, CLIENT_ID, client_secret=WRONG_SECRET, provider="adobe_ims",
        ims_base=ims.base_url, scope=IMS_SCOPE, timeout=10.0,
    )
    errors: List[wf_oauth.Error] = []
    for call in (client.client_credentials, client.client_credentials_session):
        with pytest.raises(wf_oauth.TokenEndpointError) as info:
            call()
        errors.append(info.value)
    for error in errors:
        assert error.kind == "token_endpoint"
        assert error.status == 401
        assert error.error == "invalid_client"
        assert not error.retryable
    assert grants(ims, "client_credentials", "401") == 2, "refused, and not retried"

    texts = [repr(client), str(client)]
    for error in errors:
        texts += [str(error), repr(error), repr(error.args), repr(vars(error))]
        texts.append(repr(pickle.loads(pickle.dumps(error))))
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        assert WRONG_SECRET not in text, text[:200]
        assert CLIENT_SECRET not in text, text[:200]


def test_server_to_server_session_shows_no_secret(ims: Mock, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    clock = wf_oauth.ManualClock()
    client = ims_client(ims, "s2s", clock=clock, store=wf_oauth.MemoryTokenStore())
    session = client.client_credentials_session(key="s2s")
    first = session.tokens.access_token()
    advance(ims, clock, TTL)
    session.get("user/search", {"$$LIMIT": 1})  # a new token
    with pytest.raises(wf_oauth.ApiError) as info:
        session.get("proj/search", {"$$LIMIT": 5000})
    secrets = [CLIENT_SECRET, first, session.tokens.access_token()]
    texts = [
        repr(client), str(client), repr(session), str(session), repr(session.tokens),
        str(session.tokens), str(info.value), repr(info.value),
    ] + [record.getMessage() for record in caplog.records]
    for text in texts:
        for secret in secrets:
            assert secret not in text, text[:200]
    assert session.tokens.access_token_fingerprint in repr(session)
